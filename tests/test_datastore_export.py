"""Exports of DataStore tables: every format round-trips, filters apply, formulas are defused, private data
stays private, and big tables stream (and clean up after themselves)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import threading
import time
import zipfile
from pathlib import Path
from typing import Any

import duckdb
import httpx
import pytest
from python_calamine import CalamineWorkbook

from derek.datastore import export
from derek.datastore.engine import DuckStore
from derek.datastore.query import Spec, build
from tests.conftest import Portal

SAMPLE = (
    "city,amount,delta,when,note\n"
    "Алматы,12.5,-3,2024-02-01,\"=cmd|' /C calc'!A0\"\n"
    "Астана,7,-10,2024-03-15,+1+1\n"
    "Шымкент,,5,,-2+3\n"
    "Караганда,3.25,-1,2023-12-20,@SUM(A1)\n"
    "Тараз,1,0,2024-01-05,\n"
)
COLUMNS = ["_id", "city", "amount", "delta", "when", "note"]
GUARDED = ["'=cmd|' /C calc'!A0", "'+1+1", "'-2+3", "'@SUM(A1)", ""]
RAW_NOTES = ["=cmd|' /C calc'!A0", "+1+1", "-2+3", "@SUM(A1)", None]
BIG_ROWS = 200_000


@pytest.fixture(scope="module")
def tables(portal: Portal) -> dict[str, tuple[str, str]]:
    """Every table the tests read, uploaded at once and then waited for: (resource id, editor token)."""
    big_body = "n,label,value\n" + "".join(f"{i},row {i},{i * 0.5}\n" for i in range(BIG_ROWS))
    uploaded = {
        "sample": portal.upload(SAMPLE.encode(), "Бюджет 2024.csv"),
        "private": portal.upload(SAMPLE.encode(), "secret.csv", private=True),
        "big": portal.upload(big_body.encode(), "big.csv"),
    }
    infos = {name: portal.wait_table(rid, token=token) for name, (rid, token) in uploaded.items()}
    types = {f["id"]: f["type"] for f in infos["sample"]["fields"]}
    assert types == {"city": "text", "amount": "number", "delta": "integer", "when": "date", "note": "text"}
    assert infos["big"]["row_count"] == BIG_ROWS
    return uploaded


@pytest.fixture(scope="module")
def sample(tables: dict[str, tuple[str, str]]) -> str:
    return tables["sample"][0]


@pytest.fixture(scope="module")
def big(tables: dict[str, tuple[str, str]]) -> str:
    return tables["big"][0]


def get(portal: Portal, path: str, token: str | None = None, **params: Any) -> httpx.Response:
    with portal.client(f"Bearer {token}" if token else None) as http:
        return http.get(path, params=params)


def export_url(resource_id: str, fmt: str) -> str:
    return f"/api/v1/datastore/{resource_id}/export.{fmt}"


def read_csv(text: str, delimiter: str = ",") -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))


def test_csv_round_trips_with_cyrillic_numbers_dates_and_empty_cells(portal: Portal, sample: str) -> None:
    r = get(portal, export_url(sample, "csv"))
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "text/csv; charset=utf-8"
    disposition = r.headers["content-disposition"]
    assert disposition.startswith(f'attachment; filename="{sample}.csv"; ')
    assert "; filename*=UTF-8''%D0%91%D1%8E%D0%B4%D0%B6%D0%B5%D1%82" in disposition  # Бюджет
    assert disposition.endswith("2024.csv")
    assert r.headers["cache-control"].startswith("public")
    assert not r.content.startswith(b"\xef\xbb\xbf")
    table = read_csv(r.content.decode("utf-8"))
    assert table[0] == COLUMNS
    assert [row[1] for row in table[1:]] == ["Алматы", "Астана", "Шымкент", "Караганда", "Тараз"]
    assert [row[2] for row in table[1:]] == ["12.5", "7.0", "", "3.25", "1.0"]
    assert [row[3] for row in table[1:]] == ["-3", "-10", "5", "-1", "0"]  # numbers, never quoted
    assert [row[4] for row in table[1:]] == ["2024-02-01", "2024-03-15", "", "2023-12-20", "2024-01-05"]
    assert [row[5] for row in table[1:]] == GUARDED
    assert r.content.count(b"\r\n") == 6  # RFC 4180 line ends

    with_bom = get(portal, export_url(sample, "csv"), bom="true")
    assert with_bom.content.startswith(b"\xef\xbb\xbf_id,city")


def test_json_is_fields_and_records_with_iso_dates_and_nulls(portal: Portal, sample: str) -> None:
    r = get(portal, export_url(sample, "json"))
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/json"
    body = r.json()
    assert [f["id"] for f in body["fields"]] == COLUMNS
    assert body["records"][0] == {
        "_id": 1,
        "city": "Алматы",
        "amount": 12.5,
        "delta": -3,
        "when": "2024-02-01",
        "note": "=cmd|' /C calc'!A0",  # JSON is data, not a spreadsheet: kept as is
    }
    assert body["records"][2]["amount"] is None and body["records"][2]["when"] is None
    assert body["records"][4]["note"] is None


def test_xlsx_has_typed_cells_a_bold_header_and_no_formulas(portal: Portal, sample: str) -> None:
    r = get(portal, export_url(sample, "xlsx"))
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert r.headers["content-disposition"].endswith(".xlsx")
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(r.content)).get_sheet_by_index(0).to_python()
    assert sheet[0] == COLUMNS
    assert [row[1] for row in sheet[1:]] == ["Алматы", "Астана", "Шымкент", "Караганда", "Тараз"]
    assert [row[2] for row in sheet[1:]] == [12.5, 7.0, "", 3.25, 1.0]
    assert [row[3] for row in sheet[1:]] == [-3, -10, 5, -1, 0]
    assert sheet[1][4] == dt.date(2024, 2, 1) and sheet[3][4] == ""
    assert [row[5] for row in sheet[1:]] == [n or "" for n in RAW_NOTES]
    with zipfile.ZipFile(io.BytesIO(r.content)) as package:
        cells = package.read("xl/worksheets/sheet1.xml").decode()
        styles = package.read("xl/styles.xml").decode()
    assert "<f>" not in cells  # text went in as strings, never as formulas
    assert "<b/>" in styles and 'quotePrefix="1"' in styles  # bold header; risky text flagged as text


def test_parquet_round_trips_with_types(portal: Portal, sample: str, tmp_path: Path) -> None:
    r = get(portal, export_url(sample, "parquet"))
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/vnd.apache.parquet"
    path = tmp_path / "out.parquet"
    path.write_bytes(r.content)
    con = duckdb.connect()
    rel = con.sql(f"SELECT * FROM read_parquet('{path}')")
    assert rel.columns == COLUMNS
    assert [str(t) for t in rel.types] == ["BIGINT", "VARCHAR", "DOUBLE", "BIGINT", "DATE", "VARCHAR"]
    rows = rel.fetchall()
    assert rows[0] == (1, "Алматы", 12.5, -3, dt.date(2024, 2, 1), "=cmd|' /C calc'!A0")
    assert rows[2][2] is None and rows[2][4] is None
    assert [row[5] for row in rows] == RAW_NOTES


def test_filters_words_sort_and_fields_apply_to_every_format(
    portal: Portal, sample: str, tmp_path: Path
) -> None:
    params = {"filters": json.dumps({"city": ["Астана", "Тараз", "Алматы"]}), "sort": "delta desc"}
    table = read_csv(get(portal, export_url(sample, "csv"), fields="city,delta", **params).text)
    assert table == [["city", "delta"], ["Тараз", "0"], ["Алматы", "-3"], ["Астана", "-10"]]
    records = get(portal, export_url(sample, "json"), q="Шымкент").json()["records"]
    assert [rec["city"] for rec in records] == ["Шымкент"]
    sheet = (
        CalamineWorkbook.from_filelike(io.BytesIO(get(portal, export_url(sample, "xlsx"), **params).content))
        .get_sheet_by_index(0)
        .to_python()
    )
    assert [row[1] for row in sheet[1:]] == ["Тараз", "Алматы", "Астана"]
    path = tmp_path / "filtered.parquet"
    path.write_bytes(get(portal, export_url(sample, "parquet"), fields="city", **params).content)
    found = duckdb.connect().sql(f"SELECT * FROM read_parquet('{path}')").fetchall()
    assert found == [("Тараз",), ("Алматы",), ("Астана",)]
    assert get(portal, export_url(sample, "csv"), limit=2, offset=1).text.count("\r\n") == 3


def test_private_resources_are_hidden_from_others_and_not_cached(
    portal: Portal, tables: dict[str, tuple[str, str]]
) -> None:
    resource_id, token = tables["private"]
    for fmt in ("csv", "xlsx", "parquet"):
        hidden = get(portal, export_url(resource_id, fmt))
        assert hidden.status_code == 404, hidden.text
        assert hidden.headers["content-type"] == "application/problem+json"
    assert get(portal, f"/datastore/dump/{resource_id}").status_code == 404
    mine = get(portal, export_url(resource_id, "csv"), token)
    assert mine.status_code == 200
    assert mine.headers["cache-control"].startswith("private")
    assert mine.headers["content-disposition"] == 'attachment; filename="secret.csv"'


def test_unknown_formats_and_bad_queries_are_refused(portal: Portal, sample: str) -> None:
    for fmt in ("xml", "CSV", "exe"):
        r = get(portal, export_url(sample, fmt))
        assert r.status_code in (404, 422), r.text
        assert r.headers["content-type"] == "application/problem+json"
    assert get(portal, f"/datastore/dump/{sample}", format="xml").status_code == 422
    bad = get(portal, export_url(sample, "csv"), fields="nope")
    assert bad.status_code == 422 and "nope" in bad.json()["detail"]
    assert get(portal, export_url(sample, "csv"), filters="{").status_code == 422
    assert get(portal, export_url("no-such-resource", "csv")).status_code == 404


def test_too_many_rows_for_a_sheet_is_a_clear_refusal(
    portal: Portal, sample: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(export, "XLSX_MAX_ROWS", 3)  # the server runs in this process
    r = get(portal, export_url(sample, "xlsx"))
    assert r.status_code == 422
    assert "use CSV or Parquet for more than 3 rows" in r.json()["detail"]
    assert get(portal, export_url(sample, "xlsx"), limit=3).status_code == 200
    assert (
        get(portal, export_url(sample, "xlsx"), filters=json.dumps({"delta": {"lt": 0}})).status_code == 200
    )


def test_ckan_dump_url(portal: Portal, sample: str) -> None:
    r = get(portal, f"/datastore/dump/{sample}")
    assert r.status_code == 200
    assert r.headers["content-type"] == "text/csv; charset=utf-8"
    assert read_csv(r.text)[0] == COLUMNS
    assert [row[5] for row in read_csv(r.text)[1:]] == GUARDED
    assert get(portal, f"/datastore/dump/{sample}", bom="true").content.startswith(b"\xef\xbb\xbf")
    tsv = get(portal, f"/datastore/dump/{sample}", format="tsv", limit=2, offset=1, fields="city,amount")
    assert tsv.headers["content-type"] == "text/tab-separated-values; charset=utf-8"
    assert read_csv(tsv.text, "\t") == [["city", "amount"], ["Астана", "7.0"], ["Шымкент", ""]]
    dumped = get(
        portal, f"/datastore/dump/{sample}", format="json", filters=json.dumps({"city": "Тараз"})
    ).json()
    assert dumped["fields"][0] == {"id": "_id", "type": "int"}
    assert dumped["records"] == [[5, "Тараз", 1.0, 0, "2024-01-05", None]]
    xlsx = get(portal, f"/datastore/dump/{sample}", format="xlsx", q="Караганда")
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(xlsx.content)).get_sheet_by_index(0).to_python()
    assert len(sheet) == 2 and sheet[1][1] == "Караганда"


def test_a_big_table_streams_whole_in_parallel(portal: Portal, big: str) -> None:
    """Two downloads at once (each a cursor of the one DuckDB connection, read from worker threads)."""
    bodies: dict[str, tuple[int, bytes]] = {}

    def download(fmt: str) -> None:
        with portal.client() as http, http.stream("GET", export_url(big, fmt)) as r:
            assert r.status_code == 200
            chunks = list(r.iter_bytes())
            bodies[fmt] = (len(chunks), b"".join(chunks))

    threads = [threading.Thread(target=download, args=(fmt,)) for fmt in ("csv", "json")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert {fmt: chunks > 1 for fmt, (chunks, _body) in bodies.items()} == {"csv": True, "json": True}
    lines = bodies["csv"][1].decode().splitlines()
    assert len(lines) == BIG_ROWS + 1
    assert lines[-1] == f"{BIG_ROWS},{BIG_ROWS - 1},row {BIG_ROWS - 1},{(BIG_ROWS - 1) * 0.5}"
    records = json.loads(bodies["json"][1])["records"]
    assert len(records) == BIG_ROWS
    assert [r["_id"] for r in records] == list(range(1, BIG_ROWS + 1))


def exports_on_disk(portal: Portal) -> list[Path]:
    return list((portal.settings.files_dir / "tmp").glob("export-*"))


def test_temporary_files_go_away_after_a_download_and_a_disconnect(portal: Portal, big: str) -> None:
    r = get(portal, export_url(big, "parquet"), fields="n")
    assert r.status_code == 200
    assert exports_on_disk(portal) == []
    with portal.client() as http, http.stream("GET", export_url(big, "parquet")) as r:
        assert r.status_code == 200
        next(r.iter_raw(1024))  # the file exists now; hang up after its first bytes
    deadline = time.monotonic() + 10
    while exports_on_disk(portal):
        assert time.monotonic() < deadline, "the export's temporary file was not deleted"
        time.sleep(0.05)


def test_rows_read_in_id_ranges_keep_their_order_across_gaps(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The default order is read in _id ranges (no sort of the whole table); gaps in the ids are jumped."""
    duck = DuckStore(tmp_path / "d.duckdb", allowed_dirs=[tmp_path])
    ids = [7, 1, 2, 3, 1_000_000, 10**15, 4]
    with duck.writer() as cur:
        cur.execute("CREATE TABLE t (_id BIGINT, name VARCHAR)")
        cur.executemany("INSERT INTO t VALUES (?, ?)", [(i, f"n{i}") for i in ids])
    monkeypatch.setattr(export, "ID_SPAN", 2)
    monkeypatch.setattr(export, "BATCH_ROWS", 1)
    fields = [{"id": "name", "type": "text"}]
    try:
        plan = export.plan_for(build("t", fields, Spec(fields=["name"])))
        assert plan.unordered is not None
        read = [row for batch in export._batches(duck, plan) for row in batch]
        assert read == [(f"n{i}",) for i in sorted(ids)]
        few = export.plan_for(build("t", fields, Spec(filters={"name": ["n3", "n7"]})))
        assert [r for batch in export._batches(duck, few) for r in batch] == [(3, "n3"), (7, "n7")]
        for other in (
            export.plan_for(build("t", fields, Spec(sort="name desc"))),
            export.plan_for(build("t", fields, Spec()), limit=3),
        ):
            assert other.unordered is None  # sorted by DuckDB at once
        assert [
            r[0] for b in export._batches(duck, export.plan_for(build("t", fields, Spec()), 3, 1)) for r in b
        ] == [2, 3, 4]
        half_read = export._batches(duck, plan)
        next(half_read)
        half_read.close()  # the client went away: the cursor and its read transaction end here
        with duck.writer() as cur:
            cur.execute("DROP TABLE t")
    finally:
        duck.close()


