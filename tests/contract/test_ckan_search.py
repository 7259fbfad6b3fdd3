"""package_search and the lists, driven by ckanapi: q, fq, facets, paging, sorting, and who sees what."""

from __future__ import annotations

from dataclasses import dataclass

import ckanapi
import pytest

from tests.contract.conftest import Cast


@dataclass
class Catalog:
    cast: Cast
    names: list[str]  # public, published; name order = creation order
    private: str
    draft: str
    fq: str  # restricts a search to this module's organization


@pytest.fixture(scope="module")
def catalog(cast: Cast) -> Catalog:
    ckan = cast.ckan(cast.editor_token)
    specs = [
        ("water", ["water", "quality"], ["ENVI"], "CSV", "CC-BY-4.0", "Питьевая вода в Алматы"),
        ("budget", ["finance"], ["ECON"], "XLSX", "CC0-1.0", "Budget execution"),
        ("schools", ["education", "quality"], ["EDUC", "SOCI"], "CSV", "CC-BY-4.0", "Schools of Astana"),
        ("roads", ["transport"], ["TRAN"], "JSON", "CC-BY-4.0", "Road accidents"),
        ("taxes", ["finance", "quality"], ["ECON"], "CSV", "CC0-1.0", "Tax receipts"),
    ]
    prefix = cast.portal.unique("s")
    names = []
    for slug, tags, themes, fmt, licence, title in specs:
        name = f"{prefix}-{slug}"
        ckan.action.package_create(
            name=name,
            owner_org=cast.org,
            title=title,
            notes=f"About {slug}",
            tags=[{"name": t} for t in tags],
            groups=[{"name": t.lower()} for t in themes],
            license_id=licence,
            resources=[{"url": f"https://example.org/{slug}.{fmt.lower()}", "format": fmt}],
        )
        names.append(name)
    private = ckan.action.package_create(
        name=f"{prefix}-secret",
        owner_org=cast.org,
        title="Secret water",
        private=True,
        tags=[{"name": "water"}],
    )["name"]
    draft = ckan.action.package_create(
        name=f"{prefix}-draft",
        owner_org=cast.org,
        title="Draft water",
        state="draft",
        tags=[{"name": "water"}],
    )["name"]
    return Catalog(cast, names, private, draft, f"organization:{cast.org}")


def _names(result: dict) -> list[str]:
    return [d["name"] for d in result["results"]]


def test_search_result_shape_and_defaults(catalog: Catalog) -> None:
    anon = catalog.cast.ckan()
    result = anon.action.package_search(fq=catalog.fq)
    assert set(result) >= {"count", "results", "facets", "search_facets", "sort"}
    assert result["count"] == 5 and len(result["results"]) == 5
    assert result["sort"] == "score desc, metadata_modified desc"
    assert result["facets"] == {} and result["search_facets"] == {}
    first = result["results"][0]
    assert first["type"] == "dataset" and first["state"] == "active" and first["num_resources"] == 1
    assert first["organization"]["name"] == catalog.cast.org
    default_rows = anon.action.package_search()
    assert len(default_rows["results"]) <= 10 and default_rows["count"] >= len(default_rows["results"])
    clamped = anon.action.package_search(rows=5000, fq=catalog.fq)
    assert len(clamped["results"]) == 5


