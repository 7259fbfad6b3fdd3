"""The CKAN Action API transport: URLs, methods, body parsing, envelope, status codes, auth, CORS, JSONP."""

from __future__ import annotations

import json

import ckanapi
import pytest

from tests.contract.conftest import Cast


def test_both_url_forms_and_version_probes(cast: Cast) -> None:
    name = cast.portal.make_dataset(cast.org)
    with cast.portal.client() as http:
        versioned = http.get("/api/3/action/package_list")
        plain = http.get("/api/action/package_list")
        assert versioned.status_code == plain.status_code == 200
        assert versioned.json() == plain.json()
        assert versioned.headers["content-type"].startswith("application/json")
        body = versioned.json()
        assert body["success"] is True and name in body["result"]
        assert body["help"].endswith("/api/3/action/help_show?name=package_list")
        assert http.get("/api").json() == {"version": 1}
        assert http.get("/api/3").json() == {"version": 3}
        assert http.get("/api/1/action/package_list").status_code == 404


def test_transport_errors_are_bare_strings_with_400(cast: Cast) -> None:
    with cast.portal.client() as http:
        unknown = http.get("/api/3/action/nope")
        assert unknown.status_code == 400
        assert unknown.json() == "Bad request - Action name not known: nope"
        write_by_get = http.get("/api/3/action/package_create")
        assert write_by_get.status_code == 400 and "Please use POST method" in write_by_get.json()
        bad_json = http.post(
            "/api/3/action/package_show", content=b"{bad", headers={"Content-Type": "application/json"}
        )
        assert bad_json.status_code == 400 and "JSON Error" in bad_json.json()
        array = http.post("/api/3/action/package_show", json=[1, 2])
        assert array.status_code == 400 and "needs to be a dictionary" in array.json()
        assert http.put("/api/3/action/package_list").status_code == 405
        assert http.delete("/api/action/package_show").status_code == 405


