"""What the DataStore makes of the files publishers really upload: encodings, delimiters, types, layouts,
formats, a corpus of bad inputs, and new versions, all through the HTTP API of a running portal."""

from __future__ import annotations

import codecs
import datetime as dt
import json
import random
import time
from pathlib import Path
from typing import Any

import duckdb
import pytest

from tests.conftest import REAL_FILES, Portal
from tests.datastore_inputs_support import RepeatedBytes, ods_bytes, xlsx_bytes, zip_bomb

REAL = REAL_FILES

# ---------------------------------------------------------------- helpers


@pytest.fixture(scope="module", name="editor")
def editor_fixture(portal: Portal) -> tuple[str, str]:
    """One organization and its editor for the whole module (a new user per upload costs a password hash)."""
    org = portal.make_org()
    _name, token = portal.make_user(org=org)
    return org, token


def upload(portal: Portal, editor: tuple[str, str], body: bytes, filename: str) -> str:
    """Upload a file as a new resource of a new dataset, as Portal.upload does; the resource id."""
    org, token = editor
    name = portal.make_dataset(org)
    with portal.client(f"Bearer {token}") as http:
        r = http.post(f"/api/v1/datasets/{name}/resources/upload", files={"file": (filename, body)})
        assert r.status_code == 201, r.text
        return str(r.json()["id"])


def loaded(
    portal: Portal, editor: tuple[str, str], body: bytes, filename: str = "data.csv"
) -> tuple[str, str, dict[str, Any]]:
    """Upload and load a file that must load; (resource id, token, table info)."""
    resource_id, token = upload(portal, editor, body, filename), editor[1]
    job = portal.load_table(token, resource_id)
    assert job["status"] == "succeeded", job["error"]
    return resource_id, token, table_info(portal, token, resource_id)


def good_table(portal: Portal, editor: tuple[str, str]) -> tuple[str, str]:
    """A resource whose table (two rows of GOOD) was loaded by the load every upload queues."""
    resource_id, token = upload(portal, editor, GOOD, "data.csv"), editor[1]
    assert portal.wait_table(resource_id, token)["row_count"] == 2
    return resource_id, token


def table_info(portal: Portal, token: str, resource_id: str) -> dict[str, Any]:
    with portal.client(f"Bearer {token}") as http:
        r = http.get(f"/api/v1/datastore/{resource_id}/info")
        assert r.status_code == 200, r.text
        return dict(r.json())


def validated(portal: Portal, token: str, resource_id: str, timeout: float = 60) -> dict[str, Any]:
    """The table info once the row-by-row check (a job queued after the load) has added its findings."""
    deadline = time.monotonic() + timeout
    while True:
        info = table_info(portal, token, resource_id)
        if not info["report"].get("pending"):
            return info
        assert time.monotonic() < deadline, "the validation report stayed pending"
        time.sleep(0.1)


def query(portal: Portal, token: str, resource_id: str, **params: Any) -> dict[str, Any]:
    params.setdefault("limit", 1000)
    with portal.client(f"Bearer {token}") as http:
        r = http.get(f"/api/v1/datastore/{resource_id}", params=params)
        assert r.status_code == 200, r.text
        return dict(r.json())


def records(portal: Portal, token: str, resource_id: str, **params: Any) -> list[dict[str, Any]]:
    """The rows without the row id, in load order."""
    found = query(portal, token, resource_id, sort="_id", **params)["records"]
    return [{k: v for k, v in r.items() if k != "_id"} for r in found]


def types(info: dict[str, Any]) -> dict[str, str]:
    return {f["id"]: f["type"] for f in info["fields"]}


def finding_types(info: dict[str, Any]) -> set[str]:
    return {f["type"] for f in info["report"]["findings"]}


def replace_file(portal: Portal, token: str, resource_id: str, body: Any, filename: str) -> None:
    with portal.client(f"Bearer {token}") as http:
        http.timeout = 120
        r = http.post(f"/api/v1/resources/{resource_id}/upload", files={"file": (filename, body)})
        assert r.status_code == 200, r.text


# ---------------------------------------------------------------- 1. encodings

