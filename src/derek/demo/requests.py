"""Demo information requests and Open Dialogue questions, made through the service with their dates in the
past (so the register, the statistics and the officials' queues have something to show): answered, refused
and appealed, open, overdue. Idempotent: a request whose subject exists already is not made again."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from derek.config import Profile
from derek.core.authz import SYSTEM, Actor
from derek.core.db import utcnow
from derek.info_requests import service as requests
from derek.info_requests.schemas import Answer, RequestCreate

DEMO_IIN = "900101300126"  # synthetic: a valid check digit, nobody's number


@dataclass(frozen=True)
class DemoRequest:
    organization: str
    subject: str
    body: str
    days_ago: int
    outcome: str = ""  # answered, partial, refused; "" stays open
    answered_after: int = 0  # days after receipt
    answer: str = ""
    ground: int = -1  # index into the profile's refusal grounds
    appeal: str = ""  # the requester's appeal, after the refusal
    kind: str = "request"
    topics: tuple[str, ...] = ()


DEMO_REQUESTS = (
    DemoRequest(
        "almaty-akimat",
        "Bus timetables of Almaty routes",
        "Please send the timetables of every city bus route for 2025 in a machine-readable form.",
        days_ago=40,
        outcome="answered",
        answered_after=9,
        answer="The timetables are published as open data: every route's file is in the dataset "
        "'Public transport routes'.",
        topics=("public transport", "bus timetables"),
    ),
    DemoRequest(
        "ministry-of-finance",
        "Budget execution by district, 2025",
        "Please send the execution of the 2025 local budgets by district and by programme.",
        days_ago=35,
        outcome="refused",
        answered_after=12,
        answer="The district breakdown is being prepared for the annual report and is not final.",
        ground=5,
        appeal="Budget execution is socially significant information that may not be restricted (Art. 6).",
        topics=("budget", "districts"),
    ),
    DemoRequest(
        "ministry-of-finance",
        "Public procurement contracts above 100 million tenge",
        "Please list the contracts signed in 2025 above 100 million tenge, with supplier BINs and amounts.",
        days_ago=25,
        outcome="partial",
        answered_after=14,
        answer="The list is attached without the contracts of the defence programme, which are restricted.",
        ground=2,
        topics=("procurement",),
    ),
    DemoRequest(
        "astana-akimat",
        "Kindergarten waiting lists by district",
        "How many children wait for a kindergarten place in each district of Astana, by age?",
        days_ago=6,
        topics=("kindergartens",),
    ),
    DemoRequest(
        "national-statistics-bureau",
        "Monthly population by district since 2015",
        "Please publish the monthly resident population of every district since 2015 as open data.",
        days_ago=30,
        topics=("population",),
    ),
    DemoRequest(
        "astana-akimat",
        "When will the heating season start?",
        "Every autumn the heating is switched on on a different day. How is the date decided?",
        days_ago=20,
        outcome="answered",
        answered_after=5,
        answer="The heating season starts when the mean daily temperature stays below +8 °C for five days; "
        "the akimat announces the date on its website.",
        kind="question",
    ),
)


def ensure_demo_requests(session: Session, profile: Profile, official: dict[str, Actor]) -> int:
    """Make the demo requests that are missing; how many were made. `official` gives each organization's
    demo publisher (SYSTEM where there is none)."""
    existing = {r.subject for r in requests.search_register(session, profile, per_page=100).results}
    rules = requests.rules_for(profile)
    made = 0
    now = utcnow()
    for demo in DEMO_REQUESTS:
        if demo.subject in existing:
            continue
        received = now - timedelta(days=demo.days_ago)
        data = RequestCreate(
            organization=demo.organization,
            subject=demo.subject,
            body=demo.body,
            kind=demo.kind,  # type: ignore[arg-type]
            name="Demo requester",
            email="requester@example.org",
            identifier=DEMO_IIN,
        )
        req, key = requests.submit_request(session, SYSTEM, profile, data, now=received)
        actor = official.get(demo.organization, SYSTEM)
        if demo.topics:
            requests.set_topics(session, actor, profile, req.reference, list(demo.topics))
        if demo.outcome:
            grounds = (
                [rules.grounds[min(demo.ground, len(rules.grounds) - 1)].code] if demo.ground >= 0 else []
            )
            answered = _at(received, demo.answered_after)
            answer = Answer(outcome=demo.outcome, text=demo.answer, grounds=grounds)  # type: ignore[arg-type]
            requests.answer_request(session, actor, profile, req.reference, answer, now=answered)
            if demo.appeal:
                requests.create_appeal(
                    session, SYSTEM, profile, req.reference, demo.appeal, key, now=_at(answered, 3)
                )
        made += 1
    return made


def _at(moment: datetime, days: int) -> datetime:
    return moment + timedelta(days=days)
