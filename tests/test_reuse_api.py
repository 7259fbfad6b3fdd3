"""Reuse through its native API on a real portal (Kazakhstan's profile): use cases (created, read, changed,
deleted; each required field refused by name; private and draft datasets neither named by outsiders nor
shown to the public; moderation; screenshots, refused before anything is stored), ideas (one support per
person, also for two calls at once; comments, answers, moderation), the anomaly report for moderators and
voiding supports, an idea's supports as demand evidence of a selection proposal, and the liveness monitor
against a server on 127.0.0.1 (live, then dead, then out of the default list after the grace period)."""

from __future__ import annotations

import hashlib
import io
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from PIL import Image

from derek.core import jobs
from derek.reuse import liveness_service as liveness
from derek.reuse import service as reuse
from tests.conftest import Portal, local_server, start_portal

API = "/api/v1/reuse"
MODERATORS = "ministry-of-digital-development"  # the kz profile's [reuse] moderators
DESCRIPTION = {
    "en": "Shows the bus stops of the city on a map, with the timetable of every route that stops there.",
    "ru": "Показывает остановки города на карте с расписанием каждого маршрута.",
}


@dataclass
class World:
    """A city administration with a public, a private and a draft dataset and its official; the
    moderators' ministry with its editor; a maker of apps and other citizens."""

    portal: Portal
    org: str
    public_dataset: str
    private_dataset: str
    draft_dataset: str
    http: dict[str, httpx.Client]
    names: dict[str, str]

    @property
    def public(self) -> httpx.Client:
        return self.http["anonymous"]

    def body(self, **changes: Any) -> dict[str, Any]:
        """A valid use case naming the public dataset."""
        base = {
            "title": {"en": "Bus stop map", "ru": "Карта остановок"},
            "description": DESCRIPTION,
            "kind": "app",
            "url": "https://bus.example.kz/",
            "store_links": [{"store": "google_play", "url": "https://play.example.kz/bus"}],
            "topics": [],
            "author": "City transport team",
            "contact": "team@example.kz",
            "datasets": [self.public_dataset],
        }
        return base | changes

    def use_case(self, who: str = "maker", **changes: Any) -> dict[str, Any]:
        r = self.http[who].post(f"{API}/use-cases", json=self.body(**changes), params={"lang": "en"})
        assert r.status_code == 201, r.text
        return dict(r.json())

    def idea(self, title: str, who: str = "citizen-1", **fields: Any) -> dict[str, Any]:
        r = self.http[who].post(f"{API}/ideas", json={"title": title} | fields, params={"lang": "en"})
        assert r.status_code == 201, r.text
        return dict(r.json())


def _world(portal: Portal) -> tuple[World, list[httpx.Client]]:
    org = portal.make_org(portal.unique("akimat"), title={"en": "City akimat", "ru": "Акимат города"})
    portal.make_org(MODERATORS, title={"en": "Ministry of Digital Development"})
    public = portal.make_dataset(org, portal.unique("bus-stops"))
    private = portal.make_dataset(org, portal.unique("depot-plans"), private=True)
    draft = portal.make_dataset(org, portal.unique("tariff-draft"), state="draft")
    users = {
        "maker": {},
        "citizen-1": {},
        "citizen-2": {},
        "citizen-3": {},
        "official": {"org": org, "role": "editor"},
        "moderator": {"org": MODERATORS, "role": "editor"},
    }
    http = {"anonymous": portal.client()}
    names = {}
    for role, kwargs in users.items():
        names[role], token = portal.make_user(portal.unique(role), **kwargs)
        http[role] = portal.client(f"Bearer {token}")
    return World(portal, org, public, private, draft, http, names), list(http.values())


@pytest.fixture(scope="module")
def kz(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Portal]:
    yield from start_portal(tmp_path_factory.mktemp("reuse-api"))


@pytest.fixture(scope="module")
def world(kz: Portal) -> Iterator[World]:
    made, clients = _world(kz)
    yield made
    for client in clients:
        client.close()


