"""Dataset selection through its native API on a real portal (Kazakhstan's profile) whose clock the tests
set: proposals and their demand evidence (supports, information requests, searches that found nothing,
consultation records) with the profile's demand index, one support per person, assessments and their
history, a Commission session (votes, a declared conflict of interest, the quorum, the decision, closing,
the minutes as PDF), the unified list's versions with their difference, compliance with the list in force,
the CSV export, and who may do what."""

from __future__ import annotations

import csv
import hashlib
import io
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest
from pypdf import PdfReader

from derek.core.authz import ANONYMOUS, SYSTEM
from derek.info_requests import service as requests
from derek.info_requests.schemas import RequestCreate
from derek.selection import service as selection
from tests.conftest import Portal, start_portal

API = "/api/v1/selection"
TODAY = date(2026, 6, 15)
IIN = "900101300126"  # synthetic (references section 2)
COMMISSION = "access-commission"  # the kz profile's [selection] commission
LIST_OWNER = "ministry-of-digital-development"  # and its list owner
CSV_HEADER = [
    "code",
    "title",
    "organization",
    "due_on",
    "update_frequency",
    "dataset",
    "status",
    "act_number",
]
CSV_HEADER.append("act_date")


def almaty(day: date, hour: int = 10) -> datetime:
    """A moment on that local day in Almaty (UTC+5), as the portal's UTC clock."""
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC) - timedelta(hours=5)


@pytest.fixture(scope="module")
def kz(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Portal]:
    yield from start_portal(tmp_path_factory.mktemp("selection"), clock=almaty(TODAY))


@dataclass
class World:
    """An agency and another organization with their editors, the Commission with its secretariat and
    three members, the ministry that keeps the list with its editor, and citizens."""

    portal: Portal
    agency: str
    other_org: str
    http: dict[str, httpx.Client]
    names: dict[str, str]

    @property
    def public(self) -> httpx.Client:
        return self.http["anonymous"]

    def proposal(self, title: str, keywords: list[str] | None = None, **fields: Any) -> dict[str, Any]:
        body = {"title": title, "organization": self.agency, "keywords": keywords or []} | fields
        r = self.http["citizen-1"].post(f"{API}/proposals", json=body)
        assert r.status_code == 201, r.text
        return dict(r.json())


@pytest.fixture(scope="module")
def world(kz: Portal) -> Iterator[World]:
    agency = kz.make_org(kz.unique("agency"), title={"en": "Transport agency", "ru": "Агентство транспорта"})
    other_org = kz.make_org(kz.unique("other"), title={"en": "Other agency", "ru": "Другое агентство"})
    kz.make_org(COMMISSION, title={"en": "Commission on access to information"})
    kz.make_org(LIST_OWNER, title={"en": "Ministry of Digital Development"})
    users = {
        "agency-editor": {"org": agency, "role": "editor"},
        "other-editor": {"org": other_org, "role": "editor"},
        "secretariat": {"org": COMMISSION, "role": "editor"},
        "member-a": {"org": COMMISSION, "role": "member"},
        "member-b": {"org": COMMISSION, "role": "member"},
        "member-c": {"org": COMMISSION, "role": "member"},
        "list-owner": {"org": LIST_OWNER, "role": "editor"},
        "citizen-1": {},
        "citizen-2": {},
        "citizen-3": {},
    }
    http = {"anonymous": kz.client()}
    names = {}
    for role, kwargs in users.items():
        names[role], token = kz.make_user(kz.unique(role), **kwargs)
        http[role] = kz.client(f"Bearer {token}")
    yield World(kz, agency, other_org, http, names)
    for client in http.values():
        client.close()


def pdf_text(content: bytes) -> str:
    """The text of a PDF, as a reader extracts it."""
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def problem(r: httpx.Response, status: int) -> dict[str, Any]:
    assert r.status_code == status, f"{r.status_code} instead of {status}: {r.text[:400]}"
    assert r.headers["content-type"].startswith("application/problem+json")
    return dict(r.json())


def submit_request(portal: Portal, organization: str, subject: str, body: str) -> str:
    """An information request sent anonymously through the service; its reference."""
    data = RequestCreate(
        organization=organization, subject=subject, body=body, name="A requester", email="r@example.org",
        identifier=IIN,
    )  # fmt: skip
    with portal.db.session() as s:
        req, _key = requests.submit_request(
            s, ANONYMOUS, portal.settings.jurisdiction, data, now=almaty(TODAY)
        )
        return req.reference


