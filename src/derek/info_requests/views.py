"""The information-request pages: the public register, the form that sends a request or an Open Dialogue
question (with the catalog's matching datasets first), a request's page with its whole trail and the forms
of its officials, its requester and its reviewer, the work queues, statistics, and an organization's Open
Dialogue. Every page works without JavaScript; HTMX only fills the suggestions while the subject is typed."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.datastructures import FormData, UploadFile

from derek.catalog import service as catalog
from derek.catalog.schemas import DatasetCreate, DatasetSummary
from derek.config import Profile
from derek.core import accounts
from derek.core.accounts import EMAIL_RE
from derek.core.authz import Actor, can
from derek.core.errors import Conflict, Invalid, NotFound
from derek.core.i18n import pick, translator
from derek.info_requests import service
from derek.info_requests.models import OPEN_STATUSES, Appeal, InfoRequest
from derek.info_requests.policy import Target
from derek.info_requests.rules import RequestRules, rules_for
from derek.info_requests.schemas import (
    Answer,
    AppealCreate,
    AppealRead,
    Assign,
    DecisionCreate,
    EventRead,
    Extend,
    Message,
    OrgStats,
    PublishDataset,
    RequestCreate,
    RequestRead,
)
from derek.info_requests.uploads import store_file
from derek.web.account_views import FormDep, login_redirect
from derek.web.charts import BarChart, bar_chart
from derek.web.deps import ActorDep, LangDep, ProfileDep, SessionDep, StoreDep, get_lang
from derek.web.formatting import local_date, local_number
from derek.web.forms import SLUG_MESSAGE, FieldErrors, checked, from_domain, from_validation, text, texts
from derek.web.pages import HTMX_PATH, env, flash, render
from derek.web.panels import register as register_panel
from derek.web.security import check_csrf
from derek.web.visit import Visit as BaseVisit
from derek.web.visit import pagination, percent

router = APIRouter(include_in_schema=False)

PER_PAGE = 20
DIALOGUE_PER_PAGE = 10
KEYS = "request_keys"  # session: reference -> the private key of a request sent without an account
NEW_KEY = "request_new_key"  # session: the reference whose private link its page shows once
MAX_KEYS = 20  # keys kept in the session cookie, the newest

# ---------------------------------------------------------------- msgids (English) of what the pages say

STATUS_LABELS = {
    "open": "Open",
    "clarification": "Waiting for clarification",
    "answered": "Answered",
    "partial": "Partly answered",
    "refused": "Refused",
    "withdrawn": "Withdrawn by the requester",
}
STATUS_BADGES = {
    "open": "badge-running",
    "clarification": "badge-private",
    "answered": "badge-published",
    "partial": "badge-private",
    "refused": "badge-deleted",
    "withdrawn": "badge-draft",
}
KIND_LABELS = {"request": "Information request", "question": "Open Dialogue question"}
ROLE_LABELS = {
    "requester": "Requester",
    "official": "Official",
    "reviewer": "Reviewer",
    "system": "The portal",
}
EVENT_LABELS = {
    "submitted": "Sent",
    "assigned": "Assigned",
    "clarification_asked": "Clarification asked",
    "clarified": "Clarified",
    "extended": "Deadline extended",
    "answered": "Answered",
    "partly_answered": "Partly answered",
    "refused": "Refused",
    "withdrawn": "Withdrawn by the requester",
    "appealed": "Appealed",
    "appeal_decided": "Appeal decided",
    "order_complied": "Order complied with",
    "published_as_dataset": "Published as a dataset",
}
OUTCOME_LABELS = {
    "answered": "Answer in full",
    "partial": "Answer in part and refuse the rest",
    "refused": "Refuse",
}
DECISION_LABELS = {
    "upheld": "Upheld: the answer stands",
    "overturned": "Overturned: the information must be given",
    "partly": "Partly overturned: part of the information must be given",
}
OUTCOME_SHORT = {
    "upheld": "Upheld",
    "overturned": "Overturned",
    "partly": "Partly overturned",
    "pending": "Pending",
}
REASON_LABELS = {"refused": "A refusal", "partial": "A partial answer", "overdue": "A missed deadline"}
MEMBER_ROLES = {"admin": "Administrator", "editor": "Editor"}
CHECK_LABELS = {
    "clean": "Checked: no personal data found",
    "warnings": "Checked: nothing found that must be withheld",
    "personal": "Withheld: personal data found",
    "not_checked": "Not checked automatically (a format the check cannot read)",
}
CLOCK_NOTES = {
    "pause": "The clock stops until the requester answers.",
    "restart": "The period starts again when the requester answers.",
}
SUBMITTED = {
    "request": "Your request was registered with the number {reference}. The answer is due by {due}.",
    "question": "Your question was registered with the number {reference}. The answer is due by {due}.",
}
REQUEST_FIELD_MESSAGES = {
    "organization": "Choose the organization to ask.",
    "subject": "Give the subject in a few words (3 to 300 characters).",
    "body": "Describe the information you ask for (at least 10 characters).",
    "name": "This text is too long.",
    "email": "Give an e-mail address where the answer can be sent.",
}
# each step of a request's page: what the page says once it is done (the flash)
DONE = {
    "assign": "The request was assigned.",
    "clarification": "The requester was asked to clarify the request.",
    "extend": "The deadline was extended; the requester is told why.",
    "answer": "The answer was sent to the requester and published in the register.",
    "topics": "The topics are saved.",
    "dataset": "The answer's data is now a draft dataset: check it, then publish it.",
    "clarify": "Your clarification was sent: the clock runs again.",
    "withdraw": "The request was withdrawn.",
    "appeal": "Your appeal was registered: the reviewer is told.",
    "decision": "The decision is recorded; the requester and the organization are told.",
}
# ... next to a field it cannot take
STEP_FIELD_MESSAGES = {
    "assign": {"assignee": "Choose an admin or editor of the organization."},
    "clarification": {"text": "Write what the requester should clarify."},
    "extend": {"reason": "Give the reason for the extension (at least 5 characters): the requester is told."},
    "answer": {"outcome": "Choose the outcome.", "text": "Write the answer."},
    "topics": {"topics": "Give at most 20 topics."},
    "dataset": {"name": SLUG_MESSAGE, "title": "Give the dataset a title (at least 3 characters)."},
    "clarify": {"text": "Write your clarification."},
    "appeal": {"text": "Say why you appeal (at least 10 characters)."},
    "decision": {
        "decision": "Choose the decision.",
        "text": "Give the reasons for the decision (at least 10 characters).",
        "order_due_on": "Enter a date like 2024-12-31.",
    },
}
# ... when it is no longer possible (the service's reasons name the reference in English)
CONFLICT_MESSAGES = {
    "assign": "The request is no longer open: it cannot be assigned.",
    "clarification": "A clarification can be asked only while the request is open.",
    "extend": "The deadline cannot be extended: the law allows it once, and only while the request is open.",
    "answer": "The request is no longer open: it cannot be answered.",
    "topics": "The topics cannot be saved now.",
    "dataset": "The answer cannot be published as a dataset: there is no answer yet, or it was published.",
    "clarify": "No clarification is asked for now.",
    "withdraw": "The request is no longer open: it cannot be withdrawn.",
    "appeal": "The request cannot be appealed now: an appeal is waiting, or the time to appeal is over.",
    "decision": "This appeal was already decided.",
}


class Visit(BaseVisit):
    """What every page and step here works with: the visit and its local day."""

    @property
    def today(self) -> date:
        return service.local_today(self.profile, self.clock)

    def page(self, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
        labels = {"status_labels": STATUS_LABELS, "status_badges": STATUS_BADGES, "kind_labels": KIND_LABELS}
        return render(self.request, template, status_code=status_code, **labels, **context)


def get_visit(
    request: Request, session: SessionDep, actor: ActorDep, profile: ProfileDep, lang: LangDep
) -> Visit:
    return Visit(request, session, actor, profile, lang)


VisitDep = Annotated[Visit, Depends(get_visit)]


def _key_for(request: Request, reference: str) -> str | None:
    keys = request.session.get(KEYS)
    value = keys.get(reference) if isinstance(keys, dict) else None
    return str(value) if value else None


def _remember_key(request: Request, reference: str, key: str) -> None:
    """Keep the requester's key in their session, so this browser acts as the requester without the link."""
    keys = request.session.get(KEYS)
    keys = {k: v for k, v in keys.items() if k != reference} if isinstance(keys, dict) else {}
    keys[reference] = key
    request.session[KEYS] = dict(list(keys.items())[-MAX_KEYS:])


