"""Stored quality per dataset: recomputed by the job after every change, behind when a change races it,
nightly for everyone; freshness from the declared frequency; the portal's and organizations' figures; the
publisher's to-do list; `derek quality run`."""

from __future__ import annotations

import collections
import os
import re
import statistics
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update

from derek.catalog import service as catalog
from derek.catalog.models import Dataset, Resource, ResourceVersion
from derek.catalog.schemas import DatasetCreate, DatasetUpdate, ResourceCreate
from derek.core import jobs, mail
from derek.core.authz import SYSTEM
from derek.core.db import utcnow
from derek.quality import freshness, links, reminders, scores
from derek.quality.models import DatasetQuality
from tests.conftest import Portal, free_port, local_server, start_portal


@pytest.fixture(scope="module")
def portal(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Portal]:
    yield from start_portal(tmp_path_factory.mktemp("scores"))


def dataset_id(portal: Portal, name: str) -> str:
    with portal.db.session() as s:
        found = s.scalar(select(Dataset.id).where(Dataset.slug == name))
        assert found
        return found


def wait_scored(portal: Portal, name: str) -> DatasetQuality:
    row: DatasetQuality = portal.wait_scored(name)
    return row


def backdate(portal: Portal, name: str, days: float) -> None:
    """Pretend the dataset's data last changed `days` ago, and ask for its score again."""
    ident = dataset_id(portal, name)
    when = utcnow() - timedelta(days=days)
    with portal.db.session() as s:
        resource_ids = select(Resource.id).where(Resource.dataset_id == ident)
        s.execute(
            update(ResourceVersion)
            .where(ResourceVersion.resource_id.in_(resource_ids))
            .values(created_at=when)
        )
        s.execute(update(Dataset).where(Dataset.id == ident).values(issued=when, created_at=when))
        scores.mark_stale(s, [ident])
        s.commit()


def get(portal: Portal, path: str, token: str | None = None) -> Any:
    with portal.client(f"Bearer {token}" if token else None) as http:
        r = http.get(path)
        assert r.status_code == 200, r.text
        return r.json()


# ---------------------------------------------------------------- freshness, by the calendar

JAN_31 = datetime(2026, 1, 31, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("frequency", "due", "notice"),
    [
        ("DAILY", datetime(2026, 2, 1, 12, 0, tzinfo=UTC), timedelta(hours=24) / 5),
        ("WEEKLY", datetime(2026, 2, 7, 12, 0, tzinfo=UTC), timedelta(days=7) / 5),
        ("MONTHLY", datetime(2026, 2, 28, 12, 0, tzinfo=UTC), timedelta(days=28) / 5),  # no 31 February
        ("QUARTERLY", datetime(2026, 4, 30, 12, 0, tzinfo=UTC), timedelta(days=14)),
        ("ANNUAL", datetime(2027, 1, 31, 12, 0, tzinfo=UTC), timedelta(days=14)),
        ("CONT", datetime(2026, 2, 1, 12, 0, tzinfo=UTC), timedelta(hours=24) / 5),
    ],
)
def test_the_next_update_is_due_one_period_after_the_last_change(
    frequency: str, due: datetime, notice: timedelta
) -> None:
    assert freshness.schedule(frequency, JAN_31) == (due, due - notice)
    assert freshness.assess(frequency, JAN_31, JAN_31).state == "on_time"
    assert freshness.assess(frequency, JAN_31, due - notice - timedelta(seconds=1)).state == "on_time"
    assert freshness.assess(frequency, JAN_31, due - notice).state == "due_soon"
    assert freshness.assess(frequency, JAN_31, due - timedelta(seconds=1)).state == "due_soon"
    assert freshness.assess(frequency, JAN_31, due).state == "overdue"


@pytest.mark.parametrize("frequency", ["IRREG", "NEVER", "OTHER", "UNKNOWN", "no-such-code"])
def test_without_a_declared_period_freshness_does_not_apply(frequency: str) -> None:
    fresh = freshness.assess(frequency, JAN_31, JAN_31 + timedelta(days=3000))
    assert (fresh.state, fresh.due_at) == ("not_applicable", None)


