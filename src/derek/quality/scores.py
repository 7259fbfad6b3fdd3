"""Stored quality per dataset, kept current by a job, and what is read from it: the portal's and each
organization's averages, the public dashboards and the publisher's to-do list.

Every change of a dataset (its metadata, files, links or state; the catalog announces it) and every link
whose state changed counts one more `generation` of its row and queues one `quality.scores` job, unless one
is queued already: the job recomputes every row whose computed generation is behind, so a burst of changes
(a harvest, a demo load) costs one run. The worker also marks every row once a night, since link checks and
the passing days change scores without any edit. A change made while the job computes a dataset leaves the
row behind again, so the next run catches it: nothing is lost to a race.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Callable, Hashable
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, String, case, cast, func, select, update
from sqlalchemy.orm import Session

from derek.catalog import service as catalog
from derek.config import Profile
from derek.core import events, jobs
from derek.core.authz import SYSTEM, Actor, authorize, register
from derek.core.db import utcnow
from derek.core.errors import NotFound
from derek.interop import service as interop
from derek.quality import freshness, links, mqa, stars
from derek.quality.models import DatasetQuality, PersonalDataScan
from derek.quality.schemas import FreshnessRead

SCORE_JOB = "quality.scores"
NIGHTLY = timedelta(days=1)
CHECKPOINT = 25  # datasets per transaction of a run
RATINGS = ("excellent", "good", "sufficient", "bad")

Progress = Callable[[int, int, str, str], None]


# ---------------------------------------------------------------- keeping the rows current


@events.subscribe(events.DATASET_CHANGED)
def _dataset_changed(session: Session, *, dataset_id: str, **_: Any) -> None:
    mark_stale(session, [dataset_id])


@events.subscribe(events.LINKS_CHANGED)
def _links_changed(session: Session, *, resource_ids: list[str], **_: Any) -> None:
    mark_stale(session, catalog.datasets_of_resources(session, resource_ids))


def mark_stale(session: Session, dataset_ids: list[str]) -> None:
    """The datasets' scores are out of date: count a new generation and make sure a run is queued."""
    if not dataset_ids:
        return
    ids = list(dict.fromkeys(dataset_ids))
    known = set(session.scalars(select(DatasetQuality.dataset_id).where(DatasetQuality.dataset_id.in_(ids))))
    if known:
        session.execute(
            update(DatasetQuality)
            .where(DatasetQuality.dataset_id.in_(known))
            .values(generation=DatasetQuality.generation + 1)
            .execution_options(synchronize_session=False)
        )
    session.add_all(
        DatasetQuality(dataset_id=i, generation=1, computed_generation=0) for i in ids if i not in known
    )
    session.flush()
    queue_run(session)


def queue_run(session: Session, params: dict[str, Any] | None = None) -> jobs.Job:
    """A run of the score job, unless one is waiting to start (a running one may miss the latest change)."""
    latest = jobs.latest_for(session, SCORE_JOB, "stale")
    if latest is not None and latest.status == "queued":
        return latest
    return jobs.enqueue(session, SYSTEM, SCORE_JOB, "datasets", "stale", params)


def mark_all_stale(session: Session) -> int:
    """Every dataset's score is to be recomputed (nightly, and `derek quality run`); how many datasets."""
    session.execute(
        update(DatasetQuality)
        .values(generation=DatasetQuality.generation + 1)
        .execution_options(synchronize_session=False)
    )
    known = set(session.scalars(select(DatasetQuality.dataset_id)))
    missing = [i for i in catalog.dataset_ids(session) if i not in known]
    session.add_all(DatasetQuality(dataset_id=i, generation=1, computed_generation=0) for i in missing)
    session.flush()
    return int(session.scalar(select(func.count()).select_from(DatasetQuality)) or 0)


