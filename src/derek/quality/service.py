"""What other domains use of quality: a dataset's stored figures (CKAN package dicts show them as extras),
the personal-data guard for files outside the catalog, identity-number checks, and the link checker's
concurrent checks of web addresses (reuse watches its use cases with them)."""

from __future__ import annotations

import csv
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from derek.config import Profile
from derek.core.db import utcnow
from derek.quality import detectors, freshness, personal_data
from derek.quality.links import Outcome as Outcome  # part of this service's surface
from derek.quality.links import check_all as check_all  # part of this service's surface
from derek.quality.models import DatasetQuality

# the extras a CKAN package dict carries; the portal computes them, so a client cannot set them
EXTRA_KEYS = ("quality_score", "quality_rating", "openness_stars", "freshness", "freshness_due")


def freshness_state(frequency: str, last_change: datetime | None, now: datetime) -> str:
    """on_time, due_soon, overdue or not_applicable: data changed last at last_change, against the update
    frequency (the EU vocabulary) someone declared, at the moment now."""
    return freshness.assess(frequency, last_change, now).state


def extras_of(session: Session, dataset_id: str) -> dict[str, str]:
    """The dataset's stored score, rating, stars and freshness as text; nothing before its first score."""
    row = session.get(DatasetQuality, dataset_id)
    if row is None or row.computed_at is None:
        return {}
    extras = {
        "quality_score": f"{row.points}/405",
        "quality_rating": row.rating,
        "openness_stars": str(row.stars),
        "freshness": freshness.state_at(row.due_at, row.due_soon_at, utcnow()),
    }
    if row.due_at is not None:
        extras["freshness_due"] = row.due_at.date().isoformat()
    return extras


# ---------------------------------------------------------------- the personal-data guard for other domains

# files the guard reads: tables and spreadsheets cell by cell, other text line by line
_TABLE_SUFFIXES = {"csv", "tsv"}
_TEXT_SUFFIXES = {
    "txt",
    "json",
    "geojson",
    "xml",
    "html",
    "htm",
    "md",
    "rtf",
    "kml",
    "gml",
    "sql",
}
_SHEET_SUFFIXES = {"xlsx", "xls", "ods"}


def check_file(path: Path, filename: str, profile: Profile) -> tuple[str, list[dict[str, Any]]]:
    """The personal-data guard on a file outside the catalog (e.g. an answer's attachment): its state
    (clean, warnings, personal, not_checked for a format it cannot read) and the findings, per column or
    "(text)", with masked samples."""
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if suffix in _TABLE_SUFFIXES:
        findings = _scan_csv(path, profile)
    elif suffix in _TEXT_SUFFIXES:
        findings, _lines = personal_data.scan_text(path, profile)
    elif suffix in _SHEET_SUFFIXES:
        findings = _scan_sheets(path, profile)
    else:
        return "not_checked", []
    if any(f["severity"] == detectors.PERSONAL for f in findings):
        return "personal", findings
    return ("warnings" if findings else "clean"), findings


def _scan_csv(path: Path, profile: Profile) -> list[dict[str, Any]]:
    """Cell by cell, so that a line's separators are not read as decimal commas; columns by header."""
    names = [n for n in profile.personal_data if n in detectors.DETECTORS]
    tally = personal_data.Tally()
    with path.open("rb") as raw:
        head = raw.read(64 * 1024)
    try:
        head.decode("utf-8")
        encoding = "utf-8-sig"
    except UnicodeDecodeError as exc:
        encoding = "utf-8-sig" if exc.start > len(head) - 4 else "cp1251"
    try:
        dialect: Any = csv.Sniffer().sniff(head.decode(encoding, errors="replace")[:8192], ",;\t|")
    except csv.Error:
        dialect = csv.excel
    with path.open(encoding=encoding, errors="replace", newline="") as fh:
        rows = csv.reader(fh, dialect)
        header = next(rows, [])
        for number, row in enumerate(rows, 1):
            for i, value in enumerate(row):
                for match in detectors.scan_cell(value, names) if names else ():
                    tally.add(header[i] if i < len(header) and header[i] else f"#{i + 1}", number, match)
    return tally.findings()


def _scan_sheets(path: Path, profile: Profile) -> list[dict[str, Any]]:
    from python_calamine import CalamineWorkbook

    names = [n for n in profile.personal_data if n in detectors.DETECTORS]
    tally = personal_data.Tally()
    workbook = CalamineWorkbook.from_path(str(path))
    for sheet in workbook.sheet_names:
        for number, row in enumerate(workbook.get_sheet_by_name(sheet).to_python(), 1):
            for column, value in enumerate(row, 1):
                for match in detectors.scan_cell(value, names) if names else ():
                    tally.add(f"{sheet}!{column}", number, match)
    return tally.findings()


def valid_identifier(value: str, detector_names: Sequence[str]) -> bool:
    """Whether value is a valid identity number of one of the named kinds (e.g. kz_iin, kz_bin)."""
    value = value.strip()
    return any(check(value) for name, check in _VALIDATORS.items() if name in detector_names)


_VALIDATORS: dict[str, Callable[[str], bool]] = {
    "kz_iin": detectors.is_kz_iin,
    "kz_bin": lambda v: detectors.kz_bin_type(v) is not None,
    "ee_isikukood": detectors.is_ee_isikukood,
    "ca_sin": detectors.is_ca_sin,
}


def mask_text(text: str, profile: Profile, *, only_personal: bool = False) -> str:
    """The text with every identity number, e-mail address and phone number the profile's detectors find
    masked as in the guard's samples (90********26, a***@example.kz); with only_personal, only the values
    that block publication (identity numbers), not an organization's phone or address."""
    names = [n for n in profile.personal_data if n in detectors.DETECTORS]
    if not names or not text:
        return text
    lines = []
    for line in text.split("\n"):
        for match in detectors.scan_cell(line, names):
            if only_personal and match.severity != detectors.PERSONAL:
                continue
            line = line.replace(match.value, detectors.mask(match.value, match.detector))
        lines.append(line)
    return "\n".join(lines)
