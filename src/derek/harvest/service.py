"""Harvest services: sources, runs (create, update and withdraw mirrored datasets), and the run job."""

from __future__ import annotations

import contextlib
import hashlib
import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from pydantic import ValidationError
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from derek.catalog import service as catalog
from derek.catalog.schemas import DatasetCreate, DatasetUpdate, ResourceCreate, ResourceUpdate
from derek.config import Profile
from derek.core import audit, jobs
from derek.core.authz import SYSTEM, Actor, authorize, register
from derek.core.db import utcnow
from derek.core.errors import Conflict, DomainError, Invalid, NotFound
from derek.harvest import ckan, dcat_source, egov
from derek.harvest.models import HarvestRecord, HarvestRun, HarvestSource
from derek.harvest.remote import RemoteDataset, SourceFailed
from derek.harvest.schemas import HarvestRunRead, HarvestSourceCreate, HarvestSourceRead

log = logging.getLogger(__name__)

RUN_JOB = "harvest.run"
Progress = Callable[[int, int, str, str], None]
CHECKPOINT_EVERY = 25
PERIODS = {"daily": timedelta(days=1), "weekly": timedelta(days=7)}


@register("harvest.manage", "manage harvest sources and run harvests")
def _may_manage(_actor: Actor, _obj: Any) -> bool:
    return False  # sysadmins only (`can` lets them through before any rule)


def _find_source(session: Session, name_or_id: str) -> HarvestSource:
    source = session.scalar(
        select(HarvestSource).where((HarvestSource.name == name_or_id) | (HarvestSource.id == name_or_id))
    )
    if source is None:
        raise NotFound(f"There is no harvest source {name_or_id!r}.")
    return source


def run_read(run: HarvestRun) -> HarvestRunRead:
    return HarvestRunRead(
        id=run.id,
        started_at=run.started_at,
        finished_at=run.finished_at,
        status=run.status,
        created=run.created,
        updated=run.updated,
        withdrawn=run.withdrawn,
        unchanged=run.unchanged,
        errors=list(run.errors or []),
        job_id=run.job_id,
    )


def _source_read(session: Session, source: HarvestSource, runs: int = 0) -> HarvestSourceRead:
    org = catalog.get_organization(session, SYSTEM, source.organization_id)
    mirrored = session.scalar(
        select(func.count())
        .select_from(HarvestRecord)
        .where(HarvestRecord.source_id == source.id, HarvestRecord.withdrawn_at.is_(None))
    )
    latest = (
        session.scalars(
            select(HarvestRun)
            .where(HarvestRun.source_id == source.id)
            .order_by(HarvestRun.started_at.desc())
            .limit(runs)
        ).all()
        if runs
        else []
    )
    return HarvestSourceRead(
        id=source.id,
        name=source.name,
        title=source.title,
        kind=source.kind,
        url=source.url,
        organization=org.name,
        schedule=source.schedule,
        active=source.active,
        datasets=list((source.config or {}).get("datasets") or []),
        created_at=source.created_at,
        last_run_at=source.last_run_at,
        mirrored=mirrored or 0,
        runs=[run_read(r) for r in latest],
    )


def create_source(session: Session, actor: Actor, data: HarvestSourceCreate) -> HarvestSourceRead:
    authorize(actor, "harvest.manage")
    try:
        org = catalog.get_organization(session, actor, data.organization)
    except NotFound as exc:
        raise Invalid(
            f"There is no organization {data.organization!r} to own the mirrored datasets.",
            errors={"organization": ["Unknown organization."]},
        ) from exc
    if session.scalar(select(HarvestSource.id).where(HarvestSource.name == data.name)):
        raise Conflict(f"A harvest source named {data.name!r} already exists.", errors={"name": ["Taken."]})
    source = HarvestSource(
        name=data.name,
        title=data.title,
        kind=data.kind,
        url=data.url.rstrip("/"),
        organization_id=org.id,
        schedule=data.schedule,
        active=data.active,
        config={"datasets": data.datasets} if data.datasets else {},
    )
    session.add(source)
    session.flush()
    after = {"name": source.name, "kind": source.kind, "url": source.url, "organization": org.name}
    audit.record(session, actor, "harvest.source.create", "harvest_source", source.id, None, after)
    return _source_read(session, source)


