"""The publisher's pages: a dashboard of their organizations' datasets, forms for datasets and resources."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from derek.catalog import service
from derek.catalog.labels import FREQUENCY_LABELS
from derek.catalog.models import FREQUENCIES
from derek.catalog.schemas import (
    DatasetCreate,
    DatasetRead,
    DatasetUpdate,
    OrganizationSummary,
    ResourceCreate,
    ResourceRead,
    ResourceUpdate,
)
from derek.catalog.search import SearchQuery
from derek.catalog.service import Upload
from derek.catalog.uploads import discard_if_unreferenced, store_upload
from derek.config import Profile
from derek.core.accounts import EMAIL_RE
from derek.core.authz import Actor, authorize
from derek.core.errors import Conflict, Forbidden, Invalid, NotAuthenticated, NotFound, TooLarge
from derek.core.storage import FileStore
from derek.web.account_views import FormDep, login_redirect
from derek.web.deps import ActorDep, LangDep, ProfileDep, SessionDep, StoreDep
from derek.web.forms import (
    SLUG_MESSAGE,
    FieldErrors,
    checked,
    from_domain,
    from_validation,
    merge,
    text,
    texts,
)
from derek.web.pages import flash, render
from derek.web.panels import render_panels
from derek.web.security import check_csrf

router = APIRouter(include_in_schema=False)

PUBLISHER_ROLES = ("admin", "editor")
SECTION_ROWS = 10  # datasets per organization on the dashboard overview
PAGE_ROWS = 25  # datasets per page when one organization is chosen
MAX_SECTIONS = 8  # above this many organizations the dashboard asks which one to show
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

DATASET_FIELD_MESSAGES = {"name": SLUG_MESSAGE}
NOT_YOUR_ORGANIZATION = "You cannot publish for this organization: choose one where you are an editor."
COMMON_FORMATS = ("CSV", "XLSX", "JSON", "GEOJSON", "XML", "PDF", "ZIP", "PARQUET", "ODS", "TXT", "HTML")


@dataclass
class DatasetForm:
    """What the dataset form holds, as typed: read from a submission or from a stored dataset.

    Keywords are one per line, since a keyword may contain commas. Title and description texts in languages
    the form does not show (given through the API) are kept as they are.
    """

    organization: str = ""
    name: str = ""
    title: dict[str, str] = field(default_factory=dict)
    description: dict[str, str] = field(default_factory=dict)
    kept_title: dict[str, str] = field(default_factory=dict)  # languages the form does not show
    kept_description: dict[str, str] = field(default_factory=dict)
    themes: list[str] = field(default_factory=list)
    keywords: str = ""
    license_id: str = ""
    update_frequency: str = "UNKNOWN"
    temporal_start: str = ""
    temporal_end: str = ""
    regions: list[str] = field(default_factory=list)
    contact_name: str = ""
    contact_email: str = ""
    version: str = ""
    private: bool = False

    @classmethod
    def read(cls, form: FormData, profile: Profile) -> DatasetForm:
        return cls(
            organization=text(form, "organization"),
            name=text(form, "name"),
            title={lang: text(form, f"title_{lang}") for lang in profile.languages},
            description={lang: text(form, f"description_{lang}") for lang in profile.languages},
            themes=texts(form, "themes"),
            keywords=text(form, "keywords"),
            license_id=text(form, "license_id"),
            update_frequency=text(form, "update_frequency") or "UNKNOWN",
            temporal_start=text(form, "temporal_start"),
            temporal_end=text(form, "temporal_end"),
            regions=texts(form, "regions"),
            contact_name=text(form, "contact_name"),
            contact_email=text(form, "contact_email"),
            version=text(form, "version"),
            private=checked(form, "private"),
        )

    @classmethod
    def of(cls, dataset: DatasetRead, profile: Profile) -> DatasetForm:
        shown = profile.languages
        return cls(
            organization=dataset.organization.name,
            name=dataset.name,
            title={lang: v for lang, v in dataset.title.items() if lang in shown},
            description={lang: v for lang, v in dataset.description.items() if lang in shown},
            themes=list(dataset.themes),
            keywords="\n".join(dataset.keywords),
            license_id=dataset.license_id,
            update_frequency=dataset.update_frequency,
            temporal_start=dataset.temporal_start.isoformat() if dataset.temporal_start else "",
            temporal_end=dataset.temporal_end.isoformat() if dataset.temporal_end else "",
            regions=list(dataset.regions),
            contact_name=dataset.contact_name,
            contact_email=dataset.contact_email,
            version=dataset.version,
            private=dataset.private,
        ).keeping(dataset, shown)

    def keeping(self, dataset: DatasetRead, shown: Sequence[str]) -> DatasetForm:
        """Keep the stored title and description texts in the languages the form does not show."""
        self.kept_title = {lang: v for lang, v in dataset.title.items() if lang not in shown and v}
        self.kept_description = {
            lang: v for lang, v in dataset.description.items() if lang not in shown and v
        }
        return self

    @property
    def kept_languages(self) -> list[str]:
        return sorted(self.kept_title.keys() | self.kept_description.keys())

    def keyword_list(self) -> list[str]:
        """One keyword per line (a keyword may contain commas), blank lines and repeats left out."""
        return list(dict.fromkeys(k.strip() for k in self.keywords.splitlines() if k.strip()))

    def problems(self) -> FieldErrors:
        """What the form itself can tell before the service sees it."""
        errors: FieldErrors = {}
        if not self.organization:
            errors["organization"] = ["Choose the organization that publishes the dataset."]
        if not any(self.title.values()) and not self.kept_title:
            errors["title"] = ["Give the title in at least one language."]
        if self.contact_email and not EMAIL_RE.match(self.contact_email):
            errors["contact_email"] = ["Enter an e-mail address like name@example.kz."]
        start, end = self.temporal_start, self.temporal_end
        if ISO_DATE.match(start) and ISO_DATE.match(end) and start > end:
            errors["temporal_end"] = ["The end of the period is before its start."]
        return errors

    def values(self) -> dict[str, Any]:
        """The fields as the catalog schemas take them."""
        return {
            "title": {**self.kept_title, **{lang: v for lang, v in self.title.items() if v}},
            "description": {
                **self.kept_description,
                **{lang: v for lang, v in self.description.items() if v},
            },
            "themes": self.themes,
            "keywords": self.keyword_list(),
            "license_id": self.license_id or None,
            "update_frequency": self.update_frequency,
            "temporal_start": self.temporal_start or None,
            "temporal_end": self.temporal_end or None,
            "regions": self.regions,
            "contact_name": self.contact_name,
            "contact_email": self.contact_email,
            "version": self.version,
            "private": self.private,
        }


def _publisher_orgs(session: Session, actor: Actor) -> list[OrganizationSummary]:
    return service.organizations_of(actor, session, *PUBLISHER_ROLES)


def _editable_dataset(
    session: Session, actor: Actor, profile: Profile, name: str, action: str
) -> DatasetRead:
    """The dataset, when the actor may change it: forms are shown only to those who may submit them."""
    dataset = service.get_dataset(session, actor, profile, name)
    authorize(actor, action, dataset.organization.id)
    return dataset


def _safe_next(target: str, default: str) -> str:
    return target if target.startswith("/") and not target.startswith("//") else default


# ---------------------------------------------------------------- dashboard


@router.get("/publish", response_class=HTMLResponse)
def dashboard(
    request: Request,
    session: SessionDep,
    actor: ActorDep,
    lang: LangDep,
    organization: str = "",
    q: Annotated[str, Query(max_length=200)] = "",
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
) -> Response:
    if not actor.authenticated:
        return login_redirect(request)
    orgs = _publisher_orgs(session, actor)
    chosen = [o for o in orgs if o.name == organization]
    if chosen:
        shown, rows = chosen, PAGE_ROWS
    elif len(orgs) <= MAX_SECTIONS:
        shown, rows, page = orgs, SECTION_ROWS, 1
    else:
        shown, rows, page = [], 0, 1
    sections = [
        (
            org,
            service.search_datasets(
                session,
                actor,
                SearchQuery(
                    q=q,
                    filters={"organization": [org.name]},
                    include_drafts=True,
                    sort="relevance" if q else "modified",
                    lang=lang,
                    start=(page - 1) * rows,
                    rows=rows,
                    facet_fields=(),
                ),
            ),
        )
        for org in shown
    ]
    return render(
        request,
        "publish/dashboard.html",
        orgs=orgs,
        sections=sections,
        organization=chosen[0].name if chosen else "",
        q=q,
        page=page,
        rows=rows,
    )


# ---------------------------------------------------------------- datasets


def _dataset_form_page(
    request: Request,
    profile: Profile,
    orgs: list[OrganizationSummary],
    form: DatasetForm,
    errors: FieldErrors,
    dataset: DatasetRead | None = None,
    panels: str = "",
) -> HTMLResponse:
    return render(
        request,
        "publish/dataset_form.html",
        status_code=422 if errors else 200,
        form=form,
        errors=errors,
        dataset=dataset,
        orgs=orgs,
        frequencies=[(code, FREQUENCY_LABELS[code]) for code in FREQUENCIES],
        action=f"/dataset/{dataset.name}/edit" if dataset else "/publish/new",
        panels=panels,
    )


def _panels(request: Request, session: Session, actor: Actor, profile: Profile, dataset: DatasetRead) -> str:
    """What other domains show about the stored dataset (the DCAT-AP check), on a form without errors."""
    return render_panels("dataset", request, session=session, actor=actor, profile=profile, dataset=dataset)


@router.get("/publish/new", response_class=HTMLResponse)
def new_dataset(
    request: Request, session: SessionDep, actor: ActorDep, profile: ProfileDep, organization: str = ""
) -> Response:
    if not actor.authenticated:
        return login_redirect(request)
    orgs = _publisher_orgs(session, actor)
    default_org = organization or (orgs[0].name if len(orgs) == 1 else "")
    form = DatasetForm(organization=default_org, license_id=profile.default_licence)
    return _dataset_form_page(request, profile, orgs, form, {})


def _submitted_state(form: FormData) -> Literal["draft", "published"] | None:
    """The state the pressed button asks for: 'Publish' or 'Save as draft'; None keeps the state."""
    action = text(form, "action")
    if action == "publish":
        return "published"
    return "draft" if action == "draft" else None


@router.post("/publish/new", response_class=HTMLResponse)
def create_dataset(
    request: Request, session: SessionDep, actor: ActorDep, profile: ProfileDep, submitted: FormDep
) -> Response:
    check_csrf(request, text(submitted, "csrf_token"))
    form = DatasetForm.read(submitted, profile)
    errors = form.problems()
    created: DatasetRead | None = None
    try:
        data = DatasetCreate(
            name=form.name,
            organization=form.organization,
            state=_submitted_state(submitted) or "draft",
            **form.values(),
        )
    except ValidationError as exc:
        errors = merge(errors, from_validation(exc, DATASET_FIELD_MESSAGES))
    if not errors:
        try:
            created = service.create_dataset(session, actor, profile, data)
        except (Invalid, Conflict) as exc:
            session.rollback()
            errors = from_domain(exc)
        except NotAuthenticated:
            raise
        except Forbidden:  # an organization where the user may not publish: say so, keep what was typed
            session.rollback()
            errors = {"organization": [NOT_YOUR_ORGANIZATION]}
    if created is None:
        return _dataset_form_page(request, profile, _publisher_orgs(session, actor), form, errors)
    flash(request, "The dataset is saved. Now add its data: upload a file or give a link.")
    return RedirectResponse(f"/dataset/{created.name}/resource/new", status_code=303)


@router.get("/dataset/{name}/edit", response_class=HTMLResponse)
def edit_dataset(
    request: Request, name: str, session: SessionDep, actor: ActorDep, profile: ProfileDep
) -> Response:
    if not actor.authenticated:
        return login_redirect(request)
    dataset = _editable_dataset(session, actor, profile, name, "dataset.update")
    orgs = _publisher_orgs(session, actor)
    form = DatasetForm.of(dataset, profile)
    panels = _panels(request, session, actor, profile, dataset)
    return _dataset_form_page(request, profile, orgs, form, {}, dataset, panels)


@router.post("/dataset/{name}/edit", response_class=HTMLResponse)
def update_dataset(
    request: Request, name: str, session: SessionDep, actor: ActorDep, profile: ProfileDep, submitted: FormDep
) -> Response:
    check_csrf(request, text(submitted, "csrf_token"))
    dataset = _editable_dataset(session, actor, profile, name, "dataset.update")
    form = DatasetForm.read(submitted, profile).keeping(dataset, profile.languages)
    errors = form.problems()
    updated: DatasetRead | None = None
    try:
        changes = {"name": form.name, "organization": form.organization, **form.values()}
        if state := _submitted_state(submitted):
            changes["state"] = state  # otherwise the dataset keeps its state
        data = DatasetUpdate(**changes)
    except ValidationError as exc:
        errors = merge(errors, from_validation(exc, DATASET_FIELD_MESSAGES))
    if not errors:
        try:
            updated = service.update_dataset(session, actor, profile, name, data)
        except (Invalid, Conflict) as exc:
            session.rollback()
            errors = from_domain(exc)
        except NotAuthenticated:
            raise
        except Forbidden:  # moving it to an organization where the user may not publish
            session.rollback()
            errors = {"organization": [NOT_YOUR_ORGANIZATION]}
    if updated is None:
        return _dataset_form_page(request, profile, _publisher_orgs(session, actor), form, errors, dataset)
    flash(request, _saved_message(_submitted_state(submitted)))
    return RedirectResponse(f"/dataset/{updated.name}/edit", status_code=303)


def _saved_message(asked: str | None) -> str:
    if asked == "published":
        return "The dataset is published."
    if asked == "draft":
        return "The dataset is saved as a draft: only its organization can see it."
    return "The changes are saved."


@router.post("/dataset/{name}/publish")
def publish_dataset(
    request: Request, name: str, session: SessionDep, actor: ActorDep, profile: ProfileDep, submitted: FormDep
) -> Response:
    check_csrf(request, text(submitted, "csrf_token"))
    try:
        dataset = service.update_dataset(session, actor, profile, name, DatasetUpdate(state="published"))
    except Invalid as exc:  # a publication gate said no (e.g. personal data): the dataset page says why
        session.rollback()
        flash(request, exc.message)
        return RedirectResponse(f"/dataset/{name}", status_code=303)
    flash(request, "The dataset is published.")
    target = _safe_next(text(submitted, "next"), f"/dataset/{dataset.name}/edit")
    return RedirectResponse(target, status_code=303)


@router.get("/dataset/{name}/delete", response_class=HTMLResponse)
def confirm_delete_dataset(
    request: Request, name: str, session: SessionDep, actor: ActorDep, profile: ProfileDep
) -> Response:
    if not actor.authenticated:
        return login_redirect(request)
    dataset = _editable_dataset(session, actor, profile, name, "dataset.delete")
    return render(request, "publish/confirm_delete.html", dataset=dataset, resource=None)


@router.post("/dataset/{name}/delete")
def delete_dataset(
    request: Request, name: str, session: SessionDep, actor: ActorDep, submitted: FormDep
) -> Response:
    check_csrf(request, text(submitted, "csrf_token"))
    service.delete_dataset(session, actor, name)
    flash(request, "The dataset is deleted.")
    return RedirectResponse("/publish", status_code=303)


# ---------------------------------------------------------------- resources


@dataclass
class ResourceForm:
    name: str = ""
    description: str = ""
    url: str = ""
    format: str = ""


def _resource_of(dataset: DatasetRead, resource_id: str) -> ResourceRead:
    for resource in dataset.resources:
        if resource.id == resource_id:
            return resource
    raise NotFound(f"The dataset {dataset.name!r} has no resource {resource_id!r}.")


def _resource_form_page(
    request: Request,
    dataset: DatasetRead,
    form: ResourceForm,
    errors: FieldErrors,
    resource: ResourceRead | None = None,
    panels: str = "",
) -> HTMLResponse:
    action = f"/dataset/{dataset.name}/resource/" + (f"{resource.id}/edit" if resource else "new")
    return render(
        request,
        "publish/resource_form.html",
        status_code=422 if errors else 200,
        dataset=dataset,
        resource=resource,
        form=form,
        errors=errors,
        action=action,
        formats=COMMON_FORMATS,
        panels=panels,
    )


@router.get("/dataset/{name}/resource/new", response_class=HTMLResponse)
def new_resource(
    request: Request, name: str, session: SessionDep, actor: ActorDep, profile: ProfileDep
) -> Response:
    if not actor.authenticated:
        return login_redirect(request)
    dataset = _editable_dataset(session, actor, profile, name, "dataset.update")
    panels = _panels(request, session, actor, profile, dataset)  # where a new dataset lands
    return _resource_form_page(request, dataset, ResourceForm(), {}, panels=panels)


FormText = Annotated[str, Form()]
FormFile = Annotated[UploadFile | None, File()]


async def _stored(store: FileStore, file: UploadFile | None) -> tuple[Upload | None, FieldErrors]:
    """The uploaded file moved into the store (None when no file was chosen), or the error to show."""
    if file is None or not file.filename:
        return None, {}
    try:
        return await store_upload(store, file), {}
    except (TooLarge, Invalid) as exc:
        return None, {"file": [exc.message]}


def _link_problems(url: str) -> FieldErrors:
    """The service's rule for links, checked before a file is stored for a form that would be refused."""
    try:
        service._check_url(url)
    except Invalid as exc:
        return from_domain(exc)
    return {}


