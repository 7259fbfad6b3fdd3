"""The information-request pages on a real server: a request sent through the web form gets its statutory due
date under each profile (frozen clocks, holidays included), form errors are shown next to their fields, the
officials' journey (queue, refusal with a legal ground and a file the personal-data check withholds), the
requester's appeal and the reviewer's order, the public trail without the requester's identity, statistics
that match figures worked out by hand, Open Dialogue, and every string in kk, ru and en."""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterator
from contextlib import ExitStack, closing, contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest
from babel.dates import format_date

from derek.core import accounts
from derek.core.authz import ANONYMOUS, Actor
from derek.info_requests import notify, service, views
from derek.info_requests.schemas import Answer, DecisionCreate, RequestCreate
from tests.conftest import Portal, assert_translated, start_portal

SRC = Path(__file__).resolve().parent.parent / "src" / "derek"
IIN = "900101300126"  # synthetic: a valid check digit, nobody's number
REQUESTER = "Aigerim Testova"
REQUESTER_EMAIL = "aigerim.testova@example.org"

# The portal's frozen clock per profile (a UTC time whose local date is the day of receipt) and the due date
# worked out by hand from the law and the calendar:
CLOCKS: dict[str, tuple[datetime, date]] = {
    # kz, 15 calendar days: received Fri 6 Mar 2026 (11:00 in Almaty, UTC+5) -> Sat 21 Mar 2026, a day off,
    # as are Nauryz 21-25 Mar (Sun 22 Mar, and the days off moved to 23-25 Mar) -> Thu 26 Mar 2026.
    "kz": (datetime(2026, 3, 6, 6, 0, tzinfo=UTC), date(2026, 3, 26)),
    # ee, 5 working days: received Mon 21 Dec 2026 (12:00 in Tallinn, UTC+2) -> Tue 22, Wed 23 (1, 2);
    # Thu 24 (Christmas Eve), Fri 25, Sat 26 (Christmas) and Sun 27 Dec are off; Mon 28, Tue 29, Wed 30 Dec
    # (3, 4, 5) -> Wed 30 Dec 2026.
    "ee": (datetime(2026, 12, 21, 10, 0, tzinfo=UTC), date(2026, 12, 30)),
    # ca, 30 calendar days: received Mon 1 Jun 2026 (11:00 in Toronto, UTC-4) -> Wed 1 Jul 2026, Canada Day
    # -> Thu 2 Jul 2026.
    "ca": (datetime(2026, 6, 1, 15, 0, tzinfo=UTC), date(2026, 7, 2)),
    # eu, 15 working days: received Fri 18 Dec 2026 (11:00 in Brussels, UTC+1) -> Mon 21, Tue 22, Wed 23 Dec
    # (1-3); the Commission's break 24 Dec - 1 Jan and the weekends are off; Mon 4 - Fri 8 Jan (4-8), Mon 11 -
    # Fri 15 Jan (9-13), Mon 18 (14), Tue 19 Jan 2027 (15) -> Tue 19 Jan 2027.
    "eu": (datetime(2026, 12, 18, 10, 0, tzinfo=UTC), date(2027, 1, 19)),
}


@pytest.fixture(scope="module")
def portals(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[[str], Portal]]:
    """One portal per profile, started when a test first asks for it, each with its frozen clock."""
    started: dict[str, Portal] = {}
    with ExitStack() as running:

        def portal_for(code: str) -> Portal:
            if code not in started:
                folder = tmp_path_factory.mktemp(f"requests-{code}")
                server = contextmanager(start_portal)(folder, profile=code, clock=CLOCKS[code][0])
                started[code] = running.enter_context(server)
            return started[code]

        yield portal_for


@pytest.fixture(scope="module")
def kz(portals: Callable[[str], Portal]) -> Portal:
    return portals("kz")


# ---------------------------------------------------------------- helpers


def english(portal: Portal) -> httpx.Client:
    """An anonymous visitor reading the pages in English (the language cookie is set by ?lang=en)."""
    http = portal.client()
    http.get("/requests", params={"lang": "en"})
    return http


