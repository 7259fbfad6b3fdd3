"""Reading a tabular file into DuckDB: encoding detection, UTF-8 transcoding in bounded memory, typing."""

from __future__ import annotations

import codecs
import os
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from derek.core.errors import Invalid

SNIFF_BYTES = 1024 * 1024
CHUNK = 1024 * 1024
TABULAR_FORMATS = {"CSV", "TSV", "TXT"}
TYPE_NAMES = {
    "BIGINT": "integer",
    "INTEGER": "integer",
    "SMALLINT": "integer",
    "TINYINT": "integer",
    "HUGEINT": "integer",
    "UBIGINT": "integer",
    "UINTEGER": "integer",
    "DOUBLE": "number",
    "FLOAT": "number",
    "DECIMAL": "number",
    "DATE": "date",
    "TIMESTAMP": "datetime",
    "TIMESTAMP WITH TIME ZONE": "datetime",
    "TIME": "time",
    "BOOLEAN": "boolean",
    "VARCHAR": "text",
}


@dataclass(frozen=True)
class Loaded:
    table_name: str
    row_count: int
    fields: list[dict[str, Any]]
    encoding: str
    delimiter: str


def detect_encoding(head: bytes) -> str:
    """The encoding of a file from its first bytes: a BOM, valid UTF-8, else a Cyrillic or Latin code page."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    high = [b for b in head if b >= 0x80]
    cyrillic = sum(1 for b in high if b >= 0xC0)
    return "cp1251" if high and cyrillic / len(high) > 0.6 else "cp1252"


def _as_utf8(path: Path, encoding: str, work_dir: Path) -> Path:
    """The file itself when it is UTF-8, else a UTF-8 copy written chunk by chunk."""
    if encoding == "utf-8":
        return path
    fd, tmp = tempfile.mkstemp(dir=work_dir, suffix=".csv")
    decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
    with path.open("rb") as src, os.fdopen(fd, "wb") as out:
        while chunk := src.read(CHUNK):
            out.write(decoder.decode(chunk).encode("utf-8"))
        out.write(decoder.decode(b"", final=True).encode("utf-8"))
    return Path(tmp)


def load_csv(cur: duckdb.DuckDBPyConnection, path: Path, work_dir: Path) -> Loaded:
    """Create a new table from a delimited text file; the caller points the resource at it."""
    with path.open("rb") as fh:
        head = fh.read(SNIFF_BYTES)
    if not head.strip():
        raise Invalid("The file is empty: there is nothing to load into the DataStore.")
    encoding = detect_encoding(head)
    source = _as_utf8(path, encoding, work_dir)
    table = "t_" + uuid.uuid4().hex
    try:
        sniffed = cur.execute("SELECT Delimiter FROM sniff_csv(?)", [str(source)]).fetchone()
        delimiter = str(sniffed[0]) if sniffed else ","
        cur.execute(
            f'CREATE TABLE "{table}" AS SELECT * FROM read_csv(?, header = true, sample_size = 20480)',
            [str(source)],
        )
        columns = cur.execute(f'DESCRIBE "{table}"').fetchall()
        count_row = cur.execute(f'SELECT count(*) FROM "{table}"').fetchone()
    except duckdb.Error as exc:
        cur.execute(f'DROP TABLE IF EXISTS "{table}"')
        raise Invalid(f"The file could not be read as a table: {str(exc).splitlines()[0]}") from exc
    finally:
        if source != path:
            source.unlink(missing_ok=True)
    fields = [
        {"id": str(name), "type": TYPE_NAMES.get(str(kind).split("(")[0], "text")}
        for name, kind, *_ in columns
    ]
    return Loaded(table, int(count_row[0]) if count_row else 0, fields, encoding, delimiter)
