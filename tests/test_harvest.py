"""Harvesting a CKAN portal: a second Derek instance (and a flaky server) on 127.0.0.1 as the sources."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from derek.catalog import service as catalog
from derek.catalog.schemas import DatasetUpdate, OrganizationCreate, ResourceCreate
from derek.core.authz import SYSTEM
from derek.core.db import Database
from derek.core.errors import NotFound
from derek.harvest import service as harvest
from derek.harvest.models import HarvestRun
from tests.conftest import Portal, free_port, fresh_database_url, local_server, start_portal


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Portal]:
    yield from start_portal(tmp_path_factory.mktemp("harvest-source"))


@pytest.fixture(scope="module")
def target(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Portal]:
    yield from start_portal(tmp_path_factory.mktemp("harvest-target"), fetch_allow_private=True)


def _read(portal: Portal, name: str) -> Any:
    with portal.db.session() as s:
        return catalog.get_dataset(s, SYSTEM, portal.settings.jurisdiction, name)


def _run(target: Portal, token: str, name: str) -> dict[str, Any]:
    with target.client(f"Bearer {token}") as http:
        r = http.post(f"/api/v1/harvest/sources/{name}/run")
        assert r.status_code == 202, r.text
    return target.wait_job(token, r.json()["id"])


def test_a_ckan_portal_is_mirrored_updated_and_withdrawn(source: Portal, target: Portal) -> None:
    org = source.make_org("statistics-agency")
    for i, name in enumerate(["budget", "population", "schools"]):
        source.make_dataset(
            org,
            name,
            title={"en": f"Open {name}", "ru": f"Открытые {name}"},
            description={"en": f"All about {name}."},
            keywords=["open", name],
        )
        with source.db.session() as s:
            catalog.create_resource(
                s, SYSTEM, name, ResourceCreate(name=f"{name}.csv", url=f"https://example.org/{i}.csv")
            )
    source.make_dataset(org, "secret-plans", private=True)
    source.make_dataset(org, "unfinished", state="draft")

    mirror_org = target.make_org("mirrors")
    target.make_dataset(mirror_org, "budget", title={"en": "Our own budget"})  # a local one, same name
    _n, admin = target.make_user(sysadmin=True)
    with target.client(f"Bearer {admin}") as http:
        body = {"name": "stat", "kind": "ckan", "url": source.base_url, "organization": mirror_org}
        r = http.post("/api/v1/harvest/sources", json=body)
        assert r.status_code == 201, r.text
        assert http.post("/api/v1/harvest/sources", json=body).status_code == 409

    job = _run(target, admin, "stat")
    assert job["status"] == "succeeded", job
    assert job["result"]["created"] == 3 and job["result"]["errors"] == [], job
    mirrored = _read(target, "stat--budget")
    assert mirrored.title == {"en": "Open budget", "ru": "Открытые budget"}
    assert mirrored.description == {"en": "All about budget."}
    assert sorted(mirrored.keywords) == ["budget", "open"]
    assert [r.url for r in mirrored.resources] == ["https://example.org/0.csv"]
    assert mirrored.organization.name == mirror_org and mirrored.state == "published"
    assert mirrored.extras["harvest_source"] == "stat"
    assert mirrored.extras["harvest_original_url"] == f"{source.base_url}/dataset/budget"
    assert mirrored.extras["harvest_remote_id"] == _read(source, "budget").id
    assert mirrored.extras["harvest_harvested_at"]
    for never in ("stat--secret-plans", "stat--unfinished"):
        with pytest.raises(NotFound):
            _read(target, never)

    again = _run(target, admin, "stat")
    assert again["status"] == "succeeded"
    assert {k: again["result"][k] for k in ("created", "updated", "withdrawn", "unchanged")} == {
        "created": 0,
        "updated": 0,
        "withdrawn": 0,
        "unchanged": 3,
    }

    with source.db.session() as s:
        profile = source.settings.jurisdiction
        catalog.update_dataset(s, SYSTEM, profile, "population", DatasetUpdate(title={"en": "People"}))
        catalog.delete_dataset(s, SYSTEM, "schools")
    third = _run(target, admin, "stat")["result"]
    assert (third["created"], third["updated"], third["withdrawn"], third["unchanged"]) == (0, 1, 1, 1)
    assert _read(target, "stat--population").title == {"en": "People"}
    assert _read(target, "stat--schools").state == "deleted"
    local = _read(target, "budget")
    assert local.title == {"en": "Our own budget"} and local.state == "published"

    with target.client(f"Bearer {admin}") as http:
        shown = http.get("/api/v1/harvest/sources/stat").json()
        assert shown["mirrored"] == 2 and len(shown["runs"]) == 3
        assert shown["runs"][0]["withdrawn"] == 1
        assert [s["name"] for s in http.get("/api/v1/harvest/sources").json()] == ["stat"]
    with target.client() as anonymous:
        assert anonymous.get("/api/v1/harvest/sources").status_code == 401


class _Flaky:
    """A CKAN package_search of two pages; the second answers 500 while `broken` is set."""

    def __init__(self) -> None:
        self.broken = False
        self.title = "First title"

    def package(self, n: int) -> dict[str, Any]:
        return {
            "id": f"remote-{n}",
            "name": f"remote-dataset-{n}",
            "title": f"{self.title} {n}",
            "notes": "From a flaky portal",
            "state": "active",
            "private": False,
            "tags": [{"name": "flaky"}],
            "resources": [{"name": "data", "url": f"https://example.org/flaky-{n}.csv", "format": "CSV"}],
        }

    def page(self, start: int) -> tuple[int, dict[str, Any]]:
        if start > 0 and self.broken:
            return 500, {"success": False, "error": {"message": "Internal Server Error"}}
        results = [self.package(n) for n in range(start, min(start + 100, 101))]
        return 200, {"success": True, "result": {"count": 101, "results": results}}


@pytest.fixture()
def flaky() -> Iterator[tuple[_Flaky, str]]:
    state = _Flaky()

    def answer(_method: str, target: str) -> tuple[int, dict[str, str], bytes]:
        parts = urlsplit(target)
        if parts.path != "/api/3/action/package_search":
            return 404, {}, b""
        status, body = state.page(int(parse_qs(parts.query).get("start", ["0"])[0]))
        return status, {"Content-Type": "application/json"}, json.dumps(body).encode()

    with local_server(answer) as base:
        yield state, base


def test_a_source_failing_half_way_keeps_the_previous_state(
    target: Portal, flaky: tuple[_Flaky, str]
) -> None:
    state, url = flaky
    org = target.make_org()
    _n, admin = target.make_user(sysadmin=True)
    with target.client(f"Bearer {admin}") as http:
        body = {"name": "flaky", "url": url, "organization": org}
        assert http.post("/api/v1/harvest/sources", json=body).status_code == 201
    first = _run(target, admin, "flaky")
    assert first["status"] == "succeeded" and first["result"]["created"] == 101, first
    lang = target.settings.jurisdiction.default_language
    assert _read(target, "flaky--remote-dataset-0").title == {lang: "First title 0"}

    state.title, state.broken = "Changed title", True
    failed = _run(target, admin, "flaky")
    assert failed["status"] == "failed" and "500" in failed["error"], failed
    assert _read(target, "flaky--remote-dataset-0").title == {lang: "First title 0"}
    with target.db.session() as s:
        source_id = harvest.get_source(s, SYSTEM, "flaky").id
        runs = s.scalars(
            select(HarvestRun).where(HarvestRun.source_id == source_id).order_by(HarvestRun.started_at)
        ).all()
        assert [r.status for r in runs] == ["succeeded", "failed"]
        assert "answered 500" in runs[1].errors[0]["error"]
        assert (runs[1].created, runs[1].updated, runs[1].withdrawn) == (0, 0, 0)

    state.broken = False  # once the source answers again, the change arrives
    fixed = _run(target, admin, "flaky")
    assert fixed["result"]["updated"] == 101, fixed
    assert _read(target, "flaky--remote-dataset-0").title == {lang: "Changed title 0"}


def test_the_private_network_rule_applies_unless_allowed(tmp_path: Path, source: Portal) -> None:
    """A portal that may not fetch from private networks refuses a source on 127.0.0.1."""
    for portal in start_portal(tmp_path):
        org = portal.make_org()
        with portal.db.session() as s:
            harvest.create_source(
                s, SYSTEM, harvest.HarvestSourceCreate(name="local", url=source.base_url, organization=org)
            )
        with portal.db.session() as s:
            run = harvest.run_harvest(s, SYSTEM, portal.settings.jurisdiction, "local")
        assert run.status == "failed" and "private network" in run.errors[0]["error"]


def _derek(tmp: Path, db_url: str, site_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "DEREK_DATA_DIR": str(tmp),
        "DEREK_DATABASE_URL": db_url,
        "DEREK_SITE_URL": site_url,
        "DEREK_FETCH_ALLOW_PRIVATE": "true",
    }
    derek = str(Path(sys.executable).with_name("derek"))
    return subprocess.run([derek, *args], capture_output=True, text=True, env=env, timeout=120)


def test_the_command_line_adds_runs_and_shows_sources(tmp_path: Path, source: Portal, target: Portal) -> None:
    """In-process when no server answers at the site URL; queued for the server's worker when one does."""
    url = fresh_database_url(tmp_path)
    db = Database(url)
    db.upgrade()
    with db.session() as s:
        catalog.create_organization(s, SYSTEM, OrganizationCreate(name="mirrors", title={"en": "Mirrors"}))
    db.engine.dispose()
    nobody = f"http://127.0.0.1:{free_port()}"
    added = _derek(
        tmp_path, url, nobody, "harvest", "add", "src", "--url", source.base_url, "--org", "mirrors"
    )
    assert added.returncode == 0, added.stderr
    refused = _derek(
        tmp_path,
        url,
        nobody,
        "harvest",
        "add",
        "eg",
        "--kind",
        "egov",
        "--url",
        source.base_url,
        "--org",
        "mirrors",
    )
    assert refused.returncode == 1 and "list the data.egov.kz datasets" in refused.stderr, refused.stderr
    ran = _derek(tmp_path, url, nobody, "harvest", "run", "src")
    assert ran.returncode == 0 and "succeeded" in ran.stderr and "created" in ran.stderr, ran.stderr
    shown = _derek(tmp_path, url, nobody, "harvest", "show", "src")
    assert shown.returncode == 0 and "succeeded" in shown.stdout, shown.stdout + shown.stderr
    listed = _derek(tmp_path, url, nobody, "harvest", "list")
    assert listed.returncode == 0 and "src" in listed.stdout

    with target.db.session() as s:  # a source of the running target portal: its worker does the run
        org = target.make_org()
        harvest.create_source(
            s, SYSTEM, harvest.HarvestSourceCreate(name="queued", url=source.base_url, organization=org)
        )
    target_url = target.settings.effective_database_url
    queued = _derek(target.settings.data_dir, target_url, target.base_url, "harvest", "run", "queued")
    assert queued.returncode == 0 and "succeeded" in queued.stderr, queued.stderr
    with target.db.session() as s:
        assert harvest.get_source(s, SYSTEM, "queued", runs=1).runs[0].job_id is not None