def problem(r: httpx.Response, status: int) -> dict[str, Any]:
    assert r.status_code == status, f"{r.status_code} instead of {status}: {r.text[:400]}"
    assert r.headers["content-type"].startswith("application/problem+json")
    return dict(r.json())


def png(width: int = 120, height: int = 80, colour: tuple[int, int, int] = (30, 120, 200)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(out, "PNG")
    return out.getvalue()


def stored(portal: Portal, content: bytes) -> bool:
    sha = hashlib.sha256(content).hexdigest()
    return (portal.settings.files_dir / sha[:2] / sha[2:4] / sha).exists()


# ---------------------------------------------------------------- use cases


def test_a_use_case_is_created_read_changed_and_deleted_by_its_submitter(world: World) -> None:
    made = world.use_case(title={"en": "Bus stop map of Kokshetau", "ru": "Карта остановок Кокшетау"})
    number = made["id"]
    assert made["state"] == made["liveness"] == "unchecked" and made["retired"] is False
    assert made["may_edit"] is True and made["contact"] == "team@example.kz"
    assert [d["name"] for d in made["datasets"]] == [world.public_dataset]
    assert made["datasets"][0]["organization"] == world.org
    assert made["datasets"][0]["organization_title"] == "City akimat"
    assert made["store_links"] == [{"store": "google_play", "url": "https://play.example.kz/bus"}]

    read = world.public.get(f"{API}/use-cases/{number}")
    assert read.status_code == 200, read.text
    assert read.json()["title"]["ru"] == "Карта остановок Кокшетау"
    assert read.json()["contact"] is None and read.json()["may_edit"] is False  # its contact is not public
    found = world.public.get(f"{API}/use-cases", params={"q": "kokshetau"}).json()
    assert [u["id"] for u in found["results"]] == [number] and found["count"] == 1
    assert (
        world.public.get(f"{API}/use-cases", params={"q": "kokshetau", "kind": "article"}).json()["results"]
        == []
    )
    by_dataset = world.public.get(f"{API}/use-cases", params={"dataset": world.public_dataset}).json()
    assert number in [u["id"] for u in by_dataset["results"]]
    by_org = world.public.get(f"{API}/use-cases", params={"organization": world.org}).json()
    assert number in [u["id"] for u in by_org["results"]]

    change = world.body(title={"en": "Bus stop map of Kokshetau"}, prototype=True, kind="service")
    problem(world.public.put(f"{API}/use-cases/{number}", json=change), 401)
    problem(world.http["citizen-1"].put(f"{API}/use-cases/{number}", json=change), 403)
    problem(world.http["citizen-1"].delete(f"{API}/use-cases/{number}"), 403)
    problem(world.public.delete(f"{API}/use-cases/{number}"), 401)
    changed = world.http["maker"].put(f"{API}/use-cases/{number}", json=change)
    assert changed.status_code == 200, changed.text
    assert (changed.json()["state"], changed.json()["kind"], changed.json()["title"]) == (
        "prototype",
        "service",
        {"en": "Bus stop map of Kokshetau"},
    )
    prototypes = world.public.get(f"{API}/use-cases", params={"q": "kokshetau", "state": "prototype"}).json()
    assert [u["id"] for u in prototypes["results"]] == [number]
    stats = world.public.get(f"{API}/stats").json()
    assert stats["by_state"]["prototype"] >= 1 and sum(stats["by_state"].values()) == stats["total"]
    assert set(stats["by_kind"]) == {"app", "service", "visualisation", "article", "research", "other"}

    assert world.http["maker"].delete(f"{API}/use-cases/{number}").status_code == 204
    problem(world.public.get(f"{API}/use-cases/{number}"), 404)
    problem(world.http["maker"].delete(f"{API}/use-cases/{number}"), 404)


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"datasets": []}, "datasets", "at least one dataset"),
        ({"datasets": ["no-such-dataset"]}, "datasets", "no-such-dataset"),
        ({"contact": "call us"}, "contact", "e-mail"),
        ({"contact": ""}, "contact", "required"),
        ({"description": {"en": "An app."}}, "description", "too short"),
        ({"url": "", "store_links": []}, "url", "store link"),
        ({"url": "ftp://bus.example.kz/"}, "url", "http"),
        ({"author": " "}, "author", "required"),
        ({"title": {}}, "title", "required"),
        ({"title": {"de": "Karte"}}, "title.de", "not a language"),
        ({"topics": ["not-a-theme"]}, "topics", "not-a-theme"),
        ({"kind": "poster"}, "kind", ""),
        ({"store_links": [{"store": "shop", "url": "https://x.example"}]}, "store_links.0.store", ""),
        ({"extra": 1}, "extra", "Unknown field"),
    ],
)
def test_each_required_field_is_refused_by_name(
    world: World, changes: dict[str, Any], field: str, words: str
) -> None:
    found = problem(world.http["maker"].post(f"{API}/use-cases", json=world.body(**changes)), 422)
    assert field in found["errors"], found
    assert words in " ".join(found["errors"][field]), found