# ---------------------------------------------------------------- the stored rows and the job


def test_the_stored_score_follows_every_change_and_matches_the_live_one(portal: Portal) -> None:
    org = portal.make_org()
    name = portal.make_dataset(org, update_frequency="MONTHLY")
    first = wait_scored(portal, name)
    live = get(portal, f"/api/v1/datasets/{name}/quality")
    assert (first.points, first.rating) == (live["points"], live["rating"])
    assert first.stars == get(portal, f"/api/v1/datasets/{name}/stars")["stars"] == 0  # no resource yet
    missed = {m["key"] for m in first.missed}
    assert {"keywords", "themes", "format"} <= missed

    with portal.db.session() as s:
        catalog.update_dataset(
            s, SYSTEM, portal.settings.jurisdiction, name, DatasetUpdate(keywords=["budget"], themes=["ECON"])
        )
        catalog.create_resource(
            s, SYSTEM, name, ResourceCreate(url="https://example.org/b.csv", format="CSV")
        )
    second = wait_scored(portal, name)
    live = get(portal, f"/api/v1/datasets/{name}/quality")
    assert second.points == live["points"] > first.points
    assert second.points == 405 - sum(m["points"] for m in second.missed)
    assert not {"keywords", "themes", "format"} & {m["key"] for m in second.missed}
    assert second.stars == 3 and second.resources == 1
    assert second.generation > first.generation
    assert second.last_change is not None and second.due_at is not None
    assert second.due_at - second.last_change >= timedelta(days=28)


def test_a_change_during_a_computation_leaves_the_row_behind(portal: Portal) -> None:
    org = portal.make_org()
    name = portal.make_dataset(org)
    row = wait_scored(portal, name)
    profile, site = portal.settings.jurisdiction, portal.settings.site_url
    with portal.db.session() as s:
        scores.mark_stale(s, [row.dataset_id])  # a change arrives while a run computes the earlier one
        scores.compute(s, profile, site, row.dataset_id, row.generation)
        again = s.get(DatasetQuality, row.dataset_id)
        assert again is not None
        s.refresh(again)
        assert again.computed_generation < again.generation  # behind: the queued run will catch up
        s.commit()
    caught_up = wait_scored(portal, name)
    assert caught_up.computed_generation == row.generation + 1
    with portal.db.session() as s:  # a slower run finishing an older generation does not go back
        scores.compute(s, profile, site, row.dataset_id, row.generation)
        s.commit()
        final = s.get(DatasetQuality, row.dataset_id)
        assert final is not None and final.computed_generation == row.generation + 1


def test_a_burst_of_changes_waits_for_one_run(portal: Portal) -> None:
    org = portal.make_org()
    with portal.db.session() as s:
        for i in range(30):
            catalog.create_dataset(
                s,
                SYSTEM,
                portal.settings.jurisdiction,
                DatasetCreate(name=portal.unique(f"burst{i}"), organization=org, title={"en": "B"}),
            )
        queued = s.scalars(
            select(jobs.Job).where(jobs.Job.kind == scores.SCORE_JOB, jobs.Job.status == "queued")
        ).all()
        assert len(queued) == 1


def test_a_link_that_stops_working_lowers_stars_and_score(portal: Portal) -> None:
    gone = {"/data.csv": False}

    def answer(method: str, path: str) -> tuple[int, dict[str, str], bytes]:
        return (404 if gone["/data.csv"] else 200), {"Content-Type": "text/csv"}, b"a\n1\n"

    org = portal.make_org()
    name = portal.make_dataset(org)
    with local_server(answer) as base:
        with portal.db.session() as s:
            catalog.create_resource(s, SYSTEM, name, ResourceCreate(url=f"{base}/data.csv", format="CSV"))
        with portal.db.session() as s:
            links.run_checks(s, allow_private=True)
            s.commit()
        working = wait_scored(portal, name)
        assert (working.stars, working.broken_links) == (3, 0)
        gone["/data.csv"] = True
        with portal.db.session() as s:
            links.run_checks(s, allow_private=True)
            s.commit()
        broken = wait_scored(portal, name)
    assert (broken.stars, broken.broken_links) == (0, 1)
    assert broken.points < working.points  # the access address no longer answers
    assert broken.generation > working.generation


