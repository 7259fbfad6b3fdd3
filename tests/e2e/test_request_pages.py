"""Information requests in a real browser, in English on a desktop and in Kazakh on a 390 px phone: an
anonymous requester checks the catalog first, then sends a request and gets its reference, due date and
private link; HTMX suggests datasets while the subject is typed; an official asks for a clarification, the
requester (whose browser holds the key) clarifies, the official refuses on a legal ground with a file; the
requester appeals, the superior body overturns the refusal with an order date, and the public reads the
whole trail without the requester's identity. Statistics and Open Dialogue draw their pages, and the
register filters without JavaScript. No page visited has a serious or critical axe-core violation or, on
the phone, scrolls sideways."""

from __future__ import annotations

import re
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import BrowserContext, Locator, Page, Route, expect

from derek.core import accounts
from derek.core.authz import ANONYMOUS, Actor
from derek.core.i18n import translator
from derek.info_requests import service
from derek.info_requests.schemas import Answer, RequestCreate
from derek.web.formatting import local_date
from tests.conftest import Portal
from tests.e2e.conftest import axe_check, login

IIN = "900101300126"  # synthetic: a valid check digit, nobody's number
REQUESTER = "Aigerim Testova"
REQUESTER_EMAIL = "aigerim.testova@example.org"
ALMATY = timedelta(hours=5)  # Asia/Almaty is UTC+5 since March 2024
# Art. 11(16)(3) of the kz profile, as its checkbox and the page name it
GROUND = "kz-11-16-3"
GROUND_TITLES = {
    "en": "The information sought is restricted-access information",
    "kk": "Сұралатын ақпарат қолжетімділігі шектелген ақпаратқа жатады",
}
GROUND_ARTICLES = {"en": "Art. 11(16)(3)", "kk": "11-баптың 16-тармағының 3)-тармақшасы"}
OTHER_GROUND_ARTICLES = {"en": "Art. 11(16)(1)", "kk": "11-баптың 16-тармағының 1)-тармақшасы"}
OTHER_GROUND_TITLES = {
    "en": "The request does not identify the information sought",
    "kk": "Сұрау салудың мазмұны сұралатын ақпаратты анықтауға мүмкіндік бермейді",
}
REVIEWER_NAMES = {"en": "the superior body", "kk": "жоғары тұрған орган"}
IDENTIFIER_LABELS = {"en": "IIN or BIN", "kk": "ЖСН немесе БСН"}  # the kz profile's identity number
SHOTS = Path(tempfile.gettempdir())

NewContext = Callable[..., BrowserContext]


@dataclass(frozen=True)
class Screen:
    """The page language and the window of one run."""

    lang: str
    width: int
    height: int

    @property
    def name(self) -> str:
        return f"{self.lang}-{self.width}"


SCREENS = [
    pytest.param(Screen("en", 1280, 900), id="en-1280"),
    pytest.param(Screen("kk", 390, 844), id="kk-390"),
]


def almaty(day: date, hour: int = 10) -> datetime:
    """A moment of that local day in Almaty, as the portal's UTC clock."""
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC) - ALMATY


@contextmanager
def frozen_clock(portal: Portal, day: date) -> Iterator[Callable[[date], None]]:
    """The portal's clock stopped on that day (the app reads it per request); a function that moves it to
    another day. Real time again afterwards."""

    def move(to: date) -> None:
        portal.settings.clock = almaty(to)

    move(day)
    try:
        yield move
    finally:
        portal.settings.clock = None


@pytest.fixture
def problems() -> Iterator[list[str]]:
    """What went wrong in the browsers of a test besides its assertions: a request to any host but the test
    portal's (aborted: tests reach no network), a script error, an error in the console. None is allowed."""
    seen: list[str] = []
    yield seen
    assert not seen, f"the browser reported: {seen}"


