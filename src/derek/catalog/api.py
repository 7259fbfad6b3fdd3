"""Native REST API of the catalog: /api/v1/datasets, /resources, /organizations, /themes, /licences."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, File, Form, Query, Request, Response, UploadFile
from pydantic import BaseModel

from derek.catalog import service
from derek.catalog.schemas import (
    DatasetCreate,
    DatasetRead,
    DatasetUpdate,
    OrganizationCreate,
    OrganizationRead,
    OrganizationUpdate,
    ResourceCreate,
    ResourceRead,
    ResourceUpdate,
    ResourceVersionRead,
    SearchResults,
)
from derek.catalog.search import SearchQuery, facet_fields
from derek.core import accounts
from derek.core.authz import authorize
from derek.core.errors import Invalid
from derek.web.caching import NOT_MODIFIED, cached_json
from derek.web.deps import ActorDep, LangDep, ProfileDep, SessionDep, StoreDep
from derek.web.problems import PROBLEM_RESPONSES

router = APIRouter(prefix="/api/v1", responses=PROBLEM_RESPONSES)


class ThemeRead(BaseModel):
    code: str
    title: dict[str, str]
    national: list[str]


class LicenceRead(BaseModel):
    id: str
    title: str
    url: str
    open: bool


class MemberIn(BaseModel):
    role: Literal["admin", "editor", "member"]


class MemberRead(BaseModel):
    organization: str
    user: str
    role: str


def search_query(
    lang: str,
    q: str = "",
    organization: list[str] | None = None,
    theme: list[str] | None = None,
    format: list[str] | None = None,
    license: list[str] | None = None,
    keyword: list[str] | None = None,
    frequency: list[str] | None = None,
    region: list[str] | None = None,
    sort: str = "relevance",
    start: int = 0,
    rows: int = 20,
    **others: list[str] | None,
) -> SearchQuery:
    given = {
        "organization": organization,
        "theme": theme,
        "format": format,
        "license": license,
        "keyword": keyword,
        "frequency": frequency,
        "region": region,
        **others,
    }
    filters = {k: [v for v in vals if v] for k, vals in given.items() if vals}
    return SearchQuery(q=q, filters=filters, sort=sort, lang=lang, start=start, rows=rows)


@router.get("/datasets", response_model=SearchResults, tags=["datasets"], summary="Search datasets")
def list_datasets(
    session: SessionDep,
    actor: ActorDep,
    lang: LangDep,
    q: Annotated[str, Query(max_length=500, description="words to find, in any language")] = "",
    organization: Annotated[list[str] | None, Query()] = None,
    theme: Annotated[list[str] | None, Query()] = None,
    format: Annotated[list[str] | None, Query()] = None,
    license: Annotated[list[str] | None, Query()] = None,
    keyword: Annotated[list[str] | None, Query()] = None,
    frequency: Annotated[list[str] | None, Query()] = None,
    region: Annotated[list[str] | None, Query()] = None,
    rating: Annotated[
        list[str] | None, Query(description="metadata quality: excellent, good, sufficient or bad")
    ] = None,
    stars: Annotated[list[str] | None, Query(description="5-star openness, 0 to 5")] = None,
    freshness: Annotated[
        list[str] | None, Query(description="on_time, due_soon, overdue or not_applicable")
    ] = None,
    sort: Annotated[Literal["relevance", "modified", "title", "name", "created"], Query()] = "relevance",
    start: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
    rows: Annotated[int, Query(ge=0, le=1000)] = 20,
) -> SearchResults:
    # the quality filters exist when the quality package registered its facets (it always does in the app)
    others = {k: v for k, v in (("rating", rating), ("stars", stars), ("freshness", freshness)) if v}
    unknown = set(others) - set(facet_fields())
    if unknown:
        raise Invalid(f"Unknown filter: {', '.join(sorted(unknown))}.")
    query = search_query(
        lang, q, organization, theme, format, license, keyword, frequency, region, sort, start, rows, **others
    )
    query.facet_fields = facet_fields()
    return service.search_datasets(session, actor, query)


@router.post("/datasets", response_model=DatasetRead, status_code=201, tags=["datasets"])
def create_dataset(
    data: DatasetCreate, session: SessionDep, actor: ActorDep, profile: ProfileDep
) -> DatasetRead:
    return service.create_dataset(session, actor, profile, data)


@router.get("/datasets/{name}", response_model=DatasetRead, tags=["datasets"], responses=NOT_MODIFIED)
def read_dataset(
    name: str, request: Request, session: SessionDep, actor: ActorDep, profile: ProfileDep
) -> Response:
    dataset = service.get_dataset(session, actor, profile, name)
    return cached_json(request, dataset, dataset.modified)


@router.patch("/datasets/{name}", response_model=DatasetRead, tags=["datasets"])
def update_dataset(
    name: str, data: DatasetUpdate, session: SessionDep, actor: ActorDep, profile: ProfileDep
) -> DatasetRead:
    return service.update_dataset(session, actor, profile, name, data)


@router.delete("/datasets/{name}", status_code=204, tags=["datasets"])
def delete_dataset(name: str, session: SessionDep, actor: ActorDep) -> Response:
    service.delete_dataset(session, actor, name)
    return Response(status_code=204)


@router.get("/datasets/{name}/resources", response_model=list[ResourceRead], tags=["resources"])
def list_resources(
    name: str, session: SessionDep, actor: ActorDep, profile: ProfileDep
) -> list[ResourceRead]:
    return service.get_dataset(session, actor, profile, name).resources


@router.post("/datasets/{name}/resources", response_model=ResourceRead, status_code=201, tags=["resources"])
def create_resource(name: str, data: ResourceCreate, session: SessionDep, actor: ActorDep) -> ResourceRead:
    return service.create_resource(session, actor, name, data)


@router.post(
    "/datasets/{name}/resources/upload", response_model=ResourceRead, status_code=201, tags=["resources"]
)
async def upload_resource(
    name: str,
    session: SessionDep,
    actor: ActorDep,
    store: StoreDep,
    file: Annotated[UploadFile, File(description="the file to publish")],
    resource_name: Annotated[str, Form(max_length=300)] = "",
    description: Annotated[str, Form(max_length=20000)] = "",
    format: Annotated[str, Form(max_length=50)] = "",
) -> ResourceRead:
    from derek.catalog.uploads import store_upload

    # fail fast before storing, so nobody can fill the disk with files they may not publish
    authorize(actor, "dataset.update", service.find_visible_dataset(session, actor, name))
    upload = await store_upload(store, file)
    data = ResourceCreate(name=resource_name, description=description, format=format)
    return service.create_resource(session, actor, name, data, upload)


@router.get(
    "/resources/{resource_id}", response_model=ResourceRead, tags=["resources"], responses=NOT_MODIFIED
)
def read_resource(resource_id: str, request: Request, session: SessionDep, actor: ActorDep) -> Response:
    resource = service.get_resource_read(session, actor, resource_id)
    return cached_json(request, resource, resource.modified)


@router.patch("/resources/{resource_id}", response_model=ResourceRead, tags=["resources"])
def update_resource(
    resource_id: str, data: ResourceUpdate, session: SessionDep, actor: ActorDep
) -> ResourceRead:
    return service.update_resource(session, actor, resource_id, data)


@router.get("/resources/{resource_id}/versions", response_model=list[ResourceVersionRead], tags=["resources"])
def list_versions(resource_id: str, session: SessionDep, actor: ActorDep) -> list[ResourceVersionRead]:
    """Every version of the resource's file, newest first, each with its own download link."""
    return service.list_versions(session, actor, resource_id)


