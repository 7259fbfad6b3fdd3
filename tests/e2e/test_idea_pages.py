"""Ideas and dataset requests in a real browser, in English on a desktop and in Kazakh on a 390 px phone (kz
profile): a person posts a dataset request through the form (told first what is missing), supports it
without JavaScript (the plain form and a redirect), a second person supports it with the support box
swapping in place (1 -> 2, no second support offered, counted once after a reload) and comments; the public
reads the list and the idea; a moderator reads the anomaly report, voids the supports of one address with a
reason, hides an idea and shows it again. No page visited has a serious or critical axe-core violation or,
on the phone, scrolls sideways."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Locator, Page, StorageState, expect

from derek.core import accounts
from derek.core.i18n import translator
from derek.reuse import service
from tests.conftest import Portal, start_portal
from tests.e2e.conftest import axe_check, login

MODERATORS = "ministry-of-digital-development"  # the kz profile's [reuse] moderators
AKIMAT = "akimat-of-almaty"
AKIMAT_TITLES = {"en": "Akimat of Almaty", "ru": "Акимат Алматы", "kk": "Алматы әкімдігі"}
AUTHOR, SUPPORTER, MODERATOR = "author", "supporter", "moderator"


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
    """Opens a new browser with the screen's window, signed in as the user (none: anonymous), at the path;
    without JavaScript when asked."""

    def __call__(
        self, screen: Screen, user: str = "", path: str = "", *, javascript: bool = True
    ) -> Page: ...


REFUSED_PAGE = re.compile(r"^Failed to load resource: the server responded with a status of (409|422) ")


@pytest.fixture(scope="module")
def kz(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Portal]:
    """A kz portal with the moderators' organization (an editor), an organization to ask and two people."""
    for portal in start_portal(tmp_path_factory.mktemp("e2e-ideas"), profile="kz"):
        portal.make_org(MODERATORS, title={"en": "Ministry of Digital Development"})
        portal.make_org(AKIMAT, title=AKIMAT_TITLES)
        portal.make_user(MODERATOR, org=MODERATORS, role="editor")
        for person in (AUTHOR, SUPPORTER):
            portal.make_user(person)
        yield portal


@pytest.fixture(scope="module")
def signed_in() -> dict[str, StorageState]:
    """Each user's cookies once logged in through the form (logging in costs a password hash)."""
    return {}


