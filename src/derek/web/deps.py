"""FastAPI dependencies: the database session, the acting user, the profile, the UI language."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from derek.config import Profile, Settings
from derek.core import accounts
from derek.core.authz import ANONYMOUS, Actor
from derek.core.db import Database
from derek.core.i18n import negotiate
from derek.core.storage import FileStore

LANG_COOKIE = "derek_lang"


def get_db(request: Request) -> Database:
    db: Database = request.app.state.db
    return db


def get_session(request: Request) -> Iterator[Session]:
    with get_db(request).session() as session:
        yield session


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_profile(request: Request) -> Profile:
    return get_settings(request).jurisdiction


def get_store(request: Request) -> FileStore:
    store: FileStore = request.app.state.store
    return store


def api_token_from(request: Request) -> str | None:
    """CKAN clients send the bare token in Authorization or X-CKAN-API-Key; others send 'Bearer <token>'."""
    raw = request.headers.get("authorization") or request.headers.get("x-ckan-api-key")
    if not raw:
        return None
    raw = raw.strip()
    if raw.lower().startswith("bearer "):
        raw = raw[7:].strip()
    return raw or None


def get_actor(request: Request, session: Annotated[Session, Depends(get_session, scope="function")]) -> Actor:
    cached: Actor | None = getattr(request.state, "actor", None)
    if cached is not None:
        return cached
    token = api_token_from(request)
    user = None
    request.state.auth_method = "token" if token else "session"
    if token:
        user = accounts.user_for_token(session, token)
        if user is None:
            from derek.core.errors import NotAuthenticated

            raise NotAuthenticated(
                "The API token is not valid or was revoked: create a new one in your profile."
            )
    elif "session" in request.scope:
        user_id = request.session.get("user_id")
        if user_id:
            user = session.get(accounts.User, user_id)
            if user is not None and request.session.get("session_version") != user.session_version:
                request.session.clear()  # signed out everywhere since this cookie was issued
                user = None
    actor = accounts.actor_for(session, user) if user else ANONYMOUS
    request.state.actor = actor
    return actor


def get_lang(request: Request) -> str:
    profile = get_profile(request)
    wanted = request.query_params.get("lang") or request.cookies.get(LANG_COOKIE)
    if wanted in profile.languages:
        return wanted
    return negotiate(request.headers.get("accept-language"), profile.languages, profile.default_language)


# scope="function": commit when the route returns, before the response is sent, so a client that was told
# "created" can read it back at once (and a failed commit is an error, not a lost success).
SessionDep = Annotated[Session, Depends(get_session, scope="function")]
ActorDep = Annotated[Actor, Depends(get_actor)]
ProfileDep = Annotated[Profile, Depends(get_profile)]
LangDep = Annotated[str, Depends(get_lang)]
StoreDep = Annotated[FileStore, Depends(get_store)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
