"""Harvesting DCAT catalogs and data.egov.kz, and scheduled runs: real documents served on 127.0.0.1.

The DCAT pages are the real records of datos.gob.es (Turtle) and opendata-hro.de (DCAT-AP.de, RDF/XML),
linked with Hydra paging; the data.egov.kz metadata are the real records of two of its datasets. A second
Derek instance is harvested through its own /catalog.ttl.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from derek.catalog import service as catalog
from derek.catalog.schemas import ResourceCreate
from derek.core import jobs
from derek.core.authz import SYSTEM
from derek.core.db import utcnow
from derek.harvest import service as harvest
from derek.harvest.models import HarvestRecord, HarvestSource
from tests.conftest import REAL_FILES, Portal, local_server, start_portal

DATA = Path(__file__).resolve().parent / "fixtures"
SPANISH = (DATA / "dcat_datos_gob_es_dataset.ttl").read_bytes()
BIRMINGHAM = (DATA / "ckan_package_search_data_birmingham_gov_uk.json").read_bytes()
GERMAN = (REAL_FILES / "dcat_ap_de_opendata_hro_dataset.rdf").read_bytes()
WASTE = json.loads((REAL_FILES / "kz_egov_medical_waste_by_region.json").read_text("utf-8"))["meta"]
ENTITIES = json.loads(
    (REAL_FILES / "kz_egov_legal_entities_register_page0_filtered.json").read_text("utf-8")
)["meta"]
NEXT = b"""
@prefix hydra: <http://www.w3.org/ns/hydra/core#> .
<%s/paged?page=1> a hydra:PagedCollection ; hydra:nextPage <%s/paged?page=2> ; hydra:totalItems 2 .
"""

BLANK = """
@prefix dcat: <http://www.w3.org/ns/dcat#> . @prefix dct: <http://purl.org/dc/terms/> .
[] a dcat:Dataset ; dct:identifier "no-uri-1" ; dct:title "Бос түйін"@kk ;
   dcat:distribution [ a dcat:Distribution ; dcat:accessURL <https://example.org/a.csv> ; dct:title "A"@en ] .
[] a dcat:Dataset ; dct:title "Neither URI nor identifier"@en .
""".encode()


@dataclass
class Remote:
    """What the local server answers; tests change it between runs."""

    base: str = ""
    second_page: str = "ok"  # ok | gone | broken
    egov_broken: bool = False
    egov: dict[str, dict[str, Any]] = field(default_factory=dict)
    hits: list[str] = field(default_factory=list)

    def answer(self, path: str, query: str) -> tuple[int, str, bytes]:
        self.hits.append(path + ("?" + query if query else ""))
        if path == "/paged" and query in ("", "page=1"):
            body = (
                SPANISH
                if self.second_page == "gone"
                else SPANISH + NEXT % (self.base.encode(), self.base.encode())
            )
            return 200, "text/turtle; charset=utf-8", body
        if path == "/paged" and query == "page=2":
            if self.second_page == "broken":
                return 500, "text/plain", b"Internal Server Error"
            return 200, "application/rdf+xml", GERMAN
        if path == "/remote-context.jsonld":
            doc = {"@context": "http://127.0.0.1:9/context.jsonld", "@id": "x", "title": "t"}
            return 200, "application/ld+json", json.dumps(doc).encode()
        if path == "/birmingham/api/3/action/package_search":
            if "start=0" in query:
                return 200, "application/json", BIRMINGHAM
            rest = {"success": True, "result": {"count": 38, "results": []}}  # the capture holds one page
            return 200, "application/json", json.dumps(rest).encode()
        if path == "/blank.ttl":
            return 200, "text/turtle", BLANK
        if path == "/not-rdf.ttl":
            return 200, "text/turtle", b"<html><body>Portal under maintenance</body></html>"
        if path.startswith("/meta/"):
            if self.egov_broken:
                return 502, "text/plain", b"Bad Gateway"
            meta = self.egov.get(path.removeprefix("/meta/"))
            if meta is None:
                return 404, "application/json", b'{"error": "not found"}'
            return 200, "application/json", json.dumps(meta, ensure_ascii=False).encode()
        return 404, "text/plain", b"not found"


@pytest.fixture(scope="module")
def remote() -> Iterator[Remote]:
    state = Remote()

    def answer(_method: str, target: str) -> tuple[int, dict[str, str], bytes]:
        parts = urlsplit(target)
        status, media, body = state.answer(parts.path, parts.query)
        return status, {"Content-Type": media}, body

    with local_server(answer) as base:
        state.base = base
        yield state


@pytest.fixture(scope="module")
def target(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Portal]:
    yield from start_portal(tmp_path_factory.mktemp("harvest-target"), fetch_allow_private=True)


@pytest.fixture(scope="module")
def admin(target: Portal) -> str:
    return target.make_user(sysadmin=True)[1]


def _add(target: Portal, admin: str, body: dict[str, Any]) -> dict[str, Any]:
    with target.client(f"Bearer {admin}") as http:
        r = http.post("/api/v1/harvest/sources", json=body)
        assert r.status_code == 201, r.text
        return dict(r.json())


def _run(target: Portal, admin: str, name: str) -> dict[str, Any]:
    with target.client(f"Bearer {admin}") as http:
        r = http.post(f"/api/v1/harvest/sources/{name}/run")
        assert r.status_code == 202, r.text
    return target.wait_job(admin, r.json()["id"])


def _counts(job: dict[str, Any]) -> tuple[int, int, int, int]:
    result = job["result"]
    return result["created"], result["updated"], result["withdrawn"], result["unchanged"]


def _mirrors(target: Portal, source: str) -> dict[str, Any]:
    """The source's mirrors as the catalog holds them (withdrawn ones too), by remote id."""
    with target.db.session() as s:
        ids = s.scalars(
            select(HarvestRecord.dataset_id).join(HarvestSource).where(HarvestSource.name == source)
        ).all()
        datasets = [catalog.get_dataset(s, SYSTEM, target.settings.jurisdiction, i) for i in ids if i]
    return {d.extras["harvest_remote_id"]: d for d in datasets}


def test_a_paged_dcat_catalog_is_mirrored_and_kept_in_step(
    target: Portal, admin: str, remote: Remote
) -> None:
    org = target.make_org("dcat-mirrors")
    _add(target, admin, {"name": "eu", "kind": "dcat", "url": f"{remote.base}/paged", "organization": org})

    first = _run(target, admin, "eu")
    assert first["status"] == "succeeded", first
    assert _counts(first) == (2, 0, 0, 0) and first["result"]["errors"] == []
    assert "/paged?page=2" in remote.hits  # the Hydra link was followed
    mirrors = _mirrors(target, "eu")
    spanish = mirrors["https://datos.madrid.es/egob/catalogo/300676-0-deporte-encuesta-escuelas"]
    assert spanish.title == {
        "es": "Estudio de Satisfacción con el Programa de Escuelas Municipales de Promoción Deportiva en "
        "centros escolares"
    }
    assert sorted(spanish.keywords) == ["deporte escolar", "escuelas", "promoción"]
    (xlsx,) = spanish.resources
    assert xlsx.url == "https://datos.madrid.es/egob/catalogo/300676-0-deporte-encuesta-escuelas.xlsx"
    assert (xlsx.format, xlsx.media_type) == ("XLS", "application/vnd.ms-excel")
    assert spanish.extras["harvest_original_url"].startswith("https://datos.gob.es/catalogo/l01280796-")
    german = mirrors["c1be4007-d811-48fb-8818-2cb358b06a63"]
    # untagged literals of a dataset declared in German are German, not the portal's language
    assert german.title == {"de": "Liefer- und Abholservices (Gastronomie)"}
    assert german.themes == ["ECON"] and german.contact_email == "geodienste@rostock.de"
    assert len(german.resources) == 9
    assert "https://geo.sv.rostock.de/download/opendata/lieferservices/lieferservices.csv" in {
        r.url for r in german.resources
    }
    assert {r.media_type for r in german.resources if r.format == "CSV"} == {"text/csv"}

    assert _counts(_run(target, admin, "eu")) == (0, 0, 0, 2)  # a second run changes nothing

    remote.second_page = "broken"  # fails half-way: the run fails and every mirror stays
    broken = _run(target, admin, "eu")
    assert broken["status"] == "failed" and "answered 500" in broken["error"]
    assert {d.state for d in _mirrors(target, "eu").values()} == {"published"}

    remote.second_page = "gone"  # the catalog no longer lists the German dataset: it is withdrawn
    assert _counts(_run(target, admin, "eu")) == (0, 0, 1, 1)
    assert _mirrors(target, "eu")["c1be4007-d811-48fb-8818-2cb358b06a63"].state == "deleted"
    remote.second_page = "ok"  # and comes back
    assert _counts(_run(target, admin, "eu")) == (0, 1, 0, 1)
    assert _mirrors(target, "eu")["c1be4007-d811-48fb-8818-2cb358b06a63"].state == "published"


def test_a_real_ckan_portal_answer_is_mirrored(target: Portal, admin: str, remote: Remote) -> None:
    """data.birmingham.gov.uk's own package_search answer (CKAN 2.x, with revision ids and 45 resources)."""
    org = target.make_org()
    _add(
        target,
        admin,
        {"name": "bham", "kind": "ckan", "url": f"{remote.base}/birmingham", "organization": org},
    )
    first = _run(target, admin, "bham")
    assert _counts(first) == (10, 0, 0, 0) and first["result"]["errors"] == [], first
    mirrors = _mirrors(target, "bham")
    cards = mirrors["cf552d08-cee9-43bf-8c0f-3196a9311799"]
    lang = target.settings.jurisdiction.default_language
    assert cards.title == {lang: "Purchase Card Transactions"}
    assert cards.description[lang].startswith("Under the Code of Recommended Practice for Local Authorities")
    assert len(cards.resources) == 45 and cards.resources[0].format == "XLS"
    assert cards.resources[0].name == "Purchase Card transactions - April 2014"
    assert cards.contact_email == "ian.martin@birmingham.gov.uk"  # the source's trailing space dropped
    assert not cards.license_id and cards.extras["harvest_license_id"] == "uk-ogl"  # no licence stated here
    assert (
        cards.extras["harvest_original_url"] == f"{remote.base}/birmingham/dataset/purchase-card-transactions"
    )
    assert "bham--december_2020_purchase_card_transactions" in {d.name for d in mirrors.values()}
    assert _counts(_run(target, admin, "bham")) == (0, 0, 0, 10)


def test_blank_node_datasets_are_mirrored_by_identifier_and_stay_unchanged(
    target: Portal, admin: str, remote: Remote
) -> None:
    _add(
        target,
        admin,
        {
            "name": "blank",
            "kind": "dcat",
            "url": f"{remote.base}/blank.ttl",
            "organization": target.make_org(),
        },
    )
    first = _run(target, admin, "blank")
    assert _counts(first) == (1, 0, 0, 0)
    (error,) = first["result"]["errors"]
    assert "neither a URI nor a dct:identifier" in error["error"]
    assert _mirrors(target, "blank")["no-uri-1"].title == {"kk": "Бос түйін"}
    assert _counts(_run(target, admin, "blank")) == (0, 0, 0, 1)  # new blank-node ids on every parse


@pytest.mark.parametrize(
    ("path", "says"),
    [
        ("/remote-context.jsonld", "remote @context"),
        ("/not-rdf.ttl", "is not an RDF document"),
        ("/nothing-here.ttl", "answered 404"),
    ],
)
def test_a_dcat_source_that_is_not_a_catalog_fails_in_plain_words(
    target: Portal, admin: str, remote: Remote, path: str, says: str
) -> None:
    name = "bad" + str(abs(hash(path)) % 100000)
    _add(
        target,
        admin,
        {"name": name, "kind": "dcat", "url": remote.base + path, "organization": target.make_org()},
    )
    job = _run(target, admin, name)
    assert job["status"] == "failed" and says in job["error"], job
    assert _mirrors(target, name) == {}


@pytest.fixture(scope="module")
def peer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Portal]:
    yield from start_portal(tmp_path_factory.mktemp("dcat-source"))


