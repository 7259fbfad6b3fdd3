"""Freshness reminders: once a day, the publisher of every public dataset whose update is due soon or
overdue gets an e-mail in the outbox (sent by SMTP when the portal has a mail server, kept otherwise).

A reminder goes to the dataset's contact address, else its organization's, else to the organization's
editors and admins. Each dataset gets at most one "due soon" and one "overdue" reminder per due date (the
outbox refuses a second message with the same key), so a daily run never repeats itself; a new version of
the data moves the due date and starts afresh.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from derek.catalog import service as catalog
from derek.config import Profile
from derek.core import accounts, jobs, mail
from derek.core.authz import SYSTEM
from derek.core.db import utcnow
from derek.core.errors import Invalid
from derek.core.i18n import pick, translator
from derek.quality import freshness
from derek.quality.models import DatasetQuality

log = logging.getLogger(__name__)

REMINDER_JOB = "quality.reminders"
KIND = "quality.freshness"
DAILY = timedelta(days=1)

SUBJECTS = {
    "due_soon": "Update due soon: {title}",
    "overdue": "Update overdue: {title}",
}
BODIES = {
    "due_soon": (
        "The dataset “{title}” of {organization} is declared to be updated {frequency}.\n"
        "Its data last changed on {last_change}; the next update is due on {due}.\n\n"
        "Upload the new data or correct the update frequency: {link}\n\n"
        "Everything that needs doing in your datasets: {todo}\n"
    ),
    "overdue": (
        "The dataset “{title}” of {organization} is declared to be updated {frequency}.\n"
        "Its data last changed on {last_change}; the next update was due on {due}.\n\n"
        "Upload the new data or correct the update frequency: {link}\n\n"
        "Everything that needs doing in your datasets: {todo}\n"
    ),
}


def recipients(session: Session, dataset_id: str) -> list[str]:
    """Who hears about the dataset: its contact, else its organization's, else its editors and admins."""
    dataset = catalog.find_visible_dataset(session, SYSTEM, dataset_id)
    if dataset.contact_email:
        return [dataset.contact_email]
    org = catalog.get_organization(session, SYSTEM, dataset.organization_id)
    if org.contact_email:
        return [org.contact_email]
    members = accounts.list_members(session, SYSTEM, dataset.organization_id)
    return sorted({user.email for user, role in members if role in ("editor", "admin") and user.email})


def queue_reminders(session: Session, profile: Profile, site: str, now: datetime) -> dict[str, int]:
    """Queue a reminder for every public dataset due soon or overdue that has not had this one yet."""
    lang = profile.default_language
    _ = translator(lang)
    public = {f.id: f for f in catalog.dataset_facts(session, public_only=True)}
    due = session.scalars(
        select(DatasetQuality).where(
            DatasetQuality.due_soon_at.is_not(None),
            DatasetQuality.due_soon_at <= now,
            DatasetQuality.computed_at.is_not(None),
        )
    ).all()
    counts = {"queued": 0, "already_sent": 0, "no_address": 0}
    for row in due:
        fact = public.get(row.dataset_id)
        if fact is None or row.due_at is None:
            continue
        state = freshness.state_at(row.due_at, row.due_soon_at, now)
        to = recipients(session, row.dataset_id)
        if not to:
            counts["no_address"] += 1
            continue
        title = pick(fact.title, lang, tuple(fact.title))
        values: dict[str, Any] = {
            "title": title,
            "organization": pick(fact.organization_title, lang, tuple(fact.organization_title)),
            "frequency": _(catalog.frequency_label(fact.update_frequency)).lower(),
            "last_change": row.last_change.date().isoformat() if row.last_change else "",
            "due": row.due_at.date().isoformat(),
            "link": f"{site.rstrip('/')}/dataset/{fact.name}",
            "todo": f"{site.rstrip('/')}/dashboard/todo",
        }
        try:
            queued = mail.queue(
                session,
                to=", ".join(to),
                subject=_(SUBJECTS[state]).format(**values),
                body=_(BODIES[state]).format(**values),
                kind=KIND,
                key=f"freshness:{row.dataset_id}:{state}:{row.due_at.date().isoformat()}",
            )
        except Invalid as exc:  # a contact address the outbox cannot use
            log.warning("no freshness reminder for %s: %s", fact.name, exc.message)
            counts["no_address"] += 1
            continue
        counts["queued" if queued is not None else "already_sent"] += 1
    return counts


@jobs.handler(REMINDER_JOB)
def _run_reminder_job(session: Session, context: jobs.JobContext) -> dict[str, Any]:
    settings = context.resources["settings"]
    context.progress(0, 0, "datasets", "Reminding publishers of due updates")
    return queue_reminders(session, settings.jurisdiction, settings.site_url, utcnow())


@jobs.schedule("quality-reminders")
def queue_daily_reminders(session: Session, now: datetime) -> int:
    """Once a day the worker reminds publishers of the updates that are due."""
    return jobs.queue_if_due(session, REMINDER_JOB, "datasets", "freshness", now, DAILY)
