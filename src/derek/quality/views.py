"""Quality panels on a dataset's pages (personal-data check for editors, broken links for everyone), the
reviewer's lawful-basis form, the public quality dashboards (the portal's, each organization's scorecard)
and the publisher's to-do list."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup
from sqlalchemy.orm import Session

from derek.catalog import service as catalog
from derek.catalog.schemas import DatasetRead
from derek.config import Profile
from derek.core.authz import Actor, can
from derek.core.errors import Invalid
from derek.core.i18n import pick, translator
from derek.quality import freshness, links, mqa, scores, stars
from derek.quality import personal_data as service
from derek.web.account_views import FormDep, login_redirect
from derek.web.charts import BarChart, bar_chart
from derek.web.deps import ActorDep, LangDep, ProfileDep, SessionDep, get_lang, get_settings
from derek.web.formatting import local_date, local_number
from derek.web.forms import text
from derek.web.pages import env, flash, render
from derek.web.panels import register
from derek.web.security import check_csrf, csrf_token

router = APIRouter(include_in_schema=False)


@register("dataset")
def personal_data_panel(
    request: Request, *, session: Session, actor: Actor, profile: Profile, dataset: DatasetRead, **_: Any
) -> Markup:
    if not can(actor, "dataset.update", dataset.organization.id):
        return Markup("")
    lang = get_lang(request)
    scans = []
    for resource in dataset.resources:
        scan = service.get_scan(session, actor, resource.id, lang)
        if scan.status == "pending" and service.load_failed(session, resource.id):
            scan = scan.model_copy(update={"status": "failed"})  # it will never be read: say so
        if scan.status != "not_scanned":
            scans.append((resource, scan))
    if not scans:
        return Markup("")
    html = env.get_template("quality/_personal_data.html").render(
        _=translator(lang),
        lang=lang,
        dataset=dataset,
        scans=scans,
        may_review=can(actor, "personal_data.review", None),
        csrf_token=csrf_token(request),
        blocked=any(s.status in service.BLOCKING for _r, s in scans),
    )
    return Markup(html)


@register("dataset")
def broken_links_panel(
    request: Request, *, session: Session, actor: Actor, profile: Profile, dataset: DatasetRead, **_: Any
) -> Markup:
    """For everyone: which of the dataset's links did not work at their latest check."""
    broken = links.broken_in(session, [r.id for r in dataset.resources])
    if not broken:
        return Markup("")
    lang = get_lang(request)
    rows = [(r, broken[r.id]) for r in dataset.resources if r.id in broken]
    html = env.get_template("quality/_broken_links.html").render(
        _=translator(lang), lang=lang, dataset=dataset, rows=rows
    )
    return Markup(html)


@register("dataset")
def stars_panel(
    request: Request, *, session: Session, actor: Actor, profile: Profile, dataset: DatasetRead, **_: Any
) -> Markup:
    """For everyone: the dataset's 5-star openness and what would raise it."""
    if not dataset.resources:
        return Markup("")
    broken = set(links.broken_in(session, [r.id for r in dataset.resources]))
    rated = stars.dataset_stars(profile, dataset, broken)
    lang = get_lang(request)
    html = env.get_template("quality/_stars.html").render(_=translator(lang), lang=lang, rated=rated)
    return Markup(html)


@register("dataset")
def quality_panel(
    request: Request, *, session: Session, actor: Actor, profile: Profile, dataset: DatasetRead, **_: Any
) -> Markup:
    """For everyone: the MQA-style metadata quality score, its breakdown and what would raise it."""
    scored = mqa.assess(session, profile, get_settings(request).site_url, dataset)
    lang = get_lang(request)
    html = env.get_template("quality/_mqa.html").render(_=translator(lang), lang=lang, scored=scored)
    return Markup(html)


@register("dataset")
def freshness_panel(
    request: Request, *, session: Session, actor: Actor, profile: Profile, dataset: DatasetRead, **_: Any
) -> Markup:
    """For everyone: whether the dataset is updated as often as declared (nothing without a period)."""
    fresh = scores.get_freshness(session, actor, dataset.id)
    if fresh.due_at is None or fresh.last_change is None:
        return Markup("")
    lang = get_lang(request)
    html = env.get_template("quality/_freshness.html").render(
        _=translator(lang),
        fresh=fresh,
        label=FRESHNESS_LABELS[fresh.state],
        badge=FRESHNESS_BADGES.get(fresh.state, ""),
        frequency=catalog.frequency_label(dataset.update_frequency),
        changed=local_date(fresh.last_change, lang, profile.timezone, style="long"),
        due=local_date(fresh.due_at, lang, profile.timezone, style="long"),
    )
    return Markup(html)


