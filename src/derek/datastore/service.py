"""DataStore services: load a resource's table (as a job), describe it, query it, keep its data dictionary.

Plain functions; no HTTP here. A load writes a new DuckDB table and then, in one catalog commit, points the
resource at it; the previous table answers until that moment and is dropped after it, so a failed or
interrupted load leaves the last good table queryable and nothing half-loaded visible.
"""

from __future__ import annotations

import datetime as dt
import decimal
import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import duckdb
from sqlalchemy import select
from sqlalchemy.orm import Session

from derek.catalog import service as catalog
from derek.core import audit, events, jobs
from derek.core.authz import SYSTEM, Actor, authorize
from derek.core.db import utcnow
from derek.core.errors import Invalid, NotFound
from derek.core.fetch import fetch_to_store
from derek.core.storage import FileStore
from derek.datastore import validation
from derek.datastore.engine import DuckStore
from derek.datastore.ingest import TABULAR_FORMATS, Progress, load_file, sample_text
from derek.datastore.models import DatastoreTable
from derek.datastore.query import DUCK_TYPES, Spec, build, encode_cursor, quoted

MAX_LIMIT = 32000
LOAD_JOB = "datastore.load"
VALIDATE_JOB = "datastore.validate"
LANGUAGES_MAX = 2000  # characters of a dictionary label or description


@dataclass(frozen=True)
class TableInfo:
    resource_id: str
    row_count: int
    fields: list[dict[str, Any]]
    encoding: str
    delimiter: str
    loaded_at: dt.datetime
    source: str = "file"
    reading: dict[str, Any] = field(default_factory=dict)
    report: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class QueryResult:
    fields: list[dict[str, Any]]
    records: list[dict[str, Any]]
    total: int | None
    limit: int
    offset: int
    next_cursor: str | None = None


def _info(row: DatastoreTable) -> TableInfo:
    return TableInfo(
        row.resource_id,
        row.row_count,
        [_with_info(f, row.dictionary) for f in row.fields],
        row.encoding,
        row.delimiter,
        row.loaded_at,
        row.source,
        dict(row.reading or {}),
        dict(row.report or {}),
    )


def _with_info(field_: dict[str, Any], dictionary: dict[str, Any]) -> dict[str, Any]:
    entry = (dictionary or {}).get(field_["id"]) or {}
    info = {k: v for k, v in entry.items() if k in ("label", "description") and v}
    return {"id": field_["id"], "type": field_["type"], **({"info": info} if info else {})}


def is_tabular(format_: str) -> bool:
    return format_.upper() in TABULAR_FORMATS


# ---------------------------------------------------------------- loading


def request_load(session: Session, actor: Actor, resource_id: str) -> jobs.Job:
    """Queue a (re)load of an uploaded tabular file; the job reports progress and the outcome."""
    dataset, resource = catalog.get_resource(session, actor, resource_id)
    authorize(actor, "dataset.update", dataset)
    if resource.url_type not in ("upload", "") or not (resource.sha256 or resource.url):
        raise Invalid("This resource has no file or URL to load into the DataStore.")
    if not is_tabular(resource.format):
        raise Invalid(
            f"A {resource.format or 'file'} resource cannot be loaded: use CSV, TSV, XLSX, XLS, ODS, "
            "JSON or Parquet."
        )
    return jobs.enqueue(session, actor, LOAD_JOB, "resource", resource.id)


@events.subscribe(events.RESOURCE_CONTENT_CHANGED)
def _queue_load_of_new_content(
    session: Session, *, actor: Actor, resource_id: str, format: str, url_type: str
) -> None:
    """Every tabular file, uploaded or registered by URL, is loaded without the publisher asking."""
    if url_type in ("upload", "") and is_tabular(format):
        jobs.enqueue(session, actor, LOAD_JOB, "resource", resource_id)


