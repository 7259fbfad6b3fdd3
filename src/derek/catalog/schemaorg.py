"""schema.org `Dataset` markup (JSON-LD) for the public dataset page, as Google Dataset Search reads it.

Framework-free: `dataset_jsonld` builds the dict from a `DatasetRead`, `script_json` turns it into text
that is safe inside `<script type="application/ld+json">`. Private and draft datasets get no markup (None).
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

from derek.catalog import service
from derek.catalog.schemas import DatasetRead
from derek.config import Profile
from derek.core.i18n import pick

CONTEXT = "https://schema.org/"
DESCRIPTION_MAX = 5000  # Google's limit; 50 is the minimum, which is not padded (see docs/architecture.md)


def media_type(format_: str, declared: str = "") -> str:
    return service.media_type(format_, declared)


def absolute(site: str, url: str) -> str:
    return url if "://" in url else site.rstrip("/") + "/" + url.lstrip("/")


def iso(value: date | datetime) -> str:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
    return value.isoformat()


def temporal_coverage(start: date | None, end: date | None) -> str:
    """An ISO 8601 interval; an open end is `..` (`2019-10-02/..`)."""
    if not start and not end:
        return ""
    return f"{start.isoformat() if start else '..'}/{end.isoformat() if end else '..'}"


def dataset_jsonld(dataset: DatasetRead, *, site: str, lang: str, profile: Profile) -> dict[str, Any] | None:
    """The schema.org Dataset of a public dataset page; None for a private or draft dataset."""
    if dataset.private or dataset.state != "published":
        return None
    site = site.rstrip("/")
    fallback = (lang, profile.default_language, *profile.languages)
    page = f"{site}/dataset/{dataset.name}"
    org = dataset.organization
    organization = {
        "@type": "Organization",
        "name": pick(org.title, lang, fallback),
        "url": f"{site}/organization/{org.name}",
    }
    data: dict[str, Any] = {
        "@context": CONTEXT,
        "@type": "Dataset",
        "@id": page,
        "name": pick(dataset.title, lang, fallback) or dataset.name,
    }
    description = pick(dataset.description, lang, fallback).strip()
    # a description shorter than 50 characters is given as written (Google reports it); nothing is invented
    if description:
        if len(description) > DESCRIPTION_MAX:
            description = description[: DESCRIPTION_MAX - 1].rstrip() + "…"
        data["description"] = description
    data["url"] = page
    data["identifier"] = [dataset.id, page]
    if dataset.keywords:
        data["keywords"] = list(dataset.keywords)
    if dataset.license_url:
        data["license"] = dataset.license_url
    data["creator"] = organization
    data["publisher"] = organization
    coverage = temporal_coverage(dataset.temporal_start, dataset.temporal_end)
    if coverage:
        data["temporalCoverage"] = coverage
    places = _places(dataset, lang, fallback, profile)
    if places:
        data["spatialCoverage"] = places[0] if len(places) == 1 else places
    data["dateModified"] = iso(dataset.modified)
    if dataset.issued:
        data["datePublished"] = iso(dataset.issued)
    if dataset.version:
        data["version"] = dataset.version
    data["inLanguage"] = list(dataset.languages) or [lang]
    data["includedInDataCatalog"] = {
        "@type": "DataCatalog",
        "name": pick(profile.name, lang, fallback),
        "url": f"{site}/",
    }
    downloads = _downloads(dataset, site)
    if downloads:
        data["distribution"] = downloads
    return data


def _places(
    dataset: DatasetRead, lang: str, fallback: tuple[str, ...], profile: Profile
) -> list[dict[str, str]]:
    places = []
    for code in dataset.regions:
        region = profile.region(code)
        places.append({"@type": "Place", "name": pick(region.title, lang, fallback) if region else code})
    return places


def _downloads(dataset: DatasetRead, site: str) -> list[dict[str, Any]]:
    downloads = []
    for resource in dataset.resources:
        if not resource.download_url:
            continue
        download: dict[str, Any] = {
            "@type": "DataDownload",
            "name": resource.name or resource.format or resource.id,
            "contentUrl": absolute(site, resource.download_url),
        }
        encoding = media_type(resource.format, resource.media_type)
        if encoding:
            download["encodingFormat"] = encoding
        if resource.size is not None:
            download["contentSize"] = f"{resource.size} B"
        download["dateModified"] = iso(resource.modified)
        downloads.append(download)
    return downloads


def script_json(data: dict[str, Any]) -> str:
    """JSON that cannot end its <script> element early: every `<`, `>` and `&` is written as a \\u escape."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def page_markup(dataset: DatasetRead, *, site: str, lang: str, profile: Profile) -> str:
    """The JSON-LD text for the dataset page's head; '' for a private or draft dataset."""
    data = dataset_jsonld(dataset, site=site, lang=lang, profile=profile)
    return script_json(data) if data else ""
