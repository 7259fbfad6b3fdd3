"""Surveys of a co-creation session in a real browser, in English on a desktop and in Kazakh on a 390 px phone
(kz profile): an official writes a survey through the forms (a question of every kind), opens it and prints
one-time codes; participants without an account answer with the code from the link (the required question
left out first, its message next to it), a used code is refused at the code field; the live results show the
aggregates and the word cloud and refresh by themselves (HTMX) when a new response comes; the official
closes the survey. No page visited has a serious or critical axe-core violation or, on the phone, scrolls
sideways."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Locator, Page, expect

from derek.core.i18n import translator
from tests.conftest import Portal, start_portal
from tests.e2e.conftest import axe_check, login

OFFICIAL = "survey-editor"
ORGANIZATION = "city-akimat"
REFUSED_PAGE = re.compile(r"^Failed to load resource: the server responded with a status of (409|422) ")


@dataclass(frozen=True)
class Screen:
    lang: str
    width: int
    height: int


SCREENS = [
    pytest.param(Screen("en", 1280, 900), id="en-1280"),
    pytest.param(Screen("kk", 390, 844), id="kk-390"),
]


@pytest.fixture(scope="module")
def kz(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Portal]:
    for portal in start_portal(tmp_path_factory.mktemp("e2e-surveys")):
        portal.make_org(
            ORGANIZATION, title={"en": "City akimat", "ru": "Акимат города", "kk": "Қала әкімдігі"}
        )
        portal.make_user(OFFICIAL, org=ORGANIZATION, role="editor")
        yield portal


@pytest.fixture
def browser_pages(browser: Browser, kz: Portal) -> Iterator[list[str]]:
    """Collects what went wrong in the test's browsers besides the assertions (a request to another host,
    a script or console error); the test fails on any."""
    problems: list[str] = []
    yield problems
    assert not problems, f"the browser reported: {problems}"


def new_page(
    browser: Browser, kz: Portal, screen: Screen, problems: list[str], contexts: list[BrowserContext]
) -> Page:
    context = browser.new_context(
        base_url=kz.base_url, viewport={"width": screen.width, "height": screen.height}
    )
    contexts.append(context)
    context.on(
        "request",
        lambda request: (
            None if request.url.startswith(kz.base_url) else problems.append(f"request to {request.url}")
        ),
    )
    page = context.new_page()
    page.on("pageerror", lambda error: problems.append(f"{page.url}: script error {error}"))

    def console(message: ConsoleMessage) -> None:
        if message.type != "error":
            return
        source = urlsplit(message.location.get("url", ""))
        expected = REFUSED_PAGE.match(message.text) or (
            source.path == "/favicon.ico" and "status of 404" in message.text
        )
        if not expected:
            problems.append(f"{page.url}: console {message.text}")

    page.on("console", console)
    page.goto(f"/reuse/surveys?lang={screen.lang}")
    return page


# the outermost shown elements of the page's main part that reach past the right edge of the window
WIDER_THAN_THE_SCREEN = """() => [...document.querySelectorAll("main *")]
    .filter((e) => e.checkVisibility() && e.getBoundingClientRect().right
        > document.documentElement.clientWidth + 1)
    .filter((e) => !e.parentElement || e.parentElement.getBoundingClientRect().right
        <= document.documentElement.clientWidth + 1)
    .map((e) => `${e.tagName.toLowerCase()}${e.id ? "#" + e.id : ""}.${[...e.classList].join(".")}`)"""


def check(page: Page, screen: Screen) -> None:
    expect(page.locator("html")).to_have_attribute("lang", screen.lang)
    axe_check(page)
    if screen.width < 600:
        assert page.evaluate(WIDER_THAN_THE_SCREEN) == [], f"{page.url} scrolls sideways"


def submit(page: Page, button: Locator) -> None:
    with page.expect_navigation():
        button.click()


def add_question(
    page: Page, kind: str, text: str, options: Sequence[str] = (), required: bool = False
) -> None:
    form = page.locator("#add-question")
    form.locator("#f-question-kind").select_option(kind)
    form.locator("#f-question-text-en").fill(text)
    form.locator("#f-question-text-kk").fill(f"{text} (kk)")
    form.locator("#f-question-options-en").fill("\n".join(options))
    if required:
        form.locator("#f-question-required").check()
    submit(page, form.locator("button[type=submit]"))


def answer(page: Page, likert: int | None, single: int, ranking: list[int], text: str) -> None:
    """Fill the answer form: the scale, one choice, two of several choices, a place for each option, text."""
    form = page.locator("#answer-form")
    questions = form.locator(".question")
    if likert is not None:
        questions.nth(0).locator(f"input[value='{likert}'] + label").click()
    questions.nth(1).locator("input[type=radio]").nth(single).check()
    checkboxes = questions.nth(2).locator("input[type=checkbox]")
    checkboxes.nth(0).check()
    checkboxes.nth(2).check()
    selects = questions.nth(3).locator("select")
    for option, place in enumerate(ranking):
        selects.nth(option).select_option(str(place))
    questions.nth(4).locator("textarea").fill(text)
    submit(page, form.locator("#send-answers"))


@pytest.mark.parametrize("screen", SCREENS)
def test_a_co_creation_session_from_the_survey_to_its_live_results(
    browser: Browser, kz: Portal, browser_pages: list[str], screen: Screen
) -> None:
    _ = translator(screen.lang)
    contexts: list[BrowserContext] = []
    try:
        # the official writes the survey
        official = new_page(browser, kz, screen, browser_pages, contexts)
        login(official, OFFICIAL, next=f"/reuse/surveys?lang={screen.lang}")
        check(official, screen)
        submit(official, official.locator("#new-survey"))
        check(official, screen)
        title = f"Data for the city ({screen.lang})"
        official.locator("#f-survey-title-en").fill(title)
        official.locator("#f-survey-title-kk").fill(f"Қала деректері ({screen.lang})")
        official.locator("#f-survey-access-codes + label").click()
        submit(official, official.locator("#survey-form button[type=submit]"))
        expect(official.locator("main > .flash")).to_have_text(
            _("The survey is saved as a draft: add its questions, then open it.")
        )
        add_question(official, "likert", "The portal is easy to use", required=True)
        add_question(official, "single", "How often do you use data?", ["Every day", "Every week", "Rarely"])
        add_question(official, "multiple", "Which formats?", ["CSV", "JSON", "API"])
        add_question(official, "ranking", "What first?", ["Buses", "Schools", "Air"])
        add_question(official, "text", "Anything else?")
        # a choice with one option is refused, next to the options
        add_question(official, "single", "Only one option", ["Alone"])
        expect(official.locator("#e-question-options")).to_be_visible()
        check(official, screen)
        expect(official.locator(".question-item")).to_have_count(5)
        manage_url = official.url.split("#")[0]
        survey_id = int(re.search(r"/reuse/surveys/(\d+)/", manage_url).group(1))  # type: ignore[union-attr]
        official.goto(f"/reuse/surveys/{survey_id}/manage")
        submit(official, official.locator("#open-survey"))
        expect(official.locator("#add-question")).to_have_count(0)
        official.locator("#f-codes-count").fill("3")
        submit(official, official.locator("#make-codes"))
        check(official, screen)
        codes = [c.strip() for c in official.locator(".code-card-code").all_inner_texts()]
        assert len(codes) == 3 and all(re.fullmatch(r"[A-Z0-9]{4}-[A-Z0-9]{4}", c) for c in codes)

        # a participant without an account answers with the code from the link
        participant = new_page(browser, kz, screen, browser_pages, contexts)
        participant.goto(f"/reuse/surveys/{survey_id}?code={codes[0]}")
        expect(participant.locator("#f-code")).to_have_value(codes[0])
        check(participant, screen)
        answer(participant, None, 0, [1, 3, 2], "Автобус кестелері және bus stops")  # the scale left out
        expect(participant.locator(".question").nth(0).locator(".field-error")).to_have_text(
            _("This question is required.")
        )
        expect(participant.locator(".question").nth(4).locator("textarea")).to_have_value(
            "Автобус кестелері және bus stops"
        )
        check(participant, screen)
        participant.locator(".question").nth(0).locator("input[value='4'] + label").click()
        submit(participant, participant.locator("#send-answers"))
        expect(participant.locator("h1")).to_have_text(_("Thank you"))
        check(participant, screen)

        # the same code again: refused at the code field
        again = new_page(browser, kz, screen, browser_pages, contexts)
        again.goto(f"/reuse/surveys/{survey_id}?code={codes[0].lower()}")
        answer(again, 5, 1, [1, 2, 3], "Автобус")
        expect(again.locator("#e-code")).to_have_text(
            _("This code has been used already: each code answers the survey once.")
        )
        check(again, screen)

        # a second participant; then the live results
        second = new_page(browser, kz, screen, browser_pages, contexts)
        second.goto(f"/reuse/surveys/{survey_id}?code={codes[1]}")
        answer(second, 2, 2, [2, 1, 3], "Автобус аялдамалары керек")
        results = new_page(browser, kz, screen, browser_pages, contexts)
        results.goto(f"/reuse/surveys/{survey_id}/results")
        expect(results.locator("#responses-total")).to_have_text("2")
        expect(results.locator(".stat-pair dd").first).to_have_text("3")
        cloud = results.locator(".word-cloud")
        expect(cloud.locator("li.cloud-w6")).to_contain_text("автобус")
        expect(cloud).not_to_contain_text("және")
        check(results, screen)

        # a third response arrives: the open results page shows it without being reloaded (waiting for
        # the 10 s poll once, on the desktop screen, is enough)
        if screen.width >= 1000:
            with kz.client() as api:
                survey = api.get(f"/api/v1/reuse/surveys/{survey_id}").json()
                likert_id = survey["questions"][0]["id"]
                sent = api.post(
                    f"/api/v1/reuse/surveys/{survey_id}/responses",
                    json={"code": codes[2], "answers": {str(likert_id): 5}},
                )
                assert sent.status_code == 201, sent.text
            expect(results.locator("#responses-total")).to_have_text("3", timeout=30_000)
            expect(results.locator(".stat-pair dd").first).to_have_text(re.compile(r"^3[.,]67$"))

        # the official closes the survey; its results page no longer polls
        official.goto(f"/reuse/surveys/{survey_id}/manage")
        submit(official, official.locator("#close-survey"))
        check(official, screen)
        official.goto(f"/reuse/surveys/{survey_id}/results")
        expect(official.locator("#survey-results")).not_to_have_attribute("hx-trigger", re.compile(".+"))
        check(official, screen)
    finally:
        for context in contexts:
            context.close()
