"""Choosing what to open, in a real browser, in English on a desktop and in Kazakh on a 390 px phone (kz
profile, the portal's clock stopped on Mon 1 Jun 2026): the Commission's secretary plans a session and puts
two proposals on its agenda, three members vote in turn (one declares a conflict of interest), a decision
before the quorum is refused, the decisions are recorded and the session closed, and the public reads the
votes, the conflict, the tally, the decisions and the minutes (HTML and PDF); the list owner drafts the
unified list, is told the act's date is missing, approves it, changes a due date and adds an item in a second
version and reads the differences, and the public sees the past-due item as late; a signed-in person supports
a proposal with its demand evidence, the support box swapping in place. No page visited has a serious or
critical axe-core violation or, on the phone, scrolls sideways."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Protocol
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Locator,
    Page,
    StorageState,
    expect,
)

from derek.core import accounts
from derek.core.authz import SYSTEM
from derek.core.i18n import translator
from derek.selection import commission_service, service
from derek.web.formatting import local_date
from tests.conftest import Portal, start_portal
from tests.e2e.conftest import axe_check, login

# 11:00 in Almaty (UTC+5) on Mon 1 Jun 2026: the portal's today
CLOCK = datetime(2026, 6, 1, 6, 0, tzinfo=UTC)
TODAY = date(2026, 6, 1)
COMMISSION = "access-commission"  # the kz profile's Commission
LIST_OWNER = "ministry-of-digital-development"  # the kz profile's list owner
SECRETARY = "secretary"  # an admin of the Commission: its secretariat
MEMBERS = ("member-a", "member-b", "member-c")  # the Commission's voting members
OWNER = "list-owner"  # an editor of the list owner
RESIDENT, SUPPORTER = "resident", "supporter"  # people signed in, of no organization
COMMISSION_TITLES = {
    "en": "Commission on Access to Information",
    "ru": "Комиссия по вопросам доступа к информации",
    "kk": "Ақпаратқа қол жеткізу мәселелері жөніндегі комиссия",
}
LATE_IN_KAZAKH = "Кешіктірілген"  # msgstr of "Late" in locale/kk/LC_MESSAGES/selection.po


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


REFUSED_PAGE = re.compile(r"^Failed to load resource: the server responded with a status of (409|422) ")


@pytest.fixture(scope="module")
def kz(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Portal]:
    """A kz portal on a frozen day with the Commission (a secretary, three voting members) and the list
    owner (an editor)."""
    for portal in start_portal(tmp_path_factory.mktemp("e2e-selection"), profile="kz", clock=CLOCK):
        portal.make_org(COMMISSION, title=COMMISSION_TITLES)
        portal.make_org(
            LIST_OWNER,
            title={
                "en": "Ministry of Digital Development",
                "ru": "Министерство цифрового развития",
                "kk": "Цифрлық даму министрлігі",
            },
        )
        portal.make_user(SECRETARY, org=COMMISSION, role="admin")
        for member in MEMBERS:
            portal.make_user(member, org=COMMISSION, role="member")
        portal.make_user(OWNER, org=LIST_OWNER, role="editor")
        for person in (RESIDENT, SUPPORTER):
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
        # (Chromium asks for it); Chromium logs both as errors
        expected = (REFUSED_PAGE.match(message.text) and source.path == path_of(page)) or (
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

        # watched rather than routed (routing holds every request for a round trip to the test)
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


def path_of(page: Page) -> str:
    """The path of the page's address (a form's #part stays in the address through the redirect after it)."""
    return urlsplit(page.url).path


def flash(page: Page) -> Locator:
    return page.locator("main > .flash")


def long_date(day: date, lang: str) -> str:
    return local_date(day, lang, style="long")


def actor(portal: Portal, name: str) -> accounts.Actor:
    with portal.db.session() as s:
        return accounts.actor_for(s, accounts.get_user(s, name))


def district(portal: Portal, en: str, kk: str) -> str:
    """A new organization with titles in every language; its name."""
    return portal.make_org(portal.unique("akimat"), title={"en": en, "ru": en, "kk": kk})


def proposed(portal: Portal, organization: str, title: str, keywords: str = "") -> int:
    """A proposal made through the service; its number."""
    with portal.db.session() as s:
        data = service.ProposalData(
            title=title,
            organization=organization,
            description="Every record with its date and place.",
            reason="People ask for it every year.",
            keywords=keywords,
        )
        number = service.create_proposal(s, SYSTEM, portal.settings.jurisdiction, data).number
        s.commit()
    return number


