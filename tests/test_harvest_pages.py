"""The sysadmin's harvest pages over plain HTTP: adding a source, harvesting a second Derek from the page,
the run's status box, errors in plain words, and who may see them."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from derek.catalog import service as catalog
from derek.catalog.schemas import ResourceCreate
from derek.core import jobs
from derek.core.authz import SYSTEM
from derek.harvest import service as harvest
from derek.harvest import views
from derek.harvest.schemas import HarvestSourceCreate
from derek.web.forms import from_validation
from tests.conftest import Portal, assert_translated, free_port, start_portal
from tests.test_publish_forms import Browserless, form_fields

SRC = Path(views.__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def remote(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Portal]:
    """Another Derek, the CKAN portal being harvested: two public datasets, one private."""
    for portal in start_portal(tmp_path_factory.mktemp("harvest-pages-remote")):
        org = portal.make_org("remote-statistics")
        for name in ("budget", "schools"):
            portal.make_dataset(org, name, title={"en": f"Open {name}", "ru": f"Открытые {name}"})
            with portal.db.session() as s:
                catalog.create_resource(
                    s, SYSTEM, name, ResourceCreate(name=f"{name}.csv", url=f"https://example.org/{name}.csv")
                )
        portal.make_dataset(org, "secret", private=True)
        yield portal


@pytest.fixture(scope="module")
def local(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Portal]:
    """The portal whose sysadmin harvests (it may fetch from 127.0.0.1, where the remote one runs)."""
    yield from start_portal(tmp_path_factory.mktemp("harvest-pages-local"), fetch_allow_private=True)


@pytest.fixture(scope="module")
def mirrors(local: Portal) -> str:
    return local.make_org("mirrors", title={"en": "Mirrored statistics", "ru": "Зеркало статистики"})


@pytest.fixture(scope="module")
def sysadmin(local: Portal) -> Iterator[Browserless]:
    name, _ = local.make_user(sysadmin=True)
    client = Browserless(local, name)
    client.csrf = client.token_from("/admin/harvest")
    yield client
    client.http.close()


def source_fields(**changes: str) -> dict[str, str]:
    fields = {
        "name": "",
        "title": "",
        "kind": "ckan",
        "url": "",
        "organization": "",
        "schedule": "manual",
        "datasets": "",
    }
    return {**fields, **changes}


def field_error(page: str, key: str) -> str:
    found = re.search(rf'<p class="field-error" id="e-{key}">(.*?)</p>', page, re.S)
    return found.group(1) if found else ""


def summary(page: str) -> str:
    found = re.search(r'<div class="error-summary".*?</div>', page, re.S)
    return found.group(0) if found else ""


def add_source(local: Portal, name: str, url: str, org: str, **fields: Any) -> None:
    with local.db.session() as s:
        data = HarvestSourceCreate(name=name, url=url, organization=org, **fields)
        harvest.create_source(s, SYSTEM, data)


def russian(client: Browserless, path: str, data: dict[str, str] | None = None) -> str:
    """A page in Russian, leaving the client's language as it was (?lang= also sets a cookie)."""
    target = path + ("&" if "?" in path else "?") + "lang=ru"
    r = client.post(target, data) if data is not None else client.http.get(target)
    client.http.cookies.delete("derek_lang")
    return r.text


def wait_run(local: Portal, name: str, timeout: float = 30) -> jobs.Job:
    deadline = time.monotonic() + timeout
    while True:
        with local.db.session() as s:
            job = jobs.latest_for(s, harvest.RUN_JOB, name)
            if job is not None and job.status in ("succeeded", "failed"):
                s.expunge(job)
                return job
        assert time.monotonic() < deadline, f"the harvest of {name} did not end in time"
        time.sleep(0.1)


def test_visitors_who_are_not_signed_in_are_sent_to_log_in(local: Portal) -> None:
    with local.client() as anon:
        for path in ("/admin/harvest", "/admin/harvest/anything", "/admin/harvest/anything/status"):
            r = anon.get(path)
            assert r.status_code == 303, path
            assert r.headers["location"] == f"/login?next={path}"


