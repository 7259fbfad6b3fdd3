"""Faceted browsing for the web pages: read filters from a URL, label facet values, build links and pages.

The search, organization and theme pages all show the same result list with facets; this module turns a
request and the search service's results into what their templates need. No SQL here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from math import ceil
from urllib.parse import urlencode

from sqlalchemy.orm import Session

from derek.catalog import service
from derek.catalog.labels import FACET_TITLES, frequency_label
from derek.catalog.schemas import DatasetSummary, SearchResults
from derek.catalog.search import EXTRA_FACETS, SearchQuery, facet_fields
from derek.config import Profile
from derek.core.authz import Actor
from derek.core.i18n import pick, translator

PAGE_SIZE = 20
MAX_PAGE = 500
MAX_VALUES_PER_FILTER = 20
FACET_VISIBLE = 6
SORT_LABELS = {"relevance": "Relevance", "modified": "Last updated", "title": "Title (A-Z)"}


@dataclass
class FacetItem:
    value: str
    label: str
    count: int
    selected: bool
    href: str


@dataclass
class FacetGroup:
    field: str
    title: str
    items: list[FacetItem]

    @property
    def first(self) -> list[FacetItem]:
        return self.items[:FACET_VISIBLE]

    @property
    def more(self) -> list[FacetItem]:
        return self.items[FACET_VISIBLE:]


@dataclass
class ActiveFilter:
    field: str
    title: str
    label: str
    remove_href: str


@dataclass
class PageLink:
    number: int | None  # None is a gap ("...")
    href: str = ""
    current: bool = False


@dataclass
class Browse:
    """Everything a result list with facets shows."""

    path: str
    q: str
    sort: str
    page: int
    pages: int
    count: int
    results: list[DatasetSummary]
    groups: list[FacetGroup]
    active: list[ActiveFilter]
    page_links: list[PageLink]
    prev_href: str
    next_href: str
    clear_href: str
    sort_options: list[tuple[str, str]]
    hidden: list[tuple[str, str]] = field(default_factory=list)  # the filters, for forms that keep them

    @property
    def first_number(self) -> int:
        return (self.page - 1) * PAGE_SIZE + 1 if self.count else 0

    @property
    def last_number(self) -> int:
        return min(self.page * PAGE_SIZE, self.count)


def requested_filters(params: Mapping[str, Sequence[str]]) -> dict[str, list[str]]:
    """The facet filters of a query string: {field: [values]} without blanks or repeats, size-capped."""
    filters: dict[str, list[str]] = {}
    for name in facet_fields():
        values = [v.strip()[:200] for v in params.get(name, []) if v and v.strip()]
        if values:
            filters[name] = list(dict.fromkeys(values))[:MAX_VALUES_PER_FILTER]
    return filters


def search_url(path: str, q: str, filters: Mapping[str, list[str]], sort: str, page: int = 1) -> str:
    params: list[tuple[str, str]] = [("q", q)] if q else []
    for name in facet_fields():
        params += [(name, v) for v in filters.get(name, [])]
    if sort != default_sort(q):
        params.append(("sort", sort))
    if page > 1:
        params.append(("page", str(page)))
    return path + ("?" + urlencode(params) if params else "")


def default_sort(q: str) -> str:
    return "relevance" if q else "modified"


class Labeler:
    """Human labels for facet values in one language: theme, region, organization, licence, frequency."""

    def __init__(self, profile: Profile, lang: str, org_titles: Mapping[str, dict[str, str]]) -> None:
        self.profile = profile
        self.lang = lang
        self.gettext = translator(lang)
        self.fallback = (lang, profile.default_language, *profile.languages)
        self.org_titles = org_titles

    def text(self, multilingual: Mapping[str, str] | None) -> str:
        return pick(multilingual, self.lang, self.fallback)

    def __call__(self, name: str, value: str) -> str:
        if name == "theme":
            theme = self.profile.theme(value)
            return self.text(theme.title) if theme else value
        if name == "region":
            region = self.profile.region(value)
            return self.text(region.title) if region else value
        if name == "organization":
            return self.text(self.org_titles.get(value)) or value
        if name == "license":
            licence = self.profile.licence(value)
            return licence.title if licence else value
        if name == "frequency":
            return self.gettext(frequency_label(value))
        if name in EXTRA_FACETS:
            return EXTRA_FACETS[name].label(value, self.gettext)
        return value


def facet_title(name: str) -> str:
    return FACET_TITLES[name] if name in FACET_TITLES else EXTRA_FACETS[name].title


def make_labeler(session: Session, actor: Actor, profile: Profile, lang: str) -> Labeler:
    titles = {o.name: o.title for o in service.list_organizations(session, actor)}
    return Labeler(profile, lang, titles)


def browse(
    session: Session,
    actor: Actor,
    labeler: Labeler,
    *,
    path: str,
    params: Mapping[str, Sequence[str]],
    fixed: Mapping[str, list[str]] | None = None,
) -> Browse:
    """Search with the filters of the query string plus fixed ones (an organization's or theme's page)."""
    fixed = dict(fixed or {})
    q = (params.get("q") or [""])[0].strip()[:500]
    sort = (params.get("sort") or [""])[0]
    if sort not in SORT_LABELS:
        sort = default_sort(q)
    page = _page_number((params.get("page") or ["1"])[0])
    chosen = {k: v for k, v in requested_filters(params).items() if k not in fixed}
    query = SearchQuery(
        q=q,
        filters={**chosen, **fixed},
        sort=sort,
        lang=labeler.lang,
        start=(page - 1) * PAGE_SIZE,
        rows=PAGE_SIZE,
        facet_fields=[f for f in facet_fields() if f not in fixed],
    )
    results = service.search_datasets(session, actor, query)
    return _context(labeler, path, q, sort, page, chosen, results)


def _page_number(raw: str) -> int:
    try:
        return min(max(int(raw), 1), MAX_PAGE)
    except ValueError:
        return 1


def _toggled(filters: Mapping[str, list[str]], name: str, value: str) -> dict[str, list[str]]:
    changed = {k: list(v) for k, v in filters.items()}
    values = changed.setdefault(name, [])
    if value in values:
        values.remove(value)
    else:
        values.append(value)
    return changed


def _context(
    labeler: Labeler,
    path: str,
    q: str,
    sort: str,
    page: int,
    chosen: dict[str, list[str]],
    results: SearchResults,
) -> Browse:
    gettext: Callable[..., str] = labeler.gettext
    groups = []
    for name, values in results.facets.items():
        items = [
            FacetItem(
                value=fv.value,
                label=labeler(name, fv.value),
                count=fv.count,
                selected=fv.value in chosen.get(name, []),
                href=search_url(path, q, _toggled(chosen, name, fv.value), sort),
            )
            for fv in values
        ]
        if items:
            groups.append(FacetGroup(field=name, title=gettext(facet_title(name)), items=items))
    active = [
        ActiveFilter(
            field=name,
            title=gettext(facet_title(name)),
            label=labeler(name, value),
            remove_href=search_url(path, q, _toggled(chosen, name, value), sort),
        )
        for name, values in chosen.items()
        for value in values
    ]
    pages = max(1, ceil(results.count / PAGE_SIZE))
    return Browse(
        path=path,
        q=q,
        sort=sort,
        page=page,
        pages=pages,
        count=results.count,
        results=results.results,
        groups=groups,
        active=active,
        page_links=_page_links(path, q, chosen, sort, page, pages),
        prev_href=search_url(path, q, chosen, sort, page - 1) if page > 1 else "",
        next_href=search_url(path, q, chosen, sort, page + 1) if page < pages else "",
        clear_href=search_url(path, q, {}, sort),
        sort_options=[(key, gettext(label)) for key, label in SORT_LABELS.items()],
        hidden=[(name, v) for name, values in chosen.items() for v in values],
    )


def _page_links(
    path: str, q: str, filters: Mapping[str, list[str]], sort: str, page: int, pages: int
) -> list[PageLink]:
    """1 ... 4 5 [6] 7 8 ... 20"""
    if pages <= 1:
        return []
    shown = sorted({1, pages, *range(max(1, page - 2), min(pages, page + 2) + 1)})
    links: list[PageLink] = []
    previous = 0
    for number in shown:
        if number - previous > 1:
            links.append(PageLink(None))
        links.append(PageLink(number, search_url(path, q, filters, sort, number), number == page))
        previous = number
    return links


def theme_tiles(session: Session, actor: Actor, profile: Profile) -> list[tuple[str, dict[str, str], int]]:
    """(code, title, number of visible datasets) for every theme of the profile, in the profile's order."""
    results = service.search_datasets(
        session, actor, SearchQuery(rows=0, facet_fields=["theme"], facet_limit=len(profile.themes) + 10)
    )
    counts = {fv.value: fv.count for fv in results.facets.get("theme", [])}
    return [(t.code, t.title, counts.get(t.code, 0)) for t in profile.themes]
