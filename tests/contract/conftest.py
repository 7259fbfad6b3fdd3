"""Fixtures of the CKAN contract tests: one organization with publishers, outsiders and a sysadmin."""

from __future__ import annotations

from dataclasses import dataclass

import ckanapi
import pytest

from tests.conftest import Portal


@dataclass
class Cast:
    """An organization and the people acting on it, each with a ckanapi client."""

    portal: Portal
    org: str
    org_id: str
    editor: str
    editor_token: str
    member_token: str
    outsider_token: str
    sysadmin_token: str

    def ckan(self, token: str | None = None, *, get_only: bool = False) -> ckanapi.RemoteCKAN:
        return ckanapi.RemoteCKAN(self.portal.base_url, apikey=token, get_only=get_only)


@pytest.fixture(scope="module")
def cast(portal: Portal) -> Cast:
    org = portal.make_org()
    other_org = portal.make_org()
    editor, editor_token = portal.make_user(org=org, role="editor")
    _member, member_token = portal.make_user(org=org, role="member")
    _outsider, outsider_token = portal.make_user(org=other_org, role="editor")
    _admin, sysadmin_token = portal.make_user(sysadmin=True)
    org_id = ckanapi.RemoteCKAN(portal.base_url).action.organization_show(id=org)["id"]
    return Cast(portal, org, org_id, editor, editor_token, member_token, outsider_token, sysadmin_token)
