"""A publisher in a real browser: create a draft, upload a file with progress, publish, find it in search."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.conftest import Portal
from tests.e2e.conftest import axe_check, login

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def publisher(portal: Portal) -> tuple[str, str]:
    """(organization, user name) of an editor."""
    org = portal.make_org(
        title={"kk": "Статистика бюросы", "ru": "Бюро статистики", "en": "Bureau of Statistics"}
    )
    name, _token = portal.make_user(org=org, role="editor")
    return org, name


def test_create_upload_publish_and_find(
    page: Page, browser: Browser, base_url: str, publisher: tuple[str, str], tmp_path: Path, portal: Portal
) -> None:
    org, user = publisher
    word = "zebra" + uuid.uuid4().hex[:6]  # a word only this dataset has, to find it in search
    slug = f"livestock-{uuid.uuid4().hex[:6]}"
    login(page, user, next="/publish")
    expect(page.get_by_role("heading", name="Bureau of Statistics")).to_be_visible()

    page.get_by_role("link", name="New dataset").first.click()
    page.locator("#f-title_en").fill(f"Livestock {word}")
    page.locator("#f-title_ru").fill("Поголовье скота")
    page.locator("#f-description_en").fill("Cattle, sheep and horses by region.")
    page.locator("#f-name").fill(slug)
    page.get_by_label("Agriculture, fisheries, forestry and food").check()
    page.locator("#f-keywords").fill("cattle\nsheep, goats")  # one per line
    page.locator("#f-update_frequency").select_option("ANNUAL")
    page.get_by_label("Almaty Region").check()
    page.get_by_role("button", name="Save as draft").click()

    # a new draft leads straight to adding its data
    expect(page).to_have_url(f"{base_url}/dataset/{slug}/resource/new")
    expect(page.locator(".flash")).to_be_visible()
    progress = page.locator("form.upload-form progress")
    expect(progress).to_have_count(1)
    expect(progress).to_be_hidden()  # shown by publish.js only while a file is being sent

    csv = tmp_path / "livestock.csv"
    csv.write_text(
        "region,cattle\nAlmaty,120000\n" * 20_000, encoding="utf-8"
    )  # ~0.5 MB: several progress events
    page.locator("#f-file").set_input_files(str(csv))
    page.locator("#f-name").fill("Livestock by region")
    page.get_by_role("button", name="Add", exact=True).click()

    # publish.js sent it with XMLHttpRequest (which drops the redirect's #resources) and showed the answer
    expect(page).to_have_url(re.compile(rf"/dataset/{slug}/edit(#resources)?$"))
    expect(page.locator(".flash")).to_contain_text("resource is added")
    row = page.locator("#resources tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Livestock by region")
    expect(row).to_contain_text("CSV")
    expect(page.locator(".dcat-check")).to_contain_text("Conforms to DCAT-AP 3")

    link = page.locator("#resources tbody tr a").first.get_attribute("href") or ""
    # publishing waits for the personal-data check of the new file
    assert portal.wait_checked(link.split("/resource/")[1].split("/")[0]) == "clean"
    page.get_by_role("button", name="Publish now").click()
    expect(page.locator(".flash")).to_contain_text("published")
    expect(page.locator(".status-panel .badge-published")).to_be_visible()

    # an anonymous visitor finds it in the public search
    visitor = browser.new_context(base_url=base_url)
    try:
        search = visitor.new_page()
        search.goto(f"/dataset?q={word}&lang=en")
        expect(search.get_by_role("link", name=f"Livestock {word}")).to_be_visible()
        stored = visitor.request.get(f"/api/v1/datasets/{slug}").json()
        assert sorted(stored["keywords"]) == ["cattle", "sheep, goats"]
    finally:
        visitor.close()


def test_invalid_form_keeps_what_was_typed(page: Page, publisher: tuple[str, str]) -> None:
    _org, user = publisher
    login(page, user, next="/publish/new")
    page.locator("#f-title_kk").fill("Мал басы")
    page.locator("#f-name").fill("Not A Slug!")
    page.locator("#f-contact_email").fill("not-an-address")
    page.locator("#f-keywords").fill("мал\nқой")
    page.get_by_role("button", name="Save as draft").click()

    expect(page.locator(".error-summary")).to_be_visible()
    expect(page.locator("#e-name")).to_be_visible()
    expect(page.locator("#e-contact_email")).to_be_visible()
    expect(page.locator("#f-name")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#f-title_kk")).to_have_value("Мал басы")
    expect(page.locator("#f-name")).to_have_value("Not A Slug!")
    expect(page.locator("#f-keywords")).to_have_value("мал\nқой")
    axe_check(page)


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
def test_dataset_form_is_accessible_in_every_language(
    page: Page, publisher: tuple[str, str], lang: str
) -> None:
    _org, user = publisher
    login(page, user, next=f"/publish/new?lang={lang}")
    expect(page.locator("html")).to_have_attribute("lang", lang)
    axe_check(page)


def test_other_publish_pages_are_accessible(page: Page, publisher: tuple[str, str], portal: Portal) -> None:
    org, user = publisher
    dataset = portal.make_dataset(org, state="draft")  # no description: the DCAT-AP check lists it
    login(page, user, next="/publish")
    pages = (
        "/publish",
        f"/dataset/{dataset}",
        f"/dataset/{dataset}/edit",
        f"/dataset/{dataset}/resource/new",
    )
    for path in (*pages, "/user/me"):
        page.goto(path)
        if path.startswith("/dataset/"):
            expect(page.locator(".dcat-check li")).to_have_count(1)
        axe_check(page)
    page.goto(f"/dataset/{dataset}?lang=en")
    page.get_by_role("link", name="Description: the dataset has no description in any language").click()
    expect(page).to_have_url(re.compile(rf"/dataset/{dataset}/edit#f-description$"))