def test_a_missing_field_is_named_and_ids_are_numbers(world: World) -> None:
    body = {k: v for k, v in world.body().items() if k != "author"}
    assert "author" in problem(world.http["maker"].post(f"{API}/use-cases", json=body), 422)["errors"]
    for path in ("use-cases/abc", "use-cases/0", "use-cases/99999999999", "use-cases/-1", "ideas/x1"):
        problem(world.public.get(f"{API}/{path}"), 422)
    problem(world.public.get(f"{API}/use-cases/2147483647"), 404)
    problem(world.public.get(f"{API}/ideas/2147483647"), 404)
    problem(world.http["moderator"].delete(f"{API}/screenshots/2147483647"), 404)
    problem(world.http["moderator"].post(f"{API}/comments/2147483647/moderation", json={"hidden": True}), 404)
    problem(
        world.http["moderator"].post(f"{API}/comments/99999999999/moderation", json={"hidden": True}), 422
    )
    assert (
        "per_page" in problem(world.public.get(f"{API}/use-cases", params={"per_page": 101}), 422)["errors"]
    )
    assert "state" in problem(world.public.get(f"{API}/use-cases", params={"state": "alive"}), 422)["errors"]
    problem(world.public.get(f"{API}/use-cases", params={"organization": "no-such-org"}), 404)
    problem(world.public.get(f"{API}/ideas", params={"organization": "no-such-org"}), 404)


def test_a_nul_character_naming_a_dataset_or_an_organization_is_not_found_not_a_server_error(
    world: World,
) -> None:
    """PostgreSQL refuses NUL in a query's text: a name holding one is nobody's (SQLite would not tell)."""
    problem(world.public.get(f"{API}/use-cases", params={"dataset": "bus\x00stops"}), 404)
    for params in ({"dataset": "bus\x00stops"}, {"organization": "akimat\x00"}):
        assert world.public.get("/reuse/use-cases", params=params).status_code == 200
    assert world.http["maker"].get("/reuse/use-cases/new", params={"dataset": "\x00"}).status_code == 200
    refused = world.http["official"].post(
        f"{API}/surveys", json={"title": {"en": "Session"}, "organization": "\x00"}
    )
    assert "organization" in problem(refused, 422)["errors"]