def compute(session: Session, profile: Profile, site: str, dataset_id: str, generation: int) -> None:
    """Recompute one dataset's row as of `generation` (the row stays behind if it moved on meanwhile)."""
    try:
        dataset = catalog.find_visible_dataset(session, SYSTEM, dataset_id)
    except NotFound:
        return
    values: dict[str, Any] = {"computed_generation": generation, "computed_at": utcnow()}
    if dataset.state != "deleted":
        read = catalog.dataset_read(session, profile, dataset)
        checked = interop.check_dataset(session, profile, site, read)
        scored = mqa.assess(session, profile, site, read, checked)
        broken = set(links.broken_in(session, [r.id for r in read.resources]))
        changed = catalog.last_data_change(session, dataset)
        due, soon = freshness.schedule(dataset.update_frequency, changed)
        values |= {
            "points": scored.points,
            "rating": scored.rating,
            "dimensions": scored.dimensions,
            "missed": [
                {"key": i.key, "points": i.max_points} for i in scored.indicators if i.points < i.max_points
            ],
            "stars": stars.dataset_stars(profile, read, broken).stars,
            "resources": len(read.resources),
            "broken_links": len(broken),
            "dcat_violations": sum(1 for c in checked if c.severity == "Violation"),
            "last_change": changed,
            "due_at": due,
            "due_soon_at": soon,
        }
    session.execute(  # never back to an older generation (a slower run computing an earlier change)
        update(DatasetQuality)
        .where(DatasetQuality.dataset_id == dataset_id, DatasetQuality.computed_generation < generation)
        .values(**values)
        .execution_options(synchronize_session=False)
    )


def recompute(
    session: Session,
    profile: Profile,
    site: str,
    *,
    progress: Progress | None = None,
    checkpoint: Callable[[], None] | None = None,
) -> dict[str, int]:
    """Recompute every row that is behind; the caller's `checkpoint` commits every CHECKPOINT datasets."""
    show = progress or (lambda *_a: None)
    behind = session.execute(
        select(DatasetQuality.dataset_id, DatasetQuality.generation).where(
            DatasetQuality.computed_generation < DatasetQuality.generation
        )
    ).all()
    show(0, len(behind), "datasets", "Scoring datasets")
    for done, (dataset_id, generation) in enumerate(behind, start=1):
        compute(session, profile, site, dataset_id, generation)
        if done % CHECKPOINT == 0 or done == len(behind):
            if checkpoint:
                checkpoint()
            show(done, len(behind), "datasets", "Scoring datasets")
    return {"scored": len(behind)}


@jobs.handler(SCORE_JOB)
def _run_score_job(session: Session, context: jobs.JobContext) -> dict[str, Any]:
    settings = context.resources["settings"]
    if context.params.get("all"):
        mark_all_stale(session)
        session.commit()
    return recompute(
        session,
        settings.jurisdiction,
        settings.site_url,
        progress=context.progress,
        checkpoint=session.commit,
    )


@jobs.schedule("quality-scores")
def queue_nightly_run(session: Session, now: datetime) -> int:
    """Once a day every score is recomputed (link states and the calendar move without any edit)."""
    return jobs.queue_if_due(session, SCORE_JOB, "datasets", "all", now, NIGHTLY, {"all": True})


# ---------------------------------------------------------------- reading


def freshness_state(now: datetime) -> ColumnElement[str]:
    """The freshness state of a row at `now`, in SQL (for search facets and filters)."""
    return case(
        (DatasetQuality.due_at.is_(None), "not_applicable"),
        (DatasetQuality.due_at <= now, "overdue"),
        (DatasetQuality.due_soon_at <= now, "due_soon"),
        else_="on_time",
    )


# ---------------------------------------------------------------- search facets and filters

FRESHNESS_LABELS = {  # msgids
    "on_time": "on time",
    "due_soon": "due soon",
    "overdue": "overdue",
    "not_applicable": "not applicable",
}


def _scored(value: Any) -> ColumnElement[Any]:
    """The value of a scored row; nothing for a row still waiting for its first score."""
    return case((DatasetQuality.computed_at.is_(None), None), else_=value)


def _version(session: Session) -> Hashable:
    """The stored scores' state: when one was last computed, and how many rows there are."""
    return tuple(session.execute(select(func.max(DatasetQuality.computed_at), func.count())).one())


