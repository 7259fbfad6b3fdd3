"""The publisher, administration and account forms over plain HTTP (no JavaScript): CSRF, permissions,
errors shown with what was typed, and the whole publish path."""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest

from tests.conftest import PASSWORD, Portal

CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


class Browserless:
    """An httpx client that logs in through the form and reads the CSRF token like a browser would."""

    def __init__(self, portal: Portal, user: str | None = None) -> None:
        self.http = httpx.Client(
            base_url=portal.base_url, timeout=30, follow_redirects=False, headers={"Accept-Language": "en"}
        )
        self.csrf = ""
        if user:
            self.csrf = self.token_from("/login")
            r = self.http.post(
                "/login", data={"username": user, "password": PASSWORD, "csrf_token": self.csrf}
            )
            assert r.status_code == 303, r.text
            self.csrf = self.token_from("/publish")

    def token_from(self, path: str) -> str:
        r = self.http.get(path)
        match = CSRF_RE.search(r.text)
        assert match, f"no CSRF token on {path}: {r.status_code}"
        return match.group(1)

    def post(self, path: str, data: dict[str, object], **kw: object) -> httpx.Response:
        return self.http.post(path, data={"csrf_token": self.csrf, **data}, **kw)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def org_a(portal: Portal) -> str:
    return portal.make_org(title={"en": "Ministry A", "ru": "Министерство А", "kk": "А министрлігі"})


@pytest.fixture(scope="module")
def org_b(portal: Portal) -> str:
    return portal.make_org(title={"en": "Ministry B"})


@pytest.fixture(scope="module")
def editor_a(portal: Portal, org_a: str) -> Iterator[Browserless]:
    name, _ = portal.make_user(org=org_a, role="editor")
    client = Browserless(portal, name)
    yield client
    client.http.close()


@pytest.fixture(scope="module")
def sysadmin(portal: Portal) -> Iterator[Browserless]:
    name, _ = portal.make_user(sysadmin=True)
    client = Browserless(portal, name)
    yield client
    client.http.close()


def dataset_fields(**changes: object) -> dict[str, object]:
    fields: dict[str, object] = {
        "organization": "",
        "name": "",
        "title_en": "Air quality",
        "title_ru": "Качество воздуха",
        "title_kk": "",
        "description_en": "Hourly PM2.5",
        "themes": ["ENVI", "HEAL"],
        "keywords": "air, pm2.5",
        "license_id": "CC-BY-4.0",
        "update_frequency": "DAILY",
        "temporal_start": "2024-01-01",
        "temporal_end": "2024-12-31",
        "regions": ["KZ-75"],
        "contact_name": "Data desk",
        "contact_email": "data@example.kz",
        "version": "1",
        "action": "draft",
    }
    fields.update(changes)
    return fields


# ---------------------------------------------------------------- CSRF


@pytest.mark.parametrize(
    "path",
    [
        "/publish/new",
        "/dataset/{dataset}/edit",
        "/dataset/{dataset}/publish",
        "/dataset/{dataset}/delete",
        "/admin/users",
        "/admin/organizations/new",
        "/user/me/tokens",
    ],
)
def test_a_post_without_csrf_token_is_refused(
    portal: Portal, sysadmin: Browserless, org_a: str, path: str
) -> None:
    dataset = portal.make_dataset(org_a, state="draft")
    client = sysadmin
    r = client.http.post(path.format(dataset=dataset), data=dataset_fields(organization=org_a, name="x-y"))
    assert r.status_code == 403
    assert "expired" in r.text  # the error page says what to do
    assert client.http.get(f"/api/v1/datasets/{dataset}").json()["state"] == "draft"


def test_an_upload_without_csrf_token_is_refused(portal: Portal, editor_a: Browserless, org_a: str) -> None:
    dataset = portal.make_dataset(org_a, state="draft")
    r = editor_a.http.post(
        f"/dataset/{dataset}/resource/new", data={"name": "x"}, files={"file": ("a.csv", b"a,b\n1,2\n")}
    )
    assert r.status_code == 403
    assert editor_a.http.get(f"/api/v1/datasets/{dataset}").json()["resources"] == []