def load_resource(
    session: Session,
    actor: Actor,
    store: FileStore,
    duck: DuckStore,
    resource_id: str,
    progress: Progress | None = None,
    *,
    fetch: bool = True,
    allow_private: bool = False,
    timeout: float = 30.0,
) -> TableInfo:
    """Load (or reload) a tabular file now, uploaded or fetched from its URL; the previous table answers
    until the new one is in."""
    dataset, resource = catalog.get_resource(session, actor, resource_id)
    authorize(actor, "dataset.update", dataset)
    report_progress = progress or (lambda *_: None)
    if resource.url_type == "upload" and resource.sha256:
        sha256 = resource.sha256
    elif resource.url_type == "" and resource.url:
        if not fetch:
            raise Invalid(
                "This portal does not fetch files registered by URL: upload the file to load it into the "
                "DataStore."
            )
        report_progress(0, 0, "bytes", "Fetching the file from its URL")
        fetched = fetch_to_store(
            resource.url,
            store,
            allow_private=allow_private,
            timeout=timeout,
            progress=lambda done, total: report_progress(done, total, "bytes", "Fetching the file"),
        )
        sha256 = fetched.sha256
    else:
        raise Invalid("This resource has no file or URL to load into the DataStore.")
    existing = session.get(DatastoreTable, resource.id)
    dictionary = dict(existing.dictionary) if existing else {}
    with duck.writer() as cur:
        loaded = load_file(
            cur,
            store.path_for(sha256),
            store.root / "tmp",
            resource.format,
            dictionary,
            report_progress,
        )
        try:
            checkable = loaded.reading.get("format") in ("csv", "xlsx", "xls", "ods") and loaded.row_count > 0
            row = existing or DatastoreTable(resource_id=resource.id)
            old_table = existing.table_name if existing else None
            row.table_name, row.sha256, row.row_count = loaded.table_name, sha256, loaded.row_count
            row.fields, row.encoding, row.delimiter = loaded.fields, loaded.encoding, loaded.delimiter
            row.reading, row.source = {**loaded.reading, "findings": loaded.findings}, "file"
            row.report = validation.summarise(loaded.findings, loaded.row_count, 0, pending=checkable)
            row.status, row.error, row.loaded_at = "loaded", "", utcnow()
            row.dictionary = {k: v for k, v in dictionary.items() if k in {f["id"] for f in loaded.fields}}
            session.add(row)
            audit.record(
                session,
                actor,
                "datastore.load",
                "resource",
                resource.id,
                None,
                {"rows": loaded.row_count, "encoding": loaded.encoding, "sha256": sha256},
            )
            if checkable:
                jobs.enqueue(session, actor, VALIDATE_JOB, "resource", resource.id, {"sha256": sha256})
            events.publish(events.TABLE_LOADED, session, actor=actor, resource_id=resource.id, sha256=sha256)
            session.commit()  # from here on the new table is the one queried
        except BaseException:
            session.rollback()
            cur.execute(f"DROP TABLE IF EXISTS {quoted(loaded.table_name)}")
            raise
        if old_table and old_table != loaded.table_name:
            cur.execute(f"DROP TABLE IF EXISTS {quoted(old_table)}")
    return _info(row)


@jobs.handler(LOAD_JOB)
def _run_load(session: Session, context: jobs.JobContext) -> dict[str, Any]:
    store: FileStore = context.resources["store"]
    duck: DuckStore = context.resources["duck"]
    actor = context.actor if context.actor.authenticated else SYSTEM
    try:
        catalog.get_resource(session, actor, context.subject_id)
    except NotFound:
        actor = SYSTEM  # the publisher lost access since; the load was authorized when it was asked for
    settings = context.resources.get("settings")
    info = load_resource(
        session,
        actor,
        store,
        duck,
        context.subject_id,
        context.progress,
        fetch=bool(getattr(settings, "datastore_fetch", True)),
        allow_private=bool(getattr(settings, "fetch_allow_private", False)),
        timeout=float(getattr(settings, "fetch_timeout", 30.0)),
    )
    return {"rows": info.row_count, "columns": len(info.fields), "encoding": info.encoding}


@jobs.handler(VALIDATE_JOB)
def _run_validation(session: Session, context: jobs.JobContext) -> dict[str, Any]:
    """Add frictionless's findings on the first rows to the report of the table loaded from that file."""
    store: FileStore = context.resources["store"]
    row = session.get(DatastoreTable, context.subject_id)
    sha256 = context.params.get("sha256", "")
    if row is None or row.sha256 != sha256:
        return {"skipped": "the table was loaded again from another file since"}
    context.progress(0, 0, "", "Checking the file")
    reading = dict(row.reading or {})
    loader_findings = list(reading.get("findings") or [])
    sample = sample_text(store.path_for(sha256), reading, store.root / "tmp", validation.limit_rows())
    if sample is None:
        return {"skipped": "no row-by-row check for this format"}
    try:
        findings, checked = validation.check(sample, list(row.fields), reading, loader_findings)
    finally:
        sample.unlink(missing_ok=True)
    row.report = validation.summarise(loader_findings + findings, row.row_count, checked, pending=False)
    return {"checked_rows": checked, "findings": len(findings)}