def test_another_derek_is_harvested_through_its_dcat_catalog(
    peer: Portal, target: Portal, admin: str
) -> None:
    portal = peer
    org = portal.make_org("agency")
    portal.make_dataset(
        org,
        "air-quality",
        title={"kk": "Ауа сапасы", "ru": "Качество воздуха", "en": "Air quality"},
        description={"ru": "Измерения по городам.", "en": "Measurements by city."},
        keywords=["air", "ecology"],
        update_frequency="MONTHLY",
        themes=["ENVI"],
        license_id="CC-BY-4.0",
    )
    with portal.db.session() as s:
        catalog.create_resource(
            s,
            SYSTEM,
            "air-quality",
            ResourceCreate(name="Stations", url="https://example.org/air.csv", format="CSV"),
        )
        s.commit()
    portal.make_dataset(org, "secret", private=True)
    _add(
        target,
        admin,
        {
            "name": "peer",
            "kind": "dcat",
            "url": f"{portal.base_url}/catalog.ttl",
            "organization": target.make_org(),
        },
    )
    assert _counts(_run(target, admin, "peer")) == (1, 0, 0, 0)
    (mirror,) = _mirrors(target, "peer").values()
    assert mirror.title == {"kk": "Ауа сапасы", "ru": "Качество воздуха", "en": "Air quality"}
    assert mirror.description == {"ru": "Измерения по городам.", "en": "Measurements by city."}
    assert sorted(mirror.keywords) == ["air", "ecology"] and mirror.themes == ["ENVI"]
    assert (mirror.update_frequency, mirror.license_id) == ("MONTHLY", "CC-BY-4.0")
    assert [(r.name, r.url) for r in mirror.resources] == [("Stations", "https://example.org/air.csv")]
    assert _counts(_run(target, admin, "peer")) == (0, 0, 0, 1)  # blank nodes do not make it look changed


