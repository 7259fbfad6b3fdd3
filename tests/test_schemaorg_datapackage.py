"""schema.org Dataset JSON-LD on public dataset pages, and `/dataset/{name}/datapackage.json` (Data Package
v2): the markup parses from the page, private and draft datasets get neither, and every package (a loaded CSV,
and each dataset of the demo catalog) passes frictionless's metadata validation and the vendored schema."""

from __future__ import annotations

import hashlib
import json
import re
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import frictionless
import jsonschema
import pytest
from sqlalchemy import func, select

from derek.core import jobs
from derek.demo import DATASETS, load_demo
from tests.conftest import Portal, start_portal

SPEC = Path(__file__).resolve().parent.parent / "src" / "derek" / "interop" / "spec" / "datapackage" / "2.0"
PROFILE = "https://datapackage.org/profiles/2.0/datapackage.json"
LD_RE = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.DOTALL)
LONG = (
    "Monthly counts of registered vehicles by region, with the fuel type and the year of manufacture. "
    "Compiled from the national register."
)
CSV = (
    b"id;amount;day;city;active\n"
    b"1;10,5;01.02.2023;Almaty;true\n"
    b"2;7,25;15.03.2023;Astana;false\n"
    b"3;;30.04.2023;Shymkent;true\n"
)


def validation_errors(descriptor: dict[str, Any]) -> list[str]:
    """Metadata-only validation: frictionless v5's `Package.metadata_validate` (it checks the descriptor
    against the package profile and its own rules, and never opens a resource's path), then the vendored
    Data Package v2 JSON Schema (draft-07)."""
    found = [error.message for error in frictionless.Package.metadata_validate(descriptor)]
    schema = json.loads((SPEC / "datapackage.json").read_text(encoding="utf-8"))
    found += [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
        for e in jsonschema.Draft7Validator(schema).iter_errors(descriptor)
    ]
    return found


def jsonld(html: str) -> list[dict[str, Any]]:
    return [json.loads(block) for block in LD_RE.findall(html)]


def test_public_dataset_page_has_schema_org_dataset(portal: Portal) -> None:
    org = portal.make_org(title={"en": "Transport Agency", "ru": "Агентство транспорта"})
    name = portal.make_dataset(
        org,
        title={"en": "Registered vehicles", "ru": "Зарегистрированные транспортные средства"},
        description={"en": LONG, "ru": "Ежемесячные данные о транспортных средствах по регионам страны."},
        keywords=["transport", "vehicles"],
        license_id="CC-BY-4.0",
        temporal_start="2019-10-02",
        regions=["KZ-10", "KZ-11"],
        languages=["ru", "en"],
        version="2.1",
        issued="2024-05-01T00:00:00Z",
    )
    with portal.client() as http:
        page = http.get(f"/dataset/{name}", params={"lang": "en"})
    assert page.status_code == 200
    (data,) = jsonld(page.text)
    assert data["@context"] == "https://schema.org/" and data["@type"] == "Dataset"
    assert data["name"] == "Registered vehicles"
    assert data["description"] == LONG and 50 <= len(data["description"]) <= 5000
    assert data["url"] == f"{portal.base_url}/dataset/{name}"
    assert data["identifier"] and data["keywords"] == ["transport", "vehicles"]
    assert data["license"] == "https://creativecommons.org/licenses/by/4.0/"
    for role in ("creator", "publisher"):
        assert data[role] == {
            "@type": "Organization",
            "name": "Transport Agency",
            "url": f"{portal.base_url}/organization/{org}",
        }
    assert data["temporalCoverage"] == "2019-10-02/.."
    places = data["spatialCoverage"]
    assert len(places) == 2 and all(p["@type"] == "Place" and p["name"] for p in places)
    assert data["dateModified"].endswith("Z") and data["datePublished"].startswith("2024-05-01")
    assert data["version"] == "2.1" and data["inLanguage"] == ["ru", "en"]
    assert data["includedInDataCatalog"]["@type"] == "DataCatalog"
    assert data["includedInDataCatalog"]["url"] == f"{portal.base_url}/"
    assert "distribution" not in data  # no files yet
    with portal.client() as http:
        russian = jsonld(http.get(f"/dataset/{name}", params={"lang": "ru"}).text)[0]
    assert russian["name"] == "Зарегистрированные транспортные средства"
    assert russian["publisher"]["name"] == "Агентство транспорта"


