"""The DataStore's first slice: a publisher loads an uploaded CSV and anyone may query it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import Portal

ROWS = "region;amount;when\nАлматы;12,5;01.02.2024\nАстана;7;15.03.2024\nШымкент;3;20.12.2023\n"


def _uploaded(portal: Portal, body: bytes, filename: str = "data.csv", **fields: object) -> tuple[str, str]:
    org = portal.make_org()
    _n, token = portal.make_user(org=org)
    name = portal.make_dataset(org, **fields)
    with portal.client(f"Bearer {token}") as http:
        r = http.post(f"/api/v1/datasets/{name}/resources/upload", files={"file": (filename, body)})
        assert r.status_code == 201, r.text
        return str(r.json()["id"]), token


def test_load_and_query_a_cp1251_semicolon_file(portal: Portal) -> None:
    resource_id, token = _uploaded(portal, ROWS.encode("cp1251"))
    with portal.client() as anon:
        assert anon.get(f"/api/v1/datastore/{resource_id}").status_code == 404  # not loaded yet
        assert anon.post(f"/api/v1/datastore/{resource_id}/load").status_code == 401
    with portal.client(f"Bearer {token}") as http:
        loaded = http.post(f"/api/v1/datastore/{resource_id}/load")
        assert loaded.status_code == 200, loaded.text
        table = loaded.json()
        assert table["row_count"] == 3 and table["encoding"] == "cp1251" and table["delimiter"] == ";"
        assert [f["id"] for f in table["fields"]] == ["region", "amount", "when"]
    with portal.client() as anon:
        everything = anon.get(f"/api/v1/datastore/{resource_id}").json()
        assert everything["total"] == 3
        assert {r["region"] for r in everything["records"]} == {"Алматы", "Астана", "Шымкент"}
        one = anon.get(
            f"/api/v1/datastore/{resource_id}", params={"filters": json.dumps({"region": "Астана"})}
        )
        assert one.json()["total"] == 1 and one.json()["records"][0]["region"] == "Астана"
        words = anon.get(f"/api/v1/datastore/{resource_id}", params={"q": "шымк", "fields": "region"}).json()
        assert words["records"] == [{"region": "Шымкент"}]
        ordered = anon.get(
            f"/api/v1/datastore/{resource_id}", params={"sort": "region desc", "limit": 1}
        ).json()
        assert ordered["records"][0]["region"] == "Шымкент" and ordered["total"] == 3


def test_bad_queries_are_explained(portal: Portal) -> None:
    resource_id, token = _uploaded(portal, b"a,b\n1,2\n3,4\n")
    with portal.client(f"Bearer {token}") as http:
        assert http.post(f"/api/v1/datastore/{resource_id}/load").status_code == 200
        for params, field in (
            ({"filters": "{not json"}, "filters"),
            ({"filters": "[1]"}, "filters"),
            ({"fields": "a,nope"}, "fields"),
            ({"sort": "b sideways"}, "sort"),
            ({"sort": "'; DROP TABLE x; --"}, "sort"),
        ):
            r = http.get(f"/api/v1/datastore/{resource_id}", params=params)
            assert r.status_code == 422, (params, r.text)
            assert field in r.json()["errors"]
        injected = http.get(
            f"/api/v1/datastore/{resource_id}", params={"filters": json.dumps({"a": "1' OR '1'='1"})}
        )
        assert injected.json()["total"] == 0


def test_private_tables_stay_private_and_reload_replaces(portal: Portal) -> None:
    resource_id, token = _uploaded(portal, b"x\n1\n2\n", private=True)
    with portal.client(f"Bearer {token}") as http:
        assert http.post(f"/api/v1/datastore/{resource_id}/load").json()["row_count"] == 2
        assert http.get(f"/api/v1/datastore/{resource_id}").json()["total"] == 2
        new = http.patch(f"/api/v1/resources/{resource_id}", json={"name": "renamed"})
        assert new.status_code == 200
        assert http.post(f"/api/v1/datastore/{resource_id}/load").json()["row_count"] == 2
    with portal.client() as anon:
        assert anon.get(f"/api/v1/datastore/{resource_id}").status_code == 404
        assert anon.get(f"/api/v1/datastore/{resource_id}/info").status_code == 404


def test_files_that_are_not_tables_are_refused(portal: Portal) -> None:
    resource_id, token = _uploaded(portal, b"%PDF-1.4 not a table", filename="report.pdf")
    with portal.client(f"Bearer {token}") as http:
        r = http.post(f"/api/v1/datastore/{resource_id}/load")
        assert r.status_code == 422 and "CSV" in r.json()["detail"]


def test_cli_loads_a_resource(portal: Portal, tmp_path: Path) -> None:
    data_dir = tmp_path / "cli"
    resource_id, _token = _uploaded(portal, "city,n\nАлматы,1\n".encode("utf-8-sig"))
    # The CLI opens its own DuckDB file: point it at a copy of the portal's files and database.
    env = {
        **os.environ,
        "DEREK_DATA_DIR": str(data_dir),
        "DEREK_DATABASE_URL": portal.settings.effective_database_url,
    }
    shutil.copytree(portal.settings.files_dir, data_dir / "files")
    derek = str(Path(sys.executable).with_name("derek"))
    done = subprocess.run(
        [derek, "datastore", "load", resource_id], capture_output=True, text=True, env=env, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert "Loaded 1 rows (utf-8-sig" in done.stderr and "city (text)" in done.stderr
    missing = subprocess.run(
        [derek, "datastore", "load", "nope"], capture_output=True, text=True, env=env, timeout=120
    )
    assert missing.returncode == 1 and "nope" in missing.stderr
