"""Metadata quality score per dataset, as data.europa.eu's Metadata Quality Assessment (MQA) gives it.

The score is read from the dataset's own DCAT-AP graph, the one data.europa.eu harvests, so a publisher sees
here the grade it will get there: 405 points in five dimensions (guide references section 7). Findability:
keywords 30, themes 30, spatial coverage 20, time period 20. Accessibility: an access URL that answers 50, a
download URL 20, one that answers 30. Interoperability: format 20, media type 10, both from their vocabularies
10, a non-proprietary format 20, a machine-readable format 20, no DCAT-AP violation 30. Reusability: licence
20, from the EU vocabulary 10, access rights 10, from the EU vocabulary 5, contact point 20, publisher 10.
Contextuality: rights 5, byte size 5, issued 5, modified 5. Distribution indicators count when any
distribution meets them (the MQA takes the best one). "Answers" is what the link checker saw: the portal's
own download addresses answer; a link counts once its latest check was fine. Machine-readable means a
format programs read as data (MACHINE_READABLE: tables, JSON, XML, RDF, geodata; not images or
documents). Ratings: excellent 351-405, good 221-350, sufficient 121-220, bad 0-120.
"""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import Graph, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF
from sqlalchemy import select
from sqlalchemy.orm import Session

from derek.catalog import service as catalog
from derek.catalog.schemas import DatasetRead
from derek.config import Profile
from derek.core.authz import Actor
from derek.interop import service as interop
from derek.quality import stars
from derek.quality.models import LinkStatus
from derek.quality.schemas import Indicator, QualityRead

# the 31 non-proprietary EU file types (references section 7)
NON_PROPRIETARY = frozenset(
    {
        "BMP", "CSV", "DBF", "ETSI_XML", "GEOJSON", "GPKG", "GZIP", "HTML", "ICS", "JPEG2000", "JSON",
        "JSON_LD", "KML", "KMZ", "NETCDF", "ODS", "PNG", "RDF_N_QUADS", "RDF_N_TRIPLES", "RDF_TRIG",
        "RDF_TURTLE", "RDF_XML", "RSS", "RTF", "TAR", "TIFF", "TSV", "TXT", "WMS_SRVC", "XML", "ZIP",
    }
)  # fmt: skip
# formats a program reads as data (images, documents and archives are not), as EU file-type codes and names
MACHINE_READABLE = frozenset(
    {
        "CSV", "TSV", "JSON", "JSON_LD", "JSON-LD", "XML", "XLS", "XLSX", "ODS", "GEOJSON", "KML", "KMZ",
        "GML", "GPKG", "NETCDF", "PARQUET", "NDJSON", "JSONL", "RDF", "RDF_XML", "RDF_TURTLE", "TTL",
        "RDF_N_TRIPLES", "NT", "RDF_N_QUADS", "RDF_TRIG", "N3", "DBF", "SHP", "ICS", "RSS", "ATOM",
        "ATOM FEED", "SPARQL", "YAML", "SQL", "WFS_SRVC", "WMS_SRVC", "WFS", "WMS",
    }
)  # fmt: skip
RATINGS = ((351, "excellent"), (221, "good"), (121, "sufficient"), (0, "bad"))
MAX_POINTS = 405


@dataclass(frozen=True)
class Rule:
    dimension: str
    key: str
    label: str  # what is checked, in words
    points: int
    fix: str  # what the publisher does to earn it, in words


