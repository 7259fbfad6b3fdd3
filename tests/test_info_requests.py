"""Information requests through the native API on a real portal (Kazakhstan's profile) whose clock the
tests set: reference numbers and statutory due dates, the confirmation delivered to a real SMTP server on
127.0.0.1, the officials' steps, refusals on the law's grounds, appeals to the superior body and its orders,
the public register without the requester's details, files held back by the personal-data guard,
statistics, publishing an answer as a dataset, and demand evidence."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from derek.info_requests import service
from tests.conftest import Portal, start_portal
from tests.test_mail import SmtpServer

IIN = "900101300126"  # synthetic (references section 2)
ALMATY = timedelta(hours=5)  # Asia/Almaty is UTC+5 since March 2024


def almaty(day: date, hour: int = 10) -> datetime:
    """A moment on that local day in Almaty, as the portal's UTC clock."""
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC) - ALMATY


@pytest.fixture(scope="module")
def smtp() -> Iterator[SmtpServer]:
    from tests.conftest import free_port

    server = SmtpServer(free_port())
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def kz(tmp_path_factory: pytest.TempPathFactory, smtp: SmtpServer) -> Iterator[Portal]:
    yield from start_portal(
        tmp_path_factory.mktemp("requests"),
        smtp_host="127.0.0.1",
        smtp_port=smtp.port,
        site_url="http://portal.example.kz",
        clock=almaty(date(2026, 3, 6)),
    )


class World:
    """A superior body, an agency under it with an editor and an admin, and the body's reviewer."""

    def __init__(self, portal: Portal) -> None:
        self.portal = portal
        self.superior = portal.make_org(title={"en": "Ministry", "ru": "Министерство", "kk": "Министрлік"})
        self.org = portal.make_org(
            parent=self.superior, title={"en": "Agency", "ru": "Агентство", "kk": "Агенттік"}
        )
        self.editor, editor_token = portal.make_user(org=self.org, role="editor")
        self.admin, admin_token = portal.make_user(org=self.org, role="admin")
        self.reviewer, reviewer_token = portal.make_user(org=self.superior, role="admin")
        self.outsider, outsider_token = portal.make_user()
        self.official = portal.client(f"Bearer {editor_token}")
        self.admin_http = portal.client(f"Bearer {admin_token}")
        self.review = portal.client(f"Bearer {reviewer_token}")
        self.other = portal.client(f"Bearer {outsider_token}")
        self.public = portal.client()

    def at(self, day: date, hour: int = 10) -> None:
        self.portal.settings.clock = almaty(day, hour)

    def submit(self, **fields: Any) -> dict[str, Any]:
        body = {
            "organization": self.org,
            "subject": "Budget of district schools",
            "body": "Please send the 2025 budget of every school in the district, by item.",
            "name": "A requester",
            "email": "requester@example.org",
            "identifier": IIN,
        } | fields
        r = self.public.post("/api/v1/requests", json=body)
        assert r.status_code == 201, r.text
        return dict(r.json())


@pytest.fixture(scope="module")
def world(kz: Portal) -> World:
    return World(kz)


def wait_for_mail(smtp: SmtpServer, to: str, containing: str, timeout: float = 90) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for message in smtp.recorder.received:
            if to in message.rcpt_tos and containing in message.subject:
                return message
        time.sleep(0.1)
    raise AssertionError(
        f"no message to {to} about {containing!r}: {[m.subject for m in smtp.recorder.received]}"
    )


def test_a_request_gets_a_reference_the_statutory_due_date_and_a_confirmation(
    world: World, smtp: SmtpServer
) -> None:
    world.at(date(2026, 3, 6))  # Friday; +15 calendar days is Sat 21 Mar, Nauryz (21-25 Mar) -> Thu 26 Mar
    made = world.submit(email="confirm@example.org")
    assert re.fullmatch(r"2026-\d{5}", made["reference"])
    assert made["received_on"] == "2026-03-06"
    assert made["due_on"] == made["first_due_on"] == "2026-03-26"
    assert made["status"] == "open" and made["access_key"]
    assert made["requester"]["identifier"] == IIN  # the requester sees what they sent
    message = wait_for_mail(smtp, "confirm@example.org", made["reference"])
    assert "2026-03-26" in message.body
    assert f"http://portal.example.kz/requests/{made['reference']}?key={made['access_key']}" in message.body
    officials = {world.editor, world.admin}
    for name in officials:
        wait_for_mail(smtp, f"{name}@example.org", made["reference"])