def signed_in_english(portal: Portal, name: str) -> httpx.Client:
    http = portal.signed_in(name)
    http.get("/requests", params={"lang": "en"})
    return http


def request_form(portal: Portal, http: httpx.Client, organization: str, **fields: str) -> dict[str, str]:
    data = {
        "csrf_token": portal.csrf(http, "/requests/new"),
        "organization": organization,
        "subject": "Road repairs in 2025",
        "body": "Which streets were repaired in 2025, and at what cost for each?",
        "kind": "request",
        "name": REQUESTER,
        "email": REQUESTER_EMAIL,
    }
    if portal.settings.profile == "kz":
        data["identifier"] = IIN
    data.update(fields)
    return data


def submit(portal: Portal, http: httpx.Client, organization: str, **fields: str) -> str:
    """Send a request through the web form; its reference number."""
    sent = http.post("/requests/new", data=request_form(portal, http, organization, **fields))
    assert sent.status_code == 303, sent.text[:2000]
    location = sent.headers["location"]
    assert re.fullmatch(r"/requests/\d{4}-\d{5}", location), location
    return location.rsplit("/", 1)[1]


def register_count(portal: Portal) -> int:
    with closing(portal.client()) as http:
        return int(http.get("/api/v1/requests").json()["count"])


def field_error(page: str, field: str) -> str:
    found = re.search(rf'<p class="field-error" id="e-{field}">(.*?)</p>', page, re.S)
    return html.unescape(found.group(1)).strip() if found else ""


def element_text(page: str, ident: str) -> str:
    """The text of the element with this id (tags dropped, spaces joined); not for elements nested in their
    own kind."""
    found = re.search(rf'<(\w+)[^>]*\bid="{ident}"[^>]*>(.*?)</\1>', page, re.S)
    assert found, f"no element {ident}"
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", found.group(2))).split())


def form_value(page: str, field_id: str) -> str:
    found = re.search(rf'id="{field_id}"[^>]*value="([^"]*)"', page)
    assert found, field_id
    return found.group(1)


def actor_of(portal: Portal, name: str) -> Actor:
    with portal.db.session() as s:
        return accounts.actor_for(s, accounts.get_user(s, name))


# ---------------------------------------------------------------- the acceptance point: due dates per profile


@pytest.mark.parametrize("code", list(CLOCKS))
def test_a_request_sent_on_the_web_gets_the_profiles_due_date(
    portals: Callable[[str], Portal], code: str
) -> None:
    portal = portals(code)
    clock, due = CLOCKS[code]
    received = clock.astimezone(ZoneInfo(portal.settings.jurisdiction.timezone)).date()
    organization = portal.make_org()
    with closing(english(portal)) as http:
        reference = submit(portal, http, organization)
        page = http.get(f"/requests/{reference}")
        assert page.status_code == 200
        text = page.text
        day = format_date(due, "medium", locale="en")
        assert f'id="due-on"><time datetime="{due.isoformat()}">{day}</time>' in text
        assert f'<time datetime="{received.isoformat()}">' in text
        # the flash tells the reference and the due date
        flash = re.search(r'<p class="flash" role="status">(.*?)</p>', text, re.S)
        assert flash and reference in flash.group(1)
        assert format_date(due, "long", locale="en") in html.unescape(flash.group(1))
        api = http.get(f"/api/v1/requests/{reference}").json()
    assert api["due_on"] == due.isoformat() and api["first_due_on"] == due.isoformat()
    assert api["received_on"] == received.isoformat() and api["requester"] is None


# ---------------------------------------------------------------- the form


