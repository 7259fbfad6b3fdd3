"""The signed-in user's own page: their organizations and roles, and their API tokens."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from derek.catalog import service as catalog
from derek.core import accounts
from derek.core.authz import Actor
from derek.core.errors import Invalid
from derek.web.deps import ActorDep, SessionDep
from derek.web.forms import FieldErrors, from_domain, text
from derek.web.pages import flash, render
from derek.web.security import check_csrf

router = APIRouter(include_in_schema=False)

ROLE_LABELS = {"admin": "Administrator", "editor": "Editor", "member": "Member"}  # msgids


async def read_form(request: Request) -> FormData:
    """The submitted form, read once by an async dependency so that the routes themselves stay sync."""
    return await request.form()


FormDep = Annotated[FormData, Depends(read_form)]


def login_redirect(request: Request) -> RedirectResponse:
    """Send a visitor who is not signed in to the login page, and back here afterwards."""
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/login?next={quote(target, safe='/')}", status_code=303)


def _account_page(
    request: Request,
    session: SessionDep,
    actor: Actor,
    new_token: str | None = None,
    details: dict[str, str] | None = None,
    errors: FieldErrors | None = None,
) -> HTMLResponse:
    assert actor.user_id is not None
    user = accounts.get_user(session, actor.user_id)
    roles = accounts.memberships_of(session, user.id)
    memberships = [
        (org, roles[org.id]) for org in catalog.list_organizations(session, actor) if org.id in roles
    ]
    return render(
        request,
        "account/me.html",
        status_code=422 if errors else 200,
        user=user,
        details=details or {"fullname": user.fullname, "email": user.email},
        errors=errors or {},
        memberships=memberships,
        tokens=accounts.list_tokens(session, actor, user),
        new_token=new_token,
        role_labels=ROLE_LABELS,
        site=str(request.base_url).rstrip("/"),
    )


@router.get("/user/me", response_class=HTMLResponse)
def my_account(request: Request, session: SessionDep, actor: ActorDep) -> Response:
    if not actor.authenticated:
        return login_redirect(request)
    return _account_page(request, session, actor)


@router.post("/user/me/tokens", response_class=HTMLResponse)
def create_token(request: Request, session: SessionDep, actor: ActorDep, form: FormDep) -> Response:
    check_csrf(request, text(form, "csrf_token"))
    if not actor.authenticated:
        return login_redirect(request)
    user = accounts.get_user(session, actor.user_id or "")
    _token, plain = accounts.create_token(session, actor, user, text(form, "label")[:200])
    # shown in this response only: never put a token in the (signed, not encrypted) session cookie
    return _account_page(request, session, actor, new_token=plain)


@router.post("/user/me/tokens/{token_id}/revoke")
def revoke_token(
    request: Request, token_id: str, session: SessionDep, actor: ActorDep, form: FormDep
) -> Response:
    check_csrf(request, text(form, "csrf_token"))
    accounts.revoke_token(session, actor, token_id)
    flash(request, "The token was revoked: programs using it can no longer sign in with it.")
    return RedirectResponse("/user/me#tokens", status_code=303)


@router.post("/user/me", response_class=HTMLResponse)
def update_details(request: Request, session: SessionDep, actor: ActorDep, form: FormDep) -> Response:
    check_csrf(request, text(form, "csrf_token"))
    if not actor.authenticated:
        return login_redirect(request)
    user = accounts.get_user(session, actor.user_id or "")
    details = {"fullname": text(form, "fullname"), "email": text(form, "email")}
    errors: FieldErrors = {}
    if not accounts.EMAIL_RE.match(details["email"]):
        errors["email"] = ["Enter an e-mail address like name@example.kz."]
    if len(details["fullname"]) > 200:
        errors["fullname"] = ["This text is too long."]
    if not errors:
        try:
            accounts.update_user(session, actor, user, fullname=details["fullname"], email=details["email"])
        except Invalid as exc:
            session.rollback()
            errors = from_domain(exc)
    if errors:
        return _account_page(request, session, actor, details=details, errors=errors)
    flash(request, "Your details are saved.")
    return RedirectResponse("/user/me", status_code=303)


@router.post("/user/me/password", response_class=HTMLResponse)
def change_password(request: Request, session: SessionDep, actor: ActorDep, form: FormDep) -> Response:
    check_csrf(request, text(form, "csrf_token"))
    if not actor.authenticated:
        return login_redirect(request)
    user = accounts.get_user(session, actor.user_id or "")
    request.app.state.login_limiter.hit(f"password:{user.name}")  # no guessing the current password here
    current, new = form.get("current_password"), form.get("new_password")
    errors: FieldErrors = {}
    if not isinstance(current, str) or accounts.authenticate(session, user.name, current) is None:
        errors["current_password"] = ["This is not your current password."]
    if not isinstance(new, str) or len(new) < 8:
        errors["new_password"] = ["The password must have at least 8 characters."]
    if errors or not isinstance(new, str):
        return _account_page(request, session, actor, errors=errors)
    accounts.update_user(session, actor, user, password=new, current_password=str(current))
    request.session["session_version"] = user.session_version  # this session stays, the others end
    flash(request, "Your password is changed.")
    return RedirectResponse("/user/me", status_code=303)