def recommended(portal: Portal, organization: str, title: str) -> int:
    """A proposal the Commission recommended at a closed session, through the services; its number."""
    number = proposed(portal, organization, title)
    profile = portal.settings.jurisdiction
    secretary = actor(portal, SECRETARY)
    members = [actor(portal, m) for m in MEMBERS]
    with portal.db.session() as s:
        row = commission_service.create_session(s, secretary, profile, title=f"For {title}", held_on=TODAY)
        commission_service.add_agenda_item(s, secretary, profile, row.number, number)
        for member in members:
            commission_service.set_vote(s, member, profile, row.number, number, vote="recommend")
        commission_service.set_decision(
            s, secretary, profile, row.number, number, decision="recommend", rationale="Asked for."
        )
        commission_service.close_session(s, secretary, profile, row.number)
        s.commit()
    return number


# ---------------------------------------------------------------- 1. a Commission session


def vote(page: Page, proposal: int, choice: str, comment: str) -> None:
    """A member votes on an agenda item with the item's form."""
    form = page.locator(f"#vote-form-{proposal}")
    form.get_by_label(choice, exact=True).check()
    form.locator("textarea[name=comment]").fill(comment)
    submit(page, form.locator("button[type=submit]"))


@pytest.mark.parametrize("screen", SCREENS)
def test_a_commission_session_from_the_agenda_to_the_minutes(
    kz: Portal, browse: Browse, screen: Screen
) -> None:
    lang = screen.lang
    _ = translator(lang)
    organization = district(kz, "Akimat of the lake district", "Көл ауданының әкімдігі")
    first = proposed(kz, organization, "Water quality of the lake beaches")
    second = proposed(kz, organization, "Boat rental licences")
    statement = "I advise a beach operator."
    title = f"Summer session ({screen.lang})"

    # the secretary plans a session and puts both proposals on its agenda
    secretary = browse(screen, SECRETARY, f"/selection/commission?lang={lang}")
    expect(secretary.get_by_role("heading", level=1)).to_have_text(_("The Commission"))
    expect(secretary.locator("#member-list li")).to_have_text(list(MEMBERS))
    check(secretary, screen)
    plan = secretary.locator("#session-form")
    plan.get_by_label(_("Title")).fill(title)
    plan.get_by_label(_("Date")).fill("2026-06-10")
    plan.get_by_label(_("Place")).fill("Astana")
    submit(secretary, plan.get_by_role("button", name=_("Plan the session")))
    expect(flash(secretary)).to_have_text(_("The session is planned: add proposals to its agenda."))
    expect(secretary.get_by_role("heading", level=1)).to_have_text(title)
    session_url = path_of(secretary)
    assert re.fullmatch(r"/selection/commission/\d+", session_url), secretary.url
    expect(secretary.locator("#session-status")).to_have_text(_("Planned"))
    for proposal in (first, second):
        agenda = secretary.locator("#agenda-form")
        agenda.get_by_label(_("Proposal")).select_option(str(proposal))
        submit(secretary, agenda.get_by_role("button", name=_("Add to the agenda")))
        expect(flash(secretary)).to_have_text(_("The proposal is on the agenda."))
        expect(secretary.locator(f"#item-{proposal}-title")).to_contain_text(f"P-{proposal}")
    expect(secretary.locator("#agenda .agenda-item")).to_have_count(2)

    # member-a declares a conflict of interest on item 1 and votes on item 2
    member = browse(screen, MEMBERS[0], f"{session_url}?lang={lang}")
    item = member.locator(f"#item-{first}")
    item.locator("summary").filter(has_text=_("Declare a conflict of interest")).click()
    conflict = member.locator(f"#conflict-form-{first}")
    conflict.get_by_label(_("Statement")).fill(statement)
    check(member, screen)  # with the conflict form open
    submit(member, conflict.get_by_role("button", name=_("Declare the conflict")))
    expect(flash(member)).to_have_text(
        _("Your conflict of interest is recorded: you do not vote on this item.")
    )
    expect(item.locator(".note-box")).to_have_text(
        _("You declared a conflict of interest on this item: you do not vote on it.")
    )
    expect(member.locator(f"#vote-form-{first}")).to_have_count(0)
    vote(member, second, _("Recommend"), "Tourists ask for it.")
    expect(flash(member)).to_have_text(_("Your vote is recorded."))
    expect(member.locator(f"#vote-form-{second} button[type=submit]")).to_have_text(_("Change my vote"))

    # the secretary cannot record a decision on item 2 yet: one of three voted, two are needed
    secretary.goto(session_url)
    decide = secretary.locator(f"#decision-form-{second}")
    decide.get_by_label(_("Rationale")).fill("Too early.")
    submit(secretary, decide.get_by_role("button", name=_("Record the decision")))
    no_quorum = _(
        "No quorum yet: {voted} of {eligible} members without a conflict voted, {quorum} are needed.",
        voted=1,
        eligible=3,
        quorum=2,
    )
    expect(secretary.locator(f"#decision-form-{second} .error[role=alert]")).to_have_text(no_quorum)
    expect(secretary.locator(f"#item-{second}-decision")).to_have_text(_("No decision yet."))
    check(secretary, screen)

    # the two other members vote on both items, with comments
    for name, on_first, on_second in (
        (MEMBERS[1], ("Recommend", "Bathers ask every summer."), ("Defer", "Wait for the licence register.")),
        (MEMBERS[2], ("Defer", "Wait for the sensors."), ("Recommend", "Anglers need it.")),
    ):
        member = browse(screen, name, f"{session_url}?lang={lang}")
        expect(member.locator(f"#vote-form-{first}")).to_be_visible()
        vote(member, first, _(on_first[0]), on_first[1])
        expect(flash(member)).to_have_text(_("Your vote is recorded."))
        vote(member, second, _(on_second[0]), on_second[1])
        expect(flash(member)).to_have_text(_("Your vote is recorded."))

    # the secretary records both decisions with their rationale and closes the session
    secretary.goto(session_url)
    expect(secretary.locator(f"#item-{first}-quorum")).to_contain_text(
        _(
            "Quorum reached: {voted} of {eligible} members without a conflict voted ({quorum} needed).",
            voted=2,
            eligible=2,
            quorum=2,
        )
    )
    decide = secretary.locator(f"#decision-form-{first}")
    decide.get_by_label(_("Recommend"), exact=True).check()
    decide.get_by_label(_("Rationale")).fill("Public health information; the conflicted member did not vote.")
    submit(secretary, decide.get_by_role("button", name=_("Record the decision")))
    expect(flash(secretary)).to_have_text(_("The decision is recorded."))
    decide = secretary.locator(f"#decision-form-{second}")
    expect(decide.get_by_label(_("Recommend"), exact=True)).to_be_checked()  # the majority, chosen for you
    decide.get_by_label(_("Rationale")).fill("Two of three recommend it.")
    check(secretary, screen)
    submit(secretary, decide.get_by_role("button", name=_("Record the decision")))
    expect(flash(secretary)).to_have_text(_("The decision is recorded."))
    submit(secretary, secretary.locator("#close-form").get_by_role("button", name=_("Close the session")))
    expect(flash(secretary)).to_have_text(_("The session is closed: its record and minutes are final."))
    expect(secretary.locator("#session-status")).to_have_text(_("Closed"))
    expect(secretary.locator("#secretariat-tools")).to_have_count(0)

    # the public reads the record: votes, the conflict and its statement, the tally, the decisions
    public = browse(screen)
    public.goto(f"{session_url}?lang={lang}")
    expect(public.get_by_role("heading", level=1)).to_have_text(title)
    expect(public.locator("#session-status")).to_have_text(_("Closed"))
    conflicts = public.locator(f"#item-{first}-conflicts")
    expect(conflicts).to_contain_text(_("Conflict of interest declared"))
    expect(conflicts.locator("li")).to_contain_text(f"{MEMBERS[0]}: {statement}")
    votes = public.locator(f"#item-{first}-votes tbody tr")
    expect(votes).to_have_count(2)
    expect(votes.nth(0)).to_contain_text(MEMBERS[1])
    expect(votes.nth(0)).to_contain_text(_("Recommend"))
    expect(votes.nth(0)).to_contain_text("Bathers ask every summer.")
    expect(votes.nth(1)).to_contain_text(MEMBERS[2])
    expect(votes.nth(1)).to_contain_text("Wait for the sensors.")
    expect(public.locator(f"#item-{second}-votes tbody tr")).to_have_count(3)
    expect(public.locator(f"#item-{first}-tally")).to_have_text(
        f"{_('Recommend')}: 1 · {_('Reject')}: 0 · {_('Defer')}: 1"
    )
    expect(public.locator(f"#item-{second}-tally")).to_have_text(
        f"{_('Recommend')}: 2 · {_('Reject')}: 0 · {_('Defer')}: 1"
    )
    for proposal, rationale in (
        (first, "Public health information; the conflicted member did not vote."),
        (second, "Two of three recommend it."),
    ):
        decision = public.locator(f"#item-{proposal}-decision")
        expect(decision.locator(".badge")).to_have_text(_("Recommended for the list"))
        expect(decision.locator(".prose")).to_have_text(rationale)
    expect(public.locator("form[id^=vote-form], form[id^=decision-form], #agenda-form")).to_have_count(0)
    check(public, screen)

    # the minutes, as a page and as a PDF
    public.locator(".minutes-links").get_by_role("link", name=_("Minutes"), exact=True).click()
    expect(public).to_have_url(f"{kz.base_url}{session_url}/minutes")
    number = int(session_url.rsplit("/", 1)[1])
    expect(public.get_by_role("heading", level=1)).to_have_text(
        _(
            "Minutes of session No. {number} of {commission}",
            number=number,
            commission=COMMISSION_TITLES[lang],
        )
    )
    minutes = public.locator("#minutes")
    expect(minutes.locator("#present")).to_have_text(", ".join(MEMBERS))
    expect(minutes.locator(".conflict-note")).to_contain_text(statement)
    expect(minutes).to_contain_text("Wait for the sensors.")
    expect(minutes.locator(".minutes-item")).to_have_count(2)
    expect(public.locator("#minutes-draft")).to_have_count(0)  # closed: final
    check(public, screen)
    pdf_link = public.get_by_role("link", name=_("Download as PDF"))
    expect(pdf_link).to_have_attribute("href", f"{session_url}/minutes.pdf")
    pdf = public.request.get(pdf_link.get_attribute("href") or "")
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf"
    assert pdf.body().startswith(b"%PDF")


