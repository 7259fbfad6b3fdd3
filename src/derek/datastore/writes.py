"""DataStore tables fed through the API (CKAN's datastore_create, datastore_upsert and datastore_delete).

Plain functions, no HTTP. Each finds the resource the actor may see, authorizes "dataset.update" on its
dataset and refuses a table that is not fed through the API (a file's table, which the next load would
replace) unless `force` is given. All SQL of a call runs in one DuckDB transaction on the writer: a bad
record aborts the whole call and leaves the table as it was. The catalog row (DatastoreTable) changes in the
same call, its row_count and fields exact, and is committed right after DuckDB commits.

Types: CKAN's type names (int, int4, int8, float, numeric, text, json, date, time, timestamp, bool, arrays
as _text or text[]) map onto the DataStore's seven types; the name is kept per column (`ckan_type` in
`fields`) so the CKAN API reports it back. JSON values and arrays are stored as JSON text. A column without
a type is guessed from the first record, as CKAN does. Values are converted in Python before they reach
DuckDB, so an error names the record and the column. Rows get `_id` from a sequence per table: an id is
never given twice, also after deletes.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import duckdb
from sqlalchemy.orm import Session

from derek.catalog import service as catalog
from derek.core import audit, events
from derek.core.authz import Actor, authorize
from derek.core.db import utcnow
from derek.core.errors import Conflict, Invalid, NotFound
from derek.datastore.engine import DuckStore
from derek.datastore.models import DatastoreTable
from derek.datastore.query import DUCK_TYPES, ROW_ID, quoted

READ_ONLY = (
    "Cannot edit read-only resource because changes made may be lost. Use a resource created for editing "
    'e.g. with datastore_create or use "force=True" to ignore this warning.'
)
UNIQUE = "Cannot insert records or create index because of uniqueness constraint"
NAME_MAX = 63
CHUNK_ROWS = 50_000
INT_RANGE = (-(2**63), 2**63 - 1)
METHODS = ("upsert", "insert", "update")

# A type name as CKAN accepts it (PostgreSQL's names and aliases) -> the name CKAN reports for the column.
CKAN_NAMES = {
    "int": "int4",
    "int4": "int4",
    "integer": "int4",
    "int2": "int2",
    "smallint": "int2",
    "int8": "int8",
    "bigint": "int8",
    "float": "float8",
    "float8": "float8",
    "double precision": "float8",
    "float4": "float4",
    "real": "float4",
    "numeric": "numeric",
    "decimal": "numeric",
    "text": "text",
    "varchar": "varchar",
    "character varying": "varchar",
    "uuid": "uuid",
    "json": "json",
    "jsonb": "jsonb",
    "nested": "json",
    "timestamp": "timestamp",
    "timestamp without time zone": "timestamp",
    "timestamptz": "timestamptz",
    "timestamp with time zone": "timestamptz",
    "date": "date",
    "time": "time",
    "time without time zone": "time",
    "bool": "bool",
    "boolean": "bool",
}
# The reported name -> the DataStore's own type.
OUR_TYPES = {
    "int2": "integer",
    "int4": "integer",
    "int8": "integer",
    "float4": "number",
    "float8": "number",
    "numeric": "number",
    "text": "text",
    "varchar": "text",
    "uuid": "text",
    "json": "text",
    "jsonb": "text",
    "timestamp": "datetime",
    "timestamptz": "datetime",
    "date": "date",
    "time": "time",
    "bool": "boolean",
}
# What a column of a loaded file reports to CKAN clients.
DEFAULT_CKAN = {
    "integer": "int8",
    "number": "float8",
    "text": "text",
    "date": "date",
    "datetime": "timestamp",
    "time": "time",
    "boolean": "bool",
}
# PostgreSQL's format_type() of each reported name (datastore_info's schema.native_type).
NATIVE_NAMES = {
    "int2": "smallint",
    "int4": "integer",
    "int8": "bigint",
    "float4": "real",
    "float8": "double precision",
    "timestamp": "timestamp without time zone",
    "timestamptz": "timestamp with time zone",
    "time": "time without time zone",
    "bool": "boolean",
    "varchar": "character varying",
}
# The date formats CKAN's type guessing recognises (a matching text becomes a timestamp column).
DATE_FORMATS = (
    "%Y-%m-%d",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%dT%H:%M:%SZ",
    "%d/%m/%Y",
    "%m/%d/%Y",
    "%d-%m-%Y",
    "%m-%d-%Y",
)
TRUE_TEXTS = {"t", "true", "y", "yes", "on", "1"}
FALSE_TEXTS = {"f", "false", "n", "no", "off", "0"}
INTEGER_TEXT = re.compile(r"^\s*[+-]?\d+\s*$")


class WriteError(Invalid):
    """A refused write: CKAN-shaped errors, and where known the failing record (0-based) and engine detail."""

    def __init__(
        self,
        message: str,
        *,
        errors: dict[str, list[str]],
        row: int | None = None,
        info: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message, errors=errors)
        self.row = row
        self.info = info or {}


@dataclass(frozen=True)
class NewField:
    """A column asked for in datastore_create: a name, a CKAN type name (empty: guessed) and its info."""

    id: str
    type: str = ""
    info: dict[str, Any] | None = None


# ---------------------------------------------------------------- types


def reported_type(name: str) -> str | None:
    """The name CKAN reports for a column created with type `name`, or None when the type is unknown."""
    text = " ".join(str(name).strip().lower().split())
    array = text.endswith("[]") or text.startswith("_")
    base = text[:-2].strip() if text.endswith("[]") else text[1:] if text.startswith("_") else text
    found = CKAN_NAMES.get(base)
    if found is None:
        return None
    return "_" + found if array else found


def ckan_type(field_: dict[str, Any]) -> str:
    """The PostgreSQL type name CKAN clients see for a column of a DataStore table."""
    return str(field_.get("ckan_type") or DEFAULT_CKAN.get(field_["type"], "text"))


def native_type(reported: str) -> str:
    if reported.startswith("_"):
        return native_type(reported[1:]) + "[]"
    return NATIVE_NAMES.get(reported, reported)


def holds_json(reported: str) -> bool:
    """Columns whose values are JSON (objects, lists, arrays), stored as JSON text."""
    return reported in ("json", "jsonb") or reported.startswith("_")


def _our_type(reported: str) -> str:
    return "text" if reported.startswith("_") else OUR_TYPES[reported]


def guess_type(value: Any) -> str:
    """CKAN's guess for a column from its value in the first record (the name as CKAN echoes it)."""
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, dict | list):
        return "json"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float"
    if isinstance(value, str):
        for number, name in ((int, "integer"), (float, "numeric")):
            try:
                number(value)
            except ValueError:
                continue
            return name
        for fmt in DATE_FORMATS:
            try:
                dt.datetime.strptime(value, fmt)
            except ValueError:
                continue
            return "timestamp"
    return "text"


