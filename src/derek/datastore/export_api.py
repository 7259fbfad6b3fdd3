"""Downloads of a DataStore table: /api/v1/datastore/{resource_id}/export.{fmt}, and CKAN's dump URL
/datastore/dump/{resource_id}.

Both stream: the response starts at once and the file is produced batch by batch in a worker thread (see
export.py); memory stays bounded whatever the table's size.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated, Any, Literal

import anyio
from fastapi import APIRouter, Query, Request
from fastapi.responses import StreamingResponse

from derek.core.errors import Invalid
from derek.core.storage import FileStore
from derek.datastore import export
from derek.datastore.api import parse_filters
from derek.datastore.engine import DuckStore
from derek.datastore.query import Spec
from derek.web.deps import ActorDep, SessionDep
from derek.web.problems import PROBLEM_RESPONSES

router = APIRouter(tags=["datastore"], responses=PROBLEM_RESPONSES)

ExportFormat = Literal["csv", "tsv", "json", "xlsx", "parquet"]
DUMP_FORMATS = ("csv", "tsv", "json", "xlsx")

_JSON_SCHEMA = {
    "type": "object",
    "properties": {
        "fields": {"type": "array", "items": {"type": "object"}},
        "records": {"type": "array", "items": {"type": "object"}},
    },
}
_BINARY = {"schema": {"type": "string", "format": "binary"}}
EXPORT_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The file, streamed (attachment).",
        "content": {
            "text/csv": {"schema": {"type": "string"}},
            "text/tab-separated-values": {"schema": {"type": "string"}},
            "application/json": {"schema": _JSON_SCHEMA},
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": _BINARY,
            "application/vnd.apache.parquet": _BINARY,
        },
    }
}

Q = Annotated[str, Query(max_length=500, description="words to find in any column")]
Filters = Annotated[
    str,
    Query(
        max_length=5000,
        description='JSON object: {"region": "Almaty"}, {"region": ["A", "B"]}, {"amount": {"gte": 10}}',
    ),
]
Sort = Annotated[str, Query(max_length=500, description='e.g. "amount desc, name"')]
Fields = Annotated[str, Query(max_length=5000, description="comma-separated columns (default: all)")]
Limit = Annotated[int | None, Query(ge=0, le=2**62, description="at most this many rows (default: all)")]
Offset = Annotated[int, Query(ge=0, le=2**62, description="skip this many rows first")]
Bom = Annotated[bool, Query(description="CSV/TSV: start with a UTF-8 byte order mark (for Excel)")]


def _names(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


async def _in_threads(chunks: export.Chunks) -> AsyncIterator[bytes]:
    """Each chunk is made in a worker thread (DuckDB and the writers block); the generator is closed at the
    end, on an error, or when the client goes away (the response task is cancelled), so its cursor and
    temporary files are released at once."""
    try:
        while True:
            chunk = await anyio.to_thread.run_sync(next, chunks, None)
            if chunk is None:
                return
            yield chunk
    finally:
        with anyio.CancelScope(shield=True):
            await anyio.to_thread.run_sync(chunks.close)


def _response(found: export.Export) -> StreamingResponse:
    headers = {
        "Content-Disposition": export.content_disposition(found.filename, found.ascii_filename),
        "Cache-Control": "private, no-store" if found.private else "public, max-age=300",
        "Vary": "Authorization, Cookie",
    }
    return StreamingResponse(_in_threads(found.chunks), media_type=found.media_type, headers=headers)


def _open(
    request: Request, session: SessionDep, actor: ActorDep, resource_id: str, spec: Spec, fmt: str, **kw: Any
) -> export.Export:
    duck: DuckStore = request.app.state.datastore
    store: FileStore = request.app.state.store
    return export.open_export(session, actor, duck, store.root / "tmp", resource_id, spec, fmt, **kw)


@router.get(
    "/api/v1/datastore/{resource_id}/export.{fmt}",
    response_class=StreamingResponse,
    responses=EXPORT_RESPONSES,
)
def export_table(
    resource_id: str,
    fmt: ExportFormat,
    request: Request,
    session: SessionDep,
    actor: ActorDep,
    q: Q = "",
    filters: Filters = "",
    sort: Sort = "",
    fields: Fields = "",
    distinct: Annotated[bool, Query(description="only distinct rows of the chosen fields")] = False,
    group_by: Annotated[str, Query(max_length=2000, description="comma-separated columns to group by")] = "",
    aggregates: Annotated[
        str, Query(max_length=2000, description='comma-separated: "count", "sum:amount", "avg:amount", ...')
    ] = "",
    limit: Limit = None,
    offset: Offset = 0,
    bom: Bom = False,
) -> StreamingResponse:
    """The whole table, or the rows a query selects (same parameters as the search), as a file streamed
    as it is written: `csv` (UTF-8, RFC 4180, header row of column ids), `tsv`, `json`, `xlsx` (typed cells,
    at most 1,048,575 rows) or `parquet`.

    JSON is one object `{"fields": [{"id", "type"}], "records": [{column: value}, ...]}`, like a search
    answer without paging; dates and times are ISO 8601, NaN and infinities null.
    In CSV/TSV a text cell starting with =, +, -, @, tab or carriage return is prefixed with `'` so that a
    spreadsheet never runs it as a formula; numbers stay numbers. Empty cells are empty."""
    spec = Spec(
        filters=parse_filters(filters),
        q=q,
        sort=sort,
        fields=_names(fields),
        distinct=distinct,
        group_by=_names(group_by),
        aggregates=_names(aggregates),
    )
    found = _open(request, session, actor, resource_id, spec, fmt, bom=bom, limit=limit, offset=offset)
    return _response(found)


@router.get("/datastore/dump/{resource_id}", response_class=StreamingResponse, include_in_schema=False)
def dump(
    resource_id: str,
    request: Request,
    session: SessionDep,
    actor: ActorDep,
    format: Annotated[str, Query(max_length=20)] = "csv",
    q: Q = "",
    filters: Filters = "",
    sort: Sort = "",
    fields: Fields = "",
    distinct: bool = False,
    limit: Limit = None,
    offset: Offset = 0,
    bom: Bom = False,
) -> StreamingResponse:
    """CKAN's DataStore dump: CSV by default, or `format=tsv|json|xlsx`; JSON is CKAN's layout
    `{"fields": [{"id", "type"}], "records": [[...], ...]}` with CKAN's type names."""
    fmt = format.lower()
    if fmt not in DUMP_FORMATS:
        raise Invalid(
            f"Unknown dump format {format!r}: use {', '.join(DUMP_FORMATS)}, or the API's export.parquet.",
            errors={"format": [f"Unknown format {format!r}."]},
        )
    spec = Spec(filters=parse_filters(filters), q=q, sort=sort, fields=_names(fields), distinct=distinct)
    found = _open(
        request, session, actor, resource_id, spec, fmt, bom=bom, limit=limit, offset=offset, ckan=True
    )
    return _response(found)
