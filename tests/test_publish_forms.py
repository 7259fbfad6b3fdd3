"""The publisher, administration and account forms over plain HTTP (no JavaScript): CSRF, permissions,
errors shown with what was typed, and the whole publish path."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from html.parser import HTMLParser

import httpx
import pytest

from derek.catalog.uploads import discard_if_unreferenced
from derek.core.storage import FileStore
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


class FormFields(HTMLParser):
    """What a browser would send for the form posting to `action`, submit buttons left out."""

    def __init__(self, action: str) -> None:
        super().__init__()
        self.action = action
        self.fields: dict[str, list[str]] = {}
        self.in_form = False
        self.textarea: str | None = None
        self.select: str | None = None
        self.options: list[tuple[str, bool]] = []

    def add(self, name: str, value: str) -> None:
        self.fields.setdefault(name, []).append(value)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.in_form = a.get("action") == self.action
        if not self.in_form or not a.get("name", tag == "option"):
            return
        kind = a.get("type", "text")
        if tag == "input" and kind not in ("submit", "button", "file"):
            if kind not in ("checkbox", "radio") or "checked" in a:
                self.add(a["name"], a.get("value", "on" if kind == "checkbox" else ""))
        elif tag == "textarea":
            self.textarea = a["name"]
            self.add(self.textarea, "")
        elif tag == "select":
            self.select, self.options = a["name"], []
        elif tag == "option" and self.select:
            self.options.append((a.get("value", ""), "selected" in a))

    def handle_data(self, data: str) -> None:
        if self.textarea:
            self.fields[self.textarea][-1] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.in_form = False
        elif tag == "textarea":
            self.textarea = None
        elif tag == "select" and self.select:
            chosen = [v for v, selected in self.options if selected] or [v for v, _ in self.options[:1]]
            for value in chosen:
                self.add(self.select, value)
            self.select = None


def form_fields(page: str, action: str) -> dict[str, list[str]]:
    parser = FormFields(action)
    parser.feed(page)
    assert parser.fields, f"no form posting to {action}"
    return parser.fields


def stored_files(portal: Portal) -> int:
    return sum(1 for p in portal.settings.files_dir.rglob("*") if p.is_file())


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
        "keywords": "air\r\npm2.5",  # one per line, as a browser sends a textarea
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
    assert r.status_code == 422  # the form again, with what was typed, not a bare error page
    assert 'id="e-organization"' in r.text and "choose one where you are an editor" in r.text
    assert 'value="sneaky-one"' in r.text and 'value="Air quality"' in r.text
    assert ">Hourly PM2.5</textarea>" in r.text
    assert editor_a.http.get("/api/v1/datasets/sneaky-one").status_code == 404


def test_an_editor_cannot_move_a_dataset_to_another_organization(
    portal: Portal, editor_a: Browserless, org_a: str, org_b: str
) -> None:
    name = portal.make_dataset(org_a, state="draft")
    r = editor_a.post(
        f"/dataset/{name}/edit", dataset_fields(organization=org_b, name=name, title_en="Moved")
    )
    assert r.status_code == 422
    assert 'id="e-organization"' in r.text and 'value="Moved"' in r.text
    after = editor_a.http.get(f"/api/v1/datasets/{name}").json()
    assert after["organization"]["name"] == org_a and after["title"]["en"] != "Moved"


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
    assert ">air\r\npm2.5</textarea>" in page
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


def test_saving_the_edit_form_unchanged_keeps_what_the_form_does_not_show(
    portal: Portal, editor_a: Browserless, org_a: str
) -> None:
    _user, token = portal.make_user(org=org_a, role="editor")
    name = portal.unique("almaty-air")
    with portal.client(token) as api:
        r = api.post(
            "/api/v1/datasets",
            json={
                "name": name,
                "organization": org_a,
                "title": {"en": "Air of Almaty", "de": "Luft in Almaty"},
                "description": {"ru": "Ежечасно", "de": "Stündlich"},
                "keywords": ["Almaty, city", "air", "PM2.5; PM10"],
                "themes": ["ENVI"],
                "regions": ["KZ-75"],
                "temporal_start": "2024-01-01",
                "temporal_end": "2024-12-31",
                "contact_email": "data@example.kz",
                "state": "published",
            },
        )
        assert r.status_code == 201, r.text
        before = r.json()

    page = editor_a.http.get(f"/dataset/{name}/edit").text
    fields = form_fields(page, f"/dataset/{name}/edit")
    assert "title_de" not in fields  # the form shows the profile's languages only
    r = editor_a.http.post(f"/dataset/{name}/edit", data={**fields, "action": "save"})
    assert r.status_code == 303, r.text

    after = editor_a.http.get(f"/api/v1/datasets/{name}").json()
    assert after["title"] == {"en": "Air of Almaty", "de": "Luft in Almaty"}
    assert after["description"] == {"ru": "Ежечасно", "de": "Stündlich"}
    assert sorted(after["keywords"]) == sorted(["Almaty, city", "air", "PM2.5; PM10"])
    for key in (
        "themes",
        "regions",
        "temporal_start",
        "temporal_end",
        "contact_email",
        "license_id",
        "state",
    ):
        assert after[key] == before[key], key
    assert ">" + "\n".join(before["keywords"]) + "</textarea>" in page  # one keyword per line
    assert "they are kept as they are: de." in page

    # a change in a shown language keeps the others; the title may live in a hidden language only
    fields.update(title_en=[""], description_ru=[""], keywords=["Almaty, city\r\n\r\nnew one\r\n"])
    r = editor_a.http.post(f"/dataset/{name}/edit", data={**fields, "action": "save"})
    assert r.status_code == 303, r.text
    after = editor_a.http.get(f"/api/v1/datasets/{name}").json()
    assert after["title"] == {"de": "Luft in Almaty"} and after["description"] == {"de": "Stündlich"}
    assert sorted(after["keywords"]) == ["Almaty, city", "new one"]


# ---------------------------------------------------------------- no file is left behind


def test_a_resource_form_with_an_error_leaves_no_file_behind(
    portal: Portal, editor_a: Browserless, org_a: str
) -> None:
    dataset = portal.make_dataset(org_a, state="draft")

    def content() -> bytes:
        return f"id,value\n1,{uuid.uuid4().hex}\n".encode()

    files_before = stored_files(portal)
    for bad in ({"url": "javascript:alert(1)"}, {"name": "n" * 301}):
        r = editor_a.post(
            f"/dataset/{dataset}/resource/new",
            {"name": "Stations", "description": "", "url": "", "format": "", **bad},
            files={"file": ("stations.csv", content(), "text/csv")},
        )
        assert r.status_code == 422, bad
        assert "choose it again" in r.text
        assert stored_files(portal) == files_before, bad
    assert editor_a.http.get(f"/api/v1/datasets/{dataset}").json()["resources"] == []

    r = editor_a.post(
        f"/dataset/{dataset}/resource/new",
        {"name": "Stations"},
        files={"file": ("stations.csv", content(), "text/csv")},
    )
    assert r.status_code == 303
    assert stored_files(portal) == files_before + 1
    resource = editor_a.http.get(f"/api/v1/datasets/{dataset}").json()["resources"][0]
    for bad in ({"url": "ftp:/nope", "format": ""}, {"name": "n" * 301}):
        r = editor_a.post(
            f"/dataset/{dataset}/resource/{resource['id']}/edit",
            {"name": "Stations", "description": "", "url": "", "format": "CSV", **bad},
            files={"file": ("stations.csv", content(), "text/csv")},
        )
        assert r.status_code == 422, bad
        assert stored_files(portal) == files_before + 1, bad
    after = editor_a.http.get(f"/api/v1/resources/{resource['id']}").json()
    assert after["sha256"] == resource["sha256"] and after["name"] == "Stations"


def test_a_stored_file_is_discarded_only_when_no_resource_refers_to_it(
    portal: Portal, editor_a: Browserless, org_a: str
) -> None:
    dataset = portal.make_dataset(org_a, state="draft")
    first, second = (f"a,b\n{uuid.uuid4().hex},{n}\n".encode() for n in (1, 2))
    r = editor_a.post(f"/dataset/{dataset}/resource/new", {"name": "R"}, files={"file": ("r.csv", first)})
    assert r.status_code == 303
    resource = editor_a.http.get(f"/api/v1/datasets/{dataset}").json()["resources"][0]
    r = editor_a.post(
        f"/dataset/{dataset}/resource/{resource['id']}/edit", {"name": "R"}, files={"file": ("r.csv", second)}
    )
    assert r.status_code == 303  # the first file now lives on in the resource's history only

    store = FileStore(portal.settings.files_dir, portal.settings.max_upload_bytes)
    orphan = store.save_chunks([uuid.uuid4().bytes])
    old_version, current = store.save_chunks([first]), store.save_chunks([second])
    with portal.db.session() as session:
        assert discard_if_unreferenced(session, store, orphan.sha256)
        assert not discard_if_unreferenced(session, store, old_version.sha256)
        assert not discard_if_unreferenced(session, store, current.sha256)
        assert not discard_if_unreferenced(session, store, orphan.sha256)  # already gone
    assert not orphan.path.exists()
    assert old_version.path.exists() and current.path.exists()


# ---------------------------------------------------------------- rules across a partial update


def test_a_partial_update_cannot_end_the_period_before_its_start(portal: Portal, org_a: str) -> None:
    _user, token = portal.make_user(org=org_a, role="editor")
    name = portal.make_dataset(org_a, temporal_start="2024-01-01", temporal_end="2024-12-31")
    with portal.client(token) as api:
        for change in ({"temporal_end": "2023-06-30"}, {"temporal_start": "2025-01-01"}):
            r = api.patch(f"/api/v1/datasets/{name}", json=change)
            assert r.status_code == 422, change
            assert r.json()["errors"]["temporal_end"] == ["The end of the period is before its start."]
        stored = api.get(f"/api/v1/datasets/{name}").json()
        assert (stored["temporal_start"], stored["temporal_end"]) == ("2024-01-01", "2024-12-31")

        assert api.patch(f"/api/v1/datasets/{name}", json={"temporal_end": "2024-06-30"}).status_code == 200
        assert api.patch(f"/api/v1/datasets/{name}", json={"temporal_start": None}).status_code == 200
        r = api.patch(f"/api/v1/datasets/{name}", json={"temporal_end": "2001-01-01"})
        assert r.status_code == 200  # no start, so any end


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

    assert portal.wait_checked(resource["id"]) == "clean"  # publishing waits for the personal-data check
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
    r = me.post("/user/me", {"fullname": "Test Publisher", "email": "not-an-address"})
    assert r.status_code == 422 and 'id="e-email"' in r.text and 'value="not-an-address"' in r.text
    assert 'value="Test Publisher"' in r.text
    assert (
        me.post("/user/me", {"fullname": "Test Publisher", "email": "publisher@example.kz"}).status_code
        == 303
    )
    page = me.http.get("/user/me").text
    assert "publisher@example.kz" in page and "Test Publisher" in page

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