KK_HEADER = ["қала", "облыс", "халық"]
KK_ROWS = [
    ["Өскемен", "Шығыс Қазақстан облысы", 331614],
    ["Қарағанды", "Қарағанды облысы", 497777],
    ["Шымкент", "республикалық маңызы бар қала", 1222129],
    ["Ақтөбе", "Ақтөбе облысы", 548714],
    ["Москва", "Ресей, астана", 13010112],  # a comma inside a cell of a ;-separated file
]
RU_HEADER = ["город", "регион", "население"]
RU_ROWS = [
    ["Екатеринбург", "Свердловская область", 1544376],
    ["Шымкент", "Южно-Казахстанская область", 1222129],
    ["Алматы", "город республиканского значения", 2228675],
    ["Новосибирск", "Новосибирская область", 1633595],
]
FR_HEADER = ["ville", "région", "population"]
FR_ROWS = [
    ["Montréal", "Québec", 1762949],
    ["Trois-Rivières", "Québec", 139163],
    ["Lévis", "Québec", 149683],
    ["Saint-Étienne", "Auvergne-Rhône-Alpes", 172718],
]


def semicolons(header: list[str], rows: list[list[Any]]) -> str:
    return "\r\n".join(";".join(str(c) for c in line) for line in [header, *rows]) + "\r\n"


def as_records(header: list[str], rows: list[list[Any]]) -> list[dict[str, Any]]:
    return [dict(zip(header, row, strict=True)) for row in rows]


KK_TEXT = semicolons(KK_HEADER, KK_ROWS)
RU_TEXT = semicolons(RU_HEADER, RU_ROWS)
MIXED_LINES = [  # a file pasted together from a UTF-8 export and a Windows-1251 one
    ("город;число", "utf-8"),
    ("Өскемен;1", "utf-8"),
    ("Екатеринбург;2", "cp1251"),
    ("Ақтөбе;3", "utf-8"),
    ("Новосибирск;4", "cp1251"),
]
ENCODINGS = [
    pytest.param(KK_TEXT.encode("utf-8"), KK_HEADER, KK_ROWS, "utf-8", id="utf-8"),
    pytest.param(KK_TEXT.encode("utf-8-sig"), KK_HEADER, KK_ROWS, "utf-8-sig", id="utf-8-bom"),
    pytest.param(
        codecs.BOM_UTF16_LE + KK_TEXT.encode("utf-16-le"), KK_HEADER, KK_ROWS, "utf-16", id="utf-16-le-bom"
    ),
    pytest.param(
        codecs.BOM_UTF16_BE + KK_TEXT.encode("utf-16-be"), KK_HEADER, KK_ROWS, "utf-16", id="utf-16-be-bom"
    ),
    pytest.param(KK_TEXT.encode("utf-16-le"), KK_HEADER, KK_ROWS, "utf-16-le", id="utf-16-le-no-bom"),
    pytest.param(
        RU_TEXT.replace("\r\n", "\n").encode("utf-16-le"),
        RU_HEADER,
        RU_ROWS,
        "utf-16-le",
        id="utf-16-le-no-bom-mostly-cyrillic",
    ),
    pytest.param(RU_TEXT.encode("cp1251"), RU_HEADER, RU_ROWS, "cp1251", id="windows-1251-russian"),
    pytest.param(KK_TEXT.encode("kz1048"), KK_HEADER, KK_ROWS, "kz1048", id="kz-1048-kazakh"),
    pytest.param(RU_TEXT.encode("koi8-r"), RU_HEADER, RU_ROWS, "koi8-r", id="koi8-r-russian"),
    pytest.param(
        semicolons(FR_HEADER, FR_ROWS).encode("cp1252"),
        FR_HEADER,
        FR_ROWS,
        "cp1252",
        id="windows-1252-french",
    ),
    pytest.param(
        b"".join(text.encode(enc) + b"\n" for text, enc in MIXED_LINES),
        ["город", "число"],
        [[t.split(";")[0], int(t.split(";")[1])] for t, _e in MIXED_LINES[1:]],
        "utf-8",
        id="mixed-utf-8-and-windows-1251-lines",
    ),
]


