"""What every kind of harvest source gives the run: the remote datasets in the catalog's own shapes.

A source module (`ckan`, `dcat_source`, `egov`) reads the whole remote catalog and returns `RemoteDataset`s:
the remote identity (id, name, address), a hash of what the mirror is built from, the DatasetCreate fields
(without name and organization, which the run decides) and the resources as links. The run
(`service.run_harvest`) only compares hashes and applies. `get` is the one way a source reads the network:
each hop passes the same private-network check as `derek.core.fetch`, redirects are followed by hand, and
every failure becomes `SourceFailed` in plain words.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, get_args
from urllib.parse import urljoin, urlsplit

import httpx

from derek.catalog.schemas import DatasetBase, ResourceCreate
from derek.core.errors import Invalid
from derek.core.fetch import MAX_REDIRECTS, check_host

USER_AGENT = "Derek open data portal (harvester)"
MAX_PAGES = 2000  # a source that never ends its paging is stopped
MAX_BYTES = 50 * 1024 * 1024  # one page or document of a remote catalog
PROVENANCE_PREFIX = "harvest_"
Progress = Callable[[int, int], None]  # (read, total if known else 0)


class SourceFailed(Invalid):
    """The source could not be read completely; nothing was applied."""


class Missing(SourceFailed):
    """The source answered 404 for one document: that remote dataset is gone (not a failure of the source)."""


@dataclass
class RemoteDataset:
    remote_id: str
    remote_name: str
    remote_url: str
    content_hash: str
    fields: dict[str, Any]  # DatasetCreate fields without name and organization
    resources: list[ResourceCreate] = field(default_factory=list)


def client(timeout: float, accept: str = "application/json") -> httpx.Client:
    return httpx.Client(
        timeout=timeout, follow_redirects=False, headers={"User-Agent": USER_AGENT, "Accept": accept}
    )


def get(http: httpx.Client, url: str, allow_private: bool) -> httpx.Response:
    """The 200 answer for url after its redirects, or SourceFailed (Missing for a 404)."""
    for _hop in range(MAX_REDIRECTS + 1):
        try:
            check_host(url, allow_private)
        except (ValueError, UnicodeError) as exc:
            raise SourceFailed(f"{url[:300]} is not a usable web address.") from exc
        try:
            response = http.get(url)
        except httpx.TimeoutException as exc:
            raise SourceFailed(f"{urlsplit(url).hostname} did not answer in time ({url[:300]}).") from exc
        except httpx.ConnectError as exc:
            raise SourceFailed(
                f"{urlsplit(url).hostname} could not be reached (no answer at {url[:300]}): check the "
                "address, or try again later."
            ) from exc
        except httpx.HTTPError as exc:
            raise SourceFailed(f"{urlsplit(url).hostname} could not be reached: {exc}.") from exc
        except (ValueError, UnicodeError) as exc:
            raise SourceFailed(f"{url[:300]} is not a usable web address.") from exc
        if response.is_redirect:
            url = urljoin(url, response.headers.get("location", ""))
            continue
        if response.status_code == 404:
            raise Missing(f"{url[:300]} answered 404 (not found).")
        if response.status_code != 200:
            raise SourceFailed(f"{url[:300]} answered {response.status_code}.")
        if len(response.content) > MAX_BYTES:
            raise SourceFailed(f"{url[:300]} sent more than {MAX_BYTES // 1024 // 1024} MB in one answer.")
        return response
    raise SourceFailed(f"{url[:300]} redirects more than {MAX_REDIRECTS} times.")


def get_json(http: httpx.Client, url: str, allow_private: bool, what: str) -> Any:
    response = get(http, url, allow_private)
    try:
        return response.json()
    except ValueError as exc:
        raise SourceFailed(f"{url[:300]} did not answer JSON: is it {what}?") from exc


def digest(value: Any) -> str:
    """A stable hash of plain data (what a mirror is built from)."""
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def provenance(source_name: str, remote_url: str, remote_id: str, harvested_at: datetime) -> dict[str, str]:
    """The extras every mirror carries: where it came from and when."""
    return {
        PROVENANCE_PREFIX + "source": source_name,
        PROVENANCE_PREFIX + "original_url": remote_url[:5000],
        PROVENANCE_PREFIX + "remote_id": remote_id[:5000],
        PROVENANCE_PREFIX + "harvested_at": harvested_at.isoformat(),
    }


def frequency(value: Any) -> str:
    """The value when it is one of the catalog's update frequencies (EU codes), else UNKNOWN."""
    allowed = get_args(DatasetBase.model_fields["update_frequency"].annotation)
    return str(value) if value in allowed else "UNKNOWN"


def link(
    name: str, url: str, description: str = "", fmt: str = "", media_type: str = ""
) -> ResourceCreate | None:
    """A link resource, or None when the address is not a web address the catalog accepts."""
    if not url.lower().startswith(("http://", "https://", "ftp://")) or len(url) > 2000:
        return None
    return ResourceCreate(
        name=name.strip()[:300],
        description=description.strip()[:20000],
        url=url,
        format=fmt[:50],
        media_type=media_type[:120],
    )
