"""RFC 9457 problem details for the native API, and the error pages of the web UI."""

from __future__ import annotations

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


PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    code: {"model": Problem, "content": {"application/problem+json": {}}}
    for code in (400, 401, 403, 404, 409, 413, 422, 429)
}


def problem(status: int, title: str, detail: str, errors: dict[str, list[str]] | None = None) -> JSONResponse:
    body = Problem(title=title, status=status, detail=detail, errors=errors or {}).model_dump()
    headers = {"WWW-Authenticate": 'Bearer realm="derek"'} if status == 401 else None
    return JSONResponse(body, status_code=status, media_type="application/problem+json", headers=headers)


def _loc_name(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    return ".".join(parts) or "request"


def validation_errors(exc: RequestValidationError) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for err in exc.errors():
        errors.setdefault(_loc_name(tuple(err.get("loc", ()))), []).append(str(err.get("msg", "invalid")))
    return errors


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
    errors = validation_errors(exc)
    detail = "; ".join(f"{field}: {msgs[0]}" for field, msgs in errors.items())
    if is_api(request):
        return problem(422, "Invalid input", detail, errors)
    from derek.web.pages import error_page

    return error_page(request, 400, "Invalid input", detail)


async def http_error_handler(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if is_api(request) or exc.status_code == 405:
        return problem(exc.status_code, str(exc.detail), str(exc.detail))
    from derek.web.pages import error_page

    return error_page(request, exc.status_code, str(exc.detail), "")