def _discard(session: Session, store: FileStore, upload: Upload | None) -> None:
    """Remove a file stored for a change that failed, unless a resource already used it."""
    if upload is not None:
        session.rollback()
        discard_if_unreferenced(session, store, upload.stored.sha256)


@router.post("/dataset/{name}/resource/new", response_class=HTMLResponse)
async def create_resource(
    request: Request,
    name: str,
    session: SessionDep,
    actor: ActorDep,
    profile: ProfileDep,
    store: StoreDep,
    csrf_token: FormText = "",
    resource_name: Annotated[str, Form(alias="name")] = "",
    description: FormText = "",
    url: FormText = "",
    format: FormText = "",
    file: FormFile = None,
) -> Response:
    check_csrf(request, csrf_token)
    dataset = _editable_dataset(session, actor, profile, name, "dataset.update")  # before storing anything
    form = ResourceForm(resource_name.strip(), description.strip(), url.strip(), format.strip().upper())
    errors = _link_problems(form.url)
    try:
        data = ResourceCreate(name=form.name, description=form.description, url=form.url, format=form.format)
    except ValidationError as exc:
        errors = merge(errors, from_validation(exc))
    created, errors = await _store_and_save(
        session,
        store,
        file,
        errors,
        lambda upload: service.create_resource(session, actor, dataset.name, data, upload),
    )
    if created is None:
        return _resource_form_page(request, dataset, form, errors)
    flash(request, "The resource is added.")
    return RedirectResponse(f"/dataset/{dataset.name}/edit#resources", status_code=303)