# ---------------------------------------------------------------- 2. the unified list


def add_item(page: Page, _: Callable[..., str], **fields: str) -> None:
    """The list owner adds an item to the draft with its form: from a proposal, or written there."""
    form = page.locator("#item-form")
    form.get_by_label(_("Recommended proposal")).select_option(fields.get("proposal", ""))
    if "title" in fields:
        form.get_by_label(_("Title")).fill(fields["title"])
    form.get_by_label(_("Responsible organization")).select_option(fields.get("organization", ""))
    form.get_by_label(_("Due date")).fill(fields["due_on"])
    form.get_by_label(_("Update frequency")).select_option(fields["update_frequency"])
    submit(page, form.get_by_role("button", name=_("Add the item")))
    expect(flash(page)).to_have_text(_("The item is saved."))


def item_code(page: Page, title: str) -> str:
    """The code of the item with this title in the version's table."""
    row = page.locator("#version-items tbody tr").filter(has_text=title)
    expect(row).to_have_count(1)
    return (row.get_attribute("id") or "").removeprefix("item-")


def approve(page: Page, _: Callable[..., str], number: str, day: str) -> None:
    form = page.locator("#approve-form")
    form.get_by_label(_("Number of the act")).fill(number)
    form.get_by_label(_("Date of the act")).fill(day)
    submit(page, form.get_by_role("button", name=_("Approve")))


