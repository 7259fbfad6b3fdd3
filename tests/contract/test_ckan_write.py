"""Publishing through the CKAN API with ckanapi: create, update, patch, delete, uploads, organizations."""

from __future__ import annotations

import hashlib
from pathlib import Path

import ckanapi
import httpx
import pytest

from derek.quality import service as quality
from tests.contract.conftest import Cast


def _create(cast: Cast, **fields: object) -> dict:
    fields.setdefault("name", cast.portal.unique("w"))
    fields.setdefault("owner_org", cast.org)
    return cast.ckan(cast.editor_token).action.package_create(**fields)


def test_package_create_returns_the_full_package_dict(cast: Cast) -> None:
    created = _create(
        cast,
        title="Air quality",
        title_translated={"ru": "Качество воздуха", "en": "Air quality"},
        notes="Hourly PM2.5",
        tags=[{"name": "air"}, {"name": "pm25"}],
        groups=[{"name": "envi"}],
        license_id="cc-by",
        maintainer="Data desk",
        maintainer_email="desk@example.org",
        url="https://stat.example.org/air",
        version="1.0",
        extras=[{"key": "source", "value": "sensors"}],
        frequency="DAILY",
        regions=["KZ-75"],
        resources=[
            {"url": "https://example.org/air.csv", "name": "Air CSV", "format": "csv"},
            {"url": "example.org/air.json"},
        ],
    )
    assert created["title"] == "Air quality"  # kk is the default language, en was given as `title`
    assert created["title_translated"] == {"kk": "Air quality", "ru": "Качество воздуха", "en": "Air quality"}
    assert created["notes"] == "Hourly PM2.5" and created["notes_translated"] == {"kk": "Hourly PM2.5"}
    assert [t["name"] for t in created["tags"]] == ["air", "pm25"] and created["num_tags"] == 2
    assert [(g["id"], g["name"]) for g in created["groups"]] == [("ENVI", "envi")]
    assert created["license_id"] == "CC-BY-4.0" and created["isopen"] is True and created["license_url"]
    assert created["owner_org"] == cast.org_id and created["organization"]["name"] == cast.org
    assert len(created["organization"]) == 10
    assert created["maintainer"] == "Data desk" and created["url"] == "https://stat.example.org/air"
    assert created["extras"] == [{"key": "source", "value": "sensors"}]
    assert created["frequency"] == "DAILY" and created["regions"] == ["KZ-75"]
    assert created["state"] == "active" and created["private"] is False and created["type"] == "dataset"
    assert "T" in created["metadata_created"] and "+" not in created["metadata_modified"]
    first, second = created["resources"]
    assert (first["position"], second["position"]) == (0, 1)
    assert first["format"] == "CSV" and first["package_id"] == created["id"] and first["url_type"] is None
    assert second["url"] == "http://example.org/air.json" and second["format"] == "JSON"
    again = cast.ckan().action.package_show(id=created["id"])
    assert again == cast.ckan().action.package_show(id=created["name"])
    assert again["name"] == created["name"] and again["resources"] == created["resources"]


def test_validation_errors_name_the_ckan_fields(cast: Cast) -> None:
    editor = cast.ckan(cast.editor_token)
    cases = [
        ({"name": "Bad Name!", "owner_org": cast.org}, "name"),
        ({"name": cast.portal.unique("w")}, "owner_org"),
        ({"name": cast.portal.unique("w"), "owner_org": cast.org, "groups": [{"name": "nope"}]}, "groups"),
        ({"name": cast.portal.unique("w"), "owner_org": cast.org, "license_id": "beerware"}, "license_id"),
        ({"name": cast.portal.unique("w"), "owner_org": cast.org, "frequency": "HOURLY"}, "frequency"),
        ({"name": cast.portal.unique("w"), "owner_org": cast.org, "tags": "not-a-list"}, "tags"),
        ({"name": cast.portal.unique("w"), "owner_org": "no-such-org"}, "owner_org"),
        (
            {
                "name": cast.portal.unique("w"),
                "owner_org": cast.org,
                "extras": [{"key": "title", "value": "x"}],
            },
            "extras",
        ),
    ]
    for fields, field in cases:
        with pytest.raises(ckanapi.ValidationError) as raised:
            editor.action.package_create(**fields)
        assert field in raised.value.error_dict, (fields, raised.value.error_dict)
        assert isinstance(raised.value.error_dict[field], list)
    name = cast.portal.unique("w")
    with pytest.raises(ckanapi.ValidationError) as raised:
        editor.action.package_create(
            name=name,
            owner_org=cast.org,
            resources=[{"url": "https://example.org/ok.csv"}, {"url": "gopher://example.org/x"}],
        )
    resources = raised.value.error_dict["resources"]
    assert resources[0] == {} and "url" in resources[1]
    with pytest.raises(ckanapi.NotFound):  # the failed call left nothing behind
        cast.ckan(cast.sysadmin_token).action.package_show(id=name)