@router.post("/dataset/{name}/resource/{resource_id}/personal-data/lawful-basis")
def record_lawful_basis(
    request: Request,
    name: str,
    resource_id: str,
    session: SessionDep,
    actor: ActorDep,
    profile: ProfileDep,
    lang: LangDep,
    submitted: FormDep,
) -> Response:
    check_csrf(request, text(submitted, "csrf_token"))
    dataset = catalog.get_dataset(session, actor, profile, name)
    try:
        service.record_lawful_basis(session, actor, resource_id, text(submitted, "lawful_basis"), lang)
    except Invalid as exc:
        session.rollback()
        flash(request, exc.message)
        return RedirectResponse(f"/dataset/{dataset.name}#personal-data", status_code=303)
    session.commit()
    flash(request, "The lawful basis is recorded: the dataset can be published with this file.")
    return RedirectResponse(f"/dataset/{dataset.name}#personal-data", status_code=303)


# ---------------------------------------------------------------- the quality dashboards and the to-do list

FRESHNESS_LABELS = scores.FRESHNESS_LABELS
# the badge colours of the dataset page's score (green, amber, red), reused for the freshness states
FRESHNESS_BADGES = {"on_time": "mqa-good", "due_soon": "mqa-sufficient", "overdue": "mqa-bad"}
SEVERITY_LABELS = {"high": "High priority", "medium": "Medium priority", "low": "Low priority"}  # msgids


def rating_ranges() -> dict[str, tuple[int, int]]:
    """Each rating's points, lowest and highest (mqa.RATINGS lists the floors, best first)."""
    ranges, top = {}, mqa.MAX_POINTS
    for floor, name in mqa.RATINGS:
        ranges[name] = (floor, top)
        top = floor - 1
    return ranges


def _portal_charts(
    figures: scores.PortalQuality, _: Callable[..., str], title: Callable[..., str]
) -> list[BarChart]:
    summary, datasets = figures.summary, _("Datasets")
    ranges = rating_ranges()
    overdue = sorted(
        ((title(o.title) or o.name, o.summary.freshness.get("overdue", 0)) for o in figures.organizations),
        key=lambda pair: (-pair[1], pair[0].casefold()),
    )
    return [
        bar_chart(
            "bands",
            _("Score distribution"),
            _("Points"),
            datasets,
            [(label, n) for label, n in reversed(summary.bands)],
            note=_("How many datasets have a metadata score in each band of 50 points (of 405)."),
        ),
        bar_chart(
            "ratings",
            _("Datasets by rating"),
            _("Rating"),
            datasets,
            [(_(r), summary.ratings.get(r, 0)) for r in scores.RATINGS],
            note=_("The rating follows the metadata score, as data.europa.eu rates it."),
            details=(_("Points"), [f"{ranges[r][0]}–{ranges[r][1]}" for r in scores.RATINGS]),
        ),
        bar_chart(
            "stars",
            _("Datasets by openness stars"),
            _("Openness"),
            datasets,
            [(_("{n} of 5 stars", n=n), summary.stars.get(n, 0)) for n in range(5, -1, -1)],
            note=_("5-star open data: an open licence, then structured, open, linked data."),
        ),
        bar_chart(
            "freshness",
            _("Datasets by freshness"),
            _("Freshness"),
            datasets,
            [(_(FRESHNESS_LABELS[s]), summary.freshness.get(s, 0)) for s in freshness.STATES],
            note=_("Whether datasets are updated as often as their publishers declared."),
        ),
        bar_chart(
            "overdue",
            _("Overdue datasets by organization"),
            _("Organization"),
            _("Overdue datasets"),
            [(name, n) for name, n in overdue if n],
        ),
    ]


def _titles(lang: str, profile: Profile) -> Callable[[dict[str, str] | None], str]:
    fallback = (lang, profile.default_language, *profile.languages)
    return lambda text: pick(text, lang, fallback)


@router.get("/quality", response_class=HTMLResponse)
def portal_quality_page(
    request: Request, session: SessionDep, profile: ProfileDep, lang: LangDep
) -> HTMLResponse:
    """The quality of the public catalog at a glance, and of each organization's part of it."""
    figures = scores.portal_quality(session)
    title = _titles(lang, profile)
    return render(
        request,
        "quality/portal.html",
        figures=figures,
        summary=figures.summary,
        charts=_portal_charts(figures, translator(lang), title) if figures.summary.scored else [],
        max_points=mqa.MAX_POINTS,
    )


