"""HTML pages of the catalog: search, dataset, organization, theme pages, and file downloads."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from derek.catalog import schemaorg, service
from derek.catalog.browse import browse, make_labeler, theme_tiles
from derek.catalog.labels import frequency_label, org_type_label
from derek.catalog.models import Dataset
from derek.catalog.schemas import DatasetRead, OrganizationRead
from derek.config import Profile
from derek.core.authz import Actor, can
from derek.core.db import utcnow
from derek.core.errors import NotFound
from derek.core.i18n import pick, translator
from derek.core.storage import FileStore
from derek.web.deps import ActorDep, LangDep, ProfileDep, SessionDep, StoreDep, get_settings
from derek.web.pages import LANGUAGE_NAMES, render
from derek.web.panels import render_panels

router = APIRouter(include_in_schema=False)
logger = logging.getLogger(__name__)


def _params(request: Request) -> dict[str, list[str]]:
    params: dict[str, list[str]] = {}
    for key, value in request.query_params.multi_items():
        params.setdefault(key, []).append(value)
    return params


def _site(request: Request) -> str:
    return str(request.base_url).rstrip("/")


@router.get("/dataset", response_class=HTMLResponse)
def search_page(
    request: Request, session: SessionDep, actor: ActorDep, profile: ProfileDep, lang: LangDep
) -> HTMLResponse:
    labeler = make_labeler(session, actor, profile, lang)
    found = browse(session, actor, labeler, path="/dataset", params=_params(request))
    # the anonymised search log (demand evidence for dataset selection): the words as first typed, so a
    # facet click or a further page is not another search, and their count is not a filter's
    if found.q and found.page == 1 and not found.active:
        now = get_settings(request).clock or utcnow()
        _log_search(session, found.q, found.count, service.local_today(profile, now))
    return render(request, "catalog/search.html", browse=found)


def _log_search(session: Session, words: str, hits: int, today: date) -> None:
    """Log the search after ending the page's read transaction: on SQLite a transaction that has read
    cannot start writing once another writer has committed meanwhile, while a fresh one waits its turn.
    The log is evidence, not the visitor's business: a failure to write it is logged, not shown."""
    session.commit()
    try:
        with session.begin_nested():
            service.record_search(session, words, hits, today)
    except OperationalError:
        logger.warning("the search log could not be written this time", exc_info=True)


@router.get("/dataset/{name}", response_class=HTMLResponse)
def dataset_page(
    request: Request, name: str, session: SessionDep, actor: ActorDep, profile: ProfileDep, lang: LangDep
) -> HTMLResponse:
    dataset = service.get_dataset(session, actor, profile, name)
    service.record_view(session, dataset.id)
    organization = service.get_organization(session, actor, dataset.organization.id)
    site = _site(request)
    return render(
        request,
        "catalog/dataset.html",
        dataset=dataset,
        organization=organization,
        themes=[(code, _theme_title(profile, code, lang)) for code in dataset.themes],
        regions=[(code, _region_title(profile, code, lang)) for code in dataset.regions],
        frequency=frequency_label(dataset.update_frequency),
        language_names=[LANGUAGE_NAMES.get(code, code) for code in dataset.languages],
        api=api_examples(site, dataset),
        citation=citation(site, dataset, profile, lang),
        page_url=f"{site}/dataset/{dataset.name}",
        jsonld=schemaorg.page_markup(dataset, site=site, lang=lang, profile=profile),
        can_edit=can(actor, "dataset.update", dataset.organization.id),
        panels=render_panels(
            "dataset", request, session=session, actor=actor, profile=profile, dataset=dataset
        ),
    )


