"""E-mail about information requests, through the outbox (sent by SMTP when the portal has a mail server):
the requester's confirmation and every step they must know of, new requests and clarifications to the
organization's officials, new appeals to the reviewers. Written in the request's language."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from derek.catalog import service as catalog
from derek.config import Profile
from derek.core import accounts, jobs, mail
from derek.core.accounts import User
from derek.core.db import new_id, utcnow
from derek.core.i18n import LANGUAGES, pick, translator
from derek.info_requests.models import InfoRequest

KIND = "info_requests"

SUBJECTS = {
    "received": "Your information request {reference} was received",
    "clarification_asked": "Request {reference}: please clarify what you ask for",
    "extended": "Request {reference}: the deadline was extended to {due}",
    "answered": "Request {reference} was answered",
    "partly_answered": "Request {reference} was answered in part",
    "refused": "Request {reference} was refused",
    "appeal_decided": "Request {reference}: the reviewer decided your appeal",
    "new": "New information request {reference}: due {due}",
    "clarified": "Request {reference}: the requester clarified",
    "ordered": "Request {reference}: the reviewer ordered disclosure by {due}",
    "appealed": "Appeal against the answer to request {reference}",
}


def _lang(req: InfoRequest) -> str:
    return req.language if req.language in LANGUAGES else "en"


def _link(req: InfoRequest, key: str | None = None) -> str:
    return f"{mail.SITE}/requests/{req.reference}" + (f"?key={key}" if key else "")


def _queue(session: Session, req: InfoRequest, to: str, what: str, body: str, lang: str) -> None:
    """One message per step and address (each step happens once, so no key repeats)."""
    _ = translator(lang)
    subject = _(SUBJECTS[what], reference=req.reference, due=req.due_on.isoformat())
    mail.queue(
        session, to=to, subject=subject, body=body, kind=KIND, key=f"{KIND}:{req.id}:{what}:{new_id()}"
    )
    mail.queue_sending(session, utcnow())  # at once, not at the schedule's next turn


def received(session: Session, profile: Profile, req: InfoRequest, key: str | None) -> None:
    """The requester's confirmation: the reference number, the due date and the link to follow it."""
    if not req.requester_email:
        return
    lang = _lang(req)
    _ = translator(lang)
    org = _org_title(session, req, lang)
    lines = [
        _(
            "Your request to {organization} was registered with the reference number {reference}.",
            organization=org,
            reference=req.reference,
        ),
        _("The answer is due by {due}.", due=req.due_on.isoformat()),
        "",
        f"{req.subject}",
        "",
        _("Follow it, clarify it or appeal the answer here:") + " " + _link(req, key),
    ]
    if key:
        lines.append(_("Keep this link: it is your key to the request (you sent it without an account)."))
    _queue(session, req, req.requester_email, "received", "\n".join(lines), lang)


def to_requester(session: Session, profile: Profile, req: InfoRequest, what: str, text: str) -> None:
    """A step the requester must know of, with the official's or reviewer's words."""
    if not req.requester_email:
        return
    lang = _lang(req)
    _ = translator(lang)
    lines = [text, "", _("The request and its whole history:") + " " + _link(req)]
    _queue(session, req, req.requester_email, what, "\n".join(lines), lang)


def _officials(session: Session, organization_id: str) -> list[str]:
    return accounts.official_emails(session, organization_id)


def to_officials(session: Session, profile: Profile, req: InfoRequest, what: str) -> None:
    """New work for the organization: to the assigned official, else to its admins and editors."""
    if req.assignee_id:
        assignee = session.get(User, req.assignee_id)
        addresses = [assignee.email] if assignee and assignee.email else []
    else:
        addresses = _officials(session, req.organization_id)
    lang = profile.default_language if profile.default_language in LANGUAGES else "en"
    _ = translator(lang)
    body = "\n".join([req.subject, "", _("Due by {due}.", due=req.due_on.isoformat()), _link(req)])
    for address in addresses[:20]:
        _queue(session, req, address, what, body, lang)


def to_reviewers(session: Session, profile: Profile, req: InfoRequest, reviewer_org_id: str | None) -> None:
    if reviewer_org_id is None:
        return
    lang = profile.default_language if profile.default_language in LANGUAGES else "en"
    _ = translator(lang)
    body = "\n".join([req.subject, "", _link(req)])
    for address in _officials(session, reviewer_org_id)[:20]:
        _queue(session, req, address, "appealed", body, lang)


def _org_title(session: Session, req: InfoRequest, lang: str) -> str:
    rows = catalog.organization_titles(session, [req.organization_id])
    return pick(rows[0][2], lang) if rows else ""


# ---------------------------------------------------------------- daily reminders of deadlines

REMINDER_JOB = "info_requests.reminders"
SOON_DAYS = 2  # remind this many days before the due date


def queue_deadline_reminders(session: Session, profile: Profile, today: date) -> dict[str, int]:
    """For every open request due within SOON_DAYS or overdue (and every reviewer's pending appeal past its
    deadline), one message to its officials per state and due date, so a second run sends nothing."""
    counts = {"due_soon": 0, "overdue": 0, "already_sent": 0}
    lang = profile.default_language if profile.default_language in LANGUAGES else "en"
    _ = translator(lang)
    open_requests = session.scalars(
        select(InfoRequest).where(
            InfoRequest.status == "open", InfoRequest.due_on <= today + timedelta(days=SOON_DAYS)
        )
    )
    for req in open_requests:
        state = "overdue" if req.due_on < today else "due_soon"
        if req.assignee_id:
            assignee = session.get(User, req.assignee_id)
            addresses = [assignee.email] if assignee and assignee.email else []
        else:
            addresses = _officials(session, req.organization_id)
        subject = _(REMINDER_SUBJECTS[state], reference=req.reference, due=req.due_on.isoformat())
        body = "\n".join([req.subject, "", _link(req)])
        for address in addresses[:20]:
            key = f"{KIND}:{req.id}:{state}:{req.due_on.isoformat()}:{address}"[:200]
            queued = mail.queue(session, to=address, subject=subject, body=body, kind=KIND, key=key)
            counts[state if queued is not None else "already_sent"] += 1
    return counts


REMINDER_SUBJECTS = {
    "due_soon": "Request {reference} is due on {due}",
    "overdue": "Request {reference} is overdue: it was due on {due}",
}


@jobs.handler(REMINDER_JOB)
def _run_reminder_job(session: Session, context: jobs.JobContext) -> dict[str, Any]:
    settings = context.resources["settings"]
    profile = settings.jurisdiction
    now = settings.clock or utcnow()
    context.progress(0, 0, "requests", "Reminding officials of due and overdue requests")
    return dict(queue_deadline_reminders(session, profile, now.astimezone(ZoneInfo(profile.timezone)).date()))


@jobs.schedule("info-requests-reminders")
def queue_daily_reminders(session: Session, now: datetime) -> int:
    """Once a day the worker reminds officials of the requests due soon or overdue."""
    return jobs.queue_if_due(session, REMINDER_JOB, "requests", "deadlines", now, timedelta(days=1))