def test_distribution_short_description_and_script_escaping(portal: Portal) -> None:
    evil = "Roads </script><script>alert(1)</script> & more"
    resource_id, _token = portal.upload(
        CSV, "roads.csv", title={"en": evil}, description={"en": "Short."}, temporal_end="2023-12-31"
    )
    portal.wait_table(resource_id)
    with portal.client() as http:
        name = _dataset_of(http, resource_id)
        page = http.get(f"/dataset/{name}", params={"lang": "en"})
    head = page.text.split("</head>", 1)[0]
    assert "<script>alert(1)" not in head
    (data,) = jsonld(head)
    assert data["name"] == evil
    assert data["description"] == "Short."  # given as written, never padded
    assert data["temporalCoverage"] == "../2023-12-31"
    (download,) = data["distribution"]
    assert download["@type"] == "DataDownload" and download["encodingFormat"] == "text/csv"
    assert download["contentUrl"].startswith(f"{portal.base_url}/dataset/{name}/resource/{resource_id}/")
    assert f'href="/dataset/{name}/datapackage.json"' in page.text


def _dataset_of(http: Any, resource_id: str) -> str:
    """The slug of the dataset holding a resource (through the CKAN API's resource_show)."""
    found = http.get("/api/3/action/resource_show", params={"id": resource_id}).json()["result"]
    package = http.get("/api/3/action/package_show", params={"id": found["package_id"]}).json()["result"]
    return str(package["name"])


def test_private_and_draft_datasets_have_no_markup_and_no_package(portal: Portal) -> None:
    org = portal.make_org()
    _user, token = portal.make_user(org=org)
    private = portal.make_dataset(org, private=True, description={"en": LONG})
    draft = portal.make_dataset(org, state="draft", description={"en": LONG})
    with portal.client() as anonymous, portal.client(f"Bearer {token}") as member:
        for name in (private, draft):
            assert anonymous.get(f"/dataset/{name}").status_code == 404
            assert anonymous.get(f"/dataset/{name}/datapackage.json").status_code == 404
            page = member.get(f"/dataset/{name}")
            assert page.status_code == 200 and "application/ld+json" not in page.text
        assert anonymous.get("/dataset/no-such-dataset/datapackage.json").status_code == 404


def test_datapackage_of_a_loaded_csv(portal: Portal) -> None:
    resource_id, token = portal.upload(
        CSV,
        "city-figures.csv",
        description={"en": LONG},
        keywords=["cities"],
        license_id="CC-BY-4.0",
        version="1.0",
    )
    portal.wait_table(resource_id)
    with portal.client(f"Bearer {token}") as http:
        saved = http.put(
            f"/api/v1/datastore/{resource_id}/dictionary",
            json={
                "amount": {
                    "label": {"en": "Amount, tenge", "ru": "Сумма, тенге"},
                    "description": {"en": "Paid"},
                }
            },
        )
        assert saved.status_code == 200, saved.text
    with portal.client() as http:
        name = _dataset_of(http, resource_id)
        answer = http.get(f"/dataset/{name}/datapackage.json", params={"lang": "en"})
        assert answer.status_code == 200 and answer.headers["content-type"].startswith("application/json")
        descriptor = answer.json()
        (resource,) = descriptor["resources"]
        file = http.get(resource["path"])
    assert validation_errors(descriptor) == []
    assert descriptor["$schema"] == PROFILE and descriptor["name"] == name
    assert descriptor["description"] == LONG and descriptor["version"] == "1.0"
    assert descriptor["keywords"] == ["cities"]
    assert descriptor["licenses"] == [
        {
            "name": "CC-BY-4.0",
            "path": "https://creativecommons.org/licenses/by/4.0/",
            "title": "Creative Commons Attribution 4.0",
        }
    ]
    assert descriptor["contributors"][0]["roles"] == ["publisher"]
    assert descriptor["homepage"] == f"{portal.base_url}/dataset/{name}"
    assert re.fullmatch(r"^[a-z0-9._-]+$", resource["name"]) and resource["name"] == "city-figures.csv"
    assert resource["path"].startswith(portal.base_url) and file.status_code == 200
    assert resource["bytes"] == len(CSV) == len(file.content)
    assert resource["hash"] == "sha256:" + hashlib.sha256(CSV).hexdigest()
    assert resource["format"] == "csv" and resource["mediatype"] == "text/csv"
    assert resource["type"] == "table" and resource["dialect"]["delimiter"] == ";"
    fields = {f["name"]: f for f in resource["schema"]["fields"]}
    assert {n: f["type"] for n, f in fields.items()} == {
        "id": "integer",
        "amount": "number",
        "day": "date",
        "city": "string",
        "active": "boolean",
    }
    assert fields["amount"]["title"] == "Amount, tenge" and fields["amount"]["description"] == "Paid"
    assert fields["amount"]["decimalChar"] == "," and fields["day"]["format"] == "%d.%m.%Y"
    with portal.client() as http:
        russian = http.get(f"/dataset/{name}/datapackage.json", params={"lang": "ru"}).json()
    assert russian["resources"][0]["schema"]["fields"][1]["title"] == "Сумма, тенге"
    # the schema describes the file as it is: frictionless reads it (from this server) without an error
    report = frictionless.validate(frictionless.Resource(resource))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])


