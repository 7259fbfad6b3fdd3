"""Reuse's use cases in a real browser, in English on a desktop and in Kazakh on a 390 px phone (kz profile,
the portal's clock stopped on 1 Mar 2027): a person starts from a dataset's page ("Tell us how you use this
dataset"), is told what the form is missing, submits the use case, adds a screenshot and finds it listed on
the dataset's page; the public reads the overview's table of live, degraded, dead, prototype and unchecked
use cases with its chart, follows it to the list, where the use cases dead past the grace period come back
with the toggle. No page visited has a serious or critical axe-core violation or, on the phone, scrolls
sideways (on a dataset's page: its use-case panel)."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol
from urllib.parse import urlsplit

import pytest
from PIL import Image
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Locator, Page, StorageState, expect
from sqlalchemy import update

from derek.core import accounts
from derek.core.i18n import translator
from derek.reuse import service
from derek.reuse.models import UseCase
from tests.conftest import Portal, start_portal
from tests.e2e.conftest import axe_check, login

CLOCK = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)  # the portal's now
ORGANIZATION = "akimat-of-the-river-district"
MAKER = "maker"
DESCRIPTION = {
    "en": "Shows every bus stop of the city on a map, with the timetable of each route that stops there.",
    "kk": "Қаланың әр аялдамасын картада көрсетеді, сонда тоқтайтын әр бағыттың кестесімен бірге.",
}


@dataclass(frozen=True)
class Screen:
    """The page language and the window of one run."""

    lang: str
    width: int
    height: int


SCREENS = [
    pytest.param(Screen("en", 1280, 900), id="en-1280"),
    pytest.param(Screen("kk", 390, 844), id="kk-390"),
]


class Browse(Protocol):
    """Opens a new browser with the screen's window, signed in as the user (none: anonymous), at the path."""

    def __call__(self, screen: Screen, user: str = "", path: str = "") -> Page: ...


REFUSED_PAGE = re.compile(r"^Failed to load resource: the server responded with a status of 422 ")


@pytest.fixture(scope="module")
def kz(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Portal]:
    for portal in start_portal(tmp_path_factory.mktemp("e2e-reuse"), profile="kz", clock=CLOCK):
        portal.make_org(
            ORGANIZATION,
            title={
                "en": "Akimat of the river district",
                "ru": "Акимат речного района",
                "kk": "Өзен ауданының әкімдігі",
            },
        )
        portal.make_user(MAKER)
        yield portal


@pytest.fixture(scope="module")
def signed_in() -> dict[str, StorageState]:
    """Each user's cookies once logged in through the form (logging in costs a password hash)."""
    return {}


@pytest.fixture
def browse(browser: Browser, kz: Portal, signed_in: dict[str, StorageState]) -> Iterator[Browse]:
    """New browsers (each its own cookies) with a screen's window, signed in as a user or not, opening a
    page; a request to another host, a script error or a console error fails the test."""
    contexts: list[BrowserContext] = []
    problems: list[str] = []

    def console(page: Page, message: ConsoleMessage) -> None:
        if message.type != "error":
            return
        source = urlsplit(message.location.get("url", ""))
        # a refused form comes back as 422 by design, and the portal has no /favicon.ico
        expected = (REFUSED_PAGE.match(message.text) and source.path == urlsplit(page.url).path) or (
            source.path == "/favicon.ico" and "status of 404" in message.text
        )
        if not expected:
            problems.append(f"{page.url}: console {message.text} ({source.geturl()})")

    def open_page(screen: Screen, user: str = "", path: str = "") -> Page:
        context = browser.new_context(
            base_url=kz.base_url,
            viewport={"width": screen.width, "height": screen.height},
            storage_state=signed_in.get(user),
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
        page.on("console", lambda message: console(page, message))
        if user and user not in signed_in:
            login(page, user, next=path)
            signed_in[user] = context.storage_state()
        elif path:
            page.goto(path)
        return page

    yield open_page
    for context in contexts:
        context.close()
    assert not problems, f"the browser reported: {problems}"


# the outermost shown elements of the page's main part that reach past the right edge of the window
WIDER_THAN_THE_SCREEN = """(within) => [...document.querySelectorAll(within + " *")]
    .filter((e) => e.checkVisibility() && e.getBoundingClientRect().right
        > document.documentElement.clientWidth + 1)
    .filter((e) => !e.parentElement || e.parentElement.getBoundingClientRect().right
        <= document.documentElement.clientWidth + 1)
    .map((e) => `${e.tagName.toLowerCase()}${e.id ? "#" + e.id : ""}.${[...e.classList].join(".")}`)"""


def check(page: Page, screen: Screen, within: str = "main") -> None:
    """In the screen's language, no serious or critical axe violation, and on the phone nothing (within the
    part of the page given) wider than the screen (WCAG 1.4.10 Reflow)."""
    expect(page.locator("html")).to_have_attribute("lang", screen.lang)
    axe_check(page)
    if screen.width < 600:
        assert page.evaluate(WIDER_THAN_THE_SCREEN, within) == [], f"{page.url} scrolls sideways"


def submit(page: Page, button: Locator) -> None:
    """Click a form's button and wait for the page it leads to (no JavaScript involved)."""
    with page.expect_navigation():
        button.click()


def flash(page: Page) -> Locator:
    return page.locator("main > .flash")


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (640, 400), (30, 120, 200)).save(out, "PNG")
    return out.getvalue()


