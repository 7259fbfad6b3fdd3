"""`derek export DIR` then `derek import DIR` into an empty instance gives the same public catalog."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef, namespace
from rdflib.compare import isomorphic
from typer.testing import CliRunner

from derek.catalog.schemas import DatasetRead
from derek.cli import app
from derek.config import Settings
from derek.core.db import Database
from derek.core.storage import FileStore
from derek.demo import load_demo
from derek.interop import dcat
from derek.interop.dcat_import import load_graph, parse_catalog
from tests.conftest import fresh_database_url

SITE_A = "http://a.example"
SITE_B = "http://b.example"


@dataclass
class Instance:
    settings: Settings
    db: Database

    def env(self) -> dict[str, str]:
        return {
            "DEREK_DATABASE_URL": self.settings.effective_database_url,
            "DEREK_SITE_URL": self.settings.site_url,
            "DEREK_PROFILE": self.settings.profile,
        }

    def public(self) -> list[DatasetRead]:
        with self.db.session() as session:
            return dcat.public_datasets(session, self.settings.jurisdiction, offset=0, limit=10_000)

    def graph(self) -> Graph:
        with self.db.session() as session:
            datasets = dcat.public_datasets(session, self.settings.jurisdiction, offset=0, limit=10_000)
            graph = dcat.new_graph()
            dcat.Builder(graph, self.settings.jurisdiction, self.settings.site_url).catalog(datasets)
            return graph


def _instance(tmp: Path, site: str) -> Instance:
    settings = Settings(data_dir=tmp, database_url=fresh_database_url(tmp), profile="kz", site_url=site)
    db = Database(settings.effective_database_url)
    db.upgrade()
    return Instance(settings, db)


def _cli(instance: Instance, *args: str) -> str:
    result = CliRunner().invoke(
        app, [*args, "--data-dir", str(instance.settings.data_dir)], env=instance.env()
    )
    assert result.exit_code == 0, result.output + repr(result.exception)
    return result.output


@dataclass
class RoundTrip:
    a: Instance
    b: Instance
    out: Path
    import_output: str


@pytest.fixture(scope="module")
def roundtrip(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RoundTrip]:
    a = _instance(tmp_path_factory.mktemp("a"), SITE_A)
    load_demo(a.db, a.settings)
    out = tmp_path_factory.mktemp("export") / "out"
    _cli(a, "export", str(out))
    b = _instance(tmp_path_factory.mktemp("b"), SITE_B)
    output = _cli(b, "import", str(out))
    yield RoundTrip(a, b, out, output)
    a.db.engine.dispose()
    b.db.engine.dispose()


def test_the_export_folder(roundtrip: RoundTrip) -> None:
    out = roundtrip.out
    manifest = json.loads((out / "export.json").read_text(encoding="utf-8"))
    public = roundtrip.a.public()
    assert manifest["site_url"] == SITE_A and manifest["profile"] == "kz"
    assert manifest["counts"]["datasets"] == len(public) > 0
    uploads = {r.sha256 for d in public for r in d.resources if r.url_type == "upload"}
    assert uploads and {p.name for p in (out / "files").iterdir()} == uploads
    for sha in uploads:
        assert hashlib.sha256((out / "files" / sha).read_bytes()).hexdigest() == sha
    graph = load_graph(out / "catalog.ttl")
    assert len(set(graph.subjects(namespace.RDF.type, namespace.DCAT.Dataset))) == len(
        public
    )  # all pages in one graph


def _resource_view(d: DatasetRead) -> list[tuple[object, ...]]:
    return [
        (r.name, r.description, r.format, r.media_type, r.size, r.sha256, r.url_type) for r in d.resources
    ]


def test_the_same_public_catalog(roundtrip: RoundTrip) -> None:
    before = {d.name: d for d in roundtrip.a.public()}
    after = {d.name: d for d in roundtrip.b.public()}
    assert set(after) == set(before)
    for name, a in before.items():
        b = after[name]
        assert b.title == a.title and b.description == a.description, name
        assert sorted(b.keywords) == sorted(a.keywords), name  # the graph keeps no order of keywords
        assert sorted(b.themes) == sorted(a.themes), name
        assert b.update_frequency == a.update_frequency, name
        assert sorted(b.regions) == sorted(a.regions) and sorted(b.languages) == sorted(a.languages), name
        assert (b.temporal_start, b.temporal_end, b.version) == (a.temporal_start, a.temporal_end, a.version)
        assert b.issued == a.issued, name
        assert (b.contact_name, b.contact_email) == (a.contact_name, a.contact_email), name
        assert (b.organization.name, b.organization.title) == (a.organization.name, a.organization.title)
        if a.resources:  # licences travel on distributions; a dataset without any gets the default licence
            assert b.license_id == a.license_id, name
        assert _resource_view(b) == _resource_view(a), name  # export.json keeps the order
        for ra, rb in zip(a.resources, b.resources, strict=True):
            if ra.url_type != "upload":
                assert rb.url == ra.url
    store_a = FileStore(roundtrip.a.settings.files_dir, roundtrip.a.settings.max_upload_bytes)
    store_b = FileStore(roundtrip.b.settings.files_dir, roundtrip.b.settings.max_upload_bytes)
    shas = {r.sha256 for d in after.values() for r in d.resources if r.url_type == "upload"}
    assert shas
    for sha in shas:
        assert store_b.path_for(sha).read_bytes() == store_a.path_for(sha).read_bytes()
    assert f"{len(after)} datasets" in roundtrip.import_output


def _normalized(graph: Graph, site: str) -> Graph:
    """The graph with the site's address, instance ids and modification times taken out."""
    names = {
        str(d): str(graph.value(d, namespace.DCAT.landingPage)).rsplit("/", 1)[-1]
        for d in graph.subjects(namespace.RDF.type, namespace.DCAT.Dataset)
    }
    ids = {str(graph.value(URIRef(d), namespace.DCTERMS.identifier)): n for d, n in names.items()}
    resources: dict[str, str] = {}
    for d, name in names.items():
        dists = sorted(
            graph.objects(URIRef(d), namespace.DCAT.distribution),
            key=lambda x: (
                str(graph.value(x, namespace.DCTERMS.title)),
                str(graph.value(x, namespace.DCTERMS.format)),
            ),
        )
        for i, dist in enumerate(dists):
            resources[str(dist).rsplit("/", 1)[-1]] = f"{name}-{i}"

    def fix(term: object) -> object:
        if isinstance(term, URIRef | Literal):
            text = str(term).replace(site, "SITE")
            for old, new in (*ids.items(), *resources.items()):
                text = text.replace(old, new)
            if isinstance(term, URIRef):
                return URIRef(text)
            return Literal(text, lang=term.language, datatype=term.datatype)
        return term

    out = Graph()
    for s, p, o in graph:
        if p == namespace.DCTERMS.modified or p == namespace.DCTERMS.identifier:
            continue
        out.add((fix(s), p, fix(o)))  # type: ignore[arg-type]
    return out


