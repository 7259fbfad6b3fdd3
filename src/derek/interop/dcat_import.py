"""Read a DCAT-AP graph back into plain data: the inverse of `dcat.py` (framework-free, no database).

`parse_catalog(graph)` gives the publishers, datasets and distributions of any DCAT(-AP) graph as dataclasses
whose fields are the catalog's own (slugs, language-keyed texts, the profile's theme, frequency, licence and
region codes), so `derek import` and a future DCAT harvest source can both feed them to the catalog service.
`load_graph(path)` reads Turtle, RDF/XML, JSON-LD or N-Triples by the file's suffix (or by sniffing).

What a DCAT graph cannot give back: ids (URIs carry the old instance's ids), `modified` times (the service
sets them), an organization's description, type, parent and contacts, dataset extras, state and privacy (only
public datasets are in a catalog graph), the order of keywords and distributions, a licence on a dataset
without distributions (dcat.py puts licences on distributions), and formats outside the EU file-type table.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, OWL, RDF, RDFS, SKOS
from rdflib.term import Node

from derek.config import Profile
from derek.interop.dcat import EU, IANA, LANGUAGES, LICENCES, SPDX, VCARD

DCAT_VERSION = URIRef(str(DCAT) + "version")  # DCAT 3, not in rdflib's closed namespace
LANGUAGE_CODES = {eu: two for two, eu in LANGUAGES.items()}  # KAZ -> kk
LICENCE_IDS = {eu: licence_id for licence_id, eu in LICENCES.items()}  # CC_BY_4_0 -> CC-BY-4.0
FORMATS = {"RDF_TURTLE": "TTL", "JSON_LD": "JSON-LD"}  # EU file-type codes -> the formats people write
FORMATS_BY_SUFFIX = {
    ".ttl": "turtle", ".n3": "n3", ".nt": "nt", ".rdf": "xml", ".xml": "xml", ".owl": "xml",
    ".jsonld": "json-ld", ".json": "json-ld", ".nq": "nquads", ".trig": "trig",
}  # fmt: skip


@dataclass
class OrganizationData:
    uri: str
    name: str  # slug: the URI's last segment
    title: dict[str, str]


@dataclass
class DistributionData:
    uri: str
    title: str = ""
    description: str = ""
    format: str = ""
    media_type: str = ""
    download_url: str = ""
    access_url: str = ""
    byte_size: int | None = None
    sha256: str = ""
    license_id: str | None = None
    modified: datetime | None = None

    @property
    def filename(self) -> str:
        """The file's name: the last segment of its download URL."""
        return self.download_url.rstrip("/").rsplit("/", 1)[-1] if self.download_url else ""

    @property
    def url(self) -> str:
        """Where the data is reached: the download URL, else the access URL."""
        return self.download_url or self.access_url


@dataclass
class DatasetData:
    uri: str
    name: str  # slug: the landing page's last segment (else the URI's)
    identifier: str = ""
    title: dict[str, str] = field(default_factory=dict)
    description: dict[str, str] = field(default_factory=dict)
    keywords: list[str] = field(default_factory=list)
    themes: list[str] = field(default_factory=list)
    organization: str | None = None  # the publisher's slug
    license_id: str | None = None
    contact_name: str = ""
    contact_email: str = ""
    update_frequency: str | None = None
    temporal_start: date | None = None
    temporal_end: date | None = None
    regions: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    version: str = ""
    issued: datetime | None = None
    modified: datetime | None = None
    landing_page: str = ""
    distributions: list[DistributionData] = field(default_factory=list)


@dataclass
class CatalogData:
    uri: str | None
    title: dict[str, str]
    organizations: list[OrganizationData]
    datasets: list[DatasetData]


def load_graph(path: Path) -> Graph:
    """Parse a DCAT file: the format by its suffix, else whatever rdflib recognizes."""
    graph = Graph()
    fmt = FORMATS_BY_SUFFIX.get(path.suffix.lower())
    graph.parse(path, format=fmt) if fmt else graph.parse(path)
    return graph


def last_segment(uri: str) -> str:
    return uri.split("#", 1)[0].rstrip("/").rsplit("/", 1)[-1]


