"""The personal-data guard end to end: upload, scan, a publication refused with the column and the row
count, fixed by a new file or a reviewer's lawful basis; a public dataset taken back to draft.

Synthetic IINs only."""

from __future__ import annotations

import html
import random
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from derek.core import audit, jobs
from tests.conftest import Portal, start_portal


def _check_digit(first11: str) -> int | None:
    digits = [int(c) for c in first11]
    r = sum(d * w for d, w in zip(digits, range(1, 12), strict=True)) % 11
    if r == 10:
        r = sum(d * w for d, w in zip(digits, (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2), strict=True)) % 11
    return None if r == 10 else r


def synthetic_iins(n: int, seed: int = 7) -> list[str]:
    """Valid-looking IINs of made-up people: real dates, century/sex digit 3-6, valid check digits."""
    rng, out = random.Random(seed), []
    while len(out) < n:
        year, month, day = rng.randint(0, 99), rng.randint(1, 12), rng.randint(1, 28)
        century = rng.choice("34") if year > 10 else rng.choice("3456")
        first11 = f"{year:02d}{month:02d}{day:02d}{century}{rng.randint(0, 9999):04d}"
        digit = _check_digit(first11)
        if digit is not None:
            out.append(first11 + str(digit))
    return out


def people_csv(iins: list[str], with_iin: bool = True) -> bytes:
    head = "name,iin,district,amount\n" if with_iin else "name,district,amount\n"
    lines = [
        f"Person {i},{iin},Almaty,{1000 + i}" if with_iin else f"Person {i},Almaty,{1000 + i}"
        for i, iin in enumerate(iins)
    ]
    return (head + "\n".join(lines) + "\n").encode()


@pytest.fixture(scope="module")
def portal(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Portal]:
    yield from start_portal(tmp_path_factory.mktemp("guard"))


def _scan(portal: Portal, token: str, resource_id: str, timeout: float = 60) -> dict[str, Any]:
    """Wait until the resource's personal-data scan has an outcome; its JSON."""
    deadline = time.monotonic() + timeout
    with portal.client(f"Bearer {token}") as http:
        while True:
            r = http.get(f"/api/v1/resources/{resource_id}/personal-data")
            assert r.status_code == 200, r.text
            if r.json()["status"] not in ("pending", "not_scanned"):
                return dict(r.json())
            assert time.monotonic() < deadline, f"the scan of {resource_id} did not end: {r.json()}"
            time.sleep(0.05)


def _publish(portal: Portal, token: str, name: str) -> Any:
    with portal.client(f"Bearer {token}") as http:
        return http.patch(f"/api/v1/datasets/{name}", json={"state": "published"})


def _dataset_of(portal: Portal, token: str, resource_id: str) -> str:
    with portal.client(f"Bearer {token}") as http:
        dataset_id = http.get(f"/api/v1/resources/{resource_id}").json()["dataset_id"]
        return str(http.get(f"/api/v1/datasets/{dataset_id}").json()["name"])


def test_a_column_of_iins_blocks_publication_until_it_is_removed(portal: Portal) -> None:
    iins = synthetic_iins(120)
    resource_id, token = portal.upload(people_csv(iins), "people.csv", state="draft")
    scan = _scan(portal, token, resource_id)
    assert scan["status"] == "personal", scan
    (finding,) = [f for f in scan["findings"] if f["severity"] == "personal"]
    assert (finding["column"], finding["detector"], finding["rows"]) == ("iin", "kz_iin", 120)
    assert all(iin not in str(scan) for iin in iins)  # only masked samples leave the scan
    name = _dataset_of(portal, token, resource_id)

    refused = _publish(portal, token, name)
    assert refused.status_code == 422, refused.text
    problem = refused.json()
    assert "column “iin” has 120 rows" in problem["detail"] and "people.csv" in problem["detail"]
    with portal.client() as anonymous:
        assert anonymous.get(f"/dataset/{name}").status_code == 404

    # the editor sees why on the dataset page, the samples masked
    with portal.client(f"Bearer {token}") as http:
        page = http.get(f"/dataset/{name}", params={"lang": "en"}).text
    assert "Personal data check" in page and "iin" in page and iins[0] not in page
    assert iins[0][:2] + "********" + iins[0][-2:] in page

    # the same file without the column: checked again, and the dataset publishes
    with portal.client(f"Bearer {token}") as http:
        fixed = http.post(
            f"/api/v1/resources/{resource_id}/upload",
            files={"file": ("people.csv", people_csv(iins, with_iin=False))},
        )
        assert fixed.status_code in (200, 201), fixed.text
    portal.wait_table(resource_id, token, settled=True)
    assert _scan(portal, token, resource_id)["status"] == "clean"
    assert _publish(portal, token, name).status_code == 200
    with portal.client() as anonymous:
        assert anonymous.get(f"/dataset/{name}").status_code == 200


