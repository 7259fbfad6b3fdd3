"""Who may do what in reuse. Anyone signed in submits a use case (and edits their own); anyone signed in
posts ideas, comments and supports (a person: one support per idea); the moderators (sysadmins, and the
admins and editors of the organization the profile names in `[reuse] moderators`) hide and show what breaks
the rules, read the anomaly report and run the liveness check; an organization's admins and editors answer
the ideas addressed to it and run its surveys."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from derek.core.authz import Actor, register


@dataclass(frozen=True)
class Target:
    """What the rules look at: the submitter (of a use case or idea), the organization concerned, and the
    moderators' organization."""

    owner_id: str | None = None
    organization_id: str | None = None
    moderators_id: str | None = None


def _moderator(actor: Actor, target: Any) -> bool:
    return isinstance(target, Target) and actor.has_org_role(target.moderators_id, "admin", "editor")


@register("reuse.submit", "submit a use case of the portal's data")
def _submit(actor: Actor, _obj: Any) -> bool:
    return actor.user_id is not None


@register("reuse.edit_use_case", "edit this use case")
def _edit_use_case(actor: Actor, target: Any) -> bool:
    if not isinstance(target, Target):
        return False
    return (actor.user_id is not None and actor.user_id == target.owner_id) or _moderator(actor, target)


@register("reuse.moderate", "moderate use cases, ideas and comments and read the anomaly report")
def _moderate(actor: Actor, target: Any) -> bool:
    return _moderator(actor, target)


@register("reuse.post_idea", "post ideas and comments")
def _post_idea(actor: Actor, _obj: Any) -> bool:
    return actor.user_id is not None


@register("reuse.support_idea", "support an idea")
def _support_idea(actor: Actor, _obj: Any) -> bool:
    return actor.user_id is not None  # a person: one support each


@register("reuse.answer_idea", "answer the ideas addressed to this organization")
def _answer_idea(actor: Actor, target: Any) -> bool:
    return (
        isinstance(target, Target) and actor.has_org_role(target.organization_id, "admin", "editor")
    ) or _moderator(actor, target)


@register("reuse.run_survey", "create and run this organization's surveys")
def _run_survey(actor: Actor, target: Any) -> bool:
    org = target.organization_id if isinstance(target, Target) else target
    return actor.has_org_role(org, "admin", "editor")
