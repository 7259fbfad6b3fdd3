"""The quality dashboards and the to-do list in a real browser: no serious or critical axe-core violation in
any language or on a narrow screen, and a publisher goes from the header to the to-do list to the dataset."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import Portal
from tests.e2e.conftest import axe_check, login
from tests.test_quality_pages import make_overdue, wait_scored

LANGUAGES = ("kk", "ru", "en")


@pytest.fixture(scope="module")
def overdue(portal: Portal) -> dict[str, str]:
    """An organization with an editor, a well-described dataset and a daily one that is overdue."""
    org = portal.make_org(
        title={"en": "City Transport Office", "ru": "Управление транспорта", "kk": "Көлік басқармасы"}
    )
    user, _token = portal.make_user(org=org)
    described = portal.make_dataset(
        org,
        title={"en": "Bus stops", "ru": "Остановки автобусов", "kk": "Автобус аялдамалары"},
        description={"en": "Every bus stop of the city with its routes."},
        keywords=["bus", "stops"],
        themes=["TRAN"],
        regions=["KZ-75"],
        license_id="CC-BY-4.0",
    )
    daily = portal.make_dataset(
        org,
        title={"en": "Bus ridership", "ru": "Пассажиропоток автобусов", "kk": "Автобус жолаушылары"},
        update_frequency="DAILY",
    )
    wait_scored(portal, [described, daily])
    make_overdue(portal, daily)
    return {"org": org, "user": user, "daily": daily}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_quality_pages_have_no_serious_axe_violations(
    page: Page, overdue: dict[str, str], lang: str
) -> None:
    login(page, overdue["user"], next=f"/quality?lang={lang}")
    for path in ("/quality", f"/organization/{overdue['org']}/quality", "/dashboard/todo"):
        page.goto(path)
        assert page.locator("html").get_attribute("lang") == lang
        axe_check(page)
        # the charts' data tables too
        page.locator("details.chart-data").evaluate_all("(all) => all.forEach((d) => { d.open = true; })")
        axe_check(page)


def test_narrow_screen_has_no_serious_axe_violations(page: Page, overdue: dict[str, str]) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, overdue["user"], next="/quality?lang=en")
    for path in ("/quality", f"/organization/{overdue['org']}/quality", "/dashboard/todo"):
        page.goto(path)
        axe_check(page)


def test_a_publisher_goes_from_the_to_do_list_to_the_dataset(
    page: Page, base_url: str, overdue: dict[str, str]
) -> None:
    login(page, overdue["user"], next="/?lang=en")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="To do").click()
    expect(page).to_have_url(f"{base_url}/dashboard/todo")
    expect(page.get_by_role("heading", level=1)).to_have_text("What needs doing")
    urgent = page.locator("#todo-high")
    expect(urgent.get_by_role("heading", level=2)).to_contain_text("High priority")
    expect(urgent).to_contain_text("The update was due on")

    urgent.get_by_role("link", name="Bus ridership").click()
    expect(page).to_have_url(f"{base_url}/dataset/{overdue['daily']}#freshness")
    expect(page.get_by_role("heading", level=1)).to_have_text("Bus ridership")
    expect(page.locator("#freshness")).to_be_in_viewport()


def test_a_visitor_goes_from_the_dashboard_to_a_scorecard(
    page: Page, base_url: str, overdue: dict[str, str]
) -> None:
    page.goto("/quality?lang=en")
    expect(page.get_by_role("img", name="Datasets by rating")).to_be_visible()
    page.get_by_role("table", name="Quality by organization").get_by_role(
        "link", name="City Transport Office"
    ).click()
    expect(page).to_have_url(f"{base_url}/organization/{overdue['org']}/quality")
    datasets = page.locator("#datasets")
    expect(datasets.get_by_role("row", name="Bus ridership")).to_contain_text("overdue")
