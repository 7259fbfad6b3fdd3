"""Exports of a DataStore table (or of the rows a query selects) as CSV, TSV, JSON, XLSX or Parquet.

Framework-free: `open_export` checks that the actor may read the resource, builds the query with the same
builder as the search API (so a filter means the same everywhere) and refuses what cannot be written (too many
rows for a sheet) before anything is sent. What it returns carries a generator of byte chunks that does the
work lazily: it opens its own DuckDB cursor, fetches `BATCH_ROWS` rows at a time and writes them out, so
memory stays bounded whatever the table's size. DuckDB converts the cells (NaN to NULL, ISO dates, the formula
guard) and, for JSON, makes each record, so Python mostly moves text. Rows wanted in the default _id order
are read in _id ranges, so DuckDB never sorts the whole table at once. XLSX and Parquet are written to a
temporary file first (both formats need the whole file before they are readable), then streamed from disk and
deleted. A generator that never started holds nothing; one that started releases its cursor and temporary
files when it ends or is closed (the client went away), in its `finally`.

Spreadsheet safety: a text cell beginning with =, +, -, @, tab or carriage return is prefixed with a single
quote in CSV/TSV (OWASP's advice against formula injection); numbers of integer/number columns are written as
numbers, so -5 stays a number. XLSX cells are typed: text is written as a string cell (never a formula) and a
risky one also gets Excel's quote-prefix flag, so editing the cell in Excel does not turn it into a formula
either, while the value itself is kept unchanged.
"""

from __future__ import annotations

import csv
import datetime as dt
import decimal
import io
import json
import math
import re
import uuid
from collections.abc import Generator
from contextlib import closing, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import duckdb
import xlsxwriter
from sqlalchemy.orm import Session

from derek.catalog import service as catalog
from derek.core.authz import Actor
from derek.core.errors import Invalid
from derek.datastore import service
from derek.datastore.engine import DuckStore
from derek.datastore.query import ROW_ID, Spec, quoted

BATCH_ROWS = 5000  # rows fetched from DuckDB at a time
ID_SPAN = 50_000  # _id values per range when a table is read in _id order (see _Plan.unordered)
FILE_CHUNK = 1024 * 1024  # bytes read from a temporary file at a time
XLSX_MAX_ROWS = 1_048_575  # a sheet holds 1,048,576 rows, one of them the header
XLSX_MAX_COLUMNS = 16_384
XLSX_MAX_EXACT_INT = 10**15  # Excel keeps 15 significant digits; longer integers are written as text
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


Chunks = Generator[bytes, None, None]


@dataclass(frozen=True)
class Format:
    extension: str
    media_type: str


