"""The pages of choosing what to open on a real server (kz profile, frozen clock): a dataset proposed through
the form (also from the unmet-demand page), supported once per person, assessed with its reason and given a
consultation record with a document; an organization's inventory; a Commission session with three members,
a declared conflict of interest, the quorum, decisions and its minutes in HTML and PDF; the unified list
drafted, approved, changed and approved again with its differences, and compliance per organization;
refusals for who may not act, errors next to their fields, and every string in kk, ru and en."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import httpx
import pytest

from derek.catalog import service as catalog_service
from derek.core import accounts
from derek.selection import commission_service, minutes, service, views
from tests.conftest import Portal, assert_translated, start_portal

SRC = Path(__file__).resolve().parent.parent / "src" / "derek"
# 11:00 in Almaty (UTC+5) on Mon 1 Jun 2026: the portal's today
CLOCK = datetime(2026, 6, 1, 6, 0, tzinfo=UTC)
COMMISSION = "access-commission"  # the kz profile's Commission and list owner
LIST_OWNER = "ministry-of-digital-development"


@dataclass(frozen=True)
class People:
    secretary: str
    members: tuple[str, str, str]
    owner: str  # an editor of the list owner


@pytest.fixture(scope="module")
def kz(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Portal]:
    yield from start_portal(tmp_path_factory.mktemp("selection"), profile="kz", clock=CLOCK)


@pytest.fixture(scope="module")
def people(kz: Portal) -> People:
    """The Commission (a secretary and three voting members) and the list owner's editor."""
    kz.make_org(COMMISSION, title={"en": "Commission on Access to Information"})
    kz.make_org(LIST_OWNER, title={"en": "Ministry of Digital Development"})
    secretary, _t = kz.make_user(kz.unique("secretary"), org=COMMISSION, role="admin")
    members = tuple(kz.make_user(kz.unique(f"member-{x}"), org=COMMISSION, role="member")[0] for x in "abc")
    owner, _t = kz.make_user(kz.unique("owner"), org=LIST_OWNER, role="editor")
    return People(secretary, (members[0], members[1], members[2]), owner)


# ---------------------------------------------------------------- helpers


def signed_in(portal: Portal, name: str, lang: str = "en") -> httpx.Client:
    http = portal.signed_in(name)
    http.get("/selection", params={"lang": lang})
    return http


def token(portal: Portal, http: httpx.Client) -> str:
    """The session's CSRF token (the header's log-out form carries it on every page)."""
    return portal.csrf(http, "/selection")


def post(portal: Portal, http: httpx.Client, path: str, **data: str) -> httpx.Response:
    return http.post(path, data={"csrf_token": token(portal, http), **data})


def supports(page: str) -> int:
    found = re.search(r'<span class="support-number">(\d+)</span>', page)
    assert found, "no support box"
    return int(found.group(1))


def field_error(page: str, key: str) -> str:
    found = re.search(rf'<p class="field-error" id="e-{key}">(.*?)</p>', page, re.S)
    return html.unescape(found.group(1)).strip() if found else ""


def element_text(page: str, ident: str) -> str:
    """The text of the element with this id (tags dropped, spaces joined)."""
    found = re.search(rf'<(\w+)[^>]*\bid="{ident}"[^>]*>(.*?)</\1>', page, re.S)
    assert found, f"no element {ident}"
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", found.group(2))).split())


def propose(portal: Portal, http: httpx.Client, organization: str, title: str, keywords: str = "") -> int:
    """Send a proposal through the web form; its number."""
    sent = post(portal, http, "/selection/proposals/new", title=title, organization=organization,
                description="Every route with its stops and times.", reason="Commuters plan trips.",
                keywords=keywords)  # fmt: skip
    assert sent.status_code == 303, sent.text[:2000]
    found = re.fullmatch(r"/selection/proposals/(\d+)", sent.headers["location"])
    assert found, sent.headers["location"]
    return int(found.group(1))


def recommended(portal: Portal, people: People, organization: str, title: str) -> int:
    """A proposal the Commission recommended, made through the services: its number."""
    with portal.db.session() as s:
        profile = portal.settings.jurisdiction

        def actor(name: str) -> accounts.Actor:
            return accounts.actor_for(s, accounts.get_user(s, name))

        proposal = service.create_proposal(
            s, actor(people.owner), profile, service.ProposalData(title=title, organization=organization)
        )
        number = proposal.number
        row = commission_service.create_session(
            s, actor(people.secretary), profile, title=f"For {title}", held_on=CLOCK.date()
        )
        commission_service.add_agenda_item(s, actor(people.secretary), profile, row.number, number)
        for member in people.members:
            commission_service.set_vote(s, actor(member), profile, row.number, number, vote="recommend")
        commission_service.set_decision(
            s,
            actor(people.secretary),
            profile,
            row.number,
            number,
            decision="recommend",
            rationale="Asked for.",
        )
        commission_service.close_session(s, actor(people.secretary), profile, row.number)
        s.commit()
    return number