def browse(new_context: NewContext, problems: list[str], screen: Screen, *, js: bool = True) -> Page:
    """A new browser (its own cookies) with the screen's window, reaching nothing but the test portal."""
    context = new_context(viewport={"width": screen.width, "height": screen.height}, java_script_enabled=js)

    def local_only(route: Route) -> None:
        if urlsplit(route.request.url).hostname == "127.0.0.1":
            route.continue_()
        else:
            problems.append(f"request to {route.request.url}")
            route.abort()

    context.route("**/*", local_only)
    page = context.new_page()
    page.on("pageerror", lambda error: problems.append(f"{page.url}: script error {error}"))
    page.on(
        "console",
        lambda message: (
            problems.append(f"{page.url}: console {message.text}") if message.type == "error" else None
        ),
    )
    return page


# the outermost shown elements of the page's main part that reach past the right edge of the window
WIDER_THAN_THE_SCREEN = """() => [...document.querySelectorAll("main *")]
    .filter((e) => e.checkVisibility() && e.getBoundingClientRect().right
        > document.documentElement.clientWidth + 1)
    .filter((e) => !e.parentElement || e.parentElement.getBoundingClientRect().right
        <= document.documentElement.clientWidth + 1)
    .map((e) => `${e.tagName.toLowerCase()}${e.id ? "#" + e.id : ""}.${[...e.classList].join(".")}`)"""


def check(page: Page, screen: Screen, shot: str = "", *, reflows: bool = True) -> None:
    """No serious or critical axe violation, in the screen's language, and on a narrow screen nothing wider
    than the screen (WCAG 1.4.10 Reflow: no sideways scrolling); a screenshot of key pages."""
    expect(page.locator("html")).to_have_attribute("lang", screen.lang)
    axe_check(page)
    if reflows and screen.width < 600:
        assert page.evaluate(WIDER_THAN_THE_SCREEN) == [], f"{page.url} scrolls sideways"
    if shot:
        page.screenshot(path=str(SHOTS / f"e2e-requests-{shot}-{screen.name}.png"), full_page=True)


def choose_language(page: Page, lang: str) -> None:
    """Switch the page language with the header's language links (the choice sticks in a cookie)."""
    if page.locator("html").get_attribute("lang") != lang:
        page.locator(f"nav.langs a[hreflang='{lang}']").click()
    expect(page.locator("html")).to_have_attribute("lang", lang)


def long_date(day: date, lang: str) -> str:
    return local_date(day, lang, style="long")


def flash(page: Page) -> Locator:
    return page.locator("main > .flash")


def registered(page: Page, organization: str) -> int:
    """How many requests the register's API counts for the organization."""
    answer = page.request.get("/api/v1/requests", params={"organization": organization})
    assert answer.ok, answer.text()
    return int(answer.json()["count"])


def fill_request_form(page: Page, organization: str, subject: str, body: str) -> None:
    page.locator("#f-organization").select_option(organization)
    page.locator("#f-subject").fill(subject)
    page.locator("#f-body").fill(body)
    page.locator("#f-name").fill(REQUESTER)
    page.locator("#f-email").fill(REQUESTER_EMAIL)
    page.locator("#f-identifier").fill(IIN)


def sent_reference(page: Page, base_url: str) -> str:
    """The reference number of the request whose page the browser landed on after sending it."""
    expect(page).to_have_url(re.compile(rf"^{re.escape(base_url)}/requests/\d{{4}}-\d{{5}}$"))
    return page.url.rsplit("/", 1)[1]


# ---------------------------------------------------------------- 1. the requester