def test_a_reviewer_records_a_lawful_basis_kept_in_the_audit_log(portal: Portal) -> None:
    resource_id, token = portal.upload(people_csv(synthetic_iins(5, seed=11)), "register.csv", state="draft")
    assert _scan(portal, token, resource_id)["status"] == "personal"
    name = _dataset_of(portal, token, resource_id)
    _n, reviewer = portal.make_user(sysadmin=True)
    basis = {"lawful_basis": "Public register under Article 12 of the Law on Access to Information."}
    with portal.client(f"Bearer {token}") as editor:
        assert (
            editor.post(f"/api/v1/resources/{resource_id}/personal-data/lawful-basis", json=basis).status_code
            == 403
        )
    with portal.client(f"Bearer {reviewer}") as http:
        short = http.post(
            f"/api/v1/resources/{resource_id}/personal-data/lawful-basis", json={"lawful_basis": "ok"}
        )
        assert short.status_code == 422 and "lawful basis" in short.text
        done = http.post(f"/api/v1/resources/{resource_id}/personal-data/lawful-basis", json=basis)
        assert done.status_code == 200 and done.json()["status"] == "cleared", done.text
    assert _publish(portal, token, name).status_code == 200
    with portal.db.session() as s:
        entries = s.scalars(
            select(audit.AuditEntry).where(
                audit.AuditEntry.action == "personal_data.clear", audit.AuditEntry.object_id == resource_id
            )
        ).all()
        assert len(entries) == 1 and entries[0].after["lawful_basis"] == basis["lawful_basis"]


def test_organisations_and_office_phones_are_warnings_only(portal: Portal) -> None:
    body = (
        b"bin,company,phone\n"
        b"150340000129,Alpha LLP,+7 7172 24 83 48\n"
        b"150340000129,Alpha LLP,+7 (7172) 70 19 99\n"
    )
    resource_id, token = portal.upload(body, "companies.csv", state="draft")
    scan = _scan(portal, token, resource_id)
    assert scan["status"] == "warnings", scan
    assert {f["detector"] for f in scan["findings"]} == {"phone"}  # a company's BIN is not personal
    assert _publish(portal, token, _dataset_of(portal, token, resource_id)).status_code == 200


def test_personal_data_in_a_public_dataset_takes_it_back_to_draft(portal: Portal) -> None:
    resource_id, token = portal.upload(people_csv(synthetic_iins(3, seed=5)), "late.csv")  # published
    assert _scan(portal, token, resource_id)["status"] == "personal"
    name = _dataset_of(portal, token, resource_id)
    with portal.client() as anonymous:
        assert anonymous.get(f"/dataset/{name}").status_code == 404
        assert anonymous.get(f"/api/v1/resources/{resource_id}/personal-data").status_code in (401, 404)
    with portal.client(f"Bearer {token}") as http:
        assert http.get(f"/api/v1/datasets/{name}").json()["state"] == "draft"


def test_publication_waits_for_the_check(tmp_path: Path) -> None:
    """Without a worker the scan never runs: the dataset cannot be published meanwhile."""
    for still in start_portal(tmp_path, run_jobs=False):
        resource_id, token = still.upload(people_csv(synthetic_iins(2)), "slow.csv", state="draft")
        name = _dataset_of(still, token, resource_id)
        refused = _publish(still, token, name)
        assert (
            refused.status_code == 422 and "still being checked for personal data" in refused.json()["detail"]
        )
        with still.db.session() as s:
            assert jobs.latest_for(s, "datastore.load", resource_id) is not None  # it would load, then scan


