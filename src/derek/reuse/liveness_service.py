"""The liveness monitor: once a day (and when a moderator asks) every shown use case's web address and
store links are checked with the link checker's client (every hop refused when it points into a private
network, at most two requests to one host at a time), each check is kept, and the use case is classified:

- live: its address answers (2xx/3xx) and so do its store links;
- degraded: its address answers but a store link does not, or its address failed for a reason that may
  pass (a timeout, a refused connection, a 5xx answer) fewer than `dead_after` checks in a row;
- dead: its address answers 404 or 410, or its host is unknown, or it failed `dead_after` checks in a row.

A use case that dies is flagged to its author (one e-mail to its contact per death) and, after the
profile's `grace_days`, leaves the default list; statistics keep counting it. One that answers again is
live again at the next check. A use case with only store links is judged by its first store link.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from derek.config import Profile
from derek.core import audit, jobs, mail
from derek.core.authz import Actor, authorize
from derek.core.db import utcnow
from derek.core.errors import Invalid
from derek.core.i18n import LANGUAGES, pick, translator
from derek.quality import service as quality
from derek.reuse import service
from derek.reuse.models import LivenessCheck, UseCase
from derek.reuse.rules import ReuseRules, rules_for

CHECK_JOB = "reuse.liveness"
DAILY = timedelta(days=1)
HISTORY = 60  # checks kept per use case (all its addresses together)
GONE = (404, 410)
Progress = Callable[[int, int, str, str], None]
jobs.public(CHECK_JOB)  # its progress and counts name no one: anyone may follow it


def addresses(use_case: UseCase) -> list[tuple[str, str]]:
    """(role, url) of what is checked: the web address first ("url"), then each store link."""
    out = [("url", use_case.url)] if use_case.url else []
    out += [
        (link.get("store", "other"), link["url"]) for link in use_case.store_links or [] if link.get("url")
    ]
    return out


PRIVATE = "The address points inside a private network: the portal does not check there."


def public_error(outcome: quality.Outcome) -> str:
    """The outcome's reason as the public may read it: a refused private address does not say which
    internal address its name resolved to."""
    return PRIVATE if "inside a private network" in outcome.error else outcome.error


def _gone(outcome: quality.Outcome) -> bool:
    """An answer that says the thing is not there (not one that may pass)."""
    return outcome.http_status in GONE or (
        outcome.http_status is None and "does not resolve" in outcome.error
    )


def classify(
    use_case: UseCase, outcomes: list[tuple[str, str, quality.Outcome]], rules: ReuseRules, now: datetime
) -> tuple[str, str]:
    """The use case's liveness after this run, and why in words; updates its failures and dead_since."""
    if not outcomes:
        return "unchecked", ""
    _role, main_url, main = outcomes[0]
    if main.ok:
        use_case.failures, use_case.dead_since = 0, None
        broken = [(role, url, o) for role, url, o in outcomes[1:] if not o.ok]
        if broken:
            role, url, outcome = broken[0]
            return "degraded", f"The store link {url} does not work: {public_error(outcome)}"
        return "live", ""
    use_case.failures = (use_case.failures or 0) + 1
    why = f"{main_url} does not work: {public_error(main)}"
    if _gone(main) or use_case.failures >= rules.dead_after:
        if use_case.liveness != "dead" or use_case.dead_since is None:
            use_case.dead_since = now
        return "dead", why
    return "degraded", f"{why} (check {use_case.failures} of {rules.dead_after} before it counts as dead)"


def _notify_author(session: Session, use_case: UseCase, profile: Profile) -> None:
    """One e-mail to the use case's contact when it dies (its outbox key is the day it died)."""
    if not use_case.contact or use_case.dead_since is None:
        return
    lang = profile.default_language if profile.default_language in LANGUAGES else "en"
    _ = translator(lang)  # in the portal's language, as the other mail of the portal
    # one line: the outbox refuses a subject with a line break, and a title sent through the API may hold one
    lang_title = " ".join(pick(use_case.title, lang, (lang, *profile.languages)).split())
    body = "\n".join(
        [
            _("The portal could not reach your use case «{title}»:", title=lang_title),
            use_case.liveness_note,
            "",
            _("If it has moved, give its new address on its page; if it is gone, you can remove it there."),
            f"{mail.SITE}/reuse/use-cases/{use_case.id}",
        ]
    )
    address = hashlib.sha256(use_case.url.encode()).hexdigest()[:12]  # a new address that dies: a new notice
    key = f"use_case_dead:{use_case.id}:{use_case.dead_since.date().isoformat()}:{address}"
    try:
        mail.queue(
            session,
            to=use_case.contact,
            subject=_("Your use case «{title}» no longer answers", title=lang_title[:120]),
            body=body,
            kind="use_case_dead",
            key=key,
        )
    except Invalid:  # an address the outbox refuses: the page still shows the state
        return


