"""HTTP details crawlers, proxies and scripts rely on: HEAD, caching of private files, body limits."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from tests.conftest import Portal
from tests.test_api_errors import SMALL_LIMIT, start_small_portal


@pytest.fixture(scope="module")
def limited(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Portal]:
    yield from start_small_portal(tmp_path_factory.mktemp("limited"))


def _upload(portal: Portal, token: str, dataset: str) -> str:
    with portal.client(f"Bearer {token}") as http:
        r = http.post(
            f"/api/v1/datasets/{dataset}/resources/upload", files={"file": ("a.csv", b"a,b\n1,2\n")}
        )
        assert r.status_code == 201, r.text
    portal.wait_checked(r.json()["id"])  # the public gets a new file once it passed its check
    return str(r.json()["download_url"])


def test_head_answers_like_get_without_a_body(portal: Portal) -> None:
    org = portal.make_org()
    _n, token = portal.make_user(org=org)
    link = _upload(portal, token, portal.make_dataset(org))
    with portal.client() as http:
        for path in ("/", "/dataset", "/sitemap.xml", "/api/v1/datasets", link):
            got, head = http.get(path), http.head(path)
            assert head.status_code == 200 == got.status_code, path
            assert head.content == b""
            assert head.headers["content-type"] == got.headers["content-type"]
        assert http.head("/dataset/no-such-dataset").status_code == 404


def test_head_on_a_streamed_export_stops_at_the_headers(portal: Portal) -> None:
    body = "n,label\n" + "".join(f"{i},row {i}\n" for i in range(60_000))
    resource_id, _token = portal.upload(body.encode())
    portal.wait_table(resource_id)
    with portal.client() as http:
        for fmt in ("csv", "json"):
            path = f"/api/v1/datastore/{resource_id}/export.{fmt}"
            head, got = http.head(path), http.get(path)
            assert head.status_code == 200 == got.status_code and head.content == b""
            assert head.headers["content-type"] == got.headers["content-type"]
            assert got.content.count(b"row 59999") == 1  # GET still streams everything
        assert http.get("/api/v1/status").status_code == 200  # and the server is fine after HEADs


def test_private_files_are_not_kept_by_shared_caches(portal: Portal) -> None:
    org = portal.make_org()
    _n, token = portal.make_user(org=org)
    public_link = _upload(portal, token, portal.make_dataset(org))
    private_link = _upload(portal, token, portal.make_dataset(org, private=True))
    with portal.client() as anon:
        assert anon.get(public_link).headers["cache-control"] == "public, max-age=300"
        assert anon.get(private_link).status_code == 404
    with portal.client(f"Bearer {token}") as member:
        private = member.get(private_link)
        assert private.status_code == 200
        assert private.headers["cache-control"] == "private, no-store"
        assert "Authorization" in private.headers["vary"]
        api = member.get("/api/v1/datasets/" + private_link.split("/")[2])
        assert api.headers["cache-control"].startswith("private")


def test_a_chunked_json_body_over_the_limit_is_refused(limited: Portal) -> None:
    org = limited.make_org()
    _n, token = limited.make_user(org=org)
    payload = json.dumps(
        {"name": "too-big", "organization": org, "title": {"en": "x" * (SMALL_LIMIT + 1_100_000)}}
    ).encode()
    chunks = iter([payload[i : i + 65536] for i in range(0, len(payload), 65536)])
    with limited.client(f"Bearer {token}") as http:
        r = http.post("/api/v1/datasets", content=chunks, headers={"Content-Type": "application/json"})
        assert r.status_code == 413, r.text
        assert "larger than the limit" in r.json()["detail"]
        assert http.get("/api/v1/datasets/too-big").status_code == 404
