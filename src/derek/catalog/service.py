"""Catalog services: organizations, datasets and resources. Plain functions; no HTTP here."""

from __future__ import annotations

import mimetypes
import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import PurePosixPath
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from derek.catalog import search as search_index
from derek.catalog.labels import frequency_label as frequency_label  # part of this service's surface
from derek.catalog.models import (
    Dataset,
    DatasetKeyword,
    DatasetRegion,
    DatasetTheme,
    Organization,
    Resource,
    ResourceVersion,
)
from derek.catalog.policy import can_see as can_see  # part of this service's surface
from derek.catalog.policy import visible_datasets
from derek.catalog.schemas import (
    DatasetCreate,
    DatasetRead,
    DatasetSummary,
    DatasetUpdate,
    FacetValue,
    OrganizationCreate,
    OrganizationRead,
    OrganizationSummary,
    OrganizationUpdate,
    ResourceCreate,
    ResourceRead,
    ResourceUpdate,
    ResourceVersionRead,
    SearchResults,
)
from derek.catalog.search import ExtraFacet as ExtraFacet  # part of this service's surface
from derek.catalog.search import SearchQuery as SearchQuery  # part of this service's surface
from derek.catalog.search import facet_fields as facet_fields  # part of this service's surface
from derek.catalog.search import register_facet as register_facet  # part of this service's surface
from derek.catalog.search import stem_words as stem_words  # part of this service's surface
from derek.catalog.search_log import LoggedSearch as LoggedSearch  # part of this service's surface
from derek.catalog.search_log import record_search as record_search  # part of this service's surface
from derek.catalog.search_log import searches_about as searches_about  # part of this service's surface
from derek.catalog.search_log import unmet_searches as unmet_searches  # part of this service's surface
from derek.config import Profile
from derek.core import audit, events, gates, storage
from derek.core.authz import Actor, authorize, can
from derek.core.db import utcnow
from derek.core.errors import Conflict, Forbidden, Invalid, NotFound
from derek.core.storage import StoredFile

FORMAT_MEDIA_TYPES = {
    "CSV": "text/csv",
    "TSV": "text/tab-separated-values",
    "JSON": "application/json",
    "GEOJSON": "application/geo+json",
    "XML": "application/xml",
    "XLSX": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "XLS": "application/vnd.ms-excel",
    "ODS": "application/vnd.oasis.opendocument.spreadsheet",
    "PDF": "application/pdf",
    "ZIP": "application/zip",
    "PARQUET": "application/vnd.apache.parquet",
    "TXT": "text/plain",
    "HTML": "text/html",
    "RDF": "application/rdf+xml",
    "TTL": "text/turtle",
    "DOCX": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "NDJSON": "application/x-ndjson",
    "JSONL": "application/x-ndjson",
}


def media_type(format_: str, declared: str = "") -> str:
    """A resource's media type: the declared one when well formed, else the one its format implies, else ''.
    (schema.org, Data Package and DCAT output share it.)"""
    base = declared.split(";")[0].strip()
    if re.fullmatch(r"[^/\s;]+/[^/\s;]+", base):
        return base
    known = FORMAT_MEDIA_TYPES.get(format_.upper())
    if known:
        return known
    guessed, _encoding = mimetypes.guess_type(f"file.{format_.lower()}") if format_ else (None, None)
    return guessed or ""


@dataclass(frozen=True)
class Upload:
    """A file already streamed into the store, with the name the publisher gave it."""

    stored: StoredFile
    filename: str


# ---------------------------------------------------------------- organizations


def _find_org(session: Session, name_or_id: str) -> Organization:
    if "\x00" in name_or_id:  # no name holds one, and PostgreSQL refuses it in a query
        raise NotFound(f"There is no organization {name_or_id!r}.")
    org = session.scalar(
        select(Organization).where(
            or_(Organization.slug == name_or_id, Organization.id == name_or_id),
            Organization.state == "active",
        )
    )
    if org is None:
        raise NotFound(f"There is no organization {name_or_id!r}.")
    return org


def _referenced_org(session: Session, name_or_id: str, field: str) -> Organization:
    """An organization named in a request body: a missing one is invalid input (422), not a missing page."""
    try:
        return _find_org(session, name_or_id)
    except NotFound as missing:
        raise Invalid(
            missing.message, errors={field: [f"{missing.message} Use the name of an organization."]}
        ) from None


def _org_dict(org: Organization) -> dict[str, Any]:
    return {
        "name": org.slug,
        "title": org.title,
        "description": org.description,
        "org_type": org.org_type,
        "parent_id": org.parent_id,
        "contact_email": org.contact_email,
        "website": org.website,
    }


def org_summary(org: Organization) -> OrganizationSummary:
    return OrganizationSummary(id=org.id, name=org.slug, title=org.title, org_type=org.org_type)


def _org_read(session: Session, actor: Actor, org: Organization) -> OrganizationRead:
    count = session.scalar(
        select(func.count(Dataset.id)).where(
            Dataset.organization_id == org.id, visible_datasets(actor, include_drafts=False)
        )
    )
    parent = session.get(Organization, org.parent_id) if org.parent_id else None
    return OrganizationRead(
        id=org.id,
        name=org.slug,
        title=org.title,
        org_type=org.org_type,
        description=org.description,
        parent=parent.slug if parent else None,
        contact_email=org.contact_email,
        contact_phone=org.contact_phone,
        website=org.website,
        logo_url=org.logo_url,
        dataset_count=count or 0,
        created_at=org.created_at,
    )


