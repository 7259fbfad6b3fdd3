"""The `derek` command as a new user runs it: in a subprocess, on a fresh data folder."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx

from tests.conftest import Portal, fresh_database_url

DEREK = str(Path(sys.executable).with_name("derek"))


def run(
    tmp: Path, *args: str, stdin: str | None = None, db_url: str | None = None
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DEREK_DATA_DIR": str(tmp), "DEREK_DATABASE_URL": db_url or fresh_database_url(tmp)}
    return subprocess.run([DEREK, *args], input=stdin, capture_output=True, text=True, env=env, timeout=120)


def test_db_upgrade_user_and_token(tmp_path: Path) -> None:
    url = fresh_database_url(tmp_path)
    assert run(tmp_path, "db", "upgrade", db_url=url).returncode == 0
    created = run(
        tmp_path,
        "user",
        "create",
        "root-admin",
        "--email",
        "root@example.org",
        "--role",
        "sysadmin",
        "--password-stdin",
        stdin="a-long-password\n",
        db_url=url,
    )
    assert created.returncode == 0, created.stderr
    token = run(tmp_path, "token", "create", "root-admin", "--label", "ci", db_url=url)
    assert token.returncode == 0, token.stderr
    lines = token.stdout.splitlines()
    assert len(lines) == 1 and lines[0].startswith("drk_") and len(lines[0]) > 40


def test_token_works_against_the_server(portal: Portal, tmp_path: Path) -> None:
    name, _ = portal.make_user()
    out = run(tmp_path, "token", "create", name, db_url=portal.settings.effective_database_url)
    assert out.returncode == 0, out.stderr
    me = httpx.get(f"{portal.base_url}/api/v1/users/me", headers={"Authorization": out.stdout.strip()})
    assert me.status_code == 200 and me.json()["name"] == name


def test_user_create_with_org_role(portal: Portal, tmp_path: Path) -> None:
    org = portal.make_org()
    name = portal.unique("cli-editor")
    out = run(
        tmp_path,
        "user",
        "create",
        name,
        "--email",
        "e@example.org",
        "--org",
        org,
        "--org-role",
        "admin",
        db_url=portal.settings.effective_database_url,
    )
    assert out.returncode == 0, out.stderr
    with portal.db.session() as s:
        from derek.core import accounts

        user = accounts.get_user(s, name)
        assert list(accounts.memberships_of(s, user.id).values()) == ["admin"]


def test_bad_input_is_explained(tmp_path: Path) -> None:
    url = fresh_database_url(tmp_path)
    bad_role = run(
        tmp_path, "user", "create", "someone", "--email", "s@example.org", "--role", "king", db_url=url
    )
    assert bad_role.returncode == 2 and "sysadmin" in bad_role.stderr
    bad_email = run(tmp_path, "user", "create", "someone", "--email", "not-an-email", db_url=url)
    assert bad_email.returncode == 1 and "e-mail" in bad_email.stderr
    short = run(
        tmp_path,
        "user",
        "create",
        "someone",
        "--email",
        "s@example.org",
        "--password-stdin",
        stdin="short\n",
        db_url=url,
    )
    assert short.returncode == 1 and "8 characters" in short.stderr
    missing = run(tmp_path, "token", "create", "nobody", db_url=url)
    assert missing.returncode == 1 and "nobody" in missing.stderr and missing.stdout == ""
    assert run(tmp_path, "user", "create", "dup", "--email", "d@example.org", db_url=url).returncode == 0
    dup = run(tmp_path, "user", "create", "dup", "--email", "d@example.org", db_url=url)
    assert dup.returncode == 1 and "already exists" in dup.stderr
