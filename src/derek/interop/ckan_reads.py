"""CKAN's side-effect-free actions (GET or POST): status, lists, search and the *_show actions."""

from __future__ import annotations

import inspect
from typing import Any

from derek import __version__
from derek.catalog import service
from derek.catalog.schemas import OrganizationRead
from derek.catalog.search import SearchQuery
from derek.core import accounts
from derek.core.authz import can
from derek.core.errors import NotAuthenticated, NotFound
from derek.core.i18n import pick
from derek.interop.ckan_actions import ACTIONS, CKAN_VERSION, Call, ValidationError, action, as_list
from derek.interop.ckan_dicts import (
    find_theme,
    group_dict,
    iso,
    licence_dict,
    organization_dict,
    package_dict,
)
from derek.interop.ckan_search import ROWS_DEFAULT, ROWS_MAX, SearchRequest, parse_package_search

LIST_MAX, LIST_ALL_FIELDS_MAX = 1000, 25


@action("status_show", read=True)
def status_show(call: Call) -> dict[str, Any]:
    """The site's name, URL, default language and the CKAN version it answers as."""
    return {
        "site_title": pick(call.profile.name, call.lang),
        "site_description": "",
        "site_url": call.base_url,
        "ckan_version": CKAN_VERSION,
        "error_emails_to": None,
        "locale_default": call.lang,
        "locales_offered": list(call.profile.languages),
        "extensions": ["derek", "fluent"],
        "derek_version": __version__,
    }


@action("site_read", read=True)
def site_read(call: Call) -> bool:
    """Always true: a ping (removed from CKAN 2.11, still used by clients)."""
    return True


@action("help_show", read=True)
def help_show(call: Call) -> str:
    """The description of the action named by `name`."""
    name = str(call.required("name"))
    found = ACTIONS.get(name)
    if found is None:
        raise NotFound(f"Action function {name!r} not found")
    return inspect.getdoc(found.fn) or ""


@action("package_list", read=True)
def package_list(call: Call) -> list[str]:
    """Names of the public, published datasets, sorted; `limit` and `offset` page through them."""
    limit = call.natural("limit")
    offset = call.natural("offset", 0) or 0
    return service.list_dataset_names(call.session, call.actor, limit=limit, offset=offset)


@action("package_search", read=True)
def package_search(call: Call) -> dict[str, Any]:
    """Search datasets with CKAN's q, fq, sort, rows, start and facet.* parameters."""
    request = parse_package_search(call.data, call.profile, lambda value: _org_name(call, value))
    return search_result(call, request)


def _org_name(call: Call, name_or_id: str) -> str | None:
    org = call.org(name_or_id)
    return org.name if org else None


def search_result(call: Call, request: SearchRequest) -> dict[str, Any]:
    if request.nothing:
        results, count, facets = [], 0, {}
    else:
        found, reads = service.search_datasets_read(call.session, call.actor, call.profile, request.query)
        results = [package_dict(call, ds) for ds in reads]
        count = found.count
        facets = {k: [(f.value, f.count) for f in v] for k, v in found.facets.items()}
    if request.fields:
        results = [{k: d.get(k) for k in request.fields if k in d} for d in results]
    out_facets: dict[str, dict[str, int]] = {}
    search_facets: dict[str, dict[str, Any]] = {}
    for ckan_field, derek_field in request.facets.items():
        pairs = [(_facet_name(ckan_field, v), n) for v, n in facets.get(derek_field, [])]
        out_facets[ckan_field] = dict(pairs)
        items = [
            {"name": name, "display_name": _facet_display(call, ckan_field, name), "count": n}
            for name, n in pairs
        ]
        items.sort(key=lambda item: str(item["display_name"]), reverse=True)  # CKAN's order
        search_facets[ckan_field] = {"title": ckan_field, "items": items}
    return {
        "count": count,
        "results": results,
        "facets": out_facets,
        "search_facets": search_facets,
        "sort": request.sort,
    }


def _facet_name(ckan_field: str, value: str) -> str:
    return value.lower() if ckan_field == "groups" else value


def _facet_display(call: Call, ckan_field: str, name: str) -> str:
    if ckan_field == "organization":
        org = call.org(name)
        return (pick(org.title, call.lang) or name) if org else name
    if ckan_field == "groups":
        theme = find_theme(call.profile, name)
        return (pick(theme.title, call.lang) or name) if theme else name
    if ckan_field == "license_id":
        licence = call.profile.licence(name)
        return licence.title if licence else name
    return name


