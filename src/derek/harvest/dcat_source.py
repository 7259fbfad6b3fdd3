"""A DCAT catalog as a harvest source: one RDF document (Turtle, RDF/XML, JSON-LD, N-Triples) or a paginated
endpoint that links its pages with Hydra (`hydra:next` or the older `hydra:nextPage`, as CKAN and Derek's own
`/catalog.ttl` write them).

Every page is read and parsed before anything is applied. Datasets are read with `interop.dcat_import`, the
same parser `derek import` uses. JSON-LD that names a remote `@context` is refused rather than fetched: the
parser would otherwise open any address the document names, past the private-network check.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import asdict
from datetime import datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF

from derek.catalog.schemas import EMAIL_RE
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
    get,
    link,
    provenance,
)
from derek.interop.service import (
    FORMATS_BY_SUFFIX,
    DatasetData,
    language_code,
    last_segment,
    parse_catalog,
)

HYDRA_NS = (Namespace("http://www.w3.org/ns/hydra/core#"), Namespace("http://purl.org/hydra/core#"))
ACCEPT = "text/turtle, application/rdf+xml;q=0.9, application/ld+json;q=0.8, application/n-triples;q=0.7"
MEDIA_FORMATS = {
    "text/turtle": "turtle",
    "application/x-turtle": "turtle",
    "application/rdf+xml": "xml",
    "application/xml": "xml",
    "text/xml": "xml",
    "application/ld+json": "json-ld",
    "application/n-triples": "nt",
    "text/n3": "n3",
    "application/trig": "trig",
}


def _remote_context(value: Any) -> bool:
    """Whether a JSON-LD document names a context by address anywhere (which rdflib would fetch)."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "@context" and (
                isinstance(item, str) or (isinstance(item, list) and any(isinstance(x, str) for x in item))
            ):
                return True
            if _remote_context(item):
                return True
    elif isinstance(value, list):
        return any(_remote_context(item) for item in value)
    return False


def parse(body: bytes, media_type: str, url: str) -> Graph:
    """The document as a graph: its format from the media type, else the address's suffix, else guessed."""
    fmt = MEDIA_FORMATS.get(media_type.split(";")[0].strip().lower())
    if fmt is None:
        path = urlsplit(url).path.lower()
        fmt = next((f for suffix, f in FORMATS_BY_SUFFIX.items() if path.endswith(suffix)), None)
    candidates = [fmt] if fmt else ["turtle", "xml", "json-ld"]
    last: Exception | None = None
    for candidate in candidates:
        if candidate == "json-ld":
            try:
                if _remote_context(json.loads(body)):
                    raise SourceFailed(
                        f"{url[:300]} is JSON-LD with a remote @context, which the harvester does not fetch: "
                        "publish the catalog as Turtle or RDF/XML, or with its context inline."
                    )
            except ValueError as exc:
                last = exc
                continue
        graph = Graph()
        try:
            graph.parse(data=body, format=candidate, publicID=url)
        except Exception as exc:  # rdflib raises its parsers' own errors (BadSyntax, SAXParseException, ...)
            last = exc
            continue
        return graph
    raise SourceFailed(f"{url[:300]} is not an RDF document the harvester can read ({str(last)[:200]}).")


def tag_untagged(graph: Graph) -> None:
    """Give a dataset's (and its distributions') untagged titles and descriptions the dataset's language when
    it declares exactly one (a German record without language tags is German, not the portal's language)."""
    for dataset in set(graph.subjects(RDF.type, DCAT.Dataset)):
        codes = {code for lang in graph.objects(dataset, DCTERMS.language) if (code := language_code(lang))}
        if len(codes) != 1 or len(next(iter(codes))) != 2:
            continue
        code = next(iter(codes))
        for node in (dataset, *graph.objects(dataset, DCAT.distribution)):
            for predicate in (DCTERMS.title, DCTERMS.description):
                for value in list(graph.objects(node, predicate)):
                    if isinstance(value, Literal) and value.language is None and value.datatype is None:
                        graph.remove((node, predicate, value))
                        graph.add((node, predicate, Literal(str(value), lang=code)))


def _next_page(graph: Graph, url: str) -> str | None:
    for hydra in HYDRA_NS:
        for predicate in (hydra.next, hydra.nextPage):
            for value in sorted(graph.objects(None, predicate), key=str):
                if isinstance(value, URIRef):
                    return urljoin(url, str(value))
    return None


