"""Shared fixtures: a real Derek server on 127.0.0.1 over a real database (SQLite, or PostgreSQL when
DEREK_DATABASE_URL points at one), and factories that build objects through the services."""

from __future__ import annotations

import os
import re
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from sqlalchemy import select

from derek.app import create_app
from derek.catalog import service as catalog
from derek.catalog.schemas import DatasetCreate, OrganizationCreate
from derek.config import Settings
from derek.core import accounts, jobs
from derek.core.authz import SYSTEM
from derek.core.db import Database

PASSWORD = "correct-horse-battery"


# (method, path with its query) -> (status, headers, body)
Answer = Callable[[str, str], tuple[int, dict[str, str], bytes]]


# The domains' HTML page tests: their pages call the same services the service and API tests run on both
# databases, so the PostgreSQL pass leaves them out (`-m "not html"`) to keep the suite short; the public
# catalog pages (search differs per database) and the publish forms run on both.
HTML_PAGE_MODULES = frozenset(
    {
        "test_datastore_pages.py",
        "test_harvest_pages.py",
        "test_idea_pages.py",
        "test_info_request_pages.py",
        "test_quality_pages.py",
        "test_reuse_pages.py",
        "test_selection_pages.py",
        "test_survey_pages.py",
    }
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if item.path.name in HTML_PAGE_MODULES:
            item.add_marker(pytest.mark.html)


@contextmanager
def local_server(answer: Answer) -> Iterator[str]:
    """An HTTP server on 127.0.0.1 that answers GET and HEAD with `answer` (tests reach no other network);
    its base URL."""

    class Handler(BaseHTTPRequestHandler):
        def _reply(self, method: str) -> None:
            status, headers, body = answer(method, self.path)
            self.send_response(status)
            for key, value in headers.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if method != "HEAD":
                self.wfile.write(body)

        def do_GET(self) -> None:  # noqa: N802
            self._reply("GET")

        def do_HEAD(self) -> None:  # noqa: N802
            self._reply("HEAD")

        def log_message(self, *_args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def assert_translated(
    msgids: set[str], at_least: int, languages: tuple[str, ...] = ("kk", "ru", "en")
) -> None:
    """Every msgid has a translation in every language, with the same {placeholders}."""
    from derek.core.i18n import _catalog

    assert len(msgids) > at_least, f"only {len(msgids)} strings found: is the extraction still right?"
    for lang in languages:
        catalog_ = _catalog(lang)
        missing = sorted(m for m in msgids if m not in catalog_)
        assert not missing, f"{lang}: untranslated {missing}"
        for msgid in msgids:
            assert set(re.findall(r"{\w+}", msgid)) == set(re.findall(r"{\w+}", catalog_[msgid])), msgid


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def fresh_database_url(tmp: Path) -> str:
    """A new empty database: a SQLite file, or a new one on the PostgreSQL server of DEREK_DATABASE_URL."""
    url = os.environ.get("DEREK_DATABASE_URL", "")
    if not url.startswith("postgresql"):
        return f"sqlite:///{tmp / 'derek.sqlite'}"
    import psycopg

    name = "derek_test_" + uuid.uuid4().hex[:12]
    admin_url = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return admin_url.rsplit("/", 1)[0] + "/" + name


# Real public files (from ../shared/data/real, credited in SOURCES.txt) that the project carries for its demo,
# so the tests find them in any clone
REAL_FILES = Path(__file__).resolve().parent.parent / "src" / "derek" / "demo" / "files"


@dataclass
class Portal:
    """A running portal and shortcuts to build what a test needs."""

    base_url: str
    settings: Settings
    db: Database
    duck: Any = None  # the server's DuckStore, for tests that call DataStore services directly

    def client(self, token: str | None = None) -> httpx.Client:
        headers = {"Authorization": token} if token else {}
        return httpx.Client(base_url=self.base_url, headers=headers, timeout=30)

    def csrf(self, client: httpx.Client, page: str = "/login") -> str:
        """The CSRF token of a form page, as a browser would read it."""
        found = re.search(r'name="csrf_token" value="([^"]+)"', client.get(page).text)
        assert found, f"{page} has no CSRF token"
        return found.group(1)

    def signed_in(self, name: str, password: str = PASSWORD) -> httpx.Client:
        """A client logged in through the web form (a session cookie, no token)."""
        client = self.client()
        done = client.post(
            "/login", data={"username": name, "password": password, "csrf_token": self.csrf(client)}
        )
        assert done.status_code == 303, done.text[:300]
        return client

    def unique(self, prefix: str) -> str:
        return f"{prefix}-{uuid.uuid4().hex[:8]}"

    def make_org(self, name: str | None = None, **fields: Any) -> str:
        name = name or self.unique("org")
        with self.db.session() as s:
            data = OrganizationCreate(
                name=name, title=fields.pop("title", {"en": name.title(), "ru": name}), **fields
            )
            catalog.create_organization(s, SYSTEM, data)
        return name

    def make_user(
        self, name: str | None = None, *, sysadmin: bool = False, org: str | None = None, role: str = "editor"
    ) -> tuple[str, str]:
        """Create a user (optionally in an organization) and return (name, API token)."""
        name = name or self.unique("user")
        with self.db.session() as s:
            user = accounts.create_user(s, SYSTEM, name, f"{name}@example.org", PASSWORD, sysadmin=sysadmin)
            if org:
                org_id = catalog.get_organization(s, SYSTEM, org).id
                accounts.set_membership(s, SYSTEM, user, org_id, role)
            _t, token = accounts.create_token(s, SYSTEM, user, "tests")
        return name, token

    def make_dataset(self, org: str, name: str | None = None, **fields: Any) -> str:
        name = name or self.unique("ds")
        fields.setdefault("title", {"en": f"Dataset {name}", "ru": f"Набор {name}", "kk": f"Жиынтық {name}"})
        fields.setdefault("state", "published")
        with self.db.session() as s:
            catalog.create_dataset(
                s, SYSTEM, self.settings.jurisdiction, DatasetCreate(name=name, organization=org, **fields)
            )
        return name

    def upload(self, body: bytes, filename: str = "data.csv", **dataset: Any) -> tuple[str, str]:
        """Upload a file as a new resource of a new dataset (in a new organization with a new editor);
        returns (resource id, the editor's token)."""
        org = self.make_org()
        _n, token = self.make_user(org=org)
        name = self.make_dataset(org, **dataset)
        with self.client(f"Bearer {token}") as http:
            r = http.post(f"/api/v1/datasets/{name}/resources/upload", files={"file": (filename, body)})
            assert r.status_code == 201, r.text
            return str(r.json()["id"]), token

    def wait_job(self, token: str, job_id: str, timeout: float = 120) -> dict[str, Any]:
        """Poll a background job until it ends; its final JSON."""
        deadline = time.monotonic() + timeout
        with self.client(f"Bearer {token}") as http:
            while True:
                job = http.get(f"/api/v1/jobs/{job_id}")
                assert job.status_code == 200, job.text
                if job.json()["status"] in ("succeeded", "failed"):
                    if job.json()["kind"] == "datastore.load" and job.json()["status"] == "succeeded":
                        self.wait_checked(job.json()["subject_id"])  # others may read the new table then
                    return dict(job.json())
                assert time.monotonic() < deadline, f"job {job_id} still {job.json()['status']}"
                time.sleep(0.1)

    def wait_table(
        self, resource_id: str, token: str | None = None, *, settled: bool = False, timeout: float = 60
    ) -> dict[str, Any]:
        """Wait until the resource's table answers (the load every upload queues); its info. With
        `settled`, also until no load of it is queued or running (a reload ends)."""
        deadline = time.monotonic() + timeout
        with self.client(f"Bearer {token}" if token else None) as http:
            while True:
                r = http.get(f"/api/v1/datastore/{resource_id}/info")
                # 403: loaded, and held back from those who may not edit it until its personal-data check
                assert r.status_code in (200, 403, 404), r.text
                if r.status_code == 200 and not settled:
                    self.wait_checked(resource_id)  # anyone but its editors may read it once checked
                    return dict(r.json())
                if r.status_code == 200:
                    with self.db.session() as s:
                        job = jobs.latest_for(s, "datastore.load", resource_id)
                        if job is None or job.status not in ("queued", "running"):
                            # read again: the load may have ended between the first read and this check
                            self.wait_checked(resource_id)
                            return dict(http.get(f"/api/v1/datastore/{resource_id}/info").json())
                assert time.monotonic() < deadline, f"the table of {resource_id} was not loaded in time"
                time.sleep(0.05)

    def wait_checked(self, resource_id: str, timeout: float = 60) -> str:
        """Wait until the personal-data check of the resource's file has an outcome (publishing waits for
        it); the scan's status."""
        from derek.quality.models import PersonalDataScan

        deadline = time.monotonic() + timeout
        while True:
            with self.db.session() as s:
                scan = s.get(PersonalDataScan, resource_id)
                if scan is None or scan.status != "pending":
                    return scan.status if scan else "not_scanned"
                load = jobs.latest_for(s, "datastore.load", resource_id)
                if load is not None and load.status == "failed":
                    return "failed"  # its table could not be read, so it will never be scanned
            assert time.monotonic() < deadline, f"the file of {resource_id} was not checked in time"
            time.sleep(0.05)

    def wait_scored(self, name: str, timeout: float = 60) -> Any:
        """Wait until the quality job has caught up with every change of the dataset; its stored row."""
        from derek.catalog.models import Dataset
        from derek.quality.models import DatasetQuality

        deadline = time.monotonic() + timeout
        while True:
            with self.db.session() as s:
                row = s.scalar(
                    select(DatasetQuality)
                    .join(Dataset, Dataset.id == DatasetQuality.dataset_id)
                    .where(Dataset.slug == name)
                )
                if (
                    row is not None
                    and row.computed_at is not None
                    and row.computed_generation == row.generation
                ):
                    s.expunge(row)
                    return row
            assert time.monotonic() < deadline, f"the score of {name} was not computed in time"
            time.sleep(0.05)

    def load_table(self, token: str, resource_id: str) -> dict[str, Any]:
        """Ask for a (re)load and wait for it; the final job JSON (status succeeded or failed)."""
        with self.client(f"Bearer {token}") as http:
            r = http.post(f"/api/v1/datastore/{resource_id}/load")
            assert r.status_code == 202, r.text
        return self.wait_job(token, r.json()["id"])


class _Server(uvicorn.Server):
    def install_signal_handlers(self) -> None:  # running in a thread
        pass


def start_portal(tmp: Path, **overrides: Any) -> Iterator[Portal]:
    """A real server on 127.0.0.1 over a fresh database. It fetches no registered URL (tests reach no
    network) unless a test asks for `datastore_fetch=True` with its own server on 127.0.0.1."""
    values: dict[str, Any] = {
        "data_dir": tmp,
        "database_url": fresh_database_url(tmp),
        "secret_key": "test-secret",
        "login_attempts_per_minute": int(os.environ.get("DEREK_TEST_LOGIN_LIMIT", "1000")),
        "datastore_fetch": False,
        "link_checks": False,  # they would reach the addresses test datasets name (example.org)
    }
    settings = Settings(**{**values, **overrides})
    app = create_app(settings)
    port = free_port()
    server = _Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the test server did not start")
        time.sleep(0.05)
    try:
        yield Portal(
            base_url=f"http://127.0.0.1:{port}", settings=settings, db=app.state.db, duck=app.state.datastore
        )
    finally:
        server.should_exit = True
        thread.join(10)


@pytest.fixture(scope="session")
def portal(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Portal]:
    yield from start_portal(tmp_path_factory.mktemp("portal"))
