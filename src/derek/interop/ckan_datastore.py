"""CKAN's DataStore actions (CKAN 2.11): datastore_search, _info, _search_sql, _create, _upsert, _delete and
_records_delete, over Derek's DuckDB DataStore.

Reads: tables of resources the caller may see; any other id (unknown, private to others, or without a
table) is 404 `Resource "<id>" was not found.` (private ones too, as in the rest of Derek's CKAN layer, so
their existence does not leak; CKAN answers 403 there). `_id` comes first, typed `int`; other columns report
PostgreSQL's type names (the name given to datastore_create when the table was made through the API,
int8/float8/text/date/time/timestamp/bool for a loaded file) and `info` {label, notes} from the data
dictionary in the portal's language. Filters compare text columns as text and other columns as their
type; `q`/`full_text` find every word (any case, anywhere in a value) and add a `rank` column (how often
the words occur), sorted by it when no `sort` is given.

Writes (POST only) go through derek.datastore.writes: one transaction per call, a table loaded from a file
is read-only unless `force`, `datastore_create` with `resource` makes a url_type "datastore" resource.
datastore_search_sql runs in the SQL sandbox and exists only while the DEREK_DATASTORE_SQL setting is on.
"""

from __future__ import annotations

import decimal
import json
import math
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode

import duckdb

from derek.catalog import service as catalog
from derek.catalog.schemas import ResourceCreate
from derek.config import Settings
from derek.core.errors import Forbidden, Invalid, NotFound
from derek.core.i18n import pick
from derek.datastore import (
    NewField,
    WriteError,
    ckan_type,
    column_types,
    create_table,
    delete_records,
    delete_table,
    filter_where,
    holds_json,
    native_type,
    run_sql,
    upsert_records,
)
from derek.datastore.service import DatastoreTable, quoted
from derek.interop.ckan_actions import Call, ValidationError, action, as_bool
from derek.interop.ckan_dicts import resource_values
from derek.interop.ckan_reads import resource_in_package

ROW_ID = "_id"
ROWS_DEFAULT, ROWS_MAX = 100, 32000
RECORDS_FORMATS = ("objects", "lists", "csv", "tsv")
SORT_CLAUSE = re.compile(r"^(.+?)(?: +(asc|desc))?(?: +nulls +(first|last))? *$", re.IGNORECASE)
TEXT = "__derek_text"  # the words of a row, lower case (a hidden column of the query)
WORDS_MAX = 32
# The SQL sandbox's type names -> PostgreSQL's, as datastore_search_sql reports them.
SQL_TYPES = {
    "integer": "int8",
    "number": "float8",
    "text": "text",
    "date": "date",
    "datetime": "timestamp",
    "time": "time",
    "boolean": "bool",
    "json": "json",
    "interval": "interval",
    "binary": "bytea",
}


def _not_found(resource_id: str, what: str = "Resource") -> NotFound:
    return NotFound(f'{what} "{resource_id}" was not found.')


@contextmanager
def _ckan_errors() -> Iterator[None]:
    """A refused write as CKAN shapes it: field errors, plus records_row and info where CKAN gives them."""
    try:
        yield
    except WriteError as exc:
        errors: dict[str, Any] = dict(exc.errors)
        if exc.row is not None and "records" in errors:
            errors["records_row"] = exc.row
        if exc.info:
            errors["info"] = exc.info
        raise ValidationError(errors) from None


# ---------------------------------------------------------------- parameters


def _json_value(call: Call, key: str) -> Any:
    """A parameter that may come as JSON text (GET, a form, `ckanapi action ... key=...`)."""
    value = call.data.get(key)
    if isinstance(value, list) and value and all(isinstance(v, str) for v in value) and key != "records":
        value = value[-1]  # a key repeated in a query string
    if isinstance(value, str) and value.strip()[:1] in ("{", "["):
        try:
            return json.loads(value)
        except ValueError:
            raise ValidationError({key: ["Could not parse as valid JSON"]}) from None
    return value