@pytest.mark.parametrize(("body", "header", "rows", "encoding"), ENCODINGS)
def test_text_in_every_encoding_comes_back_exactly(
    portal: Portal,
    editor: tuple[str, str],
    body: bytes,
    header: list[str],
    rows: list[list[Any]],
    encoding: str,
) -> None:
    resource_id, token, info = loaded(portal, editor, body, "города.csv")
    assert records(portal, token, resource_id) == as_records(header, rows)
    assert [f["id"] for f in info["fields"]] == header
    assert info["encoding"] == encoding and info["delimiter"] == ";"
    if encoding == "utf-8" and len(header) == 2:  # the mixed file says which lines were not UTF-8
        assert "encoding" in finding_types(info)


# ---------------------------------------------------------------- 2. delimiters and quoting

DELIMITED = [
    pytest.param("a,b,c\n1,Өскемен,x\n2,Ақтөбе,y\n", "data.csv", ",", id="comma"),
    pytest.param("a;b;c\n1;Өскемен;x\n2;Ақтөбе;y\n", "data.csv", ";", id="semicolon"),
    pytest.param("a\tb\tc\n1\tӨскемен\tx\n2\tАқтөбе\ty\n", "data.tsv", "\t", id="tab-tsv"),
    pytest.param("a|b|c\n1|Өскемен|x\n2|Ақтөбе|y\n", "data.csv", "|", id="pipe"),
]


@pytest.mark.parametrize(("text", "filename", "delimiter"), DELIMITED)
def test_the_delimiter_is_found(
    portal: Portal, editor: tuple[str, str], text: str, filename: str, delimiter: str
) -> None:
    resource_id, token, info = loaded(portal, editor, text.encode(), filename)
    assert info["delimiter"] == delimiter
    assert records(portal, token, resource_id) == [
        {"a": 1, "b": "Өскемен", "c": "x"},
        {"a": 2, "b": "Ақтөбе", "c": "y"},
    ]


QUOTED = [pytest.param(",", id="comma"), pytest.param("\t", id="tab")]


@pytest.mark.parametrize("delimiter", QUOTED)
def test_quoted_fields_keep_delimiters_newlines_and_quotes(
    portal: Portal, editor: tuple[str, str], delimiter: str
) -> None:
    d = delimiter
    text = (
        f"name{d}comment{d}n\r\n"
        f'"Алматы{d} центр"{d}"бірінші жол\r\nекінші жол"{d}1\r\n'
        f'"Say ""сәлем"""{d}plain{d}2\r\n'
        f"Шымкент{d}{d}3\r\n"
    )
    resource_id, token, info = loaded(portal, editor, text.encode(), "data.tsv" if d == "\t" else "data.csv")
    assert info["delimiter"] == d and info["row_count"] == 3
    assert records(portal, token, resource_id) == [
        {"name": f"Алматы{d} центр", "comment": "бірінші жол\r\nекінші жол", "n": 1},
        {"name": 'Say "сәлем"', "comment": "plain", "n": 2},
        {"name": "Шымкент", "comment": None, "n": 3},
    ]


# ---------------------------------------------------------------- 3. types

TYPE_COLUMNS = [
    "id",
    "neg",
    "dec_comma",
    "dec_space",
    "dec_point",
    "d_dot",
    "d_iso",
    "d_slash",
    "ts",
    "flag",
    "code",
    "bin",
    "iin",
    "with_missing",
    "bad_num",
]
TYPE_ROWS = 600
BAD_ROW = 500  # the 500th data row holds "abc" in bad_num: line 501 of the file, after the header


def _type_row(i: int) -> list[str]:
    day = dt.date(2024, 1, 1) + dt.timedelta(days=i)
    missing = {3: "n/a", 4: "-"}.get(i, str(i * 10))
    return [
        str(i),
        str(i if i % 2 else -i),
        f"{i},5",
        format(i * 1234, ",").replace(",", " ") + ",5",
        f"{i}.75",
        f"{day:%d.%m.%Y}",
        f"{day:%Y-%m-%d}",
        f"{day:%d/%m/%Y}",
        f"2024-01-02 10:30:{i % 60:02d}",
        "true" if i % 2 else "false",
        f"{i:03d}",
        str(123456789011 + i),
        f"{i % 100:02d}0203{i:06d}",  # IIN-like: born in 2001-2009 starts with 0
        missing,
        "abc" if i == BAD_ROW else str(i * 2),
    ]


