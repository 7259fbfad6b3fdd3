"""The quality dashboards and the publisher's to-do list on a real server: /quality shows what
`scores.portal_quality()` computes, an organization's scorecard its public datasets, /dashboard/todo what
needs doing; private and draft datasets stay off the public pages; every string in kk, ru and en."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from contextlib import closing
from datetime import date, timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest
from sqlalchemy import select, update

from derek.catalog import service as catalog
from derek.catalog.labels import FREQUENCY_LABELS
from derek.catalog.models import Dataset, Resource, ResourceVersion
from derek.catalog.schemas import ResourceCreate
from derek.core import accounts
from derek.core.authz import SYSTEM
from derek.core.db import utcnow
from derek.quality import mqa, scores, views
from tests.conftest import Portal, assert_translated, start_portal

SRC = Path(__file__).resolve().parent.parent / "src" / "derek"
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


@pytest.fixture(scope="module")
def portal(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Portal]:
    yield from start_portal(tmp_path_factory.mktemp("quality-pages"))


# ---------------------------------------------------------------- helpers (the browser tests use them too)


def dataset_id(portal: Portal, name: str) -> str:
    with portal.db.session() as s:
        found = s.scalar(select(Dataset.id).where(Dataset.slug == name))
        assert found, name
        return str(found)


def wait_scored(portal: Portal, names: list[str], timeout: float = 90) -> None:
    """Wait until the score job has computed every dataset's row as of its latest change (the server's
    worker runs it after each change)."""
    for name in names:
        portal.wait_scored(name, timeout)


def make_overdue(portal: Portal, name: str, days: int = 3) -> None:
    """Date the dataset's data (its files' versions and its publication) `days` ago, as if nobody had
    updated it since, then have it scored again and wait for that."""
    then = utcnow() - timedelta(days=days)
    with portal.db.session() as s:
        ident = dataset_id(portal, name)
        files = select(Resource.id).where(Resource.dataset_id == ident)
        s.execute(
            update(ResourceVersion).where(ResourceVersion.resource_id.in_(files)).values(created_at=then)
        )
        s.execute(update(Dataset).where(Dataset.id == ident).values(issued=then, created_at=then))
        scores.mark_stale(s, [ident])
        s.commit()
    wait_scored(portal, [name])


class Html(HTMLParser):
    """What a test reads from a page: the text of each element with an id, the rows of each table with an
    id (cell texts), and every link (href, text)."""

    def __init__(self, body: str) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[tuple[str, str | None]] = []
        self.texts: dict[str, str] = {}
        self.tables: dict[str, list[list[str]]] = {}
        self.links: list[tuple[str, str]] = []
        self._table: list[str] = []
        self._in_cell = False
        self._link: list[str] | None = None
        self._href = ""
        self.feed(body)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag in VOID:
            return
        self.open.append((tag, found.get("id")))
        if tag == "table":
            self._table.append(found.get("id") or "")
            if found.get("id"):
                self.tables[found["id"] or ""] = []
        elif tag == "tr" and self._table and self._table[-1]:
            self.tables[self._table[-1]].append([])
        elif tag in ("th", "td") and self._table and self._table[-1]:
            self.tables[self._table[-1]][-1].append("")
            self._in_cell = True
        elif tag == "a":
            self._link, self._href = [], found.get("href") or ""

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        while self.open:
            open_tag, _ident = self.open.pop()
            if open_tag == tag:
                break
        if tag == "table" and self._table:
            self._table.pop()
        elif tag in ("th", "td"):
            self._in_cell = False
        elif tag == "a" and self._link is not None:
            self.links.append((self._href, " ".join("".join(self._link).split())))
            self._link = None

    def handle_data(self, data: str) -> None:
        for _tag, ident in self.open:
            if ident:
                self.texts[ident] = self.texts.get(ident, "") + data
        if self._in_cell and self._table and self._table[-1]:
            self.tables[self._table[-1]][-1][-1] += data
        if self._link is not None:
            self._link.append(data)

    def text(self, ident: str) -> str:
        return " ".join(self.texts.get(ident, "").split())

    def table(self, ident: str) -> list[list[str]]:
        """The table's rows (the header row included), each cell's text with its spaces tidied."""
        return [[" ".join(cell.split()) for cell in row] for row in self.tables[ident]]


def figure(page: Html, ident: str) -> float:
    """The big number of a headline figure on /quality (English number format)."""
    number = re.match(r"[\d.,]+", page.text(ident))
    assert number, page.text(ident)
    return float(number.group().replace(",", ""))


def chart_numbers(page: Html, key: str) -> dict[str, float]:
    """A chart's data table as label -> value."""
    return {row[0]: float(row[-1].replace(",", "")) for row in page.table(f"data-{key}")[1:]}