def test_form_errors_are_shown_next_to_their_fields_and_nothing_is_registered(kz: Portal) -> None:
    organization = kz.make_org()
    before = register_count(kz)
    with closing(english(kz)) as http:
        form = http.get("/requests/new", params={"organization": organization})
        assert 'name="identifier"' in form.text and "IIN or BIN" in form.text  # kz asks for it
        assert "Shown to the organization&#39;s officials only, never published." in form.text
        assert f'<option value="{organization}" selected>' in form.text
        bad = http.post(
            "/requests/new",
            data=request_form(kz, http, organization, subject="", email="not-an-address", identifier=""),
        )
        assert bad.status_code == 422
        assert field_error(bad.text, "subject") == "Give the subject in a few words (3 to 300 characters)."
        assert field_error(bad.text, "email") == "Give an e-mail address where the answer can be sent."
        assert field_error(bad.text, "identifier") == "Give your IIN or BIN: the law asks for it."
        assert 'value="not-an-address"' in bad.text  # what was typed is kept
        unnamed = http.post("/requests/new", data=request_form(kz, http, organization, name=""))
        assert unnamed.status_code == 422
        assert field_error(unnamed.text, "name") == "The law asks for the requester's name."
        invalid = http.post(
            "/requests/new", data=request_form(kz, http, organization, identifier="900101300127")
        )
        assert invalid.status_code == 422
        assert field_error(invalid.text, "identifier") == "This is not a valid IIN or BIN: check the digits."
        short = http.post("/requests/new", data=request_form(kz, http, organization, body="Why?"))
        assert short.status_code == 422
        assert field_error(short.text, "body").startswith("Describe the information you ask for")
        unknown = http.post("/requests/new", data=request_form(kz, http, "no-such-organization"))
        assert unknown.status_code == 422 and field_error(unknown.text, "organization")
        no_csrf = http.post(
            "/requests/new",
            data={k: v for k, v in request_form(kz, http, organization).items() if k != "csrf_token"},
        )
        assert no_csrf.status_code in (400, 403)
    assert register_count(kz) == before


def test_check_the_catalog_first_shows_a_matching_dataset_and_sends_nothing(kz: Portal) -> None:
    organization = kz.make_org()
    dataset = kz.make_dataset(
        organization, title={"en": "Snow removal contracts", "ru": "Договоры на уборку снега"}
    )
    before = register_count(kz)
    with closing(english(kz)) as http:
        data = request_form(kz, http, organization, subject="Contracts for snow removal", check="1")
        checked = http.post("/requests/new", data=data)
        assert checked.status_code == 200
        assert "This may already be published" in checked.text
        assert f'href="/dataset/{dataset}"' in checked.text
        assert 'value="Contracts for snow removal"' in checked.text  # the form is kept to send it after all
        suggested = http.get("/requests/suggest", params={"subject": "snow removal"})  # what HTMX swaps in
        assert suggested.status_code == 200 and f'href="/dataset/{dataset}"' in suggested.text
        assert "<html" not in suggested.text
        nothing = http.get("/requests/suggest", params={"subject": "xylophones"})
        assert "No published dataset matches the subject yet." in nothing.text
    assert register_count(kz) == before


def test_a_signed_in_requester_sends_as_themselves(kz: Portal) -> None:
    organization = kz.make_org()
    name, _token = kz.make_user()
    with closing(signed_in_english(kz, name)) as http:
        form = http.get("/requests/new", params={"organization": organization, "kind": "question"})
        assert f"Sent as {name}" in form.text and 'name="email"' not in form.text
        assert '<input type="hidden" name="kind" value="question">' in form.text
        reference = submit(kz, http, organization, kind="question", name="", email="")
        page = http.get(f"/requests/{reference}").text
        assert "Open Dialogue question" in page and 'id="requester"' in page  # they see their own details
        assert 'id="withdraw-form"' in page and "?key=" not in page  # no private link: they have an account
        # withdrawing asks for a tick first, so one click cannot end the request by mistake
        token = kz.csrf(http, f"/requests/{reference}")
        unconfirmed = http.post(f"/requests/{reference}/withdraw", data={"csrf_token": token})
        assert unconfirmed.status_code == 422 and field_error(unconfirmed.text, "withdraw-confirm")
        done = http.post(
            f"/requests/{reference}/withdraw", data={"csrf_token": token, "withdraw-confirm": "1"}
        )
        assert done.status_code == 303
        assert "Withdrawn" in http.get(f"/requests/{reference}").text