def create_organization(session: Session, actor: Actor, data: OrganizationCreate) -> OrganizationRead:
    authorize(actor, "organization.create")
    if session.scalar(select(Organization.id).where(Organization.slug == data.name)):
        raise Conflict(
            f"An organization named {data.name!r} already exists.", errors={"name": ["That name is taken."]}
        )
    parent_id = _referenced_org(session, data.parent, "parent").id if data.parent else None
    org = Organization(
        slug=data.name,
        title=data.title,
        description=data.description,
        org_type=data.org_type,
        parent_id=parent_id,
        contact_email=data.contact_email,
        contact_phone=data.contact_phone,
        website=data.website,
        logo_url=data.logo_url,
    )
    session.add(org)
    session.flush()
    audit.record(session, actor, "organization.create", "organization", org.id, None, _org_dict(org))
    return _org_read(session, actor, org)


def update_organization(
    session: Session, actor: Actor, name_or_id: str, data: OrganizationUpdate
) -> OrganizationRead:
    org = _find_org(session, name_or_id)
    authorize(actor, "organization.update", org)
    before = _org_dict(org)
    changes = data.model_dump(exclude_unset=True)
    if "parent" in changes:
        parent = changes.pop("parent")
        org.parent_id = _referenced_org(session, parent, "parent").id if parent else None
        _refuse_parent_cycle(session, org)
    for key, value in changes.items():
        if value is not None:
            setattr(org, key, value)
    session.flush()
    audit.record(session, actor, "organization.update", "organization", org.id, before, _org_dict(org))
    return _org_read(session, actor, org)


def _refuse_parent_cycle(session: Session, org: Organization) -> None:
    seen = {org.id}
    parent_id = org.parent_id
    while parent_id is not None:
        if parent_id in seen:
            raise Invalid(
                "An organization cannot be its own parent or the parent of its own parents.",
                errors={"parent": ["Choose a parent that is not below this organization."]},
            )
        seen.add(parent_id)
        parent = session.get(Organization, parent_id)
        parent_id = parent.parent_id if parent else None


def delete_organization(session: Session, actor: Actor, name_or_id: str) -> None:
    org = _find_org(session, name_or_id)
    authorize(actor, "organization.delete", org)
    live = session.scalar(
        select(func.count(Dataset.id)).where(Dataset.organization_id == org.id, Dataset.state != "deleted")
    )
    if live:
        raise Conflict(f"The organization {org.slug!r} still has {live} datasets: move or delete them first.")
    org.state = "deleted"
    audit.record(session, actor, "organization.delete", "organization", org.id, _org_dict(org), None)


def get_organization(session: Session, actor: Actor, name_or_id: str) -> OrganizationRead:
    return _org_read(session, actor, _find_org(session, name_or_id))


def list_organizations(session: Session, actor: Actor) -> list[OrganizationRead]:
    counts = dict(
        session.execute(
            select(Dataset.organization_id, func.count(Dataset.id))
            .where(visible_datasets(actor, include_drafts=False))
            .group_by(Dataset.organization_id)
        ).all()
    )
    orgs = session.scalars(
        select(Organization).where(Organization.state == "active").order_by(Organization.slug)
    )
    slugs = dict(session.execute(select(Organization.id, Organization.slug)).all())
    return [
        OrganizationRead(
            id=o.id,
            name=o.slug,
            title=o.title,
            org_type=o.org_type,
            description=o.description,
            parent=slugs.get(o.parent_id) if o.parent_id else None,
            contact_email=o.contact_email,
            contact_phone=o.contact_phone,
            website=o.website,
            logo_url=o.logo_url,
            dataset_count=counts.get(o.id, 0),
            created_at=o.created_at,
        )
        for o in orgs
    ]


def organizations_of(actor: Actor, session: Session, *roles: str) -> list[OrganizationSummary]:
    """Organizations where the actor holds one of the roles (all of them for a sysadmin)."""
    stmt = select(Organization).where(Organization.state == "active").order_by(Organization.slug)
    if not actor.sysadmin:
        ids = [org_id for org_id, role in actor.memberships.items() if role in roles]
        stmt = stmt.where(Organization.id.in_(ids))
    return [org_summary(o) for o in session.scalars(stmt)]


# ---------------------------------------------------------------- datasets


def _find_dataset(session: Session, name_or_id: str) -> Dataset:
    if "\x00" in name_or_id:  # no name holds one, and PostgreSQL refuses it in a query
        raise NotFound(f"There is no dataset {name_or_id!r}.")
    dataset = session.scalar(select(Dataset).where(or_(Dataset.slug == name_or_id, Dataset.id == name_or_id)))
    if dataset is None:
        raise NotFound(f"There is no dataset {name_or_id!r}.")
    return dataset


def find_visible_dataset(session: Session, actor: Actor, name_or_id: str) -> Dataset:
    """The dataset, or NotFound when it does not exist or the actor may not see it (no existence leak)."""
    dataset = _find_dataset(session, name_or_id)
    if not can_see(actor, dataset):
        raise NotFound(f"There is no dataset {name_or_id!r}.")
    return dataset


def _validate_vocabularies(profile: Profile, data: DatasetCreate | DatasetUpdate) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for theme in data.themes or []:
        if profile.theme(theme) is None:
            known = ", ".join(t.code for t in profile.themes)
            errors.setdefault("themes", []).append(f"Unknown theme {theme!r}: use one of {known}.")
    if data.license_id and profile.licence(data.license_id) is None:
        known = ", ".join(lic.id for lic in profile.licences)
        errors["license_id"] = [f"Unknown licence {data.license_id!r}: use one of {known}."]
    for region in data.regions or []:
        if profile.region(region) is None:
            errors.setdefault("regions", []).append(f"Unknown region code {region!r}.")
    if data.temporal_start and data.temporal_end and data.temporal_start > data.temporal_end:
        errors["temporal_end"] = ["The end of the period is before its start."]
    if data.title is not None and not any(data.title.values()):  # also a PATCH must not erase it
        errors["title"] = ["Give the title in at least one language."]
    return errors