@pytest.mark.parametrize("screen", SCREENS)
def test_a_requester_checks_the_catalog_first_then_sends_a_request(
    portal: Portal, new_context: NewContext, problems: list[str], base_url: str, screen: Screen
) -> None:
    _ = translator(screen.lang)
    org = portal.make_org(
        title={"en": "Akimat of Snowtown", "ru": "Акимат Сноутауна", "kk": "Сноутаун әкімдігі"}
    )
    word = portal.unique("sleet").replace("-", "")  # only this test's dataset and subject have it
    titles = {
        "en": f"Snow removal contracts {word}",
        "ru": f"Договоры на уборку снега {word}",
        "kk": f"Қар тазалау шарттары {word}",
    }
    dataset = portal.make_dataset(org, title=titles)
    subject = f"Contracts for snow removal {word}"
    page = browse(new_context, problems, screen)
    with frozen_clock(portal, date(2026, 3, 6)):  # Friday: 15 calendar days end on Sat 21 Mar, in Nauryz
        page.goto("/requests")
        choose_language(page, screen.lang)
        expect(page.get_by_role("heading", level=1)).to_have_text(_("Information requests"))
        check(page, screen, "register")

        page.get_by_role("link", name=_("Send a request")).first.click()
        expect(page).to_have_url(re.compile(rf"^{re.escape(base_url)}/requests/new(#suggestions)?$"))
        expect(page.get_by_role("heading", level=1)).to_have_text(_("Send an information request"))
        expect(page.get_by_label(IDENTIFIER_LABELS[screen.lang])).to_have_attribute("name", "identifier")
        check(page, screen, "form")

        fill_request_form(page, org, subject, "Every snow removal contract of 2025 with its amount, please.")
        with page.expect_navigation():
            page.get_by_role("button", name=_("Check the catalog first")).click()
        # the catalog's matching dataset is shown, the form is kept as typed, and nothing is registered
        suggestions = page.locator("#suggestions")
        expect(suggestions.get_by_role("heading")).to_have_text(_("This may already be published"))
        expect(suggestions.get_by_role("link", name=titles[screen.lang])).to_have_attribute(
            "href", f"/dataset/{dataset}"
        )
        expect(page).to_have_url(re.compile(rf"^{re.escape(base_url)}/requests/new(#suggestions)?$"))
        expect(page.locator("#f-subject")).to_have_value(subject)
        expect(page.locator("#f-organization")).to_have_value(org)
        expect(page.locator("#f-identifier")).to_have_value(IIN)
        assert registered(page, org) == 0
        check(page, screen, "checked")

        with page.expect_navigation():
            page.get_by_role("button", name=_("Send the request")).click()
        reference = sent_reference(page, base_url)
        due = date(2026, 3, 26)  # Sat 21 Mar is a day off, Nauryz runs to 25 Mar: Thu 26 Mar 2026
        expect(flash(page)).to_have_text(
            _(
                "Your request was registered with the number {reference}. The answer is due by {due}.",
                reference=reference,
                due=long_date(due, screen.lang),
            )
        )
        expect(page.get_by_role("heading", level=1)).to_have_text(subject)
        expect(page.locator("#due-on time")).to_have_attribute("datetime", due.isoformat())
        expect(page.locator("#facts")).to_contain_text(reference)
        link = page.locator("#private-link pre")
        expect(link).to_have_text(
            re.compile(rf"^{re.escape(base_url)}/requests/{reference}\?key=[\w-]{{20,}}$")
        )
        expect(page.locator("#requester")).to_contain_text(REQUESTER)  # the requester sees what they sent
        assert registered(page, org) == 1
        check(page, screen, "sent")

        page.reload()  # the private link is shown once; the browser keeps acting as the requester
        expect(page.locator("#private-link")).to_have_count(0)
        expect(page.locator("#withdraw-form")).to_be_visible()

        # with JavaScript, HTMX fills the suggestions while the subject is typed, without leaving the page
        page.goto("/requests/new")
        with page.expect_response(lambda r: "/requests/suggest?" in r.url) as asked:
            page.locator("#f-subject").press_sequentially(f"snow removal {word}")
        assert asked.value.ok
        expect(page.locator("#suggestions").get_by_role("link", name=titles[screen.lang])).to_be_visible()
        expect(page).to_have_url(re.compile(rf"^{re.escape(base_url)}/requests/new(#suggestions)?$"))
        check(page, screen, "typed")
        page.locator("#f-subject").fill("")
        page.locator("#f-subject").press_sequentially("xylophones")
        expect(page.locator("#suggestions")).to_have_text(_("No published dataset matches the subject yet."))
    assert registered(page, org) == 1