# ---------------------------------------------------------------- the whole journey over HTTP


def test_the_officials_requesters_and_reviewers_journey(kz: Portal) -> None:
    ministry = kz.make_org(title={"en": "Ministry of Roads", "ru": "Министерство дорог"})
    akimat = kz.make_org(parent=ministry, title={"en": "Akimat of Testville", "ru": "Акимат Тествиля"})
    editor, _t = kz.make_user(org=akimat, role="editor")
    reviewer, _t = kz.make_user(org=ministry, role="admin")

    with closing(english(kz)) as requester:
        reference = submit(kz, requester, akimat)
        first = requester.get(f"/requests/{reference}").text
        link = re.search(rf"http://[^<\s]+/requests/{reference}\?key=([\w-]+)", first)
        assert link, "the private link is shown once"
        assert "?key=" not in requester.get(f"/requests/{reference}").text
        key = link.group(1)

        with closing(signed_in_english(kz, editor)) as official:
            queue = official.get("/requests/queue").text
            assert f'href="/requests/{reference}"' in queue
            page = official.get(f"/requests/{reference}").text
            assert REQUESTER in page and IIN in page and REQUESTER_EMAIL in page  # officials see who asks
            assert 'id="answer-form"' in page and 'enctype="multipart/form-data"' in page
            # a refusal that cites no ground: the error is said next to the grounds
            bare = official.post(
                f"/requests/{reference}/answer",
                data={
                    "csrf_token": kz.csrf(official, f"/requests/{reference}"),
                    "outcome": "refused",
                    "text": "Refused.",
                },
            )
            assert bare.status_code == 422
            assert (
                field_error(bare.text, "answer-grounds") == "Cite at least one legal ground for the refusal."
            )
            answered = official.post(
                f"/requests/{reference}/answer",
                data={
                    "csrf_token": kz.csrf(official, f"/requests/{reference}"),
                    "outcome": "refused",
                    "text": "The list of contractors' staff is restricted-access information.",
                    "grounds": "kz-11-16-3",
                },
                files={"files": ("staff.csv", b"name,iin,amount\nA,900101300126,10\nB,900101300126,20\n")},
            )
            assert answered.status_code == 303, answered.text[:2000]
            page = official.get(f"/requests/{reference}").text
            assert (
                "The information sought is restricted-access information" in page and "Art. 11(16)(3)" in page
            )
            download = re.search(rf'href="(/api/v1/requests/{reference}/files/[^"]+)"', page)
            assert download, "the official may download the file"
            assert official.get(download.group(1)).status_code == 200
            assert "Withheld: personal data found" in page

        public = english(kz)
        with closing(public):
            page = public.get(f"/requests/{reference}").text
            assert "Withheld: personal data found" in page
            assert f"/api/v1/requests/{reference}/files/" not in page  # no link for the public
            assert public.get(download.group(1)).status_code == 403
            assert 'id="appeal-form"' not in page and 'id="answer-form"' not in page

        # the requester (the key is in their session since they sent it) appeals to the superior body
        page = requester.get(f"/requests/{reference}").text
        assert 'id="appeal-form"' in page and "Appeal to the superior body" in page
        appealed = requester.post(
            f"/requests/{reference}/appeal",
            data={
                "csrf_token": kz.csrf(requester, f"/requests/{reference}"),
                "text": "The contractors' names are no one's personal data; the amounts are public money.",
            },
        )
        assert appealed.status_code == 303, appealed.text[:2000]

    # another browser with the private link: the key goes into its session, the address loses it
    with closing(english(kz)) as elsewhere:
        opened = elsewhere.get(f"/requests/{reference}", params={"key": key})
        assert opened.status_code == 303 and opened.headers["location"] == f"/requests/{reference}"
        assert REQUESTER in elsewhere.get(f"/requests/{reference}").text
        wrong = elsewhere.get(f"/requests/{reference}", params={"key": "not-the-key"})
        assert wrong.status_code == 403 and "This private link does not work" in wrong.text

    with closing(signed_in_english(kz, reviewer)) as review:
        assert f'href="/requests/{reference}#review-tools"' in review.get("/requests/queue").text
        page = review.get(f"/requests/{reference}").text
        assert 'id="decision-form"' in page
        order_due = form_value(page, "f-decision-order_due_on")
        # kz: 15 calendar days from Fri 6 Mar 2026 -> Sat 21 Mar, Nauryz -> Thu 26 Mar 2026
        assert order_due == "2026-03-26"
        action = re.search(r'action="(/appeals/[^"]+/decision)"', page)
        assert action
        decided = review.post(
            action.group(1),
            data={
                "csrf_token": kz.csrf(review, f"/requests/{reference}"),
                "decision": "overturned",
                "text": "The amounts paid from the budget must be disclosed.",
                "order_due_on": order_due,
            },
        )
        assert decided.status_code == 303, decided.text[:2000]

    with closing(english(kz)) as anyone:
        page = anyone.get(f"/requests/{reference}").text
        register = anyone.get("/requests", params={"organization": akimat}).text
    assert "The organization must disclose by March 26, 2026." in html.unescape(page)
    for step in ("Sent", "Refused", "Appealed", "Appeal decided"):
        assert f'<h3 class="card-title">{step}</h3>' in page
    assert "Requester" in page and "Official" in page and "Reviewer" in page
    for secret in (REQUESTER, REQUESTER_EMAIL, IIN, key):
        assert secret not in page and secret not in register
    assert f'href="/requests/{reference}"' in register and "Appealed" in register