def _dataset_dict(dataset: Dataset) -> dict[str, Any]:
    return {
        "name": dataset.slug,
        "title": dataset.title,
        "description": dataset.description,
        "organization_id": dataset.organization_id,
        "license_id": dataset.license_id,
        "themes": sorted(t.theme for t in dataset.themes),
        "keywords": sorted(k.keyword for k in dataset.keywords),
        "regions": sorted(r.region for r in dataset.regions),
        "state": dataset.state,
        "private": dataset.private,
        "update_frequency": dataset.update_frequency,
        "version": dataset.version,
        "extras": dataset.extras,
    }


def _apply(dataset: Dataset, values: dict[str, Any]) -> None:
    if "themes" in values:
        dataset.themes = [DatasetTheme(theme=t) for t in dict.fromkeys(values.pop("themes") or [])]
    if "keywords" in values:
        kws = [k.strip() for k in values.pop("keywords") or [] if k.strip()]
        dataset.keywords = [DatasetKeyword(keyword=k) for k in dict.fromkeys(kws)]
    if "regions" in values:
        dataset.regions = [DatasetRegion(region=r) for r in dict.fromkeys(values.pop("regions") or [])]
    for key, value in values.items():
        setattr(dataset, key, value)


def _changed(session: Session, dataset: Dataset) -> None:
    """After a change of a dataset (flushed): its search entry follows, and other domains hear of it."""
    search_index.index_dataset(session, dataset)
    events.publish(events.DATASET_CHANGED, session, dataset_id=dataset.id)


def create_dataset(
    session: Session, actor: Actor, profile: Profile, data: DatasetCreate, *, default_licence: bool = True
) -> DatasetRead:
    """Create a dataset. A dataset given no licence gets the profile's default one, unless `default_licence`
    is False (a harvested mirror whose source's licence is not one of the portal's: it states none)."""
    org = _referenced_org(session, data.organization, "organization")
    authorize(actor, "dataset.create", org)
    errors = _validate_vocabularies(profile, data)
    if errors:
        raise Invalid(
            "The dataset has invalid fields: " + " ".join(e[0] for e in errors.values()), errors=errors
        )
    if session.scalar(select(Dataset.id).where(Dataset.slug == data.name)):
        raise Conflict(
            f"A dataset named {data.name!r} already exists.", errors={"name": ["That URL is already in use."]}
        )
    values = data.model_dump(exclude={"name", "organization"})
    values["license_id"] = values.get("license_id") or (profile.default_licence if default_licence else "")
    values["temporal_start"], values["temporal_end"] = data.temporal_start, data.temporal_end
    values["issued"] = data.issued or (utcnow() if data.state == "published" else None)
    dataset = Dataset(slug=data.name, organization_id=org.id, created_by=actor.user_id, modified=utcnow())
    _apply(dataset, values)
    session.add(dataset)
    session.flush()
    _changed(session, dataset)
    audit.record(session, actor, "dataset.create", "dataset", dataset.id, None, _dataset_dict(dataset))
    return dataset_read(session, profile, dataset)


_RESET_BY_NULL: dict[str, Any] = {
    "description": {},
    "contact_name": "",
    "contact_email": "",
    "update_frequency": "UNKNOWN",
    "languages": [],
    "version": "",
    "extras": {},
}


def update_dataset(
    session: Session,
    actor: Actor,
    profile: Profile,
    name_or_id: str,
    data: DatasetUpdate,
    *,
    default_licence: bool = True,
) -> DatasetRead:
    dataset = find_visible_dataset(session, actor, name_or_id)
    authorize(actor, "dataset.update", dataset)
    if dataset.state == "deleted":
        raise NotFound(f"The dataset {name_or_id!r} was deleted.")
    stored_period = {"temporal_start": dataset.temporal_start, "temporal_end": dataset.temporal_end}
    given_period = data.model_dump(include=set(stored_period), exclude_unset=True)
    # the period checked as it will be: a bound left out of the change keeps its stored value
    errors = _validate_vocabularies(profile, data.model_copy(update={**stored_period, **given_period}))
    if errors:
        raise Invalid(
            "The dataset has invalid fields: " + " ".join(e[0] for e in errors.values()), errors=errors
        )
    before = _dataset_dict(dataset)
    values = data.model_dump(exclude_unset=True)
    if "name" in values:
        new_name = values.pop("name")
        if new_name and new_name != dataset.slug:
            if session.scalar(select(Dataset.id).where(Dataset.slug == new_name)):
                raise Conflict(f"A dataset named {new_name!r} already exists.", errors={"name": ["Taken."]})
            dataset.slug = new_name
    if "organization" in values:
        target = _referenced_org(
            session, values.pop("organization") or dataset.organization_id, "organization"
        )
        if target.id != dataset.organization_id:
            authorize(actor, "dataset.create", target)
            dataset.organization_id = target.id
    for required in ("title", "state", "private"):  # null: keep what there is
        if required in values and values[required] is None:
            values.pop(required)
    for key, default in _RESET_BY_NULL.items():  # null: back to the default, as for a new dataset
        if key in values and values[key] is None:
            values[key] = type(default)(default)
    if values.get("license_id") is None and "license_id" in values:
        values["license_id"] = profile.default_licence if default_licence else ""
    _check_gates(session, dataset, values)
    if values.get("state") == "published" and dataset.issued is None:
        dataset.issued = utcnow()
    _apply(dataset, values)
    dataset.modified = utcnow()
    session.flush()
    session.refresh(dataset)
    _changed(session, dataset)
    audit.record(session, actor, "dataset.update", "dataset", dataset.id, before, _dataset_dict(dataset))
    return dataset_read(session, profile, dataset)


