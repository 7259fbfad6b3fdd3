"""DataStore services: load a resource's table, describe it, query it. Plain functions; no HTTP here."""

from __future__ import annotations

import datetime as dt
import decimal
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from derek.catalog import service as catalog
from derek.core import audit
from derek.core.authz import Actor, authorize
from derek.core.db import utcnow
from derek.core.errors import Invalid, NotFound
from derek.core.storage import FileStore
from derek.datastore.engine import DuckStore
from derek.datastore.ingest import TABULAR_FORMATS, load_csv
from derek.datastore.models import DatastoreTable

MAX_LIMIT = 32000


@dataclass(frozen=True)
class TableInfo:
    resource_id: str
    row_count: int
    fields: list[dict[str, Any]]
    encoding: str
    delimiter: str
    loaded_at: dt.datetime


@dataclass(frozen=True)
class QueryResult:
    fields: list[dict[str, Any]]
    records: list[dict[str, Any]]
    total: int
    limit: int
    offset: int


def _info(row: DatastoreTable) -> TableInfo:
    return TableInfo(
        row.resource_id, row.row_count, list(row.fields), row.encoding, row.delimiter, row.loaded_at
    )


def load_resource(
    session: Session, actor: Actor, store: FileStore, duck: DuckStore, resource_id: str
) -> TableInfo:
    """Load (or reload) an uploaded tabular file; the previous table answers until the new one is in."""
    dataset, resource = catalog.get_resource(session, actor, resource_id)
    authorize(actor, "dataset.update", dataset)
    if resource.url_type != "upload":
        raise Invalid(
            "Only uploaded files can be loaded into the DataStore yet: upload the file to the portal."
        )
    if resource.format.upper() not in TABULAR_FORMATS:
        raise Invalid(f"A {resource.format or 'file'} resource cannot be loaded: use CSV or TSV.")
    with duck.writer() as cur:
        loaded = load_csv(cur, store.path_for(resource.sha256), store.root / "tmp")
        existing = session.get(DatastoreTable, resource.id)
        old_table = existing.table_name if existing else None
        row = existing or DatastoreTable(resource_id=resource.id)
        row.table_name, row.sha256, row.row_count = loaded.table_name, resource.sha256, loaded.row_count
        row.fields, row.encoding, row.delimiter = loaded.fields, loaded.encoding, loaded.delimiter
        row.status, row.error, row.loaded_at = "loaded", "", utcnow()
        session.add(row)
        try:
            session.commit()  # from here on the new table is the one queried
        except Exception:
            cur.execute(f'DROP TABLE IF EXISTS "{loaded.table_name}"')
            raise
        if old_table and old_table != loaded.table_name:
            cur.execute(f'DROP TABLE IF EXISTS "{old_table}"')
    audit.record(
        session,
        actor,
        "datastore.load",
        "resource",
        resource.id,
        None,
        {"rows": loaded.row_count, "encoding": loaded.encoding},
    )
    return _info(row)


def _table(session: Session, actor: Actor, resource_id: str) -> DatastoreTable:
    catalog.get_resource(session, actor, resource_id)  # NotFound unless the actor may see the resource
    row = session.get(DatastoreTable, resource_id)
    if row is None or row.status != "loaded":
        raise NotFound(f"The resource {resource_id!r} has no DataStore table: load it first.")
    return row


def describe(session: Session, actor: Actor, resource_id: str) -> TableInfo:
    return _info(_table(session, actor, resource_id))


def _json_value(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return float(value)
    return value


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def query(
    session: Session,
    actor: Actor,
    duck: DuckStore,
    resource_id: str,
    *,
    filters: dict[str, Any] | None = None,
    q: str = "",
    sort: str = "",
    fields: list[str] | None = None,
    limit: int = 100,
    offset: int = 0,
) -> QueryResult:
    """Rows of a resource's table: exact-match filters, words in any text column, sort, fields, paging."""
    row = _table(session, actor, resource_id)
    known = [f["id"] for f in row.fields]
    chosen = fields or known
    unknown = [name for name in [*chosen, *(filters or {})] if name not in known]
    if unknown:
        raise Invalid(
            f"Unknown column {unknown[0]!r}: the columns are {', '.join(known)}.",
            errors={"fields": [f"Unknown column {unknown[0]!r}."]},
        )
    where, params = [], []
    for name, value in (filters or {}).items():
        values = value if isinstance(value, list) else [value]
        where.append(f"CAST({_quoted(name)} AS VARCHAR) IN ({', '.join('?' for _ in values)})")
        params += [str(v) for v in values]
    if q.strip():
        texts = " || ' ' || ".join(f"coalesce(CAST({_quoted(n)} AS VARCHAR), '')" for n in known)
        for word in q.split()[:10]:
            where.append(f"({texts}) ILIKE ?")
            params.append(f"%{word}%")
    order = ""
    if sort.strip():
        parts = []
        for piece in sort.split(","):
            name, _, direction = piece.strip().partition(" ")
            if name not in known or direction.strip().lower() not in ("", "asc", "desc"):
                raise Invalid(
                    f"Cannot sort by {piece.strip()!r}: use a column name, optionally with asc or desc.",
                    errors={"sort": ["Unknown column or direction."]},
                )
            parts.append(f"{_quoted(name)} {direction.strip().upper() or 'ASC'}")
        order = " ORDER BY " + ", ".join(parts)
    clause = (" WHERE " + " AND ".join(where)) if where else ""
    limit, offset = min(max(limit, 0), MAX_LIMIT), min(max(offset, 0), 2**62)
    select_list = ", ".join(_quoted(n) for n in chosen)
    with duck.cursor() as cur:
        total_row = cur.execute(f"SELECT count(*) FROM {_quoted(row.table_name)}{clause}", params).fetchone()
        rows = cur.execute(
            f"SELECT {select_list} FROM {_quoted(row.table_name)}{clause}{order} LIMIT ? OFFSET ?",
            [*params, limit, offset],
        ).fetchall()
    by_name = {f["id"]: f for f in row.fields}
    return QueryResult(
        fields=[by_name[n] for n in chosen],
        records=[{n: _json_value(v) for n, v in zip(chosen, r, strict=True)} for r in rows],
        total=int(total_row[0]) if total_row else 0,
        limit=limit,
        offset=offset,
    )