# ---------------------------------------------------------------- the portal a test module builds


RICH = {
    "description": {"en": "Schools by region, counted each September.", "ru": "Школы по регионам."},
    "keywords": ["schools", "education"],
    "themes": ["EDUC"],
    "regions": ["KZ-75"],
    "temporal_start": date(2020, 1, 1),
    "temporal_end": date(2024, 12, 31),
    "license_id": "CC-BY-4.0",
    "contact_name": "Statistics desk",
    "contact_email": "stat@example.kz",
}


@pytest.fixture(scope="module")
def world(portal: Portal) -> dict[str, str]:
    """Two organizations with public datasets of known quality, one overdue, plus a private and a draft
    dataset that no public page may show; an editor of the first, an editor of both, a user without any
    organization and the editor of an organization without datasets."""
    a = portal.make_org("quality-alpha", title={"en": "Alpha Agency", "ru": "Агентство Альфа", "kk": "Альфа"})
    b = portal.make_org("quality-beta", title={"en": "Beta Bureau", "ru": "Бюро Бета", "kk": "Бета бюросы"})
    empty = portal.make_org("quality-gamma", title={"en": "Gamma Office"})
    editor, _t = portal.make_user("alpha-editor", org=a)
    both, _t = portal.make_user("alpha-beta-admin", org=a, role="admin")
    with portal.db.session() as s:
        user = accounts.get_user(s, both)
        accounts.set_membership(s, SYSTEM, user, catalog.get_organization(s, SYSTEM, b).id, "editor")
    nobody, _t = portal.make_user("no-organization")
    quiet, _t = portal.make_user("gamma-editor", org=empty)
    rich = portal.make_dataset(a, "alpha-schools", title={"en": "Alpha schools"}, **RICH)
    bare = portal.make_dataset(a, "alpha-bare", title={"en": "Alpha bare"})
    daily = portal.make_dataset(
        a, "alpha-daily-prices", title={"en": "Alpha daily prices"}, update_frequency="DAILY"
    )
    with portal.db.session() as s:
        catalog.create_resource(
            s,
            SYSTEM,
            daily,
            ResourceCreate(name="Prices", url="https://example.org/prices.csv", format="CSV"),
        )
    private = portal.make_dataset(a, "alpha-secret", title={"en": "Zanzibarprivate ledger"}, private=True)
    draft = portal.make_dataset(a, "alpha-draft", title={"en": "Quokkadraft plans"}, state="draft")
    beta = portal.make_dataset(b, "beta-schools", title={"en": "Beta schools"}, **RICH)
    wait_scored(portal, [rich, bare, daily, private, draft, beta])
    make_overdue(portal, daily)
    return {
        "a": a,
        "b": b,
        "empty": empty,
        "editor": editor,
        "both": both,
        "nobody": nobody,
        "quiet": quiet,
        "rich": rich,
        "bare": bare,
        "daily": daily,
        "private": private,
        "draft": draft,
        "beta": beta,
    }


def test_a_dataset_without_licence_or_keywords_scores_lower(portal: Portal, world: dict[str, str]) -> None:
    with portal.db.session() as s:
        rich = scores.stored(s, dataset_id(portal, world["rich"]))
        bare = scores.stored(s, dataset_id(portal, world["bare"]))
        assert rich is not None and bare is not None
        assert rich.points > bare.points
        missed = {m["key"] for m in bare.missed}
        assert {"keywords", "themes", "spatial", "temporal"} <= missed