def test_the_public_register_never_shows_who_asked(world: World) -> None:
    world.at(date(2026, 3, 6))
    made = world.submit(name="Aigerim Private", email="private.person@example.org")
    for http in (world.public, world.other):
        page = http.get(f"/api/v1/requests/{made['reference']}")
        assert page.status_code == 200
        assert page.json()["requester"] is None
        for secret in ("Aigerim Private", "private.person@example.org", IIN):
            assert secret not in page.text
        listing = http.get("/api/v1/requests", params={"q": made["reference"]})
        assert [r["reference"] for r in listing.json()["results"]] == [made["reference"]]
        assert "private.person" not in listing.text
    seen = world.official.get(f"/api/v1/requests/{made['reference']}").json()["requester"]
    assert seen == {
        "name": "Aigerim Private",
        "email": "private.person@example.org",
        "identifier": IIN,
        "user": None,
    }
    key = world.public.get(f"/api/v1/requests/{made['reference']}", params={"key": made["access_key"]})
    assert key.json()["requester"]["name"] == "Aigerim Private"
    wrong = world.public.get(f"/api/v1/requests/{made['reference']}", params={"key": "not-the-key"})
    assert wrong.json()["requester"] is None


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"email": ""}, "email"),
        ({"email": "not-an-address"}, "email"),
        ({"identifier": ""}, "identifier"),
        ({"identifier": "900101300127"}, "identifier"),  # a wrong check digit
        ({"name": ""}, "name"),
        ({"organization": "no-such-organization"}, "organization"),
    ],
)
def test_a_request_the_law_would_not_accept_is_refused_with_the_field_named(
    world: World, change: dict[str, str], field: str
) -> None:
    before = world.public.get("/api/v1/requests").json()["count"]
    body = {
        "organization": world.org,
        "subject": "Budget of district schools",
        "body": "Please send the 2025 budget of every school in the district.",
        "name": "A requester",
        "email": "requester@example.org",
        "identifier": IIN,
    } | change
    r = world.public.post("/api/v1/requests", json=body)
    assert r.status_code == 422, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    assert field in r.json()["errors"], r.json()
    assert world.public.get("/api/v1/requests").json()["count"] == before


@pytest.mark.parametrize(
    "body",
    [
        {"subject": "x"},
        {"body": "short"},
        {"kind": "petition"},
        {"subject": "s" * 301},
        {"unexpected": "field"},
        {"organization": 12},
    ],
)
def test_malformed_requests_are_refused(world: World, body: dict[str, Any]) -> None:
    full = {"organization": world.org, "subject": "A fine subject", "body": "A long enough body text."} | body
    r = world.public.post("/api/v1/requests", json=full)
    assert r.status_code == 422, r.text


def test_a_signed_in_requester_is_known_by_the_account(world: World) -> None:
    world.at(date(2026, 3, 6))
    r = world.other.post(
        "/api/v1/requests",
        json={
            "organization": world.org,
            "subject": "Road repairs 2025",
            "body": "Which roads were repaired in 2025, at what cost?",
            "identifier": IIN,
        },
    )
    assert r.status_code == 201, r.text
    made = r.json()
    assert made["access_key"] is None
    assert made["requester"]["user"] == world.outsider
    assert made["requester"]["email"] == f"{world.outsider}@example.org"
    # the signed-in requester withdraws without a key; nobody else may
    assert world.public.post(f"/api/v1/requests/{made['reference']}/withdraw").status_code == 401
    assert world.official.post(f"/api/v1/requests/{made['reference']}/withdraw").status_code == 403
    done = world.other.post(f"/api/v1/requests/{made['reference']}/withdraw")
    assert done.status_code == 200 and done.json()["status"] == "withdrawn"


