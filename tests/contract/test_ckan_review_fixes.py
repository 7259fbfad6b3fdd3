"""Fixes from the security review of the CKAN layer: files stored before any permission check, huge numbers
and odd parameter types giving 500, user_show revealing users, member_create probing user names."""

from __future__ import annotations

import os
from pathlib import Path

import ckanapi
import httpx
import pytest

from derek.interop.ckan_actions import ValidationError, as_int, as_natural
from tests.contract.conftest import Cast

HUGE = 10**30


def _files(cast: Cast) -> set[Path]:
    """The stored files (not the working copies that background loads of other tests keep under tmp/)."""
    root = cast.portal.settings.files_dir
    if not root.exists():
        return set()
    return {p for p in root.rglob("*") if p.is_file() and p.relative_to(root).parts[0] != "tmp"}


def _post_file(cast: Cast, action: str, token: str | None, content: bytes, **fields: str) -> httpx.Response:
    headers = {"Authorization": token} if token else {}
    return httpx.post(
        f"{cast.portal.base_url}/api/3/action/{action}",
        data=fields,
        files={"upload": ("data.csv", content, "text/csv")},
        headers=headers,
        timeout=30,
    )


def _stored_path(cast: Cast, resource: dict) -> Path:
    sha256 = resource["hash"].removeprefix("sha256:")
    return cast.portal.settings.files_dir / sha256[:2] / sha256[2:4] / sha256


def _private_dataset(cast: Cast) -> dict:
    name = cast.portal.unique("rv")
    return cast.ckan(cast.editor_token).action.package_create(name=name, owner_org=cast.org, private=True)


# ---------------------------------------------------------------- 1. files only after the permission check


def test_files_sent_to_other_actions_are_refused_and_not_stored(cast: Cast) -> None:
    before = _files(cast)
    for action, token in (("site_read", None), ("status_show", cast.editor_token), ("package_create", None)):
        r = _post_file(cast, action, token, os.urandom(64), name=cast.portal.unique("x"))
        assert r.status_code == 409, (action, r.text)
        error = r.json()["error"]
        assert error["__type"] == "Validation Error" and "not accepted" in str(error["upload"])
    assert _files(cast) == before


def test_files_of_callers_who_may_not_change_the_dataset_are_not_stored(cast: Cast) -> None:
    private = _private_dataset(cast)
    public = cast.ckan(cast.editor_token).action.package_create(
        name=cast.portal.unique("rv"), owner_org=cast.org, resources=[{"url": "https://example.org/a.csv"}]
    )
    resource_id = public["resources"][0]["id"]
    before = _files(cast)
    cases = [
        ("resource_create", None, {"package_id": private["id"]}, 404),  # private: not even its existence
        ("resource_create", cast.outsider_token, {"package_id": private["name"]}, 404),
        ("resource_create", None, {"package_id": public["id"]}, 403),
        ("resource_create", cast.member_token, {"package_id": public["id"]}, 403),
        ("resource_create", cast.editor_token, {"package_id": "no-such-dataset"}, 404),
        ("resource_create", cast.editor_token, {}, 409),  # no package_id
        ("resource_update", cast.outsider_token, {"id": resource_id}, 403),
        ("resource_patch", None, {"id": resource_id}, 403),
        ("resource_patch", cast.editor_token, {"id": "no-such-resource"}, 404),
    ]
    for action, token, fields, status in cases:
        r = _post_file(cast, action, token, os.urandom(64), **fields)
        assert r.status_code == status, (action, fields, r.text)
        assert r.json()["success"] is False
    assert _files(cast) == before
    assert cast.ckan(cast.editor_token).action.package_show(id=private["id"])["num_resources"] == 0


