"""A sysadmin in a real browser creates an organization and makes a user its editor, who then publishes."""

from __future__ import annotations

import uuid

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.conftest import Portal
from tests.e2e.conftest import axe_check, login

pytestmark = pytest.mark.browser


def test_a_sysadmin_makes_an_editor_who_then_publishes(
    page: Page, browser: Browser, base_url: str, portal: Portal
) -> None:
    admin, _ = portal.make_user(sysadmin=True)
    editor, _ = portal.make_user()
    slug = f"water-{uuid.uuid4().hex[:6]}"

    login(page, admin, next="/admin/organizations")
    page.get_by_role("link", name="New organization").click()
    page.locator("#f-title_kk").fill("Су ресурстары комитеті")
    page.locator("#f-title_ru").fill("Комитет водных ресурсов")
    page.locator("#f-title_en").fill("Committee for Water Resources")
    page.locator("#f-name").fill(slug)
    page.locator("#f-org_type").select_option("agency")
    page.locator("#f-contact_email").fill("water@example.kz")
    page.get_by_role("button", name="Create the organization").click()

    expect(page).to_have_url(f"{base_url}/admin/organizations/{slug}#members")
    expect(page.get_by_role("heading", level=1)).to_have_text("Committee for Water Resources")
    page.locator("#f-user").fill(editor)
    page.locator("#f-role").select_option("editor")
    page.get_by_role("button", name="Add", exact=True).click()
    expect(page.locator(".flash")).to_contain_text("member is added")
    expect(page.locator("table.members")).to_contain_text(editor)

    # the new editor publishes in the organization
    context = browser.new_context(base_url=base_url)
    try:
        as_editor = context.new_page()
        login(as_editor, editor, next="/publish")
        expect(as_editor.get_by_role("heading", name="Committee for Water Resources")).to_be_visible()
        as_editor.get_by_role("link", name="New dataset").first.click()
        expect(as_editor.locator("#f-organization")).to_have_value(slug)
        as_editor.locator("#f-title_en").fill("River levels")
        as_editor.locator("#f-name").fill(f"{slug}-levels")
        as_editor.get_by_role("button", name="Save and publish").click()
        expect(as_editor).to_have_url(f"{base_url}/dataset/{slug}-levels/resource/new")
        as_editor.locator("#f-url").fill("https://example.kz/levels.csv")
        as_editor.get_by_role("button", name="Add", exact=True).click()  # no file: a plain form POST
        expect(as_editor.locator("#resources tbody tr")).to_contain_text("CSV")
        expect(as_editor.locator(".status-panel .badge-published")).to_be_visible()
    finally:
        context.close()


def test_administration_pages_are_accessible(page: Page, portal: Portal) -> None:
    admin, _ = portal.make_user(sysadmin=True)
    org = portal.make_org()
    member, _ = portal.make_user(org=org, role="admin")
    login(page, admin, next="/admin")
    axe_check(page)
    for path in (
        "/admin/organizations",
        "/admin/organizations/new",
        f"/admin/organizations/{org}",
        f"/admin/users/{member}",
        f"/admin/users/{member}/deactivate",
        f"/admin/users/{admin}",  # one's own page: no deactivation, an explanation instead
    ):
        page.goto(path)
        axe_check(page)
    # the user page reached from the list, through deactivation and back
    page.goto("/admin")
    page.get_by_role("link", name=member, exact=True).click()
    page.get_by_role("link", name="Deactivate the user").click()
    page.get_by_role("button", name="Yes, deactivate").click()
    expect(page.locator(".flash")).to_contain_text("deactivated")
    axe_check(page)
    page.get_by_role("button", name="Reactivate the user").click()
    expect(page.locator(".flash")).to_contain_text("reactivated")
    # the form with errors too: messages next to fields must stay accessible
    page.goto("/admin")
    page.locator("#f-name").fill("x")
    page.locator("#f-email").fill("nope")
    page.get_by_role("button", name="Create the user").click()
    expect(page.locator(".error-summary")).to_be_visible()
    expect(page.locator("#f-email")).to_have_value("nope")
    axe_check(page)
