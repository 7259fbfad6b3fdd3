"""The pages of choosing what to open: the overview of the process, organizations' data inventories,
proposals with their supports, demand evidence, assessments and consultation records, the Commission's
sessions (agenda, votes, conflicts of interest, decisions, minutes in HTML and PDF), the unified list with
its versions and their differences, compliance per organization, and the demand no dataset meets yet. Every
page works without JavaScript; HTMX only swaps the support box of a proposal in place."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property
from typing import Annotated, Any, get_args
from urllib.parse import quote, urlencode

from babel.dates import format_date
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from markupsafe import Markup
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from starlette.datastructures import FormData, UploadFile

from derek.catalog import service as catalog
from derek.catalog.schemas import Frequency
from derek.config import Profile
from derek.core import demand as demand_sources
from derek.core import storage
from derek.core.authz import ANONYMOUS, can
from derek.core.errors import Conflict, Forbidden, Invalid, NotFound, TooLarge
from derek.core.i18n import translator
from derek.selection import commission_service, list_service, minutes, service
from derek.selection.models import (
    ACCESS,
    CRITERIA,
    PROPOSAL_STATUSES,
    RECOMMENDATIONS,
    CommissionSession,
    DataHolding,
    ListVersion,
    Proposal,
)
from derek.selection.policy import Target
from derek.web.account_views import FormDep
from derek.web.charts import BarChart, bar_chart
from derek.web.deps import ActorDep, LangDep, ProfileDep, SessionDep, StoreDep, get_lang, get_settings
from derek.web.formatting import local_date, local_number
from derek.web.forms import FieldErrors, checked, from_domain, text
from derek.web.pages import HTMX_PATH, env, flash, render
from derek.web.panels import register as register_panel
from derek.web.security import check_csrf, csrf_token
from derek.web.visit import OrgRef, percent
from derek.web.visit import Visit as BaseVisit

router = APIRouter(include_in_schema=False)

FREQUENCIES: tuple[str, ...] = get_args(Frequency)
ACT_NUMBER_PREFIX = re.compile(r"^(No\.?\s*|№\s*|N\s+)")  # the page writes "No." itself

# ---------------------------------------------------------------- msgids (English) of what the pages say

ACCESS_LABELS = {"open": "Open to all", "restricted": "Restricted by law", "secret": "Secret"}
ACCESS_BADGES = {"open": "badge-published", "restricted": "badge-private", "secret": "badge-deleted"}
STATUS_LABELS = {
    "proposed": "Proposed",
    "on_agenda": "On the Commission's agenda",
    "recommended": "Recommended by the Commission",
    "rejected": "Rejected by the Commission",
    "deferred": "Deferred by the Commission",
    "listed": "On the unified list",
}
STATUS_BADGES = {
    "proposed": "badge-draft",
    "on_agenda": "badge-running",
    "recommended": "badge-published",
    "rejected": "badge-deleted",
    "deferred": "badge-private",
    "listed": "badge-admin",
}
CRITERIA_LABELS = {
    "restriction": "Not restricted by law",
    "demand": "Demand",
    "readiness": "Readiness to publish",
    "not_machine_readable": "Published, but not machine-readable",
}
CRITERIA_HINTS = {
    "restriction": "0: the law restricts access, so it cannot be opened; 3: nothing in the law stops it.",
    "demand": "From the demand index: 1 from {low} points, 2 from {middle}, 3 from {high}.",
    "readiness": "1: kept by hand; 2: machine-readable; 3: exported by the system itself, machine-readable.",
    "not_machine_readable": "3: published already, but only in a form machines cannot read (scans, PDF).",
}
RECOMMENDATION_LABELS = {"include": "Include in the list", "defer": "Defer", "exclude": "Do not include"}
RECOMMENDATION_BADGES = {"include": "badge-published", "defer": "badge-private", "exclude": "badge-deleted"}
VOTE_LABELS = {"recommend": "Recommend", "reject": "Reject", "defer": "Defer"}
DECISION_LABELS = {"recommend": "Recommended for the list", "reject": "Rejected", "defer": "Deferred"}
DECISION_BADGES = {"recommend": "badge-published", "reject": "badge-deleted", "defer": "badge-private"}
SESSION_STATUS_LABELS = {"planned": "Planned", "closed": "Closed"}
LIST_STATUS_LABELS = {"draft": "Draft", "approved": "Approved"}
COMPLIANCE_LABELS = {
    "on_time": "Published on time",
    "late": "Late",
    "not_published": "Not published yet",
    "stale": "Stale",
}
COMPLIANCE_BADGES = {
    "on_time": "badge-published",
    "late": "badge-deleted",
    "not_published": "badge-draft",
    "stale": "badge-private",
}
EVIDENCE_LABELS = {
    "support": "Supports on the portal",
    "request": "Information requests",
    "search": "Searches that found little",
    "consultation": "Consultation submissions",
}
DIFF_FIELD_LABELS = {
    "title": "Title",
    "organization_id": "Responsible organization",
    "due_on": "Due date",
    "update_frequency": "Update frequency",
}
HISTORY_LABELS = {
    "proposed": "Proposed",
    "assessed": "Assessed",
    "consultation": "Consultation submission received",
    "agenda": "Put on the agenda of session No. {number}",
    "decided": "Decided at session No. {number}",
    "listed": "Included in version {number} of the unified list",
}
# what a page says once a form has done its work (the flash)
DONE = {
    "holding": "The data holding is saved.",
    "holding_delete": "The data holding was deleted.",
    "proposal": "Your proposal {number} is registered: anyone signed in can support it now.",
    "support": "Your support is counted.",
    "support_again": "You support this proposal already: each person counts once.",
    "unsupport": "Your support was withdrawn.",
    "edit": "The proposal is saved.",
    "assess": "The assessment is recorded.",
    "consultation": "The consultation record is saved.",
    "session": "The session is planned: add proposals to its agenda.",
    "agenda": "The proposal is on the agenda.",
    "agenda_remove": "The proposal was taken off the agenda.",
    "vote": "Your vote is recorded.",
    "conflict": "Your conflict of interest is recorded: you do not vote on this item.",
    "decision": "The decision is recorded.",
    "close": "The session is closed: its record and minutes are final.",
    "draft": "A new draft of the list is started from the list in force.",
    "item": "The item is saved.",
    "item_remove": "The item was removed from the draft.",
    "approve": "The list is approved: it is the list in force now.",
    "draft_delete": "The draft was deleted.",
    "fulfil": "The dataset is linked to the item.",
    "unfulfil": "The item has no dataset now.",
}
# ... next to a field the service refused, per form (its own words name fields in English)
FIELD_MESSAGES: dict[str, dict[str, str]] = {
    "holding": {
        "organization": "Choose an organization whose inventory you keep.",
        "title": "Give the title (at most 300 characters).",
        "description": "This text is too long.",
        "information_system": "This text is too long.",
        "access": "Choose the access regime.",
        "access_basis": "Name the law that restricts access.",
        "formats": "This text is too long.",
        "dataset": "There is no dataset with this URL name.",
    },
    "proposal": {
        "title": "Say what data, in 5 to 300 characters.",
        "organization": "Choose the organization that holds the data.",
        "description": "This text is too long.",
        "reason": "This text is too long.",
        "keywords": "Give at most 10 keywords, separated by commas.",
        "holding": "The data holding belongs to another organization.",
    },
    "assess": {
        **{name: "Give a score from 0 to 3." for name in CRITERIA},
        "recommendation": "Choose the recommendation.",
        "reason": "Give the reason for this assessment.",
    },
    "consultation": {
        "submitted_by": "Say who made the submission.",
        "summary": "Summarize the submission.",
        "received_on": "Enter a date like 2024-12-31, not in the future.",
        "document": "The file is empty or too large.",
    },
    "session": {"title": "Give the session a title.", "held_on": "Enter a date like 2024-12-31."},
    "agenda": {"proposal": "Choose a proposal."},
    "vote": {"vote": "Choose how you vote.", "comment": "This text is too long."},
    "conflict": {"statement": "Describe the conflict of interest."},
    "decision": {"decision": "Choose the decision.", "rationale": "Give the rationale of the decision."},
    "draft": {"note": "This text is too long."},
    "item": {
        "proposal": "Choose a proposal from the list.",
        "title": "Give the title, or choose the proposal the item comes from.",
        "organization": "Choose the responsible organization.",
        "due_on": "Enter the due date like 2024-12-31.",
        "update_frequency": "Choose how often the data is updated.",
    },
    "approve": {
        "act_number": "Give the number of the approving act.",
        "act_date": "Give the date of the approving act (not in the future), like 2024-12-31.",
        "act_title": "This text is too long.",
        "items": "The draft has no items: add at least one first.",
    },
    "fulfil": {"dataset": "Name a dataset of the responsible organization (its URL name)."},
}
FORM_WIDE = {"items", "criteria"}  # service error keys that are no field of the form: said above it
# ... when a step is no longer possible (the service's reasons name numbers in English)
CONFLICT_MESSAGES = {
    "agenda": "This proposal cannot go on the agenda: only a new or deferred proposal that is on no other "
    "open agenda can.",
    "agenda_remove": "An item stays on the agenda once it has a decision or a quorum of votes: record a "
    "decision (defer) instead.",
    "vote": "Your vote cannot be recorded now: the decision is recorded or the session is closed.",
    "conflict": "The conflict cannot be recorded now: the decision is recorded or the session is closed.",
    "decision": "The decision cannot be recorded now: the session is closed, or the proposal has moved on "
    "since.",
    "close": "The session cannot be closed now.",
    "session": "Another session was planned at the same moment: try again.",
    "draft": "A draft of the list is open already: change it, approve it or delete it.",
    "item": "This item cannot be saved: the version is approved, or the proposal is on the list already.",
    "item_remove": "This version is approved: its items do not change.",
    "approve": "This version is approved already.",
    "draft_delete": "This version is approved: it cannot be deleted.",
    "proposal": "Too many proposals are being made at once: send it again in a moment.",
}
# the service's own words that are worth showing as they are (translated in selection.po)
SERVICE_MESSAGES = {
    "You declared a conflict of interest on this item: you do not vote on it.",
    "The decision on this item is recorded: votes no longer change.",
    "The decision on this item is recorded.",
    "The dataset belongs to another organization than the one responsible for the item.",
    "Name the law that restricts access.",
    "The data holding belongs to another organization.",
}


# ---------------------------------------------------------------- what every page works with


class Visit(BaseVisit):
    """A page of dataset selection: the visit with its local day, the profile's rules and who the
    Commission and the list owner are."""

    @cached_property
    def today(self) -> date:
        return service.local_today(self.profile, self.clock)

    @cached_property
    def rules(self) -> service.SelectionRules:
        return service.rules_for(self.profile)

    @cached_property
    def target(self) -> Target:
        """The Commission and the list owner, for the rules that ask about them."""
        return service.target(self.session, self.profile)

    def org(self, organization_id: str) -> OrgRef:
        """An organization by id (one no longer active still named; an unknown one without a name)."""
        return self.find_org(organization_id) or OrgRef(organization_id, "", "")

    def org_options(self, only: Iterable[str] | None = None) -> list[tuple[str, str]]:
        """(name, title) for a select: every organization, or those whose ids are in `only`."""
        wanted = set(only) if only is not None else None
        return [(o.name, o.title) for o in self.organizations.values() if wanted is None or o.id in wanted]

    def page(self, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
        labels = {
            "status_labels": STATUS_LABELS,
            "status_badges": STATUS_BADGES,
            "access_labels": ACCESS_LABELS,
            "access_badges": ACCESS_BADGES,
            "recommendation_labels": RECOMMENDATION_LABELS,
            "recommendation_badges": RECOMMENDATION_BADGES,
            "compliance_labels": COMPLIANCE_LABELS,
            "compliance_badges": COMPLIANCE_BADGES,
            "vote_labels": VOTE_LABELS,
            "decision_labels": DECISION_LABELS,
            "decision_badges": DECISION_BADGES,
            "session_status_labels": SESSION_STATUS_LABELS,
            "list_status_labels": LIST_STATUS_LABELS,
            "frequency_label": catalog.frequency_label,
            "today": self.today,
        }
        return render(self.request, template, status_code=status_code, **labels, **context)


def get_visit(
    request: Request, session: SessionDep, actor: ActorDep, profile: ProfileDep, lang: LangDep
) -> Visit:
    return Visit(request, session, actor, profile, lang)


VisitDep = Annotated[Visit, Depends(get_visit)]


def to_login(page: str) -> RedirectResponse:
    """Send a visitor who is not signed in to the login page, and back to `page` afterwards."""
    return RedirectResponse(f"/login?next={quote(page, safe='/')}", status_code=303)


def _submitted(v: Visit, form: FormData, *names: str) -> dict[str, str]:
    """The form's fields as typed, once its CSRF token is checked."""
    check_csrf(v.request, text(form, "csrf_token"))
    return {name: text(form, name) for name in names}


