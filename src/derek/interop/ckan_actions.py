"""The CKAN action registry: the call context every action receives, CKAN's errors and parameter coercion."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from derek.catalog import service
from derek.catalog.schemas import OrganizationRead
from derek.config import Profile, Settings
from derek.core.authz import Actor
from derek.core.errors import NotFound

CKAN_VERSION = "2.11.5"
TRUE_WORDS = {"true", "yes", "on", "y", "t", "1"}
FALSE_WORDS = {"false", "no", "off", "n", "f", "0", ""}
INT_MAX = 2**31 - 1  # numbers sent are capped here: a database integer holds them, whatever a client sends


class ValidationError(Exception):
    """CKAN's ValidationError: a dict of field -> list of messages (or nested lists for resources)."""

    def __init__(self, errors: dict[str, Any]) -> None:
        super().__init__(str(errors))
        self.errors = errors


class SearchQueryError(Exception):
    """CKAN's SearchQueryError (HTTP 400): the search parameters cannot be understood."""


@dataclass
class Call:
    """One action call: its parameters and everything the action may use to answer it."""

    name: str
    data: dict[str, Any]
    session: Session
    actor: Actor
    profile: Profile
    base_url: str
    duck: Any = None  # the DataStore's DuckStore (app.state.datastore), for the datastore_* actions
    path: str = ""  # the request's path and query string (datastore_search builds its _links from them)
    query_string: str = ""
    _orgs: dict[str, OrganizationRead | None] = field(default_factory=dict)

    @property
    def lang(self) -> str:
        return self.profile.default_language

    def org(self, org_id: str) -> OrganizationRead | None:
        """The organization (cached for the call): package dicts embed it, search pages repeat it."""
        if org_id not in self._orgs:
            try:
                self._orgs[org_id] = service.get_organization(self.session, self.actor, org_id)
            except NotFound:
                self._orgs[org_id] = None
        return self._orgs[org_id]

    def required(self, *keys: str) -> Any:
        """The first of keys given (CKAN's get_or_bust), else a 'Missing value' error on the first key."""
        for key in keys:
            value = self.data.get(key)
            if value not in (None, ""):
                return value
        raise ValidationError({keys[0]: ["Missing value"]})

    def text(self, key: str, default: str = "") -> str:
        value = self.data.get(key, default)
        if value is None:
            return default
        if isinstance(value, list):  # a key repeated in a query string
            value = value[-1]
        return str(value)

    def flag(self, key: str, default: bool = False) -> bool:
        return as_bool(self.data.get(key), key, default)

    def natural(self, key: str, default: int | None = None) -> int | None:
        return as_natural(self.data.get(key), key, default)


ActionFn = Callable[[Call], Any]


@dataclass(frozen=True)
class Action:
    name: str
    fn: ActionFn
    side_effect_free: bool
    enabled: Callable[[Settings], bool] | None = None  # None: always; else the portal's settings decide

    def available(self, settings: Settings) -> bool:
        return self.enabled is None or self.enabled(settings)


ACTIONS: dict[str, Action] = {}


def action(
    name: str, *, read: bool, enabled: Callable[[Settings], bool] | None = None
) -> Callable[[ActionFn], ActionFn]:
    """Register an action; read=True marks it side-effect free, so GET may call it. An action whose
    `enabled(settings)` is false is unknown on that portal (400 "Action name not known", as CKAN)."""

    def decorator(fn: ActionFn) -> ActionFn:
        ACTIONS[name] = Action(name=name, fn=fn, side_effect_free=read, enabled=enabled)
        return fn

    return decorator


def as_bool(value: Any, key: str, default: bool = False) -> bool:
    if value is None:
        return default
    if isinstance(value, bool):
        return value
    if isinstance(value, list):
        value = value[-1] if value else ""
    word = str(value).strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ValidationError({key: ["Invalid boolean"]})


def as_int(value: Any, key: str) -> int:
    """An integer parameter, capped to +-INT_MAX: a limit or offset that large means all, or past the end."""
    if isinstance(value, bool):
        raise ValidationError({key: ["Invalid integer"]})
    if isinstance(value, list):
        value = value[-1] if value else ""
    try:
        number = int(str(value).strip())
    except ValueError:  # also text of more digits than Python converts
        raise ValidationError({key: ["Invalid integer"]}) from None
    return max(-INT_MAX, min(number, INT_MAX))


def as_natural(value: Any, key: str, default: int | None = None) -> int | None:
    if value is None or value == "":
        return default
    number = as_int(value, key)
    if number < 0:
        raise ValidationError({key: ["Must be a natural number"]})
    return number


def as_list(value: Any, key: str) -> list[Any]:
    """A list parameter: a list, JSON text of a list, or a single value (as GET sends it)."""
    if value is None or value == "":
        return []
    if isinstance(value, list):
        return value
    if isinstance(value, str):
        stripped = value.strip()
        if stripped.startswith("["):
            try:
                parsed = json.loads(stripped)
            except ValueError:
                raise ValidationError({key: ["Could not parse as valid JSON"]}) from None
            if isinstance(parsed, list):
                return parsed
        return [value]
    raise ValidationError({key: ["Not a list"]})
