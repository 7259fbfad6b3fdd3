"""DCAT-AP 3.0.1 output: the graphs conform to the official SHACL shapes (gate and strict range check), only
public datasets appear, content negotiation and Hydra paging work, and each serialization parses back."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF, XSD

from derek.catalog import service as catalog
from derek.catalog.schemas import DatasetUpdate, ResourceCreate
from derek.config import Settings
from derek.core.authz import SYSTEM
from derek.core.db import Database
from derek.demo import load_demo
from derek.interop import dcat, dcat_views, shacl
from tests.conftest import Portal, fresh_database_url

SPDX = Namespace("http://spdx.org/rdf/terms#")
HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")
EU = "http://publications.europa.eu/resource/authority/"
SUFFIXES = {"ttl": "turtle", "jsonld": "json-ld", "rdf": "xml"}
FULL = {
    "description": {
        "en": "Every field filled.",
        "ru": "Все поля заполнены.",
        "kk": "Барлық өріс толтырылған.",
    },
    "themes": ["ECON", "REGI"],
    "keywords": ["budget", "бюджет", "салық"],
    "license_id": "CC-BY-4.0",
    "contact_name": "Open data team",
    "contact_email": "opendata@example.kz",
    "update_frequency": "MONTHLY",
    "temporal_start": "2020-01-01",
    "temporal_end": "2024-12-31",
    "regions": ["KZ-10", "KZ-11"],
    "languages": ["kk", "ru"],
    "version": "2.1",
    "issued": "2021-03-04T05:06:07Z",
}


def _graph(portal: Portal, path: str, fmt: str = "turtle") -> Graph:
    with portal.client() as http:
        r = http.get(path)
    assert r.status_code == 200, (path, r.status_code, r.text[:300])
    return Graph().parse(data=r.text, format=fmt)


def _dataset_uri(portal: Portal, name: str) -> URIRef:
    with portal.db.session() as s:
        dataset = catalog.get_dataset(s, SYSTEM, portal.settings.jurisdiction, name)
    return URIRef(f"{portal.settings.site_url.rstrip('/')}/dataset/{dataset.id}")


def _all_catalog_datasets(portal: Portal) -> set[URIRef]:
    found: set[URIRef] = set()
    path: str | None = "/catalog.ttl"
    while path:
        g = _graph(portal, path)
        found |= {URIRef(str(d)) for d in g.objects(None, DCAT.dataset)}
        nxt = next(g.objects(None, HYDRA.next), None)
        path = "/catalog.ttl" + str(nxt).split("/catalog.ttl", 1)[1] if nxt else None
    return found


# ------------------------------------------------------------ the demo catalog


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Database, Settings]]:
    tmp = tmp_path_factory.mktemp("dcat-demo")
    settings = Settings(data_dir=tmp, database_url=fresh_database_url(tmp), profile="kz")
    db = Database(settings.effective_database_url)
    db.upgrade()
    load_demo(db, settings)
    yield db, settings
    db.engine.dispose()


@pytest.mark.parametrize("strict", [False, True], ids=["gate", "strict"])
def test_demo_catalog_conforms(demo_db: tuple[Database, Settings], strict: bool) -> None:
    db, settings = demo_db
    started = time.perf_counter()
    with db.session() as s:
        pages = dcat.all_public_graphs(s, settings.jurisdiction, "https://data.example.kz")
    results = [r for g, _n in pages for r in shacl.validate(g, strict=strict)]
    seconds = time.perf_counter() - started
    checked = sum(n for _g, n in pages)
    print(
        f"\nDCAT-AP demo ({'strict' if strict else 'gate'}): {checked} datasets, {len(results)} results, "
        f"{seconds:.2f} s"
    )
    assert checked >= 20
    assert [r.message for r in shacl.violations(results)] == []


def test_cli_validates_the_demo_catalog(demo_db: tuple[Database, Settings]) -> None:
    from typer.testing import CliRunner

    from derek.cli import app

    db, settings = demo_db
    env = {"DEREK_DATA_DIR": str(settings.data_dir), "DEREK_DATABASE_URL": settings.effective_database_url}
    done = CliRunner().invoke(app, ["dcat", "validate", "--strict"], env=env)
    assert done.exit_code == 0, done.output
    assert "conforms" in done.output and "datasets" in done.output


# ------------------------------------------------------------ one dataset, every field


def test_full_dataset_is_typed_and_passes_the_strict_check(portal: Portal) -> None:
    rid, _token = portal.upload(b"a,b\n1,2\n", "data.csv", **FULL)
    with portal.db.session() as s:
        dataset_id = catalog.get_resource_read(s, SYSTEM, rid).dataset_id
    g = _graph(portal, f"/dataset/{dataset_id}.ttl")
    site = portal.settings.site_url.rstrip("/")
    ds = URIRef(f"{site}/dataset/{dataset_id}")
    assert (ds, RDF.type, DCAT.Dataset) in g
    assert {str(t) for t in g.objects(ds, DCAT.theme)} == {EU + "data-theme/ECON", EU + "data-theme/REGI"}
    assert (ds, DCTERMS.accrualPeriodicity, URIRef(EU + "frequency/MONTHLY")) in g
    assert {str(x) for x in g.objects(ds, DCTERMS.language)} == {EU + "language/KAZ", EU + "language/RUS"}
    assert g.value(ds, DCTERMS.issued).datatype == XSD.dateTime  # type: ignore[union-attr]
    assert g.value(ds, DCTERMS.modified).datatype == XSD.dateTime  # type: ignore[union-attr]
    assert {(k.value, k.language) for k in g.objects(ds, DCAT.keyword)} == {  # type: ignore[attr-defined]
        ("budget", "en"),
        ("бюджет", "ru"),
        ("салық", "kk"),
    }
    assert {t.language for t in g.objects(ds, DCTERMS.description)} == {"en", "ru", "kk"}  # type: ignore[attr-defined]
    spatial = {str(x) for x in g.objects(ds, DCTERMS.spatial)}
    assert {f"{site}/region/KZ-10", f"{site}/region/KZ-11", EU + "country/KAZ"} == spatial
    period = g.value(ds, DCTERMS.temporal)
    assert g.value(period, DCAT.startDate) == Literal("2020-01-01", datatype=XSD.date)
    contact = g.value(ds, DCAT.contactPoint)
    assert g.value(contact, Namespace("http://www.w3.org/2006/vcard/ns#").hasEmail) == URIRef(
        "mailto:opendata@example.kz"
    )
    dist = g.value(ds, DCAT.distribution)
    assert g.value(dist, DCTERMS.license) == URIRef(EU + "licence/CC_BY_4_0")
    assert g.value(dist, DCTERMS.format) == URIRef(EU + "file-type/CSV")
    assert str(g.value(dist, DCAT.mediaType)).startswith(
        "http://www.iana.org/assignments/media-types/text/csv"
    )
    assert g.value(dist, DCAT.byteSize) == Literal("8", datatype=XSD.nonNegativeInteger)
    assert str(g.value(dist, DCAT.downloadURL)).startswith(f"{site}/dataset/")
    checksum = g.value(dist, SPDX.checksum)
    assert g.value(checksum, SPDX.algorithm) == SPDX.checksumAlgorithm_sha256
    assert len(str(g.value(checksum, SPDX.checksumValue))) == 64
    assert shacl.validate(g, strict=True) == []


# ------------------------------------------------------------ edge cases


def test_edge_cases_pass_the_gate_and_private_and_draft_are_left_out(portal: Portal) -> None:
    org = portal.make_org()
    one_language = portal.make_dataset(org, description={"ru": "Только по-русски."})
    no_resources = portal.make_dataset(org, description={"en": "Nothing attached."}, languages=[])
    private = portal.make_dataset(org, description={"en": "Hidden."}, private=True)
    draft = portal.make_dataset(org, description={"en": "Not yet."}, state="draft")
    for name in (one_language, no_resources):
        g = _graph(portal, f"/dataset/{name}.ttl")
        assert shacl.violations(shacl.validate(g)) == [], name
        assert shacl.violations(shacl.validate(g, strict=True)) == [], name
    in_catalog = _all_catalog_datasets(portal)
    assert {_dataset_uri(portal, one_language), _dataset_uri(portal, no_resources)} <= in_catalog
    assert not {_dataset_uri(portal, private), _dataset_uri(portal, draft)} & in_catalog
    with portal.client() as http:
        for name in (private, draft, "no-such-dataset"):
            for suffix in SUFFIXES:
                assert http.get(f"/dataset/{name}.{suffix}").status_code == 404, (name, suffix)
            assert http.get(f"/dataset/{name}", headers={"Accept": "text/turtle"}).status_code == 404


def test_links_and_addresses_with_spaces_keep_the_turtle_valid(portal: Portal) -> None:
    """A space or quote people type in a link or an e-mail address is percent-encoded in the IRI: rdflib
    refuses to write it in Turtle, which once broke the dataset's and the whole catalog's output."""
    name = portal.make_dataset(portal.make_org(), description={"en": "Odd links."}, contact_email='a"b@e.kz')
    with portal.db.session() as s:
        link = ResourceCreate(url="https://example.org/a file.csv?q=<x>", name="Spaced")
        catalog.create_resource(s, SYSTEM, name, link)
        catalog.update_dataset(
            s, SYSTEM, portal.settings.jurisdiction, name, DatasetUpdate(languages=["k z"])
        )
    g = _graph(portal, f"/dataset/{name}.ttl")
    assert {str(u) for u in g.objects(None, DCAT.accessURL)} == {"https://example.org/a%20file.csv?q=%3Cx%3E"}
    vcard = Namespace("http://www.w3.org/2006/vcard/ns#")
    assert {str(e) for e in g.objects(None, vcard.hasEmail)} == {"mailto:a%22b@e.kz"}
    assert not list(g.objects(None, DCTERMS.language))  # "k z" is no language code
    assert _all_catalog_datasets(portal)  # the whole catalog still serializes


def test_no_description_is_reported_in_plain_words(portal: Portal) -> None:
    name = portal.make_dataset(portal.make_org(), description={})
    messages = [v.message for v in shacl.violations(shacl.validate(_graph(portal, f"/dataset/{name}.ttl")))]
    assert messages == ["The dataset has no description in any language"]


def test_our_shape_catches_what_the_official_shapes_let_through() -> None:
    g = dcat.new_graph()
    ds = URIRef("https://example.kz/dataset/x")
    agent = URIRef("https://example.kz/org")
    g.add((ds, RDF.type, DCAT.Dataset))
    g.add((ds, DCTERMS.title, Literal("")))
    g.add((ds, DCTERMS.description, Literal("No language tag")))
    g.add((ds, DCTERMS.issued, Literal("yesterday")))
    g.add((ds, DCTERMS.publisher, agent))
    g.add((agent, RDF.type, Namespace("http://xmlns.com/foaf/0.1/").Agent))
    g.add((agent, Namespace("http://xmlns.com/foaf/0.1/").name, Literal("Org", lang="en")))
    messages = {v.message for v in shacl.violations(shacl.validate(g))}
    assert "The dataset has an empty title" in messages
    assert any("issue date" in m and "wrong data type" in m for m in messages), messages
    assert any("description" in m for m in messages), messages


# ------------------------------------------------------------ HTTP: formats, negotiation, paging


def test_each_serialization_parses_back_to_the_same_graph(portal: Portal) -> None:
    name = portal.make_dataset(portal.make_org(), **FULL)
    graphs = {}
    with portal.client() as http:
        for suffix, fmt in SUFFIXES.items():
            r = http.get(f"/dataset/{name}.{suffix}")
            assert r.status_code == 200
            assert r.headers["content-type"].split(";")[0] == dcat_views.FORMATS[suffix][1]
            graphs[suffix] = Graph().parse(data=r.text, format=fmt)
            c = http.get(f"/catalog.{suffix}")
            assert c.status_code == 200
            assert (None, RDF.type, DCAT.Catalog) in Graph().parse(data=c.text, format=fmt)
    assert len(graphs["ttl"]) == len(graphs["jsonld"]) == len(graphs["rdf"]) > 30


def test_content_negotiation(portal: Portal) -> None:
    name = portal.make_dataset(portal.make_org(), description={"en": "Negotiated."})
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    with portal.client() as http:
        for accept, media in (
            ("text/turtle", "text/turtle"),
            ("application/ld+json", "application/ld+json"),
            ("application/rdf+xml;q=0.9, text/html;q=0.5", "application/rdf+xml"),
        ):
            for path in (f"/dataset/{name}", "/catalog"):
                r = http.get(path, headers={"Accept": accept})
                assert r.status_code == 200, (path, accept)
                assert r.headers["content-type"].startswith(media), (path, accept)
                assert "Accept" in r.headers["vary"]
        page = http.get(f"/dataset/{name}", headers={"Accept": browser})
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
        assert "Accept" in page.headers["vary"]
        head = http.head(f"/dataset/{name}", headers={"Accept": "text/turtle"})
        assert head.status_code == 200 and head.headers["content-type"].startswith("text/turtle")


def test_hydra_paging(portal: Portal, monkeypatch: pytest.MonkeyPatch) -> None:
    org = portal.make_org()
    for _ in range(3):
        portal.make_dataset(org, description={"en": "Paged."})
    monkeypatch.setattr(dcat, "PAGE_SIZE", 2)
    with portal.db.session() as s:
        total = dcat.public_count(s)
    last = -(-total // 2)
    first = _graph(portal, "/catalog.ttl")
    paging = URIRef(f"{portal.settings.site_url.rstrip('/')}/catalog.ttl?page=1")
    assert (paging, RDF.type, HYDRA.PagedCollection) in first
    assert first.value(paging, HYDRA.totalItems).toPython() == total  # type: ignore[union-attr]
    assert str(first.value(paging, HYDRA.next)).endswith("/catalog.ttl?page=2")
    assert first.value(paging, HYDRA.previous) is None
    assert len(set(first.objects(None, DCAT.dataset))) == 2
    end = _graph(portal, f"/catalog.ttl?page={last}")
    end_paging = URIRef(str(paging).replace("page=1", f"page={last}"))
    assert (end_paging, RDF.type, HYDRA.PagedCollection) in end
    assert end.value(end_paging, HYDRA.next) is None
    assert str(end.value(end_paging, HYDRA.previous)).endswith(f"/catalog.ttl?page={last - 1}")
    with portal.client() as http:
        assert http.get("/catalog.ttl?page=0").status_code in (400, 422)


def test_vendored_file_types_are_there() -> None:
    assert {"CSV", "JSON", "GEOJSON", "PARQUET", "XLSX"} <= dcat.file_type_codes()
    assert Path(dcat.SPEC_DIR / "eu-vocabularies" / "SOURCES.md").is_file()
