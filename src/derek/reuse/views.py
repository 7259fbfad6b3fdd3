"""The pages of reuse's use cases: the overview with the liveness monitor's split (live, degraded, dead,
prototype, not checked yet), the list with its filters, a use case's page with its datasets, screenshots and
check history, the form that submits or changes one, its screenshots and moderation, and the panels on
dataset and organization pages. Every page works without JavaScript: filters are links and GET forms,
changes are plain POST forms."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Annotated, Any
from urllib.parse import unquote, urlencode, urlsplit

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from markupsafe import Markup
from sqlalchemy.orm import Session
from starlette.datastructures import FormData, UploadFile

from derek.catalog import service as catalog
from derek.config import Profile
from derek.core import storage
from derek.core.authz import Actor
from derek.core.errors import Forbidden, Invalid, NotFound, TooLarge
from derek.core.i18n import pick, translator
from derek.reuse import liveness_service, service
from derek.reuse.models import USE_CASE_KINDS, LivenessCheck, Screenshot, UseCase
from derek.web.account_views import FormDep
from derek.web.charts import bar_chart
from derek.web.deps import ActorDep, LangDep, ProfileDep, SessionDep, StoreDep, get_lang
from derek.web.formatting import local_number
from derek.web.forms import FieldErrors, checked, from_domain, text, texts
from derek.web.pages import LANGUAGE_NAMES, env, flash, render, url_with
from derek.web.panels import register as register_panel
from derek.web.security import check_csrf
from derek.web.visit import Visit as BaseVisit
from derek.web.visit import pagination, percent, to_login

router = APIRouter(include_in_schema=False)

PER_PAGE = 20
STORE_ROWS = 3  # store link rows the form offers (more when a use case has more, up to the service's limit)
PANEL_LIMIT = 6  # use cases listed on a dataset's page

# ---------------------------------------------------------------- msgids (English) of what the pages say

KIND_LABELS = {
    "app": "App",
    "service": "Service",
    "visualisation": "Visualisation",
    "article": "Article",
    "research": "Research",
    "other": "Other",
}
STATE_LABELS = {
    "live": "Live",
    "degraded": "Degraded",
    "dead": "Dead",
    "prototype": "Prototype",
    "unchecked": "Not checked yet",
}
STATE_BADGES = {
    "live": "badge-live",
    "degraded": "badge-degraded",
    "dead": "badge-dead",
    "prototype": "badge-prototype",
    "unchecked": "badge-unchecked",
}
STATE_HINTS = {
    "live": "Its address answers, and so do its store links.",
    "degraded": "It answers, but a store link is broken, or its server failed at the latest check.",
    "dead": "Its address is gone, or it failed check after check.",
    "prototype": "Its publisher says it is a prototype, not a finished product.",
    "unchecked": "The portal has not checked its address yet.",
}
STORE_LABELS = {"google_play": "Google Play", "app_store": "App Store", "other": "Other store"}
CHECK_ROLE_LABELS = {"url": "Web address", **STORE_LABELS}
DONE = {
    "create": "Thank you: the use case is published. The portal checks its address once a day.",
    "update": "The use case is saved.",
    "delete": "The use case was deleted.",
    "screenshot": "The screenshot is added.",
    "screenshot_remove": "The screenshot was removed.",
    "hide": "The use case is hidden: only its submitter and the moderators see it.",
    "show": "The use case is shown again.",
}
# next to a field the service refused (its own words are English and name its rules)
FIELD_MESSAGES = {
    "title": "Give the title in at least one language.",
    "title_long": "This title is too long: at most 300 characters.",
    "description": "Describe it in at least one language.",
    "description_short": "Say what it does and with which data, in at least {count} characters.",
    "description_long": "This description is too long: at most {count} characters.",
    "kind": "Choose what kind of use case it is.",
    "author": "Say who made it: a person, a company or a team.",
    "contact": "Give an e-mail address, e.g. team@example.kz: the portal writes there when it stops working.",
    "url": "Give a web address starting with http:// or https://.",
    "url_missing": "Give the web address where it can be seen, or a store link.",
    "store_link": "Give a store link starting with http:// or https://.",
    "store": "Choose the store.",
    "topics": "Choose the topics from the list.",
    "datasets": "Name at least one dataset of the portal that it uses.",
    "datasets_many": "Name at most {count} datasets.",
    "dataset_unknown": "There is no dataset “{name}” on the portal: give the name from its address, "
    "/dataset/<name>.",
    "file": "Choose a PNG, JPEG or WebP picture.",
    "file_size": "The picture is too large: at most {size} MB.",
    "file_pixels": "The picture must be between 50 and 10,000 pixels a side.",
    "file_count": "A use case has at most {count} screenshots: remove one first.",
    "caption": "The caption is too long: at most 300 characters.",
    "note": "Give the reason for hiding it: its submitter sees it.",
}
DATASET_ADDRESS = re.compile(r"/dataset/([^/?#\s]+)")


# ---------------------------------------------------------------- what every page works with


class Visit(BaseVisit):
    """A page of reuse: the visit with the profile's reuse rules and the labels of its pages."""

    @cached_property
    def rules(self) -> service.ReuseRules:
        return service.rules_for(self.profile)

    @cached_property
    def moderator(self) -> bool:
        return self.actor.authenticated and service.may_moderate(self.session, self.actor, self.profile)

    def localized(self, value: dict[str, str] | None) -> tuple[str, str]:
        """(text, its language): the page language's text, else the first other language that has one."""
        given = value or {}
        for code in (*self.fallback, *given):
            if given.get(code):
                return given[code], code
        return "", self.lang

    def theme_title(self, code: str) -> str:
        theme = self.profile.theme(code)
        return self.title(theme.title) if theme else code

    @cached_property
    def themes(self) -> list[tuple[str, str]]:
        found = [(t.code, self.title(t.title)) for t in self.profile.themes]
        return sorted(found, key=lambda t: t[1].casefold())

    def page(self, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
        labels = {
            "kind_labels": KIND_LABELS,
            "state_labels": STATE_LABELS,
            "state_badges": STATE_BADGES,
            "state_hints": STATE_HINTS,
            "store_labels": STORE_LABELS,
            "moderator": self.moderator,
            "grace_days": self.rules.grace_days,
        }
        return render(self.request, template, status_code=status_code, **labels, **context)


def get_visit(
    request: Request, session: SessionDep, actor: ActorDep, profile: ProfileDep, lang: LangDep
) -> Visit:
    return Visit(request, session, actor, profile, lang)


VisitDep = Annotated[Visit, Depends(get_visit)]


# ---------------------------------------------------------------- how a use case is shown


@dataclass
class DatasetRef:
    name: str
    title: str


@dataclass
class ShotView:
    id: int
    src: str
    alt: str
    caption: str
    width: int
    height: int


@dataclass
class Card:
    """A use case as the lists show it."""

    id: int
    title: str
    title_lang: str
    summary: str
    summary_lang: str
    kind: str
    state: str
    author: str
    retired: bool
    hidden: bool
    datasets: list[DatasetRef]
    thumbnail: ShotView | None
    created_at: datetime


def _shot_view(v: Visit, shot: Screenshot, title: str) -> ShotView:
    alt = shot.caption or v.gettext("Screenshot of {title}", title=title)
    return ShotView(shot.id, f"/reuse/screenshots/{shot.id}", alt, shot.caption, shot.width, shot.height)


def _datasets(v: Visit, use_case: UseCase) -> list[DatasetRef]:
    return [
        DatasetRef(d.name, v.title(d.title) or d.name)
        for d in service.datasets_of(v.session, v.actor, use_case)
    ]


def _card(v: Visit, use_case: UseCase) -> Card:
    title, title_lang = v.localized(use_case.title)
    summary, summary_lang = v.localized(use_case.description)
    shots = service.screenshots_of(v.session, use_case)
    return Card(
        use_case.id, title, title_lang, summary, summary_lang, use_case.kind, service.state_of(use_case),
        use_case.author, service.retired(use_case, v.rules, v.now), use_case.moderation != "shown",
        _datasets(v, use_case), _shot_view(v, shots[0], title) if shots else None, use_case.created_at,
    )  # fmt: skip


def check_result(gettext: Callable[..., str], check: LivenessCheck) -> str:
    """What one check found, in the page language."""
    if check.http_status:
        return gettext("The server answered {status}", status=check.http_status)
    if check.ok:
        return gettext("Works")
    if check.error.startswith("No answer in time"):
        return gettext("No answer in time")
    if "does not resolve" in check.error or "could not be reached" in check.error:
        return gettext("The server could not be reached")
    return gettext("The address could not be checked")


# ---------------------------------------------------------------- the overview


@dataclass
class StateRow:
    state: str
    label: str
    hint: str
    count: int
    share: str


@router.get("/reuse", response_class=HTMLResponse)
def overview(v: VisitDep) -> HTMLResponse:
    """The study's table: how many use cases are live, degraded, dead, prototypes, not checked yet."""
    _ = v.gettext
    found = service.stats(v.session, v.profile, now=v.now)
    rows = [
        StateRow(
            state, _(STATE_LABELS[state]), _(STATE_HINTS[state]), found.by_state.get(state, 0),
            percent(found.by_state.get(state, 0) / found.total if found.total else None, v.lang),
        )
        for state in service.STATES
    ]  # fmt: skip
    chart = bar_chart(
        "states",
        _("Use cases by state"),
        _("State"),
        _("Use cases"),
        [(row.label, float(row.count)) for row in rows],
        note=_("The liveness monitor checks every use case's address once a day."),
    )
    kinds = [
        (kind, _(KIND_LABELS[kind]), found.by_kind.get(kind, 0))
        for kind in USE_CASE_KINDS
        if found.by_kind.get(kind, 0)
    ]
    newest = service.list_use_cases(
        v.session, v.actor, v.profile, service.UseCaseQuery(per_page=6), now=v.now
    )
    return v.page(
        "reuse/overview.html",
        stats=found,
        rows=rows,
        all_share=percent(1.0, v.lang),
        chart=chart if found.total else None,
        kinds=kinds,
        newest=[_card(v, u) for u in newest.items],
    )


# ---------------------------------------------------------------- the list


def _number(raw: str, default: int, low: int, high: int) -> int:
    try:
        return min(max(int(raw), low), high)
    except ValueError:
        return default


@router.get("/reuse/use-cases", response_class=HTMLResponse)
def use_cases_page(
    v: VisitDep,
    q: Annotated[str, Query(max_length=200)] = "",
    kind: Annotated[str, Query(max_length=20)] = "",
    topic: Annotated[str, Query(max_length=20)] = "",
    state: Annotated[str, Query(max_length=20)] = "",
    dataset: Annotated[str, Query(max_length=100)] = "",
    organization: Annotated[str, Query(max_length=100)] = "",
    show_all: Annotated[str, Query(alias="all", max_length=5)] = "",
    page: Annotated[str, Query(max_length=6)] = "1",
) -> HTMLResponse:
    kind = kind if kind in USE_CASE_KINDS else ""
    topic = topic if v.profile.theme(topic) else ""
    state = state if state in service.STATES else ""
    number = _number(page, 1, 1, 10_000)
    include_retired = show_all not in ("", "0")
    query = service.UseCaseQuery(
        q=q, kind=kind, topic=topic, state=state, dataset=dataset.strip(), organization=organization.strip(),
        include_retired=include_retired, page=number, per_page=PER_PAGE,
    )  # fmt: skip
    dataset_title = organization_title = ""
    unknown = ""
    try:
        if query.dataset:
            found = catalog.find_visible_dataset(v.session, v.actor, query.dataset)
            query.dataset, dataset_title = found.slug, v.title(found.title) or found.slug
        if query.organization:
            org = catalog.get_organization(v.session, v.actor, query.organization)
            query.organization, organization_title = org.name, v.title(org.title) or org.name
        result = service.list_use_cases(v.session, v.actor, v.profile, query, now=v.now)
    except NotFound:
        unknown = query.dataset if query.dataset and not dataset_title else query.organization
        result = service.UseCasePage([], 0, 0)
    organizations = sorted(
        ((o.name, v.title(o.title) or o.name) for o in catalog.list_organizations(v.session, v.actor)),
        key=lambda o: o[1].casefold(),
    )
    filtered = bool(q or kind or topic or state or dataset or organization)
    return v.page(
        "reuse/use_cases.html",
        cards=[_card(v, u) for u in result.items],
        total=result.total,
        retired_hidden=result.retired_hidden,
        show_retired_href=url_with(v.request, all="1", page=None),
        hide_retired_href=url_with(v.request, all=None, page=None),
        q=q,
        kind=kind,
        topic=topic,
        state=state,
        dataset=query.dataset if dataset_title else dataset,
        dataset_title=dataset_title,
        organization=query.organization if organization_title else organization,
        organization_title=organization_title,
        unknown=unknown,
        include_retired=include_retired,
        themes=v.themes,
        organizations=organizations,
        filtered=filtered,
        clear_dataset_href=url_with(v.request, dataset=None, page=None),
        clear_organization_href=url_with(v.request, organization=None, page=None),
        **pagination(v.request, number, result.total, PER_PAGE),
    )


# ---------------------------------------------------------------- the form


def _dataset_names(raw: str) -> list[str]:
    """Dataset names from what was typed: one per line or separated by commas; a pasted address of a
    dataset's page gives its name."""
    names: list[str] = []
    for piece in re.split(r"[,;\n]", raw):
        piece = piece.strip()
        if not piece:
            continue
        address = DATASET_ADDRESS.search(piece)
        name = unquote(address.group(1)) if address else piece.strip("/")
        if name and name not in names:
            names.append(name)
    return names


def _store_rows(count: int) -> int:
    return min(max(STORE_ROWS, count), service.MAX_STORE_LINKS)


def _form_values(v: Visit, form: FormData) -> dict[str, Any]:
    """What was typed, kept as typed for the form shown again."""
    values: dict[str, Any] = {
        "title": {lang: text(form, f"title_{lang}") for lang in v.profile.languages},
        "description": {lang: text(form, f"description_{lang}") for lang in v.profile.languages},
        "kind": text(form, "kind"),
        "url": text(form, "url"),
        "topics": texts(form, "topics"),
        "datasets": text(form, "datasets"),
        "author": text(form, "author"),
        "contact": text(form, "contact"),
        "prototype": checked(form, "prototype"),
    }
    values["store_links"] = [
        {"store": text(form, f"store_{n}") or "other", "url": text(form, f"store_url_{n}")}
        for n in range(service.MAX_STORE_LINKS)
        if f"store_{n}" in form or f"store_url_{n}" in form
    ]
    return values


def _blank_values(v: Visit) -> dict[str, Any]:
    return {
        "title": dict.fromkeys(v.profile.languages, ""),
        "description": dict.fromkeys(v.profile.languages, ""),
        "kind": "app",
        "url": "",
        "store_links": [],
        "topics": [],
        "datasets": "",
        "author": "",
        "contact": "",
        "prototype": False,
    }


def _stored_values(v: Visit, use_case: UseCase) -> dict[str, Any]:
    return {
        "title": {lang: (use_case.title or {}).get(lang, "") for lang in v.profile.languages},
        "description": {lang: (use_case.description or {}).get(lang, "") for lang in v.profile.languages},
        "kind": use_case.kind,
        "url": use_case.url,
        "store_links": [dict(link) for link in use_case.store_links or []],
        "topics": list(use_case.topics or []),
        "datasets": "\n".join(d.name for d in _datasets(v, use_case)),
        "author": use_case.author,
        "contact": use_case.contact,
        "prototype": use_case.prototype,
    }


def _data(values: dict[str, Any]) -> service.UseCaseData:
    return service.UseCaseData(
        title={k: t for k, t in values["title"].items() if t},
        description={k: t for k, t in values["description"].items() if t},
        kind=values["kind"],
        author=values["author"],
        contact=values["contact"],
        datasets=_dataset_names(values["datasets"]),
        url=values["url"],
        store_links=[link for link in values["store_links"] if link["url"]],
        topics=values["topics"],
        prototype=values["prototype"],
    )


def _field_errors(v: Visit, exc: Invalid, values: dict[str, Any]) -> FieldErrors:
    """The service's errors in the page's words, keyed by the ids of the form's fields (f-<key>)."""
    _ = v.gettext
    found: FieldErrors = {}
    for key, said in from_domain(exc).items():
        name, _dot, part = key.partition(".")
        shown = key.replace(".", "-")
        if name == "title":
            message = FIELD_MESSAGES["title_long" if part else "title"]
        elif name == "description" and part:
            limit = local_number(service.MAX_DESCRIPTION, v.lang)
            message = _(FIELD_MESSAGES["description_long"], count=limit)
        elif name == "description":
            given = any(values["description"].values())
            message = (
                _(FIELD_MESSAGES["description_short"], count=service.MIN_DESCRIPTION)
                if given
                else FIELD_MESSAGES["description"]
            )
        elif name == "url":
            message = FIELD_MESSAGES["url" if values["url"] else "url_missing"]
        elif name == "store_links" and part:
            rows = values["store_links"]
            row = rows[int(part)] if part.isdigit() and int(part) < len(rows) else {}
            message = FIELD_MESSAGES["store" if row.get("store") not in service.STORES else "store_link"]
        elif name == "datasets":
            found[shown] = _dataset_messages(v, values)
            continue
        elif name in FIELD_MESSAGES:
            message = FIELD_MESSAGES[name]
        else:  # a rule of the whole form
            found.setdefault("form", []).extend(said)
            continue
        found[shown] = [message]
    return found


def _dataset_messages(v: Visit, values: dict[str, Any]) -> list[str]:
    _ = v.gettext
    names = _dataset_names(values["datasets"])
    if not names:
        return [FIELD_MESSAGES["datasets"]]
    if len(names) > service.MAX_DATASETS:
        return [_(FIELD_MESSAGES["datasets_many"], count=service.MAX_DATASETS)]
    unknown = []
    for name in names:
        try:
            catalog.find_visible_dataset(v.session, v.actor, name)
        except NotFound:
            unknown.append(_(FIELD_MESSAGES["dataset_unknown"], name=name[:100]))
    return unknown or [FIELD_MESSAGES["datasets"]]


def _form_page(
    v: Visit,
    values: dict[str, Any],
    *,
    use_case: UseCase | None = None,
    errors: FieldErrors | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    _ = v.gettext
    rows = list(values["store_links"])
    stores = [*service.STORES, *["other"] * service.MAX_STORE_LINKS]
    rows += [{"store": stores[n], "url": ""} for n in range(len(rows), _store_rows(len(rows)))]
    named = _dataset_names(values["datasets"])
    invited = None  # the dataset whose page asked "Tell us how you use this dataset"
    if use_case is None and len(named) == 1 and not errors:
        try:
            found = catalog.find_visible_dataset(v.session, v.actor, named[0])
            invited = DatasetRef(found.slug, v.title(found.title) or found.slug)
        except NotFound:
            invited = None
    return v.page(
        "reuse/use_case_form.html",
        status_code=status_code,
        values=values,
        store_rows=rows,
        errors=errors or {},
        use_case=use_case,
        use_case_title=v.title(use_case.title) if use_case else "",
        invited=invited,
        language_names=LANGUAGE_NAMES,
        kind_options=[(k, _(KIND_LABELS[k])) for k in USE_CASE_KINDS],
        store_options=[(s, _(STORE_LABELS[s])) for s in service.STORES],
        themes=v.themes,
        min_description=service.MIN_DESCRIPTION,
        action=f"/reuse/use-cases/{use_case.id}/edit" if use_case else "/reuse/use-cases/new",
    )


@router.get("/reuse/use-cases/new", response_class=HTMLResponse)
def new_use_case_page(v: VisitDep, dataset: Annotated[str, Query(max_length=100)] = "") -> Response:
    if not v.actor.authenticated:
        return to_login(v.request)
    values = _blank_values(v)
    values["datasets"] = dataset.strip()
    return _form_page(v, values)


@router.post("/reuse/use-cases/new", response_class=HTMLResponse)
def create_use_case(v: VisitDep, submitted: FormDep) -> Response:
    check_csrf(v.request, text(submitted, "csrf_token"))
    if not v.actor.authenticated:
        return to_login(v.request, "/reuse/use-cases/new")
    values = _form_values(v, submitted)
    try:
        created = service.create_use_case(v.session, v.actor, v.profile, _data(values))
    except Invalid as exc:
        v.session.rollback()
        return _form_page(v, values, errors=_field_errors(v, exc, values), status_code=422)
    use_case_id = created.id
    v.session.commit()
    flash(v.request, DONE["create"])
    return RedirectResponse(f"/reuse/use-cases/{use_case_id}", status_code=303)


def _editable(v: Visit, use_case_id: str) -> UseCase:
    """The use case, if the actor may change it (403 otherwise, 404 when there is none or it is hidden)."""
    use_case = service.get_use_case(v.session, v.actor, v.profile, use_case_id)
    if not service.may_edit_use_case(v.session, v.actor, v.profile, use_case):
        raise Forbidden("Only the person who submitted this use case, and the moderators, change it.")
    return use_case


@router.get("/reuse/use-cases/{use_case_id}/edit", response_class=HTMLResponse)
def edit_use_case_page(v: VisitDep, use_case_id: str) -> Response:
    if not v.actor.authenticated:
        return to_login(v.request)
    use_case = _editable(v, use_case_id)
    return _form_page(v, _stored_values(v, use_case), use_case=use_case)


@router.post("/reuse/use-cases/{use_case_id}/edit", response_class=HTMLResponse)
def update_use_case(v: VisitDep, use_case_id: str, submitted: FormDep) -> Response:
    check_csrf(v.request, text(submitted, "csrf_token"))
    if not v.actor.authenticated:
        return to_login(v.request, f"/reuse/use-cases/{use_case_id}/edit")
    use_case = _editable(v, use_case_id)
    values = _form_values(v, submitted)
    try:
        service.update_use_case(v.session, v.actor, v.profile, use_case.id, _data(values))
    except Invalid as exc:
        v.session.rollback()
        use_case = _editable(v, use_case_id)
        return _form_page(v, values, use_case=use_case, errors=_field_errors(v, exc, values), status_code=422)
    number = use_case.id
    v.session.commit()
    flash(v.request, DONE["update"])
    return RedirectResponse(f"/reuse/use-cases/{number}", status_code=303)


@router.get("/reuse/use-cases/{use_case_id}/delete", response_class=HTMLResponse)
def delete_use_case_page(v: VisitDep, use_case_id: str) -> Response:
    if not v.actor.authenticated:
        return to_login(v.request)
    use_case = _editable(v, use_case_id)
    return v.page("reuse/use_case_delete.html", card=_card(v, use_case))


@router.post("/reuse/use-cases/{use_case_id}/delete", response_class=HTMLResponse)
def delete_use_case(v: VisitDep, use_case_id: str, store: StoreDep, submitted: FormDep) -> Response:
    check_csrf(v.request, text(submitted, "csrf_token"))
    if not v.actor.authenticated:
        return to_login(v.request, f"/reuse/use-cases/{use_case_id}")
    use_case = _editable(v, use_case_id)
    files = [s.sha256 for s in service.screenshots_of(v.session, use_case)]
    service.delete_use_case(v.session, v.actor, v.profile, use_case.id)
    v.session.commit()
    for sha256 in files:  # pictures nothing else shows any more
        storage.discard_if_unreferenced(v.session, store, sha256)
    flash(v.request, DONE["delete"])
    return RedirectResponse("/reuse/use-cases", status_code=303)


# ---------------------------------------------------------------- a use case's page


@dataclass
class CheckRow:
    at: datetime
    role: str
    url: str
    ok: bool
    result: str
    elapsed_ms: int


@dataclass
class Liveness:
    state: str
    explanation: list[str] = field(default_factory=list)
    checked_at: datetime | None = None
    dead_since: datetime | None = None
    retired: bool = False


def _liveness(v: Visit, use_case: UseCase, checks: list[LivenessCheck]) -> Liveness:
    """The monitor's verdict in words: what the latest check found, and what follows from it."""
    _ = v.gettext
    state = service.state_of(use_case)
    found = Liveness(state, [_(STATE_HINTS[state])], use_case.checked_at, use_case.dead_since)
    if use_case.prototype and use_case.liveness != "unchecked":
        found.explanation.append(
            _("The monitor found it: {state}.", state=_(STATE_LABELS[use_case.liveness]).lower())
        )
    latest = [c for c in checks if use_case.checked_at is not None and c.checked_at == use_case.checked_at]
    for check in latest:
        if not check.ok:
            role = _(CHECK_ROLE_LABELS.get(check.role, "Web address"))
            found.explanation.append(
                _("{role} ({url}): {result}.", role=role, url=check.url, result=check_result(_, check))
            )
    if use_case.liveness == "degraded" and use_case.failures:
        found.explanation.append(
            _(
                "Failed checks in a row: {failures}. After {limit} it counts as dead.",
                failures=use_case.failures,
                limit=v.rules.dead_after,
            )
        )
    if use_case.liveness == "dead":
        found.retired = service.retired(use_case, v.rules, v.now)
        days = v.rules.grace_days
        found.explanation.append(
            _("It has left the list of use cases: it has been dead for longer than {days} days.", days=days)
            if found.retired
            else _(
                "If it stays dead for longer than {days} days, it leaves the list of use cases.", days=days
            )
        )
    return found


def _use_case_page(
    v: Visit,
    use_case_id: str,
    *,
    errors: dict[str, FieldErrors] | None = None,
    values: dict[str, dict[str, str]] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    _ = v.gettext
    use_case = service.get_use_case(v.session, v.actor, v.profile, use_case_id)
    card = _card(v, use_case)
    description, description_lang = v.localized(use_case.description)
    checks = liveness_service.history(v.session, use_case)
    may_edit = v.actor.authenticated and service.may_edit_use_case(v.session, v.actor, v.profile, use_case)
    shots = service.screenshots_of(v.session, use_case)
    return v.page(
        "reuse/use_case.html",
        status_code=status_code,
        use_case=use_case,
        card=card,
        description=description,
        description_lang=description_lang,
        other_languages=[
            (code, LANGUAGE_NAMES.get(code, code), (use_case.title or {}).get(code, ""), text_)
            for code, text_ in (use_case.description or {}).items()
            if code != description_lang and text_
        ],
        topics=[(code, v.theme_title(code)) for code in use_case.topics or []],
        store_links=[
            (_(STORE_LABELS.get(link.get("store", "other"), "Other store")), link["url"])
            for link in use_case.store_links or []
        ],
        screenshots=[_shot_view(v, s, card.title) for s in shots],
        may_add_screenshot=len(shots) < service.MAX_SCREENSHOTS,
        max_screenshots=service.MAX_SCREENSHOTS,
        liveness=_liveness(v, use_case, checks),
        checks=[
            CheckRow(
                c.checked_at,
                _(CHECK_ROLE_LABELS.get(c.role, "Web address")),
                c.url,
                c.ok,
                check_result(_, c),
                c.elapsed_ms,
            )
            for c in checks
        ],  # fmt: skip
        may_edit=may_edit,
        errors=errors or {},
        form_values=values or {},
    )


@router.get("/reuse/use-cases/{use_case_id}", response_class=HTMLResponse)
def use_case_page(v: VisitDep, use_case_id: str) -> HTMLResponse:
    return _use_case_page(v, use_case_id)


# ---------------------------------------------------------------- screenshots


def _screenshot_error(v: Visit, exc: Invalid | TooLarge, size: int) -> str:
    _ = v.gettext
    said = exc.message
    if "caption" in (exc.errors or {}):
        return FIELD_MESSAGES["caption"]
    if isinstance(exc, TooLarge) or size > service.SCREENSHOT_BYTES:
        return _(FIELD_MESSAGES["file_size"], size=service.SCREENSHOT_BYTES // (1024 * 1024))
    if "pixels" in said:
        return FIELD_MESSAGES["file_pixels"]
    if "at most" in said:
        return _(FIELD_MESSAGES["file_count"], count=service.MAX_SCREENSHOTS)
    return FIELD_MESSAGES["file"]


@router.post("/reuse/use-cases/{use_case_id}/screenshots", response_class=HTMLResponse)
async def add_screenshot(v: VisitDep, use_case_id: str, store: StoreDep, submitted: FormDep) -> Response:
    """A screenshot (multipart). Who may not change the use case is refused before any file is stored."""
    check_csrf(v.request, text(submitted, "csrf_token"))
    if not v.actor.authenticated:
        return to_login(v.request, f"/reuse/use-cases/{use_case_id}")
    service.get_use_case(v.session, v.actor, v.profile, use_case_id)  # hidden: 404 to whoever may not see it
    use_case = service.check_may_edit(v.session, v.actor, v.profile, use_case_id)
    number = use_case.id
    caption = text(submitted, "caption")
    values = {"caption": caption}

    def again(message: str) -> HTMLResponse:
        key = "caption" if message == FIELD_MESSAGES["caption"] else "file"
        errors = {"screenshot": {key: [message]}}
        return _use_case_page(v, str(number), errors=errors, values={"screenshot": values}, status_code=422)

    if len(service.screenshots_of(v.session, use_case)) >= service.MAX_SCREENSHOTS:
        return again(v.gettext(FIELD_MESSAGES["file_count"], count=service.MAX_SCREENSHOTS))
    upload = submitted.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        return again(FIELD_MESSAGES["file"])
    try:
        stored = await store.save_upload(upload)
    except (Invalid, TooLarge) as exc:
        return again(_screenshot_error(v, exc, 0))
    try:
        service.add_screenshot(
            v.session, v.actor, v.profile, number, stored, store.open_path(stored.sha256), caption
        )
    except Invalid as exc:
        v.session.rollback()
        storage.discard_if_unreferenced(v.session, store, stored.sha256)
        return again(_screenshot_error(v, exc, stored.size))
    except Exception:
        v.session.rollback()
        storage.discard_if_unreferenced(v.session, store, stored.sha256)
        raise
    v.session.commit()
    flash(v.request, DONE["screenshot"])
    return RedirectResponse(f"/reuse/use-cases/{number}#screenshots", status_code=303)


@router.post("/reuse/screenshots/{screenshot_id}/remove", response_class=HTMLResponse)
def remove_screenshot(v: VisitDep, screenshot_id: str, store: StoreDep, submitted: FormDep) -> Response:
    check_csrf(v.request, text(submitted, "csrf_token"))
    shot = service.get_screenshot(v.session, screenshot_id)
    if not v.actor.authenticated:
        return to_login(v.request, f"/reuse/use-cases/{shot.use_case_id}")
    use_case_id, sha256 = shot.use_case_id, shot.sha256
    service.get_use_case(v.session, v.actor, v.profile, use_case_id)  # hidden: 404 to whoever may not see it
    service.remove_screenshot(v.session, v.actor, v.profile, screenshot_id)
    v.session.commit()
    storage.discard_if_unreferenced(v.session, store, sha256)
    flash(v.request, DONE["screenshot_remove"])
    return RedirectResponse(f"/reuse/use-cases/{use_case_id}#screenshots", status_code=303)


@router.get("/reuse/screenshots/{screenshot_id}")
def screenshot(v: VisitDep, screenshot_id: str, store: StoreDep) -> Response:
    """The picture, to whoever may see its use case (404 otherwise, also for a hidden one)."""
    shot = service.get_screenshot(v.session, screenshot_id)
    use_case = service.get_use_case(v.session, v.actor, v.profile, shot.use_case_id)
    etag = f'"{shot.sha256}"'
    public = use_case.moderation == "shown"
    headers = {
        "ETag": etag,
        "X-Content-Type-Options": "nosniff",
        # a shown use case's picture never changes under its address (the file is content-addressed); an
        # hour, so a picture a moderator hides is gone from caches within one
        "Cache-Control": "public, max-age=3600" if public else "private, no-store",
    }
    if public and v.request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    return FileResponse(
        store.open_path(shot.sha256),
        media_type=shot.media_type,
        headers=headers,
        content_disposition_type="inline",
        filename=f"screenshot-{shot.id}.{shot.media_type.rsplit('/', 1)[-1]}",
    )


# ---------------------------------------------------------------- moderation


@router.post("/reuse/use-cases/{use_case_id}/moderation", response_class=HTMLResponse)
def moderate(v: VisitDep, use_case_id: str, submitted: FormDep) -> Response:
    """A moderator hides a use case with the reason its submitter reads, or shows it again."""
    check_csrf(v.request, text(submitted, "csrf_token"))
    if not v.actor.authenticated:
        return to_login(v.request, f"/reuse/use-cases/{use_case_id}")
    if not v.moderator:
        raise Forbidden("Only the moderators hide and show use cases.")
    shown = text(submitted, "action") == "show"
    note = text(submitted, "note")
    try:
        changed = service.set_use_case_moderation(
            v.session, v.actor, v.profile, use_case_id, shown=shown, note=note
        )
    except Invalid:
        v.session.rollback()
        return _use_case_page(
            v,
            use_case_id,
            errors={"moderation": {"note": [FIELD_MESSAGES["note"]]}},
            values={"moderation": {"note": note}},
            status_code=422,
        )
    number = changed.id
    v.session.commit()
    flash(v.request, DONE["show" if shown else "hide"])
    return RedirectResponse(f"/reuse/use-cases/{number}", status_code=303)


# ---------------------------------------------------------------- on a dataset's and an organization's pages


@register_panel("dataset")
def dataset_use_cases(
    request: Request, *, session: Session, actor: Actor, profile: Profile, dataset: Any, **_: Any
) -> Markup:
    """On the dataset's public page: the shown use cases that use it (the dead marked), and an invitation to
    tell how one uses it. Not on its edit forms, which have other work to do."""
    here = urlsplit(str(request.url)).path.rstrip("/")
    if here not in (f"/dataset/{dataset.name}", f"/dataset/{dataset.id}"):
        return Markup("")
    lang = get_lang(request)
    fallback = (lang, profile.default_language, *profile.languages)
    found = service.use_cases_of_dataset(session, dataset.id)
    items = [
        {"id": u.id, "title": pick(u.title, lang, fallback), "kind": u.kind, "state": service.state_of(u)}
        for u in found[:PANEL_LIMIT]
    ]
    html = env.get_template("reuse/_dataset_panel.html").render(
        _=translator(lang),
        lang=lang,
        items=items,
        total=len(found),
        dataset=dataset,
        kind_labels=KIND_LABELS,
        state_labels=STATE_LABELS,
        state_badges=STATE_BADGES,
        submit_href="/reuse/use-cases/new?" + urlencode({"dataset": dataset.name}),
        all_href="/reuse/use-cases?" + urlencode({"dataset": dataset.name, "all": "1"}),
    )
    return Markup(html)


@register_panel("organization")
def organization_use_cases(request: Request, *, session: Session, organization: Any, **_: Any) -> Markup:
    """A link from an organization's page to the use cases of its data, with how many are live and dead."""
    gettext = translator(get_lang(request))
    counts = service.count_for_organization(session, organization.id)
    return Markup('<li id="org-use-cases"><a href="/reuse/use-cases?{}">{}</a> ({})</li>').format(
        urlencode({"organization": organization.name}),
        gettext("Use cases of its data"),
        gettext(
            "{count}; live: {live}, dead: {dead}",
            count=counts["total"],
            live=counts["live"],
            dead=counts["dead"],
        ),
    )
