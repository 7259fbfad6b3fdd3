"""DataStore SQL over HTTP: GET or POST /api/v1/datastore/sql runs one sandboxed SELECT (see sandbox.py)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from derek.core.errors import NotFound
from derek.datastore import sandbox
from derek.datastore.engine import DuckStore
from derek.web.deps import ActorDep, SessionDep
from derek.web.problems import PROBLEM_RESPONSES

router = APIRouter(prefix="/api/v1/datastore", tags=["datastore"], responses=PROBLEM_RESPONSES)

SQL_DESCRIPTION = (
    'One SELECT statement; tables are named by resource id in double quotes: SELECT * FROM "<resource id>". '
    f"At most {sandbox.DEFAULT_ROW_LIMIT} records come back; a query running longer than "
    f"{sandbox.DEFAULT_TIMEOUT_S:g} s is stopped."
)


class SqlField(BaseModel):
    id: str
    type: str


class SqlRead(BaseModel):
    sql: str
    fields: list[SqlField]
    records: list[dict[str, Any]]
    records_truncated: bool


class SqlQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sql: str = Field(min_length=1, max_length=sandbox.MAX_SQL_CHARS, description=SQL_DESCRIPTION)


def _run(request: Request, session: SessionDep, actor: ActorDep, sql: str) -> SqlRead:
    if not request.app.state.settings.datastore_sql:
        raise NotFound("This portal does not offer DataStore SQL: use /api/v1/datastore/{resource_id}.")
    duck: DuckStore = request.app.state.datastore
    result = sandbox.run_sql(session, actor, duck, sql)
    return SqlRead(
        sql=sql,
        fields=[SqlField(**f) for f in result.fields],
        records=result.records,
        records_truncated=result.records_truncated,
    )


@router.get("/sql", response_model=SqlRead)
def sql_get(
    request: Request,
    session: SessionDep,
    actor: ActorDep,
    sql: Annotated[str, Query(min_length=1, max_length=sandbox.MAX_SQL_CHARS, description=SQL_DESCRIPTION)],
) -> SqlRead:
    """Run one read-only SELECT over the DataStore tables you may see (as CKAN's datastore_search_sql)."""
    return _run(request, session, actor, sql)


@router.post("/sql", response_model=SqlRead)
def sql_post(request: Request, session: SessionDep, actor: ActorDep, body: SqlQuery) -> SqlRead:
    """The same as GET, for queries too long for a URL: send {"sql": "..."}."""
    return _run(request, session, actor, body.sql)
