"""The link checker: every resource registered by a web address is checked, and broken ones are flagged.

A check asks with HEAD and, when a server refuses HEAD (or answers an error to it), with a GET of one byte
(`Range: bytes=0-0`, the body never read); redirects are followed by hand, each hop through the same
private-network check as `derek.core.fetch`, at most five. 2xx and 3xx are fine; a 4xx/5xx answer, a timeout,
a refused connection or an unknown host is broken. Checks run on a thread pool with at most
`PER_HOST` requests to one host at a time, so a portal with thousands of links on one agency's server does not
hammer it. The outcome of each check is kept (`link_check`) and the latest per resource (`link_status`: ok,
or broken since when). The check runs as a job: asked for by a sysadmin, and once a day by the worker.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session

from derek.catalog import service as catalog
from derek.core import events, jobs
from derek.core.authz import Actor, authorize, register
from derek.core.db import utcnow
from derek.core.errors import DomainError
from derek.core.fetch import MAX_REDIRECTS, check_host
from derek.quality.models import LinkCheck, LinkStatus
from derek.quality.schemas import LinkCheckRead, LinkStatusRead

CHECK_JOB = "quality.link_check"
USER_AGENT = "Derek open data portal (link checker)"
WORKERS = 8
PER_HOST = 2
DAILY = timedelta(days=1)
HISTORY = 20  # checks kept per resource
HEAD_REFUSED = {400, 403, 405, 406, 429, 500, 501, 503}  # try a one-byte GET before calling it broken
Progress = Callable[[int, int, str, str], None]


@register("quality.run", "run the portal's quality checks now (link checks)")
def _may_run(_actor: Actor, _obj: Any) -> bool:
    return False  # sysadmins only (`can` lets them through before any rule)


@dataclass(frozen=True)
class Outcome:
    ok: bool
    http_status: int | None
    error: str
    final_url: str
    elapsed_ms: int


def _ask(http: httpx.Client, method: str, url: str) -> httpx.Response:
    headers = {"Range": "bytes=0-0"} if method == "GET" else {}
    with http.stream(method, url, headers=headers) as response:  # the body is never read
        return response


def check_url(http: httpx.Client, url: str, *, allow_private: bool = False) -> Outcome:
    """One address, with its redirects: fine (2xx/3xx at the end) or broken, and why in words."""
    started = time.monotonic()

    def done(ok: bool, status: int | None, error: str, final: str) -> Outcome:
        return Outcome(ok, status, error, final, int((time.monotonic() - started) * 1000))

    current = url
    try:
        for _hop in range(MAX_REDIRECTS + 1):
            check_host(current, allow_private)
            response = _ask(http, "HEAD", current)
            if response.status_code in HEAD_REFUSED:
                response = _ask(http, "GET", current)
            if response.is_redirect and response.headers.get("location"):
                current = urljoin(current, response.headers["location"])
                continue
            status = response.status_code
            if status < 400:
                return done(True, status, "", current)
            return done(False, status, f"The server answered {status} ({response.reason_phrase}).", current)
        return done(False, None, f"More than {MAX_REDIRECTS} redirects.", current)
    except DomainError as exc:  # a private address, or a scheme that is not http(s)
        return done(False, None, exc.message, current)
    except httpx.TimeoutException:
        return done(False, None, "No answer in time.", current)
    except httpx.ConnectError:
        return done(False, None, f"{urlsplit(current).hostname} could not be reached.", current)
    except httpx.HTTPError as exc:
        return done(False, None, f"The request failed: {type(exc).__name__}.", current)
    except (ValueError, UnicodeError):  # an address no request can be made to (http://a..b/, a bad redirect)
        return done(False, None, f"{current[:200]} is not a usable web address.", current)


def check_all(
    links: list[tuple[str, str]],
    *,
    allow_private: bool = False,
    timeout: float = 15.0,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, Outcome]:
    """Check (resource id, URL) pairs concurrently, at most PER_HOST at a time per host; outcomes by id."""
    host_limits: defaultdict[str, threading.Semaphore] = defaultdict(lambda: threading.Semaphore(PER_HOST))
    lock = threading.Lock()

    def one(url: str) -> Outcome:
        try:
            host = urlsplit(url).hostname or ""
        except ValueError:  # check_url says why
            host = ""
        with lock:
            limit = host_limits[host]
        with limit:
            return check_url(http, url, allow_private=allow_private)

    limits = httpx.Limits(max_connections=WORKERS * 2, max_keepalive_connections=WORKERS)
    headers = {"User-Agent": USER_AGENT}
    outcomes: dict[str, Outcome] = {}
    with (
        httpx.Client(timeout=timeout, follow_redirects=False, headers=headers, limits=limits) as http,
        ThreadPoolExecutor(max_workers=WORKERS) as pool,
    ):
        futures = {pool.submit(one, url): resource_id for resource_id, url in links}
        for n, future in enumerate(as_completed(futures), 1):
            outcomes[futures[future]] = future.result()
            if progress:
                progress(n, len(links))
    return outcomes


def record(session: Session, resource_id: str, url: str, outcome: Outcome, now: datetime) -> LinkStatus:
    """Keep the check in the history and update the resource's latest state."""
    session.add(
        LinkCheck(
            resource_id=resource_id,
            url=url,
            ok=outcome.ok,
            http_status=outcome.http_status,
            error=outcome.error,
            elapsed_ms=outcome.elapsed_ms,
            checked_at=now,
        )
    )
    state = session.get(LinkStatus, resource_id) or LinkStatus(resource_id=resource_id, failures=0)
    if state.url and state.url != url:  # a new address: its own history of being broken
        state.broken_since, state.failures = None, 0
    state.url, state.ok, state.http_status, state.error = url, outcome.ok, outcome.http_status, outcome.error
    state.final_url, state.checked_at = outcome.final_url, now
    if outcome.ok:
        state.broken_since, state.failures = None, 0
    else:
        state.broken_since = state.broken_since if state.failures and state.broken_since else now
        state.failures = (state.failures or 0) + 1
    session.add(state)
    old = session.scalars(
        select(LinkCheck.id)
        .where(LinkCheck.resource_id == resource_id)
        .order_by(LinkCheck.checked_at.desc())
        .offset(HISTORY)
    ).all()
    for check_id in old:
        gone = session.get(LinkCheck, check_id)
        if gone is not None:
            session.delete(gone)
    return state


