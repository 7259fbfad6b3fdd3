"""Bad input gets an RFC 9457 problem that says what was wrong and what to do, never a bare 500 or a stack."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from derek.core import storage
from tests.conftest import Portal, start_portal

SMALL_LIMIT = 1000


@pytest.fixture(scope="module")
def publisher(portal: Portal) -> Iterator[tuple[str, httpx.Client]]:
    org = portal.make_org()
    _name, token = portal.make_user(org=org, role="editor")
    with portal.client(f"Bearer {token}") as http:
        yield org, http


@pytest.fixture(scope="module")
def sysadmin(portal: Portal) -> Iterator[httpx.Client]:
    _name, token = portal.make_user(sysadmin=True)
    with portal.client(f"Bearer {token}") as http:
        yield http


def assert_problem(
    r: httpx.Response, status: int, *, field: str | None = None, says: str = ""
) -> dict[str, Any]:
    """A problem-details answer: the status, a detail containing `says`, and `field` named in errors."""
    assert r.status_code == status, f"{r.status_code}: {r.text}"
    assert r.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = r.json()
    assert set(body) == {"type", "title", "status", "detail", "errors"}
    assert body["status"] == status and body["title"] and body["detail"]
    assert "Traceback" not in r.text
    assert says.lower() in body["detail"].lower(), body["detail"]
    if field is not None:
        assert field in body["errors"], body["errors"]
        assert all(isinstance(m, str) and m for m in body["errors"][field])
    return body


def dataset(org: str, portal: Portal, **fields: Any) -> dict[str, Any]:
    return {"name": portal.unique("err"), "organization": org, "title": {"en": "Errors"}, **fields}


# ------------------------------------------------------------------ the body itself


def test_malformed_json_says_where_and_how_to_fix_it(publisher: tuple[str, httpx.Client]) -> None:
    _org, http = publisher
    r = http.post("/api/v1/datasets", content=b'{"name": "x",', headers={"Content-Type": "application/json"})
    body = assert_problem(r, 400, field="body", says="not valid JSON")
    assert "character" in body["detail"] and "application/json" in body["detail"]


@pytest.mark.parametrize(
    ("content", "content_type"),
    [
        (b"[1, 2]", "application/json"),
        (b"name=x", "application/x-www-form-urlencoded"),
        (b"name", "text/plain"),
    ],
)
def test_a_body_that_is_not_a_json_object(
    publisher: tuple[str, httpx.Client], content: bytes, content_type: str
) -> None:
    _org, http = publisher
    r = http.post("/api/v1/datasets", content=content, headers={"Content-Type": content_type})
    assert_problem(r, 422, field="body", says="JSON object")


def test_an_empty_body(publisher: tuple[str, httpx.Client]) -> None:
    _org, http = publisher
    r = http.post("/api/v1/datasets", headers={"Content-Type": "application/json"})
    assert_problem(r, 422, field="body", says="no body")


def test_missing_required_fields_are_each_named(publisher: tuple[str, httpx.Client]) -> None:
    _org, http = publisher
    body = assert_problem(http.post("/api/v1/datasets", json={}), 422, field="name")
    assert {"name", "organization", "title"} <= set(body["errors"])


def test_wrong_types_are_each_named(publisher: tuple[str, httpx.Client], portal: Portal) -> None:
    org, http = publisher
    r = http.post(
        "/api/v1/datasets",
        json={
            "name": 42,
            "organization": org,
            "title": "not a dict",
            "private": "perhaps",
            "keywords": "a,b",
        },
    )
    body = assert_problem(r, 422, field="name")
    assert {"name", "title", "private", "keywords"} <= set(body["errors"])
    assert any("string" in m for m in body["errors"]["name"])


def test_unknown_fields_are_refused_with_the_known_ones_listed(
    publisher: tuple[str, httpx.Client], portal: Portal
) -> None:
    org, http = publisher
    r = http.post("/api/v1/datasets", json=dataset(org, portal, colour="blue"))
    body = assert_problem(r, 422, field="colour", says="unknown field")
    assert "title" in body["errors"]["colour"][0] and "keywords" in body["errors"]["colour"][0]
    r = http.patch("/api/v1/datasets/anything", json={"titel": {"en": "typo"}})
    assert_problem(r, 422, field="titel", says="check its spelling")


@pytest.mark.parametrize(
    ("fields", "field", "says"),
    [
        ({"themes": ["ECON", "WEATHER"]}, "themes", "Unknown theme 'WEATHER': use one of AGRI"),
        ({"license_id": "WTFPL"}, "license_id", "Unknown licence 'WTFPL': use one of CC-BY-4.0"),
        ({"regions": ["KZ-99"]}, "regions", "Unknown region code 'KZ-99'"),
        ({"temporal_start": "2024-05-01", "temporal_end": "2023-01-01"}, "temporal_end", "before its start"),
        ({"update_frequency": "SOMETIMES"}, "update_frequency", "ANNUAL"),
        ({"name": "Not A Slug!"}, "name", "lowercase"),
        ({"title": {"en": "  "}}, "title", "at least one language"),
        ({"title": {"english": "Title"}}, "title", "two-letter language code"),
        ({"organization": "no-such-org"}, "organization", "no organization 'no-such-org'"),
    ],
)
def test_invalid_values_name_the_field_and_the_allowed_values(
    publisher: tuple[str, httpx.Client], portal: Portal, fields: dict[str, Any], field: str, says: str
) -> None:
    org, http = publisher
    r = http.post("/api/v1/datasets", json=dataset(org, portal, **fields))
    body = assert_problem(r, 422, field=field)
    assert says.lower() in (body["detail"] + " ".join(body["errors"][field])).lower(), body


def test_a_patch_cannot_erase_the_title(publisher: tuple[str, httpx.Client], portal: Portal) -> None:
    org, http = publisher
    name = portal.make_dataset(org)
    assert_problem(http.patch(f"/api/v1/datasets/{name}", json={"title": {}}), 422, field="title")
    assert_problem(http.patch(f"/api/v1/datasets/{name}", json={"title": {"en": " "}}), 422, field="title")
    assert http.get(f"/api/v1/datasets/{name}").json()["title"]["en"].startswith("Dataset")


def test_nulls_in_a_patch_reset_optional_fields_and_keep_required_ones(
    publisher: tuple[str, httpx.Client], portal: Portal
) -> None:
    """JSON null once reached the database as NULL and answered 500."""
    org, http = publisher
    name = portal.make_dataset(
        org, contact_email="a@example.org", version="2", languages=["en"], update_frequency="DAILY"
    )
    nulls = dict.fromkeys(
        ["contact_email", "contact_name", "version", "languages", "extras", "description", "update_frequency"]
    )
    r = http.patch(f"/api/v1/datasets/{name}", json={**nulls, "title": None, "state": None, "private": None})
    assert r.status_code == 200, r.text
    got = r.json()
    assert (got["contact_email"], got["version"], got["languages"], got["update_frequency"]) == (
        "",
        "",
        [],
        "UNKNOWN",
    )
    assert (
        got["title"]["en"].startswith("Dataset") and got["state"] == "published" and got["private"] is False
    )


def test_an_organization_title_cannot_be_erased(sysadmin: httpx.Client, portal: Portal) -> None:
    org = portal.make_org()
    assert_problem(sysadmin.patch(f"/api/v1/organizations/{org}", json={"title": {}}), 422, field="title")
    assert sysadmin.get(f"/api/v1/organizations/{org}").json()["title"]


def test_too_long_values_say_the_limit(publisher: tuple[str, httpx.Client], portal: Portal) -> None:
    org, http = publisher
    r = http.post("/api/v1/datasets", json=dataset(org, portal, title={"en": "x" * 20001}))
    body = assert_problem(r, 422, field="title.en")
    assert "20000" in body["errors"]["title.en"][0]
    r = http.post("/api/v1/datasets", json=dataset(org, portal, keywords=["k"] * 51))
    assert_problem(r, 422, field="keywords", says="50")


def test_a_bad_resource_url_says_which_schemes_work(
    publisher: tuple[str, httpx.Client], portal: Portal
) -> None:
    org, http = publisher
    name = portal.make_dataset(org)
    r = http.post(f"/api/v1/datasets/{name}/resources", json={"url": "javascript:alert(1)"})
    assert_problem(r, 422, field="url", says="https://")
    r = http.post(f"/api/v1/datasets/{name}/resources", json={"name": "no content"})
    assert_problem(r, 422, field="url", says="upload a file")


# ------------------------------------------------------------------ conflicts


def test_a_duplicate_dataset_name_is_a_conflict(publisher: tuple[str, httpx.Client], portal: Portal) -> None:
    org, http = publisher
    name = portal.make_dataset(org)
    r = http.post("/api/v1/datasets", json={**dataset(org, portal), "name": name})
    assert_problem(r, 409, field="name", says=name)
    other = portal.make_dataset(org)
    assert_problem(http.patch(f"/api/v1/datasets/{other}", json={"name": name}), 409, field="name")


def test_a_duplicate_organization_or_user_name_is_a_conflict(sysadmin: httpx.Client, portal: Portal) -> None:
    org = portal.make_org()
    r = sysadmin.post("/api/v1/organizations", json={"name": org, "title": {"en": "Twice"}})
    assert_problem(r, 409, field="name", says="already exists")
    user, _token = portal.make_user()
    r = sysadmin.post(
        "/api/v1/users", json={"name": user, "email": "a@example.org", "password": "long-password"}
    )
    assert_problem(r, 409, field="name", says="already exists")


def test_an_organization_with_datasets_cannot_be_deleted(sysadmin: httpx.Client, portal: Portal) -> None:
    org = portal.make_org()
    portal.make_dataset(org)
    assert_problem(sysadmin.delete(f"/api/v1/organizations/{org}"), 409, says="move or delete them first")


def test_an_invalid_user_says_what_is_wrong(sysadmin: httpx.Client, portal: Portal) -> None:
    r = sysadmin.post(
        "/api/v1/users",
        json={"name": portal.unique("u"), "email": "not-an-address", "password": "long-password"},
    )
    assert_problem(r, 422, field="email", says="not an e-mail address")
    r = sysadmin.post("/api/v1/users", json={"name": "x", "email": "a@example.org", "password": "short"})
    body = assert_problem(r, 422, field="password")
    assert "8" in body["errors"]["password"][0]


# ------------------------------------------------------------------ query parameters


@pytest.mark.parametrize(
    ("params", "field", "says"),
    [
        ({"rows": 100000}, "rows", "1000"),
        ({"rows": -1}, "rows", "0"),
        ({"rows": "many"}, "rows", "integer"),
        ({"start": -5}, "start", "0"),
        ({"sort": "popularity"}, "sort", "relevance"),
        ({"q": "x" * 501}, "q", "500"),
    ],
)
def test_bad_search_parameters(portal: Portal, params: dict[str, Any], field: str, says: str) -> None:
    with portal.client() as http:
        body = assert_problem(http.get("/api/v1/datasets", params=params), 422, field=field)
    assert says in body["errors"][field][0]


def test_many_filter_values_are_answered_at_once_or_refused(portal: Portal) -> None:
    """One subquery per value once made PostgreSQL plan for minutes (a denial of service by query string)."""
    many = [("organization", f"org-{i}") for i in range(20)] + [("keyword", f"kw-{i}") for i in range(25)]
    with portal.client() as http:
        started = time.monotonic()
        r = http.get("/api/v1/datasets", params=many)
        assert r.status_code == 200 and r.json()["count"] == 0
        assert time.monotonic() - started < 5
        too_many = assert_problem(http.get("/api/v1/datasets", params=many * 2), 422, field="filters")
    assert "at most 50" in too_many["detail"]


def test_filter_values_of_one_field_must_all_match(portal: Portal) -> None:
    org = portal.make_org()
    a, b, c = (portal.unique("kw") for _ in range(3))
    name = portal.make_dataset(org, keywords=[a, b], themes=["ECON", "HEAL"])
    with portal.client() as http:

        def names(params: list[tuple[str, str]]) -> list[str]:
            return [d["name"] for d in http.get("/api/v1/datasets", params=params).json()["results"]]

        assert names([("keyword", a), ("keyword", b)]) == [name]
        assert names([("keyword", a), ("keyword", a)]) == [name]
        assert names([("keyword", a), ("keyword", c)]) == []
        assert names([("keyword", a), ("theme", "ECON"), ("theme", "HEAL"), ("organization", org)]) == [name]
        assert names([("keyword", a), ("organization", org), ("organization", portal.make_org())]) == []


# ------------------------------------------------------------------ who is asking


def test_a_revoked_token_is_refused_with_what_to_do(portal: Portal) -> None:
    _name, token = portal.make_user()
    with portal.client(f"Bearer {token}") as http:
        token_id = http.get("/api/v1/tokens").json()[0]["id"]
        assert http.delete(f"/api/v1/tokens/{token_id}").status_code == 204
        r = http.get("/api/v1/users/me")
    body = assert_problem(r, 401, says="revoked")
    assert "create a new one" in body["detail"]
    assert r.headers["www-authenticate"].startswith("Bearer")


@pytest.mark.parametrize("header", ["Authorization", "X-CKAN-API-Key"])
@pytest.mark.parametrize("value", ["Bearer drk_made-up-token", "drk_made-up-token"])
def test_an_unknown_token_is_refused_not_ignored(portal: Portal, header: str, value: str) -> None:
    """Unlike CKAN, which silently treats a bad token as anonymous and leaves clients puzzled."""
    with portal.client() as http:
        r = http.get("/api/v1/datasets", headers={header: value})
    assert_problem(r, 401, says="not valid")


def test_anonymous_changes_are_told_to_log_in(portal: Portal) -> None:
    with portal.client() as http:
        r = http.post("/api/v1/organizations", json={"name": portal.unique("o"), "title": {"en": "O"}})
    body = assert_problem(r, 401, says="API token")
    assert body["detail"].startswith("Log in")


# ------------------------------------------------------------------ what is not there


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/resources/00000000-0000-0000-0000-000000000000",
        "/api/v1/datasets/no-such-dataset",
        "/api/v1/datasets/no-such-dataset/resources",
        "/api/v1/organizations/no-such-org",
        "/api/v1/no-such-route",
    ],
)
def test_missing_things_are_404_problems(portal: Portal, path: str) -> None:
    with portal.client() as http:
        body = assert_problem(http.get(path), 404)
    if "no-such-route" not in path:
        assert path.rsplit("/", 1)[-1] in body["detail"] or "no-such-dataset" in body["detail"]


def test_a_wrong_method_says_which_ones_work(portal: Portal) -> None:
    with portal.client() as http:
        r = http.put("/api/v1/datasets")
    body = assert_problem(r, 405, says="not allowed")
    assert "GET" in r.headers["allow"] and "POST" in r.headers["allow"]
    assert "POST" in body["detail"]


# ------------------------------------------------------------------ uploads


def test_an_empty_upload(publisher: tuple[str, httpx.Client], portal: Portal) -> None:
    org, http = publisher
    name = portal.make_dataset(org)
    r = http.post(f"/api/v1/datasets/{name}/resources/upload", files={"file": ("empty.csv", b"", "text/csv")})
    assert_problem(r, 422, field="file", says="empty")
    r = http.post(f"/api/v1/datasets/{name}/resources/upload", data={"resource_name": "no file"})
    assert_problem(r, 422, field="file")
    assert http.get(f"/api/v1/datasets/{name}/resources").json() == []


def start_small_portal(tmp: Path) -> Iterator[Portal]:
    """A second real server with an upload limit of SMALL_LIMIT bytes."""
    yield from start_portal(tmp, max_upload_bytes=SMALL_LIMIT)


@pytest.fixture(scope="module")
def small_portal(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Portal]:
    yield from start_small_portal(tmp_path_factory.mktemp("small"))


@pytest.mark.parametrize("how", ["declared", "streamed"])
def test_an_upload_over_the_limit(small_portal: Portal, how: str) -> None:
    org = small_portal.make_org()
    _name, token = small_portal.make_user(org=org, role="editor")
    name = small_portal.make_dataset(org)
    big = b"x" * (SMALL_LIMIT + 1)
    url = f"/api/v1/datasets/{name}/resources/upload"
    with small_portal.client(f"Bearer {token}") as http:
        if how == "declared":  # Content-Length says it all: refused before the body is read
            r = http.post(url, files={"file": ("big.csv", big, "text/csv")})
        else:  # chunked, no length: refused while the file streams into storage
            boundary = "derekboundary"
            head = (
                f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.csv"\r\n'
                "Content-Type: text/csv\r\n\r\n"
            ).encode()
            parts = [head, big[:500], big[500:], f"\r\n--{boundary}--\r\n".encode()]
            r = http.post(
                url,
                content=iter(parts),
                headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
            )
        assert_problem(r, 413, says=f"{SMALL_LIMIT:,}")
        assert http.get(f"/api/v1/datasets/{name}/resources").json() == []
        small = http.post(url, files={"file": ("small.csv", b"a,b\n1,2\n", "text/csv")})
        assert small.status_code == 201, small.text
    # only the store's own upload files: the load job the small upload queued works in the same directory
    leftovers = list((small_portal.settings.files_dir / "tmp").glob(f"{storage.UPLOAD_PREFIX}*"))
    assert leftovers == [], "a refused upload left a temporary file behind"