def _day(values: dict[str, str], name: str, errors: FieldErrors) -> date | None:
    """A date field: None when empty; a message next to it when it is not a date."""
    raw = values.get(name, "")
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        errors[name] = ["Enter a date like 2024-12-31."]
        return None


def _errors(form: str, exc: Invalid | Conflict | TooLarge) -> FieldErrors:
    """The service's errors in the page's words: a field's own message from FIELD_MESSAGES, a conflict's from
    CONFLICT_MESSAGES unless the service's reason is one the portal translates."""
    messages = FIELD_MESSAGES.get(form, {})
    found: FieldErrors = {}
    for key, said in from_domain(exc).items():
        if key == "form":
            own_words = isinstance(exc, Conflict) and not exc.errors and said[0] not in SERVICE_MESSAGES
            if own_words and form in CONFLICT_MESSAGES:
                said = [CONFLICT_MESSAGES[form]]
            found.setdefault("form", []).extend(said)
        elif key in FORM_WIDE:
            found.setdefault("form", []).append(messages.get(key, said[0]))
        elif said[0] in SERVICE_MESSAGES:
            found[key] = said
        else:
            found[key] = [messages.get(key, said[0])]
    return found


def _shown(
    errors: dict[str, FieldErrors] | None, values: dict[str, dict[str, str]] | None = None
) -> dict[str, FieldErrors]:
    """Errors keyed as the templates look for them: f-<form>-<field>, or f-<form>-<item>-<field> for a form
    repeated per item (several forms share field names)."""
    shown = {}
    for form, errs in (errors or {}).items():
        item = (values or {}).get(form, {}).get("item")
        prefix = f"{form}-{item}" if item else form
        shown[form] = {(k if k == "form" else f"{prefix}-{k}"): m for k, m in errs.items()}
    return shown


Rerender = Callable[[dict[str, FieldErrors], int], Response]


def _act(
    v: Visit, form: str, step: Callable[[], object], done_url: str, again: Rerender, *, done: str = ""
) -> Response:
    """Run one change: 303 to done_url with a message, or the page again with the errors next to the fields
    (422), or why the change is no longer possible (409)."""
    try:
        step()
    except (Invalid, Conflict, TooLarge) as exc:
        v.session.rollback()
        return again({form: _errors(form, exc)}, 409 if isinstance(exc, Conflict) else 422)
    v.session.commit()
    flash(v.request, done or DONE[form])
    return RedirectResponse(done_url, status_code=303)


# ---------------------------------------------------------------- the overview

# the stages of the process: (title, page, what happens there)
STAGES = {
    "inventory": (
        "Inventory of data holdings",
        "/selection/inventory",
        "Each organization lists the data it holds, where it keeps it and whether the law restricts it.",
    ),
    "proposals": (
        "Proposals",
        "/selection/proposals",
        "Anyone signed in proposes a dataset to open and supports the proposals of others.",
    ),
    "assessment": (
        "Demand and assessment",
        "/selection/proposals",
        "The portal gathers the demand for each proposal (supports, information requests, searches, "
        "consultations); the responsible organization scores it on four criteria.",
    ),
    "commission": (
        "The Commission",
        "/selection/commission",
        "The Commission's members vote on each proposal; the secretariat records the decision.",
    ),
    "list": (
        "The unified list of open data",
        "/selection/list",
        "The recommended datasets with their responsible organizations and due dates, approved by an act.",
    ),
    "compliance": (
        "Compliance",
        "/selection/compliance",
        "Whether each organization publishes its items of the list by their due dates and keeps them fresh.",
    ),
    "unmet": (
        "Unmet demand",
        "/selection/unmet",
        "What people ask for in information requests and searches that no dataset answers yet.",
    ),
}


@dataclass
class Stage:
    key: str
    title: str
    href: str
    text: str
    figures: list[tuple[str, str]] = field(default_factory=list)  # (label, value)


def _grouped(session: Session, column: Any) -> dict[str, int]:
    rows = session.execute(select(column, func.count()).group_by(column)).tuples()
    return {str(key): int(n) for key, n in rows}


def _act_line(v: Visit, version: ListVersion) -> str:
    """ "Decree of the Government No. 12 of 1 March 2026"; the profile's kind of act in the page language."""
    act_title = version.act_title
    if not act_title or act_title in v.rules.act.values():
        act_title = v.title(v.rules.act)
    if version.act_date is None:
        return act_title
    return v.gettext(
        "{act} No. {number} of {date}",
        act=act_title,
        number=ACT_NUMBER_PREFIX.sub("", version.act_number.strip()),
        date=local_date(version.act_date, v.lang, style="long"),
    )


