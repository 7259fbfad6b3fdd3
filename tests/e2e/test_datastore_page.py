"""The resource page in Chromium: HTMX swaps only the preview when sorting and filtering (the address follows,
the page is not reloaded), the same links work with JavaScript off, and axe-core finds no serious problem."""

from __future__ import annotations

from contextlib import closing

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.conftest import Portal
from tests.e2e.conftest import axe_check, login
from tests.test_datastore_pages import REGIONS, add_chart, publisher, upload_page


@pytest.fixture(scope="module")
def table(portal: Portal) -> dict[str, str]:
    rows = "".join(f"{'Астана' if i % 3 == 0 else 'Алматы'};{i};{i * 1500}\n" for i in range(1, 61))
    path, resource_id, token = upload_page(portal, "Город;Номер;Сумма\n" + rows)
    with portal.client(f"Bearer {token}") as http:
        name = http.get("/api/v1/users/me").json()["name"]
    return {"path": path, "resource_id": resource_id, "token": token, "user": name}


def test_sorting_and_filtering_swap_only_the_table(page: Page, table: dict[str, str]) -> None:
    page.goto(table["path"] + "?lang=ru")
    page.evaluate("window.notReloaded = true")
    number = page.locator("#sort-2")  # the "Номер" column
    number.click()
    expect(page.locator("th[aria-sort]")).to_have_attribute("aria-sort", "ascending")
    expect(page).to_have_url(f"{page.url.split('?')[0]}?sort=%D0%9D%D0%BE%D0%BC%D0%B5%D1%80")
    page.locator("#sort-2").click()
    expect(page.locator("th[aria-sort]")).to_have_attribute("aria-sort", "descending")
    expect(page.locator("table.data-table tbody tr").first.locator("td").nth(2)).to_have_text("60")
    assert page.evaluate("document.activeElement.id") == "sort-2"  # focus stays on the header link

    page.select_option("#preview-column", "Город")
    page.fill("#preview-value", "Астана")
    page.locator(".preview-filter button[type=submit]").click()
    expect(page.locator("#preview-caption")).to_contain_text("из 20")
    expect(page.locator("#preview-live")).to_contain_text("из 20")  # announced to screen readers
    assert "column=" in page.url and "value=" in page.url
    assert page.evaluate("window.notReloaded") is True  # HTMX swapped the fragment; no new page
    axe_check(page)

    page.go_back()
    expect(page.locator("#preview-caption")).to_contain_text("из 60")


def test_the_same_links_work_without_javascript(
    browser: Browser, portal: Portal, table: dict[str, str]
) -> None:
    context = browser.new_context(java_script_enabled=False, base_url=portal.base_url)
    with closing(context):
        page = context.new_page()
        page.goto(table["path"] + "?lang=en")
        with page.expect_navigation():
            page.locator("#sort-3").click()  # "Сумма"
        expect(page.locator("th[aria-sort]")).to_have_attribute("aria-sort", "ascending")
        with page.expect_navigation():
            page.locator("#page-next").click()
        expect(page.locator(".page-now")).to_have_text("Page 2 of 3")
        page.fill("#preview-q", "Астана")
        with page.expect_navigation():
            page.locator(".preview-filter button[type=submit]").click()
        expect(page.locator("#preview-caption")).to_contain_text("of 20")


def test_the_publisher_page_with_charts_and_forms_has_no_serious_axe_violations(
    page: Page, portal: Portal
) -> None:
    path, _resource_id, token = upload_page(portal, REGIONS)
    with closing(publisher(portal, token)) as editor:
        csrf = portal.csrf(editor, path)
        for fields in (
            {"title": "Сумма", "kind": "bar", "x": "region", "aggregate": "sum", "y": "amount"},
            {"title": "Даты", "kind": "line", "x": "when", "aggregate": "count"},
            {"title": "Карта", "kind": "map", "x": "region", "aggregate": "sum", "y": "amount"},
        ):
            assert add_chart(editor, path, csrf, **fields).status_code == 303
    with portal.client(f"Bearer {token}") as http:
        name = http.get("/api/v1/users/me").json()["name"]
    login(page, name, next=path)
    for lang in ("kk", "ru", "en"):
        page.goto(f"{path}?lang={lang}")
        expect(page.locator("svg.chart-svg")).to_have_count(3)
        expect(page.locator(".dictionary-form")).to_be_visible()
        page.locator(".dict-column summary").first.click()
        axe_check(page)
    page.locator(".chart-data summary").first.click()
    expect(page.locator(".chart-data table").first).to_be_visible()
    axe_check(page)