def _check_gates(session: Session, dataset: Dataset, values: dict[str, Any]) -> None:
    """A dataset about to become public (published and not private) passes every publication gate."""
    was_public = dataset.state == "published" and not dataset.private
    will_be_public = values.get("state", dataset.state) == "published" and not values.get(
        "private", dataset.private
    )
    if will_be_public and not was_public:
        reasons = gates.reasons_not_to_publish(session, dataset.id)
        if reasons:
            raise Invalid(
                "The dataset cannot be published yet: " + " ".join(reasons), errors={"state": reasons}
            )


def delete_dataset(session: Session, actor: Actor, name_or_id: str) -> None:
    dataset = find_visible_dataset(session, actor, name_or_id)
    authorize(actor, "dataset.delete", dataset)
    before = _dataset_dict(dataset)
    dataset.state = "deleted"
    dataset.modified = utcnow()
    session.flush()
    events.publish(events.DATASET_CHANGED, session, dataset_id=dataset.id)
    audit.record(session, actor, "dataset.delete", "dataset", dataset.id, before, {"state": "deleted"})


def get_dataset(session: Session, actor: Actor, profile: Profile, name_or_id: str) -> DatasetRead:
    return dataset_read(session, profile, find_visible_dataset(session, actor, name_or_id))


def local_today(profile: Profile, now: datetime | None = None) -> date:
    """The day it is in the portal's time zone."""
    return (now or utcnow()).astimezone(ZoneInfo(profile.timezone)).date()


def record_view(session: Session, dataset_id: str) -> None:
    session.execute(update(Dataset).where(Dataset.id == dataset_id).values(view_count=Dataset.view_count + 1))


def dataset_summary(dataset: Dataset) -> DatasetSummary:
    return DatasetSummary(
        id=dataset.id,
        name=dataset.slug,
        title=dataset.title,
        description=dataset.description,
        organization=org_summary(dataset.organization),
        themes=sorted(t.theme for t in dataset.themes),
        formats=sorted({r.format.upper() for r in dataset.resources if r.format}),
        license_id=dataset.license_id,
        modified=dataset.modified,
        state=dataset.state,
        private=dataset.private,
    )


def dataset_read(
    session: Session, profile: Profile, dataset: Dataset, versions: dict[str, int] | None = None
) -> DatasetRead:
    """The full read of a dataset; `versions` (resource id -> version count) saves a query per dataset."""
    licence = profile.licence(dataset.license_id)
    if versions is None:
        versions = dict(
            session.execute(
                select(ResourceVersion.resource_id, func.count(ResourceVersion.id))
                .where(ResourceVersion.resource_id.in_([r.id for r in dataset.resources]))
                .group_by(ResourceVersion.resource_id)
            ).all()
        )
    summary = dataset_summary(dataset)
    return DatasetRead(
        **summary.model_dump(),
        keywords=sorted(k.keyword for k in dataset.keywords),
        regions=sorted(r.region for r in dataset.regions),
        license_title=licence.title if licence else dataset.license_id,
        license_url=licence.url if licence else "",
        contact_name=dataset.contact_name,
        contact_email=dataset.contact_email,
        update_frequency=dataset.update_frequency,
        temporal_start=dataset.temporal_start,
        temporal_end=dataset.temporal_end,
        languages=list(dataset.languages or []),
        version=dataset.version,
        issued=dataset.issued,
        extras=dict(dataset.extras or {}),
        resources=[resource_read(dataset, r, versions.get(r.id, 1)) for r in dataset.resources],
        view_count=dataset.view_count,
        created_at=dataset.created_at,
    )


def datasets_by_ids(session: Session, ids: list[str]) -> list[Dataset]:
    if not ids:
        return []
    found = {d.id: d for d in session.scalars(select(Dataset).where(Dataset.id.in_(ids)))}
    return [found[i] for i in ids if i in found]


def search_datasets(session: Session, actor: Actor, query: search_index.SearchQuery) -> SearchResults:
    outcome = search_index.search(session, actor, query)
    return SearchResults(
        count=outcome.count,
        results=[dataset_summary(d) for d in datasets_by_ids(session, outcome.dataset_ids)],
        facets={k: [FacetValue(value=v, count=n) for v, n in vals] for k, vals in outcome.facets.items()},
        start=query.start,
        rows=query.rows,
    )


# ---------------------------------------------------------------- resources


def download_path(dataset: Dataset, resource: Resource) -> str:
    return f"/dataset/{dataset.slug}/resource/{resource.id}/download/{resource.filename or 'file'}"


def version_download_path(dataset: Dataset, resource: Resource, version: ResourceVersion) -> str:
    return (
        f"/dataset/{dataset.slug}/resource/{resource.id}/version/{version.number}/download/"
        f"{version.filename or 'file'}"
    )