def test_the_web_forms_say_why_the_dataset_is_not_published(portal: Portal) -> None:
    org = portal.make_org()
    user, token = portal.make_user(org=org)
    name = portal.make_dataset(org, state="draft")
    with portal.client(f"Bearer {token}") as http:
        r = http.post(
            f"/api/v1/datasets/{name}/resources/upload",
            files={"file": ("staff.csv", people_csv(synthetic_iins(7, seed=3)))},
        )
        resource_id = r.json()["id"]
    assert _scan(portal, token, resource_id)["status"] == "personal"
    browser = portal.signed_in(user)
    # the dashboard's quick "Publish" button: back to the dataset page, which says why
    quick = browser.post(
        f"/dataset/{name}/publish",
        data={"csrf_token": portal.csrf(browser, "/publish")},
        follow_redirects=True,
    )
    assert quick.status_code == 200 and "column “iin” has 7 rows" in quick.text
    # the edit form's "Publish": the form again, with the reason
    form = browser.get(f"/dataset/{name}/edit", params={"lang": "en"}).text
    fields = dict(re.findall(r'<input[^>]+name="([^"]+)"[^>]+value="([^"]*)"', form))
    fields.pop(
        "private"
    )  # an unticked box sends nothing (private datasets may hold what the public may not see)
    refused = browser.post(f"/dataset/{name}/edit", data={**fields, "organization": org, "action": "publish"})
    assert refused.status_code in (409, 422) and "column “iin” has 7 rows" in html.unescape(refused.text)
    with portal.client() as anonymous:
        assert anonymous.get(f"/dataset/{name}").status_code == 404


def test_text_files_are_scanned_line_by_line(portal: Portal) -> None:
    """An XML export with an IIN deep inside a megabyte-long line, and a Windows-1251 text: both found."""
    iins = synthetic_iins(3, seed=9)
    filler = "<row><amount>1 234 567,89</amount><date>2024-01-15</date></row>" * 20_000  # no line ends
    xml = f"<?xml version='1.0'?><rows>{filler}<row><iin>{iins[0]}</iin></row>{filler}</rows>\n"
    resource_id, token = portal.upload(xml.encode(), "export.xml", state="draft")
    scan = _scan(portal, token, resource_id)
    assert scan["status"] == "personal", scan
    (finding,) = [f for f in scan["findings"] if f["detector"] == "kz_iin"]
    assert finding["column"] == "(text)" and finding["rows"] == 1
    memo = f"Заявитель: (имя скрыто), ИИН {iins[1]}\nПовторно: ИИН {iins[2]}\n".encode("cp1251")
    resource_id, token = portal.upload(memo, "memo.html", state="draft")
    scan = _scan(portal, token, resource_id)
    assert scan["status"] == "personal" and scan["findings"][0]["rows"] == 2, scan


def test_a_scan_of_an_older_file_does_not_clear_a_newer_one(portal: Portal) -> None:
    from derek.quality import personal_data

    resource_id, token = portal.upload(
        people_csv(synthetic_iins(3, seed=21), with_iin=False), "v1.csv", state="draft"
    )
    assert _scan(portal, token, resource_id)["status"] == "clean"
    with portal.db.session() as s:
        old_sha = s.get(personal_data.PersonalDataScan, resource_id).sha256  # type: ignore[union-attr]
    with portal.client(f"Bearer {token}") as http:
        newer = http.post(
            f"/api/v1/resources/{resource_id}/upload",
            files={"file": ("v2.csv", people_csv(synthetic_iins(4, seed=22)))},
        )
        assert newer.status_code in (200, 201), newer.text
    with portal.db.session() as s:  # the old file's scan, finishing late, must not speak for the new file
        assert personal_data.run_scan(s, None, portal.settings.jurisdiction, resource_id, old_sha) is None
    portal.wait_table(resource_id, token, settled=True)
    assert _scan(portal, token, resource_id)["status"] == "personal"


def test_a_file_that_cannot_be_read_as_a_table_waits_for_a_reviewer(portal: Portal) -> None:
    resource_id, token = portal.upload(bytes(range(256)) * 64, "junk.csv", state="draft")
    with portal.db.session() as s:
        deadline = time.monotonic() + 60
        while (job := jobs.latest_for(s, "datastore.load", resource_id)) is None or job.status in (
            "queued",
            "running",
        ):
            assert time.monotonic() < deadline
            time.sleep(0.05)
            s.expire_all()
        assert job.status == "failed"
    name = _dataset_of(portal, token, resource_id)
    refused = _publish(portal, token, name)
    assert refused.status_code == 422 and "could not be read as a table" in refused.json()["detail"]
    _n, reviewer = portal.make_user(sysadmin=True)
    with portal.client(f"Bearer {reviewer}") as http:
        basis = {"lawful_basis": "Checked by hand: a sensor dump with no personal data in it."}
        done = http.post(f"/api/v1/resources/{resource_id}/personal-data/lawful-basis", json=basis)
        assert done.status_code == 200 and done.json()["status"] == "cleared", done.text
    assert _publish(portal, token, name).status_code == 200