@router.get("/organization/{name}/quality", response_class=HTMLResponse)
def organization_quality_page(
    request: Request, name: str, session: SessionDep, actor: ActorDep, profile: ProfileDep, lang: LangDep
) -> HTMLResponse:
    """One organization's scorecard: its public datasets' scores next to the portal's figures."""
    card = scores.organization_scorecard(session, actor, name)
    _ = translator(lang)
    title = _titles(lang, profile)
    compare = bar_chart(
        "compare",
        _("Average metadata score"),
        _("Datasets of"),
        _("Average score (of {most})", most=mqa.MAX_POINTS),
        [
            (title(card.title) or card.name, card.summary.average_points or 0.0),
            (_("the whole portal"), card.portal.average_points or 0.0),
        ],
        scale=mqa.MAX_POINTS,
        width=280.0,  # it stands in a narrow column: drawn at about its own size, its text stays legible
    )
    return render(
        request,
        "quality/scorecard.html",
        card=card,
        rows=sorted(card.rows, key=lambda r: (title(r.title) or r.name).casefold()),
        compare=compare,
        freshness_labels=FRESHNESS_LABELS,
        freshness_badges=FRESHNESS_BADGES,
        max_points=mqa.MAX_POINTS,
    )


@dataclass
class TaskLine:
    """One task as the to-do page shows it."""

    task: scores.Task
    message: str
    href: str
    organization_title: str


@dataclass
class TaskGroup:
    severity: str
    label: str
    lines: list[TaskLine] = field(default_factory=list)


def task_message(task: scores.Task, lang: str) -> str:
    """The task's message in the page language: the English template translated, then filled with its
    values written for that language (dates, numbers, the rating, the frequency, what to fix)."""
    _ = translator(lang)
    values: dict[str, Any] = {}
    for key, value in task.values.items():
        if key == "due":
            values[key] = local_date(date.fromisoformat(str(value)), lang, style="long")
        elif key == "frequency":
            values[key] = _(str(value))  # the catalog's label of the frequency
        elif key in ("rating", "fix"):
            values[key] = _(str(value))
        elif isinstance(value, int | float) and not isinstance(value, bool):
            values[key] = local_number(value, lang)
        else:
            values[key] = value
    try:
        return _(task.message).format(**values)
    except (KeyError, IndexError, ValueError):  # a translation that lost a placeholder: say it in English
        return task.message.format(**values)


def task_lines(tasks: list[scores.Task], lang: str, organization_titles: dict[str, str]) -> list[TaskGroup]:
    """The tasks grouped by severity, most urgent first (groups without tasks left out)."""
    _ = translator(lang)
    groups = {s: TaskGroup(s, _(label)) for s, label in SEVERITY_LABELS.items()}
    for task in tasks:
        anchor = task.anchor
        groups[task.severity].lines.append(
            TaskLine(
                task=task,
                message=task_message(task, lang),
                href=f"/dataset/{task.dataset}" + (f"#{anchor}" if anchor else ""),
                organization_title=organization_titles.get(task.organization, task.organization),
            )
        )
    return [g for g in groups.values() if g.lines]


@router.get("/dashboard/todo", response_class=HTMLResponse)
def todo_page(
    request: Request,
    session: SessionDep,
    actor: ActorDep,
    profile: ProfileDep,
    lang: LangDep,
    organization: str = "",
) -> Response:
    """What needs doing in the datasets of the organizations where the signed-in user edits."""
    if not actor.authenticated:
        return login_redirect(request)
    mine = catalog.organizations_of(actor, session, "editor", "admin")
    title = _titles(lang, profile)
    titles = {o.name: title(o.title) or o.name for o in mine}
    chosen = organization if organization in titles else ""
    tasks = scores.todo(session, actor, chosen or None) if mine else []
    return render(
        request,
        "quality/todo.html",
        organizations=mine,
        organization=chosen,
        groups=task_lines(tasks, lang, titles),
        count=len(tasks),
    )


@register("organization")
def scorecard_link(request: Request, *, organization: Any, **_: Any) -> Markup:
    """A link from an organization's page to its quality scorecard."""
    gettext = translator(get_lang(request))
    return Markup('<li><a href="/organization/{}/quality">{}</a></li>').format(
        organization.name, gettext("Quality scorecard")
    )