# ---------------------------------------------------------------- the overview and the navigation


def test_the_overview_shows_the_law_and_links_every_stage(kz: Portal, people: People) -> None:
    with closing(kz.client()) as http:
        page = http.get("/selection", params={"lang": "en"}).text
    assert "On access to information" in element_text(page, "law")
    for href in ("/selection/inventory", "/selection/proposals", "/selection/commission", "/selection/list",
                 "/selection/compliance", "/selection/unmet", "/selection/proposals/new"):  # fmt: skip
        assert f'href="{href}"' in page, href
    assert '<a href="/selection" aria-current="page">Open data selection</a>' in page  # the site's navigation


def test_an_organizations_page_links_to_its_compliance(kz: Portal, people: People) -> None:
    organization = kz.make_org()
    with closing(kz.client()) as http:
        page = http.get(f"/organization/{organization}", params={"lang": "en"}).text
    assert f'href="/selection/compliance/{organization}"' in page


# ---------------------------------------------------------------- proposals and supports


def test_a_proposal_is_made_on_the_form_and_each_person_supports_it_once(kz: Portal, people: People) -> None:
    organization = kz.make_org()
    citizen, _t = kz.make_user(kz.unique("citizen"))
    neighbour, _t = kz.make_user(kz.unique("citizen"))
    with closing(kz.client()) as anonymous:
        r = anonymous.get("/selection/proposals/new", params={"title": "Bus timetables", "keywords": "bus"})
        assert r.status_code == 303
        assert r.headers["location"].startswith("/login?next=/selection/proposals/new")
        assert "title%3DBus" in r.headers["location"]  # back to the filled form after logging in
    with closing(signed_in(kz, citizen)) as http:
        form = http.get(
            "/selection/proposals/new", params={"title": "Bus timetables", "keywords": "bus, routes"}
        )
        assert 'id="f-proposal-title" name="title" type="text" value="Bus timetables"' in form.text
        assert 'value="bus, routes"' in form.text
        number = propose(kz, http, organization, "Bus timetables of city routes", "bus timetables, routes")
        page = http.get(f"/selection/proposals/{number}").text
        assert "<h1>Bus timetables of city routes</h1>" in page
        assert "is registered" in element_text(page, "main")
        assert supports(page) == 0 and "people support this proposal" in element_text(page, "support")

        first = post(kz, http, f"/selection/proposals/{number}/support")
        assert first.status_code == 303 and first.headers["location"].endswith("#support")
        second = post(kz, http, f"/selection/proposals/{number}/support")
        assert second.status_code == 303
        page = http.get(f"/selection/proposals/{number}").text
        box = element_text(page, "support")
        assert supports(page) == 1
        assert "You support this proposal already: each person counts once." in element_text(page, "main")
        assert "You support this" in element_text(page, "supported")
        assert "Withdraw my support" in box
    with closing(signed_in(kz, neighbour)) as http:
        post(kz, http, f"/selection/proposals/{number}/support")
        assert supports(http.get(f"/selection/proposals/{number}").text) == 2
        withdrawn = post(kz, http, f"/selection/proposals/{number}/unsupport")
        assert withdrawn.status_code == 303
        page = http.get(f"/selection/proposals/{number}").text
        assert supports(page) == 1
        assert element_text(page, "evidence-support") == "Supports on the portal 1 × 1 1"
    with closing(kz.client()) as anonymous:
        refused = anonymous.post(
            f"/selection/proposals/{number}/support", data={"csrf_token": kz.csrf(anonymous)}
        )
        assert refused.status_code == 303 and refused.headers["location"].startswith("/login?next=")
        listed = anonymous.get(
            "/selection/proposals", params={"organization": organization, "lang": "en"}
        ).text
        row = element_text(listed, f"proposal-{number}")
        assert "Bus timetables of city routes" in row and "Proposed" in row and row.endswith("1 Not assessed")


def test_the_support_button_answers_htmx_with_the_box_alone(kz: Portal, people: People) -> None:
    organization = kz.make_org()
    citizen, _t = kz.make_user(kz.unique("citizen"))
    with closing(signed_in(kz, citizen)) as http:
        number = propose(kz, http, organization, "Ferry schedules on the lake")
        r = http.post(
            f"/selection/proposals/{number}/support",
            data={"csrf_token": token(kz, http)},
            headers={"HX-Request": "true"},
        )
    assert r.status_code == 200
    assert r.text.lstrip().startswith('<section class="support-box" id="support"')
    assert "Your support is counted." in r.text and "<html" not in r.text


