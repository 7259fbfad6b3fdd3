"""The landing search (no words, no filters) is kept between calls: it must follow every change at once."""

from __future__ import annotations

from tests.conftest import Portal


def _overview(portal: Portal, token: str | None = None) -> tuple[int, dict[str, int]]:
    with portal.client(token) as http:
        body = http.get("/api/v1/datasets", params={"rows": 0}).json()
    return body["count"], {f["value"]: f["count"] for f in body["facets"]["theme"]}


def test_overview_follows_creation_privacy_resources_and_deletion(portal: Portal) -> None:
    org = portal.make_org()
    _n, token = portal.make_user(org=org)
    count, themes = _overview(portal)
    name = portal.make_dataset(org, themes=["TRAN"])
    count2, themes2 = _overview(portal)
    assert (count2, themes2.get("TRAN", 0)) == (count + 1, themes.get("TRAN", 0) + 1)
    with portal.client(f"Bearer {token}") as http:
        assert http.patch(f"/api/v1/datasets/{name}", json={"private": True}).status_code == 200
        assert _overview(portal)[0] == count
        member_count, _ = _overview(portal, f"Bearer {token}")
        assert member_count == count + 1  # members see their own private dataset, from no stale copy
        assert http.patch(f"/api/v1/datasets/{name}", json={"private": False}).status_code == 200
        assert _overview(portal)[0] == count + 1
        before = {
            f["value"]: f["count"]
            for f in http.get("/api/v1/datasets", params={"rows": 0}).json()["facets"]["format"]
        }
        up = http.post(f"/api/v1/datasets/{name}/resources", json={"url": "https://example.org/x.geojson"})
        assert up.status_code == 201
        formats = {f["value"]: f["count"] for f in _overview_formats(portal)}
        assert formats.get("GEOJSON", 0) == before.get("GEOJSON", 0) + 1
        assert http.delete(f"/api/v1/datasets/{name}").status_code == 204
    assert _overview(portal) == (count, themes)


def _overview_formats(portal: Portal) -> list[dict[str, int]]:
    with portal.client() as http:
        return list(http.get("/api/v1/datasets", params={"rows": 0}).json()["facets"]["format"])