def types_csv() -> bytes:
    lines = [";".join(TYPE_COLUMNS)] + [";".join(_type_row(i)) for i in range(1, TYPE_ROWS + 1)]
    return ("\n".join(lines) + "\n").encode()


def test_column_types_are_recognised_and_a_bad_value_is_reported_with_row_and_column(
    portal: Portal, editor: tuple[str, str]
) -> None:
    resource_id, token, info = loaded(portal, editor, types_csv())
    assert info["row_count"] == TYPE_ROWS
    assert types(info) == {
        "id": "integer",
        "neg": "integer",
        "dec_comma": "number",
        "dec_space": "number",
        "dec_point": "number",
        "d_dot": "date",
        "d_iso": "date",
        "d_slash": "date",
        "ts": "datetime",
        "flag": "boolean",
        "code": "text",  # "007": leading zeros are kept
        "bin": "integer",  # 12 digits without a leading zero: a number (filtering by it still works)
        "iin": "text",  # 12 digits, some with a leading zero: kept as text
        "with_missing": "integer",  # "n/a" and "-" are missing values
        "bad_num": "text",  # "abc" in row 500
    }
    rows = records(portal, token, resource_id, limit=10)
    assert rows[0] == {
        "id": 1,
        "neg": 1,
        "dec_comma": 1.5,
        "dec_space": 1234.5,  # "1 234,5"
        "dec_point": 1.75,
        "d_dot": "2024-01-02",
        "d_iso": "2024-01-02",
        "d_slash": "2024-01-02",
        "ts": "2024-01-02T10:30:01",
        "flag": True,
        "code": "001",
        "bin": 123456789012,
        "iin": "010203000001",
        "with_missing": 10,
        "bad_num": "2",
    }
    assert rows[1]["neg"] == -2 and rows[1]["flag"] is False
    assert rows[2]["with_missing"] is None and rows[3]["with_missing"] is None  # "n/a", "-"
    assert rows[6]["code"] == "007"
    twelve = query(portal, token, resource_id, filters=json.dumps({"dec_comma": 12.5}))["records"]
    assert [r["id"] for r in twelve] == [12]
    by_bin = query(portal, token, resource_id, filters=json.dumps({"bin": "123456789012"}))
    assert by_bin["total"] == 1 and by_bin["records"][0]["id"] == 1
    bad = query(portal, token, resource_id, filters=json.dumps({"bad_num": "abc"}))["records"]
    assert [r["id"] for r in bad] == [BAD_ROW]
    report = info["report"]
    assert report["valid"] is False
    errors = [f for f in report["findings"] if f["type"] == "type-error" and f["column"] == "bad_num"]
    assert [(f["row"], f["cell"]) for f in errors] == [(BAD_ROW + 1, "abc")]  # row = line of the file
    assert "bad_num" in errors[0]["message"] and "abc" in errors[0]["message"]


def test_codes_with_leading_zeros_are_not_reported_as_type_errors(
    portal: Portal, editor: tuple[str, str]
) -> None:
    """IINs of people born in 2000-2009 start with 0; "007" is a code. Such columns are text by nature, so
    their values are not errors for the publisher to "correct"."""
    _rid, _token, info = loaded(portal, editor, types_csv())
    assert types(info)["iin"] == "text" and types(info)["code"] == "text"
    flagged = [f for f in info["report"]["findings"] if f.get("column") in ("iin", "code")]
    assert flagged == []


# ---------------------------------------------------------------- 4. layout


def test_title_and_unit_lines_above_the_header_are_skipped(portal: Portal, editor: tuple[str, str]) -> None:
    text = (
        "Численность населения по регионам на начало года\r\n"
        ";;человек\r\n"
        "Регион;2023;2024\r\n"
        "Республика Казахстан;19766807;20033842\r\n"
        "Абай;;607377\r\n"
        "Ақмола;785442;786826\r\n"
    )
    resource_id, token, info = loaded(portal, editor, text.encode("utf-8"))
    assert [f["id"] for f in info["fields"]] == ["Регион", "2023", "2024"]
    assert types(info) == {"Регион": "text", "2023": "integer", "2024": "integer"}
    assert info["reading"]["header_row"] == 3
    assert "title-rows" in finding_types(info)
    assert records(portal, token, resource_id) == [
        {"Регион": "Республика Казахстан", "2023": 19766807, "2024": 20033842},
        {"Регион": "Абай", "2023": None, "2024": 607377},
        {"Регион": "Ақмола", "2023": 785442, "2024": 786826},
    ]