def _organizations(v: Visit) -> list[tuple[str, str]]:
    """(name, title) of every organization, by title."""
    titles = [(o.name, v.title(o.title) or o.name) for o in catalog.list_organizations(v.session, v.actor)]
    return sorted(titles, key=lambda row: row[1].casefold())


# ---------------------------------------------------------------- the public register


@router.get("/requests", response_class=HTMLResponse)
def register_page(
    v: VisitDep,
    q: Annotated[str, Query(max_length=200)] = "",
    organization: Annotated[str, Query(max_length=100)] = "",
    status: Annotated[str, Query(max_length=20)] = "",
    kind: Annotated[str, Query(max_length=20)] = "",
    overdue: Annotated[str, Query(max_length=5)] = "",
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
) -> HTMLResponse:
    """Every request and question, newest first, with filters; nobody's name or address is in it."""
    status = status if status in STATUS_LABELS else ""
    kind = kind if kind in KIND_LABELS else ""
    late = overdue not in ("", "0", "false", "off")
    found = service.search_register(
        v.session, v.profile, q=q, organization=organization, status=status, kind=kind, overdue=late,
        page=page, per_page=PER_PAGE, lang=v.lang, now=v.clock,
    )  # fmt: skip
    titles = dict(_organizations(v))
    counts = found.facets.get("organization", {})
    if organization and organization not in counts:
        counts = {**counts, organization: 0}
    return v.page(
        "info_requests/register.html",
        found=found,
        q=q,
        organization=organization,
        status=status,
        kind=kind,
        overdue=late,
        organizations=sorted(
            ((slug, titles.get(slug, slug), n) for slug, n in counts.items()),
            key=lambda row: row[1].casefold(),
        ),
        status_counts=found.facets.get("status", {}),
        filtered=bool(q or organization or status or kind or late),
        **pagination(v.request, page, found.count, PER_PAGE),
    )


