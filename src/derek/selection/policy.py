"""Who may do what in choosing what to open. An organization's admins and editors keep its inventory and
assess the proposals addressed to it; anyone signed in proposes and supports (once); the Commission is
an organization named by the profile: its members (role "member") vote and declare conflicts of
interest, its admins and editors (the secretariat) run sessions and record decisions; the list owner (an
organization the profile names, by default the Commission) drafts and approves the unified list."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from derek.core.authz import Actor, register


@dataclass(frozen=True)
class Target:
    """What the rules look at: the organization concerned, the Commission and the list owner."""

    organization_id: str | None
    commission_id: str | None
    list_owner_id: str | None


def _org(target: Any) -> str | None:
    return target.organization_id if isinstance(target, Target) else target


def _secretariat(actor: Actor, target: Any) -> bool:
    return isinstance(target, Target) and actor.has_org_role(target.commission_id, "admin", "editor")


@register("selection.keep_inventory", "register and edit this organization's data holdings")
def _keep_inventory(actor: Actor, target: Any) -> bool:
    return actor.has_org_role(_org(target), "admin", "editor")


@register("selection.propose", "propose a dataset to open")
def _propose(actor: Actor, _obj: Any) -> bool:
    return actor.authenticated


@register("selection.support", "support a proposal")
def _support(actor: Actor, _obj: Any) -> bool:
    return actor.user_id is not None  # a person: one support each


@register("selection.assess", "assess this proposal and record consultations about it")
def _assess(actor: Actor, target: Any) -> bool:
    return actor.has_org_role(_org(target), "admin", "editor") or _secretariat(actor, target)


@register("selection.run_commission", "plan the Commission's sessions and record its decisions")
def _run_commission(actor: Actor, target: Any) -> bool:
    return _secretariat(actor, target)


@register("selection.vote", "vote in the Commission and declare conflicts of interest")
def _vote(actor: Actor, target: Any) -> bool:
    return isinstance(target, Target) and actor.has_org_role(target.commission_id, "member")


@register("selection.manage_list", "draft and approve the unified list of open data")
def _manage_list(actor: Actor, target: Any) -> bool:
    return isinstance(target, Target) and actor.has_org_role(target.list_owner_id, "admin", "editor")


@register("selection.link_dataset", "name the dataset that fulfils this item of the unified list")
def _link_dataset(actor: Actor, target: Any) -> bool:
    return actor.has_org_role(_org(target), "admin", "editor") or (
        isinstance(target, Target) and actor.has_org_role(target.list_owner_id, "admin", "editor")
    )