@router.get("/selection", response_class=HTMLResponse)
def overview(v: VisitDep) -> HTMLResponse:
    """The process from inventory to compliance, each stage with its figures and its page."""
    _ = v.gettext
    holdings = _grouped(v.session, DataHolding.access)
    proposals = _grouped(v.session, Proposal.status)
    assessed = v.session.scalar(select(func.count()).where(Proposal.score.is_not(None))) or 0
    sessions = _grouped(v.session, CommissionSession.status)
    in_force = list_service.current_version(v.session)
    draft = list_service.draft_version(v.session)
    statuses = list_service.compliance(v.session, v.today, timezone=v.profile.timezone)
    card = _totals(statuses)

    def number(n: int) -> str:
        return local_number(n, v.lang)

    in_force_figures = [
        (_("In force"), _("Version {number}", number=in_force.number) if in_force else _("None yet")),
        *(
            [(_("Approved by"), _act_line(v, in_force)), (_("Items"), number(len(statuses)))]
            if in_force
            else []
        ),
        *([(_("Draft"), _("Version {number}", number=draft.number))] if draft else []),
    ]
    figures = {
        "inventory": [(_("Data holdings"), number(sum(holdings.values())))]
        + [(_(ACCESS_LABELS[a]), number(holdings[a])) for a in ACCESS if holdings.get(a)],
        "proposals": [(_("Proposals"), number(sum(proposals.values())))]
        + [(_(STATUS_LABELS[s]), number(proposals[s])) for s in PROPOSAL_STATUSES if proposals.get(s)],
        "assessment": [(_("Assessed proposals"), number(assessed))],
        "commission": [(_("Sessions"), number(sum(sessions.values())))]
        + [(_(SESSION_STATUS_LABELS[s]), number(n)) for s, n in sorted(sessions.items(), reverse=True)],
        "list": in_force_figures,
        "compliance": [(_("On-time rate"), percent(card.rate, v.lang))]
        + [(_(COMPLIANCE_LABELS[k]), number(n)) for k, n in card.counts.items() if n],
    }
    stages = [
        Stage(key, _(title), href, _(about), figures.get(key, []))
        for key, (title, href, about) in STAGES.items()
    ]
    return v.page("selection/overview.html", law=v.title(v.rules.law), stages=stages)


# ---------------------------------------------------------------- the inventory of data holdings


@dataclass
class HoldingRow:
    id: str
    title: str
    description: str
    organization: OrgRef
    information_system: str
    access: str
    access_basis: str
    formats: str
    automated: bool
    machine_readable: bool
    dataset: tuple[str, str] | None  # (name, title) of the dataset publishing it
    may_edit: bool


def _holding_rows(v: Visit, holdings: list[DataHolding]) -> list[HoldingRow]:
    pubs = catalog.publications(v.session, [h.dataset_id for h in holdings if h.dataset_id])
    rows = []
    for h in holdings:
        pub = pubs.get(h.dataset_id or "")
        may_edit = can(v.actor, "selection.keep_inventory", h.organization_id)
        shown = pub if pub is not None and (pub.public or may_edit) else None  # a draft's name: officials
        rows.append(
            HoldingRow(
                h.id, h.title, h.description, v.org(h.organization_id), h.information_system, h.access,
                h.access_basis, h.formats, h.automated, h.machine_readable,
                (shown.name, v.title(shown.title) or shown.name) if shown else None, may_edit,
            )
        )  # fmt: skip
    return rows


def _keeps(v: Visit) -> list[str]:
    """The ids of the organizations whose inventory the actor keeps."""
    return [o.id for o in catalog.organizations_of(v.actor, v.session, "admin", "editor")]


@router.get("/selection/inventory", response_class=HTMLResponse)
def inventory_page(
    v: VisitDep,
    organization: Annotated[str, Query(max_length=100)] = "",
    access: Annotated[str, Query(max_length=20)] = "",
) -> HTMLResponse:
    known = {o.name for o in v.organizations.values()}
    organization = organization if organization in known else ""
    access = access if access in ACCESS else ""
    holdings = service.list_holdings(v.session, organization=organization or None, access=access or None)
    return v.page(
        "selection/inventory.html",
        rows=_holding_rows(v, holdings),
        organization=organization,
        access=access,
        organizations=v.org_options(),
        may_add=v.actor.authenticated and bool(_keeps(v)),
        filtered=bool(organization or access),
    )


def _holding_values(form: FormData | None = None) -> dict[str, Any]:
    names = ("organization", "title", "description", "information_system", "access", "access_basis")
    values: dict[str, Any] = {
        name: text(form, name) if form else "" for name in (*names, "formats", "dataset")
    }
    values["access"] = values["access"] or "open"
    values["automated"] = checked(form, "automated") if form else False
    values["machine_readable"] = checked(form, "machine_readable") if form else False
    return values