def test_a_wrong_csrf_token_is_refused(editor_a: Browserless, org_a: str) -> None:
    fields = dataset_fields(organization=org_a, name="forged", csrf_token="not-the-token")
    r = editor_a.http.post("/publish/new", data=fields)
    assert r.status_code == 403


# ---------------------------------------------------------------- permissions


def test_an_editor_of_a_cannot_edit_the_datasets_of_b(
    portal: Portal, editor_a: Browserless, org_b: str
) -> None:
    public = portal.make_dataset(org_b, state="published")
    draft = portal.make_dataset(org_b, state="draft")
    assert editor_a.http.get(f"/dataset/{public}/edit").status_code == 403
    assert editor_a.http.get(f"/dataset/{draft}/edit").status_code == 404  # its existence is not revealed
    assert editor_a.http.get(f"/dataset/{public}/resource/new").status_code == 403
    assert editor_a.http.get(f"/dataset/{public}/delete").status_code == 403
    r = editor_a.post(
        f"/dataset/{public}/edit", dataset_fields(organization=org_b, name=public, title_en="Hacked")
    )
    assert r.status_code == 403
    assert editor_a.post(f"/dataset/{public}/delete", {}).status_code == 403
    assert editor_a.post(f"/dataset/{draft}/publish", {}).status_code == 404
    after = editor_a.http.get(f"/api/v1/datasets/{public}").json()
    assert after["title"]["en"] != "Hacked" and after["state"] == "published"


def test_an_editor_cannot_create_a_dataset_in_another_organization(editor_a: Browserless, org_b: str) -> None:
    r = editor_a.post("/publish/new", dataset_fields(organization=org_b, name="sneaky-one"))
    assert r.status_code == 403
    assert editor_a.http.get("/api/v1/datasets/sneaky-one").status_code == 404


def test_the_organization_choice_lists_only_the_users_organizations(
    editor_a: Browserless, org_a: str, org_b: str
) -> None:
    page = editor_a.http.get("/publish/new").text
    assert f'value="{org_a}"' in page
    assert f'value="{org_b}"' not in page


def test_visitors_are_sent_to_log_in(portal: Portal) -> None:
    with httpx.Client(base_url=portal.base_url) as anonymous:
        for path in ("/publish", "/publish/new", "/admin", "/admin/organizations", "/user/me"):
            r = anonymous.get(path)
            assert r.status_code == 303, path
            assert r.headers["location"].startswith("/login?next=" + path), path


def test_only_sysadmins_open_the_administration(editor_a: Browserless) -> None:
    assert editor_a.http.get("/admin").status_code == 403
    assert editor_a.http.get("/admin/organizations").status_code == 403
    assert editor_a.http.get("/admin/organizations/new").status_code == 403
    assert (
        editor_a.post(
            "/admin/users", {"name": "x1", "email": "x@example.org", "password": "p" * 10}
        ).status_code
        == 403
    )


# ---------------------------------------------------------------- errors keep what was typed


def test_invalid_input_returns_the_form_with_errors_and_the_typed_values(
    editor_a: Browserless, org_a: str
) -> None:
    r = editor_a.post(
        "/publish/new",
        dataset_fields(
            organization=org_a,
            name="Bad Name!",
            title_kk="Ауа сапасы",
            contact_email="not-an-address",
            temporal_start="2024-12-31",
            temporal_end="2024-01-01",
        ),
    )
    assert r.status_code == 422
    page = r.text
    assert 'id="e-name"' in page and "lowercase latin letters" in page
    assert 'id="e-contact_email"' in page and "name@example.kz" in page
    assert 'id="e-temporal_end"' in page and "before its start" in page
    assert 'class="error-summary"' in page
    # nothing typed is lost
    assert 'value="Bad Name!"' in page
    assert 'value="Ауа сапасы"' in page
    assert 'value="Качество воздуха"' in page
    assert ">Hourly PM2.5</textarea>" in page
    assert 'value="air, pm2.5"' in page
    assert 'value="not-an-address"' in page
    assert re.search(r'value="ENVI" checked', page) and re.search(r'value="HEAL" checked', page)
    assert re.search(r'value="KZ-75" checked', page)
    assert re.search(r'<option value="DAILY" selected>', page)
    assert f'<option value="{org_a}" selected>' in page