@action("current_package_list_with_resources", read=True)
def current_package_list_with_resources(call: Call) -> list[dict[str, Any]]:
    """The most recently modified datasets with their resources (`limit`, default 10; `offset` or `page`)."""
    limit = call.natural("limit")
    offset = call.natural("offset")
    page = call.natural("page")
    rows = min(limit if limit is not None else ROWS_DEFAULT, ROWS_MAX)
    if offset is None:
        offset = (page - 1) * rows if page and limit else 0
    query = SearchQuery(
        lang=call.lang, sort="modified", start=offset, rows=rows, facet_fields=(), include_private=True
    )
    return search_result(call, SearchRequest(query=query))["results"]


@action("package_show", read=True)
def package_show(call: Call) -> dict[str, Any]:
    """One dataset by `id` (its id or name)."""
    ident = str(call.required("id", "name_or_id"))
    return package_dict(call, service.get_dataset(call.session, call.actor, call.profile, ident))


def resource_in_package(call: Call, resource_id: str) -> dict[str, Any]:
    """The resource exactly as package_show shows it inside its dataset."""
    resource = service.get_resource_read(call.session, call.actor, resource_id)
    dataset = package_dict(
        call, service.get_dataset(call.session, call.actor, call.profile, resource.dataset_id)
    )
    for res in dataset["resources"]:
        if res["id"] == resource.id:
            return dict(res)
    raise NotFound(f"There is no resource {resource_id!r}.")


@action("resource_show", read=True)
def resource_show(call: Call) -> dict[str, Any]:
    """One resource by `id`."""
    return resource_in_package(call, str(call.required("id")))


def _sort_key(sort: str, kinds: tuple[str, ...]) -> tuple[str, bool]:
    parts = sort.split()
    field = parts[0] if parts else "title"
    if field == "packages":
        field = "package_count"
    if field not in kinds or len(parts) > 2 or (len(parts) == 2 and parts[1].lower() not in ("asc", "desc")):
        raise ValidationError({"message": f"Cannot sort by field `{sort}`"})
    default_desc = field == "package_count"
    return field, (parts[1].lower() == "desc") if len(parts) == 2 else default_desc


def _page(call: Call, items: list[Any], all_fields: bool) -> list[Any]:
    maximum = LIST_ALL_FIELDS_MAX if all_fields else LIST_MAX
    limit = min(call.natural("limit", maximum) or 0, maximum)
    offset = call.natural("offset", 0) or 0
    return items[offset : offset + limit]


def _matches(q: str, *texts: str) -> bool:
    return not q or any(q in text.lower() for text in texts if text)


@action("organization_list", read=True)
def organization_list(call: Call) -> list[Any]:
    """Organization names, or dicts with `all_fields`; `sort` (name, title, package_count), `q`, paging."""
    all_fields = call.flag("all_fields")
    q = call.text("q").strip().lower()
    wanted = {
        str(n) for v in as_list(call.data.get("organizations"), "organizations") for n in str(v).split(",")
    }
    orgs = [
        o
        for o in service.list_organizations(call.session, call.actor)
        if _matches(q, o.name, *o.title.values(), *o.description.values())
        and (not wanted or o.name in wanted)
    ]
    field, descending = _sort_key(call.text("sort") or call.text("order_by") or "title asc", _ORG_SORTS)
    orgs.sort(key=lambda o: _org_sort_value(call, o, field), reverse=descending)
    page = _page(call, orgs, all_fields)
    return [organization_dict(call, o) for o in page] if all_fields else [o.name for o in page]


_ORG_SORTS = ("name", "title", "package_count")


def _org_sort_value(call: Call, org: OrganizationRead, field: str) -> Any:
    if field == "package_count":
        return (org.dataset_count, org.name)
    if field == "title":
        return ((pick(org.title, call.lang) or org.name).lower(), org.name)
    return org.name


@action("organization_show", read=True)
def organization_show(call: Call) -> dict[str, Any]:
    """One organization by `id` (id or name); `include_datasets` adds up to 10 of its datasets."""
    org = service.get_organization(call.session, call.actor, str(call.required("id")))
    result = organization_dict(call, org)
    if call.flag("include_datasets"):
        query = SearchQuery(lang=call.lang, filters={"organization": [org.name]}, sort="modified", rows=10)
        query.facet_fields, query.include_private = (), True
        result["packages"] = search_result(call, SearchRequest(query=query))["results"]
    if not call.flag("include_dataset_count", True):
        result.pop("package_count")
    return result


