"""The DataStore: an uploaded table is loaded in the background and anyone may query it."""

from __future__ import annotations

import http.server
import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from derek.core.errors import Invalid
from derek.core.fetch import fetch_to_store
from derek.core.storage import FileStore
from tests.conftest import REAL_FILES, Portal, start_portal

ROWS = "region;amount;when\nАлматы;12,5;01.02.2024\nАстана;7;15.03.2024\nШымкент;3;20.12.2023\n"
REAL = REAL_FILES


def rows(http: httpx.Client, resource_id: str, **params: Any) -> dict[str, Any]:
    r = http.get(f"/api/v1/datastore/{resource_id}", params=params)
    assert r.status_code == 200, r.text
    return dict(r.json())


def test_an_upload_is_loaded_by_itself_with_types_from_a_cp1251_semicolon_file(portal: Portal) -> None:
    resource_id, _token = portal.upload(ROWS.encode("cp1251"))
    table = portal.wait_table(resource_id)
    assert table["row_count"] == 3 and table["encoding"] == "cp1251" and table["delimiter"] == ";"
    assert [(f["id"], f["type"]) for f in table["fields"]] == [
        ("region", "text"),
        ("amount", "number"),
        ("when", "date"),
    ]
    assert table["report"]["valid"] is True
    with portal.client() as anon:
        everything = rows(anon, resource_id)
        assert everything["total"] == 3
        assert everything["records"][0] == {
            "_id": 1,
            "region": "Алматы",
            "amount": 12.5,
            "when": "2024-02-01",
        }
        one = rows(anon, resource_id, filters=json.dumps({"region": "Астана"}))
        assert one["total"] == 1 and one["records"][0]["amount"] == 7
        words = rows(anon, resource_id, q="шымк", fields="region")
        assert words["records"] == [{"region": "Шымкент"}]
        ordered = rows(anon, resource_id, sort="when", limit=1)
        assert ordered["records"][0]["region"] == "Шымкент" and ordered["total"] == 3
        later = rows(anon, resource_id, filters=json.dumps({"when": {"gte": "2024-02-01"}}), sort="when")
        assert [r["region"] for r in later["records"]] == ["Алматы", "Астана"]
        bigger = rows(anon, resource_id, filters=json.dumps({"amount": {"gt": 5, "lt": 12.5}}))
        assert [r["region"] for r in bigger["records"]] == ["Астана"]


def test_the_real_windows_1251_tax_rates_file_keeps_its_cyrillic_decimals_and_dates(portal: Portal) -> None:
    body = (REAL / "kz_tax_rates_ru_excel_export_cp1251.csv").read_bytes()
    resource_id, _token = portal.upload(body, "ставки.csv")
    table = portal.wait_table(resource_id)
    types = {f["id"]: f["type"] for f in table["fields"]}
    assert types == {
        "КАТО": "integer",
        "Наименование": "text",
        "Ставка": "number",
        "Базовая ставка": "number",
        "Действует с": "date",
        "Действует по": "date",
        "Решение": "text",
    }
    assert table["row_count"] == body.count(b"\n") - 1
    with portal.client() as anon:
        semey = rows(anon, resource_id, filters=json.dumps({"Наименование": "Семей Г.А."}))
        assert semey["records"][0]["Ставка"] == 0.02 and semey["records"][0]["Действует с"] == "2026-01-01"


def test_loading_is_a_job_with_progress_that_only_its_owner_sees(portal: Portal) -> None:
    resource_id, token = portal.upload(b"a,b\n1,2\n3,4\n")
    portal.wait_table(resource_id)
    with portal.client(f"Bearer {token}") as http:
        started = http.post(f"/api/v1/datastore/{resource_id}/load")
        assert (
            started.status_code == 202
            and started.headers["location"] == f"/api/v1/jobs/{started.json()['id']}"
        )
        assert started.json()["status"] == "queued" and started.json()["kind"] == "datastore.load"
    job = portal.wait_job(token, started.json()["id"])
    assert job["status"] == "succeeded" and job["result"]["rows"] == 2 and job["finished_at"]
    _other, other_token = portal.make_user()
    with portal.client(f"Bearer {other_token}") as other, portal.client() as anon:
        assert other.get(f"/api/v1/jobs/{job['id']}").status_code == 403
        assert anon.get(f"/api/v1/jobs/{job['id']}").status_code == 401
        assert anon.post(f"/api/v1/datastore/{resource_id}/load").status_code == 401
        assert other.post(f"/api/v1/datastore/{resource_id}/load").status_code == 403
        assert anon.get("/api/v1/jobs/no-such-job").status_code in (401, 404)


