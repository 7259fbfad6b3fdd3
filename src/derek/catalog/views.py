"""HTML pages of the catalog: search, dataset, organization, theme pages, and file downloads."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response

from derek.catalog import service
from derek.catalog.search import SearchQuery
from derek.web.deps import ActorDep, LangDep, ProfileDep, SessionDep, StoreDep
from derek.web.pages import render

router = APIRouter(include_in_schema=False)


@router.get("/dataset", response_class=HTMLResponse)
def search_page(
    request: Request, session: SessionDep, actor: ActorDep, lang: LangDep, q: str = ""
) -> HTMLResponse:
    results = service.search_datasets(session, actor, SearchQuery(q=q, lang=lang))
    return render(request, "catalog/search.html", results=results, q=q)


@router.get("/dataset/{name}", response_class=HTMLResponse)
def dataset_page(
    request: Request, name: str, session: SessionDep, actor: ActorDep, profile: ProfileDep
) -> HTMLResponse:
    dataset = service.get_dataset(session, actor, profile, name)
    service.record_view(session, dataset.id)
    return render(request, "catalog/dataset.html", dataset=dataset)


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
    dataset, resource = service.get_resource(session, actor, resource_id)
    if dataset.slug != name and dataset.id != name:
        return RedirectResponse(service.download_path(dataset, resource), status_code=301)
    if resource.url_type != "upload":
        return RedirectResponse(resource.url, status_code=302)
    return FileResponse(
        store.open_path(resource.sha256),
        media_type=resource.media_type or "application/octet-stream",
        filename=resource.filename or filename,
        headers={"ETag": f'"{resource.sha256}"', "Cache-Control": "public, max-age=300"},
        content_disposition_type="attachment",
    )
