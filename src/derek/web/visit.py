"""What every page of a domain's web adapter works with (`Visit`: the request, the database session, who
acts, the profile and the page language, with the portal's clock and multilingual text), and small helpers
the domains' pages share: organizations by id for a page, page links, the way to the login page, shares as
percentages. A domain's views subclass `Visit` to add what only they need."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from typing import Any
from urllib.parse import quote

from babel.numbers import format_percent
from fastapi import Request
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session

from derek.catalog import service as catalog
from derek.config import Profile
from derek.core.authz import Actor
from derek.core.db import utcnow
from derek.core.i18n import pick, translator
from derek.web.deps import get_settings
from derek.web.pages import url_with


@dataclass(frozen=True)
class OrgRef:
    id: str
    name: str
    title: str


@dataclass
class Visit:
    """The request, the database session, who acts, the profile and the page language."""

    request: Request
    session: Session
    actor: Actor
    profile: Profile
    lang: str

    @property
    def clock(self) -> datetime | None:
        """The portal's frozen clock (tests, training portals); None: now."""
        return get_settings(self.request).clock

    @cached_property
    def now(self) -> datetime:
        return self.clock or utcnow()

    @property
    def fallback(self) -> tuple[str, ...]:
        return (self.lang, self.profile.default_language, *self.profile.languages)

    def title(self, value: dict[str, str] | None) -> str:
        """A multilingual text in the page language, else in the profile's languages."""
        return pick(value, self.lang, self.fallback)

    @property
    def gettext(self) -> Callable[..., str]:
        """The page language's translation of a UI string (messages, flash texts)."""
        return translator(self.lang)

    @cached_property
    def organizations(self) -> dict[str, OrgRef]:
        """Every active organization by id, in title order."""
        found = [
            OrgRef(o.id, o.name, self.title(o.title) or o.name)
            for o in catalog.list_organizations(self.session, self.actor)
        ]
        return {o.id: o for o in sorted(found, key=lambda o: o.title.casefold())}

    def find_org(self, organization_id: str | None) -> OrgRef | None:
        """An organization by id, also one no longer active (still named); None for none or unknown."""
        if not organization_id:
            return None
        found = self.organizations.get(organization_id)
        if found is None:
            rows = catalog.organization_titles(self.session, [organization_id])
            if not rows:
                return None
            found = OrgRef(organization_id, rows[0][1], self.title(rows[0][2]) or rows[0][1])
            self.organizations[organization_id] = found
        return found


@dataclass
class PageLink:
    number: int | None  # None: a gap ("…")
    href: str = ""
    current: bool = False


def pagination(request: Request, page: int, count: int, per_page: int) -> dict[str, Any]:
    """The links to other pages: 1 … 4 5 [6] 7 8 … 20, previous and next."""
    pages = max(1, -(-count // per_page))
    links: list[PageLink] = []
    if pages > 1:
        previous = 0
        for number in sorted({1, pages, *range(max(1, page - 2), min(pages, page + 2) + 1)}):
            if number - previous > 1:
                links.append(PageLink(None))
            links.append(PageLink(number, url_with(request, page=number), number == page))
            previous = number
    return {
        "page_links": links,
        "prev_href": url_with(request, page=page - 1) if 1 < page <= pages else "",
        "next_href": url_with(request, page=page + 1) if page < pages else "",
    }


def to_login(request: Request, page: str | None = None) -> RedirectResponse:
    """Send a visitor who is not signed in to the login page, and back to the page afterwards."""
    if page is None:
        page = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/login?next={quote(page, safe='/')}", status_code=303)


def percent(share: float | None, lang: str) -> str:
    """A share (0.25) as a percentage in the language's way ("25%", "25 %"); "—" for none."""
    if share is None:
        return "—"
    try:
        return format_percent(share, "#,##0.#%", locale=lang)
    except (ValueError, LookupError):
        return f"{share * 100:.1f}%"