def list_versions(session: Session, actor: Actor, resource_id: str) -> list[ResourceVersionRead]:
    """Every version of a resource's file, newest first; each older upload stays downloadable."""
    dataset, resource = _find_resource(session, actor, resource_id)
    versions = list(
        session.scalars(
            select(ResourceVersion)
            .where(ResourceVersion.resource_id == resource.id)
            .order_by(ResourceVersion.number.desc())
        )
    )
    return [
        ResourceVersionRead(
            number=v.number,
            filename=v.filename,
            url=v.url,
            download_url=version_download_path(dataset, resource, v) if v.sha256 else v.url,
            size=v.size,
            sha256=v.sha256,
            media_type=v.media_type,
            created_at=v.created_at,
            latest=i == 0,
        )
        for i, v in enumerate(versions)
    ]


def get_version(
    session: Session, actor: Actor, resource_id: str, number: int
) -> tuple[Dataset, Resource, ResourceVersion]:
    dataset, resource = _find_resource(session, actor, resource_id)
    version = session.scalar(
        select(ResourceVersion).where(
            ResourceVersion.resource_id == resource.id, ResourceVersion.number == number
        )
    )
    if version is None:
        raise NotFound(f"The resource {resource_id!r} has no version {number}.")
    return dataset, resource, version


def _version_count(session: Session, resource: Resource) -> int:
    return (
        session.scalar(
            select(func.count(ResourceVersion.id)).where(ResourceVersion.resource_id == resource.id)
        )
        or 1
    )


def resource_read(dataset: Dataset, resource: Resource, version_count: int = 1) -> ResourceRead:
    is_upload = resource.url_type == "upload"
    return ResourceRead(
        id=resource.id,
        dataset_id=resource.dataset_id,
        position=resource.position,
        name=resource.name,
        description=resource.description,
        url=download_path(dataset, resource) if is_upload else resource.url,
        download_url=download_path(dataset, resource) if is_upload else resource.url,
        url_type=resource.url_type,
        format=resource.format,
        media_type=resource.media_type,
        size=resource.size,
        sha256=resource.sha256,
        created_at=resource.created_at,
        modified=resource.modified,
        version_count=version_count,
    )


def _guess_format(name: str, url: str) -> str:
    suffix = PurePosixPath(name or url.split("?")[0]).suffix.lstrip(".").upper()
    return suffix if suffix and len(suffix) <= 10 else ""


def _media_type_for(fmt: str, filename: str) -> str:
    return (
        FORMAT_MEDIA_TYPES.get(fmt.upper()) or mimetypes.guess_type(filename)[0] or "application/octet-stream"
    )


def _safe_filename(name: str) -> str:
    """A file name safe in a URL path and on disk: no folders, no dot-only names, the extension kept."""
    base = PurePosixPath(name.replace("\\", "/")).name.strip()
    cleaned = "".join(c if c.isalnum() or c in "._-" else "_" for c in base).strip(".")
    if not cleaned:
        return "file"
    stem, dot, suffix = cleaned.rpartition(".")
    if dot and stem and len(cleaned) > 200 and len(suffix) <= 10:
        return stem[: 199 - len(suffix)] + "." + suffix
    return cleaned[:200]


def _find_resource(session: Session, actor: Actor, resource_id: str) -> tuple[Dataset, Resource]:
    resource = session.get(Resource, resource_id)
    if resource is None or resource.state != "active":
        raise NotFound(f"There is no resource {resource_id!r}.")
    dataset = session.get(Dataset, resource.dataset_id)
    if dataset is None or not can_see(actor, dataset):
        raise NotFound(f"There is no resource {resource_id!r}.")
    return dataset, resource


def _add_version(session: Session, actor: Actor, resource: Resource) -> None:
    number = (
        session.scalar(
            select(func.max(ResourceVersion.number)).where(ResourceVersion.resource_id == resource.id)
        )
        or 0
    ) + 1
    session.add(
        ResourceVersion(
            resource_id=resource.id,
            number=number,
            url=resource.url,
            sha256=resource.sha256,
            size=resource.size,
            media_type=resource.media_type,
            filename=resource.filename,
            created_by=actor.user_id,
        )
    )
    session.flush()
    events.publish(
        events.RESOURCE_CONTENT_CHANGED,
        session,
        actor=actor,
        resource_id=resource.id,
        format=resource.format,
        url_type=resource.url_type,
    )


def _set_content(resource: Resource, data: ResourceCreate | ResourceUpdate, upload: Upload | None) -> None:
    if upload is not None:
        resource.url_type = "upload"
        resource.url = ""
        resource.filename = _safe_filename(upload.filename)
        resource.sha256 = upload.stored.sha256
        resource.size = upload.stored.size
    elif data.url:
        resource.url_type = ""
        resource.url = data.url
        resource.filename = ""
        resource.sha256 = ""
        resource.size = None
    source_name = resource.filename or resource.url
    guessed = _guess_format(resource.filename, resource.url)
    # a new file brings its own format (data.json replacing data.csv), unless the publisher names one
    resource.format = (
        data.format or (guessed if upload is not None else "") or resource.format or guessed
    ).upper()
    resource.media_type = data.media_type or _media_type_for(resource.format, source_name)


def _check_url(url: str) -> None:
    if url and not url.lower().startswith(("http://", "https://", "ftp://")):
        raise Invalid(
            f"The URL {url!r} must start with http://, https:// or ftp://.", errors={"url": ["Bad URL."]}
        )


