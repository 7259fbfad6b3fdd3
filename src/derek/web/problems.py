"""RFC 9457 problem details for the native API, and the error pages of the web UI."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel
from starlette.exceptions import HTTPException

from derek.core.errors import DomainError


class Problem(BaseModel):
    type: str = "about:blank"
    title: str
    status: int
    detail: str
    errors: dict[str, list[str]] = {}


# The schema sits under the media type actually sent (not application/json), so clients and schemathesis
# validate error bodies against it.
PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    code: {"content": {"application/problem+json": {"schema": Problem.model_json_schema()}}}
    for code in (400, 401, 403, 404, 409, 413, 422, 429)
}


def problem(
    status: int,
    title: str,
    detail: str,
    errors: dict[str, list[str]] | None = None,
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    body = Problem(title=title, status=status, detail=detail, errors=errors or {}).model_dump()
    all_headers = dict(headers or {})
    if status == 401:
        all_headers["WWW-Authenticate"] = 'Bearer realm="derek"'
    return JSONResponse(body, status_code=status, media_type="application/problem+json", headers=all_headers)


def _loc_name(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    if not parts and loc[:1] == ("body",):
        return "body"
    return ".".join(parts) or "request"


def _known_fields(request: Request | None) -> list[str]:
    """The fields the route's JSON body accepts, to tell a client what it may send instead."""
    route = request.scope.get("route") if request is not None else None
    body_field = getattr(route, "body_field", None)
    field_info = getattr(body_field, "field_info", None)
    fields = getattr(getattr(field_info, "annotation", None), "model_fields", None)
    return sorted(fields) if isinstance(fields, dict) else []


def _message(err: dict[str, Any], request: Request | None) -> str:
    kind = err.get("type")
    if kind == "extra_forbidden":
        known = _known_fields(request)
        hint = f" Known fields: {', '.join(known)}." if known else ""
        return f"Unknown field: remove it or check its spelling.{hint}"
    if kind == "value_error":
        return str(err.get("msg", "invalid")).removeprefix("Value error, ")
    if kind in ("model_attributes_type", "dict_type", "model_type") and tuple(err.get("loc", ())) == (
        "body",
    ):
        return "The body must be a JSON object sent with Content-Type: application/json."
    if kind == "missing" and tuple(err.get("loc", ()))[:1] == ("body",) and len(err.get("loc", ())) == 1:
        return "The request has no body: send a JSON object with Content-Type: application/json."
    return str(err.get("msg", "invalid"))


def validation_errors(exc: RequestValidationError, request: Request | None = None) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for err in exc.errors():
        errors.setdefault(_loc_name(tuple(err.get("loc", ()))), []).append(_message(err, request))
    return errors


def _malformed_json(exc: RequestValidationError) -> str | None:
    """What is wrong with a body that is not JSON at all, or None when the JSON parsed."""
    for err in exc.errors():
        if err.get("type") == "json_invalid":
            loc = tuple(err.get("loc", ()))
            where = f" at character {loc[1]}" if len(loc) > 1 else ""
            reason = (err.get("ctx") or {}).get("error", "")
            return (
                f"The request body is not valid JSON{where}"
                + (f" ({reason})" if reason else "")
                + ": send a JSON object with Content-Type: application/json."
            )
    return None


def is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


async def domain_error_handler(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, DomainError)
    if is_api(request):
        return problem(exc.status, exc.title, exc.message, exc.errors)
    from derek.web.pages import error_page

    return error_page(request, exc.status, exc.title, exc.message)


async def validation_error_handler(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    malformed = _malformed_json(exc)
    if malformed is not None and is_api(request):
        return problem(400, "Malformed JSON", malformed, {"body": [malformed]})
    errors = validation_errors(exc, request)
    detail = "; ".join(f"{field}: {msgs[0]}" for field, msgs in errors.items())
    if is_api(request):
        return problem(422, "Invalid input", detail, errors)
    from derek.web.pages import error_page

    return error_page(request, 400, "Invalid input", detail)


def _allowed_methods(request: Request) -> str:
    """Every method the API serves at this path (Starlette's 405 names only the first route that matched)."""
    paths = request.app.openapi().get("paths", {}) if is_api(request) else {}
    for template, operations in paths.items():
        pattern = "^" + re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(template)) + "$"
        if re.match(pattern, request.url.path):
            return ", ".join(m.upper() for m in operations if m.upper() in _METHODS)
    return ""


_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


async def http_error_handler(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if is_api(request) or exc.status_code == 405:
        detail, headers = str(exc.detail), dict(exc.headers or {})
        if exc.status_code == 405:
            headers["Allow"] = _allowed_methods(request) or headers.get("Allow", "")
            detail = f"{request.method} is not allowed here: use {headers['Allow']}."
        return problem(exc.status_code, str(exc.detail), detail, headers=headers)
    from derek.web.pages import error_page

    return error_page(request, exc.status_code, str(exc.detail), "")