# ---------------------------------------------------------------- 2, 3. the official, the appeal, the public


@pytest.mark.parametrize("screen", SCREENS)
def test_an_official_refuses_the_requester_appeals_and_the_superior_body_orders_disclosure(
    portal: Portal,
    new_context: NewContext,
    problems: list[str],
    base_url: str,
    screen: Screen,
    tmp_path: Path,
) -> None:
    lang = screen.lang
    _ = translator(lang)
    ministry = portal.make_org(
        title={
            "en": "Ministry of Education",
            "ru": "Министерство просвещения",
            "kk": "Оқу-ағарту министрлігі",
        }
    )
    agency = portal.make_org(
        parent=ministry,
        title={"en": "Education Department", "ru": "Управление образования", "kk": "Білім басқармасы"},
    )
    editor, _t = portal.make_user(org=agency, role="editor")
    reviewer, _t = portal.make_user(org=ministry, role="admin")
    subject = f"School budgets {portal.unique('district')}"
    question = "Which schools do you mean: the district's or the city's?"
    clarification = "The district's twelve schools, please."
    refusal = "The contractors' staff lists are restricted-access information."
    letter = tmp_path / "refusal-letter.csv"
    letter.write_text("school,budget\nSchool 1,1200000\nSchool 2,950000\n", encoding="utf-8")

    requester = browse(new_context, problems, screen)
    official = browse(new_context, problems, screen)
    with frozen_clock(portal, date(2026, 3, 6)) as clock:
        # Fri 6 Mar: the requester sends it (due Thu 26 Mar); their browser keeps the key
        requester.goto(f"/requests/new?organization={agency}&lang={lang}")
        fill_request_form(requester, agency, subject, "The 2025 budget of every school, line by line.")
        with requester.expect_navigation():
            requester.get_by_role("button", name=_("Send the request")).click()
        reference = sent_reference(requester, base_url)

        # Mon 9 Mar: the official finds it in the queue and asks for a clarification
        clock(date(2026, 3, 9))
        login(official, editor, next=f"/requests/queue?lang={lang}")
        expect(official.get_by_role("heading", level=1)).to_have_text(_("Requests to handle"))
        row = official.locator("#work tbody tr").filter(has_text=reference)
        expect(row.get_by_role("link")).to_have_text(subject)
        expect(row.locator("td.num")).to_have_text("17")  # days left to Thu 26 Mar
        check(official, screen, "queue")
        row.get_by_role("link", name=subject).click()
        expect(official).to_have_url(f"{base_url}/requests/{reference}")
        who = official.locator("#requester")  # officials see who asks
        for seen in (REQUESTER, REQUESTER_EMAIL, IIN):
            expect(who).to_contain_text(seen)
        check(official, screen, "official")
        form = official.locator("#clarification-form")
        form.get_by_label(_("What should be clarified")).fill(question)
        form.get_by_role("button", name=_("Ask"), exact=True).click()
        expect(flash(official)).to_have_text(_("The requester was asked to clarify the request."))
        expect(official.locator("#facts")).to_contain_text(_("Waiting for clarification"))
        expect(official.locator("#paused-note")).to_be_visible()
        check(official, screen)

        # Wed 11 Mar: the requester answers; the 17 days left run again from today: Sat 28 Mar -> Mon 30 Mar
        clock(date(2026, 3, 11))
        requester.goto(f"/requests/{reference}")
        expect(requester.locator("#trail")).to_contain_text(question)
        form = requester.locator("#clarify-form")
        expect(form).to_be_visible()
        check(requester, screen, "clarify")
        form.get_by_label(_("Your clarification")).fill(clarification)
        form.get_by_role("button", name=_("Send the clarification")).click()
        expect(flash(requester)).to_have_text(_("Your clarification was sent: the clock runs again."))
        expect(requester.locator("#due-on time")).to_have_attribute("datetime", "2026-03-30")
        expect(requester.locator("#paused-note")).to_have_count(0)
        check(requester, screen)

        # Fri 13 Mar: the official refuses on a ground of the law, with a file
        clock(date(2026, 3, 13))
        official.reload()
        expect(official.locator("#facts")).to_contain_text(_("Open"))
        form = official.locator("#answer-form")
        form.get_by_label(_("Refuse"), exact=True).check()
        form.get_by_label(_("The answer"), exact=True).fill(refusal)
        form.get_by_label(f"{GROUND_TITLES[lang]} ({GROUND_ARTICLES[lang]})").check()
        form.locator("input[type=file]").set_input_files(str(letter))
        form.get_by_role("button", name=_("Send the answer")).click()
        expect(flash(official)).to_have_text(
            _("The answer was sent to the requester and published in the register.")
        )
        answer = official.locator("#answer")
        expect(answer.locator(".badge")).to_have_text(_("Refused"))
        expect(answer.locator("#answer-text")).to_have_text(refusal)
        expect(answer.locator("#grounds")).to_have_text(f"{GROUND_TITLES[lang]} ({GROUND_ARTICLES[lang]})")
        expect(official.locator("#files")).to_contain_text("refusal-letter.csv")
        check(official, screen, "refused")

        # Mon 16 Mar: the requester appeals to the superior body (it decides in 20 working days: Thu 16 Apr)
        clock(date(2026, 3, 16))
        requester.goto(f"/requests/{reference}")
        form = requester.locator("#appeal-form")
        expect(form.get_by_role("heading")).to_have_text(
            _("Appeal to {reviewer}", reviewer=REVIEWER_NAMES[lang])
        )
        check(requester, screen, "appeal")
        form.get_by_label(_("Why you appeal")).fill("A school budget is public money, not restricted.")
        form.get_by_role("button", name=_("Send the appeal")).click()
        expect(flash(requester)).to_have_text(_("Your appeal was registered: the reviewer is told."))
        appeal = requester.locator("#appeal-1")
        expect(appeal).to_contain_text(_("Waiting for the decision"))
        expect(appeal.locator("time[datetime='2026-04-16']")).to_have_count(1)
        expect(requester.locator("#appeal-form")).to_have_count(0)  # one appeal at a time

        # Wed 18 Mar: the ministry's admin overturns the refusal and orders disclosure by Fri 3 Apr
        clock(date(2026, 3, 18))
        review = browse(new_context, problems, screen)
        login(review, reviewer, next=f"/requests/queue?lang={lang}")
        row = review.locator("#reviews tbody tr").filter(has_text=reference)
        expect(row).to_contain_text(_("A refusal"))
        check(review, screen, "reviews")
        row.get_by_role("link", name=subject).click()
        expect(review).to_have_url(f"{base_url}/requests/{reference}#review-tools")
        form = review.locator("#decision-form")
        order_day = form.get_by_label(_("Disclose by"))
        expect(order_day).to_have_value("2026-04-02")  # by default 15 calendar days from today
        check(review, screen, "decide")
        form.get_by_label(_("Overturned: the information must be given")).check()
        form.get_by_label(_("Reasons for the decision")).fill("School budgets are published by law.")
        order_day.fill("2026-04-03")
        form.get_by_role("button", name=_("Record the decision")).click()
        expect(flash(review)).to_have_text(
            _("The decision is recorded; the requester and the organization are told.")
        )
        # the order opens the request again, due on the order's day, for the organization to answer
        expect(review.locator("#due-on time")).to_have_attribute("datetime", "2026-04-03")
        official.reload()
        expect(official.locator("#answer-form")).to_be_visible()

        # anyone: the whole trail, without the requester's identity
        public = browse(new_context, problems, screen)
        public.goto(f"/requests/{reference}?lang={lang}")
        trail = public.locator("#trail > ol > li")
        expect(trail.locator("h3")).to_have_text(
            [
                _("Sent"),
                _("Clarification asked"),
                _("Clarified"),
                _("Refused"),
                _("Appealed"),
                _("Appeal decided"),
            ]
        )
        expect(trail.nth(1)).to_contain_text(question)
        expect(trail.nth(2)).to_contain_text(clarification)
        expect(trail.nth(3)).to_contain_text(
            _("Legal grounds: {grounds}.", grounds=f"{GROUND_TITLES[lang]} ({GROUND_ARTICLES[lang]})")
        )
        expect(trail.nth(5)).to_contain_text(_("Overturned: the information must be given"))
        order = _("The organization must disclose by {date}.", date=long_date(date(2026, 4, 3), lang))
        expect(trail.nth(5)).to_contain_text(order)
        expect(public.locator("#order-due")).to_contain_text(order)
        expect(public.locator("#grounds")).to_contain_text(GROUND_TITLES[lang])
        expect(public.locator("#due-on time")).to_have_attribute("datetime", "2026-04-03")
        file_link = public.locator("#files").get_by_role("link", name="refusal-letter.csv")
        expect(file_link).to_be_visible()  # it passed the personal-data check: anyone may download it
        download = public.request.get(file_link.get_attribute("href") or "")
        assert download.ok and download.body() == letter.read_bytes()
        for hidden in ("#requester", "#appeal-form", "#answer-form", "#decision-form", "#clarify-form"):
            expect(public.locator(hidden)).to_have_count(0)
        html = public.content()
        for secret in (REQUESTER, REQUESTER_EMAIL, IIN, "aigerim"):
            assert secret not in html
        check(public, screen, "trail")
        public.goto(f"/requests?organization={agency}")
        expect(public.locator("#register tbody tr")).to_contain_text(reference)
        listing = public.content()
        assert REQUESTER not in listing and REQUESTER_EMAIL not in listing and IIN not in listing