def _dict_param(call: Call, key: str) -> dict[str, Any] | None:
    value = _json_value(call, key)
    if value in (None, ""):
        return None
    if not isinstance(value, dict):
        raise ValidationError({key: ["Not a dict"]})
    return value


def _names(value: Any, key: str) -> list[str] | None:
    """CKAN's list parameters: a list, JSON text of one, or a comma-separated string."""
    if value is None:
        return None
    if isinstance(value, str):
        if value.strip().startswith("["):
            try:
                value = json.loads(value)
            except ValueError:
                raise ValidationError({key: ["Could not parse as valid JSON"]}) from None
        else:
            value = value.split(",")
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValidationError({key: ["Not a list of strings"]})
    return [v.strip() for v in value if v.strip()]


def _q(call: Call) -> str | dict[str, Any] | None:
    """CKAN's unicode_or_json_validator: a JSON object is a dict (words per column), anything else text."""
    value = call.data.get("q")
    if value is None or value == "":
        return None
    if isinstance(value, dict):
        return value
    text = str(value[-1] if isinstance(value, list) and value else value)
    try:
        parsed = json.loads(text)
    except ValueError:
        return text
    return parsed if isinstance(parsed, dict) else text


def _words(text: Any) -> list[str]:
    return re.findall(r"\w+", str(text).lower())[:WORDS_MAX]


# ---------------------------------------------------------------- the table and its fields


def _readable_table(call: Call, resource_id: str, what: str = "Resource") -> DatastoreTable:
    """The DataStore table of a resource the caller may see; 404 for anything else."""
    try:
        catalog.get_content(call.session, call.actor, resource_id)  # Forbidden while a gate holds it back
    except NotFound:
        raise _not_found(resource_id, what) from None
    row = call.session.get(DatastoreTable, resource_id)
    if row is None or row.status != "loaded":
        raise _not_found(resource_id, what)
    return row


def _info(row: DatastoreTable, name: str, lang: str) -> dict[str, str]:
    """CKAN's `info` of a column from the data dictionary: label and notes in the caller's language."""
    entry = (row.dictionary or {}).get(name) or {}
    info = {}
    for ours, theirs in (("label", "label"), ("description", "notes")):
        value = entry.get(ours)
        text = value if isinstance(value, str) else pick(value, lang)
        if text:
            info[theirs] = text
    return info


def _ckan_fields(row: DatastoreTable, lang: str) -> list[dict[str, Any]]:
    fields: list[dict[str, Any]] = [{"id": ROW_ID, "type": "int"}]
    for f in row.fields:
        entry: dict[str, Any] = {"id": f["id"], "type": ckan_type(f)}
        if info := _info(row, f["id"], lang):
            entry["info"] = info
        fields.append(entry)
    return fields


def _scrubbed(message: str, row: DatastoreTable) -> str:
    return message.replace(row.table_name, row.resource_id).splitlines()[0] if message else "error"


# ---------------------------------------------------------------- datastore_search


@dataclass
class _Search:
    """A datastore_search turned into SQL over one table."""

    row: DatastoreTable
    reported: dict[str, str]  # column -> CKAN type, _id and rank columns included
    types: dict[str, str]  # column -> DataStore type, _id included
    chosen: list[str] = field(default_factory=list)
    rank_sql: list[str] = field(default_factory=list)  # "<expr> AS <alias>"
    rank_params: list[Any] = field(default_factory=list)
    where: list[str] = field(default_factory=list)
    where_params: list[Any] = field(default_factory=list)
    order: list[str] = field(default_factory=list)
    needs_text: bool = False
    distinct: bool = False

    def inner(self) -> str:
        data = [quoted(f["id"]) for f in self.row.fields]
        source = quoted(self.row.table_name)
        if self.needs_text:
            words = (
                "lower(concat_ws(' ', " + ", ".join(f"CAST({c} AS VARCHAR)" for c in data) + "))"
                if data
                else "''"
            )
            source = f"(SELECT *, {words} AS {quoted(TEXT)} FROM {source}) AS b"
        ranks = "".join(", " + r for r in self.rank_sql)
        where = (" WHERE " + " AND ".join(self.where)) if self.where else ""
        return f"SELECT *{ranks} FROM {source}{where}"

    def select(self) -> str:
        columns = ", ".join(quoted(n) for n in self.chosen)
        return f"SELECT {'DISTINCT ' if self.distinct else ''}{columns} FROM ({self.inner()}) AS r"

    @property
    def params(self) -> list[Any]:
        return self.rank_params + self.where_params