def test_bad_queries_are_explained(portal: Portal) -> None:
    resource_id, _token = portal.upload(b"a,b\n1,2\n3,4\n")
    portal.wait_table(resource_id)
    with portal.client() as http:
        for params, field in (
            ({"filters": "{not json"}, "filters"),
            ({"filters": "[1]"}, "filters"),
            ({"filters": json.dumps({"a": {"like": 1}})}, "filters"),
            ({"filters": json.dumps({"nope": 1})}, "filters"),
            ({"fields": "a,nope"}, "fields"),
            ({"sort": "b sideways"}, "sort"),
            ({"sort": "'; DROP TABLE x; --"}, "sort"),
            ({"group_by": "nope"}, "group_by"),
            ({"aggregates": "median:a"}, "aggregates"),
            ({"cursor": "not-a-cursor"}, "cursor"),
        ):
            r = http.get(f"/api/v1/datastore/{resource_id}", params=params)
            assert r.status_code == 422, (params, r.text)
            assert field in r.json()["errors"], (params, r.json())
        injected = rows(http, resource_id, filters=json.dumps({"a": "1' OR '1'='1"}))
        assert injected["total"] == 0
        assert rows(http, resource_id, q="100%")["total"] == 0  # % is a character, not a wildcard


def test_distinct_groups_and_cursor_paging(portal: Portal) -> None:
    lines = ["region,amount,n"] + [f"r{i % 7},{i * 1.5},{i}" for i in range(1, 1001)]
    resource_id, _token = portal.upload("\n".join(lines).encode())
    portal.wait_table(resource_id)
    with portal.client() as http:
        regions = rows(http, resource_id, fields="region", distinct="true", sort="region", limit=100)
        assert [r["region"] for r in regions["records"]] == [f"r{i}" for i in range(7)]
        assert regions["total"] == 7
        groups = rows(
            http, resource_id, group_by="region", aggregates="count,sum:amount,max:n", sort="region"
        )
        by_region = {g["region"]: g for g in groups["records"]}
        expected = [i for i in range(1, 1001) if i % 7 == 3]
        assert by_region["r3"]["count"] == len(expected)
        assert abs(by_region["r3"]["sum_amount"] - sum(i * 1.5 for i in expected)) < 1e-6
        assert by_region["r3"]["max_n"] == max(expected) and groups["total"] == 7
        assert [f["id"] for f in groups["fields"]] == ["region", "count", "sum_amount", "max_n"]
        total = rows(http, resource_id, aggregates="count,avg:n")["records"]
        assert total == [{"count": 1000, "avg_n": 500.5}]
        # cursor paging over a sort with ties visits every row exactly once
        seen: list[int] = []
        params: dict[str, Any] = {"sort": "region desc", "limit": 150, "fields": "n"}
        while True:
            page = rows(http, resource_id, **params)
            seen += [r["n"] for r in page["records"]]
            if not page["next_cursor"]:
                break
            assert "cursor=" in page["links"]["next"]
            params["cursor"] = page["next_cursor"]
        assert sorted(seen) == list(range(1, 1001)) and len(seen) == 1000
        assert rows(http, resource_id, include_total="false")["total"] is None


def test_private_tables_stay_private_and_a_failed_reload_keeps_the_last_table(portal: Portal) -> None:
    resource_id, token = portal.upload(b"x\n1\n2\n", private=True)
    assert portal.wait_table(resource_id, token)["row_count"] == 2
    with portal.client(f"Bearer {token}") as http:
        replaced = http.post(
            f"/api/v1/resources/{resource_id}/upload", files={"file": ("data.csv", b"\x00\x01\x02" * 500)}
        )
        assert replaced.status_code in (200, 201), replaced.text
    job = portal.load_table(token, resource_id)
    assert job["status"] == "failed" and "binary" in job["error"]
    with portal.client(f"Bearer {token}") as http:
        assert rows(http, resource_id)["total"] == 2  # the last good table still answers
    with portal.client() as anon:
        assert anon.get(f"/api/v1/datastore/{resource_id}").status_code == 404
        assert anon.get(f"/api/v1/datastore/{resource_id}/info").status_code == 404


def test_files_that_are_not_tables_are_refused(portal: Portal) -> None:
    resource_id, token = portal.upload(b"%PDF-1.4 not a table", filename="report.pdf")
    with portal.client(f"Bearer {token}") as http:
        r = http.post(f"/api/v1/datastore/{resource_id}/load")
        assert r.status_code == 422 and "CSV" in r.json()["detail"]