RULES = (
    Rule("findability", "keywords", "Keywords", 30, "Add keywords"),
    Rule("findability", "themes", "Themes", 30, "Choose a theme"),
    Rule("findability", "spatial", "Geographic coverage", 20, "Choose the regions the data covers"),
    Rule("findability", "temporal", "Time period", 20, "Give the time period the data covers"),
    Rule("accessibility", "access_url_answers", "A link that works", 50, "Fix the broken links"),
    Rule(
        "accessibility",
        "download_url",
        "A download address",
        20,
        "Upload the file (links give no download address)",
    ),
    Rule("accessibility", "download_url_answers", "A download that works", 30, "Upload the file"),
    Rule("interoperability", "format", "File format", 20, "Give each file's format"),
    Rule("interoperability", "media_type", "Media type", 10, "Give the media type (e.g. text/csv)"),
    Rule(
        "interoperability",
        "vocabularies",
        "Format and media type from vocabularies",
        10,
        "Use a known format and media type",
    ),
    Rule(
        "interoperability", "non_proprietary", "A non-proprietary format", 20, "Publish a CSV or JSON as well"
    ),
    Rule(
        "interoperability",
        "machine_readable",
        "A machine-readable format",
        20,
        "Publish the data as a table, not a document",
    ),
    Rule("interoperability", "dcat_ap", "No DCAT-AP violation", 30, "Fix what the DCAT-AP check lists"),
    Rule("reusability", "licence", "Licence", 20, "Choose a licence"),
    Rule(
        "reusability",
        "licence_vocabulary",
        "Licence from the EU vocabulary",
        10,
        "Choose a licence the EU lists",
    ),
    Rule("reusability", "access_rights", "Access rights", 10, "State the access rights"),
    Rule(
        "reusability",
        "access_rights_vocabulary",
        "Access rights from the EU vocabulary",
        5,
        "State the access rights",
    ),
    Rule("reusability", "contact_point", "Contact point", 20, "Give a contact"),
    Rule("reusability", "publisher", "Publisher", 10, "Give the publishing organization"),
    Rule("contextuality", "rights", "Rights statement", 5, "Not yet given by this portal"),
    Rule("contextuality", "byte_size", "File size", 5, "Upload the file (its size is then known)"),
    Rule("contextuality", "issued", "Date of issue", 5, "Publish the dataset"),
    Rule("contextuality", "modified", "Date of change", 5, "Save the dataset"),
)
assert sum(r.points for r in RULES) == MAX_POINTS


def rating(points: int) -> str:
    return next(name for floor, name in RATINGS if points >= floor)


def _has(graph: Graph, subject: URIRef, predicate: URIRef) -> bool:
    return next(graph.objects(subject, predicate), None) is not None


def _in(graph: Graph, subject: URIRef, predicate: URIRef, prefix: str) -> bool:
    return any(str(o).startswith(prefix) for o in graph.objects(subject, predicate))


def indicators(
    graph: Graph, dataset_uri: URIRef, answers: dict[str, bool], machine_readable: set[str], conforms: bool
) -> dict[str, bool]:
    """Which indicators the dataset meets. `answers`: distribution URI -> its access URL answered;
    `machine_readable`: distribution URIs in a structured-data format."""
    g, d = graph, dataset_uri
    dists = [x for x in g.objects(d, DCAT.distribution) if isinstance(x, URIRef)]
    file_type, iana = interop.EU + "file-type/", interop.IANA

    def any_dist(test: object) -> bool:
        return any(test(x) for x in dists)  # type: ignore[operator]

    return {
        "keywords": _has(g, d, DCAT.keyword),
        "themes": _has(g, d, DCAT.theme),
        "spatial": _has(g, d, DCTERMS.spatial),
        "temporal": _has(g, d, DCTERMS.temporal),
        "access_url_answers": any_dist(lambda x: _has(g, x, DCAT.accessURL) and answers.get(str(x), False)),
        "download_url": any_dist(lambda x: _has(g, x, DCAT.downloadURL)),
        "download_url_answers": any_dist(
            lambda x: _has(g, x, DCAT.downloadURL) and answers.get(str(x), False)
        ),
        "format": any_dist(lambda x: _has(g, x, DCTERMS.format)),
        "media_type": any_dist(lambda x: _has(g, x, DCAT.mediaType)),
        "vocabularies": any_dist(
            lambda x: _in(g, x, DCTERMS.format, file_type) and _in(g, x, DCAT.mediaType, iana)
        ),
        "non_proprietary": any_dist(
            lambda x: any(
                str(o).startswith(file_type) and str(o)[len(file_type) :] in NON_PROPRIETARY
                for o in g.objects(x, DCTERMS.format)
            )
        ),
        "machine_readable": any_dist(lambda x: str(x) in machine_readable),
        "dcat_ap": conforms,
        "licence": any_dist(lambda x: _has(g, x, DCTERMS.license)) or _has(g, d, DCTERMS.license),
        "licence_vocabulary": any_dist(lambda x: _in(g, x, DCTERMS.license, interop.EU + "licence/")),
        "access_rights": _has(g, d, DCTERMS.accessRights),
        "access_rights_vocabulary": _in(g, d, DCTERMS.accessRights, interop.EU + "access-right/"),
        "contact_point": _has(g, d, DCAT.contactPoint),
        "publisher": any(
            isinstance(p, URIRef) and _has(g, p, FOAF.name) for p in g.objects(d, DCTERMS.publisher)
        ),
        "rights": any_dist(lambda x: _has(g, x, DCTERMS.rights)),
        "byte_size": any_dist(lambda x: _has(g, x, DCAT.byteSize)),
        "issued": _has(g, d, DCTERMS.issued),
        "modified": _has(g, d, DCTERMS.modified),
    }


