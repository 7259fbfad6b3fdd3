"""5-star openness of each resource and dataset (Berners-Lee's scheme, as CKAN's ckanext-qa scores it).

An open licence is the precondition: without one (or with a closed one) every resource scores 0, and so does
a link that does not work (the link checker's latest state). Otherwise the format decides, read from the
media type first and the format field second: 1 on the web in any format (PDF, DOC, HTML, TXT, archives, and
whatever is not recognised), 2 structured but proprietary (XLS, XLSX, SHP, MDB), 3 open and non-proprietary
(CSV, JSON, XML, GeoJSON, ODS, KML, feeds, OGC services), 4 RDF. 5 needs the RDF to link to others'
identifiers, which only reading it can tell: not given yet. A dataset has the stars of its best resource.
The format table is ckanext-qa's (`spec/five-star/`, with Derek's changes listed in its SOURCES.md).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from sqlalchemy.orm import Session

from derek.catalog import service as catalog
from derek.catalog.schemas import DatasetRead
from derek.config import Profile
from derek.core.authz import Actor
from derek.quality import links
from derek.quality.schemas import ResourceStars, StarsRead

TABLE = (
    Path(__file__).resolve().parent / "spec" / "five-star" / "ckanext-qa_resource_format_openness_scores.json"
)
RDF = {"RDF", "TTL", "N3", "NT", "N-TRIPLES", "NQ", "TRIG", "JSON-LD", "JSONLD", "SPARQL", "RDF/XML"}
ADDED = {"PARQUET": 3, "NDJSON": 3, "JSONL": 3, "GPKG": 3, "GEOPACKAGE": 3, "PDF": 1, "HTML": 1, "HTM": 1}
MEDIA_TYPES = {
    "text/csv": "CSV",
    "text/tab-separated-values": "TSV",
    "application/json": "JSON",
    "application/geo+json": "GEOJSON",
    "application/xml": "XML",
    "text/xml": "XML",
    "application/vnd.ms-excel": "XLS",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "XLSX",
    "application/vnd.oasis.opendocument.spreadsheet": "ODS",
    "application/rdf+xml": "RDF",
    "text/turtle": "TTL",
    "application/ld+json": "JSON-LD",
    "application/n-triples": "NT",
    "application/sparql-results+json": "SPARQL",
    "application/pdf": "PDF",
    "text/html": "HTML",
    "text/plain": "TXT",
    "application/zip": "ZIP",
    "application/vnd.google-earth.kml+xml": "KML",
    "application/x-netcdf": "NETCDF",
    "application/vnd.apache.parquet": "PARQUET",
    "application/x-ndjson": "NDJSON",
    "application/rss+xml": "RSS",
    "application/atom+xml": "ATOM FEED",
}
WORDS = {
    0: "not data",
    1: "on the web, in a format that is not structured data",
    2: "structured data, in a proprietary format",
    3: "structured data, in an open format",
    4: "linked data (RDF)",
}


@cache
def scores() -> dict[str, int]:
    """Format name (upper case) -> stars: ckanext-qa's table with Derek's changes."""
    table = {str(name).upper(): int(score) for name, score in json.loads(TABLE.read_text("utf-8"))[1:]}
    table.update(ADDED)
    table.update({name: 4 for name in RDF})
    return table


@dataclass(frozen=True)
class Stars:
    stars: int
    reason: str  # plain words, one of a few (translated on the page)
    format: str = ""  # the format the stars were read from


def resource_stars(fmt: str, media_type: str, *, licence_open: bool, broken: bool) -> Stars:
    """The stars of one resource, and why, in words."""
    if not licence_open:
        return Stars(0, "no open licence")
    if broken:
        return Stars(0, "the link does not work")
    known = scores()
    by_media = MEDIA_TYPES.get(media_type.split(";")[0].strip().lower())
    name = by_media if by_media in known else fmt.strip().upper()
    if name in known:
        stars = known[name]
        return Stars(stars, WORDS.get(stars, WORDS[3]), name)
    return Stars(1, "on the web, in a format not recognised as data")


def dataset_stars(profile: Profile, dataset: DatasetRead, broken: set[str]) -> StarsRead:
    licence = profile.licence(dataset.license_id) if dataset.license_id else None
    licence_open = licence is not None and licence.open
    rated = [
        ResourceStars(
            id=r.id,
            name=r.name or r.url,
            **vars(resource_stars(r.format, r.media_type, licence_open=licence_open, broken=r.id in broken)),
        )
        for r in dataset.resources
    ]
    return StarsRead(
        dataset=dataset.name,
        stars=max((r.stars for r in rated), default=0),
        licence_open=licence_open,
        resources=rated,
    )


def get_stars(session: Session, actor: Actor, profile: Profile, name: str) -> StarsRead:
    """The dataset's stars and each resource's, for whoever may see the dataset."""
    dataset = catalog.get_dataset(session, actor, profile, name)
    return dataset_stars(profile, dataset, set(links.broken_in(session, [r.id for r in dataset.resources])))
