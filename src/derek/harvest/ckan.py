"""A CKAN Action API portal as a harvest source: read its public catalog page by page, and map each
package dict to the catalog's dataset and resource shapes.

Every page is read before anything is applied, so a source failing half-way changes nothing here.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any
from urllib.parse import urlencode

from derek.catalog.schemas import EMAIL_RE, ResourceCreate
from derek.config import Profile
from derek.harvest.remote import (
    MAX_PAGES,
    PROVENANCE_PREFIX,
    Progress,
    RemoteDataset,
    SourceFailed,
    client,
    digest,
    frequency,
    get_json,
    link,
    provenance,
)

PAGE_ROWS = 100
# the parts of a package dict that reach the local dataset: their hash says whether it changed
HASHED_KEYS = (
    "name", "title", "title_translated", "notes", "notes_translated", "tags", "groups", "license_id",
    "maintainer", "maintainer_email", "version", "url", "author", "author_email", "extras", "frequency",
    "regions", "languages", "temporal_start", "temporal_end", "issued",
)  # fmt: skip
RESOURCE_KEYS = ("name", "description", "url", "format", "mimetype")
LICENCE_ALIASES = {
    "cc-by": "CC-BY-4.0",
    "cc-zero": "CC0-1.0",
    "cc-by-sa": "CC-BY-SA-4.0",
    "odc-odbl": "ODbL-1.0",
}


def fetch_packages(
    base_url: str, *, allow_private: bool = False, timeout: float = 30.0, progress: Progress | None = None
) -> list[dict[str, Any]]:
    """Every public, published package of the portal (package_search, 100 a page), or SourceFailed."""
    endpoint = base_url.rstrip("/") + "/api/3/action/package_search"
    packages: dict[str, dict[str, Any]] = {}
    start, count = 0, None
    with client(timeout) as http:
        for page in range(MAX_PAGES):
            query = {"rows": PAGE_ROWS, "start": start, "sort": "metadata_created asc"}
            url = f"{endpoint}?{urlencode(query)}"
            answer = get_json(http, url, allow_private, "a CKAN portal")
            if not isinstance(answer, dict) or not answer.get("success") or "result" not in answer:
                raise SourceFailed(f"Page {page + 1} of {endpoint} is not a CKAN package_search answer.")
            result = answer["result"]
            results = result.get("results") or []
            count = int(result.get("count") or 0)
            for pkg in results:
                if isinstance(pkg, dict) and pkg.get("id"):
                    packages[str(pkg["id"])] = pkg
            start += len(results)
            if progress:
                progress(start, count)
            if not results or start >= count:
                break
        else:
            raise SourceFailed(f"{endpoint} did not end its paging after {MAX_PAGES} pages.")
    return [
        pkg
        for pkg in packages.values()
        if not pkg.get("private")
        and pkg.get("state", "active") == "active"
        and pkg.get("type", "dataset") == "dataset"
    ]


def read(
    base_url: str,
    source_name: str,
    profile: Profile,
    harvested_at: datetime,
    *,
    allow_private: bool = False,
    timeout: float = 30.0,
    progress: Progress | None = None,
) -> list[RemoteDataset]:
    """The portal's public datasets as the run applies them."""
    packages = fetch_packages(base_url, allow_private=allow_private, timeout=timeout, progress=progress)
    return [
        RemoteDataset(
            remote_id=str(pkg["id"]),
            remote_name=str(pkg.get("name") or pkg["id"]),
            remote_url=remote_url(base_url, pkg),
            content_hash=content_hash(pkg),
            fields=dataset_fields(profile, base_url, source_name, pkg, harvested_at),
            resources=resources(pkg),
        )
        for pkg in packages
    ]


def content_hash(pkg: dict[str, Any]) -> str:
    """A hash of what the local dataset is built from: it changes exactly when the mirror must change."""
    kept = {key: pkg.get(key) for key in HASHED_KEYS}
    kept["resources"] = [{k: r.get(k) for k in RESOURCE_KEYS} for r in pkg.get("resources") or []]
    return digest(kept)