def test_the_portal_page_shows_the_computed_figures(portal: Portal, world: dict[str, str]) -> None:
    with portal.client() as http:
        r = http.get("/quality", params={"lang": "en"})
    assert r.status_code == 200
    page = Html(r.text)
    with portal.db.session() as s:
        figures = scores.portal_quality(s)
    summary = figures.summary
    assert summary.scored == summary.datasets == 4  # alpha's three public datasets and beta's one

    assert figure(page, "figure-scored") == summary.scored
    assert figure(page, "figure-average") == summary.average_points
    assert summary.average_stars is not None
    assert figure(page, "figure-stars") == round(summary.average_stars, 1)  # shown with one decimal
    assert figure(page, "figure-broken") == summary.broken_links
    assert figure(page, "figure-overdue") == summary.freshness["overdue"] == 1
    assert page.text("figure-average").endswith(summary.average_rating)

    ratings = chart_numbers(page, "ratings")
    assert ratings == {r: summary.ratings[r] for r in scores.RATINGS}
    assert sum(ratings.values()) == summary.scored
    stars = chart_numbers(page, "stars")
    assert stars == {f"{n} of 5 stars": summary.stars[n] for n in range(6)}
    assert sum(stars.values()) == summary.scored
    states = chart_numbers(page, "freshness")
    assert states == {views.FRESHNESS_LABELS[k]: v for k, v in summary.freshness.items()}
    assert states["overdue"] == 1 and sum(states.values()) == summary.scored
    bands = chart_numbers(page, "bands")
    assert bands == dict(summary.bands) and sum(bands.values()) == summary.scored
    assert chart_numbers(page, "overdue") == {"Alpha Agency": 1}

    organizations = {row[0]: row for row in page.table("organizations")[1:]}
    assert set(organizations) == {
        "Alpha Agency",
        "Beta Bureau",
    }  # an organization without datasets is not listed
    for o in figures.organizations:
        row = organizations[{"quality-alpha": "Alpha Agency", "quality-beta": "Beta Bureau"}[o.name]]
        assert int(row[1]) == o.summary.datasets
        assert float(row[2]) == o.summary.average_points
        assert row[3] == o.summary.average_rating
        assert int(row[6]) == o.summary.freshness["overdue"]
    assert organizations["Alpha Agency"][1] == "3"  # the private and the draft dataset are not counted
    assert ("/organization/quality-alpha/quality", "Alpha Agency") in page.links
    assert figures.computed_at is not None and "Figures as of" in r.text


def test_each_chart_has_a_name_a_description_and_its_numbers(portal: Portal, world: dict[str, str]) -> None:
    with portal.client() as http:
        body = http.get("/quality", params={"lang": "en"}).text
    charts = re.findall(
        r'<figure class="chart chart-bar" id="chart-(\w+)" aria-labelledby="chart-\1-h">', body
    )
    assert set(charts) == {"bands", "ratings", "stars", "freshness", "overdue"}
    for key in charts:
        assert f'role="img" aria-labelledby="chart-{key}-t" aria-describedby="chart-{key}-d"' in body
        assert f'<title id="chart-{key}-t">' in body and f'<desc id="chart-{key}-d">' in body
        assert f'id="data-{key}"' in body
    assert "<script" not in body.split("<main", 1)[1]  # drawn on the server, no JavaScript needed


def test_private_and_draft_datasets_stay_off_the_public_pages(portal: Portal, world: dict[str, str]) -> None:
    with portal.client() as http:
        pages = [http.get("/quality").text, http.get(f"/organization/{world['a']}/quality").text]
    with closing(portal.signed_in(world["editor"])) as http:  # not even their editor sees them there
        pages.append(http.get(f"/organization/{world['a']}/quality").text)
    for body in pages:
        assert "Zanzibarprivate" not in body and "Quokkadraft" not in body
        assert world["private"] not in body and world["draft"] not in body