def test_the_officials_other_steps_and_the_requesters_clarification(kz: Portal) -> None:
    organization = kz.make_org(title={"en": "Steps Akimat"})
    editor, _t = kz.make_user(org=organization)
    with closing(english(kz)) as requester, closing(signed_in_english(kz, editor)) as official:
        reference = submit(kz, requester, organization)
        url = f"/requests/{reference}"

        def post(http: httpx.Client, step: str, **data: str) -> httpx.Response:
            return http.post(f"{url}/{step}", data={"csrf_token": kz.csrf(http, "/requests/new"), **data})

        page = official.get(url).text
        assert f'<option value="{editor}">' in page and 'id="extend-form"' in page
        assert post(official, "assign", assignee=editor).status_code == 303
        assert post(official, "assign", assignee="nobody").status_code == 422
        short = post(official, "extend", reason="")
        assert short.status_code == 422 and field_error(short.text, "extend-reason").startswith(
            "Give the reason"
        )
        assert post(official, "extend", reason="The archive is being moved.").status_code == 303
        page = official.get(url).text
        # kz: 15 more calendar days from Thu 26 Mar 2026 -> Fri 10 Apr 2026
        assert 'id="due-on"><time datetime="2026-04-10">' in page and "(extended)" in page
        assert 'id="first-due-on"><time datetime="2026-03-26">' in page
        assert 'id="extend-form"' not in page  # the law allows it once
        assert post(official, "clarification", text="Which district do you mean?").status_code == 303
        page = requester.get(url).text
        assert 'id="paused-note"' in page and "waiting for the requester&#39;s clarification" in page
        assert 'id="clarify-form"' in page
        assert post(requester, "clarify", text="The Medeu district, please.").status_code == 303
        page = requester.get(url).text
        assert 'id="paused-note"' not in page and "The Medeu district, please." in page
        answered = official.post(
            f"{url}/answer",
            data={
                "csrf_token": kz.csrf(official, url),
                "outcome": "answered",
                "text": "The list is attached.",
            },
            files={"files": ("streets.csv", b"street,cost\nAbay,100\nDostyk,200\n", "text/csv")},
        )
        assert answered.status_code == 303
        page = requester.get(url).text  # the public gets a clean file
        link = re.search(rf'href="(/api/v1/requests/{reference}/files/[^"]+)"', page)
        assert link and requester.get(link.group(1)).content.startswith(b"street,cost")
        late = post(requester, "withdraw", **{"withdraw-confirm": "1"})
        assert late.status_code == 409 and "it cannot be withdrawn" in late.text
        bad = post(official, "dataset", name="Not A Slug", title="Street repairs")
        assert bad.status_code == 422 and field_error(bad.text, "dataset-name")
        published = post(official, "dataset", name=kz.unique("streets"), title="Street repairs")
        assert published.status_code == 303
        page = official.get(url).text
        assert "The data of this answer is published as a dataset" in page and 'id="dataset-form"' not in page
        assert official.get("/requests/2026-99999").status_code == 404


