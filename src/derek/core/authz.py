"""Actors and THE permission registry: every action any domain performs is declared here by its policy."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from derek.core.errors import Forbidden, NotAuthenticated

ORG_ROLES = ("admin", "editor", "member")


@dataclass(frozen=True)
class Actor:
    """Who is acting: a user with their roles, an anonymous visitor, or the system (jobs, harvesters)."""

    user_id: str | None
    name: str
    sysadmin: bool = False
    memberships: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    system: bool = False

    @property
    def authenticated(self) -> bool:
        return self.user_id is not None or self.system

    def role_in(self, organization_id: str | None) -> str | None:
        if organization_id is None:
            return None
        return self.memberships.get(organization_id)

    def has_org_role(self, organization_id: str | None, *roles: str) -> bool:
        return self.role_in(organization_id) in roles


ANONYMOUS = Actor(user_id=None, name="anonymous")
SYSTEM = Actor(user_id=None, name="system", sysadmin=True, system=True)

Rule = Callable[[Actor, Any], bool]
_RULES: dict[str, Rule] = {}
_DESCRIPTIONS: dict[str, str] = {}


def register(action: str, description: str) -> Callable[[Rule], Rule]:
    """Declare an action and the rule deciding who may perform it."""

    def decorator(rule: Rule) -> Rule:
        if action in _RULES:
            raise RuntimeError(f"action {action!r} declared twice")
        _RULES[action] = rule
        _DESCRIPTIONS[action] = description
        return rule

    return decorator


def actions() -> dict[str, str]:
    return dict(_DESCRIPTIONS)


def can(actor: Actor, action: str, obj: Any = None) -> bool:
    rule = _RULES.get(action)
    if rule is None:
        raise RuntimeError(f"undeclared action {action!r}")
    if actor.sysadmin:
        return True
    return bool(rule(actor, obj))


def authorize(actor: Actor, action: str, obj: Any = None) -> None:
    """Raise unless the actor may perform the action on obj."""
    if can(actor, action, obj):
        return
    if not actor.authenticated:
        raise NotAuthenticated(f"Log in or send an API token to {_DESCRIPTIONS[action].lower()}.")
    raise Forbidden(f"User {actor.name!r} may not {_DESCRIPTIONS[action].lower()}.")