def test_the_whole_journey_refusal_appeal_overturn_and_order(world: World, smtp: SmtpServer) -> None:
    world.at(date(2026, 4, 1))  # Wednesday; +15 calendar days -> Thu 16 Apr 2026
    made = world.submit(email="journey@example.org", language="en")  # the mail is read in English below
    ref, key = made["reference"], made["access_key"]
    assert made["due_on"] == "2026-04-16"

    # assign to the editor; a user of another organization cannot be assigned, nor assign
    assert (
        world.official.post(f"/api/v1/requests/{ref}/assign", json={"assignee": world.outsider}).status_code
        == 422
    )
    assert (
        world.other.post(f"/api/v1/requests/{ref}/assign", json={"assignee": world.editor}).status_code == 403
    )
    assigned = world.admin_http.post(f"/api/v1/requests/{ref}/assign", json={"assignee": world.editor})
    assert assigned.status_code == 200 and assigned.json()["assignee"] == world.editor

    # asked to clarify on 6 Apr with 10 days left (6 -> 16 Apr): the clock stops
    world.at(date(2026, 4, 6))
    asked = world.official.post(f"/api/v1/requests/{ref}/clarification", json={"text": "Which district?"})
    assert asked.status_code == 200 and asked.json()["status"] == "clarification"
    assert asked.json()["paused_on"] == "2026-04-06"
    wait_for_mail(smtp, "journey@example.org", "clarify")
    # only the requester (here: with the key) clarifies; on 13 Apr the 10 days run again -> Thu 23 Apr
    world.at(date(2026, 4, 13))
    assert world.other.post(f"/api/v1/requests/{ref}/clarify", json={"text": "Almaty"}).status_code == 403
    clarified = world.public.post(
        f"/api/v1/requests/{ref}/clarify", params={"key": key}, json={"text": "The Medeu district of Almaty."}
    )
    assert clarified.status_code == 200, clarified.text
    assert clarified.json()["status"] == "open" and clarified.json()["due_on"] == "2026-04-23"

    # extended once by 15 calendar days (23 Apr -> Fri 8 May 2026; 7 May is a holiday, 8 May is not)
    extended = world.official.post(
        f"/api/v1/requests/{ref}/extend", json={"reason": "Several holders hold it."}
    )
    assert extended.status_code == 200 and extended.json()["due_on"] == "2026-05-08"
    again = world.official.post(f"/api/v1/requests/{ref}/extend", json={"reason": "Still more holders."})
    assert again.status_code == 409 and "once" in again.json()["detail"]

    # a refusal must cite the law's grounds, and only those
    refuse = {"outcome": "refused", "text": "The information is restricted."}
    assert world.official.post(f"/api/v1/requests/{ref}/answer", data=refuse).status_code == 422
    bad = world.official.post(f"/api/v1/requests/{ref}/answer", data=refuse | {"grounds": ["no-such-ground"]})
    assert bad.status_code == 422 and "grounds" in bad.json()["errors"]
    rules_grounds = [g.code for g in _rules(world).grounds]
    world.at(date(2026, 4, 20))
    refused = world.official.post(
        f"/api/v1/requests/{ref}/answer", data=refuse | {"grounds": [rules_grounds[2]]}
    )
    assert refused.status_code == 200, refused.text
    assert refused.json()["status"] == "refused" and refused.json()["grounds"] == [rules_grounds[2]]
    assert refused.json()["ground_titles"], "the ground is named in words"
    assert (
        world.official.post(
            f"/api/v1/requests/{ref}/answer", data=refuse | {"grounds": [rules_grounds[2]]}
        ).status_code
        == 409
    )

    # the requester appeals to the superior body; nobody else can, and only once at a time
    assert (
        world.other.post(
            f"/api/v1/requests/{ref}/appeals", json={"text": "This is not restricted data."}
        ).status_code
        == 403
    )
    appeal = world.public.post(
        f"/api/v1/requests/{ref}/appeals",
        params={"key": key},
        json={"text": "School budgets are public by law."},
    )
    assert appeal.status_code == 201, appeal.text
    assert appeal.json()["reason"] == "refused"
    # 20 working days from Mon 20 Apr: 21-24 and 27-30 Apr (8), 4-6 May (11; 1 May a holiday), 8 May (12;
    # 7 May a holiday), 12-15 May (16; 9 May, a Saturday, observed on Mon 11 May), 18-21 May (20): Thu 21 May
    assert appeal.json()["due_on"] == "2026-05-21"
    twice = world.public.post(
        f"/api/v1/requests/{ref}/appeals", params={"key": key}, json={"text": "Once more, please."}
    )
    assert twice.status_code == 409

    # the reviewer is the agency's superior body: its admin decides; the agency's own officials cannot
    decision = {
        "decision": "overturned",
        "text": "Budgets are never restricted (Art. 6).",
        "order_due_on": "2026-05-15",
    }
    appeal_id = appeal.json()["id"]
    assert world.official.post(f"/api/v1/appeals/{appeal_id}/decision", json=decision).status_code == 403
    assert world.public.post(f"/api/v1/appeals/{appeal_id}/decision", json=decision).status_code == 401
    assert [a["id"] for a in world.review.get("/api/v1/requests/appeals").json()] == [appeal_id]
    world.at(date(2026, 4, 27))
    decided = world.review.post(f"/api/v1/appeals/{appeal_id}/decision", json=decision)
    assert decided.status_code == 200, decided.text
    assert decided.json()["decision"] == "overturned" and decided.json()["order_due_on"] == "2026-05-15"
    reopened = world.public.get(f"/api/v1/requests/{ref}").json()
    assert reopened["status"] == "open" and reopened["due_on"] == "2026-05-15"
    assert ref in [r["reference"] for r in world.official.get("/api/v1/requests/queue").json()]

    # the agency discloses: the order is complied with on time
    world.at(date(2026, 5, 5))
    disclosed = world.official.post(
        f"/api/v1/requests/{ref}/answer",
        data={"outcome": "answered", "text": "The budgets are attached."},
        files=[("files", ("budgets.csv", b"school,budget\nSchool 1,1000\n", "text/csv"))],
    )
    assert disclosed.status_code == 200, disclosed.text
    final = world.public.get(f"/api/v1/requests/{ref}").json()
    assert final["appeals"][0]["order_complied_on"] == "2026-05-05"
    assert [e["kind"] for e in final["events"]] == [
        "submitted",
        "assigned",
        "clarification_asked",
        "clarified",
        "extended",
        "refused",
        "appealed",
        "appeal_decided",
        "answered",
        "order_complied",
    ]
    assert {e["role"] for e in final["events"]} == {"requester", "official", "reviewer"}
    assert all(e["by"] is None for e in final["events"] if e["role"] == "requester")
    text = world.public.get(f"/api/v1/requests/{ref}").text
    for secret in ("journey@example.org", IIN, "A requester"):
        assert secret not in text
    download = world.public.get(final["attachments"][0]["url"].replace("http://portal.example.kz", ""))
    assert download.status_code == 200 and download.content == b"school,budget\nSchool 1,1000\n"