def test_the_nightly_run_is_queued_once_a_day(portal: Portal) -> None:
    with portal.db.session() as s:
        s.execute(update(jobs.Job).where(jobs.Job.subject_id == "all").values(status="succeeded"))
        s.commit()
        now = utcnow()
        first = scores.queue_nightly_run(s, now + timedelta(days=2))
        s.commit()
        again = scores.queue_nightly_run(s, now + timedelta(days=2, hours=1))
        job = jobs.latest_for(s, scores.SCORE_JOB, "all")
        assert job is not None
        assert (first, again) == (1, 0)
        s.execute(update(jobs.Job).where(jobs.Job.id == job.id).values(status="succeeded"))
        s.commit()
        assert scores.queue_nightly_run(s, job.created_at + timedelta(hours=23)) == 0
        assert scores.queue_nightly_run(s, job.created_at + timedelta(days=1, minutes=1)) == 1
        s.rollback()


# ---------------------------------------------------------------- freshness in the API, figures, to-do list


def test_an_overdue_dataset_shows_in_the_api_the_figures_and_its_publishers_list(portal: Portal) -> None:
    org = portal.make_org()
    _editor, token = portal.make_user(org=org)
    _other, other_token = portal.make_user(org=portal.make_org())
    late = portal.make_dataset(org, update_frequency="DAILY")
    soon = portal.make_dataset(org, update_frequency="WEEKLY")
    never = portal.make_dataset(org, update_frequency="IRREG")
    draft = portal.make_dataset(org, state="draft", update_frequency="DAILY")
    for name in (late, soon, never, draft):
        with portal.db.session() as s:
            catalog.create_resource(
                s, SYSTEM, name, ResourceCreate(url="https://example.org/x.csv", format="CSV")
            )
    backdate(portal, late, days=3)
    backdate(portal, soon, days=6.5)
    backdate(portal, never, days=900)
    backdate(portal, draft, days=3)
    rows = {name: wait_scored(portal, name) for name in (late, soon, never, draft)}

    fresh = get(portal, f"/api/v1/datasets/{late}/freshness")
    assert (fresh["state"], fresh["frequency"]) == ("overdue", "DAILY")
    assert get(portal, f"/api/v1/datasets/{soon}/freshness")["state"] == "due_soon"
    assert get(portal, f"/api/v1/datasets/{never}/freshness")["state"] == "not_applicable"

    card = get(portal, f"/api/v1/organizations/{org}/quality")
    assert {d["name"]: d["freshness"] for d in card["datasets"]} == {
        late: "overdue",
        soon: "due_soon",
        never: "not_applicable",
    }  # the draft is not public
    public = [rows[n].points for n in (late, soon, never)]
    assert card["summary"]["average_points"] == round(statistics.fmean(public), 1)
    assert card["summary"]["freshness"] == {"on_time": 0, "due_soon": 1, "overdue": 1, "not_applicable": 1}
    assert card["summary"]["stars"]["3"] == 3
    assert card["portal"]["datasets"] >= 3

    portal_figures = get(portal, "/api/v1/quality")
    mine = next(o for o in portal_figures["organizations"] if o["name"] == org)
    assert mine["summary"] == card["summary"]
    assert portal_figures["summary"]["freshness"]["overdue"] >= 1
    assert sum(portal_figures["summary"]["ratings"].values()) == portal_figures["summary"]["scored"]

    tasks = get(portal, "/api/v1/quality/todo?lang=en", token)
    kinds = {(t["dataset"], t["kind"]) for t in tasks}
    assert (late, "overdue") in kinds and (soon, "due_soon") in kinds and (draft, "draft") in kinds
    assert (draft, "overdue") not in kinds  # a draft is nobody's late publication yet
    assert not any(t["dataset"] == never and t["kind"] in ("overdue", "due_soon") for t in tasks)
    overdue = next(t for t in tasks if t["dataset"] == late and t["kind"] == "overdue")
    assert overdue["severity"] == "high" and "(Daily)" in overdue["message"]
    assert overdue["link"] == f"/dataset/{late}#freshness"
    assert [t["severity"] for t in tasks] == sorted((t["severity"] for t in tasks), key=scores.SEVERITY.get)
    assert get(portal, "/api/v1/quality/todo", other_token) == []  # another organization's editor
    with portal.client() as http:
        assert http.get("/api/v1/quality/todo").status_code == 401
        assert http.get("/api/v1/organizations/no-such-org/quality").status_code == 404
        assert http.get(f"/api/v1/datasets/{draft}/freshness").status_code == 404  # a draft is not public


