"""The personal-data guard: every uploaded table or text file is scanned before it can be published.

When a table file is uploaded its scan is *pending* (the catalog's publication gate refuses to publish the
dataset meanwhile); when the DataStore has loaded it, a job scans it column by column with the detectors the
jurisdiction profile names (`derek.quality.detectors`). DuckDB picks the cells worth a look (the detectors'
own prefilter pattern), the detectors decide, and only counts and masked samples are kept, so a file of any
size is scanned in bounded memory. Text files (XML, HTML, Markdown...) are read line by line in pieces of a
megabyte. A column with personal values (valid IINs, isikukoods, SINs, personal e-mail addresses) blocks
publication until the file is replaced without it, or a reviewer (a sysadmin) records a lawful basis, which
the audit log keeps. Possibly personal values (phones, role addresses, sole traders' BINs) are warnings.
A dataset that is already public when personal data is found in a new file is taken back to draft.
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from derek.catalog import service as catalog
from derek.catalog.schemas import DatasetUpdate
from derek.config import Profile
from derek.core import audit, events, gates, jobs
from derek.core.authz import SYSTEM, Actor, authorize, register
from derek.core.db import new_id, utcnow
from derek.core.errors import DomainError, Invalid, NotFound
from derek.datastore import service as datastore
from derek.quality import detectors
from derek.quality.models import PersonalDataScan
from derek.quality.schemas import Finding, ScanRead

log = logging.getLogger(__name__)

SCAN_JOB = "quality.personal_data_scan"
# files read as text, line by line (tables are read from the DataStore once loaded)
TEXT_FORMATS = {
    "XML",
    "HTML",
    "HTM",
    "MD",
    "RTF",
    "RDF",
    "TTL",
    "KML",
    "GML",
    "GEOJSON",
    "RSS",
    "ATOM",
    "SQL",
}
TEXT_COLUMN = "(text)"
CHUNK = 1024 * 1024
SAMPLES = 3
BLOCKING = ("pending", "personal", "failed")
Progress = Callable[[int, int, str, str], None]


@register("personal_data.review", "record a lawful basis to publish a file in which personal data was found")
def _may_review(_actor: Actor, _obj: Any) -> bool:
    return False  # sysadmins only (`can` lets them through before any rule)


def _row(session: Session, resource_id: str) -> PersonalDataScan:
    scan = session.get(PersonalDataScan, resource_id)
    if scan is None:
        scan = PersonalDataScan(resource_id=resource_id, findings=[], lawful_basis="")
        session.add(scan)
    return scan


def _reset(scan: PersonalDataScan, sha256: str) -> None:
    if scan.sha256 != sha256:  # a new file: the reviewer's decision was about the old one
        scan.lawful_basis, scan.reviewed_by, scan.reviewed_at = "", None, None
    scan.sha256, scan.status, scan.findings, scan.error = sha256, "pending", [], ""
    scan.rows_scanned, scan.scanned_at, scan.updated_at = 0, None, utcnow()


@events.subscribe(events.RESOURCE_CONTENT_CHANGED)
def _hold_new_upload(session: Session, *, actor: Actor, resource_id: str, format: str, url_type: str) -> None:
    """An uploaded table or text file waits for its scan before its dataset can be published; a text file's
    scan is queued now (a table's once the DataStore has loaded it)."""
    text = format.upper() in TEXT_FORMATS
    if url_type != "upload" or not (text or datastore.is_tabular(format)):
        return
    try:
        _dataset, resource = catalog.get_resource(session, SYSTEM, resource_id)
    except NotFound:
        return
    _reset(_row(session, resource_id), resource.sha256)
    if text:
        jobs.enqueue(
            session, actor, SCAN_JOB, "resource", resource_id, {"sha256": resource.sha256, "text": True}
        )


@events.subscribe(events.TABLE_LOADED)
def _queue_scan(session: Session, *, actor: Actor, resource_id: str, sha256: str) -> None:
    scan = _row(session, resource_id)
    if scan.sha256 == sha256 and scan.status not in ("pending", "failed"):
        return  # this file was scanned already (a reload with the same bytes)
    _reset(scan, sha256)
    jobs.enqueue(session, actor, SCAN_JOB, "resource", resource_id, {"sha256": sha256})


@events.subscribe(events.TABLE_WRITTEN)
def _scan_written(session: Session, *, actor: Actor, resource_id: str) -> None:
    """Records written through the API (CKAN's datastore_create and _upsert) are scanned too. A table never
    scanned waits for it like a new upload; one already checked keeps its outcome until the new scan ends
    (a feed updated every minute stays readable), and a scan that finds personal data withholds it then."""
    scan = _row(session, resource_id)
    written = "api:" + new_id()  # this state of the table: a later write supersedes its scan
    if scan.status in ("pending", "failed") or not scan.scanned_at:
        _reset(scan, written)
    else:
        scan.sha256 = written
    jobs.enqueue(session, actor, SCAN_JOB, "resource", resource_id, {"sha256": written, "api": True})


def _status(findings: list[dict[str, Any]], cleared: bool) -> str:
    if any(f["severity"] == "personal" for f in findings):
        return "cleared" if cleared else "personal"
    return "warnings" if findings else "clean"


class Tally:
    """What a scan keeps per column and detector: the rows with a match, the strongest severity and a few
    masked samples (never the values themselves)."""

    def __init__(self) -> None:
        self.rows: Counter[tuple[str, str]] = Counter()
        self.last_row: dict[tuple[str, str], int] = {}
        self.severity: dict[tuple[str, str], str] = {}
        self.samples: defaultdict[tuple[str, str], list[str]] = defaultdict(list)

    def add(self, column: str, row: int, match: detectors.Match) -> None:
        key = (column, match.detector)
        if self.last_row.get(key) != row:  # a row counts once, however many matches it holds
            self.rows[key] += 1
            self.last_row[key] = row
        if match.severity == "personal" or key not in self.severity:
            self.severity[key] = match.severity
        masked = detectors.mask(match.value, match.detector)
        if len(self.samples[key]) < SAMPLES and masked not in self.samples[key]:
            self.samples[key].append(masked)

    def findings(self) -> list[dict[str, Any]]:
        found = [
            {
                "column": c,
                "detector": d,
                "severity": self.severity[(c, d)],
                "rows": n,
                "samples": self.samples[(c, d)],
            }
            for (c, d), n in self.rows.items()
        ]
        return sorted(
            found, key=lambda f: (f["severity"] != "personal", -f["rows"], f["column"], f["detector"])
        )


def scan_table(
    session: Session, duck: Any, profile: Profile, resource_id: str, progress: Progress | None = None
) -> list[dict[str, Any]]:
    """Findings per column and detector in the resource's loaded table: rows, masked samples."""
    names = [n for n in profile.personal_data if n in detectors.DETECTORS]
    if not names:
        return []
    tally = Tally()
    # DuckDB lets through only the cells the detectors could match (their own prefilter, in both syntaxes)
    cells = datastore.candidate_cells(session, duck, resource_id, detectors.prefilter_pattern(names))
    for seen, (column, number, value) in enumerate(cells, 1):
        if progress and seen % 20_000 == 0:
            progress(seen, 0, "cells", f"Checked {seen:,} cells that look like numbers or addresses")
        for match in detectors.scan_cell(value, names):
            tally.add(column, number, match)
    return tally.findings()


def _pieces(path: Any) -> Iterator[str]:
    """The file's text in pieces of about a megabyte, cut at a line end or a space so no value is split
    (a piece without either is cut where it is); UTF-8, else Windows-1251."""
    with open(path, "rb") as fh:
        head = fh.read(CHUNK)
        try:
            head.decode("utf-8")
            encoding = "utf-8"
        except UnicodeDecodeError as exc:
            encoding = "utf-8" if exc.start > len(head) - 4 else "cp1251"  # a character cut at the end
        fh.seek(0)
        carry = b""
        while block := fh.read(CHUNK):
            block = carry + block
            cut = max(block.rfind(b"\n"), block.rfind(b" "))
            if cut <= 0 or len(block) - cut > CHUNK:
                cut = len(block) - 1
            carry = block[cut + 1 :]
            yield block[: cut + 1].decode(encoding, errors="replace")
        if carry:
            yield carry.decode(encoding, errors="replace")


def scan_text(
    path: Any, profile: Profile, progress: Progress | None = None
) -> tuple[list[dict[str, Any]], int]:
    """Findings in a text file, line by line (as one "(text)" column; rows = lines), and the lines read."""
    names = [n for n in profile.personal_data if n in detectors.DETECTORS]
    tally = Tally()
    lines = 0
    for piece in _pieces(path):
        for line in piece.splitlines():
            lines += 1
            for match in detectors.scan_cell(line, names) if names else ():
                tally.add(TEXT_COLUMN, lines, match)
        if progress:
            progress(lines, 0, "lines", f"Checked {lines:,} lines")
    return tally.findings(), lines


def run_scan(
    session: Session,
    duck: Any,
    profile: Profile,
    resource_id: str,
    sha256: str,
    progress: Progress | None = None,
    *,
    store: Any = None,
    text: bool = False,
    api: bool = False,
) -> PersonalDataScan | None:
    """Scan the resource's table (or, with `text`, its stored file) if it still holds the file `sha256`;
    None when the file changed since. The resource's current file decides, not only the table: a scan of an
    older file finishing after a newer upload must not mark the newer one checked."""
    _dataset, resource = catalog.get_resource(session, SYSTEM, resource_id)
    if resource.url_type == "upload" and resource.sha256 != sha256 and not api:
        return None
    if api:  # records written through the API: `sha256` names the table's state (the scan row holds it)
        table = datastore.table_of(session, resource_id)
        if table is None:
            return None
        findings, counted = scan_table(session, duck, profile, resource_id, progress), table[1]
    elif text:
        findings, counted = scan_text(store.path_for(sha256), profile, progress)
    else:
        table = datastore.table_of(session, resource_id)
        if table is None or table[0] != sha256:
            return None
        findings, counted = scan_table(session, duck, profile, resource_id, progress), table[1]
    scan = _row(session, resource_id)
    if scan.sha256 and scan.sha256 != sha256:
        return None  # a newer file is waiting for its own scan
    cleared = scan.sha256 == sha256 and bool(scan.lawful_basis)
    scan.sha256, scan.findings, scan.rows_scanned, scan.error = sha256, findings, counted, ""
    scan.status, scan.scanned_at, scan.updated_at = _status(findings, cleared), utcnow(), utcnow()
    session.flush()
    if scan.status == "personal":
        _withhold(session, profile, resource_id, findings)
    return scan


def _withhold(session: Session, profile: Profile, resource_id: str, findings: list[dict[str, Any]]) -> None:
    """A public dataset in which personal data turned up goes back to draft until it is fixed."""
    dataset, _resource = catalog.get_resource(session, SYSTEM, resource_id)
    if dataset.state != "published" or dataset.private:
        return
    catalog.update_dataset(session, SYSTEM, profile, dataset.id, DatasetUpdate(state="draft"))
    columns = sorted({f["column"] for f in findings if f["severity"] == "personal"})
    audit.record(
        session,
        SYSTEM,
        "personal_data.withhold",
        "dataset",
        dataset.id,
        {"state": "published"},
        {"state": "draft", "resource": resource_id, "columns": columns},
    )


@jobs.handler(SCAN_JOB)
def _run_scan_job(session: Session, context: jobs.JobContext) -> dict[str, Any]:
    settings = context.resources["settings"]
    context.progress(0, 0, "cells", "Looking for personal data")
    try:
        scan = run_scan(
            session,
            context.resources["duck"],
            settings.jurisdiction,
            context.subject_id,
            str(context.params.get("sha256", "")),
            context.progress,
            store=context.resources.get("store"),
            text=bool(context.params.get("text")),
            api=bool(context.params.get("api")),
        )
    except Exception as exc:  # the file stays blocked, and says so, rather than waiting forever
        session.rollback()
        failed = session.get(PersonalDataScan, context.subject_id)
        if failed is not None:
            failed.status, failed.error, failed.updated_at = "failed", type(exc).__name__, utcnow()
            session.commit()
        log.exception("personal-data scan of %s failed", context.subject_id)
        raise DomainError(
            "The personal-data check could not read the file: it stays unpublished until it is fixed or a "
            "reviewer clears it."
        ) from exc
    if scan is None:
        return {"skipped": "the resource holds another file since"}
    return {"status": scan.status, "findings": len(scan.findings)}


# ---------------------------------------------------------------- reading and reviewing


def _finding(f: dict[str, Any], lang: str) -> Finding:
    return Finding(
        column=f["column"],
        detector=f["detector"],
        kind=detectors.describe(f["detector"], lang),
        severity=f["severity"],
        rows=f["rows"],
        samples=list(f["samples"]),
    )


def scan_read(scan: PersonalDataScan | None, resource_id: str, lang: str = "en") -> ScanRead:
    if scan is None:
        return ScanRead(resource_id=resource_id, status="not_scanned")
    return ScanRead(
        resource_id=resource_id,
        status=scan.status,
        findings=[_finding(f, lang) for f in scan.findings],
        rows_scanned=scan.rows_scanned,
        scanned_at=scan.scanned_at,
        lawful_basis=scan.lawful_basis,
        reviewed_at=scan.reviewed_at,
    )


def get_scan(session: Session, actor: Actor, resource_id: str, lang: str = "en") -> ScanRead:
    """The resource's scan, for the dataset's editors (the samples are masked, but still theirs to see)."""
    dataset, _resource = catalog.get_resource(session, actor, resource_id)
    authorize(actor, "dataset.update", dataset)
    return scan_read(session.get(PersonalDataScan, resource_id), resource_id, lang)


def record_lawful_basis(
    session: Session, actor: Actor, resource_id: str, lawful_basis: str, lang: str = "en"
) -> ScanRead:
    """A reviewer allows publishing this file despite its findings, giving the legal ground."""
    catalog.get_resource(session, actor, resource_id)
    authorize(actor, "personal_data.review", resource_id)
    basis = lawful_basis.strip()
    if len(basis) < 10:
        raise Invalid(
            "Give the lawful basis in a sentence: the law or decision that allows publishing this data.",
            errors={"lawful_basis": ["Write at least 10 characters."]},
        )
    scan = session.get(PersonalDataScan, resource_id)
    unreadable = scan is not None and scan.status == "pending" and load_failed(session, resource_id)
    if scan is None or not (unreadable or scan.status in ("personal", "failed", "cleared")):
        raise Invalid("Nothing to clear: the personal-data check found no personal data in this file.")
    before = {"status": scan.status, "lawful_basis": scan.lawful_basis}
    scan.lawful_basis, scan.reviewed_by, scan.reviewed_at = basis[:5000], actor.user_id, utcnow()
    scan.status, scan.updated_at = "cleared", utcnow()
    audit.record(
        session,
        actor,
        "personal_data.clear",
        "resource",
        resource_id,
        before,
        {"status": "cleared", "lawful_basis": scan.lawful_basis, "sha256": scan.sha256},
    )
    return scan_read(scan, resource_id, lang)


# ---------------------------------------------------------------- the publication gate


def load_failed(session: Session, resource_id: str) -> bool:
    """Whether the resource's latest DataStore load failed (its table file could not be read)."""
    _table, job = datastore.load_status(session, SYSTEM, resource_id)
    return job is not None and job.status == "failed"


@gates.serving_gate("personal_data")
def reason_not_to_serve(session: Session, resource_id: str) -> str:
    """Why the resource's current file may not be served to the public now ("" when it may): a new file of a
    public dataset waits for its check, and one with personal data (or unreadable) waits for its publisher
    or a reviewer."""
    scan = session.get(PersonalDataScan, resource_id)
    if scan is None or scan.status not in BLOCKING:
        return ""
    if scan.status == "personal":
        return (
            "This file is withheld: it holds personal data. It will be available once its publisher removes "
            "that data or a reviewer records a lawful basis."
        )
    if scan.status == "failed" or load_failed(session, resource_id):
        return (
            "This file is withheld: it could not be checked for personal data. It will be available once it "
            "is fixed or a reviewer has checked it."
        )
    return (
        "This file is being checked for personal data and will be available when the check has passed "
        "(usually within a minute)."
    )


@gates.publication_gate("personal_data")
def reasons_not_to_publish(session: Session, dataset_id: str, lang: str = "en") -> list[str]:
    """Why the dataset may not be published yet, resource by resource, in plain words."""
    labels = dict(catalog.resource_labels(session, dataset_id))
    if not labels:
        return []
    scans = session.scalars(
        select(PersonalDataScan).where(
            PersonalDataScan.resource_id.in_(list(labels)), PersonalDataScan.status.in_(BLOCKING)
        )
    ).all()
    reasons = []
    for scan in sorted(scans, key=lambda s: list(labels).index(s.resource_id)):
        name = labels[scan.resource_id]
        if scan.status == "personal":
            for f in scan.findings:
                if f["severity"] == "personal":
                    reasons.append(
                        f"Resource “{name}”: column “{f['column']}” has {f['rows']:,} rows with "
                        f"{detectors.describe(f['detector'], lang)} (personal data). Remove the column and "
                        "upload the file again, or ask a reviewer to record a lawful basis."
                    )
        elif scan.status == "failed" or load_failed(session, scan.resource_id):
            reasons.append(
                f"Resource “{name}” could not be read as a table, so it could not be checked for personal "
                "data: fix the file and upload it again, or ask a reviewer to check it."
            )
        else:
            reasons.append(
                f"Resource “{name}” is still being checked for personal data: publish the dataset once the "
                "check has finished (usually within a minute)."
            )
    return reasons
