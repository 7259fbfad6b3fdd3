"""`derek export` / `derek import`: the whole public catalog as one DCAT-AP graph plus its uploaded files.

An export folder holds `catalog.ttl` (every public dataset, all pages, one graph, as `dcat.py` writes it),
`files/<sha256>` (each uploaded file of a public dataset, byte for byte) and `export.json` (counts, the site's
address, the profile and, per dataset, the order of its distributions, which a graph does not keep).
Importing goes through the catalog service (so it authorizes as the actor given) into an empty catalog.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from sqlalchemy.orm import Session

from derek.catalog import service
from derek.catalog.schemas import DatasetCreate, OrganizationCreate, ResourceCreate
from derek.config import Settings
from derek.core.authz import ANONYMOUS, Actor
from derek.core.errors import Conflict, Invalid, NotFound
from derek.core.storage import FileStore
from derek.interop import dcat
from derek.interop.dcat_import import DatasetData, DistributionData, load_graph, parse_catalog

CATALOG_FILE = "catalog.ttl"
MANIFEST_FILE = "export.json"
FILES_DIR = "files"
Progress = Callable[[int, int], None]  # (done, total)


@dataclass
class ExportSummary:
    datasets: int = 0
    resources: int = 0
    files: int = 0
    bytes: int = 0
    missing_files: list[str] = field(default_factory=list)  # sha256 of uploads not found in the store


@dataclass
class ImportSummary:
    organizations: int = 0
    datasets: int = 0
    resources: int = 0
    files: int = 0
    links: int = 0
    skipped: list[str] = field(default_factory=list)  # what could not be imported, and why


def _store(settings: Settings) -> FileStore:
    return FileStore(settings.files_dir, settings.max_upload_bytes)


def export_catalog(
    session: Session, settings: Settings, out_dir: Path, *, progress: Progress | None = None
) -> ExportSummary:
    """Write the public catalog (what an anonymous visitor sees) and its uploaded files to out_dir."""
    profile, site = settings.jurisdiction, settings.site_url.rstrip("/")
    total = dcat.public_count(session)
    datasets = dcat.public_datasets(session, profile, offset=0, limit=max(total, 1))
    graph = dcat.new_graph()
    builder = dcat.Builder(graph, profile, site)
    builder.catalog(datasets)
    out_dir.mkdir(parents=True, exist_ok=True)
    files = out_dir / FILES_DIR
    files.mkdir(exist_ok=True)
    graph.serialize(out_dir / CATALOG_FILE, format="turtle", encoding="utf-8")
    store, summary = _store(settings), ExportSummary(datasets=len(datasets))
    order: dict[str, list[str]] = {}
    for done, d in enumerate(datasets, 1):
        order[d.name] = [f"{builder.dataset_uri(d)}/resource/{r.id}" for r in d.resources]
        for r in d.resources:
            summary.resources += 1
            if r.url_type != "upload" or not r.sha256:
                continue
            source, target = store.path_for(r.sha256), files / r.sha256
            if not source.is_file():
                summary.missing_files.append(r.sha256)
            elif not target.exists():
                shutil.copyfile(source, target)
                summary.files += 1
                summary.bytes += target.stat().st_size
        if progress:
            progress(done, len(datasets))
    manifest: dict[str, Any] = {
        "format": "derek-export/1",
        "site_url": site,
        "profile": profile.code,
        "catalog": CATALOG_FILE,
        "counts": {"datasets": summary.datasets, "resources": summary.resources, "files": summary.files},
        "distribution_order": order,
    }
    (out_dir / MANIFEST_FILE).write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
    return summary


def _catalog_file(in_dir: Path) -> Path:
    if not in_dir.is_dir():
        raise NotFound(f"{in_dir} is not a folder.")
    path = in_dir / CATALOG_FILE
    if not path.is_file():
        alternatives = sorted(in_dir.glob("catalog.*"))
        if not alternatives:
            raise Invalid(f"{in_dir} has no {CATALOG_FILE}: is it a folder written by `derek export`?")
        path = alternatives[0]  # catalog.jsonld / catalog.rdf are read too
    return path


def _ordered(d: DatasetData, order: list[str]) -> list[DistributionData]:
    position = {uri: i for i, uri in enumerate(order)}
    return sorted(d.distributions, key=lambda x: position.get(x.uri, len(position)))


def import_catalog(
    session: Session, actor: Actor, settings: Settings, in_dir: Path, *, progress: Progress | None = None
) -> ImportSummary:
    """Create the organizations, datasets and resources of an export folder in an empty catalog.

    Every write goes through the catalog service, which authorizes `actor` for each one."""
    path = _catalog_file(in_dir)
    if service.list_dataset_names(session, actor, limit=1):
        raise Conflict("This catalog already has datasets: import only into an empty instance.")
    manifest_path = in_dir / MANIFEST_FILE
    manifest = json.loads(manifest_path.read_text(encoding="utf-8")) if manifest_path.is_file() else {}
    order: dict[str, list[str]] = manifest.get("distribution_order", {})
    profile = settings.jurisdiction
    parsed = parse_catalog(load_graph(path), profile)
    summary = ImportSummary()
    for org in parsed.organizations:
        try:
            service.get_organization(session, ANONYMOUS, org.name)
            continue  # already there (organizations without datasets may exist in an empty catalog)
        except NotFound:
            pass
        title = org.title or {profile.default_language: org.name}
        service.create_organization(session, actor, OrganizationCreate(name=org.name, title=title))
        summary.organizations += 1
    store = _store(settings)
    for done, d in enumerate(parsed.datasets, 1):
        if d.organization is None:
            summary.skipped.append(f"{d.name}: no publisher")
            continue
        values = {
            "name": d.name,
            "organization": d.organization,
            "title": d.title or {profile.default_language: d.name},
            "description": d.description,
            "themes": d.themes,
            "keywords": d.keywords,
            "license_id": d.license_id,
            "contact_name": d.contact_name,
            "contact_email": d.contact_email,
            "update_frequency": d.update_frequency or "UNKNOWN",
            "temporal_start": d.temporal_start,
            "temporal_end": d.temporal_end,
            "regions": d.regions,
            "languages": d.languages,
            "version": d.version,
            "issued": d.issued,
            "state": "published",
        }
        try:
            data = DatasetCreate.model_validate(values)
        except ValidationError as exc:  # a graph from elsewhere may carry what the profile's fields refuse
            fields = ", ".join(sorted({str(e["loc"][0]) for e in exc.errors() if e["loc"]}))
            summary.skipped.append(f"{d.name}: invalid {fields}")
            continue
        service.create_dataset(session, actor, profile, data)
        summary.datasets += 1
        for dist in _ordered(d, order.get(d.name, [])):
            _import_distribution(session, actor, store, in_dir, d, dist, summary)
        if progress:
            progress(done, len(parsed.datasets))
    return summary


def _import_distribution(
    session: Session,
    actor: Actor,
    store: FileStore,
    in_dir: Path,
    d: DatasetData,
    dist: DistributionData,
    summary: ImportSummary,
) -> None:
    fields = {"name": dist.title, "description": dist.description, "format": dist.format}
    fields["media_type"] = dist.media_type
    file = in_dir / FILES_DIR / dist.sha256 if dist.sha256 else None
    if file is not None and file.is_file():
        upload = service.Upload(stored=store.save_file(file), filename=dist.filename or "file")
        service.create_resource(session, actor, d.name, ResourceCreate(**fields), upload=upload)
        summary.files += 1
    elif dist.url.lower().startswith(("http://", "https://", "ftp://")):
        service.create_resource(session, actor, d.name, ResourceCreate(url=dist.url, **fields))
        summary.links += 1
    else:
        summary.skipped.append(f"{d.name}: distribution {dist.title or dist.uri} has no file or link")
        return
    summary.resources += 1