def test_a_package_needs_a_resource(portal: Portal) -> None:
    name = portal.make_dataset(portal.make_org())
    with portal.client() as http:
        assert http.get(f"/dataset/{name}/datapackage.json").status_code == 404
        assert "datapackage.json" not in http.get(f"/dataset/{name}").text


def test_a_broken_descriptor_is_caught() -> None:
    """The validation the other tests rely on does fail on a bad descriptor."""
    bad = {"$schema": PROFILE, "name": "x", "resources": [{"name": "a", "path": "../secret.csv"}]}
    assert validation_errors(bad)
    assert validation_errors({"$schema": PROFILE, "name": "x", "resources": []})


# ---------------------------------------------------------------- the demo catalog


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Portal]:
    for running in start_portal(tmp_path_factory.mktemp("demo-portal"), profile="kz"):
        load_demo(running.db, running.settings)
        deadline = time.monotonic() + 180
        while True:  # the DataStore loads the demo's tables in the background
            with running.db.session() as s:
                pending = s.scalar(
                    select(func.count())
                    .select_from(jobs.Job)
                    .where(jobs.Job.status.in_(("queued", "running")))
                )
            if not pending:
                break
            assert time.monotonic() < deadline, f"{pending} demo jobs still running"
            time.sleep(0.2)
        yield running


def test_every_demo_datapackage_is_valid(demo: Portal) -> None:
    checked = tables = 0
    with demo.client() as http:
        for spec in DATASETS:
            page = http.get(f"/dataset/{spec.name}")
            answer = http.get(f"/dataset/{spec.name}/datapackage.json")
            if page.status_code == 404:  # private or draft demo datasets
                assert answer.status_code == 404 and "application/ld+json" not in page.text
                continue
            assert jsonld(page.text)[0]["name"]
            if answer.status_code == 404:
                assert "datapackage.json" not in page.text  # a dataset without files
                continue
            descriptor = answer.json()
            assert validation_errors(descriptor) == [], spec.name
            checked += 1
            tables += sum(1 for r in descriptor["resources"] if r.get("type") == "table")
    assert checked >= 10 and tables >= 5


def test_the_sitemap_gives_each_public_dataset_its_last_change(portal: Portal) -> None:
    org = portal.make_org()
    public, private = portal.make_dataset(org), portal.make_dataset(org, private=True)
    with portal.client() as http:
        xml = http.get("/sitemap.xml").text
    today = datetime.now(UTC).date().isoformat()
    assert f"/dataset/{public}</loc><lastmod>{today}</lastmod>" in xml
    assert f"/dataset/{private}<" not in xml
