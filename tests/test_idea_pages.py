"""The pages of ideas and dataset requests on a real server (kz profile): an idea posted through the form
(errors next to their fields, what was typed kept, personal data masked on display), listed with its supports
and comments under plain GET filters, sorts and pages; supported once per person through the form and through
HTMX, never anonymously; commented, a comment hidden by a moderator; answered by the organization asked
(refused to others); hidden with a reason and shown again; the moderators' page (403 for others) with the
anomaly report (a burst from new accounts, accounts behind one address), supports voided, a hidden use case
shown again and the liveness check queued; every string in kk, ru and en."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from derek.core import accounts
from derek.core.authz import SYSTEM
from derek.reuse import idea_views, service
from derek.reuse.models import Idea, IdeaComment, IdeaSupport, UseCase
from tests.conftest import Portal, assert_translated, start_portal

SRC = Path(__file__).resolve().parent.parent / "src" / "derek"
MODERATORS = "ministry-of-digital-development"  # the kz profile's [reuse] moderators
# what the pages say in English, never on a page in another language
ENGLISH = ("Ideas and dataset requests", "Support this idea", "Post an idea", "Comments", "Reason",
           "Unusual supports", "Hide the idea", "Liveness check", "Awaiting an answer", "Kind")  # fmt: skip


@dataclass(frozen=True)
class People:
    moderator: str  # an editor of the moderators' organization
    official: str  # an editor of the organization asked
    akimat: str  # the organization asked
    sysadmin: str


@pytest.fixture(scope="module")
def kz(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Portal]:
    yield from start_portal(tmp_path_factory.mktemp("ideas"), profile="kz")


@pytest.fixture(scope="module")
def people(kz: Portal) -> People:
    kz.make_org(MODERATORS, title={"en": "Ministry of Digital Development"})
    akimat = kz.make_org(
        kz.unique("akimat"), title={"en": "Akimat of Almaty", "ru": "Акимат Алматы", "kk": "Алматы әкімдігі"}
    )
    moderator, _t = kz.make_user(kz.unique("moderator"), org=MODERATORS, role="editor")
    official, _t = kz.make_user(kz.unique("official"), org=akimat, role="editor")
    sysadmin, _t = kz.make_user(kz.unique("root"), sysadmin=True)
    return People(moderator, official, akimat, sysadmin)


# ---------------------------------------------------------------- helpers


def signed_in(portal: Portal, name: str, lang: str = "en") -> httpx.Client:
    http = portal.signed_in(name)
    http.get("/reuse/ideas", params={"lang": lang})
    return http


def token(portal: Portal, http: httpx.Client) -> str:
    """The session's CSRF token (the header's log-out form carries it on every page)."""
    return portal.csrf(http, "/reuse/ideas")


def post(portal: Portal, http: httpx.Client, path: str, **data: str | list[str]) -> httpx.Response:
    return http.post(path, data={"csrf_token": token(portal, http), **data})


def supports(page: str) -> int:
    found = re.search(r'<span class="support-number">(\d+)</span>', page)
    assert found, "no support box"
    return int(found.group(1))


def supports_in_db(portal: Portal, idea_id: int) -> int:
    with portal.db.session() as s:
        return s.scalar(select(func.count()).where(IdeaSupport.idea_id == idea_id)) or 0


def field_error(page: str, key: str) -> str:
    found = re.search(rf'<p class="field-error" id="e-{key}">(.*?)</p>', page, re.S)
    return html.unescape(found.group(1)).strip() if found else ""


def element_text(page: str, ident: str) -> str:
    """The text of the element with this id (tags dropped, spaces joined)."""
    found = re.search(rf'<(\w+)[^>]*\bid="{ident}"[^>]*>(.*?)</\1>', page, re.S)
    assert found, f"no element {ident}"
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", found.group(2))).split())


def main_text(page: str) -> str:
    return element_text(page, "main")


def posted(portal: Portal, http: httpx.Client, title: str, **fields: str) -> int:
    """Post an idea through the web form; its number."""
    data = {"kind": "idea", "body": "", "keywords": "", "organization": ""} | fields
    sent = post(portal, http, "/reuse/ideas/new", title=title, **data)
    assert sent.status_code == 303, sent.text[:2000]
    found = re.fullmatch(r"/reuse/ideas/(\d+)", sent.headers["location"])
    assert found, sent.headers["location"]
    return int(found.group(1))


def actor(portal: Portal, name: str) -> accounts.Actor:
    with portal.db.session() as s:
        return accounts.actor_for(s, accounts.get_user(s, name))


def made(portal: Portal, title: str, author: str, **fields: str) -> int:
    """An idea made through the service; its number."""
    with portal.db.session() as s:
        idea = service.create_idea(
            s, actor(portal, author), portal.settings.jurisdiction, service.IdeaData(title=title, **fields)
        )
        return idea.id


# ---------------------------------------------------------------- posting and listing


def test_an_idea_is_posted_on_the_form_shown_masked_and_listed(kz: Portal, people: People) -> None:
    citizen, _t = kz.make_user(kz.unique("citizen"))
    with closing(kz.client()) as anonymous:
        r = anonymous.get("/reuse/ideas/new", params={"kind": "dataset_request"})
        assert r.status_code == 303
        assert r.headers["location"] == "/login?next=/reuse/ideas/new%3Fkind%3Ddataset_request"
    with closing(signed_in(kz, citizen)) as http:
        form = http.get("/reuse/ideas/new", params={"kind": "dataset_request", "organization": people.akimat})
        assert 'id="f-idea-kind-dataset_request" name="kind" value="dataset_request" checked' in form.text
        assert f'<option value="{people.akimat}" selected>Akimat of Almaty</option>' in form.text
        number = posted(
            kz, http, "Publish utility tariffs by district", kind="dataset_request",
            body="Water, heating and power per district. Call me on +7 701 234 5678.",
            keywords="tariffs, utilities", organization=people.akimat,
        )  # fmt: skip
        page = http.get(f"/reuse/ideas/{number}").text
    assert "<h1>Publish utility tariffs by district</h1>" in page
    assert "Your idea is posted" in main_text(page)
    assert element_text(page, "author") == citizen
    assert "Akimat of Almaty" in element_text(page, "facts")
    assert element_text(page, "byline") == "Awaiting an answer"
    assert f"Dataset request · No. {number}" in main_text(page)
    text = element_text(page, "idea-text")
    assert "Water, heating and power per district." in text
    assert "234 5678" not in page and "78." in text  # the phone number is masked on display
    assert element_text(page, "keywords") == "tariffs utilities"
    assert supports(page) == 0
    with kz.db.session() as s:  # what was typed is kept as typed
        assert "+7 701 234 5678" in (s.get(Idea, number) or Idea()).body
    with closing(kz.client()) as anonymous:
        listed = anonymous.get("/reuse/ideas", params={"organization": people.akimat, "lang": "en"}).text
        row = element_text(listed, f"idea-{number}")
        assert row.startswith("Supports 0 Comments 0 Publish utility tariffs by district Dataset request")
        assert "Addressed to: Akimat of Almaty" in row
        assert 'href="/reuse/ideas/new"' in listed
        for params, present in [
            ({"kind": "dataset_request", "q": "utility tariffs"}, True),
            ({"kind": "idea", "q": "utility tariffs"}, False),
            ({"status": "answered", "q": "utility tariffs"}, False),
            ({"status": "open", "q": "utility tariffs"}, True),
            ({"q": "no such words here"}, False),
        ]:
            found = anonymous.get("/reuse/ideas", params={**params, "lang": "en"}).text
            assert (f'id="idea-{number}"' in found) is present, params


def test_ideas_are_sorted_by_support_or_date_and_paged(kz: Portal, people: People) -> None:
    citizen, _t = kz.make_user(kz.unique("citizen"))
    word = kz.unique("lanterns").replace("-", "")
    ids = [made(kz, f"Street {word} number {n}", citizen) for n in range(23)]
    neighbour, _t = kz.make_user(kz.unique("neighbour"))
    with kz.db.session() as s:
        service.add_idea_support(s, actor(kz, neighbour), ids[0])
    with closing(kz.client()) as http:
        first = http.get("/reuse/ideas", params={"q": word, "lang": "en"}).text
        assert "Ideas found: 23" in first
        order = [int(n) for n in re.findall(r'<li class="idea-card" id="idea-(\d+)">', first)]
        assert len(order) == 20 and order[0] == ids[0]  # the supported one first
        assert order[1:4] == [ids[22], ids[21], ids[20]]  # then the newest
        assert 'rel="next"' in first and 'rel="prev"' not in first
        second = http.get("/reuse/ideas", params={"q": word, "page": 2, "lang": "en"}).text
        rest = [int(n) for n in re.findall(r'<li class="idea-card" id="idea-(\d+)">', second)]
        assert len(rest) == 3 and not set(rest) & set(order) and 'rel="prev"' in second
        newest = http.get("/reuse/ideas", params={"q": word, "sort": "new", "lang": "en"}).text
        order = [int(n) for n in re.findall(r'<li class="idea-card" id="idea-(\d+)">', newest)]
        assert order[:2] == [ids[22], ids[21]]
        assert '<option value="new" selected>Newest</option>' in newest


def test_an_idea_form_with_errors_shows_them_next_to_the_fields(kz: Portal, people: People) -> None:
    citizen, _t = kz.make_user(kz.unique("citizen"))
    with kz.db.session() as s:
        before = s.scalar(select(func.count()).select_from(Idea))
    with closing(signed_in(kz, citizen)) as http:
        r = post(kz, http, "/reuse/ideas/new", kind="petition", title="", body="x" * 20_001,
                 keywords="bus", organization="no-such-organization")  # fmt: skip
        assert r.status_code == 422
        assert field_error(r.text, "idea-kind") == "Choose whether it is an idea or a dataset request."
        assert field_error(r.text, "idea-title") == "Give the title (at most 300 characters)."
        assert field_error(r.text, "idea-body") == "This text is too long: at most 20,000 characters."
        assert field_error(r.text, "idea-organization") == "Choose an organization from the list."
        assert 'value="bus"' in r.text  # what was typed stays
        assert 'href="#f-idea-title"' in r.text  # the summary leads to the field
        r = post(kz, http, "/reuse/ideas/new", kind="idea", title="Bus stops", body="",
                 keywords=",".join("abcdefghijkl"), organization="")  # fmt: skip
        assert r.status_code == 422
        assert field_error(r.text, "idea-keywords") == "Give at most 10 keywords, separated by commas."
        assert 'value="Bus stops"' in r.text and field_error(r.text, "idea-title") == ""
    with kz.db.session() as s:
        assert s.scalar(select(func.count()).select_from(Idea)) == before


# ---------------------------------------------------------------- supports: one person, one support


def test_the_same_person_supports_once_through_the_form_and_htmx(kz: Portal, people: People) -> None:
    author, _t = kz.make_user(kz.unique("author"))
    citizen, _t = kz.make_user(kz.unique("citizen"))
    neighbour, _t = kz.make_user(kz.unique("neighbour"))
    number = made(kz, "Publish the timetable of suburban trains", author)
    with closing(signed_in(kz, citizen)) as http:
        first = post(kz, http, f"/reuse/ideas/{number}/support")
        assert first.status_code == 303 and first.headers["location"] == f"/reuse/ideas/{number}#support"
        second = post(kz, http, f"/reuse/ideas/{number}/support")
        assert second.status_code == 303
        page = http.get(f"/reuse/ideas/{number}").text
        assert supports(page) == 1
        assert "You support this idea already: each person counts once." in main_text(page)
        assert "You support this idea" in element_text(page, "supported")
        assert "Withdraw my support" in element_text(page, "support")
        assert "Support this idea" not in element_text(page, "support")
        third = http.post(f"/reuse/ideas/{number}/support", data={"csrf_token": token(kz, http)},
                          headers={"HX-Request": "true"})  # fmt: skip
        assert third.status_code == 200
        assert third.text.lstrip().startswith('<section class="support-box" id="support"')
        assert "<html" not in third.text and supports(third.text) == 1
        assert "You support this idea already" in third.text
        assert supports(http.get(f"/reuse/ideas/{number}").text) == 1
    assert supports_in_db(kz, number) == 1
    with closing(signed_in(kz, neighbour)) as http:
        swapped = http.post(f"/reuse/ideas/{number}/support", data={"csrf_token": token(kz, http)},
                            headers={"HX-Request": "true"})  # fmt: skip
        assert supports(swapped.text) == 2 and "Your support is counted." in swapped.text
        assert 'hx-post="/reuse/ideas/' in swapped.text and "Withdraw my support" in swapped.text
        assert supports_in_db(kz, number) == 2
        withdrawn = post(kz, http, f"/reuse/ideas/{number}/unsupport")
        assert withdrawn.status_code == 303
        page = http.get(f"/reuse/ideas/{number}").text
        assert supports(page) == 1 and "Your support was withdrawn." in main_text(page)
    assert supports_in_db(kz, number) == 1
    with closing(kz.client()) as anonymous:
        page = anonymous.get(f"/reuse/ideas/{number}", params={"lang": "en"}).text
        box = element_text(page, "support")
        assert (
            "Log in to support" in box and "<form" not in page.split('id="support"')[1].split("</section>")[0]
        )
        refused = anonymous.post(f"/reuse/ideas/{number}/support", data={"csrf_token": kz.csrf(anonymous)})
        assert refused.status_code == 303
        assert refused.headers["location"] == f"/login?next=/reuse/ideas/{number}"
        hx = anonymous.post(f"/reuse/ideas/{number}/support", data={"csrf_token": kz.csrf(anonymous)},
                            headers={"HX-Request": "true"})  # fmt: skip
        assert hx.status_code == 204 and hx.headers["HX-Redirect"] == f"/login?next=/reuse/ideas/{number}"
        forged = anonymous.post(f"/reuse/ideas/{number}/support", data={"csrf_token": "forged"})
        assert forged.status_code == 403
    assert supports_in_db(kz, number) == 1
    with closing(kz.client()) as anonymous:
        listed = anonymous.get("/reuse/ideas", params={"q": "suburban trains", "lang": "en"}).text
        assert element_text(listed, f"idea-{number}").startswith("Supports 1 Comments 0")


# ---------------------------------------------------------------- comments, answers, moderation


def test_a_comment_is_posted_and_a_moderator_hides_it(kz: Portal, people: People) -> None:
    author, _t = kz.make_user(kz.unique("author"))
    citizen, _t = kz.make_user(kz.unique("citizen"))
    number = made(kz, "Open the register of pharmacies", author)
    with closing(signed_in(kz, citizen)) as http:
        empty = post(kz, http, f"/reuse/ideas/{number}/comments", body="")
        assert empty.status_code == 422
        assert field_error(empty.text, "comment-body") == "Write the comment (at most 5,000 characters)."
        sent = post(kz, http, f"/reuse/ideas/{number}/comments", body="Yes, with opening hours please")
        assert sent.status_code == 303
        comment_id = int(sent.headers["location"].rsplit("#comment-", 1)[1])
        page = http.get(f"/reuse/ideas/{number}").text
        assert "Yes, with opening hours please" in element_text(page, f"comment-{comment_id}")
        assert citizen in element_text(page, f"comment-{comment_id}")
        assert "Comments (1)" in element_text(page, "comments-title")
        assert f"/comments/{comment_id}/moderate" not in page  # no moderation for an ordinary user
        refused = post(kz, http, f"/reuse/ideas/{number}/comments/{comment_id}/moderate", action="hide")
        assert refused.status_code == 403
    with closing(kz.client()) as anonymous:
        page = anonymous.get(f"/reuse/ideas/{number}", params={"lang": "en"}).text
        assert "Yes, with opening hours please" in page and 'id="comment-form"' not in page
        assert f'href="/login?next=/reuse/ideas/{number}"' in page
    with closing(signed_in(kz, people.moderator)) as http:
        hidden = post(kz, http, f"/reuse/ideas/{number}/comments/{comment_id}/moderate", action="hide")
        assert hidden.status_code == 303
        page = http.get(f"/reuse/ideas/{number}").text
        assert "The comment is hidden" in main_text(page)
        assert "Hidden" in element_text(page, f"comment-{comment_id}")  # moderators still read it
        assert "Show the comment again" in element_text(page, f"comment-{comment_id}")
    for http in (kz.client(), signed_in(kz, citizen)):
        with closing(http):
            page = http.get(f"/reuse/ideas/{number}", params={"lang": "en"}).text
            assert "Yes, with opening hours please" not in page and "No comments yet." in page
    with closing(kz.client()) as anonymous:
        listed = anonymous.get("/reuse/ideas", params={"q": "register of pharmacies", "lang": "en"}).text
        assert element_text(listed, f"idea-{number}").startswith("Supports 0 Comments 0")
    with closing(signed_in(kz, people.moderator)) as http:
        post(kz, http, f"/reuse/ideas/{number}/comments/{comment_id}/moderate", action="show")
    with kz.db.session() as s:
        assert (s.get(IdeaComment, comment_id) or IdeaComment()).hidden is False


def test_the_organization_asked_answers_and_nobody_else(kz: Portal, people: People) -> None:
    author, _t = kz.make_user(kz.unique("author"))
    dataset = kz.make_dataset(people.akimat, title={"en": "Utility tariffs 2026"})
    number = made(kz, "Tariffs for water by district", author, organization=people.akimat)
    with closing(signed_in(kz, author)) as http:
        page = http.get(f"/reuse/ideas/{number}").text
        assert 'id="answer-form"' not in page
        assert "Akimat of Almaty has not answered yet." in element_text(page, "no-answer")
        refused = post(kz, http, f"/reuse/ideas/{number}/answer", answer="Done", dataset="")
        assert refused.status_code == 403
    with closing(signed_in(kz, people.official)) as http:
        page = http.get(f"/reuse/ideas/{number}").text
        assert 'id="answer-form"' in page and 'id="moderate-form"' not in page
        wrong = post(kz, http, f"/reuse/ideas/{number}/answer", answer="Published.", dataset="no-such-data")
        assert wrong.status_code == 422
        assert (
            field_error(wrong.text, "answer-dataset")
            == "There is no dataset with this URL name on the portal."
        )
        assert "Published." in wrong.text and 'value="no-such-data"' in wrong.text
        empty = post(kz, http, f"/reuse/ideas/{number}/answer", answer="", dataset=dataset)
        assert field_error(empty.text, "answer-answer") == "Write the answer (at most 20,000 characters)."
        done = post(kz, http, f"/reuse/ideas/{number}/answer", answer="We publish them every month.",
                    dataset=dataset)  # fmt: skip
        assert done.status_code == 303 and done.headers["location"] == f"/reuse/ideas/{number}#answer"
    with closing(kz.client()) as anonymous:
        page = anonymous.get(f"/reuse/ideas/{number}", params={"lang": "en"}).text
        assert element_text(page, "answer-text") == "We publish them every month."
        assert f'<a href="/dataset/{dataset}">Utility tariffs 2026</a>' in page
        assert element_text(page, "byline") == "Answered"
        listed = anonymous.get("/reuse/ideas", params={"status": "answered", "lang": "en"}).text
        assert f'id="idea-{number}"' in listed
    other_org = kz.make_org()
    stranger, _t = kz.make_user(kz.unique("official"), org=other_org)
    with closing(signed_in(kz, stranger)) as http:
        assert post(kz, http, f"/reuse/ideas/{number}/answer", answer="No", dataset="").status_code == 403


def test_a_moderator_hides_an_idea_with_a_reason_and_shows_it_again(kz: Portal, people: People) -> None:
    author, _t = kz.make_user(kz.unique("author"))
    number = made(kz, "Buy my used car cheap", author)
    with closing(signed_in(kz, people.moderator)) as http:
        no_reason = post(kz, http, f"/reuse/ideas/{number}/moderate", action="hide", note="")
        assert no_reason.status_code == 422
        assert field_error(no_reason.text, "moderate-note").startswith("Give the reason")
        hidden = post(kz, http, f"/reuse/ideas/{number}/moderate", action="hide", note="An advertisement")
        assert hidden.status_code == 303
        page = http.get(f"/reuse/ideas/{number}").text
        assert "A moderator hid this idea" in element_text(page, "hidden-note")
        assert "A hidden idea cannot be supported." in element_text(page, "support")
        moderation = http.get("/reuse/moderation").text
        assert "An advertisement" in element_text(moderation, f"hidden-idea-{number}")
    with closing(kz.client()) as anonymous:
        assert anonymous.get(f"/reuse/ideas/{number}").status_code == 404
        listed = anonymous.get("/reuse/ideas", params={"q": "used car"}).text
        assert f'id="idea-{number}"' not in listed
    with closing(signed_in(kz, author)) as http:
        page = http.get(f"/reuse/ideas/{number}").text  # its author still sees it, with the reason
        assert "Reason: An advertisement" in element_text(page, "hidden-note")
        refused = post(kz, http, f"/reuse/ideas/{number}/support")
        assert refused.status_code == 404
    with closing(signed_in(kz, people.moderator)) as http:
        shown = post(kz, http, f"/reuse/ideas/{number}/moderate", action="show", back="moderation")
        assert shown.status_code == 303 and shown.headers["location"] == "/reuse/moderation#hidden-ideas"
        assert f'id="hidden-idea-{number}"' not in http.get("/reuse/moderation").text
    with closing(kz.client()) as anonymous:
        assert anonymous.get(f"/reuse/ideas/{number}").status_code == 200


# ---------------------------------------------------------------- the moderators' page


def test_the_moderation_page_is_for_moderators_only(kz: Portal, people: People) -> None:
    citizen, _t = kz.make_user(kz.unique("citizen"))
    with closing(kz.client()) as anonymous:
        r = anonymous.get("/reuse/moderation")
        assert r.status_code == 303 and r.headers["location"] == "/login?next=/reuse/moderation"
    for name in (citizen, people.official):
        with closing(signed_in(kz, name)) as http:
            refused = http.get("/reuse/moderation")
            assert refused.status_code == 403
            assert "You do not have access to this page" in refused.text
            assert 'href="/reuse/moderation"' not in http.get("/reuse/ideas").text
            for path in ("/reuse/moderation/liveness", "/reuse/moderation/void"):
                assert post(kz, http, path, idea="1", reason="x").status_code == 403
    for name in (people.moderator, people.sysadmin):
        with closing(signed_in(kz, name)) as http:
            page = http.get("/reuse/moderation").text
            assert "<h1>Moderation</h1>" in page
            assert "shown only as a code" in element_text(page, "anomaly-rules")
            assert 'href="/reuse/moderation"' in http.get("/reuse/ideas").text


def test_the_report_shows_a_burst_and_a_shared_address_and_voiding_lowers_the_count(
    kz: Portal, people: People
) -> None:
    rules = service.rules_for(kz.settings.jurisdiction)
    author, _t = kz.make_user(kz.unique("author"))
    number = made(kz, "Publish parking fines by street", author)
    fresh = [kz.make_user(kz.unique("fresh"))[0] for _ in range(rules.burst_supports)]
    secret = kz.settings.effective_secret_key()
    shared = fresh[: rules.shared_address]
    with kz.db.session() as s:
        for n, name in enumerate(fresh):
            address = "203.0.113.7" if name in shared else f"198.51.100.{n}"
            person = accounts.actor_for(s, accounts.get_user(s, name))
            service.add_idea_support(s, person, number, address=service.address_key(secret, address))
    with closing(signed_in(kz, people.moderator)) as http:
        page = http.get("/reuse/moderation").text
        burst = re.search(rf'id="anomaly-(new_accounts-{number}-[^"]+)"', page)
        one_address = re.search(rf'id="anomaly-(shared_address-{number}-[^"]+)"', page)
        assert burst and one_address
        burst_text = element_text(page, f"anomaly-{burst.group(1)}")
        assert "Supports from new accounts on" in burst_text and f": {rules.burst_supports}" in burst_text
        assert all(name in burst_text for name in fresh)
        shared_text = element_text(page, f"anomaly-{one_address.group(1)}")
        assert f"Accounts that supported it from one address: {rules.shared_address}" in shared_text
        assert service.address_key(secret, "203.0.113.7")[:12] in shared_text
        assert all(name in shared_text for name in shared) and fresh[-1] not in shared_text
        assert "203.0.113.7" not in page  # the address itself is never shown

        item = one_address.group(1)
        no_reason = post(
            kz, http, "/reuse/moderation/void", idea=str(number), item=item, accounts=shared, reason=""
        )
        assert no_reason.status_code == 422
        assert (
            field_error(no_reason.text, f"void-{item}-reason")
            == "Give the reason (at most 2,000 characters)."
        )
        none_chosen = post(kz, http, "/reuse/moderation/void", idea=str(number), item=item, reason="Bots")
        assert field_error(none_chosen.text, f"void-{item}-accounts") == "Choose at least one account."
        assert supports_in_db(kz, number) == rules.burst_supports
        voided = post(kz, http, "/reuse/moderation/void", idea=str(number), item=item, accounts=shared,
                      reason="One address, accounts made the same minute")  # fmt: skip
        assert voided.status_code == 303 and voided.headers["location"] == "/reuse/moderation#anomalies"
        page = http.get("/reuse/moderation").text
        assert f"Supports voided: {rules.shared_address}." in main_text(page)
        assert f'id="anomaly-shared_address-{number}-' not in page
        assert (
            supports(http.get(f"/reuse/ideas/{number}").text) == rules.burst_supports - rules.shared_address
        )
    assert supports_in_db(kz, number) == rules.burst_supports - rules.shared_address


def test_supports_through_the_form_from_one_address_show_in_the_report(kz: Portal, people: People) -> None:
    """Every test client comes from 127.0.0.1: the form's supports carry its keyed hash, so three people
    supporting one idea are accounts behind one address."""
    rules = service.rules_for(kz.settings.jurisdiction)
    author, _t = kz.make_user(kz.unique("author"))
    number = made(kz, "Publish the air quality of schoolyards", author)
    people_here = [kz.make_user(kz.unique("pupil"))[0] for _ in range(rules.shared_address)]
    for name in people_here:
        with closing(signed_in(kz, name)) as http:
            assert post(kz, http, f"/reuse/ideas/{number}/support").status_code == 303
    key = service.address_key(kz.settings.effective_secret_key(), "127.0.0.1")
    with kz.db.session() as s:
        assert set(s.scalars(select(IdeaSupport.address).where(IdeaSupport.idea_id == number))) == {key}
    with closing(signed_in(kz, people.moderator)) as http:
        page = http.get("/reuse/moderation").text
        item = f"shared_address-{number}-{key[:12]}"
        text = element_text(page, f"anomaly-{item}")
        assert f"Accounts that supported it from one address: {rules.shared_address}" in text
        assert all(name in text for name in people_here)


def test_a_hidden_use_case_is_shown_again_from_the_moderation_page(kz: Portal, people: People) -> None:
    maker, _t = kz.make_user(kz.unique("maker"))
    dataset = kz.make_dataset(people.akimat)
    profile = kz.settings.jurisdiction
    with kz.db.session() as s:
        use_case = service.create_use_case(
            s,
            actor(kz, maker),
            profile,
            service.UseCaseData(
                title={"en": "Bus stop map"},
                description={"en": "Shows the city's bus stops on a map, with the timetable of every route."},
                kind="app",
                author="City transport team",
                contact="team@example.kz",
                datasets=[dataset],
                url="https://bus.example.kz/",
            ),
        )
        service.set_use_case_moderation(s, SYSTEM, profile, use_case.id, shown=False, note="Broken promises")
        use_case_id = use_case.id
    with closing(signed_in(kz, people.moderator)) as http:
        page = http.get("/reuse/moderation").text
        row = element_text(page, f"hidden-use-case-{use_case_id}")
        assert "Bus stop map" in row and "Broken promises" in row
        done = post(kz, http, f"/reuse/moderation/use-cases/{use_case_id}/show")
        assert done.status_code == 303
        assert "The use case is shown again." in main_text(http.get("/reuse/moderation").text)
    with kz.db.session() as s:
        assert (s.get(UseCase, use_case_id) or UseCase()).moderation == "shown"


def test_a_moderator_runs_the_liveness_check_now(kz: Portal, people: People) -> None:
    with closing(signed_in(kz, people.moderator)) as http:
        done = post(kz, http, "/reuse/moderation/liveness")
        assert done.status_code == 303 and done.headers["location"] == "/reuse/moderation#liveness"
        page = http.get("/reuse/moderation").text
        assert "The check of every use case is queued" in main_text(page)
        link = re.search(r'<a href="/api/v1/jobs/([0-9a-f-]+)" id="liveness-job-link">', page)
        assert link, element_text(page, "liveness")
        status = element_text(page, "liveness-status")
        assert status in {"Queued to run", "Checking now", "Checked"}
        job = http.get(f"/api/v1/jobs/{link.group(1)}").json()
        assert job["kind"] == "reuse.liveness"


# ---------------------------------------------------------------- languages


def _msgids() -> set[str]:
    pattern = re.compile(
        r"""(?:(?<![\w.])_|(?<!\w)gettext)\(\s*(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)')"""
    )
    folder = SRC / "reuse"
    templates = folder / "templates" / "reuse"
    files = [*templates.glob("idea*.html"), templates / "moderation.html", folder / "idea_views.py"]
    found = {a or b for path in files for a, b in pattern.findall(path.read_text(encoding="utf-8"))}
    tables = [
        idea_views.KIND_LABELS, idea_views.KIND_HINTS, idea_views.STATUS_LABELS, idea_views.SORT_LABELS,
        idea_views.JOB_STATUS_LABELS, idea_views.DONE, *idea_views.FIELD_MESSAGES.values(),
    ]  # fmt: skip
    for table in tables:
        found |= set(table.values())
    return {m.replace('\\"', '"') for m in found}