def assess(
    session: Session,
    profile: Profile,
    site: str,
    dataset: DatasetRead,
    checked: list[interop.Violation] | None = None,
) -> QualityRead:
    """The dataset's score with its breakdown and what to fix, from its DCAT-AP graph and link checks
    (`checked`: the DCAT-AP gate's results when the caller has them already)."""
    site = site.rstrip("/")
    graph = interop.graph_of_dataset(profile, site, dataset)
    dataset_uri = URIRef(f"{site}/dataset/{dataset.id}")
    ids = [r.id for r in dataset.resources]
    states = {
        s.resource_id: s for s in session.scalars(select(LinkStatus).where(LinkStatus.resource_id.in_(ids)))
    }
    answers: dict[str, bool] = {}
    machine: set[str] = set()
    for r in dataset.resources:
        uri = f"{dataset_uri}/resource/{r.id}"
        # the portal's own files answer; a link counts once the link checker found it working
        answers[uri] = r.url_type == "upload" or (r.id in states and states[r.id].ok)
        rated = stars.resource_stars(r.format, r.media_type, licence_open=True, broken=False)
        if rated.format in MACHINE_READABLE:  # the format read from the media type first, as for stars
            machine.add(uri)
    if checked is None:
        checked = interop.check_dataset(session, profile, site, dataset)
    conforms = interop.conforms(checked)
    met = indicators(graph, dataset_uri, answers, machine, conforms)
    rows = [
        Indicator(
            dimension=rule.dimension,
            key=rule.key,
            label=rule.label,
            points=rule.points if met[rule.key] else 0,
            max_points=rule.points,
            fix="" if met[rule.key] else rule.fix,
        )
        for rule in RULES
    ]
    points = sum(r.points for r in rows)
    dimensions: dict[str, list[int]] = {}
    for row in rows:
        got, most = dimensions.get(row.dimension, [0, 0])
        dimensions[row.dimension] = [got + row.points, most + row.max_points]
    return QualityRead(
        dataset=dataset.name,
        points=points,
        max_points=MAX_POINTS,
        rating=rating(points),
        dimensions={k: {"points": v[0], "max_points": v[1]} for k, v in dimensions.items()},
        indicators=rows,
    )


def get_quality(session: Session, actor: Actor, profile: Profile, site: str, name: str) -> QualityRead:
    """The score of a dataset the actor may see."""
    return assess(session, profile, site, catalog.get_dataset(session, actor, profile, name))