def test_form_body_whose_only_key_is_json(cast: Cast) -> None:
    name = cast.portal.make_dataset(cast.org)
    with cast.portal.client() as http:
        r = http.post(
            "/api/3/action/package_show",
            content=json.dumps({"id": name}).encode(),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        assert r.status_code == 200, r.text
        assert r.json()["result"]["name"] == name
        flat = http.post("/api/3/action/package_show", data={"id": name, "use_default_schema": "true"})
        assert flat.status_code == 200 and flat.json()["result"]["name"] == name


def test_error_envelopes_and_status_codes(cast: Cast) -> None:
    with cast.portal.client() as http:
        missing = http.get("/api/3/action/package_show", params={"id": "no-such-dataset"})
        assert missing.status_code == 404
        body = missing.json()
        assert body["success"] is False and "result" not in body
        assert body["error"]["__type"] == "Not Found Error"
        assert body["error"]["message"].startswith("Not found")
        no_id = http.get("/api/3/action/package_show")
        assert no_id.status_code == 409
        assert no_id.json()["error"] == {"__type": "Validation Error", "id": ["Missing value"]}
        anon_create = http.post(
            "/api/3/action/package_create", json={"name": "anon-ds", "owner_org": cast.org}
        )
        assert anon_create.status_code == 403
        assert anon_create.json()["error"]["__type"] == "Authorization Error"
        assert anon_create.json()["error"]["message"].startswith("Access denied")
    name = cast.portal.make_dataset(cast.org)
    with cast.portal.client(cast.editor_token) as http:
        dup = http.post("/api/3/action/package_create", json={"name": name, "owner_org": cast.org})
        assert dup.status_code == 409
        assert dup.json()["error"]["name"] == ["That URL is already in use."]
        bad_rows = http.get("/api/3/action/package_search", params={"rows": "-1"})
        assert bad_rows.status_code == 409 and bad_rows.json()["error"]["rows"] == [
            "Must be a natural number"
        ]
        bad_param = http.get("/api/3/action/package_search", params={"foo": "bar"})
        assert bad_param.status_code == 400
        assert bad_param.json()["error"]["__type"] == "Search Query Error"


def test_ckanapi_raises_the_matching_exceptions(cast: Cast) -> None:
    anon = cast.ckan()
    with pytest.raises(ckanapi.NotFound):
        anon.action.package_show(id="no-such-dataset")
    with pytest.raises(ckanapi.NotAuthorized):
        anon.action.package_create(name=cast.portal.unique("anon"), owner_org=cast.org)
    with pytest.raises(ckanapi.ValidationError) as invalid:
        cast.ckan(cast.editor_token).action.package_create(name="Not A Slug!", owner_org=cast.org)
    assert "name" in invalid.value.error_dict
    with pytest.raises(ckanapi.SearchQueryError):
        anon.action.package_search(sort="metadata_modified sideways")
    with pytest.raises(ckanapi.CKANAPIError):
        anon.call_action("no_such_action")


def test_tokens_raw_bearer_legacy_header_and_garbage(cast: Cast) -> None:
    name = cast.portal.make_dataset(cast.org, private=True)
    for headers in (
        {"Authorization": cast.editor_token},
        {"Authorization": f"Bearer {cast.editor_token}"},
        {"X-CKAN-API-Key": cast.editor_token},
    ):
        with cast.portal.client() as http:
            r = http.get("/api/3/action/package_show", params={"id": name}, headers=headers)
            assert r.status_code == 200, (headers, r.text)
    public = cast.portal.make_dataset(cast.org)
    with cast.portal.client("garbage-token") as http:
        assert http.get("/api/3/action/package_show", params={"id": public}).status_code == 200
        assert http.get("/api/3/action/package_show", params={"id": name}).status_code == 404


def test_cors_for_public_reads(cast: Cast) -> None:
    origin = {"Origin": "https://elsewhere.example"}
    with cast.portal.client() as http:
        r = http.get("/api/3/action/package_list", headers=origin)
        assert r.headers["access-control-allow-origin"] == "*"
        assert "access-control-allow-credentials" not in r.headers
        preflight = http.options(
            "/api/3/action/package_search",
            headers={
                **origin,
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "content-type, authorization",
            },
        )
        assert preflight.status_code == 204
        assert preflight.headers["access-control-allow-origin"] == "*"
        assert "GET" in preflight.headers["access-control-allow-methods"]
        allowed = preflight.headers["access-control-allow-headers"].lower()
        assert "content-type" in allowed and "authorization" in allowed
        assert "access-control-allow-credentials" not in preflight.headers
        errors_too = http.get("/api/3/action/package_show", params={"id": "nope"}, headers=origin)
        assert errors_too.headers["access-control-allow-origin"] == "*"
        assert "access-control-allow-origin" not in http.get("/api/3/action/package_list").headers


def test_jsonp_runs_as_anonymous(cast: Cast) -> None:
    private = cast.portal.make_dataset(cast.org, private=True)
    public = cast.portal.make_dataset(cast.org)
    with cast.portal.client(cast.editor_token) as http:
        r = http.get("/api/3/action/package_show", params={"id": public, "callback": "cb"})
        assert r.status_code == 200
        assert r.text.startswith("cb(") and r.text.endswith(");")
        assert r.headers["content-type"].startswith("application/javascript")
        assert json.loads(r.text[3:-2])["result"]["name"] == public
        hidden = http.get("/api/3/action/package_show", params={"id": private, "callback": "cb"})
        assert hidden.status_code == 404
        assert http.get("/api/3/action/package_list", params={"callback": "alert(1)//"}).status_code == 400


def test_get_query_strings_repeated_keys_and_json_text(cast: Cast) -> None:
    with cast.portal.client() as http:
        r = http.get(
            "/api/3/action/package_search",
            params=[
                ("fq", f"organization:{cast.org}"),
                ("facet.field", '["tags","res_format"]'),
                ("rows", "0"),
            ],
        )
        assert r.status_code == 200, r.text
        result = r.json()["result"]
        assert result["results"] == [] and set(result["search_facets"]) == {"tags", "res_format"}
    # ckanapi with get_only sends everything as query parameters
    got = cast.ckan(get_only=True).action.package_search(fq=f"organization:{cast.org}", rows=1)
    assert got["count"] >= len(got["results"])
