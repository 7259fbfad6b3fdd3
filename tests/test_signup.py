"""A visitor creates their own account at /register and is signed in with it: what the form checks (the
name's form, a taken name, the e-mail, the password twice), that the account has no organization and no
rights beyond a signed-in person's, the CSRF check, and a portal that turns sign-up off."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from derek.core import accounts
from derek.core.errors import NotFound
from tests.conftest import Portal, start_portal


@pytest.fixture(scope="module")
def portal(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Portal]:
    yield from start_portal(tmp_path_factory.mktemp("signup"))


def _form(portal: Portal, client: object, **fields: str) -> dict[str, str]:
    values = {
        "username": portal.unique("resident"),
        "fullname": "Resident of Karaganda",
        "email": "resident@example.kz",
        "password": "a long enough password",
        "password_again": "a long enough password",
        "next": "/reuse/ideas",
    }
    values.update(fields)
    values["csrf_token"] = portal.csrf(client, "/register")  # type: ignore[arg-type]
    return values


def test_a_visitor_creates_an_account_and_is_signed_in(portal: Portal) -> None:
    with portal.client() as http:
        login = http.get("/login").text
        assert 'href="/register?next=' in login
        form = _form(portal, http)
        done = http.post("/register?lang=en", data=form)
        assert done.status_code == 303 and done.headers["location"] == "/reuse/ideas"
        me = http.get("/user/me")
        assert me.status_code == 200 and form["username"] in me.text
    with portal.db.session() as s:
        user = accounts.get_user(s, form["username"])
        assert user.fullname == "Resident of Karaganda" and not user.sysadmin
        assert accounts.memberships_of(s, user.id) == {}
        assert accounts.authenticate(s, form["username"], "a long enough password") is not None


@pytest.mark.parametrize(
    ("fields", "field", "words"),
    [
        ({"username": "Bad Name!"}, "username", "lowercase"),
        ({"email": "not an address"}, "email", "e-mail"),
        ({"password": "short", "password_again": "short"}, "password", "8 characters"),
        ({"password_again": "something else entirely"}, "password_again", "differ"),
    ],
)
def test_the_form_says_what_is_wrong_next_to_the_field_and_keeps_the_values(
    portal: Portal, fields: dict[str, str], field: str, words: str
) -> None:
    with portal.client() as http:
        form = _form(portal, http, **fields)
        refused = http.post("/register?lang=en", data=form)
    assert refused.status_code == 400
    assert f'id="e-{field}"' in refused.text and words in refused.text
    assert form["email"].replace("@", "&#64;") in refused.text or form["email"] in refused.text
    with portal.db.session() as s:
        assert accounts.authenticate(s, form["username"].strip().lower(), form["password"]) is None


def test_a_taken_name_is_refused(portal: Portal) -> None:
    taken, _token = portal.make_user()
    with portal.client() as http:
        refused = http.post("/register?lang=en", data=_form(portal, http, username=taken))
    assert refused.status_code == 400 and 'id="e-username"' in refused.text and "taken" in refused.text


def test_a_form_without_its_csrf_token_is_refused(portal: Portal) -> None:
    with portal.client() as http:
        form = _form(portal, http)
        form["csrf_token"] = "forged"
        refused = http.post("/register?lang=en", data=form)
    assert refused.status_code in (400, 403)
    with portal.db.session() as s, pytest.raises(NotFound):
        accounts.get_user(s, form["username"])


def test_the_page_is_translated(portal: Portal) -> None:
    with portal.client() as http:
        assert "Тіркелгі жасау" in http.get("/register", params={"lang": "kk"}).text
        assert "Создать учётную запись" in http.get("/register", params={"lang": "ru"}).text


def test_a_portal_can_turn_sign_up_off(tmp_path: Path) -> None:
    for closed in start_portal(tmp_path, signup=False):
        with closed.client() as http:
            assert http.get("/register").status_code == 404
            assert 'href="/register' not in http.get("/login").text
            assert http.post("/register?lang=en", data={"csrf_token": closed.csrf(http)}).status_code == 404