# ---------------------------------------------------------------- demand evidence


def test_a_proposal_shows_all_four_kinds_of_evidence_and_its_demand_index(world: World) -> None:
    portal = world.portal
    made = world.proposal("Ferry timetables of the river port", keywords=["ferry timetables"])
    number = made["number"]
    assert made["code"] == f"P-{number}" and made["status"] == "proposed" and made["supports"] == 0
    for citizen in ("citizen-1", "citizen-2", "citizen-3"):
        r = world.http[citizen].post(f"{API}/proposals/{number}/support")
        assert r.status_code == 200, r.text
    assert r.json() == {"counted": True, "supported": True, "supports": 3}
    # two information requests: one asks in its subject, the other got the topic from an official
    submit_request(portal, world.agency, "Ferry timetables for 2026", "When do the ferries leave the pier?")
    other = submit_request(portal, world.agency, "Schedules of river boats", "Please send the schedules.")
    with portal.db.session() as s:
        requests.set_topics(s, SYSTEM, portal.settings.jurisdiction, other, ["ferry timetables"])
    # one search on the public search page that found nothing, logged without who searched
    assert world.public.get("/dataset", params={"q": "ferry timetables"}).status_code == 200
    # and a business association's letter, entered by the agency with its document
    letter = b"route,departures\r\nPort A - Port B,6\r\n"  # its table of needs; a scan would be withheld
    r = world.http["agency-editor"].post(
        f"{API}/proposals/{number}/consultations",
        data={"submitted_by": "Association of carriers", "summary": "Carriers need the timetables.",
              "received_on": "2026-06-10"},
        files={"document": ("needs.csv", letter, "text/csv")},
    )  # fmt: skip
    assert r.status_code == 201, r.text
    sha = hashlib.sha256(letter).hexdigest()
    assert (
        r.json()["filename"] == "needs.csv" and r.json()["sha256"] == sha and r.json()["size"] == len(letter)
    )
    assert (portal.settings.files_dir / sha[:2] / sha[2:4] / sha).read_bytes() == letter
    assert r.json()["check"] == "clean"
    assert world.public.get(r.json()["url"]).content == letter  # public evidence, as the record itself

    found = world.public.get(f"{API}/proposals/{number}/evidence").json()
    kinds = {e["kind"] for e in found["evidence"]}
    assert kinds == {"support", "request", "search", "consultation"}
    # ideas (reuse) are a fifth kind: none posted on this topic here
    assert found["counts"] == {"support": 3, "request": 2, "search": 1, "consultation": 1, "idea": 0}
    assert found["weights"] == {"support": 1, "request": 3, "search": 1, "consultation": 5, "idea": 1}
    assert found["points"] == {"support": 3, "request": 6, "search": 1, "consultation": 5, "idea": 0}
    assert found["index"] == 3 * 1 + 2 * 3 + 1 * 1 + 1 * 5 == 15
    by_kind = {e["kind"]: e for e in found["evidence"]}
    assert by_kind["search"]["title"] == "ferry timetables" and by_kind["search"]["detail"] == "0"
    assert (
        by_kind["search"]["url"] == "/dataset?q=ferry+timetables" and by_kind["search"]["on"] == "2026-06-15"
    )
    assert by_kind["consultation"]["title"] == "Association of carriers"
    assert by_kind["consultation"]["on"] == "2026-06-10"
    assert {e["title"] for e in found["evidence"] if e["kind"] == "request"} == {
        "Ferry timetables for 2026",
        "Schedules of river boats",
    }
    assert set(found["evidence"][0]) == {"kind", "title", "count", "url", "detail", "on"}

    read = world.http["citizen-2"].get(f"{API}/proposals/{number}").json()
    assert read["supports"] == 3 and read["supported"] is True and read["may_assess"] is False
    assert world.http["other-editor"].get(f"{API}/proposals/{number}").json()["supported"] is False
    assert world.http["agency-editor"].get(f"{API}/proposals/{number}").json()["may_assess"] is True
    suggestion = world.public.get(f"{API}/proposals/{number}/suggestion").json()
    assert suggestion["demand_index"] == 15 and suggestion["criteria"]["demand"] == 2  # thresholds 1, 10, 25
    listed = world.public.get(f"{API}/proposals/{number}/consultations")
    assert [c["submitted_by"] for c in listed.json()] == ["Association of carriers"]
    # the topic nobody publishes data about yet is unmet demand
    unmet = {t["topic"]: t for t in world.public.get(f"{API}/unmet").json()}
    assert unmet["ferry timetables"] == {
        "topic": "ferry timetables",
        "requests": 1,
        "searches": 1,
        "datasets": 0,
    }