def _occurrences(text_sql: str) -> str:
    return f"CAST(length({text_sql}) - length(replace({text_sql}, ?, '')) AS DOUBLE) / length(?)"


def _add_words(search: _Search, words: list[str], column: str | None) -> None:
    """Rows must hold every word; the rank column counts how often they occur."""
    text_sql = quoted(TEXT) if column is None else f"lower(CAST({quoted(column)} AS VARCHAR))"
    alias = "rank" if column is None else f"rank {column}"
    if column is None:
        search.needs_text = True
    rank = " + ".join(_occurrences(text_sql) for _ in words) or "0.0"
    search.rank_sql.append(f"CAST({rank} AS DOUBLE) AS {quoted(alias)}")
    search.rank_params += [w for word in words for w in (word, word)]
    search.reported[alias] = "float"
    for word in words:
        search.where.append(f"contains({text_sql}, ?)")
        search.where_params.append(word)


def _text_search(search: _Search, q: str | dict[str, Any] | None, full_text: str | None) -> None:
    if isinstance(q, dict):
        for column in q:
            if column not in search.types:
                raise ValidationError({"q": [f'invalid value "{column}"']})
    everywhere = full_text if full_text else (q if isinstance(q, str) else None)
    if everywhere is not None and str(everywhere).strip():
        _add_words(search, _words(everywhere), None)
    for column, term in (q or {}).items() if isinstance(q, dict) else ():
        _add_words(search, _words(term), column)


def _choose(search: _Search, fields: list[str] | None) -> None:
    known = list(search.reported)
    for name in fields or []:
        if name not in search.reported:
            raise ValidationError({"fields": [f'invalid value "{name}"']})
    search.chosen = list(fields) if fields else known


def _order(search: _Search, sort: list[str] | None) -> None:
    keys: list[tuple[str, str]] = []
    for clause in sort or []:
        found = SORT_CLAUSE.match(clause.strip())
        name = found.group(1).strip() if found else ""
        if len(name) > 1 and name[0] == name[-1] == '"':
            name = name[1:-1]
        if not found or name not in search.reported:
            raise ValidationError({"sort": [f'invalid value "{clause}"']})
        direction = (found.group(2) or "asc").upper()
        nulls = (found.group(3) or ("last" if direction == "ASC" else "first")).upper()  # PostgreSQL's
        keys.append((name, f"{quoted(name)} {direction} NULLS {nulls}"))
    if not keys:
        ranks = [n for n, t in search.reported.items() if t == "float" and n.startswith("rank")]
        keys = [
            (n, f"{quoted(n)} DESC NULLS LAST") for n in ranks if n in search.chosen or not search.distinct
        ]
    if search.distinct:
        if not keys:  # an order all the same, so that pages do not overlap
            keys = [(n, f"{quoted(n)} ASC NULLS LAST") for n in search.chosen]
    elif ROW_ID not in [n for n, _ in keys]:
        keys.append((ROW_ID, f"{quoted(ROW_ID)} ASC"))
    search.order = [sql for _, sql in keys]