def _stored_file(
    store: FileStore, dataset: Dataset, sha256: str, media_type: str, filename: str, public_cache: str
) -> FileResponse:
    """A stored file as an attachment; shared caches may keep it only when the dataset is public."""
    public = dataset.state == "published" and not dataset.private
    return FileResponse(
        store.open_path(sha256),
        media_type=media_type or "application/octet-stream",
        filename=filename,
        headers={
            "ETag": f'"{sha256}"',
            "Cache-Control": f"public, {public_cache}" if public else "private, no-store",
            "Vary": "Authorization, Cookie",
        },
        content_disposition_type="attachment",
    )


@router.get("/dataset/{name}/resource/{resource_id}/download/{filename}")
def download(
    name: str,
    resource_id: str,
    filename: str,
    request: Request,
    session: SessionDep,
    actor: ActorDep,
    store: StoreDep,
) -> Response:
    dataset, resource = service.get_content(session, actor, resource_id)
    if dataset.slug != name and dataset.id != name:
        return RedirectResponse(service.download_path(dataset, resource), status_code=301)
    if resource.url_type != "upload":
        return RedirectResponse(resource.url, status_code=302)
    return _stored_file(
        store, dataset, resource.sha256, resource.media_type, resource.filename or filename, "max-age=300"
    )


@router.get("/dataset/{name}/resource/{resource_id}/version/{number}/download/{filename}")
def download_version(
    name: str,
    resource_id: str,
    number: int,
    filename: str,
    session: SessionDep,
    actor: ActorDep,
    store: StoreDep,
) -> Response:
    """An earlier (or the latest) version of a resource's file, as it was uploaded."""
    dataset, resource, version = service.get_version(session, actor, resource_id, number)
    if dataset.slug != name and dataset.id != name:
        return RedirectResponse(service.version_download_path(dataset, resource, version), status_code=301)
    if not version.sha256:
        return RedirectResponse(version.url, status_code=302)
    if version.sha256 == resource.sha256:  # the current file: as the latest download, it may be held back
        service.get_content(session, actor, resource_id)
    return _stored_file(
        store,
        dataset,
        version.sha256,
        version.media_type,
        version.filename or filename,
        "max-age=86400, immutable",
    )


@router.get("/organization", response_class=HTMLResponse)
def organizations_page(request: Request, session: SessionDep, actor: ActorDep, lang: LangDep) -> HTMLResponse:
    organizations = service.list_organizations(session, actor)
    organizations.sort(key=lambda o: pick(o.title, lang).casefold())
    return render(request, "catalog/organizations.html", organizations=organizations, org_type=org_type_label)


@router.get("/organization/{name}", response_class=HTMLResponse)
def organization_page(
    request: Request, name: str, session: SessionDep, actor: ActorDep, profile: ProfileDep, lang: LangDep
) -> HTMLResponse:
    organization = service.get_organization(session, actor, name)
    labeler = make_labeler(session, actor, profile, lang)
    found = browse(
        session,
        actor,
        labeler,
        path=f"/organization/{organization.name}",
        params=_params(request),
        fixed={"organization": [organization.name]},
    )
    return render(
        request,
        "catalog/organization.html",
        organization=organization,
        parent=_parent(session, actor, organization),
        org_type=org_type_label(organization.org_type),
        browse=found,
        panels=render_panels(
            "organization", request, session=session, actor=actor, profile=profile, organization=organization
        ),
    )


def _parent(session: Session, actor: Actor, organization: OrganizationRead) -> OrganizationRead | None:
    if not organization.parent:
        return None
    try:
        return service.get_organization(session, actor, organization.parent)
    except NotFound:
        return None


@router.get("/theme", response_class=HTMLResponse)
def themes_page(request: Request, session: SessionDep, actor: ActorDep, profile: ProfileDep) -> HTMLResponse:
    return render(request, "catalog/themes.html", theme_tiles=theme_tiles(session, actor, profile))