def test_only_sysadmins_may_see_or_change_harvest_sources(local: Portal, mirrors: str) -> None:
    add_source(local, "kept-away", "https://data.example.org", mirrors)
    name, _ = local.make_user(org=mirrors, role="admin")
    editor = Browserless(local, name)
    try:
        for path in ("/admin/harvest", "/admin/harvest/kept-away", "/admin/harvest/kept-away/status"):
            assert editor.http.get(path).status_code == 403, path
        created = editor.post(
            "/admin/harvest", source_fields(name="sneaky", url="https://x.org", organization=mirrors)
        )
        assert created.status_code == 403
        assert editor.post("/admin/harvest/kept-away/run", {}).status_code == 403
    finally:
        editor.http.close()
    with local.db.session() as s:
        assert jobs.latest_for(s, harvest.RUN_JOB, "kept-away") is None
        assert "sneaky" not in {src.name for src in harvest.list_sources(s, SYSTEM)}


def test_a_sysadmin_adds_a_ckan_source_and_harvests_it_from_the_page(
    local: Portal, remote: Portal, mirrors: str, sysadmin: Browserless
) -> None:
    page = sysadmin.http.get("/admin/harvest")
    assert page.status_code == 200
    assert 'href="/admin/harvest" aria-current="page"' in page.text  # the Harvesting tab
    fields = form_fields(page.text, "/admin/harvest")
    assert set(fields) == {
        "csrf_token",
        "name",
        "title",
        "kind",
        "url",
        "organization",
        "schedule",
        "datasets",
    }
    assert f'<option value="{mirrors}">Mirrored statistics</option>' in page.text
    assert '<option value="egov">data.egov.kz</option>' in page.text

    added = sysadmin.post(
        "/admin/harvest",
        source_fields(name="stat", title="Statistics portal", url=remote.base_url, organization=mirrors),
    )
    assert added.status_code == 303 and added.headers["location"] == "/admin/harvest/stat"
    detail = sysadmin.http.get("/admin/harvest/stat").text
    assert "The source is added." in detail and "<h1>Statistics portal</h1>" in detail
    assert "CKAN portal" in detail and f'href="/organization/{mirrors}">Mirrored statistics</a>' in detail
    assert "has not been harvested yet" in detail
    assert 'action="/admin/harvest/stat/run"' in detail

    run = sysadmin.post("/admin/harvest/stat/run", {})
    assert run.status_code == 303 and run.headers["location"] == "/admin/harvest/stat#run-status"
    job = wait_run(local, "stat")
    assert job.status == "succeeded", job.error

    detail = sysadmin.http.get("/admin/harvest/stat").text
    runs = re.search(r'<table class="manage runs">.*?</table>', detail, re.S)
    assert runs, detail
    cells = re.findall(r'class="num">(\d+)</td>', runs.group(0))
    assert cells == ["2", "0", "0", "0"]  # created, updated, withdrawn, unchanged
    assert "Succeeded" in runs.group(0) and "None" in runs.group(0)
    assert "2 datasets" in detail  # mirrored now

    listing = sysadmin.http.get("/admin/harvest").text
    assert 'href="/admin/harvest/stat">Statistics portal</a>' in listing
    assert "2 created · 0 updated · 0 withdrawn · 0 unchanged" in listing

    # the status box after the end: HTMX stops polling and reloads the page
    polled = sysadmin.http.get("/admin/harvest/stat/status", headers={"HX-Request": "true"})
    assert polled.status_code == 200 and polled.headers.get("HX-Refresh") == "true"
    assert "hx-trigger" not in polled.text and polled.headers["Cache-Control"] == "no-store"

    # again: nothing changed at the source
    assert sysadmin.post("/admin/harvest/stat/run", {}).status_code == 303
    assert wait_run(local, "stat").status == "succeeded"
    again = russian(sysadmin, "/admin/harvest/stat")
    ru_runs = re.search(r'<table class="manage runs">.*?</table>', again, re.S)
    assert ru_runs and re.findall(r'class="num">(\d+)</td>', ru_runs.group(0))[:4] == ["0", "0", "0", "2"]
    assert "Успешно" in ru_runs.group(0)


