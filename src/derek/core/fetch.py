"""Fetching a file a publisher registered by URL, safely: no requests to the portal's own network.

Every hop (the URL and each redirect) is resolved first and refused when any address it resolves to is
loopback, private, link-local, multicast or reserved, unless the portal allows private addresses (tests,
and portals whose agencies publish on an internal network). Only http and https, at most five redirects,
a time limit per read, and the store's size limit while streaming to disk. The check is per hop, before
connecting; a name that changes its answer between the check and the connection (DNS rebinding) is not
covered, which is why the default refuses private addresses for names and numbers alike.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Iterator
from urllib.parse import urljoin, urlsplit

import httpx

from derek.core.errors import Invalid
from derek.core.storage import CHUNK, FileStore, StoredFile

MAX_REDIRECTS = 5
USER_AGENT = "Derek open data portal (DataStore loader)"


def check_host(url: str, allow_private: bool) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise Invalid(f"Only http and https addresses can be fetched, not {url[:200]!r}.")
    if allow_private:
        return
    try:
        infos = socket.getaddrinfo(parts.hostname, parts.port or (443 if parts.scheme == "https" else 80))
    except socket.gaierror as exc:
        raise Invalid(f"The address {parts.hostname!r} does not resolve: check the URL.") from exc
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if not address.is_global or address.is_multicast:
            raise Invalid(
                f"The URL points to {address}, an address inside a private network: the portal does not "
                "fetch from there. Publish the file at a public address, or upload it."
            )


def _counted(
    response: httpx.Response, total: int, progress: Callable[[int, int], None] | None
) -> Iterator[bytes]:
    done = 0
    for chunk in response.iter_bytes(CHUNK):
        done += len(chunk)
        if progress:
            progress(done, total)
        yield chunk


def fetch_to_store(
    url: str,
    store: FileStore,
    *,
    allow_private: bool = False,
    timeout: float = 30.0,
    progress: Callable[[int, int], None] | None = None,
) -> StoredFile:
    """Download a URL into the content-addressed store, following redirects one checked hop at a time."""
    with httpx.Client(timeout=timeout, follow_redirects=False, headers={"User-Agent": USER_AGENT}) as client:
        for _hop in range(MAX_REDIRECTS + 1):
            check_host(url, allow_private)
            try:
                with client.stream("GET", url) as response:
                    if response.is_redirect:
                        url = urljoin(url, response.headers.get("location", ""))
                        continue
                    if response.status_code != 200:
                        raise Invalid(
                            f"The server at {urlsplit(url).hostname} answered {response.status_code} for the "
                            "file: check that the URL still points to it."
                        )
                    total = int(response.headers.get("content-length") or 0)
                    if total > store.max_bytes:
                        raise Invalid(
                            f"The file is {total:,} bytes, more than the {store.max_bytes:,} allowed."
                        )
                    return store.save_chunks(_counted(response, total, progress))
            except httpx.TimeoutException as exc:
                raise Invalid(
                    f"The server at {urlsplit(url).hostname} did not answer in {timeout:.0f} s."
                ) from exc
            except httpx.HTTPError as exc:
                raise Invalid(f"The file could not be fetched from {urlsplit(url).hostname}: {exc}.") from exc
    raise Invalid(f"The URL redirects more than {MAX_REDIRECTS} times: give the final address of the file.")