def test_a_proposal_form_with_errors_shows_them_next_to_the_fields(kz: Portal, people: People) -> None:
    citizen, _t = kz.make_user(kz.unique("citizen"))
    with closing(signed_in(kz, citizen)) as http:
        before = http.get("/selection/proposals", params={"q": "Tiny"}).text
        r = post(
            kz,
            http,
            "/selection/proposals/new",
            title="Tiny",
            organization="",
            keywords=",".join("abcdefghijkl"),
        )
        assert r.status_code == 422
        assert field_error(r.text, "proposal-title") == "Say what data, in 5 to 300 characters."
        assert field_error(r.text, "proposal-organization") == "Choose the organization that holds the data."
        assert 'value="Tiny"' in r.text  # what was typed stays
        r = post(kz, http, "/selection/proposals/new", title="Tariffs", organization="no-such-organization")
        assert r.status_code == 422
        assert field_error(r.text, "proposal-organization") == "Choose the organization that holds the data."
        assert http.get("/selection/proposals", params={"q": "Tiny"}).text == before


# ---------------------------------------------------------------- assessment and consultations


def test_an_official_assesses_with_a_reason_and_the_history_keeps_it(kz: Portal, people: People) -> None:
    organization = kz.make_org()
    official, _t = kz.make_user(kz.unique("official"), org=organization, role="editor")
    citizen, _t = kz.make_user(kz.unique("citizen"))
    with closing(signed_in(kz, citizen)) as http:
        number = propose(kz, http, organization, "Kindergarten places by district")
        page = http.get(f"/selection/proposals/{number}").text
        assert 'id="assess-form"' not in page  # only the organization's officials assess
        everything = dict.fromkeys(("restriction", "demand", "readiness", "not_machine_readable"), "3")
        refused = post(kz, http, f"/selection/proposals/{number}/assess", **everything,
                       recommendation="include", reason="Mine.")  # fmt: skip
        assert refused.status_code == 403
    with closing(signed_in(kz, official)) as http:
        page = http.get(f"/selection/proposals/{number}").text
        assert "Not assessed yet" in element_text(page, "assessment")
        # the form starts from the suggestion: no holding (restriction 3, readiness 1), no demand (0)
        assert 'id="f-assess-restriction-3" name="restriction" value="3" checked' in page
        assert 'id="f-assess-readiness-1" name="readiness" value="1" checked' in page
        assert 'id="f-assess-demand-0" name="demand" value="0" checked' in page
        assert 'id="f-assess-recommendation-defer" name="recommendation" value="defer" checked' in page

        values = {"restriction": "3", "demand": "1", "readiness": "2", "not_machine_readable": "0"}
        no_reason = post(
            kz, http, f"/selection/proposals/{number}/assess", **values, recommendation="include"
        )
        assert no_reason.status_code == 422
        assert field_error(no_reason.text, "assess-reason") == "Give the reason for this assessment."
        assert 'id="f-assess-readiness-2" name="readiness" value="2" checked' in no_reason.text  # kept
        bad_score = post(kz, http, f"/selection/proposals/{number}/assess", **{**values, "demand": "7"},
                         recommendation="include", reason="Parents ask every autumn.")  # fmt: skip
        assert bad_score.status_code == 422
        assert field_error(bad_score.text, "assess-demand") == "Give a score from 0 to 3."

        done = post(kz, http, f"/selection/proposals/{number}/assess", **values, recommendation="include",
                    reason="Parents ask every autumn; the akimat keeps the queue in a database.")  # fmt: skip
        assert done.status_code == 303
        page = http.get(f"/selection/proposals/{number}").text
    assert element_text(page, "score") == "50 of 100"
    assert element_text(page, "criterion-readiness") == "Readiness to publish 2"
    assert element_text(page, "recommendation") == "Recommendation: Include in the list"
    assert "The score alone suggests: defer" not in page  # 50 of 100 suggests including
    assert "the akimat keeps the queue" in element_text(page, "assessment-reason")
    assert element_text(page, "assessed-by").startswith(f"Assessed by {official}")
    assert "Assessed" in element_text(page, "history")
    with closing(signed_in(kz, official)) as http:  # a reassessment against the score: said so
        post(kz, http, f"/selection/proposals/{number}/assess", restriction="3", demand="0", readiness="1",
             not_machine_readable="0", recommendation="include", reason="A decree asks for it.")  # fmt: skip
        page = http.get(f"/selection/proposals/{number}").text
    assert "The score alone suggests: defer." in element_text(page, "suggested-differs")
    assert "Earlier assessments (1)" in element_text(page, "earlier-assessments")