def test_every_column_type_reads_right_in_each_format(tmp_path: Path) -> None:
    duck = DuckStore(tmp_path / "d.duckdb", allowed_dirs=[tmp_path])
    with duck.writer() as cur:
        cur.execute(
            "CREATE TABLE t AS SELECT * FROM (VALUES "
            "(1, TIMESTAMP '2024-05-01 10:20:30', TIME '08:15:00', true, 'nan'::DOUBLE, '\tx', "
            "12345678901234567),"
            "(2, NULL, NULL, false, 'inf'::DOUBLE, '\rcr', -5),"
            "(3, NULL, NULL, NULL, -1.5, 'plain', NULL)"
            ') v(_id, "at", clock, flag, ratio, memo, big)'
        )
    fields = [
        {"id": "at", "type": "datetime"},
        {"id": "clock", "type": "time"},
        {"id": "flag", "type": "boolean"},
        {"id": "ratio", "type": "number"},
        {"id": "memo", "type": "text"},
        {"id": "big", "type": "integer"},
    ]
    plan = export.plan_for(build("t", fields, Spec()))
    try:
        text = b"".join(export._csv_chunks(duck, plan, ",", False)).decode()
        assert read_csv(text)[1:] == [
            ["1", "2024-05-01T10:20:30", "08:15:00", "true", "", "'\tx", "12345678901234567"],
            ["2", "", "", "false", "", "'\rcr", "-5"],
            ["3", "", "", "", "-1.5", "plain", ""],
        ]
        body = json.loads(b"".join(export._json_chunks(duck, plan, ckan=False)))
        assert body["records"][0] == {
            "_id": 1,
            "at": "2024-05-01T10:20:30",
            "clock": "08:15:00",
            "flag": True,
            "ratio": None,
            "memo": "\tx",
            "big": 12345678901234567,
        }
        assert body["records"][1]["ratio"] is None and body["records"][2]["ratio"] == -1.5
        ckan = json.loads(b"".join(export._json_chunks(duck, plan, ckan=True)))
        assert [f["type"] for f in ckan["fields"]] == [
            "int",
            "timestamp",
            "time",
            "bool",
            "numeric",
            "text",
            "int",
        ]
        assert ckan["records"][2] == [3, None, None, None, -1.5, "plain", None]
        xlsx = b"".join(export._xlsx_chunks(duck, plan, tmp_path))
        sheet = CalamineWorkbook.from_filelike(io.BytesIO(xlsx)).get_sheet_by_index(0).to_python()
        assert sheet[1][1] == dt.datetime(2024, 5, 1, 10, 20, 30)
        assert sheet[1][3] is True and sheet[1][4] == "" and sheet[1][6] == "12345678901234567"  # kept exact
        assert sheet[2][6] == -5 and sheet[3][4] == -1.5
    finally:
        duck.close()