def _formatter(reported: str) -> Callable[[Any], Any]:
    def value(v: Any) -> Any:
        if v is None:
            return None
        if reported in ("timestamp", "timestamptz"):
            return v.strftime("%Y-%m-%dT%H:%M:%S")
        if hasattr(v, "isoformat"):
            return v.isoformat()
        if holds_json(reported) and isinstance(v, str):
            try:
                return json.loads(v)
            except ValueError:
                return v
        if isinstance(v, decimal.Decimal):
            v = float(v)
        return None if isinstance(v, float) and not math.isfinite(v) else v

    return value


def _csv_cell(value: Any, delimiter: str) -> str:
    """One value as PostgreSQL's COPY ... csv writes it (NULL empty, "" quoted, booleans t/f)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, dict | list):
        value = json.dumps(value, ensure_ascii=False)
    text = str(value)
    if text == "" or any(c in text for c in (delimiter, '"', "\n", "\r")) or text == "\\.":
        return '"' + text.replace('"', '""') + '"'
    return text


def _records(rows: list[tuple[Any, ...]], names: list[str], fmt: str) -> Any:
    if fmt == "objects":
        return [dict(zip(names, r, strict=True)) for r in rows]
    if fmt == "lists":
        return [list(r) for r in rows]
    delimiter = "," if fmt == "csv" else "\t"
    return "".join(delimiter.join(_csv_cell(v, delimiter) for v in r) + "\n" for r in rows)


def _links(call: Call, limit: int, offset: int) -> dict[str, str]:
    """CKAN 2.11's _links: the request's path and query, with offset moved (no prev back to offset 0)."""
    arguments = dict(parse_qsl(call.query_string))
    start = {k: v for k, v in arguments.items() if k != "offset"}

    def url(args: dict[str, Any]) -> str:
        return call.path + ("?" + urlencode(args) if args else "")

    links = {"start": url(start), "next": url({**arguments, "offset": offset + limit})}
    if offset - limit > 0:
        links["prev"] = url({**arguments, "offset": offset - limit})
    return links


def _echo(call: Call, q: Any, filters: Any, sort: Any) -> dict[str, Any]:
    """The optional parameters given, echoed back as CKAN does."""
    echo: dict[str, Any] = {}
    if call.data.get("offset") not in (None, ""):
        echo["offset"] = call.natural("offset", 0)
    if filters is not None:
        echo["filters"] = filters
    if q is not None:
        echo["q"] = q
    for key in ("full_text", "language"):
        if call.data.get(key) not in (None, ""):
            echo[key] = call.text(key)
    for key in ("plain", "distinct"):
        if call.data.get(key) is not None:
            echo[key] = call.flag(key)
    if sort is not None:
        echo["sort"] = call.data.get("sort")
    return echo


def _run_search(
    call: Call, search: _Search, limit: int, offset: int, include_total: bool
) -> tuple[list[tuple[Any, ...]], int | None]:
    sql = search.select() + (" ORDER BY " + ", ".join(search.order) if search.order else "")
    with call.duck.cursor() as cur:
        try:
            rows = cur.execute(f"{sql} LIMIT ? OFFSET ?", [*search.params, limit, offset]).fetchall()
            total = None
            if include_total:
                if not search.where and not search.distinct:
                    total = search.row.row_count  # kept exact by every load and write
                else:
                    found = cur.execute(f"SELECT count(*) FROM ({search.select()}) AS c", search.params)
                    total = int((found.fetchone() or (0,))[0])
        except duckdb.Error as exc:
            orig = _scrubbed(str(exc), search.row)
            raise ValidationError({"query": ["Invalid query"], "info": {"orig": [orig]}}) from None
    return rows, total


@action("datastore_search", read=True)
def datastore_search(call: Call) -> dict[str, Any]:
    """Rows of a resource's DataStore table: `resource_id`, `filters`, `q`, `full_text`, `distinct`,
    `fields`, `sort`, `limit` (100, at most 32000), `offset`, `include_total`, `records_format`
    (objects, lists, csv, tsv)."""
    resource_id = str(call.required("resource_id", "id"))
    limit = min(call.natural("limit", ROWS_DEFAULT) or 0, ROWS_MAX)
    offset = call.natural("offset", 0) or 0
    records_format = call.text("records_format", "objects") or "objects"
    if records_format not in RECORDS_FORMATS:
        raise ValidationError({"records_format": [f"Value must be one of {list(RECORDS_FORMATS)}"]})
    include_total = call.flag("include_total", True)
    threshold = call.natural("total_estimation_threshold")
    filters, q = _dict_param(call, "filters"), _q(call)
    fields, sort = _names(call.data.get("fields"), "fields"), _names(call.data.get("sort"), "sort")
    full_text = call.text("full_text") or None
    call.flag("plain", True)  # accepted (and checked) as CKAN does; words are always matched as plain text
    row = _readable_table(call, resource_id)
    types = column_types(row)
    reported = {ROW_ID: "int", **{f["id"]: ckan_type(f) for f in row.fields}}
    search = _Search(row, reported, types, distinct=call.flag("distinct"))
    with _ckan_errors():
        search.where, search.where_params = filter_where(types, filters or {})
    _text_search(search, q, full_text)
    _choose(search, fields)
    _order(search, sort)
    rows, total = _run_search(call, search, limit, offset, include_total)
    formats = [_formatter(search.reported[n]) for n in search.chosen]
    values = [tuple(f(v) for f, v in zip(formats, r, strict=True)) for r in rows]
    info = {f["id"]: f for f in _ckan_fields(row, call.lang)}
    result: dict[str, Any] = {
        "include_total": include_total,
        "limit": limit,
        "records_format": records_format,
        "resource_id": resource_id,
        "total_estimation_threshold": threshold,
        **_echo(call, q, filters, sort),
        "fields": [info.get(n) or {"id": n, "type": search.reported[n]} for n in search.chosen],
        "records": _records(values, search.chosen, records_format),
        "_links": _links(call, limit, offset),
    }
    if include_total:
        result["total"], result["total_was_estimated"] = total, False
    return result


# ---------------------------------------------------------------- datastore_info


def _sizes(call: Call, row: DatastoreTable) -> tuple[int, int, int]:
    """Rows; bytes of the table (its blocks on disk, or an estimate while it lives in the write-ahead log);
    bytes of the DataStore's files."""
    with call.duck.cursor() as cur:
        found = cur.execute(f"SELECT count(*) FROM {quoted(row.table_name)}").fetchone()
        database = cur.execute("SELECT block_size FROM pragma_database_size()").fetchone()
        try:
            blocks = cur.execute(
                "SELECT count(DISTINCT block_id) FROM pragma_storage_info(?) WHERE persistent",
                [row.table_name],
            ).fetchone()
        except duckdb.Error:
            blocks = None
    count = int(found[0]) if found else 0
    size = int(blocks[0]) * int(database[0]) if blocks and database else 0
    path = getattr(call.duck, "path", None)
    files = [path, path.with_name(path.name + ".wal")] if isinstance(path, Path) else []
    db_size = sum(f.stat().st_size for f in files if f.exists())
    return count, size or count * (len(row.fields) + 1) * 8, db_size


