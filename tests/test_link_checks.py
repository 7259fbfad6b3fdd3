"""The link checker against a server on 127.0.0.1 that answers every way a real one does: fine, 404, HEAD
refused but GET fine, redirects (also into a loop), a slow answer, a closed port."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from derek.catalog import service as catalog
from derek.catalog.schemas import ResourceCreate
from derek.core import jobs
from derek.core.authz import SYSTEM
from derek.core.db import utcnow
from derek.quality import links
from tests.conftest import Portal, free_port, local_server, start_portal


@dataclass
class Remote:
    base: str = ""
    gone: set[str] = field(default_factory=lambda: {"/gone.csv"})
    concurrent: int = 0
    most_at_once: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def busy(self) -> tuple[int, dict[str, str]]:
        """Counts how many of these requests the server holds at once (others may still be sleeping)."""
        with self.lock:
            self.concurrent += 1
            self.most_at_once = max(self.most_at_once, self.concurrent)
        time.sleep(0.05)  # long enough for requests to overlap
        with self.lock:
            self.concurrent -= 1
        return 200, {}

    def answer(self, method: str, path: str) -> tuple[int, dict[str, str]]:
        if path.startswith("/busy/"):
            return self.busy()
        if path in self.gone:
            return 404, {}
        if path == "/no-head.csv":
            return (405, {}) if method == "HEAD" else (206, {"Content-Range": "bytes 0-0/100"})
        if path == "/moved.csv":
            return 301, {"Location": "/ok.csv"}
        if path == "/loop.csv":
            return 302, {"Location": "/loop.csv"}
        if path == "/slow.csv":
            time.sleep(3)
            return 200, {}
        if path == "/broken-server.csv":
            return 500, {}
        return 200, {}


@pytest.fixture(scope="module")
def remote() -> Iterator[Remote]:
    state = Remote()

    def answer(method: str, target: str) -> tuple[int, dict[str, str], bytes]:
        status, headers = state.answer(method, target)
        return status, headers, b""

    with local_server(answer) as base:
        state.base = base
        yield state


@pytest.fixture(scope="module")
def portal(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Portal]:
    yield from start_portal(
        tmp_path_factory.mktemp("links"), link_checks=True, fetch_allow_private=True, fetch_timeout=1.0
    )


def _links(portal: Portal, remote: Remote, paths: list[str], **dataset: Any) -> tuple[str, dict[str, str]]:
    org = portal.make_org()
    name = portal.make_dataset(org, **dataset)
    ids = {}
    with portal.db.session() as s:
        for path in paths:
            url = path if path.startswith("http") else remote.base + path
            ids[path] = catalog.create_resource(s, SYSTEM, name, ResourceCreate(name=path, url=url)).id
    return name, ids


def _check(portal: Portal) -> dict[str, Any]:
    _n, admin = portal.make_user(sysadmin=True)
    with portal.client(f"Bearer {admin}") as http:
        r = http.post("/api/v1/quality/link-check")
        assert r.status_code == 202, r.text
    return portal.wait_job(admin, r.json()["id"])


def _status(portal: Portal, resource_id: str) -> dict[str, Any]:
    with portal.client() as http:
        r = http.get(f"/api/v1/resources/{resource_id}/link")
        assert r.status_code == 200, r.text
        return dict(r.json())


def test_a_404_is_broken_after_one_check_and_fine_again_once_fixed(portal: Portal, remote: Remote) -> None:
    closed = f"http://127.0.0.1:{free_port()}/nothing-listens.csv"
    paths = [
        "/ok.csv",
        "/gone.csv",
        "/no-head.csv",
        "/moved.csv",
        "/loop.csv",
        "/slow.csv",
        "/broken-server.csv",
    ]
    paths.append(closed)
    name, ids = _links(portal, remote, paths, title={"en": "Air quality"})
    assert _status(portal, ids["/gone.csv"])["status"] == "unchecked"

    job = _check(portal)
    assert job["status"] == "succeeded" and job["result"]["broken"] == 5, job
    expected = {
        "/ok.csv": ("ok", 200),
        "/gone.csv": ("broken", 404),
        "/no-head.csv": ("ok", 206),  # HEAD refused, a one-byte GET answered
        "/moved.csv": ("ok", 200),
        "/loop.csv": ("broken", None),
        "/slow.csv": ("broken", None),
        "/broken-server.csv": ("broken", 500),
        closed: ("broken", None),
    }
    for path, (status, code) in expected.items():
        got = _status(portal, ids[path])
        assert (got["status"], got["http_status"]) == (status, code), (path, got)
    assert "404" in _status(portal, ids["/gone.csv"])["error"]
    assert "redirects" in _status(portal, ids["/loop.csv"])["error"]
    assert "in time" in _status(portal, ids["/slow.csv"])["error"]
    assert "could not be reached" in _status(portal, ids[closed])["error"]

    # every visitor sees the broken links on the dataset page
    with portal.client() as http:
        page = http.get(f"/dataset/{name}", params={"lang": "en"}).text
    panel = page.split('id="broken-links"')[1].split("</section>")[0]
    assert "Broken links" in panel and "the server answered 404" in panel
    assert "/gone.csv</a>" in panel and "/ok.csv</a>" not in panel and "/no-head.csv</a>" not in panel

    remote.gone.discard("/gone.csv")  # fixed at the source: fine at the next check, with the history kept
    _check(portal)
    fixed = _status(portal, ids["/gone.csv"])
    assert fixed["status"] == "ok" and fixed["broken_since"] is None
    assert [(c["ok"], c["http_status"]) for c in fixed["history"]][:2] == [(True, 200), (False, 404)]
    with portal.client() as http:
        assert "the server answered 404" not in http.get(f"/dataset/{name}", params={"lang": "en"}).text


def test_a_broken_link_keeps_the_date_it_broke(portal: Portal, remote: Remote) -> None:
    remote.gone.add("/vanished.csv")
    _name, ids = _links(portal, remote, ["/vanished.csv"])
    with portal.db.session() as s:
        first = links.run_checks(s, allow_private=True, timeout=1.0, resource_ids=[ids["/vanished.csv"]])
    assert first == {"checked": 1, "ok": 0, "broken": 1}
    since = _status(portal, ids["/vanished.csv"])["broken_since"]
    with portal.db.session() as s:
        links.run_checks(s, allow_private=True, timeout=1.0, resource_ids=[ids["/vanished.csv"]])
    again = _status(portal, ids["/vanished.csv"])
    assert again["broken_since"] == since and len(again["history"]) == 2


def test_one_host_gets_at_most_two_requests_at_once(remote: Remote) -> None:
    pairs = [(str(i), f"{remote.base}/busy/{i}.csv") for i in range(12)]
    remote.most_at_once = 0
    outcomes = links.check_all(pairs, allow_private=True, timeout=5.0)
    assert all(o.ok for o in outcomes.values()) and len(outcomes) == 12
    assert remote.most_at_once == links.PER_HOST


def test_private_addresses_are_not_checked_unless_allowed(remote: Remote) -> None:
    (outcome,) = links.check_all([("x", f"{remote.base}/ok.csv")], allow_private=False).values()
    assert not outcome.ok and "private network" in outcome.error


def test_only_sysadmins_start_a_check_and_the_worker_does_it_daily(portal: Portal) -> None:
    _n, editor = portal.make_user(org=portal.make_org())
    with portal.client(f"Bearer {editor}") as http:
        assert http.post("/api/v1/quality/link-check").status_code == 403
    with portal.client() as http:
        assert http.post("/api/v1/quality/link-check").status_code == 401
    with portal.db.session() as s:
        latest = jobs.latest_for(s, links.CHECK_JOB, "links")
        assert latest is not None  # the worker queued one when it started, or a test asked for one
        assert links.queue_daily_check(s, utcnow()) == 0  # not again within the day
        assert links.queue_daily_check(s, latest.created_at + timedelta(hours=25)) == 1
        s.rollback()
        assert s.scalars(select(jobs.Job).where(jobs.Job.kind == links.CHECK_JOB)).first() is not None


def test_the_command_line_checks_every_link_with_a_progress_bar(portal: Portal, remote: Remote) -> None:
    remote.gone.add("/cli-gone.csv")
    _name, ids = _links(portal, remote, ["/cli-gone.csv", "/ok.csv"])
    env = {
        **os.environ,
        "DEREK_DATA_DIR": str(portal.settings.data_dir),
        "DEREK_DATABASE_URL": portal.settings.effective_database_url,
        "DEREK_FETCH_ALLOW_PRIVATE": "true",
        "DEREK_FETCH_TIMEOUT": "1",
    }
    derek = str(Path(sys.executable).with_name("derek"))
    done = subprocess.run([derek, "quality", "run"], capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    assert re.search(r"\d+ links checked: \d+ work, \d+ broken", done.stderr), done.stderr
    assert _status(portal, ids["/cli-gone.csv"])["status"] == "broken"
    assert _status(portal, ids["/ok.csv"])["status"] == "ok"


def test_an_address_no_request_can_be_made_to_is_broken_not_a_crash() -> None:
    outcomes = links.check_all(
        [("a", "http://example..org/x.csv"), ("b", "http://[::1/x.csv")], allow_private=False
    )
    assert {o.ok for o in outcomes.values()} == {False}
    assert all("not a usable web address" in o.error for o in outcomes.values()), outcomes