FORMATS: dict[str, Format] = {
    "csv": Format("csv", "text/csv; charset=utf-8"),
    "tsv": Format("tsv", "text/tab-separated-values; charset=utf-8"),
    "json": Format("json", "application/json"),
    "xlsx": Format("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "parquet": Format("parquet", "application/vnd.apache.parquet"),
}
# The column types as CKAN's DataStore names them, for the JSON of /datastore/dump.
CKAN_TYPES = {
    "integer": "int",
    "number": "numeric",
    "date": "date",
    "datetime": "timestamp",
    "time": "time",
    "boolean": "bool",
    "text": "text",
}


@dataclass
class Export:
    """A prepared export: what to call the file, how to label it, and its bytes (produced when iterated)."""

    resource_id: str
    filename: str  # with its extension
    ascii_filename: str  # for clients that do not read filename*
    media_type: str
    private: bool  # the resource is not public: caches must not share it
    chunks: Chunks


@dataclass(frozen=True)
class _Plan:
    sql: str  # the whole SELECT, ORDER BY (and LIMIT/OFFSET) included
    params: list[Any]
    columns: list[dict[str, Any]]  # the visible columns; the SELECT may carry hidden sort keys after them
    # The same SELECT without its ORDER BY "_id", when the rows are wanted in _id order and all of them:
    # they are then read in _id ranges, each sorted on its own, instead of sorting the whole table at once.
    unordered: str | None = None


def open_export(
    session: Session,
    actor: Actor,
    duck: DuckStore,
    tmp_dir: Path,
    resource_id: str,
    spec: Spec,
    fmt: str,
    *,
    bom: bool = False,
    limit: int | None = None,
    offset: int = 0,
    ckan: bool = False,
) -> Export:
    """Check access and the request, and return the export whose `chunks` stream the file.

    `tmp_dir` must be a directory DuckDB may write to (see `DuckStore.allowed_dirs`); Parquet and XLSX are
    built there. `ckan` selects CKAN's dump layout for JSON (fields with CKAN type names, records as lists).
    """
    fmt = fmt.lower()
    if fmt not in FORMATS:
        raise Invalid(
            f"Unknown export format {fmt!r}: use {', '.join(FORMATS)}.",
            errors={"format": [f"Unknown format {fmt!r}."]},
        )
    if spec.cursor:
        raise Invalid("An export has no pages: leave out cursor.", errors={"cursor": ["Not for exports."]})
    if (limit is not None and limit < 0) or offset < 0:
        raise Invalid("limit and offset cannot be negative.", errors={"limit": ["Must be 0 or more."]})
    dataset, resource = catalog.get_content(session, actor, resource_id)  # NotFound unless visible
    table, built = service.prepare(session, actor, resource_id, spec)
    plan = plan_for(built, limit, offset)

    if fmt == "xlsx":
        _check_fits_a_sheet(duck, table, built, spec, limit, offset)
    kind = FORMATS[fmt]
    chunks: Chunks
    if fmt in ("csv", "tsv"):
        chunks = _csv_chunks(duck, plan, "\t" if fmt == "tsv" else ",", bom)
    elif fmt == "json":
        chunks = _json_chunks(duck, plan, ckan)
    elif fmt == "xlsx":
        chunks = _xlsx_chunks(duck, plan, tmp_dir)
    else:
        chunks = _parquet_chunks(duck, plan, tmp_dir)
    return Export(
        resource_id=resource_id,
        filename=f"{_base_name(resource.name, resource_id)}.{kind.extension}",
        ascii_filename=f"{resource_id}.{kind.extension}",
        media_type=kind.media_type,
        private=dataset.private or dataset.state != "published",
        chunks=chunks,
    )


def plan_for(built: Any, limit: int | None = None, offset: int = 0) -> _Plan:
    """What to run for a built query: with LIMIT/OFFSET if asked; read in _id ranges when it wants every row
    in _id order (the default), which spares DuckDB sorting the whole table at once."""
    sql, params = built.select, list(built.params)
    if limit is not None:
        sql, params = f"{sql} LIMIT ? OFFSET ?", [*params, limit, offset]
    elif offset:
        sql, params = f"{sql} OFFSET ?", [*params, offset]
    by_id = f" ORDER BY {quoted(ROW_ID)} ASC NULLS LAST"
    ranged = limit is None and not offset and built.sort_keys == [(ROW_ID, False)] and sql.endswith(by_id)
    return _Plan(sql, params, list(built.columns), sql.removesuffix(by_id) if ranged else None)


def _check_fits_a_sheet(
    duck: DuckStore, table: Any, built: Any, spec: Spec, limit: int | None, offset: int
) -> None:
    if len(built.columns) > XLSX_MAX_COLUMNS:
        raise Invalid(
            f"A sheet holds at most {XLSX_MAX_COLUMNS:,} columns: choose fewer fields or use CSV or Parquet.",
            errors={"fields": ["Too many columns for XLSX."]},
        )
    if not built.where and not (spec.distinct or spec.group_by or spec.aggregates):
        total = int(table.row_count)
    else:
        with duck.cursor() as cur:
            found = cur.execute(built.count, built.where_params).fetchone()
        total = int(found[0]) if found else 0
    rows = max(total - offset, 0)
    if limit is not None:
        rows = min(rows, limit)
    if rows > XLSX_MAX_ROWS:
        raise Invalid(
            f"The export has {rows:,} rows and a sheet holds at most {XLSX_MAX_ROWS:,}: "
            f"use CSV or Parquet for more than {XLSX_MAX_ROWS:,} rows, or filter the rows.",
            errors={"format": ["Too many rows for XLSX."]},
        )


# ---------------------------------------------------------------- file names and headers


_UNSAFE = re.compile(r'[\x00-\x1f\x7f"\\/:*?<>|;]+')
_KNOWN_EXTENSIONS = re.compile(r"\.(csv|tsv|txt|json|xlsx|xls|ods|parquet)$", re.IGNORECASE)


def _base_name(name: str, fallback: str) -> str:
    """The resource's name made safe as a file name (without a tabular extension), or its id."""
    cleaned = _UNSAFE.sub("_", name or "").strip(" ._")
    cleaned = _KNOWN_EXTENSIONS.sub("", cleaned).strip(" ._")[:150]
    return cleaned or fallback


def content_disposition(filename: str, fallback: str) -> str:
    """RFC 6266 `attachment`: the name itself when it is plain ASCII; otherwise `fallback` (ASCII, e.g. the
    resource id) as `filename` for old clients and the exact name as RFC 8187 `filename*`."""
    if re.fullmatch(r"[\x20-\x7e]+", filename):
        return f'attachment; filename="{filename}"'
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


# ---------------------------------------------------------------- reading in batches


def _batches(
    duck: DuckStore, plan: _Plan, select: str = "*", select_params: tuple[Any, ...] = (), width: int = 0
) -> Generator[list[tuple[Any, ...]], None, None]:
    """The rows of `SELECT <select> FROM (<the plan's query>)`, BATCH_ROWS at a time, in the plan's order and
    cut to `width` columns (default: the visible ones; hidden sort keys come after them).

    One cursor for the generator's life, closed when it ends or is closed. A plan read in _id ranges runs
    one query per range inside one read transaction, so every range sees the same snapshot of the table even
    if a reload replaces it meanwhile; a range that comes back empty makes it jump to the next _id there is.
    """
    width = width or len(plan.columns)
    with duck.cursor() as cur:
        if plan.unordered is None:
            yield from _fetch(
                cur, f"SELECT {select} FROM ({plan.sql})", [*select_params, *plan.params], width
            )
            return
        rid, source = quoted(ROW_ID), plan.unordered
        cur.execute("BEGIN TRANSACTION")
        try:
            bounds = cur.execute(f"SELECT min({rid}), max({rid}) FROM ({source})", plan.params).fetchone()
            if bounds is None or bounds[0] is None:
                return
            low, top = int(bounds[0]) - 1, int(bounds[1])
            span = f"SELECT * FROM ({source}) WHERE {rid} > ? AND {rid} <= ? ORDER BY {rid}"
            ranged = f"SELECT {select} FROM ({span})"
            while low < top:
                high = low + ID_SPAN
                found = 0
                for rows in _fetch(cur, ranged, [*select_params, *plan.params, low, high], width):
                    found += len(rows)
                    yield rows
                low = high
                if not found and low < top:
                    following = cur.execute(
                        f"SELECT min({rid}) FROM ({source}) WHERE {rid} > ?", [*plan.params, low]
                    ).fetchone()
                    if following is None or following[0] is None:
                        return
                    low = int(following[0]) - 1
        finally:
            with suppress(duckdb.Error):  # a read transaction: nothing to keep
                cur.execute("ROLLBACK")


def _fetch(cur: Any, sql: str, params: list[Any], width: int) -> Generator[list[tuple[Any, ...]], None, None]:
    cur.execute(sql, params)
    hidden = len(cur.description or ()) > width
    while rows := cur.fetchmany(BATCH_ROWS):
        yield [r[:width] for r in rows] if hidden else rows


def guard(text: str) -> str:
    """A text cell that a spreadsheet would read as a formula, made plain text (OWASP CSV injection)."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _formula_sql(column: str) -> str:
    """True when a text value starts like a formula; byte prefixes, as Python's str.startswith."""
    return "(" + " OR ".join(f"starts_with({column}, chr({ord(ch)}))" for ch in FORMULA_STARTS) + ")"


def _cell_sql(column: dict[str, Any], csv_cells: bool) -> str:
    """The SQL giving a column's values ready to write, so Python only moves them: NaN and infinities become
    NULL, dates and times ISO 8601 text; for CSV also risky text gets its quote and booleans read true/false.
    Integers and other numbers stay numbers."""
    c, kind = quoted(column["id"]), column["type"]
    if kind == "integer":
        value = c
    elif kind == "number":
        value = f"CASE WHEN isfinite(CAST({c} AS DOUBLE)) THEN {c} END"
    elif kind in ("date", "time"):
        value = f"CAST({c} AS VARCHAR)"
    elif kind == "datetime":
        value = f"replace(CAST({c} AS VARCHAR), ' ', 'T')"
    elif kind == "boolean":
        value = f"CASE WHEN {c} THEN 'true' WHEN NOT {c} THEN 'false' END" if csv_cells else c
    else:
        text = c if kind == "text" else f"CAST({c} AS VARCHAR)"
        guarded = f"CASE WHEN {_formula_sql(text)} THEN chr(39) || {text} ELSE {text} END"
        value = guarded if csv_cells else text
    return value


def _cells(plan: _Plan, csv_cells: bool) -> str:
    """The select list of the plan's visible columns converted by DuckDB (see `_cell_sql`)."""
    return ", ".join(f"{_cell_sql(c, csv_cells)} AS {quoted(c['id'])}" for c in plan.columns)


def _csv_chunks(duck: DuckStore, plan: _Plan, delimiter: str, bom: bool) -> Chunks:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")  # writes None as empty
    writer.writerow([guard(c["id"]) for c in plan.columns])
    head = buffer.getvalue().encode()
    yield (b"\xef\xbb\xbf" + head) if bom else head
    with closing(_batches(duck, plan, _cells(plan, csv_cells=True))) as batches:
        for rows in batches:
            buffer.seek(0)
            buffer.truncate()
            writer.writerows(rows)
            yield buffer.getvalue().encode()


def _json_chunks(duck: DuckStore, plan: _Plan, ckan: bool) -> Chunks:
    """DuckDB makes each record (json_object / json_array over the converted cells); Python joins them."""
    if ckan:
        fields = [{"id": c["id"], "type": CKAN_TYPES.get(c["type"], "text")} for c in plan.columns]
    else:
        fields = [{"id": c["id"], "type": c["type"]} for c in plan.columns]
    yield ('{"fields": ' + _dumps(fields) + ', "records": [').encode()
    values = [_cell_sql(c, csv_cells=False) for c in plan.columns]
    if ckan:
        record, keys = "json_array(" + ", ".join(values) + ")", ()
    else:  # the keys are parameters, which come before the query's own in the text
        record = "json_object(" + ", ".join(f"?, {v}" for v in values) + ")"
        keys = tuple(c["id"] for c in plan.columns)
    separator = "\n"
    with closing(_batches(duck, plan, record, keys, width=1)) as batches:
        for rows in batches:
            yield (separator + ",\n".join(row[0] for row in rows)).encode()
            separator = ",\n"
    yield b"\n]}\n"


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


# ---------------------------------------------------------------- files built on disk, then streamed


def _temp_path(tmp_dir: Path, extension: str) -> Path:
    tmp_dir.mkdir(parents=True, exist_ok=True)
    return tmp_dir / f"export-{uuid.uuid4().hex}.{extension}"


def _stream_file(path: Path) -> Chunks:
    with path.open("rb") as handle:
        while chunk := handle.read(FILE_CHUNK):
            yield chunk


def _parquet_chunks(duck: DuckStore, plan: _Plan, tmp_dir: Path) -> Chunks:
    path = _temp_path(tmp_dir, "parquet")
    try:
        visible = ", ".join(quoted(c["id"]) for c in plan.columns)
        target = "'" + str(path).replace("'", "''") + "'"
        # COPY takes the query's parameters as any statement does; only the file name is a literal (ours).
        # The outer SELECT drops the hidden sort keys; DuckDB keeps the inner ORDER BY through it.
        with duck.cursor() as cur:
            cur.execute(
                f"COPY (SELECT {visible} FROM ({plan.sql})) TO {target} (FORMAT parquet, COMPRESSION zstd)",
                plan.params,
            )
        yield from _stream_file(path)
    finally:
        path.unlink(missing_ok=True)


def _xlsx_chunks(duck: DuckStore, plan: _Plan, tmp_dir: Path) -> Chunks:
    path = _temp_path(tmp_dir, "xlsx")
    try:
        workbook = xlsxwriter.Workbook(
            str(path), {"constant_memory": True, "tmpdir": str(tmp_dir), "remove_timezone": True}
        )
        try:
            sheet = _Sheet(workbook)
            sheet.header([c["id"] for c in plan.columns])
            with closing(_batches(duck, plan)) as batches:
                for rows in batches:
                    sheet.rows(rows)
        finally:
            workbook.close()
        yield from _stream_file(path)
    finally:
        path.unlink(missing_ok=True)


class _Sheet:
    """A worksheet written row by row (constant memory): typed cells, a bold header, text never a formula."""

    def __init__(self, workbook: Any) -> None:
        self.sheet = workbook.add_worksheet("data")
        self.bold = workbook.add_format({"bold": True})
        self.bold_quoted = workbook.add_format({"bold": True, "quote_prefix": True})
        self.quoted = workbook.add_format({"quote_prefix": True})  # Excel keeps it text when edited
        self.datetime = workbook.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
        self.date = workbook.add_format({"num_format": "yyyy-mm-dd"})
        self.time = workbook.add_format({"num_format": "hh:mm:ss"})
        self.next_row = 0

    def header(self, names: list[str]) -> None:
        for c, name in enumerate(names):
            self.sheet.write_string(
                0, c, name, self.bold_quoted if name.startswith(FORMULA_STARTS) else self.bold
            )
        self.sheet.freeze_panes(1, 0)
        self.next_row = 1

    def rows(self, rows: list[tuple[Any, ...]]) -> None:
        cell = self.cell
        for row in rows:
            r = self.next_row
            for c, value in enumerate(row):
                if value is not None:
                    cell(r, c, value)
            self.next_row = r + 1

    def cell(self, r: int, c: int, value: Any) -> None:
        sheet = self.sheet
        if isinstance(value, str):
            if value.startswith(FORMULA_STARTS):
                sheet.write_string(r, c, value, self.quoted)
            else:
                sheet.write_string(r, c, value)
        elif isinstance(value, bool):
            sheet.write_boolean(r, c, value)
        elif isinstance(value, int) and abs(value) >= XLSX_MAX_EXACT_INT:
            sheet.write_string(r, c, str(value))  # as text, or Excel would round it
        elif isinstance(value, int | float | decimal.Decimal):
            if math.isfinite(value):
                sheet.write_number(r, c, float(value))
        elif isinstance(value, dt.datetime):
            sheet.write_datetime(r, c, value, self.datetime)
        elif isinstance(value, dt.date):
            sheet.write_datetime(r, c, value, self.date)
        elif isinstance(value, dt.time):
            sheet.write_datetime(r, c, value, self.time)
        else:
            self.cell(r, c, str(value))
