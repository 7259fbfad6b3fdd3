"""The public resource page: the file, a preview of its DataStore table (sort, filter, pages without
JavaScript; HTMX swaps only the table), column statistics, API examples, saved charts, the load status;
and for the dataset's publishers the validation report, the data dictionary and the chart form."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from derek.catalog import service as catalog
from derek.catalog.schemas import DatasetRead, ResourceRead
from derek.config import Profile
from derek.core import jobs
from derek.core.authz import Actor, can
from derek.core.errors import Invalid, NotFound
from derek.core.i18n import pick
from derek.datastore import charts, regions, service
from derek.datastore.engine import DuckStore
from derek.datastore.query import AGGREGATES, DUCK_TYPES, NUMERIC, ROW_ID
from derek.datastore.views_support import (
    PAGE_ROWS,
    Preview,
    api_examples,
    dictionary_types,
    export_links,
    human_number,
)
from derek.web import formatting as formatting  # registers the date and number filters
from derek.web.account_views import FormDep
from derek.web.deps import ActorDep, LangDep, ProfileDep, SessionDep
from derek.web.forms import FieldErrors, checked, from_domain, text
from derek.web.pages import LANGUAGE_NAMES, env, flash, render
from derek.web.security import check_csrf

router = APIRouter(include_in_schema=False)

HTMX_PATH = "/static/vendor/htmx-2.0.11.min.js"  # htmx (0BSD), served from the package like every asset
TYPE_CHOICES = tuple(DUCK_TYPES)  # integer, number, date, datetime, time, boolean, text
ACTIVE_JOB = ("queued", "running")

env.filters["human_number"] = human_number


def _duck(request: Request) -> DuckStore:
    duck: DuckStore = request.app.state.datastore
    return duck


def page_path(dataset: DatasetRead, resource_id: str) -> str:
    return f"/dataset/{dataset.name}/resource/{resource_id}"


# ---------------------------------------------------------------- page context


@dataclass
class DictionaryForm:
    """The data dictionary form as typed (or as stored), per column."""

    columns: list[str] = field(default_factory=list)
    types: dict[str, str] = field(default_factory=dict)
    labels: dict[str, dict[str, str]] = field(default_factory=dict)
    descriptions: dict[str, dict[str, str]] = field(default_factory=dict)

    @classmethod
    def of(cls, table: service.TableInfo, forced: dict[str, str]) -> DictionaryForm:
        form = cls(columns=[f["id"] for f in table.fields])
        for f in table.fields:
            info = f.get("info") or {}
            form.types[f["id"]] = forced.get(f["id"], "")
            form.labels[f["id"]] = dict(info.get("label") or {})
            form.descriptions[f["id"]] = dict(info.get("description") or {})
        return form

    @classmethod
    def read(cls, submitted: FormData, languages: list[str]) -> DictionaryForm:
        form = cls()
        index = 0
        while (name := text(submitted, f"column-{index}")) or f"column-{index}" in submitted:
            if name:
                form.columns.append(name)
                form.types[name] = text(submitted, f"type-{index}")
                form.labels[name] = {lang: text(submitted, f"label-{index}-{lang}") for lang in languages}
                form.descriptions[name] = {
                    lang: text(submitted, f"description-{index}-{lang}") for lang in languages
                }
            index += 1
        return form


@dataclass
class ChartForm:
    title: str = ""
    kind: str = "bar"
    x: str = ""
    aggregate: str = "count"
    y: str = ""
    use_filter: bool = True


def _column_labels(table: service.TableInfo, lang: str, profile: Profile) -> dict[str, str]:
    fallback = (lang, profile.default_language, *profile.languages)
    labels = {}
    for f in table.fields:
        label = pick((f.get("info") or {}).get("label"), lang, fallback)
        labels[f["id"]] = label or f["id"]
    return labels


def _job_view(job: jobs.Job | None) -> dict[str, Any] | None:
    if job is None:
        return None
    percent = round(100 * job.done / job.total) if job.total else None
    return {
        "id": job.id,
        "status": job.status,
        "active": job.status in ACTIVE_JOB,
        "message": job.message,
        "error": job.error,
        "done": job.done,
        "total": job.total,
        "percent": percent,
    }


def _find_resource(dataset: DatasetRead, resource_id: str) -> ResourceRead:
    for resource in dataset.resources:
        if resource.id == resource_id:
            return resource
    raise NotFound(f"There is no resource {resource_id!r}.")


@dataclass
class Loaded:
    """The dataset and resource a route is about, checked against the name in the path."""

    dataset: DatasetRead
    resource: ResourceRead
    can_edit: bool
    redirect: str = ""


def _load(session: Session, actor: Actor, profile: Profile, name: str, resource_id: str) -> Loaded:
    dataset_row, _resource = catalog.get_resource(session, actor, resource_id)
    dataset = catalog.get_dataset(session, actor, profile, dataset_row.id)
    loaded = Loaded(dataset, _find_resource(dataset, resource_id), can(actor, "dataset.update", dataset_row))
    if name != dataset.name:  # an old name, the dataset's id, or another dataset's: the one true address
        loaded.redirect = page_path(dataset, resource_id)
    return loaded


def _context(
    request: Request,
    session: Session,
    actor: Actor,
    profile: Profile,
    lang: str,
    loaded: Loaded,
    *,
    dictionary: DictionaryForm | None = None,
    dictionary_errors: FieldErrors | None = None,
    chart_form: ChartForm | None = None,
    chart_errors: FieldErrors | None = None,
) -> dict[str, Any]:
    dataset, resource = loaded.dataset, loaded.resource
    duck = _duck(request)
    path = page_path(dataset, resource.id)
    table, job = service.load_status(session, actor, resource.id)
    context: dict[str, Any] = {
        "dataset": dataset,
        "resource": resource,
        "page_path": path,
        "can_edit": loaded.can_edit,
        "tabular": resource.url_type in ("upload", "") and service.is_tabular(resource.format),
        "versions": catalog.list_versions(session, actor, resource.id),
        "table": table,
        "job": _job_view(job),
        "htmx_path": HTMX_PATH,
        "language_names": LANGUAGE_NAMES,
        "type_choices": TYPE_CHOICES,
        "aggregates": AGGREGATES,
        "find_region": regions.find_region,
    }
    withheld = catalog.withheld(
        session, actor, catalog.find_visible_dataset(session, actor, dataset.id), resource.id
    )
    if withheld:  # e.g. a new file still being checked for personal data: no preview for the public yet
        context.update(withheld=withheld, table=None)
        return context
    if table is None:
        return context
    columns = [f["id"] for f in table.fields]
    params = {k: v for k, v in request.query_params.items()}
    preview = Preview.read(params, columns)
    result = service.query(
        session, actor, duck, resource.id, preview.spec(), limit=PAGE_ROWS, offset=preview.offset
    )
    total = result.total or 0
    pages = max((total + PAGE_ROWS - 1) // PAGE_ROWS, 1)
    if preview.page > pages:  # past the end (the table shrank, or a hand-made link): show the last page
        preview = Preview(
            preview.q, preview.column, preview.value, preview.sort_column, preview.descending, pages
        )
        result = service.query(
            session, actor, duck, resource.id, preview.spec(), limit=PAGE_ROWS, offset=preview.offset
        )
    types = {f["id"]: f["type"] for f in table.fields}
    types[ROW_ID] = "integer"
    site = str(request.base_url).rstrip("/")
    views = charts.list_views(session, actor, resource.id)
    context.update(
        {
            "columns": columns,
            "types": types,
            "numeric": NUMERIC,
            "labels": _column_labels(table, lang, profile),
            "preview": preview,
            "result": result,
            "total": total,
            "pages": pages,
            "first_row": preview.offset + 1 if result.records else 0,
            "last_row": preview.offset + len(result.records),
            "api": api_examples(site, resource.id, preview),
            "exports": export_links(resource.id, preview),
            "stats": service.column_stats(session, actor, duck, resource.id),
            "charts": [charts.chart_for(session, actor, duck, v) for v in views],
            "report": table.report,
        }
    )
    if loaded.can_edit:
        forced = dictionary_types(session, actor, resource.id)
        context.update(
            {
                "dictionary": dictionary or DictionaryForm.of(table, forced),
                "dictionary_errors": dictionary_errors or {},
                "forced_types": forced,
                "chart_form": chart_form or ChartForm(use_filter=preview.filtered),
                "chart_errors": chart_errors or {},
                "region_columns": charts.region_columns(session, actor, duck, resource.id, table.fields),
                "numeric_columns": [c for c in columns if types[c] in NUMERIC],
            }
        )
    return context


def _wants_fragment(request: Request, target: str) -> bool:
    return (
        request.headers.get("HX-Request") == "true"
        and request.headers.get("HX-Target") == target
        and request.headers.get("HX-History-Restore-Request") != "true"
    )


def _redirect(path: str, query: str = "") -> RedirectResponse:
    return RedirectResponse(path + query, status_code=301)


# ---------------------------------------------------------------- the page


@router.get("/dataset/{name}/resource/{resource_id}", response_class=HTMLResponse)
def resource_page(
    request: Request,
    name: str,
    resource_id: str,
    session: SessionDep,
    actor: ActorDep,
    profile: ProfileDep,
    lang: LangDep,
) -> Response:
    loaded = _load(session, actor, profile, name, resource_id)
    if loaded.redirect:
        return _redirect(loaded.redirect, f"?{request.url.query}" if request.url.query else "")
    context = _context(request, session, actor, profile, lang, loaded)
    if _wants_fragment(request, "preview") and context["table"] is not None:
        response = render(request, "datastore/_preview.html", fragment=True, **context)
    else:
        response = render(request, "datastore/resource.html", **context)
    response.headers["Vary"] = "HX-Request, HX-Target, Cookie"
    return response


@router.get("/dataset/{name}/resource/{resource_id}/status", response_class=HTMLResponse)
def load_status(
    request: Request,
    name: str,
    resource_id: str,
    session: SessionDep,
    actor: ActorDep,
    profile: ProfileDep,
) -> Response:
    """The load status box alone, polled by HTMX while a load runs; when it has ended the page reloads."""
    loaded = _load(session, actor, profile, name, resource_id)
    table, job = service.load_status(session, actor, resource_id)
    view = _job_view(job)
    response = render(
        request,
        "datastore/_status.html",
        dataset=loaded.dataset,
        resource=loaded.resource,
        page_path=page_path(loaded.dataset, resource_id),
        can_edit=loaded.can_edit,
        table=table,
        job=view,
    )
    if request.headers.get("HX-Request") == "true" and not (view and view["active"]):
        response.headers["HX-Refresh"] = "true"  # the table (or the failure) is shown by the whole page
    response.headers["Cache-Control"] = "no-store"
    return response


# ---------------------------------------------------------------- publisher actions


@router.post("/dataset/{name}/resource/{resource_id}/dictionary", response_class=HTMLResponse)
def save_dictionary(
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
    loaded = _load(session, actor, profile, name, resource_id)
    table = service.describe(session, actor, resource_id)
    current = {f["id"]: f["type"] for f in table.fields}
    forced = dictionary_types(session, actor, resource_id) if loaded.can_edit else {}
    form = DictionaryForm.read(submitted, list(profile.languages))
    errors: FieldErrors = {}
    entries: dict[str, dict[str, Any]] = {}
    for column in form.columns:
        kind = form.types.get(column, "")
        if kind and kind == current.get(column) and not forced.get(column):
            kind = ""  # choosing the type it already has keeps it "as guessed"
        if kind and kind not in DUCK_TYPES:
            errors.setdefault(column, []).append("Choose one of the types.")
        for texts in (form.labels[column], form.descriptions[column]):
            if any(len(v) > service.LANGUAGES_MAX for v in texts.values()):
                errors.setdefault(column, []).append("This text is too long.")
        entries[column] = {
            "type": kind,
            "label": form.labels[column],
            "description": form.descriptions[column],
        }
    job = None
    if not errors:
        try:
            _info, job = service.set_dictionary(session, actor, resource_id, entries)
        except Invalid as exc:
            session.rollback()
            errors = from_domain(exc)
    if errors:
        context = _context(
            request, session, actor, profile, lang, loaded, dictionary=form, dictionary_errors=errors
        )
        return render(request, "datastore/resource.html", status_code=422, **context)
    session.commit()
    flash(
        request,
        "The data dictionary is saved. The table is loading again with the new types."
        if job
        else "The data dictionary is saved.",
    )
    return RedirectResponse(page_path(loaded.dataset, resource_id) + ("" if job else "#dictionary"), 303)


@router.post("/dataset/{name}/resource/{resource_id}/load")
def load_again(
    request: Request,
    name: str,
    resource_id: str,
    session: SessionDep,
    actor: ActorDep,
    profile: ProfileDep,
    submitted: FormDep,
) -> Response:
    check_csrf(request, text(submitted, "csrf_token"))
    loaded = _load(session, actor, profile, name, resource_id)
    service.request_load(session, actor, resource_id)
    session.commit()
    flash(request, "The file is being loaded into the table again.")
    return RedirectResponse(page_path(loaded.dataset, resource_id), status_code=303)


@router.post("/dataset/{name}/resource/{resource_id}/views", response_class=HTMLResponse)
def add_chart(
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
    loaded = _load(session, actor, profile, name, resource_id)
    form = ChartForm(
        title=text(submitted, "title"),
        kind=text(submitted, "kind"),
        x=text(submitted, "x"),
        aggregate=text(submitted, "aggregate") or "count",
        y=text(submitted, "y"),
        use_filter=checked(submitted, "use_filter"),
    )
    table = service.describe(session, actor, resource_id)
    preview = Preview.read(
        {k: text(submitted, k) for k in ("q", "column", "value")}, [f["id"] for f in table.fields]
    )
    try:
        charts.create_view(
            session,
            actor,
            _duck(request),
            resource_id,
            title=form.title,
            kind=form.kind,
            x=form.x,
            y=form.y,
            aggregate=form.aggregate,
            filters=preview.filters if form.use_filter else {},
            q=preview.q if form.use_filter else "",
        )
    except Invalid as exc:
        session.rollback()
        context = _context(
            request, session, actor, profile, lang, loaded, chart_form=form, chart_errors=from_domain(exc)
        )
        return render(request, "datastore/resource.html", status_code=422, **context)
    session.commit()
    flash(request, "The chart is saved.")
    return RedirectResponse(page_path(loaded.dataset, resource_id) + "#charts", status_code=303)


@router.post("/dataset/{name}/resource/{resource_id}/views/{view_id}/delete")
def delete_chart(
    request: Request,
    name: str,
    resource_id: str,
    view_id: str,
    session: SessionDep,
    actor: ActorDep,
    profile: ProfileDep,
    submitted: FormDep,
) -> Response:
    check_csrf(request, text(submitted, "csrf_token"))
    loaded = _load(session, actor, profile, name, resource_id)
    charts.delete_view(session, actor, resource_id, view_id)
    session.commit()
    flash(request, "The chart is deleted.")
    return RedirectResponse(page_path(loaded.dataset, resource_id) + "#charts", status_code=303)