LAYOUTS = [
    pytest.param(
        "1,2,3\n4,5,6\n",
        [
            {"column_1": 1, "column_2": 2, "column_3": 3},
            {"column_1": 4, "column_2": 5, "column_3": 6},
        ],
        set(),
        id="no-header",
    ),
    pytest.param(
        "a,a,b\n1,2,3\n",
        [{"a": 1, "a_2": 2, "b": 3}],
        {"duplicate-label"},
        id="duplicate-headers",
    ),
    pytest.param(
        "a,,c\n1,2,3\n",
        [{"a": 1, "column_2": 2, "c": 3}],
        {"blank-label"},
        id="blank-header",
    ),
    pytest.param(
        "a,b,c\n1,2\n3,4,5,6\n7,8,9\n",
        [{"a": 1, "b": 2, "c": None}, {"a": 3, "b": 4, "c": 5}, {"a": 7, "b": 8, "c": 9}],
        {"extra-cell"},
        id="ragged-rows",
    ),
    pytest.param(
        "a,b\n1,x\n\n,\n2,y\n",
        [{"a": 1, "b": "x"}, {"a": 2, "b": "y"}],
        {"blank-row"},
        id="blank-lines-in-the-middle",
    ),
]


@pytest.mark.parametrize(("text", "expected", "reported"), LAYOUTS)
def test_layout_faults_are_read_and_reported(
    portal: Portal, editor: tuple[str, str], text: str, expected: list[dict[str, Any]], reported: set[str]
) -> None:
    resource_id, token, _info = loaded(portal, editor, text.encode())
    info = validated(portal, token, resource_id)
    assert records(portal, token, resource_id) == expected
    assert [f["id"] for f in info["fields"]] == list(expected[0])
    assert reported <= finding_types(info), info["report"]
    assert info["report"]["valid"] is (not reported - {"blank-row"})  # empty rows are left out: a note


def test_ragged_rows_are_reported_by_row(portal: Portal, editor: tuple[str, str]) -> None:
    resource_id, token, _info = loaded(portal, editor, b"a,b,c\n1,2\n3,4,5,6\n7,8,9\n")
    info = validated(portal, token, resource_id)
    extra = [f for f in info["report"]["findings"] if f["type"] == "extra-cell"]
    assert [f["row"] for f in extra] == [3]  # line 3: the header is line 1
    short = [f for f in info["report"]["findings"] if f["type"] == "missing-cell"]
    assert [f["row"] for f in short] == [2]


# ---------------------------------------------------------------- 5. formats


def test_the_stat_gov_kz_schools_workbook_skips_its_titles_and_keeps_year_columns(
    portal: Portal, editor: tuple[str, str]
) -> None:
    body = (REAL / "kz_stat_general_schools_by_region.xlsx").read_bytes()
    resource_id, token, info = loaded(portal, editor, body, "schools.xlsx")
    names = [f["id"] for f in info["fields"]]
    assert names[0] == "column_1" and names[1] == "2000/01" and names[-1] == "2022/23" and len(names) == 24
    # the header is row 7 of the sheet, as Excel numbers it: four empty rows, the title, the unit
    assert info["reading"]["header_row"] == 7 and "title-rows" in finding_types(info)
    assert types(info)["2000/01"] == "integer"
    found = records(portal, token, resource_id, filters=json.dumps({"column_1": "Республика Казахстан"}))
    assert found[0]["2000/01"] == 8353 and found[0]["2022/23"] == 7687
    abai = records(portal, token, resource_id, filters=json.dumps({"column_1": "Абай"}))
    assert abai[0]["2000/01"] is None and abai[0]["2022/23"] == 318


