"""Reading a tabular file into a new DuckDB table: format, encoding, layout and column types, bounded memory.

The pipeline for every format ends in one delimited UTF-8 text file (or a DuckDB reader for JSON and
Parquet) and one CREATE TABLE ... AS SELECT. Column types are decided from a sample with patterns a
publisher recognises (integers without leading zeros, decimals with a point or a comma, dates as
yyyy-mm-dd, dd.mm.yyyy or dd/mm/yyyy, timestamps, true/false), then the whole file is converted strictly;
if any value does not fit, the file is staged as text, the failing values are counted with their rows,
and those columns stay text, so no value is ever lost. A publisher's data dictionary can force a type:
then values that do not fit become empty and are listed in the report.
"""

from __future__ import annotations

import codecs
import csv
import io
import os
import re
import tempfile
import threading
import uuid
import zipfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from derek.core.errors import Invalid
from derek.datastore.query import DUCK_TYPES, ROW_ID, quoted

SNIFF_BYTES = 1024 * 1024
CHUNK = 4 * 1024 * 1024
SAMPLE_ROWS = 20000
MAX_COLUMNS = 1600  # PostgreSQL's limit, which CKAN's DataStore shares
MAX_LINE_BYTES = 16 * 1024 * 1024
MAX_UNZIPPED_BYTES = 1024**3  # a workbook that unpacks to more than this is refused (zip bombs)
MAX_ZIP_RATIO = 200
TABULAR_FORMATS = {"CSV", "TSV", "TXT", "XLSX", "XLS", "ODS", "JSON", "NDJSON", "JSONL", "PARQUET"}
MISSING = ("", "-", "—", "–", "…", "...", "x", "X", "NA", "N/A", "n/a", "null", "NULL")
TYPE_NAMES = {
    "BIGINT": "integer",
    "INTEGER": "integer",
    "SMALLINT": "integer",
    "TINYINT": "integer",
    "HUGEINT": "integer",
    "UBIGINT": "integer",
    "UINTEGER": "integer",
    "USMALLINT": "integer",
    "UTINYINT": "integer",
    "DOUBLE": "number",
    "FLOAT": "number",
    "DECIMAL": "number",
    "DATE": "date",
    "TIMESTAMP": "datetime",
    "TIMESTAMP WITH TIME ZONE": "datetime",
    "TIMESTAMP_NS": "datetime",
    "TIMESTAMP_MS": "datetime",
    "TIMESTAMP_S": "datetime",
    "TIME": "time",
    "BOOLEAN": "boolean",
    "VARCHAR": "text",
}
# How a text value is recognised, in the order tried; the first that fits every sampled value wins.
PATTERNS: list[tuple[str, str, str]] = [  # (kind, format, regular expression)
    ("boolean", "", r"(?i)(true|false)"),
    ("integer", "", r"[+-]?(0|[1-9][0-9]{0,17})"),
    (
        "number",
        ".",
        r"[+-]?((0|[1-9][0-9]*|[1-9][0-9]{0,2}([ \x{00a0}][0-9]{3})+)(\.[0-9]+)?|\.[0-9]+)([eE][+-]?[0-9]+)?",
    ),
    ("number", ",", r"[+-]?(0|[1-9][0-9]*|[1-9][0-9]{0,2}([ \x{00a0}][0-9]{3})+)(,[0-9]+)?"),
    ("date", "%Y-%m-%d", r"[0-9]{4}-[0-9]{2}-[0-9]{2}"),
    ("date", "%d.%m.%Y", r"[0-9]{1,2}\.[0-9]{1,2}\.[0-9]{4}"),
    ("date", "%d/%m/%Y", r"[0-9]{1,2}/[0-9]{1,2}/[0-9]{4}"),
    ("datetime", "iso", r"[0-9]{4}-[0-9]{2}-[0-9]{2}[ T][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?"),
    ("datetime", "%d.%m.%Y %H:%M:%S", r"[0-9]{1,2}\.[0-9]{1,2}\.[0-9]{4} [0-9]{1,2}:[0-9]{2}(:[0-9]{2})?"),
]
DATETIME_FORMATS = {
    "iso": [
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M:%S.%f",
        "%Y-%m-%dT%H:%M:%S.%f",
    ],
    "%d.%m.%Y %H:%M:%S": ["%d.%m.%Y %H:%M:%S", "%d.%m.%Y %H:%M"],
}
Progress = Callable[[int, int, str, str], None]  # done, total, unit, message


def _no_progress(_done: int, _total: int, _unit: str, _message: str) -> None:
    return None


@dataclass
class Loaded:
    table_name: str
    row_count: int
    fields: list[dict[str, Any]]
    encoding: str
    delimiter: str
    reading: dict[str, Any] = field(default_factory=dict)
    findings: list[dict[str, Any]] = field(default_factory=list)  # type errors and layout notes


# ---------------------------------------------------------------- format and encoding