async def _store_and_save(
    session: Session,
    store: FileStore,
    file: UploadFile | None,
    errors: FieldErrors,
    save: Callable[[Upload | None], ResourceRead],
) -> tuple[ResourceRead | None, FieldErrors]:
    """Store the file only for an otherwise valid form, save, and discard the file when saving fails."""
    if errors:
        return None, errors
    upload, errors = await _stored(store, file)
    if errors:
        return None, errors
    saved: ResourceRead | None = None
    try:
        saved = save(upload)
    except (Invalid, Conflict) as exc:
        session.rollback()
        errors = from_domain(exc)
    finally:
        if saved is None:
            _discard(session, store, upload)
    return saved, errors


@router.get("/dataset/{name}/resource/{resource_id}/edit", response_class=HTMLResponse)
def edit_resource(
    request: Request, name: str, resource_id: str, session: SessionDep, actor: ActorDep, profile: ProfileDep
) -> Response:
    if not actor.authenticated:
        return login_redirect(request)
    dataset = _editable_dataset(session, actor, profile, name, "dataset.update")
    resource = _resource_of(dataset, resource_id)
    link = "" if resource.url_type == "upload" else resource.url
    form = ResourceForm(resource.name, resource.description, link, resource.format)
    return _resource_form_page(request, dataset, form, {}, resource)