def load_status(session: Session, actor: Actor, resource_id: str) -> tuple[TableInfo | None, jobs.Job | None]:
    """The table answering now (if any) and the latest load job (if any), for the resource page."""
    catalog.get_resource(session, actor, resource_id)
    row = session.get(DatastoreTable, resource_id)
    return (_info(row) if row and row.status == "loaded" else None), jobs.latest_for(
        session, LOAD_JOB, resource_id
    )


# ---------------------------------------------------------------- data dictionary


def set_dictionary(
    session: Session, actor: Actor, resource_id: str, entries: dict[str, dict[str, Any]]
) -> tuple[TableInfo, jobs.Job | None]:
    """Save labels, descriptions and types per column; a changed type queues a reload with it."""
    dataset, _resource = catalog.get_resource(session, actor, resource_id)
    authorize(actor, "dataset.update", dataset)
    row = _table(session, actor, resource_id)
    known = {f["id"]: f["type"] for f in row.fields}
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, dict[str, Any]] = {}
    for name, entry in entries.items():
        if name not in known:
            errors.setdefault(name, []).append(f"There is no column {name!r}.")
            continue
        if not isinstance(entry, dict):
            errors.setdefault(name, []).append("Give an object with type, label and description.")
            continue
        kind = entry.get("type") or ""
        if kind and kind not in DUCK_TYPES:
            errors.setdefault(name, []).append(
                f"Unknown type {kind!r}: use one of {', '.join(sorted(DUCK_TYPES))}."
            )
        texts: dict[str, dict[str, str]] = {}
        for key in ("label", "description"):
            value = entry.get(key) or {}
            if isinstance(value, str):
                value = {"en": value}
            if not isinstance(value, dict) or not all(
                isinstance(k, str) and isinstance(v, str) and len(v) <= LANGUAGES_MAX
                for k, v in value.items()
            ):
                errors.setdefault(name, []).append(f"{key} must map a language code to a text.")
                continue
            texts[key] = {k: v.strip() for k, v in value.items() if v.strip()}
        cleaned[name] = {"type": kind, **texts}
    if errors:
        first = next(iter(errors.values()))[0]
        raise Invalid(f"The data dictionary was not saved: {first}", errors=errors)
    before = dict(row.dictionary or {})
    merged = {**before, **cleaned}
    row.dictionary = {k: v for k, v in merged.items() if any(v.values())}
    audit.record(session, actor, "datastore.dictionary", "resource", resource_id, before, row.dictionary)
    retype = any(
        (entry.get("type") or known[name]) != known[name]
        or (not entry.get("type") and (before.get(name) or {}).get("type"))
        for name, entry in cleaned.items()
    )
    job = None
    if retype and row.source == "file":
        job = jobs.enqueue(session, actor, LOAD_JOB, "resource", resource_id, {"reason": "dictionary"})
    session.commit()
    return _info(row), job


# ---------------------------------------------------------------- reading


def _table(session: Session, actor: Actor, resource_id: str) -> DatastoreTable:
    # NotFound unless the actor may see the resource; Forbidden while a gate holds its new data back
    catalog.get_content(session, actor, resource_id)
    row = session.get(DatastoreTable, resource_id)
    if row is None or row.status != "loaded":
        raise NotFound(f"The resource {resource_id!r} has no DataStore table: load it first.")
    return row


def describe(session: Session, actor: Actor, resource_id: str) -> TableInfo:
    return _info(_table(session, actor, resource_id))