def test_private_and_draft_datasets_are_neither_named_by_outsiders_nor_shown_to_the_public(
    world: World,
) -> None:
    for hidden in (world.private_dataset, world.draft_dataset):
        refused = world.http["maker"].post(
            f"{API}/use-cases", json=world.body(datasets=[world.public_dataset, hidden])
        )
        assert hidden in " ".join(problem(refused, 422)["errors"]["datasets"])
    # the administration's official may see them, and names them
    made = world.use_case(
        "official", datasets=[world.public_dataset, world.private_dataset, world.draft_dataset]
    )
    number = made["id"]
    everything = [world.public_dataset, world.private_dataset, world.draft_dataset]
    assert [d["name"] for d in made["datasets"]] == everything
    for who in ("anonymous", "citizen-1", "moderator"):
        read = world.http[who].get(f"{API}/use-cases/{number}").json()
        assert [d["name"] for d in read["datasets"]] == [world.public_dataset], who
    problem(world.public.get(f"{API}/use-cases", params={"dataset": world.private_dataset}), 404)
    # a moderator, who cannot see them, changes the use case: the links it cannot see stay
    change = world.body(title={"en": "Depot map"}, datasets=[world.public_dataset])
    assert world.http["moderator"].put(f"{API}/use-cases/{number}", json=change).status_code == 200
    again = world.http["official"].get(f"{API}/use-cases/{number}").json()
    assert [d["name"] for d in again["datasets"]] == everything
    assert world.http["official"].delete(f"{API}/use-cases/{number}").status_code == 204


def test_a_moderator_hides_a_use_case_and_only_its_submitter_still_sees_it(world: World) -> None:
    number = world.use_case(title={"en": "Casino bonus app"})["id"]
    url = f"{API}/use-cases/{number}/moderation"
    problem(world.http["maker"].post(url, json={"shown": False, "note": "Mine"}), 403)
    problem(world.public.post(url, json={"shown": False, "note": "Spam"}), 401)
    assert "note" in problem(world.http["moderator"].post(url, json={"shown": False}), 422)["errors"]
    hidden = world.http["moderator"].post(url, json={"shown": False, "note": "Advertising"})
    assert hidden.status_code == 200, hidden.text
    assert hidden.json()["moderation"] == "hidden" and hidden.json()["may_moderate"] is True
    problem(world.public.get(f"{API}/use-cases/{number}"), 404)
    problem(world.http["citizen-1"].get(f"{API}/use-cases/{number}"), 404)
    problem(world.public.get(f"{API}/use-cases/{number}/checks"), 404)
    own = world.http["maker"].get(f"{API}/use-cases/{number}").json()
    assert (own["moderation"], own["moderation_note"]) == ("hidden", "Advertising")
    listed = world.public.get(f"{API}/use-cases", params={"q": "casino"}).json()
    assert listed["results"] == [] and listed["count"] == 0
    shown = world.http["moderator"].post(url, json={"shown": True})
    assert shown.status_code == 200 and shown.json()["moderation_note"] == ""
    assert world.public.get(f"{API}/use-cases/{number}").status_code == 200


def test_screenshots_are_pictures_and_refused_uploads_keep_no_file(world: World) -> None:
    number = world.use_case()["id"]
    url = f"{API}/use-cases/{number}/screenshots"
    picture = png(colour=(10, 200, 40))
    added = world.http["maker"].post(
        url, files={"file": ("map.png", picture, "image/png")}, data={"caption": "The map"}
    )
    assert added.status_code == 201, added.text
    shot = added.json()
    assert (shot["media_type"], shot["width"], shot["height"], shot["caption"]) == (
        "image/png",
        120,
        80,
        "The map",
    )
    assert shot["url"] == f"/reuse/screenshots/{shot['id']}" and stored(world.portal, picture)
    read = world.public.get(f"{API}/use-cases/{number}").json()
    assert [s["id"] for s in read["screenshots"]] == [shot["id"]]

    text = b"<html>a page, not a picture</html>"
    refused = problem(world.http["maker"].post(url, files={"file": ("map.png", text, "image/png")}), 422)
    assert "PNG, JPEG or WebP" in refused["errors"]["file"][0]
    assert not stored(world.portal, text)
    for client, status in ((world.public, 401), (world.http["citizen-1"], 403)):
        other = png(colour=(status % 256, 1, 2))
        problem(client.post(url, files={"file": ("x.png", other, "image/png")}), status)
        assert not stored(world.portal, other)  # refused before the upload was stored
    problem(
        world.http["maker"].post(f"{API}/use-cases/2147483647/screenshots", files={"file": ("x", picture)}),
        404,
    )

    problem(world.http["citizen-1"].delete(f"{API}/screenshots/{shot['id']}"), 403)
    assert world.http["maker"].delete(f"{API}/screenshots/{shot['id']}").status_code == 204
    assert world.public.get(f"{API}/use-cases/{number}").json()["screenshots"] == []
    assert not stored(world.portal, picture)  # nothing else pointed at it


