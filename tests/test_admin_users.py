"""A sysadmin manages one user over plain HTTP: their tokens, deactivation, reactivation; others may not."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from derek.core import accounts, audit
from derek.core.authz import SYSTEM
from tests.conftest import PASSWORD, Portal
from tests.test_publish_forms import CSRF_RE, Browserless


@pytest.fixture(scope="module")
def sysadmin(portal: Portal) -> Iterator[Browserless]:
    name, _ = portal.make_user(sysadmin=True)
    client = Browserless(portal, name)
    yield client
    client.http.close()


def me_status(portal: Portal, token: str) -> int:
    with portal.client(f"Bearer {token}") as program:
        return program.get("/api/v1/users/me").status_code


def log_in(portal: Portal, name: str) -> httpx.Response:
    with httpx.Client(base_url=portal.base_url, headers={"Accept-Language": "en"}) as fresh:
        csrf = CSRF_RE.search(fresh.get("/login").text)
        assert csrf
        return fresh.post(
            "/login", data={"username": name, "password": PASSWORD, "csrf_token": csrf.group(1)}
        )


def test_the_users_list_links_to_each_users_page(portal: Portal, sysadmin: Browserless) -> None:
    name, _ = portal.make_user()
    assert f'href="/admin/users/{name}"' in sysadmin.http.get("/admin").text


def test_a_sysadmin_sees_another_users_tokens_and_revokes_one(portal: Portal, sysadmin: Browserless) -> None:
    org = portal.make_org(title={"en": "Statistics Bureau"})
    name, first = portal.make_user(org=org, role="editor")
    with portal.db.session() as s:
        user = accounts.get_user(s, name)
        second_token, second = accounts.create_token(s, SYSTEM, user, "nightly upload script")
        second_id = second_token.id
    assert me_status(portal, second) == 200  # now it has been used

    r = sysadmin.http.get(f"/admin/users/{name}")
    assert r.status_code == 200
    page = r.text
    assert f"{name}@example.org" in page
    assert "Statistics Bureau" in page and "Editor" in page  # the membership
    assert "nightly upload script" in page and "tests" in page  # both tokens, by label
    assert first not in page and second not in page  # never the tokens themselves
    action = f"/admin/users/{name}/tokens/{second_id}/revoke"
    assert f'action="{action}"' in page

    r = sysadmin.post(action, {})
    assert r.status_code == 303 and r.headers["location"] == f"/admin/users/{name}#tokens"
    assert me_status(portal, second) == 401
    assert me_status(portal, first) == 200  # only that one
    page = sysadmin.http.get(f"/admin/users/{name}").text
    assert f'action="{action}"' not in page  # a revoked token has no Revoke button
    assert "Revoked" in page

    # a token of another user cannot be revoked through this user's page
    other, _ = portal.make_user()
    with portal.db.session() as s:
        foreign, foreign_plain = accounts.create_token(s, SYSTEM, accounts.get_user(s, other), "x")
        foreign_id = foreign.id
    assert sysadmin.post(f"/admin/users/{name}/tokens/{foreign_id}/revoke", {}).status_code == 404
    assert me_status(portal, foreign_plain) == 200


def test_deactivation_ends_sessions_and_tokens_and_reactivation_restores_login(
    portal: Portal, sysadmin: Browserless
) -> None:
    name, token = portal.make_user()
    user_session = Browserless(portal, name)
    assert user_session.http.get("/user/me").status_code == 200
    assert me_status(portal, token) == 200

    r = sysadmin.http.get(f"/admin/users/{name}")
    assert f'href="/admin/users/{name}/deactivate"' in r.text
    confirm = sysadmin.http.get(f"/admin/users/{name}/deactivate")
    assert confirm.status_code == 200
    assert f'action="/admin/users/{name}/deactivate"' in confirm.text and "Yes, deactivate" in confirm.text
    with portal.db.session() as s:
        assert accounts.get_user(s, name).state == "active"  # the confirmation page changes nothing

    r = sysadmin.post(f"/admin/users/{name}/deactivate", {})
    assert r.status_code == 303 and r.headers["location"] == f"/admin/users/{name}"
    page = sysadmin.http.get(f"/admin/users/{name}").text
    assert "Deactivated" in page and f'action="/admin/users/{name}/reactivate"' in page
    assert "Deactivated" in sysadmin.http.get("/admin").text

    assert me_status(portal, token) == 401
    r = user_session.http.get("/user/me")
    assert r.status_code == 303 and r.headers["location"].startswith("/login")  # anonymous now
    assert user_session.http.get("/api/v1/users/me").status_code == 401
    r = log_in(portal, name)
    assert r.status_code == 400 and 'name="password"' in r.text  # the normal failed-login answer

    with portal.db.session() as s:  # nothing deleted: the user and the token are still there
        user = accounts.get_user(s, name)
        assert user.state == "inactive"
        assert all(t.revoked_at is None for t in accounts.list_tokens(s, SYSTEM, user))

    r = sysadmin.post(f"/admin/users/{name}/reactivate", {})
    assert r.status_code == 303
    assert log_in(portal, name).status_code == 303
    assert me_status(portal, token) == 200  # an unrevoked token works again
    assert user_session.http.get("/user/me").status_code == 303  # the ended session stays ended
    user_session.http.close()


def test_a_sysadmin_cannot_deactivate_themself(portal: Portal) -> None:
    name, token = portal.make_user(sysadmin=True)
    me = Browserless(portal, name)
    page = me.http.get(f"/admin/users/{name}").text
    assert "You cannot deactivate your own account" in page
    assert f'href="/admin/users/{name}/deactivate"' not in page
    r = me.post(f"/admin/users/{name}/deactivate", {})
    assert r.status_code == 409
    assert "You cannot deactivate your own account" in r.text and "error-summary" in r.text
    with portal.client(f"Bearer {token}") as api:
        r = api.post(f"/api/v1/users/{name}/deactivate")
        assert r.status_code == 409 and "your own account" in r.json()["detail"]
    assert me.http.get("/user/me").status_code == 200  # still signed in
    me.http.close()


def test_only_sysadmins_manage_users(portal: Portal, sysadmin: Browserless) -> None:
    org = portal.make_org()
    target, target_token = portal.make_user()
    with portal.db.session() as s:
        token_id = accounts.list_tokens(s, SYSTEM, accounts.get_user(s, target))[0].id
    org_admin, _ = portal.make_user(org=org, role="admin")
    outsider = Browserless(portal, org_admin)
    for path in (f"/admin/users/{target}", f"/admin/users/{target}/deactivate", f"/admin/users/{org_admin}"):
        assert outsider.http.get(path).status_code == 403, path
    for path in (
        f"/admin/users/{target}/deactivate",
        f"/admin/users/{target}/reactivate",
        f"/admin/users/{target}/tokens/{token_id}/revoke",
        "/admin/users/nobody-at-all/deactivate",  # 403 too: no probing which names exist
    ):
        assert outsider.post(path, {}).status_code == 403, path
    outsider.http.close()
    with portal.db.session() as s:
        assert accounts.get_user(s, target).state == "active"
    assert me_status(portal, target_token) == 200

    with httpx.Client(base_url=portal.base_url) as anonymous:
        r = anonymous.get(f"/admin/users/{target}")
        assert r.status_code == 303 and r.headers["location"].startswith("/login")
    assert sysadmin.http.get("/admin/users/nobody-at-all").status_code == 404


@pytest.mark.parametrize("action", ["deactivate", "reactivate", "revoke"])
def test_a_post_without_csrf_token_is_refused(portal: Portal, sysadmin: Browserless, action: str) -> None:
    name, token = portal.make_user()
    with portal.db.session() as s:
        user = accounts.get_user(s, name)
        token_id = accounts.list_tokens(s, SYSTEM, user)[0].id
        if action == "reactivate":
            accounts.set_user_active(s, SYSTEM, user, False)
    path = {
        "deactivate": f"/admin/users/{name}/deactivate",
        "reactivate": f"/admin/users/{name}/reactivate",
        "revoke": f"/admin/users/{name}/tokens/{token_id}/revoke",
    }[action]
    r = sysadmin.http.post(path, data={})
    assert r.status_code == 403
    assert sysadmin.http.post(path, data={"csrf_token": "forged"}).status_code == 403
    with portal.db.session() as s:
        assert accounts.get_user(s, name).state == ("inactive" if action == "reactivate" else "active")
    assert me_status(portal, token) == (401 if action == "reactivate" else 200)


def test_the_api_deactivates_and_reactivates(portal: Portal) -> None:
    _admin, admin_token = portal.make_user(sysadmin=True)
    name, token = portal.make_user()
    with portal.client(f"Bearer {admin_token}") as api:
        r = api.post(f"/api/v1/users/{name}/deactivate")
        assert r.status_code == 200 and r.json()["state"] == "inactive"
        assert me_status(portal, token) == 401
        assert api.post(f"/api/v1/users/{name}/deactivate").json()["state"] == "inactive"  # idempotent
        r = api.post(f"/api/v1/users/{name}/reactivate")
        assert r.status_code == 200 and r.json()["state"] == "active"
        assert me_status(portal, token) == 200
        assert api.post("/api/v1/users/nobody-at-all/deactivate").status_code == 404


def test_the_user_page_speaks_the_visitors_language(portal: Portal, sysadmin: Browserless) -> None:
    name, _ = portal.make_user()
    page = sysadmin.http.get(f"/admin/users/{name}?lang=ru").text
    assert "Деактивировать пользователя" in page and "API-токены" in page
    page = sysadmin.http.get(f"/admin/users/{name}/deactivate?lang=kk").text
    assert "Иә, белсенділігін тоқтату" in page
    sysadmin.http.get("/admin?lang=en")  # back to English for the other tests


def test_deactivation_is_audited(portal: Portal) -> None:
    name, _ = portal.make_user()
    admin, admin_token = portal.make_user(sysadmin=True)
    with portal.client(f"Bearer {admin_token}") as api:
        assert api.post(f"/api/v1/users/{name}/deactivate").status_code == 200
    with portal.db.session() as s:
        user_id = accounts.get_user(s, name).id
        rows = [(e.action, e.actor_name, e.before, e.after) for e in audit.history(s, user_id)]
    assert (
        "user.deactivate",
        admin,
        {"name": name, "state": "active"},
        {"name": name, "state": "inactive"},
    ) in rows