def test_the_legacy_xls_budget_table_skips_its_titles_and_reads_dashes_as_missing(
    portal: Portal, editor: tuple[str, str]
) -> None:
    body = (REAL / "kz_stat_env_protection_current_expenditure_by_region.xls").read_bytes()
    resource_id, token, info = loaded(portal, editor, body, "eco.xls")
    names = [f["id"] for f in info["fields"]]
    assert names == ["column_1", *[str(y) for y in range(2005, 2023)]]
    assert info["reading"]["header_row"] == 3 and info["row_count"] == 22
    assert types(info)["2005"] == "number"
    total = records(portal, token, resource_id, filters=json.dumps({"column_1": "Республика Казахстан"}))
    assert total[0]["2005"] == 43558237.5 and total[0]["2022"] == 284853377
    abai = records(portal, token, resource_id, filters=json.dumps({"column_1": "Абай"}))
    assert abai[0]["2005"] is None and abai[0]["2022"] == 4569245


def test_a_data_egov_kz_answer_loads_its_list_of_records(portal: Portal, editor: tuple[str, str]) -> None:
    body = (REAL / "kz_egov_medical_waste_by_region.json").read_bytes()
    resource_id, token, info = loaded(portal, editor, body, "medical_waste.json")
    assert info["row_count"] == 17
    assert types(info)["id"] == "integer" and types(info)["volume_a"] == "number"
    first = records(portal, token, resource_id, limit=1)[0]
    assert first["region_kz"] == "Ақмола облысы" and first["region_ru"] == "Акмолинская область"
    assert first["volume_a"] == 22463.64 and first["id"] == 103


def test_a_json_array_of_records_loads(portal: Portal, editor: tuple[str, str]) -> None:
    body = (REAL / "kz_egov_dataset_stats_by_central_agency.json").read_bytes()
    resource_id, token, info = loaded(portal, editor, body, "agencies.json")
    assert info["row_count"] == 32 and types(info)["allDatasetsCount"] == "integer"
    first = records(portal, token, resource_id, limit=1)[0]
    assert first["nameKk"] == "ҚР СЖРЖА" and first["allDatasetsCount"] == 384


@pytest.mark.parametrize("filename", ["data.ndjson", "data.jsonl"])
def test_newline_delimited_json_loads(portal: Portal, editor: tuple[str, str], filename: str) -> None:
    lines = [
        {"city": "Өскемен", "n": 1, "share": 0.5, "day": "2024-01-02"},
        {"city": "Қарағанды", "n": 2, "share": 1.25, "day": "2024-02-29"},
        {"city": "Ақтөбе", "n": 3, "share": None, "day": "2023-12-31"},
    ]
    body = "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines).encode()
    resource_id, token, info = loaded(portal, editor, body, filename)
    assert types(info) == {"city": "text", "n": "integer", "share": "number", "day": "date"}
    assert records(portal, token, resource_id) == lines


def test_a_parquet_file_written_by_duckdb_loads(
    portal: Portal, editor: tuple[str, str], tmp_path: Path
) -> None:
    target = tmp_path / "x.parquet"
    with duckdb.connect() as con:
        con.execute(
            "COPY (SELECT * FROM (VALUES (1, 'Өскемен', 12.5::DOUBLE, DATE '2024-01-02', TRUE), "
            "(2, 'Ақтөбе', -3.25::DOUBLE, DATE '2023-12-31', FALSE)) t(n, city, amount, day, flag)) "
            f"TO '{target}' (FORMAT parquet)"
        )
    resource_id, token, info = loaded(portal, editor, target.read_bytes(), "x.parquet")
    assert types(info) == {
        "n": "integer",
        "city": "text",
        "amount": "number",
        "day": "date",
        "flag": "boolean",
    }
    assert records(portal, token, resource_id) == [
        {"n": 1, "city": "Өскемен", "amount": 12.5, "day": "2024-01-02", "flag": True},
        {"n": 2, "city": "Ақтөбе", "amount": -3.25, "day": "2023-12-31", "flag": False},
    ]