# ---------------------------------------------------------------- statistics


def test_the_statistics_page_shows_the_figures_worked_out_by_hand(kz: Portal) -> None:
    profile = kz.settings.jurisdiction
    ministry = kz.make_org(title={"en": "Stats Ministry"})
    alpha = kz.make_org(parent=ministry, title={"en": "Alpha Akimat"})
    beta = kz.make_org(parent=ministry, title={"en": "Beta Akimat"})
    official_a, _t = kz.make_user(org=alpha)
    official_b, _t = kz.make_user(org=beta)
    chief, _t = kz.make_user(org=ministry, role="admin")

    def at(day: date) -> datetime:
        return datetime(day.year, day.month, day.day, 6, 0, tzinfo=UTC)  # 11:00 in Almaty

    def ask(org: str, received: date) -> tuple[str, str | None]:
        with kz.db.session() as s:
            data = RequestCreate(
                organization=org,
                subject="Budget figures",
                body="The budget lines of 2025, please.",
                name="Stat Requester",
                email="stats@example.org",
                identifier=IIN,
            )
            req, key = service.submit_request(s, ANONYMOUS, profile, data, now=at(received))
            s.commit()
            return req.reference, key

    def decide(official: str, reference: str, outcome: str, grounds: list[str], day: date) -> None:
        with kz.db.session() as s:
            answer = Answer(outcome=outcome, text="Decided.", grounds=grounds)  # type: ignore[arg-type]
            service.answer_request(s, actor_of(kz, official), profile, reference, answer, now=at(day))
            s.commit()

    # 2025 only (the other tests' requests are received in 2026); kz: 15 calendar days
    r1, _k = ask(alpha, date(2025, 4, 1))  # due Wed 16 Apr 2025
    decide(official_a, r1, "answered", [], date(2025, 4, 10))  # on time, 9 days
    r2, key2 = ask(alpha, date(2025, 4, 1))  # due Wed 16 Apr 2025
    decide(official_a, r2, "refused", ["kz-11-16-3"], date(2025, 4, 25))  # late, 24 days
    r3, _k = ask(alpha, date(2025, 5, 5))  # due Tue 20 May 2025
    decide(official_a, r3, "partial", ["kz-11-16-3", "kz-11-16-1"], date(2025, 5, 8))  # on time, 3 days
    ask(alpha, date(2025, 6, 2))  # due Tue 17 Jun 2025, still open on the portal's day (6 Mar 2026): overdue
    r5, _k = ask(beta, date(2025, 7, 1))  # due Wed 16 Jul 2025
    decide(official_b, r5, "refused", ["kz-11-16-1"], date(2025, 7, 2))  # on time, 1 day
    with kz.db.session() as s:
        appeal = service.create_appeal(
            s, ANONYMOUS, profile, r2, "Please review.", key2, now=at(date(2025, 4, 28))
        )
        service.decide_appeal(
            s,
            actor_of(kz, chief),
            profile,
            appeal.id,
            DecisionCreate(decision="upheld", text="The refusal was lawful."),
            now=at(date(2025, 5, 5)),
        )
        s.commit()

    with closing(english(kz)) as http:
        page = http.get("/requests/stats", params={"year": "2025"}).text
        one = http.get("/requests/stats", params={"year": "2025", "organization": beta}).text
    # in total: 5 received, 4 decided, 3 of them on time (75%); days to decide 1, 3, 9, 24: median 6
    assert element_text(page, "total-received").startswith("5 ")
    assert element_text(page, "total-decided").startswith("4 ")
    assert element_text(page, "total-on-time").startswith("75% ")
    assert element_text(page, "total-median").startswith("6 ")
    assert element_text(page, "total-overdue").startswith("1 ")
    assert element_text(page, "total-appeals").startswith("1 ")
    # Alpha: 4 received (1 answered, 1 partly, 1 refused, 1 open and overdue), 2 of 3 on time, median of
    # 3, 9, 24 days = 9; refusals cite Art. 11(16)(3) twice and Art. 11(16)(1) once; one appeal, upheld
    alpha_row = element_text(page, f"org-{alpha}")
    assert alpha_row == "Alpha Akimat 4 1 1 1 1 1 66.7% 9 1 (upheld: 1)", alpha_row
    beta_row = element_text(page, f"org-{beta}")
    assert beta_row == "Beta Akimat 1 0 0 1 0 0 100% 1 0", beta_row
    by_ground = re.search(r'id="grounds-by-organization"[^>]*>(.*?)</table>', page, re.S)
    assert by_ground
    cell = re.compile(r"<t[hd][^>]*>(.*?)</t[hd]>")
    cells = [
        [html.unescape(re.sub(r"<[^>]+>", "", c)).strip() for c in cell.findall(row)]
        for row in re.findall(r"<tr>(.*?)</tr>", by_ground.group(1), re.S)
    ]
    assert [c for c in cells if c and c[0] != "Organization"] == [
        ["Alpha Akimat", "The information sought is restricted-access information (Art. 11(16)(3))", "2"],
        ["Alpha Akimat", "The request does not identify the information sought (Art. 11(16)(1))", "1"],
        ["Beta Akimat", "The request does not identify the information sought (Art. 11(16)(1))", "1"],
    ]
    # the charts are drawn with their numbers as tables
    assert page.count('<svg class="chart-svg"') == 3
    grounds = re.search(r'id="data-grounds">(.*?)</table>', page, re.S)
    assert grounds
    rows = re.findall(r'<th scope="row">(.*?)</th><td class="num">(.*?)</td>', grounds.group(1))
    assert sorted((html.unescape(label), n) for label, n in rows) == [
        ("The information sought is restricted-access information (Art. 11(16)(3))", "2"),
        ("The request does not identify the information sought (Art. 11(16)(1))", "2"),
    ]
    assert f'id="org-{alpha}"' not in one and element_text(one, "total-received").startswith("1 ")


