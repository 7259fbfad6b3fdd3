"""The DCAT-AP check publishers see on save: one dataset's graph (drafts too) through the gate shapes, each
violation in plain words linked to the form field that fixes it, in every UI language, for editors only;
the same through `GET /api/v1/datasets/{name}/dcat-check`."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF, XSD

from derek.catalog import service as catalog
from derek.catalog.schemas import ResourceCreate
from derek.core.authz import SYSTEM
from derek.core.i18n import translator
from derek.interop import dcat, dcat_check, shacl
from tests.conftest import Portal, assert_translated
from tests.test_dcat import FULL

NO_DESCRIPTION = "Description: the dataset has no description in any language"
CONFORMS = "Conforms to DCAT-AP 3 (the European standard data.europa.eu harvests)"
DESCRIPTION = "http://purl.org/dc/terms/description"
TEMPLATE = Path(dcat_check.__file__).parent / "templates" / "interop" / "_dcat_check.html"


@pytest.fixture(scope="module")
def org(portal: Portal) -> str:
    return portal.make_org()


@pytest.fixture(scope="module")
def editor(portal: Portal, org: str) -> tuple[httpx.Client, str]:
    """A signed-in editor of the organization (the browser's session) and their API token."""
    name, token = portal.make_user(org=org, role="editor")
    return portal.signed_in(name), token


def _site(portal: Portal) -> str:
    return portal.settings.site_url.rstrip("/")


def _panel(html: str) -> str:
    found = re.search(r'<section class="dcat-check.*?</section>', html, re.S)
    return found.group(0) if found else ""


def _dataset_id(portal: Portal, name: str) -> str:
    with portal.db.session() as s:
        return catalog.get_dataset(s, SYSTEM, portal.settings.jurisdiction, name).id


def test_a_dataset_with_every_field_conforms(
    portal: Portal, editor: tuple[httpx.Client, str], org: str
) -> None:
    browser, token = editor
    name = portal.make_dataset(org, **FULL)
    with portal.client(f"Bearer {token}") as http:
        up = http.post(
            f"/api/v1/datasets/{name}/resources/upload", files={"file": ("budget 2024.csv", b"a\n1\n")}
        )
        assert up.status_code == 201, up.text
        r = http.get(f"/api/v1/datasets/{name}/dcat-check")
    assert r.status_code == 200, r.text
    assert r.json() == {"conforms": True, "violations": []}
    panel = _panel(browser.get(f"/dataset/{name}", params={"lang": "en"}).text)
    assert CONFORMS in panel and "<li>" not in panel


def test_a_draft_without_description_shows_the_editor_what_to_fix(
    portal: Portal, editor: tuple[httpx.Client, str], org: str
) -> None:
    """Created through the form without a description, and with a link of no known format: the gate shapes
    flag the description (the format is only recommended, in shapes_recommended.ttl, which the gate leaves
    out). The editor sees it where the form lands, on the dataset page and on the edit form."""
    browser, token = editor
    name = portal.unique("no-words")
    csrf = portal.csrf(browser, "/publish/new")
    created = browser.post(
        "/publish/new",
        data={"csrf_token": csrf, "organization": org, "name": name, "title_en": "Budget", "action": "draft"},
    )
    assert created.status_code == 303 and created.headers["location"] == f"/dataset/{name}/resource/new"
    landed = _panel(browser.get(created.headers["location"], params={"lang": "en"}).text)
    assert f'<a href="/dataset/{name}/edit#f-description">{NO_DESCRIPTION}</a>' in landed
    with portal.client(f"Bearer {token}") as http:
        link = {"name": "Budget 2024", "url": "https://example.org/budget?year=2024 final"}
        resource = http.post(f"/api/v1/datasets/{name}/resources", json=link).json()
        assert resource["format"] == ""
        api = http.get(f"/api/v1/datasets/{name}/dcat-check", params={"lang": "en"})
    assert api.status_code == 200, api.text
    assert api.json() == {
        "conforms": False,
        "violations": [
            {
                "message": NO_DESCRIPTION,
                "field": "description",
                "resource_id": None,
                "focus": f"{_site(portal)}/dataset/{_dataset_id(portal, name)}",
                "path": DESCRIPTION,
                "severity": "Violation",
            }
        ],
    }
    page = _panel(browser.get(f"/dataset/{name}", params={"lang": "en"}).text)
    assert f'<a href="/dataset/{name}/edit#f-description">{NO_DESCRIPTION}</a>' in page
    assert page.count("<li>") == 1 and "Only editors of this dataset see this check." in page
    edit = browser.get(f"/dataset/{name}/edit", params={"lang": "en"}).text
    assert f'<a href="#f-description">{NO_DESCRIPTION}</a>' in _panel(edit)  # same page: no reload
    assert '<fieldset id="f-description"' in edit
    ru = _panel(browser.get(f"/dataset/{name}", params={"lang": "ru"}).text)
    assert "Описание: у набора данных нет описания ни на одном языке" in ru and "Проверка DCAT-AP" in ru
    kk = _panel(browser.get(f"/dataset/{name}", params={"lang": "kk"}).text)
    assert "Сипаттама: деректер жиынтығының ешбір тілде сипаттамасы жоқ" in kk
    with portal.client(f"Bearer {token}") as http:
        in_russian = http.get(f"/api/v1/datasets/{name}/dcat-check", headers={"Accept-Language": "ru"})
    assert in_russian.json()["violations"][0]["message"].startswith("Описание:")

    # saving the edit form with a description: the form lands on the edit page, which now says it conforms
    csrf = portal.csrf(browser, f"/dataset/{name}/edit")
    saved = browser.post(
        f"/dataset/{name}/edit",
        data={
            "csrf_token": csrf,
            "organization": org,
            "name": name,
            "title_en": "Budget",
            "description_en": "Spending by programme.",
            "update_frequency": "ANNUAL",
            "action": "draft",
        },
    )
    assert saved.status_code == 303 and saved.headers["location"] == f"/dataset/{name}/edit"
    assert CONFORMS in _panel(browser.get(saved.headers["location"], params={"lang": "en"}).text)


def test_only_editors_see_the_check(portal: Portal, editor: tuple[httpx.Client, str], org: str) -> None:
    _browser, token = editor
    public = portal.make_dataset(org, description={})
    draft = portal.make_dataset(org, description={}, state="draft")
    member, member_token = portal.make_user(org=org, role="member")  # sees drafts, may not change them
    outsider, outsider_token = portal.make_user(org=portal.make_org())
    with portal.client() as anonymous:
        page = anonymous.get(f"/dataset/{public}")
        assert page.status_code == 200 and "dcat-check" not in page.text
        assert anonymous.get(f"/api/v1/datasets/{public}/dcat-check").status_code == 401
    for user in (member, outsider):
        page = portal.signed_in(user).get(f"/dataset/{public}")
        assert page.status_code == 200 and "dcat-check" not in page.text, user
    assert "dcat-check" not in portal.signed_in(member).get(f"/dataset/{draft}").text
    with portal.client(f"Bearer {outsider_token}") as http:
        assert http.get(f"/api/v1/datasets/{public}/dcat-check").status_code == 403
        assert http.get(f"/api/v1/datasets/{draft}/dcat-check").status_code == 404  # no existence leak
    with portal.client(f"Bearer {member_token}") as http:
        forbidden = http.get(f"/api/v1/datasets/{draft}/dcat-check")
        assert forbidden.status_code == 403
        assert forbidden.headers["content-type"].startswith("application/problem+json")
    with portal.client(f"Bearer {token}") as http:
        assert http.get("/api/v1/datasets/no-such-dataset/dcat-check").status_code == 404
        assert http.get(f"/api/v1/datasets/{draft}/dcat-check").json()["conforms"] is False


def test_results_name_the_resource_or_field_and_link_to_its_form(portal: Portal, org: str) -> None:
    """Results Derek's own graphs never give, made by hand: a distribution without an access URL names the
    resource and its form's field; an unforeseen one gets the field's label and the validator's words; the
    catalog wrapper's own results are dropped."""
    name = portal.make_dataset(org, description={"en": "Words."})
    with portal.db.session() as s:
        catalog.create_resource(s, SYSTEM, name, ResourceCreate(name="Budget 2024", url="https://e.org/b"))
        dataset = catalog.get_dataset(s, SYSTEM, portal.settings.jurisdiction, name)
    site, resource_id = _site(portal), dataset.resources[0].id
    graph = dcat.graph_of_dataset(portal.settings.jurisdiction, site, dataset)
    graph.remove((None, DCAT.accessURL, None))
    own = URIRef(f"{site}/dataset/{dataset.id}")
    graph.add((own, DCTERMS.issued, Literal("2020-01-01", datatype=XSD.date)))
    graph.add((own, DCTERMS.issued, Literal("2021-01-01", datatype=XSD.date)))
    graph.add((URIRef(f"{site}/catalog"), RDF.type, DCAT.Catalog))  # a catalog with no title, publisher...
    found = dcat_check.for_publisher(shacl.validate(graph), site, dataset)
    assert [(v.message, v.field, v.resource_id) for v in found] == [
        ("Published: the dataset has more than one issue date", "issued", ""),
        ("Resource “Budget 2024”: no link or file", "url", resource_id),
    ]
    assert [dcat_check.form_link(v, name) for v in found] == [
        "",  # the publication date is set through the API only
        f"/dataset/{name}/resource/{resource_id}/edit#f-url",
    ]
    in_russian = [v.words.say(translator("ru")) for v in found if v.words]
    assert in_russian == [
        "Опубликовано: the dataset has more than one issue date",  # the fallback keeps the validator's words
        "Ресурс «Budget 2024»: нет ни ссылки, ни файла",
    ]


def test_every_string_of_the_check_is_translated() -> None:
    pattern = re.compile(r"""(?<![\w.])_\(\s*(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)')""")
    msgids = {a or b for a, b in pattern.findall(TEMPLATE.read_text(encoding="utf-8"))}
    msgids |= set(dcat_check.MESSAGES.values()) | set(dcat_check.FALLBACK.values())
    msgids |= set(dcat_check.FALLBACK_UNNAMED.values())
    labels = [*dcat_check.DATASET_FIELDS.values(), *dcat_check.RESOURCE_FIELDS.values()]
    labels += [pair for fields in dcat_check.NODE_FIELDS.values() for pair in fields.values()]
    msgids |= {label for _key, label in labels}
    assert_translated(msgids, 30)