def _rules(world: World) -> Any:
    from derek.info_requests.rules import rules_for

    return rules_for(world.portal.settings.jurisdiction)


def test_a_missed_deadline_is_flagged_and_can_be_appealed(world: World) -> None:
    world.at(date(2026, 6, 1))  # +15 -> Tue 16 Jun 2026
    made = world.submit()
    ref = made["reference"]
    assert made["due_on"] == "2026-06-16"
    world.at(date(2026, 6, 16), 23)
    assert world.public.get(f"/api/v1/requests/{ref}").json()["overdue"] is False  # the last day
    early = world.public.post(
        f"/api/v1/requests/{ref}/appeals", params={"key": made["access_key"]}, json={"text": "No answer yet."}
    )
    assert early.status_code == 409
    world.at(date(2026, 6, 17))
    assert world.public.get(f"/api/v1/requests/{ref}").json()["overdue"] is True
    overdue = world.public.get(
        "/api/v1/requests", params={"overdue": "true", "organization": world.org}
    ).json()
    assert ref in [r["reference"] for r in overdue["results"]]
    appeal = world.public.post(
        f"/api/v1/requests/{ref}/appeals",
        params={"key": made["access_key"]},
        json={"text": "No answer in time."},
    )
    assert appeal.status_code == 201 and appeal.json()["reason"] == "overdue"