@router.post("/resources/{resource_id}/upload", response_model=ResourceRead, tags=["resources"])
async def replace_resource_file(
    resource_id: str,
    session: SessionDep,
    actor: ActorDep,
    store: StoreDep,
    file: Annotated[UploadFile, File(description="the new version of the file")],
) -> ResourceRead:
    """Upload a new version of a resource's file; earlier versions stay downloadable, and a table is
    loaded again from the new one."""
    from derek.catalog.uploads import store_upload

    dataset, _resource = service.get_resource(session, actor, resource_id)
    authorize(actor, "dataset.update", dataset)  # before storing anything
    upload = await store_upload(store, file)
    return service.update_resource(session, actor, resource_id, ResourceUpdate(), upload)


@router.delete("/resources/{resource_id}", status_code=204, tags=["resources"])
def delete_resource(resource_id: str, session: SessionDep, actor: ActorDep) -> Response:
    service.delete_resource(session, actor, resource_id)
    return Response(status_code=204)


@router.get("/organizations", response_model=list[OrganizationRead], tags=["organizations"])
def list_organizations(session: SessionDep, actor: ActorDep) -> list[OrganizationRead]:
    return service.list_organizations(session, actor)


@router.post("/organizations", response_model=OrganizationRead, status_code=201, tags=["organizations"])
def create_organization(data: OrganizationCreate, session: SessionDep, actor: ActorDep) -> OrganizationRead:
    return service.create_organization(session, actor, data)


@router.get(
    "/organizations/{name}", response_model=OrganizationRead, tags=["organizations"], responses=NOT_MODIFIED
)
def read_organization(name: str, request: Request, session: SessionDep, actor: ActorDep) -> Response:
    org = service.get_organization(session, actor, name)
    return cached_json(request, org)


@router.patch("/organizations/{name}", response_model=OrganizationRead, tags=["organizations"])
def update_organization(
    name: str, data: OrganizationUpdate, session: SessionDep, actor: ActorDep
) -> OrganizationRead:
    return service.update_organization(session, actor, name, data)


@router.delete("/organizations/{name}", status_code=204, tags=["organizations"])
def delete_organization(name: str, session: SessionDep, actor: ActorDep) -> Response:
    service.delete_organization(session, actor, name)
    return Response(status_code=204)


@router.put("/organizations/{name}/members/{user}", response_model=MemberRead, tags=["organizations"])
def set_member(name: str, user: str, data: MemberIn, session: SessionDep, actor: ActorDep) -> MemberRead:
    org = service.get_organization(session, actor, name)
    accounts.set_membership(session, actor, user, org.id, data.role)
    return MemberRead(organization=org.name, user=user, role=data.role)


@router.delete("/organizations/{name}/members/{user}", status_code=204, tags=["organizations"])
def remove_member(name: str, user: str, session: SessionDep, actor: ActorDep) -> Response:
    org = service.get_organization(session, actor, name)
    accounts.set_membership(session, actor, user, org.id, None)
    return Response(status_code=204)


@router.get("/themes", response_model=list[ThemeRead], tags=["vocabularies"])
def list_themes(profile: ProfileDep) -> list[ThemeRead]:
    return [ThemeRead(code=t.code, title=t.title, national=list(t.national)) for t in profile.themes]


@router.get("/licences", response_model=list[LicenceRead], tags=["vocabularies"])
def list_licences(profile: ProfileDep) -> list[LicenceRead]:
    return [LicenceRead(id=lic.id, title=lic.title, url=lic.url, open=lic.open) for lic in profile.licences]