# ---------------------------------------------------------------- the form


@dataclass
class RequestForm:
    """The request form as typed, for redisplay."""

    organization: str = ""
    subject: str = ""
    body: str = ""
    kind: str = "request"
    name: str = ""
    email: str = ""
    identifier: str = ""

    @classmethod
    def read(cls, form: FormData) -> RequestForm:
        kind = text(form, "kind")
        return cls(
            organization=text(form, "organization"),
            subject=text(form, "subject"),
            body=text(form, "body"),
            kind=kind if kind in KIND_LABELS else "request",
            name=text(form, "name"),
            email=text(form, "email"),
            identifier=text(form, "identifier"),
        )

    def problems(self, rules: RequestRules, sender: accounts.User | None, lang: str) -> FieldErrors:
        """What the form can tell before the service sees it, in words the page translates."""
        errors: FieldErrors = {}
        if not self.organization:
            errors["organization"] = [REQUEST_FIELD_MESSAGES["organization"]]
        if not 3 <= len(self.subject) <= 300:
            errors["subject"] = [REQUEST_FIELD_MESSAGES["subject"]]
        if len(self.body) < 10:
            errors["body"] = [REQUEST_FIELD_MESSAGES["body"]]
        if sender is None and not self.name and not rules.anonymous_allowed:
            errors["name"] = ["The law asks for the requester's name."]
        email = self.email or (sender.email if sender else "")
        if not email or not EMAIL_RE.match(email):
            errors["email"] = [REQUEST_FIELD_MESSAGES["email"]]
        if rules.identifier is not None and not self.identifier:
            label = pick(rules.identifier, lang)
            errors["identifier"] = [translator(lang)("Give your {label}: the law asks for it.", label=label)]
        return errors

    def create(self, lang: str) -> RequestCreate:
        return RequestCreate(
            organization=self.organization,
            subject=self.subject,
            body=self.body,
            kind=self.kind,  # type: ignore[arg-type]
            name=self.name,
            email=self.email,
            identifier=self.identifier,
            language=lang,
        )


def _service_errors(exc: Invalid, rules: RequestRules, lang: str) -> FieldErrors:
    """The service's errors, with the identity number's (which names the profile's label in English) said in
    the page language."""
    errors = from_domain(exc)
    if "identifier" in errors and rules.identifier is not None:
        label = pick(rules.identifier, lang)
        errors["identifier"] = [
            translator(lang)("This is not a valid {label}: check the digits.", label=label)
        ]
    return errors


def suggestions(
    session: Session, actor: Actor, subject: str, lang: str, limit: int = 5
) -> list[DatasetSummary]:
    """Public datasets that may already hold what the subject asks for: those matching all its words, then
    those matching its longest words one by one."""
    words = [w for w in re.findall(r"\w+", subject.lower()) if len(w) > 3][:8]
    if not words:
        return []
    found: dict[str, DatasetSummary] = {}
    for q in [" ".join(words), *sorted(set(words), key=len, reverse=True)[:4]]:
        query = catalog.SearchQuery(q=q, lang=lang, rows=limit, facet_fields=(), include_private=False)
        for dataset in catalog.search_datasets(session, actor, query).results:
            found.setdefault(dataset.id, dataset)
        if len(found) >= limit:
            break
    return list(found.values())[:limit]


