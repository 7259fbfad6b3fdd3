"""CKAN's DataStore API against Derek: the test vectors of the contract (api-contract.md 3.10), the real
`ckanapi` command line and RemoteCKAN, who may read and write which table, and one transaction per write."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import ckanapi
import httpx
import pytest

from tests.conftest import Portal, start_portal
from tests.contract.conftest import Cast

CKANAPI = Path(sys.executable).parent / "ckanapi"
CSV = b"region,people,founded\nAlmaty,2228000,1854-02-04\nAstana,1354000,1830-01-01\nShymkent,1200000,\n"


def _dataset(cast: Cast, *, private: bool = False) -> dict[str, Any]:
    editor = cast.ckan(cast.editor_token)
    return editor.action.package_create(name=cast.portal.unique("ds"), owner_org=cast.org, private=private)


def _table(cast: Cast, records: list[dict[str, Any]], *, private: bool = False, **params: Any) -> str:
    """A new url_type "datastore" resource with a table made by datastore_create; its id."""
    package = _dataset(cast, private=private)
    created = cast.ckan(cast.editor_token).action.datastore_create(
        resource={"package_id": package["id"], "name": "table"}, records=records, **params
    )
    cast.portal.wait_checked(created["resource_id"])  # a new table reaches the public once checked
    return str(created["resource_id"])


def _call(portal: Portal, name: str, token: str | None = None, **params: Any) -> httpx.Response:
    """A GET of the action (the query string as a browser or curl sends it)."""
    with portal.client(token) as http:
        return http.get(f"/api/3/action/{name}", params=params)


def _post(portal: Portal, name: str, token: str | None = None, **data: Any) -> httpx.Response:
    with portal.client(token) as http:
        return http.post(f"/api/3/action/{name}", json=data)


@pytest.fixture(scope="module")
def vectors(cast: Cast) -> str:
    """The table of the contract's test vectors: created from records without fields."""
    return _table(cast, [{"a": 1, "b": "xyz"}, {"a": 2, "b": "abc"}, {"a": 3, "b": "zzz"}])


# ---------------------------------------------------------------- the contract's test vectors (3.10)


def test_1_create_guesses_types_from_the_first_record_and_numbers_rows_from_1(cast: Cast) -> None:
    resource_id = _table(cast, [{"a": 1, "b": "xyz"}])
    found = cast.ckan().action.datastore_search(resource_id=resource_id)
    assert found["fields"] == [
        {"id": "_id", "type": "int"},
        {"id": "a", "type": "int4"},
        {"id": "b", "type": "text"},
    ]
    assert found["records"] == [{"_id": 1, "a": 1, "b": "xyz"}]


def test_2_limit_1_gives_one_record_and_the_full_total(cast: Cast, vectors: str) -> None:
    found = cast.ckan().action.datastore_search(resource_id=vectors, limit=1)
    assert len(found["records"]) == 1 and found["total"] == 3 and found["limit"] == 1
    assert found["total_was_estimated"] is False


def test_3_a_limit_over_the_maximum_is_clamped_and_echoed(cast: Cast, vectors: str) -> None:
    assert cast.ckan().action.datastore_search(resource_id=vectors, limit=100000)["limit"] == 32000
    assert cast.ckan().action.datastore_search(resource_id=vectors)["limit"] == 100


def test_4_a_list_in_filters_means_in(cast: Cast, vectors: str) -> None:
    found = cast.ckan().action.datastore_search(resource_id=vectors, filters={"b": ["xyz", "zzz"]})
    assert [r["b"] for r in found["records"]] == ["xyz", "zzz"] and found["total"] == 2
    assert found["filters"] == {"b": ["xyz", "zzz"]}


def test_5_q_adds_a_float_rank_column(cast: Cast, vectors: str) -> None:
    found = cast.ckan().action.datastore_search(resource_id=vectors, q="xyz")
    assert {"id": "rank", "type": "float"} in found["fields"]
    assert [(r["b"], r["rank"]) for r in found["records"]] == [("xyz", 1.0)] and found["total"] == 1


def test_6_csv_records_are_one_string_without_a_header(cast: Cast, vectors: str) -> None:
    found = cast.ckan().action.datastore_search(resource_id=vectors, records_format="csv", sort="a desc")
    assert found["records"] == "3,3,zzz\n2,2,abc\n1,1,xyz\n"
    assert [f["id"] for f in found["fields"]] == ["_id", "a", "b"]