def test_a_consultation_record_with_its_document_counts_as_demand(kz: Portal, people: People) -> None:
    organization = kz.make_org()
    official, _t = kz.make_user(kz.unique("official"), org=organization, role="admin")
    with closing(signed_in(kz, official)) as http:
        number = propose(kz, http, organization, "Registered business addresses")
        letter = (
            b"need,members\r\nquarterly budget data,40\r\n"  # the association's table (a scan is withheld)
        )
        bad = http.post(
            f"/selection/proposals/{number}/consultations",
            data={"csrf_token": token(kz, http), "submitted_by": "", "summary": "Asks for it.",
                  "received_on": "2026-13-40"},
            files={"document": ("letter.csv", letter, "text/csv")},
        )  # fmt: skip
        assert bad.status_code == 422
        assert field_error(bad.text, "consultation-received_on").startswith("Enter a date like 2024-12-31")
        future = http.post(
            f"/selection/proposals/{number}/consultations",
            data={"csrf_token": token(kz, http), "submitted_by": "Business association",
                  "summary": "Asks for it.", "received_on": "2026-07-01"},
        )  # fmt: skip
        assert future.status_code == 422
        assert field_error(future.text, "consultation-received_on").startswith("Enter a date")
        done = http.post(
            f"/selection/proposals/{number}/consultations",
            data={"csrf_token": token(kz, http), "submitted_by": "Business association",
                  "summary": "Members need the addresses to check their partners.",
                  "received_on": "2026-05-20"},
            files={"document": ("letter.csv", letter, "text/csv")},
        )  # fmt: skip
        assert done.status_code == 303, done.text[:2000]
        page = http.get(f"/selection/proposals/{number}").text
    assert element_text(page, "evidence-consultation") == "Consultation submissions 1 × 5 5"
    assert element_text(page, "demand-index") == "5"
    link = re.search(r'href="(/selection/consultations/[^"]+/document)"', page)
    assert link and "Business association" in page
    with closing(kz.client()) as anonymous:
        document = anonymous.get(link.group(1))
    assert document.status_code == 200 and document.content == letter
    assert 'filename="letter.csv"' in document.headers["content-disposition"]


# ---------------------------------------------------------------- the inventory


def test_officials_keep_their_inventory_and_a_holding_is_proposed_for_opening(
    kz: Portal, people: People
) -> None:
    organization = kz.make_org()
    other = kz.make_org()
    official, _t = kz.make_user(kz.unique("official"), org=organization, role="editor")
    outsider, _t = kz.make_user(kz.unique("official"), org=other, role="editor")
    with closing(kz.client()) as anonymous:
        r = anonymous.get("/selection/inventory/new")
        assert r.status_code == 303 and r.headers["location"] == "/login?next=/selection/inventory/new"
    with closing(signed_in(kz, official)) as http:
        form = http.get("/selection/inventory/new").text
        assert f'<option value="{organization}"' in form and f'<option value="{other}"' not in form
        holding = {"organization": organization, "title": "Register of parking fines", "access": "restricted",
                   "information_system": "Offences register", "formats": "database"}  # fmt: skip
        r = post(kz, http, "/selection/inventory/new", **holding)
        assert r.status_code == 422
        assert field_error(r.text, "holding-access_basis") == "Name the law that restricts access."
        r = post(kz, http, "/selection/inventory/new", **holding, access_basis="Law on personal data, Art. 8")
        assert r.status_code == 303
        r = post(kz, http, "/selection/inventory/new", organization=organization, title="Bus timetables",
                 access="open", formats="GTFS", machine_readable="1", automated="1")  # fmt: skip
        assert r.status_code == 303
        listed = http.get("/selection/inventory", params={"organization": organization}).text
        assert "Register of parking fines" in listed and "Bus timetables" in listed
        restricted = http.get(
            "/selection/inventory", params={"organization": organization, "access": "restricted"}
        )
        assert "Register of parking fines" in restricted.text and "Bus timetables" not in restricted.text
        edit = re.search(
            r'href="(/selection/inventory/([\w-]+)/edit)"[^>]*>Edit<span[^>]*>: Bus timetables', listed
        )
        assert edit
        propose_link = re.search(r'href="(/selection/proposals/new\?holding=[\w-]+)"', listed)
        assert propose_link  # an open holding not published yet; the restricted one has no such link
        assert listed.count("Propose opening it") == 1
        form = http.get(propose_link.group(1)).text
        assert 'value="Bus timetables"' in form and "You propose to open a data holding" in form
        number = propose_from(kz, http, form, organization)
        page = http.get(f"/selection/proposals/{number}").text
        # from the holding: automated and machine-readable, open -> readiness 3, restriction 3
        assert 'id="f-assess-readiness-3" name="readiness" value="3" checked' in page
        assert "GTFS" in element_text(page, "holding")
    with closing(signed_in(kz, outsider)) as http:
        assert http.get(edit.group(1)).status_code == 403
        refused = post(kz, http, edit.group(1), organization=other, title="Taken over", access="open")
        assert refused.status_code == 403


