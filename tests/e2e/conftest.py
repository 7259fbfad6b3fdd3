"""Browser test fixtures: pytest-playwright driving Debian's Chromium against the session's real portal,
a log-in helper and an axe-core WCAG 2.1 A/AA check."""

from __future__ import annotations

import os
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

from tests.conftest import PASSWORD, Portal

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]

AXE = Axe()
WCAG21AA: dict[str, Any] = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}
BLOCKING_IMPACTS = {"serious", "critical"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test under tests/e2e drives a real browser."""
    here = os.path.dirname(__file__)
    for item in items:
        if str(item.fspath).startswith(here):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    # keep pytest-playwright's own options (--headed, --slowmo, ...) and point it at Debian's Chromium
    return {
        **browser_type_launch_args,
        "executable_path": os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"),
        "args": CHROMIUM_ARGS,
    }


@pytest.fixture(scope="session")
def base_url(portal: Portal) -> str:
    """pytest-playwright's base_url, so page.goto("/dataset") reaches the test portal."""
    return portal.base_url


def login(page: Page, username: str, password: str = PASSWORD, next: str = "/") -> None:
    """Log in through the real form; afterwards the page's context carries the session cookie."""
    page.goto(f"/login?next={next}")
    page.locator("#username").fill(username)
    page.locator("#password").fill(password)
    with page.expect_navigation():
        page.locator("form[action='/login'] button[type=submit]").click()


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """Serious and critical WCAG 2.1 A/AA violations on the current page."""
    result = AXE.run(page, options=WCAG21AA)
    violations = result.response.get("violations", [])
    return [v for v in violations if v.get("impact") in BLOCKING_IMPACTS]


def axe_check(page: Page) -> None:
    """Fail when axe-core finds a serious or critical WCAG 2.1 A/AA violation on the current page."""
    blocking = axe_violations(page)
    if blocking:
        lines = [f"{page.url}: {len(blocking)} serious/critical axe violation(s)"]
        for v in blocking:
            targets = [" ".join(map(str, n.get("target", []))) for n in v.get("nodes", [])][:5]
            lines.append(f"- {v['id']} ({v['impact']}): {v.get('help', '')} at {targets}")
        pytest.fail("\n".join(lines))