@router.post("/dataset/{name}/resource/{resource_id}/edit", response_class=HTMLResponse)
async def update_resource(
    request: Request,
    name: str,
    resource_id: str,
    session: SessionDep,
    actor: ActorDep,
    profile: ProfileDep,
    store: StoreDep,
    csrf_token: FormText = "",
    resource_name: Annotated[str, Form(alias="name")] = "",
    description: FormText = "",
    url: FormText = "",
    format: FormText = "",
    file: FormFile = None,
) -> Response:
    check_csrf(request, csrf_token)
    dataset = _editable_dataset(session, actor, profile, name, "dataset.update")
    resource = _resource_of(dataset, resource_id)
    form = ResourceForm(resource_name.strip(), description.strip(), url.strip(), format.strip().upper())
    errors = _link_problems(form.url)
    try:
        data = ResourceUpdate(
            name=form.name, description=form.description, url=form.url or None, format=form.format or None
        )
    except ValidationError as exc:
        errors = merge(errors, from_validation(exc))
    updated, errors = await _store_and_save(
        session,
        store,
        file,
        errors,
        lambda upload: service.update_resource(session, actor, resource.id, data, upload),
    )
    if updated is None:
        return _resource_form_page(request, dataset, form, errors, resource)
    flash(request, "The resource is saved.")
    return RedirectResponse(f"/dataset/{dataset.name}/edit#resources", status_code=303)


@router.get("/dataset/{name}/resource/{resource_id}/delete", response_class=HTMLResponse)
def confirm_delete_resource(
    request: Request, name: str, resource_id: str, session: SessionDep, actor: ActorDep, profile: ProfileDep
) -> Response:
    if not actor.authenticated:
        return login_redirect(request)
    dataset = _editable_dataset(session, actor, profile, name, "dataset.update")
    resource = _resource_of(dataset, resource_id)
    return render(request, "publish/confirm_delete.html", dataset=dataset, resource=resource)


@router.post("/dataset/{name}/resource/{resource_id}/delete")
def delete_resource(
    request: Request,
    name: str,
    resource_id: str,
    session: SessionDep,
    actor: ActorDep,
    profile: ProfileDep,
    submitted: FormDep,
) -> Response:
    check_csrf(request, text(submitted, "csrf_token"))
    dataset = _editable_dataset(session, actor, profile, name, "dataset.update")
    service.delete_resource(session, actor, _resource_of(dataset, resource_id).id)
    flash(request, "The resource is deleted.")
    return RedirectResponse(f"/dataset/{dataset.name}/edit#resources", status_code=303)