@pytest.mark.parametrize("screen", SCREENS)
def test_the_list_is_approved_changed_compared_and_its_late_item_shown(
    kz: Portal, browse: Browse, screen: Screen
) -> None:
    lang = screen.lang
    _ = translator(lang)
    organization = district(kz, "Akimat of the river district", "Өзен ауданының әкімдігі")
    flood_title = f"Flood warnings by river gauge ({lang})"
    river_title = f"River water levels ({lang})"
    bridges_title = f"Bridges closed for repair ({lang})"
    from_commission = recommended(kz, organization, flood_title)

    # the list owner starts a draft and adds an item from the recommended proposal and one written there
    owner = browse(screen, OWNER, f"/selection/list?lang={lang}")
    expect(owner.get_by_role("heading", level=1)).to_have_text(_("The unified list of open data"))
    draft = owner.locator("#draft-form")
    draft.get_by_label(_("Note (optional)")).fill("The first list of the river district.")
    submit(owner, draft.get_by_role("button", name=_("Start a draft")))
    expect(flash(owner)).to_have_text(_("A new draft of the list is started from the list in force."))
    found = re.fullmatch(r"/selection/list/(\d+)", path_of(owner))
    assert found, owner.url
    first = int(found.group(1))
    expect(owner.get_by_role("heading", level=1)).to_have_text(
        _("Version {number} of the unified list", number=first)
    )
    expect(owner.locator("#version-status")).to_have_text(_("Draft"))
    add_item(owner, _, proposal=str(from_commission), due_on="2026-12-31", update_frequency="MONTHLY")
    flood = item_code(owner, flood_title)
    add_item(
        owner, _, title=river_title, organization=organization, due_on="2026-03-01", update_frequency="DAILY"
    )
    river = item_code(owner, river_title)  # due three months ago, no dataset: late
    check(owner, screen)

    # approving without the act's date is refused next to the field; with it, the list is in force
    approve(owner, _, "12", "")
    error = owner.locator("#e-approve-act_date")
    expect(error).to_have_text(_("Give the date of the approving act (not in the future), like 2024-12-31."))
    expect(owner.locator("#f-approve-act_date")).to_have_attribute("aria-invalid", "true")
    expect(owner.locator("#f-approve-act_number")).to_have_value("12")  # what was typed stays
    check(owner, screen)
    approve(owner, _, "12", "2026-05-30")
    assert path_of(owner) == "/selection/list"  # (the browser keeps the form's #draft-tools in the address)
    expect(flash(owner)).to_have_text(_("The list is approved: it is the list in force now."))
    expect(owner.locator("#act")).to_contain_text(long_date(date(2026, 5, 30), lang))
    expect(owner.locator(f"#item-{river}")).to_contain_text(_("Late"))
    check(owner, screen)

    # version 2 moves the flood item's due date and adds one
    draft = owner.locator("#draft-form")
    draft.get_by_label(_("Note (optional)")).fill("Moves a date.")
    submit(owner, draft.get_by_role("button", name=_("Start a draft")))
    second = int(path_of(owner).rsplit("/", 1)[1])
    assert second > first
    owner.locator(f"#item-{flood}").get_by_role("link", name=_("Change")).click()
    expect(owner.get_by_role("heading", level=1)).to_have_text(_("Change item {code}", code=flood))
    due = owner.locator("#item-form").get_by_label(_("Due date"))
    expect(due).to_have_value("2026-12-31")
    check(owner, screen)
    due.fill("2027-03-31")
    submit(owner, owner.locator("#item-form").get_by_role("button", name=_("Save")))
    expect(flash(owner)).to_have_text(_("The item is saved."))
    expect(owner.locator(f"#item-{flood} time")).to_have_attribute("datetime", "2027-03-31")
    add_item(
        owner,
        _,
        title=bridges_title,
        organization=organization,
        due_on="2027-01-31",
        update_frequency="WEEKLY",
    )
    bridges = item_code(owner, bridges_title)
    approve(owner, _, "40", "2026-05-31")
    expect(flash(owner)).to_have_text(_("The list is approved: it is the list in force now."))

    # the differences: the changed due date, before and after, and the added item
    owner.locator(f"#version-{second}").get_by_role(
        "link", name=_("Changes from version {number}", number=first)
    ).click()
    expect(owner).to_have_url(f"{kz.base_url}/selection/list/{second}/diff")
    expect(owner.get_by_role("heading", level=1)).to_have_text(
        _("Changes from version {old} to version {new}", old=first, new=second)
    )
    changed = owner.locator(f"#changed-{flood}")
    expect(changed.locator(".changes li")).to_have_count(1)
    expect(changed.locator(".changes .label")).to_have_text(f"{_('Due date')}:")
    expect(changed.locator("del")).to_have_text(long_date(date(2026, 12, 31), lang))
    expect(changed.locator("ins")).to_have_text(long_date(date(2027, 3, 31), lang))
    added = owner.locator("#added tbody tr")
    expect(added).to_have_count(1)
    expect(added).to_contain_text(bridges)
    expect(added).to_contain_text(bridges_title)
    expect(owner.locator("#removed")).to_have_count(0)
    check(owner, screen)

    # anyone: the organization's compliance shows the past-due item without a dataset as late
    public = browse(screen)
    public.goto(f"/selection/compliance?lang={lang}")
    check(public, screen)
    public.locator(f"#card-{organization}").get_by_role("link").click()
    expect(public).to_have_url(f"{kz.base_url}/selection/compliance/{organization}")
    late = public.locator(f"#item-{river}")
    expect(late.locator(".badge")).to_have_text(LATE_IN_KAZAKH if lang == "kk" else "Late")
    expect(late).to_contain_text(_("{days} days late", days=92))  # 1 Mar to 1 Jun 2026
    expect(late.locator("td").nth(2)).to_have_text("—")  # no dataset
    expect(late.locator("td").nth(2)).to_have_attribute("data-label", _("Dataset"))
    expect(public.locator(f"#item-{flood} .badge")).to_have_text(_("Not published yet"))
    expect(public.locator("#total-late .stat-number")).to_have_text("1")
    check(public, screen)


