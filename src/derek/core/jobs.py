"""Background jobs: long work (loading a table, checking links) queued in the database and run by a worker.

A job row is written in the same transaction as the change that asks for it, so nothing is lost when the
process stops; a worker thread in the server claims queued jobs one at a time, reports progress in the row
(done / total / message) and ends it as succeeded or failed with a message a publisher can act on. Jobs
left running by a process that died are queued again when the next worker starts. Handlers are plain
functions registered by kind; they get a JobContext and the resources the application gives the runner.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, String, Text, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from derek.core import accounts
from derek.core.authz import SYSTEM, Actor, authorize, register
from derek.core.db import Base, Database, JsonType, UTCDateTime, new_id, utcnow
from derek.core.errors import DomainError, NotFound

log = logging.getLogger(__name__)

STATES = ("queued", "running", "succeeded", "failed")


class Job(Base):
    __tablename__ = "job"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    kind: Mapped[str] = mapped_column(String(60), index=True)
    subject_type: Mapped[str] = mapped_column(String(40), default="")
    subject_id: Mapped[str] = mapped_column(String(100), default="", index=True)
    params: Mapped[dict[str, Any]] = mapped_column(JsonType, default=dict)
    status: Mapped[str] = mapped_column(String(20), default="queued", index=True)
    done: Mapped[int] = mapped_column(BigInteger, default=0)
    total: Mapped[int] = mapped_column(BigInteger, default=0)  # 0 while unknown
    unit: Mapped[str] = mapped_column(String(20), default="")
    message: Mapped[str] = mapped_column(Text, default="")
    error: Mapped[str] = mapped_column(Text, default="")
    result: Mapped[dict[str, Any]] = mapped_column(JsonType, default=dict)
    actor_id: Mapped[str | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


@register("job.read", "see a job's progress: whoever started it, a sysadmin, or anyone for public subjects")
def _may_read_job(actor: Actor, job: Job) -> bool:
    if job.kind in _PUBLIC_KINDS:
        return True
    return actor.sysadmin or (actor.user_id is not None and actor.user_id == job.actor_id)


_PUBLIC_KINDS: set[str] = set()


def public(kind: str) -> None:
    """Declare a kind of job whose progress and counts anyone may read (e.g. the daily check of every use
    case: a moderator asking for it may be handed the one the worker started)."""
    _PUBLIC_KINDS.add(kind)


@dataclass
class JobContext:
    """What a handler gets: its job's identity and parameters, the actor who asked, and a progress call."""

    job_id: str
    subject_id: str
    params: dict[str, Any]
    actor: Actor
    resources: dict[str, Any]
    progress: Callable[[int, int, str, str], None]  # done, total, unit, message


Handler = Callable[[Session, JobContext], dict[str, Any]]
Schedule = Callable[[Session, datetime], int]  # queue the jobs that are due now; how many it queued
_HANDLERS: dict[str, Handler] = {}
_SCHEDULES: dict[str, Schedule] = {}
_wake = threading.Event()


def handler(kind: str) -> Callable[[Handler], Handler]:
    def decorator(fn: Handler) -> Handler:
        _HANDLERS[kind] = fn
        return fn

    return decorator


def schedule(name: str) -> Callable[[Schedule], Schedule]:
    """Register a function the worker calls about once a minute to queue the jobs that are due (e.g. the
    harvest sources whose daily run is due). It runs in its own transaction; the worker commits it."""

    def decorator(fn: Schedule) -> Schedule:
        _SCHEDULES[name] = fn
        return fn

    return decorator


def unschedule(name: str) -> None:
    _SCHEDULES.pop(name, None)


def run_schedules(db: Database, now: datetime | None = None) -> int:
    """Call every registered schedule once; how many jobs they queued. One failing does not stop the rest."""
    queued = 0
    for name, fn in list(_SCHEDULES.items()):
        try:
            with db.session() as session:
                queued += fn(session, now or utcnow())
                session.commit()
        except Exception:
            log.exception("schedule %s failed", name)
    return queued


def enqueue(
    session: Session,
    actor: Actor,
    kind: str,
    subject_type: str,
    subject_id: str,
    params: dict[str, Any] | None = None,
) -> Job:
    """Queue a job in the caller's transaction; the caller has already authorized the work itself."""
    if kind not in _HANDLERS:
        raise ValueError(f"no handler for job kind {kind!r}")
    job = Job(
        kind=kind,
        subject_type=subject_type,
        subject_id=subject_id,
        params=params or {},
        actor_id=actor.user_id,
    )
    session.add(job)
    session.flush()
    _wake.set()
    return job