def create_resource(
    session: Session,
    actor: Actor,
    dataset_name_or_id: str,
    data: ResourceCreate,
    upload: Upload | None = None,
    *,
    datastore: bool = False,
) -> ResourceRead:
    """A link (data.url), a stored file (upload), or with datastore=True a table fed through the DataStore
    API (CKAN's url_type "datastore": no file, no link; its URL is the table's dump)."""
    dataset = find_visible_dataset(session, actor, dataset_name_or_id)
    authorize(actor, "dataset.update", dataset)
    if dataset.state == "deleted":
        raise NotFound(f"The dataset {dataset_name_or_id!r} was deleted: restore it before adding files.")
    if upload is None and not data.url and not datastore:
        raise Invalid(
            "Give the resource a URL or upload a file.", errors={"url": ["A URL or a file is required."]}
        )
    _check_url(data.url)
    last = session.scalar(
        select(func.max(Resource.position)).where(
            Resource.dataset_id == dataset.id, Resource.state == "active"
        )
    )
    position = 0 if last is None else last + 1  # after the last one, even when some were deleted
    resource = Resource(
        dataset_id=dataset.id, position=position, name=data.name, description=data.description, url=""
    )
    _set_content(resource, data, upload)
    if not resource.name:
        resource.name = resource.filename or resource.url.rsplit("/", 1)[-1] or "resource"
    session.add(resource)
    session.flush()
    if datastore:
        resource.url_type, resource.url = "datastore", f"/datastore/dump/{resource.id}"
    _add_version(session, actor, resource)
    dataset.modified = utcnow()
    session.flush()
    session.refresh(dataset)
    _changed(session, dataset)
    audit.record(
        session,
        actor,
        "resource.create",
        "resource",
        resource.id,
        None,
        {"dataset": dataset.slug, "name": resource.name, "url": resource.url, "sha256": resource.sha256},
    )
    return resource_read(dataset, resource, _version_count(session, resource))


def update_resource(
    session: Session, actor: Actor, resource_id: str, data: ResourceUpdate, upload: Upload | None = None
) -> ResourceRead:
    dataset, resource = _find_resource(session, actor, resource_id)
    authorize(actor, "dataset.update", dataset)
    before = {
        "name": resource.name,
        "url": resource.url,
        "sha256": resource.sha256,
        "format": resource.format,
    }
    if data.url is not None:
        _check_url(data.url)
    content_changed = upload is not None or (
        data.url is not None and data.url != resource.url and data.url != ""
    )
    if data.name is not None:
        resource.name = data.name
    if data.description is not None:
        resource.description = data.description
    if content_changed or data.format is not None or data.media_type is not None:
        _set_content(resource, data, upload if content_changed else None)
    resource.modified = utcnow()
    if content_changed:
        _add_version(session, actor, resource)
    dataset.modified = utcnow()
    session.flush()
    events.publish(events.DATASET_CHANGED, session, dataset_id=dataset.id)
    audit.record(
        session,
        actor,
        "resource.update",
        "resource",
        resource.id,
        before,
        {"name": resource.name, "url": resource.url, "sha256": resource.sha256, "format": resource.format},
    )
    return resource_read(dataset, resource, _version_count(session, resource))


def delete_resource(session: Session, actor: Actor, resource_id: str) -> None:
    dataset, resource = _find_resource(session, actor, resource_id)
    authorize(actor, "dataset.update", dataset)
    resource.state = "deleted"
    dataset.modified = utcnow()
    session.flush()
    session.refresh(dataset)
    _changed(session, dataset)
    audit.record(session, actor, "resource.delete", "resource", resource.id, {"name": resource.name}, None)


def get_resource(session: Session, actor: Actor, resource_id: str) -> tuple[Dataset, Resource]:
    return _find_resource(session, actor, resource_id)


def withheld(session: Session, actor: Actor, dataset: Dataset | DatasetRead, resource_id: str) -> str:
    """Why the resource's current file or table is held back from this actor ("" when it is not): a serving
    gate's reason (e.g. a new file still being checked for personal data), for a public dataset's readers
    who may not edit it. Private and draft datasets are seen by insiders only; editors see their uploads."""
    org_id = dataset.organization_id if isinstance(dataset, Dataset) else dataset.organization.id
    public = dataset.state == "published" and not dataset.private
    if not public or can(actor, "dataset.update", org_id):
        return ""
    return gates.reason_not_to_serve(session, resource_id)


def get_content(session: Session, actor: Actor, resource_id: str) -> tuple[Dataset, Resource]:
    """A resource whose current file or table the actor is about to read: NotFound unless they may see it,
    Forbidden while it is withheld from them."""
    dataset, resource = _find_resource(session, actor, resource_id)
    reason = withheld(session, actor, dataset, resource.id)
    if reason:
        raise Forbidden(reason)
    return dataset, resource


def linked_resources(session: Session, resource_ids: list[str] | None = None) -> list[tuple[str, str]]:
    """(id, URL) of every resource registered by a web address in a dataset that is not deleted (all, or
    those of `resource_ids`), for checks other domains run on the links (no authorization: a system task)."""
    query = (
        select(Resource.id, Resource.url)
        .join(Dataset, Dataset.id == Resource.dataset_id)
        .where(Dataset.state != "deleted", Resource.url_type != "upload", Resource.url.like("http%"))
        .order_by(Resource.id)
    )
    if resource_ids is not None:
        query = query.where(Resource.id.in_(resource_ids))
    return [(r.id, r.url) for r in session.execute(query)]


@dataclass(frozen=True)
class DatasetFacts:
    """What other domains' figures need of a dataset (no authorization: a system task reads them)."""

    id: str
    name: str
    title: dict[str, str]
    organization_id: str
    organization: str
    organization_title: dict[str, str]
    state: str
    private: bool
    update_frequency: str

    @property
    def public(self) -> bool:
        return self.state == "published" and not self.private