@action("datastore_info", read=True)
def datastore_info(call: Call) -> dict[str, Any]:
    """A DataStore table's size and row count (`meta`) and its columns with their data dictionary."""
    resource_id = str(call.required("resource_id", "id"))
    row = _readable_table(call, resource_id, "Resource/Alias")
    count, size, db_size = _sizes(call, row)
    keys = list(row.primary_key or [])
    fields = []
    for f in _ckan_fields(row, call.lang)[1:]:
        indexed = f["id"] in keys
        f["schema"] = {
            "native_type": native_type(f["type"]),
            "notnull": False,
            "index_name": f"{row.resource_id}_pkey" if indexed else None,
            "is_index": indexed,
            "uniquekey": indexed,
        }
        fields.append(f)
    meta = {
        "id": row.resource_id,
        "count": count,
        "table_type": "BASE TABLE",
        "size": size,
        "db_size": db_size,
        "idx_size": 0,
        "aliases": [],
    }
    return {"meta": meta, "fields": fields}


# ---------------------------------------------------------------- datastore_search_sql


def _sql_enabled(settings: Settings) -> bool:
    return bool(getattr(settings, "datastore_sql", True))


def _sql_error(exc: Invalid | NotFound) -> Exception:
    """The sandbox's refusals as CKAN's: what the sandbox forbids is 403, a query that cannot run 409."""
    detail = next(iter(exc.errors.get("sql") or []), "")
    if isinstance(exc, Invalid) and re.search(r"\bnot (allowed|available)\b", exc.message):
        return Forbidden(exc.message)
    return ValidationError({"query": [exc.message], **({"info": {"orig": [detail]}} if detail else {})})