def propose_from(portal: Portal, http: httpx.Client, form: str, organization: str) -> int:
    """Send a filled proposal form as it is: its number."""
    holding = re.search(r'name="holding" value="([^"]*)"', form)
    title = re.search(r'id="f-proposal-title" name="title" type="text" value="([^"]*)"', form)
    assert holding and title
    sent = post(portal, http, "/selection/proposals/new", title=title.group(1), organization=organization,
                holding=holding.group(1), keywords="")  # fmt: skip
    assert sent.status_code == 303, sent.text[:2000]
    return int(sent.headers["location"].rsplit("/", 1)[1])


# ---------------------------------------------------------------- the Commission


def test_a_session_with_votes_a_conflict_decisions_and_minutes(kz: Portal, people: People) -> None:
    organization = kz.make_org(title={"en": "Akimat of the lake district"})
    outsider, _t = kz.make_user(kz.unique("citizen"))
    with closing(signed_in(kz, outsider)) as http:
        first = propose(kz, http, organization, "Water quality of the lake beaches")
        second = propose(kz, http, organization, "Boat rental licences")
        refused = post(kz, http, "/selection/commission", title="Spring session", held_on="2026-06-10")
        assert refused.status_code == 403  # only the secretariat plans sessions
    a, b, c = people.members
    with closing(signed_in(kz, people.secretary)) as secretary:
        assert 'id="session-form"' in secretary.get("/selection/commission").text
        r = post(kz, secretary, "/selection/commission", title="Spring session", held_on="")
        assert r.status_code == 422
        assert field_error(r.text, "session-held_on") == "Enter a date like 2024-12-31."
        r = post(
            kz,
            secretary,
            "/selection/commission",
            title="Spring session",
            held_on="2026-06-10",
            place="Astana",
        )
        assert r.status_code == 303
        session_url = r.headers["location"]
        number = session_url.rsplit("/", 1)[1]
        page = secretary.get(session_url).text
        assert f'<option value="{first}">P-{first} Water quality of the lake beaches' in page
        for proposal in (first, second):
            assert post(kz, secretary, f"{session_url}/agenda", proposal=str(proposal)).status_code == 303
        twice = post(kz, secretary, f"{session_url}/agenda", proposal=str(first))
        assert twice.status_code == 409
    with closing(signed_in(kz, outsider)) as http:
        r = post(kz, http, f"{session_url}/items/{first}/vote", vote="recommend")
        assert r.status_code == 403  # not a member
        assert 'id="vote-form-' not in http.get(session_url).text
    with closing(kz.client()) as anonymous:
        r = anonymous.post(
            f"{session_url}/items/{first}/vote", data={"csrf_token": kz.csrf(anonymous), "vote": "x"}
        )
        assert r.status_code == 303 and r.headers["location"] == f"/login?next={session_url}"
    with closing(signed_in(kz, a)) as member:
        assert f'id="vote-form-{first}"' in member.get(session_url).text
        bad = post(kz, member, f"{session_url}/items/{first}/vote", vote="abstain")
        assert bad.status_code == 422
        assert field_error(bad.text, f"vote-{first}-vote") == "Choose how you vote."
        post(
            kz,
            member,
            f"{session_url}/items/{first}/vote",
            vote="recommend",
            comment="Bathers ask every summer.",
        )
        post(kz, member, f"{session_url}/items/{second}/vote", vote="reject")
    with closing(signed_in(kz, b)) as member:
        r = post(kz, member, f"{session_url}/items/{first}/vote", vote="reject")
        assert r.status_code == 303
        r = post(kz, member, f"{session_url}/items/{first}/conflict", statement="I advise a beach operator.")
        assert r.status_code == 303
        page = member.get(session_url).text
        assert "You declared a conflict of interest on this item" in element_text(page, f"item-{first}")
        post(kz, member, f"{session_url}/items/{second}/vote", vote="reject")
    with closing(signed_in(kz, people.secretary)) as secretary:
        early = post(
            kz, secretary, f"{session_url}/items/{first}/decision", decision="recommend", rationale="Asked."
        )
        assert early.status_code == 409
        assert "No quorum yet: 1 of 2 members without a conflict voted, 2 are needed." in early.text
    with closing(signed_in(kz, c)) as member:
        post(kz, member, f"{session_url}/items/{first}/vote", vote="defer", comment="Wait for the sensors.")
    with closing(signed_in(kz, people.secretary)) as secretary:
        no_reason = post(
            kz, secretary, f"{session_url}/items/{first}/decision", decision="recommend", rationale=""
        )
        assert no_reason.status_code == 422
        assert (
            field_error(no_reason.text, f"decision-{first}-rationale")
            == "Give the rationale of the decision."
        )
        done = post(kz, secretary, f"{session_url}/items/{first}/decision", decision="recommend",
                    rationale="Public health information; the conflicted member did not vote.")  # fmt: skip
        assert done.status_code == 303
        too_soon = post(kz, secretary, f"{session_url}/close")
        assert too_soon.status_code == 409
        assert f"Record a decision on every item first: P-{second}." in too_soon.text
        post(
            kz,
            secretary,
            f"{session_url}/items/{second}/decision",
            decision="reject",
            rationale="Licences only.",
        )
        assert post(kz, secretary, f"{session_url}/close").status_code == 303
        page = secretary.get(session_url).text
    assert element_text(page, "session-status") == "Closed"
    assert 'id="agenda-form"' not in page and 'id="decision-form-' not in page  # a closed record is final
    item = element_text(page, f"item-{first}")
    assert "Conflict of interest declared" in item and "I advise a beach operator." in item
    assert "Bathers ask every summer." in item
    assert element_text(page, f"item-{first}-tally") == "Recommend: 1 · Reject: 0 · Defer: 1"
    assert element_text(page, f"item-{first}-quorum").startswith("Quorum reached: 2 of 2")
    assert element_text(page, f"item-{first}-decision").startswith("Decision: Recommended for the list")
    with closing(kz.client()) as anonymous:
        proposal_page = anonymous.get(f"/selection/proposals/{first}", params={"lang": "en"}).text
        assert "Recommended for the list" in element_text(proposal_page, "decisions")
        assert f"Decided at session No. {number}" in element_text(proposal_page, "history")
        minutes_page = anonymous.get(f"{session_url}/minutes").text
        assert (
            "<h1>Minutes of session No." in minutes_page
            and "Commission on Access to Information" in minutes_page
        )
        assert "I advise a beach operator." in minutes_page and "Wait for the sensors." in minutes_page
        assert 'id="minutes-draft"' not in minutes_page  # closed: final
        pdf = anonymous.get(f"{session_url}/minutes.pdf")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF") and "attachment" in pdf.headers["content-disposition"]