# ---------------------------------------------------------------- 4. statistics, Open Dialogue, the register


def official_actor(portal: Portal, name: str) -> Actor:
    with portal.db.session() as s:
        return accounts.actor_for(s, accounts.get_user(s, name))


def ask(portal: Portal, organization: str, subject: str, body: str, day: date, kind: str = "request") -> str:
    """A request (or an Open Dialogue question) registered through the service on that day; its reference."""
    with portal.db.session() as s:
        data = RequestCreate(
            organization=organization,
            kind=kind,  # type: ignore[arg-type]
            subject=subject,
            body=body,
            name=REQUESTER,
            email=REQUESTER_EMAIL,
            identifier=IIN,
        )
        req, _key = service.submit_request(s, ANONYMOUS, portal.settings.jurisdiction, data, now=almaty(day))
        s.commit()
        return req.reference


def decide(portal: Portal, official: str, reference: str, answer: Answer, day: date) -> None:
    actor = official_actor(portal, official)
    with portal.db.session() as s:
        service.answer_request(s, actor, portal.settings.jurisdiction, reference, answer, now=almaty(day))
        s.commit()


@dataclass(frozen=True)
class Figures:
    """An organization with two requests decided in 2025 and two Open Dialogue questions of March 2026."""

    org: str
    titles: dict[str, str]
    questions: tuple[str, str]  # the subjects, newest first
    waiting: str  # the reference of the question not answered yet