def test_the_dcat_graphs_are_isomorphic(roundtrip: RoundTrip) -> None:
    a = _normalized(roundtrip.a.graph(), SITE_A)
    b = _normalized(roundtrip.b.graph(), SITE_B)
    if not isomorphic(a, b):
        from rdflib.compare import graph_diff, to_isomorphic

        _both, only_a, only_b = graph_diff(to_isomorphic(a), to_isomorphic(b))
        pytest.fail(f"only before: {sorted(only_a)[:10]}\nonly after: {sorted(only_b)[:10]}")


def test_import_into_a_catalog_with_datasets_is_refused(roundtrip: RoundTrip) -> None:
    result = CliRunner().invoke(
        app,
        ["import", str(roundtrip.out), "--data-dir", str(roundtrip.b.settings.data_dir)],
        env=roundtrip.b.env(),
    )
    assert result.exit_code == 1
    assert "already has datasets" in " ".join(result.output.split())


def test_a_folder_without_catalog_ttl_is_refused(tmp_path: Path) -> None:
    (tmp_path / "c").mkdir()
    empty = _instance(tmp_path / "c", SITE_B)
    folder = tmp_path / "nothing"
    folder.mkdir()
    result = CliRunner().invoke(
        app, ["import", str(folder), "--data-dir", str(empty.settings.data_dir)], env=empty.env()
    )
    empty.db.engine.dispose()
    assert result.exit_code == 1
    assert "has no catalog.ttl" in " ".join(result.output.split())


def test_parse_catalog_reads_json_ld_too(roundtrip: RoundTrip) -> None:
    graph = load_graph(roundtrip.out / "catalog.ttl")
    path = roundtrip.out.parent / "catalog.jsonld"
    graph.serialize(path, format="json-ld")
    from_ttl = parse_catalog(graph, roundtrip.a.settings.jurisdiction)
    from_jsonld = parse_catalog(load_graph(path), roundtrip.a.settings.jurisdiction)
    assert [d.name for d in from_jsonld.datasets] == [d.name for d in from_ttl.datasets]
    assert from_jsonld.datasets[0].title == from_ttl.datasets[0].title