def test_a_hand_built_ods_loads(portal: Portal, editor: tuple[str, str]) -> None:
    body = ods_bytes(
        [
            ["қала", "саны", "үлес", "күні"],
            ["Өскемен", 331614, 12.5, dt.date(2024, 1, 2)],
            ["Қарағанды", 497777, 0.25, dt.date(2024, 2, 29)],
        ]
    )
    resource_id, token, info = loaded(portal, editor, body, "cities.ods")
    assert info["reading"]["format"] == "ods" and info["reading"]["sheet"] == "Лист1"
    assert types(info) == {"қала": "text", "саны": "integer", "үлес": "number", "күні": "date"}
    assert records(portal, token, resource_id) == [
        {"қала": "Өскемен", "саны": 331614, "үлес": 12.5, "күні": "2024-01-02"},
        {"қала": "Қарағанды", "саны": 497777, "үлес": 0.25, "күні": "2024-02-29"},
    ]


def test_an_xlsx_from_xlsxwriter_keeps_its_date_and_float_cells(
    portal: Portal, editor: tuple[str, str], tmp_path: Path
) -> None:
    resource_id, token, info = loaded(portal, editor, xlsx_bytes(tmp_path / "cities.xlsx"), "cities.xlsx")
    assert info["reading"]["format"] == "xlsx" and info["reading"]["sheet"] == "Деректер"
    assert types(info) == {"қала": "text", "саны": "integer", "үлес": "number", "күні": "date"}
    assert records(portal, token, resource_id) == [
        {"қала": "Өскемен", "саны": 331614, "үлес": 12.5, "күні": "2024-01-02"},
        {"қала": "Қарағанды", "саны": 497777, "үлес": 0.25, "күні": "2024-02-29"},
        {"қала": "Ақтөбе", "саны": 548714, "үлес": 3.75, "күні": "2023-12-31"},
    ]


# ---------------------------------------------------------------- 6. bad inputs

GOOD = "region;amount\nӨскемен;1\nАқтөбе;2\n".encode()
BIG_LINE_BYTES = 100 * 1024 * 1024  # the upload limit in tests is 2 GiB (Settings.max_upload_bytes)


def _ten_thousand_columns() -> bytes:
    header = ",".join(f"c{i}" for i in range(1, 10_001))
    row = ",".join(str(i) for i in range(1, 10_001))
    return f"{header}\n{row}\n".encode()