def test_the_status_box_follows_a_run_and_a_second_click_queues_nothing(
    local: Portal, mirrors: str, sysadmin: Browserless
) -> None:
    add_source(local, "slow", "https://data.example.org", mirrors, title="Slow portal")
    with local.db.session() as s:  # a run under way (the worker only takes queued jobs)
        job = jobs.Job(
            kind=harvest.RUN_JOB,
            subject_type="harvest_source",
            subject_id="slow",
            status="running",
            done=30,
            total=120,
            unit="datasets",
            message="Reading https://data.example.org",
        )
        s.add(job)
        s.flush()
        job_id = job.id

    page = russian(sysadmin, "/admin/harvest/slow")
    assert 'hx-get="/admin/harvest/slow/status" hx-trigger="every 1s"' in page
    assert '<progress id="run-progress"' in page and 'max="120" value="30"' in page
    assert "30 из 120 наборов данных" in page and 'href="/admin/harvest/slow">Обновить</a>' in page
    assert 'action="/admin/harvest/slow/run"' not in page  # no second button while it runs
    assert "htmx-2.0.11.min.js" in page
    assert "Harvesting now" in sysadmin.http.get("/admin/harvest").text

    polled = sysadmin.http.get("/admin/harvest/slow/status", headers={"HX-Request": "true"})
    assert polled.status_code == 200 and "HX-Refresh" not in polled.headers
    assert 'hx-trigger="every 1s"' in polled.text and "Reading https://data.example.org" in polled.text
    assert "<html" not in polled.text  # the box alone

    again = sysadmin.post("/admin/harvest/slow/run", {})  # a second click (or a form sent twice)
    assert again.status_code == 303
    assert "being harvested already" in sysadmin.http.get("/admin/harvest/slow").text
    with local.db.session() as s:
        latest = jobs.latest_for(s, harvest.RUN_JOB, "slow")
        assert latest is not None and latest.id == job_id

    with local.db.session() as s:  # it ends on an error before recording a run
        ended = s.get(jobs.Job, job_id)
        assert ended is not None
        ended.status, ended.message = "failed", "Failed."
        ended.error = "The job stopped on an unexpected error: OSError."
    polled = sysadmin.http.get("/admin/harvest/slow/status", headers={"HX-Request": "true"})
    assert polled.headers.get("HX-Refresh") == "true" and "hx-trigger" not in polled.text
    page = sysadmin.http.get("/admin/harvest/slow").text
    assert "The last harvest failed" in page and "unexpected error: OSError" in page
    assert 'action="/admin/harvest/slow/run"' in page


def test_a_source_that_cannot_be_read_shows_why_prominently(
    local: Portal, mirrors: str, sysadmin: Browserless
) -> None:
    closed = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    add_source(local, "gone", closed, mirrors)
    assert sysadmin.post("/admin/harvest/gone/run", {}).status_code == 303
    assert wait_run(local, "gone").status == "failed"
    page = sysadmin.http.get("/admin/harvest/gone").text
    box = re.search(r'<div class="run-failed" role="alert">.*?</div>', page, re.S)
    assert box and "The last harvest failed and changed nothing" in box.group(0)
    assert "127.0.0.1" in box.group(0)  # the reason names the address
    row = re.search(r'<a href="/admin/harvest/gone">.*?</tr>', sysadmin.http.get("/admin/harvest").text, re.S)
    assert row and "Failed" in row.group(0) and "127.0.0.1" in row.group(0)