# ---------------------------------------------------------------- ideas


def test_the_same_user_supporting_an_idea_twice_counts_once(world: World) -> None:
    number = world.idea("Publish bicycle lanes of the city")["id"]
    url = f"{API}/ideas/{number}/support"
    first = world.http["maker"].post(url)
    again = world.http["maker"].post(url)
    assert (first.status_code, first.json()) == (201, {"counted": True, "supported": True, "supports": 1})
    assert (again.status_code, again.json()) == (200, {"counted": False, "supported": True, "supports": 1})
    read = world.http["maker"].get(f"{API}/ideas/{number}").json()
    assert read["supports"] == 1 and read["supported_by_me"] is True
    assert world.public.get(f"{API}/ideas/{number}").json()["supported_by_me"] is False

    token = world.http["citizen-2"].headers["Authorization"]
    barrier = threading.Barrier(2)
    answers: list[int] = []

    def click() -> None:
        with world.portal.client(token) as http:
            barrier.wait()
            answers.append(http.post(url).status_code)

    threads = [threading.Thread(target=click) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(answers) == [200, 201]
    assert world.public.get(f"{API}/ideas/{number}").json()["supports"] == 2

    assert "Log in" in problem(world.public.post(url), 401)["detail"]
    withdrawn = world.http["maker"].delete(url)
    assert withdrawn.json() == {"counted": False, "supported": False, "supports": 1}
    problem(world.public.delete(url), 401)
    problem(world.http["maker"].post(f"{API}/ideas/2147483647/support"), 404)
    listed = world.public.get(f"{API}/ideas", params={"q": "bicycle lanes"}).json()
    assert [(i["id"], i["supports"]) for i in listed["results"]] == [(number, 1)]


def test_the_api_masks_personal_data_in_ideas_as_the_pages_do(world: World) -> None:
    phone = "+7 701 234 5678"
    made = world.idea(f"Bus stops near {phone}", body=f"Call me on {phone}.")
    number = made["id"]
    world.http["citizen-2"].post(f"{API}/ideas/{number}/comments", json={"body": f"Or me: {phone}"})
    world.http["moderator"].post(f"{API}/ideas/{number}/answer", json={"answer": f"We called {phone}."})
    read = world.public.get(f"{API}/ideas/{number}")
    listed = world.public.get(f"{API}/ideas", params={"q": "bus stops near"})
    for answer in (read, listed):
        assert answer.status_code == 200 and "234 5678" not in answer.text, answer.text[:400]
    assert read.json()["body"].startswith("Call me on ") and read.json()["comments"][0]["body"]


def test_ideas_are_checked_commented_answered_and_moderated(world: World) -> None:
    problem(world.public.post(f"{API}/ideas", json={"title": "Open the pharmacy register"}), 401)
    citizen = world.http["citizen-1"]
    assert "title" in problem(citizen.post(f"{API}/ideas", json={"title": "  "}), 422)["errors"]
    assert "kind" in problem(citizen.post(f"{API}/ideas", json={"title": "x", "kind": "vote"}), 422)["errors"]
    unknown = citizen.post(f"{API}/ideas", json={"title": "x", "organization": "no-such-org"})
    assert "organization" in problem(unknown, 422)["errors"]

    made = world.idea(
        "Open the register of pharmacies", kind="dataset_request", organization=world.org, body="With hours."
    )
    number = made["id"]
    assert (made["kind"], made["status"], made["organization"], made["organization_title"]) == (
        "dataset_request",
        "open",
        world.org,
        "City akimat",
    )
    assert made["author"] and made["keywords"] == []  # optional: evidence reads the title too
    assert made["may_answer"] is False and made["comments"] == []

    comment = world.http["citizen-2"].post(f"{API}/ideas/{number}/comments", json={"body": "Yes, please"})
    assert comment.status_code == 201, comment.text
    rude = world.http["citizen-3"].post(f"{API}/ideas/{number}/comments", json={"body": "Rude words"})
    assert "body" in problem(citizen.post(f"{API}/ideas/{number}/comments", json={"body": ""}), 422)["errors"]
    problem(world.public.post(f"{API}/ideas/{number}/comments", json={"body": "Anonymous"}), 401)
    hide = f"{API}/comments/{rude.json()['id']}/moderation"
    problem(citizen.post(hide, json={"hidden": True}), 403)
    assert world.http["moderator"].post(hide, json={"hidden": True}).json()["hidden"] is True
    public = world.public.get(f"{API}/ideas/{number}").json()
    assert [c["body"] for c in public["comments"]] == ["Yes, please"] and public["comment_count"] == 1
    moderated = world.http["moderator"].get(f"{API}/ideas/{number}").json()
    assert [(c["body"], c["hidden"]) for c in moderated["comments"]] == [
        ("Yes, please", False),
        ("Rude words", True),
    ]

    answer = {"answer": "Published as a dataset.", "dataset": world.public_dataset}
    problem(world.http["citizen-2"].post(f"{API}/ideas/{number}/answer", json=answer), 403)
    bad = world.http["official"].post(f"{API}/ideas/{number}/answer", json=answer | {"dataset": "no-such"})
    assert "dataset" in problem(bad, 422)["errors"]
    answered = world.http["official"].post(f"{API}/ideas/{number}/answer", json=answer)
    assert answered.status_code == 200, answered.text
    assert (answered.json()["status"], answered.json()["dataset"]) == ("answered", world.public_dataset)
    assert answered.json()["may_answer"] is True
    found = world.public.get(
        f"{API}/ideas", params={"status": "answered", "organization": world.org, "kind": "dataset_request"}
    ).json()
    assert number in [i["id"] for i in found["results"]]
    assert found["results"][0]["comment_count"] == 1

    url = f"{API}/ideas/{number}/moderation"
    problem(citizen.post(url, json={"shown": False, "note": "Mine"}), 403)
    hidden = world.http["moderator"].post(url, json={"shown": False, "note": "Duplicate of another"})
    assert hidden.status_code == 200 and hidden.json()["status"] == "hidden"
    problem(world.public.get(f"{API}/ideas/{number}"), 404)
    problem(world.http["citizen-2"].post(f"{API}/ideas/{number}/support"), 404)
    own = citizen.get(f"{API}/ideas/{number}").json()
    assert (own["status"], own["moderation_note"]) == ("hidden", "Duplicate of another")
    assert number not in [
        i["id"] for i in world.public.get(f"{API}/ideas", params={"per_page": 100}).json()["results"]
    ]
    shown = world.http["moderator"].post(url, json={"shown": True})
    assert shown.json()["status"] == "answered"


def test_ideas_are_listed_by_support_or_newest_first(world: World) -> None:
    low = world.idea("Zebra crossings with one support")["id"]
    high = world.idea("Zebra crossings with two supports")["id"]
    for who, number in (("citizen-2", low), ("citizen-2", high), ("citizen-3", high)):
        assert world.http[who].post(f"{API}/ideas/{number}/support").status_code == 201
    by_support = world.public.get(f"{API}/ideas", params={"q": "zebra crossings"}).json()
    assert [i["id"] for i in by_support["results"]] == [high, low] and by_support["count"] == 2
    newest = world.public.get(f"{API}/ideas", params={"q": "zebra crossings", "sort": "new"}).json()
    assert [i["id"] for i in newest["results"]] == [high, low]
    paged = world.public.get(f"{API}/ideas", params={"q": "zebra crossings", "per_page": 1, "page": 2}).json()
    assert [i["id"] for i in paged["results"]] == [low] and paged["count"] == 2


def test_the_anomaly_report_is_for_moderators_who_void_supports(world: World) -> None:
    number = world.idea("Publish parking fines by street")["id"]
    rules = reuse.rules_for(world.portal.settings.jurisdiction)
    voters = ["citizen-2", "citizen-3", "maker"][: rules.shared_address]
    for who in voters:  # every call of the tests comes from 127.0.0.1: one address behind many accounts
        assert world.http[who].post(f"{API}/ideas/{number}/support").status_code == 201
    problem(world.public.get(f"{API}/anomalies"), 401)
    problem(world.http["citizen-1"].get(f"{API}/anomalies"), 403)
    problem(world.http["official"].get(f"{API}/anomalies"), 403)
    report = world.http["moderator"].get(f"{API}/anomalies")
    assert report.status_code == 200, report.text
    mine = [a for a in report.json() if a["idea"] == number]
    assert [a["kind"] for a in mine] == ["shared_address"]
    assert mine[0]["count"] == len(voters) and mine[0]["idea_title"] == "Publish parking fines by street"
    assert sorted(mine[0]["accounts"]) == sorted(world.names[v] for v in voters)
    assert mine[0]["address"] and "127.0.0.1" not in mine[0]["address"]  # a keyed hash, not the address

    void = {"accounts": [world.names[v] for v in voters[:2]], "reason": "One address, many accounts"}
    problem(world.http["citizen-1"].post(f"{API}/ideas/{number}/supports/void", json=void), 403)
    assert (
        "reason"
        in problem(
            world.http["moderator"].post(f"{API}/ideas/{number}/supports/void", json=void | {"reason": ""}),
            422,
        )["errors"]
    )
    done = world.http["moderator"].post(f"{API}/ideas/{number}/supports/void", json=void)
    assert done.status_code == 200, done.text
    assert done.json() == {"removed": 2, "supports": len(voters) - 2}
    assert world.public.get(f"{API}/ideas/{number}").json()["supports"] == len(voters) - 2


def test_an_idea_with_supports_is_demand_evidence_of_a_selection_proposal(world: World) -> None:
    proposal = world.http["citizen-1"].post(
        "/api/v1/selection/proposals",
        json={"title": "Ferry timetables", "organization": world.org, "keywords": ["ferry timetable"]},
    )
    assert proposal.status_code == 201, proposal.text
    number = proposal.json()["number"]
    evidence_url = f"/api/v1/selection/proposals/{number}/evidence"
    before = world.public.get(evidence_url).json()
    assert [e for e in before["evidence"] if e["kind"] == "idea"] == []

    idea = world.idea("Publish ferry timetables of the river port", who="citizen-2")["id"]
    for who in ("citizen-1", "citizen-3"):
        assert world.http[who].post(f"{API}/ideas/{idea}/support").status_code == 201
    found = world.public.get(evidence_url).json()
    ideas = [e for e in found["evidence"] if e["kind"] == "idea"]
    assert [(e["url"], e["count"]) for e in ideas] == [(f"/reuse/ideas/{idea}", 3)]  # its author and two more
    assert ideas[0]["title"] == "Publish ferry timetables of the river port"
    assert found["counts"]["idea"] == 3 and found["index"] - before["index"] == 3 * found["weights"]["idea"]


# ---------------------------------------------------------------- the liveness monitor


CLOCK = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def answers() -> Iterator[tuple[str, dict[str, int]]]:
    """A server on 127.0.0.1 answering 200 unless told another status per path; its base URL."""
    statuses: dict[str, int] = {}

    def answer(_method: str, target: str) -> tuple[int, dict[str, str], bytes]:
        return statuses.get(target, 200), {}, b""

    with local_server(answer) as base:
        yield base, statuses


@pytest.fixture(scope="module")
def watched(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Portal]:
    """A portal that checks addresses (those of 127.0.0.1 too), with a clock the test moves."""
    yield from start_portal(
        tmp_path_factory.mktemp("reuse-liveness"),
        link_checks=True,
        fetch_allow_private=True,
        fetch_timeout=1.0,
        clock=CLOCK,
    )


def _scheduled_check_done(portal: Portal) -> None:
    """The worker queues a check of every use case when it starts: wait until it has ended, so the checks
    the test asks for are new ones (a waiting or running check is the one a moderator is given)."""
    deadline = time.monotonic() + 60
    while True:
        with portal.db.session() as s:
            job = jobs.latest_for(s, liveness.CHECK_JOB, "use_cases")
            if job is not None and job.status in ("succeeded", "failed"):
                return
        assert time.monotonic() < deadline, "the worker did not run its first check of use cases"
        time.sleep(0.05)


def test_a_use_case_is_live_then_dead_then_retired_after_the_grace_period(
    watched: Portal, answers: tuple[str, dict[str, int]]
) -> None:
    base, statuses = answers
    world, clients = _world(watched)
    try:
        _scheduled_check_done(watched)
        number = world.use_case(url=f"{base}/apps/bus-map", store_links=[])["id"]
        problem(world.http["maker"].post(f"{API}/liveness-check"), 403)
        problem(world.public.post(f"{API}/liveness-check"), 401)
        moderator = world.http["moderator"].headers["Authorization"].removeprefix("Bearer ")

        def check() -> dict[str, Any]:
            r = world.http["moderator"].post(f"{API}/liveness-check")
            assert r.status_code == 202, r.text
            assert r.headers["location"] == f"/api/v1/jobs/{r.json()['id']}"
            job = watched.wait_job(moderator, r.json()["id"])
            assert job["status"] == "succeeded" and job["kind"] == "reuse.liveness", job
            read = world.public.get(f"{API}/use-cases/{number}")
            assert read.status_code == 200, read.text
            return dict(read.json())

        live = check()
        assert (live["liveness"], live["state"], live["dead_since"]) == ("live", "live", None)
        assert live["checked_at"] == CLOCK.isoformat().replace("+00:00", "Z")

        statuses["/apps/bus-map"] = 404
        died = CLOCK + timedelta(days=1)
        watched.settings.clock = died
        dead = check()
        assert (dead["liveness"], dead["state"], dead["retired"]) == ("dead", "dead", False)
        assert (
            dead["dead_since"] == died.isoformat().replace("+00:00", "Z") and "404" in dead["liveness_note"]
        )
        history = world.public.get(f"{API}/use-cases/{number}/checks").json()
        assert [(c["http_status"], c["ok"], c["verdict"]) for c in history] == [
            (404, False, "dead"),
            (200, True, "live"),
        ]

        grace = reuse.rules_for(watched.settings.jurisdiction).grace_days
        watched.settings.clock = died + timedelta(days=grace - 1)  # still in the grace period
        listed = world.public.get(f"{API}/use-cases").json()
        assert number in [u["id"] for u in listed["results"]] and listed["retired_hidden"] == 0
        watched.settings.clock = died + timedelta(days=grace + 1)
        listed = world.public.get(f"{API}/use-cases").json()
        assert number not in [u["id"] for u in listed["results"]] and listed["retired_hidden"] == 1
        everything = world.public.get(f"{API}/use-cases", params={"include_retired": True}).json()
        assert [(u["id"], u["retired"]) for u in everything["results"]] == [(number, True)]
        assert world.public.get(f"{API}/use-cases/{number}").json()["retired"] is True
        stats = world.public.get(f"{API}/stats").json()
        assert (stats["total"], stats["by_state"]["dead"], stats["retired"]) == (1, 1, 1)
    finally:
        watched.settings.clock = CLOCK
        for client in clients:
            client.close()