def _form_page(
    v: Visit,
    form: RequestForm,
    *,
    errors: FieldErrors | None = None,
    suggested: list[DatasetSummary] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    rules = rules_for(v.profile)
    return v.page(
        "info_requests/new.html",
        status_code=status_code,
        form=form,
        errors=errors or {},
        organizations=_organizations(v),
        sender=accounts.get_user(v.session, v.actor.user_id) if v.actor.user_id else None,
        identifier_label=v.title(rules.identifier) if rules.identifier else "",
        anonymous_allowed=rules.anonymous_allowed,
        suggested=suggested,
        asked=suggested is not None,
        htmx_path=HTMX_PATH,
    )


@router.get("/requests/new", response_class=HTMLResponse)
def new_request_page(
    v: VisitDep,
    organization: Annotated[str, Query(max_length=100)] = "",
    kind: Annotated[str, Query(max_length=20)] = "request",
) -> HTMLResponse:
    return _form_page(
        v, RequestForm(organization=organization, kind=kind if kind in KIND_LABELS else "request")
    )


@router.get("/requests/suggest", response_class=HTMLResponse)
def suggest_fragment(v: VisitDep, subject: Annotated[str, Query(max_length=300)] = "") -> HTMLResponse:
    """The suggestions region of the form (HTMX fills it while the subject is typed)."""
    found = suggestions(v.session, v.actor, subject, v.lang)
    # not through render(): a fragment must not take the page's pending flash message
    html = env.get_template("info_requests/_suggestions.html").render(
        _=translator(v.lang), t=v.title, suggested=found, asked=bool(subject.strip())
    )
    return HTMLResponse(html)


@router.post("/requests/new", response_class=HTMLResponse)
def submit_request(v: VisitDep, submitted: FormDep) -> Response:
    check_csrf(v.request, text(submitted, "csrf_token"))
    form = RequestForm.read(submitted)
    if text(submitted, "check"):  # "Check the catalog first": show what is published, send nothing
        return _form_page(v, form, suggested=suggestions(v.session, v.actor, form.subject, v.lang))
    rules = rules_for(v.profile)
    sender = accounts.get_user(v.session, v.actor.user_id) if v.actor.user_id else None
    errors = form.problems(rules, sender, v.lang)
    if not errors:
        try:
            req, key = service.submit_request(v.session, v.actor, v.profile, form.create(v.lang), now=v.clock)
        except ValidationError as exc:
            errors = from_validation(exc, REQUEST_FIELD_MESSAGES)
        except Invalid as exc:
            v.session.rollback()
            errors = _service_errors(exc, rules, v.lang)
    if errors:
        return _form_page(v, form, errors=errors, status_code=422)
    reference, due = req.reference, req.due_on
    v.session.commit()
    if key:
        _remember_key(v.request, reference, key)
        v.request.session[NEW_KEY] = reference
    due_text = local_date(due, v.lang, style="long")
    flash(v.request, translator(v.lang)(SUBMITTED[form.kind], reference=reference, due=due_text))
    return RedirectResponse(f"/requests/{reference}", status_code=303)


# ---------------------------------------------------------------- the work queues


@router.get("/requests/queue", response_class=HTMLResponse)
def queue_page(v: VisitDep) -> Response:
    """The open requests of the organizations the user handles, the earliest deadline first, and the appeals
    waiting for their decision."""
    if not v.actor.authenticated:
        return login_redirect(v.request)
    return v.page(
        "info_requests/queue.html",
        work=service.work_queue(v.session, v.actor, v.profile, lang=v.lang, now=v.clock),
        reviews=service.review_queue(v.session, v.actor, v.profile, lang=v.lang, now=v.clock),
        today=v.today,
        handles=bool(catalog.organizations_of(v.actor, v.session, "admin", "editor")),
        reviewer_name=v.title(rules_for(v.profile).reviewer.name),
        reason_labels=REASON_LABELS,
    )


# ---------------------------------------------------------------- statistics


@dataclass
class StatsRow:
    """One organization's line of the statistics (or the totals), written for the page."""

    stats: OrgStats
    title: str
    on_time: str
    median: str
    grounds: list[tuple[str, int]]
    outcomes: list[tuple[str, int]]


def _ground_label(rules: RequestRules, code: str, title: Callable[[dict[str, str]], str]) -> str:
    ground = rules.ground(code)
    return f"{title(ground.title)} ({title(ground.article)})" if ground else code


def _stats_row(v: Visit, s: OrgStats, rules: RequestRules) -> StatsRow:
    _ = translator(v.lang)
    return StatsRow(
        stats=s,
        title=s.organization_title or s.organization,
        on_time=percent(s.on_time_share, v.lang),
        median=local_number(s.median_days, v.lang) if s.median_days is not None else "—",
        grounds=[(_ground_label(rules, code, v.title), n) for code, n in s.refusals_by_ground.items()],
        outcomes=[(_(OUTCOME_SHORT.get(k, k)), n) for k, n in s.appeal_outcomes.items()],
    )


def _stats_charts(rows: list[StatsRow], total: StatsRow, lang: str) -> list[BarChart]:
    _ = translator(lang)
    decided = [r for r in rows if r.stats.on_time_share is not None]
    return [
        bar_chart(
            "on-time",
            _("Decided on time (%), by organization"),
            _("Organization"),
            _("Decided on time (%)"),
            [(r.title, round((r.stats.on_time_share or 0) * 100, 1)) for r in decided],
            scale=100,
            note=_(
                "The share of decided requests answered or refused by their due date (extensions included)."
            ),
        ),
        bar_chart(
            "grounds",
            _("Refusals by legal ground"),
            _("Legal ground"),
            _("Refusals and partial answers"),
            [(label, float(n)) for label, n in total.grounds],
            note=_("How often each ground of the law was cited to refuse a request fully or in part."),
        ),
        bar_chart(
            "appeals",
            _("Appeals by outcome"),
            _("Outcome"),
            _("Appeals"),
            [(label, float(n)) for label, n in total.outcomes],
        ),
    ]


@router.get("/requests/stats", response_class=HTMLResponse)
def stats_page(
    v: VisitDep,
    organization: Annotated[str, Query(max_length=100)] = "",
    year: Annotated[str, Query(max_length=4)] = "",
    kind: Annotated[str, Query(max_length=20)] = "request",
) -> HTMLResponse:
    """Requests received, their outcomes, the share decided on time, the median days to decide, refusals by
    legal ground and appeals, per organization."""
    rules = rules_for(v.profile)
    kind = kind if kind in KIND_LABELS else "request"
    chosen_year = int(year) if year.isdigit() and 1990 <= int(year) <= 2200 else None
    figures = service.get_stats(
        v.session, v.profile, organization=organization, kind=kind, year=chosen_year, lang=v.lang, now=v.clock
    )
    rows = [_stats_row(v, s, rules) for s in figures.organizations]
    total = _stats_row(v, figures.total, rules)
    query = {"kind": kind, "organization": organization, "year": chosen_year or ""}
    return v.page(
        "info_requests/stats.html",
        total=total,
        rows=rows,
        charts=_stats_charts(rows, total, v.lang) if figures.total.received else [],
        organization=organization,
        organizations=_organizations(v),
        year=chosen_year,
        years=list(range(v.today.year, v.today.year - 6, -1)),
        kind=kind,
        api_href="/api/v1/requests/stats?" + urlencode({k: value for k, value in query.items() if value}),
    )


# ---------------------------------------------------------------- Open Dialogue


@router.get("/organization/{name}/dialogue", response_class=HTMLResponse)
def dialogue_page(v: VisitDep, name: str, page: Annotated[int, Query(ge=1, le=10_000)] = 1) -> HTMLResponse:
    """The organization's public questions and their answers, newest first."""
    org = catalog.get_organization(v.session, v.actor, name)
    found = service.search_register(
        v.session, v.profile, organization=org.name, kind="question", page=page, per_page=DIALOGUE_PER_PAGE,
        lang=v.lang, now=v.clock,
    )  # fmt: skip
    questions = [
        service.get_request(v.session, v.actor, v.profile, s.reference, lang=v.lang, now=v.clock)
        for s in found.results
    ]
    return v.page(
        "info_requests/dialogue.html",
        org=org,
        org_title=v.title(org.title) or org.name,
        questions=questions,
        count=found.count,
        **pagination(v.request, page, found.count, DIALOGUE_PER_PAGE),
    )


# ---------------------------------------------------------------- a request's page


@dataclass
class TrailLine:
    """One step of the trail as the page shows it: who by role, never the requester's name."""

    event: EventRead
    role: str
    what: str
    details: list[str] = field(default_factory=list)
    link: tuple[str, str] | None = None  # (href, text)


def _day(value: object, lang: str) -> str:
    try:
        return local_date(date.fromisoformat(str(value)), lang, style="long")
    except ValueError:
        return str(value)


def _details(v: Visit, rules: RequestRules, e: EventRead, official: bool) -> list[str]:
    """What an event's data says, in words: dates, grounds, decisions."""
    _, lang, data = translator(v.lang), v.lang, e.data
    if e.kind in ("submitted", "clarified") and data.get("due_on"):
        return [_("Due by {date}.", date=_day(data["due_on"], lang))]
    if e.kind == "assigned":
        if official and data.get("assignee"):
            return [_("Assigned to {name}.", name=str(data["assignee"]))]
        return [_("Assigned to an official.")]
    if e.kind == "clarification_asked" and str(data.get("clock")) in CLOCK_NOTES:
        return [_(CLOCK_NOTES[str(data["clock"])])]
    if e.kind == "extended":
        before, after = _day(data.get("from", ""), lang), _day(data.get("due_on", ""), lang)
        return [_("The due date moved from {before} to {after}.", before=before, after=after)]
    grounds = data.get("grounds")
    if e.kind in ("answered", "partly_answered", "refused") and isinstance(grounds, list) and grounds:
        cited = "; ".join(_ground_label(rules, str(g), v.title) for g in grounds)
        return [_("Legal grounds: {grounds}.", grounds=cited)]
    if e.kind == "appealed":
        reason = _(REASON_LABELS.get(str(data.get("reason")), "")).lower()
        due = _day(data.get("due_on", ""), lang)
        return [_("Appeal against: {reason}. The reviewer decides by {date}.", reason=reason, date=due)]
    if e.kind == "appeal_decided":
        lines = [_(DECISION_LABELS.get(str(data.get("decision")), ""))]
        if data.get("order_due_on"):
            lines.append(
                _("The organization must disclose by {date}.", date=_day(data["order_due_on"], lang))
            )
        return lines
    if e.kind == "order_complied":
        on_time = bool(data.get("on_time"))
        return [
            _("The reviewer's order was complied with on time.")
            if on_time
            else _("The reviewer's order was complied with late.")
        ]
    return []


def trail(v: Visit, read: RequestRead, rules: RequestRules, official: bool) -> list[TrailLine]:
    _ = translator(v.lang)
    lines = []
    for e in read.events:
        line = TrailLine(e, _(ROLE_LABELS.get(e.role, e.role)), _(EVENT_LABELS.get(e.kind, e.kind)))
        line.details = _details(v, rules, e, official)
        if e.kind == "published_as_dataset" and e.data.get("dataset"):
            line.link = (f"/dataset/{e.data['dataset']}", _("The dataset made from the answer"))
        lines.append(line)
    return lines


@dataclass
class Actions:
    """Which forms the request's page shows to this visitor."""

    official: bool = False
    requester: bool = False
    officials: list[tuple[str, str, str]] = field(default_factory=list)
    extension_left: bool = False
    may_publish: bool = False
    appeal_reason: str | None = None
    appeal_until: date | None = None
    reviewing: AppealRead | None = None
    order_due: date | None = None


def _actions(v: Visit, rules: RequestRules, req: InfoRequest, read: RequestRead, key: str | None) -> Actions:
    acts = Actions()
    is_open = req.status in OPEN_STATUSES
    acts.official = can(v.actor, "info_request.handle", req.organization_id)
    if acts.official:
        acts.officials = service.officials_of(v.session, v.actor, v.profile, req.reference) if is_open else []
        acts.extension_left = (
            is_open and rules.extension is not None and req.extensions < rules.max_extensions
        )
        acts.may_publish = req.status in ("answered", "partial") and req.dataset_id is None
    target = Target(req.organization_id, None, req.requester_id)
    acts.requester = service.holds_key(req, key) or can(v.actor, "info_request.act_as_requester", target)
    pending = next((a for a in read.appeals if a.decision is None), None)
    today = v.today
    if acts.requester and pending is None and (reason := service.appeal_reason(req, today)) is not None:
        start = req.closed_on if reason != "overdue" and req.closed_on else req.due_on
        if today <= (last_day := rules.appeal_deadline(start)):
            acts.appeal_reason, acts.appeal_until = reason, last_day
    if pending is not None and v.actor.authenticated:
        waiting = service.review_queue(v.session, v.actor, v.profile, lang=v.lang, now=v.clock)
        if any(a.id == pending.id for _s, a in waiting):
            acts.reviewing, acts.order_due = pending, rules.order_due(today)
    return acts


def _request_page(
    v: Visit,
    reference: str,
    *,
    errors: dict[str, FieldErrors] | None = None,
    values: dict[str, dict[str, Any]] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    rules = rules_for(v.profile)
    key = _key_for(v.request, reference)
    read = service.get_request(v.session, v.actor, v.profile, reference, key=key, lang=v.lang, now=v.clock)
    acts = _actions(v, rules, service.find_request(v.session, reference), read, key)
    _ = translator(v.lang)
    # ids of fields are f-<form>-<field>: several forms on the page have a field named "text"
    shown_errors = {
        form: {(k if k == "form" else f"{form}-{k}"): messages for k, messages in errs.items()}
        for form, errs in (errors or {}).items()
    }
    private_link = ""
    if v.request.session.get(NEW_KEY) == read.reference and key:
        v.request.session.pop(NEW_KEY, None)
        private_link = f"{str(v.request.base_url).rstrip('/')}/requests/{read.reference}?key={key}"
    return v.page(
        "info_requests/request.html",
        status_code=status_code,
        r=read,
        acts=acts,
        trail=trail(v, read, rules, acts.official),
        grounds=[
            (v.title(g.title), v.title(g.article)) for code in read.grounds if (g := rules.ground(code))
        ],
        ground_options=[(g.code, f"{v.title(g.title)} ({v.title(g.article)})") for g in rules.grounds],
        outcome_options=[(code, _(label)) for code, label in OUTCOME_LABELS.items()],
        decision_options=[(code, _(label)) for code, label in DECISION_LABELS.items()],
        official_options=[
            (name, f"{fullname} ({_(MEMBER_ROLES.get(role, role))})")
            for name, fullname, role in acts.officials
        ],
        reviewer_name=v.title(rules.reviewer.name),
        private_link=private_link,
        errors=shown_errors,
        values=values or {},
        decision_labels=DECISION_LABELS,
        reason_labels=REASON_LABELS,
        check_labels=CHECK_LABELS,
    )


@router.get("/requests/{reference}", response_class=HTMLResponse)
def request_page(
    v: VisitDep, reference: str, key: Annotated[str | None, Query(max_length=100)] = None
) -> Response:
    """A request with its trail; `?key=` (the private link of a request sent without an account) is kept in
    the session and the page loads again without it, so the key does not stay in the address bar."""
    if key is not None:
        req = service.find_request(v.session, reference)
        if not service.holds_key(req, key):
            return v.page("info_requests/bad_key.html", status_code=403, reference=req.reference)
        _remember_key(v.request, req.reference, key)
        return RedirectResponse(f"/requests/{req.reference}", status_code=303)
    return _request_page(v, reference)


def _act(v: Visit, reference: str, form: str, values: dict[str, Any], step: Callable[[], object]) -> Response:
    """Run one step of the workflow: 303 back to the request with a message, or its page again with the
    errors next to the form's fields (422), or why the step is no longer possible (409)."""
    try:
        step()
    except ValidationError as exc:
        errors = from_validation(exc, STEP_FIELD_MESSAGES.get(form))
        return _request_page(v, reference, errors={form: errors}, values={form: values}, status_code=422)
    except (Invalid, Conflict) as exc:
        v.session.rollback()
        errors = from_domain(exc)
        if isinstance(exc, Conflict) and not exc.errors:
            errors = {"form": [CONFLICT_MESSAGES[form]]}
        status = 409 if isinstance(exc, Conflict) else 422
        return _request_page(v, reference, errors={form: errors}, values={form: values}, status_code=status)
    v.session.commit()
    flash(v.request, DONE[form])
    return RedirectResponse(f"/requests/{reference}", status_code=303)


def _submitted(v: Visit, submitted: FormData, *fields: str) -> dict[str, Any]:
    """The form's fields as typed, once its CSRF token is checked."""
    check_csrf(v.request, text(submitted, "csrf_token"))
    return {name: text(submitted, name) for name in fields}


@router.post("/requests/{reference}/assign", response_class=HTMLResponse)
def assign(v: VisitDep, reference: str, submitted: FormDep) -> Response:
    values = _submitted(v, submitted, "assignee")

    def step() -> None:
        data = Assign(**values)
        service.assign_request(v.session, v.actor, v.profile, reference, data.assignee, now=v.clock)

    return _act(v, reference, "assign", values, step)


@router.post("/requests/{reference}/clarification", response_class=HTMLResponse)
def ask_clarification(v: VisitDep, reference: str, submitted: FormDep) -> Response:
    values = _submitted(v, submitted, "text")

    def step() -> None:
        data = Message(**values)
        service.ask_clarification(v.session, v.actor, v.profile, reference, data.text, now=v.clock)

    return _act(v, reference, "clarification", values, step)


@router.post("/requests/{reference}/extend", response_class=HTMLResponse)
def extend(v: VisitDep, reference: str, submitted: FormDep) -> Response:
    values = _submitted(v, submitted, "reason")

    def step() -> None:
        data = Extend(**values)
        service.extend_request(v.session, v.actor, v.profile, reference, data.reason, now=v.clock)

    return _act(v, reference, "extend", values, step)


@router.post("/requests/{reference}/answer", response_class=HTMLResponse)
async def answer(v: VisitDep, reference: str, store: StoreDep, submitted: FormDep) -> Response:
    """The answer, an answer in part or a refusal, with files (multipart). Who may not answer is refused
    before any file is stored."""
    values = _submitted(v, submitted, "outcome", "text") | {"grounds": texts(submitted, "grounds")}
    try:
        data = Answer(**values)
    except ValidationError as exc:
        errors = {"answer": from_validation(exc, STEP_FIELD_MESSAGES["answer"])}
        return _request_page(v, reference, errors=errors, values={"answer": values}, status_code=422)
    target = service.check_may_handle(v.session, v.actor, v.profile, reference)  # before storing any file
    uploads = [f for f in submitted.getlist("files") if isinstance(f, UploadFile) and f.filename]
    stored = [await store_file(store, f) for f in uploads]
    try:
        response = _act(
            v,
            reference,
            "answer",
            values,
            lambda: service.answer_request(v.session, v.actor, v.profile, target, data, stored, now=v.clock),
        )
    except Exception:
        v.session.rollback()
        service.discard_files(v.session, store, stored)  # a refused answer keeps none of its files
        raise
    if response.status_code != 303:
        v.session.rollback()
        service.discard_files(v.session, store, stored)
    return response


@router.post("/requests/{reference}/topics", response_class=HTMLResponse)
def topics(v: VisitDep, reference: str, submitted: FormDep) -> Response:
    values = _submitted(v, submitted, "topics")
    chosen = [t for t in values["topics"].split(",") if t.strip()]
    if len(chosen) > 20:
        errors = {"topics": {"topics": [STEP_FIELD_MESSAGES["topics"]["topics"]]}}
        return _request_page(v, reference, errors=errors, values={"topics": values}, status_code=422)
    return _act(
        v,
        reference,
        "topics",
        values,
        lambda: service.set_topics(v.session, v.actor, v.profile, reference, chosen),
    )


@router.post("/requests/{reference}/dataset", response_class=HTMLResponse)
def publish_dataset(v: VisitDep, reference: str, store: StoreDep, submitted: FormDep) -> Response:
    values = _submitted(v, submitted, "name", "title")

    def step() -> None:
        data = PublishDataset(**values)
        # the catalog's own check of the name first, so a bad one is said next to the field
        DatasetCreate(name=data.name, organization="-", title={"en": data.title})
        service.publish_dataset(v.session, v.actor, v.profile, store, reference, data.name, data.title)

    return _act(v, reference, "dataset", values, step)


@router.post("/requests/{reference}/clarify", response_class=HTMLResponse)
def clarify(v: VisitDep, reference: str, submitted: FormDep) -> Response:
    values = _submitted(v, submitted, "text")
    key = _key_for(v.request, reference)

    def step() -> None:
        data = Message(**values)
        service.clarify_request(v.session, v.actor, v.profile, reference, data.text, key, now=v.clock)

    return _act(v, reference, "clarify", values, step)


@router.post("/requests/{reference}/withdraw", response_class=HTMLResponse)
def withdraw(v: VisitDep, reference: str, submitted: FormDep) -> Response:
    _submitted(v, submitted)
    open_now = service.find_request(v.session, reference).status in OPEN_STATUSES
    if open_now and not checked(submitted, "withdraw-confirm"):  # one click must not end a request by mistake
        errors = {"confirm": ["Tick the box to confirm that you withdraw the request."]}
        return _request_page(v, reference, errors={"withdraw": errors}, status_code=422)
    key = _key_for(v.request, reference)
    return _act(
        v,
        reference,
        "withdraw",
        {},
        lambda: service.withdraw_request(v.session, v.actor, v.profile, reference, key, now=v.clock),
    )


@router.post("/requests/{reference}/appeal", response_class=HTMLResponse)
def appeal(v: VisitDep, reference: str, submitted: FormDep) -> Response:
    values = _submitted(v, submitted, "text")
    key = _key_for(v.request, reference)

    def step() -> None:
        data = AppealCreate(**values)
        service.create_appeal(v.session, v.actor, v.profile, reference, data.text, key, now=v.clock)

    return _act(v, reference, "appeal", values, step)


@router.post("/appeals/{appeal_id}/decision", response_class=HTMLResponse)
def decide(v: VisitDep, appeal_id: str, submitted: FormDep) -> Response:
    values = _submitted(v, submitted, "decision", "text", "order_due_on")
    reference = v.session.scalar(
        select(InfoRequest.reference)
        .join(Appeal, Appeal.request_id == InfoRequest.id)
        .where(Appeal.id == appeal_id)
    )
    if reference is None:
        raise NotFound(f"There is no appeal {appeal_id!r}.")

    def step() -> None:
        ordered = values["decision"] in ("overturned", "partly")  # an upheld refusal orders nothing
        data = DecisionCreate(
            decision=values["decision"],
            text=values["text"],
            order_due_on=values["order_due_on"] if ordered and values["order_due_on"] else None,
        )
        service.decide_appeal(v.session, v.actor, v.profile, appeal_id, data, now=v.clock)

    return _act(v, reference, "decision", values, step)


# ---------------------------------------------------------------- on an organization's page


@register_panel("organization")
def organization_links(
    request: Request, *, session: Session, profile: Profile, organization: Any, **_: Any
) -> Markup:
    """Links from an organization's page to the requests it received and its Open Dialogue page."""
    gettext = translator(get_lang(request))
    requests_count = service.search_register(
        session, profile, organization=organization.name, kind="request", per_page=1
    ).count
    questions = service.search_register(
        session, profile, organization=organization.name, kind="question", per_page=1
    ).count
    items = [
        (
            f"/requests?{urlencode({'organization': organization.name})}",
            gettext("Information requests to this organization"),
            requests_count,
        ),
        (f"/organization/{organization.name}/dialogue", gettext("Open Dialogue"), questions),
    ]
    return Markup("").join(
        Markup('<li><a href="{}">{}</a> ({})</li>').format(href, label, count) for href, label, count in items
    )