# ---------------------------------------------------------------- 3. supporting a proposal


def with_evidence(portal: Portal, lang: str) -> int:
    """A proposal with demand evidence (a consultation submission and the resident's support) made through
    the services; its number."""
    organization = district(portal, "Akimat of the hill district", "Төбе ауданының әкімдігі")
    number = proposed(portal, organization, f"Registered business addresses ({lang})", "business addresses")
    profile = portal.settings.jurisdiction
    with portal.db.session() as s:
        service.add_consultation(
            s, SYSTEM, profile, number, submitted_by="Business association",
            summary="Members need the addresses to check their partners.", received_on=date(2026, 5, 20),
            today=TODAY,
        )  # fmt: skip
        s.commit()
    with portal.db.session() as s:
        service.add_support(s, actor(portal, RESIDENT), number)
        s.commit()
    return number


@pytest.mark.parametrize("screen", SCREENS)
def test_a_person_supports_a_proposal_once_and_the_box_swaps_in_place(
    kz: Portal, browse: Browse, screen: Screen
) -> None:
    lang = screen.lang
    _ = translator(lang)
    number = with_evidence(kz, lang)
    page = browse(screen, SUPPORTER, f"/selection/proposals/{number}?lang={lang}")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Registered business addresses ({lang})")
    # the evidence: one consultation submission (weight 5) and one support (weight 1)
    expect(page.locator("#evidence-consultation td")).to_have_text(["1", "× 5", "5"])
    expect(page.locator("#evidence-support td")).to_have_text(["1", "× 1", "1"])
    expect(page.locator("#demand-index")).to_have_text("6")
    expect(page.locator("#demand")).to_contain_text("Business association")
    box = page.locator("#support")
    expect(box.locator(".support-number")).to_have_text("1")
    check(page, screen)

    # with JavaScript, the click swaps the box alone: the page is not loaded again
    page.evaluate("() => { window.notReloaded = true; }")
    with page.expect_response(lambda r: r.url.endswith(f"/selection/proposals/{number}/support")) as sent:
        box.get_by_role("button", name=_("Support this proposal")).click()
    assert sent.value.ok and sent.value.request.headers.get("hx-request") == "true"
    expect(box.locator(".support-message")).to_have_text(_("Your support is counted."))
    expect(box.locator(".support-number")).to_have_text("2")
    expect(box.locator("#supported")).to_contain_text(_("You support this"))
    # no second support: the box offers only to withdraw it
    expect(box.get_by_role("button", name=_("Support this proposal"))).to_have_count(0)
    expect(box.get_by_role("button")).to_have_text([_("Withdraw my support")])
    assert page.evaluate("() => window.notReloaded === true")
    expect(page).to_have_url(f"{kz.base_url}/selection/proposals/{number}?lang={lang}")
    check(page, screen)

    page.reload()  # counted once, kept
    expect(box.locator(".support-number")).to_have_text("2")
    expect(page.locator("#evidence-support td").first).to_have_text("2")
    expect(box.locator("#supported")).to_be_visible()
    expect(flash(page)).to_have_count(0)  # the swapped box took the message