def dataset_facts(
    session: Session, *, public_only: bool = False, organization_ids: list[str] | None = None
) -> list[DatasetFacts]:
    """Every dataset that is not deleted (only public ones, or those of some organizations), by
    organization and name."""
    query = (
        select(Dataset, Organization)
        .join(Organization, Organization.id == Dataset.organization_id)
        .where(Dataset.state != "deleted")
        .order_by(Organization.slug, Dataset.slug)
    )
    if public_only:
        query = query.where(Dataset.state == "published", Dataset.private.is_(False))
    if organization_ids is not None:
        query = query.where(Dataset.organization_id.in_(organization_ids))
    return [
        DatasetFacts(d.id, d.slug, d.title, o.id, o.slug, o.title, d.state, d.private, d.update_frequency)
        for d, o in session.execute(query).tuples()
    ]


@dataclass(frozen=True)
class Publication:
    """When and as what a dataset was published: what dataset selection checks list items against."""

    id: str
    name: str
    title: dict[str, str]
    organization_id: str
    public: bool  # published and not private
    issued: datetime | None  # first published
    last_change: datetime | None = None  # its data's last change (see last_data_change)


def publications(session: Session, names_or_ids: list[str]) -> dict[str, Publication]:
    """The datasets (not deleted) with these names or ids, by id (no authorization: public facts and
    the names of drafts, for the officials who link them)."""
    if not names_or_ids:
        return {}
    rows = session.scalars(
        select(Dataset).where(
            or_(Dataset.id.in_(names_or_ids), Dataset.slug.in_(names_or_ids)), Dataset.state != "deleted"
        )
    )
    return {
        d.id: Publication(
            d.id,
            d.slug,
            d.title,
            d.organization_id,
            d.state == "published" and not d.private,
            d.issued,
            last_data_change(session, d),
        )
        for d in rows
    }


def dataset_ids(session: Session) -> list[str]:
    """The id of every dataset, deleted ones too (no authorization: for system tasks)."""
    return list(session.scalars(select(Dataset.id)))


def public_dataset_ids_of(session: Session, organization_id: str) -> list[str]:
    """The ids of an organization's published, public datasets (no authorization: everyone sees them)."""
    return list(
        session.scalars(
            select(Dataset.id).where(
                Dataset.organization_id == organization_id,
                Dataset.state == "published",
                Dataset.private.is_(False),
            )
        )
    )


def datasets_of_resources(session: Session, resource_ids: list[str]) -> list[str]:
    """The ids of the datasets these resources belong to."""
    return list(session.scalars(select(Resource.dataset_id).where(Resource.id.in_(resource_ids)).distinct()))


def active_resources_of(session: Session, dataset_ids: list[str]) -> dict[str, str]:
    """resource id -> dataset id for the current (not deleted) resources of these datasets."""
    rows = session.execute(
        select(Resource.id, Resource.dataset_id).where(
            Resource.dataset_id.in_(dataset_ids), Resource.state == "active"
        )
    )
    return {r.id: r.dataset_id for r in rows}


def last_data_change(session: Session, dataset: Dataset) -> datetime:
    """When the dataset's data last changed: the newest version of any of its current files or links (a
    metadata edit is not an update of the data); its publication or creation when it has none."""
    newest = session.scalar(
        select(func.max(ResourceVersion.created_at))
        .join(Resource, Resource.id == ResourceVersion.resource_id)
        .where(Resource.dataset_id == dataset.id, Resource.state == "active")
    )
    return newest or dataset.issued or dataset.created_at


def resource_labels(session: Session, dataset_id: str) -> list[tuple[str, str]]:
    """(id, what people call it: its name, else its file name, else its position) of a dataset's resources,
    in order: for messages other domains write about them (no authorization: ids come from the caller)."""
    rows = session.execute(
        select(Resource.id, Resource.name, Resource.filename, Resource.position)
        .where(Resource.dataset_id == dataset_id)
        .order_by(Resource.position)
    ).all()
    return [(r.id, r.name or r.filename or f"#{r.position + 1}") for r in rows]


def get_resource_read(session: Session, actor: Actor, resource_id: str) -> ResourceRead:
    dataset, resource = _find_resource(session, actor, resource_id)
    return resource_read(dataset, resource, _version_count(session, resource))


def catalog_counts(session: Session, actor: Actor) -> dict[str, int]:
    visible = visible_datasets(actor, include_drafts=False)
    return {
        "datasets": session.scalar(select(func.count(Dataset.id)).where(visible)) or 0,
        "organizations": session.scalar(
            select(func.count(Organization.id)).where(Organization.state == "active")
        )
        or 0,
        "resources": session.scalar(
            select(func.count(Resource.id))
            .join(Dataset, Dataset.id == Resource.dataset_id)
            .where(visible, Resource.state == "active")
        )
        or 0,
    }


def list_dataset_names(
    session: Session, actor: Actor, *, limit: int | None = None, offset: int = 0
) -> list[str]:
    stmt = select(Dataset.slug).where(visible_datasets(actor, include_private=False)).order_by(Dataset.slug)
    if limit is not None:
        stmt = stmt.limit(min(max(limit, 0), search_index.MAX_OFFSET))
    return list(session.scalars(stmt.offset(min(max(offset, 0), search_index.MAX_OFFSET))))


def dataset_names_and_modified(session: Session, actor: Actor) -> list[tuple[str, datetime]]:
    """Every dataset the actor may see in public lists, with when it last changed (for sitemap.xml)."""
    stmt = (
        select(Dataset.slug, Dataset.modified)
        .where(visible_datasets(actor, include_private=False))
        .order_by(Dataset.slug)
    )
    return [(slug, modified) for slug, modified in session.execute(stmt)]


