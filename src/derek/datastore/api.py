"""Native DataStore API: /api/v1/datastore/{resource_id} (query) and .../load (load or reload the table)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel

from derek.core.errors import Invalid
from derek.datastore import service
from derek.datastore.engine import DuckStore
from derek.web.deps import ActorDep, SessionDep, StoreDep
from derek.web.problems import PROBLEM_RESPONSES

router = APIRouter(prefix="/api/v1/datastore", tags=["datastore"], responses=PROBLEM_RESPONSES)


class Field(BaseModel):
    id: str
    type: str


class TableRead(BaseModel):
    resource_id: str
    row_count: int
    fields: list[Field]
    encoding: str
    delimiter: str
    loaded_at: datetime


class QueryRead(BaseModel):
    resource_id: str
    fields: list[Field]
    records: list[dict[str, Any]]
    total: int
    limit: int
    offset: int


def _duck(request: Request) -> DuckStore:
    duck: DuckStore = request.app.state.datastore
    return duck


def _table_read(info: service.TableInfo) -> TableRead:
    return TableRead(
        resource_id=info.resource_id,
        row_count=info.row_count,
        fields=[Field(**f) for f in info.fields],
        encoding=info.encoding,
        delimiter=info.delimiter,
        loaded_at=info.loaded_at,
    )


@router.post("/{resource_id}/load", response_model=TableRead)
def load(
    resource_id: str, request: Request, session: SessionDep, actor: ActorDep, store: StoreDep
) -> TableRead:
    """Load (or reload) an uploaded CSV/TSV resource; the previous table answers until the new one is in."""
    return _table_read(service.load_resource(session, actor, store, _duck(request), resource_id))


@router.get("/{resource_id}/info", response_model=TableRead)
def info(resource_id: str, session: SessionDep, actor: ActorDep) -> TableRead:
    return _table_read(service.describe(session, actor, resource_id))


@router.get("/{resource_id}", response_model=QueryRead)
def search(
    resource_id: str,
    request: Request,
    session: SessionDep,
    actor: ActorDep,
    q: Annotated[str, Query(max_length=500, description="words to find in any column")] = "",
    filters: Annotated[
        str, Query(max_length=5000, description='JSON object, e.g. {"region": "Almaty"}')
    ] = "",
    sort: Annotated[str, Query(max_length=500, description='e.g. "amount desc, name"')] = "",
    fields: Annotated[str, Query(max_length=5000, description="comma-separated columns")] = "",
    limit: Annotated[int, Query(ge=0, le=service.MAX_LIMIT)] = 100,
    offset: Annotated[int, Query(ge=0, le=10**12)] = 0,
) -> QueryRead:
    try:
        parsed = json.loads(filters) if filters else {}
    except json.JSONDecodeError as exc:
        raise Invalid(
            f"filters is not JSON: {exc.msg}.", errors={"filters": ["Give a JSON object."]}
        ) from exc
    if not isinstance(parsed, dict):
        raise Invalid(
            "filters must be a JSON object of column: value.", errors={"filters": ["Give a JSON object."]}
        )
    columns = [f.strip() for f in fields.split(",") if f.strip()] or None
    result = service.query(
        session,
        actor,
        _duck(request),
        resource_id,
        filters=parsed,
        q=q,
        sort=sort,
        fields=columns,
        limit=limit,
        offset=offset,
    )
    return QueryRead(
        resource_id=resource_id,
        fields=[Field(**f) for f in result.fields],
        records=result.records,
        total=result.total,
        limit=result.limit,
        offset=result.offset,
    )
