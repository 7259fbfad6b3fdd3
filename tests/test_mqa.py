"""The MQA-style metadata quality score, checked by hand on three datasets against data.europa.eu's points
(guide references section 7: 405 in all), and shown on the dataset page."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest

from derek.catalog import service as catalog
from derek.catalog.schemas import DatasetCreate, ResourceCreate
from derek.core.authz import SYSTEM
from derek.core.db import utcnow
from derek.quality import links, mqa
from tests.conftest import Portal, start_portal


@pytest.fixture(scope="module")
def portal(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Portal]:
    yield from start_portal(tmp_path_factory.mktemp("mqa"))


def _quality(portal: Portal, name: str) -> dict[str, Any]:
    with portal.client() as http:
        r = http.get(f"/api/v1/datasets/{name}/quality")
        assert r.status_code == 200, r.text
        return dict(r.json())


def _by_dimension(scored: dict[str, Any]) -> dict[str, int]:
    return {k: v["points"] for k, v in scored["dimensions"].items()}


def test_the_table_adds_up_to_405_and_the_ratings_have_their_bounds() -> None:
    assert sum(r.points for r in mqa.RULES) == 405 and len(mqa.NON_PROPRIETARY) == 31
    assert [mqa.rating(p) for p in (405, 351, 350, 221, 220, 121, 120, 0)] == [
        "excellent", "excellent", "good", "good", "sufficient", "sufficient", "bad", "bad",
    ]  # fmt: skip


def test_a_well_described_dataset_with_an_uploaded_csv(portal: Portal) -> None:
    """Everything but a rights statement (which the portal does not give yet): 405 - 5 = 400."""
    resource_id, token = portal.upload(
        b"region,schools\nAlmaty,210\nAstana,180\n",
        "schools.csv",
        description={"en": "Schools by region, counted each September."},
        keywords=["schools", "education"],
        themes=["EDUC"],
        regions=["KZ-75"],
        temporal_start=date(2020, 1, 1),
        temporal_end=date(2024, 12, 31),
        license_id="CC-BY-4.0",
        contact_name="Statistics desk",
        contact_email="stat@example.kz",
    )
    with portal.client(f"Bearer {token}") as http:
        dataset_id = http.get(f"/api/v1/resources/{resource_id}").json()["dataset_id"]
        name = http.get(f"/api/v1/datasets/{dataset_id}").json()["name"]
    scored = _quality(portal, name)
    assert _by_dimension(scored) == {
        "findability": 100,  # keywords 30, themes 30, spatial 20, temporal 20
        "accessibility": 100,  # the portal's own access and download addresses answer: 50 + 20 + 30
        "interoperability": 110,  # CSV, text/csv, both from vocabularies, open, machine-readable, conforms
        "reusability": 75,  # licence 20 + 10 (EU), access rights 10 + 5 (EU), contact 20, publisher 10
        "contextuality": 15,  # no rights statement (0), byte size 5, issued 5, modified 5
    }
    assert (scored["points"], scored["rating"]) == (400, "excellent")
    (missing,) = [i for i in scored["indicators"] if i["points"] < i["max_points"]]
    assert missing["key"] == "rights"


def test_a_bare_dataset_with_an_unchecked_spreadsheet_link(portal: Portal) -> None:
    """Title only, no description (a DCAT-AP violation), the default licence, an XLSX link not yet checked."""
    name = portal.make_dataset(portal.make_org(), title={"en": "Bare"})
    with portal.db.session() as s:
        catalog.create_resource(
            s, SYSTEM, name, ResourceCreate(name="Sheet", url="https://example.org/t.xlsx", format="XLSX")
        )
    scored = _quality(portal, name)
    assert _by_dimension(scored) == {
        "findability": 0,
        "accessibility": 0,  # not checked yet, and a link gives no download address
        "interoperability": 60,  # format 20, media type 10, both from vocabularies 10, machine-readable 20
        "reusability": 55,  # licence 20 + 10, access rights 10 + 5, publisher 10; no contact point
        "contextuality": 10,  # issued 5, modified 5
    }
    assert (scored["points"], scored["rating"]) == (125, "sufficient")
    fixes = {i["key"]: i["fix"] for i in scored["indicators"] if i["fix"]}
    assert fixes["dcat_ap"] == "Fix what the DCAT-AP check lists" and fixes["keywords"] == "Add keywords"


def test_a_mirror_without_a_licence_whose_pdf_link_works(portal: Portal) -> None:
    org = portal.make_org()
    with portal.db.session() as s:
        data = DatasetCreate(
            name="mirror-report",
            organization=org,
            title={"en": "Report"},
            keywords=["report"],
            state="published",
        )
        catalog.create_dataset(s, SYSTEM, portal.settings.jurisdiction, data, default_licence=False)
        pdf = catalog.create_resource(
            s, SYSTEM, "mirror-report", ResourceCreate(url="https://example.org/r.pdf", format="PDF")
        )
        works = links.Outcome(
            ok=True, http_status=200, error="", final_url="https://example.org/r.pdf", elapsed_ms=9
        )
        links.record(s, pdf.id, "https://example.org/r.pdf", works, utcnow())
    scored = _quality(portal, "mirror-report")
    assert _by_dimension(scored) == {
        "findability": 30,  # keywords
        "accessibility": 50,  # the link answered at its latest check; no download address
        "interoperability": 40,  # PDF and application/pdf from vocabularies; proprietary-free but not data
        "reusability": 25,  # no licence (0 + 0), access rights 15, publisher 10, no contact point
        "contextuality": 10,
    }
    assert (scored["points"], scored["rating"]) == (155, "sufficient")


def test_every_visitor_sees_the_score_on_the_page(portal: Portal) -> None:
    name = portal.make_dataset(portal.make_org(), title={"en": "Shown"}, keywords=["x"])
    with portal.client() as http:
        page = http.get(f"/dataset/{name}", params={"lang": "en"}).text
        russian = http.get(f"/dataset/{name}", params={"lang": "ru"}).text
        assert http.get("/api/v1/datasets/no-such/quality").status_code == 404
    scored = _quality(portal, name)
    assert (
        f"{scored['points']} of 405 points" in page
        and "Add keywords" not in page
        and "Choose a theme" in page
    )
    assert "Качество метаданных" in russian
