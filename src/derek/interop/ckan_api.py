"""CKAN-compatible Action API at /api/3/action/{name}: a translation layer over the catalog services.

Transport as CKAN 2.11 does it (see docs in the guide's api-contract.md): GET (side-effect-free actions,
query string, repeated keys become lists) and POST (JSON, form, a form whose only key is JSON, multipart
with a file `upload`); the envelope {help, success, result | error}; CKAN's error types and status codes;
a bare JSON string with 400 for an unknown action, bad JSON or GET on a write action; JSONP `callback`
(answered as anonymous); `GET /api` and `GET /api/3` version probes; other methods get the framework's 405.

Files: only resource_create, resource_update and resource_patch take one, as the multipart field `upload`
(any other file is a Validation Error, and nothing is stored). The file is stored only once the caller is
known to see the target dataset and may change it, and removed again when the action then fails, unless a
resource (or a version of one) already holds the same content.

Who is calling: an API token in `Authorization` (raw or `Bearer`) or `X-CKAN-API-Key`. An unknown or
revoked token is anonymous, as in CKAN. The browser session cookie counts only for side-effect-free
actions: changes need a token, so a cross-site form can never make one.

CORS: every answer to a request with an Origin carries `Access-Control-Allow-Origin: *` without
credentials; preflights get 204. Errors the services raise (NotFound, Forbidden, Invalid, Conflict) map
to CKAN's types; private and draft datasets of others are "Not found" (404), never "Access denied", so
their existence does not leak.
"""

from __future__ import annotations

import json
import logging
import re
from typing import Any, cast

import fastapi
from fastapi import APIRouter, Request, Response
from pydantic import ValidationError as PydanticValidationError
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from derek.catalog import service
from derek.catalog.service import Upload
from derek.catalog.uploads import discard_if_unreferenced, store_upload
from derek.core import accounts
from derek.core.authz import ANONYMOUS, Actor
from derek.core.errors import DomainError, Forbidden, NotFound, TooLarge
from derek.interop import ckan_datastore, ckan_reads, ckan_writes  # noqa: F401  (register the actions)
from derek.interop.ckan_actions import ACTIONS, Action, Call, SearchQueryError, ValidationError
from derek.interop.ckan_dicts import ckan_errors, pydantic_errors
from derek.web.deps import api_token_from, get_db, get_profile, get_settings, get_store

log = logging.getLogger(__name__)
router = APIRouter(include_in_schema=False)

JSON_TYPE = "application/json;charset=utf-8"
CALLBACK_RE = re.compile(r"^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)*$")
CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
    "Access-Control-Allow-Headers": "authorization, x-ckan-api-key, content-type",
    "Access-Control-Max-Age": "86400",
}
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
FILE_ACTIONS = ("resource_create", "resource_update", "resource_patch")
FILE_FIELD = "upload"


class BadRequest(Exception):
    """A transport error CKAN answers with 400 and a bare JSON string."""


# ---------------------------------------------------------------- routes


@router.api_route("/api", methods=["GET", "OPTIONS"])
def api_version(request: Request) -> Response:
    return _cors(request, _json({"version": 1}))


@router.api_route("/api/3", methods=["GET", "OPTIONS"])
def api_version_3(request: Request) -> Response:
    return _cors(request, _json({"version": 3}))


@router.api_route("/api/3/action/{name}", methods=["GET", "POST", "OPTIONS"])
@router.api_route("/api/action/{name}", methods=["GET", "POST", "OPTIONS"])
async def call_action(name: str, request: Request) -> Response:
    if request.method == "OPTIONS":
        return _cors(request, Response(status_code=204, headers={"Allow": "GET, POST, OPTIONS"}))
    return _cors(request, await _answer(name, request))


# ---------------------------------------------------------------- one call