def test_the_scorecard_lists_the_public_datasets_next_to_the_portal(
    portal: Portal, world: dict[str, str]
) -> None:
    with portal.client() as http:
        r = http.get(f"/organization/{world['a']}/quality", params={"lang": "en"})
    assert r.status_code == 200
    page = Html(r.text)
    with portal.db.session() as s:
        card = scores.organization_scorecard(s, SYSTEM, world["a"])
        stored = {n: scores.stored(s, dataset_id(portal, n)) for n in (world["rich"], world["bare"])}
        points = {n: row.points for n, row in stored.items() if row is not None}
    rows = {row[0]: row for row in page.table("datasets")[1:]}
    assert set(rows) == {"Alpha schools", "Alpha bare", "Alpha daily prices"}
    assert int(rows["Alpha schools"][1]) == points[world["rich"]]
    assert int(rows["Alpha bare"][1]) == points[world["bare"]]
    assert rows["Alpha bare"][2] == mqa.rating(points[world["bare"]])
    assert rows["Alpha daily prices"][5].startswith("overdue due ")
    assert (f"/dataset/{world['rich']}", "Alpha schools") in page.links

    comparison = {row[0]: row[1:] for row in page.table("comparison")[1:]}
    assert [int(v) for v in comparison["Datasets scored"]] == [3, 4]
    average = comparison["Average score (of 405)"]
    assert [float(v) for v in average] == [card.summary.average_points, card.portal.average_points]
    assert comparison["Rating"] == [card.summary.average_rating, card.portal.average_rating]
    assert [int(v) for v in comparison["Overdue datasets"]] == [1, 1]
    assert chart_numbers(page, "compare") == {
        "Alpha Agency": card.summary.average_points,
        "the whole portal": card.portal.average_points,
    }


def test_an_unknown_organization_has_no_scorecard(portal: Portal, world: dict[str, str]) -> None:
    with portal.client() as http:
        r = http.get("/organization/unknown/quality")
    assert r.status_code == 404
    assert "text/html" in r.headers["content-type"]


def test_the_editor_sees_what_needs_doing(portal: Portal, world: dict[str, str]) -> None:
    with closing(portal.signed_in(world["editor"])) as http:
        r = http.get("/dashboard/todo", params={"lang": "en"})
    assert r.status_code == 200
    page = Html(r.text)
    high = page.text("todo-high")
    assert high.startswith("High priority")
    assert "Alpha daily prices" in high and "Alpha Agency" in high
    with portal.db.session() as s:
        due = scores.stored(s, dataset_id(portal, world["daily"]))
        assert due is not None and due.due_at is not None
    assert f"The update was due on {due.due_at:%B} {due.due_at.day}, {due.due_at.year} (Daily)." in high
    assert (f"/dataset/{world['daily']}#freshness", "Alpha daily prices") in page.links
    low = page.text("todo-low")
    assert "Quokkadraft plans" in low and "Not published yet." in low
    # most urgent first
    assert r.text.index('id="todo-high"') < r.text.index('id="todo-low"')
    assert "Beta schools" not in r.text  # not their organization


def test_the_to_do_list_can_be_narrowed_to_one_organization(portal: Portal, world: dict[str, str]) -> None:
    with closing(portal.signed_in(world["both"])) as http:
        everything = http.get("/dashboard/todo", params={"lang": "en"}).text
        beta = http.get("/dashboard/todo", params={"lang": "en", "organization": world["b"]}).text
    assert '<select id="todo-organization" name="organization">' in everything
    assert "Alpha daily prices" in everything
    assert "Alpha daily prices" not in beta
    assert f'<option value="{world["b"]}" selected>' in beta


def test_a_user_without_an_organization_and_a_publisher_with_nothing_to_do(
    portal: Portal, world: dict[str, str]
) -> None:
    with closing(portal.signed_in(world["nobody"])) as http:
        r = http.get("/dashboard/todo", params={"lang": "en"})
    assert r.status_code == 200
    assert "You have nothing to do here: you edit no organization's datasets." in html.unescape(r.text)
    with closing(portal.signed_in(world["quiet"])) as http:
        r = http.get("/dashboard/todo", params={"lang": "en"})
        me = http.get("/user/me", params={"lang": "en"}).text
    assert "Nothing needs doing." in Html(r.text).text("nothing-to-do")
    assert 'href="/dashboard/todo"' in me and 'href="/dashboard/todo"' in r.text