def test_a_file_with_personal_data_is_withheld_from_the_public(world: World) -> None:
    world.at(date(2026, 7, 1))
    made = world.submit()
    ref = made["reference"]
    rows = "\n".join(f"Person {i},{IIN}" for i in range(5))
    answered = world.official.post(
        f"/api/v1/requests/{ref}/answer",
        data={"outcome": "answered", "text": "Attached."},
        files=[
            ("files", ("people.csv", f"name,iin\n{rows}\n".encode(), "text/csv")),
            ("files", ("totals.csv", b"year,total\n2025,10\n", "text/csv")),
        ],
    )
    assert answered.status_code == 200, answered.text
    public = {a["filename"]: a for a in world.public.get(f"/api/v1/requests/{ref}").json()["attachments"]}
    assert public["people.csv"]["check"] == "personal" and public["people.csv"]["url"] is None
    assert public["totals.csv"]["check"] == "clean" and public["totals.csv"]["url"]
    own = {a["filename"]: a for a in world.official.get(f"/api/v1/requests/{ref}").json()["attachments"]}
    path = own["people.csv"]["url"].replace("http://portal.example.kz", "")
    assert world.public.get(path).status_code == 403
    assert world.official.get(path).status_code == 200

    # publishing the answer as a dataset takes only the file that passed the guard
    name = world.portal.unique("answer")
    assert (
        world.other.post(
            f"/api/v1/requests/{ref}/dataset", json={"name": name, "title": "Totals"}
        ).status_code
        == 403
    )
    published = world.official.post(
        f"/api/v1/requests/{ref}/dataset", json={"name": name, "title": "Totals 2025"}
    )
    assert published.status_code == 201, published.text
    dataset = world.official.get(f"/api/v1/datasets/{name}").json()
    assert dataset["state"] == "draft"
    assert [r["name"] for r in dataset["resources"]] == ["totals.csv"]
    assert world.public.get(f"/api/v1/requests/{ref}").json()["dataset"] == name
    twice = world.official.post(
        f"/api/v1/requests/{ref}/dataset", json={"name": name + "-2", "title": "Again"}
    )
    assert twice.status_code == 409


def test_an_open_dialogue_question_has_its_own_clock(world: World) -> None:
    world.at(date(2026, 9, 1))
    made = world.submit(kind="question", subject="When will the new school open?")
    assert made["kind"] == "question"
    assert made["due_on"] == _rules(world).dialogue_due(date(2026, 9, 1)).isoformat()
    questions = world.public.get(
        "/api/v1/requests", params={"kind": "question", "organization": world.org}
    ).json()
    assert made["reference"] in [r["reference"] for r in questions["results"]]


def test_statistics_of_a_seeded_set_match_the_figures_worked_out_by_hand(kz: Portal) -> None:
    from derek.core import accounts
    from derek.core.authz import SYSTEM
    from derek.info_requests.schemas import Answer, AppealCreate, DecisionCreate, RequestCreate

    org = kz.make_org()
    superior = kz.make_org()
    with kz.db.session() as s:
        from derek.catalog import service as catalog
        from derek.catalog.schemas import OrganizationUpdate

        catalog.update_organization(s, SYSTEM, org, OrganizationUpdate(parent=superior))
    editor, _token = kz.make_user(org=org)
    profile = kz.settings.jurisdiction
    grounds = [g.code for g in _rules_of(kz).grounds]
    # received -> decided (days): A 2 Mar -> 10 Mar answered (8, due 17 Mar: on time); B 2 Mar -> 20 Mar
    # refused on ground 1 (18, due 17 Mar: late); C 3 Mar -> 5 Mar partly on ground 1 (2, on time); D 4 Mar
    # refused on ground 3 (decided 6 Mar: 2, on time) then appealed and overturned; E 5 Mar still open (due
    # 20 Mar, overdue on 1 Apr). Decided 4, on time 3 (0.75), median of 8, 18, 2, 2 = 5.0.
    plan = [
        (date(2026, 3, 2), date(2026, 3, 10), "answered", []),
        (date(2026, 3, 2), date(2026, 3, 20), "refused", [grounds[0]]),
        (date(2026, 3, 3), date(2026, 3, 5), "partial", [grounds[0]]),
        (date(2026, 3, 4), date(2026, 3, 6), "refused", [grounds[2]]),
        (date(2026, 3, 5), None, None, []),
    ]
    references = []
    with kz.db.session() as s:
        official = accounts.actor_for(s, accounts.get_user(s, editor))
        for received, decided, outcome, why in plan:
            data = RequestCreate(
                organization=org,
                subject="Seeded request",
                body="Seeded request body text.",
                name="R",
                email="r@example.org",
                identifier=IIN,
            )
            req, key = service.submit_request(s, SYSTEM, profile, data, now=almaty(received))
            references.append((req.reference, key))
            if decided is not None:
                service.answer_request(
                    s,
                    official,
                    profile,
                    req.reference,
                    Answer(outcome=outcome, text="Decided.", grounds=why),
                    now=almaty(decided),
                )
        ref_d, key_d = references[3]
        appeal = service.create_appeal(
            s, SYSTEM, profile, ref_d, "Appeal text long enough.", key_d, now=almaty(date(2026, 3, 9))
        )
        service.decide_appeal(
            s,
            SYSTEM,
            profile,
            appeal.id,
            DecisionCreate(decision="overturned", text="Disclose it, please."),
            now=almaty(date(2026, 3, 12)),
        )
        _ = AppealCreate
    kz.settings.clock = almaty(date(2026, 4, 1))
    with kz.client() as http:
        stats = http.get("/api/v1/requests/stats", params={"organization": org}).json()
    mine = stats["total"]
    assert mine["received"] == 5
    assert (mine["answered"], mine["partial"], mine["refused"], mine["open"]) == (
        1,
        1,
        1,
        2,
    )  # D is open again
    assert mine["decided"] == 4 and mine["on_time"] == 3 and mine["on_time_share"] == 0.75
    assert mine["median_days"] == 5.0
    # D was reopened by the order, so refusals count B (ground 1) and C (ground 1)
    assert mine["refusals_by_ground"] == {grounds[0]: 2}
    assert mine["appeals"] == 1 and mine["appeal_outcomes"] == {"overturned": 1}
    # E is overdue on 1 Apr; D's order (due 15 calendar days from 12 Mar: Fri 27 Mar) is overdue too
    assert mine["overdue"] == 2


