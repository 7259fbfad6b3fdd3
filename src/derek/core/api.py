"""Native REST API for accounts: the current user, users (sysadmins) and API tokens."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from derek import __version__
from derek.core import accounts, jobs
from derek.core.errors import Forbidden, NotAuthenticated
from derek.web.deps import ActorDep, ProfileDep, SessionDep
from derek.web.problems import PROBLEM_RESPONSES

router = APIRouter(prefix="/api/v1", responses=PROBLEM_RESPONSES)


class Status(BaseModel):
    version: str
    profile: str


class UserRead(BaseModel):
    id: str
    name: str
    fullname: str
    email: str
    sysadmin: bool
    state: str = Field(description="active, or inactive for a deactivated user (who cannot log in)")
    memberships: dict[str, str]
    created_at: datetime


class UserCreate(BaseModel):
    name: Annotated[str, Field(min_length=2, max_length=100)]
    email: Annotated[str, Field(max_length=255)]
    password: Annotated[str, Field(min_length=8, max_length=500)]
    fullname: Annotated[str, Field(max_length=200)] = ""
    sysadmin: bool = False


class UserUpdate(BaseModel):
    """Only the fields given are changed."""

    model_config = ConfigDict(extra="forbid")

    fullname: Annotated[str, Field(max_length=200)] | None = None
    email: Annotated[str, Field(max_length=255)] | None = None
    password: Annotated[str, Field(min_length=8, max_length=500)] | None = None
    current_password: Annotated[str, Field(max_length=500)] | None = Field(
        default=None, description="needed with a new password, unless a sysadmin sets another user's"
    )


class TokenCreate(BaseModel):
    label: Annotated[str, Field(max_length=200)] = ""


class TokenRead(BaseModel):
    id: str
    label: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class NewToken(TokenRead):
    token: str = Field(description="the token itself; shown only once")


def _user_read(session: SessionDep, user: accounts.User) -> UserRead:
    return UserRead(
        id=user.id,
        name=user.name,
        fullname=user.fullname,
        email=user.email,
        sysadmin=user.sysadmin,
        state=user.state,
        memberships=accounts.memberships_of(session, user.id),
        created_at=user.created_at,
    )


def _me(session: SessionDep, actor: ActorDep) -> accounts.User:
    if actor.user_id is None:
        raise NotAuthenticated("Log in or send an API token to see your account.")
    return accounts.get_user(session, actor.user_id)


def _token_read(token: accounts.ApiToken) -> TokenRead:
    return TokenRead(
        id=token.id,
        label=token.label,
        created_at=token.created_at,
        last_used_at=token.last_used_at,
        revoked_at=token.revoked_at,
    )


@router.get("/status", response_model=Status, tags=["status"])
def status(profile: ProfileDep) -> Status:
    return Status(version=__version__, profile=profile.code)


@router.get("/users/me", response_model=UserRead, tags=["users"])
def read_me(session: SessionDep, actor: ActorDep) -> UserRead:
    return _user_read(session, _me(session, actor))


@router.get("/users", response_model=list[UserRead], tags=["users"])
def list_users(session: SessionDep, actor: ActorDep) -> list[UserRead]:
    return [_user_read(session, u) for u in accounts.list_users(session, actor)]


@router.post("/users", response_model=UserRead, status_code=201, tags=["users"])
def create_user(data: UserCreate, session: SessionDep, actor: ActorDep) -> UserRead:
    user = accounts.create_user(
        session, actor, data.name, data.email, data.password, fullname=data.fullname, sysadmin=data.sysadmin
    )
    return _user_read(session, user)


@router.patch("/users/{name}", response_model=UserRead, tags=["users"])
def update_user(name: str, data: UserUpdate, session: SessionDep, actor: ActorDep) -> UserRead:
    if not actor.authenticated:
        raise NotAuthenticated("Log in or send an API token to change a user.")
    user = accounts.update_user(
        session, actor, accounts.get_user(session, name), **data.model_dump(exclude_unset=True)
    )
    return _user_read(session, user)


_STATE_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {**PROBLEM_RESPONSES[401], "description": "Not logged in and no API token sent."},
    403: {**PROBLEM_RESPONSES[403], "description": "Only sysadmins deactivate or reactivate users."},
    404: {**PROBLEM_RESPONSES[404], "description": "There is no such user."},
    409: {**PROBLEM_RESPONSES[409], "description": "A sysadmin cannot deactivate their own account."},
}


@router.post("/users/{name}/deactivate", response_model=UserRead, tags=["users"], responses=_STATE_ERRORS)
def deactivate_user(name: str, session: SessionDep, actor: ActorDep) -> UserRead:
    """Deactivate a user (sysadmins): they cannot log in, their sessions end and their API tokens stop
    working. Nothing is deleted; deactivating an inactive user changes nothing."""
    return _user_read(session, accounts.set_user_active(session, actor, name, False))


@router.post("/users/{name}/reactivate", response_model=UserRead, tags=["users"], responses=_STATE_ERRORS)
def reactivate_user(name: str, session: SessionDep, actor: ActorDep) -> UserRead:
    """Reactivate a deactivated user (sysadmins): they may log in again and their unrevoked tokens work."""
    return _user_read(session, accounts.set_user_active(session, actor, name, True))


@router.get("/tokens", response_model=list[TokenRead], tags=["tokens"])
def list_tokens(session: SessionDep, actor: ActorDep) -> list[TokenRead]:
    return [_token_read(t) for t in accounts.list_tokens(session, actor, _me(session, actor))]


@router.post("/tokens", response_model=NewToken, status_code=201, tags=["tokens"])
def create_token(data: TokenCreate, request: Request, session: SessionDep, actor: ActorDep) -> NewToken:
    if getattr(request.state, "auth_method", None) == "token":
        raise Forbidden(
            "A token cannot create more tokens, so revoking a leaked one is enough: create tokens on your "
            "account page (/user/me) or with `derek token create`."
        )
    token, plain = accounts.create_token(session, actor, _me(session, actor), data.label)
    return NewToken(**_token_read(token).model_dump(), token=plain)


@router.delete("/tokens/{token_id}", status_code=204, tags=["tokens"])
def revoke_token(token_id: str, session: SessionDep, actor: ActorDep) -> Response:
    accounts.revoke_token(session, actor, token_id)
    return Response(status_code=204)


class JobRead(BaseModel):
    id: str
    kind: str = Field(description="what the job does, e.g. datastore.load")
    subject_type: str
    subject_id: str
    status: str = Field(description="queued, running, succeeded or failed")
    done: int = Field(description="work done so far, in `unit`")
    total: int = Field(description="all the work in `unit`; 0 while unknown")
    unit: str
    percent: float | None = Field(description="done / total in percent, when the total is known")
    message: str = Field(description="what the job is doing now")
    error: str = Field(description="why it failed, in words a publisher can act on")
    result: dict[str, Any]
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


def job_read(job: jobs.Job) -> JobRead:
    return JobRead(
        id=job.id,
        kind=job.kind,
        subject_type=job.subject_type,
        subject_id=job.subject_id,
        status=job.status,
        done=job.done,
        total=job.total,
        unit=job.unit,
        percent=round(100 * job.done / job.total, 1) if job.total else None,
        message=job.message,
        error=job.error,
        result=dict(job.result or {}),
        created_at=job.created_at,
        started_at=job.started_at,
        finished_at=job.finished_at,
    )


@router.get("/jobs/{job_id}", response_model=JobRead, tags=["jobs"])
def read_job(job_id: str, session: SessionDep, actor: ActorDep) -> JobRead:
    """The state and progress of a background job (e.g. a DataStore load) you started."""
    return job_read(jobs.get_job(session, actor, job_id))