def test_a_missing_title_and_a_taken_name_are_explained(
    portal: Portal, editor_a: Browserless, org_a: str
) -> None:
    r = editor_a.post(
        "/publish/new", dataset_fields(organization=org_a, name="no-title", title_en="", title_ru="")
    )
    assert r.status_code == 422
    assert "Give the title in at least one language." in r.text

    taken = portal.make_dataset(org_a)
    r = editor_a.post("/publish/new", dataset_fields(organization=org_a, name=taken))
    assert r.status_code == 422
    assert 'id="e-name"' in r.text and "already in use" in r.text


def test_a_resource_needs_a_file_or_a_link(portal: Portal, editor_a: Browserless, org_a: str) -> None:
    dataset = portal.make_dataset(org_a, state="draft")
    r = editor_a.post(
        f"/dataset/{dataset}/resource/new",
        {"name": "Stations", "description": "All of them", "url": "", "format": "csv"},
        files={"file": ("", b"")},
    )
    assert r.status_code == 422
    assert 'id="e-url"' in r.text
    assert 'value="Stations"' in r.text and ">All of them</textarea>" in r.text and 'value="CSV"' in r.text
    r = editor_a.post(f"/dataset/{dataset}/resource/new", {"name": "Bad", "url": "javascript:alert(1)"})
    assert r.status_code == 422 and 'value="javascript:alert(1)"' in r.text


# ---------------------------------------------------------------- the whole path without JavaScript


def test_create_upload_edit_publish_and_delete_without_javascript(
    portal: Portal, editor_a: Browserless, org_a: str
) -> None:
    name = portal.unique("air")
    r = editor_a.post("/publish/new", dataset_fields(organization=org_a, name=name))
    assert r.status_code == 303 and r.headers["location"] == f"/dataset/{name}/resource/new"
    api = editor_a.http.get(f"/api/v1/datasets/{name}").json()
    assert api["state"] == "draft"
    assert api["themes"] == ["ENVI", "HEAL"] and api["regions"] == ["KZ-75"]
    assert api["keywords"] == ["air", "pm2.5"] and api["update_frequency"] == "DAILY"
    assert api["temporal_start"] == "2024-01-01" and api["contact_email"] == "data@example.kz"

    r = editor_a.post(
        f"/dataset/{name}/resource/new",
        {"name": "Stations 2024", "description": "", "url": "", "format": ""},
        files={"file": ("stations.csv", b"id,city\n1,Almaty\n", "text/csv")},
    )
    assert r.status_code == 303 and r.headers["location"] == f"/dataset/{name}/edit#resources"
    resource = editor_a.http.get(f"/api/v1/datasets/{name}").json()["resources"][0]
    assert resource["format"] == "CSV" and resource["size"] == 17

    r = editor_a.post(
        f"/dataset/{name}/resource/{resource['id']}/edit",
        {"name": "Stations", "description": "Where we measure", "url": "", "format": "CSV"},
        files={"file": ("", b"")},
    )
    assert r.status_code == 303
    resource = editor_a.http.get(f"/api/v1/resources/{resource['id']}").json()
    assert resource["name"] == "Stations" and resource["size"] == 17  # the file is kept when none is chosen

    r = editor_a.post(f"/dataset/{name}/publish", {"next": "/publish"})
    assert r.status_code == 303 and r.headers["location"] == "/publish"
    with httpx.Client(base_url=portal.base_url) as anonymous:
        assert anonymous.get(f"/api/v1/datasets/{name}").json()["state"] == "published"

    r = editor_a.post(
        f"/dataset/{name}/edit", dataset_fields(organization=org_a, name=name, title_en="Air", action="save")
    )
    assert r.status_code == 303
    api = editor_a.http.get(f"/api/v1/datasets/{name}").json()
    assert api["title"]["en"] == "Air" and api["state"] == "published"  # 'save' keeps the state

    assert editor_a.http.get(f"/dataset/{name}/resource/{resource['id']}/delete").status_code == 200
    assert editor_a.post(f"/dataset/{name}/resource/{resource['id']}/delete", {}).status_code == 303
    assert editor_a.http.get(f"/api/v1/datasets/{name}").json()["resources"] == []

    assert editor_a.http.get(f"/dataset/{name}/delete").status_code == 200
    assert editor_a.post(f"/dataset/{name}/delete", {}).status_code == 303
    assert editor_a.http.get(f"/api/v1/datasets/{name}").status_code == 404