def run_checks(
    session: Session,
    *,
    allow_private: bool = False,
    timeout: float = 15.0,
    progress: Progress | None = None,
    resource_ids: list[str] | None = None,
) -> dict[str, int]:
    """Check every linked resource (or those given) and record the outcomes; counts of ok and broken."""
    links = catalog.linked_resources(session, resource_ids)
    show = progress or (lambda *_a: None)
    show(0, len(links), "links", "Checking links")
    outcomes = check_all(
        links,
        allow_private=allow_private,
        timeout=timeout,
        progress=lambda done, total: show(done, total, "links", "Checking links"),
    )
    now = utcnow()
    changed = []
    for resource_id, url in links:
        was = session.get(LinkStatus, resource_id)
        before = None if was is None else was.ok
        if record(session, resource_id, url, outcomes[resource_id], now).ok is not before:
            changed.append(resource_id)
    session.flush()
    if changed:  # a link that starts or stops working changes its dataset's stars and score
        events.publish(events.LINKS_CHANGED, session, resource_ids=changed)
    broken = sum(1 for o in outcomes.values() if not o.ok)
    return {"checked": len(links), "ok": len(links) - broken, "broken": broken}


def queue_check(session: Session, actor: Actor) -> jobs.Job:
    """A sysadmin asks for a check of every link now (the caller commits); the running one if any."""
    authorize(actor, "quality.run")
    latest = jobs.latest_for(session, CHECK_JOB, "links")
    if latest is not None and latest.status in ("queued", "running"):
        return latest
    return jobs.enqueue(session, actor, CHECK_JOB, "links", "links")


@jobs.handler(CHECK_JOB)
def _run_check_job(session: Session, context: jobs.JobContext) -> dict[str, Any]:
    settings = context.resources["settings"]
    if not getattr(settings, "link_checks", True):
        return {"skipped": "link checks are off on this portal (DEREK_LINK_CHECKS=false)"}
    counts = run_checks(
        session,
        allow_private=bool(getattr(settings, "fetch_allow_private", False)),
        timeout=float(getattr(settings, "fetch_timeout", 15.0)),
        progress=context.progress,
    )
    return counts


@jobs.schedule("links")
def queue_daily_check(session: Session, now: datetime) -> int:
    """Once a day the worker checks every link."""
    return jobs.queue_if_due(session, CHECK_JOB, "links", "links", now, DAILY, {"scheduled": True})


# ---------------------------------------------------------------- reading


def status_read(state: LinkStatus | None, resource_id: str, history: list[LinkCheck]) -> LinkStatusRead:
    return LinkStatusRead(
        resource_id=resource_id,
        status="unchecked" if state is None else ("ok" if state.ok else "broken"),
        url=state.url if state else "",
        http_status=state.http_status if state else None,
        error=state.error if state else "",
        checked_at=state.checked_at if state else None,
        broken_since=state.broken_since if state else None,
        history=[
            LinkCheckRead(
                checked_at=c.checked_at,
                ok=c.ok,
                http_status=c.http_status,
                error=c.error,
                elapsed_ms=c.elapsed_ms,
            )
            for c in history
        ],
    )


def get_status(session: Session, actor: Actor, resource_id: str) -> LinkStatusRead:
    """The resource's latest link check and its history: for whoever may see the resource."""
    catalog.get_resource(session, actor, resource_id)
    history = session.scalars(
        select(LinkCheck).where(LinkCheck.resource_id == resource_id).order_by(LinkCheck.checked_at.desc())
    ).all()
    return status_read(session.get(LinkStatus, resource_id), resource_id, list(history))


def broken_in(session: Session, resource_ids: list[str]) -> dict[str, LinkStatus]:
    """The broken ones among these resources, by id (for the dataset page)."""
    if not resource_ids:
        return {}
    rows = session.scalars(
        select(LinkStatus).where(LinkStatus.resource_id.in_(resource_ids), LinkStatus.ok.is_(False))
    )
    return {row.resource_id: row for row in rows}