def test_a_file_of_a_failed_action_is_removed_unless_another_resource_has_it(cast: Cast) -> None:
    editor = cast.ckan(cast.editor_token)
    dataset = _private_dataset(cast)
    before = _files(cast)
    r = _post_file(
        cast, "resource_create", cast.editor_token, os.urandom(64), package_id=dataset["id"], name="n" * 301
    )
    assert r.status_code == 409 and "name" in r.json()["error"], r.text
    assert _files(cast) == before
    # the same content kept by a resource stays when a second upload of it fails
    content = os.urandom(64)
    r = _post_file(cast, "resource_create", cast.editor_token, content, package_id=dataset["id"], name="kept")
    assert r.status_code == 200, r.text
    kept = r.json()["result"]
    stored = _files(cast)
    assert len(stored - before) == 1
    r = _post_file(cast, "resource_update", cast.editor_token, content, id=kept["id"], name="n" * 301)
    assert r.status_code == 409, r.text
    assert _files(cast) == stored
    assert _stored_path(cast, kept).read_bytes() == content
    # a failed resource_update with new content leaves nothing behind; a good one is stored
    r = _post_file(cast, "resource_patch", cast.editor_token, os.urandom(64), id=kept["id"], format="x" * 51)
    assert r.status_code == 409, r.text
    assert _files(cast) == stored
    r = _post_file(cast, "resource_patch", cast.editor_token, os.urandom(64), id=kept["id"])
    assert r.status_code == 200 and r.json()["result"]["version_count"] == 2, r.text
    assert len(_files(cast) - stored) == 1
    assert editor.action.resource_show(id=kept["id"])["name"] == "kept"


# ---------------------------------------------------------------- 2. huge numbers and odd types


@pytest.mark.parametrize(
    ("action", "params"),
    [
        ("package_list", {"limit": HUGE}),
        ("package_list", {"offset": HUGE}),
        ("package_list", {"limit": HUGE, "offset": HUGE}),
        ("package_search", {"start": HUGE}),
        ("package_search", {"rows": HUGE}),
        ("package_search", {"facet.limit": HUGE, "facet.field": '["tags"]'}),
        ("package_search", {"facet.limit": -HUGE, "facet.field": '["tags"]'}),
        ("package_search", {"facet.mincount": HUGE, "facet.field": '["tags"]'}),
        ("current_package_list_with_resources", {"offset": HUGE}),
        ("current_package_list_with_resources", {"page": HUGE, "limit": 10}),
        ("current_package_list_with_resources", {"limit": HUGE}),
        ("organization_list", {"limit": HUGE, "offset": HUGE}),
        ("group_list", {"offset": HUGE}),
    ],
)
def test_huge_numbers_are_capped_not_a_server_error(cast: Cast, action: str, params: dict) -> None:
    for method in ("GET", "POST"):
        with cast.portal.client() as http:
            if method == "GET":
                r = http.get(f"/api/3/action/{action}", params={k: str(v) for k, v in params.items()})
            else:
                r = http.post(f"/api/3/action/{action}", json=params)
        assert r.status_code == 200, (method, r.text)
        assert r.json()["success"] is True


def test_the_ckan_coercion_caps_huge_numbers() -> None:
    # the CKAN layer keeps numbers within a database integer itself, whatever the services below do
    assert as_natural(str(HUGE), "limit") == as_natural(HUGE, "limit") == 2**31 - 1
    assert as_int(-HUGE, "facet.limit") == -(2**31 - 1) and as_int("12", "rows") == 12
    with pytest.raises(ValidationError) as negative:
        as_natural(-HUGE, "offset")
    assert negative.value.errors == {"offset": ["Must be a natural number"]}
    with pytest.raises(ValidationError) as too_long:
        as_natural("9" * 5000, "start")  # more digits than Python converts
    assert too_long.value.errors == {"start": ["Invalid integer"]}


def test_huge_numbers_page_past_the_end(cast: Cast) -> None:
    cast.portal.make_dataset(cast.org)
    anonymous = cast.ckan()
    assert anonymous.action.package_list(offset=HUGE) == []
    assert len(anonymous.action.package_list(limit=HUGE)) == len(anonymous.action.package_list())
    found = anonymous.action.package_search(start=HUGE, rows=HUGE)
    assert found["count"] > 0 and found["results"] == []
    assert anonymous.action.package_search(rows=HUGE)["results"]
    assert anonymous.action.current_package_list_with_resources(page=HUGE, limit=5) == []


@pytest.mark.parametrize("fq", [5, 1.5, True, {"tags": "x"}, [5], ["tags:x", None]])
def test_a_non_text_fq_is_a_validation_error(cast: Cast, fq: object) -> None:
    with cast.portal.client() as http:
        r = http.post("/api/3/action/package_search", json={"fq": fq})
    assert r.status_code == 409, r.text
    error = r.json()["error"]
    assert error["__type"] == "Validation Error" and error["fq"]