def test_7_an_unknown_column_is_409_and_an_unknown_resource_404(cast: Cast, vectors: str) -> None:
    portal = cast.portal
    bad = _call(portal, "datastore_search", resource_id=vectors, fields="a,nope")
    assert bad.status_code == 409
    assert bad.json()["error"] == {"__type": "Validation Error", "fields": ['invalid value "nope"']}
    for param, value in (("filters", '{"nope": 1}'), ("sort", "nope desc")):
        r = _call(portal, "datastore_search", resource_id=vectors, **{param: value})
        assert r.status_code == 409 and param in r.json()["error"], r.text
    missing = _call(portal, "datastore_search", resource_id="no-such-resource")
    assert missing.status_code == 404
    assert missing.json()["error"] == {
        "__type": "Not Found Error",
        "message": 'Not found: Resource "no-such-resource" was not found.',
    }
    with pytest.raises(ckanapi.NotFound):
        cast.ckan().action.datastore_search(resource_id="no-such-resource")


def test_8_delete_without_filters_drops_the_table(cast: Cast) -> None:
    resource_id = _table(cast, [{"a": 1}])
    editor = cast.ckan(cast.editor_token)
    assert editor.action.resource_show(id=resource_id)["datastore_active"] is True
    assert editor.action.datastore_delete(resource_id=resource_id) == {"resource_id": resource_id}
    with pytest.raises(ckanapi.NotFound):
        cast.ckan().action.datastore_search(resource_id=resource_id)
    shown = editor.action.resource_show(id=resource_id)
    assert shown["datastore_active"] is False and shown["url_type"] == "datastore"


def test_9_search_sql_is_on_here_and_an_unknown_action_when_switched_off(
    cast: Cast, vectors: str, no_sql_portal: Portal
) -> None:
    found = cast.ckan().action.datastore_search_sql(sql=f'SELECT b FROM "{vectors}" WHERE a >= 2 ORDER BY a')
    assert found["records"] == [{"b": "abc"}, {"b": "zzz"}] and found["fields"] == [
        {"id": "b", "type": "text"}
    ]
    assert "records_truncated" not in found
    off = _call(no_sql_portal, "datastore_search_sql", sql="SELECT 1")
    assert (
        off.status_code == 400 and off.json() == "Bad request - Action name not known: datastore_search_sql"
    )
    assert _call(no_sql_portal, "datastore_search", resource_id="x").status_code == 404  # the rest is there
    with no_sql_portal.client() as http:
        native = http.get("/api/v1/datastore/sql", params={"sql": "SELECT 1"})
        assert native.status_code == 404 and "does not offer DataStore SQL" in native.json()["detail"]


@pytest.fixture(scope="module")
def no_sql_portal(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Portal]:
    """A second real server with DEREK_DATASTORE_SQL off (as conftest's start_portal)."""
    yield from start_portal(tmp_path_factory.mktemp("nosql"), datastore_sql=False)


# ---------------------------------------------------------------- ckanapi, as a CKAN user runs it


def test_ckanapi_cli_searches_a_loaded_file_with_filters(cast: Cast) -> None:
    resource_id, _token = cast.portal.upload(CSV, "cities.csv")
    cast.portal.wait_table(resource_id)
    env = {**os.environ, "NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost"}
    command = [
        str(CKANAPI),
        "action",
        "datastore_search",
        f"resource_id={resource_id}",
        'filters={"region": ["Almaty", "Astana"]}',
        "limit=1",
        "-r",
        cast.portal.base_url,
    ]
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["fields"] == [
        {"id": "_id", "type": "int"},
        {"id": "region", "type": "text"},
        {"id": "people", "type": "int8"},
        {"id": "founded", "type": "date"},
    ]
    assert result["records"] == [{"_id": 1, "region": "Almaty", "people": 2228000, "founded": "1854-02-04"}]
    assert result["total"] == 2 and result["limit"] == 1
    assert result["_links"] == {
        "start": "/api/action/datastore_search",
        "next": "/api/action/datastore_search?offset=1",
    }