# ---------------------------------------------------------------- values


def _to_int(value: Any) -> int:
    if isinstance(value, bool):
        raise ValueError
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str) and INTEGER_TEXT.match(value):
        value = int(value)
    if not isinstance(value, int) or not INT_RANGE[0] <= value <= INT_RANGE[1]:
        raise ValueError
    return value


def _to_number(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ValueError
    return float(value.strip() if isinstance(value, str) else value)


def _to_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in TRUE_TEXTS | FALSE_TEXTS:
        return value.strip().lower() in TRUE_TEXTS
    raise ValueError


def _parse_datetime(text: str) -> dt.datetime:
    try:
        found = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        for fmt in DATE_FORMATS:
            try:
                return dt.datetime.strptime(text.strip(), fmt)
            except ValueError:
                continue
        raise
    return found.astimezone(dt.UTC).replace(tzinfo=None) if found.tzinfo else found


def _to_datetime(value: Any) -> dt.datetime:
    if not isinstance(value, str):
        raise ValueError
    return _parse_datetime(value)


def _to_date(value: Any) -> dt.date:
    if not isinstance(value, str):
        raise ValueError
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        return _parse_datetime(value).date()


def _to_time(value: Any) -> dt.time:
    if not isinstance(value, str):
        raise ValueError
    return dt.time.fromisoformat(value.strip()).replace(tzinfo=None)


def _to_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return json.dumps(value, ensure_ascii=False)


CONVERTERS: dict[str, Callable[[Any], Any]] = {
    "integer": _to_int,
    "number": _to_number,
    "boolean": _to_bool,
    "date": _to_date,
    "datetime": _to_datetime,
    "time": _to_time,
    "text": _to_text,
}


def convert(value: Any, reported: str) -> Any:
    """A record's value as the column stores it; ValueError when it does not fit the column's type."""
    if value is None or (value == "" and reported != "text"):  # CKAN: "" is NULL outside text columns
        return None
    if holds_json(reported):
        if reported.startswith("_") and not isinstance(value, list):
            raise ValueError
        return json.dumps(value, ensure_ascii=False)
    return CONVERTERS[_our_type(reported)](value)


# ---------------------------------------------------------------- finding the table


def _target(
    session: Session, actor: Actor, resource_id: str, force: bool
) -> tuple[Any, Any, DatastoreTable | None]:
    """The dataset, resource and DataStore row, once the actor may change the resource's table."""
    try:
        dataset, resource = catalog.get_resource(session, actor, resource_id)
    except NotFound:
        raise NotFound(f'Resource "{resource_id}" was not found.') from None
    authorize(actor, "dataset.update", dataset)
    if not force and resource.url_type != "datastore":
        raise Conflict(READ_ONLY, errors={"read-only": [READ_ONLY]})
    return dataset, resource, session.get(DatastoreTable, resource.id)


def _loaded(row: DatastoreTable | None, resource_id: str) -> DatastoreTable:
    if row is None or row.status != "loaded":
        raise NotFound(f'Resource "{resource_id}" was not found.')
    return row


def _records(records: Any) -> list[Any]:
    if records is None:
        return []
    if not isinstance(records, list):
        raise WriteError("records must be a list of objects.", errors={"records": ["Not a list"]})
    return records


def _not_object(index: int) -> WriteError:
    message = f'row "{index + 1}" is not a json object'
    return WriteError(message, errors={"records": [message]}, row=index)


def _check_name(name: Any) -> str:
    if not isinstance(name, str) or not name or name != name.strip() or name.startswith("_") or '"' in name:
        message = f'"{name}" is not a valid field name'
        raise WriteError(message, errors={"fields": [message]})
    if len(name) > NAME_MAX:
        message = f'Column heading "{name}" exceeds limit of {NAME_MAX} characters.'
        raise WriteError(message, errors={"fields": [message]})
    return name


def _check_fields(fields: list[NewField]) -> None:
    for f in fields:
        _check_name(f.id)
        if f.type and reported_type(f.type) is None:
            message = f'"{f.type}" is not a valid field type'
            raise WriteError(message, errors={"fields": [message]})
    if len({f.id for f in fields}) != len(fields):
        message = "Duplicate column names are not supported"
        raise WriteError(message, errors={"field": [message]})


# ---------------------------------------------------------------- SQL helpers


def _sequence(table: str) -> str:
    return table + "_id_seq"


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _ensure_sequence(cur: duckdb.DuckDBPyConnection, table: str) -> None:
    """The table's _id sequence, created on the first write after the highest _id in it."""
    top = cur.execute(f"SELECT coalesce(max({quoted(ROW_ID)}), 0) FROM {quoted(table)}").fetchone()
    start = int(top[0]) + 1 if top else 1
    cur.execute(f"CREATE SEQUENCE IF NOT EXISTS {quoted(_sequence(table))} START WITH {start}")


def _count(cur: duckdb.DuckDBPyConnection, sql: str, params: list[Any] | None = None) -> int:
    found = cur.execute(sql, params or []).fetchone()
    return int(found[0]) if found else 0


def _row_values(
    record: Any, index: int, columns: list[dict[str, Any]], *, extra_keys_error: bool = True
) -> list[Any]:
    """A record's values in column order, converted; a WriteError names the record and column."""
    if not isinstance(record, dict):
        raise _not_object(index)
    names = {c["id"] for c in columns}
    if extra_keys_error and (extra := [k for k in record if k not in names]):
        message = f'row "{index + 1}" has extra keys "{", ".join(map(str, extra))}"'
        raise WriteError(message, errors={"records": [message]}, row=index)
    values = []
    for column in columns:
        reported = ckan_type(column)
        try:
            values.append(convert(record.get(column["id"]), reported))
        except (ValueError, TypeError, OverflowError):
            message = (
                f'row "{index + 1}": invalid input for type {reported} in column "{column["id"]}": '
                f"{json.dumps(record.get(column['id']), ensure_ascii=False, default=str)[:200]}"
            )
            raise WriteError(message, errors={"records": [message]}, row=index) from None
    return values


def _insert(
    cur: duckdb.DuckDBPyConnection,
    table: str,
    columns: list[dict[str, Any]],
    rows: list[list[Any]],
) -> None:
    """Insert converted rows, each with the next _id of the table's sequence, in the order given. Each chunk
    goes in as one list per column (unnested side by side): one statement, no parameter per value."""
    sequence = _literal(_sequence(table))
    names = "".join(", " + quoted(c["id"]) for c in columns)
    lists = "".join(f", unnest(CAST(? AS {DUCK_TYPES[c['type']]}[]))" for c in columns)
    sql = f"INSERT INTO {quoted(table)} ({quoted(ROW_ID)}{names}) SELECT unnest(CAST(? AS BIGINT[])){lists}"
    for start in range(0, len(rows), CHUNK_ROWS):
        chunk = rows[start : start + CHUNK_ROWS]
        ids = [
            r[0] for r in cur.execute(f"SELECT nextval({sequence}) FROM range(?)", [len(chunk)]).fetchall()
        ]
        cur.execute(sql, [ids, *([row[i] for row in chunk] for i in range(len(columns)))])


def _engine_error(exc: duckdb.Error) -> WriteError:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    if isinstance(exc, duckdb.ConstraintException):
        return WriteError(UNIQUE, errors={"constraints": [UNIQUE]}, info={"orig": text, "pgcode": "23505"})
    return WriteError(f"The DataStore refused the records: {text}", errors={"records": [text]})


class _Transaction:
    """BEGIN on enter; ROLLBACK when the block raises (engine errors become WriteError) or was a dry run."""

    def __init__(self, cur: duckdb.DuckDBPyConnection) -> None:
        self.cur = cur
        self.open = False

    def __enter__(self) -> _Transaction:
        self.cur.execute("BEGIN TRANSACTION")
        self.open = True
        return self

    def commit(self) -> None:
        self.cur.execute("COMMIT")
        self.open = False

    def rollback(self) -> None:
        if self.open:
            self.open = False
            self.cur.execute("ROLLBACK")

    def __exit__(self, kind: Any, exc: BaseException | None, tb: Any) -> None:
        self.rollback()
        if isinstance(exc, duckdb.Error):
            raise _engine_error(exc) from exc


# ---------------------------------------------------------------- filters


def _comparison(name: str, kind: str, op: str, value: Any) -> tuple[str, list[Any]]:
    column = quoted(name)
    if value is None:
        return f"{column} IS {'NOT ' if op == '<>' else ''}NULL", []
    if kind == "text":  # text columns compare as text, whatever the value's JSON type (as CKAN)
        return f"{column} {op} ?", [value if isinstance(value, str) else str(value)]
    return f"{column} {op} CAST(? AS {DUCK_TYPES[kind]})", [value]


FILTER_OPS = {"eq": "=", "gt": ">", "gte": ">=", "lt": "<", "lte": "<="}


def filter_where(types: dict[str, str], filters: Any, key: str = "filters") -> tuple[list[str], list[Any]]:
    """SQL conditions (ANDed) and their parameters for CKAN's `filters`: {"col": value} is equality, a list
    of values is IN, {"col": {"gte": 1, "lt": 5}} compares (CKAN 2.12); text columns compare as text, other
    columns as their type. `types` maps every column (with _id) to its DataStore type."""
    if not isinstance(filters, dict):
        message = "filters must be either a dict or null."
        raise WriteError(message, errors={key: [message]})
    clauses: list[str] = []
    params: list[Any] = []
    for name, value in filters.items():
        if name not in types:
            message = f'invalid value "{name}"'
            raise WriteError(f"There is no column {name!r}.", errors={key: [message]})
        kind = types[name]
        if isinstance(value, dict):
            parts = []
            for op, operand in value.items():
                if op not in FILTER_OPS or isinstance(operand, dict | list):
                    message = f"Unknown filter operation: {op!r}"
                    raise WriteError(message, errors={key: [message]})
                sql, values = _comparison(name, kind, FILTER_OPS[op], operand)
                parts.append(sql)
                params += values
            clauses.append("(" + " AND ".join(parts or ["TRUE"]) + ")")
            continue
        items = value if isinstance(value, list) else [value]
        if any(isinstance(v, dict | list) for v in items):
            message = f'invalid value "{name}"'
            raise WriteError(
                f"Filter on {name!r}: give a value or a list of values.", errors={key: [message]}
            )
        if not items:
            clauses.append("FALSE")
            continue
        parts = []
        for item in items:
            sql, values = _comparison(name, kind, "=", item)
            parts.append(sql)
            params += values
        clauses.append("(" + " OR ".join(parts) + ")")
    return clauses, params


def column_types(row: DatastoreTable) -> dict[str, str]:
    return {ROW_ID: "integer", **{f["id"]: f["type"] for f in row.fields}}


# ---------------------------------------------------------------- create


@dataclass
class _Plan:
    """What datastore_create will do to the table."""

    columns: list[dict[str, Any]]  # the table's columns afterwards, in order
    added: list[dict[str, Any]]
    dropped: list[str]
    echo: list[dict[str, Any]]  # the fields as sent, guessed types filled in


def _plan(
    fields: list[NewField], records: list[Any], current: list[dict[str, Any]], delete_fields: bool
) -> _Plan:
    first = records[0] if records else {}
    if records and not isinstance(first, dict):
        message = "The first row is not a json object"
        raise WriteError(message, errors={"records": [message]}, row=0)
    known = {c["id"] for c in current}
    added: list[dict[str, Any]] = []
    echo: list[dict[str, Any]] = []
    for f in fields:
        given = {"id": f.id, **({"type": f.type} if f.type else {}), **({"info": f.info} if f.info else {})}
        if f.id in known:
            echo.append(given)
            continue
        name = f.type
        if not name:
            if f.id not in first:
                message = f'"{f.id}" type not guessable'
                raise WriteError(message, errors={"fields": [message]})
            name = guess_type(first[f.id])
            given["type"] = name
        echo.append(given)
        reported = reported_type(name) or "text"
        added.append({"id": f.id, "type": _our_type(reported), "ckan_type": reported})
    listed = {f.id for f in fields}
    for key, value in first.items():
        if key not in listed and key not in known:
            reported = reported_type(guess_type(value)) or "text"
            added.append({"id": _check_name(key), "type": _our_type(reported), "ckan_type": reported})
    dropped = [c["id"] for c in current if c["id"] not in listed] if delete_fields and fields else []
    columns = [c for c in current if c["id"] not in dropped] + added
    return _Plan(columns, added, dropped, echo)


def _dictionary(
    dictionary: dict[str, Any], fields: list[NewField], columns: list[dict[str, Any]], lang: str
) -> dict[str, Any]:
    """The data dictionary with the labels (info.label) and descriptions (info.notes) sent, in `lang`."""
    result = {k: v for k, v in (dictionary or {}).items() if k in {c["id"] for c in columns}}
    for f in fields:
        if not f.info:
            continue
        entry = dict(result.get(f.id) or {})
        for ckan_key, ours in (("label", "label"), ("notes", "description")):
            if isinstance(f.info.get(ckan_key), str):
                texts = dict(entry.get(ours) or {})
                texts[lang] = f.info[ckan_key].strip()
                entry[ours] = {k: v for k, v in texts.items() if v}
        result[f.id] = {k: v for k, v in entry.items() if v}
    return {k: v for k, v in result.items() if v}


def create_table(
    session: Session,
    actor: Actor,
    duck: DuckStore,
    resource_id: str,
    fields: list[NewField],
    records: Any = None,
    *,
    primary_key: list[str] | None = None,
    delete_fields: bool = False,
    force: bool = False,
    lang: str = "en",
) -> list[dict[str, Any]]:
    """Create the resource's table, or add (and with delete_fields drop) columns of the existing one, then
    append `records`. Existing columns keep their type. Returns the fields as sent, guessed types filled
    in."""
    _dataset, resource, row = _target(session, actor, resource_id, force)
    records = _records(records)
    _check_fields(fields)
    existing = row if row is not None and row.status == "loaded" else None
    plan = _plan(fields, records, list(existing.fields) if existing else [], delete_fields)
    keys = list(primary_key) if primary_key is not None else list(existing.primary_key if existing else [])
    if missing := [k for k in keys if k not in {c["id"] for c in plan.columns}]:
        message = f'The field "{missing[0]}" is not a valid column name.'
        raise WriteError(message, errors={"index": [message]})
    rows = [_row_values(r, i, plan.columns) for i, r in enumerate(records)]
    table = existing.table_name if existing else "t_" + uuid.uuid4().hex
    stale = row.table_name if row is not None and existing is None else None
    rekey = existing is None or bool(plan.added or plan.dropped) or keys != list(existing.primary_key or [])
    before = {"rows": existing.row_count, "columns": [c["id"] for c in existing.fields]} if existing else None
    with duck.writer() as cur, _Transaction(cur) as tx:
        if existing is None:
            columns_sql = "".join(f", {quoted(c['id'])} {DUCK_TYPES[c['type']]}" for c in plan.columns)
            cur.execute(f"CREATE TABLE {quoted(table)} ({quoted(ROW_ID)} BIGINT{columns_sql})")
        elif rekey:  # DuckDB alters no table that has an index: drop it, alter, build it again
            cur.execute(f"DROP INDEX IF EXISTS {quoted(table + '_pk')}")
        for column in plan.added if existing else []:
            cur.execute(
                f"ALTER TABLE {quoted(table)} ADD COLUMN {quoted(column['id'])} {DUCK_TYPES[column['type']]}"
            )
        for name in plan.dropped:
            cur.execute(f"ALTER TABLE {quoted(table)} DROP COLUMN {quoted(name)}")
        _ensure_sequence(cur, table)
        _insert(cur, table, plan.columns, rows)
        if keys and rekey:
            key_sql = ", ".join(quoted(k) for k in keys)
            cur.execute(f"CREATE UNIQUE INDEX {quoted(table + '_pk')} ON {quoted(table)} ({key_sql})")
        target = row or DatastoreTable(resource_id=resource.id)
        target.table_name, target.sha256, target.fields = table, target.sha256 or "", plan.columns
        target.row_count = _count(cur, f"SELECT count(*) FROM {quoted(table)}")
        target.primary_key, target.status, target.error = keys, "loaded", ""
        target.dictionary = _dictionary(dict(target.dictionary or {}), fields, plan.columns, lang)
        if existing is None:
            target.source, target.loaded_at, target.encoding, target.delimiter = "api", utcnow(), "", ""
            target.reading, target.report = {}, {}
        session.add(target)
        after = {"rows": target.row_count, "columns": [c["id"] for c in plan.columns], "primary_key": keys}
        audit.record(session, actor, "datastore.create", "resource", resource.id, before, after)
        events.publish(events.TABLE_WRITTEN, session, actor=actor, resource_id=resource.id)
        session.flush()
        tx.commit()
    session.commit()
    if stale and stale != table:
        _drop(duck, stale)
    return plan.echo


# ---------------------------------------------------------------- upsert


def _check_key(record: dict[str, Any], index: int, keys: list[str]) -> None:
    if ROW_ID in record:
        return
    if not keys:
        message = "unique key must be passed for update/upsert"
        raise WriteError(message, errors={"table": [message]}, row=index)
    if missing := [k for k in keys if k not in record]:
        message = f'fields "{", ".join(missing)}" are missing but needed as key'
        raise WriteError(message, errors={"key": [message]}, row=index)


def _match(
    record: dict[str, Any], index: int, keys: list[str], values: dict[str, Any]
) -> list[tuple[str, Any]]:
    if ROW_ID not in record:
        return [(k, values[k]) for k in keys]
    try:
        return [(ROW_ID, _to_int(record[ROW_ID]))]
    except ValueError:
        message = f'row "{index + 1}": invalid input for type int in column "_id"'
        raise WriteError(message, errors={"records": [message]}, row=index) from None


@dataclass(frozen=True)
class _Change:
    """One record of an update/upsert, checked and converted."""

    index: int
    columns: tuple[str, ...]  # the columns sent (without _id), in table order
    values: tuple[Any, ...]  # their converted values
    match: tuple[tuple[str, Any], ...]  # (column, value) that find the row: _id, or the primary key

    @property
    def shape(self) -> tuple[tuple[str, ...], tuple[str, ...]]:
        return self.columns, tuple(name for name, _ in self.match)

    @property
    def key(self) -> tuple[Any, ...]:
        return tuple(value for _, value in self.match)


def _change(row: DatastoreTable, record: Any, index: int) -> _Change:
    if not isinstance(record, dict):
        raise _not_object(index)
    keys = list(row.primary_key or [])
    _check_key(record, index, keys)
    if unknown := [str(k) for k in record if k != ROW_ID and k not in {c["id"] for c in row.fields}]:
        message = f'fields "{", ".join(unknown)}" do not exist'
        raise WriteError(message, errors={"fields": [message]}, row=index)
    columns = [c for c in row.fields if c["id"] in record]
    converted = _row_values(record, index, columns, extra_keys_error=False)
    values = dict(zip([c["id"] for c in columns], converted, strict=True))
    match = _match(record, index, keys, values)
    return _Change(index, tuple(values), tuple(converted), tuple(match))


def _staged(columns: list[tuple[str, str]]) -> str:
    """A row source of parameter lists side by side: SELECT unnest(?) AS s0, unnest(?) AS s1, ..."""
    return "SELECT " + ", ".join(
        f"unnest(CAST(? AS {DUCK_TYPES[kind]}[])) AS s{i}" for i, (_name, kind) in enumerate(columns)
    )


def _apply(cur: duckdb.DuckDBPyConnection, row: DatastoreTable, changes: list[_Change], method: str) -> None:
    """Apply changes of one shape whose keys differ: update the rows found, insert (upsert) the others."""
    types = column_types(row)
    table = quoted(row.table_name)
    match = [(name, types[name]) for name in changes[0].shape[1]]
    on = " AND ".join(f"{table}.{quoted(name)} = s.s{i}" for i, (name, _kind) in enumerate(match))
    keys = [[c.key[i] for c in changes] for i in range(len(match))]
    joined = cur.execute(f"SELECT s.* FROM ({_staged(match)}) AS s JOIN {table} ON {on}", keys)
    found = {tuple(r) for r in joined.fetchall()}
    missing = [c for c in changes if c.key not in found]
    if missing and method == "update":
        shown = json.dumps(dict(missing[0].match), ensure_ascii=False, default=str)
        message = f'key "{shown}" not found'
        raise WriteError(message, errors={"key": [message]}, row=missing[0].index)
    columns = list(changes[0].columns)
    changed = [(i, name) for i, name in enumerate(columns) if name not in changes[0].shape[1]]
    updates = [c for c in changes if c.key in found]
    if updates and changed:
        staged = _staged(match + [(name, types[name]) for _i, name in changed])
        sets = ", ".join(f"{quoted(name)} = s.s{len(match) + j}" for j, (_i, name) in enumerate(changed))
        params = [[c.key[i] for c in updates] for i in range(len(match))]
        params += [[c.values[i] for c in updates] for i, _name in changed]
        cur.execute(f"UPDATE {table} SET {sets} FROM ({staged}) AS s WHERE {on}", params)
    if missing:
        fields = [f for f in row.fields if f["id"] in columns]
        _insert(cur, row.table_name, fields, [list(c.values) for c in missing])


def _upsert(cur: duckdb.DuckDBPyConnection, row: DatastoreTable, records: list[Any], method: str) -> None:
    """CKAN's update/upsert, record by record in effect: each is matched by `_id` or the primary key and
    changes only the columns it sends. Runs of records of one shape with distinct keys go in together."""
    batch: list[_Change] = []
    keys: set[tuple[Any, ...]] = set()
    for index, record in enumerate(records):
        change = _change(row, record, index)
        if batch and (change.shape != batch[0].shape or change.key in keys):
            _apply(cur, row, batch, method)
            batch, keys = [], set()
        batch.append(change)
        keys.add(change.key)
    if batch:
        _apply(cur, row, batch, method)


def upsert_records(
    session: Session,
    actor: Actor,
    duck: DuckStore,
    resource_id: str,
    records: Any,
    *,
    method: str = "upsert",
    force: bool = False,
    dry_run: bool = False,
) -> int:
    """Insert, update or upsert `records` (CKAN's datastore_upsert) in one transaction; with dry_run
    everything is checked and then rolled back. Returns the table's row count afterwards."""
    if method not in METHODS:
        message = f"Value must be one of {list(METHODS)}"
        raise WriteError(message, errors={"method": [message]})
    _dataset, resource, found = _target(session, actor, resource_id, force)
    row = _loaded(found, resource_id)
    records = _records(records)
    before = {"rows": row.row_count}
    with duck.writer() as cur, _Transaction(cur) as tx:
        _ensure_sequence(cur, row.table_name)
        if method == "insert":
            _insert(
                cur,
                row.table_name,
                row.fields,
                [_row_values(r, i, row.fields) for i, r in enumerate(records)],
            )
        else:
            _upsert(cur, row, records, method)
        count = _count(cur, f"SELECT count(*) FROM {quoted(row.table_name)}")
        if dry_run:
            tx.rollback()
            return count
        row.row_count = count
        after = {"rows": count, "method": method, "records": len(records)}
        audit.record(session, actor, "datastore.upsert", "resource", resource.id, before, after)
        events.publish(events.TABLE_WRITTEN, session, actor=actor, resource_id=resource.id)
        session.flush()
        tx.commit()
    session.commit()
    return count


# ---------------------------------------------------------------- delete


def delete_records(
    session: Session,
    actor: Actor,
    duck: DuckStore,
    resource_id: str,
    filters: Any,
    *,
    force: bool = False,
) -> int:
    """Delete the rows matching CKAN's `filters` ({} deletes every row; the table stays). Returns how many."""
    _dataset, resource, found = _target(session, actor, resource_id, force)
    row = _loaded(found, resource_id)
    clauses, params = filter_where(column_types(row), filters)
    where = (" WHERE " + " AND ".join(clauses)) if clauses else ""
    before = {"rows": row.row_count}
    with duck.writer() as cur, _Transaction(cur) as tx:
        try:
            deleted = _count(cur, f"DELETE FROM {quoted(row.table_name)}{where}", params)
        except duckdb.Error as exc:  # a filter value that is no value of the column's type
            text = str(exc).splitlines()[0]
            raise WriteError(f"The filters cannot be applied: {text}", errors={"filters": [text]}) from exc
        row.row_count = _count(cur, f"SELECT count(*) FROM {quoted(row.table_name)}")
        after = {"rows": row.row_count, "deleted": deleted, "filters": filters}
        audit.record(session, actor, "datastore.delete_records", "resource", resource.id, before, after)
        session.flush()
        tx.commit()
    session.commit()
    return deleted


def _drop(duck: DuckStore, table: str) -> None:
    with duck.writer() as cur:
        cur.execute(f"DROP TABLE IF EXISTS {quoted(table)}")
        cur.execute(f"DROP SEQUENCE IF EXISTS {quoted(_sequence(table))}")


def delete_table(
    session: Session, actor: Actor, duck: DuckStore, resource_id: str, *, force: bool = False
) -> None:
    """Drop the resource's table (CKAN's datastore_delete without filters): it has no DataStore data after."""
    _dataset, resource, found = _target(session, actor, resource_id, force)
    row = _loaded(found, resource_id)
    table = row.table_name
    before = {"rows": row.row_count, "columns": [c["id"] for c in row.fields]}
    audit.record(session, actor, "datastore.delete", "resource", resource.id, before, None)
    session.delete(row)
    session.commit()  # from here on nothing queries the table; dropping it can only leave an orphan
    _drop(duck, table)