def made(portal: Portal, title: str, dataset: str, **fields: object) -> int:
    """A use case made through the service; its number."""
    data = service.UseCaseData(
        title={"en": title, "kk": title},
        description=DESCRIPTION,
        kind=str(fields.pop("kind", "app")),
        author="River data team",
        contact="team@example.kz",
        datasets=[dataset],
        url="https://river.example.kz/",
        prototype=bool(fields.pop("prototype", False)),
    )
    with portal.db.session() as s:
        maker = accounts.actor_for(s, accounts.get_user(s, MAKER))
        number = service.create_use_case(s, maker, portal.settings.jurisdiction, data).id
        s.commit()
    return number


def set_state(portal: Portal, number: int, liveness: str, dead_days: int | None = None) -> None:
    dead_since = CLOCK - timedelta(days=dead_days) if dead_days is not None else None
    with portal.db.session() as s:
        s.execute(
            update(UseCase).where(UseCase.id == number).values(liveness=liveness, dead_since=dead_since)
        )
        s.commit()


# ---------------------------------------------------------------- 1. from a dataset's page to a use case


@pytest.mark.parametrize("screen", SCREENS)
def test_a_use_case_is_submitted_from_its_datasets_page(kz: Portal, browse: Browse, screen: Screen) -> None:
    lang = screen.lang
    _ = translator(lang)
    dataset = kz.make_dataset(
        ORGANIZATION, kz.unique("bus-stops"), title={"en": "Bus stops", "ru": "Остановки", "kk": "Аялдамалар"}
    )
    title = f"Bus stop map ({lang})"

    # the dataset's page invites whoever uses it
    page = browse(screen, MAKER, f"/dataset/{dataset}?lang={lang}")
    panel = page.locator("#use-cases")
    expect(panel.locator("h2")).to_contain_text(_("Use cases of this dataset"))
    expect(panel).to_contain_text(_("No use case of this dataset is known yet."))
    check(page, screen, within="#use-cases")  # the rest of the dataset's page is the catalog's
    submit(page, panel.get_by_role("link", name=_("Tell us how you use this dataset")))
    expect(page.get_by_role("heading", level=1)).to_have_text(_("Submit a use case"))
    expect(page.locator("#f-datasets")).to_have_value(dataset)  # filled in from the dataset's page
    check(page, screen)

    # the form without a contact and with a one-line description: told next to each field, nothing lost
    form = page.locator("#use-case-form")
    form.locator(f"#f-title-{lang}").fill(title)
    form.locator(f"#f-description-{lang}").fill("A map.")
    form.get_by_label(_("Kind")).select_option("app")
    form.get_by_label(_("Web address"), exact=True).fill("https://bus.example.kz/")
    form.get_by_label(_("Link in store {number}", number=1)).fill("https://play.example/bus")
    form.get_by_label(_("Author")).fill("City transport team")
    submit(page, form.get_by_role("button", name=_("Publish the use case")))
    expect(page.locator(".error-summary")).to_be_visible()
    expect(page.locator("#e-contact")).to_have_text(
        _("Give an e-mail address, e.g. team@example.kz: the portal writes there when it stops working.")
    )
    expect(page.locator("#e-description")).to_have_text(
        _("Say what it does and with which data, in at least {count} characters.", count=50)
    )
    expect(page.locator("#f-contact")).to_have_attribute("aria-invalid", "true")
    expect(page.locator(f"#f-title-{lang}")).to_have_value(title)  # what was typed stays
    expect(page.locator("#f-datasets")).to_have_value(dataset)
    check(page, screen)

    form = page.locator("#use-case-form")
    form.locator(f"#f-description-{lang}").fill(DESCRIPTION[lang])
    form.get_by_label(_("Contact e-mail")).fill("team@example.kz")
    submit(page, form.get_by_role("button", name=_("Publish the use case")))
    expect(flash(page)).to_have_text(
        _("Thank you: the use case is published. The portal checks its address once a day.")
    )
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    expect(page.locator("#liveness-state")).to_have_text(_("Not checked yet"))
    expect(page.locator("#contact a")).to_have_attribute("href", "mailto:team@example.kz")
    expect(page.locator("#datasets a")).to_have_attribute("href", f"/dataset/{dataset}")
    number = int(urlsplit(page.url).path.rsplit("/", 1)[1])
    check(page, screen)

    # a screenshot, with its caption as the picture's text
    shots = page.locator("#screenshot-form")
    shots.get_by_label(_("Picture (PNG, JPEG or WebP, at most 5 MB)")).set_input_files(
        {"name": "map.png", "mimeType": "image/png", "buffer": png()}
    )
    shots.get_by_label(_("Caption (optional)")).fill("The map with its stops")
    submit(page, shots.get_by_role("button", name=_("Add the screenshot")))
    expect(flash(page)).to_have_text(_("The screenshot is added."))
    picture = page.locator("#screenshots img")
    expect(picture).to_have_attribute("alt", "The map with its stops")
    expect(picture).to_have_js_property("naturalWidth", 640)  # the browser shows it (waits for it to load)
    check(page, screen)

    # the dataset's page lists it now
    page.goto(f"/dataset/{dataset}?lang={lang}")
    item = page.locator(f"#panel-use-case-{number}")
    expect(item.get_by_role("link")).to_have_text(title)
    expect(item.locator(".badge")).to_have_text(_("Not checked yet"))
    check(page, screen, within="#use-cases")