def test_anonymous_visitors_are_sent_to_log_in(portal: Portal, world: dict[str, str]) -> None:
    with portal.client() as http:
        r = http.get("/dashboard/todo")
        assert r.status_code == 303
        assert r.headers["location"] == "/login?next=/dashboard/todo"
        assert 'href="/dashboard/todo"' not in http.get("/quality").text


@pytest.mark.parametrize(
    ("lang", "portal_heading", "scorecard_heading", "todo_heading", "overdue"),
    [
        ("kk", "Деректер сапасы", "Альфа: деректер сапасы", "Не істеу керек", "Жаңарту мерзімі"),
        (
            "ru",
            "Качество данных",
            "Агентство Альфа: качество данных",
            "Что нужно сделать",
            "Срок обновления истёк",
        ),
    ],
)
def test_the_pages_speak_kazakh_and_russian(
    portal: Portal,
    world: dict[str, str],
    lang: str,
    portal_heading: str,
    scorecard_heading: str,
    todo_heading: str,
    overdue: str,
) -> None:
    with closing(portal.signed_in(world["editor"])) as http:
        quality = http.get("/quality", params={"lang": lang}).text
        card = http.get(f"/organization/{world['a']}/quality").text  # the language cookie holds
        todo = http.get("/dashboard/todo").text
    assert f'<html lang="{lang}">' in quality and f"<h1>{portal_heading}</h1>" in quality
    assert f"<h1>{scorecard_heading}</h1>" in card
    assert f"<h1>{todo_heading}</h1>" in todo and overdue in todo
    for body in (quality, card, todo):
        assert "Scores, openness" not in body and "High priority" not in body and "Overdue" not in body


def test_the_empty_portal_says_scores_come_later(tmp_path: Path) -> None:
    for portal in start_portal(tmp_path):
        with portal.client() as http:
            body = http.get("/quality", params={"lang": "en"}).text
        assert "Scores appear when the first datasets have been checked." in body
        assert 'class="chart-svg"' not in body


def _msgids() -> set[str]:
    pattern = re.compile(r"""(?<![\w.])_\(\s*(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)')""")
    files = [*(SRC / "quality" / "templates" / "quality").glob("*.html"), SRC / "quality" / "views.py"]
    found = {a or b for path in files for a, b in pattern.findall(path.read_text(encoding="utf-8"))}
    found |= set(views.FRESHNESS_LABELS.values()) | set(views.SEVERITY_LABELS.values())
    found |= set(FREQUENCY_LABELS.values()) | set(scores.MESSAGES.values()) | set(scores.RATINGS)
    found |= {rule.fix for rule in mqa.RULES} | {rule.label for rule in mqa.RULES}
    return found


def test_every_string_of_the_quality_pages_is_translated() -> None:
    msgids = _msgids()
    assert_translated(msgids, 100)


def test_a_task_message_is_translated_then_filled() -> None:
    task = scores.Task(
        "low",
        "score",
        "x",
        {"en": "X"},
        "org",
        scores.MESSAGES["score"],
        {"points": 125, "max_points": 405, "rating": "sufficient", "fix": "Add keywords", "gain": 30},
    )
    assert (
        views.task_message(task, "en") == "Metadata score 125 of 405 (sufficient). Add keywords: +30 points."
    )
    assert views.task_message(task, "ru") == (
        "Оценка метаданных: 125 из 405 (удовлетворительно). Добавьте ключевые слова: +30 баллов."
    )
    overdue = scores.Task(
        "high",
        "overdue",
        "x",
        {},
        "org",
        scores.MESSAGES["overdue"],
        {"due": "2025-03-08", "frequency": "Daily"},  # the catalog's label, as scores.todo gives it
    )
    kk = " ".join(views.task_message(overdue, "kk").split())  # Babel writes the date with a no-break space
    assert kk == "Жаңарту мерзімі 2025 ж. 8 наурыз өтті (Күн сайын)."