def detect_format(head: bytes, declared: str) -> str:
    """csv | xlsx | xls | ods | json | ndjson | parquet: from the bytes first, the declared format second."""
    declared = declared.upper()
    if head.startswith(b"PAR1"):
        return "parquet"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return "xls"
    if head.startswith(b"PK\x03\x04"):
        if b"mimetypeapplication/vnd.oasis.opendocument.spreadsheet" in head[:200]:
            return "ods"
        return "ods" if declared == "ODS" else "xlsx"
    text = head.lstrip(codecs.BOM_UTF8).lstrip()
    declared_only = {
        "JSON": "json",
        "NDJSON": "ndjson",
        "JSONL": "ndjson",
        "PARQUET": "parquet",
        "XLSX": "xlsx",
        "XLS": "xls",
        "ODS": "ods",
    }
    if declared in declared_only and not text.startswith((b"[", b"{")):
        return declared_only[declared]  # its reader then says what is wrong with the file
    if text.startswith(b"["):
        return "json"
    if text.startswith(b"{"):
        first_line = text.split(b"\n", 1)[0].strip()
        return "ndjson" if first_line.endswith(b"}") and b"\n{" in text[:SNIFF_BYTES] else "json"
    return "csv"


def _kazakh_or_cyrillic(head: bytes) -> str:
    """Windows-1251, its Kazakh variant KZ-1048, or KOI8-R, from which byte ranges the letters fall in."""
    high = [b for b in head if b >= 0xC0]
    upper_half = sum(1 for b in high if b >= 0xE0)  # lower-case letters in Windows-1251, capitals in KOI8-R
    if high and upper_half < len(high) / 2:
        return "koi8-r"
    kazakh = set("әғқңөұүһіӘҒҚҢӨҰҮҺІ")
    as_kz = head.decode("kz1048", errors="replace")
    as_ru = head.decode("cp1251", errors="replace")
    serbian = set("ЉЊЌЋЏђљњќћџ")
    if sum(ch in kazakh for ch in as_kz) > 0 and sum(ch in serbian for ch in as_ru) > 0:
        return "kz1048"
    return "cp1251"


def _mostly_utf8_lines(head: bytes) -> bool:
    """Whether the file mixes lines of real UTF-8 (letters beyond ASCII) and lines in another encoding."""
    utf8 = other = 0
    for line in head.splitlines()[:-1] or head.splitlines():
        if max(line, default=0) < 0x80:
            continue
        try:
            line.decode("utf-8")
            utf8 += 1
        except UnicodeDecodeError:
            other += 1
    return utf8 > 0 and other > 0 and utf8 >= other / 4


def detect_encoding(head: bytes) -> str:
    """The encoding of a file from its first bytes: a BOM, UTF-16 by its zero bytes, valid UTF-8, else a
    Cyrillic code page (Windows-1251, KZ-1048, KOI8-R) or Windows-1252."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if b"\x00" in head[:4096]:  # UTF-8 and the code pages have no zero bytes in text; UTF-16 has many
        sample = head[: 4096 - 4096 % 2]
        for candidate in ("utf-16-le", "utf-16-be"):
            text = sample.decode(candidate, errors="replace")
            readable = sum(1 for ch in text if ch.isprintable() or ch in "\r\n\t")
            if text and readable / len(text) > 0.95:
                return candidate
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    if _mostly_utf8_lines(head):
        return "utf-8"  # some lines in another encoding: the loader reads those lines as Windows-1251
    high = [b for b in head if b >= 0x80]
    letters = sum(1 for b in head if 0x41 <= b <= 0x5A or 0x61 <= b <= 0x7A)
    cyrillic = sum(1 for b in high if b >= 0xC0)
    # Cyrillic text is mostly high bytes; Latin text with accents (Windows-1252) only now and then
    if high and cyrillic / len(high) > 0.6 and cyrillic > letters / 4:
        return _kazakh_or_cyrillic(head)
    return "cp1252"


def _refuse_binary(text: str) -> None:
    controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\t\r\n\f")
    if not text.strip() or controls > max(4, len(text) // 100):
        raise Invalid(
            "The file does not look like a table: it holds binary data rather than text. "
            "Upload CSV, TSV, XLSX, XLS, ODS, JSON or Parquet."
        )


def _valid_utf8(path: Path, progress: Progress) -> bool:
    """Whether the whole file is UTF-8, read in chunks (C-speed decoding, bounded memory)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    size = path.stat().st_size
    done = 0
    with path.open("rb") as src:
        try:
            while chunk := src.read(CHUNK):
                decoder.decode(chunk)
                done += len(chunk)
                progress(done, size, "bytes", "Checking the encoding")
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return False
    return True