@action("datastore_search_sql", read=True, enabled=_sql_enabled)
def datastore_search_sql(call: Call) -> dict[str, Any]:
    """One read-only SELECT over DataStore tables named by resource id in double quotes:
    SELECT * FROM "<resource id>" (checked by the SQL sandbox; at most 32000 records)."""
    sql = str(call.required("sql"))
    try:
        found = run_sql(call.session, call.actor, call.duck, sql)
    except (Invalid, NotFound) as exc:
        raise _sql_error(exc) from None
    result: dict[str, Any] = {
        "sql": sql,
        "fields": [{"id": f["id"], "type": SQL_TYPES.get(f["type"], f["type"])} for f in found.fields],
        "records": found.records,
    }
    if found.records_truncated:
        result["records_truncated"] = True
    return result


# ---------------------------------------------------------------- writes


def _new_fields(value: Any) -> list[NewField]:
    if value in (None, ""):
        return []
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            raise ValidationError({"fields": ["Could not parse as valid JSON"]}) from None
    if not isinstance(value, list) or not all(isinstance(f, dict) and "id" in f for f in value):
        raise ValidationError({"fields": ["Give a list of {id, type, info} objects."]})
    fields = []
    for f in value:
        info = f.get("info")
        if info is not None and not isinstance(info, dict):
            raise ValidationError({"fields": [f'info of "{f["id"]}" must be a dict']})
        fields.append(NewField(id=f["id"], type=str(f.get("type") or ""), info=info))
    return fields


def _unsupported(call: Call, *keys: str) -> None:
    for key in keys:
        value = call.data.get(key)
        if value if isinstance(value, list) else _names(value, key):
            raise ValidationError({key: [f"{key} are not supported by this portal's DataStore."]})


def _with_resource(call: Call, resource: Any) -> str | None:
    """Create the resource of datastore_create's `resource`: with a url it is fetched and loaded later
    (the result is then null, as CKAN's with DataPusher); else a url_type "datastore" resource."""
    if not isinstance(resource, dict):
        raise ValidationError({"resource": ["Not a dict"]})
    package_id = resource.get("package_id")
    if not package_id:
        raise ValidationError({"package_id": ["Missing value"]})
    data = ResourceCreate.model_validate(resource_values(resource, None, replace=False))
    if resource.get("url"):
        catalog.create_resource(call.session, call.actor, str(package_id), data)
        return None
    return catalog.create_resource(call.session, call.actor, str(package_id), data, datastore=True).id