def _texts(graph: Graph, subject: Node, predicate: URIRef, default_language: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for obj in sorted(graph.objects(subject, predicate), key=str):
        if isinstance(obj, Literal) and str(obj).strip():
            lang = (obj.language or default_language).split("-")[0].lower()
            out.setdefault(lang, str(obj).strip())
    return out


def _one(graph: Graph, subject: Node, predicate: URIRef) -> Node | None:
    values = sorted(graph.objects(subject, predicate), key=str)
    return values[0] if values else None


def _text(graph: Graph, subject: Node, predicate: URIRef) -> str:
    value = _one(graph, subject, predicate)
    return str(value).strip() if value is not None else ""


def _datetime(value: Node | None) -> datetime | None:
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed


def _date(value: Node | None) -> date | None:
    parsed = _datetime(value)
    return parsed.date() if parsed else None


def _code(uri: Node, authority: str) -> str | None:
    """The code of an EU authority URI (`.../data-theme/ECON` -> ECON), None for other URIs."""
    prefix = EU + authority + "/"
    return str(uri)[len(prefix) :] if isinstance(uri, URIRef) and str(uri).startswith(prefix) else None


def licence_id(uri: Node, profile: Profile | None = None) -> str | None:
    """The profile's licence id of a licence URI (inverting dcat.licence_uri); None if unknown."""
    code = _code(uri, "licence")
    if code is not None and code in LICENCE_IDS:
        return LICENCE_IDS[code]
    if profile is not None:
        for licence in profile.licences:
            if licence.url and licence.url.rstrip("/") == str(uri).rstrip("/"):
                return licence.id
    return None


def language_code(uri: Node) -> str | None:
    code = _code(uri, "language")
    if code is None:
        return None
    return LANGUAGE_CODES.get(code, code.lower())


def file_format(uri: Node) -> str:
    code = _code(uri, "file-type")
    if code is None:
        text = str(uri).strip()
        return text.upper() if text and "/" not in text and len(text) <= 50 else ""
    return FORMATS.get(code, code)


def _organization(graph: Graph, uri: URIRef, default_language: str) -> OrganizationData:
    return OrganizationData(str(uri), last_segment(str(uri)), _texts(graph, uri, FOAF.name, default_language))


def _distribution(graph: Graph, uri: Node, profile: Profile | None) -> DistributionData:
    d = DistributionData(uri=str(uri))
    d.title = _text(graph, uri, DCTERMS.title)
    d.description = _text(graph, uri, DCTERMS.description)
    fmt = _one(graph, uri, DCTERMS.format)
    d.format = file_format(fmt) if fmt is not None else ""
    if fmt is not None and not d.format:  # a described format (dct:IMT): its label, its value the media type
        d.format = _text(graph, fmt, RDFS.label).upper()[:50]
        d.media_type = _text(graph, fmt, RDF.value)[:120]
    media = _one(graph, uri, DCAT.mediaType)
    if media is not None:
        text = str(media)
        for prefix in (IANA, IANA.replace("http://", "https://")):
            text = text.removeprefix(str(prefix))
        d.media_type = text
    d.download_url = _text(graph, uri, DCAT.downloadURL)
    d.access_url = _text(graph, uri, DCAT.accessURL)
    size = _one(graph, uri, DCAT.byteSize)
    if size is not None:
        try:
            d.byte_size = int(str(size))
        except ValueError:
            d.byte_size = None
    for checksum in graph.objects(uri, SPDX.checksum):
        algorithm = _one(graph, checksum, SPDX.algorithm)
        if algorithm is None or str(algorithm).lower().endswith("sha256"):
            d.sha256 = _text(graph, checksum, SPDX.checksumValue).lower()
    licence = _one(graph, uri, DCTERMS.license)
    d.license_id = licence_id(licence, profile) if licence is not None else None
    d.modified = _datetime(_one(graph, uri, DCTERMS.modified))
    return d


def _dataset(
    graph: Graph,
    uri: Node,
    profile: Profile | None,
    default_language: str,
    publishers: dict[str, tuple[str, ...]],
) -> DatasetData:
    landing = _text(graph, uri, DCAT.landingPage)
    d = DatasetData(uri=str(uri), name=last_segment(landing or str(uri)), landing_page=landing)
    d.identifier = _text(graph, uri, DCTERMS.identifier)
    d.title = _texts(graph, uri, DCTERMS.title, default_language)
    d.description = _texts(graph, uri, DCTERMS.description, default_language)
    d.keywords = sorted({str(k).strip() for k in graph.objects(uri, DCAT.keyword) if str(k).strip()})
    d.themes = sorted({code for t in graph.objects(uri, DCAT.theme) if (code := _code(t, "data-theme"))})
    publisher = _one(graph, uri, DCTERMS.publisher)
    if isinstance(publisher, URIRef):
        d.organization = last_segment(str(publisher))
    frequency = _one(graph, uri, DCTERMS.accrualPeriodicity)
    d.update_frequency = _code(frequency, "frequency") if frequency is not None else None
    contact = _one(graph, uri, DCAT.contactPoint)
    if contact is not None:
        fn = _text(graph, contact, VCARD.fn)
        # dcat.py writes the publisher's name when the dataset names no contact person
        d.contact_name = "" if fn and fn in publishers.get(str(publisher), ()) else fn
        email = _text(graph, contact, VCARD.hasEmail)
        d.contact_email = email.removeprefix("mailto:")
    period = _one(graph, uri, DCTERMS.temporal)
    if period is not None:
        d.temporal_start = _date(_one(graph, period, DCAT.startDate))
        d.temporal_end = _date(_one(graph, period, DCAT.endDate))
    regions = set()
    for place in graph.objects(uri, DCTERMS.spatial):
        notation = _text(graph, place, SKOS.notation)
        if notation:
            regions.add(notation)
        elif "/region/" in str(place):
            regions.add(last_segment(str(place)))
    d.regions = sorted(regions)
    d.languages = sorted(
        {code for lang in graph.objects(uri, DCTERMS.language) if (code := language_code(lang))}
    )
    d.version = _text(graph, uri, OWL.versionInfo) or _text(graph, uri, DCAT_VERSION)
    d.issued = _datetime(_one(graph, uri, DCTERMS.issued))
    d.modified = _datetime(_one(graph, uri, DCTERMS.modified))
    d.distributions = sorted(
        (_distribution(graph, dist, profile) for dist in graph.objects(uri, DCAT.distribution)),
        key=lambda x: (x.title, x.url, x.uri),
    )
    licence = _one(graph, uri, DCTERMS.license)
    d.license_id = licence_id(licence, profile) if licence is not None else None
    if d.license_id is None:
        d.license_id = next((x.license_id for x in d.distributions if x.license_id), None)
    return d


def parse_catalog(graph: Graph, profile: Profile | None = None) -> CatalogData:
    """Every dcat:Dataset of the graph with its publisher and distributions (sorted by slug)."""
    default_language = profile.default_language if profile else "en"
    catalog = next(iter(graph.subjects(RDF.type, DCAT.Catalog)), None)
    organizations: dict[str, OrganizationData] = {}
    for dataset in graph.subjects(RDF.type, DCAT.Dataset):
        publisher = _one(graph, dataset, DCTERMS.publisher)
        if isinstance(publisher, URIRef) and str(publisher) not in organizations:
            organizations[str(publisher)] = _organization(graph, publisher, default_language)
    publishers = {uri: tuple(org.title.values()) for uri, org in organizations.items()}
    datasets = [
        _dataset(graph, uri, profile, default_language, publishers)
        for uri in set(graph.subjects(RDF.type, DCAT.Dataset))
    ]
    return CatalogData(
        uri=str(catalog) if catalog is not None else None,
        title=_texts(graph, catalog, DCTERMS.title, default_language) if catalog is not None else {},
        organizations=sorted(organizations.values(), key=lambda o: o.name),
        datasets=sorted(datasets, key=lambda d: d.name),
    )


__all__ = [
    "CatalogData",
    "DatasetData",
    "DistributionData",
    "OrganizationData",
    "file_format",
    "language_code",
    "licence_id",
    "load_graph",
    "parse_catalog",
]