def test_ckanapi_creates_upserts_and_searches_with_a_primary_key(cast: Cast) -> None:
    editor = cast.ckan(cast.editor_token)
    package = _dataset(cast)
    created = editor.action.datastore_create(
        resource={"package_id": package["id"], "name": "Rates"},
        fields=[
            {"id": "code", "type": "text", "info": {"label": "Currency", "notes": "ISO 4217"}},
            {"id": "rate", "type": "numeric"},
            {"id": "day", "type": "date"},
            {"id": "at", "type": "timestamp"},
            {"id": "open", "type": "bool"},
            {"id": "extra", "type": "json"},
        ],
        primary_key=["code"],
        records=[
            {"code": "USD", "rate": "470.5", "day": "2024-05-01", "at": "2024-05-01T10:00:00", "open": True},
            {"code": "EUR", "rate": 505, "day": "2024-05-01", "extra": {"source": "nbk", "n": [1, 2]}},
        ],
    )
    resource_id = created["resource_id"]
    cast.portal.wait_checked(resource_id)  # a new table reaches the public once checked
    assert created["method"] == "insert" and created["primary_key"] == ["code"] and "records" not in created
    assert created["resource"]["url_type"] == "datastore" and created["resource"]["datastore_active"] is True
    assert created["resource"]["url"].endswith(f"/datastore/dump/{resource_id}")
    editor.action.datastore_upsert(
        resource_id=resource_id,
        records=[{"code": "USD", "rate": 471}, {"code": "KZT", "rate": 1, "open": "false"}],
    )
    editor.action.datastore_upsert(
        resource_id=resource_id, method="update", records=[{"_id": 2, "open": True}]
    )
    found = cast.ckan().action.datastore_search(resource_id=resource_id, sort="code")
    assert found["fields"][1:] == [
        {"id": "code", "type": "text", "info": {"label": "Currency", "notes": "ISO 4217"}},
        {"id": "rate", "type": "numeric"},
        {"id": "day", "type": "date"},
        {"id": "at", "type": "timestamp"},
        {"id": "open", "type": "bool"},
        {"id": "extra", "type": "json"},
    ]
    usd = {"day": "2024-05-01", "at": "2024-05-01T10:00:00", "open": True, "extra": None}
    assert found["records"] == [
        {"_id": 2, "code": "EUR", "rate": 505.0, "day": "2024-05-01", "at": None, "open": True,
         "extra": {"source": "nbk", "n": [1, 2]}},
        {"_id": 3, "code": "KZT", "rate": 1.0, "day": None, "at": None, "open": False, "extra": None},
        {"_id": 1, "code": "USD", "rate": 471.0, **usd},
    ]  # fmt: skip
    assert found["total"] == 3
    with pytest.raises(ckanapi.ValidationError) as missing:
        editor.action.datastore_upsert(resource_id=resource_id, method="update", records=[{"code": "GBP"}])
    assert missing.value.error_dict["key"] == ['key "{"code": "GBP"}" not found']
    with pytest.raises(ckanapi.ValidationError) as duplicate:
        editor.action.datastore_upsert(resource_id=resource_id, method="insert", records=[{"code": "USD"}])
    assert duplicate.value.error_dict["constraints"] == [
        "Cannot insert records or create index because of uniqueness constraint"
    ]
    info = cast.ckan().action.datastore_info(id=resource_id)
    assert info["meta"]["count"] == 3 and info["meta"]["table_type"] == "BASE TABLE"
    assert info["meta"]["aliases"] == [] and info["meta"]["id"] == resource_id
    assert [f["id"] for f in info["fields"]] == ["code", "rate", "day", "at", "open", "extra"]
    code = info["fields"][0]
    assert code["schema"]["native_type"] == "text" and code["schema"]["is_index"] is True
    assert info["fields"][3]["schema"]["native_type"] == "timestamp without time zone"