def test_every_string_of_the_idea_pages_is_translated() -> None:
    assert_translated(_msgids(), 120)


@pytest.mark.parametrize(
    ("lang", "ideas", "post_idea", "moderation", "support"),
    [
        ("kk", "Идеялар мен деректерге сұраныстар", "Идея жариялау", "Модерация", "Осы идеяны қолдау"),
        ("ru", "Идеи и запросы наборов данных", "Предложить идею", "Модерация", "Поддержать идею"),
    ],
)
def test_the_pages_speak_kazakh_and_russian(
    kz: Portal, people: People, lang: str, ideas: str, post_idea: str, moderation: str, support: str
) -> None:
    author, _t = kz.make_user(kz.unique("author"))
    number = made(kz, "Publish school meal menus", author, organization=people.akimat)
    with closing(signed_in(kz, people.moderator, lang)) as http:
        post(kz, http, f"/reuse/ideas/{number}/comments", body="Please")
        pages = {
            path: http.get(path).text
            for path in ("/reuse/ideas", "/reuse/ideas/new", f"/reuse/ideas/{number}", "/reuse/moderation")
        }
    assert all(f'<html lang="{lang}">' in body for body in pages.values())
    assert f"<h1>{ideas}</h1>" in pages["/reuse/ideas"]
    assert f"<h1>{post_idea}</h1>" in pages["/reuse/ideas/new"]
    assert f"<h1>{moderation}</h1>" in pages["/reuse/moderation"]
    assert f">{support}</button>" in pages[f"/reuse/ideas/{number}"]
    for body in pages.values():
        for english in ENGLISH:
            assert f">{english}<" not in body, english
        assert "people support this idea" not in body