def list_sources(session: Session, actor: Actor) -> list[HarvestSourceRead]:
    authorize(actor, "harvest.manage")
    sources = session.scalars(select(HarvestSource).order_by(HarvestSource.name)).all()
    return [_source_read(session, s, runs=1) for s in sources]


def get_source(session: Session, actor: Actor, name_or_id: str, runs: int = 10) -> HarvestSourceRead:
    authorize(actor, "harvest.manage")
    return _source_read(session, _find_source(session, name_or_id), runs=runs)


def active_run(session: Session, name: str) -> jobs.Job | None:
    """The source's run job when one is queued or running."""
    latest = jobs.latest_for(session, RUN_JOB, name)
    return latest if latest is not None and latest.status in ("queued", "running") else None


def queue_run(session: Session, actor: Actor, name_or_id: str) -> jobs.Job:
    """Queue a run for the server's worker (the caller commits); follow the job for its progress. While a
    run of the source is queued or running, that job is returned and nothing more is queued."""
    source = _find_source(session, name_or_id)
    authorize(actor, "harvest.manage", source)
    return active_run(session, source.name) or jobs.enqueue(
        session, actor, RUN_JOB, "harvest_source", source.name
    )


def _name_taken(session: Session, profile: Profile, name: str) -> bool:
    try:
        catalog.get_dataset(session, SYSTEM, profile, name)  # deleted ones keep their name too
    except NotFound:
        return False
    return True


def _local_name(
    session: Session, profile: Profile, source: HarvestSource, remote_name: str, remote_id: str
) -> str:
    """The source's name before the remote one, so mirrors never take a local dataset's name; a hash of
    the remote id when even that is taken (or too long)."""
    cleaned = "".join(c if c.isalnum() and c.isascii() or c in "-_" else "-" for c in remote_name.lower())
    base = f"{source.name}--{cleaned.strip('-_') or 'dataset'}"
    suffix = "-" + hashlib.sha256(remote_id.encode()).hexdigest()[:8]
    for candidate in (base[:100], base[: 100 - len(suffix)] + suffix):
        if not _name_taken(session, profile, candidate):
            return candidate
    raise Conflict(f"No free local name for the remote dataset {remote_name!r}.")


def _apply_resources(
    session: Session, actor: Actor, profile: Profile, dataset_id: str, wanted: list[ResourceCreate]
) -> None:
    """Make the mirror's resources the remote ones, in order, reusing the local resources by position."""
    current = catalog.get_dataset(session, actor, profile, dataset_id).resources
    for i, data in enumerate(wanted):
        if i < len(current):
            catalog.update_resource(session, actor, current[i].id, ResourceUpdate(**data.model_dump()))
        else:
            catalog.create_resource(session, actor, dataset_id, data)
    for extra in current[len(wanted) :]:
        catalog.delete_resource(session, actor, extra.id)