def test_an_upsert_with_a_bad_row_changes_nothing(cast: Cast) -> None:
    resource_id = _table(cast, [{"n": 1, "name": "one"}], primary_key="n")
    editor = cast.ckan(cast.editor_token)
    with pytest.raises(ckanapi.ValidationError) as bad:
        editor.action.datastore_upsert(
            resource_id=resource_id,
            records=[{"n": 1, "name": "changed"}, {"n": 2, "name": "two"}, {"n": "three", "name": "bad"}],
        )
    assert bad.value.error_dict["records_row"] == 2
    assert bad.value.error_dict["records"] == ['row "3": invalid input for type int4 in column "n": "three"']
    found = cast.ckan().action.datastore_search(resource_id=resource_id)
    assert found["records"] == [{"_id": 1, "n": 1, "name": "one"}] and found["total"] == 1
    with pytest.raises(ckanapi.ValidationError) as clash:  # the database refuses the third, after two ran
        editor.action.datastore_upsert(
            resource_id=resource_id,
            records=[{"n": 1, "name": "changed"}, {"n": 2, "name": "two"}, {"_id": 1, "n": 2}],
        )
    assert clash.value.error_dict["constraints"] and clash.value.error_dict["info"]["pgcode"] == "23505"
    found = cast.ckan().action.datastore_search(resource_id=resource_id)
    assert found["records"] == [{"_id": 1, "n": 1, "name": "one"}] and found["total"] == 1
    checked = editor.action.datastore_upsert(
        resource_id=resource_id, records=[{"n": 5, "name": "five"}], dry_run=True
    )
    assert checked["dry_run"] is True
    assert cast.ckan().action.datastore_search(resource_id=resource_id)["total"] == 1
    with pytest.raises(ckanapi.ValidationError) as extra:
        editor.action.datastore_upsert(resource_id=resource_id, method="insert", records=[{"n": 9, "x": 1}])
    assert extra.value.error_dict["records"] == ['row "1" has extra keys "x"']


def test_an_upsert_applies_its_records_in_order(cast: Cast) -> None:
    resource_id = _table(cast, [{"k": "a", "v": 1, "w": "x"}], primary_key="k")
    cast.ckan(cast.editor_token).action.datastore_upsert(
        resource_id=resource_id,
        records=[
            {"k": "a", "v": 2},
            {"k": "b", "v": 3},
            {"k": "a", "v": 4, "w": "y"},
            {"k": "b", "w": "z"},
            {"_id": 1, "v": 5},
            {"k": "c", "v": 6},
            {"k": "c", "v": 7},
        ],
    )
    found = cast.ckan().action.datastore_search(resource_id=resource_id)
    assert found["records"] == [
        {"_id": 1, "k": "a", "v": 5, "w": "y"},
        {"_id": 2, "k": "b", "v": 3, "w": "z"},
        {"_id": 3, "k": "c", "v": 7, "w": None},
    ]
    assert found["total"] == 3


# ---------------------------------------------------------------- who may read and write


def test_a_private_table_is_not_found_for_others_and_writes_need_an_editor(cast: Cast) -> None:
    resource_id = _table(cast, [{"a": 1}], private=True)
    for token in (None, cast.outsider_token):
        r = _call(cast.portal, "datastore_search", token, resource_id=resource_id)
        assert r.status_code == 404, r.text  # as every private object in Derek: its existence does not leak
        r = _post(cast.portal, "datastore_upsert", token, resource_id=resource_id, records=[{"a": 2}])
        assert r.status_code == 404, r.text
    assert cast.ckan(cast.member_token).action.datastore_search(resource_id=resource_id)["total"] == 1
    public = _table(cast, [{"a": 1}])
    for token, status in ((None, 403), (cast.outsider_token, 403), (cast.member_token, 403)):
        r = _post(cast.portal, "datastore_upsert", token, resource_id=public, records=[{"a": 2}])
        assert r.status_code == status and r.json()["error"]["__type"] == "Authorization Error", r.text
    assert _post(cast.portal, "datastore_delete", cast.outsider_token, resource_id=public).status_code == 403
    assert cast.ckan().action.datastore_search(resource_id=public)["total"] == 1


def test_a_table_loaded_from_a_file_is_read_only_without_force(cast: Cast) -> None:
    portal = cast.portal
    resource_id, token = portal.upload(CSV, "cities.csv")
    portal.wait_table(resource_id)
    ckan = cast.ckan(token)
    for name, params in (
        ("datastore_upsert", {"records": [{"region": "Aktobe"}], "method": "insert"}),
        ("datastore_create", {"records": [{"region": "Aktobe"}]}),
        ("datastore_delete", {"filters": {"region": "Almaty"}}),
    ):
        with pytest.raises(ckanapi.ValidationError) as refused:
            getattr(ckan.action, name)(resource_id=resource_id, **params)
        assert refused.value.error_dict["read-only"][0].startswith("Cannot edit read-only resource")
    ckan.action.datastore_upsert(
        resource_id=resource_id,
        method="insert",
        records=[{"region": "Aktobe", "people": "500000"}],
        force=True,
    )
    ckan.action.datastore_delete(resource_id=resource_id, filters={"region": "Shymkent"}, force=True)
    found = cast.ckan().action.datastore_search(resource_id=resource_id, fields=["_id", "region"])
    assert found["records"] == [
        {"_id": 1, "region": "Almaty"},
        {"_id": 2, "region": "Astana"},
        {"_id": 4, "region": "Aktobe"},
    ]
    with portal.client() as anon:
        assert anon.get(f"/api/v1/datastore/{resource_id}/info").json()["row_count"] == 3


