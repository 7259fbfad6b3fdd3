"""The search log, anonymised: what visitors of the search page looked for and how much they found.

Only the words and the day are kept, one row per day and words (how often, and how many datasets the
latest search found); no user, address or time of day. Words holding six or more digits in a row (an
identity or phone number) or an "@" (an e-mail address) are not stored at all. Searches that found
LITTLE datasets or fewer are demand the catalog does not meet: dataset selection lists them beside a
proposal and on its unmet-demand page.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import quote_plus

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from derek.catalog.models import SearchLogEntry
from derek.catalog.search import stem_words
from derek.core import demand

if TYPE_CHECKING:
    from derek.config import Profile

LITTLE = 2  # a search finding this many datasets or fewer found "little"
WINDOW = timedelta(days=365)  # evidence older than a year is not counted
MAX_QUERY = 200
_PERSONAL = re.compile(r"\d{6,}|@")
_SEPARATORS = re.compile(r"[\s.\-()/+_,]")  # how numbers are written in groups: 701.123.45.67
_SPACES = re.compile(r"\s+")
# words that say nothing of the topic: a phrase's other words must all be in a search for it to count
STOP_WORDS = frozenset(
    ("a", "an", "and", "by", "for", "from", "in", "of", "on", "or", "per", "the", "to", "with", "about")
    + ("в", "во", "и", "или", "на", "по", "для", "из", "с", "со", "о", "об", "от", "за", "к", "при")
    + ("және", "мен", "бен", "пен", "бойынша", "үшін", "туралы")
)


def normalise(text: str) -> str | None:
    """The words as they are logged (lower case, single spaces), or None when they are not logged."""
    words = _SPACES.sub(" ", text.replace("\x00", "")).strip().strip("\"'«»").strip().lower()
    if len(words) < 2 or _PERSONAL.search(_SEPARATORS.sub("", words)):
        return None
    return words[:MAX_QUERY]


def record_search(session: Session, text: str, hits: int, today: date) -> None:
    """Count one search for these words today, with how many datasets it found (in the caller's
    transaction); a concurrent first search of the same words on the same day is counted once more."""
    words = normalise(text)
    if words is None:
        return
    changed = session.execute(
        update(SearchLogEntry)
        .where(SearchLogEntry.day == today, SearchLogEntry.query == words)
        .values(searches=SearchLogEntry.searches + 1, hits=hits)
    )
    if getattr(changed, "rowcount", 0):
        return
    try:
        with session.begin_nested():
            session.add(SearchLogEntry(day=today, query=words, searches=1, hits=hits))
    except IntegrityError:  # another request logged the first one meanwhile
        session.execute(
            update(SearchLogEntry)
            .where(SearchLogEntry.day == today, SearchLogEntry.query == words)
            .values(searches=SearchLogEntry.searches + 1, hits=hits)
        )


@dataclass(frozen=True)
class LoggedSearch:
    query: str
    searches: int  # how many times in the window
    hits: int  # datasets the latest search found
    last_day: date
    days: int = 1  # on how many days it was searched: what demand counts, so reloading adds nothing


def _little_searches(
    session: Session, today: date, like: str | None = None, limit: int | None = None
) -> list[LoggedSearch]:
    """Searches of the last year whose latest result was LITTLE datasets or fewer, those searched on the
    most days first.
    The latest result is read from each query's own last day, in one statement (no list of every query
    logged as parameters)."""
    stmt = select(
        SearchLogEntry.query.label("query"),
        func.sum(SearchLogEntry.searches).label("total"),
        func.max(SearchLogEntry.day).label("last_day"),
        func.count().label("days"),  # one row per day
    ).where(SearchLogEntry.day > today - WINDOW, SearchLogEntry.day <= today)
    if like:
        stmt = stmt.where(SearchLogEntry.query.like(f"%{like}%"))
    totals = stmt.group_by(SearchLogEntry.query).subquery()
    latest = (
        select(totals.c.query, totals.c.total, SearchLogEntry.hits, totals.c.last_day, totals.c.days)
        .join(
            SearchLogEntry,
            (SearchLogEntry.query == totals.c.query) & (SearchLogEntry.day == totals.c.last_day),
        )
        .where(SearchLogEntry.hits <= LITTLE)
        .order_by(totals.c.days.desc(), totals.c.total.desc(), totals.c.query)
    )
    if limit is not None:
        latest = latest.limit(limit)
    return [
        LoggedSearch(query, int(total), int(hits), day, int(days))
        for query, total, hits, day, days in session.execute(latest).tuples()
    ]


def searches_about(session: Session, phrases: Sequence[str], today: date) -> list[LoggedSearch]:
    """Searches of the last year that found little and share every word stem of one of the phrases."""
    found: dict[str, LoggedSearch] = {}
    for phrase in phrases:
        words = " ".join(w for w in phrase.lower().split() if w not in STOP_WORDS)
        stems = [s for s in stem_words(words) if len(s) >= 3]
        if not stems:
            continue
        # a stem need not be part of the words as typed ("ferry" -> "ferri", "ёлки" -> "елк"): look for
        # its beginning (any letter where an "е" may have been "ё"), then compare the stems
        like = max(stems, key=len)[:-1].replace("е", "_")
        for logged in _little_searches(session, today, like=like):
            if set(stems) <= set(stem_words(logged.query)):  # whole stems: "tax" is not in "taxi"
                found[logged.query] = logged
    return sorted(found.values(), key=lambda s: (-s.days, -s.searches, s.query))


def unmet_searches(session: Session, today: date, *, limit: int = 50) -> list[LoggedSearch]:
    """The most frequent searches of the last year that found little."""
    return _little_searches(session, today, limit=limit)


@demand.source("search")
def _searches_as_evidence(
    session: Session, profile: Profile, phrases: Sequence[str], context: dict[str, Any]
) -> list[demand.Evidence]:
    today = context.get("today") or date.today()
    return [
        demand.Evidence(
            kind="search",
            title=s.query,
            count=s.days,  # a search counts once a day: reloading or following the link adds nothing
            url="/dataset?q=" + quote_plus(s.query),
            detail=str(s.hits),
            on=s.last_day,
        )
        for s in searches_about(session, phrases, today)
    ]