def test_free_text_and_fielded_queries(catalog: Catalog) -> None:
    anon = catalog.cast.ckan()
    water, budget, schools, roads, taxes = catalog.names
    assert _names(anon.action.package_search(q="воды", fq=catalog.fq)) == [water]
    assert _names(anon.action.package_search(q="Schools Astana", fq=catalog.fq)) == [schools]
    assert set(_names(anon.action.package_search(q="tags:quality", fq=catalog.fq))) == {water, schools, taxes}
    assert _names(anon.action.package_search(q="tags:quality res_format:JSON", fq=catalog.fq)) == []
    assert set(_names(anon.action.package_search(fq=f"+{catalog.fq} +tags:finance"))) == {budget, taxes}
    assert set(_names(anon.action.package_search(fq=f"owner_org:{catalog.cast.org_id} groups:econ"))) == {
        budget,
        taxes,
    }
    assert _names(anon.action.package_search(fq=f'{catalog.fq} res_format:"JSON"')) == [roads]
    assert set(_names(anon.action.package_search(fq=f"{catalog.fq} license_id:cc-zero"))) == {budget, taxes}
    assert _names(anon.action.package_search(q=f"name:{schools}")) == [schools]
    assert set(_names(anon.action.package_search(fq_list=[catalog.fq, "tags:(quality AND finance)"]))) == {
        taxes
    }
    assert anon.action.package_search(fq=f"{catalog.fq} dataset_type:harvest")["count"] == 0
    with pytest.raises(ckanapi.SearchQueryError):
        anon.action.package_search(fq="-tags:finance")
    with pytest.raises(ckanapi.SearchQueryError):
        anon.action.package_search(q="no_such_field:x")


def test_facets(catalog: Catalog) -> None:
    anon = catalog.cast.ckan()
    result = anon.action.package_search(
        fq=catalog.fq,
        rows=0,
        **{"facet.field": ["tags", "res_format", "groups", "license_id", "organization"]},
    )
    assert result["results"] == [] and result["count"] == 5
    assert result["facets"]["tags"]["quality"] == 3 and result["facets"]["tags"]["finance"] == 2
    assert list(result["facets"]["tags"])[0] == "quality"  # count order
    assert result["facets"]["res_format"] == {"CSV": 3, "XLSX": 1, "JSON": 1}
    assert result["facets"]["groups"]["econ"] == 2
    assert result["facets"]["organization"] == {catalog.cast.org: 5}
    items = result["search_facets"]["tags"]["items"]
    assert result["search_facets"]["tags"]["title"] == "tags"
    assert [i["display_name"] for i in items] == sorted((i["display_name"] for i in items), reverse=True)
    groups = {i["name"]: i for i in result["search_facets"]["groups"]["items"]}
    assert groups["econ"]["count"] == 2 and groups["econ"]["display_name"] != "econ"
    limited = anon.action.package_search(
        fq=catalog.fq, rows=0, **{"facet.field": '["tags"]', "facet.limit": 1, "facet.mincount": 2}
    )
    assert limited["facets"]["tags"] == {"quality": 3}
    off = anon.action.package_search(fq=catalog.fq, rows=0, facet="false", **{"facet.field": ["tags"]})
    assert off["facets"] == {}


def test_sorting_and_paging(catalog: Catalog) -> None:
    anon = catalog.cast.ckan()
    by_name = _names(anon.action.package_search(fq=catalog.fq, sort="name asc"))
    assert by_name == sorted(catalog.names)
    assert _names(anon.action.package_search(fq=catalog.fq, sort="name desc")) == sorted(catalog.names)[::-1]
    newest_first = _names(anon.action.package_search(fq=catalog.fq, sort="metadata_modified desc"))
    assert newest_first == catalog.names[::-1]
    assert _names(anon.action.package_search(fq=catalog.fq, sort="metadata_created asc")) == catalog.names
    titles = [
        d["title"] for d in anon.action.package_search(fq=catalog.fq, sort="title_string asc")["results"]
    ]
    assert titles == sorted(titles)
    pages = [
        _names(anon.action.package_search(fq=catalog.fq, sort="name asc", rows=2, start=s)) for s in (0, 2, 4)
    ]
    assert [n for page in pages for n in page] == by_name
    assert anon.action.package_search(fq=catalog.fq, rows=2, start=10)["results"] == []
    with pytest.raises(ckanapi.SearchQueryError):
        anon.action.package_search(sort="metadata_modified")