def run_harvest(
    session: Session,
    actor: Actor,
    profile: Profile,
    name_or_id: str,
    *,
    progress: Progress | None = None,
    allow_private: bool = False,
    timeout: float = 30.0,
    job_id: str | None = None,
    checkpoint: Callable[[], None] | None = None,
) -> HarvestRunRead:
    """Read the whole source, then create, update and withdraw its mirrors in the caller's transaction.

    `checkpoint` (the job passes its session's commit) is called every CHECKPOINT_EVERY mirrors before the
    progress is shown: on SQLite the progress, written in its own transaction, would otherwise wait for the
    run's lock. A run stopped between checkpoints is completed by the next one (runs are idempotent).

    A source that cannot be read completely leaves every mirror as it was: the run is recorded as failed
    with the reason. A remote dataset that cannot be mirrored is reported among the run's errors and
    skipped; the others are applied. Local datasets this source did not create are never touched."""
    source = _find_source(session, name_or_id)
    authorize(actor, "harvest.manage", source)
    show = progress or (lambda *_a: None)
    # Nothing is written before every page is read: on SQLite a write would hold the database's lock
    # through the fetch, and the job's progress (written in its own transaction) would wait for it.
    failure = ""
    remote: list[RemoteDataset] = []
    errors: list[dict[str, str]] = []
    try:
        show(0, 0, "datasets", f"Reading {source.url}")
        remote, errors = read_source(
            source,
            profile,
            utcnow(),
            allow_private=allow_private,
            timeout=timeout,
            progress=lambda done, total: show(done, total, "datasets", f"Reading {source.url}"),
        )
    except DomainError as exc:
        failure = exc.message
    run = HarvestRun(source_id=source.id, job_id=job_id, status="running", errors=[])
    session.add(run)
    if failure:
        run.status, run.errors, run.finished_at = "failed", [{"error": failure}], utcnow()
        source.last_run_at = run.finished_at
        session.flush()
        return run_read(run)
    records = {
        r.remote_id: r
        for r in session.scalars(select(HarvestRecord).where(HarvestRecord.source_id == source.id))
    }
    now = utcnow()
    for done, item in enumerate(remote, 1):
        if done % CHECKPOINT_EVERY == 0:
            if checkpoint is not None:
                checkpoint()
                show(done, len(remote), "datasets", "Applying the changes")
                # Write first: on SQLite a transaction that reads, sees another connection commit, then
                # writes fails at once ("database is locked"); one that starts with a write waits its turn.
                session.execute(update(HarvestRun).where(HarvestRun.id == run.id).values(status="running"))
            else:
                show(done, len(remote), "datasets", "Applying the changes")
        key = record_key(item.remote_id)
        try:
            with session.begin_nested():
                outcome = _apply_one(session, actor, profile, source, records.get(key), item, now)
        except (DomainError, ValidationError) as exc:
            message = exc.message if isinstance(exc, DomainError) else _first_error(exc)
            errors.append({"remote": item.remote_name or item.remote_id, "error": message})
            continue
        records[key] = outcome[1]
        setattr(run, outcome[0], getattr(run, outcome[0]) + 1)
    seen = {record_key(item.remote_id) for item in remote}
    for remote_id, record in records.items():
        if remote_id in seen or record.withdrawn_at is not None:
            continue
        if record.dataset_id is not None:
            with contextlib.suppress(NotFound):  # deleted here already
                catalog.delete_dataset(session, actor, record.dataset_id)
        record.withdrawn_at = now
        run.withdrawn += 1
    run.status, run.errors, run.finished_at = "succeeded", errors, utcnow()
    source.last_run_at = run.finished_at
    session.flush()
    audit.record(
        session,
        actor,
        "harvest.run",
        "harvest_source",
        source.id,
        None,
        run_read(run).model_dump(mode="json"),
    )
    return run_read(run)


def _first_error(exc: ValidationError) -> str:
    first = exc.errors()[0]
    return f"{'.'.join(str(p) for p in first['loc'])}: {first['msg']}"


def record_key(remote_id: str) -> str:
    """The remote id as stored (a hash when it is longer than the column, e.g. a long URI)."""
    return remote_id if len(remote_id) <= 200 else "sha256:" + hashlib.sha256(remote_id.encode()).hexdigest()