def _damaged_xlsx(tmp: Path) -> bytes:
    whole = xlsx_bytes(tmp / "whole.xlsx")
    return whole[: len(whole) // 2]


def _zip_bomb(tmp: Path) -> bytes:
    path = tmp / "bomb.xlsx"
    zip_bomb(path, 1024**3 + 64 * 1024**2)  # 1.06 GiB of zeros
    return path.read_bytes()


BAD_INPUTS = [
    pytest.param(lambda _t: b"\n\r\n  \n", "data.csv", ["empty"], id="blank-lines-only"),
    pytest.param(
        lambda _t: random.Random(20240102).randbytes(64 * 1024), "data.csv", ["binary"], id="binary-junk-csv"
    ),
    pytest.param(
        lambda _t: _ten_thousand_columns(), "wide.csv", ["10,000 columns", "1,600"], id="10000-columns"
    ),
    pytest.param(_zip_bomb, "bomb.xlsx", ["unpacks", "not opened"], id="xlsx-zip-bomb"),
    pytest.param(_damaged_xlsx, "cut.xlsx", ["damaged"], id="truncated-xlsx"),
    pytest.param(
        lambda _t: b'{"data": [{"a": 1}, {"a": 2', "data.json", ["not valid JSON"], id="json-cut-object"
    ),
    pytest.param(
        lambda _t: b'[{"a": 1}, {"a": ', "data.json", ["could not be read as a JSON"], id="json-cut-array"
    ),
    pytest.param(lambda _t: b"this is not JSON at all\n", "data.json", ["JSON"], id="json-plain-text"),
    pytest.param(
        lambda _t: b'{"title": "Report", "total": 2, "meta": {"page": 1}}',
        "data.json",
        ["without a list of records"],
        id="json-object-without-a-list",
    ),
]


def _assert_refused_and_the_last_table_answers(
    portal: Portal, editor: tuple[str, str], body: Any, filename: str, words: list[str]
) -> dict[str, Any]:
    resource_id, token = good_table(portal, editor)
    replace_file(portal, token, resource_id, body, filename)
    job = portal.load_table(token, resource_id)
    assert job["status"] == "failed", job
    for word in words:
        assert word.lower() in job["error"].lower(), job["error"]
    with portal.client() as anon:
        assert anon.get("/api/v1/status").status_code == 200
    assert records(portal, token, resource_id) == [
        {"region": "Өскемен", "amount": 1},
        {"region": "Ақтөбе", "amount": 2},
    ]
    return job


@pytest.mark.parametrize(("make", "filename", "words"), BAD_INPUTS)
def test_a_bad_new_version_fails_clearly_and_the_last_table_still_answers(
    portal: Portal, editor: tuple[str, str], tmp_path: Path, make: Any, filename: str, words: list[str]
) -> None:
    job = _assert_refused_and_the_last_table_answers(portal, editor, make(tmp_path), filename, words)
    if filename == "bomb.xlsx":  # refused from the zip's directory, not by unpacking a gigabyte
        took = dt.datetime.fromisoformat(job["finished_at"]) - dt.datetime.fromisoformat(job["started_at"])
        assert took < dt.timedelta(seconds=5)


def test_an_empty_new_version_is_refused_at_upload_and_the_last_table_still_answers(
    portal: Portal, editor: tuple[str, str]
) -> None:
    """An empty file never reaches the loader: the upload itself answers 422."""
    resource_id, token = good_table(portal, editor)
    with portal.client(f"Bearer {token}") as http:
        r = http.post(f"/api/v1/resources/{resource_id}/upload", files={"file": ("data.csv", b"")})
        assert r.status_code == 422 and "empty" in r.json()["detail"], r.text
        assert http.get("/api/v1/status").status_code == 200
    assert records(portal, token, resource_id) == [
        {"region": "Өскемен", "amount": 1},
        {"region": "Ақтөбе", "amount": 2},
    ]


def test_a_single_100_mb_line_is_refused_as_too_long(portal: Portal, editor: tuple[str, str]) -> None:
    body = RepeatedBytes(b"0123456789abcdef", BIG_LINE_BYTES)  # streamed: never held in memory here
    _assert_refused_and_the_last_table_answers(portal, editor, body, "long.csv", ["longer than 16 MB"])


def test_a_header_without_rows_loads_empty_and_says_so(portal: Portal, editor: tuple[str, str]) -> None:
    resource_id, token, info = loaded(portal, editor, "қала;халық\n".encode())
    assert info["row_count"] == 0 and [f["id"] for f in info["fields"]] == ["қала", "халық"]
    assert records(portal, token, resource_id) == []
    no_rows = [f for f in info["report"]["findings"] if f["type"] == "no-rows"]
    assert no_rows and "no rows" in no_rows[0]["message"]
    assert info["report"]["rows"] == 0 and info["report"]["counts"]["no-rows"] == 1


# ---------------------------------------------------------------- 7. versions


def test_a_new_version_replaces_the_rows(portal: Portal, editor: tuple[str, str]) -> None:
    resource_id, token = good_table(portal, editor)
    replace_file(portal, token, resource_id, "region;amount;year\nШымкент;7;2024\n".encode(), "v2.csv")
    job = portal.load_table(token, resource_id)
    assert job["status"] == "succeeded", job["error"]
    assert records(portal, token, resource_id) == [{"region": "Шымкент", "amount": 7, "year": 2024}]
    assert [f["id"] for f in table_info(portal, token, resource_id)["fields"]] == ["region", "amount", "year"]


def test_the_resource_counts_its_two_versions(portal: Portal, editor: tuple[str, str]) -> None:
    resource_id, token = good_table(portal, editor)
    replace_file(portal, token, resource_id, b"region;amount\nX;3\n", "v2.csv")
    with portal.client(f"Bearer {token}") as http:
        resource = http.get(f"/api/v1/resources/{resource_id}").json()
        dataset = http.get(f"/api/v1/datasets/{resource['dataset_id']}").json()
    in_dataset = next(r for r in dataset["resources"] if r["id"] == resource_id)
    assert in_dataset["version_count"] == 2
    assert resource["version_count"] == 2
