"""Organization rules a user can trip over: parent cycles, member changes that must not reveal names."""

from __future__ import annotations

from tests.conftest import Portal


def test_parent_cycle_is_refused(portal: Portal) -> None:
    top, middle = portal.make_org(), portal.make_org()
    _admin, token = portal.make_user(sysadmin=True)
    with portal.client(f"Bearer {token}") as http:
        assert http.patch(f"/api/v1/organizations/{middle}", json={"parent": top}).status_code == 200
        r = http.patch(f"/api/v1/organizations/{top}", json={"parent": middle})
        assert r.status_code == 422
        assert "parent" in r.json()["errors"]
        own = http.patch(f"/api/v1/organizations/{top}", json={"parent": top})
        assert own.status_code == 422
        assert http.get(f"/api/v1/organizations/{top}").json()["parent"] is None


def test_member_changes_do_not_reveal_user_names(portal: Portal) -> None:
    org = portal.make_org()
    _outsider, token = portal.make_user()
    for client in (portal.client(), portal.client(f"Bearer {token}")):
        with client as http:
            missing = http.put(f"/api/v1/organizations/{org}/members/no-such-user", json={"role": "editor"})
            real_name, _ = portal.make_user()
            existing = http.put(f"/api/v1/organizations/{org}/members/{real_name}", json={"role": "editor"})
            assert missing.status_code == existing.status_code
            assert missing.status_code in (401, 403)
