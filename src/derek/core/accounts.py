"""Users, organization memberships and API tokens; turning a session or token into an Actor."""

from __future__ import annotations

import functools
import hashlib
import re
import secrets
from datetime import datetime
from types import MappingProxyType
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Boolean, ForeignKey, Integer, String, UniqueConstraint, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from derek.core import audit
from derek.core.authz import ANONYMOUS, ORG_ROLES, SYSTEM, Actor, authorize, register
from derek.core.db import Base, UTCDateTime, new_id, utcnow
from derek.core.errors import Conflict, Invalid, NotFound

_hasher = PasswordHasher()
NAME_RE = re.compile(r"^[a-z0-9_\-]{2,100}$")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
TOKEN_PREFIX = "drk_"
MAX_PASSWORD = 500
ACTIVE, INACTIVE = "active", "inactive"  # user states; "deleted" users are gone for get_user


class User(Base):
    __tablename__ = "user"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    email: Mapped[str] = mapped_column(String(255))
    fullname: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str | None] = mapped_column(String(255))
    sysadmin: Mapped[bool] = mapped_column(Boolean, default=False)
    state: Mapped[str] = mapped_column(String(20), default="active")
    # Raised to end every signed-in session of the user at once (log out, password change).
    session_version: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Membership(Base):
    __tablename__ = "membership"
    __table_args__ = (UniqueConstraint("user_id", "organization_id"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    organization_id: Mapped[str] = mapped_column(
        ForeignKey("organization.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[str] = mapped_column(String(20))


class ApiToken(Base):
    __tablename__ = "api_token"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    user_id: Mapped[str] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    label: Mapped[str] = mapped_column(String(200), default="")
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


@register("user.create", "create users")
def _may_create_user(actor: Actor, _obj: Any) -> bool:
    return False  # sysadmins only (they pass every rule)


@register("user.update", "change this user")
def _may_update_user(actor: Actor, user: User) -> bool:
    return actor.user_id is not None and user is not None and actor.user_id == user.id


@register("user.list", "list users")
def _may_list_users(actor: Actor, _obj: Any) -> bool:
    return False


@register("user.deactivate", "deactivate or reactivate users")
def _may_deactivate_user(actor: Actor, _user: Any) -> bool:
    return False  # sysadmins only (they pass every rule)


@register("token.manage", "manage this user's API tokens")
def _may_manage_tokens(actor: Actor, user: User) -> bool:
    return actor.user_id is not None and user is not None and actor.user_id == user.id


def _user_dict(user: User) -> dict[str, Any]:
    return {"name": user.name, "email": user.email, "fullname": user.fullname, "sysadmin": user.sysadmin}


def _check_email_and_password(email: str | None, password: str | None) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if email is not None and (not EMAIL_RE.match(email.strip()) or len(email.strip()) > 255):
        errors["email"] = [f"{email[:60]!r} is not an e-mail address (at most 255 characters)."]
    if password is not None and not 8 <= len(password) <= MAX_PASSWORD:
        errors["password"] = [f"The password must have at least 8 characters (and at most {MAX_PASSWORD})."]
    return errors


def end_sessions(session: Session, user: User) -> None:
    """Sign the user out everywhere: every session cookie issued before now stops working."""
    user.session_version += 1
    session.flush()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def create_user(
    session: Session,
    actor: Actor,
    name: str,
    email: str,
    password: str | None = None,
    *,
    fullname: str = "",
    sysadmin: bool = False,
) -> User:
    authorize(actor, "user.create")
    name = name.strip().lower()
    errors = _check_email_and_password(email, password)
    if not NAME_RE.match(name):
        errors["name"] = ["Use 2-100 lowercase letters, digits, '-' or '_'."]
    if errors:
        raise Invalid(
            "The user could not be created: " + "; ".join(v[0] for v in errors.values()), errors=errors
        )
    if session.scalar(select(User.id).where(User.name == name)):
        raise Conflict(f"A user named {name!r} already exists.", errors={"name": ["That name is taken."]})
    user = User(
        name=name,
        email=email.strip(),
        fullname=fullname,
        password_hash=hash_password(password) if password else None,
        sysadmin=sysadmin,
    )
    session.add(user)
    session.flush()
    audit.record(session, actor, "user.create", "user", user.id, None, _user_dict(user))
    return user


def sign_up(session: Session, name: str, email: str, password: str, *, fullname: str = "") -> User:
    """A visitor creates their own account (no organization, no rights beyond a signed-in person's: post
    ideas, support them once, answer surveys). The portal's settings decide whether sign-up is open."""
    if not password:
        message = "The password must have at least 8 characters."
        raise Invalid(message, errors={"password": [message]})
    user = create_user(session, SYSTEM, name, email, password, fullname=fullname.strip()[:200])
    audit.record(session, SYSTEM, "user.sign_up", "user", user.id, None, {"name": user.name})
    return user


def update_user(
    session: Session,
    actor: Actor,
    user: User,
    *,
    fullname: str | None = None,
    email: str | None = None,
    password: str | None = None,
    current_password: str | None = None,
) -> User:
    """Change a user's name shown, e-mail or password (the user themself, or a sysadmin).

    A new password needs the current one, unless a sysadmin sets another user's; it ends every other session.
    """
    authorize(actor, "user.update", user)
    errors = _check_email_and_password(email, password)
    needs_current = password is not None and (actor.user_id == user.id or not actor.sysadmin)
    if needs_current and (
        current_password is None or authenticate(session, user.name, current_password) is None
    ):
        errors["current_password"] = ["Give your current password to set a new one."]
    if errors:
        raise Invalid(
            "The user could not be changed: " + "; ".join(v[0] for v in errors.values()), errors=errors
        )
    before = _user_dict(user)
    if fullname is not None:
        user.fullname = fullname.strip()
    if email is not None:
        user.email = email.strip()
    if password is not None:
        user.password_hash = hash_password(password)
        user.session_version += 1
    session.flush()
    changed = {**_user_dict(user), "password_changed": password is not None}
    audit.record(session, actor, "user.update", "user", user.id, before, changed)
    return user


def get_user(session: Session, name_or_id: str) -> User:
    user = session.scalar(select(User).where((User.name == name_or_id) | (User.id == name_or_id)))
    if user is None or user.state == "deleted":
        raise NotFound(f"There is no user {name_or_id!r}.")
    return user


def set_user_active(session: Session, actor: Actor, user: User | str, active: bool) -> User:
    """Deactivate a user (or a user name), or reactivate them. Nothing is deleted.

    A deactivated user cannot log in, their sessions end and their API tokens stop working (they belong to an
    inactive user); reactivating lets them log in again and their unrevoked tokens work again. Permission is
    checked before the user is looked up, so outsiders cannot probe which names exist.
    """
    authorize(actor, "user.deactivate", user if isinstance(user, User) else None)
    if isinstance(user, str):
        user = get_user(session, user)
    if not active and actor.user_id is not None and actor.user_id == user.id:
        raise Conflict("You cannot deactivate your own account: ask another sysadmin to do it.")
    wanted = ACTIVE if active else INACTIVE
    if user.state == wanted:
        return user
    before = {"name": user.name, "state": user.state}
    user.state = wanted
    if not active:
        end_sessions(session, user)
    session.flush()
    action = "user.reactivate" if active else "user.deactivate"
    audit.record(session, actor, action, "user", user.id, before, {"name": user.name, "state": user.state})
    return user


def list_users(session: Session, actor: Actor) -> list[User]:
    authorize(actor, "user.list")
    return list(session.scalars(select(User).order_by(User.name)))


def authenticate(session: Session, name: str, password: str) -> User | None:
    """The user when the password matches, else None. Spends the same hashing time either way."""
    user = session.scalar(select(User).where(User.name == name.strip().lower(), User.state == "active"))
    stored = user.password_hash if user and user.password_hash else _dummy_hash()
    try:
        _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return None
    return user


@functools.cache
def _dummy_hash() -> str:
    """A hash to verify against when the user does not exist, so both answers take as long (made once,
    on first use: hashing costs a fifth of a second, which every command would pay at import)."""
    return _hasher.hash("not-a-real-password")


def set_membership(
    session: Session, actor: Actor, user: User | str, organization_id: str, role: str | None
) -> Membership | None:
    """Give a user (or a user name) a role in an organization, change it, or (role None) remove it.

    Permission is checked before the user is looked up, so outsiders cannot probe which names exist.
    """
    authorize(actor, "organization.manage_members", organization_id)
    if isinstance(user, str):
        user = get_user(session, user)
    if role is not None and role not in ORG_ROLES:
        raise Invalid(
            f"Unknown role {role!r}: use one of {', '.join(ORG_ROLES)}.", errors={"role": ["Unknown role."]}
        )
    existing = session.scalar(
        select(Membership).where(Membership.user_id == user.id, Membership.organization_id == organization_id)
    )
    before = {"role": existing.role} if existing else None
    if role is None:
        if existing:
            session.delete(existing)
    elif existing:
        existing.role = role
    else:
        existing = Membership(user_id=user.id, organization_id=organization_id, role=role)
        session.add(existing)
    session.flush()
    audit.record(
        session,
        actor,
        "organization.member",
        "membership",
        f"{organization_id}:{user.id}",
        before,
        {"user": user.name, "role": role} if role else None,
    )
    return existing if role else None


def memberships_of(session: Session, user_id: str) -> dict[str, str]:
    rows = session.execute(
        select(Membership.organization_id, Membership.role).where(Membership.user_id == user_id)
    )
    return {org_id: role for org_id, role in rows}


def official_emails(session: Session, organization_id: str) -> list[str]:
    """The e-mail addresses of an organization's active admins and editors (whom mail about its work goes
    to), sorted, each once."""
    rows = session.scalars(
        select(User.email)
        .join(Membership, Membership.user_id == User.id)
        .where(
            Membership.organization_id == organization_id,
            Membership.role.in_(("admin", "editor")),
            User.state == "active",
        )
    )
    return sorted({e for e in rows if e})


def list_members(session: Session, actor: Actor, organization_id: str) -> list[tuple[User, str]]:
    """The users holding a role in the organization, with their role, for those who manage its members."""
    authorize(actor, "organization.manage_members", organization_id)
    rows = session.execute(
        select(User, Membership.role)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.organization_id == organization_id, User.state == "active")
        .order_by(User.name)
    )
    return [(user, role) for user, role in rows]


def actor_for(session: Session, user: User | None) -> Actor:
    if user is None or user.state != "active":
        return ANONYMOUS
    return Actor(
        user_id=user.id,
        name=user.name,
        sysadmin=user.sysadmin,
        memberships=MappingProxyType(memberships_of(session, user.id)),
    )


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(session: Session, actor: Actor, user: User, label: str = "") -> tuple[ApiToken, str]:
    """A new token for the user; the plain token is returned once and stored only as a hash."""
    authorize(actor, "token.manage", user)
    plain = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user_id=user.id, label=label[:200], token_hash=_hash_token(plain))
    session.add(token)
    session.flush()
    audit.record(
        session, actor, "token.create", "api_token", token.id, None, {"user": user.name, "label": label}
    )
    return token, plain


def list_tokens(session: Session, actor: Actor, user: User) -> list[ApiToken]:
    authorize(actor, "token.manage", user)
    stmt = select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.created_at.desc())
    return list(session.scalars(stmt))


def revoke_token(session: Session, actor: Actor, token_id: str) -> ApiToken:
    token = session.get(ApiToken, token_id)
    if token is None:
        raise NotFound(f"There is no API token {token_id!r}.")
    owner = session.get(User, token.user_id)
    authorize(actor, "token.manage", owner)
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        audit.record(
            session, actor, "token.revoke", "api_token", token.id, {"revoked": False}, {"revoked": True}
        )
    return token


def user_for_token(session: Session, plain: str) -> User | None:
    token = session.scalar(select(ApiToken).where(ApiToken.token_hash == _hash_token(plain.strip())))
    if token is None or token.revoked_at is not None:
        return None
    user = session.get(User, token.user_id)
    if user is None or user.state != "active":
        return None
    token.last_used_at = utcnow()
    return user
