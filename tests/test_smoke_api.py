"""The native API end to end: a publisher creates, uploads, reads back and deletes over real HTTP."""

from __future__ import annotations

import hashlib

from tests.conftest import Portal


def test_publisher_round_trip(portal: Portal) -> None:
    org = portal.make_org()
    _name, token = portal.make_user(org=org, role="editor")
    with portal.client(f"Bearer {token}") as http:
        r = http.post(
            "/api/v1/datasets",
            json={
                "name": portal.unique("air"),
                "organization": org,
                "title": {"en": "Air quality", "ru": "Качество воздуха"},
                "themes": ["ENVI"],
                "keywords": ["air"],
                "state": "published",
                "regions": ["KZ-75"],
            },
        )
        assert r.status_code == 201, r.text
        ds = r.json()
        assert ds["license_id"] == "CC-BY-4.0"
        body = b"city,pm25\nAlmaty,42\n"
        up = http.post(
            f"/api/v1/datasets/{ds['name']}/resources/upload", files={"file": ("air.csv", body, "text/csv")}
        )
        assert up.status_code == 201, up.text
        res = up.json()
        assert res["sha256"] == hashlib.sha256(body).hexdigest() and res["format"] == "CSV"
        dl = http.get(res["download_url"])
        assert dl.content == body and dl.headers["content-type"].startswith("text/csv")
        part = http.get(res["download_url"], headers={"Range": "bytes=0-3"})
        assert part.status_code == 206 and part.content == b"city"
        got = http.get(f"/api/v1/datasets/{ds['name']}")
        assert got.headers["etag"]
        assert (
            http.get(
                f"/api/v1/datasets/{ds['name']}", headers={"If-None-Match": got.headers["etag"]}
            ).status_code
            == 304
        )
        found = http.get("/api/v1/datasets", params={"q": "воздух", "theme": "ENVI"}).json()
        assert ds["name"] in [d["name"] for d in found["results"]]
        assert {"value": "KZ-75", "count": 1} in found["facets"]["region"] or found["count"] > 1
        assert http.delete(f"/api/v1/datasets/{ds['name']}").status_code == 204
    with portal.client() as anon:
        assert anon.get(f"/api/v1/datasets/{ds['name']}").status_code == 404


def test_anonymous_cannot_create(portal: Portal) -> None:
    org = portal.make_org()
    with portal.client() as anon:
        r = anon.post("/api/v1/datasets", json={"name": "x-anon", "organization": org, "title": {"en": "X"}})
    assert r.status_code == 401
    assert r.headers["content-type"].startswith("application/problem+json")
    assert "token" in r.json()["detail"]