# ---------------------------------------------------------------- Open Dialogue


def test_open_dialogue_lists_questions_with_their_answers(kz: Portal) -> None:
    profile = kz.settings.jurisdiction
    organization = kz.make_org(title={"en": "Dialogue Akimat"})
    official, _t = kz.make_user(org=organization)
    with kz.db.session() as s:
        data = RequestCreate(
            organization=organization,
            kind="question",
            subject="When will the park reopen?",
            body="The central park has been closed since autumn: when will it reopen?",
            name="Asker",
            email="asker@example.org",
            identifier=IIN,
        )
        req, _key = service.submit_request(s, ANONYMOUS, profile, data, now=kz.settings.clock)
        reference = req.reference
        s.commit()
    with kz.db.session() as s:
        answer = Answer(outcome="answered", text="The park reopens on 1 May after the repairs.")
        service.answer_request(s, actor_of(kz, official), profile, reference, answer, now=kz.settings.clock)
        s.commit()
    with closing(english(kz)) as http:
        page = http.get(f"/organization/{organization}/dialogue").text
        missing = http.get("/organization/no-such-organization/dialogue")
    assert "When will the park reopen?" in page and f'href="/requests/{reference}"' in page
    assert "The park reopens on 1 May after the repairs." in page
    assert f'href="/requests/new?organization={organization}&amp;kind=question"' in page
    assert f'href="/requests?organization={organization}"' in page
    assert "Asker" not in page and "asker@example.org" not in page
    assert missing.status_code == 404
    # the organization's page links to its requests (none), its Open Dialogue (one question) and scorecard
    with closing(english(kz)) as http:
        org_page = http.get(f"/organization/{organization}").text
    assert (
        f'<a href="/requests?organization={organization}">Information requests to this organization</a> (0)'
        in org_page
    )
    assert f'<a href="/organization/{organization}/dialogue">Open Dialogue</a> (1)' in org_page
    assert f'<a href="/organization/{organization}/quality">' in org_page


