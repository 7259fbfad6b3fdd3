"""The administration pages: users, organizations and their members. Every change goes through a service."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from derek.catalog import service as catalog
from derek.catalog.labels import ORG_TYPE_LABELS
from derek.catalog.schemas import OrganizationCreate, OrganizationRead, OrganizationUpdate
from derek.config import Profile
from derek.core import accounts
from derek.core.authz import ORG_ROLES, Actor, authorize, can
from derek.core.errors import Conflict, Invalid, NotFound
from derek.web.account_views import ROLE_LABELS, FormDep, login_redirect
from derek.web.deps import ActorDep, ProfileDep, SessionDep
from derek.web.forms import SLUG_MESSAGE, FieldErrors, checked, from_domain, from_validation, merge, text
from derek.web.pages import flash, render
from derek.web.security import check_csrf

router = APIRouter(include_in_schema=False)

ROLE_HINTS = {
    "admin": "publishes datasets and manages the organization and its members",
    "editor": "creates, edits and publishes the organization's datasets",
    "member": "sees the organization's drafts and private datasets",
}
SELF_DEACTIVATION = "You cannot deactivate your own account: ask another sysadmin to do it."
ORG_FIELD_MESSAGES = {"name": SLUG_MESSAGE, "title": "Give the title in at least one language."}


# ---------------------------------------------------------------- users


@dataclass
class UserForm:
    name: str = ""
    fullname: str = ""
    email: str = ""
    sysadmin: bool = False

    @classmethod
    def read(cls, form: FormData) -> UserForm:
        return cls(text(form, "name"), text(form, "fullname"), text(form, "email"), checked(form, "sysadmin"))

    def problems(self, password: str) -> FieldErrors:
        errors: FieldErrors = {}
        if not accounts.NAME_RE.match(self.name.lower()):
            errors["name"] = ["Use 2 to 100 lowercase latin letters, digits, hyphens or underscores."]
        if not accounts.EMAIL_RE.match(self.email):
            errors["email"] = ["Enter an e-mail address like name@example.kz."]
        if len(password) < 8:
            errors["password"] = ["The password must have at least 8 characters."]
        if len(self.fullname) > 200:
            errors["fullname"] = ["This text is too long."]
        return errors


def _users_page(
    request: Request, session: Session, actor: Actor, form: UserForm, errors: FieldErrors
) -> HTMLResponse:
    return render(
        request,
        "admin/users.html",
        status_code=422 if errors else 200,
        users=accounts.list_users(session, actor),
        form=form,
        errors=errors,
    )


@router.get("/admin", response_class=HTMLResponse)
def users(request: Request, session: SessionDep, actor: ActorDep) -> Response:
    if not actor.authenticated:
        return login_redirect(request)
    return _users_page(request, session, actor, UserForm(), {})


@router.post("/admin/users", response_class=HTMLResponse)
def create_user(request: Request, session: SessionDep, actor: ActorDep, submitted: FormDep) -> Response:
    check_csrf(request, text(submitted, "csrf_token"))
    form = UserForm.read(submitted)
    given = submitted.get("password")
    password = given if isinstance(given, str) else ""
    errors = form.problems(password)
    if not errors:
        try:
            accounts.create_user(
                session,
                actor,
                form.name,
                form.email,
                password,
                fullname=form.fullname,
                sysadmin=form.sysadmin,
            )
        except (Invalid, Conflict) as exc:
            session.rollback()
            errors = from_domain(exc)
    if errors:
        return _users_page(request, session, actor, form, errors)
    flash(request, "The user is created. Give them a role in an organization so they can publish.")
    return RedirectResponse("/admin#users", status_code=303)


# ---------------------------------------------------------------- one user


def _managed_user(session: Session, actor: Actor, name: str) -> accounts.User:
    """The user a sysadmin manages. Permission is checked first, so others cannot probe which names exist."""
    authorize(actor, "user.list")
    return accounts.get_user(session, name)


def _user_page(
    request: Request, session: Session, actor: Actor, user: accounts.User, errors: FieldErrors | None = None
) -> HTMLResponse:
    roles = accounts.memberships_of(session, user.id)
    memberships = [
        (org, roles[org.id]) for org in catalog.list_organizations(session, actor) if org.id in roles
    ]
    return render(
        request,
        "admin/user.html",
        status_code=409 if errors else 200,
        user=user,
        is_self=actor.user_id == user.id,
        memberships=memberships,
        role_labels=ROLE_LABELS,
        tokens=accounts.list_tokens(session, actor, user),
        may_deactivate=can(actor, "user.deactivate", user),
        errors=errors or {},
    )


@router.get("/admin/users/{name}", response_class=HTMLResponse)
def user_detail(request: Request, name: str, session: SessionDep, actor: ActorDep) -> Response:
    if not actor.authenticated:
        return login_redirect(request)
    return _user_page(request, session, actor, _managed_user(session, actor, name))


@router.post("/admin/users/{name}/tokens/{token_id}/revoke")
def revoke_user_token(
    request: Request, name: str, token_id: str, session: SessionDep, actor: ActorDep, submitted: FormDep
) -> Response:
    check_csrf(request, text(submitted, "csrf_token"))
    user = _managed_user(session, actor, name)
    if token_id not in {t.id for t in accounts.list_tokens(session, actor, user)}:
        raise NotFound(f"User {user.name!r} has no API token {token_id!r}.")
    accounts.revoke_token(session, actor, token_id)
    flash(request, "The token was revoked: programs using it can no longer sign in with it.")
    return RedirectResponse(f"/admin/users/{user.name}#tokens", status_code=303)


def _live_tokens(session: Session, actor: Actor, user: accounts.User) -> int:
    return sum(1 for t in accounts.list_tokens(session, actor, user) if t.revoked_at is None)


@router.get("/admin/users/{name}/deactivate", response_class=HTMLResponse)
def confirm_deactivate(request: Request, name: str, session: SessionDep, actor: ActorDep) -> Response:
    if not actor.authenticated:
        return login_redirect(request)
    user = _managed_user(session, actor, name)
    authorize(actor, "user.deactivate", user)
    if actor.user_id == user.id:
        return _user_page(request, session, actor, user, {"form": [SELF_DEACTIVATION]})
    if user.state != accounts.ACTIVE:
        return RedirectResponse(f"/admin/users/{user.name}", status_code=303)
    return render(
        request, "admin/confirm_deactivate.html", user=user, tokens=_live_tokens(session, actor, user)
    )


@router.post("/admin/users/{name}/deactivate", response_class=HTMLResponse)
def deactivate_user(
    request: Request, name: str, session: SessionDep, actor: ActorDep, submitted: FormDep
) -> Response:
    check_csrf(request, text(submitted, "csrf_token"))
    user = _managed_user(session, actor, name)
    try:
        accounts.set_user_active(session, actor, user, False)
    except Conflict:
        session.rollback()
        return _user_page(request, session, actor, user, {"form": [SELF_DEACTIVATION]})
    flash(request, "The user is deactivated: they cannot log in and their API tokens no longer work.")
    return RedirectResponse(f"/admin/users/{user.name}", status_code=303)


@router.post("/admin/users/{name}/reactivate")
def reactivate_user(
    request: Request, name: str, session: SessionDep, actor: ActorDep, submitted: FormDep
) -> Response:
    check_csrf(request, text(submitted, "csrf_token"))
    user = _managed_user(session, actor, name)
    accounts.set_user_active(session, actor, user, True)
    flash(request, "The user is reactivated: they can log in again.")
    return RedirectResponse(f"/admin/users/{user.name}", status_code=303)


# ---------------------------------------------------------------- organizations


@dataclass
class OrganizationForm:
    name: str = ""
    title: dict[str, str] = field(default_factory=dict)
    description: dict[str, str] = field(default_factory=dict)
    org_type: str = "agency"
    parent: str = ""
    contact_email: str = ""
    contact_phone: str = ""
    website: str = ""

    @classmethod
    def read(cls, form: FormData, profile: Profile) -> OrganizationForm:
        return cls(
            name=text(form, "name"),
            title={lang: text(form, f"title_{lang}") for lang in profile.languages},
            description={lang: text(form, f"description_{lang}") for lang in profile.languages},
            org_type=text(form, "org_type"),
            parent=text(form, "parent"),
            contact_email=text(form, "contact_email"),
            contact_phone=text(form, "contact_phone"),
            website=text(form, "website"),
        )

    @classmethod
    def of(cls, org: OrganizationRead) -> OrganizationForm:
        return cls(
            name=org.name,
            title=dict(org.title),
            description=dict(org.description),
            org_type=org.org_type,
            parent=org.parent or "",
            contact_email=org.contact_email,
            contact_phone=org.contact_phone,
            website=org.website,
        )

    def problems(self) -> FieldErrors:
        errors: FieldErrors = {}
        if not any(self.title.values()):
            errors["title"] = ["Give the title in at least one language."]
        if self.contact_email and not accounts.EMAIL_RE.match(self.contact_email):
            errors["contact_email"] = ["Enter an e-mail address like name@example.kz."]
        if self.website and not self.website.lower().startswith(("http://", "https://")):
            errors["website"] = ["Enter the full address, starting with https://."]
        return errors

    def values(self) -> dict[str, Any]:
        return {
            "title": {lang: v for lang, v in self.title.items() if v},
            "description": {lang: v for lang, v in self.description.items() if v},
            "org_type": self.org_type,
            "parent": self.parent or None,
            "contact_email": self.contact_email,
            "contact_phone": self.contact_phone,
            "website": self.website,
        }


def _org_form_page(
    request: Request,
    session: Session,
    actor: Actor,
    form: OrganizationForm,
    errors: FieldErrors,
    org: OrganizationRead | None = None,
    member_errors: FieldErrors | None = None,
    member_form: dict[str, str] | None = None,
) -> HTMLResponse:
    others = [o for o in catalog.list_organizations(session, actor) if org is None or o.id != org.id]
    return render(
        request,
        "admin/organization_form.html",
        status_code=422 if errors or member_errors else 200,
        org=org,
        form=form,
        errors=errors,
        parents=others,
        org_types=list(ORG_TYPE_LABELS.items()),
        members=accounts.list_members(session, actor, org.id) if org else [],
        member_errors=member_errors or {},
        member_form=member_form or {"user": "", "role": "editor"},
        roles=[(role, ROLE_LABELS[role]) for role in ORG_ROLES],
        role_hints=ROLE_HINTS,
        known_users=accounts.list_users(session, actor) if can(actor, "user.list") else [],
    )


@router.get("/admin/organizations", response_class=HTMLResponse)
def organizations(request: Request, session: SessionDep, actor: ActorDep) -> Response:
    if not actor.authenticated:
        return login_redirect(request)
    authorize(actor, "organization.create")
    orgs = catalog.list_organizations(session, actor)
    titles = {o.name: o.title for o in orgs}
    return render(request, "admin/organizations.html", orgs=orgs, titles=titles, org_types=ORG_TYPE_LABELS)


@router.get("/admin/organizations/new", response_class=HTMLResponse)
def new_organization(request: Request, session: SessionDep, actor: ActorDep) -> Response:
    if not actor.authenticated:
        return login_redirect(request)
    authorize(actor, "organization.create")
    return _org_form_page(request, session, actor, OrganizationForm(), {})


@router.post("/admin/organizations/new", response_class=HTMLResponse)
def create_organization(
    request: Request, session: SessionDep, actor: ActorDep, profile: ProfileDep, submitted: FormDep
) -> Response:
    check_csrf(request, text(submitted, "csrf_token"))
    form = OrganizationForm.read(submitted, profile)
    errors = form.problems()
    created: OrganizationRead | None = None
    try:
        data = OrganizationCreate(name=form.name, **form.values())
    except ValidationError as exc:
        errors = merge(errors, from_validation(exc, ORG_FIELD_MESSAGES))
    if not errors:
        try:
            created = catalog.create_organization(session, actor, data)
        except (Invalid, Conflict, NotFound) as exc:
            session.rollback()
            errors = from_domain(exc)
    if created is None:
        return _org_form_page(request, session, actor, form, errors)
    flash(request, "The organization is created. Now add its members.")
    return RedirectResponse(f"/admin/organizations/{created.name}#members", status_code=303)


def _managed_org(session: Session, actor: Actor, name: str) -> OrganizationRead:
    org = catalog.get_organization(session, actor, name)
    authorize(actor, "organization.update", org.id)
    return org


@router.get("/admin/organizations/{name}", response_class=HTMLResponse)
def edit_organization(request: Request, name: str, session: SessionDep, actor: ActorDep) -> Response:
    if not actor.authenticated:
        return login_redirect(request)
    org = _managed_org(session, actor, name)
    return _org_form_page(request, session, actor, OrganizationForm.of(org), {}, org)


@router.post("/admin/organizations/{name}", response_class=HTMLResponse)
def update_organization(
    request: Request, name: str, session: SessionDep, actor: ActorDep, profile: ProfileDep, submitted: FormDep
) -> Response:
    check_csrf(request, text(submitted, "csrf_token"))
    org = _managed_org(session, actor, name)
    form = OrganizationForm.read(submitted, profile)
    form.name = org.name
    errors = form.problems()
    updated: OrganizationRead | None = None
    try:
        data = OrganizationUpdate(**form.values())
    except ValidationError as exc:
        errors = merge(errors, from_validation(exc, ORG_FIELD_MESSAGES))
    if not errors:
        try:
            updated = catalog.update_organization(session, actor, org.name, data)
        except (Invalid, Conflict, NotFound) as exc:
            session.rollback()
            errors = from_domain(exc)
    if updated is None:
        return _org_form_page(request, session, actor, form, errors, org)
    flash(request, "The changes are saved.")
    return RedirectResponse(f"/admin/organizations/{org.name}", status_code=303)


# ---------------------------------------------------------------- members


@router.post("/admin/organizations/{name}/members", response_class=HTMLResponse)
def add_member(
    request: Request, name: str, session: SessionDep, actor: ActorDep, submitted: FormDep
) -> Response:
    check_csrf(request, text(submitted, "csrf_token"))
    org = _managed_org(session, actor, name)
    username, role = text(submitted, "user").lower(), text(submitted, "role")
    errors: FieldErrors = {}
    try:
        user = accounts.get_user(session, username)
        accounts.set_membership(session, actor, user, org.id, role)
    except NotFound:
        errors = {"user": ["There is no user with this name."]}
    except Invalid as exc:
        errors = from_domain(exc)
    if errors:
        session.rollback()
        form = OrganizationForm.of(org)
        member_form = {"user": username, "role": role}
        return _org_form_page(request, session, actor, form, {}, org, errors, member_form)
    flash(request, "The member is added.")
    return RedirectResponse(f"/admin/organizations/{org.name}#members", status_code=303)


@router.post("/admin/organizations/{name}/members/{username}")
def change_member(
    request: Request, name: str, username: str, session: SessionDep, actor: ActorDep, submitted: FormDep
) -> Response:
    """Change a member's role, or remove them (the button named 'remove')."""
    check_csrf(request, text(submitted, "csrf_token"))
    org = _managed_org(session, actor, name)
    user = accounts.get_user(session, username)
    removing = text(submitted, "action") == "remove"
    accounts.set_membership(session, actor, user, org.id, None if removing else text(submitted, "role"))
    flash(request, "The member is removed." if removing else "The role is changed.")
    return RedirectResponse(f"/admin/organizations/{org.name}#members", status_code=303)
