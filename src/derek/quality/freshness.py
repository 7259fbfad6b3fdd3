"""Freshness: is a dataset updated as often as its publisher declared?

The declared update frequency (the EU frequency vocabulary) gives a period; the last real change is when
the dataset's data last changed (the newest version of any of its files or links, not a metadata edit).
The next update is due one period after that change. A dataset is

- on_time until the last part of its period (a fifth of it, at most 14 days),
- due_soon in that last part, when its publisher is reminded,
- overdue once the due date has passed,
- not_applicable when no period is declared (irregular, never, other, unknown).

The due dates are stored with each dataset's score, so the state at any moment needs no recomputation.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from dateutil.relativedelta import relativedelta

STATES = ("on_time", "due_soon", "overdue", "not_applicable")
# the EU frequency vocabulary's periods; continuous updates are expected at least daily
PERIODS: dict[str, relativedelta] = {
    "CONT": relativedelta(days=1),
    "UPDATE_CONT": relativedelta(days=1),
    "DAILY": relativedelta(days=1),
    "WEEKLY": relativedelta(weeks=1),
    "BIWEEKLY": relativedelta(weeks=2),
    "MONTHLY": relativedelta(months=1),
    "BIMONTHLY": relativedelta(months=2),
    "QUARTERLY": relativedelta(months=3),
    "ANNUAL_2": relativedelta(months=6),
    "ANNUAL": relativedelta(years=1),
    "BIENNIAL": relativedelta(years=2),
    "TRIENNIAL": relativedelta(years=3),
}
LONGEST_NOTICE = timedelta(days=14)


@dataclass(frozen=True)
class Freshness:
    state: str
    last_change: datetime | None
    due_at: datetime | None  # when the next update is due
    due_soon_at: datetime | None  # from when the publisher is reminded


def schedule(frequency: str, last_change: datetime | None) -> tuple[datetime | None, datetime | None]:
    """(due, due soon from) for a dataset with this declared frequency changed last at `last_change`."""
    period = PERIODS.get(frequency)
    if period is None or last_change is None:
        return None, None
    due = last_change + period
    notice = min((due - last_change) / 5, LONGEST_NOTICE)
    return due, due - notice


def state_at(due_at: datetime | None, due_soon_at: datetime | None, now: datetime) -> str:
    if due_at is None or due_soon_at is None:
        return "not_applicable"
    if now >= due_at:
        return "overdue"
    return "due_soon" if now >= due_soon_at else "on_time"


def assess(frequency: str, last_change: datetime | None, now: datetime) -> Freshness:
    due, soon = schedule(frequency, last_change)
    return Freshness(state_at(due, soon, now), last_change, due, soon)