def test_private_and_draft_datasets_stay_hidden(catalog: Catalog) -> None:
    cast = catalog.cast
    for token in (None, cast.outsider_token):
        ckan = cast.ckan(token)
        found = _names(
            ckan.action.package_search(fq=catalog.fq, include_private=True, include_drafts=True, rows=50)
        )
        assert catalog.private not in found and catalog.draft not in found
        listed = ckan.action.package_list()
        assert catalog.private not in listed and catalog.draft not in listed
        for hidden in (catalog.private, catalog.draft):
            with pytest.raises(ckanapi.NotFound):
                ckan.action.package_show(id=hidden)
        facets = ckan.action.package_search(
            fq=catalog.fq, rows=0, include_private=True, **{"facet.field": ["tags"]}
        )
        assert facets["facets"]["tags"].get("water") == 1
    member = cast.ckan(cast.member_token)
    assert catalog.private not in _names(member.action.package_search(fq=catalog.fq, rows=50))
    with_private = _names(member.action.package_search(fq=catalog.fq, include_private=True, rows=50))
    assert catalog.private in with_private and catalog.draft not in with_private
    with_drafts = _names(
        member.action.package_search(fq=catalog.fq, include_private=True, include_drafts=True, rows=50)
    )
    assert catalog.draft in with_drafts
    shown = member.action.package_show(id=catalog.private)
    assert shown["private"] is True
    assert member.action.package_show(id=catalog.draft)["state"] == "draft"
    admin = cast.ckan(cast.sysadmin_token)
    assert catalog.private in _names(
        admin.action.package_search(fq=catalog.fq, include_private=True, rows=50)
    )
    assert catalog.private not in admin.action.package_list()  # CKAN: package_list is public datasets only


def test_lists(catalog: Catalog) -> None:
    cast = catalog.cast
    anon = cast.ckan()
    names = anon.action.package_list()
    assert names == sorted(names) and set(catalog.names) <= set(names)
    assert anon.action.package_list(limit=2, offset=1) == names[1:3]
    recent = anon.action.current_package_list_with_resources(limit=3)
    assert len(recent) == 3 and all("resources" in d for d in recent)
    assert len(anon.action.current_package_list_with_resources()) <= 10
    tags = anon.action.tag_list()
    assert {"quality", "finance", "water"} <= set(tags) and tags == sorted(tags)
    assert anon.action.tag_list(query="fin") == ["finance"]
    assert anon.action.tag_list(all_fields=True, query="fin")[0]["name"] == "finance"
    groups = anon.action.group_list()
    assert "econ" in groups and len(groups) == len(cast.portal.settings.jurisdiction.themes)
    econ = anon.action.group_show(id="econ", include_datasets=True)
    assert econ["id"] == "ECON" and econ["package_count"] >= 2
    assert {catalog.names[1], catalog.names[4]} <= {d["name"] for d in econ["packages"]}
    with pytest.raises(ckanapi.NotFound):
        anon.action.group_show(id="no-such-theme")
    counted = anon.action.group_list(all_fields=True, sort="package_count")
    assert [g["package_count"] for g in counted] == sorted(
        (g["package_count"] for g in counted), reverse=True
    )
    orgs = anon.action.organization_list()
    assert cast.org in orgs
    full = anon.action.organization_list(all_fields=True, organizations=cast.org)
    assert (
        full[0]["name"] == cast.org and full[0]["package_count"] >= 5 and full[0]["is_organization"] is True
    )
    assert anon.action.organization_list(sort="name desc") == sorted(orgs, reverse=True)
    assert anon.action.organization_list(limit=1, offset=1, sort="name asc") == sorted(orgs)[1:2]
    with pytest.raises(ckanapi.ValidationError):
        anon.action.organization_list(sort="nonsense")
    shown = anon.action.organization_show(id=cast.org_id, include_datasets=True)
    assert shown["name"] == cast.org and len(shown["packages"]) <= 10
    assert catalog.private not in {d["name"] for d in shown["packages"]}
    member_view = cast.ckan(cast.member_token).action.organization_show(id=cast.org, include_datasets=True)
    assert member_view["package_count"] > shown["package_count"]  # members count private datasets too
    licences = anon.action.license_list()
    assert {"CC-BY-4.0", "CC0-1.0"} <= {lic["id"] for lic in licences}
    assert all(isinstance(lic["od_conformance"], str) for lic in licences)
    status = anon.action.status_show()
    assert status["ckan_version"].startswith("2.11") and status["locale_default"] == "kk"
    assert anon.action.site_read() is True
    assert "dataset" in anon.action.help_show(name="package_show")
