"""A dataset as a Frictionless Data Package v2 (https://datapackage.org/standard/data-package/).

Framework-free. `build_package` maps a `DatasetRead` (and the DataStore tables of its resources) to the
descriptor; `package_for` reads both through the catalog and DataStore services with the actor's visibility.

Mapping: name = the dataset slug; title/description in the asked language (profile languages as fallback);
licenses from the licence; contributors = the publisher organization (role "publisher"); homepage = the page.
Each resource: a unique lowercase name, `path` = its absolute download URL (a remote path, so the package
works wherever it is fetched from), format, mediatype, bytes, `hash` = "sha256:<hex>". A resource with a
DataStore table is `type: "table"` with a `schema` (DataStore types -> Table Schema types; the data
dictionary's label and description as field title and description) and, for CSV, a `dialect` (delimiter,
header row) and the file's `encoding` as the loader read it. A table fed through the API has no file: its
path is the DataStore's CSV export.
"""

from __future__ import annotations

import contextlib
import re
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from derek.catalog import service as catalog
from derek.catalog.schemas import DatasetRead, ResourceRead
from derek.config import Profile
from derek.core.authz import Actor
from derek.core.errors import NotFound
from derek.core.i18n import pick
from derek.datastore import service as datastore

PROFILE = "https://datapackage.org/profiles/2.0/datapackage.json"
NAME_RE = re.compile(r"^[a-z0-9._-]+$")
LICENCE_NAME_RE = re.compile(r"^[-a-zA-Z0-9._]+$")
REMOTE_RE = re.compile(r"^(http|ftp)s?://", re.IGNORECASE)
FIELD_TYPES = {
    "integer": "integer",
    "number": "number",
    "date": "date",
    "datetime": "datetime",
    "time": "time",
    "boolean": "boolean",
    "text": "string",
}
# values the loader reads as missing besides the empty cell
MISSING_VALUES = ["", "-", "…"]


def package_for(
    session: Session, actor: Actor, profile: Profile, name: str, *, site: str, lang: str
) -> dict[str, Any]:
    """The descriptor of a dataset the actor may see (NotFound otherwise, or when it has no resource)."""
    dataset = catalog.get_dataset(session, actor, profile, name)
    if not dataset.resources:
        raise NotFound("This dataset has no files or links yet, so there is no Data Package for it.")
    tables: dict[str, datastore.TableInfo] = {}
    for resource in dataset.resources:
        with contextlib.suppress(NotFound):  # no DataStore table: a plain file
            tables[resource.id] = datastore.describe(session, actor, resource.id)
    return build_package(dataset, tables, site=site, lang=lang, profile=profile)


def build_package(
    dataset: DatasetRead,
    tables: dict[str, datastore.TableInfo],
    *,
    site: str,
    lang: str,
    profile: Profile,
) -> dict[str, Any]:
    site = site.rstrip("/")
    fallback = (lang, profile.default_language, *profile.languages)
    package: dict[str, Any] = {"$schema": PROFILE, "name": dataset.name}
    title = pick(dataset.title, lang, fallback)
    if title:
        package["title"] = title
    description = pick(dataset.description, lang, fallback)
    if description:
        package["description"] = description
    if dataset.version:
        package["version"] = dataset.version
    package["homepage"] = f"{site}/dataset/{dataset.name}"
    licence = _licence(dataset)
    if licence:
        package["licenses"] = [licence]
    if dataset.keywords:
        package["keywords"] = list(dataset.keywords)
    package["created"] = _timestamp(dataset.issued or dataset.created_at)
    package["modified"] = _timestamp(dataset.modified)  # not in the standard; extra properties are allowed
    package["contributors"] = [
        {
            "title": pick(dataset.organization.title, lang, fallback) or dataset.organization.name,
            "path": f"{site}/organization/{dataset.organization.name}",
            "roles": ["publisher"],
        }
    ]
    names: set[str] = set()
    resources = []
    for resource in dataset.resources:
        described = _resource(resource, tables.get(resource.id), site, lang, fallback, names)
        if described is not None:
            resources.append(described)
    package["resources"] = resources
    return package