def test_data_egov_kz_datasets_are_mirrored_from_their_metadata(
    target: Portal, admin: str, remote: Remote
) -> None:
    remote.egov = {"volume_of_medical_waste_by_reg/v1": WASTE, "zandy_tulgalardyn_olardyn_kur1/v1": ENTITIES}
    org = target.make_org("egov-mirrors")
    listed = ["volume_of_medical_waste_by_reg", "zandy_tulgalardyn_olardyn_kur1/v1", "no_such_dataset/v2"]
    created = _add(
        target,
        admin,
        {"name": "egov", "kind": "egov", "url": remote.base, "organization": org, "datasets": listed},
    )
    assert created["datasets"] == listed

    first = _run(target, admin, "egov")
    assert _counts(first) == (2, 0, 0, 0), first
    (missing,) = first["result"]["errors"]
    assert missing["remote"] == "no_such_dataset/v2" and "404" in missing["error"]
    mirrors = _mirrors(target, "egov")
    waste = mirrors["volume_of_medical_waste_by_reg/v1"]
    assert waste.title == {
        "kk": "Облыстар бөлінісінде медициналық қалдықтардың көлемі",
        "ru": "Объем медицинских отходов в разрезе областей",
        "en": "Volume of medical waste by region",
    }
    assert waste.description["en"] == "Data on the volume of generated medical waste by region"
    assert waste.keywords == ["Отходы"] and waste.contact_email == "goskadastr.othodov@yandex.kz"
    assert waste.contact_name == "Қазақстан Республикасы Экология, геология және табиғи ресурстар министрлігі"
    assert (
        waste.extras["harvest_original_url"]
        == f"{remote.base}/datasets/view?index=volume_of_medical_waste_by_reg"
    )
    api, meta = waste.resources
    assert api.url == f"{remote.base}/api/v4/volume_of_medical_waste_by_reg/v1" and api.format == "JSON"
    assert "apiKey" not in api.url  # the reader's own key, never one stored here
    assert (
        "volume_a (Double): Есепті жылы А класындағы медициналық қалдықтар пайда болды (м3)"
        in api.description
    )
    assert meta.url == f"{remote.base}/meta/volume_of_medical_waste_by_reg/v1"

    assert _counts(_run(target, admin, "egov")) == (0, 0, 0, 2)
    remote.egov_broken = True  # the portal fails: nothing changes
    failed = _run(target, admin, "egov")
    assert failed["status"] == "failed" and "answered 502" in failed["error"]
    assert {d.state for d in _mirrors(target, "egov").values()} == {"published"}
    remote.egov_broken = False
    del remote.egov["zandy_tulgalardyn_olardyn_kur1/v1"]  # taken down at the source: withdrawn here
    assert _counts(_run(target, admin, "egov")) == (0, 0, 1, 1)


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ({"kind": "egov"}, "list the data.egov.kz datasets"),
        ({"kind": "ckan", "datasets": ["a/v1"]}, "leave 'datasets' out"),
        ({"kind": "egov", "datasets": ["../../etc/passwd"]}, "String should match pattern"),
        ({"kind": "rss"}, "Input should be"),
        ({"kind": "dcat", "url": "ftp://example.org/catalog.ttl"}, "web address"),
    ],
)
def test_bad_sources_are_refused_with_the_reason(
    target: Portal, admin: str, body: dict[str, Any], says: str
) -> None:
    full = {"name": "refused", "url": "https://example.org", "organization": target.make_org(), **body}
    with target.client(f"Bearer {admin}") as http:
        r = http.post("/api/v1/harvest/sources", json=full)
    assert r.status_code == 422 and says in r.text, r.text


