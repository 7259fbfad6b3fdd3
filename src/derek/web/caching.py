"""Conditional GET for JSON reads: ETag and Last-Modified, answering 304 when the client is current."""

from __future__ import annotations

import hashlib
from datetime import datetime
from email.utils import format_datetime, parsedate_to_datetime
from typing import Any

from fastapi import Request, Response
from pydantic import BaseModel

# OpenAPI entry for the routes answered by cached_json (the 304 has no body).
NOT_MODIFIED: dict[int | str, dict[str, Any]] = {
    304: {"description": "Not modified: the copy named by If-None-Match or If-Modified-Since is current."}
}


def cached_json(
    request: Request, model: BaseModel | list[BaseModel], modified: datetime | None = None
) -> Response:
    if isinstance(model, list):
        body = ("[" + ",".join(m.model_dump_json() for m in model) + "]").encode()
    else:
        body = model.model_dump_json().encode()
    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    # The answer depends on who asks (private datasets), so only the asker's own cache may keep it.
    headers = {"ETag": etag, "Cache-Control": "private, no-cache", "Vary": "Authorization, Cookie"}
    if modified is not None:
        headers["Last-Modified"] = format_datetime(modified.replace(microsecond=0), usegmt=True)
    if_none_match = request.headers.get("if-none-match")
    if if_none_match and etag in [t.strip() for t in if_none_match.split(",")]:
        return Response(status_code=304, headers=headers)
    if modified is not None and not if_none_match and request.headers.get("if-modified-since"):
        try:
            since = parsedate_to_datetime(request.headers["if-modified-since"])
            if modified.replace(microsecond=0) <= since:
                return Response(status_code=304, headers=headers)
        except (TypeError, ValueError):
            pass
    return Response(content=body, headers=headers, media_type="application/json")
