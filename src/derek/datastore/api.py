"""Native DataStore API: query a resource's table, see how it was read, load it again, and keep its
data dictionary. Loading is a background job: POST .../load answers 202 with the job to follow."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, Request, Response
from pydantic import BaseModel, Field

from derek.core.api import JobRead, job_read
from derek.core.errors import Invalid
from derek.datastore import service
from derek.datastore.engine import DuckStore
from derek.datastore.query import Spec
from derek.web.deps import ActorDep, SessionDep
from derek.web.problems import PROBLEM_RESPONSES

router = APIRouter(prefix="/api/v1/datastore", tags=["datastore"], responses=PROBLEM_RESPONSES)


class FieldInfo(BaseModel):
    label: dict[str, str] = Field(default_factory=dict)
    description: dict[str, str] = Field(default_factory=dict)


class FieldRead(BaseModel):
    id: str
    type: str = Field(description="integer, number, date, datetime, time, boolean or text")
    info: FieldInfo | None = None


class TableRead(BaseModel):
    resource_id: str
    row_count: int
    fields: list[FieldRead]
    encoding: str
    delimiter: str
    loaded_at: datetime
    source: str = Field(description="file: loaded from the resource's file; api: fed through the API")
    reading: dict[str, Any] = Field(description="how the file was read: format, sheet, header row, types")
    report: dict[str, Any] = Field(description="the validation report: valid, counts, findings by row/column")


class QueryRead(BaseModel):
    resource_id: str
    fields: list[FieldRead]
    records: list[dict[str, Any]]
    total: int | None = Field(description="rows (or groups) matching, unless include_total=false")
    limit: int
    offset: int
    next_cursor: str | None = Field(description="pass as cursor= for the next page; null on the last page")
    links: dict[str, str] = Field(description="start and next, as URLs of this API")


class StatRead(BaseModel):
    id: str
    type: str
    nulls: int
    distinct: int = Field(description="approximate count of distinct values")
    min: str | None
    max: str | None


class DictionaryEntry(BaseModel):
    type: str = Field("", description="force a type (reloads the table): integer, number, date, ... or empty")
    label: dict[str, str] = Field(default_factory=dict, description="by language code, e.g. {'kk': ...}")
    description: dict[str, str] = Field(default_factory=dict)


class DictionarySaved(BaseModel):
    table: TableRead
    job: JobRead | None = Field(description="the reload a changed type started, if any")


def _duck(request: Request) -> DuckStore:
    duck: DuckStore = request.app.state.datastore
    return duck


def table_read(info: service.TableInfo) -> TableRead:
    return TableRead(
        resource_id=info.resource_id,
        row_count=info.row_count,
        fields=[FieldRead(**f) for f in info.fields],
        encoding=info.encoding,
        delimiter=info.delimiter,
        loaded_at=info.loaded_at,
        source=info.source,
        reading=info.reading,
        report=info.report,
    )


def parse_filters(filters: str) -> dict[str, Any]:
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
    return parsed


def _names(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


@router.post("/{resource_id}/load", response_model=JobRead, status_code=202)
def load(resource_id: str, response: Response, session: SessionDep, actor: ActorDep) -> JobRead:
    """Load (or reload) an uploaded tabular resource in the background; follow the job for progress.
    The previous table answers until the new one is in."""
    job = service.request_load(session, actor, resource_id)
    session.commit()
    response.headers["Location"] = f"/api/v1/jobs/{job.id}"
    return job_read(job)


@router.get("/{resource_id}/info", response_model=TableRead)
def info(resource_id: str, session: SessionDep, actor: ActorDep) -> TableRead:
    """The table's columns with their data dictionary, how the file was read, and its validation report."""
    return table_read(service.describe(session, actor, resource_id))


@router.get("/{resource_id}/stats", response_model=list[StatRead])
def stats(resource_id: str, request: Request, session: SessionDep, actor: ActorDep) -> list[StatRead]:
    """Per column: type, empty cells, distinct values, minimum and maximum."""
    return [
        StatRead(**{k: s[k] for k in ("id", "type", "nulls", "distinct", "min", "max")})
        for s in service.column_stats(session, actor, _duck(request), resource_id)
    ]


@router.put("/{resource_id}/dictionary", response_model=DictionarySaved)
def put_dictionary(
    resource_id: str,
    session: SessionDep,
    actor: ActorDep,
    entries: Annotated[dict[str, DictionaryEntry], Body(description="by column name")],
) -> DictionarySaved:
    """Labels and descriptions per column in each language, and a type that overrides the guessed one."""
    info, job = service.set_dictionary(
        session, actor, resource_id, {name: entry.model_dump() for name, entry in entries.items()}
    )
    return DictionarySaved(table=table_read(info), job=job_read(job) if job else None)


@router.get("/{resource_id}", response_model=QueryRead)
def search(
    resource_id: str,
    request: Request,
    session: SessionDep,
    actor: ActorDep,
    q: Annotated[str, Query(max_length=500, description="words to find in any column")] = "",
    filters: Annotated[
        str,
        Query(
            max_length=5000,
            description='JSON object: {"region": "Almaty"}, {"region": ["A", "B"]}, {"amount": {"gte": 10}}',
        ),
    ] = "",
    sort: Annotated[str, Query(max_length=500, description='e.g. "amount desc, name"')] = "",
    fields: Annotated[str, Query(max_length=5000, description="comma-separated columns")] = "",
    distinct: Annotated[bool, Query(description="only distinct rows of the chosen fields")] = False,
    group_by: Annotated[str, Query(max_length=2000, description="comma-separated columns to group by")] = "",
    aggregates: Annotated[
        str, Query(max_length=2000, description='comma-separated: "count", "sum:amount", "avg:amount", ...')
    ] = "",
    cursor: Annotated[str, Query(max_length=4000, description="next_cursor of the previous page")] = "",
    include_total: bool = True,
    limit: Annotated[int, Query(ge=0, le=service.MAX_LIMIT)] = 100,
    offset: Annotated[int, Query(ge=0, le=10**12)] = 0,
) -> QueryRead:
    """Rows of a resource's table, or groups with aggregates. Deep pages: follow next_cursor."""
    spec = Spec(
        filters=parse_filters(filters),
        q=q,
        sort=sort,
        fields=_names(fields),
        distinct=distinct,
        group_by=_names(group_by),
        aggregates=_names(aggregates),
        cursor=cursor,
    )
    result = service.query(
        session,
        actor,
        _duck(request),
        resource_id,
        spec,
        limit=limit,
        offset=offset,
        include_total=include_total,
    )
    start = request.url.remove_query_params(["offset", "cursor"])
    links = {"start": str(start.path) + ("?" + start.query if start.query else "")}
    if result.next_cursor:
        following = start.include_query_params(cursor=result.next_cursor)
        links["next"] = f"{following.path}?{following.query}"
    return QueryRead(
        resource_id=resource_id,
        fields=[FieldRead(**f) for f in result.fields],
        records=result.records,
        total=result.total,
        limit=result.limit,
        offset=result.offset,
        next_cursor=result.next_cursor,
        links=links,
    )
