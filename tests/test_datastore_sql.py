"""The DataStore SQL sandbox: one SELECT over the tables a user may see, and every way out of it refused."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import duckdb
import httpx
import pytest

from derek.datastore import sandbox
from derek.datastore.engine import DuckStore
from derek.datastore.models import DatastoreTable
from tests.conftest import Portal

REGIONS = "region,amount,year\nAlmaty,12.5,2024\nAstana,7,2024\nShymkent,3,2023\nAlmaty,4.5,2023\n"
POPULATION = "region,people\nAlmaty,2200000\nAstana,1400000\nShymkent,1200000\n"
TALL = "n\n" + "".join(f"{i}\n" for i in range(2000))


def _loaded(http: httpx.Client, resource_id: str) -> None:
    """Load a resource into the DataStore and wait for it: the load answers 200 with the table, or 202 with a
    background job to follow at /api/v1/jobs/{id}."""
    r = http.post(f"/api/v1/datastore/{resource_id}/load")
    assert r.status_code in (200, 202), r.text
    deadline = time.monotonic() + 60
    if r.status_code == 202:
        job_id = r.json()["id"]
        while (job := http.get(f"/api/v1/jobs/{job_id}").json())["status"] not in ("succeeded", "failed"):
            assert time.monotonic() < deadline, job
            time.sleep(0.1)
        assert job["status"] == "succeeded", job
    while http.get(f"/api/v1/datastore/{resource_id}/info").status_code != 200:
        assert time.monotonic() < deadline
        time.sleep(0.1)


def _table(portal: Portal, http: httpx.Client, org: str, body: str, **fields: Any) -> str:
    name = portal.make_dataset(org, **fields)
    r = http.post(f"/api/v1/datasets/{name}/resources/upload", files={"file": ("data.csv", body.encode())})
    assert r.status_code == 201, r.text
    resource_id = str(r.json()["id"])
    _loaded(http, resource_id)
    return resource_id


@pytest.fixture(scope="module")
def tables(portal: Portal) -> dict[str, str]:
    """Three public tables and a private one, and the token of the publisher who may see the private one."""
    org = portal.make_org()
    _name, token = portal.make_user(org=org)
    with portal.client(f"Bearer {token}") as http:
        return {
            "regions": _table(portal, http, org, REGIONS),
            "population": _table(portal, http, org, POPULATION),
            "tall": _table(portal, http, org, TALL),
            "private": _table(portal, http, org, POPULATION, private=True),
            "token": token,
        }


def _sql(http: httpx.Client, sql: str) -> httpx.Response:
    return http.get("/api/v1/datastore/sql", params={"sql": sql})


def test_aggregates_joins_filters_and_order(portal: Portal, tables: dict[str, str]) -> None:
    regions, population = tables["regions"], tables["population"]
    with portal.client() as anon:
        r = _sql(
            anon,
            f'SELECT region, sum(amount) AS total, count(*) AS n FROM "{regions}" '
            "GROUP BY region ORDER BY total DESC",
        )
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["records"] == [
            {"region": "Almaty", "total": 17.0, "n": 2},
            {"region": "Astana", "total": 7.0, "n": 1},
            {"region": "Shymkent", "total": 3.0, "n": 1},
        ]
        assert body["fields"] == [
            {"id": "region", "type": "text"},
            {"id": "total", "type": "number"},
            {"id": "n", "type": "integer"},
        ]
        assert body["records_truncated"] is False and body["sql"].startswith("SELECT region")

        joined = _sql(
            anon,
            f'SELECT r.region, r.amount, p.people FROM "{regions}" r JOIN "{population}" p USING (region) '
            "WHERE r.year = 2024 ORDER BY p.people",
        ).json()
        assert joined["records"] == [
            {"region": "Astana", "amount": 7.0, "people": 1400000},
            {"region": "Almaty", "amount": 12.5, "people": 2200000},
        ]

        big = f'WITH big AS (SELECT * FROM "{population}" WHERE people > 1300000) SELECT count(*) n FROM big;'
        posted = anon.post("/api/v1/datastore/sql", json={"sql": big})
        assert posted.status_code == 200, posted.text
        assert posted.json()["records"] == [{"n": 2}]

        # A semicolon inside a comment is only a comment; a comment after the statement is fine too.
        commented = _sql(anon, f'SELECT count(*) AS n FROM "{regions}" -- ; DROP TABLE x')
        assert commented.json()["records"] == [{"n": 4}]


def test_results_are_cut_at_the_row_limit(portal: Portal, tables: dict[str, str]) -> None:
    tall = tables["tall"]
    with portal.client() as anon:
        body = _sql(anon, f'SELECT a.n, b.n AS m FROM "{tall}" a, "{tall}" b WHERE b.n < 20').json()
    assert len(body["records"]) == sandbox.DEFAULT_ROW_LIMIT and body["records_truncated"] is True


def test_private_and_unknown_tables_answer_alike(portal: Portal, tables: dict[str, str]) -> None:
    private = tables["private"]
    query = f'SELECT count(*) AS n FROM "{private}"'
    with portal.client() as anon:
        hidden = _sql(anon, query)
        unknown = _sql(anon, 'SELECT * FROM "00000000-0000-4000-8000-000000000000"')
    for r in (hidden, unknown):
        assert r.status_code == 404, r.text
        assert r.headers["content-type"].startswith("application/problem+json")
        assert "There is no DataStore table" in r.json()["detail"]
    _other, other_token = portal.make_user()
    with portal.client(f"Bearer {other_token}") as stranger:
        assert _sql(stranger, query).status_code == 404
    with portal.client(f"Bearer {tables['token']}") as publisher:
        assert _sql(publisher, query).json()["records"] == [{"n": 3}]


def test_internal_table_names_cannot_be_used(portal: Portal, tables: dict[str, str]) -> None:
    with portal.db.session() as s:
        row = s.get(DatastoreTable, tables["private"])
        assert row is not None
        internal = row.table_name
    with portal.client() as anon:
        for sql in (
            f'SELECT * FROM "{internal}"',
            f'SELECT * FROM main."{internal}"',
            # a CTE's body does not see the CTE itself: the inner name would be the real table
            f'WITH "{internal}" AS (SELECT * FROM "{internal}") SELECT * FROM "{internal}"',
            f'WITH x AS (SELECT * FROM y), y AS (SELECT * FROM "{internal}") SELECT * FROM x',
        ):
            r = _sql(anon, sql)
            assert r.status_code in (404, 422), (sql, r.text)
            assert "records" not in r.json()


def _escape_attempts(t: str) -> list[tuple[str, str]]:
    """(sql, what the answer says), for every way out of the sandbox we know of."""
    only_select = "Only one SELECT statement is allowed."
    return [
        ("COPY (SELECT 1) TO '/tmp/derek-escape.csv'", only_select),
        (f"COPY \"{t}\" TO '/tmp/derek-escape.csv'", only_select),
        ("ATTACH '/tmp/derek-escape.duckdb' AS x", only_select),
        ("SELECT * FROM read_csv('/etc/passwd')", "Table functions such as read_csv are not allowed"),
        ("SELECT * FROM read_text('/etc/passwd')", "Table functions such as read_csv are not allowed"),
        ("SELECT read_text('/etc/passwd')", "read_text() is not allowed"),
        ("SELECT * FROM glob('/*')", "Table functions such as read_csv are not allowed"),
        ("SELECT * FROM query('SELECT 1')", "Table functions such as read_csv are not allowed"),
        ("INSTALL httpfs", only_select),
        ("LOAD httpfs", only_select),
        ("PRAGMA database_list", only_select),
        ("SET enable_external_access = true", only_select),
        ("RESET lock_configuration", only_select),
        ("CALL duckdb_settings()", only_select),
        ("EXPORT DATABASE '/tmp/derek-escape'", only_select),
        (f'SELECT 1; DELETE FROM "{t}"', only_select),
        (f'SELECT 1 /* hidden */; DROP TABLE "{t}"', only_select),
        (f'SELECT 1 --\n; DROP TABLE "{t}"', only_select),
        ("SELECT * FROM duckdb_settings()", "Table functions such as read_csv are not allowed"),
        ("SELECT * FROM duckdb_tables", "System catalogs"),
        ("SELECT * FROM information_schema.tables", "System catalogs"),
        ("SELECT * FROM pg_catalog.pg_class", "System catalogs"),
        ("SELECT * FROM sqlite_master", "System catalogs"),
        ("SELECT getenv('HOME')", "getenv() is not allowed"),
        ("SELECT current_setting('allowed_directories')", "current_setting() is not allowed"),
        ("SELECT system.main.current_setting('memory_limit')", "plain name"),
        ("SELECT json_serialize_plan('SELECT 1')", "json_serialize_plan() is not allowed"),
        ("SELECT repeat('x', 1000000000)", "repeat() is not allowed"),
        ("CREATE TABLE stolen AS SELECT 1", only_select),
        (f'INSERT INTO "{t}" VALUES (1)', only_select),
        (f'UPDATE "{t}" SET n = 0', only_select),
        (f'DELETE FROM "{t}"', only_select),
        ("EXPLAIN SELECT 1", only_select),
        ("SHOW TABLES", "SHOW"),
        (f'DESCRIBE "{t}"', "DESCRIBE"),
        (f'SELECT * FROM "{t}" AT (VERSION => 1)', "Time travel"),
        ("SELECT $1", "Parameters"),
        ("SELEC 1", "syntax error"),
        ("", ""),
    ]


def test_escape_attempts_are_refused_and_the_server_stays_up(portal: Portal, tables: dict[str, str]) -> None:
    tall = tables["tall"]
    with portal.client() as anon:
        for sql, says in _escape_attempts(tall):
            r = _sql(anon, sql)
            assert r.status_code == 422, (sql, r.status_code, r.text)
            assert says in r.json()["detail"], (sql, r.json())
        assert _sql(anon, f'SELECT count(*) AS n FROM "{tall}"').json()["records"] == [{"n": 2000}]
        assert anon.get("/api/v1/status").status_code == 200
    assert not Path("/tmp/derek-escape.csv").exists() and not Path("/tmp/derek-escape.duckdb").exists()


def test_a_runaway_query_is_stopped_by_the_time_limit(portal: Portal, tables: dict[str, str]) -> None:
    tall = tables["tall"]
    started = time.monotonic()
    with portal.client() as anon:
        r = _sql(
            anon, f'SELECT sum(a.n * b.n + c.n * d.n) FROM "{tall}" a, "{tall}" b, "{tall}" c, "{tall}" d'
        )
        elapsed = time.monotonic() - started
        assert r.status_code == 422, r.text
        assert (
            r.json()["detail"]
            == f"The query took longer than {sandbox.DEFAULT_TIMEOUT_S:g} s and was stopped."
        )
        assert elapsed < sandbox.DEFAULT_TIMEOUT_S + 5
        assert _sql(anon, "SELECT 1 AS one").json()["records"] == [{"one": 1}]


def test_the_engine_refuses_files_even_without_the_sandbox(tmp_path: Path) -> None:
    """The second wall: DuckDB itself, as DuckStore opens it, reads only the loader's directories."""
    files = tmp_path / "files"
    files.mkdir()
    (files / "ok.csv").write_text("a\n1\n", encoding="utf-8")
    duck = DuckStore(tmp_path / "datastore.duckdb", allowed_dirs=[files])
    try:
        with duck.cursor() as cur:
            for sql in (
                "SELECT * FROM read_csv('/etc/passwd')",
                "SELECT * FROM read_text('/etc/hostname')",
                f"SELECT * FROM read_csv('{files}/../outside.csv')",
                f"COPY (SELECT 1) TO '{tmp_path}/out.csv'",
                f"ATTACH '{tmp_path}/other.duckdb' AS other",
                "INSTALL httpfs",
                "LOAD httpfs",
            ):
                with pytest.raises(duckdb.Error):
                    cur.execute(sql)
            for sql in (
                "SET enable_external_access = true",
                "SET allowed_directories = ['/']",
                "RESET memory_limit",
            ):
                with pytest.raises(duckdb.Error, match="locked"):
                    cur.execute(sql)
            # what the loader does still works
            assert cur.execute(f"SELECT a FROM read_csv('{files / 'ok.csv'}')").fetchall() == [(1,)]
        with duck.writer() as cur:
            cur.execute(f"CREATE TABLE t_loaded AS SELECT * FROM read_csv('{files / 'ok.csv'}')")
    finally:
        duck.close()
    assert not (tmp_path / "out.csv").exists() and not (tmp_path / "other.duckdb").exists()


def test_every_allowed_function_exists() -> None:
    """The allow-list names real DuckDB functions (a typo would silently refuse a useful one)."""
    with duckdb.connect() as con:
        known = {
            str(name).lower()
            for (name,) in con.execute("SELECT function_name FROM duckdb_functions()").fetchall()
        }
    assert sorted(sandbox.ALLOWED_FUNCTIONS - known) == []
    assert (
        not {"getenv", "current_setting", "read_text", "read_csv", "query", "sleep_ms"}
        & sandbox.ALLOWED_FUNCTIONS
    )