def _freshness_version(session: Session) -> Hashable:
    """As `_version`, and how many due dates have passed by now (the states move with the clock)."""
    now = utcnow()
    passed = session.execute(
        select(
            func.count().filter(DatasetQuality.due_at <= now),
            func.count().filter(DatasetQuality.due_soon_at <= now),
        )
    ).one()
    return (_version(session), tuple(passed))


catalog.register_facet(
    "rating",
    catalog.ExtraFacet(
        title="Metadata quality",
        values=lambda: (_scored(DatasetQuality.rating), DatasetQuality.dataset_id),
        label=lambda v, gettext: gettext(v),
        version=_version,
    ),
)
catalog.register_facet(
    "stars",
    catalog.ExtraFacet(
        title="Openness",
        values=lambda: (_scored(cast(DatasetQuality.stars, String)), DatasetQuality.dataset_id),
        label=lambda v, gettext: gettext("{n} of 5 stars", n=v),
        version=_version,
    ),
)
catalog.register_facet(
    "freshness",
    catalog.ExtraFacet(
        title="Freshness",
        values=lambda: (_scored(freshness_state(utcnow())), DatasetQuality.dataset_id),
        label=lambda v, gettext: gettext(FRESHNESS_LABELS.get(v, v)),
        version=_freshness_version,
    ),
)


@dataclass
class Row:
    """One scored dataset as dashboards show it."""

    dataset_id: str
    name: str
    title: dict[str, str]
    organization: str
    organization_title: dict[str, str]
    state: str
    private: bool
    points: int
    rating: str
    stars: int
    broken_links: int
    dcat_violations: int
    freshness: str
    due_at: datetime | None
    last_change: datetime | None
    frequency: str
    missed: list[dict[str, Any]]
    scored: bool
    computed_at: datetime | None = None


@dataclass
class Summary:
    """Figures over a set of datasets: the portal's or one organization's."""

    datasets: int = 0
    scored: int = 0
    average_points: float | None = None
    average_rating: str = ""
    median_points: float | None = None
    ratings: dict[str, int] = field(default_factory=dict)
    stars: dict[int, int] = field(default_factory=dict)
    average_stars: float | None = None
    broken_links: int = 0
    datasets_with_broken_links: int = 0
    freshness: dict[str, int] = field(default_factory=dict)
    # points in bands of 50 (0-49, 50-99, ..., 300-349, then 350-405), for the distribution chart
    bands: list[tuple[str, int]] = field(default_factory=list)


BAND = 50


def _rows(
    session: Session, now: datetime, *, public_only: bool, organization_ids: list[str] | None = None
) -> list[Row]:
    facts = catalog.dataset_facts(session, public_only=public_only, organization_ids=organization_ids)
    stmt = select(DatasetQuality).where(DatasetQuality.computed_at.is_not(None))
    if organization_ids is not None:
        stmt = stmt.where(DatasetQuality.dataset_id.in_([f.id for f in facts]))
    stored = {q.dataset_id: q for q in session.scalars(stmt)}
    rows = []
    for fact in facts:
        q = stored.get(fact.id)
        rows.append(
            Row(
                dataset_id=fact.id,
                name=fact.name,
                title=fact.title,
                organization=fact.organization,
                organization_title=fact.organization_title,
                state=fact.state,
                private=fact.private,
                points=q.points if q else 0,
                rating=q.rating if q else "",
                stars=q.stars if q else 0,
                broken_links=q.broken_links if q else 0,
                dcat_violations=q.dcat_violations if q else 0,
                freshness=freshness.state_at(q.due_at, q.due_soon_at, now) if q else "",
                due_at=q.due_at if q else None,
                last_change=q.last_change if q else None,
                frequency=fact.update_frequency,
                missed=list(q.missed) if q else [],
                scored=q is not None,
                computed_at=q.computed_at if q else None,
            )
        )
    return rows