def _holding_form(
    v: Visit,
    values: dict[str, Any],
    *,
    holding_id: str = "",
    errors: dict[str, FieldErrors] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    return v.page(
        "selection/holding_form.html",
        status_code=status_code,
        holding_id=holding_id,
        values=values,
        errors=_shown(errors).get("holding", {}),
        organizations=v.org_options(_keeps(v)),
        access_options=[(a, v.gettext(ACCESS_LABELS[a])) for a in ACCESS],
    )


def _check_keeps_some(v: Visit, page: str) -> Response | None:
    if not v.actor.authenticated:
        return to_login(page)
    if not _keeps(v):
        raise Forbidden("Only the admins and editors of an organization keep its inventory.")
    return None


@router.get("/selection/inventory/new", response_class=HTMLResponse)
def new_holding_page(v: VisitDep, organization: Annotated[str, Query(max_length=100)] = "") -> Response:
    refused = _check_keeps_some(v, "/selection/inventory/new")
    if refused is not None:
        return refused
    values = _holding_values()
    options = v.org_options(_keeps(v))
    values["organization"] = organization if organization in dict(options) else options[0][0]
    return _holding_form(v, values)


def _holding_data(values: dict[str, Any]) -> service.HoldingData:
    return service.HoldingData(**values)


@router.post("/selection/inventory/new", response_class=HTMLResponse)
def create_holding(v: VisitDep, submitted: FormDep) -> Response:
    check_csrf(v.request, text(submitted, "csrf_token"))
    refused = _check_keeps_some(v, "/selection/inventory/new")
    if refused is not None:
        return refused
    values = _holding_values(submitted)
    done = f"/selection/inventory?{urlencode({'organization': values['organization']})}"
    return _act(
        v,
        "holding",
        lambda: service.create_holding(v.session, v.actor, v.profile, _holding_data(values)),
        done,
        lambda errors, status: _holding_form(v, values, errors=errors, status_code=status),
    )


def _editable_holding(v: Visit, holding_id: str) -> DataHolding:
    holding = service.get_holding(v.session, holding_id)
    if not can(v.actor, "selection.keep_inventory", holding.organization_id):
        raise Forbidden("Only the admins and editors of the organization change its inventory.")
    return holding


@router.get("/selection/inventory/{holding_id}/edit", response_class=HTMLResponse)
def edit_holding_page(v: VisitDep, holding_id: str) -> Response:
    if not v.actor.authenticated:
        return to_login(f"/selection/inventory/{holding_id}/edit")
    h = _editable_holding(v, holding_id)
    pub = catalog.publications(v.session, [h.dataset_id]).get(h.dataset_id or "") if h.dataset_id else None
    values = {
        "organization": v.org(h.organization_id).name, "title": h.title, "description": h.description,
        "information_system": h.information_system, "access": h.access, "access_basis": h.access_basis,
        "formats": h.formats, "dataset": pub.name if pub else "", "automated": h.automated,
        "machine_readable": h.machine_readable,
    }  # fmt: skip
    return _holding_form(v, values, holding_id=h.id)


@router.post("/selection/inventory/{holding_id}/edit", response_class=HTMLResponse)
def update_holding(v: VisitDep, holding_id: str, submitted: FormDep) -> Response:
    check_csrf(v.request, text(submitted, "csrf_token"))
    if not v.actor.authenticated:
        return to_login(f"/selection/inventory/{holding_id}/edit")
    _editable_holding(v, holding_id)
    values = _holding_values(submitted)
    done = f"/selection/inventory?{urlencode({'organization': values['organization']})}"
    return _act(
        v,
        "holding",
        lambda: service.update_holding(v.session, v.actor, v.profile, holding_id, _holding_data(values)),
        done,
        lambda errors, status: _holding_form(
            v, values, holding_id=holding_id, errors=errors, status_code=status
        ),
    )


@router.post("/selection/inventory/{holding_id}/delete", response_class=HTMLResponse)
def delete_holding(v: VisitDep, holding_id: str, submitted: FormDep) -> Response:
    check_csrf(v.request, text(submitted, "csrf_token"))
    organization = v.org(_editable_holding(v, holding_id).organization_id).name
    service.delete_holding(v.session, v.actor, v.profile, holding_id)
    v.session.commit()
    flash(v.request, DONE["holding_delete"])
    return RedirectResponse(
        f"/selection/inventory?{urlencode({'organization': organization})}", status_code=303
    )


# ---------------------------------------------------------------- proposals


@dataclass
class ProposalRow:
    number: int
    title: str
    organization: OrgRef
    status: str
    supports: int
    score: int | None
    recommendation: str
    created_at: datetime


def _proposal_rows(v: Visit, proposals: list[Proposal]) -> list[ProposalRow]:
    supports = service.support_counts(v.session, [p.id for p in proposals])
    return [
        ProposalRow(
            p.number, p.title, v.org(p.organization_id), p.status, supports.get(p.id, 0), p.score,
            p.recommendation, p.created_at,
        )
        for p in proposals
    ]  # fmt: skip


@router.get("/selection/proposals", response_class=HTMLResponse)
def proposals_page(
    v: VisitDep,
    status: Annotated[str, Query(max_length=20)] = "",
    organization: Annotated[str, Query(max_length=100)] = "",
    q: Annotated[str, Query(max_length=200)] = "",
) -> HTMLResponse:
    status = status if status in PROPOSAL_STATUSES else ""
    organization = organization if organization in {o.name for o in v.organizations.values()} else ""
    found = service.list_proposals(v.session, status=status or None, organization=organization or None, q=q)
    return v.page(
        "selection/proposals.html",
        rows=_proposal_rows(v, found),
        status=status,
        organization=organization,
        q=q,
        organizations=v.org_options(),
        status_counts=_grouped(v.session, Proposal.status),
        filtered=bool(status or organization or q),
    )


def _proposal_form(
    v: Visit, values: dict[str, str], *, errors: dict[str, FieldErrors] | None = None, status_code: int = 200
) -> HTMLResponse:
    holding = service.get_holding(v.session, values["holding"]) if values.get("holding") else None
    return v.page(
        "selection/proposal_form.html",
        status_code=status_code,
        values=values,
        errors=_shown(errors).get("proposal", {}),
        organizations=v.org_options(),
        holding=_holding_rows(v, [holding])[0] if holding else None,
    )


PROPOSAL_FIELDS = ("title", "organization", "description", "reason", "keywords", "holding")


@router.get("/selection/proposals/new", response_class=HTMLResponse)
def new_proposal_page(
    v: VisitDep,
    title: Annotated[str, Query(max_length=300)] = "",
    keywords: Annotated[str, Query(max_length=1000)] = "",
    organization: Annotated[str, Query(max_length=100)] = "",
    holding: Annotated[str, Query(max_length=40)] = "",
) -> Response:
    """The proposal form, filled from the address (the unmet-demand page and the inventory link here)."""
    if not v.actor.authenticated:
        return to_login(str(v.request.url.path) + (f"?{v.request.url.query}" if v.request.url.query else ""))
    values = dict.fromkeys(PROPOSAL_FIELDS, "") | {"title": title, "keywords": keywords}
    if holding:
        h = service.get_holding(v.session, holding)
        values |= {"holding": h.id, "organization": v.org(h.organization_id).name, "title": title or h.title}
        values["description"] = h.description
    elif organization in {o.name for o in v.organizations.values()}:
        values["organization"] = organization
    return _proposal_form(v, values)


@router.post("/selection/proposals/new", response_class=HTMLResponse)
def create_proposal(v: VisitDep, submitted: FormDep) -> Response:
    values = _submitted(v, submitted, *PROPOSAL_FIELDS)
    if not v.actor.authenticated:
        return to_login("/selection/proposals/new")
    created: list[Proposal] = []

    def step() -> None:
        errors: FieldErrors = {}
        if len(values["title"]) < 5:
            errors["title"] = ["Too short."]
        if not values["organization"]:
            errors["organization"] = ["Choose the organization that holds the data."]
        if errors:
            raise Invalid("The proposal is not complete.", errors=errors)
        data = service.ProposalData(**values)
        created.append(service.create_proposal(v.session, v.actor, v.profile, data))

    def again(errors: dict[str, FieldErrors], status: int) -> Response:
        return _proposal_form(v, values, errors=errors, status_code=status)

    try:
        step()
    except (Invalid, Conflict) as exc:
        v.session.rollback()
        return again({"proposal": _errors("proposal", exc)}, 409 if isinstance(exc, Conflict) else 422)
    number = created[0].number
    v.session.commit()
    flash(v.request, v.gettext(DONE["proposal"], number=f"P-{number}"))
    return RedirectResponse(f"/selection/proposals/{number}", status_code=303)


# ---------------------------------------------------------------- a proposal's page


@dataclass
class EvidenceGroup:
    kind: str
    label: str
    items: list[demand_sources.Evidence]
    count: int
    weight: int
    points: int


@dataclass
class AssessmentView:
    criteria: list[tuple[str, str, int]]  # (code, label, 0-3)
    score: int
    recommendation: str
    suggested: str
    reason: str
    by: str
    at: datetime


@dataclass
class HistoryLine:
    at: datetime | date
    what: str
    detail: str = ""
    href: str = ""


@dataclass
class ConsultationView:
    id: str
    submitted_by: str
    summary: str
    received_on: date
    filename: str
    size: int


@dataclass
class DecisionView:
    session_number: int
    session_title: str
    held_on: date
    decision: str
    rationale: str
    session_closed: bool


def _evidence(v: Visit, found: service.Demand) -> list[EvidenceGroup]:
    kinds = [*v.rules.weights, *(k for k in found.evidence if k not in v.rules.weights)]
    return [
        EvidenceGroup(
            kind,
            EVIDENCE_LABELS.get(kind, kind),
            found.evidence.get(kind, []),
            found.counts.get(kind, 0),
            v.rules.weights.get(kind, 1),
            found.points.get(kind, 0),
        )
        for kind in kinds
        if kind in found.evidence or kind in demand_sources.kinds()
    ]


def _assessment_view(v: Visit, row: Any) -> AssessmentView:
    _ = v.gettext
    criteria = [(c, _(CRITERIA_LABELS[c]), int(row.criteria.get(c, 0))) for c in CRITERIA]
    return AssessmentView(
        criteria, row.score, row.recommendation, row.suggested, row.reason, row.actor_name, row.at
    )


def _history(
    v: Visit,
    proposal: Proposal,
    assessments: list[AssessmentView],
    consultations: list[ConsultationView],
    decisions: list[DecisionView],
) -> list[HistoryLine]:
    _ = v.gettext
    lines = [HistoryLine(proposal.created_at, _(HISTORY_LABELS["proposed"]))]
    for a in assessments:
        detail = _("Score {score} of 100: {recommendation}", score=a.score,
                   recommendation=_(RECOMMENDATION_LABELS[a.recommendation]).lower())  # fmt: skip
        lines.append(HistoryLine(a.at, _(HISTORY_LABELS["assessed"]), detail))
    for c in consultations:
        lines.append(HistoryLine(c.received_on, _(HISTORY_LABELS["consultation"]), c.submitted_by))
    for d in decisions:
        href = f"/selection/commission/{d.session_number}"
        lines.append(HistoryLine(d.held_on, _(HISTORY_LABELS["agenda"], number=d.session_number), "", href))
        if d.decision:
            what = _(HISTORY_LABELS["decided"], number=d.session_number)
            lines.append(HistoryLine(d.held_on, what, _(DECISION_LABELS[d.decision]), href))
    for version in list_service.versions(v.session):
        if version.status == "approved" and any(
            i.proposal_id == proposal.id for i in list_service.items_of(v.session, version)
        ):
            when = version.act_date or version.approved_at or version.created_at
            what = _(HISTORY_LABELS["listed"], number=version.number)
            lines.append(HistoryLine(when, what, _act_line(v, version), f"/selection/list/{version.number}"))
            break

    def key(line: HistoryLine) -> date:
        return line.at.date() if isinstance(line.at, datetime) else line.at

    return sorted(lines, key=key)


def _proposal_page(
    v: Visit,
    number: int | str,
    *,
    errors: dict[str, FieldErrors] | None = None,
    values: dict[str, dict[str, str]] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    _ = v.gettext
    proposal = service.find_proposal(v.session, number)
    found = service.demand_for(v.session, v.profile, proposal, v.today)
    assessments = [_assessment_view(v, a) for a in service.assessments_of(v.session, proposal)]
    consultations = [
        ConsultationView(c.id, c.submitted_by, c.summary, c.received_on, c.filename, c.size)
        for c in service.consultations_of(v.session, proposal)
    ]
    decisions = [
        DecisionView(s.number, s.title, s.held_on, i.decision, i.rationale, s.status == "closed")
        for s, i in commission_service.decisions_of(v.session, proposal)
    ]
    may_assess = service.may_assess(v.session, v.actor, v.profile, proposal)
    holding = service.get_holding(v.session, proposal.holding_id) if proposal.holding_id else None
    suggestion = service.suggest_criteria(v.session, v.profile, proposal, found.index)
    low, middle, high = v.rules.thresholds
    hints = {c: _(CRITERIA_HINTS[c]) for c in CRITERIA}
    hints["demand"] = _(CRITERIA_HINTS["demand"], low=low, middle=middle, high=high)
    entered = (values or {}).get("assess", {})
    return v.page(
        "selection/proposal.html",
        status_code=status_code,
        prop=proposal,
        organization=v.org(proposal.organization_id),
        supports=service.support_counts(v.session, [proposal.id]).get(proposal.id, 0),
        supported=service.has_supported(v.session, v.actor, proposal),
        demand=found,
        evidence=_evidence(v, found),
        assessment=assessments[0] if assessments else None,
        earlier=assessments[1:],
        consultations=consultations,
        decisions=decisions,
        history=_history(v, proposal, assessments, consultations, decisions),
        holding=_holding_rows(v, [holding])[0] if holding else None,
        may_assess=may_assess,
        criteria_labels=CRITERIA_LABELS,
        criteria_hints=hints,
        criteria=CRITERIA,
        chosen={c: entered.get(c, str(suggestion[c])) for c in CRITERIA},
        suggestion=service.suggested(suggestion),
        suggested_score=service.score_of(suggestion),
        recommendation_options=[(r, _(RECOMMENDATION_LABELS[r])) for r in RECOMMENDATIONS],
        evidence_labels=EVIDENCE_LABELS,
        errors=_shown(errors),
        values=values or {},
        htmx_path=HTMX_PATH,
    )


@router.get("/selection/proposals/{number}", response_class=HTMLResponse)
def proposal_page(v: VisitDep, number: str) -> HTMLResponse:
    return _proposal_page(v, number)


def _support_box(v: Visit, number: str) -> HTMLResponse:
    """The support box alone, for HTMX (not through render(): a fragment must not take the pending flash)."""
    proposal = service.find_proposal(v.session, number)
    html = env.get_template("selection/_support.html").render(
        _=v.gettext,
        lang=v.lang,
        prop=proposal,
        actor=v.actor,
        csrf_token=csrf_token(v.request),
        supports=service.support_counts(v.session, [proposal.id]).get(proposal.id, 0),
        supported=service.has_supported(v.session, v.actor, proposal),
        message=v.request.session.pop("flash", None),
    )
    return HTMLResponse(html)


@router.post("/selection/proposals/{number}/support", response_class=HTMLResponse)
def support(v: VisitDep, number: str, submitted: FormDep) -> Response:
    _submitted(v, submitted)
    if not v.actor.authenticated:
        return to_login(f"/selection/proposals/{number}")
    proposal, counted = service.add_support(v.session, v.actor, number)
    page = f"/selection/proposals/{proposal.number}"
    v.session.commit()
    flash(v.request, DONE["support"] if counted else DONE["support_again"])
    if v.request.headers.get("HX-Request"):
        return _support_box(v, number)
    return RedirectResponse(f"{page}#support", status_code=303)


@router.post("/selection/proposals/{number}/unsupport", response_class=HTMLResponse)
def unsupport(v: VisitDep, number: str, submitted: FormDep) -> Response:
    _submitted(v, submitted)
    if not v.actor.authenticated:
        return to_login(f"/selection/proposals/{number}")
    proposal = service.remove_support(v.session, v.actor, number)
    page = f"/selection/proposals/{proposal.number}"
    v.session.commit()
    flash(v.request, DONE["unsupport"])
    if v.request.headers.get("HX-Request"):
        return _support_box(v, number)
    return RedirectResponse(f"{page}#support", status_code=303)


def _on_proposal(
    v: Visit, number: str, form: str, values: dict[str, str], step: Callable[[], object]
) -> Response:
    def again(errors: dict[str, FieldErrors], status: int) -> Response:
        return _proposal_page(v, number, errors=errors, values={form: values}, status_code=status)

    proposal_number = service.find_proposal(v.session, number).number
    anchor = {"assess": "#assessment", "consultation": "#demand"}.get(form, "")
    return _act(v, form, step, f"/selection/proposals/{proposal_number}{anchor}", again)


@router.post("/selection/proposals/{number}/edit", response_class=HTMLResponse)
def edit_proposal(v: VisitDep, number: str, submitted: FormDep) -> Response:
    values = _submitted(v, submitted, "title", "description", "reason", "keywords")
    proposal = service.find_proposal(v.session, number)
    data = service.ProposalData(organization=proposal.organization_id, **values)
    return _on_proposal(
        v,
        number,
        "edit",
        values,
        lambda: service.update_proposal(v.session, v.actor, v.profile, number, data),
    )


@router.post("/selection/proposals/{number}/assess", response_class=HTMLResponse)
def assess(v: VisitDep, number: str, submitted: FormDep) -> Response:
    values = _submitted(v, submitted, *CRITERIA, "recommendation", "reason")
    criteria = {c: values[c] for c in CRITERIA}
    return _on_proposal(
        v,
        number,
        "assess",
        values,
        lambda: service.set_assessment(
            v.session,
            v.actor,
            v.profile,
            number,
            criteria=criteria,
            recommendation=values["recommendation"],
            reason=values["reason"],
        ),  # fmt: skip
    )


@router.post("/selection/proposals/{number}/consultations", response_class=HTMLResponse)
async def add_consultation(v: VisitDep, number: str, store: StoreDep, submitted: FormDep) -> Response:
    """A consultation record with its document (multipart). Who may not record one is refused before any file
    is stored."""
    values = _submitted(v, submitted, "submitted_by", "summary", "received_on")
    if not v.actor.authenticated:
        return to_login(f"/selection/proposals/{number}")
    service.check_may_assess(v.session, v.actor, v.profile, number)
    errors: FieldErrors = {}
    received_on = _day(values, "received_on", errors)
    upload = submitted.get("document")
    document: service.ConsultationFile | None = None
    if not errors and isinstance(upload, UploadFile) and upload.filename:
        try:
            stored = await store.save_upload(upload)
        except (Invalid, TooLarge):
            errors["document"] = [FIELD_MESSAGES["consultation"]["document"]]
        else:
            document = service.ConsultationFile(upload.filename, upload.content_type or "", stored)

    def step() -> None:
        if errors:
            raise Invalid("The consultation record is not complete.", errors=errors)
        service.add_consultation(
            v.session, v.actor, v.profile, number, submitted_by=values["submitted_by"],
            summary=values["summary"], received_on=received_on, document=document, today=v.today,
        )  # fmt: skip

    try:
        response = _on_proposal(v, number, "consultation", values, step)
    except Exception:
        v.session.rollback()
        if document is not None:
            storage.discard_if_unreferenced(v.session, store, document.stored.sha256)
        raise
    if response.status_code != 303 and document is not None:  # a refused record keeps no document
        storage.discard_if_unreferenced(v.session, store, document.stored.sha256)
    return response


@router.get("/selection/consultations/{consultation_id}/document")
def consultation_document(v: VisitDep, consultation_id: str, store: StoreDep) -> FileResponse:
    """The document of a consultation record: public evidence of demand, as the record itself."""
    record = service.get_consultation(v.session, consultation_id)
    if not record.sha256:
        raise NotFound("This consultation record has no document.")
    if service.document_withheld(v.session, v.actor, v.profile, record):
        raise Forbidden(
            "This document may hold personal data (the check found some, or could not read it): only the "
            "officials assessing the proposal see it."
        )
    return FileResponse(
        store.open_path(record.sha256),
        media_type=record.media_type or "application/octet-stream",
        filename=record.filename or "document",
        content_disposition_type="attachment",
        headers={"ETag": f'"{record.sha256}"'},
    )


# ---------------------------------------------------------------- the Commission


@dataclass
class SessionRow:
    number: int
    title: str
    held_on: date
    place: str
    status: str
    items: int
    decided: int


def _commission_roles(v: Visit) -> tuple[bool, bool]:
    """(is of the secretariat, is a voting member)."""
    secretariat = can(v.actor, "selection.run_commission", v.target)
    voting = v.actor.user_id is not None and any(
        m.user_id == v.actor.user_id for m in commission_service.members(v.session, v.profile)
    )
    return secretariat, voting


def _commission_page(
    v: Visit,
    *,
    errors: dict[str, FieldErrors] | None = None,
    values: dict[str, dict[str, str]] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    sessions = commission_service.list_sessions(v.session)
    rows = []
    for s in sessions:
        record = commission_service.session_record(v.session, v.profile, s)
        rows.append(
            SessionRow(
                s.number, s.title, s.held_on, s.place, s.status, len(record),
                sum(1 for r in record if r.item.decision),
            )
        )  # fmt: skip
    secretariat, voting = _commission_roles(v)
    commission_id = v.target.commission_id
    return v.page(
        "selection/commission.html",
        status_code=status_code,
        commission=v.org(commission_id) if commission_id else None,
        commission_slug=v.rules.commission,
        members=commission_service.members(v.session, v.profile),
        sessions=rows,
        secretariat=secretariat,
        voting=voting,
        errors=_shown(errors),
        values=values or {},
    )


@router.get("/selection/commission", response_class=HTMLResponse)
def commission_page(v: VisitDep) -> HTMLResponse:
    return _commission_page(v)


@router.post("/selection/commission", response_class=HTMLResponse)
def plan_session(v: VisitDep, submitted: FormDep) -> Response:
    values = _submitted(v, submitted, "title", "held_on", "place")
    if not v.actor.authenticated:
        return to_login("/selection/commission")
    created: list[CommissionSession] = []

    def step() -> None:
        errors: FieldErrors = {}
        held_on = _day(values, "held_on", errors)
        if errors:
            raise Invalid("The session is not complete.", errors=errors)
        created.append(
            commission_service.create_session(
                v.session, v.actor, v.profile, title=values["title"], held_on=held_on, place=values["place"]
            )
        )

    def again(errors: dict[str, FieldErrors], status: int) -> Response:
        return _commission_page(v, errors=errors, values={"session": values}, status_code=status)

    try:
        step()
    except (Invalid, Conflict) as exc:
        v.session.rollback()
        return again({"session": _errors("session", exc)}, 409 if isinstance(exc, Conflict) else 422)
    number = created[0].number
    v.session.commit()
    flash(v.request, DONE["session"])
    return RedirectResponse(f"/selection/commission/{number}", status_code=303)


@dataclass
class AgendaView:
    """An agenda item as the session's page shows it."""

    position: int
    number: int
    title: str
    organization: OrgRef
    status: str
    demand_index: int
    score: int | None
    recommendation: str
    votes: list[tuple[str, str, str]]  # (member, vote, comment)
    conflicts: list[tuple[str, str]]  # (member, statement)
    tally: dict[str, int]
    voted: int
    eligible: int
    quorum: int
    has_quorum: bool
    majority: str
    decision: str
    rationale: str
    my_vote: str = ""
    my_comment: str = ""
    my_conflict: str = ""


def _agenda(v: Visit, row: CommissionSession) -> list[AgendaView]:
    views = []
    for position, r in enumerate(commission_service.session_record(v.session, v.profile, row), start=1):
        p = r.proposal
        view = AgendaView(
            position, p.number, p.title, v.org(p.organization_id), p.status,
            service.demand_for(v.session, v.profile, p, v.today).index, p.score, p.recommendation,
            [(m.display, vote.vote, vote.comment) for m, vote in r.votes],
            [(m.display, c.statement) for m, c in r.conflicts],
            r.tally, len(r.votes), r.eligible, r.quorum, r.has_quorum, r.majority, r.item.decision,
            r.item.rationale,
        )  # fmt: skip
        for m, vote in r.votes:
            if m.user_id == v.actor.user_id:
                view.my_vote, view.my_comment = vote.vote, vote.comment
        for m, c in r.conflicts:
            if m.user_id == v.actor.user_id:
                view.my_conflict = c.statement
        views.append(view)
    return views


def _candidates(v: Visit, row: CommissionSession) -> list[tuple[str, str]]:
    """Proposals that may go on the agenda: new or deferred, on no open agenda (the service checks again)."""
    on_agenda = {r.proposal.id for r in commission_service.session_record(v.session, v.profile, row)}
    found = []
    for status in ("proposed", "deferred"):
        for p in service.list_proposals(v.session, status=status, limit=500):
            if p.id not in on_agenda:
                label = f"P-{p.number} {p.title} — {v.org(p.organization_id).title}"
                found.append((str(p.number), label))
    return sorted(found, key=lambda option: int(option[0]))


def _session_page(
    v: Visit,
    number: str,
    *,
    errors: dict[str, FieldErrors] | None = None,
    values: dict[str, dict[str, str]] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    row = commission_service.find_session(v.session, number)
    secretariat, voting = _commission_roles(v)
    is_open = row.status == "planned"
    return v.page(
        "selection/session.html",
        status_code=status_code,
        s=row,
        agenda=_agenda(v, row),
        members=commission_service.members(v.session, v.profile),
        secretariat=secretariat and is_open,
        voting=voting and is_open,
        candidates=_candidates(v, row) if secretariat and is_open else [],
        vote_options=[(code, v.gettext(label)) for code, label in VOTE_LABELS.items()],
        errors=_shown(errors, values),
        values=values or {},
    )


@router.get("/selection/commission/{number}", response_class=HTMLResponse)
def session_page(v: VisitDep, number: str) -> HTMLResponse:
    return _session_page(v, number)


def _on_session(
    v: Visit, number: str, form: str, values: dict[str, str], step: Callable[[], object], anchor: str = ""
) -> Response:
    if not v.actor.authenticated:
        return to_login(f"/selection/commission/{number}")

    def again(errors: dict[str, FieldErrors], status: int) -> Response:
        return _session_page(v, number, errors=errors, values={form: values}, status_code=status)

    row = commission_service.find_session(v.session, number)
    return _act(v, form, step, f"/selection/commission/{row.number}{anchor}", again)


@router.post("/selection/commission/{number}/agenda", response_class=HTMLResponse)
def add_to_agenda(v: VisitDep, number: str, submitted: FormDep) -> Response:
    values = _submitted(v, submitted, "proposal")

    def step() -> None:
        if not values["proposal"]:
            raise Invalid("Choose a proposal.", errors={"proposal": ["Choose a proposal."]})
        commission_service.add_agenda_item(v.session, v.actor, v.profile, number, values["proposal"])

    return _on_session(v, number, "agenda", values, step, f"#item-{values['proposal']}")


@router.post("/selection/commission/{number}/items/{proposal}/remove", response_class=HTMLResponse)
def remove_from_agenda(v: VisitDep, number: str, proposal: str, submitted: FormDep) -> Response:
    _submitted(v, submitted)
    return _on_session(
        v, number, "agenda_remove", {},
        lambda: commission_service.remove_agenda_item(v.session, v.actor, v.profile, number, proposal),
    )  # fmt: skip


@router.post("/selection/commission/{number}/items/{proposal}/vote", response_class=HTMLResponse)
def vote(v: VisitDep, number: str, proposal: str, submitted: FormDep) -> Response:
    values = _submitted(v, submitted, "vote", "comment") | {"item": proposal}

    def step() -> None:
        commission_service.set_vote(
            v.session, v.actor, v.profile, number, proposal, vote=values["vote"], comment=values["comment"]
        )

    return _on_session(v, number, "vote", values, step, f"#item-{proposal}")


@router.post("/selection/commission/{number}/items/{proposal}/conflict", response_class=HTMLResponse)
def declare_conflict(v: VisitDep, number: str, proposal: str, submitted: FormDep) -> Response:
    values = _submitted(v, submitted, "statement") | {"item": proposal}
    return _on_session(
        v, number, "conflict", values,
        lambda: commission_service.add_conflict(
            v.session, v.actor, v.profile, number, proposal, values["statement"]
        ),
        f"#item-{proposal}",
    )  # fmt: skip


@router.post("/selection/commission/{number}/items/{proposal}/decision", response_class=HTMLResponse)
def record_decision(v: VisitDep, number: str, proposal: str, submitted: FormDep) -> Response:
    values = _submitted(v, submitted, "decision", "rationale") | {"item": proposal}

    def step() -> None:
        row = commission_service.find_session(v.session, number)
        wanted = service.find_proposal(v.session, proposal)
        record = next(
            (
                r
                for r in commission_service.session_record(v.session, v.profile, row)
                if r.proposal.id == wanted.id
            ),
            None,
        )
        secretariat = can(v.actor, "selection.run_commission", v.target)
        if secretariat and record is not None and row.status == "planned" and not record.has_quorum:
            # said here with its numbers in the page language (the service refuses it too)
            message = v.gettext(
                "No quorum yet: {voted} of {eligible} members without a conflict voted, {quorum} are needed.",
                voted=len(record.votes), eligible=record.eligible, quorum=record.quorum,
            )  # fmt: skip
            raise Conflict(message, errors={"form": [message]})
        commission_service.set_decision(
            v.session, v.actor, v.profile, number, proposal, decision=values["decision"],
            rationale=values["rationale"],
        )  # fmt: skip

    return _on_session(v, number, "decision", values, step, f"#item-{proposal}")


@router.post("/selection/commission/{number}/close", response_class=HTMLResponse)
def close_session(v: VisitDep, number: str, submitted: FormDep) -> Response:
    _submitted(v, submitted)

    def step() -> None:
        row = commission_service.find_session(v.session, number)
        undecided = [
            f"P-{r.proposal.number}"
            for r in commission_service.session_record(v.session, v.profile, row)
            if not r.item.decision
        ]
        if undecided and row.status == "planned" and can(v.actor, "selection.run_commission", v.target):
            message = v.gettext("Record a decision on every item first: {items}.", items=", ".join(undecided))
            raise Conflict(message, errors={"form": [message]})
        commission_service.close_session(v.session, v.actor, v.profile, number)

    return _on_session(v, number, "close", {}, step)


def _minutes(v: Visit, number: str) -> minutes.Minutes:
    row = commission_service.find_session(v.session, number)
    site = str(v.request.base_url).rstrip("/")
    return minutes.build(v.session, v.profile, row, v.lang, site=site)


@router.get("/selection/commission/{number}/minutes", response_class=HTMLResponse)
def minutes_page(v: VisitDep, number: str) -> HTMLResponse:
    row = commission_service.find_session(v.session, number)
    return v.page("selection/minutes.html", m=_minutes(v, number), s=row)


@router.get("/selection/commission/{number}/minutes.pdf")
def minutes_pdf(v: VisitDep, number: str) -> Response:
    row = commission_service.find_session(v.session, number)
    body = minutes.render_pdf(_minutes(v, number))
    filename = f"minutes-session-{row.number}-{v.lang}.pdf"
    return Response(
        body,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


# ---------------------------------------------------------------- the unified list


@dataclass
class ItemRow:
    code: str
    title: str
    organization: OrgRef
    due_on: date
    frequency: str
    proposal: int | None
    status: str = ""  # for the list in force: its compliance status
    dataset: tuple[str, str] | None = None  # (name, title)
    published_on: date | None = None
    days_late: int = 0
    may_link: bool = False


@dataclass
class VersionRow:
    number: int
    status: str
    act: str
    approved_at: datetime | None
    items: int
    previous: int | None  # the approved version before it, for the link to its differences


def _item_rows(v: Visit, version: ListVersion, *, with_status: bool = False) -> list[ItemRow]:
    items = list_service.items_of(v.session, version)
    proposals = {
        p.id: p.number
        for p in v.session.scalars(select(Proposal).where(Proposal.id.in_([i.proposal_id for i in items])))
    }
    statuses = (
        {s.item.code: s for s in list_service.compliance(v.session, v.today, timezone=v.profile.timezone)}
        if with_status
        else {}
    )
    rows = []
    for item in items:
        row = ItemRow(
            item.code, item.title, v.org(item.organization_id), item.due_on, item.update_frequency,
            proposals.get(item.proposal_id or ""),
        )  # fmt: skip
        s = statuses.get(item.code)
        if s is not None:
            row.status, row.published_on, row.days_late = s.status, s.published_on, s.days_late
            here = service.target(v.session, v.profile, item.organization_id)
            row.may_link = can(v.actor, "selection.link_dataset", here)
            shown = s.dataset if row.may_link else s.public_dataset  # a draft's name: those who link it
            row.dataset = (shown.name, v.title(shown.title) or shown.name) if shown else None
        rows.append(row)
    return rows


def _version_rows(v: Visit) -> list[VersionRow]:
    rows = []
    approved = [x for x in list_service.versions(v.session) if x.status == "approved"]
    for version in list_service.versions(v.session):
        earlier = [x.number for x in approved if x.number < version.number]
        rows.append(
            VersionRow(
                version.number, version.status, _act_line(v, version) if version.status == "approved" else "",
                version.approved_at, len(list_service.items_of(v.session, version)),
                max(earlier) if earlier else None,
            )
        )  # fmt: skip
    return rows


def _may_manage_list(v: Visit) -> bool:
    return can(v.actor, "selection.manage_list", v.target)


def _list_page(
    v: Visit,
    *,
    errors: dict[str, FieldErrors] | None = None,
    values: dict[str, dict[str, str]] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    in_force = list_service.current_version(v.session)
    draft = list_service.draft_version(v.session)
    rows = _item_rows(v, in_force, with_status=True) if in_force else []
    owner_id = v.target.list_owner_id
    return v.page(
        "selection/list.html",
        status_code=status_code,
        version=in_force,
        act=_act_line(v, in_force) if in_force else "",
        rows=rows,
        draft=draft,
        versions=_version_rows(v),
        owner=v.org(owner_id) if owner_id else None,
        may_manage=_may_manage_list(v),
        errors=_shown(errors, values),
        values=values or {},
    )


@router.get("/selection/list", response_class=HTMLResponse)
def list_page(v: VisitDep) -> HTMLResponse:
    return _list_page(v)


@router.post("/selection/list/draft", response_class=HTMLResponse)
def start_draft(v: VisitDep, submitted: FormDep) -> Response:
    values = _submitted(v, submitted, "note")
    if not v.actor.authenticated:
        return to_login("/selection/list")
    created: list[ListVersion] = []

    def again(errors: dict[str, FieldErrors], status: int) -> Response:
        return _list_page(v, errors=errors, values={"draft": values}, status_code=status)

    try:
        created.append(list_service.create_draft(v.session, v.actor, v.profile, values["note"]))
    except (Invalid, Conflict) as exc:
        v.session.rollback()
        return again({"draft": _errors("draft", exc)}, 409 if isinstance(exc, Conflict) else 422)
    number = created[0].number
    v.session.commit()
    flash(v.request, DONE["draft"])
    return RedirectResponse(f"/selection/list/{number}", status_code=303)


@router.get("/selection/list/{number}.csv")
def list_csv(v: VisitDep, number: int) -> Response:
    version = list_service.find_version(v.session, number)
    titles = {i: (v.title(t) or slug) for i, slug, t in catalog.organization_titles(
        v.session, list({item.organization_id for item in list_service.items_of(v.session, version)})
    )}  # fmt: skip
    body = list_service.list_csv(v.session, version, titles, v.today, v.profile.timezone)
    return Response(
        "\ufeff" + body,  # a BOM, so spreadsheets read Kazakh and Russian letters as written
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="open-data-list-v{version.number}.csv"'},
    )


def _item_values(form: FormData | None = None, **preset: str) -> dict[str, str]:
    names = ("proposal", "title", "organization", "due_on", "update_frequency")
    values = {name: text(form, name) if form else "" for name in names}
    values["update_frequency"] = values["update_frequency"] or "ANNUAL"
    return values | preset


def _recommended(v: Visit, version: ListVersion) -> list[tuple[str, str]]:
    """Recommended proposals not yet on this version, for the item form."""
    taken = {i.proposal_id for i in list_service.items_of(v.session, version)}
    return [
        (str(p.number), f"P-{p.number} {p.title} — {v.org(p.organization_id).title}")
        for p in service.list_proposals(v.session, status="recommended", limit=500)
        if p.id not in taken
    ]


def _version_page(
    v: Visit,
    number: int,
    *,
    errors: dict[str, FieldErrors] | None = None,
    values: dict[str, dict[str, str]] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    version = list_service.find_version(v.session, number)
    in_force = list_service.current_version(v.session)
    previous = list_service.previous_version(v.session, version)
    editable = version.status == "draft" and _may_manage_list(v)
    return v.page(
        "selection/version.html",
        status_code=status_code,
        version=version,
        act=_act_line(v, version) if version.status == "approved" else "",
        in_force=in_force is not None and in_force.id == version.id,
        previous=previous.number if previous else None,
        rows=_item_rows(v, version),
        editable=editable,
        recommended=_recommended(v, version) if editable else [],
        organizations=v.org_options(),
        frequencies=[(code, v.gettext(catalog.frequency_label(code))) for code in FREQUENCIES],
        act_kind=v.title(v.rules.act),
        item_values=(values or {}).get("item") or _item_values(),
        errors=_shown(errors),
        values=values or {},
    )


@router.get("/selection/list/{number}", response_class=HTMLResponse)
def version_page(v: VisitDep, number: int) -> HTMLResponse:
    return _version_page(v, number)


def _item_data(values: dict[str, str], errors: FieldErrors) -> list_service.ItemData:
    due_on = _day(values, "due_on", errors)
    return list_service.ItemData(
        title=values["title"],
        organization=values["organization"],
        due_on=due_on,
        update_frequency=values["update_frequency"],
        proposal=values["proposal"],
    )


def _list_step(
    v: Visit, run: Callable[[list_service.ItemData], object], values: dict[str, str]
) -> Callable[[], None]:
    def step() -> None:
        errors: FieldErrors = {}
        data = _item_data(values, errors)
        if errors:
            raise Invalid("The item is not complete.", errors=errors)
        try:
            run(data)
        except NotFound as exc:  # a proposal number that is not one
            raise Invalid(exc.message, errors={"proposal": [exc.message]}) from None

    return step


def _on_version(
    v: Visit, number: int, form: str, values: dict[str, str], step: Callable[[], object], done_url: str = ""
) -> Response:
    if not v.actor.authenticated:
        return to_login(f"/selection/list/{number}")

    def again(errors: dict[str, FieldErrors], status: int) -> Response:
        return _version_page(v, number, errors=errors, values={form: values}, status_code=status)

    return _act(v, form, step, done_url or f"/selection/list/{number}#items", again)


@router.post("/selection/list/{number}/items", response_class=HTMLResponse)
def add_item(v: VisitDep, number: int, submitted: FormDep) -> Response:
    values = _submitted(v, submitted) | _item_values(submitted)
    step = _list_step(
        v, lambda data: list_service.add_list_item(v.session, v.actor, v.profile, number, data), values
    )
    return _on_version(v, number, "item", values, step)


def _item_page(
    v: Visit,
    number: int,
    code: str,
    values: dict[str, str],
    errors: FieldErrors | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    version = list_service.find_version(v.session, number)
    item = next((r for r in _item_rows(v, version) if r.code == code), None)
    if item is None:
        raise NotFound(f"Version {version.number} has no item {code!r}.")
    return v.page(
        "selection/item_form.html",
        status_code=status_code,
        version=version,
        item=item,
        values=values,
        errors=_shown({"item": errors or {}}).get("item", {}),
        organizations=v.org_options(),
        frequencies=[(c, v.gettext(catalog.frequency_label(c))) for c in FREQUENCIES],
    )


@router.get("/selection/list/{number}/items/{code}", response_class=HTMLResponse)
def item_page(v: VisitDep, number: int, code: str) -> Response:
    if not v.actor.authenticated:
        return to_login(f"/selection/list/{number}/items/{code}")
    if not _may_manage_list(v):
        raise Forbidden("Only the list owner's admins and editors change the list.")
    version = list_service.find_version(v.session, number)
    row = next((r for r in _item_rows(v, version) if r.code == code), None)
    if row is None:
        raise NotFound(f"Version {version.number} has no item {code!r}.")
    values = _item_values(
        title=row.title, organization=row.organization.name, due_on=row.due_on.isoformat(),
        update_frequency=row.frequency, proposal=str(row.proposal or ""),
    )  # fmt: skip
    return _item_page(v, number, code, values)


@router.post("/selection/list/{number}/items/{code}", response_class=HTMLResponse)
def update_item(v: VisitDep, number: int, code: str, submitted: FormDep) -> Response:
    values = _submitted(v, submitted) | _item_values(submitted)
    if not v.actor.authenticated:
        return to_login(f"/selection/list/{number}/items/{code}")
    step = _list_step(
        v,
        lambda data: list_service.update_list_item(v.session, v.actor, v.profile, number, code, data),
        values,
    )
    return _act(
        v, "item", step, f"/selection/list/{number}#items",
        lambda errors, status: _item_page(v, number, code, values, errors.get("item"), status),
    )  # fmt: skip


@router.post("/selection/list/{number}/items/{code}/remove", response_class=HTMLResponse)
def remove_item(v: VisitDep, number: int, code: str, submitted: FormDep) -> Response:
    _submitted(v, submitted)
    return _on_version(
        v, number, "item_remove", {},
        lambda: list_service.remove_list_item(v.session, v.actor, v.profile, number, code),
    )  # fmt: skip


@router.post("/selection/list/{number}/approve", response_class=HTMLResponse)
def approve(v: VisitDep, number: int, submitted: FormDep) -> Response:
    values = _submitted(v, submitted, "act_number", "act_date", "act_title")

    def step() -> None:
        errors: FieldErrors = {}
        act_date = _day(values, "act_date", errors)
        if errors:
            raise Invalid("The act is not complete.", errors=errors)
        list_service.set_approval(
            v.session, v.actor, v.profile, number, act_number=values["act_number"], act_date=act_date,
            act_title=values["act_title"], today=v.today,
        )  # fmt: skip

    return _on_version(v, number, "approve", values, step, "/selection/list")


@router.post("/selection/list/{number}/delete", response_class=HTMLResponse)
def delete_draft(v: VisitDep, number: int, submitted: FormDep) -> Response:
    _submitted(v, submitted)
    return _on_version(
        v, number, "draft_delete", {},
        lambda: list_service.delete_draft(v.session, v.actor, v.profile, number), "/selection/list",
    )  # fmt: skip


@router.post("/selection/list/items/{code}/dataset", response_class=HTMLResponse)
def link_dataset(v: VisitDep, code: str, submitted: FormDep) -> Response:
    values = _submitted(v, submitted, "dataset") | {"item": code}
    if not v.actor.authenticated:
        return to_login("/selection/list")

    def again(errors: dict[str, FieldErrors], status: int) -> Response:
        return _list_page(v, errors=errors, values={"fulfil": values}, status_code=status)

    return _act(
        v, "fulfil",
        lambda: list_service.set_fulfilment(v.session, v.actor, v.profile, code, values["dataset"]),
        f"/selection/list#item-{code}", again, done=DONE["fulfil" if values["dataset"] else "unfulfil"],
    )  # fmt: skip


# ---------------------------------------------------------------- differences between versions


@dataclass
class ChangeView:
    code: str
    title: str
    fields: list[tuple[str, str, str]]  # (label, before, after)


def _shown_value(v: Visit, name: str, value: object) -> str:
    if name == "organization_id":
        return v.org(str(value)).title
    if name == "due_on" and isinstance(value, date):
        return local_date(value, v.lang, style="long")
    if name == "update_frequency":
        return v.gettext(catalog.frequency_label(str(value)))
    return str(value)


@router.get("/selection/list/{number}/diff", response_class=HTMLResponse)
def diff_page(v: VisitDep, number: int) -> HTMLResponse:
    version = list_service.find_version(v.session, number)
    found = list_service.diff(v.session, version)

    def rows(items: list[Any]) -> list[ItemRow]:
        return [
            ItemRow(i.code, i.title, v.org(i.organization_id), i.due_on, i.update_frequency, None)
            for i in items
        ]

    changed = [
        ChangeView(
            c.code,
            c.title,
            [
                (
                    v.gettext(DIFF_FIELD_LABELS[name]),
                    _shown_value(v, name, before),
                    _shown_value(v, name, after),
                )
                for name, (before, after) in c.fields.items()
            ],
        )
        for c in found.changed
    ]
    return v.page(
        "selection/diff.html",
        version=version,
        old=found.old,
        added=rows(found.added),
        removed=rows(found.removed),
        changed=changed,
        unchanged=found.unchanged,
    )


# ---------------------------------------------------------------- compliance


@dataclass
class CardRow:
    organization: OrgRef
    counts: dict[str, int]
    total: int
    rate: str
    share: float | None


def _card_rows(v: Visit, cards: list[list_service.Scorecard]) -> list[CardRow]:
    return [
        CardRow(v.org(c.organization_id), c.counts, c.total, percent(c.rate, v.lang), c.rate) for c in cards
    ]


def _totals(statuses: list[list_service.ItemStatus]) -> list_service.Scorecard:
    card = list_service.Scorecard("", {k: 0 for k in list_service.STATUSES}, len(statuses))
    for s in statuses:
        card.counts[s.status] += 1
    return card


@router.get("/selection/compliance", response_class=HTMLResponse)
def compliance_page(v: VisitDep) -> HTMLResponse:
    _ = v.gettext
    statuses = list_service.compliance(v.session, v.today, timezone=v.profile.timezone)
    cards = _card_rows(v, list_service.scorecards(statuses))
    rated = [c for c in cards if c.share is not None]
    chart = bar_chart(
        "rates",
        _("Published on time (%), by organization"),
        _("Organization"),
        _("Published on time (%)"),
        [(c.organization.title, round((c.share or 0) * 100, 1)) for c in rated],
        scale=100,
        note=_("Of the items due by today: the share published by its due date and kept up to date."),
    )
    total = _totals(statuses)
    return v.page(
        "selection/compliance.html",
        cards=cards,
        chart=chart if rated else None,
        total=total,
        rate=percent(total.rate, v.lang),
        version=list_service.current_version(v.session),
        statuses=list_service.STATUSES,
    )


def _month(day: date, lang: str) -> str:
    try:
        return format_date(day, "LLL y", locale=lang)
    except (ValueError, LookupError):
        return day.strftime("%Y-%m")


def _trend_chart(v: Visit, statuses: list[list_service.ItemStatus]) -> BarChart | None:
    """The share published on time at the end of each of the last twelve months, from the first month in
    which an item was due (None when none was)."""
    _ = v.gettext
    points = list_service.trend(statuses, v.today)
    while points and not points[0].due:
        points = points[1:]
    if not points:
        return None
    return bar_chart(
        "trend",
        _("Published on time, month by month"),
        _("Month"),
        _("Published on time (%)"),
        [(_month(p.month, v.lang), round(100 * p.on_time / p.due, 1)) for p in points],
        scale=100,
        note=_("At the end of each month: the share of the items due by then that were published in time."),
        details=(_("Published on time / due"), [f"{p.on_time} / {p.due}" for p in points]),
    )


@router.get("/selection/compliance/{name}", response_class=HTMLResponse)
def organization_compliance(v: VisitDep, name: str) -> HTMLResponse:
    org = catalog.get_organization(v.session, v.actor, name)
    statuses = list_service.compliance(
        v.session, v.today, organization_id=org.id, timezone=v.profile.timezone
    )
    version = list_service.current_version(v.session)
    rows = []
    if version is not None:
        by_code = {s.item.code: s for s in statuses}
        for row in _item_rows(v, version, with_status=True):
            if row.code in by_code:
                rows.append(row)
    total = _totals(statuses)
    return v.page(
        "selection/organization.html",
        org=v.org(org.id),
        rows=rows,
        chart=_trend_chart(v, statuses),
        total=total,
        rate=percent(total.rate, v.lang),
        statuses=list_service.STATUSES,
        version=version,
    )


# ---------------------------------------------------------------- unmet demand


@router.get("/selection/unmet", response_class=HTMLResponse)
def unmet_page(v: VisitDep) -> HTMLResponse:
    # as the public finds the catalog (and as the API says): an official's private dataset meets no demand
    topics = service.unmet_demand(v.session, ANONYMOUS, v.profile, v.today)
    rows = [
        (
            t,
            "/selection/proposals/new?"
            + urlencode({"title": t.topic[:1].upper() + t.topic[1:], "keywords": t.topic}),
        )
        for t in topics
    ]
    return v.page("selection/unmet.html", rows=rows, weights=v.rules.weights)


# ---------------------------------------------------------------- on an organization's page


@register_panel("organization")
def compliance_link(
    request: Request, *, session: Session, profile: Profile, organization: Any, **_: Any
) -> Markup:
    """A link from an organization's page to its compliance with the unified list, with its item count."""
    gettext = translator(get_lang(request))
    today = service.local_today(profile, get_settings(request).clock)
    items = len(
        list_service.compliance(session, today, organization_id=organization.id, timezone=profile.timezone)
    )
    return Markup('<li><a href="/selection/compliance/{}">{}</a> ({})</li>').format(
        organization.name, gettext("Open data list: compliance"), items
    )
