"""Rendering pages: one Jinja environment with every domain's templates, and the shared page context."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, select_autoescape

from derek.core.i18n import pick, translator
from derek.web.deps import LANG_COOKIE, get_lang, get_profile
from derek.web.security import csrf_token

PACKAGE_DIR = Path(__file__).resolve().parent.parent
TEMPLATE_DIRS = [
    PACKAGE_DIR / d / "templates"
    for d in (
        "web",
        "catalog",
        "datastore",
        "interop",
        "harvest",
        "quality",
        "info_requests",
        "selection",
        "reuse",
    )
]
HTMX_PATH = "/static/vendor/htmx-2.0.11.min.js"  # htmx (0BSD), served from the package like every asset
LANGUAGE_NAMES = {"kk": "Қазақша", "ru": "Русский", "en": "English", "et": "Eesti", "fr": "Français"}

env = Environment(
    loader=ChoiceLoader([FileSystemLoader(str(d)) for d in TEMPLATE_DIRS]),
    autoescape=select_autoescape(["html", "xml"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


def human_size(n: int | None) -> str:
    if n is None:
        return ""
    size = float(n)
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if size < 1024 or unit == "TB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return str(n)


env.filters["filesize"] = human_size


def url_with(request: Request, **changes: Any) -> str:
    """The current URL with some query parameters replaced (None removes them)."""
    params = [(k, v) for k, v in request.query_params.multi_items() if k not in changes]
    for key, value in changes.items():
        if value is None:
            continue
        if isinstance(value, list | tuple):
            params += [(key, str(v)) for v in value]
        else:
            params.append((key, str(value)))
    query = urlencode(params)
    return request.url.path + ("?" + query if query else "")


def page_context(request: Request) -> dict[str, Any]:
    lang = get_lang(request)
    profile = get_profile(request)
    fallback = (lang, profile.default_language, *profile.languages)
    actor = getattr(request.state, "actor", None)
    return {
        "request": request,
        "lang": lang,
        "_": translator(lang),
        "t": lambda text: pick(text, lang, fallback),
        "profile": profile,
        "languages": [(code, LANGUAGE_NAMES.get(code, code)) for code in profile.languages],
        "actor": actor,
        "csrf_token": csrf_token(request) if "session" in request.scope else "",
        "url_with": lambda **kw: url_with(request, **kw),
        "flash": request.session.pop("flash", None) if "session" in request.scope else None,
    }


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    ctx = page_context(request)
    ctx.update(context)
    response = HTMLResponse(env.get_template(template).render(ctx), status_code=status_code)
    if request.query_params.get("lang") in get_profile(request).languages:
        response.set_cookie(LANG_COOKIE, request.query_params["lang"], max_age=365 * 86400, samesite="lax")
    return response


def error_page(request: Request, status: int, title: str, detail: str) -> HTMLResponse:
    return render(request, "error.html", status_code=status, status=status, title=title, detail=detail)


def flash(request: Request, message: str) -> None:
    request.session["flash"] = message
