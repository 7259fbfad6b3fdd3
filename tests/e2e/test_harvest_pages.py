"""A sysadmin in a real browser adds a harvest source (a second Derek), harvests it and follows the run."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, expect

from derek.catalog import service as catalog
from derek.catalog.schemas import ResourceCreate
from derek.core.authz import SYSTEM
from tests.conftest import Portal, start_portal
from tests.e2e.conftest import axe_check, login

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def remote(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Portal]:
    for portal in start_portal(tmp_path_factory.mktemp("e2e-harvest-remote")):
        org = portal.make_org("roads-committee")
        for name in ("road-repairs", "bridges"):
            portal.make_dataset(org, name, title={"en": name.replace("-", " ").title()})
            with portal.db.session() as s:
                catalog.create_resource(
                    s, SYSTEM, name, ResourceCreate(name="data.csv", url=f"https://example.kz/{name}.csv")
                )
        yield portal


@pytest.fixture(scope="module")
def local(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Portal]:
    yield from start_portal(tmp_path_factory.mktemp("e2e-harvest-local"), fetch_allow_private=True)


def test_a_sysadmin_adds_a_source_and_harvests_it(browser: Browser, remote: Portal, local: Portal) -> None:
    org = local.make_org("transport", title={"en": "Ministry of Transport"})
    admin, _ = local.make_user(sysadmin=True)
    context = browser.new_context(base_url=local.base_url)
    try:
        page = context.new_page()
        login(page, admin, next="/admin/harvest")
        expect(page.get_by_role("link", name="Harvesting")).to_have_attribute("aria-current", "page")
        axe_check(page)

        page.get_by_label("Title").fill("Roads portal")
        page.get_by_label("Short name").fill("roads")
        page.get_by_label("Kind of source").select_option("ckan")
        page.get_by_label("Address").fill(remote.base_url)
        page.get_by_label("Organization").select_option(org)
        page.get_by_role("button", name="Add the source").click()

        expect(page).to_have_url(f"{local.base_url}/admin/harvest/roads")
        expect(page.get_by_role("heading", level=1)).to_have_text("Roads portal")
        expect(page.locator(".flash")).to_contain_text("The source is added")
        page.get_by_role("button", name="Harvest now").click()

        # the status box polls while the run goes (it may be over by the time the page is back), then the
        # page reloads by itself and shows the run
        runs = page.locator("table.runs tbody tr").first
        expect(runs).to_contain_text("Succeeded", timeout=20_000)
        expect(runs.locator("td.num").first).to_have_text("2")
        expect(page.locator("#run-status")).to_have_count(0)
        expect(page.get_by_role("button", name="Harvest now")).to_be_visible()
        axe_check(page)

        page.get_by_role("link", name="Ministry of Transport").click()
        expect(page.get_by_text("Road Repairs")).to_be_visible()
    finally:
        context.close()