# ---------------------------------------------------------------- 2. the overview and the grace period


@pytest.mark.parametrize("screen", SCREENS)
def test_the_overview_shows_the_split_and_the_list_the_dead_on_request(
    kz: Portal, browse: Browse, screen: Screen
) -> None:
    lang = screen.lang
    _ = translator(lang)
    dataset = kz.make_dataset(ORGANIZATION, kz.unique("air"), title={"en": "Air quality", "kk": "Ауа сапасы"})
    word = f"Numbat{lang}"
    live = made(kz, f"{word} live map", dataset)
    set_state(kz, live, "live")
    set_state(kz, made(kz, f"{word} slow service", dataset, kind="service"), "degraded")
    recent = made(kz, f"{word} recently dead", dataset)
    set_state(kz, recent, "dead", dead_days=4)
    gone = made(kz, f"{word} long dead", dataset, kind="article")
    set_state(kz, gone, "dead", dead_days=45)
    made(kz, f"{word} prototype", dataset, prototype=True)
    with kz.db.session() as s:
        stats = service.stats(s, kz.settings.jurisdiction, now=CLOCK)

    page = browse(screen, "", f"/reuse?lang={lang}")
    expect(page.get_by_role("heading", level=1)).to_have_text(_("Reuse of open data"))
    for state in service.STATES:
        expect(page.locator(f"#count-{state}")).to_have_text(str(stats.by_state[state]))
    expect(page.locator("#count-total")).to_have_text(str(stats.total))
    expect(page.locator("#state-dead .badge")).to_have_text(_("Dead"))
    expect(page.locator("#chart-states svg")).to_be_visible()
    page.locator("#chart-states summary").click()  # the chart's numbers
    expect(page.locator("#data-states tbody tr")).to_have_count(len(service.STATES))
    expect(page.locator("#retired")).to_contain_text(str(stats.retired))
    check(page, screen)

    # the list leaves out the use case dead past the grace period, and shows it on request
    page.goto(f"/reuse/use-cases?lang={lang}&q={word}")
    cards = page.locator("#use-cases article")
    expect(cards).to_have_count(4)
    expect(page.locator(f"#use-case-{gone}")).to_have_count(0)
    expect(page.locator(f"#use-case-{recent} .badge")).to_have_text(_("Dead"))
    expect(page.locator("#retired-hidden")).to_be_visible()
    check(page, screen)
    filters = page.get_by_role("search")
    filters.get_by_label(_("Show also those dead for longer than {days} days", days=30)).check()
    submit(page, filters.get_by_role("button", name=_("Show")))
    expect(cards).to_have_count(5)
    expect(page.locator(f"#use-case-{gone}")).to_contain_text(_("Not in the default list"))
    check(page, screen)

    # only the dead ones
    filters.get_by_label(_("State")).select_option("dead")
    submit(page, filters.get_by_role("button", name=_("Show")))
    expect(cards).to_have_count(2)
    page.locator(f"#use-case-{gone}").get_by_role("link", name=f"{word} long dead").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{word} long dead")
    expect(page.locator("#liveness-note")).to_contain_text(
        _("It has left the list of use cases: it has been dead for longer than {days} days.", days=30)
    )
    check(page, screen)