# ---------------------------------------------------------------- the unified list and compliance


def test_the_list_is_drafted_approved_changed_and_compared(kz: Portal, people: People) -> None:
    organization = kz.make_org(title={"en": "Akimat of the river district"})
    official, _t = kz.make_user(kz.unique("official"), org=organization, role="editor")
    dataset = kz.make_dataset(organization)
    from_commission = recommended(kz, people, organization, "Flood warnings by river gauge")
    with closing(kz.client()) as anonymous:
        assert 'id="draft-form"' not in anonymous.get("/selection/list").text
    with closing(signed_in(kz, people.owner)) as owner:
        r = post(kz, owner, "/selection/list/draft")
        assert r.status_code == 303
        draft = r.headers["location"]
        page = owner.get(draft).text
        assert f'<option value="{from_commission}">P-{from_commission} Flood warnings by river gauge' in page
        bad = post(
            kz, owner, f"{draft}/items", proposal=str(from_commission), due_on="", update_frequency="MONTHLY"
        )
        assert bad.status_code == 422
        assert field_error(bad.text, "item-due_on") == "Enter the due date like 2024-12-31."
        # overdue on the frozen day (1 Jun 2026): due in March, no dataset yet
        assert post(kz, owner, f"{draft}/items", proposal=str(from_commission), due_on="2026-03-01",
                    update_frequency="MONTHLY").status_code == 303  # fmt: skip
        assert post(kz, owner, f"{draft}/items", title="River water levels", organization=organization,
                    due_on="2026-12-31", update_frequency="DAILY").status_code == 303  # fmt: skip
        no_act = post(kz, owner, f"{draft}/approve", act_number="", act_date="2026-05-30", act_title="Decree")
        assert no_act.status_code == 422
        assert field_error(no_act.text, "approve-act_number") == "Give the number of the approving act."
        future = post(kz, owner, f"{draft}/approve", act_number="12", act_date="2026-07-01")
        assert future.status_code == 422 and field_error(future.text, "approve-act_date").startswith(
            "Give the date"
        )
        approved = post(kz, owner, f"{draft}/approve", act_number="12", act_date="2026-05-30",
                        act_title="Decree of the Government")  # fmt: skip
        assert approved.status_code == 303 and approved.headers["location"] == "/selection/list"
        page = owner.get("/selection/list").text
        first_version = draft.rsplit("/", 1)[1]
        assert element_text(page, "act") == "Approved by: Decree of the Government No. 12 of May 30, 2026"
        codes = re.findall(r'<tr id="item-(OD-\d{4})">', page)
        assert len(codes) == 2
        flood, river = codes
        # the second draft moves the river item's due date and adds one
        draft2 = post(kz, owner, "/selection/list/draft", note="Moves a date.").headers["location"]
        item_form = owner.get(f"{draft2}/items/{river}").text
        assert 'value="2026-12-31"' in item_form
        changed = post(kz, owner, f"{draft2}/items/{river}", title="River water levels",
                       organization=organization, due_on="2027-03-31", update_frequency="DAILY")  # fmt: skip
        assert changed.status_code == 303
        post(kz, owner, f"{draft2}/items", title="Bridges closed for repair", organization=organization,
             due_on="2027-01-31", update_frequency="WEEKLY")  # fmt: skip
        preview = owner.get(f"{draft2}/diff").text  # a draft shows what it would change too
        assert element_text(preview, f"changed-{river}").endswith(
            "December 31, 2026 → becomes March 31, 2027"
        )
        assert (
            post(kz, owner, f"{draft2}/approve", act_number="No. 40", act_date="2026-05-31").status_code
            == 303
        )
        second_version = draft2.rsplit("/", 1)[1]
        versions = owner.get("/selection/list").text
    assert f'href="/selection/list/{second_version}/diff">Changes from version {first_version}' in versions
    with closing(kz.client()) as anonymous:
        diff = anonymous.get(f"/selection/list/{second_version}/diff", params={"lang": "en"}).text
        assert f"<h1>Changes from version {first_version} to version {second_version}</h1>" in diff
        assert "Bridges closed for repair" in element_text(diff, "added")
        assert element_text(diff, f"changed-{river}") == (
            f"{river} River water levels Due date: December 31, 2026 → becomes March 31, 2027"
        )
        assert 'id="removed"' not in diff  # nothing removed
        listed = anonymous.get(f"/selection/proposals/{from_commission}").text
        assert "On the unified list" in listed
        csv = anonymous.get(f"/selection/list/{second_version}.csv")
        assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
        assert river in csv.text and "2027-03-31" in csv.text and "No. 40" in csv.text
    with closing(signed_in(kz, official)) as http:  # the responsible organization links its dataset
        page = http.get("/selection/list").text
        assert f'action="/selection/list/items/{river}/dataset#item-{river}"' in page
        wrong = post(kz, http, f"/selection/list/items/{river}/dataset", dataset="no-such-dataset")
        assert wrong.status_code == 422
        assert field_error(wrong.text, f"fulfil-{river}-dataset").startswith("Name a dataset")
        assert post(kz, http, f"/selection/list/items/{river}/dataset", dataset=dataset).status_code == 303
        assert f'href="/dataset/{dataset}"' in element_text_html(
            http.get("/selection/list").text, f"item-{river}"
        )
    with closing(kz.client()) as anonymous:
        card = anonymous.get(f"/selection/compliance/{organization}", params={"lang": "en"}).text
        assert "Late" in element_text(card, f"item-{flood}") and "92 days late" in element_text(
            card, f"item-{flood}"
        )
        assert element_text(card, "total-late").startswith("1 ")
        assert 'id="chart-trend"' in card and 'id="data-trend"' in card  # the trend with its numbers
        overall = anonymous.get("/selection/compliance").text
        assert f'href="/selection/compliance/{organization}"' in overall