def test_the_queue_asks_to_sign_in(kz: Portal) -> None:
    with closing(kz.client()) as http:
        r = http.get("/requests/queue")
    assert r.status_code == 303 and r.headers["location"].startswith("/login?next=")


# ---------------------------------------------------------------- languages


def _msgids() -> set[str]:
    pattern = re.compile(r"""(?<![\w.])_\(\s*(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)')""")
    folder = SRC / "info_requests"
    templates = (folder / "templates" / "info_requests").glob("*.html")
    files = [*templates, folder / "views.py", folder / "notify.py"]
    found = {a or b for path in files for a, b in pattern.findall(path.read_text(encoding="utf-8"))}
    tables = [
        views.STATUS_LABELS, views.KIND_LABELS, views.ROLE_LABELS, views.EVENT_LABELS, views.OUTCOME_LABELS,
        views.DECISION_LABELS, views.OUTCOME_SHORT, views.REASON_LABELS, views.CHECK_LABELS,
        views.CLOCK_NOTES, views.CONFLICT_MESSAGES, views.REQUEST_FIELD_MESSAGES, views.MEMBER_ROLES,
        views.SUBMITTED, views.DONE, *views.STEP_FIELD_MESSAGES.values(), notify.SUBJECTS,
    ]  # fmt: skip
    for table in tables:
        found |= set(table.values())
    found |= {  # the service's words for the fields of the forms, shown as they are
        "The law asks for the requester's name.",
        "Choose an admin or editor of the organization.",
        "Cite at least one legal ground for the refusal.",
        "Choose grounds from the list.",
        "A full answer cites no grounds.",
        "Choose a later date.",
        "Leave empty.",
        "That URL is already in use.",
        "Give your {label}: the law asks for it.",
        "This is not a valid {label}: check the digits.",
    }
    return {m.replace('\\"', '"') for m in found}


def test_every_string_of_the_request_pages_is_translated() -> None:
    assert_translated(_msgids(), 150)


@pytest.mark.parametrize(
    ("lang", "register", "form", "stats"),
    [
        ("kk", "Ақпарат сұраулары", "Ақпарат сұрауын жіберу", "Ақпарат сұрауларының статистикасы"),
        ("ru", "Запросы информации", "Отправить запрос информации", "Статистика запросов информации"),
    ],
)
def test_the_pages_speak_kazakh_and_russian(
    kz: Portal, lang: str, register: str, form: str, stats: str
) -> None:
    organization = kz.make_org()
    with closing(kz.client()) as http:
        reference = submit(kz, http, organization)
        pages = {
            "register": http.get("/requests", params={"lang": lang}).text,
            "form": http.get("/requests/new").text,
            "request": http.get(f"/requests/{reference}").text,
            "stats": http.get("/requests/stats").text,
            "dialogue": http.get(f"/organization/{organization}/dialogue").text,
        }
    assert all(f'<html lang="{lang}">' in body for body in pages.values())
    assert f"<h1>{register}</h1>" in pages["register"]
    assert f"<h1>{form}</h1>" in pages["form"]
    assert f"<h1>{stats}</h1>" in pages["stats"]
    for body in pages.values():
        for english_text in (
            "Information requests",
            "Send a request",
            "Open Dialogue",
            "History",
            "Received",
        ):
            assert f">{english_text}<" not in body, english_text