def json_value(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def prepare(session: Session, actor: Actor, resource_id: str, spec: Spec) -> tuple[DatastoreTable, Any]:
    """The table and the built SELECT for a spec, after checking the actor may read the resource."""
    row = _table(session, actor, resource_id)
    return row, build(row.table_name, row.fields, spec)


def _replaced(session: Session, row: DatastoreTable, error: Exception) -> bool:
    """Whether a reload replaced the table between reading its name and querying it (the load commits the
    new name, then drops the old table): then the reader asks again, once, with the new name."""
    if "does not exist" not in str(error):
        return False
    old = row.table_name
    session.expire(row)
    return row.table_name != old


def query(
    session: Session,
    actor: Actor,
    duck: DuckStore,
    resource_id: str,
    spec: Spec | None = None,
    *,
    limit: int = 100,
    offset: int = 0,
    include_total: bool = True,
) -> QueryResult:
    """Rows (or groups) of a resource's table: filters, words, sort, fields, distinct, aggregates, paging."""
    try:
        return _query(session, actor, duck, resource_id, spec, limit, offset, include_total)
    except duckdb.CatalogException as error:
        if not _replaced(session, _table(session, actor, resource_id), error):
            raise
        return _query(session, actor, duck, resource_id, spec, limit, offset, include_total)


def _query(
    session: Session,
    actor: Actor,
    duck: DuckStore,
    resource_id: str,
    spec: Spec | None,
    limit: int,
    offset: int,
    include_total: bool,
) -> QueryResult:
    spec = spec or Spec()
    row, built = prepare(session, actor, resource_id, spec)
    limit, offset = min(max(limit, 0), MAX_LIMIT), min(max(offset, 0), 2**62)
    names = [c["id"] for c in built.columns]
    with duck.cursor() as cur:
        total = None
        if include_total:
            if not built.where and not (spec.distinct or spec.group_by or spec.aggregates):
                total = row.row_count  # kept exact by every load and write
            else:
                total_row = cur.execute(built.count, built.where_params).fetchone()
                total = int(total_row[0]) if total_row else 0
        result = cur.execute(f"{built.select} LIMIT ? OFFSET ?", [*built.params, limit, offset])
        selected = [d[0] for d in result.description or []]
        rows = result.fetchall()
    records = [{n: json_value(v) for n, v in zip(selected, r, strict=True) if n in names} for r in rows]
    next_cursor = None
    if built.sort_keys and rows and len(rows) == limit:
        last = dict(zip(selected, rows[-1], strict=True))
        next_cursor = encode_cursor([json_value(last[name]) for name, _ in built.sort_keys])
    return QueryResult(built.columns, records, total, limit, offset, next_cursor)


def column_stats(session: Session, actor: Actor, duck: DuckStore, resource_id: str) -> list[dict[str, Any]]:
    """Per column: type, empty cells, distinct values, minimum and maximum (for the resource page)."""
    try:
        return _column_stats(session, actor, duck, resource_id)
    except duckdb.CatalogException as error:
        if not _replaced(session, _table(session, actor, resource_id), error):
            raise
        return _column_stats(session, actor, duck, resource_id)


def _column_stats(session: Session, actor: Actor, duck: DuckStore, resource_id: str) -> list[dict[str, Any]]:
    row = _table(session, actor, resource_id)
    if not row.fields:
        return []
    parts = []
    for f in row.fields:
        c = quoted(f["id"])
        comparable = f["type"] != "boolean"
        parts.append(
            f"count(*) - count({c}), approx_count_distinct({c}), "
            + (f"CAST(min({c}) AS VARCHAR), CAST(max({c}) AS VARCHAR)" if comparable else "NULL, NULL")
        )
    with duck.cursor() as cur:
        values = cur.execute(f"SELECT {', '.join(parts)} FROM {quoted(row.table_name)}").fetchone() or ()
    stats = []
    for i, f in enumerate(row.fields):
        nulls, distinct, low, high = values[i * 4 : i * 4 + 4]
        stats.append(
            {
                "id": f["id"],
                "type": f["type"],
                "nulls": int(nulls or 0),
                "distinct": int(distinct or 0),
                "min": low,
                "max": high,
                **_with_info(f, row.dictionary).get("info", {}),
            }
        )
    return stats


def candidate_cells(
    session: Session, duck: DuckStore, resource_id: str, pattern: str, batch: int = 10_000
) -> Iterator[tuple[str, int, Any]]:
    """Every cell of the resource's table whose text matches `pattern` (a regular expression), as (column,
    row number from 0, value as stored), column by column, read in batches so memory stays bounded. DuckDB
    does the filtering, so callers only see cells worth a closer look (the personal-data scan)."""
    row = session.get(DatastoreTable, resource_id)
    if row is None or row.status != "loaded":
        raise NotFound(f"The resource {resource_id!r} has no table in the DataStore.")
    for f in row.fields:
        c = quoted(f["id"])
        with duck.cursor() as cur:
            cur.execute(
                f"SELECT rowid, {c} FROM {quoted(row.table_name)} "
                f"WHERE regexp_matches(CAST({c} AS VARCHAR), ?) ORDER BY rowid",
                [pattern],
            )
            while chunk := cur.fetchmany(batch):
                for number, value in chunk:
                    yield f["id"], int(number), value


def table_of(session: Session, resource_id: str) -> tuple[str, int] | None:
    """(the file's sha256, rows) of the resource's loaded table, or None."""
    row = session.get(DatastoreTable, resource_id)
    return (row.sha256, row.row_count) if row is not None and row.status == "loaded" else None


def loaded_resource_ids(session: Session, resource_ids: list[str]) -> set[str]:
    """Which of these resources have a DataStore table (for datastore_active and the pages)."""
    if not resource_ids:
        return set()
    return set(
        session.scalars(
            select(DatastoreTable.resource_id).where(
                DatastoreTable.resource_id.in_(resource_ids), DatastoreTable.status == "loaded"
            )
        )
    )