def _transcode(
    path: Path, encoding: str, work_dir: Path, progress: Progress, *, force_check: bool = False
) -> tuple[Path, int]:
    """The file as UTF-8 without a BOM: the file itself when it already is, else a copy written chunk by
    chunk. In a UTF-8 file with some lines in another encoding, those lines are read as Windows-1251.
    Returns the text and how many lines needed that fallback."""
    size = path.stat().st_size
    utf8 = encoding in ("utf-8", "utf-8-sig")
    if encoding == "utf-8" and not force_check:
        return (
            path,
            0,
        )  # DuckDB checks every byte as it reads; on a bad one the loader comes back with force_check
    if utf8 and _valid_utf8(path, progress):
        if encoding == "utf-8":
            return path, 0
        encoding = "utf-8-sig"  # valid, with a BOM to drop: a plain chunked copy
    elif utf8:
        encoding = "mixed"
    fd, tmp = tempfile.mkstemp(dir=work_dir, suffix=".csv")
    fallback_lines = 0
    done = 0
    with path.open("rb") as src, os.fdopen(fd, "wb") as out:
        if encoding != "mixed":
            decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
            while chunk := src.read(CHUNK):
                out.write(decoder.decode(chunk).encode("utf-8"))
                done += len(chunk)
                progress(done, size, "bytes", "Converting the file to UTF-8")
            out.write(decoder.decode(b"", final=True).encode("utf-8"))
            return Path(tmp), 0
        for number, line in enumerate(src):
            done += len(line)
            if number == 0 and line.startswith(codecs.BOM_UTF8):
                line = line[3:]
            try:
                out.write(line.decode("utf-8").encode("utf-8"))
            except UnicodeDecodeError:
                fallback_lines += 1
                out.write(line.decode("cp1251", errors="replace").encode("utf-8"))
            if number % 10000 == 0:
                progress(done, size, "bytes", "Converting the file to UTF-8")
    return Path(tmp), fallback_lines


# ---------------------------------------------------------------- layout


def _delimiter(lines: list[str]) -> str:
    """The delimiter that splits the first lines into the most consistent number of cells (at least two)."""
    best, best_score = ",", (-1.0, 0)
    for candidate in (",", ";", "\t", "|"):
        widths = [len(row) for row in csv.reader(lines, delimiter=candidate) if row]
        if not widths:
            continue
        width, count = Counter(widths).most_common(1)[0]
        if width < 2:
            continue
        score = (count / len(widths), width)
        if score > best_score:
            best, best_score = candidate, score
    return best


def unique_names(raw: list[str]) -> tuple[list[str], list[dict[str, Any]]]:
    """Column names without blanks, duplicates or our row id, and a finding for each change."""
    names: list[str] = []
    findings: list[dict[str, Any]] = []
    seen: set[str] = set()
    for position, label in enumerate(raw, start=1):
        name = " ".join(str(label).split())[:63]
        if not name:
            name = f"column_{position}"
            findings.append(
                {
                    "type": "blank-label",
                    "column": position,
                    "message": f"Column {position} has no name: it was named {name!r}.",
                }
            )
        if name.startswith("_"):
            name = name.lstrip("_") or f"column_{position}"
        base, n = name, 2
        while name.lower() in seen:
            name = f"{base}_{n}"
            n += 1
        if name != base:
            findings.append(
                {
                    "type": "duplicate-label",
                    "column": position,
                    "message": f"Column {position} repeats the name {base!r}: it was named {name!r}.",
                }
            )
        seen.add(name.lower())
        names.append(name)
    return names, findings


def _looks_like_data(cells: list[str]) -> bool:
    data = re.compile(r"[+-]?[0-9][0-9 .,:/-]*")
    filled = [c.strip() for c in cells if c.strip()]
    return bool(filled) and all(data.fullmatch(c) for c in filled)


# ---------------------------------------------------------------- workbooks


def _refuse_zip_bomb(path: Path) -> None:
    try:
        with zipfile.ZipFile(path) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile as exc:
        raise Invalid("The workbook is damaged: it is not a readable XLSX or ODS file.") from exc
    packed = max(path.stat().st_size, 1)
    if unpacked > MAX_UNZIPPED_BYTES or unpacked / packed > MAX_ZIP_RATIO:
        raise Invalid(
            f"The workbook unpacks to {unpacked / 1024**2:,.0f} MB from {packed / 1024**2:,.1f} MB, which is "
            "more than a spreadsheet needs: it was not opened. Save it again, or upload it as CSV."
        )


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    return str(value)