# ---------------------------------------------------------------- datastore_search in detail


def test_filters_compare_text_as_text_and_other_columns_as_their_type(cast: Cast) -> None:
    resource_id = _table(
        cast,
        [{"n": 1, "code": "01", "day": "2024-01-02"}, {"n": 2, "code": "2", "day": "2024-03-04"}],
        fields=[{"id": "n", "type": "int"}, {"id": "code", "type": "text"}, {"id": "day", "type": "date"}],
    )
    search = cast.ckan().action.datastore_search
    assert search(resource_id=resource_id, filters={"n": "2"})["total"] == 1
    assert search(resource_id=resource_id, filters={"code": 2})["records"][0]["n"] == 2
    assert search(resource_id=resource_id, filters={"code": 1})["total"] == 0  # "01" is not "1" as text
    assert search(resource_id=resource_id, filters={"day": "2024-03-04"})["records"][0]["code"] == "2"
    assert search(resource_id=resource_id, filters={"_id": [1, 2]})["total"] == 2
    assert search(resource_id=resource_id, filters={"n": {"gte": 2}})["total"] == 1
    r = _call(cast.portal, "datastore_search", resource_id=resource_id, filters='{"n": "x"}')
    assert r.status_code == 409 and r.json()["error"]["query"] == ["Invalid query"]


def test_get_parameters_sorting_paging_links_and_formats(cast: Cast) -> None:
    resource_id = _table(cast, [{"k": i, "w": f"w{i % 2}"} for i in range(1, 8)])
    r = _call(
        cast.portal,
        "datastore_search",
        resource_id=resource_id,
        fields="k, w",
        sort="w desc, k",
        limit=2,
        offset=4,
        records_format="lists",
    )
    result = r.json()["result"]
    assert result["records"] == [[2, "w0"], [4, "w0"]] and result["offset"] == 4
    assert result["fields"] == [{"id": "k", "type": "int4"}, {"id": "w", "type": "text"}]
    links = {k: urlsplit(v) for k, v in result["_links"].items()}
    assert {link.path for link in links.values()} == {"/api/3/action/datastore_search"}
    asked = {"resource_id": resource_id, "fields": "k, w", "sort": "w desc, k", "limit": "2"}
    assert dict(parse_qsl(links["start"].query)) == {**asked, "records_format": "lists"}
    assert dict(parse_qsl(links["next"].query)) == {**asked, "offset": "6", "records_format": "lists"}
    assert dict(parse_qsl(links["prev"].query)) == {**asked, "offset": "2", "records_format": "lists"}
    first = _call(cast.portal, "datastore_search", resource_id=resource_id, limit=2, offset=2).json()[
        "result"
    ]
    assert "prev" not in first["_links"]  # CKAN 2.11: no link back to offset 0
    tsv = cast.ckan().action.datastore_search(resource_id=resource_id, records_format="tsv", limit=1)
    assert tsv["records"] == "1\t1\tw1\n"
    distinct = cast.ckan().action.datastore_search(resource_id=resource_id, fields="w", distinct=True)
    assert distinct["records"] == [{"w": "w0"}, {"w": "w1"}] and distinct["total"] == 2
    for value, message in (("-1", "Must be a natural number"), ("x", "Invalid integer")):
        r = _call(cast.portal, "datastore_search", resource_id=resource_id, limit=value)
        assert r.status_code == 409 and r.json()["error"]["limit"] == [message]
    none = cast.ckan().action.datastore_search(resource_id=resource_id, include_total=False, limit=0)
    assert "total" not in none and none["records"] == []


def test_q_by_column_and_full_text(cast: Cast) -> None:
    resource_id = _table(
        cast, [{"city": "Almaty", "note": "big city"}, {"city": "Taraz", "note": "Almaty road"}]
    )
    search = cast.ckan().action.datastore_search
    by_column = search(resource_id=resource_id, q={"city": "almaty"})
    assert [r["city"] for r in by_column["records"]] == ["Almaty"]
    assert {"id": "rank city", "type": "float"} in by_column["fields"]
    everywhere = search(resource_id=resource_id, full_text="almaty")
    assert everywhere["total"] == 2 and "rank" in everywhere["records"][0]
    r = _call(cast.portal, "datastore_search", resource_id=resource_id, q='{"nope": "x"}')
    assert r.status_code == 409 and r.json()["error"]["q"] == ['invalid value "nope"']