def element_text_html(page: str, ident: str) -> str:
    found = re.search(rf'<(\w+)[^>]*\bid="{ident}"[^>]*>(.*?)</\1>', page, re.S)
    assert found, ident
    return found.group(2)


def test_only_the_list_owner_drafts_the_list(kz: Portal, people: People) -> None:
    citizen, _t = kz.make_user(kz.unique("citizen"))
    with closing(signed_in(kz, citizen)) as http:
        assert post(kz, http, "/selection/list/draft").status_code == 403
    with closing(kz.client()) as anonymous:
        r = anonymous.post("/selection/list/draft", data={"csrf_token": kz.csrf(anonymous)})
        assert r.status_code == 303 and r.headers["location"] == "/login?next=/selection/list"


# ---------------------------------------------------------------- unmet demand


def test_unmet_demand_links_to_a_filled_proposal_form(kz: Portal, people: People) -> None:
    with closing(kz.client()) as http:
        http.get("/selection", params={"lang": "en"})
        for _ in range(3):
            assert http.get("/dataset", params={"q": "ferry timetables"}).status_code == 200
        page = http.get("/selection/unmet", params={"lang": "en"}).text
    row = re.search(
        r'<tr>\s*<th scope="row"[^>]*><a href="/dataset\?q=ferry[^"]*" rel="nofollow">'
        r"ferry timetables</a>.*?</tr>",
        page,
        re.S,
    )
    assert row, page[-3000:]
    link = re.search(r'href="(/selection/proposals/new\?[^"]+)"', row.group(0))
    assert link
    query = parse_qs(urlparse(html.unescape(link.group(1))).query)
    assert query == {"title": ["Ferry timetables"], "keywords": ["ferry timetables"]}
    citizen, _t = kz.make_user(kz.unique("citizen"))
    with closing(signed_in(kz, citizen)) as http:
        form = http.get(html.unescape(link.group(1))).text
    assert 'value="Ferry timetables"' in form and 'value="ferry timetables"' in form


