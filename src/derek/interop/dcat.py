"""DCAT-AP 3.0 graphs of the public catalog (framework-free: a session, a profile and the site's address).

Mapping decisions (also in docs/architecture.md, "DCAT-AP"):
- URIs: the catalog is `<site>/catalog`; a dataset is `<site>/dataset/<id>` (its stable id, which the site
  also answers, so a rename keeps the URI), its landing page `<site>/dataset/<name>`; a distribution is
  `<site>/dataset/<id>/resource/<resource id>`; a publisher `<site>/organization/<name>`.
- Codes: themes, frequencies and file types are the EU authority tables' URIs; languages map two-letter codes
  to the EU language table (kk -> KAZ); licences map the profile's ids to the EU licence table (CC-BY-4.0 ->
  CC_BY_4_0); a licence the table lacks keeps the profile's URL, a licence with no URL is left out.
- Regions (ISO 3166-2 codes of the profile) are `<site>/region/<code>` typed `dct:Location` with their
  names as `skos:prefLabel` and the code as `skos:notation`; the country's EU URI is added next to them.
- Every object the strict range shapes check is typed in the graph (skos:Concept with labels for themes,
  dct:Frequency, dct:LinguisticSystem, dct:MediaTypeOrExtent, dct:MediaType, dct:LicenseDocument, vcard:Kind,
  foaf:Document, dct:Location), so `range.ttl` passes without background vocabularies.
- Only datasets an anonymous visitor may see (published, not private) are ever served; the publisher's
  DCAT-AP check (`dcat_check.py`) builds the same graph of a draft or private dataset for its editors.
- Links people typed (resource URLs, file names, e-mail addresses) are written as IRIs with the characters
  an IRI may not hold percent-encoded: one space would otherwise break the Turtle of the whole catalog.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, OWL, RDF, SKOS, XSD
from sqlalchemy.orm import Session

from derek.catalog import service
from derek.catalog.schemas import DatasetRead, ResourceRead
from derek.config import Profile
from derek.core.authz import ANONYMOUS
from derek.core.errors import NotFound
from derek.core.i18n import pick

VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")
EU = "http://publications.europa.eu/resource/authority/"
THEME_SCHEME = URIRef(EU + "data-theme")
IANA = "http://www.iana.org/assignments/media-types/"
PAGE_SIZE = 100
SPEC_DIR = Path(__file__).resolve().parent / "spec"

# two-letter (ISO 639-1) codes -> EU language table codes
LANGUAGES = {
    "kk": "KAZ", "ru": "RUS", "en": "ENG", "uz": "UZB", "ky": "KIR", "tg": "TGK", "tk": "TUK", "tr": "TUR",
    "zh": "ZHO", "de": "DEU", "fr": "FRA", "es": "SPA", "it": "ITA", "pl": "POL", "uk": "UKR", "be": "BEL",
    "et": "EST", "lv": "LAV", "lt": "LIT", "fi": "FIN", "sv": "SWE", "ar": "ARA", "fa": "FAS", "ko": "KOR",
    "ja": "JPN", "mn": "MON", "az": "AZE", "hy": "HYE", "ka": "KAT", "pt": "POR", "nl": "NLD",
}  # fmt: skip
# the profiles' licence ids -> EU licence table codes
LICENCES = {
    "CC-BY-4.0": "CC_BY_4_0",
    "CC0-1.0": "CC0",
    "CC-BY-SA-4.0": "CC_BYSA_4_0",
    "ODC-PDDL-1.0": "ODC_PDDL",
    "ODC-BY-1.0": "ODC_BY",
    "ODC-ODBL-1.0": "ODC_BL",
    "EUPL-1.2": "EUPL_1_2",
}
COUNTRIES = {"KZ": "KAZ", "UZ": "UZB", "KG": "KGZ", "TJ": "TJK", "TM": "TKM", "EE": "EST"}
# formats people write -> EU file-type codes, where the code is not the format itself
FORMAT_ALIASES = {
    "TTL": "RDF_TURTLE", "TURTLE": "RDF_TURTLE", "JSONLD": "JSON_LD", "JSON-LD": "JSON_LD",
    "NT": "RDF_N_TRIPLES", "NQ": "RDF_N_QUADS", "HTM": "HTML", "JPG": "JPEG", "TIF": "TIFF", "GZ": "GZIP",
    "TGZ": "TAR_GZ", "YML": "YAML", "MD": "MARKDOWN", "SHAPEFILE": "SHP", "GEOPACKAGE": "GPKG",
    "NC": "NETCDF",
}  # fmt: skip
NOT_IN_IRI = re.compile(r'[\x00-\x20<>"{}|\\^`\x7f]')  # what rdflib refuses to write in Turtle
THREE_LETTERS = re.compile(r"^[A-Za-z]{3}$")
MEDIA_TYPE_RE = re.compile(r"^[a-z0-9][a-z0-9!#$&^_.+-]*/[a-z0-9][a-z0-9!#$&^_.+-]*$")
KAZAKH_LETTERS = re.compile(r"[әғқңөұүһіӘҒҚҢӨҰҮҺІ]")
CYRILLIC = re.compile(r"[А-Яа-яЁё]")
LATIN = re.compile(r"[A-Za-z]")
CATALOG_DESCRIPTION = {
    "kk": "{name}: мемлекеттік органдар жариялаған ашық деректер жиынтықтарының каталогы.",
    "ru": "{name}: каталог наборов открытых данных, опубликованных государственными органами.",
    "en": "{name}: the catalog of open datasets published by government bodies.",
}


@cache
def file_type_codes() -> frozenset[str]:
    """The EU file-type table's codes (vendored in spec/eu-vocabularies/file-type-codes.txt)."""
    text = (SPEC_DIR / "eu-vocabularies" / "file-type-codes.txt").read_text(encoding="utf-8")
    return frozenset(line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#"))


def file_type_uri(fmt: str) -> URIRef | None:
    code = fmt.strip().upper().lstrip(".")
    code = FORMAT_ALIASES.get(code, code)
    return URIRef(EU + "file-type/" + code) if code in file_type_codes() else None


def language_uri(code: str) -> URIRef | None:
    eu = LANGUAGES.get(code.lower()) or (code.upper() if THREE_LETTERS.match(code) else None)
    return URIRef(EU + "language/" + eu) if eu else None


def licence_uri(profile: Profile, licence_id: str) -> URIRef | None:
    if licence_id in LICENCES:
        return URIRef(EU + "licence/" + LICENCES[licence_id])
    licence = profile.licence(licence_id)
    return URIRef(licence.url) if licence and licence.url else None


def keyword_language(keyword: str) -> str | None:
    """The language tag of a keyword, from its letters (keywords are stored without one)."""
    if KAZAKH_LETTERS.search(keyword):
        return "kk"
    if CYRILLIC.search(keyword):
        return "ru"
    if LATIN.search(keyword):
        return "en"
    return None


def iri(text: str) -> URIRef:
    """A link as people typed it, with the characters an IRI may not hold percent-encoded (UTF-8)."""
    return URIRef(NOT_IN_IRI.sub(lambda m: "".join(f"%{b:02X}" for b in m.group().encode()), text))


def _texts(graph: Graph, subject: URIRef | BNode, predicate: URIRef, texts: dict[str, str]) -> None:
    for lang, text in sorted(texts.items()):
        if text and text.strip():
            graph.add((subject, predicate, Literal(text.strip(), lang=lang)))


def _datetime(value: datetime) -> Literal:
    return Literal(value.isoformat(), datatype=XSD.dateTime)


def new_graph() -> Graph:
    graph = Graph()
    for prefix, ns in (
        ("dcat", DCAT), ("dct", DCTERMS), ("foaf", FOAF), ("vcard", VCARD), ("spdx", SPDX), ("skos", SKOS),
        ("owl", OWL), ("xsd", XSD), ("hydra", HYDRA),
    ):  # fmt: skip
        graph.bind(prefix, ns)
    return graph


@dataclass(frozen=True)
class Builder:
    """Adds DCAT-AP triples for the catalog and its datasets to one graph."""

    graph: Graph
    profile: Profile
    site: str  # the site's absolute address without the trailing slash

    @property
    def catalog_uri(self) -> URIRef:
        return URIRef(f"{self.site}/catalog")

    def dataset_uri(self, dataset: DatasetRead) -> URIRef:
        return URIRef(f"{self.site}/dataset/{dataset.id}")

    def _typed(self, uri: URIRef, cls: URIRef) -> URIRef:
        self.graph.add((uri, RDF.type, cls))
        return uri

    def _theme(self, code: str) -> URIRef:
        g = self.graph
        uri = self._typed(URIRef(f"{EU}data-theme/{code}"), SKOS.Concept)
        g.add((uri, SKOS.inScheme, THEME_SCHEME))
        theme = self.profile.theme(code)
        _texts(g, uri, SKOS.prefLabel, theme.title if theme else {})
        if theme is None:
            g.add((uri, SKOS.prefLabel, Literal(code)))
        self._typed(THEME_SCHEME, SKOS.ConceptScheme)
        g.add((THEME_SCHEME, DCTERMS.title, Literal("Data theme", lang="en")))
        return uri

    def _languages(self, subject: URIRef, codes: list[str] | tuple[str, ...]) -> None:
        for code in codes:
            uri = language_uri(code)
            if uri is not None:
                self.graph.add((subject, DCTERMS.language, self._typed(uri, DCTERMS.LinguisticSystem)))

    def _agent(self, uri: URIRef, names: dict[str, str]) -> URIRef:
        self._typed(uri, FOAF.Agent)
        _texts(self.graph, uri, FOAF.name, names)
        return uri

    def catalog(self, datasets: list[DatasetRead]) -> URIRef:
        g, p = self.graph, self.profile
        uri = self._typed(self.catalog_uri, DCAT.Catalog)
        _texts(g, uri, DCTERMS.title, p.name)
        descriptions = {
            lang: CATALOG_DESCRIPTION.get(lang, CATALOG_DESCRIPTION["en"]).format(name=name)
            for lang, name in p.name.items()
            if lang in CATALOG_DESCRIPTION
        }
        _texts(g, uri, DCTERMS.description, descriptions or {"en": CATALOG_DESCRIPTION["en"].format(name="")})
        g.add((uri, DCTERMS.publisher, self._agent(URIRef(f"{self.site}/#publisher"), p.name)))
        g.add((uri, FOAF.homepage, self._typed(URIRef(f"{self.site}/"), FOAF.Document)))
        g.add((uri, DCAT.themeTaxonomy, THEME_SCHEME))
        self._typed(THEME_SCHEME, SKOS.ConceptScheme)
        g.add((THEME_SCHEME, DCTERMS.title, Literal("Data theme", lang="en")))
        self._languages(uri, p.languages)
        if datasets:
            g.add((uri, DCTERMS.modified, _datetime(max(d.modified for d in datasets))))
        for dataset in datasets:
            g.add((uri, DCAT.dataset, self.dataset(dataset)))
        return uri

    def dataset(self, d: DatasetRead) -> URIRef:
        g, site = self.graph, self.site
        uri = self._typed(self.dataset_uri(d), DCAT.Dataset)
        g.add((uri, DCTERMS.identifier, Literal(d.id)))
        _texts(g, uri, DCTERMS.title, d.title)
        _texts(g, uri, DCTERMS.description, d.description)
        for keyword in d.keywords:
            g.add((uri, DCAT.keyword, Literal(keyword, lang=keyword_language(keyword))))
        for code in d.themes:
            g.add((uri, DCAT.theme, self._theme(code)))
        org = d.organization
        g.add((uri, DCTERMS.publisher, self._agent(URIRef(f"{site}/organization/{org.name}"), org.title)))
        if d.contact_email or d.contact_name:
            contact = self._typed(URIRef(f"{site}/dataset/{d.id}#contact"), VCARD.Kind)
            fn = d.contact_name or pick(org.title, self.profile.default_language)
            g.add((contact, VCARD.fn, Literal(fn)))
            if d.contact_email:
                g.add((contact, VCARD.hasEmail, iri(f"mailto:{d.contact_email}")))
            g.add((uri, DCAT.contactPoint, contact))
        if d.update_frequency:
            freq = self._typed(URIRef(f"{EU}frequency/{d.update_frequency}"), DCTERMS.Frequency)
            g.add((uri, DCTERMS.accrualPeriodicity, freq))
        if d.temporal_start or d.temporal_end:
            period = self._typed(URIRef(f"{site}/dataset/{d.id}#temporal"), DCTERMS.PeriodOfTime)
            if d.temporal_start:
                g.add((period, DCAT.startDate, Literal(d.temporal_start.isoformat(), datatype=XSD.date)))
            if d.temporal_end:
                g.add((period, DCAT.endDate, Literal(d.temporal_end.isoformat(), datatype=XSD.date)))
            g.add((uri, DCTERMS.temporal, period))
        self._spatial(uri, d.regions)
        access = "NON_PUBLIC" if d.private else "PUBLIC"  # the EU access-right vocabulary
        g.add(
            (
                uri,
                DCTERMS.accessRights,
                self._typed(URIRef(f"{EU}access-right/{access}"), DCTERMS.RightsStatement),
            )
        )
        if d.issued:
            g.add((uri, DCTERMS.issued, _datetime(d.issued)))
        g.add((uri, DCTERMS.modified, _datetime(d.modified)))
        self._languages(uri, d.languages)
        if d.version:
            g.add((uri, OWL.versionInfo, Literal(d.version)))
        g.add((uri, DCAT.landingPage, self._typed(URIRef(f"{site}/dataset/{d.name}"), FOAF.Document)))
        licence = licence_uri(self.profile, d.license_id) if d.license_id else None
        for resource in d.resources:
            g.add((uri, DCAT.distribution, self._distribution(d, resource, licence)))
        return uri

    def _spatial(self, dataset: URIRef, regions: list[str]) -> None:
        g = self.graph
        for code in regions:
            place = self._typed(URIRef(f"{self.site}/region/{code}"), DCTERMS.Location)
            region = self.profile.region(code)
            _texts(g, place, SKOS.prefLabel, region.title if region else {})
            g.add((place, SKOS.notation, Literal(code)))
            g.add((dataset, DCTERMS.spatial, place))
        country = COUNTRIES.get(str(self.profile.raw.get("portal", {}).get("country", "")))
        if regions and country:
            g.add((dataset, DCTERMS.spatial, self._typed(URIRef(f"{EU}country/{country}"), DCTERMS.Location)))

    def _distribution(self, d: DatasetRead, r: ResourceRead, licence: URIRef | None) -> URIRef:
        g, site = self.graph, self.site
        uri = self._typed(URIRef(f"{site}/dataset/{d.id}/resource/{r.id}"), DCAT.Distribution)
        if r.name:
            g.add((uri, DCTERMS.title, Literal(r.name)))
        if r.description:
            g.add((uri, DCTERMS.description, Literal(r.description)))
        if r.url_type == "upload":
            g.add((uri, DCAT.accessURL, URIRef(f"{site}/dataset/{d.name}/resource/{r.id}")))
            g.add((uri, DCAT.downloadURL, iri(site + r.download_url)))
        elif r.url:
            g.add((uri, DCAT.accessURL, iri(r.url)))
        else:  # a resource without a file or link yet: its page is where it is reached
            g.add((uri, DCAT.accessURL, URIRef(f"{site}/dataset/{d.name}/resource/{r.id}")))
        media_type = r.media_type.split(";")[0].strip().lower()
        if MEDIA_TYPE_RE.match(media_type):
            g.add((uri, DCAT.mediaType, self._typed(URIRef(IANA + media_type), DCTERMS.MediaType)))
        fmt = file_type_uri(r.format) if r.format else None
        if fmt is not None:
            g.add((uri, DCTERMS.format, self._typed(fmt, DCTERMS.MediaTypeOrExtent)))
        if r.size is not None:
            g.add((uri, DCAT.byteSize, Literal(str(r.size), datatype=XSD.nonNegativeInteger)))
        if r.sha256:
            checksum = self._typed(URIRef(f"{uri}#sha256"), SPDX.Checksum)
            g.add((checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256))
            g.add((checksum, SPDX.checksumValue, Literal(r.sha256, datatype=XSD.hexBinary)))
            g.add((uri, SPDX.checksum, checksum))
        if licence is not None:
            g.add((uri, DCTERMS.license, self._typed(licence, DCTERMS.LicenseDocument)))
        g.add((uri, DCTERMS.modified, _datetime(r.modified)))
        return uri


def graph_of_dataset(profile: Profile, site: str, dataset: DatasetRead) -> Graph:
    """The graph of one dataset with its catalog's link to it, whatever its state: the caller decides who
    may see it (`/dataset/{name}.ttl` only public ones, the publisher's check their own drafts too)."""
    graph = new_graph()
    builder = Builder(graph, profile, site.rstrip("/"))
    graph.add((builder.catalog_uri, DCAT.dataset, builder.dataset(dataset)))
    return graph


def dataset_graph(session: Session, profile: Profile, site: str, name_or_id: str) -> Graph:
    """The graph of one public dataset (with its catalog's link to it); NotFound if it is not public."""
    dataset = service.get_dataset(session, ANONYMOUS, profile, name_or_id)
    if dataset.state != "published" or dataset.private:  # the anonymous actor never sees these; be sure
        raise NotFound(f"There is no dataset {name_or_id!r}.")
    return graph_of_dataset(profile, site, dataset)


def public_count(session: Session) -> int:
    return service.catalog_counts(session, ANONYMOUS)["datasets"]  # published and not private


def public_datasets(session: Session, profile: Profile, *, offset: int, limit: int) -> list[DatasetRead]:
    """A page of the public datasets in name order, read whole."""
    names = service.list_dataset_names(session, ANONYMOUS, limit=limit, offset=offset)
    out = []
    for name in names:
        dataset = service.find_visible_dataset(session, ANONYMOUS, name)
        if dataset.state == "published" and not dataset.private:
            out.append(service.dataset_read(session, profile, dataset, versions={}))
    return out


def catalog_graph(
    session: Session, profile: Profile, site: str, *, page: int = 1, page_url: str | None = None
) -> tuple[Graph, int]:
    """The catalog with one page of datasets (PAGE_SIZE each) and Hydra paging; (graph, total datasets).

    `page_url` is the address of the serialization being paged (e.g. `<site>/catalog.ttl`)."""
    site = site.rstrip("/")
    total = public_count(session)
    last = max(1, -(-total // PAGE_SIZE))
    page = max(1, page)
    datasets = public_datasets(session, profile, offset=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE)
    graph = new_graph()
    Builder(graph, profile, site).catalog(datasets)
    base = page_url or f"{site}/catalog"

    def at(n: int) -> URIRef:
        return URIRef(f"{base}?page={n}")

    paging = at(page)
    graph.add((paging, RDF.type, HYDRA.PagedCollection))
    graph.add((paging, HYDRA.totalItems, Literal(total, datatype=XSD.nonNegativeInteger)))
    graph.add((paging, HYDRA.itemsPerPage, Literal(PAGE_SIZE, datatype=XSD.nonNegativeInteger)))
    for new, old, n in ((HYDRA.first, HYDRA.firstPage, 1), (HYDRA.last, HYDRA.lastPage, last)):
        graph.add((paging, new, at(n)))
        graph.add((paging, old, at(n)))  # the older Hydra terms that CKAN's DCAT harvester reads
    if page < last:
        graph.add((paging, HYDRA.next, at(page + 1)))
        graph.add((paging, HYDRA.nextPage, at(page + 1)))
    if page > 1:
        graph.add((paging, HYDRA.previous, at(min(page - 1, last))))
        graph.add((paging, HYDRA.previousPage, at(min(page - 1, last))))
    return graph, total


def all_public_graphs(session: Session, profile: Profile, site: str) -> list[tuple[Graph, int]]:
    """Every page of the public catalog: [(graph, datasets on it)] (for validation of the whole catalog)."""
    pages = max(1, -(-public_count(session) // PAGE_SIZE))
    out = []
    for page in range(1, pages + 1):
        graph, _total = catalog_graph(session, profile, site, page=page)
        out.append((graph, sum(1 for _ in graph.subjects(RDF.type, DCAT.Dataset))))
    return out