def _rules_of(portal: Portal) -> Any:
    from derek.info_requests.rules import rules_for

    return rules_for(portal.settings.jurisdiction)


def test_request_topics_are_evidence_of_demand(world: World) -> None:
    world.at(date(2026, 10, 1))
    made = world.submit(
        subject="Air quality measurements", body="Hourly PM2.5 readings of every station in 2025."
    )
    tagged = world.official.put(
        f"/api/v1/requests/{made['reference']}/topics", json={"topics": ["Air Quality", "экология"]}
    )
    assert tagged.status_code == 200 and tagged.json()["topics"] == ["air quality", "экология"]
    assert (
        world.other.put(f"/api/v1/requests/{made['reference']}/topics", json={"topics": ["x"]}).status_code
        == 403
    )
    found = world.public.get("/api/v1/requests/demand", params={"q": "PM2.5 readings"}).json()
    assert made["reference"] in [d["reference"] for d in found]
    by_topic = world.public.get("/api/v1/requests/demand", params={"q": "экология"}).json()
    assert made["reference"] in [d["reference"] for d in by_topic]
    with world.portal.db.session() as s:
        assert ("экология", 1) in service.topic_counts(s)


def test_the_register_filters_by_organization_status_and_words(world: World) -> None:
    page = world.public.get(
        "/api/v1/requests", params={"organization": world.org, "status": "withdrawn"}
    ).json()
    assert page["count"] >= 1 and {r["status"] for r in page["results"]} == {"withdrawn"}
    assert page["facets"]["status"]["open"] >= 1
    assert world.public.get("/api/v1/requests", params={"organization": "no-such-org"}).status_code == 404
    assert world.public.get("/api/v1/requests", params={"status": "lost"}).status_code == 422
    assert world.public.get("/api/v1/requests", params={"per_page": 1000}).status_code == 422
    assert world.public.get("/api/v1/requests/2099-99999").status_code == 404


def test_queues_need_a_sign_in(world: World) -> None:
    assert world.public.get("/api/v1/requests/queue").status_code == 401
    assert world.other.get("/api/v1/requests/queue").json() == []
    assert world.public.get("/api/v1/requests/appeals").status_code == 401