@pytest.mark.parametrize(
    ("changes", "key", "message"),
    [
        ({"name": "", "url": "https://data.example.org"}, "name", views.NAME_MESSAGE),
        ({"name": "Not A Slug!", "url": "https://data.example.org"}, "name", views.NAME_MESSAGE),
        ({"name": "ftp-source", "url": "ftp://data.example.org"}, "url", views.URL_MESSAGE),
        (
            {"name": "no-address", "url": ""},
            "url",
            "Enter the address of the remote portal, starting with https://.",
        ),
        (
            {"name": "egov-empty", "kind": "egov", "url": "https://data.egov.kz"},
            "datasets",
            views.EGOV_DATASETS_MESSAGE,
        ),
        (
            {
                "name": "egov-bad",
                "kind": "egov",
                "url": "https://data.egov.kz",
                "datasets": "budget\nnot valid/x/y",
            },
            "datasets",
            views.DATASETS_MESSAGE,
        ),
        (
            {"name": "ckan-lists", "url": "https://data.example.org", "datasets": "budget"},
            "datasets",
            views.NOT_EGOV_MESSAGE,
        ),
        (
            {"name": "no-owner", "url": "https://data.example.org", "organization": ""},
            "organization",
            "Choose the organization that will own the mirrored datasets.",
        ),
        (
            {"name": "odd-kind", "kind": "ftp", "url": "https://data.example.org"},
            "kind",
            "Choose one of the options.",
        ),
    ],
)
def test_bad_input_is_shown_next_to_its_field_in_plain_words(
    local: Portal, mirrors: str, sysadmin: Browserless, changes: dict[str, str], key: str, message: str
) -> None:
    fields = source_fields(**{"organization": mirrors, **changes})
    r = sysadmin.post("/admin/harvest", fields)
    assert r.status_code == 422
    assert field_error(r.text, key) == message
    assert f'<a href="#f-{key}">' in summary(r.text) and message in summary(r.text)
    assert f'id="f-{key}"' in r.text and "aria-invalid" in r.text
    assert "<title>Error: Harvesting" in r.text
    kept = form_fields(r.text, "/admin/harvest")  # what was typed is kept
    assert kept["name"] == [changes.get("name", "")] and kept["url"] == [changes["url"]]


def test_the_form_says_what_the_schema_says_and_every_problem_at_once(
    mirrors: str, sysadmin: Browserless
) -> None:
    with pytest.raises(ValidationError) as raised:
        HarvestSourceCreate(name="egov", kind="egov", url="https://data.egov.kz", organization="x")
    assert from_validation(raised.value) == {"form": [views.EGOV_DATASETS_MESSAGE]}
    # the schema checks the datasets only once the fields are valid; the form tells it with the others
    r = sysadmin.post(
        "/admin/harvest", source_fields(name="", kind="egov", url="ftp://x", organization=mirrors)
    )
    assert r.status_code == 422
    assert [field_error(r.text, key) for key in ("name", "url", "datasets")] == [
        views.NAME_MESSAGE,
        views.URL_MESSAGE,
        views.EGOV_DATASETS_MESSAGE,
    ]
    assert (
        summary(r.text).index("#f-name")
        < summary(r.text).index("#f-url")
        < summary(r.text).index("#f-datasets")
    )


def test_a_taken_name_is_refused_with_a_message(local: Portal, mirrors: str, sysadmin: Browserless) -> None:
    add_source(local, "taken", "https://data.example.org", mirrors)
    r = sysadmin.post(
        "/admin/harvest", source_fields(name="taken", url="https://other.example.org", organization=mirrors)
    )
    assert r.status_code == 422
    assert field_error(r.text, "name") == views.TAKEN_MESSAGE
    fields = source_fields(name="taken", url="https://other.example.org", organization=mirrors)
    ru = russian(sysadmin, "/admin/harvest", fields)
    assert field_error(ru, "name") and views.TAKEN_MESSAGE not in ru  # translated


def test_every_string_of_the_harvest_pages_is_translated() -> None:
    pattern = re.compile(r"""(?<![\w.])_\(\s*(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)')""")
    msgids = set()
    for template in (SRC / "harvest" / "templates" / "harvest").glob("*.html"):
        msgids |= {a or b for a, b in pattern.findall(template.read_text(encoding="utf-8"))}
    msgids |= set(views.KIND_LABELS.values()) | set(views.SCHEDULE_LABELS.values())
    msgids |= {
        views.NAME_MESSAGE,
        views.URL_MESSAGE,
        views.DATASETS_MESSAGE,
        views.NOT_EGOV_MESSAGE,
        views.TAKEN_MESSAGE,
        "Enter the address of the remote portal, starting with https://.",
        "Choose the organization that will own the mirrored datasets.",
        views.EGOV_DATASETS_MESSAGE,
        "Unknown organization.",
        "The source is added. Harvest it now, or wait for its schedule.",
        "The harvest is queued. This page shows its progress.",
        "This source is being harvested already. This page shows its progress.",
        "Reading {address}",
        "Applying the changes",
        "Harvesting",
    }
    assert_translated(msgids, 60)