def test_the_data_dictionary_labels_columns_and_a_type_change_reloads(portal: Portal) -> None:
    resource_id, token = portal.upload(b"code,amount\n007,1\n012,2\n")
    table = portal.wait_table(resource_id)
    assert {f["id"]: f["type"] for f in table["fields"]} == {"code": "text", "amount": "integer"}
    with portal.client(f"Bearer {token}") as http:
        saved = http.put(
            f"/api/v1/datastore/{resource_id}/dictionary",
            json={
                "amount": {"type": "number", "label": {"kk": "Сома", "ru": "Сумма", "en": "Amount"}},
                "code": {"description": {"en": "Region code with leading zeros"}},
            },
        )
        assert saved.status_code == 200, saved.text
        assert saved.json()["job"]["status"] == "queued"
        portal.wait_job(token, saved.json()["job"]["id"])
        info = http.get(f"/api/v1/datastore/{resource_id}/info").json()
        fields = {f["id"]: f for f in info["fields"]}
        assert fields["amount"]["type"] == "number" and fields["amount"]["info"]["label"]["kk"] == "Сома"
        assert fields["code"]["info"]["description"]["en"].startswith("Region code")
        labels_only = http.put(
            f"/api/v1/datastore/{resource_id}/dictionary", json={"code": {"label": {"en": "Code"}}}
        )
        assert labels_only.json()["job"] is None  # no type changed: nothing to reload
        for bad in ({"nope": {"type": "text"}}, {"code": {"type": "colour"}}):
            r = http.put(f"/api/v1/datastore/{resource_id}/dictionary", json=bad)
            assert r.status_code == 422 and r.json()["detail"].startswith("The data dictionary was not saved")
    with portal.client() as anon:
        assert anon.put(f"/api/v1/datastore/{resource_id}/dictionary", json={}).status_code == 401


def test_the_cli_hands_a_load_to_the_running_server_and_shows_its_outcome(portal: Portal) -> None:
    resource_id, _token = portal.upload("city,n\nАлматы,1\n".encode("utf-8-sig"))
    portal.wait_table(resource_id)
    env = {
        **os.environ,
        "DEREK_DATA_DIR": str(portal.settings.data_dir),
        "DEREK_DATABASE_URL": portal.settings.effective_database_url,
    }
    derek = str(Path(sys.executable).with_name("derek"))
    done = subprocess.run(
        [derek, "datastore", "load", resource_id], capture_output=True, text=True, env=env, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert "Loaded 1 rows" in done.stderr and "city (text)" in done.stderr
    missing = subprocess.run(
        [derek, "datastore", "load", "nope"], capture_output=True, text=True, env=env, timeout=120
    )
    assert missing.returncode == 1 and "nope" in missing.stderr


class _Files(http.server.BaseHTTPRequestHandler):
    """A tiny agency web server on 127.0.0.1: /rates.csv, a redirect to it, and a missing file."""

    def do_GET(self) -> None:  # noqa: N802  (the standard library's name)
        if self.path == "/moved.csv":
            self.send_response(302)
            self.send_header("Location", "/rates.csv")
            self.end_headers()
        elif self.path == "/rates.csv":
            body = "district;rate\nАбай;0,02\nЖанасемей;0,03\n".encode("cp1251")
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        else:
            self.send_error(404)

    def log_message(self, *_args: object) -> None:
        pass


@pytest.fixture(scope="module")
def agency_site() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Files)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_a_table_registered_by_url_is_fetched_and_loaded(tmp_path: Path, agency_site: str) -> None:
    for fetching in start_portal(tmp_path, datastore_fetch=True, fetch_allow_private=True):
        org = fetching.make_org()
        _n, token = fetching.make_user(org=org)
        name = fetching.make_dataset(org)
        with fetching.client(f"Bearer {token}") as client:
            created = client.post(
                f"/api/v1/datasets/{name}/resources",
                json={"name": "rates", "url": f"{agency_site}/moved.csv"},
            )
            assert created.status_code == 201, created.text
            resource_id = created.json()["id"]
            table = fetching.wait_table(resource_id)
            assert table["row_count"] == 2 and table["encoding"] == "cp1251"
            assert rows(client, resource_id, sort="rate desc")["records"][0]["district"] == "Жанасемей"
            gone = client.patch(f"/api/v1/resources/{resource_id}", json={"url": f"{agency_site}/gone.csv"})
            assert gone.status_code == 200
        job = fetching.load_table(token, resource_id)
        assert job["status"] == "failed" and "answered 404" in job["error"]
        with fetching.client() as anon:
            assert rows(anon, resource_id)["total"] == 2  # the last good table still answers


