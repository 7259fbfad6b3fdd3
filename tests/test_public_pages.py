"""Public pages over plain HTTP: status codes, facet links, pages, languages, and no private leaks."""

from __future__ import annotations

import html
import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from derek.catalog.labels import FACET_TITLES, FREQUENCY_LABELS, ORG_TYPE_LABELS
from derek.core.i18n import _catalog
from tests.conftest import Portal

SRC = Path(__file__).resolve().parents[1] / "src" / "derek"
HREF_RE = re.compile(r'href="([^"]+)"')


@pytest.fixture(scope="module")
def world(portal: Portal) -> dict[str, str]:
    word = portal.unique("httpw").replace("-", "")
    org = portal.make_org(
        title={"en": "Committee of Roads", "ru": "Комитет автодорог", "kk": "Автожолдар комитеті"},
        description={"en": "Roads and bridges of national importance."},
        org_type="agency",
        contact_email="roads@example.kz",
    )
    other = portal.make_org(title={"en": "Other Agency", "ru": "Другое агентство"})
    public = portal.make_dataset(
        org,
        title={"en": "Road network", "ru": "Сеть автодорог", "kk": "Жол желісі"},
        themes=["TRAN"],
        keywords=[word],
        regions=["KZ-71"],
        update_frequency="MONTHLY",
        license_id="CC0-1.0",
    )
    private = portal.make_dataset(
        other, title={"en": f"Secret {word} plans"}, keywords=[word], themes=["TRAN"], private=True
    )
    draft = portal.make_dataset(
        other, title={"en": f"Unfinished {word} draft"}, keywords=[word], state="draft"
    )
    _member, member_token = portal.make_user(org=other, role="editor")
    _outsider, outsider_token = portal.make_user(org=org, role="editor")
    return {
        "word": word,
        "org": org,
        "other": other,
        "public": public,
        "private": private,
        "draft": draft,
        "member_token": member_token,
        "outsider_token": outsider_token,
    }


def links(body: str) -> list[str]:
    return [html.unescape(h) for h in HREF_RE.findall(body)]


def test_public_pages_answer(portal: Portal, world: dict[str, str]) -> None:
    with portal.client() as http:
        for path in (
            "/",
            "/dataset",
            f"/dataset?q={world['word']}&sort=title&page=1",
            f"/dataset/{world['public']}",
            "/organization",
            f"/organization/{world['org']}",
            "/theme",
            "/theme/TRAN",
            "/login",
        ):
            r = http.get(path)
            assert r.status_code == 200, (path, r.status_code)
            assert r.headers["content-type"].startswith("text/html")
            assert '<a class="skip" href="#main">' in r.text
        assert http.get("/theme/tran").status_code == 301
        for path in ("/theme/NOPE", "/dataset/no-such-dataset", "/organization/no-such-org", "/nothing-here"):
            r = http.get(path, params={"lang": "en"})
            assert r.status_code == 404, path
            assert "Page not found" in r.text and 'role="search"' in r.text


def test_bad_query_values_do_not_break_the_search(portal: Portal) -> None:
    with portal.client() as http:
        for query in ("page=-3", "page=abc", "page=999999", "sort=drop+table", "theme=", "q=" + "x" * 600):
            assert http.get("/dataset?" + query).status_code == 200, query


def test_dataset_page_shows_metadata_api_examples_and_citation(portal: Portal, world: dict[str, str]) -> None:
    with portal.client() as http:
        body = http.get(f"/dataset/{world['public']}", params={"lang": "en"}).text
    name = world["public"]
    assert f"/api/v1/datasets/{name}" in body
    assert f"package_show?id={name}" in body
    assert f"RemoteCKAN(&#34;{portal.base_url}&#34;)" in body or f'RemoteCKAN("{portal.base_url}")' in body
    assert "Monthly" in body and "Creative Commons Zero 1.0" in body
    assert "https://creativecommons.org/publicdomain/zero/1.0/" in body
    assert "Astana (city)" in body and "Transport" in body
    assert "[Data set]" in body and f"{portal.base_url}/dataset/{name}" in body
    assert "roads@example.kz" in body  # the organization's contact when the dataset names none


def test_facet_links_carry_filters_and_human_labels(portal: Portal, world: dict[str, str]) -> None:
    with portal.client() as http:
        body = http.get("/dataset", params={"q": world["word"], "lang": "ru"}).text
        assert "Найдено наборов данных: 1" in body
        hrefs = links(body)
        theme_link = next(h for h in hrefs if "theme=TRAN" in h)
        region_link = next(h for h in hrefs if "region=KZ-71" in h)
        assert "Транспорт" in body and "Астана" in body and "Ежемесячно" in body
        assert "Комитет автодорог" in body
        query = parse_qs(urlsplit(theme_link).query)
        assert query["q"] == [world["word"]] and query["theme"] == ["TRAN"]

        narrowed = http.get(theme_link).text
        assert "Найдено наборов данных: 1" in narrowed
        remove = [h for h in links(narrowed) if h.startswith("/dataset") and "theme=TRAN" not in h]
        assert any(parse_qs(urlsplit(h).query).get("q") == [world["word"]] for h in remove)
        both = http.get(region_link + "&theme=TRAN").text
        assert "Найдено наборов данных: 1" in both
        none = http.get(theme_link + "&region=KZ-10").text
        assert "Наборы данных не найдены" in none


