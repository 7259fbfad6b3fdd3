"""The sysadmin's harvest pages: the sources with their last run, adding one, and one source with its runs."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from derek.catalog import service as catalog
from derek.core import jobs
from derek.core.authz import Actor, authorize
from derek.core.errors import Conflict, Invalid, NotFound
from derek.harvest import service
from derek.harvest.schemas import HarvestSourceCreate, HarvestSourceRead
from derek.web import formatting as formatting  # registers the date and number filters
from derek.web.account_views import FormDep, login_redirect
from derek.web.deps import ActorDep, SessionDep
from derek.web.forms import FieldErrors, from_domain, from_validation, merge, text
from derek.web.pages import HTMX_PATH, flash, render
from derek.web.security import check_csrf

router = APIRouter(include_in_schema=False)

KIND_LABELS = {"ckan": "CKAN portal", "dcat": "DCAT catalog", "egov": "data.egov.kz"}
SCHEDULE_LABELS = {"manual": "Only when started by hand", "daily": "Every day", "weekly": "Every week"}
ACTIVE_JOB = ("queued", "running")
RUNS_SHOWN = 10

NAME_MESSAGE = (
    "Use 2 to 40 lowercase latin letters, digits, hyphens or underscores, starting with a letter or digit."
)
URL_MESSAGE = "Enter the full address, starting with https://."
DATASETS_MESSAGE = "Write one dataset a line, as its index or index/version, for example budget_2024/v2."
NOT_EGOV_MESSAGE = (
    "Only a data.egov.kz source takes a list of datasets: empty the box, or choose data.egov.kz."
)
# what the schema's own check says (capitalized by from_validation); the form says it with field errors
EGOV_DATASETS_MESSAGE = "List the data.egov.kz datasets to mirror (index or index/version)."
TAKEN_MESSAGE = "A harvest source with this name already exists: choose another name."
FORM_ORDER = ("title", "name", "kind", "url", "organization", "schedule", "datasets")
FIELD_MESSAGES = {"name": NAME_MESSAGE, "url": URL_MESSAGE, "datasets": DATASETS_MESSAGE}


@dataclass
class SourceForm:
    name: str = ""
    title: str = ""
    kind: str = "ckan"
    url: str = ""
    organization: str = ""
    schedule: str = "manual"
    datasets: list[str] = field(default_factory=list)

    @classmethod
    def read(cls, form: FormData) -> SourceForm:
        lines = form.get("datasets")
        return cls(
            name=text(form, "name"),
            title=text(form, "title"),
            kind=text(form, "kind"),
            url=text(form, "url"),
            organization=text(form, "organization"),
            schedule=text(form, "schedule"),
            datasets=[s.strip() for s in (lines if isinstance(lines, str) else "").splitlines() if s.strip()],
        )

    def problems(self) -> FieldErrors:
        """What the schema lets through but a person must still give, and its check of the datasets against
        the kind, which it makes only once every field is valid."""
        errors: FieldErrors = {}
        if not self.url:
            errors["url"] = ["Enter the address of the remote portal, starting with https://."]
        if not self.organization:
            errors["organization"] = ["Choose the organization that will own the mirrored datasets."]
        if self.kind == "egov" and not self.datasets:
            errors["datasets"] = [EGOV_DATASETS_MESSAGE]
        elif self.kind != "egov" and self.datasets:
            errors["datasets"] = [NOT_EGOV_MESSAGE]
        return errors

    def validated(self) -> tuple[HarvestSourceCreate | None, FieldErrors]:
        errors = self.problems()
        try:
            data = HarvestSourceCreate.model_validate(asdict(self))
        except ValidationError as exc:
            found = from_validation(exc, FIELD_MESSAGES)
            # the model's own check compares the datasets with the kind: show it at the datasets box
            if "form" in found:
                model = found.pop("form")
                found["datasets"] = model if self.kind == "egov" else [NOT_EGOV_MESSAGE]
            return None, _in_form_order(merge(errors, found))
        return (None, _in_form_order(errors)) if errors else (data, {})


def _in_form_order(errors: FieldErrors) -> FieldErrors:
    """The error summary lists the fields as the form does."""
    rank = {key: i for i, key in enumerate(FORM_ORDER)}
    return dict(sorted(errors.items(), key=lambda item: rank.get(item[0], len(rank))))


def _job_view(job: jobs.Job | None, source: HarvestSourceRead) -> dict[str, Any] | None:
    """The latest run job as the status box shows it (the message in words a translation can match)."""
    if job is None:
        return None
    message, values = job.message, {}
    if job.message.startswith("Reading "):  # the service names the address it reads
        message, values = "Reading {address}", {"address": source.url}
    return {
        "id": job.id,
        "status": job.status,
        "active": job.status in ACTIVE_JOB,
        "message": message,
        "values": values,
        "error": job.error,
        "done": job.done,
        "total": job.total,
        "percent": round(100 * job.done / job.total) if job.total else None,
    }


# ---------------------------------------------------------------- the sources


def _sources_page(
    request: Request, session: Session, actor: Actor, form: SourceForm, errors: FieldErrors
) -> HTMLResponse:
    sources = service.list_sources(session, actor)
    running = {
        s.name
        for s in sources
        if (job := jobs.latest_for(session, service.RUN_JOB, s.name)) and job.status in ACTIVE_JOB
    }
    orgs = catalog.list_organizations(session, actor)
    return render(
        request,
        "harvest/sources.html",
        status_code=422 if errors else 200,
        sources=sources,
        running=running,
        orgs=orgs,
        org_titles={o.name: o.title for o in orgs},
        kinds=KIND_LABELS,
        schedules=SCHEDULE_LABELS,
        form=form,
        errors=errors,
    )


@router.get("/admin/harvest", response_class=HTMLResponse)
def sources(request: Request, session: SessionDep, actor: ActorDep) -> Response:
    if not actor.authenticated:
        return login_redirect(request)
    return _sources_page(request, session, actor, SourceForm(), {})


@router.post("/admin/harvest", response_class=HTMLResponse)
def create_source(request: Request, session: SessionDep, actor: ActorDep, submitted: FormDep) -> Response:
    check_csrf(request, text(submitted, "csrf_token"))
    authorize(actor, "harvest.manage")  # before reading the form: others learn nothing from its errors
    form = SourceForm.read(submitted)
    data, errors = form.validated()
    created: HarvestSourceRead | None = None
    if data is not None:
        try:
            created = service.create_source(session, actor, data)
            session.commit()
        except Conflict:
            session.rollback()
            errors = {"name": [TAKEN_MESSAGE]}
        except Invalid as exc:
            session.rollback()
            errors = from_domain(exc)
    if created is None:
        return _sources_page(request, session, actor, form, errors)
    flash(request, "The source is added. Harvest it now, or wait for its schedule.")
    return RedirectResponse(f"/admin/harvest/{created.name}", status_code=303)


# ---------------------------------------------------------------- one source


def _status_context(session: Session, source: HarvestSourceRead) -> dict[str, Any]:
    job = jobs.latest_for(session, service.RUN_JOB, source.name)
    return {"source": source, "job": _job_view(job, source)}


@router.get("/admin/harvest/{name}", response_class=HTMLResponse)
def source_detail(request: Request, name: str, session: SessionDep, actor: ActorDep) -> Response:
    if not actor.authenticated:
        return login_redirect(request)
    source = service.get_source(session, actor, name, runs=RUNS_SHOWN)
    context = _status_context(session, source)
    job = context["job"]
    latest = source.runs[0] if source.runs else None
    # a job that failed without recording a run (an unexpected error) still says why
    job_failure = ""
    if job is not None and job["status"] == "failed" and (latest is None or latest.job_id != job["id"]):
        job_failure = job["error"]
    try:
        org_title = catalog.get_organization(session, actor, source.organization).title
    except NotFound:
        org_title = {}
    return render(
        request,
        "harvest/source.html",
        org_title=org_title,
        kinds=KIND_LABELS,
        schedules=SCHEDULE_LABELS,
        latest=latest,
        job_failure=job_failure,
        htmx_path=HTMX_PATH,
        **context,
    )


@router.get("/admin/harvest/{name}/status", response_class=HTMLResponse)
def run_status(request: Request, name: str, session: SessionDep, actor: ActorDep) -> Response:
    """The run's status box alone, polled by HTMX while a run is queued or going; when it ends the page
    reloads to show the run in the table."""
    if not actor.authenticated:
        return login_redirect(request)
    source = service.get_source(session, actor, name, runs=0)
    context = _status_context(session, source)
    response = render(request, "harvest/_status.html", **context)
    if request.headers.get("HX-Request") == "true" and not (context["job"] and context["job"]["active"]):
        response.headers["HX-Refresh"] = "true"
    response.headers["Cache-Control"] = "no-store"
    return response


@router.post("/admin/harvest/{name}/run")
def run_source(
    request: Request, name: str, session: SessionDep, actor: ActorDep, submitted: FormDep
) -> Response:
    check_csrf(request, text(submitted, "csrf_token"))
    source = service.get_source(session, actor, name, runs=0)
    if service.active_run(session, source.name) is not None:  # a second click while it runs queues nothing
        flash(request, "This source is being harvested already. This page shows its progress.")
    else:
        service.queue_run(session, actor, source.name)
        session.commit()
        flash(request, "The harvest is queued. This page shows its progress.")
    return RedirectResponse(f"/admin/harvest/{source.name}#run-status", status_code=303)