def test_the_portal_does_not_fetch_from_private_networks_by_default(tmp_path: Path, agency_site: str) -> None:
    store = FileStore(tmp_path, 10_000)
    with pytest.raises(Invalid, match="private network"):
        fetch_to_store(f"{agency_site}/rates.csv", store)
    with pytest.raises(Invalid, match="http and https"):
        fetch_to_store("file:///etc/passwd", store)
    assert fetch_to_store(f"{agency_site}/rates.csv", store, allow_private=True).size > 0


def test_the_validation_report_lists_problems_by_row_and_column(portal: Portal) -> None:
    numbers = "".join(f"{i};{i},5;x;y\n" for i in range(7, 20))
    body = ("a;b;a;\n1;2,5;x;y\n;;;\n4;z;q;w\n6;7;8;9;10\n" + numbers).encode()
    resource_id, _token = portal.upload(body)
    portal.wait_table(resource_id)
    deadline = time.monotonic() + 60
    with portal.client() as anon:
        while (report := anon.get(f"/api/v1/datastore/{resource_id}/info").json()["report"])["pending"]:
            assert time.monotonic() < deadline, "the report never came"
            time.sleep(0.1)
    assert report["valid"] is False and report["checked_rows"] >= 3
    found = {(f["type"], f.get("row"), f.get("column")) for f in report["findings"]}
    assert any(t == "duplicate-label" for t, _r, _c in found)
    assert any(t == "blank-label" for t, _r, _c in found)
    assert ("type-error", 4, "b") in found  # "z" in the number column b, line 4 of the file
    assert any(t == "extra-cell" and r == 5 for t, r, _c in found)
    assert report["counts"]["type-error"] >= 1


def test_a_new_version_is_queried_and_the_old_one_stays_downloadable(portal: Portal) -> None:
    first, second = b"city,n\nAstana,1\n", "city,n\nАлматы,2\nШымкент,3\n".encode()
    resource_id, token = portal.upload(first, "cities.csv")
    portal.wait_table(resource_id)
    with portal.client(f"Bearer {token}") as http:
        assert http.post(
            f"/api/v1/resources/{resource_id}/upload", files={"file": ("cities.csv", second)}
        ).is_success
    assert portal.wait_table(resource_id, settled=True)["row_count"] == 2
    with portal.client() as anon:
        assert [r["city"] for r in rows(anon, resource_id)["records"]] == ["Алматы", "Шымкент"]
        versions = anon.get(f"/api/v1/resources/{resource_id}/versions").json()
        assert [(v["number"], v["latest"]) for v in versions] == [(2, True), (1, False)]
        assert anon.get(versions[1]["download_url"]).content == first
        assert anon.get(versions[0]["download_url"]).content == second
        page = anon.get(versions[0]["download_url"].split("/version/")[0]).text
        assert versions[1]["download_url"] in page  # the resource page lists the earlier file
        missing = anon.get(versions[0]["download_url"].replace("/version/2/", "/version/9/"))
        assert missing.status_code == 404


def test_a_reader_holding_the_old_table_name_reads_the_new_table_after_a_reload(portal: Portal) -> None:
    """A page that read the table's name just before a reload swapped the table and dropped the old one
    asks again with the new name, instead of failing with "table does not exist"."""
    from derek.core.authz import SYSTEM
    from derek.datastore import service as datastore
    from derek.datastore.models import DatastoreTable

    resource_id, token = portal.upload(b"region,count\nAlmaty,1\nAstana,2\n", "swap.csv")
    portal.wait_table(resource_id, token)
    with portal.db.session() as s:
        before = datastore.query(s, SYSTEM, portal.duck, resource_id)
        assert before.total == 2
        # a reader that has just read the table's name: the session keeps the row while it is referenced
        held = s.get(DatastoreTable, resource_id)
        assert held is not None
        old_name = held.table_name
        finished = portal.load_table(token, resource_id)  # a reload: a new table, the old one dropped
        assert finished["status"] == "succeeded", finished
        after = datastore.query(s, SYSTEM, portal.duck, resource_id)
        stats = datastore.column_stats(s, SYSTEM, portal.duck, resource_id)
        assert held.table_name != old_name, "the reload made a new table"
    assert after.records == before.records
    assert [c["id"] for c in stats] == ["region", "count"]