def newest_datasets(
    session: Session, actor: Actor, limit: int = 6, *, by: str = "modified"
) -> list[DatasetSummary]:
    order = Dataset.view_count.desc() if by == "views" else Dataset.modified.desc()
    stmt = select(Dataset).where(visible_datasets(actor, include_drafts=False)).order_by(order, Dataset.slug)
    return [dataset_summary(d) for d in session.scalars(stmt.limit(limit))]


def search_datasets_read(
    session: Session, actor: Actor, profile: Profile, query: search_index.SearchQuery
) -> tuple[SearchResults, list[DatasetRead]]:
    """search_datasets plus the full read of each dataset found, for clients that want whole records."""
    outcome = search_index.search(session, actor, query)
    datasets = datasets_by_ids(session, outcome.dataset_ids)
    resource_ids = [r.id for d in datasets for r in d.resources]
    versions: dict[str, int] = {}
    for chunk in range(0, len(resource_ids), 500):
        versions.update(
            session.execute(
                select(ResourceVersion.resource_id, func.count(ResourceVersion.id))
                .where(ResourceVersion.resource_id.in_(resource_ids[chunk : chunk + 500]))
                .group_by(ResourceVersion.resource_id)
            ).all()
        )
    results = SearchResults(
        count=outcome.count,
        results=[dataset_summary(d) for d in datasets],
        facets={k: [FacetValue(value=v, count=n) for v, n in vals] for k, vals in outcome.facets.items()},
        start=query.start,
        rows=query.rows,
    )
    return results, [dataset_read(session, profile, d, versions) for d in datasets]


def reorder_resources(
    session: Session, actor: Actor, dataset_name_or_id: str, resource_ids: list[str]
) -> None:
    """Number the dataset's resources 0..n-1 in the given order; resources not listed follow, as they were."""
    dataset = find_visible_dataset(session, actor, dataset_name_or_id)
    authorize(actor, "dataset.update", dataset)
    rank = {resource_id: i for i, resource_id in enumerate(resource_ids)}
    resources = session.scalars(
        select(Resource).where(Resource.dataset_id == dataset.id, Resource.state == "active")
    ).all()
    ordered = sorted(resources, key=lambda r: (rank.get(r.id, len(rank)), r.position, r.created_at))
    if [r.position for r in ordered] == list(range(len(ordered))):
        return
    for position, resource in enumerate(ordered):
        resource.position = position
    session.flush()
    session.refresh(dataset)


def restore_dataset(session: Session, actor: Actor, name_or_id: str) -> str:
    """Bring a deleted dataset back as a draft and return its id (CKAN clients restore a deleted dataset
    by sending it again). NotFound unless a deleted dataset has that name or id."""
    dataset = session.scalar(
        select(Dataset).where(
            or_(Dataset.slug == name_or_id, Dataset.id == name_or_id), Dataset.state == "deleted"
        )
    )
    if dataset is None:
        raise NotFound(f"There is no deleted dataset {name_or_id!r}.")
    authorize(actor, "dataset.update", dataset)
    dataset.state = "draft"
    dataset.modified = utcnow()
    session.flush()
    _changed(session, dataset)
    before, after = {"state": "deleted"}, {"state": "draft"}
    audit.record(session, actor, "dataset.restore", "dataset", dataset.id, before, after)
    return dataset.id


def check_may_update_dataset(session: Session, actor: Actor, name_or_id: str) -> Dataset:
    """The dataset, if the actor sees it (else NotFound, no existence leak) and may change it (else
    Forbidden): asked before accepting a file for one of its resources."""
    dataset = find_visible_dataset(session, actor, name_or_id)
    authorize(actor, "dataset.update", dataset)
    return dataset


# ---------------------------------------------------------------- small lookups for other domains


def organization_id_of(session: Session, name_or_id: str) -> str | None:
    """The id of the organization with this name (slug) or id, None when there is none."""
    if "\x00" in name_or_id:  # no name holds one, and PostgreSQL refuses it in a query
        return None
    return session.scalar(
        select(Organization.id).where(
            or_(Organization.slug == name_or_id, Organization.id == name_or_id),
            Organization.state == "active",
        )
    )


def parent_organization_id(session: Session, organization_id: str) -> str | None:
    return session.scalar(select(Organization.parent_id).where(Organization.id == organization_id))


def organization_titles(session: Session, ids: list[str]) -> list[tuple[str, str, dict[str, str]]]:
    """(id, name, multilingual title) of each organization of ids."""
    if not ids:
        return []
    rows = session.execute(
        select(Organization.id, Organization.slug, Organization.title).where(Organization.id.in_(ids))
    )
    return [(i, slug, title or {}) for i, slug, title in rows.tuples()]


def organization_name_of(session: Session, organization_id: str) -> str:
    name = session.scalar(select(Organization.slug).where(Organization.id == organization_id))
    if name is None:
        raise NotFound(f"There is no organization {organization_id!r}.")
    return name


def dataset_name_of(session: Session, dataset_id: str) -> str | None:
    return session.scalar(select(Dataset.slug).where(Dataset.id == dataset_id, Dataset.state != "deleted"))


@storage.references
def _stored_file_in_use(session: Session, sha256: str) -> bool:
    """A resource, or any version of one (a deleted one may be restored), points at this stored file."""
    for column in (Resource.sha256, ResourceVersion.sha256):
        if session.scalar(select(column).where(column == sha256).limit(1)) is not None:
            return True
    return False
