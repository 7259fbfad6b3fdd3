"""What a leaked token or a copied cookie can do: no new tokens, no password change, no life after log-out."""

from __future__ import annotations

from tests.conftest import PASSWORD, Portal


def test_a_token_cannot_mint_tokens_or_change_the_password(portal: Portal) -> None:
    name, token = portal.make_user()
    with portal.client(token) as leaked:
        minted = leaked.post("/api/v1/tokens", json={"label": "persistence"})
        assert minted.status_code == 403 and "account page" in minted.json()["detail"]
        changed = leaked.patch(f"/api/v1/users/{name}", json={"password": "taken-over-123"})
        assert changed.status_code == 422 and "current_password" in changed.json()["errors"]
        ok = leaked.patch(
            f"/api/v1/users/{name}", json={"password": "new-password-1", "current_password": PASSWORD}
        )
        assert ok.status_code == 200
    portal.signed_in(name, "new-password-1").close()


def test_a_sysadmin_may_reset_another_users_password(portal: Portal) -> None:
    name, _ = portal.make_user()
    _admin, admin_token = portal.make_user(sysadmin=True)
    with portal.client(admin_token) as admin:
        assert admin.patch(f"/api/v1/users/{name}", json={"password": "reset-by-admin"}).status_code == 200
    portal.signed_in(name, "reset-by-admin").close()


def test_a_copied_cookie_dies_at_log_out(portal: Portal) -> None:
    name, _ = portal.make_user()
    browser = portal.signed_in(name)
    cookie = browser.cookies.get("derek_session")
    assert browser.get("/api/v1/users/me").status_code == 200
    with portal.client() as thief:
        thief.cookies.set("derek_session", cookie)
        assert thief.get("/api/v1/users/me").status_code == 200
        out = browser.post("/logout", data={"csrf_token": portal.csrf(browser, "/")})
        assert out.status_code == 303
        assert thief.get("/api/v1/users/me").status_code == 401
    browser.close()


def test_a_password_change_ends_other_sessions_but_not_this_one(portal: Portal) -> None:
    name, _ = portal.make_user()
    here, elsewhere = portal.signed_in(name), portal.signed_in(name)
    r = here.post(
        "/user/me/password",
        data={
            "csrf_token": portal.csrf(here, "/user/me"),
            "current_password": PASSWORD,
            "new_password": "changed-password-9",
        },
    )
    assert r.status_code == 303, r.text[:300]
    assert here.get("/api/v1/users/me").status_code == 200
    assert elsewhere.get("/api/v1/users/me").status_code == 401
    here.close()
    elsewhere.close()