def test_pagination(portal: Portal) -> None:
    org = portal.make_org()
    word = portal.unique("pagew").replace("-", "")
    for i in range(23):
        portal.make_dataset(org, title={"en": f"Paged {i:02d}"}, keywords=[word])
    with portal.client() as http:
        first = http.get("/dataset", params={"keyword": word, "sort": "title", "lang": "en"}).text
        assert "Datasets found: 23" in first and "showing 1-20" in first
        next_link = next(h for h in links(first) if "page=2" in h)
        second = http.get(next_link).text
        assert "showing 21-23" in second and "Paged 22" in second and "Paged 00" not in second


def test_private_and_draft_datasets_do_not_leak(portal: Portal, world: dict[str, str]) -> None:
    secret, draft = f"Secret {world['word']} plans", f"Unfinished {world['word']} draft"
    pages = [
        "/",
        f"/dataset?q={world['word']}",
        f"/organization/{world['other']}",
        "/theme/TRAN",
        "/organization",
    ]
    for token in (None, world["outsider_token"]):
        with portal.client(f"Bearer {token}" if token else None) as http:
            for path in pages:
                body = http.get(path).text
                assert secret not in body and draft not in body, path
            assert http.get(f"/dataset/{world['private']}").status_code == 404
            assert http.get(f"/dataset/{world['draft']}").status_code == 404
            search = http.get("/dataset", params={"q": world["word"], "lang": "en"}).text
            assert "Datasets found: 1" in search
            assert "Other Agency" not in search  # not even as a facet value
    with portal.client(f"Bearer {world['member_token']}") as http:
        body = http.get("/dataset", params={"q": world["word"], "lang": "en"}).text
        assert secret in body and "Private" in body
        assert http.get(f"/dataset/{world['private']}").status_code == 200


def test_language_parameter_sets_the_page_language_and_a_cookie(portal: Portal) -> None:
    with portal.client() as http:
        r = http.get("/dataset", params={"lang": "kk"})
        assert '<html lang="kk">' in r.text and "Деректер жиынтықтары" in r.text
        assert r.cookies.get("derek_lang") == "kk"
        again = http.get("/organization")
        assert '<html lang="kk">' in again.text and "Ұйымдар" in again.text
        en = http.get("/organization", headers={"Accept-Language": "ru"}, params={"lang": "en"})
        assert '<html lang="en">' in en.text
    with portal.client() as http:
        assert '<html lang="ru">' in http.get("/", headers={"Accept-Language": "ru-RU,ru;q=0.9"}).text


def test_language_links_keep_the_current_page(portal: Portal, world: dict[str, str]) -> None:
    with portal.client() as http:
        body = http.get("/dataset", params={"q": world["word"], "lang": "en"}).text
    switch = [h for h in links(body) if "lang=ru" in h]
    assert switch and parse_qs(urlsplit(switch[0]).query)["q"] == [world["word"]]
    assert urlsplit(switch[0]).path == "/dataset"


def _template_msgids() -> set[str]:
    pattern = re.compile(r"""(?<![\w.])_\(\s*(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)')""")
    files = [
        *(SRC / "web" / "templates").glob("*.html"),
        *(SRC / "catalog" / "templates" / "catalog").glob("*.html"),
    ]
    found = set()
    for path in files:
        for match in pattern.finditer(path.read_text(encoding="utf-8")):
            found.add(match.group(1) if match.group(1) is not None else match.group(2))
    return found


def test_every_public_ui_string_is_translated() -> None:
    msgids = _template_msgids()
    msgids |= set(FREQUENCY_LABELS.values()) | set(ORG_TYPE_LABELS.values()) | set(FACET_TITLES.values())
    msgids |= {"login.failed", "login.welcome", "Relevance", "Last updated", "Title (A-Z)", "Data set"}
    assert len(msgids) > 100
    for lang in ("kk", "ru", "en"):
        missing = sorted(m for m in msgids if m not in _catalog(lang))
        assert not missing, f"{lang}: untranslated {missing}"


def test_the_region_uris_of_the_dcat_output_are_pages_listing_their_datasets(portal: Portal) -> None:
    org = portal.make_org()
    about = portal.make_dataset(org, title={"en": "Almaty air"}, regions=["KZ-75"])
    elsewhere = portal.make_dataset(org, title={"en": "Astana air"}, regions=["KZ-71"])
    with portal.client() as http:
        turtle = http.get(f"/dataset/{about}.ttl").text
        uri = re.search(r"<(https?://[^>]+/region/KZ-75)>", turtle)
        assert uri is not None, turtle
        page = http.get(urlsplit(uri.group(1)).path, params={"lang": "en"})
        assert page.status_code == 200 and "Almaty" in page.text
        assert f"/dataset/{about}" in page.text and f"/dataset/{elsewhere}" not in page.text
        assert http.get("/region/kz-75").status_code == 301
        missing = http.get("/region/KZ-99", params={"lang": "en"})
        assert missing.status_code == 404 and "Page not found" in missing.text
