"""Who may do what with information requests. Officials are the admins and editors of the organization
asked; the reviewer is the organization the profile names (an independent body) or the organization's
parent (the superior authority); the requester is the signed-in user who asked (an anonymous requester
proves it with the private key the confirmation gave)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from derek.core.authz import Actor, register


@dataclass(frozen=True)
class Target:
    """What the rules look at: the organization asked, the reviewing organization, the requester."""

    organization_id: str
    reviewer_organization_id: str | None
    requester_id: str | None


@register("info_request.submit", "send an information request or a question to an organization")
def _submit(_actor: Actor, _obj: Any) -> bool:
    return True  # anyone; without an account the requester gives an e-mail address


@register("info_request.handle", "handle this organization's information requests")
def _handle(actor: Actor, target: Any) -> bool:
    org_id = target.organization_id if isinstance(target, Target) else target
    return actor.has_org_role(org_id, "admin", "editor")


@register("info_request.see_requester", "see who sent this information request")
def _see_requester(actor: Actor, target: Target) -> bool:
    return (
        actor.has_org_role(target.organization_id, "admin", "editor")
        or actor.has_org_role(target.reviewer_organization_id, "admin", "editor")
        or (actor.user_id is not None and actor.user_id == target.requester_id)
    )


@register("info_request.act_as_requester", "clarify, withdraw or appeal this information request")
def _requester(actor: Actor, target: Target) -> bool:
    return actor.user_id is not None and actor.user_id == target.requester_id


@register("info_request.review", "decide appeals against this organization's answers")
def _review(actor: Actor, target: Any) -> bool:
    org_id = target.reviewer_organization_id if isinstance(target, Target) else target
    return actor.has_org_role(org_id, "admin", "editor")


@register("info_request.queue", "see one's queue of information requests and appeals")
def _queue(actor: Actor, _obj: Any) -> bool:
    return actor.authenticated
