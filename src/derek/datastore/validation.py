"""The validation report of a loaded file, in Frictionless's terms (blank rows, duplicate and blank labels,
extra and missing cells, type errors with row and column), for the publisher's resource page.

The loader's own findings (title rows skipped, columns kept as text, renamed labels) are in the report as
soon as the table is loaded. The frictionless library then checks the first rows of the file (a separate
background job, as it reads about 15,000 rows a second) against the types the table was given, and its
findings are added. The report says how many rows were checked.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from derek.datastore.ingest import MISSING

MAX_FINDINGS = 200
FRICTIONLESS_TYPES = {
    "integer": "integer",
    "number": "number",
    "date": "date",
    "datetime": "datetime",
    "time": "time",
    "boolean": "boolean",
    "text": "string",
}
NOT_ERRORS = ("title-rows", "encoding", "check-failed", "no-rows", "blank-row")  # notes, not errors


def limit_rows() -> int:
    return int(os.environ.get("DEREK_DATASTORE_VALIDATE_ROWS", "100000"))


def _schema(fields: list[dict[str, Any]], reading: dict[str, Any]) -> dict[str, Any]:
    described = []
    types = reading.get("types", {})
    for f in fields:
        kind = f["type"]
        fmt = (types.get(f["id"]) or {}).get("format", "")
        descriptor: dict[str, Any] = {"name": f["id"], "type": FRICTIONLESS_TYPES.get(kind, "string")}
        if kind == "number":
            descriptor.update({"decimalChar": fmt or ".", "groupChar": " ", "bareNumber": True})
        elif kind == "integer":
            descriptor.update({"groupChar": " ", "bareNumber": True})
        elif kind == "date" and fmt and fmt != "%Y-%m-%d":
            descriptor["format"] = fmt
        elif kind == "datetime":
            descriptor["format"] = "any"
        elif kind == "boolean":
            descriptor.update(
                {"trueValues": ["true", "True", "TRUE"], "falseValues": ["false", "False", "FALSE"]}
            )
        described.append(descriptor)
    return {"fields": described, "missingValues": list(MISSING)}


def summarise(findings: list[dict[str, Any]], rows: int, checked_rows: int, pending: bool) -> dict[str, Any]:
    counts: dict[str, int] = {}
    for f in findings:
        counts[f["type"]] = counts.get(f["type"], 0) + int(f.get("count", 1))
    return {
        "valid": not any(f["type"] not in NOT_ERRORS for f in findings),
        "rows": rows,
        "checked_rows": checked_rows,
        "pending": pending,
        "counts": counts,
        "findings": findings[:MAX_FINDINGS],
        "truncated": len(findings) > MAX_FINDINGS,
    }


def check(
    sample: Path, fields: list[dict[str, Any]], reading: dict[str, Any], loader_findings: list[dict[str, Any]]
) -> tuple[list[dict[str, Any]], int]:
    """Frictionless's findings on a UTF-8 sample of the file, with rows numbered as in the original file."""
    from frictionless import Dialect, Resource, Schema, formats

    limit = limit_rows()
    resource = Resource(
        path=sample.name,
        basepath=str(sample.parent),
        format="csv",
        encoding="utf-8",
        dialect=Dialect(
            header_rows=[int(reading.get("text_header_line", 1))],
            controls=[formats.CsvControl(delimiter=reading.get("delimiter") or ",")],
        ),
        schema=Schema.from_descriptor(_schema(fields, reading)),
    )
    findings: list[dict[str, Any]] = []
    result = resource.validate(limit_errors=MAX_FINDINGS, limit_rows=limit)
    # a workbook's sample starts at its header row; a text file's keeps its title lines
    offset = int(reading.get("header_row", 1)) - int(reading.get("text_header_line", 1))
    already = {f["type"] for f in loader_findings}
    checked = 0
    for task in result.tasks:
        stats = task.stats
        rows = stats.get("rows") if isinstance(stats, dict) else getattr(stats, "rows", 0)
        checked = max(checked, int(rows or 0))
        for error in task.errors:
            if error.type in ("duplicate-label", "blank-label", "incorrect-label") and (
                error.type in already or error.type == "incorrect-label"
            ):
                continue  # the loader already said so, with the new name
            row = getattr(error, "row_number", None)
            findings.append(
                {
                    "type": error.type,
                    "row": row + offset if row else None,
                    "column": getattr(error, "field_name", None) or None,
                    "cell": str(getattr(error, "cell", "") or "")[:100] or None,
                    "message": error.message,
                }
            )
    return findings, checked