def figures(portal: Portal) -> Figures:
    titles = {"en": "Akimat of Statsville", "ru": "Акимат Статсвилля", "kk": "Статсвилл әкімдігі"}
    org = portal.make_org(title=titles)
    official, _t = portal.make_user(org=org)
    # received Tue 1 Apr 2025, due Wed 16 Apr: answered in 9 days (on time), refused in 24 (late)
    on_time = ask(portal, org, "Bus timetables", "The timetable of every bus route.", date(2025, 4, 1))
    decide(portal, official, on_time, Answer(outcome="answered", text="Attached."), date(2025, 4, 10))
    late = ask(portal, org, "Bus drivers' salaries", "The salary of each bus driver.", date(2025, 4, 1))
    refused = Answer(outcome="refused", text="Restricted.", grounds=["kz-11-16-1"])
    decide(portal, official, late, refused, date(2025, 4, 25))
    station = "When will the bus station reopen?"
    asked = ask(portal, org, station, "It has been closed since the autumn.", date(2026, 3, 2), "question")
    decide(portal, official, asked, Answer(outcome="answered", text="On the first of May."), date(2026, 3, 5))
    park = "Why is the park closed?"
    waiting = ask(
        portal, org, park, "The central park has been closed for a month.", date(2026, 3, 6), "question"
    )
    return Figures(org, titles, (park, station), waiting)