async def _answer(name: str, request: Request) -> Response:
    found = ACTIONS.get(name)
    if found is None or not found.available(get_settings(request)):
        return _bad_request(f"Action name not known: {name}")
    if request.method == "GET" and not found.side_effect_free:
        return _bad_request("JSON Error: Invalid request. Please use POST method for your request")
    try:
        data, files = await _request_data(request)
    except BadRequest as exc:
        return _bad_request(str(exc))
    callback = data.pop("callback", None) if request.method == "GET" else None
    data.pop("_", None)
    if callback is not None and not (isinstance(callback, str) and CALLBACK_RE.match(callback)):
        return _bad_request("Invalid callback name")
    try:
        uploads = await _accept_files(request, found, data, files)
        data.update(uploads)
        try:
            result = await run_in_threadpool(_execute, request, found, data, callback is not None)
        except Exception:
            await run_in_threadpool(_discard, request, list(uploads.values()))
            raise
    except Exception as exc:  # every error becomes CKAN's envelope, never HTML or problem+json
        status, error = _error(exc)
        return _json({"help": _help(request, name), "success": False, "error": error}, status)
    body = {"help": _help(request, name), "success": True, "result": result}
    if callback:
        text = f"{callback}({json.dumps(body, ensure_ascii=False)});"
        return Response(text, media_type="application/javascript;charset=utf-8")
    return _json(body)


def _execute(request: Request, found: Action, data: dict[str, Any], anonymous: bool) -> Any:
    """Run the action in one transaction: committed when it returns, rolled back when it raises."""
    with get_db(request).session() as session:
        actor = ANONYMOUS if anonymous else _actor(request, session, found.side_effect_free)
        call = Call(
            name=found.name,
            data=data,
            session=session,
            actor=actor,
            profile=get_profile(request),
            base_url=_base_url(request),
            duck=request.app.state.datastore,
            path=request.url.path,
            query_string=request.url.query,
        )
        return found.fn(call)


def _actor(request: Request, session: Session, side_effect_free: bool) -> Actor:
    token = api_token_from(request)
    if token:
        return accounts.actor_for(session, accounts.user_for_token(session, token))
    if side_effect_free and "session" in request.scope and request.session.get("user_id"):
        try:
            return accounts.actor_for(session, accounts.get_user(session, str(request.session["user_id"])))
        except NotFound:
            return ANONYMOUS
    return ANONYMOUS


# ---------------------------------------------------------------- request parsing


def _flat(items: list[tuple[str, Any]]) -> dict[str, Any]:
    """A key given once is a value, a key repeated is a list (as CKAN reads query strings and forms)."""
    data: dict[str, Any] = {}
    for key, value in items:
        if key in data:
            data[key] = [*data[key], value] if isinstance(data[key], list) else [data[key], value]
        else:
            data[key] = value
    return data


def _json_object(text: str | bytes) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except ValueError as exc:
        raise BadRequest(f"JSON Error: Error decoding JSON data. Error: {exc!r}") from None
    if not isinstance(value, dict):
        raise BadRequest(
            f"JSON Error: Request data JSON decoded to {value!r} but it needs to be a dictionary."
        )
    return value


async def _request_data(request: Request) -> tuple[dict[str, Any], dict[str, UploadFile]]:
    if request.method == "GET":
        return _flat(list(request.query_params.multi_items())), {}
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type in FORM_TYPES:
        try:
            form = await request.form()
        except Exception as exc:  # malformed multipart body
            raise BadRequest(f"Could not read the form: {exc}") from None
        items = list(form.multi_items())
        files = {k: v for k, v in items if isinstance(v, UploadFile)}
        fields = [(k, v) for k, v in items if not isinstance(v, UploadFile)]
        if len(fields) == 1 and not files and fields[0][1] in ("", "1"):
            return _json_object(fields[0][0]), {}  # curl -d '{"id": "x"}' sends JSON as a form key
        return _flat(fields), files
    body = await request.body()
    if not body.strip():
        return _flat(list(request.query_params.multi_items())), {}
    return _json_object(body), {}


# ---------------------------------------------------------------- files