def test_daily_and_weekly_sources_are_queued_when_due(target: Portal, admin: str, remote: Remote) -> None:
    org = target.make_org()
    remote.egov.setdefault("volume_of_medical_waste_by_reg/v1", WASTE)
    for name, schedule in (("daily-one", "daily"), ("weekly-one", "weekly"), ("by-hand", "manual")):
        body = {"name": name, "kind": "egov", "url": remote.base, "organization": org, "schedule": schedule}
        _add(target, admin, {**body, "datasets": ["volume_of_medical_waste_by_reg"]})
    now = utcnow()

    def due(at: Any) -> set[str]:
        with target.db.session() as s:
            before = set(s.scalars(select(jobs.Job.id)).all())
            harvest.queue_due_runs(s, at)
            queued = s.scalars(select(jobs.Job).where(jobs.Job.id.not_in(before))).all()
            names = {j.subject_id for j in queued if j.subject_id in ("daily-one", "weekly-one", "by-hand")}
            s.rollback()  # only looking
        return names

    assert due(now) == {"daily-one", "weekly-one"}  # never run yet
    for name in ("daily-one", "weekly-one"):
        assert _run(target, admin, name)["status"] == "succeeded"
    assert due(now + timedelta(hours=2)) == set()
    assert due(now + timedelta(hours=25)) == {"daily-one"}
    assert due(now + timedelta(days=8)) == {"daily-one", "weekly-one"}
    with target.db.session() as s:  # an inactive source is never queued
        s.execute(
            HarvestSource.__table__.update().where(HarvestSource.name == "daily-one").values(active=False)
        )
        s.commit()
    assert due(now + timedelta(days=8)) == {"weekly-one"}

    # the worker asks every schedule: a due source's run is queued and then run
    with target.db.session() as s:
        s.execute(
            HarvestSource.__table__.update()
            .where(HarvestSource.name == "weekly-one")
            .values(last_run_at=None)
        )
        for job in s.scalars(select(jobs.Job).where(jobs.Job.subject_id == "weekly-one")):
            job.created_at = now - timedelta(days=30)
        s.commit()
    assert jobs.run_schedules(target.db) >= 1
    with target.db.session() as s:
        latest = jobs.latest_for(s, harvest.RUN_JOB, "weekly-one")
        assert latest is not None and latest.params == {"scheduled": True}
        job_id = latest.id
    assert target.wait_job(admin, job_id)["status"] == "succeeded"