def test_the_command_line_checks_links_then_scores_every_dataset(tmp_path: Path) -> None:
    env = {**os.environ, "DEREK_DATA_DIR": str(tmp_path), "DEREK_LINK_CHECKS": "false"}
    portal_gen = start_portal(tmp_path, run_jobs=False)
    portal = next(portal_gen)
    try:
        org = portal.make_org()
        names = [portal.make_dataset(org) for _ in range(3)]
        env["DEREK_DATABASE_URL"] = portal.settings.effective_database_url
        derek = str(Path(sys.executable).with_name("derek"))
        done = subprocess.run([derek, "quality", "run"], env=env, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        assert "datasets scored" in done.stderr and "of 405 points" in done.stderr, done.stderr
        with portal.db.session() as s:
            for name in names:
                row = s.get(DatasetQuality, dataset_id(portal, name))
                assert row is not None and row.computed_at is not None
                assert row.computed_generation == row.generation
    finally:
        next(portal_gen, None)


# ---------------------------------------------------------------- reminders of due updates


def remind(portal: Portal, token: str) -> dict[str, Any]:
    """Run the daily reminder job now, then send the outbox (rather than wait for the next minute)."""
    with portal.db.session() as s:
        job = jobs.enqueue(s, SYSTEM, reminders.REMINDER_JOB, "datasets", "freshness")
    done = portal.wait_job(token, job.id)
    assert done["status"] == "succeeded", done
    with portal.db.session() as s:
        sending = jobs.enqueue(s, SYSTEM, mail.SEND_JOB, mail.OUTBOX, mail.OUTBOX)
    assert portal.wait_job(token, sending.id)["status"] == "succeeded"
    return dict(done["result"])


def test_publishers_are_reminded_once_per_due_date_by_mail(tmp_path: Path) -> None:
    from tests.test_mail import SmtpServer

    smtp = SmtpServer(free_port())
    smtp.start()
    try:
        for portal in start_portal(tmp_path, smtp_host="127.0.0.1", smtp_port=smtp.port, mail_from="p@x.kz"):
            _root, root_token = portal.make_user(sysadmin=True)
            org = portal.make_org()
            editor, _t = portal.make_user(org=org)
            by_contact = portal.make_dataset(org, update_frequency="DAILY", contact_email="data@agency.kz")
            by_editors = portal.make_dataset(org, update_frequency="WEEKLY")
            on_time = portal.make_dataset(org, update_frequency="ANNUAL")
            hidden = portal.make_dataset(org, update_frequency="DAILY", private=True)
            backdate(portal, by_contact, days=3)
            backdate(portal, by_editors, days=6.5)
            backdate(portal, hidden, days=3)
            for name in (by_contact, by_editors, on_time, hidden):
                wait_scored(portal, name)

            assert remind(portal, root_token) == {"queued": 2, "already_sent": 0, "no_address": 0}
            assert remind(portal, root_token) == {"queued": 0, "already_sent": 2, "no_address": 0}
    finally:
        smtp.stop()
    got = {tuple(r.rcpt_tos): r for r in smtp.recorder.received}
    assert len(smtp.recorder.received) == 2
    overdue = got[("data@agency.kz",)]
    assert overdue.subject == f"Жаңарту мерзімі өтті: Жиынтық {by_contact}"  # the portal's language, kk
    assert "келесі жаңарту" in overdue.body
    assert f"/dataset/{by_contact}" in overdue.body and "/dashboard/todo" in overdue.body
    soon = got[(f"{editor}@example.org",)]
    assert soon.subject == f"Жаңарту мерзімі жақындады: Жиынтық {by_editors}"
    assert f"/dataset/{by_editors}" in soon.body


# ---------------------------------------------------------------- facets and filters of the search


def test_rating_stars_and_freshness_are_search_facets_and_filters(portal: Portal) -> None:
    org = portal.make_org()
    good = portal.make_dataset(org, update_frequency="DAILY", keywords=["facets"], themes=["ECON"])
    bare = portal.make_dataset(org, update_frequency="DAILY")
    with portal.db.session() as s:
        catalog.create_resource(
            s, SYSTEM, good, ResourceCreate(url="https://example.org/g.csv", format="CSV")
        )
    backdate(portal, bare, days=3)
    rows = {name: wait_scored(portal, name) for name in (good, bare)}
    with portal.client() as http:
        found = http.get("/api/v1/datasets", params={"organization": org})
        assert found.status_code == 200, found.text
        facets = {
            name: {f["value"]: f["count"] for f in values} for name, values in found.json()["facets"].items()
        }
        assert facets["stars"] == {"3": 1, "0": 1}
        assert facets["freshness"] == {"on_time": 1, "overdue": 1}
        assert facets["rating"] == dict(collections.Counter(r.rating for r in rows.values()))

        def names(**params: str) -> set[str]:
            r = http.get("/api/v1/datasets", params={"organization": org, **params})
            assert r.status_code == 200, r.text
            return {d["name"] for d in r.json()["results"]}

        assert names(stars="3") == {good}
        assert names(freshness="overdue") == {bare}
        assert names(rating=rows[bare].rating) >= {bare}
        assert names(stars="5") == set()
        page = http.get(f"/organization/{org}", params={"freshness": "overdue", "lang": "en"})
        assert page.status_code == 200 and re.search(r"Freshness:</span>\s*overdue", page.text), page.text
        assert bare in page.text and good not in page.text


def test_ckan_package_dicts_carry_the_figures_as_extras_that_clients_cannot_set(portal: Portal) -> None:
    org = portal.make_org()
    _editor, token = portal.make_user(org=org)
    name = portal.make_dataset(org, update_frequency="DAILY", extras={"source": "ministry"})
    backdate(portal, name, days=3)
    row = wait_scored(portal, name)
    with portal.client(token) as http:
        shown = http.get("/api/3/action/package_show", params={"id": name}).json()["result"]
        extras = {e["key"]: e["value"] for e in shown["extras"]}
        assert extras == {
            "source": "ministry",
            "quality_score": f"{row.points}/405",
            "quality_rating": row.rating,
            "openness_stars": "0",
            "freshness": "overdue",
            "freshness_due": row.due_at.date().isoformat() if row.due_at else "",
        }
        # a client sends the dict back with the figures changed: they are not stored as its own extras
        shown["extras"] = [
            {**e, "value": "5"} if e["key"] == "openness_stars" else e for e in shown["extras"]
        ]
        updated = http.post("/api/3/action/package_update", json=shown)
        assert updated.status_code == 200, updated.text
    with portal.db.session() as s:
        stored = s.scalar(select(Dataset.extras).where(Dataset.slug == name))
        assert stored == {"source": "ministry"}
    row = wait_scored(portal, name)
    with portal.client() as http:
        found = http.get("/api/3/action/package_search", params={"q": f"name:{name}"}).json()["result"]
        extras = {e["key"]: e["value"] for e in found["results"][0]["extras"]}
        assert extras["openness_stars"] == "0" and extras["quality_score"] == f"{row.points}/405"