def queue_if_due(
    session: Session,
    kind: str,
    subject_type: str,
    subject_id: str,
    now: datetime,
    period: timedelta,
    params: dict[str, Any] | None = None,
) -> int:
    """For a schedule: queue a system job of this kind and subject unless one is waiting or running or the
    latest was queued less than `period` ago; how many it queued (0 or 1)."""
    latest = latest_for(session, kind, subject_id)
    if latest is not None and (latest.status in ("queued", "running") or now - latest.created_at < period):
        return 0
    enqueue(session, SYSTEM, kind, subject_type, subject_id, params)
    return 1


def get_job(session: Session, actor: Actor, job_id: str) -> Job:
    job = session.get(Job, job_id)
    if job is None:
        raise NotFound(f"There is no job {job_id!r}.")
    authorize(actor, "job.read", job)
    return job


def latest_for(session: Session, kind: str, subject_id: str) -> Job | None:
    return session.scalars(
        select(Job)
        .where(Job.kind == kind, Job.subject_id == subject_id)
        .order_by(Job.created_at.desc())
        .limit(1)
    ).first()


def _claim(db: Database) -> str | None:
    """Mark the oldest queued job running and return its id; another worker cannot take it too."""
    with db.session() as session:
        for job_id in session.scalars(
            select(Job.id).where(Job.status == "queued").order_by(Job.created_at).limit(5)
        ):
            claimed = session.execute(
                update(Job)
                .where(Job.id == job_id, Job.status == "queued")
                .values(status="running", started_at=utcnow(), message="Started.")
            )
            session.commit()
            if getattr(claimed, "rowcount", 0) == 1:
                return job_id
    return None


def _progress_writer(db: Database, job_id: str) -> Callable[[int, int, str, str], None]:
    last = [0.0]

    def progress(done: int, total: int, unit: str, message: str) -> None:
        now = time.monotonic()
        if now - last[0] < 0.3 and (total == 0 or done < total):
            return  # at most about three writes a second
        last[0] = now
        with db.session() as session:
            session.execute(
                update(Job).where(Job.id == job_id).values(done=done, total=total, unit=unit, message=message)
            )
            session.commit()

    return progress


def run_job(db: Database, job_id: str, resources: dict[str, Any]) -> Job:
    """Run one claimed job to its end; every failure ends as a failed job with a message, never a crash."""
    progress = _progress_writer(db, job_id)
    with db.session() as session:
        job = session.get(Job, job_id)
        if job is None:
            raise NotFound(f"There is no job {job_id!r}.")
        user = session.get(accounts.User, job.actor_id) if job.actor_id else None
        actor = accounts.actor_for(session, user) if user else SYSTEM
        context = JobContext(job.id, job.subject_id, dict(job.params), actor, resources, progress)
        fn = _HANDLERS.get(job.kind)
        status, error, result = "succeeded", "", {}
        try:
            if fn is None:
                raise DomainError(f"This portal does not know how to run a {job.kind!r} job.")
            result = fn(session, context)
            session.commit()
        except DomainError as exc:
            session.rollback()
            status, error = "failed", exc.message
        except Exception as exc:  # a bug must not stop the worker; the publisher sees a message
            session.rollback()
            log.exception("job %s (%s) failed", job_id, job.kind)
            status, error = "failed", f"The job stopped on an unexpected error: {type(exc).__name__}."
        job = session.get(Job, job_id)
        assert job is not None
        job.status, job.error, job.result, job.finished_at = status, error, result, utcnow()
        job.message = "Done." if status == "succeeded" else "Failed."
        if status == "succeeded" and job.total:
            job.done = job.total
        session.commit()
        session.refresh(job)
        session.expunge(job)
        return job


@dataclass
class Runner:
    """One worker thread per process that runs queued jobs in order."""

    db: Database
    resources: dict[str, Any] = field(default_factory=dict)
    poll_seconds: float = 1.0
    schedule_seconds: float = 60.0  # how often the registered schedules are asked for due jobs
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def start(self) -> None:
        try:
            with self.db.session() as session:  # jobs a dead process left running start again
                session.execute(
                    update(Job)
                    .where(Job.status == "running")
                    .values(status="queued", message="Queued again after a restart.")
                )
                session.commit()
        except Exception:  # e.g. an app started before its migrations ran; the loop retries claiming
            log.warning("could not requeue interrupted jobs", exc_info=True)
        self._thread = threading.Thread(target=self._loop, name="derek-jobs", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        _wake.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _loop(self) -> None:
        last_schedule = -1e18
        while not self._stop.is_set():
            if time.monotonic() - last_schedule >= self.schedule_seconds:
                last_schedule = time.monotonic()
                try:
                    run_schedules(self.db)
                except Exception:  # the database may not be migrated yet: next time
                    log.debug("could not run the schedules", exc_info=True)
            try:
                job_id = _claim(self.db)
            except Exception:  # the database may be briefly unavailable (or not migrated yet): try later
                log.debug("could not claim a job", exc_info=True)
                job_id = None
            if job_id is not None:
                run_job(self.db, job_id, self.resources)
                continue
            _wake.wait(self.poll_seconds)
            _wake.clear()