def test_package_update_replaces_and_syncs_resources(cast: Cast) -> None:
    editor = cast.ckan(cast.editor_token)
    created = _create(
        cast,
        notes="old notes",
        tags=[{"name": "one"}, {"name": "two"}],
        extras=[{"key": "a", "value": "1"}],
        frequency="MONTHLY",
        resources=[{"url": f"https://example.org/{n}.csv", "name": n} for n in ("r0", "r1", "r2")],
    )
    r0, r1, r2 = created["resources"]
    edited = dict(created)
    edited["title"] = "New title"
    edited["tags"] = [{"name": "two"}, {"name": "three"}]
    edited["resources"] = [
        dict(r2, name="r2 renamed"),
        r0,
        {"url": "https://example.org/new.csv", "name": "new"},
    ]
    updated = editor.action.package_update(**edited)
    assert updated["title"] == "New title" and updated["notes"] == "old notes"
    assert [t["name"] for t in updated["tags"]] == ["three", "two"]
    assert [(r["name"], r["position"]) for r in updated["resources"]] == [
        ("r2 renamed", 0),
        ("r0", 1),
        ("new", 2),
    ]
    assert updated["resources"][0]["id"] == r2["id"] and updated["resources"][1]["id"] == r0["id"]
    with pytest.raises(ckanapi.NotFound):
        editor.action.resource_show(id=r1["id"])
    # replace semantics: what is not sent is cleared, except Derek's own fields and the resources list itself
    bare = editor.action.package_update(id=created["id"], title="Bare")
    own_extras = [e for e in bare["extras"] if e["key"] not in quality.EXTRA_KEYS]  # not the computed figures
    assert bare["notes"] is None and bare["tags"] == [] and own_extras == [] and bare["url"] is None
    assert bare["frequency"] == "MONTHLY" and bare["num_resources"] == 3 and bare["name"] == created["name"]
    renamed = editor.action.package_update(id=created["id"], name=created["name"] + "-x", title="Bare")
    assert renamed["name"] == created["name"] + "-x"
    with pytest.raises(ckanapi.ValidationError) as missing:
        editor.action.package_update(title="no id")
    assert missing.value.error_dict["id"] == ["Missing value"]
    with pytest.raises(ckanapi.NotFound):
        editor.action.package_update(id="no-such-dataset", title="x")


def test_package_patch_changes_only_what_is_sent(cast: Cast) -> None:
    editor = cast.ckan(cast.editor_token)
    created = _create(cast, title="Patched", notes="n", tags=[{"name": "keep"}], private=True)
    patched = editor.action.package_patch(id=created["name"], notes="new notes")
    assert patched["notes"] == "new notes" and patched["title"] == "Patched"
    assert [t["name"] for t in patched["tags"]] == ["keep"] and patched["private"] is True
    translated = editor.action.package_patch(id=created["id"], title_translated={"ru": "Заплатка"})
    assert translated["title_translated"] == {"ru": "Заплатка"} and translated["title"] == "Заплатка"
    public = editor.action.package_patch(id=created["id"], private=False)
    assert public["private"] is False
    assert created["name"] in cast.ckan().action.package_list()


def test_upload_download_and_resource_actions(cast: Cast, tmp_path: Path) -> None:
    editor = cast.ckan(cast.editor_token)
    created = _create(cast)
    path = tmp_path / "population.csv"
    content = b"region,people\nAlmaty,2228000\nAstana,1354000\n"
    path.write_bytes(content)
    with path.open("rb") as fh:
        res = editor.action.resource_create(package_id=created["name"], name="Population", upload=fh)
    assert res["url_type"] == "upload" and res["size"] == len(content)
    assert res["hash"] == "sha256:" + hashlib.sha256(content).hexdigest()
    assert res["format"] == "CSV" and res["mimetype"] == "text/csv" and res["package_id"] == created["id"]
    assert res["url"].startswith(cast.portal.base_url + "/") and res["url"].endswith("/population.csv")
    cast.portal.wait_checked(res["id"])  # the public gets a new file once it passed its check
    download = httpx.get(res["url"], timeout=30)
    assert download.status_code == 200 and download.content == content
    # the table is loaded in the background: datastore_active turns true when it is in
    shown_res = editor.action.resource_show(id=res["id"])
    assert {**shown_res, "datastore_active": False} == {**res, "datastore_active": False}
    # a package_show -> package_update round trip keeps the stored file
    shown = editor.action.package_show(id=created["id"])
    kept = editor.action.package_update(**shown)["resources"][0]
    assert kept["url_type"] == "upload" and kept["hash"] == res["hash"]
    newer = tmp_path / "population-2025.csv"
    newer.write_bytes(content + b"Shymkent,1200000\n")
    with newer.open("rb") as fh:
        replaced = editor.action.resource_update(id=res["id"], name="Population 2025", upload=fh)
    assert replaced["size"] == len(content) + 17 and replaced["name"] == "Population 2025"
    assert replaced["version_count"] == 2
    cast.portal.wait_checked(res["id"])  # the new file reaches the public once it passed its check
    assert httpx.get(replaced["url"], timeout=30).content == newer.read_bytes()
    patched = editor.action.resource_patch(id=res["id"], description="Census")
    assert patched["description"] == "Census" and patched["name"] == "Population 2025"
    link = editor.action.resource_create(package_id=created["id"], url="https://example.org/x.json")
    assert link["position"] == 1 and link["format"] == "JSON"
    assert editor.action.resource_delete(id=link["id"]) is None
    assert editor.action.package_show(id=created["id"])["num_resources"] == 1
    with pytest.raises(ckanapi.NotFound):
        editor.action.resource_show(id=link["id"])
    with pytest.raises(ckanapi.ValidationError) as no_url:
        editor.action.resource_create(package_id=created["id"], name="nothing")
    assert "url" in no_url.value.error_dict