def test_officials_are_reminded_once_of_requests_due_soon_and_overdue(kz: Portal) -> None:
    from sqlalchemy import select

    from derek.core.authz import SYSTEM
    from derek.core.mail import OutboxMessage
    from derek.info_requests import notify
    from derek.info_requests.schemas import RequestCreate

    org = kz.make_org()
    editor, _token = kz.make_user(org=org)
    profile = kz.settings.jurisdiction
    with kz.db.session() as s:
        made = []
        for received in (
            date(2026, 11, 2),
            date(2026, 11, 16),
            date(2026, 11, 20),
        ):  # due 17 Nov, 1 Dec, 7 Dec
            data = RequestCreate(
                organization=org,
                subject="Reminded",
                body="A request to be reminded of.",
                name="R",
                email="r@example.org",
                identifier=IIN,
            )
            req, _key = service.submit_request(s, SYSTEM, profile, data, now=almaty(received))
            made.append(req)
        s.commit()
        assert [r.due_on for r in made] == [date(2026, 11, 17), date(2026, 12, 1), date(2026, 12, 7)]
        today = date(2026, 11, 30)  # the first is overdue, the second due within two days, the third not yet
        first = notify.queue_deadline_reminders(s, profile, today)
        second = notify.queue_deadline_reminders(s, profile, today)
        s.commit()
        keys = s.scalars(select(OutboxMessage.key).where(OutboxMessage.to == f"{editor}@example.org"))
        reminded = {
            k.split(":")[1]: k.split(":")[2] for k in keys if k.split(":")[2] in ("overdue", "due_soon")
        }
    assert reminded == {made[0].id: "overdue", made[1].id: "due_soon"}
    assert first["overdue"] >= 1 and first["due_soon"] >= 1
    assert second["overdue"] == 0 and second["due_soon"] == 0


def test_personal_data_written_into_a_request_is_masked_in_the_register(world: World) -> None:
    world.at(date(2026, 10, 5))
    made = world.submit(
        subject=f"My pension, IIN {IIN}",
        body=f"I am {IIN}, phone +7 701 123 45 67, write to me at aigerim.private@mail.kz please.",
    )
    ref = made["reference"]
    answered = world.official.post(
        f"/api/v1/requests/{ref}/answer",
        data={"outcome": "answered", "text": f"For {IIN}: ask the press office, +7 717 274 00 00."},
    )
    assert answered.status_code == 200
    public = world.public.get(f"/api/v1/requests/{ref}").text
    for secret in (IIN, "701 123 45 67", "aigerim.private@mail.kz"):
        assert secret not in public
    assert "90********26" in public and "a***@mail.kz" in public
    assert "+7 717 274 00 00" in public, "an official's office phone stays readable"
    listing = world.public.get("/api/v1/requests", params={"q": "pension"}).text
    assert IIN not in listing and "90********26" in listing
    own = world.official.get(f"/api/v1/requests/{ref}").json()
    assert IIN in own["body"] and "701 123 45 67" in own["body"]
    # nor can anyone find out whether a given person asked something
    by_number = world.public.get("/api/v1/requests", params={"q": f"pension {IIN}"}).json()
    assert ref in [r["reference"] for r in by_number["results"]]  # the number is ignored, the word is not
    only_number = world.public.get("/api/v1/requests", params={"q": IIN, "organization": world.org}).json()
    everything = world.public.get("/api/v1/requests", params={"organization": world.org}).json()
    assert only_number["count"] == everything["count"]


def test_files_of_a_refused_answer_are_not_kept_and_an_attachment_is_never_deleted_for_the_catalog(
    world: World,
) -> None:
    import hashlib
    import uuid

    from derek.core import storage

    world.at(date(2026, 10, 6))
    ref = world.submit()["reference"]
    store = storage.FileStore(world.portal.settings.files_dir, world.portal.settings.max_upload_bytes)
    lost = f"kept,{uuid.uuid4().hex}\n".encode()
    refused = world.official.post(
        f"/api/v1/requests/{ref}/answer",
        data={"outcome": "refused", "text": "No grounds given."},
        files=[("files", ("lost.csv", lost, "text/csv"))],
    )
    assert refused.status_code == 422
    assert not store.path_for(hashlib.sha256(lost).hexdigest()).exists(), "a refused answer kept its file"

    kept = f"kept,{uuid.uuid4().hex}\n".encode()
    answered = world.official.post(
        f"/api/v1/requests/{ref}/answer",
        data={"outcome": "answered", "text": "Attached."},
        files=[("files", ("kept.csv", kept, "text/csv"))],
    )
    assert answered.status_code == 200
    sha = hashlib.sha256(kept).hexdigest()
    # the catalog clears the files of its failed uploads: the same bytes as an attachment stay
    with world.portal.db.session() as s:
        assert storage.discard_if_unreferenced(s, store, sha) is False
    assert store.path_for(sha).exists()
    url = world.public.get(f"/api/v1/requests/{ref}").json()["attachments"][0]["url"]
    assert world.public.get(url.replace("http://portal.example.kz", "")).content == kept