# ---------------------------------------------------------------- writes in detail


def test_create_again_adds_columns_and_keeps_types(cast: Cast) -> None:
    resource_id = _table(cast, [{"a": 1, "b": "x"}])
    editor = cast.ckan(cast.editor_token)
    editor.action.datastore_create(
        resource_id=resource_id, fields=[{"id": "a", "type": "text"}], records=[{"a": 2, "b": "y", "c": 1.5}]
    )
    found = cast.ckan().action.datastore_search(resource_id=resource_id)
    assert [(f["id"], f["type"]) for f in found["fields"]] == [
        ("_id", "int"), ("a", "int4"), ("b", "text"), ("c", "float8")
    ]  # fmt: skip
    assert found["records"][1] == {"_id": 2, "a": 2, "b": "y", "c": 1.5}
    editor.action.datastore_create(
        resource_id=resource_id, fields=[{"id": "a"}, {"id": "c"}], delete_fields=True
    )
    assert [f["id"] for f in cast.ckan().action.datastore_search(resource_id=resource_id)["fields"]] == [
        "_id", "a", "c"
    ]  # fmt: skip
    for params, key, message in (
        ({"fields": [{"id": "z"}]}, "fields", '"z" type not guessable'),
        ({"fields": [{"id": "z", "type": "money"}]}, "fields", '"money" is not a valid field type'),
        ({"fields": [{"id": "_z", "type": "text"}]}, "fields", '"_z" is not a valid field name'),
        ({"fields": [{"id": "z", "type": "text"}] * 2}, "field", "Duplicate column names are not supported"),
    ):
        with pytest.raises(ckanapi.ValidationError) as refused:
            editor.action.datastore_create(resource_id=resource_id, **params)
        assert refused.value.error_dict[key] == [message]


def test_records_delete_keeps_the_table(cast: Cast) -> None:
    resource_id = _table(cast, [{"a": 1}, {"a": 2}, {"a": 3}])
    editor = cast.ckan(cast.editor_token)
    assert editor.action.datastore_records_delete(resource_id=resource_id, filters={"a": [1, 3]})["filters"]
    assert [r["a"] for r in cast.ckan().action.datastore_search(resource_id=resource_id)["records"]] == [2]
    editor.action.datastore_records_delete(resource_id=resource_id, filters={})
    found = cast.ckan().action.datastore_search(resource_id=resource_id)
    assert found["total"] == 0 and [f["id"] for f in found["fields"]] == ["_id", "a"]
    editor.action.datastore_upsert(resource_id=resource_id, method="insert", records=[{"a": 9}])
    assert cast.ckan().action.datastore_search(resource_id=resource_id)["records"] == [{"_id": 4, "a": 9}]
    r = _post(cast.portal, "datastore_delete", cast.editor_token, resource_id=resource_id, filters=[1])
    assert r.status_code == 409 and r.json()["error"]["filters"] == ["filters must be either a dict or null."]
    r = _post(cast.portal, "datastore_records_delete", cast.editor_token, resource_id=resource_id)
    assert r.status_code == 409 and r.json()["error"]["filters"] == ["Missing value"]


def test_search_sql_refusals_map_to_ckan_errors(cast: Cast, vectors: str) -> None:
    portal = cast.portal
    forbidden = _call(portal, "datastore_search_sql", sql="SELECT * FROM read_csv('/etc/passwd')")
    assert forbidden.status_code == 403 and forbidden.json()["error"]["__type"] == "Authorization Error"
    syntax = _call(portal, "datastore_search_sql", sql=f'SELEC * FROM "{vectors}"')
    assert syntax.status_code == 409 and syntax.json()["error"]["query"]
    private = _table(cast, [{"a": 1}], private=True)
    hidden = _call(portal, "datastore_search_sql", sql=f'SELECT * FROM "{private}"')
    assert hidden.status_code == 409 and "query" in hidden.json()["error"]
    shown = _call(portal, "datastore_search_sql", cast.member_token, sql=f'SELECT a FROM "{private}"')
    assert shown.json()["result"]["records"] == [{"a": 1}]