def test_the_dashboard_lists_drafts_and_private_datasets_of_the_users_organizations(
    portal: Portal, editor_a: Browserless, org_a: str, org_b: str
) -> None:
    draft = portal.make_dataset(org_a, state="draft")
    private = portal.make_dataset(org_a, private=True)
    elsewhere = portal.make_dataset(org_b)
    page = editor_a.http.get("/publish").text
    assert f"/dataset/{draft}/edit" in page and f"/dataset/{private}/edit" in page
    assert elsewhere not in page
    assert "badge-draft" in page and "badge-private" in page
    assert f'action="/dataset/{draft}/publish"' in page


# ---------------------------------------------------------------- administration and account


def test_a_sysadmin_creates_a_user_an_organization_and_a_membership(
    portal: Portal, sysadmin: Browserless
) -> None:
    user = portal.unique("ivan")
    r = sysadmin.post("/admin/users", {"name": user, "email": "bad", "password": "short", "fullname": "Ivan"})
    assert r.status_code == 422
    assert f'value="{user}"' in r.text and 'value="Ivan"' in r.text and 'id="e-email"' in r.text
    r = sysadmin.post("/admin/users", {"name": user, "email": "ivan@example.kz", "password": PASSWORD})
    assert r.status_code == 303

    org = portal.unique("akimat")
    r = sysadmin.post("/admin/organizations/new", {"name": org, "title_ru": "", "org_type": "akimat"})
    assert r.status_code == 422 and 'id="e-title"' in r.text and f'value="{org}"' in r.text
    r = sysadmin.post(
        "/admin/organizations/new",
        {"name": org, "title_ru": "Акимат", "title_en": "Akimat", "org_type": "akimat", "website": "gov.kz"},
    )
    assert r.status_code == 422 and 'id="e-website"' in r.text
    r = sysadmin.post(
        "/admin/organizations/new",
        {
            "name": org,
            "title_ru": "Акимат",
            "title_en": "Akimat",
            "org_type": "akimat",
            "contact_email": "a@b.kz",
        },
    )
    assert r.status_code == 303 and r.headers["location"] == f"/admin/organizations/{org}#members"

    r = sysadmin.post(f"/admin/organizations/{org}/members", {"user": "nobody-here", "role": "editor"})
    assert r.status_code == 422 and "There is no user with this name." in r.text
    assert 'value="nobody-here"' in r.text
    r = sysadmin.post(f"/admin/organizations/{org}/members", {"user": user, "role": "editor"})
    assert r.status_code == 303
    page = sysadmin.http.get(f"/admin/organizations/{org}").text
    assert user in page and re.search(r'<option value="editor" selected>', page)

    r = sysadmin.post(f"/admin/organizations/{org}/members/{user}", {"role": "admin", "action": "change"})
    assert r.status_code == 303
    r = sysadmin.post(f"/admin/organizations/{org}", {"title_en": "Akimat of Almaty", "org_type": "akimat"})
    assert r.status_code == 303
    api = sysadmin.http.get(f"/api/v1/organizations/{org}").json()
    assert api["title"] == {"en": "Akimat of Almaty"} and api["org_type"] == "akimat"

    new_user = Browserless(portal, user)
    assert f'value="{org}"' in new_user.http.get("/publish/new").text
    new_user.http.close()
    r = sysadmin.post(f"/admin/organizations/{org}/members/{user}", {"action": "remove"})
    assert r.status_code == 303
    assert (
        f"/admin/organizations/{org}/members/{user}"
        not in sysadmin.http.get(f"/admin/organizations/{org}").text
    )


