"""Site-wide pages: home, login and logout, robots.txt and sitemap.xml."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response

from derek.catalog import service as catalog
from derek.catalog.browse import theme_tiles
from derek.core import accounts
from derek.core.errors import Conflict, Invalid
from derek.web import formatting as formatting  # registers the date and number filters
from derek.web.account_views import FormDep
from derek.web.deps import ActorDep, ProfileDep, SessionDep, SettingsDep
from derek.web.forms import FieldErrors, from_domain, text
from derek.web.pages import error_page, flash, render
from derek.web.security import check_csrf

router = APIRouter(include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
def home(request: Request, session: SessionDep, actor: ActorDep, profile: ProfileDep) -> HTMLResponse:
    return render(
        request,
        "home.html",
        counts=catalog.catalog_counts(session, actor),
        theme_tiles=theme_tiles(session, actor, profile),
        newest=catalog.newest_datasets(session, actor, 5),
        popular=catalog.newest_datasets(session, actor, 5, by="views"),
    )


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, actor: ActorDep, settings: SettingsDep, next: str = "/") -> HTMLResponse:
    return render(request, "login.html", next=_safe_next(next), error=None, signup=settings.signup)


def _safe_next(target: str) -> str:
    return target if target.startswith("/") and not target.startswith("//") else "/"


@router.post("/login", response_class=HTMLResponse)
def login(
    request: Request,
    session: SessionDep,
    actor: ActorDep,
    settings: SettingsDep,
    username: Annotated[str, Form(max_length=100)],
    password: Annotated[str, Form(max_length=500)],
    csrf_token: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/",
) -> Response:
    check_csrf(request, csrf_token)
    client = request.client.host if request.client else "unknown"
    request.app.state.login_limiter.hit(f"ip:{client}", f"user:{username.strip().lower()}")
    user = accounts.authenticate(session, username, password)
    if user is None:
        return render(
            request,
            "login.html",
            status_code=400,
            next=_safe_next(next),
            error="login.failed",
            username=username,
            signup=settings.signup,
        )
    request.session.clear()
    request.session["user_id"] = user.id
    request.session["session_version"] = user.session_version
    flash(request, "login.welcome")
    return RedirectResponse(_safe_next(next), status_code=303)


@router.get("/register", response_class=HTMLResponse)
def register_form(request: Request, actor: ActorDep, settings: SettingsDep, next: str = "/") -> Response:
    if not settings.signup:
        return error_page(request, 404, "Not found", "This portal does not take new accounts here.")
    if actor.authenticated:
        return RedirectResponse(_safe_next(next), status_code=303)
    return render(request, "register.html", next=_safe_next(next), errors={}, values={})


@router.post("/register", response_class=HTMLResponse)
def register(
    request: Request,
    session: SessionDep,
    actor: ActorDep,
    settings: SettingsDep,
    form: FormDep,
) -> Response:
    """A visitor creates an account and is signed in with it."""
    check_csrf(request, text(form, "csrf_token"))
    if not settings.signup:
        return error_page(request, 404, "Not found", "This portal does not take new accounts here.")
    client = request.client.host if request.client else "unknown"
    request.app.state.login_limiter.hit(f"signup:{client}")
    values = {key: text(form, key)[:300] for key in ("username", "fullname", "email")}
    password, repeated = str(form.get("password") or ""), str(form.get("password_again") or "")
    next_page = _safe_next(text(form, "next") or "/")
    errors: FieldErrors = {}
    if password != repeated:
        errors["password_again"] = ["The two passwords differ."]
    user = None
    if not errors:
        try:
            user = accounts.sign_up(
                session, values["username"], values["email"], password, fullname=values["fullname"]
            )
        except (Invalid, Conflict) as exc:
            session.rollback()
            errors = from_domain(exc)
            if "name" in errors:
                errors["username"] = errors.pop("name")
    if user is None:
        return render(request, "register.html", status_code=400, next=next_page, errors=errors, values=values)
    request.session.clear()
    request.session["user_id"] = user.id
    request.session["session_version"] = user.session_version
    flash(request, "Your account is ready: you are logged in.")
    return RedirectResponse(next_page, status_code=303)


@router.post("/logout")
def logout(
    request: Request, session: SessionDep, actor: ActorDep, csrf_token: Annotated[str, Form()] = ""
) -> Response:
    check_csrf(request, csrf_token)
    if actor.user_id:  # a copied cookie must not outlive the log-out
        accounts.end_sessions(session, accounts.get_user(session, actor.user_id))
    request.session.clear()
    return RedirectResponse("/", status_code=303)


@router.get("/robots.txt", response_class=PlainTextResponse)
def robots(settings: SettingsDep) -> str:
    return (
        "User-agent: *\nDisallow: /api/\nDisallow: /login\nDisallow: /publish/\nDisallow: /admin/\n"
        f"Sitemap: {settings.site_url.rstrip('/')}/sitemap.xml\n"
    )


@router.get("/sitemap.xml")
def sitemap(session: SessionDep, settings: SettingsDep, profile: ProfileDep) -> Response:
    from xml.sax.saxutils import escape

    from derek.core.authz import ANONYMOUS

    base = settings.site_url.rstrip("/")
    urls = [f"{base}/", f"{base}/dataset", f"{base}/organization", f"{base}/theme"]
    urls += [f"{base}/theme/{theme.code}" for theme in profile.themes]
    urls += [f"{base}/organization/{o.name}" for o in catalog.list_organizations(session, ANONYMOUS)]
    datasets = [
        (f"{base}/dataset/{name}", modified.date().isoformat())
        for name, modified in catalog.dataset_names_and_modified(session, ANONYMOUS)
    ]
    body = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">',
    ]
    body += [f"<url><loc>{escape(u)}</loc></url>" for u in urls]
    body += [f"<url><loc>{escape(u)}</loc><lastmod>{day}</lastmod></url>" for u, day in datasets]
    body.append("</urlset>")
    return Response("\n".join(body), media_type="application/xml")