def open_the_charts_numbers(page: Page) -> None:
    page.locator("details.chart-data").evaluate_all("(all) => all.forEach((d) => { d.open = true; })")


@pytest.mark.parametrize("screen", SCREENS)
def test_the_statistics_and_open_dialogue_pages(
    portal: Portal, new_context: NewContext, problems: list[str], base_url: str, screen: Screen
) -> None:
    lang = screen.lang
    _ = translator(lang)
    world = figures(portal)
    title = world.titles[lang]
    page = browse(new_context, problems, screen)
    with frozen_clock(portal, date(2026, 3, 10)):
        page.goto(f"/requests?lang={lang}")
        page.get_by_role("link", name=_("Statistics: who answers on time")).click()
        expect(page).to_have_url(f"{base_url}/requests/stats")
        expect(page.get_by_role("heading", level=1)).to_have_text(_("Information request statistics"))
        check(page, screen)
        page.locator("#stats-organization").select_option(world.org)
        with page.expect_navigation():
            page.get_by_role("button", name=_("Show")).click()
        assert parse_qs(urlsplit(page.url).query)["organization"] == [world.org]
        expect(page.locator("#total-received .stat-number")).to_have_text("2")
        expect(page.locator("#total-decided .stat-number")).to_have_text("2")
        expect(page.locator("#total-on-time .stat-number")).to_have_text(re.compile(r"^50\s?%$"))
        expect(page.locator("#total-median .stat-number")).to_have_text(re.compile(r"^16[.,]5$"))  # 9, 24
        expect(page.locator(f"#org-{world.org} th")).to_have_text(title)
        chart = page.locator("#chart-on-time")
        expect(chart.get_by_role("img", name=_("Decided on time (%), by organization"))).to_be_visible()
        expect(chart.locator("table")).to_be_hidden()  # the numbers are one click away
        chart.locator("summary").click()
        expect(chart.locator("table tbody tr")).to_have_text([re.compile(rf"^{re.escape(title)}\s*50$")])
        grounds = page.locator("#chart-grounds")
        expect(grounds.get_by_role("img", name=_("Refusals by legal ground"))).to_be_visible()
        grounds.locator("summary").click()
        expect(grounds.locator("table tbody tr")).to_have_text(
            [
                re.compile(
                    rf"^{re.escape(f'{OTHER_GROUND_TITLES[lang]} ({OTHER_GROUND_ARTICLES[lang]})')}\s*1$"
                )
            ]
        )
        open_the_charts_numbers(page)
        check(page, screen, "stats")

        page.goto(f"/organization/{world.org}/dialogue")
        expect(page.get_by_role("heading", level=1)).to_have_text(f"{_('Open Dialogue')}: {title}")
        questions = page.locator("#questions > li")
        expect(questions.locator("h2")).to_have_text(list(world.questions))  # newest first
        expect(questions.nth(1).locator(".answer-block")).to_contain_text("On the first of May.")
        expect(questions.nth(0)).to_contain_text(
            _("Not answered yet: the answer is due by {date}.", date=long_date(date(2026, 3, 26), lang))
        )
        expect(questions.nth(0).get_by_role("link")).to_have_attribute("href", f"/requests/{world.waiting}")
        assert REQUESTER not in page.content() and REQUESTER_EMAIL not in page.content()
        check(page, screen, "dialogue")


