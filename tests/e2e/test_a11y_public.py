"""axe-core (WCAG 2.1 A/AA) on the public pages in every language: no serious or critical violations."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from tests.conftest import Portal
from tests.e2e.conftest import axe_check

LANGUAGES = ("kk", "ru", "en")


@pytest.fixture(scope="module")
def sample(portal: Portal) -> dict[str, str]:
    org = portal.make_org(
        title={"en": "Ministry of Ecology", "ru": "Министерство экологии", "kk": "Экология министрлігі"},
        description={"en": "Environmental protection and natural resources."},
        org_type="ministry",
        contact_email="info@eco.example.kz",
    )
    _user, token = portal.make_user(org=org)
    dataset = portal.make_dataset(
        org,
        title={"en": "Air quality", "ru": "Качество воздуха", "kk": "Ауа сапасы"},
        description={"en": "Hourly PM2.5 measurements.", "ru": "Ежечасные измерения PM2.5."},
        themes=["ENVI", "HEAL"],
        keywords=["air", "pm25"],
        regions=["KZ-75"],
        update_frequency="DAILY",
        temporal_start="2020-01-01",
        version="1.0",
    )
    with portal.client(f"Bearer {token}") as http:
        r = http.post(
            f"/api/v1/datasets/{dataset}/resources/upload",
            files={"file": ("air.csv", b"post,pm25\nA1,42\n", "text/csv")},
        )
        assert r.status_code == 201, r.text
        http.post(
            f"/api/v1/datasets/{dataset}/resources", json={"url": "https://example.org/air", "format": "HTML"}
        )
    return {"org": org, "dataset": dataset}


PAGES = {
    "home": "/",
    "search": "/dataset?theme=ENVI",
    "dataset": "/dataset/{dataset}",
    "organizations": "/organization",
    "organization": "/organization/{org}",
    "theme": "/theme/ENVI",
    "login": "/login",
    "register": "/register",
    "not-found": "/dataset/no-such-dataset",
}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_public_pages_have_no_serious_axe_violations(page: Page, sample: dict[str, str], lang: str) -> None:
    page.goto(f"/?lang={lang}")
    for path in PAGES.values():
        page.goto(path.format(**sample))
        assert page.locator("html").get_attribute("lang") == lang
        axe_check(page)


def test_narrow_screen_has_no_serious_axe_violations(page: Page, sample: dict[str, str]) -> None:
    page.set_viewport_size({"width": 375, "height": 800})
    for path in ("/", "/dataset?theme=ENVI", f"/dataset/{sample['dataset']}"):
        page.goto(path)
        axe_check(page)