def test_a_consultation_in_the_future_or_by_an_outsider_is_refused_and_keeps_no_file(world: World) -> None:
    number = world.proposal("Tram depot statistics")["number"]
    form = {"submitted_by": "Chamber", "summary": "Wanted.", "received_on": "2026-07-01"}
    for client, status, content in (
        (world.http["agency-editor"], 422, b"future letter bytes"),
        (world.http["other-editor"], 403, b"outsider letter bytes"),
        (world.public, 401, b"anonymous letter bytes"),
    ):
        r = client.post(
            f"{API}/proposals/{number}/consultations",
            data=form if status == 422 else form | {"received_on": "2026-06-01"},
            files={"document": ("letter.txt", content, "text/plain")},
        )
        body = problem(r, status)
        if status == 422:
            assert "received_on" in body["errors"]
        sha = hashlib.sha256(content).hexdigest()
        assert not (world.portal.settings.files_dir / sha[:2] / sha[2:4] / sha).exists()
    r = world.http["agency-editor"].post(f"{API}/proposals/{number}/consultations", data={"summary": "x"})
    assert "submitted_by" in problem(r, 422)["errors"]


# ---------------------------------------------------------------- supports


def test_one_person_supports_once_even_twice_at_the_same_moment(world: World) -> None:
    number = world.proposal("Bicycle lanes of the city")["number"]
    url = f"{API}/proposals/{number}/support"
    first = world.http["citizen-1"].post(url).json()
    again = world.http["citizen-1"].post(url).json()
    assert first == {"counted": True, "supported": True, "supports": 1}
    assert again == {"counted": False, "supported": True, "supports": 1}

    token = world.http["citizen-2"].headers["Authorization"]
    barrier = threading.Barrier(2)
    answers: list[dict[str, Any]] = []

    def click() -> None:
        with world.portal.client(token) as http:
            barrier.wait()
            r = http.post(url)
            assert r.status_code == 200, r.text
            answers.append(r.json())

    threads = [threading.Thread(target=click) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(a["counted"] for a in answers) == [False, True]
    assert world.public.get(f"{API}/proposals/{number}").json()["supports"] == 2

    gone = world.http["citizen-1"].delete(url)
    assert gone.status_code == 200 and gone.json() == {"counted": False, "supported": False, "supports": 1}
    assert "Log in" in problem(world.public.post(url), 401)["detail"]
    assert world.public.get(f"{API}/proposals/{number}").json()["supports"] == 1
    problem(world.http["citizen-1"].post(f"{API}/proposals/999999/support"), 404)


# ---------------------------------------------------------------- assessment


def test_assessment_is_validated_authorized_and_kept_with_its_history(world: World) -> None:
    number = world.proposal("Road traffic counts", keywords=["traffic counts"])["number"]
    url = f"{API}/proposals/{number}/assessment"
    editor = world.http["agency-editor"]
    good = {
        "criteria": {"restriction": 3, "demand": 1, "readiness": 2, "not_machine_readable": 0},
        "recommendation": "include",
        "reason": "Open by law, kept in a database.",
    }
    bad_score = good | {"criteria": good["criteria"] | {"restriction": 4}}
    assert "criteria.restriction" in problem(editor.post(url, json=bad_score), 422)["errors"]
    assert (
        "reason"
        in problem(editor.post(url, json={k: v for k, v in good.items() if k != "reason"}), 422)["errors"]
    )
    assert "reason" in problem(editor.post(url, json=good | {"reason": "   "}), 422)["errors"]
    assert (
        "recommendation" in problem(editor.post(url, json=good | {"recommendation": "maybe"}), 422)["errors"]
    )
    problem(world.http["other-editor"].post(url, json=good), 403)
    problem(world.http["member-a"].post(url, json=good), 403)
    problem(world.public.post(url, json=good), 401)
    assert world.public.get(f"{API}/proposals/{number}/assessments").json() == []

    first = editor.post(url, json=good)
    assert first.status_code == 201, first.text
    assert first.json()["score"] == 50 and first.json()["suggested"] == "include"  # 6 of 12 points
    later = good | {
        "criteria": {"restriction": 3, "demand": 3, "readiness": 3, "not_machine_readable": 3},
        "reason": "Much asked for since.",
    }
    second = world.http["secretariat"].post(url, json=later)  # the Commission's secretariat assesses too
    assert second.status_code == 201, second.text
    history = world.public.get(f"{API}/proposals/{number}/assessments").json()
    assert [(a["score"], a["reason"]) for a in history] == [
        (100, "Much asked for since."),
        (50, good["reason"]),
    ]
    assert history[1]["by"] == world.names["agency-editor"]
    read = world.public.get(f"{API}/proposals/{number}").json()
    assert read["score"] == 100 and read["assessment"]["reason"] == "Much asked for since."


# ---------------------------------------------------------------- the Commission


def test_a_commission_session_with_votes_a_conflict_quorum_decision_and_minutes(world: World) -> None:
    secretariat, a, b, c = (world.http[n] for n in ("secretariat", "member-a", "member-b", "member-c"))
    number = world.proposal("Air quality measurements", keywords=["air quality"])["number"]
    members = world.public.get(f"{API}/commission/members").json()
    assert sorted(m["user"] for m in members) == sorted(
        world.names[m] for m in ("member-a", "member-b", "member-c")
    )

    session = {"title": "Regular session", "held_on": "2026-06-20", "place": "Astana"}
    problem(a.post(f"{API}/commission/sessions", json=session), 403)
    assert (
        "held_on"
        in problem(secretariat.post(f"{API}/commission/sessions", json={"title": "x"}), 422)["errors"]
    )
    made = secretariat.post(f"{API}/commission/sessions", json=session)
    assert made.status_code == 201, made.text
    sn = made.json()["number"]
    base = f"{API}/commission/sessions/{sn}"
    added = secretariat.post(f"{base}/agenda", json={"proposal": number})
    assert added.status_code == 201, added.text
    assert added.json()["agenda"][0]["proposal"]["status"] == "on_agenda"
    item = f"{base}/agenda/{number}"

    problem(world.http["agency-editor"].put(f"{item}/vote", json={"vote": "recommend"}), 403)  # not a member
    problem(world.public.put(f"{item}/vote", json={"vote": "recommend"}), 401)
    assert "vote" in problem(a.put(f"{item}/vote", json={"vote": "maybe"}), 422)["errors"]
    voted = a.put(f"{item}/vote", json={"vote": "recommend", "comment": "Much asked for."})
    assert voted.status_code == 200, voted.text
    declared = b.post(f"{item}/conflict", json={"statement": "I advise the agency."})
    assert declared.status_code == 201, declared.text
    assert declared.json()["eligible"] == 2 and declared.json()["quorum"] == 2
    assert "conflict" in problem(b.put(f"{item}/vote", json={"vote": "reject"}), 409)["detail"]
    decision = {"decision": "recommend", "rationale": "Open data in demand."}
    assert "quorum" in problem(secretariat.put(f"{item}/decision", json=decision), 409)["detail"]
    problem(a.put(f"{item}/decision", json=decision), 403)  # members vote; the secretariat records
    assert c.put(f"{item}/vote", json={"vote": "recommend"}).status_code == 200
    assert (
        "rationale"
        in problem(secretariat.put(f"{item}/decision", json={"decision": "recommend"}), 422)["errors"]
    )
    decided = secretariat.put(f"{item}/decision", json=decision)
    assert decided.status_code == 200, decided.text
    assert decided.json()["decision"] == "recommend" and decided.json()["proposal"]["status"] == "recommended"

    closed = secretariat.post(f"{base}/close")
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    assert "closed" in problem(c.put(f"{item}/vote", json={"vote": "reject"}), 409)["detail"]
    problem(secretariat.delete(item), 409)

    record = world.public.get(base).json()
    assert record["members"] == 3 and record["item_count"] == 1
    agenda = record["agenda"][0]
    assert [(v["member"], v["vote"], v["comment"]) for v in agenda["votes"]] == [
        (world.names["member-a"], "recommend", "Much asked for."),
        (world.names["member-c"], "recommend", ""),
    ]
    assert [(x["member"], x["statement"]) for x in agenda["conflicts"]] == [
        (world.names["member-b"], "I advise the agency.")
    ]
    assert agenda["tally"] == {"recommend": 2, "reject": 0, "defer": 0}
    assert (agenda["eligible"], agenda["quorum"], agenda["has_quorum"]) == (2, 2, True)
    assert agenda["rationale"] == "Open data in demand." and agenda["majority"] == "recommend"
    assert sn in [s["number"] for s in world.public.get(f"{API}/commission/sessions").json()]
    decisions = world.public.get(f"{API}/proposals/{number}").json()["decisions"]
    assert decisions == [{"session": sn, "held_on": "2026-06-20", "decision": "recommend",
                          "rationale": "Open data in demand."}]  # fmt: skip

    pdf = world.public.get(f"{base}/minutes.pdf")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    text = pdf_text(pdf.content)
    for member in ("member-a", "member-b", "member-c"):
        assert world.names[member] in text, member
    assert "Air quality measurements" in text and "Open data in demand." in text


# ---------------------------------------------------------------- the unified list


@dataclass
class Listed:
    version: int
    codes: dict[str, str]  # what the item is for -> its code
    proposal: int


@pytest.fixture(scope="module")
def listed(world: World) -> Listed:
    """Version 1 of the list, approved: items due later, one already late, one of another organization
    whose title looks like a formula, and one from a proposal."""
    owner = world.http["list-owner"]
    draft = owner.post(f"{API}/list/versions", json={"note": "The first list"})
    assert draft.status_code == 201, draft.text
    version = draft.json()["number"]
    proposal = world.proposal("Public parking places")["number"]
    with (
        world.portal.db.session() as s
    ):  # seeded as the Commission's recommendation (its session is tested above)
        selection.find_proposal(s, proposal).status = "recommended"
    wanted = {
        "link": {"title": "Bus stops", "organization": world.agency, "due_on": "2026-12-31"},
        "change": {"title": "Road repairs", "organization": world.agency, "due_on": "2026-09-30"},
        "remove": {"title": "=SUM(A1:A2) parks", "organization": world.other_org, "due_on": "2026-10-01"},
        "late": {
            "title": "School meals",
            "organization": world.agency,
            "due_on": "2026-05-01",
            "update_frequency": "MONTHLY",
        },  # fmt: skip
        "proposal": {"proposal": proposal, "due_on": "2027-01-31"},
    }
    codes = {}
    for key, body in wanted.items():
        r = owner.post(f"{API}/list/versions/{version}/items", json=body)
        assert r.status_code == 201, r.text
        codes[key] = r.json()["code"]
    approval = {"act_number": "No. 123", "act_date": "2026-06-01", "act_title": "Decree"}
    approved = owner.post(f"{API}/list/versions/{version}/approve", json=approval)
    assert approved.status_code == 200, approved.text
    return Listed(version, codes, proposal)


def test_list_versions_and_their_difference(world: World, listed: Listed) -> None:
    owner = world.http["list-owner"]
    v1 = world.public.get(f"{API}/list/versions/{listed.version}").json()
    assert v1["status"] == "approved" and v1["act_number"] == "No. 123" and v1["item_count"] == 5
    from_proposal = next(i for i in v1["items"] if i["code"] == listed.codes["proposal"])
    assert from_proposal["title"] == "Public parking places" and from_proposal["proposal"] == listed.proposal
    assert world.public.get(f"{API}/proposals/{listed.proposal}").json()["status"] == "listed"
    problem(
        owner.post(
            f"{API}/list/versions/{listed.version}/items",
            json={"title": "Late", "organization": world.agency, "due_on": "2026-12-01"},
        ),
        409,
    )  # fmt: skip  (an approved version does not change)

    problem(world.http["agency-editor"].post(f"{API}/list/versions", json={}), 403)
    draft = owner.post(f"{API}/list/versions", json={})
    assert draft.status_code == 201, draft.text
    v2 = draft.json()["number"]
    assert (
        draft.json()["status"] == "draft" and draft.json()["item_count"] == 5
    )  # a copy of the list in force
    problem(owner.post(f"{API}/list/versions", json={}), 409)  # one draft at a time
    base = f"{API}/list/versions/{v2}"
    bridges = {
        "title": "Bridges",
        "organization": world.agency,
        "due_on": "2027-03-01",
        "update_frequency": "ANNUAL",
    }
    added = owner.post(f"{base}/items", json=bridges)
    assert added.status_code == 201, added.text
    changed = owner.put(
        f"{base}/items/{listed.codes['change']}",
        json={"title": "Road repairs", "organization": world.agency, "due_on": "2026-11-30"},
    )
    assert changed.status_code == 200 and changed.json()["due_on"] == "2026-11-30"
    assert owner.delete(f"{base}/items/{listed.codes['remove']}").status_code == 204
    hourly = {"due_on": "2026-11-30", "update_frequency": "HOURLY", "organization": world.agency}
    bad = owner.put(f"{base}/items/{listed.codes['change']}", json=hourly)
    assert "update_frequency" in problem(bad, 422)["errors"]

    diff = world.public.get(f"{base}/diff").json()
    assert diff["version"] == v2 and diff["against"] == listed.version
    assert [i["title"] for i in diff["added"]] == ["Bridges"]
    assert [i["code"] for i in diff["removed"]] == [listed.codes["remove"]]
    assert diff["changed"] == [
        {
            "code": listed.codes["change"],
            "title": "Road repairs",
            "fields": {"due_on": {"before": "2026-09-30", "after": "2026-11-30"}},
        }
    ]
    assert diff["unchanged"] == 3
    assert world.public.get(f"{base}/diff", params={"against": v2}).json()["changed"] == []

    approval = {"act_number": "No. 200", "act_date": "2026-06-14"}
    problem(world.http["agency-editor"].post(f"{base}/approve", json=approval), 403)  # not the list owner
    problem(world.http["secretariat"].post(f"{base}/approve", json=approval), 403)
    future = owner.post(f"{base}/approve", json=approval | {"act_date": "2026-07-01"})
    assert "act_date" in problem(future, 422)["errors"]
    assert (
        "act_number" in problem(owner.post(f"{base}/approve", json={"act_date": "2026-06-14"}), 422)["errors"]
    )

    assert owner.delete(base).status_code == 204  # the draft goes; version 1 stays in force
    problem(world.public.get(base), 404)
    problem(owner.delete(f"{API}/list/versions/{listed.version}"), 409)
    assert world.public.get(f"{API}/list").json()["number"] == listed.version
    assert [v["number"] for v in world.public.get(f"{API}/list/versions").json()] == [listed.version]


def test_compliance_shows_late_items_and_linked_datasets(world: World, listed: Listed) -> None:
    in_force = world.public.get(f"{API}/list").json()
    assert in_force["today"] == "2026-06-15"
    statuses = {i["code"]: i for i in in_force["items"]}
    late = statuses[listed.codes["late"]]
    assert (late["status"], late["dataset"], late["days_late"]) == ("late", None, 45)
    assert statuses[listed.codes["link"]]["status"] == "not_published"

    cards = {c["organization"]: c for c in world.public.get(f"{API}/compliance").json()["organizations"]}
    agency = cards[world.agency]
    assert (
        agency["counts"]["late"] == 1 and agency["total"] == 4 and agency["due"] == 1 and agency["rate"] == 0
    )
    assert cards[world.other_org]["counts"]["not_published"] == 1 and cards[world.other_org]["rate"] is None

    own = world.public.get(f"{API}/compliance/{world.agency}").json()
    assert {i["code"]: i["status"] for i in own["items"]}[listed.codes["late"]] == "late"
    assert len(own["trend"]) == 12 and own["trend"][-1] == {"month": "2026-06-15", "due": 1, "on_time": 0}
    assert own["trend"][-3]["month"] == "2026-04-30" and own["trend"][-3]["due"] == 0
    problem(world.public.get(f"{API}/compliance/no-such-organization"), 404)

    ours = world.portal.make_dataset(world.agency, issued="2026-04-01T00:00:00Z")
    theirs = world.portal.make_dataset(world.other_org)
    url = f"{API}/list/items/{listed.codes['link']}/dataset"
    problem(world.http["other-editor"].put(url, json={"dataset": ours}), 403)
    wrong = world.http["agency-editor"].put(url, json={"dataset": theirs})
    assert "dataset" in problem(wrong, 422)["errors"]
    assert (
        "dataset" in problem(world.http["agency-editor"].put(url, json={"dataset": "no-such"}), 422)["errors"]
    )
    linked = world.http["agency-editor"].put(url, json={"dataset": ours})
    assert linked.status_code == 200, linked.text
    assert (linked.json()["status"], linked.json()["dataset"], linked.json()["published_on"]) == (
        "on_time",
        ours,
        "2026-04-01",
    )
    assert world.public.get(f"{API}/compliance").json()["organizations"]
    own = world.public.get(f"{API}/compliance/{world.agency}").json()
    assert own["scorecard"]["counts"]["on_time"] == 1 and own["scorecard"]["due"] == 2
    assert own["scorecard"]["rate"] == 0.5
    unlinked = world.http["list-owner"].put(url, json={"dataset": ""})  # the list owner may too
    assert unlinked.status_code == 200 and unlinked.json()["status"] == "not_published"
    assert world.http["agency-editor"].put(url, json={"dataset": ours}).json()["status"] == "on_time"


def test_a_draft_or_private_dataset_is_not_named_to_the_public(world: World, listed: Listed) -> None:
    """Officials may link a list item or a holding to a dataset before it is public; its name is theirs
    until then: not in the list, its CSV, the list's page or the inventory."""
    portal, editor = world.portal, world.http["agency-editor"]
    hidden = portal.make_dataset(world.agency, portal.unique("unpublished-plan"), private=True)
    draft = portal.make_dataset(world.agency, portal.unique("draft-register"), state="draft")
    url = f"{API}/list/items/{listed.codes['change']}/dataset"
    try:
        for name in (hidden, draft):
            linked = editor.put(url, json={"dataset": name})
            assert linked.status_code == 200, linked.text
            assert (linked.json()["status"], linked.json()["dataset"]) == ("not_published", None)
            for client in (world.public, editor):
                items = {i["code"]: i for i in client.get(f"{API}/list").json()["items"]}
                assert items[listed.codes["change"]]["dataset"] is None
            assert name not in world.public.get(f"{API}/list/versions/{listed.version}.csv").text
            assert name not in world.public.get(f"/selection/list/{listed.version}.csv").text
            assert name not in world.public.get("/selection/list").text
            assert name in editor.get("/selection/list").text  # the officials who link it see it
            assert name not in world.public.get(f"/selection/compliance/{world.agency}").text
        holding = editor.post(
            f"{API}/holdings", json={"organization": world.agency, "title": "Plans", "dataset": hidden}
        )
        assert holding.status_code == 201 and holding.json()["dataset"] is None, holding.text
        assert world.public.get(f"{API}/holdings/{holding.json()['id']}").json()["dataset"] is None
        assert hidden not in world.public.get("/selection/inventory").text
        assert hidden in editor.get("/selection/inventory").text
        assert editor.delete(f"{API}/holdings/{holding.json()['id']}").status_code == 204
    finally:
        assert editor.put(url, json={"dataset": ""}).status_code == 200


def test_the_csv_export_has_every_item_and_guards_formulas(world: World, listed: Listed) -> None:
    r = world.public.get(f"{API}/list/versions/{listed.version}.csv", params={"lang": "en"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(r.text)))
    assert rows[0] == CSV_HEADER
    by_code = {row[0]: row for row in rows[1:]}
    assert set(by_code) == set(listed.codes.values())
    assert by_code[listed.codes["remove"]][1] == "'=SUM(A1:A2) parks"  # a spreadsheet shows it as text
    late = by_code[listed.codes["late"]]
    assert late[2:5] == ["Transport agency", "2026-05-01", "MONTHLY"]
    assert late[6:] == ["late", "No. 123", "2026-06-01"]
    in_russian = world.public.get(f"{API}/list/versions/{listed.version}.csv", params={"lang": "ru"}).text
    assert "Агентство транспорта" in in_russian
    problem(world.public.get(f"{API}/list/versions/999.csv"), 404)


# ---------------------------------------------------------------- holdings, proposals: who and what


def test_holdings_are_kept_by_their_organization(world: World) -> None:
    editor = world.http["agency-editor"]
    body = {"organization": world.agency, "title": "Ticket sales", "information_system": "Ticketing",
            "access": "open", "formats": "database", "automated": True, "machine_readable": True}  # fmt: skip
    problem(world.http["other-editor"].post(f"{API}/holdings", json=body), 403)
    problem(world.public.post(f"{API}/holdings", json=body), 401)
    restricted = editor.post(f"{API}/holdings", json=body | {"access": "restricted"})
    assert "access_basis" in problem(restricted, 422)["errors"]
    assert (
        "access" in problem(editor.post(f"{API}/holdings", json=body | {"access": "public"}), 422)["errors"]
    )
    made = editor.post(f"{API}/holdings", json=body)
    assert made.status_code == 201, made.text
    holding = made.json()
    assert holding["organization"] == world.agency and holding["dataset"] is None
    listed = world.public.get(
        f"{API}/holdings", params={"organization": world.agency, "access": "open"}
    ).json()
    assert [h["id"] for h in listed] == [holding["id"]]
    assert world.public.get(f"{API}/holdings", params={"access": "secret"}).json() == []

    changed = editor.put(
        f"{API}/holdings/{holding['id']}",
        json={k: v for k, v in body.items() if k != "organization"} | {"access": "restricted",
                                                                       "access_basis": "Law on transport"},
    )  # fmt: skip
    assert changed.status_code == 200 and changed.json()["access_basis"] == "Law on transport"
    proposal = world.proposal("Ticket sales by route", holding=holding["id"])
    suggestion = world.public.get(f"{API}/proposals/{proposal['number']}/suggestion").json()
    assert suggestion["criteria"]["restriction"] == 0 and suggestion["suggested"] == "exclude"
    problem(world.http["other-editor"].delete(f"{API}/holdings/{holding['id']}"), 403)
    assert editor.delete(f"{API}/holdings/{holding['id']}").status_code == 204
    problem(world.public.get(f"{API}/holdings/{holding['id']}"), 404)


def test_proposals_are_validated_and_changed_only_by_their_officials(world: World) -> None:
    problem(
        world.public.post(f"{API}/proposals", json={"title": "Open budgets", "organization": world.agency}),
        401,
    )
    citizen = world.http["citizen-3"]
    unknown = citizen.post(f"{API}/proposals", json={"title": "Open budgets", "organization": "no-such-org"})
    assert "organization" in problem(unknown, 422)["errors"]
    short = citizen.post(f"{API}/proposals", json={"title": "Bus", "organization": world.agency})
    assert "title" in problem(short, 422)["errors"]
    assert (
        "organization"
        in problem(citizen.post(f"{API}/proposals", json={"title": "Open budgets"}), 422)["errors"]
    )
    made = world.proposal("Open budgets of schools", keywords=["School Budgets", "school budgets", " "])
    assert made["keywords"] == ["school budgets"]
    number = made["number"]
    change = {"title": "Budgets of schools", "keywords": ["school budgets"], "reason": "Parents ask."}
    problem(citizen.put(f"{API}/proposals/{number}", json=change), 403)
    problem(world.http["citizen-1"].put(f"{API}/proposals/{number}", json=change), 403)  # even its proposer
    changed = world.http["agency-editor"].put(f"{API}/proposals/{number}", json=change)
    assert changed.status_code == 200 and changed.json()["title"] == "Budgets of schools"
    found = world.public.get(
        f"{API}/proposals", params={"q": "budgets schools", "organization": world.agency}
    )
    assert [p["number"] for p in found.json()] == [number]
    assert world.public.get(f"{API}/proposals", params={"status": "listed", "q": "budgets"}).json() == []
    assert "status" in problem(world.public.get(f"{API}/proposals", params={"status": "won"}), 422)["errors"]
    problem(world.public.get(f"{API}/proposals/0"), 422)
    problem(world.public.get(f"{API}/proposals/987654"), 404)
