"""data.egov.kz as a harvest source: the datasets a sysadmin lists, read through the portal's metadata API.

data.egov.kz publishes no machine-readable list of its datasets (its search is an HTML page), so a source of
this kind names the datasets it mirrors: `index` or `index/version` (version `v1` when left out). For each,
`GET {portal}/meta/{index}/{version}` gives the metadata (nameKk/Ru/En, descriptionKk/Ru/En, keywords,
responsible{fullnameKk/Ru/En, phone, email}, fields{name: {type, labelKk/Ru/En}}); the mirror links to the
data API `GET {portal}/api/v4/{index}/{version}` (which needs the reader's own apiKey, never stored here)
and to the metadata. A dataset the portal answers 404 for is reported and treated as gone; any other failure
fails the whole run, which then changes nothing.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from derek.catalog.schemas import EMAIL_RE, ResourceCreate
from derek.config import Profile
from derek.harvest.remote import (
    Missing,
    Progress,
    RemoteDataset,
    SourceFailed,
    client,
    digest,
    get_json,
    link,
    provenance,
)

LANGS = {"kk": "Kk", "ru": "Ru", "en": "En"}
DEFAULT_VERSION = "v1"


def split(entry: str) -> tuple[str, str]:
    """`index/version` -> (index, version); the version defaults to v1."""
    index, _slash, version = entry.strip().strip("/").partition("/")
    return index, version or DEFAULT_VERSION


def _texts(meta: dict[str, Any], stem: str) -> dict[str, str]:
    out = {}
    for lang, suffix in LANGS.items():
        value = meta.get(stem + suffix)
        if isinstance(value, str) and value.strip():
            out[lang] = value.strip()[:20000]
    return out


def _label(spec: dict[str, Any], lang: str) -> str:
    for code in (lang, "ru", "en", "kk"):
        value = spec.get("label" + LANGS.get(code, ""))
        if isinstance(value, str) and value.strip():
            return value.strip()
    return ""


def fields_text(meta: dict[str, Any], lang: str) -> str:
    """The dataset's fields, one a line: `name (type): label` in the portal's language."""
    fields = meta.get("fields")
    if not isinstance(fields, dict):
        return ""
    lines = []
    for name, spec in fields.items():
        if isinstance(spec, dict):
            label = _label(spec, lang)
            lines.append(f"{name} ({spec.get('type') or '?'})" + (f": {label}" if label else ""))
    return "\n".join(lines)


def dataset_page(base_url: str, index: str) -> str:
    return f"{base_url.rstrip('/')}/datasets/view?index={index}"


def dataset_fields(
    profile: Profile,
    base_url: str,
    source_name: str,
    entry: str,
    meta: dict[str, Any],
    harvested_at: datetime,
) -> dict[str, Any]:
    """DatasetCreate fields (without name and organization) for a data.egov.kz metadata record."""
    index, version = split(entry)
    lang = profile.default_language
    responsible = meta.get("responsible") if isinstance(meta.get("responsible"), dict) else {}
    assert isinstance(responsible, dict)
    names = _texts(responsible, "fullname")
    email = str(responsible.get("email") or "").strip()
    keywords = [str(k).strip()[:100] for k in meta.get("keywords") or [] if str(k).strip()]
    extras = provenance(source_name, dataset_page(base_url, index), f"{index}/{version}", harvested_at)
    extras.update({"egov_index": index, "egov_version": version})
    if responsible.get("phone"):
        extras["contact_phone"] = str(responsible["phone"])[:5000]
    return {
        "title": _texts(meta, "name") or {lang: index},
        "description": _texts(meta, "description"),
        "keywords": list(dict.fromkeys(keywords))[:50],
        "contact_name": (names.get(lang) or next(iter(names.values()), ""))[:200],
        "contact_email": email if EMAIL_RE.match(email) and len(email) <= 255 else "",
        "state": "published",
        "private": False,
        "extras": extras,
    }


def resources(profile: Profile, base_url: str, entry: str, meta: dict[str, Any]) -> list[ResourceCreate]:
    index, version = split(entry)
    base = base_url.rstrip("/")
    api = link(
        "API (JSON)",
        f"{base}/api/v4/{index}/{version}",
        fields_text(meta, profile.default_language),
        "JSON",
        "application/json",
    )
    metadata = link("Metadata (JSON)", f"{base}/meta/{index}/{version}", "", "JSON", "application/json")
    return [r for r in (api, metadata) if r is not None]


def read(
    base_url: str,
    source_name: str,
    profile: Profile,
    harvested_at: datetime,
    entries: list[str],
    *,
    allow_private: bool = False,
    timeout: float = 30.0,
    progress: Progress | None = None,
) -> tuple[list[RemoteDataset], list[dict[str, str]]]:
    """The listed datasets as the run applies them, and those the portal no longer has (with why)."""
    out, errors = [], []
    base = base_url.rstrip("/")
    with client(timeout) as http:
        for done, entry in enumerate(entries, 1):
            index, version = split(entry)
            url = f"{base}/meta/{index}/{version}"
            try:
                meta = get_json(http, url, allow_private, "data.egov.kz")
            except Missing:
                errors.append(
                    {"remote": f"{index}/{version}", "error": f"{url} answered 404: no such dataset."}
                )
                continue
            if not isinstance(meta, dict) or not any(k.startswith("name") for k in meta):
                raise SourceFailed(f"{url[:300]} is not a data.egov.kz metadata record.")
            out.append(
                RemoteDataset(
                    remote_id=f"{index}/{version}",
                    remote_name=index,
                    remote_url=dataset_page(base, index),
                    content_hash=digest(meta),
                    fields=dataset_fields(profile, base, source_name, entry, meta, harvested_at),
                    resources=resources(profile, base, entry, meta),
                )
            )
            if progress:
                progress(done, len(entries))
    return out, errors