def _resource(
    resource: ResourceRead,
    table: datastore.TableInfo | None,
    site: str,
    lang: str,
    fallback: tuple[str, ...],
    taken: set[str],
) -> dict[str, Any] | None:
    api_table = table is not None and table.source == "api"
    if api_table:
        path = f"{site}/api/v1/datastore/{resource.id}/export.csv"
    else:
        path = resource.download_url if "://" in resource.download_url else site + resource.download_url
    if not resource.download_url and not api_table or not REMOTE_RE.match(path):
        return None  # no file, or a link that is not http(s)/ftp: nothing a package may point at
    out: dict[str, Any] = {"name": _unique(_resource_name(resource), taken), "path": path}
    if resource.name:
        out["title"] = resource.name
    if resource.description:
        out["description"] = resource.description
    format_ = "csv" if api_table else resource.format.lower()
    if format_:
        out["format"] = format_
    mediatype = "text/csv" if api_table else _media_type(resource.format, resource.media_type)
    if mediatype:
        out["mediatype"] = mediatype
    if not api_table:
        if resource.size is not None:
            out["bytes"] = resource.size
        if resource.sha256 and re.fullmatch(r"[0-9a-fA-F]{64}", resource.sha256):
            out["hash"] = f"sha256:{resource.sha256.lower()}"
    if table is not None:
        out.update(_tabular(table, api_table, lang, fallback))
    return out


def _tabular(
    table: datastore.TableInfo, api_table: bool, lang: str, fallback: tuple[str, ...]
) -> dict[str, Any]:
    reading = table.reading or {}
    kind = "csv" if api_table else str(reading.get("format") or "")
    types = reading.get("types") or {}
    fields = []
    for field in table.fields:
        out: dict[str, Any] = {"name": field["id"], "type": FIELD_TYPES.get(field["type"], "any")}
        info = field.get("info") or {}
        label = _text(info.get("label"), lang, fallback)
        if label:
            out["title"] = label
        description = _text(info.get("description"), lang, fallback)
        if description:
            out["description"] = description
        fmt = str((types.get(field["id"]) or {}).get("format") or "") if not api_table else ""
        if out["type"] == "number" and fmt == ",":
            out["decimalChar"] = ","
        elif out["type"] == "date" and fmt not in ("", "%Y-%m-%d"):
            out["format"] = fmt
        elif out["type"] == "datetime" and fmt:
            out["format"] = "any"  # the loader takes ISO with a space or a T, with or without seconds
        fields.append(out)
    described: dict[str, Any] = {"type": "table"}
    if kind == "csv":
        dialect: dict[str, Any] = {"delimiter": "," if api_table else (table.delimiter or ",")}
        header = api_table or bool(reading.get("header", True))
        if not header:
            dialect["header"] = False
        elif int(reading.get("header_row") or 1) > 1:
            dialect["headerRows"] = [int(reading["header_row"])]
        described["dialect"] = dialect
        encoding = "utf-8" if api_table else table.encoding
        if encoding:
            described["encoding"] = encoding
    schema: dict[str, Any] = {"fields": fields}
    if kind == "csv" and not api_table:
        schema["missingValues"] = MISSING_VALUES
    described["schema"] = schema
    return described


def _text(value: Any, lang: str, fallback: tuple[str, ...]) -> str:
    """A dictionary entry's text: one string, or text by language."""
    if isinstance(value, dict):
        return pick(value, lang, fallback).strip()
    return str(value).strip() if value else ""


def _licence(dataset: DatasetRead) -> dict[str, str]:
    licence: dict[str, str] = {}
    if dataset.license_id and LICENCE_NAME_RE.match(dataset.license_id):
        licence["name"] = dataset.license_id
    if dataset.license_url and REMOTE_RE.match(dataset.license_url):
        licence["path"] = dataset.license_url
    if licence and dataset.license_title:
        licence["title"] = dataset.license_title
    return licence


def _resource_name(resource: ResourceRead) -> str:
    """The resource's name as a Data Package name; else its file's; else its position."""
    filename = resource.download_url.rstrip("/").rsplit("/", 1)[-1].split("?")[0]
    stem = filename.rsplit(".", 1)[0] if "." in filename else filename
    for candidate in (resource.name, stem):
        slug = re.sub(r"[^a-z0-9._-]+", "-", candidate.lower()).strip("-._")
        slug = re.sub(r"-+(?=[._])|(?<=[._])-+", "", slug)  # "workbook-.xls" -> "workbook.xls"
        if re.search(r"[a-z]", slug):
            return slug[:100]
    return f"resource-{resource.position + 1}"


def _unique(name: str, taken: set[str]) -> str:
    chosen, n = name, 2
    while chosen in taken:
        chosen, n = f"{name}-{n}", n + 1
    taken.add(chosen)
    assert NAME_RE.match(chosen)
    return chosen


def _media_type(format_: str, declared: str) -> str:
    return catalog.media_type(format_, declared)


def _timestamp(value: datetime) -> str:
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