def test_package_delete(cast: Cast) -> None:
    editor = cast.ckan(cast.editor_token)
    created = _create(cast)
    assert editor.action.package_delete(id=created["name"]) is None
    assert created["name"] not in cast.ckan().action.package_list()
    with pytest.raises(ckanapi.NotFound):
        cast.ckan().action.package_show(id=created["id"])
    assert cast.ckan(cast.sysadmin_token).action.package_show(id=created["id"])["state"] == "deleted"
    with pytest.raises(ckanapi.NotFound):
        editor.action.package_delete(id="no-such-dataset")


def test_who_may_write(cast: Cast, tmp_path: Path) -> None:
    created = _create(cast)
    outsider = cast.ckan(cast.outsider_token)
    member = cast.ckan(cast.member_token)
    for ckan in (outsider, member, cast.ckan()):
        with pytest.raises(ckanapi.NotAuthorized):
            ckan.action.package_update(id=created["id"], title="taken over")
        with pytest.raises(ckanapi.NotAuthorized):
            ckan.action.package_patch(id=created["id"], notes="x")
        with pytest.raises(ckanapi.NotAuthorized):
            ckan.action.package_delete(id=created["id"])
        with pytest.raises(ckanapi.NotAuthorized):
            ckan.action.resource_create(package_id=created["id"], url="https://example.org/a.csv")
    with pytest.raises(ckanapi.NotAuthorized):
        outsider.action.package_create(name=cast.portal.unique("w"), owner_org=cast.org)
    upload = tmp_path / "x.csv"
    upload.write_bytes(b"a\n1\n")
    with upload.open("rb") as fh, pytest.raises(ckanapi.NotAuthorized):
        cast.ckan().action.resource_create(package_id=created["id"], upload=fh)
    assert cast.ckan().action.package_show(id=created["id"])["title"] == created["title"]
    with cast.portal.client() as http:  # a browser session never authorizes a write, a token does
        r = http.post("/api/3/action/package_delete", json={"id": created["id"]})
        assert r.status_code == 403


def test_organizations_members_and_users(cast: Cast) -> None:
    admin = cast.ckan(cast.sysadmin_token)
    name = cast.portal.unique("org")
    with pytest.raises(ckanapi.NotAuthorized):
        cast.ckan(cast.editor_token).action.organization_create(name=name, title="Mine")
    org = admin.action.organization_create(
        name=name, title="Ministry of Examples", description="Tests", image_url="https://example.org/logo.png"
    )
    assert org["name"] == name and org["title"] == "Ministry of Examples" and org["is_organization"] is True
    assert org["type"] == "organization" and org["package_count"] == 0
    assert org["image_url"] == "https://example.org/logo.png"
    with pytest.raises(ckanapi.ValidationError) as taken:
        admin.action.organization_create(name=name, title="Again")
    assert "name" in taken.value.error_dict
    editor = cast.ckan(cast.editor_token)
    with pytest.raises(ckanapi.NotAuthorized):
        editor.action.package_create(name=cast.portal.unique("w"), owner_org=name)
    member = admin.action.organization_member_create(id=name, username=cast.editor, role="editor")
    assert member["capacity"] == "editor" and member["group_id"] == org["id"]
    created = editor.action.package_create(name=cast.portal.unique("w"), owner_org=org["id"])
    assert created["organization"]["name"] == name
    with pytest.raises(ckanapi.ValidationError):
        admin.action.organization_member_create(id=name, username=cast.editor, role="overlord")
    assert admin.action.organization_member_delete(id=name, username=cast.editor) is None
    with pytest.raises(ckanapi.NotAuthorized):
        editor.action.package_create(name=cast.portal.unique("w"), owner_org=name)
    # user_show: for logged-in callers; e-mail and sysadmin flag for the user and sysadmins only
    with pytest.raises(ckanapi.NotAuthorized):
        cast.ckan().action.user_show(id=cast.editor)
    seen = cast.ckan(cast.outsider_token).action.user_show(id=cast.editor)
    assert "email" not in seen and "sysadmin" not in seen
    assert editor.action.user_show(id=cast.editor)["email"] == f"{cast.editor}@example.org"
    assert editor.action.user_show()["name"] == cast.editor
    assert admin.action.user_show(id=cast.editor)["email"] == f"{cast.editor}@example.org"
    with pytest.raises(ckanapi.NotFound):
        cast.ckan(cast.outsider_token).action.user_show(id="nobody-at-all")