def _theme_counts(call: Call) -> dict[str, int]:
    query = SearchQuery(
        lang=call.lang, rows=0, facet_fields=("theme",), facet_limit=-1, include_private=False
    )
    found = service.search_datasets(call.session, call.actor, query)
    return {f.value: f.count for f in found.facets.get("theme", [])}


@action("group_list", read=True)
def group_list(call: Call) -> list[Any]:
    """The profile's themes as CKAN groups: names, or dicts with `all_fields`."""
    all_fields = call.flag("all_fields")
    counts = _theme_counts(call)
    q = call.text("q").strip().lower()
    themes = [t for t in call.profile.themes if _matches(q, t.code, *t.title.values())]
    field, descending = _sort_key(call.text("sort") or call.text("order_by") or "title asc", _ORG_SORTS)
    themes.sort(
        key=lambda t: (
            (counts.get(t.code, 0), t.code)
            if field == "package_count"
            else ((pick(t.title, call.lang) if field == "title" else t.code).lower(), t.code)
        ),
        reverse=descending,
    )
    page = _page(call, themes, all_fields)
    return (
        [group_dict(call, t, counts.get(t.code, 0)) for t in page]
        if all_fields
        else [t.code.lower() for t in page]
    )


@action("group_show", read=True)
def group_show(call: Call) -> dict[str, Any]:
    """One theme by `id` (its code or lower-case name); `include_datasets` adds up to 10 datasets."""
    ident = str(call.required("id"))
    theme = find_theme(call.profile, ident)
    if theme is None:
        raise NotFound(f"There is no group {ident!r}.")
    result = group_dict(call, theme, _theme_counts(call).get(theme.code, 0))
    if call.flag("include_datasets"):
        query = SearchQuery(lang=call.lang, filters={"theme": [theme.code]}, sort="modified", rows=10)
        query.facet_fields = ()
        result["packages"] = search_result(call, SearchRequest(query=query))["results"]
    return result


@action("tag_list", read=True)
def tag_list(call: Call) -> list[Any]:
    """Keywords of published public datasets; `query` filters by substring, `all_fields` gives dicts."""
    if call.data.get("vocabulary_id"):
        raise NotFound(f"There is no vocabulary {call.data['vocabulary_id']!r}.")
    query = SearchQuery(
        lang=call.lang, rows=0, facet_fields=("keyword",), facet_limit=-1, include_private=False
    )
    found = service.search_datasets(call.session, call.actor, query)
    needle = (call.text("query") or call.text("q")).strip().lower()
    names = sorted(f.value for f in found.facets.get("keyword", []) if needle in f.value.lower())
    if call.flag("all_fields"):
        return [{"id": n, "name": n, "display_name": n, "vocabulary_id": None} for n in names]
    return names


@action("license_list", read=True)
def license_list(call: Call) -> list[dict[str, Any]]:
    """The licences of the profile, in CKAN's licence register shape."""
    return [licence_dict(lic) for lic in call.profile.licences]


@action("user_show", read=True)
def user_show(call: Call) -> dict[str, Any]:
    """One user by `id` (id or name; the caller when omitted), for logged-in callers only (as CKAN with
    ckan.auth.public_user_details = false). `sysadmin` and `email` only for the user and sysadmins."""
    if not call.actor.authenticated:
        raise NotAuthenticated("Log in or send an API token to see users.")
    ident = call.data.get("id") or call.actor.user_id
    if not ident:
        raise ValidationError({"id": ["Missing value"]})
    user = accounts.get_user(call.session, str(ident))
    result: dict[str, Any] = {
        "id": user.id,
        "name": user.name,
        "fullname": user.fullname or None,
        "display_name": user.fullname or user.name,
        "about": None,
        "created": iso(user.created_at),
        "last_active": None,
        "state": "active" if user.state == "active" else "deleted",  # CKAN shows blocked users as deleted
        "image_url": "",
        "image_display_url": "",
        "activity_streams_email_notifications": False,
    }
    if can(call.actor, "user.update", user):  # the user themself, or a sysadmin
        result["sysadmin"] = user.sysadmin
        result["email"] = user.email
    return result