@pytest.fixture
def browse(browser: Browser, kz: Portal, signed_in: dict[str, StorageState]) -> Iterator[Browse]:
    """New browsers (each its own cookies) with a screen's window, signed in as a user or not, opening a
    page; what went wrong in them besides the assertions (a request to any host but the test portal's, a
    script or console error) fails the test."""
    contexts: list[BrowserContext] = []
    problems: list[str] = []

    def console(page: Page, message: ConsoleMessage) -> None:
        if message.type != "error":
            return
        source = urlsplit(message.location.get("url", ""))
        # a refused form's page comes back as 409 or 422 by design, and the portal has no /favicon.ico
        expected = (REFUSED_PAGE.match(message.text) and source.path == urlsplit(page.url).path) or (
            source.path == "/favicon.ico" and "status of 404" in message.text
        )
        if not expected:
            problems.append(f"{page.url}: console {message.text} ({source.geturl()})")

    def open_page(screen: Screen, user: str = "", path: str = "", *, javascript: bool = True) -> Page:
        context = browser.new_context(
            base_url=kz.base_url,
            viewport={"width": screen.width, "height": screen.height},
            storage_state=signed_in.get(user),
            java_script_enabled=javascript,
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
WIDER_THAN_THE_SCREEN = """() => [...document.querySelectorAll("main *")]
    .filter((e) => e.checkVisibility() && e.getBoundingClientRect().right
        > document.documentElement.clientWidth + 1)
    .filter((e) => !e.parentElement || e.parentElement.getBoundingClientRect().right
        <= document.documentElement.clientWidth + 1)
    .map((e) => `${e.tagName.toLowerCase()}${e.id ? "#" + e.id : ""}.${[...e.classList].join(".")}`)"""


def check(page: Page, screen: Screen) -> None:
    """In the screen's language, no serious or critical axe violation, and on the phone nothing wider than the
    screen (WCAG 1.4.10 Reflow)."""
    expect(page.locator("html")).to_have_attribute("lang", screen.lang)
    axe_check(page)
    if screen.width < 600:
        assert page.evaluate(WIDER_THAN_THE_SCREEN) == [], f"{page.url} scrolls sideways"


def submit(page: Page, button: Locator) -> None:
    """Click a form's button and wait for the page it leads to (no JavaScript involved)."""
    with page.expect_navigation():
        button.click()


def flash(page: Page) -> Locator:
    return page.locator("main > .flash")


def actor(portal: Portal, name: str) -> accounts.Actor:
    with portal.db.session() as s:
        return accounts.actor_for(s, accounts.get_user(s, name))


# ---------------------------------------------------------------- 1. posting, supporting, commenting


@pytest.mark.parametrize("screen", SCREENS)
def test_a_request_is_posted_supported_once_by_each_person_and_commented(
    kz: Portal, browse: Browse, screen: Screen
) -> None:
    lang = screen.lang
    _ = translator(lang)
    title = f"Publish utility tariffs by district ({lang})"

    # the author posts a dataset request; the form says first what is missing, keeping what was typed
    author = browse(screen, AUTHOR, f"/reuse/ideas/new?lang={lang}")
    expect(author.get_by_role("heading", level=1)).to_have_text(_("Post an idea"))
    check(author, screen)
    form = author.locator("#idea-form")
    form.locator("#f-idea-kind-dataset_request").check()
    form.locator("#f-idea-body").fill("Water, heating and power per district, every month.")
    form.locator("#f-idea-keywords").fill("tariffs, utilities")
    form.locator("#f-idea-organization").select_option(AKIMAT)
    form.locator("#f-idea-title").evaluate("(input) => input.removeAttribute('required')")
    submit(author, form.get_by_role("button", name=_("Post the idea")))
    expect(author.locator("#e-idea-title")).to_have_text(_("Give the title (at most 300 characters)."))
    expect(author.locator("#f-idea-body")).to_have_value(
        "Water, heating and power per district, every month."
    )
    expect(author.locator("#f-idea-kind-dataset_request")).to_be_checked()
    check(author, screen)
    author.locator("#f-idea-title").fill(title)
    submit(author, author.locator("#idea-form").get_by_role("button", name=_("Post the idea")))
    expect(flash(author)).to_have_text(
        _("Your idea is posted: anyone signed in can support it and comment on it now.")
    )
    expect(author.get_by_role("heading", level=1)).to_have_text(title)
    found = re.fullmatch(r"/reuse/ideas/(\d+)", urlsplit(author.url).path)
    assert found, author.url
    number = int(found.group(1))
    expect(author.locator("#facts")).to_contain_text(AKIMAT_TITLES[lang])
    expect(author.locator("#support .support-number")).to_have_text("0")
    check(author, screen)

    # without JavaScript the support box is a plain form: a POST and a redirect back to the box
    plain = browse(screen, AUTHOR, f"/reuse/ideas/{number}?lang={lang}", javascript=False)
    submit(plain, plain.locator("#support").get_by_role("button", name=_("Support this idea")))
    expect(plain).to_have_url(f"{kz.base_url}/reuse/ideas/{number}#support")
    expect(flash(plain)).to_have_text(_("Your support is counted."))
    expect(plain.locator("#support .support-number")).to_have_text("1")
    expect(plain.locator("#supported")).to_contain_text(_("You support this idea"))

    # with JavaScript a second person's click swaps the box alone: the page is not loaded again
    page = browse(screen, SUPPORTER, f"/reuse/ideas/{number}?lang={lang}")
    box = page.locator("#support")
    expect(box.locator(".support-number")).to_have_text("1")
    page.evaluate("() => { window.notReloaded = true; }")
    with page.expect_response(lambda r: r.url.endswith(f"/reuse/ideas/{number}/support")) as sent:
        box.get_by_role("button", name=_("Support this idea")).click()
    assert sent.value.ok and sent.value.request.headers.get("hx-request") == "true"
    expect(box.locator(".support-message")).to_have_text(_("Your support is counted."))
    expect(box.locator(".support-number")).to_have_text("2")
    expect(box.locator("#supported")).to_contain_text(_("You support this idea"))
    # no second support: the box offers only to withdraw it
    expect(box.get_by_role("button", name=_("Support this idea"))).to_have_count(0)
    expect(box.get_by_role("button")).to_have_text([_("Withdraw my support")])
    assert page.evaluate("() => window.notReloaded === true")
    check(page, screen)
    page.reload()  # counted once, kept
    expect(box.locator(".support-number")).to_have_text("2")
    expect(flash(page)).to_have_count(0)  # the swapped box took the message

    # the second person comments
    comment = page.locator("#comment-form")
    comment.get_by_label(_("Your comment")).fill("We would map them for our neighbourhood.")
    submit(page, comment.get_by_role("button", name=_("Post the comment")))
    expect(flash(page)).to_have_text(_("Your comment is posted."))
    expect(page.locator(".comment")).to_have_count(1)
    expect(page.locator(".comment .comment-body")).to_have_text("We would map them for our neighbourhood.")
    expect(page.locator(".comment .comment-head")).to_contain_text(SUPPORTER)
    check(page, screen)

    # the public reads the list, the request first among the most supported, and the idea
    public = browse(screen, "", f"/reuse/ideas?lang={lang}&q=utility+tariffs")
    card = public.locator(f"#idea-{number}")
    expect(card.locator(".idea-figure.supports dd")).to_have_text("2")
    expect(card.locator(".idea-figure").nth(1).locator("dd")).to_have_text("1")
    expect(card).to_contain_text(_("Dataset request"))
    check(public, screen)
    submit(public, card.get_by_role("link", name=title))
    expect(public.locator("#support")).to_contain_text(_("Log in to support"))
    expect(public.locator("#support form")).to_have_count(0)
    check(public, screen)


# ---------------------------------------------------------------- 2. the moderators' page


def with_anomaly(portal: Portal, lang: str) -> int:
    """An idea supported by the burst's number of new accounts, the first of them from one address; its
    number."""
    rules = service.rules_for(portal.settings.jurisdiction)
    profile = portal.settings.jurisdiction
    with portal.db.session() as s:
        number = service.create_idea(
            s, actor(portal, AUTHOR), profile, service.IdeaData(title=f"Publish parking fines ({lang})")
        ).id
    names = [portal.make_user(portal.unique(f"fresh-{lang}"))[0] for _ in range(rules.burst_supports)]
    secret = portal.settings.effective_secret_key()
    with portal.db.session() as s:
        for n, name in enumerate(names):
            address = "203.0.113.7" if n < rules.shared_address else f"198.51.100.{n}"
            person = accounts.actor_for(s, accounts.get_user(s, name))
            service.add_idea_support(s, person, number, address=service.address_key(secret, address))
    return number


@pytest.mark.parametrize("screen", SCREENS)
def test_a_moderator_voids_the_supports_of_one_address_and_hides_an_idea(
    kz: Portal, browse: Browse, screen: Screen
) -> None:
    lang = screen.lang
    _ = translator(lang)
    rules = service.rules_for(kz.settings.jurisdiction)
    number = with_anomaly(kz, lang)

    page = browse(screen, MODERATOR, f"/reuse/moderation?lang={lang}")
    expect(page.get_by_role("heading", level=1)).to_have_text(_("Moderation"))
    burst = page.locator(f"article[id^='anomaly-new_accounts-{number}-']")
    shared = page.locator(f"article[id^='anomaly-shared_address-{number}-']")
    expect(burst).to_have_count(1)
    expect(shared).to_have_count(1)
    expect(burst.locator(".account-list input")).to_have_count(rules.burst_supports)
    expect(shared.locator(".account-list input:checked")).to_have_count(rules.shared_address)
    assert "203.0.113.7" not in page.content()
    check(page, screen)

    # a reason is required; then the supports of that address are void
    submit(page, shared.get_by_role("button", name=_("Void the chosen supports")))
    expect(shared.locator(".field-error")).to_have_text(_("Give the reason (at most 2,000 characters)."))
    check(page, screen)
    shared.get_by_label(_("Reason")).fill("Accounts made the same minute from one address")
    submit(page, shared.get_by_role("button", name=_("Void the chosen supports")))
    expect(flash(page)).to_have_text(_("Supports voided: {count}.", count=rules.shared_address))
    expect(page.locator(f"article[id^='anomaly-shared_address-{number}-']")).to_have_count(0)
    page.goto(f"/reuse/ideas/{number}")
    expect(page.locator("#support .support-number")).to_have_text(
        str(rules.burst_supports - rules.shared_address)
    )

    # the idea is hidden with a reason, listed on the moderators' page, and shown again from there
    hide = page.locator("#moderate-form")
    hide.get_by_label(_("Reason")).fill("Posted twice")
    submit(page, hide.get_by_role("button", name=_("Hide the idea")))
    expect(flash(page)).to_have_text(_("The idea is hidden: only its author and the moderators see it now."))
    expect(page.locator("#hidden-note")).to_contain_text("Posted twice")
    check(page, screen)
    page.goto("/reuse/moderation")
    row = page.locator(f"#hidden-idea-{number}")
    expect(row).to_contain_text("Posted twice")
    check(page, screen)
    submit(page, row.get_by_role("button"))
    expect(flash(page)).to_have_text(_("The idea is shown again."))
    expect(page.locator(f"#hidden-idea-{number}")).to_have_count(0)