@action("datastore_create", read=False)
def datastore_create(call: Call) -> dict[str, Any] | None:
    """Create (or extend) the DataStore table of `resource_id`, or of a new resource from `resource`
    ({package_id, name, ...}): `fields` [{id, type, info}], `records`, `primary_key`, `delete_fields`,
    `force` (needed unless the resource was made by datastore_create)."""
    resource = _json_value(call, "resource")
    resource_id = call.data.get("resource_id") or call.data.get("id")
    if resource and resource_id:
        raise ValidationError({"resource": ["resource cannot be used with resource_id"]})
    if not resource and not resource_id:
        raise ValidationError({"resource_id": ["resource_id or resource required"]})
    fields = _new_fields(_json_value(call, "fields"))
    records = _json_value(call, "records")
    primary_key = _names(call.data.get("primary_key"), "primary_key")
    _unsupported(call, "aliases", "triggers")
    force, delete_fields = call.flag("force"), call.flag("delete_fields")
    if resource:
        resource_id = _with_resource(call, resource)
        if resource_id is None:
            return None
    with _ckan_errors():
        echoed = create_table(
            call.session,
            call.actor,
            call.duck,
            str(resource_id),
            fields,
            records,
            primary_key=primary_key,
            delete_fields=delete_fields,
            force=force or bool(resource),
            lang=call.lang,
        )
    result: dict[str, Any] = {
        "resource_id": str(resource_id),
        "fields": echoed,
        "method": "insert",
        "delete_fields": delete_fields,
        "calculate_record_count": as_bool(call.data.get("calculate_record_count"), "calculate_record_count"),
    }
    if primary_key is not None:
        result["primary_key"] = primary_key
    if call.data.get("indexes") is not None:
        result["indexes"] = _names(call.data.get("indexes"), "indexes")
    if resource:
        result["resource"] = resource_in_package(call, str(resource_id))
    return result


@action("datastore_upsert", read=False)
def datastore_upsert(call: Call) -> dict[str, Any]:
    """Add or change rows of a DataStore table: `records`, `method` upsert (default), insert or update
    (matched by the primary key or `_id`), `dry_run` (check, then roll back), `force`."""
    resource_id = str(call.required("resource_id", "id"))
    records = _json_value(call, "records")
    method = call.text("method", "upsert") or "upsert"
    dry_run = call.flag("dry_run")
    with _ckan_errors():
        upsert_records(
            call.session,
            call.actor,
            call.duck,
            resource_id,
            records,
            method=method,
            force=call.flag("force"),
            dry_run=dry_run,
        )
    result: dict[str, Any] = {"resource_id": resource_id, "method": method, "records": records or []}
    if call.data.get("dry_run") is not None:
        result["dry_run"] = dry_run
    if call.data.get("calculate_record_count") is not None:
        result["calculate_record_count"] = call.flag("calculate_record_count")
    return result


def _delete(call: Call, filters: Any) -> dict[str, Any]:
    resource_id = str(call.required("resource_id", "id"))
    force = call.flag("force")
    with _ckan_errors():
        if filters is None:
            delete_table(call.session, call.actor, call.duck, resource_id, force=force)
        else:
            delete_records(call.session, call.actor, call.duck, resource_id, filters, force=force)
    return {"resource_id": resource_id, **({"filters": filters} if filters is not None else {})}


def _filters(call: Call) -> Any:
    filters = _json_value(call, "filters")
    if filters is not None and not isinstance(filters, dict):
        raise ValidationError({"filters": ["filters must be either a dict or null."]})
    return filters


@action("datastore_delete", read=False)
def datastore_delete(call: Call) -> dict[str, Any]:
    """Delete the rows matching `filters`, or without filters the whole table (the resource keeps its
    metadata; datastore_active becomes false). `force` for a table loaded from a file."""
    return _delete(call, _filters(call))


@action("datastore_records_delete", read=False)
def datastore_records_delete(call: Call) -> dict[str, Any]:
    """Delete the rows matching `filters` (required; {} deletes every row), keeping the table."""
    if call.data.get("filters") is None:
        raise ValidationError({"filters": ["Missing value"]})
    return _delete(call, _filters(call))
