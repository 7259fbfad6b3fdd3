"""The public resource page: a preview of the DataStore table that works by following links (no JavaScript),
column statistics, API examples, saved charts and a map of regions; the publisher's report, data dictionary
and chart forms."""

from __future__ import annotations

import html
import re
import time
from contextlib import closing
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

from derek.core import jobs
from derek.core.i18n import _catalog
from derek.datastore import charts
from tests.conftest import Portal

SRC = Path(__file__).resolve().parent.parent / "src" / "derek"
REGIONS = (
    "region;amount;when\n"
    "Алматы;12,5;01.02.2024\n"
    "Астана;7;15.03.2024\n"
    "Шымкент;3;20.12.2023\n"
    "Абай облысы;4;01.01.2024\n"
    "Акмолинская область;6;02.01.2024\n"
    "Алматы;2,5;03.01.2024\n"
    "Республика Казахстан;100;04.01.2024\n"
)


# ---------------------------------------------------------------- helpers


class Page(HTMLParser):
    """The parts of a page the tests read: elements by id, the preview's header and body cells."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text
        self.by_id: dict[str, dict[str, str]] = {}
        self.headers: list[str] = []
        self.rows: list[list[str]] = []
        self._in_preview = False
        self._cell: list[str] | None = None
        self._in_head = False
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {k: v or "" for k, v in attrs}
        if "id" in found:
            self.by_id[found["id"]] = found
        if tag == "caption" and found.get("id") == "preview-caption":
            self._in_preview = True
        if not self._in_preview:
            return
        if tag == "thead":
            self._in_head = True
        elif tag == "tbody":
            self._in_head = False
        elif tag == "tr" and not self._in_head:
            self.rows.append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if not self._in_preview:
            return
        if tag in ("td", "th") and self._cell is not None:
            value = " ".join(" ".join(self._cell).split()).strip(" ↕▲▼")  # without the sort marks
            (self.headers if self._in_head else self.rows[-1]).append(value)
            self._cell = None
        elif tag == "table":
            self._in_preview = False

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)

    def href(self, element_id: str) -> str:
        return html.unescape(self.by_id[element_id]["href"])

    def column(self, index: int) -> list[str]:
        return [row[index] for row in self.rows]


def page_path(portal: Portal, resource_id: str, token: str) -> str:
    with portal.client(f"Bearer {token}") as http:
        download = http.get(f"/api/v1/resources/{resource_id}").json()["download_url"]
    return download.split("/download/")[0]


def publisher(portal: Portal, token: str) -> httpx.Client:
    """The editor who uploaded (portal.upload), signed in through the web form."""
    with portal.client(f"Bearer {token}") as http:
        name = http.get("/api/v1/users/me").json()["name"]
    return portal.signed_in(name)


def upload_page(portal: Portal, body: str | bytes, **dataset: Any) -> tuple[str, str, str]:
    """Upload a table, wait for its load; (page path, resource id, editor token)."""
    data = body.encode("utf-8") if isinstance(body, str) else body
    resource_id, token = portal.upload(data, **dataset)
    portal.wait_table(resource_id, token, settled=True)
    return page_path(portal, resource_id, token), resource_id, token


def get(http: httpx.Client, url: str, status: int = 200) -> Page:
    r = http.get(url)
    assert r.status_code == status, r.text[:500]
    return Page(r.text)


# ---------------------------------------------------------------- reading


def test_the_preview_shows_cyrillic_rows_statistics_and_is_linked_from_the_dataset(portal: Portal) -> None:
    path, resource_id, _token = upload_page(portal, REGIONS.encode("cp1251"))
    with portal.client() as anon:
        page = get(anon, path + "?lang=ru")
        dataset_page = anon.get(path.split("/resource/")[0]).text
    assert f'href="{path}"' in dataset_page
    assert page.headers[1:] == ["region", "amount", "when"]
    assert page.column(1)[:3] == ["Алматы", "Астана", "Шымкент"]
    assert page.column(2)[0] == "12,5" and page.column(3)[0] == "2024-02-01"  # ru decimals; dates as is
    assert "Строки 1–7 из 7" in page.text  # the count in the page language
    stats = re.search(r'<table class="data-table stats-table">.*?</table>', page.text, re.S)
    assert stats and "Число" in stats.group(0) and "Дата" in stats.group(0)
    assert "Отчёт о проверке" not in page.text and "dictionary" not in page.by_id  # visitors only read
    assert page.by_id["api-url"] and f"/api/v1/datastore/{resource_id}/export.csv" in page.text


def test_sort_filter_and_pages_work_by_following_plain_links(portal: Portal) -> None:
    rows = "".join(f"{'Астана' if i % 3 == 0 else 'Алматы'};{i}\n" for i in range(1, 61))
    path, _resource_id, _token = upload_page(portal, "city;n\n" + rows)
    with portal.client() as anon:
        first = get(anon, path + "?lang=en")
        assert "Page 1 of 3" in first.text and "page-prev" not in first.by_id
        assert first.by_id["sort-2"]["hx-get"] and first.by_id["sort-2"]["hx-target"] == "#preview"

        ascending = get(anon, first.href("sort-2"))  # the "n" column header
        assert re.search(
            r'<th scope="col" class="num" aria-sort="ascending">\s*<a id="sort-2"', ascending.text
        )
        assert ascending.column(2)[:3] == ["1", "2", "3"]
        descending = get(anon, ascending.href("sort-2"))
        assert descending.column(2)[:3] == ["60", "59", "58"] and 'aria-sort="descending"' in descending.text

        second = get(anon, descending.href("page-next"))
        assert "Page 2 of 3" in second.text and second.column(2)[0] == "35"  # still sorted, descending
        assert get(anon, second.href("page-prev")).column(2)[0] == "60"
        assert "Page 3 of 3" in get(anon, second.href("page-last")).text

        form = first.by_id["preview-column"]
        assert form["name"] == "column" and first.by_id["preview-value"]["name"] == "value"
        filtered = get(anon, path + "?column=city&value=Астана&sort=n+desc")
        assert set(filtered.column(1)) == {"Астана"} and len(filtered.rows) == 20
        assert filtered.column(2)[0] == "60" and "page-next" not in filtered.by_id
        cleared = get(anon, filtered.href("clear-filter"))
        assert len(cleared.rows) == 25 and cleared.column(2)[0] == "60"  # the sort stays
        words = get(anon, path + "?q=Астана")
        assert len(words.rows) == 20 and set(words.column(1)) == {"Астана"}

        fragment = anon.get(
            first.by_id["sort-2"]["hx-get"], headers={"HX-Request": "true", "HX-Target": "preview"}
        )
        assert fragment.status_code == 200 and "<html" not in fragment.text and 'id="sort-2"' in fragment.text
        assert 'hx-swap-oob="innerHTML"' in fragment.text  # the screen-reader announcement of the new count

        bad = get(anon, path + "?sort=nope&column=nope&value=1&page=abc")
        assert len(bad.rows) == 25 and "There is no such column to sort by" in html.unescape(bad.text)


def test_the_api_examples_return_the_rows_the_preview_shows(portal: Portal) -> None:
    rows = "".join(f"{'Астана' if i % 2 else 'Алматы'};{i}\n" for i in range(1, 81))
    path, resource_id, _token = upload_page(portal, "city;n\n" + rows)
    with portal.client() as anon:
        page = get(anon, path + "?column=city&value=Астана&sort=n+desc&page=2")
        shown = [int(n) for n in page.column(0)]
        url = html.unescape(re.search(r'id="api-url"[^>]*><code>([^<]+)</code>', page.text).group(1))
        api = anon.get(url.replace(portal.base_url, ""))
        assert api.status_code == 200, api.text
        assert [r["_id"] for r in api.json()["records"]] == shown and len(shown) == 15
        assert {r["city"] for r in api.json()["records"]} == {"Астана"}

        curl = html.unescape(re.search(r'id="api-curl"[^>]*><code>([^<]+)</code>', page.text, re.S).group(1))
        assert curl.startswith("curl -sG ") and '--data-urlencode \'filters={"city": "Астана"}\'' in curl
        assert "-d offset=25" in curl and "'sort=n desc'" in curl
        ckan = html.unescape(re.search(r'id="api-ckan"[^>]*><code>([^<]+)</code>', page.text).group(1))
        query = parse_qs(urlsplit(ckan).query)
        assert urlsplit(ckan).path == "/api/3/action/datastore_search"
        assert query["resource_id"] == [resource_id] and query["filters"] == ['{"city": "Астана"}']
        assert query["sort"] == ["n desc"] and query["offset"] == ["25"] and query["limit"] == ["25"]

        exports = re.findall(r'href="(/api/v1/datastore/[^"]+/export\.[a-z]+[^"]*)"', page.text)
        assert {urlsplit(html.unescape(e)).path.rsplit(".", 1)[1] for e in exports} == {
            "csv",
            "json",
            "xlsx",
            "parquet",
        }
        filtered = [parse_qs(urlsplit(html.unescape(e)).query) for e in exports if "?" in e]
        assert filtered and all(q["filters"] == ['{"city": "Астана"}'] for q in filtered)
        assert all("offset" not in q and "limit" not in q for q in filtered)  # the whole filtered table


def test_a_private_dataset_has_no_public_resource_page(portal: Portal) -> None:
    path, resource_id, token = upload_page(portal, "a,b\n1,2\n", private=True)
    with portal.client() as anon:
        assert anon.get(path).status_code == 404
        assert anon.get(path + "/status").status_code == 404
    with closing(publisher(portal, token)) as editor:
        assert editor.get(path).status_code == 200
        # the other pages under /resource/ still answer: the upload form and the download
        slug = path.split("/")[2]
        assert "upload-form" in editor.get(f"/dataset/{slug}/resource/new").text
        assert editor.get(f"{path}/download/data.csv").text == "a,b\n1,2\n"
    with portal.client(f"Bearer {token}") as http:
        dataset_id = http.get(f"/api/v1/resources/{resource_id}").json()["dataset_id"]
    with closing(publisher(portal, token)) as editor:
        moved = editor.get(f"/dataset/{dataset_id}/resource/{resource_id}?sort=a", follow_redirects=False)
        assert moved.status_code == 301 and moved.headers["location"] == f"{path}?sort=a"


# ---------------------------------------------------------------- the publisher's part


def test_only_publishers_see_the_report_the_dictionary_and_the_chart_form(portal: Portal) -> None:
    path, _resource_id, token = upload_page(portal, "code,amount\n007,1\n012,x\n")
    stranger_org = portal.make_org()
    stranger, _t = portal.make_user(org=stranger_org)
    for client in (portal.client(), portal.signed_in(stranger)):
        with closing(client):
            text = client.get(path + "?lang=en").text
            assert "Validation report" not in text and "Data dictionary" not in text
            assert "/dictionary" not in text and "Add a chart" not in text and "/load" not in text
    with closing(publisher(portal, token)) as editor:
        page = get(editor, path + "?lang=en")
        assert (
            "Validation report" in page.text and "Data dictionary" in page.text and "Add a chart" in page.text
        )
        assert 'action="' + path + '/load"' in page.text
        report = page.text.split('id="report"')[1].split('id="dictionary"')[0]
        assert "findings-caption" in report or "No problems were found" in report
    with closing(portal.signed_in(stranger)) as other:
        csrf = portal.csrf(other, path)
        refused = other.post(path + "/load", data={"csrf_token": csrf})
        assert refused.status_code == 403


def test_the_dictionary_form_names_columns_and_explains_errors(portal: Portal) -> None:
    path, resource_id, token = upload_page(portal, "code,amount\n007,1\n012,2\n")
    with closing(publisher(portal, token)) as editor:
        csrf = portal.csrf(editor, path)
        form = {
            "csrf_token": csrf,
            "column-0": "code",
            "type-0": "",
            "label-0-kk": "Код",
            "label-0-ru": "Код региона",
            "label-0-en": "Region code",
            "description-0-en": "With leading zeros",
            "column-1": "amount",
            "type-1": "integer",  # the type it has: stays "as guessed", no reload
            "label-1-kk": "Сома",
            "label-1-ru": "Сумма",
            "label-1-en": "Amount",
        }
        saved = editor.post(path + "/dictionary", data=form, follow_redirects=False)
        assert saved.status_code == 303 and saved.headers["location"].endswith("#dictionary")
        with portal.db.session() as s:
            assert jobs.latest_for(s, "datastore.load", resource_id).params.get("reason") != "dictionary"
        page = get(editor, path + "?lang=ru")
        assert page.headers[1:] == ["Код региона code", "Сумма amount"]
        assert "Словарь данных сохранён." in page.text  # the flash, translated
        assert 'value="Region code"' in page.text and "With leading zeros" in page.text
        kk = get(editor, path + "?lang=kk")
        assert kk.headers[1:] == ["Код code", "Сома amount"]

        bad = editor.post(path + "/dictionary?lang=en", data={**form, "type-0": "colour"})
        assert bad.status_code == 422
        block = bad.text.split('id="dict-0"')[1].split("</details>")[0]
        assert "field-error" in block and "Choose one of the types." in block and " open" in bad.text
        assert 'href="#dict-0"' in bad.text  # the summary links to the column

        retyped = editor.post(path + "/dictionary", data={**form, "type-1": "number"}, follow_redirects=True)
        assert retyped.status_code == 200 and '<p class="flash" role="status">' in retyped.text
        assert "The table is loading again with the new types." in retyped.text  # in English since ?lang=en
        assert 'id="load-status"' in retyped.text or "Сан" in retyped.text  # the reload, or its outcome
        with portal.db.session() as s:
            assert jobs.latest_for(s, "datastore.load", resource_id).params.get("reason") == "dictionary"
    info = portal.wait_table(resource_id, token, settled=True)
    assert {f["id"]: f["type"] for f in info["fields"]}["amount"] == "number"
    with portal.client() as anon:
        assert get(anon, path + "?lang=en").headers[1:] == ["Region code code", "Amount amount"]


def test_the_load_status_is_polled_while_a_load_runs_and_failures_are_explained(portal: Portal) -> None:
    path, resource_id, token = upload_page(portal, "a;b\n1;2\n")
    with portal.db.session() as s:
        job = jobs.Job(
            kind="datastore.load",
            subject_type="resource",
            subject_id=resource_id,
            status="running",
            done=40,
            total=100,
            unit="permille",
            message="Loading rows",
        )
        s.add(job)
        s.flush()
        job_id = job.id
    with portal.client() as anon:
        page = get(anon, path + "?lang=ru")
        box = page.by_id["load-status"]
        assert box["hx-get"] == path + "/status" and box["hx-trigger"] == "every 1s"
        assert '<progress id="load-progress"' in page.text and 'max="100" value="40"' in page.text
        assert "Загрузка строк" in page.text and f'href="{path}">Обновить</a>' in page.text
        assert len(page.rows) == 1  # the previous table is still shown meanwhile
        polled = anon.get(path + "/status", headers={"HX-Request": "true"})
        assert polled.status_code == 200 and "HX-Refresh" not in polled.headers
        assert 'hx-trigger="every 1s"' in polled.text
    with portal.db.session() as s:
        ended = s.get(jobs.Job, job_id)
        ended.status, ended.error, ended.message = (
            "failed",
            "The file is not a table: it looks binary.",
            "Failed.",
        )
    with portal.client() as anon:
        polled = anon.get(path + "/status", headers={"HX-Request": "true"})
        assert polled.headers.get("HX-Refresh") == "true" and "hx-trigger" not in polled.text
        assert "load-status" not in anon.get(path).text  # visitors still get the table, not the failure
    with closing(publisher(portal, token)) as editor:
        text = editor.get(path + "?lang=en").text
        assert "The last load of this file failed" in text and "it looks binary" in text
        assert "The previous table is still served:" in text

    broken_id, broken_token = portal.upload(b"\x00\x01\x02" * 500)
    deadline = time.monotonic() + 60
    while True:
        with portal.db.session() as s:
            latest = jobs.latest_for(s, "datastore.load", broken_id)
            if latest is not None and latest.status == "failed":
                break
        assert time.monotonic() < deadline, "the load of a binary file did not fail in time"
        time.sleep(0.1)
    broken_path = page_path(portal, broken_id, broken_token)
    with portal.client() as anon:
        text = anon.get(broken_path + "?lang=en").text
        assert "The last load of this file failed" in text and "preview-caption" not in text


# ---------------------------------------------------------------- charts


def figure(text: str, title: str) -> str:
    """The <figure> of the chart with this title."""
    found = [f for f in re.findall(r"<figure .*?</figure>", text, re.S) if f">{title}</h3>" in f]
    assert len(found) == 1, f"no single chart titled {title!r}"
    return found[0]


def add_chart(editor: httpx.Client, path: str, csrf: str, **fields: str) -> httpx.Response:
    return editor.post(path + "/views?lang=en", data={"csrf_token": csrf, **fields}, follow_redirects=False)


def test_charts_are_saved_and_drawn_as_svg_for_everyone(portal: Portal) -> None:
    path, _resource_id, token = upload_page(portal, REGIONS)
    with closing(publisher(portal, token)) as editor:
        csrf = portal.csrf(editor, path)
        bar = add_chart(
            editor, path, csrf, title="Сумма по городам", kind="bar", x="region", aggregate="sum", y="amount"
        )
        assert bar.status_code == 303 and bar.headers["location"].endswith("#charts")
        line = add_chart(editor, path, csrf, title="По датам", kind="line", x="when", aggregate="count")
        assert line.status_code == 303
        missing = add_chart(editor, path, csrf, title="", kind="bar", x="region", aggregate="avg", y="region")
        assert missing.status_code == 422
        assert (
            "Give the chart a title." in missing.text
            and "A sum or an average needs a column of numbers." in missing.text
        )
        assert 'action="' + path + '/views#add-chart"' in missing.text  # back at the form after the error
        with closing(portal.signed_in(portal.make_user(org=portal.make_org())[0])) as stranger:
            refused = add_chart(
                stranger, path, portal.csrf(stranger, path), title="x", kind="bar", x="region"
            )
            assert refused.status_code == 403

    with portal.client() as anon:
        text = anon.get(path + "?lang=en").text
    bar_chart = figure(text, "Сумма по городам")
    assert '<svg class="chart-svg"' in bar_chart and 'role="img"' in bar_chart and "<desc" in bar_chart
    assert bar_chart.count('<rect class="bar"') == 6  # one per distinct region value
    assert "Largest: Республика Казахстан (100)" in html.unescape(bar_chart)
    assert '<details class="chart-data">' in bar_chart and bar_chart.count("<tr>") == 7  # header + 6 rows
    line_chart = figure(text, "По датам")
    assert '<path class="line"' in line_chart and line_chart.count('<circle class="point"') == 7
    assert "/delete" not in text  # visitors cannot delete

    with closing(publisher(portal, token)) as editor:
        page = editor.get(path).text
        view_id = re.search(r'action="' + re.escape(path) + r'/views/([^/]+)/delete"', page).group(1)
        gone = editor.post(
            f"{path}/views/{view_id}/delete",
            data={"csrf_token": portal.csrf(editor, path)},
            follow_redirects=True,
        )
        assert gone.status_code == 200 and page.count('class="chart ') == gone.text.count('class="chart ') + 1


def test_the_map_view_colours_kazakhstan_regions(portal: Portal) -> None:
    path, _resource_id, token = upload_page(portal, REGIONS)
    with closing(publisher(portal, token)) as editor:
        csrf = portal.csrf(editor, path)
        page = editor.get(path + "?lang=en").text
        assert '<option value="map"' in page and "A map is possible with: region." in page
        refused = add_chart(editor, path, csrf, title="Map", kind="map", x="when", aggregate="count")
        assert refused.status_code == 422 and "names Kazakhstan" in html.unescape(refused.text)
        saved = add_chart(
            editor, path, csrf, title="Карта", kind="map", x="region", aggregate="sum", y="amount"
        )
        assert saved.status_code == 303
    with portal.client() as anon:
        text = anon.get(path + "?lang=ru").text
    chart = figure(text, "Карта")
    tiles = dict(re.findall(r'<g class="tile" data-region="(KZ-\d+)">.*?fill="(#[0-9a-f]{6})"', chart, re.S))
    assert len(tiles) == 20
    assert tiles["KZ-75"] == charts.PALETTE[-1]  # Алматы twice: 12.5 + 2.5 = 15, the largest
    assert tiles["KZ-79"] == charts.PALETTE[0]  # Шымкент: 3, the smallest
    assert tiles["KZ-10"] != charts.NO_DATA  # "Абай облысы"
    assert tiles["KZ-11"] != charts.NO_DATA  # "Акмолинская область"
    assert tiles["KZ-19"] == charts.NO_DATA and tiles["KZ-47"] == charts.NO_DATA  # no rows for them
    assert "Республика Казахстан (100)" in chart  # listed as not on the map, never drawn
    assert "город Алматы (KZ-75)" in chart  # the data table names each region


def test_region_names_are_recognised_in_every_spelling() -> None:
    from derek.datastore.regions import REGIONS as ALL
    from derek.datastore.regions import find_region

    assert len(ALL) == 20 and len({(r.column, r.row) for r in ALL}) == 20
    for spelling, code in {
        "Алматы": "KZ-75",
        "г. Алматы": "KZ-75",
        "Almaty": "KZ-75",
        "Алматы облысы": "KZ-19",
        "Алматинская область": "KZ-19",
        "Астана": "KZ-71",
        "Нур-Султан": "KZ-71",
        "Абай облысы": "KZ-10",
        "Акмолинская область": "KZ-11",
        "Akmola Region": "KZ-11",
        "ЖЕТІСУ ОБЛЫСЫ": "KZ-33",
        "Южно-Казахстанская область": "KZ-61",
        "KZ-35": "KZ-35",
    }.items():
        found = find_region(spelling)
        assert found is not None and found.code == code, spelling
    assert find_region("Республика Казахстан") is None and find_region(None) is None


def test_every_string_of_the_resource_page_is_translated() -> None:
    pattern = re.compile(r"""(?<![\w.])_\(\s*(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)')""")
    msgids = set()
    for template in (SRC / "datastore" / "templates" / "datastore").glob("*.html"):
        for match in pattern.finditer(template.read_text(encoding="utf-8")):
            msgids.add(match.group(1) if match.group(1) is not None else match.group(2))
    msgids |= {
        "The chart is saved.",
        "The chart is deleted.",
        "The data dictionary is saved.",
        "The data dictionary is saved. The table is loading again with the new types.",
        "The file is being loaded into the table again.",
        "Give the chart a title.",
        "A map needs a column that names Kazakhstan's regions, such as Алматы or Абай облысы.",
        "Loading rows",
    }
    assert len(msgids) > 120
    for lang in ("kk", "ru", "en"):
        catalog = _catalog(lang)
        missing = sorted(m for m in msgids if m not in catalog)
        assert not missing, f"{lang}: untranslated {missing}"
        for msgid in msgids:
            assert set(re.findall(r"{\w+}", msgid)) == set(re.findall(r"{\w+}", catalog[msgid])), msgid
