"""Reminders of the unified list's due dates: once a day, the admins and editors of each organization
responsible for an item that is not published yet hear of it the profile's `remind_days` before its
due date (30 and 7 days by default) and once when it is overdue; each reminder goes once (its outbox key)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from derek.config import Profile
from derek.core import accounts, jobs, mail
from derek.core.db import utcnow
from derek.core.i18n import LANGUAGES, translator
from derek.selection import list_service, service
from derek.selection.rules import rules_for

REMINDER_JOB = "selection.reminders"
KIND = "list_item_due"
SUBJECTS = {
    "soon": "Open data list item {code} is due on {due}",
    "overdue": "Open data list item {code} is overdue: it was due on {due}",
}


def _officials(session: Session, organization_id: str) -> list[str]:
    return accounts.official_emails(session, organization_id)[:20]


def queue_list_reminders(session: Session, profile: Profile, today: date) -> dict[str, int]:
    """One message per item, threshold and official: before the due date (the largest of remind_days
    not yet passed) and once overdue. A second run on the same day queues nothing."""
    rules = rules_for(profile)
    lang = profile.default_language if profile.default_language in LANGUAGES else "en"
    _ = translator(lang)
    counts = {"soon": 0, "overdue": 0, "already_sent": 0}
    for status in list_service.compliance(session, today, timezone=profile.timezone):
        if status.published_on is not None:
            continue
        item = status.item
        days_left = (item.due_on - today).days
        if days_left < 0:
            state, threshold = "overdue", "overdue"
        else:
            reached = [d for d in rules.remind_days if days_left <= d]
            if not reached:
                continue
            state, threshold = "soon", str(min(reached))
        subject = _(SUBJECTS[state], code=item.code, due=item.due_on.isoformat())
        body = "\n".join(
            [
                item.title,
                "",
                _("Name the dataset that fulfils it on the list's page:"),
                f"{mail.SITE}/selection/list",
            ]
        )
        for address in _officials(session, item.organization_id):
            key = f"{KIND}:{item.code}:{item.due_on.isoformat()}:{threshold}:{address}"[:200]
            queued = mail.queue(session, to=address, subject=subject, body=body, kind=KIND, key=key)
            counts[state if queued is not None else "already_sent"] += 1
    return counts


@jobs.handler(REMINDER_JOB)
def _run_reminder_job(session: Session, context: jobs.JobContext) -> dict[str, Any]:
    settings = context.resources["settings"]
    profile = settings.jurisdiction
    today = service.local_today(profile, settings.clock or utcnow())
    context.progress(0, 0, "items", "Reminding organizations of the open data list's due dates")
    return dict(queue_list_reminders(session, profile, today))


@jobs.schedule("selection-reminders")
def queue_daily_reminders(session: Session, now: datetime) -> int:
    """Once a day the worker reminds organizations of the list items due soon or overdue."""
    return jobs.queue_if_due(session, REMINDER_JOB, "selection", "list", now, timedelta(days=1))
