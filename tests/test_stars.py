"""5-star openness: by media type first and format second, 0 without an open licence or with a broken link,
a dataset as good as its best resource; on the page and in the API."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from derek.catalog import service as catalog
from derek.catalog.schemas import DatasetCreate, ResourceCreate
from derek.core.authz import SYSTEM
from derek.core.db import utcnow
from derek.quality import links, stars
from tests.conftest import Portal, start_portal


@pytest.fixture(scope="module")
def portal(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Portal]:
    yield from start_portal(tmp_path_factory.mktemp("stars"))


def _dataset(portal: Portal, resources: list[dict[str, str]], **fields: Any) -> tuple[str, list[str]]:
    org = portal.make_org()
    name = portal.make_dataset(org, **fields)
    with portal.db.session() as s:
        ids = [catalog.create_resource(s, SYSTEM, name, ResourceCreate(**r)).id for r in resources]
    return name, ids


def _stars(portal: Portal, name: str) -> dict[str, Any]:
    with portal.client() as http:
        r = http.get(f"/api/v1/datasets/{name}/stars")
        assert r.status_code == 200, r.text
        return dict(r.json())


@pytest.mark.parametrize(
    ("fmt", "media_type", "expected"),
    [
        ("CSV", "", 3),
        ("", "text/csv", 3),
        ("xlsx", "", 2),
        ("XLS", "text/csv", 3),  # the media type wins over the format field
        ("TTL", "", 4),
        ("", "application/ld+json", 4),
        ("PDF", "", 1),
        ("HTML", "", 1),
        ("", "", 1),  # on the web, format unknown
        ("EXE", "", 0),
        ("GeoJSON", "", 3),
        ("SHP", "", 2),
        ("Parquet", "", 3),
    ],
)
def test_a_resource_is_rated_by_its_media_type_then_its_format(
    fmt: str, media_type: str, expected: int
) -> None:
    assert stars.resource_stars(fmt, media_type, licence_open=True, broken=False).stars == expected


def test_no_open_licence_or_a_broken_link_scores_zero() -> None:
    assert stars.resource_stars("CSV", "", licence_open=False, broken=False) == stars.Stars(
        0, "no open licence"
    )
    assert stars.resource_stars("TTL", "", licence_open=True, broken=True).stars == 0


def test_a_dataset_has_the_stars_of_its_best_resource(portal: Portal) -> None:
    name, ids = _dataset(
        portal,
        [
            {"name": "Report", "url": "https://example.org/report.pdf", "format": "PDF"},
            {"name": "Table", "url": "https://example.org/table.xlsx", "format": "XLSX"},
            {"name": "Data", "url": "https://example.org/data.csv", "format": "CSV"},
        ],
        license_id="CC-BY-4.0",
    )
    rated = _stars(portal, name)
    assert rated["stars"] == 3 and rated["licence_open"] is True
    assert [(r["name"], r["stars"]) for r in rated["resources"]] == [("Report", 1), ("Table", 2), ("Data", 3)]

    # the CSV's link breaks: the dataset drops to its next best, and the page says so
    with portal.db.session() as s:
        gone = links.Outcome(
            ok=False, http_status=404, error="The server answered 404.", final_url="", elapsed_ms=1
        )
        links.record(s, ids[2], "https://example.org/data.csv", gone, utcnow())
    rated = _stars(portal, name)
    assert rated["stars"] == 2 and rated["resources"][2]["reason"] == "the link does not work"
    with portal.client() as http:
        page = http.get(f"/dataset/{name}", params={"lang": "en"}).text
    assert "Openness" in page and "2 of 5 stars" in page and "the link does not work" in page
    with portal.client() as http:
        russian = http.get(f"/dataset/{name}", params={"lang": "ru"}).text
    assert "Открытость" in russian and "2 из 5 звёзд" in russian


def test_a_mirror_without_a_known_licence_has_no_stars(portal: Portal) -> None:
    org = portal.make_org()
    with portal.db.session() as s:
        data = DatasetCreate(name="no-licence", organization=org, title={"en": "Mirror"}, state="published")
        catalog.create_dataset(s, SYSTEM, portal.settings.jurisdiction, data, default_licence=False)
        catalog.create_resource(
            s, SYSTEM, "no-licence", ResourceCreate(url="https://example.org/a.csv", format="CSV")
        )
    rated = _stars(portal, "no-licence")
    assert rated["stars"] == 0 and rated["licence_open"] is False
    assert rated["resources"][0]["reason"] == "no open licence"


def test_stars_of_a_dataset_nobody_may_see_are_not_found(portal: Portal) -> None:
    name, _ids = _dataset(portal, [{"url": "https://example.org/a.csv"}], state="draft")
    with portal.client() as http:
        assert http.get(f"/api/v1/datasets/{name}/stars").status_code == 404
        assert http.get("/api/v1/datasets/no-such-dataset/stars").status_code == 404
