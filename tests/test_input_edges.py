"""Odd input scripts may send: unsafe links, bad e-mails, dates without a zone or out of range."""

from __future__ import annotations

from tests.conftest import Portal


def test_organization_links_and_emails_are_checked(portal: Portal) -> None:
    org = portal.make_org()
    _n, token = portal.make_user(org=org, role="admin")
    with portal.client(f"Bearer {token}") as http:
        bad_link = http.patch(f"/api/v1/organizations/{org}", json={"website": "javascript:alert(1)"})
        assert bad_link.status_code == 422 and "website" in bad_link.json()["errors"]
        bad_mail = http.patch(f"/api/v1/organizations/{org}", json={"contact_email": "not an address"})
        assert bad_mail.status_code == 422 and "contact_email" in bad_mail.json()["errors"]
        good = http.patch(
            f"/api/v1/organizations/{org}",
            json={"website": "https://gov.example.kz", "contact_email": "a@b.kz"},
        )
        assert good.status_code == 200 and good.json()["website"] == "https://gov.example.kz"
    with portal.client() as anon:
        assert "javascript:" not in anon.get(f"/organization/{org}").text


def test_issued_without_zone_is_utc_and_out_of_range_is_refused(portal: Portal) -> None:
    org = portal.make_org()
    _n, token = portal.make_user(org=org)
    with portal.client(f"Bearer {token}") as http:
        made = http.post(
            "/api/v1/datasets",
            json={
                "name": portal.unique("issued"),
                "organization": org,
                "title": {"en": "Issued"},
                "issued": "2020-01-01T10:00:00",
            },
        )
        assert made.status_code == 201, made.text
        assert made.json()["issued"].startswith("2020-01-01T10:00:00")
        assert made.json()["issued"].endswith(("Z", "+00:00"))
        ancient = http.patch(
            f"/api/v1/datasets/{made.json()['name']}", json={"issued": "0001-01-01T00:00:00+05:00"}
        )
        assert ancient.status_code == 422 and "issued" in ancient.json()["errors"]
        bad_contact = http.patch(f"/api/v1/datasets/{made.json()['name']}", json={"contact_email": "x@"})
        assert bad_contact.status_code == 422


def test_upload_names_stay_usable_and_order_survives_deletion(portal: Portal) -> None:
    org = portal.make_org()
    _n, token = portal.make_user(org=org)
    name = portal.make_dataset(org)
    url = f"/api/v1/datasets/{name}/resources/upload"
    with portal.client(f"Bearer {token}") as http:
        dots = http.post(url, files={"file": ("..", b"a,b\n1,2\n")}).json()
        assert dots["download_url"].endswith("/download/file")
        assert http.get(dots["download_url"]).content == b"a,b\n1,2\n"
        long_name = "x" * 300 + ".csv"
        kept = http.post(url, files={"file": (long_name, b"c\n3\n")}).json()
        assert kept["download_url"].endswith(".csv") and kept["format"] == "CSV"
        assert http.delete(f"/api/v1/resources/{dots['id']}").status_code == 204
        third = http.post(url, files={"file": ("third.csv", b"d\n4\n")}).json()
        positions = [r["position"] for r in http.get(f"/api/v1/datasets/{name}/resources").json()]
        assert positions == sorted(set(positions)) and third["position"] == max(positions)