def workbook_to_csv(
    path: Path, fmt: str, work_dir: Path
) -> tuple[Path, dict[str, Any], list[dict[str, Any]]]:
    """The first sheet with data as a UTF-8 CSV, starting at the header row (title rows above it skipped)."""
    import python_calamine

    if fmt in ("xlsx", "ods"):
        _refuse_zip_bomb(path)
    try:
        book = python_calamine.CalamineWorkbook.from_path(str(path))
        sheets = []
        for name in book.sheet_names:
            sheet = book.get_sheet_by_name(name)
            start = sheet.start[0] if sheet.start else 0  # rows above the used area, skipped by calamine
            sheets.append((name, sheet.to_python(skip_empty_area=True), start))

    except Exception as exc:  # calamine raises its own errors for damaged files
        raise Invalid(f"The workbook could not be read: {str(exc).splitlines()[0][:200]}") from exc
    sheet_name, rows, first_row = next(
        ((n, r, start) for n, r, start in sheets if any(any(_cell(c).strip() for c in row) for row in r)),
        ("", [], 0),
    )
    if not rows:
        raise Invalid("The workbook has no sheet with data: there is nothing to load into the DataStore.")
    cells = [[_cell(c) for c in row] for row in rows]
    width = max(len(row) for row in cells)
    header_at = 0
    for i, row in enumerate(cells[:50]):
        filled = sum(1 for c in row if c.strip())
        if filled >= max(2, width // 2):
            header_at = i
            break
    findings = []
    if header_at:
        findings.append(
            {
                "type": "title-rows",
                "message": f"The first {header_at} row(s) of sheet {sheet_name!r} "
                "hold titles, not data: the table starts at the row below them.",
            }
        )
    fd, tmp = tempfile.mkstemp(dir=work_dir, suffix=".csv")
    with os.fdopen(fd, "w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        for row in cells[header_at:]:
            writer.writerow(row + [""] * (width - len(row)))
    reading = {"sheet": sheet_name, "header_row": first_row + header_at + 1, "sheets": len(sheets)}
    return Path(tmp), reading, findings


# ---------------------------------------------------------------- types


def _value_sql(column: str) -> str:
    missing = ", ".join("'" + m.replace("'", "''") + "'" for m in MISSING)
    return f"CASE WHEN trim({column}) IN ({missing}) THEN NULL ELSE trim({column}) END"


def conversion(column: str, kind: str, fmt: str, *, strict: bool, plain: bool = False) -> str:
    """SQL turning a text column into `kind`; strict raises on a value that does not fit, else gives NULL.
    `plain` is the fast first try, for values as the sample showed them (no spaces, no "-" for missing):
    any other value makes it fail, and the careful path converts with every allowance."""
    v = column if plain else _value_sql(column)
    cast = "CAST" if strict else "TRY_CAST"
    if kind == "text":
        return column
    if plain and kind in ("integer", "number"):
        number = f"replace({v}, ',', '.')" if fmt == "," else v
        return f"{cast}({number} AS {DUCK_TYPES[kind]})"
    if plain and kind == "boolean":
        return f"{cast}({v} AS BOOLEAN)"
    if kind == "integer":
        return f"{cast}(replace(replace({v}, ' ', ''), chr(160), '') AS BIGINT)"
    if kind == "number":
        ungrouped = f"replace(replace({v}, ' ', ''), chr(160), '')"
        number = f"replace({ungrouped}, ',', '.')" if fmt == "," else ungrouped
        return f"{cast}({number} AS DOUBLE)"
    if kind == "date":
        if fmt in ("", "%Y-%m-%d"):
            return f"{cast}({v} AS DATE)"
        return f"CAST({'strptime' if strict else 'try_strptime'}({v}, '{fmt}') AS DATE)"
    if kind == "datetime":
        formats = (
            "[" + ", ".join(f"'{f}'" for f in DATETIME_FORMATS.get(fmt, [fmt or "%Y-%m-%d %H:%M:%S"])) + "]"
        )
        return f"{'strptime' if strict else 'try_strptime'}({v}, {formats})"
    if kind == "boolean":
        bad = f"error('not true or false: ' || {v})" if strict else "NULL"
        return (
            f"CASE WHEN {v} IS NULL THEN NULL WHEN lower({v}) IN ('true', 'yes', 'да', 'иә') THEN TRUE "
            f"WHEN lower({v}) IN ('false', 'no', 'нет', 'жоқ') THEN FALSE ELSE {bad} END"
        )
    return f"{cast}({v} AS {DUCK_TYPES.get(kind, 'VARCHAR')})"


@dataclass(frozen=True)
class Guess:
    kind: str
    fmt: str
    near: tuple[str, str] | None = None  # the type at least 90% of the sampled values have, when not all


def _guess_types(cur: duckdb.DuckDBPyConnection, sample_sql: str, names: list[str]) -> list[Guess]:
    """(kind, format) per column from the sampled rows: the first pattern every value fits."""
    checks = []
    for name in names:
        v = _value_sql(quoted(name))
        checks.append(f"count({v})")
        checks.append(f"count(*) FILTER (WHERE {v} LIKE '%,%')")
        for _kind, _fmt, pattern in PATTERNS:
            checks.append(f"count(*) FILTER (WHERE regexp_full_match({v}, '{pattern}'))")
    row = cur.execute(f"SELECT {', '.join(checks)} FROM ({sample_sql})").fetchone() or ()
    step = 2 + len(PATTERNS)
    guesses = []
    for i in range(len(names)):
        present, commas, *fits = row[i * step : (i + 1) * step]
        guess = Guess("text", "")
        for (kind, fmt, _pattern), fit in zip(PATTERNS, fits, strict=True):
            if not present or (kind == "number" and fmt == "," and not commas):
                continue
            if fit == present:
                guess = Guess(kind, fmt)
                break
            if guess.near is None and present >= 10 and fit >= 0.9 * present:
                guess = Guess("text", "", (kind, fmt))
        guesses.append(guess)
    return guesses


def _doubts(
    cur: duckdb.DuckDBPyConnection, sample_sql: str, name: str, near: tuple[str, str], offset: int
) -> list[dict[str, Any]]:
    """The values that kept a mostly typed column as text, with their rows, for the report."""
    pattern = next(p for k, f, p in PATTERNS if (k, f) == near)
    v = _value_sql(quoted(name))
    found = cur.execute(
        f"SELECT n, value FROM (SELECT row_number() OVER () AS n, {v} AS value FROM ({sample_sql})) "
        f"WHERE value IS NOT NULL AND NOT regexp_full_match(value, '{pattern}') "
        f"AND NOT regexp_full_match(value, '[0-9]+') ORDER BY n LIMIT 5"
    ).fetchall()
    return [
        {
            "type": "type-error",
            "row": int(n) + offset,
            "column": name,
            "cell": str(value)[:100],
            "message": f"Row {int(n) + offset}, column {name!r}: {str(value)[:100]!r} is not a {near[0]} "
            "like "
            "the other values, so the column was kept as text. Correct the value, or set the type in the "
            "data dictionary (values that do not fit are then left empty).",
        }
        for n, value in found
    ]


# ---------------------------------------------------------------- loading


def _watch(cur: duckdb.DuckDBPyConnection, progress: Progress, message: str) -> Callable[[], None]:
    """Report DuckDB's own progress of the running statement until the returned stop is called."""
    stop = threading.Event()

    def poll() -> None:
        while not stop.wait(0.5):
            try:
                percent = cur.query_progress()
            except duckdb.Error:
                return
            if percent >= 0:
                progress(int(percent * 10), 1000, "permille", message)

    thread = threading.Thread(target=poll, daemon=True)
    thread.start()

    def done() -> None:
        stop.set()
        thread.join(2)

    return done


class _NotUtf8(Exception):
    """The file was taken for UTF-8 but DuckDB met bytes that are not: read it again, line by line."""


def _not_utf8(exc: BaseException) -> None:
    if "invalid unicode" in str(exc).lower():
        raise _NotUtf8 from exc


def _friendly(exc: duckdb.Error) -> Invalid:
    text = str(exc)
    if "Maximum line size" in text or "maximum line size" in text:
        return Invalid(
            f"A line of the file is longer than {MAX_LINE_BYTES // 1024**2} MB: the file is probably not a "
            "table, or its rows are not separated by line breaks."
        )
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    detail = " ".join(lines[:3]) if lines else type(exc).__name__
    return Invalid(f"The file could not be read as a table: {detail[:400]}")


def _columns_of(cur: duckdb.DuckDBPyConnection, table: str) -> list[tuple[str, str]]:
    return [(str(r[0]), str(r[1])) for r in cur.execute(f"DESCRIBE {quoted(table)}").fetchall()]


def load_file(
    cur: duckdb.DuckDBPyConnection,
    path: Path,
    work_dir: Path,
    declared_format: str = "",
    dictionary: dict[str, Any] | None = None,
    progress: Progress = _no_progress,
) -> Loaded:
    """Create a new table from a tabular file; the caller points the resource at it (or drops it)."""
    work_dir.mkdir(parents=True, exist_ok=True)
    with path.open("rb") as fh:
        head = fh.read(SNIFF_BYTES)
    if not head.strip():
        raise Invalid("The file is empty: there is nothing to load into the DataStore.")
    fmt = detect_format(head, declared_format)
    dictionary = dictionary or {}
    if fmt in ("json", "ndjson", "parquet"):
        return _load_native(cur, path, fmt, dictionary, progress)
    findings: list[dict[str, Any]] = []
    reading: dict[str, Any] = {"format": fmt}
    encoding = "utf-8"
    if fmt in ("xlsx", "xls", "ods"):
        text_path, sheet, findings = workbook_to_csv(path, fmt, work_dir)
        reading.update(sheet)
        encoding = ""  # a workbook has no text encoding
    else:
        encoding = detect_encoding(head)
        sample_text = head.decode(encoding if encoding != "utf-8" else "utf-8", errors="replace")
        _refuse_binary(sample_text[:65536])
        text_path, fallback_lines = _transcode(path, encoding, work_dir, progress)
        reading["encoding"] = encoding
        if fallback_lines:
            findings.append(
                {
                    "type": "encoding",
                    "message": f"{fallback_lines:,} line(s) were not UTF-8 and were read as Windows-1251.",
                }
            )
    before = list(findings)
    try:
        try:
            loaded = _load_text(cur, text_path, encoding, dictionary, reading, findings, progress)
        except _NotUtf8:
            findings[:] = before
            text_path, fallback_lines = _transcode(path, encoding, work_dir, progress, force_check=True)
            findings.append(
                {
                    "type": "encoding",
                    "message": f"{fallback_lines:,} line(s) were not UTF-8 and were read as Windows-1251.",
                }
            )
            loaded = _load_text(cur, text_path, encoding, dictionary, reading, findings, progress)
        if reading.get("sheet"):
            loaded.delimiter = ""  # the workbook's cells, not a delimiter, separate its values
        return loaded
    finally:
        if text_path != path:
            text_path.unlink(missing_ok=True)


def _layout(
    lines: list[str], reading: dict[str, Any], findings: list[dict[str, Any]]
) -> tuple[str, int, bool, list[str]]:
    """Delimiter, title lines to skip, whether there is a header, and the column names."""
    delimiter = _delimiter(lines)
    parsed = [row for row in csv.reader(lines, delimiter=delimiter)]
    widest = max((len(row) for row in parsed), default=0)
    if widest > MAX_COLUMNS:
        width = widest
    else:
        filled = [len(row) for row in parsed if any(c.strip() for c in row)]
        width = Counter(filled).most_common(1)[0][0] if filled else 0
    if width > MAX_COLUMNS:
        raise Invalid(
            f"The table has {width:,} columns; the DataStore takes at most {MAX_COLUMNS:,}. "
            "Split it into several files, or turn columns into rows."
        )
    skip = 0
    if not reading.get("sheet"):  # a workbook was cut at its header row already
        for i, row in enumerate(parsed[:20]):
            if sum(1 for c in row if c.strip()) >= max(2, width // 2):
                skip = i
                break
        if skip:
            findings.append(
                {
                    "type": "title-rows",
                    "message": f"The first {skip} line(s) hold titles, not data: the table starts "
                    "below them.",
                }
            )
            reading["header_row"] = skip + 1
    reading["text_header_line"] = skip + 1
    first = parsed[skip] if len(parsed) > skip else []
    width = max(width, len(first))  # the header's columns, or the usual row's when it has more (the report
    first = first + [""] * (width - len(first))  # lists cells beyond them as extra cells)
    header = bool(reading.get("sheet")) or not _looks_like_data(first)
    names, label_findings = unique_names(first if header else [f"column_{i}" for i in range(1, width + 1)])
    findings += label_findings
    return delimiter, skip, header, names


def _load_text(
    cur: duckdb.DuckDBPyConnection,
    text_path: Path,
    encoding: str,
    dictionary: dict[str, Any],
    reading: dict[str, Any],
    findings: list[dict[str, Any]],
    progress: Progress,
) -> Loaded:
    with text_path.open(encoding="utf-8", errors="replace", newline="") as fh:
        lines = [line for line in (fh.readline(MAX_LINE_BYTES) for _ in range(100)) if line]
    if not any(line.strip() for line in lines):
        raise Invalid("The file is empty: there is nothing to load into the DataStore.")
    if lines and len(lines[0]) >= MAX_LINE_BYTES:
        raise _friendly(duckdb.InvalidInputException("Maximum line size exceeded"))
    delimiter, skip, header, names = _layout(lines, reading, findings)
    # DuckDB's parallel reader cannot pad short rows when quoted cells hold line breaks
    multiline = any(
        "\n" in cell or "\r" in cell for row in csv.reader(lines, delimiter=delimiter) for cell in row
    )
    reading.update({"delimiter": delimiter, "header": header})
    columns = "{" + ", ".join(f"'{n.replace(chr(39), chr(39) * 2)}': 'VARCHAR'" for n in names) + "}"
    path_literal = str(text_path).replace("'", "''")
    source = (
        f"read_csv('{path_literal}', delim='{delimiter}', quote='\"', escape='\"', skip={skip}, "
        f"header={str(header).lower()}, columns={columns}, null_padding=true, strict_mode=false, "
        f"max_line_size={MAX_LINE_BYTES}, auto_detect=false, parallel={str(not multiline).lower()})"
    )
    if delimiter == "\t":
        source = source.replace("delim='\t'", "delim='\\t'")
    header_row = int(reading.get("header_row") or 1)
    offset = header_row if header else header_row - 1  # data row n is line n + offset of the file
    sample_sql = f"SELECT * FROM {source} LIMIT {SAMPLE_ROWS}"
    try:
        guesses = _guess_types(cur, sample_sql, names)
    except duckdb.Error as exc:
        _not_utf8(exc)
        raise _friendly(exc) from exc
    plan = []
    for name, guess in zip(names, guesses, strict=True):
        override = (dictionary.get(name) or {}).get("type") or ""
        if override and override in DUCK_TYPES:
            fmt = guess.fmt if guess.kind == override else _default_format(override, guess)
            plan.append((name, override, fmt, True))
        else:
            plan.append((name, guess.kind, guess.fmt, False))
            if guess.near:
                findings += _doubts(cur, sample_sql, name, guess.near, offset)
    table = "t_" + uuid.uuid4().hex
    stop = _watch(cur, progress, "Loading rows")
    try:
        select = ", ".join(
            f"{conversion(quoted(n), kind, fmt, strict=True, plain=True)} AS {quoted(n)}"
            for n, kind, fmt, _o in plan
        )
        for attempt in range(2):
            try:
                cur.execute(
                    f"CREATE TABLE {quoted(table)} AS SELECT {select} "
                    f"FROM {source} WHERE {_not_blank([n for n, *_ in plan])}"
                )
                _number_rows(cur, table)
                break
            except (duckdb.ConversionException, duckdb.InvalidInputException) as exc:
                _not_utf8(exc)
                cur.execute(f"DROP TABLE IF EXISTS {quoted(table)}")
                if attempt == 0 and "parallel=false" in str(exc) and "parallel=true" in source:
                    source = source.replace("parallel=true", "parallel=false")  # line breaks in quotes
                    continue
                if "line size" in str(exc) or "CSV" in str(exc).split(":")[0]:
                    raise _friendly(exc) from exc
                plan = _staged(cur, table, source, plan, offset, findings, progress)
                break
        count_row = cur.execute(f"SELECT count(*) FROM {quoted(table)}").fetchone()
    except duckdb.Error as exc:
        _not_utf8(exc)
        cur.execute(f"DROP TABLE IF EXISTS {quoted(table)}")
        raise _friendly(exc) from exc
    finally:
        stop()
    rows = int(count_row[0]) if count_row else 0
    if rows == 0:
        findings.append({"type": "no-rows", "message": "The file has a header but no rows of data."})
    fields = [{"id": n, "type": kind} for n, kind, _f, _o in plan]
    reading["types"] = {n: {"type": kind, "format": fmt} for n, kind, fmt, _o in plan}
    reading["row_offset"] = offset
    return Loaded(table, rows, fields, encoding, delimiter, reading, findings)


def _number_rows(cur: duckdb.DuckDBPyConnection, table: str) -> None:
    """Give a new table its row id _id = 1..n in file order. Numbering in the CREATE (row_number() OVER ())
    runs the whole load on one thread; the table's own row ids, already in insertion order, cost nothing."""
    cur.execute(f"ALTER TABLE {quoted(table)} ADD COLUMN {ROW_ID} BIGINT")
    cur.execute(f"UPDATE {quoted(table)} SET {ROW_ID} = rowid + 1")


def _not_blank(names: list[str]) -> str:
    """Rows with at least one cell (the reader gives empty cells as NULL); rows of empty cells carry nothing
    and are left out."""
    if not names:
        return "TRUE"
    return "NOT (" + " AND ".join(f"{quoted(n)} IS NULL" for n in names) + ")"


def _default_format(kind: str, guess: Guess) -> str:
    """The format for a type the publisher chose: the one the values nearly fit, else the usual one."""
    near = guess.near or (guess.kind, guess.fmt)
    if kind == "number":
        return "," if near == ("number", ",") else "."
    if kind == "date":
        return near[1] if near[0] == "date" else "%Y-%m-%d"
    if kind == "datetime":
        return near[1] if near[0] == "datetime" else "iso"
    return ""


def _staged(
    cur: duckdb.DuckDBPyConnection,
    table: str,
    source: str,
    plan: list[tuple[str, str, str, bool]],
    offset: int,
    findings: list[dict[str, Any]],
    progress: Progress,
) -> list[tuple[str, str, str, bool]]:
    """The careful path: stage as text, find the values that do not fit, keep those columns as text (or,
    for a type the publisher chose, empty those values), and list them with their rows."""
    stage = table + "_stage"
    progress(0, 0, "", "Some values do not fit their column's type: checking every value")
    cur.execute(f"CREATE TABLE {quoted(stage)} AS SELECT row_number() OVER () AS {ROW_ID}, * FROM {source}")
    try:
        final = []
        for name, kind, fmt, overridden in plan:
            if kind == "text":
                final.append((name, kind, fmt, overridden))
                continue
            column = quoted(name)
            test = conversion(column, kind, fmt, strict=False)
            bad = f"{_value_sql(column)} IS NOT NULL AND ({test}) IS NULL"
            count_row = cur.execute(f"SELECT count(*) FROM {quoted(stage)} WHERE {bad}").fetchone()
            failures = int(count_row[0]) if count_row else 0
            if not failures:
                final.append((name, kind, fmt, overridden))
                continue
            examples = cur.execute(
                f"SELECT {ROW_ID}, {column} FROM {quoted(stage)} WHERE {bad} ORDER BY {ROW_ID} LIMIT 5"
            ).fetchall()
            for row_id, value in examples:
                findings.append(
                    {
                        "type": "type-error",
                        "row": int(row_id) + offset,
                        "column": name,
                        "cell": str(value)[:100],
                        "message": f"Row {int(row_id) + offset}, column {name!r}: {str(value)[:100]!r} is "
                        "not "
                        f"a valid {kind}"
                        + (" (left empty, as the data dictionary sets the type)" if overridden else ""),
                    }
                )
            findings.append(
                {
                    "type": "type-summary",
                    "column": name,
                    "count": failures,
                    "message": (
                        f"Column {name!r}: {failures:,} value(s) are not a valid {kind}; "
                        + ("they were left empty." if overridden else "the column was kept as text.")
                    ),
                }
            )
            final.append((name, kind, fmt, overridden) if overridden else (name, "text", "", False))
        select = ", ".join(
            f"{conversion(quoted(n), kind, fmt, strict=False)} AS {quoted(n)}" for n, kind, fmt, _o in final
        )
        cur.execute(
            f"CREATE TABLE {quoted(table)} AS SELECT {ROW_ID}, {select} FROM {quoted(stage)} "
            f"WHERE {_not_blank([n for n, *_ in final])} ORDER BY {ROW_ID}"
        )
        return final
    finally:
        cur.execute(f"DROP TABLE IF EXISTS {quoted(stage)}")


def _load_native(
    cur: duckdb.DuckDBPyConnection, path: Path, fmt: str, dictionary: dict[str, Any], progress: Progress
) -> Loaded:
    """JSON arrays, newline-delimited JSON and Parquet through DuckDB's own readers."""
    literal = "'" + str(path).replace("'", "''") + "'"
    reader = {
        "parquet": f"read_parquet({literal})",
        "json": f"read_json({literal}, format='array', maximum_object_size=268435456)",
        "ndjson": f"read_json({literal}, format='newline_delimited', maximum_object_size=268435456)",
    }[fmt]
    if fmt == "json" and _starts_with_object(path):
        inner = _rows_path(path)
        if inner is None:
            raise Invalid(
                "The JSON file is one object without a list of records in it: give a JSON array of objects, "
                "one object per line, or an object holding such a list (as data.egov.kz answers)."
            )
        column = ".".join(quoted(part) for part in inner)
        reader = (
            f"(SELECT unnest({column}, recursive := true) FROM read_json({literal}, format='unstructured', "
            "maximum_object_size=268435456))"
        )
    table = "t_" + uuid.uuid4().hex
    stop = _watch(cur, progress, "Loading rows")
    try:
        described = cur.execute(f"DESCRIBE SELECT * FROM {reader}").fetchall()
        if len(described) > MAX_COLUMNS:
            raise Invalid(
                f"The table has {len(described):,} columns; the DataStore takes at most {MAX_COLUMNS:,}."
            )
        raw = [str(r[0]) for r in described]
        names, findings = unique_names(raw)
        selects = []
        plan = []
        for (original, kind_raw, *_), name in zip(described, names, strict=True):
            duck_type = str(kind_raw).split("(")[0]
            kind = TYPE_NAMES.get(duck_type)
            column = quoted(str(original))
            override = (dictionary.get(name) or {}).get("type") or ""
            if override in DUCK_TYPES and override != kind:
                selects.append(f"TRY_CAST({column} AS {DUCK_TYPES[override]}) AS {quoted(name)}")
                plan.append((name, override))
            elif kind is None:  # nested objects and lists are kept as JSON text
                selects.append(f"CAST(to_json({column}) AS VARCHAR) AS {quoted(name)}")
                plan.append((name, "text"))
            else:
                cast = f"CAST({column} AS DOUBLE)" if duck_type == "DECIMAL" else column
                selects.append(f"{cast} AS {quoted(name)}")
                plan.append((name, kind))
        cur.execute(f"CREATE TABLE {quoted(table)} AS SELECT {', '.join(selects)} FROM {reader}")
        _number_rows(cur, table)
        count_row = cur.execute(f"SELECT count(*) FROM {quoted(table)}").fetchone()
    except duckdb.Error as exc:
        cur.execute(f"DROP TABLE IF EXISTS {quoted(table)}")
        kind_name = {"parquet": "Parquet", "json": "a JSON array of objects", "ndjson": "JSON lines"}[fmt]
        raise Invalid(f"The file could not be read as {kind_name}: {str(exc).splitlines()[0][:300]}") from exc
    finally:
        stop()
    fields = [{"id": n, "type": k} for n, k in plan]
    reading = {"format": fmt, "types": {n: {"type": k, "format": ""} for n, k in plan}, "row_offset": 0}
    return Loaded(table, int(count_row[0]) if count_row else 0, fields, fmt, "", reading, findings)


def _starts_with_object(path: Path) -> bool:
    with path.open("rb") as fh:
        return fh.read(4096).lstrip(codecs.BOM_UTF8).lstrip().startswith(b"{")


def _rows_path(path: Path, max_bytes: int = 256 * 1024**2) -> list[str] | None:
    """In a JSON object such as an API answer, the path to its longest list of records."""
    import json

    if path.stat().st_size > max_bytes:
        return None
    try:
        document = json.loads(path.read_bytes())
    except ValueError as exc:
        raise Invalid(f"The file is not valid JSON: {exc}.") from exc
    best: tuple[int, list[str]] | None = None

    def walk(node: Any, trail: list[str], depth: int) -> None:
        nonlocal best
        if not isinstance(node, dict) or depth > 4:
            return
        for key, value in node.items():
            if isinstance(value, list) and value and all(isinstance(v, dict) for v in value[:100]):
                if best is None or len(value) > best[0]:
                    best = (len(value), [*trail, key])
            elif isinstance(value, dict):
                walk(value, [*trail, key], depth + 1)

    walk(document, [], 0)
    return best[1] if best else None


def sample_text(path: Path, reading: dict[str, Any], work_dir: Path, max_rows: int) -> Path | None:
    """A UTF-8 copy of the first lines of a loaded file (its title lines and header included, so line
    numbers match the file), for the validation report; None for JSON and Parquet."""
    fmt = reading.get("format", "csv")
    work_dir.mkdir(parents=True, exist_ok=True)
    if fmt in ("xlsx", "xls", "ods"):
        copy, _sheet, _findings = workbook_to_csv(path, fmt, work_dir)
        return copy
    if fmt != "csv":
        return None
    encoding = reading.get("encoding", "utf-8")
    limit = int(reading.get("text_header_line", 1)) + max_rows
    fd, tmp = tempfile.mkstemp(dir=work_dir, suffix=".csv")
    with path.open("rb") as src, os.fdopen(fd, "wb") as out:
        if encoding in ("utf-8", "utf-8-sig", "mixed"):
            for number, line in enumerate(src):
                if number >= limit:
                    break
                if number == 0 and line.startswith(codecs.BOM_UTF8):
                    line = line[3:]
                try:
                    out.write(line.decode("utf-8").encode("utf-8"))
                except UnicodeDecodeError:
                    out.write(line.decode("cp1251", errors="replace").encode("utf-8"))
            return Path(tmp)
        text = io.TextIOWrapper(src, encoding=encoding, errors="replace", newline="")
        for number, decoded in enumerate(text):
            if number >= limit:
                break
            out.write(decoded.encode("utf-8"))
    return Path(tmp)