def read_source(
    source: HarvestSource,
    profile: Profile,
    harvested_at: datetime,
    *,
    allow_private: bool = False,
    timeout: float = 30.0,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[list[RemoteDataset], list[dict[str, str]]]:
    """Every remote dataset of the source (or SourceFailed), and those that cannot be mirrored, with why."""
    options: dict[str, Any] = {"allow_private": allow_private, "timeout": timeout, "progress": progress}
    if source.kind == "ckan":
        return ckan.read(source.url, source.name, profile, harvested_at, **options), []
    if source.kind == "dcat":
        return dcat_source.read(source.url, source.name, profile, harvested_at, **options)
    if source.kind == "egov":
        entries = list((source.config or {}).get("datasets") or [])
        return egov.read(source.url, source.name, profile, harvested_at, entries, **options)
    raise SourceFailed(f"This portal cannot harvest {source.kind!r} sources.")


def _apply_one(
    session: Session,
    actor: Actor,
    profile: Profile,
    source: HarvestSource,
    record: HarvestRecord | None,
    item: RemoteDataset,
    now: Any,
) -> tuple[str, HarvestRecord]:
    """Create, update or leave one mirror; which it was ("created", "updated", "unchanged") and its record."""
    org_id = source.organization_id
    if record is not None and record.dataset_id is not None:
        if record.content_hash == item.content_hash and record.withdrawn_at is None:
            return "unchanged", record
        if record.withdrawn_at is not None:
            catalog.restore_dataset(session, actor, record.dataset_id)
        catalog.update_dataset(
            session, actor, profile, record.dataset_id, DatasetUpdate(**item.fields), default_licence=False
        )
        _apply_resources(session, actor, profile, record.dataset_id, item.resources)
        record.content_hash, record.remote_name, record.remote_url = (
            item.content_hash,
            item.remote_name[:200],
            item.remote_url[:2000],
        )
        record.harvested_at, record.withdrawn_at = now, None
        return "updated", record
    name = _local_name(session, profile, source, item.remote_name, item.remote_id)
    created = catalog.create_dataset(  # a licence the portal does not know is no licence, not the default
        session,
        actor,
        profile,
        DatasetCreate(name=name, organization=org_id, **item.fields),
        default_licence=False,
    )
    for data in item.resources:
        catalog.create_resource(session, actor, created.id, data)
    if record is None:
        record = HarvestRecord(source_id=source.id, remote_id=record_key(item.remote_id))
        session.add(record)
    record.remote_name, record.remote_url = item.remote_name[:200], item.remote_url[:2000]
    record.dataset_id, record.content_hash, record.harvested_at, record.withdrawn_at = (
        created.id,
        item.content_hash,
        now,
        None,
    )
    session.flush()
    return "created", record


@jobs.schedule("harvest")
def queue_due_runs(session: Session, now: datetime) -> int:
    """Queue a run for every active source whose daily or weekly run is due and not already queued."""
    queued = 0
    for source in session.scalars(
        select(HarvestSource).where(HarvestSource.active.is_(True), HarvestSource.schedule.in_(PERIODS))
    ):
        if source.last_run_at is not None and now - source.last_run_at < PERIODS[source.schedule]:
            continue
        latest = jobs.latest_for(session, RUN_JOB, source.name)
        if latest is not None and (
            active_run(session, source.name) or now - latest.created_at < PERIODS[source.schedule]
        ):
            continue  # already on its way, or tried within the period (a failing source waits too)
        jobs.enqueue(session, SYSTEM, RUN_JOB, "harvest_source", source.name, {"scheduled": True})
        queued += 1
    return queued


def _mark_interrupted(session: Session, job_id: str, reason: str) -> None:
    run = session.scalar(select(HarvestRun).where(HarvestRun.job_id == job_id))
    if run is None or run.status != "running":
        return
    message = (
        f"The run stopped part-way ({reason}); the mirrors applied so far stay, the next run completes it."
    )
    run.status, run.finished_at = "failed", utcnow()
    run.errors = [*(run.errors or []), {"error": message}]
    session.commit()


@jobs.handler(RUN_JOB)
def _run_job(session: Session, context: jobs.JobContext) -> dict[str, Any]:
    settings = context.resources["settings"]
    actor = context.actor if context.actor.authenticated else SYSTEM
    try:
        run = run_harvest(
            session,
            actor,
            settings.jurisdiction,
            context.subject_id,
            progress=context.progress,
            allow_private=bool(getattr(settings, "fetch_allow_private", False)),
            timeout=float(getattr(settings, "fetch_timeout", 30.0)),
            job_id=context.job_id,
            checkpoint=session.commit,
        )
    except Exception as exc:
        # stopped in the apply phase: what the checkpoints committed stays (the next run completes it), and
        # the run's record says it stopped instead of "running" for ever
        session.rollback()
        _mark_interrupted(session, context.job_id, type(exc).__name__)
        raise
    session.commit()  # the run's record stays, also when it failed
    if run.status == "failed":
        raise DomainError(
            "The harvest failed and changed nothing: " + "; ".join(e["error"] for e in run.errors)
        )
    return run.model_dump(
        mode="json", include={"id", "created", "updated", "withdrawn", "unchanged", "errors"}
    )