def test_a_new_file_of_a_public_dataset_is_held_back_until_checked(tmp_path: Path) -> None:
    """Without a worker the check never runs: the public gets neither the file nor its table meanwhile,
    while its editor can still download what they uploaded."""
    for still in start_portal(tmp_path, run_jobs=False):
        resource_id, token = still.upload(b"region,people\nAlmaty,2228000\n", "new.csv")  # a public dataset
        with still.client(f"Bearer {token}") as editor:
            resource = editor.get(f"/api/v1/resources/{resource_id}").json()
            assert editor.get(resource["download_url"]).status_code == 200
        with still.client() as anonymous:
            assert anonymous.get(f"/api/v1/resources/{resource_id}").status_code == 200  # its description
            for path in (
                resource["download_url"],
                f"/api/v1/datastore/{resource_id}/info",
                f"/api/v1/datastore/{resource_id}/export.csv",
            ):
                held = anonymous.get(path, params={"lang": "en"})
                assert held.status_code == 403, (path, held.status_code)
                assert "being checked for personal data" in held.text, path
            ckan = anonymous.get("/api/3/action/datastore_search", params={"resource_id": resource_id})
            assert ckan.status_code == 403 and "being checked" in ckan.json()["error"]["message"]
            name = _dataset_of(still, token, resource_id)
            page = anonymous.get(f"/dataset/{name}/resource/{resource_id}", params={"lang": "ru"})
            assert page.status_code == 200 and "проверяется на наличие персональных данных" in page.text


def test_a_checked_file_is_served_to_everyone(portal: Portal) -> None:
    resource_id, token = portal.upload(b"region,people\nAlmaty,2228000\n", "fine.csv")
    assert portal.wait_checked(resource_id) == "clean"
    with portal.client() as anonymous:
        resource = anonymous.get(f"/api/v1/resources/{resource_id}").json()
        got = anonymous.get(resource["download_url"])
        assert got.status_code == 200 and got.content.startswith(b"region,people")


def test_records_written_through_the_api_are_scanned_too(portal: Portal) -> None:
    """CKAN's datastore_create and datastore_upsert feed a table without any file: it is scanned all the
    same, before a draft can be published and after every write to a public one."""
    org = portal.make_org()
    _user, token = portal.make_user(org=org)
    draft = portal.make_dataset(org, state="draft")
    iins = synthetic_iins(5, seed=11)
    with portal.client(token) as http:
        made = http.post(
            "/api/3/action/datastore_create",
            json={
                "resource": {"package_id": draft, "name": "payments"},
                "records": [{"name": f"P{i}", "iin": iin} for i, iin in enumerate(iins)],
            },
        )
        assert made.status_code == 200, made.text
        fed = made.json()["result"]["resource_id"]
    assert _scan(portal, token, fed)["status"] == "personal"
    refused = _publish(portal, token, draft)
    assert refused.status_code == 422 and "column “iin” has 5 rows" in refused.json()["detail"]

    public = portal.make_dataset(org)
    with portal.client(token) as http:
        made = http.post(
            "/api/3/action/datastore_create",
            json={"resource": {"package_id": public, "name": "counts"}, "records": [{"district": "Almaty"}]},
        )
        clean = made.json()["result"]["resource_id"]
    assert _scan(portal, token, clean)["status"] == "clean"
    with portal.client() as anonymous:  # checked: the public reads it
        assert anonymous.get(f"/api/v1/datastore/{clean}/info").status_code == 200
    with portal.client(token) as http:
        upsert = http.post(
            "/api/3/action/datastore_upsert",
            json={
                "resource_id": clean,
                "method": "insert",
                "records": [{"district": iins[0]}],
                "force": True,
            },
        )
        assert upsert.status_code == 200, upsert.text
    deadline = time.monotonic() + 60
    while _scan(portal, token, clean)["status"] != "personal":  # the earlier outcome stands until the scan
        assert time.monotonic() < deadline, "the written record was not scanned in time"
        time.sleep(0.05)
    with portal.client(f"Bearer {token}") as http:  # a public dataset in which personal data turned up
        assert http.get(f"/api/v1/datasets/{public}").json()["state"] == "draft"