@router.get("/theme/{code}", response_class=HTMLResponse)
def theme_page(
    request: Request, code: str, session: SessionDep, actor: ActorDep, profile: ProfileDep, lang: LangDep
) -> HTMLResponse:
    theme = profile.theme(code.upper())
    if theme is None:
        raise NotFound(f"There is no theme {code!r}.")
    if code != theme.code:
        return RedirectResponse(f"/theme/{theme.code}", status_code=301)  # type: ignore[return-value]
    labeler = make_labeler(session, actor, profile, lang)
    found = browse(
        session,
        actor,
        labeler,
        path=f"/theme/{theme.code}",
        params=_params(request),
        fixed={"theme": [theme.code]},
    )
    return render(request, "catalog/theme.html", theme=theme, browse=found)


@router.get("/region/{code}", response_class=HTMLResponse)
def region_page(
    request: Request, code: str, session: SessionDep, actor: ActorDep, profile: ProfileDep, lang: LangDep
) -> HTMLResponse:
    """A region of the profile and the datasets about it: the page behind the `<site>/region/<code>` URIs the
    DCAT-AP output gives as dct:spatial."""
    region = profile.region(code.upper())
    if region is None:
        raise NotFound(f"There is no region {code!r}.")
    if code != region.code:
        return RedirectResponse(f"/region/{region.code}", status_code=301)  # type: ignore[return-value]
    labeler = make_labeler(session, actor, profile, lang)
    found = browse(
        session,
        actor,
        labeler,
        path=f"/region/{region.code}",
        params=_params(request),
        fixed={"region": [region.code]},
    )
    return render(request, "catalog/region.html", region=region, browse=found)


def _theme_title(profile: Profile, code: str, lang: str) -> str:
    theme = profile.theme(code)
    return pick(theme.title, lang, (lang, *profile.languages)) if theme else code


def _region_title(profile: Profile, code: str, lang: str) -> str:
    region = profile.region(code)
    return pick(region.title, lang, (lang, *profile.languages)) if region else code


def api_examples(site: str, dataset: DatasetRead) -> dict[str, str]:
    """Copy-paste snippets that fetch this dataset through the native API and the CKAN-compatible API."""
    native = f"{site}/api/v1/datasets/{dataset.name}"
    ckan = f"{site}/api/3/action/package_show?id={dataset.name}"
    examples = {
        "curl": f"curl -s '{native}'",
        "curl_ckan": f"curl -s '{ckan}'",
        "python": (
            "import json\n"
            "from urllib.request import urlopen\n\n"
            f'with urlopen("{native}") as response:\n'
            "    dataset = json.load(response)\n\n"
            'for resource in dataset["resources"]:\n'
            '    print(resource["name"], resource["format"], resource["download_url"])'
        ),
        "python_ckan": (
            "from ckanapi import RemoteCKAN  # pip install ckanapi\n\n"
            f'portal = RemoteCKAN("{site}")\n'
            f'package = portal.action.package_show(id="{dataset.name}")\n'
            'print(package["title"], len(package["resources"]))'
        ),
    }
    first = next((r for r in dataset.resources if r.download_url), None)
    if first is not None:
        url = first.download_url if "://" in first.download_url else site + first.download_url
        examples["curl_download"] = f"curl -L -O -J '{url}'"
    return examples


def citation(site: str, dataset: DatasetRead, profile: Profile, lang: str) -> str:
    """A data citation in the common 'Creator (year). Title (version) [Data set]. Publisher. URL' form."""
    gettext = translator(lang)
    fallback = (lang, profile.default_language, *profile.languages)
    year = (dataset.issued or dataset.created_at).year
    version = f" ({gettext('Version')} {dataset.version})" if dataset.version else ""
    accessed = datetime.now(UTC).date().isoformat()
    return (
        f"{pick(dataset.organization.title, lang, fallback)} ({year}). "
        f"{pick(dataset.title, lang, fallback)}{version} [{gettext('Data set')}]. "
        f"{pick(profile.name, lang, fallback)}. {site}/dataset/{dataset.name} "
        f"({gettext('accessed {date}', date=accessed)})"
    )
