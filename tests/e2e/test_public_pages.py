"""The public pages in real Chromium: search, facets, dataset, download, languages, no JavaScript."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.conftest import Portal
from tests.e2e.conftest import login

CSV_BYTES = b"region,year,population\nAlmaty,2024,2228675\nAstana,2024,1423726\n"


@dataclass
class Catalog:
    org: str
    word: str  # a keyword only this module's datasets carry
    dataset: str
    download_url: str


@pytest.fixture(scope="module")
def catalog(portal: Portal) -> Catalog:
    word = portal.unique("e2epop").replace("-", "")
    org = portal.make_org(
        title={"en": "Bureau of Statistics", "ru": "Бюро статистики", "kk": "Статистика бюросы"},
        org_type="agency",
    )
    _user, token = portal.make_user(org=org, role="editor")
    dataset = portal.make_dataset(
        org,
        title={"en": "Population by region", "ru": "Население по регионам", "kk": "Өңірлер бойынша халық"},
        description={"en": "Resident population by region.", "ru": "Постоянное население по регионам."},
        themes=["SOCI"],
        keywords=[word, "population"],
        regions=["KZ-75"],
        update_frequency="ANNUAL",
    )
    portal.make_dataset(org, title={"en": "Budget execution"}, themes=["ECON"], keywords=[word])
    with portal.client(f"Bearer {token}") as http:
        up = http.post(
            f"/api/v1/datasets/{dataset}/resources/upload",
            files={"file": ("population.csv", CSV_BYTES, "text/csv")},
        )
        assert up.status_code == 201, up.text
    return Catalog(org=org, word=word, dataset=dataset, download_url=up.json()["download_url"])


def test_search_facet_dataset_download(page: Page, catalog: Catalog) -> None:
    page.goto(f"/dataset?q={catalog.word}&lang=en")
    expect(page.locator(".result-count")).to_contain_text("Datasets found: 2")

    theme_facet = page.locator("details.facet", has=page.locator("h3", has_text="Theme"))
    theme_facet.get_by_role("link", name=re.compile("Population and society")).click()
    expect(page.locator(".result-count")).to_contain_text("Datasets found: 1")
    expect(page.locator(".active-filters")).to_contain_text("Population and society")
    assert "theme=SOCI" in page.url

    page.get_by_role("link", name="Population by region").click()
    expect(page.locator("h1")).to_have_text("Population by region")
    expect(page.locator(".dataset-side")).to_contain_text("Annual")
    expect(page.locator(".dataset-side")).to_contain_text("Almaty (city)")

    with page.expect_download() as download_info:
        page.get_by_role("link", name=re.compile("^Download")).first.click()
    download = download_info.value
    assert download.suggested_filename == "population.csv"
    path = download.path()
    with open(path, "rb") as fh:
        assert fh.read() == CSV_BYTES


def test_removing_a_filter_chip_widens_the_results(page: Page, catalog: Catalog) -> None:
    page.goto(f"/dataset?q={catalog.word}&theme=ECON&lang=en")
    expect(page.locator(".result-count")).to_contain_text("Datasets found: 1")
    page.locator(".active-filters").get_by_role("link", name=re.compile("Economy and finance")).click()
    expect(page.locator(".result-count")).to_contain_text("Datasets found: 2")


def test_language_switch_keeps_the_page(page: Page, catalog: Catalog) -> None:
    page.goto(f"/dataset/{catalog.dataset}?lang=kk")
    expect(page.locator("html")).to_have_attribute("lang", "kk")
    expect(page.locator("h1")).to_have_text("Өңірлер бойынша халық")
    expect(page.locator("nav.main-nav")).to_contain_text("Деректер жиынтықтары")

    page.locator("nav.langs").get_by_role("link", name="Русский").click()
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    expect(page.locator("h1")).to_have_text("Население по регионам")
    expect(page.locator("nav.main-nav")).to_contain_text("Наборы данных")
    expect(page.locator(".dataset-side")).to_contain_text("Ежегодно")
    assert f"/dataset/{catalog.dataset}" in page.url

    page.locator("nav.langs").get_by_role("link", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_have_text("Population by region")
    expect(page.locator("nav.main-nav")).to_contain_text("Datasets")
    assert f"/dataset/{catalog.dataset}" in page.url

    # the choice sticks (cookie) on the next page without ?lang=
    page.goto("/organization")
    expect(page.locator("html")).to_have_attribute("lang", "en")


def test_pages_work_without_javascript(browser: Browser, base_url: str, catalog: Catalog) -> None:
    context = browser.new_context(java_script_enabled=False, base_url=base_url, locale="ru-RU")
    try:
        page = context.new_page()
        page.goto("/")
        expect(page.locator("html")).to_have_attribute("lang", "ru")
        page.locator("#q").fill(catalog.word)
        page.locator("form[role=search] button[type=submit]").click()
        expect(page.locator(".result-count")).to_contain_text("Найдено наборов данных: 2")

        # without JavaScript the sort menu has a visible Apply button
        page.locator("#sort").select_option("title")
        page.get_by_role("button", name="Применить").click()
        assert "sort=title" in page.url
        titles = page.locator(".dataset-list .card-title").all_inner_texts()
        assert titles == sorted(titles, key=str.casefold)

        page.get_by_role("link", name=re.compile("Экономика и финансы")).first.click()
        expect(page.locator(".result-count")).to_contain_text("Найдено наборов данных: 1")
        page.goto(f"/dataset/{catalog.dataset}")
        expect(page.locator("h1")).to_have_text("Население по регионам")
        expect(page.locator("pre#api-curl")).to_contain_text(f"/api/v1/datasets/{catalog.dataset}")
        assert page.locator(".copy-button").count() == 0  # the JS-only copy buttons are not there
    finally:
        context.close()


def test_copy_buttons_and_autosubmitting_sort_with_javascript(page: Page, catalog: Catalog) -> None:
    page.goto(f"/dataset/{catalog.dataset}?lang=en")
    expect(page.locator(".copy-button").first).to_be_visible()
    page.goto(f"/dataset?q={catalog.word}")
    expect(page.locator(".sort-form button[type=submit]")).to_be_hidden()
    with page.expect_navigation():
        page.locator("#sort").select_option("title")
    assert "sort=title" in page.url


def test_unknown_page_helps(page: Page) -> None:
    response = page.goto("/no-such-page?lang=en")
    assert response is not None and response.status == 404
    expect(page.locator("h1")).to_have_text("Page not found")
    expect(page.get_by_role("search")).to_be_visible()
    expect(page.get_by_role("link", name="Browse all datasets")).to_be_visible()


def test_login_helper_and_a_members_view_of_private_data(
    page: Page, portal: Portal, catalog: Catalog
) -> None:
    hidden = portal.make_dataset(
        catalog.org, title={"en": "Internal staffing table"}, keywords=[catalog.word], private=True
    )
    user, _token = portal.make_user(org=catalog.org, role="member")
    page.goto(f"/dataset?q={catalog.word}&lang=en")
    expect(page.locator(".result-count")).to_contain_text("Datasets found: 2")

    login(page, user, next=f"/dataset?q={catalog.word}")
    expect(page.get_by_role("button", name=re.compile("Log out"))).to_be_visible()
    expect(page.locator(".result-count")).to_contain_text("Datasets found: 3")
    card = page.locator(".dataset-card", has_text="Internal staffing table")
    expect(card.locator(".badge-private")).to_have_text("Private")
    card.get_by_role("link", name="Internal staffing table").click()
    assert page.url.endswith(f"/dataset/{hidden}")
