"""Builders of the files that tests/test_datastore_inputs.py uploads: every input is generated in the test,
in bounded memory (the 100 MB line is streamed, the zip bomb is compressed chunk by chunk)."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

ODS_MIMETYPE = "application/vnd.oasis.opendocument.spreadsheet"
ODS_MANIFEST = f"""<?xml version="1.0" encoding="UTF-8"?>
<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">
 <manifest:file-entry manifest:full-path="/" manifest:version="1.2" manifest:media-type="{ODS_MIMETYPE}"/>
 <manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>
</manifest:manifest>
"""


def _ods_cell(value: object) -> str:
    if isinstance(value, bool):
        raise TypeError("booleans are not used in these tests")
    if isinstance(value, int | float):
        return (
            f'<table:table-cell office:value-type="float" office:value="{value}">'
            f"<text:p>{value}</text:p></table:table-cell>"
        )
    if isinstance(value, dt.date):
        return (
            f'<table:table-cell office:value-type="date" office:date-value="{value.isoformat()}">'
            f"<text:p>{value:%d.%m.%Y}</text:p></table:table-cell>"
        )
    text = escape(str(value))
    return f'<table:table-cell office:value-type="string"><text:p>{text}</text:p></table:table-cell>'


def ods_bytes(rows: list[list[object]], sheet: str = "Лист1") -> bytes:
    """A minimal OpenDocument spreadsheet: an uncompressed `mimetype` first, content.xml and a manifest."""
    body = "".join(
        "<table:table-row>" + "".join(_ods_cell(v) for v in row) + "</table:table-row>" for row in rows
    )
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        f'<office:body><office:spreadsheet><table:table table:name="{escape(sheet)}">{body}'
        "</table:table></office:spreadsheet></office:body></office:document-content>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), ODS_MIMETYPE, compress_type=zipfile.ZIP_STORED)
        archive.writestr("META-INF/manifest.xml", ODS_MANIFEST, compress_type=zipfile.ZIP_DEFLATED)
        archive.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def xlsx_bytes(path: Path) -> bytes:
    """A small XLSX written by xlsxwriter: a header, text in Kazakh, an integer, a float and a date cell."""
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("Деректер")
    dates = book.add_format({"num_format": "dd.mm.yyyy"})
    sheet.write_row(0, 0, ["қала", "саны", "үлес", "күні"])
    for i, (city, count, share, day) in enumerate(
        [
            ("Өскемен", 331614, 12.5, dt.date(2024, 1, 2)),
            ("Қарағанды", 497777, 0.25, dt.date(2024, 2, 29)),
            ("Ақтөбе", 548714, 3.75, dt.date(2023, 12, 31)),
        ],
        start=1,
    ):
        sheet.write_string(i, 0, city)
        sheet.write_number(i, 1, count)
        sheet.write_number(i, 2, share)
        sheet.write_datetime(i, 3, dt.datetime.combine(day, dt.time()), dates)
    book.close()
    return path.read_bytes()


def zip_bomb(path: Path, unpacked: int) -> None:
    """A zip named like a workbook whose one entry of zeros unpacks to `unpacked` bytes, written in chunks
    (level 1 keeps it fast; zeros still shrink about 230 times)."""
    chunk = bytes(8 * 1024 * 1024)
    with (
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive,
        archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as entry,
    ):
        left = unpacked
        while left > 0:
            entry.write(chunk[: min(left, len(chunk))])
            left -= len(chunk)


class RepeatedBytes:
    """A file-like object that yields `size` bytes of `pattern` without holding them, so httpx streams the
    upload (chunked) instead of building it in memory."""

    def __init__(self, pattern: bytes, size: int, block: int = 1024 * 1024) -> None:
        self._block = (pattern * (block // len(pattern) + 1))[:block]
        self._left = size

    def read(self, _size: int = -1) -> bytes:
        if self._left <= 0:
            return b""
        piece = self._block[: min(self._left, len(self._block))]
        self._left -= len(piece)
        return piece