async def _accept_files(
    request: Request, found: Action, data: dict[str, Any], files: dict[str, UploadFile]
) -> dict[str, Upload]:
    """Store the files of a call that takes one, once the caller may change the target dataset."""
    files = {key: file for key, file in files.items() if file.filename}  # not empty file inputs of a form
    if not files:
        return {}
    if found.name not in FILE_ACTIONS:
        message = f"Files are not accepted by {found.name}: only {', '.join(FILE_ACTIONS)} take one."
        raise ValidationError({key: [message] for key in files})
    if other := [key for key in files if key != FILE_FIELD]:
        raise ValidationError(
            {key: [f"Files are not accepted here: send it as `{FILE_FIELD}`."] for key in other}
        )
    await run_in_threadpool(_check_may_upload, request, found, data)
    return await _store_files(request, files)


def _check_may_upload(request: Request, found: Action, data: dict[str, Any]) -> None:
    """NotFound unless the caller sees the dataset the file is for, Forbidden unless they may change it."""
    key = "package_id" if found.name == "resource_create" else "id"
    ident = data.get(key)
    if ident in (None, ""):
        raise ValidationError({key: ["Missing value"]})
    with get_db(request).session() as session:
        actor = _actor(request, session, found.side_effect_free)
        if found.name == "resource_create":
            dataset_ident = str(ident)
        else:
            dataset_ident = service.get_resource(session, actor, str(ident))[0].id
        service.check_may_update_dataset(session, actor, dataset_ident)


async def _store_files(request: Request, files: dict[str, UploadFile]) -> dict[str, Upload]:
    stored: dict[str, Upload] = {}
    try:
        for key, file in files.items():
            try:
                stored[key] = await store_upload(get_store(request), cast(fastapi.UploadFile, file))
            except TooLarge:
                raise ValidationError({key: ["File upload too large"]}) from None
    except Exception:
        await run_in_threadpool(_discard, request, list(stored.values()))
        raise
    return stored


def _discard(request: Request, uploads: list[Upload]) -> None:
    """Remove the files stored for a call that failed, unless a resource holds the same content."""
    if not uploads:
        return
    try:
        with get_db(request).session() as session:
            for upload in uploads:
                discard_if_unreferenced(session, get_store(request), upload.stored.sha256)
    except Exception:  # the call's own error is what the client must see
        log.exception("Could not remove a file stored for a failed CKAN action")


# ---------------------------------------------------------------- responses


def _base_url(request: Request) -> str:
    return str(request.base_url).rstrip("/")


def _help(request: Request, name: str) -> str:
    return f"{_base_url(request)}/api/3/action/help_show?name={name}"


def _json(body: Any, status: int = 200) -> Response:
    return Response(json.dumps(body, ensure_ascii=False), status_code=status, media_type=JSON_TYPE)


def _bad_request(message: str) -> Response:
    return _json(f"Bad request - {message}", 400)


def _cors(request: Request, response: Response) -> Response:
    if request.headers.get("origin"):
        response.headers.update(CORS_HEADERS)
        response.headers["Vary"] = "Origin"
    return response


def _error(exc: Exception) -> tuple[int, dict[str, Any]]:
    """CKAN's HTTP status and error dict for an exception raised while answering."""
    if isinstance(exc, NotFound):
        return 404, {"__type": "Not Found Error", "message": f"Not found: {exc.message}"}
    if isinstance(exc, Forbidden):
        return 403, {"__type": "Authorization Error", "message": f"Access denied: {exc.message}"}
    if isinstance(exc, ValidationError):
        return 409, {"__type": "Validation Error", **exc.errors}
    if isinstance(exc, PydanticValidationError):
        return 409, {"__type": "Validation Error", **pydantic_errors(exc)}
    if isinstance(exc, SearchQueryError):
        return 400, {"__type": "Search Query Error", "message": f'Search Query is invalid: "{exc}"'}
    if isinstance(exc, DomainError):
        errors = ckan_errors(exc.errors) if exc.errors else {"message": exc.message}
        return 409, {"__type": "Validation Error", **errors}
    log.exception("CKAN action failed")
    return 500, {"__type": "Internal Server Error", "message": "Internal Server Error"}