def test_unmet_demand_is_the_same_for_an_official_with_a_private_dataset(kz: Portal) -> None:
    """Demand is unmet while the public finds nothing: an official whose private dataset matches the words
    sees the topic too (as the API tells everyone)."""
    org = kz.make_org(kz.unique("lighthouses"))
    kz.make_dataset(org, kz.unique("rota"), title={"en": "Lighthouse keepers rota"}, private=True)
    official, _t = kz.make_user(kz.unique("keeper"), org=org)
    with kz.db.session() as s:
        catalog_service.record_search(
            s, "lighthouse keepers", 0, service.local_today(kz.settings.jurisdiction, CLOCK)
        )
    for http in (kz.client(), signed_in(kz, official)):
        with closing(http):
            page = http.get("/selection/unmet", params={"lang": "en"}).text
            assert ">lighthouse keepers</a>" in page


# ---------------------------------------------------------------- languages


def _msgids() -> set[str]:
    pattern = re.compile(
        r"""(?:(?<![\w.])_|(?<!\w)gettext)\(\s*(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)')"""
    )
    folder = SRC / "selection"
    templates = (folder / "templates" / "selection").glob("*.html")
    files = [*templates, folder / "views.py", folder / "minutes.py"]
    found = {a or b for path in files for a, b in pattern.findall(path.read_text(encoding="utf-8"))}
    tables = [
        views.ACCESS_LABELS, views.STATUS_LABELS, views.CRITERIA_LABELS, views.CRITERIA_HINTS,
        views.RECOMMENDATION_LABELS, views.VOTE_LABELS, views.DECISION_LABELS, views.SESSION_STATUS_LABELS,
        views.LIST_STATUS_LABELS, views.COMPLIANCE_LABELS, views.EVIDENCE_LABELS, views.DIFF_FIELD_LABELS,
        views.HISTORY_LABELS, views.DONE, views.CONFLICT_MESSAGES, *views.FIELD_MESSAGES.values(),
        minutes.VOTE_LABELS, minutes.RECOMMENDATION_LABELS,
    ]  # fmt: skip
    for table in tables:
        found |= set(table.values())
    found |= {title for title, _href, _text in views.STAGES.values()}
    found |= {text for _title, _href, text in views.STAGES.values()}
    found |= views.SERVICE_MESSAGES
    return {m.replace('\\"', '"') for m in found}


def test_every_string_of_the_selection_pages_is_translated() -> None:
    assert_translated(_msgids(), 250)


@pytest.mark.parametrize(
    ("lang", "overview", "proposals", "commission", "listed"),
    [
        ("kk", "Ашатын деректерді іріктеу", "Ашуға ұсынылған деректер жиынтықтары", "Комиссия",
         "Ашық деректердің бірыңғай тізбесі"),
        ("ru", "Отбор открываемых данных", "Предложения открыть наборы данных", "Комиссия",
         "Единый перечень открытых данных"),
    ],
)  # fmt: skip
def test_the_pages_speak_kazakh_and_russian(
    kz: Portal, people: People, lang: str, overview: str, proposals: str, commission: str, listed: str
) -> None:
    organization = kz.make_org()
    citizen, _t = kz.make_user(kz.unique("citizen"))
    with closing(signed_in(kz, citizen, lang)) as http:
        number = propose(kz, http, organization, "Street lighting schedules")
        pages = {
            path: http.get(path).text
            for path in ("/selection", "/selection/inventory", "/selection/proposals",
                         "/selection/proposals/new", f"/selection/proposals/{number}",
                         "/selection/commission", "/selection/list", "/selection/compliance",
                         "/selection/unmet", f"/selection/compliance/{organization}")
        }  # fmt: skip
    assert all(f'<html lang="{lang}">' in body for body in pages.values())
    assert f"<h1>{overview}</h1>" in pages["/selection"]
    assert f"<h1>{proposals}</h1>" in pages["/selection/proposals"]
    assert f"<h1>{commission}</h1>" in pages["/selection/commission"]
    assert f"<h1>{listed}</h1>" in pages["/selection/list"]
    for body in pages.values():
        for english in (
            "Open data selection",
            "Proposals",
            "Demand index",
            "Compliance",
            "Support this proposal",
        ):
            assert f">{english}<" not in body, english