def fetch_datasets(
    url: str,
    profile: Profile,
    *,
    allow_private: bool = False,
    timeout: float = 30.0,
    progress: Progress | None = None,
) -> list[DatasetData]:
    """Every dcat:Dataset of the document and of the pages it links to, or SourceFailed."""
    datasets: dict[str, DatasetData] = {}
    seen: set[str] = set()
    page_url: str | None = url
    with client(timeout, ACCEPT) as http:
        for _page in range(MAX_PAGES):
            if page_url is None or page_url in seen:
                break
            seen.add(page_url)
            response = get(http, page_url, allow_private)
            graph = parse(response.content, response.headers.get("content-type", ""), page_url)
            tag_untagged(graph)
            for dataset in parse_catalog(graph, profile).datasets:
                datasets.setdefault(dataset.uri, dataset)
            if progress:
                progress(len(datasets), 0)
            page_url = _next_page(graph, page_url)
        else:
            raise SourceFailed(f"{url[:300]} did not end its paging after {MAX_PAGES} pages.")
    return list(datasets.values())


def _is_uri(value: str) -> bool:
    """A URI, not a blank node's generated id (which has no scheme)."""
    return ":" in value


def _texts(values: dict[str, str]) -> dict[str, str]:
    return {lang: text[:20000] for lang, text in values.items() if len(lang) == 2 and lang.isalpha() and text}


def dataset_fields(
    profile: Profile, source_name: str, d: DatasetData, remote_id: str, harvested_at: datetime
) -> dict[str, Any]:
    """DatasetCreate fields (without name and organization) for a parsed DCAT dataset."""
    lang = profile.default_language
    extras = provenance(source_name, d.landing_page or d.uri, remote_id, harvested_at)
    if d.identifier:
        extras["identifier"] = d.identifier[:5000]
    licence = d.license_id if d.license_id and profile.licence(d.license_id) else None
    start, end = d.temporal_start, d.temporal_end
    if start and end and start > end:
        start = end = None
    issued = d.issued if d.issued and 1900 <= d.issued.year <= 2200 else None
    email = d.contact_email.strip()
    return {
        "title": _texts(d.title) or {lang: (d.identifier or d.name)[:20000]},
        "description": _texts(d.description),
        "keywords": list(dict.fromkeys(k[:100] for k in d.keywords if k.strip()))[:50],
        "themes": [code for code in d.themes if profile.theme(code)][:13],
        "license_id": licence,
        "contact_name": d.contact_name[:200],
        "contact_email": email if EMAIL_RE.match(email) and len(email) <= 255 else "",
        "update_frequency": frequency(d.update_frequency),
        "temporal_start": start,
        "temporal_end": end,
        "regions": [r for r in d.regions if profile.region(r)][:50],
        "languages": [code for code in d.languages if len(code) <= 3][:10],
        "version": d.version[:50],
        "issued": issued,
        "state": "published",
        "private": False,
        "extras": extras,
    }


def read(
    url: str,
    source_name: str,
    profile: Profile,
    harvested_at: datetime,
    *,
    allow_private: bool = False,
    timeout: float = 30.0,
    progress: Progress | None = None,
) -> tuple[list[RemoteDataset], list[dict[str, str]]]:
    """The catalog's datasets as the run applies them, and the ones that cannot be mirrored (with why)."""
    out, errors = [], []
    for d in fetch_datasets(url, profile, allow_private=allow_private, timeout=timeout, progress=progress):
        remote_id = d.identifier or (d.uri if _is_uri(d.uri) else "")
        if not _is_uri(d.uri) and not d.landing_page:  # the name came from a blank node's generated id
            d.name = last_segment(d.identifier) if d.identifier else "dataset"
        if not remote_id:
            errors.append({"remote": d.name, "error": "The dataset has neither a URI nor a dct:identifier."})
            continue
        resources = []
        titles = Counter(dist.title for dist in d.distributions)
        for dist in d.distributions:
            name = dist.title or dist.filename or dist.format
            if dist.title and titles[dist.title] > 1:  # many distributions, one title: tell them apart
                name = f"{dist.title} ({dist.format or dist.filename or dist.url.rsplit('/', 1)[-1]})"
            made = link(name, dist.url, dist.description, dist.format, dist.media_type)
            if made is not None:
                resources.append(made)
        kept = asdict(d)  # blank nodes get new ids on every parse: they must not change the hash
        kept["uri"] = d.uri if _is_uri(d.uri) else ""
        for dist in kept["distributions"]:
            dist["uri"] = dist["uri"] if _is_uri(dist["uri"]) else ""
        out.append(
            RemoteDataset(
                remote_id=remote_id,
                remote_name=d.name,
                remote_url=(d.landing_page or d.uri)[:2000],
                content_hash=digest(kept),
                fields=dataset_fields(profile, source_name, d, remote_id, harvested_at),
                resources=resources,
            )
        )
    return out, errors


__all__ = ["PROVENANCE_PREFIX", "fetch_datasets", "parse", "read"]