def run_checks(
    session: Session,
    profile: Profile,
    *,
    allow_private: bool = False,
    timeout: float = 15.0,
    now: datetime | None = None,
    progress: Progress | None = None,
    use_case_ids: list[int] | None = None,
) -> dict[str, int]:
    """Check every shown use case (or those given), keep each check, classify and flag the dead."""
    rules = rules_for(profile)
    now = now or utcnow()
    stmt = select(UseCase).where(UseCase.moderation == "shown")
    if use_case_ids is not None:
        stmt = stmt.where(UseCase.id.in_(use_case_ids))
    use_cases = list(session.scalars(stmt.order_by(UseCase.id)))
    pairs = [(f"{u.id}:{n}", url) for u in use_cases for n, (_role, url) in enumerate(addresses(u))]
    show = progress or (lambda *_a: None)
    show(0, len(pairs), "addresses", "Checking use cases")
    outcomes = quality.check_all(
        pairs,
        allow_private=allow_private,
        timeout=timeout,
        progress=lambda done, total: show(done, total, "addresses", "Checking use cases"),
    )
    counts = {"checked": len(use_cases), "live": 0, "degraded": 0, "dead": 0, "died": 0, "unchecked": 0}
    for use_case in use_cases:
        mine = [
            (role, url, outcomes[f"{use_case.id}:{n}"]) for n, (role, url) in enumerate(addresses(use_case))
        ]
        was = use_case.liveness
        verdict, note = classify(use_case, mine, rules, now)
        use_case.liveness, use_case.liveness_note, use_case.checked_at = verdict, note, now
        for role, url, outcome in mine:
            session.add(
                LivenessCheck(
                    use_case_id=use_case.id,
                    url=url,
                    role=role,
                    ok=outcome.ok,
                    http_status=outcome.http_status,
                    error=public_error(outcome),
                    elapsed_ms=outcome.elapsed_ms,
                    verdict=verdict,
                    checked_at=now,
                )
            )
        counts[verdict] += 1
        if verdict == "dead" and was != "dead":
            counts["died"] += 1
            _notify_author(session, use_case, profile)
    session.flush()
    _trim_history(session)
    return counts


def _trim_history(session: Session) -> None:
    """Keep the latest HISTORY checks of each use case: one statement for all of them."""
    ranked = select(
        LivenessCheck.id,
        func.row_number()
        .over(
            partition_by=LivenessCheck.use_case_id,
            order_by=(LivenessCheck.checked_at.desc(), LivenessCheck.id.desc()),
        )
        .label("place"),
    ).subquery()
    old = select(ranked.c.id).where(ranked.c.place > HISTORY)
    session.execute(
        delete(LivenessCheck).where(LivenessCheck.id.in_(old)).execution_options(synchronize_session=False)
    )


def record_earlier_check(session: Session, use_case: UseCase, state: str, since: datetime) -> None:
    """Record what an earlier check found (the demo, a portal moving its use cases in), as the monitor
    would have: the state, since when dead, and one check per address; the next real check judges again."""
    checked = utcnow()
    use_case.liveness, use_case.checked_at = state, checked
    if state == "dead":
        use_case.dead_since, use_case.failures = since, 2
        use_case.liveness_note = f"{use_case.url} does not work: the address does not resolve."
    elif state == "degraded":
        link = use_case.store_links[0]["url"] if use_case.store_links else use_case.url
        use_case.liveness_note = f"The store link {link} does not work: the address does not resolve."
    for n, (role, url) in enumerate(addresses(use_case)):
        ok = state == "live" or (state == "degraded" and n == 0)
        session.add(
            LivenessCheck(
                use_case_id=use_case.id,
                url=url,
                role=role,
                ok=ok,
                http_status=200 if ok else None,
                error="" if ok else "The address does not resolve.",
                verdict=state,
                checked_at=checked,
            )
        )


def history(session: Session, use_case: UseCase, limit: int = 30) -> list[LivenessCheck]:
    return list(
        session.scalars(
            select(LivenessCheck)
            .where(LivenessCheck.use_case_id == use_case.id)
            .order_by(LivenessCheck.checked_at.desc(), LivenessCheck.id)
            .limit(limit)
        )
    )


def queue_check(session: Session, actor: Actor, profile: Profile) -> jobs.Job:
    """A moderator asks for a check of every use case now (the caller commits); the running one if any."""
    authorize(actor, "reuse.moderate", service.target(session, profile))
    latest = jobs.latest_for(session, CHECK_JOB, "use_cases")
    if latest is not None and latest.status in ("queued", "running"):
        return latest
    audit.record(session, actor, "use_case.check_all", "use_case", "all", None, {"queued": True})
    return jobs.enqueue(session, actor, CHECK_JOB, "reuse", "use_cases")


@jobs.handler(CHECK_JOB)
def _run_check_job(session: Session, context: jobs.JobContext) -> dict[str, Any]:
    settings = context.resources["settings"]
    if not getattr(settings, "link_checks", True):
        return {"skipped": "link checks are off on this portal (DEREK_LINK_CHECKS=false)"}
    return run_checks(
        session,
        settings.jurisdiction,
        allow_private=bool(getattr(settings, "fetch_allow_private", False)),
        timeout=float(getattr(settings, "fetch_timeout", 15.0)),
        now=settings.clock or utcnow(),
        progress=context.progress,
    )


@jobs.schedule("use-cases")
def queue_daily_check(session: Session, now: datetime) -> int:
    """Once a day the worker checks every use case."""
    return jobs.queue_if_due(session, CHECK_JOB, "reuse", "use_cases", now, DAILY, {"scheduled": True})