def summarize(rows: list[Row]) -> Summary:
    scored = [r for r in rows if r.scored]
    summary = Summary(datasets=len(rows), scored=len(scored))
    if not scored:
        return summary
    points = [r.points for r in scored]
    summary.average_points = round(statistics.fmean(points), 1)
    summary.median_points = float(statistics.median(points))
    summary.average_rating = mqa.rating(round(summary.average_points))
    ratings = Counter(r.rating for r in scored)
    summary.ratings = {name: ratings.get(name, 0) for name in RATINGS}
    by_stars = Counter(r.stars for r in scored)
    summary.stars = {n: by_stars.get(n, 0) for n in range(6)}
    summary.average_stars = round(statistics.fmean(r.stars for r in scored), 2)
    summary.broken_links = sum(r.broken_links for r in scored)
    summary.datasets_with_broken_links = sum(1 for r in scored if r.broken_links)
    states = Counter(r.freshness for r in scored)
    summary.freshness = {name: states.get(name, 0) for name in freshness.STATES}
    bands = Counter(min(p // BAND, mqa.MAX_POINTS // BAND - 1) for p in points)
    last = mqa.MAX_POINTS // BAND - 1
    summary.bands = [
        (f"{b * BAND}–{(b + 1) * BAND - 1 if b < last else mqa.MAX_POINTS}", bands.get(b, 0))
        for b in range(last + 1)
    ]
    return summary


@dataclass
class OrganizationFigures:
    name: str
    title: dict[str, str]
    summary: Summary


@dataclass
class PortalQuality:
    summary: Summary
    organizations: list[OrganizationFigures]
    computed_at: datetime | None


def portal_quality(session: Session, now: datetime | None = None) -> PortalQuality:
    """The public catalog's quality at a glance, and each organization's (public datasets only)."""
    now = now or utcnow()
    rows = _rows(session, now, public_only=True)
    by_org: dict[str, list[Row]] = {}
    for row in rows:
        by_org.setdefault(row.organization, []).append(row)
    organizations = [
        OrganizationFigures(name=name, title=org_rows[0].organization_title, summary=summarize(org_rows))
        for name, org_rows in by_org.items()
    ]
    organizations.sort(key=lambda o: (-(o.summary.average_points or 0), o.name))
    computed = max((r.computed_at for r in rows if r.computed_at), default=None)
    return PortalQuality(summary=summarize(rows), organizations=organizations, computed_at=computed)


@dataclass
class Scorecard:
    name: str
    title: dict[str, str]
    summary: Summary
    portal: Summary
    rows: list[Row]


def organization_scorecard(
    session: Session, actor: Actor, name: str, now: datetime | None = None
) -> Scorecard:
    """One organization's public datasets with their scores, next to the portal's figures."""
    now = now or utcnow()
    org = catalog.get_organization(session, actor, name)
    rows = _rows(session, now, public_only=True, organization_ids=[org.id])
    everyone = _rows(session, now, public_only=True)
    return Scorecard(
        name=org.name, title=org.title, summary=summarize(rows), portal=summarize(everyone), rows=rows
    )


# ---------------------------------------------------------------- the publisher's to-do list

SEVERITY = {"high": 0, "medium": 1, "low": 2}
# missed indicators the score task does not advise on: links answer once checked (broken links are their own
# task), and DCAT-AP violations are listed by theirs
NOT_ADVICE = {"access_url_answers", "download_url_answers", "dcat_ap"}


@register("quality.todo", "see the to-do list of the datasets one edits")
def _may_see_todo(actor: Actor, _obj: Any) -> bool:
    return actor.authenticated


@dataclass
class Task:
    severity: str  # high, medium, low
    kind: str  # personal_data, broken_links, overdue, due_soon, dcat, draft, score
    dataset: str
    dataset_title: dict[str, str]
    organization: str
    message: str  # in English, translated when shown
    values: dict[str, Any] = field(default_factory=dict)  # to fill the message's placeholders
    anchor: str = ""  # where on the dataset's page the matter is shown


MESSAGES = {
    "personal_data": "Personal data found in {files} file(s): publication is blocked until it is removed.",
    "scan_pending": "{files} file(s) waiting for the personal-data check.",
    "broken_links": "{links} link(s) do not work.",
    "overdue": "The update was due on {due} ({frequency}).",
    "due_soon": "The next update is due on {due} ({frequency}).",
    "dcat": "{violations} DCAT-AP violation(s): data.europa.eu would not harvest it as it is.",
    "draft": "Not published yet.",
    "score": "Metadata score {points} of {max_points} ({rating}). {fix}: +{gain} points.",
}


def todo(
    session: Session, actor: Actor, organization: str | None = None, now: datetime | None = None
) -> list[Task]:
    """What needs doing in the datasets of the organizations where the actor edits (a sysadmin: every
    organization, or the one asked for), most urgent first."""
    authorize(actor, "quality.todo")
    now = now or utcnow()
    mine = catalog.organizations_of(actor, session, "editor", "admin")
    if organization:
        mine = [o for o in mine if o.name == organization]
    if not mine:
        return []
    rows = _rows(session, now, public_only=False, organization_ids=[o.id for o in mine])
    owners = catalog.active_resources_of(session, [r.dataset_id for r in rows])
    scans = Counter(
        (owners[resource_id], status)
        for resource_id, status in session.execute(
            select(PersonalDataScan.resource_id, PersonalDataScan.status).where(
                PersonalDataScan.resource_id.in_(list(owners)),
                PersonalDataScan.status.in_(("personal", "pending", "failed")),
            )
        ).tuples()
    )
    tasks: list[Task] = []
    for row in rows:

        def add(severity: str, kind: str, anchor: str = "", row: Row = row, **values: Any) -> None:
            tasks.append(
                Task(severity, kind, row.name, row.title, row.organization, MESSAGES[kind], values, anchor)
            )

        blocked = scans[(row.dataset_id, "personal")] + scans[(row.dataset_id, "failed")]
        if blocked:
            add("high", "personal_data", "personal-data", files=blocked)
        if scans[(row.dataset_id, "pending")]:
            add("low", "scan_pending", "personal-data", files=scans[(row.dataset_id, "pending")])
        if row.broken_links:
            add("high", "broken_links", "broken-links", links=row.broken_links)
        if row.state == "published" and row.freshness in ("overdue", "due_soon") and row.due_at:
            add(
                "high" if row.freshness == "overdue" else "medium",
                row.freshness,
                "freshness",
                due=row.due_at.date().isoformat(),
                frequency=catalog.frequency_label(row.frequency),
            )
        if row.dcat_violations:
            add("medium", "dcat", "dcat-check-title", violations=row.dcat_violations)
        if row.state == "draft":
            add("low", "draft")
        advice = [m for m in row.missed if m["key"] not in NOT_ADVICE]
        if row.scored and row.rating in ("bad", "sufficient") and advice:
            best = max(advice, key=lambda m: m["points"])
            rule = next(r for r in mqa.RULES if r.key == best["key"])
            add(
                "low",
                "score",
                "metadata-quality",
                points=row.points,
                max_points=mqa.MAX_POINTS,
                rating=row.rating,
                fix=rule.fix,
                gain=best["points"],
            )
    tasks.sort(key=lambda t: (SEVERITY[t.severity], t.organization, t.dataset))
    return tasks


def task_text(task: Task, translate: Callable[[str], str]) -> str:
    """The task's message in the reader's language (its words translated, then the values filled in)."""
    values = {k: translate(v) if isinstance(v, str) else v for k, v in task.values.items()}
    return translate(task.message).format(**values)


def get_freshness(session: Session, actor: Actor, name: str) -> FreshnessRead:
    """The freshness of a dataset the actor may see, as of now (from its data's latest change)."""
    dataset = catalog.find_visible_dataset(session, actor, name)
    fresh = freshness.assess(dataset.update_frequency, catalog.last_data_change(session, dataset), utcnow())
    return FreshnessRead(dataset=dataset.slug, frequency=dataset.update_frequency, **asdict(fresh))


def stored(session: Session, dataset_id: str) -> DatasetQuality | None:
    row = session.get(DatasetQuality, dataset_id)
    return row if row is not None and row.computed_at is not None else None