def test_the_statistics_page_fits_a_phone_in_kazakh(  # its tables once wider than the screen
    portal: Portal, new_context: NewContext, problems: list[str]
) -> None:
    screen = Screen("kk", 390, 844)
    world = figures(portal)
    page = browse(new_context, problems, screen)
    page.goto(f"/requests/stats?organization={world.org}&lang=kk")
    expect(page.locator("#data-grounds")).to_have_count(1)
    open_the_charts_numbers(page)
    check(page, screen)


def test_the_register_filters_without_javascript(
    portal: Portal, new_context: NewContext, problems: list[str], base_url: str
) -> None:
    screen = Screen("en", 1280, 900)
    org = portal.make_org(title={"en": "Akimat of Filterton", "ru": "Акимат Фильтертона"})
    other = portal.make_org(title={"en": "Akimat of Elsewhere", "ru": "Акимат Другого"})
    official, _t = portal.make_user(org=org)
    word = portal.unique("tram").replace("-", "")
    open_one = ask(portal, org, f"Tram routes {word}", "Every tram route with its stops.", date(2026, 3, 2))
    refused_one = ask(portal, org, f"Tram drivers {word}", "The names of the tram drivers.", date(2026, 3, 3))
    decide(
        portal,
        official,
        refused_one,
        Answer(outcome="refused", text="No.", grounds=[GROUND]),
        date(2026, 3, 4),
    )
    elsewhere = ask(
        portal, other, f"Tram depots {word}", "The address of every tram depot.", date(2026, 3, 4)
    )

    page = browse(new_context, problems, screen, js=False)
    # axe-core needs JavaScript (its timers never fire without it): it checks the same addresses in another
    reader = browse(new_context, problems, screen)

    def check_here(shot: str = "") -> None:
        reader.goto(page.url)
        check(reader, screen, shot)

    with frozen_clock(portal, date(2026, 3, 20)):  # the open one was due on Tue 17 Mar: overdue
        page.goto("/requests?lang=en")
        page.locator("#register-q").fill(word)
        with page.expect_navigation():
            page.get_by_role("button", name="Show").click()
        expect(page.locator(".result-count")).to_have_text("Requests found: 3")
        check_here()

        page.locator("#register-organization").select_option(org)
        with page.expect_navigation():
            page.get_by_role("button", name="Show").click()
        expect(page.locator(".result-count")).to_have_text("Requests found: 2")
        references = page.locator("#register tbody tr td:first-child")
        expect(references).to_have_text([refused_one, open_one])  # newest first
        expect(page.locator("#register")).not_to_contain_text(elsewhere)

        page.locator("#register-status").select_option("refused")
        with page.expect_navigation():
            page.get_by_role("button", name="Show").click()
        query = parse_qs(urlsplit(page.url).query)
        assert query["organization"] == [org] and query["status"] == ["refused"] and query["q"] == [word]
        expect(page.locator(".result-count")).to_have_text("Requests found: 1")
        expect(references).to_have_text([refused_one])
        expect(page.locator("#register tbody tr")).to_contain_text("Refused")
        expect(page.locator("#register-status")).to_have_value("refused")  # the form shows the filters
        expect(page.locator("#register-organization")).to_have_value(org)
        check_here("filtered")

        page.locator("#register-status").select_option("")
        page.get_by_label("Only overdue").check()
        with page.expect_navigation():
            page.get_by_role("button", name="Show").click()
        expect(page.locator(".result-count")).to_have_text("Requests found: 1")
        expect(references).to_have_text([open_one])
        expect(page.locator("#register tbody tr")).to_contain_text("Overdue")
        expect(page.get_by_label("Only overdue")).to_be_checked()

        page.get_by_role("link", name="Clear the filters").click()
        expect(page).to_have_url(f"{base_url}/requests")
        expect(page.locator("#register-q")).to_have_value("")