def remote_url(base_url: str, pkg: dict[str, Any]) -> str:
    return f"{base_url.rstrip('/')}/dataset/{pkg.get('name') or pkg['id']}"


def _multilingual(pkg: dict[str, Any], plain: str, translated: str, lang: str) -> dict[str, str]:
    text: dict[str, str] = {}
    given = pkg.get(translated)
    if isinstance(given, dict):
        text = {
            k: str(v).strip()[:20000] for k, v in given.items() if re.fullmatch(r"[a-z]{2}", str(k)) and v
        }
    if not text and str(pkg.get(plain) or "").strip():
        text = {lang: str(pkg[plain]).strip()[:20000]}
    return {k: v for k, v in text.items() if v}


def _names(value: Any) -> list[str]:
    names = []
    for item in value or []:
        name = item.get("name") or item.get("id") if isinstance(item, dict) else item
        if name and str(name).strip():
            names.append(str(name).strip())
    return names


def _licence(profile: Profile, value: Any) -> str | None:
    if not value:
        return None
    given = str(value)
    for lic in profile.licences:
        if lic.id.lower() == given.lower():
            return lic.id
    alias = LICENCE_ALIASES.get(given.lower())
    return alias if alias and profile.licence(alias) else None


def _date(value: Any) -> date | None:
    try:
        return date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def dataset_fields(
    profile: Profile, base_url: str, source_name: str, pkg: dict[str, Any], harvested_at: datetime
) -> dict[str, Any]:
    """DatasetCreate fields (without name and organization) for a CKAN package dict."""
    lang = profile.default_language
    title = _multilingual(pkg, "title", "title_translated", lang) or {lang: str(pkg.get("name") or pkg["id"])}
    extras: dict[str, str] = {}
    raw_extras = pkg.get("extras") or []
    if isinstance(raw_extras, dict):
        raw_extras = [{"key": k, "value": v} for k, v in raw_extras.items()]
    for item in raw_extras:
        if isinstance(item, dict) and item.get("key") and not str(item["key"]).startswith(PROVENANCE_PREFIX):
            extras[str(item["key"])[:100]] = str(item.get("value") or "")[:5000]
    for key in ("url", "author", "author_email"):
        if pkg.get(key):
            extras[key] = str(pkg[key])[:5000]
    licence = _licence(profile, pkg.get("license_id"))
    if pkg.get("license_id") and licence is None:
        extras[PROVENANCE_PREFIX + "license_id"] = str(pkg["license_id"])[:5000]
    extras.update(provenance(source_name, remote_url(base_url, pkg), str(pkg["id"]), harvested_at))
    email = str(pkg.get("maintainer_email") or "").strip()
    start, end = _date(pkg.get("temporal_start")), _date(pkg.get("temporal_end"))
    if start and end and start > end:
        start = end = None
    return {
        "title": title,
        "description": _multilingual(pkg, "notes", "notes_translated", lang),
        "keywords": list(dict.fromkeys(k[:100] for k in _names(pkg.get("tags"))))[:50],
        "themes": [t.code for t in (profile.theme(n.upper()) for n in _names(pkg.get("groups"))) if t][:13],
        "license_id": licence,
        "contact_name": str(pkg.get("maintainer") or "")[:200],
        "contact_email": email if EMAIL_RE.match(email) and len(email) <= 255 else "",
        "update_frequency": frequency(pkg.get("frequency")),
        "temporal_start": start,
        "temporal_end": end,
        "regions": [r for r in _names(pkg.get("regions")) if profile.region(r)][:50],
        "languages": [code for code in _names(pkg.get("languages")) if len(code) <= 3][:10],
        "version": str(pkg.get("version") or "")[:50],
        "state": "published",
        "private": False,
        "extras": extras,
    }


def resources(pkg: dict[str, Any]) -> list[ResourceCreate]:
    """The package's resources as links to their remote URLs (those without a web address are left out)."""
    out = []
    for res in pkg.get("resources") or []:
        made = link(
            str(res.get("name") or ""),
            str(res.get("url") or ""),
            str(res.get("description") or ""),
            str(res.get("format") or ""),
            str(res.get("mimetype") or ""),
        )
        if made is not None:
            out.append(made)
    return out