def test_a_user_creates_an_api_token_sees_it_once_and_revokes_it(
    portal: Portal, editor_a: Browserless
) -> None:
    r = editor_a.post("/user/me/tokens", {"label": "ckanapi on my laptop"})
    assert r.status_code == 200
    token = re.search(r"<code>(drk_[^<]+)</code>", r.text)
    assert token, "the new token is shown"
    plain = token.group(1)
    with httpx.Client(base_url=portal.base_url, headers={"Authorization": plain}) as program:
        me = program.get("/api/v1/users/me")
        assert me.status_code == 200
    page = editor_a.http.get("/user/me").text
    assert plain not in page  # shown only once
    assert "ckanapi on my laptop" in page
    row = re.search(r'ckanapi on my laptop</th>.*?action="/user/me/tokens/([^"/]+)/revoke"', page, re.DOTALL)
    assert row
    token_id = row.group(1)
    assert editor_a.post(f"/user/me/tokens/{token_id}/revoke", {}).status_code == 303
    with httpx.Client(base_url=portal.base_url, headers={"Authorization": plain}) as program:
        assert program.get("/api/v1/users/me").status_code == 401


def test_the_forms_speak_the_visitors_language(editor_a: Browserless, org_a: str) -> None:
    r = editor_a.post(
        "/publish/new?lang=ru", dataset_fields(organization=org_a, name="x", title_en="", title_ru="")
    )
    assert r.status_code == 422
    assert '<html lang="ru">' in r.text
    assert "Укажите заголовок хотя бы на одном языке." in r.text
    assert "Сохранить как черновик" in r.text
    r = editor_a.http.get("/publish/new?lang=kk")
    assert "Жоба ретінде сақтау" in r.text
    editor_a.http.get("/publish?lang=en")  # back to English for the other tests


def test_a_user_changes_their_details_and_password(portal: Portal) -> None:
    name, _ = portal.make_user()
    me = Browserless(portal, name)
    r = me.post("/user/me", {"fullname": "Aigerim Sarsenova", "email": "not-an-address"})
    assert r.status_code == 422 and 'id="e-email"' in r.text and 'value="not-an-address"' in r.text
    assert 'value="Aigerim Sarsenova"' in r.text
    assert (
        me.post("/user/me", {"fullname": "Aigerim Sarsenova", "email": "aigerim@example.kz"}).status_code
        == 303
    )
    page = me.http.get("/user/me").text
    assert "aigerim@example.kz" in page and "Aigerim Sarsenova" in page

    r = me.post("/user/me/password", {"current_password": "wrong-password", "new_password": "new-secret-123"})
    assert r.status_code == 422 and 'id="e-current_password"' in r.text
    r = me.post("/user/me/password", {"current_password": PASSWORD, "new_password": "short"})
    assert r.status_code == 422 and 'id="e-new_password"' in r.text
    r = me.post("/user/me/password", {"current_password": PASSWORD, "new_password": "new-secret-123"})
    assert r.status_code == 303
    me.http.close()
    with httpx.Client(base_url=portal.base_url) as fresh:
        csrf = CSRF_RE.search(fresh.get("/login").text)
        assert csrf
        r = fresh.post(
            "/login", data={"username": name, "password": "new-secret-123", "csrf_token": csrf.group(1)}
        )
        assert r.status_code == 303
