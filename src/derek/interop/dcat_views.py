"""DCAT-AP routes: /catalog.{ttl,jsonld,rdf} (paged, ?page=N) and /dataset/{name}.{ttl,jsonld,rdf}, plus
`DcatNegotiation`, the ASGI middleware that sends `Accept: text/turtle` (or JSON-LD, RDF/XML) on `/catalog`
and `/dataset/{name}` to those routes."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from derek.interop import dcat
from derek.web.deps import ProfileDep, SessionDep, SettingsDep

router = APIRouter(include_in_schema=False)

FORMATS = {  # suffix -> (rdflib format, media type)
    "ttl": ("turtle", "text/turtle"),
    "jsonld": ("json-ld", "application/ld+json"),
    "rdf": ("xml", "application/rdf+xml"),
}
MEDIA_SUFFIX = {media: suffix for suffix, (_fmt, media) in FORMATS.items()}
NEGOTIATED = re.compile(r"^/(catalog|dataset/[a-z0-9][a-z0-9_\-]{1,99})$")


def _serialize(graph: dcat.Graph, suffix: str) -> Response:
    fmt, media = FORMATS[suffix]
    body = graph.serialize(format=fmt, auto_compact=True) if fmt == "json-ld" else graph.serialize(format=fmt)
    return Response(body, media_type=f"{media}; charset=utf-8", headers={"Vary": "Accept"})


def _catalog_route(suffix: str) -> Callable[..., Response]:
    def catalog_rdf(
        session: SessionDep,
        settings: SettingsDep,
        profile: ProfileDep,
        page: Annotated[int, Query(ge=1, le=100000)] = 1,
    ) -> Response:
        site = settings.site_url.rstrip("/")
        graph, _total = dcat.catalog_graph(
            session, profile, site, page=page, page_url=f"{site}/catalog.{suffix}"
        )
        return _serialize(graph, suffix)

    return catalog_rdf


def _dataset_route(suffix: str) -> Callable[..., Response]:
    def dataset_rdf(name: str, session: SessionDep, settings: SettingsDep, profile: ProfileDep) -> Response:
        return _serialize(dcat.dataset_graph(session, profile, settings.site_url, name), suffix)

    return dataset_rdf


for _suffix in FORMATS:
    router.add_api_route(f"/catalog.{_suffix}", _catalog_route(_suffix), methods=["GET"])
    router.add_api_route(f"/dataset/{{name}}.{_suffix}", _dataset_route(_suffix), methods=["GET"])


def preferred_suffix(accept: str) -> str | None:
    """The RDF suffix the Accept header prefers over HTML, else None (browsers keep their pages)."""
    best: tuple[float, int, str | None] = (0.0, 0, None)
    html_q = 0.0
    for position, part in enumerate(accept.split(",")):
        media, *params = (p.strip() for p in part.split(";"))
        q = 1.0
        for param in params:
            key, _, value = param.partition("=")
            if key.strip() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        media = media.lower()
        if media in ("text/html", "application/xhtml+xml", "*/*", "text/*"):
            html_q = max(html_q, q)
        elif media in MEDIA_SUFFIX and q > 0 and (q, -position) > best[:2]:
            best = (q, -position, MEDIA_SUFFIX[media])
    return best[2] if best[2] and best[0] > html_q else None


class DcatNegotiation:
    """GET/HEAD on exactly /catalog or /dataset/{name} asking for RDF over HTML goes to the suffixed route."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD"):
            await self.app(scope, receive, send)
            return
        path = scope["path"]
        if not NEGOTIATED.match(path):
            await self.app(scope, receive, send)
            return
        accept = next((v.decode("latin-1") for k, v in scope["headers"] if k == b"accept"), "")
        suffix = preferred_suffix(accept) if accept else None
        if suffix is None:
            await self._with_vary(scope, receive, send)  # the HTML answer also varies by Accept
            return
        new_path = f"{path}.{suffix}"
        await self._with_vary({**scope, "path": new_path, "raw_path": new_path.encode()}, receive, send)

    async def _with_vary(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def send_vary(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"vary"]
                vary = [v.decode("latin-1") for k, v in message.get("headers", []) if k.lower() == b"vary"]
                values = {x.strip() for v in vary for x in v.split(",") if x.strip()} | {"Accept"}
                headers.append((b"vary", ", ".join(sorted(values)).encode("latin-1")))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_vary)