@pytest.mark.parametrize("q", [5, [5], {"a": 1}])
def test_a_non_text_q_is_no_server_error(cast: Cast, q: object) -> None:
    with cast.portal.client() as http:
        r = http.post("/api/3/action/package_search", json={"q": q})
    assert r.status_code in (200, 400, 409), r.text
    assert r.status_code != 200 or r.json()["success"] is True


def test_fq_as_text_or_repeated_keys_still_filters(cast: Cast) -> None:
    name = cast.portal.make_dataset(cast.org, keywords=["fqtag"])
    anonymous = cast.ckan()
    assert [d["name"] for d in anonymous.action.package_search(fq="tags:fqtag")["results"]] == [name]
    with cast.portal.client() as http:
        r = http.get("/api/3/action/package_search", params=[("fq", "tags:fqtag"), ("fq", f"name:{name}")])
    assert r.status_code == 200 and [d["name"] for d in r.json()["result"]["results"]] == [name]


# ---------------------------------------------------------------- 3. user_show


def test_user_show_needs_a_login_and_hides_sysadmin_and_email(cast: Cast) -> None:
    admin_name = cast.ckan(cast.sysadmin_token).action.user_show()["name"]
    for ident in (cast.editor, admin_name, "nobody-at-all"):
        with pytest.raises(ckanapi.NotAuthorized):
            cast.ckan().action.user_show(id=ident)
        with cast.portal.client() as http:
            assert http.get("/api/3/action/user_show", params={"id": ident}).status_code == 403
    outsider = cast.ckan(cast.outsider_token)
    seen = outsider.action.user_show(id=cast.editor)
    assert seen["name"] == cast.editor and "sysadmin" not in seen and "email" not in seen
    other_admin = outsider.action.user_show(id=admin_name)
    assert "sysadmin" not in other_admin and "email" not in other_admin
    own = cast.ckan(cast.editor_token).action.user_show()
    assert own["sysadmin"] is False and own["email"] == f"{cast.editor}@example.org"
    by_admin = cast.ckan(cast.sysadmin_token).action.user_show(id=cast.editor)
    assert by_admin["sysadmin"] is False and by_admin["email"] == f"{cast.editor}@example.org"
    assert cast.ckan(cast.sysadmin_token).action.user_show(id=admin_name)["sysadmin"] is True


# ---------------------------------------------------------------- 4. member_create does not probe user names


def test_outsiders_cannot_tell_which_user_names_exist(cast: Cast) -> None:
    for token in (cast.outsider_token, cast.member_token, cast.editor_token, None):
        answers = []
        for username in (cast.editor, "nobody-at-all-" + cast.portal.unique("u")):
            for action in ("organization_member_create", "organization_member_delete"):
                with cast.portal.client(token) as http:
                    r = http.post(
                        f"/api/3/action/{action}",
                        json={"id": cast.org, "username": username, "role": "admin"},
                    )
                answers.append((r.status_code, r.json()["error"]["__type"]))
        assert answers == [(403, "Authorization Error")] * 4, (token, answers)


def test_organization_admins_still_manage_members_by_name(cast: Cast) -> None:
    admin = cast.ckan(cast.sysadmin_token)
    org = cast.portal.make_org()
    org_id = admin.action.organization_show(id=org)["id"]
    editor_id = admin.action.user_show(id=cast.editor)["id"]
    member = admin.action.organization_member_create(id=org, username=cast.editor, role="member")
    assert member == {
        "id": f"{org_id}:{editor_id}",
        "table_name": "user",
        "table_id": editor_id,
        "group_id": org_id,
        "capacity": "member",
        "state": "active",
    }
    with pytest.raises(ckanapi.NotFound):
        admin.action.organization_member_create(id=org, username="nobody-at-all", role="member")
    assert admin.action.organization_member_delete(id=org, username=cast.editor) is None
    with pytest.raises(ckanapi.NotFound):
        admin.action.organization_member_delete(id=org, username="nobody-at-all")
