"""The pages of ideas and dataset requests: the list with its filters, the form that posts one, an idea with
its support box (one support per person), its comments, the answer of the organization asked and the
moderators' tools; and the moderators' page: the anomaly report (bursts of supports from new accounts, many
accounts behind one address) with voiding supports, hidden ideas and use cases to show again, and the
liveness check of the use cases run now. Every page works without JavaScript; HTMX only swaps an idea's
support box in place."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from functools import cached_property
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from derek.catalog import service as catalog
from derek.core import jobs
from derek.core.authz import can
from derek.core.errors import Conflict, Forbidden, Invalid, NotFound
from derek.quality import service as quality
from derek.reuse import liveness_service, service
from derek.reuse.models import IDEA_KINDS, Idea
from derek.web.account_views import FormDep
from derek.web.deps import ActorDep, LangDep, ProfileDep, SessionDep, get_settings
from derek.web.forms import FieldErrors, from_domain, text, texts
from derek.web.pages import HTMX_PATH, env, flash, render
from derek.web.security import check_csrf, csrf_token
from derek.web.visit import OrgRef, pagination, to_login
from derek.web.visit import Visit as BaseVisit

router = APIRouter(include_in_schema=False)

PER_PAGE = 20
MAX_TITLE = 300
MAX_COMMENT = 5000

# ---------------------------------------------------------------- msgids (English) of what the pages say

KIND_LABELS = {"idea": "Idea", "dataset_request": "Dataset request"}
KIND_BADGES = {"idea": "badge-admin", "dataset_request": "badge-running"}
KIND_HINTS = {
    "idea": "Something to build or do with the portal's data.",
    "dataset_request": "Data you would like an organization to publish.",
}
STATUS_LABELS = {"open": "Awaiting an answer", "answered": "Answered", "hidden": "Hidden by a moderator"}
STATUS_BADGES = {"open": "badge-draft", "answered": "badge-published", "hidden": "badge-deleted"}
SORT_LABELS = {"supported": "Most supported", "new": "Newest"}
JOB_STATUS_LABELS = {
    "queued": "Queued to run",
    "running": "Checking now",
    "succeeded": "Checked",
    "failed": "The check failed",
}
JOB_STATUS_BADGES = {
    "queued": "badge-draft",
    "running": "badge-running",
    "succeeded": "badge-published",
    "failed": "badge-deleted",
}
# what a page says once a form has done its work (the flash)
DONE = {
    "idea": "Your idea is posted: anyone signed in can support it and comment on it now.",
    "support": "Your support is counted.",
    "support_again": "You support this idea already: each person counts once.",
    "unsupport": "Your support was withdrawn.",
    "comment": "Your comment is posted.",
    "answer": "The answer is published.",
    "hide": "The idea is hidden: only its author and the moderators see it now.",
    "show": "The idea is shown again.",
    "comment_hide": "The comment is hidden: only the moderators see it now.",
    "comment_show": "The comment is shown again.",
    "void": "Supports voided: {count}.",
    "use_case_show": "The use case is shown again.",
    "check": "The check of every use case is queued: its state is shown below.",
}
# ... next to a field the service refused, per form (its own words name fields in English)
FIELD_MESSAGES: dict[str, dict[str, str]] = {
    "idea": {
        "kind": "Choose whether it is an idea or a dataset request.",
        "title": "Give the title (at most 300 characters).",
        "body": "This text is too long: at most 20,000 characters.",
        "keywords": "Give at most 10 keywords, separated by commas.",
        "organization": "Choose an organization from the list.",
    },
    "comment": {"body": "Write the comment (at most 5,000 characters)."},
    "answer": {
        "answer": "Write the answer (at most 20,000 characters).",
        "dataset": "There is no dataset with this URL name on the portal.",
    },
    "moderate": {"note": "Give the reason: the author sees it (at most 2,000 characters)."},
    "void": {
        "reason": "Give the reason (at most 2,000 characters).",
        "accounts": "Choose at least one account.",
    },
}


# ---------------------------------------------------------------- what every page works with


class Visit(BaseVisit):
    """A page of ideas or moderation: the visit with the organizations, the moderator's right and the
    caller's address as a keyed hash."""

    def org(self, organization_id: str | None) -> OrgRef | None:
        return self.find_org(organization_id)

    def org_options(self) -> list[tuple[str, str]]:
        return [(o.name, o.title) for o in self.organizations.values()]

    @cached_property
    def may_moderate(self) -> bool:
        return service.may_moderate(self.session, self.actor, self.profile)

    @property
    def address(self) -> str:
        """The caller's address as the portal's keyed hash (the anomaly report groups by it)."""
        client = self.request.client
        secret = get_settings(self.request).effective_secret_key()
        return service.address_key(secret, client.host if client else None)

    def mask(self, value: str) -> str:
        """What people typed, with identity numbers, e-mail addresses and phone numbers masked."""
        return quality.mask_text(value, self.profile)

    def page(self, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
        labels = {
            "kind_labels": KIND_LABELS,
            "kind_badges": KIND_BADGES,
            "status_labels": STATUS_LABELS,
            "status_badges": STATUS_BADGES,
            "may_moderate": self.may_moderate,
        }
        return render(self.request, template, status_code=status_code, **labels, **context)


def get_visit(
    request: Request, session: SessionDep, actor: ActorDep, profile: ProfileDep, lang: LangDep
) -> Visit:
    return Visit(request, session, actor, profile, lang)


VisitDep = Annotated[Visit, Depends(get_visit)]


def _submitted(v: Visit, form: FormData, *names: str) -> dict[str, str]:
    """The form's fields as typed, once its CSRF token is checked."""
    check_csrf(v.request, text(form, "csrf_token"))
    return {name: text(form, name) for name in names}


def _errors(form: str, exc: Invalid | Conflict) -> FieldErrors:
    """The service's errors in the page's words: a field's own message from FIELD_MESSAGES."""
    messages = FIELD_MESSAGES.get(form, {})
    found: FieldErrors = {}
    for key, said in from_domain(exc).items():
        if key == "form":
            found.setdefault("form", []).extend(said)
        else:
            found[key] = [messages.get(key, said[0])]
    return found


def _shown(errors: dict[str, FieldErrors] | None, item: str = "") -> dict[str, FieldErrors]:
    """Errors keyed as the templates look for them: f-<form>-<field>, or f-<form>-<item>-<field> for a form
    repeated per item."""
    shown = {}
    for form, errs in (errors or {}).items():
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
    except (Invalid, Conflict) as exc:
        v.session.rollback()
        return again({form: _errors(form, exc)}, 409 if isinstance(exc, Conflict) else 422)
    v.session.commit()
    flash(v.request, done or DONE[form])
    return RedirectResponse(done_url, status_code=303)


# ---------------------------------------------------------------- the list


@dataclass
class IdeaRow:
    id: int
    kind: str
    status: str
    title: str
    organization: OrgRef | None
    created_at: datetime
    supports: int
    comments: int


@router.get("/reuse/ideas", response_class=HTMLResponse)
def ideas_page(
    v: VisitDep,
    q: Annotated[str, Query(max_length=200)] = "",
    kind: Annotated[str, Query(max_length=20)] = "",
    status: Annotated[str, Query(max_length=20)] = "",
    organization: Annotated[str, Query(max_length=100)] = "",
    sort: Annotated[str, Query(max_length=20)] = "supported",
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> HTMLResponse:
    """Ideas and dataset requests, most supported (or newest) first, with plain GET filters."""
    kind = kind if kind in IDEA_KINDS else ""
    status = status if status in ("open", "answered") else ""
    organization = organization if organization in {o.name for o in v.organizations.values()} else ""
    sort = sort if sort in SORT_LABELS else "supported"
    query = service.IdeaQuery(
        q=q, kind=kind, status=status, organization=organization, sort=sort, page=page, per_page=PER_PAGE
    )
    found = service.list_ideas(v.session, query)
    rows = [
        IdeaRow(
            i.id,
            i.kind,
            i.status,
            v.mask(i.title),
            v.org(i.organization_id),
            i.created_at,
            found.supports.get(i.id, 0),
            found.comments.get(i.id, 0),
        )
        for i in found.items
    ]
    return v.page(
        "reuse/idea_list.html",
        rows=rows,
        total=found.total,
        q=q,
        kind=kind,
        status=status,
        organization=organization,
        sort=sort,
        organizations=v.org_options(),
        sort_labels=SORT_LABELS,
        filtered=bool(q or kind or status or organization),
        **pagination(v.request, page, found.total, PER_PAGE),
    )


# ---------------------------------------------------------------- posting an idea

IDEA_FIELDS = ("kind", "title", "body", "keywords", "organization")


def _lower_first(value: str) -> str:
    return value[:1].lower() + value[1:]


def _idea_form(
    v: Visit, values: dict[str, str], *, errors: dict[str, FieldErrors] | None = None, status_code: int = 200
) -> HTMLResponse:
    _ = v.gettext
    return v.page(
        "reuse/idea_form.html",
        status_code=status_code,
        values=values,
        errors=_shown(errors).get("idea", {}),
        organizations=v.org_options(),
        kind_options=[(k, f"{_(KIND_LABELS[k])}: {_lower_first(_(KIND_HINTS[k]))}") for k in IDEA_KINDS],
    )


@router.get("/reuse/ideas/new", response_class=HTMLResponse)
def new_idea_page(
    v: VisitDep,
    kind: Annotated[str, Query(max_length=20)] = "",
    title: Annotated[str, Query(max_length=MAX_TITLE)] = "",
    organization: Annotated[str, Query(max_length=100)] = "",
) -> Response:
    """The form, filled from the address (an organization's page may link here with its name)."""
    if not v.actor.authenticated:
        return to_login(v.request)
    values = dict.fromkeys(IDEA_FIELDS, "") | {
        "kind": kind if kind in IDEA_KINDS else "idea",
        "title": title,
        "organization": organization if organization in {o.name for o in v.organizations.values()} else "",
    }
    return _idea_form(v, values)


@router.post("/reuse/ideas/new", response_class=HTMLResponse)
def create_idea(v: VisitDep, submitted: FormDep) -> Response:
    values = _submitted(v, submitted, *IDEA_FIELDS)
    if not v.actor.authenticated:
        return to_login(v.request, "/reuse/ideas/new")
    created: list[Idea] = []

    def step() -> None:
        messages = FIELD_MESSAGES["idea"]
        errors: FieldErrors = {}  # every field at once; the service checks again
        if values["kind"] not in IDEA_KINDS:
            errors["kind"] = [messages["kind"]]
        if not values["title"] or len(values["title"]) > MAX_TITLE:
            errors["title"] = [messages["title"]]
        if len(values["body"]) > service.MAX_TEXT:
            errors["body"] = [messages["body"]]
        if values["organization"] and values["organization"] not in {
            o.name for o in v.organizations.values()
        }:
            errors["organization"] = [messages["organization"]]
        if errors:
            raise Invalid("The idea is not complete.", errors=errors)
        data = service.IdeaData(
            title=values["title"],
            body=values["body"],
            kind=values["kind"],
            keywords=values["keywords"],
            organization=values["organization"],
        )
        created.append(service.create_idea(v.session, v.actor, v.profile, data, address=v.address))

    try:
        step()
    except Invalid as exc:
        v.session.rollback()
        return _idea_form(v, values, errors={"idea": _errors("idea", exc)}, status_code=422)
    idea_id = created[0].id
    v.session.commit()
    flash(v.request, DONE["idea"])
    return RedirectResponse(f"/reuse/ideas/{idea_id}", status_code=303)


# ---------------------------------------------------------------- an idea's page


@dataclass
class CommentView:
    id: int
    author: str
    at: datetime
    body: str
    hidden: bool


@dataclass
class DatasetLink:
    name: str
    title: str


def _dataset_link(v: Visit, dataset_id: str | None) -> DatasetLink | None:
    """The dataset an answer names, when the visitor may see it."""
    if not dataset_id:
        return None
    try:
        dataset = catalog.find_visible_dataset(v.session, v.actor, dataset_id)
    except NotFound:
        return None
    return DatasetLink(dataset.slug, v.title(dataset.title) or dataset.slug)


def _support_context(v: Visit, idea: Idea) -> dict[str, Any]:
    return {
        "idea": idea,
        "supports": service.support_counts(v.session, [idea.id]).get(idea.id, 0),
        "supported": service.has_supported(v.session, v.actor, idea),
    }


def _idea_page(
    v: Visit,
    idea_id: int | str,
    *,
    errors: dict[str, FieldErrors] | None = None,
    values: dict[str, dict[str, str]] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    idea = service.get_idea(v.session, v.actor, v.profile, idea_id)
    comments = service.comments_of(v.session, v.actor, v.profile, idea)
    names = service.display_names(v.session, [idea.author_id, *(c.author_id for c in comments)])
    dataset = _dataset_link(v, idea.dataset_id)
    answer_values = {
        "answer": idea.answer,
        "dataset": dataset.name if dataset else "",
    } | (values or {}).get("answer", {})
    return v.page(
        "reuse/idea.html",
        status_code=status_code,
        **_support_context(v, idea),
        idea_title=v.mask(idea.title),
        idea_body=v.mask(idea.body),
        answer_text=v.mask(idea.answer),
        author=names.get(idea.author_id or "", ""),
        organization=v.org(idea.organization_id),
        dataset=dataset,
        comments=[
            CommentView(c.id, names.get(c.author_id or "", ""), c.at, v.mask(c.body), c.hidden)
            for c in comments
        ],
        is_author=v.actor.user_id is not None and v.actor.user_id == idea.author_id,
        may_answer=idea.status != "hidden" and service.may_answer(v.session, v.actor, v.profile, idea),
        errors=_shown(errors),
        values=(values or {}) | {"answer": answer_values},
        htmx_path=HTMX_PATH,
    )


@router.get("/reuse/ideas/{idea_id}", response_class=HTMLResponse)
def idea_page(v: VisitDep, idea_id: str) -> HTMLResponse:
    return _idea_page(v, idea_id)


def _support_box(v: Visit, idea_id: str) -> HTMLResponse:
    """The support box alone, for HTMX (not through render(): a fragment must not take the pending flash)."""
    idea = service.get_idea(v.session, v.actor, v.profile, idea_id)
    html = env.get_template("reuse/idea_support.html").render(
        _=v.gettext,
        lang=v.lang,
        actor=v.actor,
        csrf_token=csrf_token(v.request),
        message=v.request.session.pop("flash", None),
        **_support_context(v, idea),
    )
    return HTMLResponse(html)


def _to_login_from(v: Visit, page: str) -> Response:
    """A visitor who is not signed in: to the login page (HTMX follows with a whole-page visit)."""
    if v.request.headers.get("HX-Request"):
        return Response(
            status_code=204, headers={"HX-Redirect": to_login(v.request, page).headers["location"]}
        )
    return to_login(v.request, page)


@router.post("/reuse/ideas/{idea_id}/support", response_class=HTMLResponse)
def support(v: VisitDep, idea_id: str, submitted: FormDep) -> Response:
    _submitted(v, submitted)
    if not v.actor.authenticated:
        return _to_login_from(v, f"/reuse/ideas/{idea_id}")
    idea, counted = service.add_idea_support(v.session, v.actor, idea_id, address=v.address)
    page = f"/reuse/ideas/{idea.id}"
    v.session.commit()
    flash(v.request, DONE["support"] if counted else DONE["support_again"])
    if v.request.headers.get("HX-Request"):
        return _support_box(v, idea_id)
    return RedirectResponse(f"{page}#support", status_code=303)


@router.post("/reuse/ideas/{idea_id}/unsupport", response_class=HTMLResponse)
def unsupport(v: VisitDep, idea_id: str, submitted: FormDep) -> Response:
    _submitted(v, submitted)
    if not v.actor.authenticated:
        return _to_login_from(v, f"/reuse/ideas/{idea_id}")
    idea = service.remove_idea_support(v.session, v.actor, idea_id)
    page = f"/reuse/ideas/{idea.id}"
    v.session.commit()
    flash(v.request, DONE["unsupport"])
    if v.request.headers.get("HX-Request"):
        return _support_box(v, idea_id)
    return RedirectResponse(f"{page}#support", status_code=303)


def _on_idea(
    v: Visit, idea_id: str, form: str, values: dict[str, str], step: Callable[[], object], *, anchor: str = ""
) -> Response:
    def again(errors: dict[str, FieldErrors], status: int) -> Response:
        return _idea_page(v, idea_id, errors=errors, values={form: values}, status_code=status)

    number = service.find_idea(v.session, idea_id).id
    return _act(v, form, step, f"/reuse/ideas/{number}{anchor}", again)


@router.post("/reuse/ideas/{idea_id}/comments", response_class=HTMLResponse)
def add_comment(v: VisitDep, idea_id: str, submitted: FormDep) -> Response:
    values = _submitted(v, submitted, "body")
    if not v.actor.authenticated:
        return to_login(v.request, f"/reuse/ideas/{idea_id}")
    posted: list[int] = []

    def step() -> None:
        if not values["body"] or len(values["body"]) > MAX_COMMENT:
            message = FIELD_MESSAGES["comment"]["body"]
            raise Invalid(message, errors={"body": [message]})
        comment = service.add_comment(v.session, v.actor, idea_id, values["body"], address=v.address)
        posted.append(comment.id)

    def again(errors: dict[str, FieldErrors], status: int) -> Response:
        return _idea_page(v, idea_id, errors=errors, values={"comment": values}, status_code=status)

    number = service.find_idea(v.session, idea_id).id
    try:
        step()
    except Invalid as exc:
        v.session.rollback()
        return again({"comment": _errors("comment", exc)}, 422)
    v.session.commit()
    flash(v.request, DONE["comment"])
    return RedirectResponse(f"/reuse/ideas/{number}#comment-{posted[0]}", status_code=303)


@router.post("/reuse/ideas/{idea_id}/answer", response_class=HTMLResponse)
def answer(v: VisitDep, idea_id: str, submitted: FormDep) -> Response:
    values = _submitted(v, submitted, "answer", "dataset")
    if not v.actor.authenticated:
        return to_login(v.request, f"/reuse/ideas/{idea_id}")

    def step() -> None:
        service.set_answer(v.session, v.actor, v.profile, idea_id, values["answer"], values["dataset"])

    return _on_idea(v, idea_id, "answer", values, step, anchor="#answer")


@router.post("/reuse/ideas/{idea_id}/moderate", response_class=HTMLResponse)
def moderate_idea(v: VisitDep, idea_id: str, submitted: FormDep) -> Response:
    """A moderator hides the idea with the reason, or shows it again (from its page or the moderators')."""
    values = _submitted(v, submitted, "action", "note", "back")
    if not v.actor.authenticated:
        return to_login(v.request, f"/reuse/ideas/{idea_id}")
    shown = values["action"] == "show"

    def step() -> None:
        service.set_idea_moderation(v.session, v.actor, v.profile, idea_id, shown=shown, note=values["note"])

    if values["back"] == "moderation":
        done_url = "/reuse/moderation#hidden-ideas"
    else:
        done_url = f"/reuse/ideas/{service.find_idea(v.session, idea_id).id}"

    def again(errors: dict[str, FieldErrors], status: int) -> Response:
        return _idea_page(v, idea_id, errors=errors, values={"moderate": values}, status_code=status)

    return _act(v, "moderate", step, done_url, again, done=DONE["show" if shown else "hide"])


@router.post("/reuse/ideas/{idea_id}/comments/{comment_id}/moderate", response_class=HTMLResponse)
def moderate_comment(v: VisitDep, idea_id: str, comment_id: str, submitted: FormDep) -> Response:
    values = _submitted(v, submitted, "action")
    if not v.actor.authenticated:
        return to_login(v.request, f"/reuse/ideas/{idea_id}")
    hidden = values["action"] != "show"
    comment = service.set_comment_hidden(v.session, v.actor, v.profile, comment_id, hidden)
    where = f"/reuse/ideas/{comment.idea_id}#comment-{comment.id}"
    v.session.commit()
    flash(v.request, DONE["comment_hide" if hidden else "comment_show"])
    return RedirectResponse(where, status_code=303)


# ---------------------------------------------------------------- the moderators' page


@dataclass
class AnomalyView:
    item: str  # the form's key on the page
    kind: str
    idea_id: int
    idea_title: str
    count: int
    first_at: datetime
    last_at: datetime
    accounts: list[str]
    day: date | None  # the burst's day
    code: str  # the first characters of the address's keyed hash


@dataclass
class HiddenView:
    id: int
    title: str
    note: str
    at: datetime


@dataclass
class JobView:
    id: str
    status: str
    created_at: datetime
    finished_at: datetime | None
    done: int
    total: int
    message: str
    error: str
    readable: bool  # whether the moderator may open its JSON


def _moderator(v: Visit) -> Response | None:
    """Anonymous visitors go to the login page; others who are not moderators get 403."""
    if not v.actor.authenticated:
        return to_login(v.request, "/reuse/moderation")
    if not v.may_moderate:
        raise Forbidden("Only the portal's moderators see this page.")
    return None


def _moderation_page(
    v: Visit,
    *,
    errors: dict[str, FieldErrors] | None = None,
    values: dict[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    clock = get_settings(v.request).clock
    found = service.anomaly_report(v.session, v.actor, v.profile, clock)
    anomalies = [
        AnomalyView(
            f"{a.kind}-{a.idea_id}-{a.day or a.address[:12]}",
            a.kind,
            a.idea_id,
            v.mask(a.idea_title),
            a.count,
            a.first_at,
            a.last_at,
            a.accounts,
            date.fromisoformat(a.day) if a.day else None,
            a.address[:12],
        )
        for a in found
    ]
    ideas, use_cases = service.hidden_items(v.session, v.actor, v.profile)
    hidden_ideas = [HiddenView(i.id, v.mask(i.title), i.moderation_note, i.updated_at) for i in ideas]
    hidden_use_cases = [
        HiddenView(u.id, v.title(u.title), u.moderation_note, u.updated_at) for u in use_cases
    ]
    job = jobs.latest_for(v.session, liveness_service.CHECK_JOB, "use_cases")
    job_view = (
        JobView(
            job.id,
            job.status,
            job.created_at,
            job.finished_at,
            job.done,
            job.total,
            job.message,
            job.error,
            can(v.actor, "job.read", job),
        )
        if job
        else None
    )
    rules = service.rules_for(v.profile)
    return v.page(
        "reuse/moderation.html",
        status_code=status_code,
        anomalies=anomalies,
        rules=rules,
        hidden_ideas=hidden_ideas,
        hidden_use_cases=hidden_use_cases,
        job=job_view,
        job_status_labels=JOB_STATUS_LABELS,
        job_status_badges=JOB_STATUS_BADGES,
        errors=_shown(errors, (values or {}).get("item", "")),
        values=values or {},
    )


@router.get("/reuse/moderation", response_class=HTMLResponse)
def moderation_page(v: VisitDep) -> Response:
    return _moderator(v) or _moderation_page(v)


@router.post("/reuse/moderation/void", response_class=HTMLResponse)
def void_supports(v: VisitDep, submitted: FormDep) -> Response:
    """A moderator voids the supports of the accounts chosen in one anomaly, with the reason."""
    values = _submitted(v, submitted, "idea", "reason", "item")
    accounts = texts(submitted, "accounts")
    refused = _moderator(v)
    if refused is not None:
        return refused
    removed: list[int] = []

    def step() -> None:
        removed.append(
            service.remove_supports(v.session, v.actor, v.profile, values["idea"], accounts, values["reason"])
        )

    def again(errors: dict[str, FieldErrors], status: int) -> Response:
        return _moderation_page(
            v, errors=errors, values=values | {"accounts": ",".join(accounts)}, status_code=status
        )

    try:
        step()
    except Invalid as exc:
        v.session.rollback()
        return again({"void": _errors("void", exc)}, 422)
    v.session.commit()
    flash(v.request, v.gettext(DONE["void"], count=removed[0]))
    return RedirectResponse("/reuse/moderation#anomalies", status_code=303)


@router.post("/reuse/moderation/use-cases/{use_case_id}/show", response_class=HTMLResponse)
def show_use_case(v: VisitDep, use_case_id: str, submitted: FormDep) -> Response:
    _submitted(v, submitted)
    refused = _moderator(v)
    if refused is not None:
        return refused
    service.set_use_case_moderation(v.session, v.actor, v.profile, use_case_id, shown=True)
    v.session.commit()
    flash(v.request, DONE["use_case_show"])
    return RedirectResponse("/reuse/moderation#hidden-use-cases", status_code=303)


@router.post("/reuse/moderation/liveness", response_class=HTMLResponse)
def run_liveness_check(v: VisitDep, submitted: FormDep) -> Response:
    _submitted(v, submitted)
    refused = _moderator(v)
    if refused is not None:
        return refused
    liveness_service.queue_check(v.session, v.actor, v.profile)
    v.session.commit()
    flash(v.request, DONE["check"])
    return RedirectResponse("/reuse/moderation#liveness", status_code=303)
