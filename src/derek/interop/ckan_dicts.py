"""Derek's datasets, resources, organizations, themes and licences as CKAN dicts, and CKAN dicts back.

How the two models meet (CKAN name <-> Derek name; "text" means the profile's default language, falling
back through i18n.pick):

  dataset
    name                       <-> slug (name)
    title / notes              <-> title / description as text; `title_translated` and `notes_translated`
                                   carry every language (ckanext-fluent style). On input a plain string
                                   becomes {default_lang: string}; both may be sent, and a `title` that
                                   differs from the translated one's default language wins for that language
    owner_org (id or name)     <-> organization; `organization` is the embedded (read-only) org dict
    tags [{name}] / tag_string <-> keywords
    groups [{name}]            <-> themes: one CKAN group per theme of the profile, name = code in lower
                                   case ("econ"), id = the code ("ECON"); both are accepted on input
    license_id                 <-> license_id (CKAN's built-in ids cc-by, cc-zero ... map to the profile's)
    maintainer, maintainer_email <-> contact_name, contact_email
    version                    <-> version
    url, author, author_email  <-> kept in Derek's extras under those keys, shown top-level only
    extras [{key, value}]      <-> extras (values are strings; keys may not shadow a top-level field)
    private, state             <-> private, state (active <-> published, draft, deleted)
    Derek-only, top-level:     frequency (EU frequency code), regions (ISO 3166-2 codes), languages,
                               temporal_start, temporal_end, issued
    read-only: id, type "dataset", metadata_created/metadata_modified (naive UTC ISO), num_resources,
               num_tags, license_title, license_url, isopen, organization, creator_user_id (null)
  resource
    url (absolute download URL for stored files, url_type "upload"; the table's dump for url_type
    "datastore", a table fed through datastore_create), name, description, format,
    mimetype <-> media_type, size, hash "sha256:<hex>", position (0-based order), package_id,
    created, last_modified / metadata_modified, datastore_active (the resource has a DataStore table)
  organization
    name, title/description (+ _translated), image_url <-> logo_url, package_count <-> dataset_count,
    created; Derek's org_type, parent, contact_email, contact_phone, website are top-level fields
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError as PydanticValidationError

from derek.catalog.schemas import DatasetRead, OrganizationRead, ResourceRead
from derek.config import Licence, Profile, Theme
from derek.core.i18n import pick
from derek.datastore.service import loaded_resource_ids
from derek.interop.ckan_actions import Call, ValidationError, as_bool
from derek.quality import service as quality

STATE_TO_CKAN = {"published": "active", "draft": "draft", "deleted": "deleted"}
STATE_FROM_CKAN = {"active": "published", "published": "published", "draft": "draft"}
LIFTED_EXTRAS = ("url", "author", "author_email")
# CKAN's built-in licence ids and the licence each stands for today.
LICENCE_ALIASES = {
    "cc-by": "CC-BY-4.0",
    "cc-zero": "CC0-1.0",
    "cc-by-sa": "CC-BY-SA-4.0",
    "odc-pddl": "ODC-PDDL-1.0",
    "odc-by": "ODC-BY-1.0",
    "odc-odbl": "ODbL-1.0",
}
# Derek field names in errors -> the CKAN field the client sent.
FIELD_TO_CKAN = {
    "organization": "owner_org",
    "description": "notes",
    "keywords": "tags",
    "themes": "groups",
    "update_frequency": "frequency",
    "contact_name": "maintainer",
    "contact_email": "maintainer_email",
    "media_type": "mimetype",
    "logo_url": "image_url",
    "file": "upload",
}
TOP_LEVEL_KEYS = {
    "id", "name", "title", "notes", "url", "version", "author", "author_email", "maintainer",
    "maintainer_email", "license_id", "state", "type", "private", "owner_org", "tags", "groups", "extras",
    "resources", "frequency", "regions", "languages", "temporal_start", "temporal_end", "issued",
}  # fmt: skip


def iso(value: datetime | None) -> str | None:
    """CKAN's timestamps: naive ISO 8601 in UTC, with microseconds."""
    if value is None:
        return None
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="microseconds")


def _or_none(value: str | None) -> str | None:
    return value or None


# ---------------------------------------------------------------- out: Derek -> CKAN


def package_dict(call: Call, ds: DatasetRead) -> dict[str, Any]:
    lang = call.lang
    licence = call.profile.licence(ds.license_id)
    extras = dict(ds.extras)
    lifted = {key: extras.pop(key, None) for key in LIFTED_EXTRAS}
    org = call.org(ds.organization.id)
    active = loaded_resource_ids(call.session, [r.id for r in ds.resources])  # one query per dataset
    result: dict[str, Any] = {
        "id": ds.id,
        "name": ds.name,
        "title": pick(ds.title, lang) or ds.name,
        "title_translated": dict(ds.title),
        "notes": _or_none(pick(ds.description, lang)),
        "notes_translated": dict(ds.description),
        "url": _or_none(lifted["url"]),
        "version": _or_none(ds.version),
        "author": _or_none(lifted["author"]),
        "author_email": _or_none(lifted["author_email"]),
        "maintainer": _or_none(ds.contact_name),
        "maintainer_email": _or_none(ds.contact_email),
        "license_id": ds.license_id or None,
        "license_title": ds.license_title or ds.license_id or None,
        "isopen": bool(licence and licence.open),
        "type": "dataset",
        "state": STATE_TO_CKAN.get(ds.state, ds.state),
        "private": ds.private,
        "owner_org": ds.organization.id,
        "organization": organization_brief(call, org) if org else _summary_org(call, ds),
        "creator_user_id": None,
        "metadata_created": iso(ds.created_at),
        "metadata_modified": iso(ds.modified),
        "num_resources": len(ds.resources),
        "num_tags": len(ds.keywords),
        "resources": [
            resource_dict(call, ds, res, i, res.id in active) for i, res in enumerate(ds.resources)
        ],
        "tags": [
            {"id": kw, "name": kw, "display_name": kw, "state": "active", "vocabulary_id": None}
            for kw in ds.keywords
        ],
        "groups": [group_brief(call, theme) for theme in _themes(call.profile, ds.themes)],
        "extras": [
            {"key": k, "value": str(v)}
            for k, v in sorted({**extras, **quality.extras_of(call.session, ds.id)}.items())
        ],
        "relationships_as_subject": [],
        "relationships_as_object": [],
        "frequency": ds.update_frequency,
        "regions": list(ds.regions),
        "languages": list(ds.languages),
        "temporal_start": ds.temporal_start.isoformat() if ds.temporal_start else None,
        "temporal_end": ds.temporal_end.isoformat() if ds.temporal_end else None,
        "issued": iso(ds.issued),
    }
    if ds.license_url:
        result["license_url"] = ds.license_url
    return result


def resource_dict(
    call: Call, ds: DatasetRead, res: ResourceRead, position: int, datastore_active: bool = False
) -> dict[str, Any]:
    upload = res.url_type == "upload"
    url = call.base_url + res.download_url if upload and res.download_url.startswith("/") else res.url
    if res.url_type == "datastore":  # as CKAN: the URL of a table fed through the API is its dump
        url = f"{call.base_url}/datastore/dump/{res.id}"
    return {
        "id": res.id,
        "package_id": ds.id,
        "url": url,
        "url_type": res.url_type if res.url_type in ("upload", "datastore") else None,
        "name": res.name,
        "description": res.description,
        "format": res.format,
        "mimetype": res.media_type or None,
        "mimetype_inner": None,
        "size": res.size,
        "hash": f"sha256:{res.sha256}" if res.sha256 else "",
        "position": position,
        "resource_type": None,
        "created": iso(res.created_at),
        "last_modified": iso(res.modified),
        "metadata_modified": iso(res.modified),
        "cache_url": None,
        "cache_last_updated": None,
        "state": "active",
        "datastore_active": datastore_active,
        "version_count": res.version_count,
    }


def organization_brief(call: Call, org: OrganizationRead) -> dict[str, Any]:
    """The 10 keys CKAN embeds in a package dict."""
    return {
        "id": org.id,
        "name": org.name,
        "title": pick(org.title, call.lang) or org.name,
        "type": "organization",
        "description": pick(org.description, call.lang),
        "image_url": org.logo_url,
        "created": iso(org.created_at),
        "is_organization": True,
        "approval_status": "approved",
        "state": "active",
    }


def _summary_org(call: Call, ds: DatasetRead) -> dict[str, Any]:
    org = ds.organization
    return {
        "id": org.id,
        "name": org.name,
        "title": pick(org.title, call.lang) or org.name,
        "type": "organization",
        "description": "",
        "image_url": "",
        "created": None,
        "is_organization": True,
        "approval_status": "approved",
        "state": "deleted",
    }


def organization_dict(call: Call, org: OrganizationRead) -> dict[str, Any]:
    """organization_show / organization_list(all_fields) shape."""
    result = organization_brief(call, org)
    result.update(
        {
            "display_name": result["title"],
            "title_translated": dict(org.title),
            "description_translated": dict(org.description),
            "image_display_url": org.logo_url,
            "package_count": org.dataset_count,
            "num_followers": 0,
            "extras": [],
            "groups": [],
            "tags": [],
            "org_type": org.org_type,
            "parent": org.parent,
            "contact_email": org.contact_email,
            "contact_phone": org.contact_phone,
            "website": org.website,
        }
    )
    return result


def _themes(profile: Profile, codes: list[str]) -> list[Theme]:
    return [t for code in codes if (t := profile.theme(code)) is not None]


def group_brief(call: Call, theme: Theme) -> dict[str, Any]:
    title = pick(theme.title, call.lang) or theme.code
    return {
        "id": theme.code,
        "name": theme.code.lower(),
        "title": title,
        "display_name": title,
        "description": "",
        "image_display_url": "",
    }


def group_dict(call: Call, theme: Theme, package_count: int) -> dict[str, Any]:
    """group_show / group_list(all_fields) shape of a theme."""
    result = group_brief(call, theme)
    result.update(
        {
            "title_translated": dict(theme.title),
            "type": "group",
            "is_organization": False,
            "approval_status": "approved",
            "state": "active",
            "image_url": "",
            "created": None,
            "package_count": package_count,
            "num_followers": 0,
            "extras": [{"key": "national_categories", "value": ", ".join(theme.national)}],
            "groups": [],
            "tags": [],
        }
    )
    return result


def licence_dict(licence: Licence) -> dict[str, Any]:
    """CKAN's licence register entry; like CKAN's built-in list, the flags are strings."""
    approved = "approved" if licence.open else "not reviewed"
    return {
        "id": licence.id,
        "title": licence.title,
        "url": licence.url,
        "family": "",
        "maintainer": "",
        "status": "active",
        "domain_content": "True",
        "domain_data": "True",
        "domain_software": "False",
        "is_generic": "False",
        "od_conformance": approved,
        "osd_conformance": "not reviewed",
    }


def find_theme(profile: Profile, name_or_code: str) -> Theme | None:
    wanted = name_or_code.strip().upper()
    return next((t for t in profile.themes if t.code.upper() == wanted), None)


def licence_id(profile: Profile, value: str) -> str:
    """The profile's id for a licence given by its id in any case, or by CKAN's built-in id."""
    if profile.licence(value):
        return value
    lowered = value.strip().lower()
    for lic in profile.licences:
        if lic.id.lower() == lowered:
            return lic.id
    alias = LICENCE_ALIASES.get(lowered)
    return alias if alias and profile.licence(alias) else value


# ---------------------------------------------------------------- in: CKAN -> Derek


def multilingual(
    data: dict[str, Any], plain_key: str, translated_key: str, lang: str
) -> dict[str, str] | None:
    """{lang: text} from `title` (text or dict) and `title_translated`; None when neither was sent."""
    translated = data.get(translated_key)
    plain = data.get(plain_key)
    if translated is not None and not isinstance(translated, dict):
        raise ValidationError({translated_key: ["Must be a dict of language: text"]})
    result = dict(translated) if translated is not None else None
    if isinstance(plain, dict):
        return {**(result or {}), **plain}
    if plain is None:
        return result
    text = str(plain).strip()
    if result is None:
        return {lang: text} if text else {}
    if text != pick(result, lang):
        if text:
            result[lang] = text
        else:
            result.pop(lang, None)
    return result


def _names(value: Any, key: str, *, split_commas: bool = False) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str) and split_commas:
        return [v.strip() for v in value.split(",") if v.strip()]
    if not isinstance(value, list):
        raise ValidationError({key: ["Not a list"]})
    names = []
    for item in value:
        if isinstance(item, dict):
            names.append(str(item.get("name") or item.get("id") or ""))
        else:
            names.append(str(item))
    return [n.strip() for n in names if n and n.strip()]


def _extras(data: dict[str, Any]) -> dict[str, str]:
    raw = data.get("extras") or []
    if isinstance(raw, dict):
        raw = [{"key": k, "value": v} for k, v in raw.items()]
    if not isinstance(raw, list):
        raise ValidationError({"extras": ["Not a list"]})
    extras: dict[str, str] = {}
    problems: list[str] = []
    for item in raw:
        if not isinstance(item, dict) or "key" not in item:
            problems.append("Each extra needs a key and a value.")
            continue
        key = str(item["key"])
        if item.get("deleted") or key in quality.EXTRA_KEYS:  # the portal's own figures, sent back
            continue
        if key in TOP_LEVEL_KEYS:
            problems.append(f"There is a schema field with the same name: {key}")
            continue
        value = item.get("value")
        extras[key] = value if isinstance(value, str) else ("" if value is None else str(value))
    if problems:
        raise ValidationError({"extras": problems})
    for key in LIFTED_EXTRAS:
        if data.get(key):
            extras[key] = str(data[key])
    return extras


def _keywords(data: dict[str, Any]) -> list[str]:
    return _names(data.get("tags"), "tags") + _names(data.get("tag_string"), "tag_string", split_commas=True)


def _themes_in(profile: Profile, data: dict[str, Any]) -> list[str]:
    codes = []
    for name in _names(data.get("groups"), "groups"):
        theme = find_theme(profile, name)
        codes.append(theme.code if theme else name)
    return codes


def dataset_values(profile: Profile, data: dict[str, Any], *, creating: bool) -> dict[str, Any]:
    """DatasetCreate / DatasetUpdate fields from a CKAN package dict (update: replace semantics for CKAN's
    own fields; Derek-only fields, `private` and `state` are kept when not sent)."""
    lang = profile.default_language
    values: dict[str, Any] = {}
    if data.get("name") is not None:
        values["name"] = str(data["name"])
    if data.get("owner_org"):
        values["organization"] = str(data["owner_org"])
    elif creating:
        raise ValidationError({"owner_org": ["An organization must be provided"]})
    title = multilingual(data, "title", "title_translated", lang)
    if title is not None and any(title.values()):
        values["title"] = title
    elif creating:
        values["title"] = {lang: str(data.get("name") or "")}
    values["description"] = multilingual(data, "notes", "notes_translated", lang) or {}
    values["keywords"] = _keywords(data)
    values["themes"] = _themes_in(profile, data)
    given_licence = data.get("license_id")
    values["license_id"] = licence_id(profile, str(given_licence)) if given_licence else None
    values["contact_name"] = str(data.get("maintainer") or "")
    values["contact_email"] = str(data.get("maintainer_email") or "")
    values["version"] = str(data.get("version") or "")
    values["extras"] = _extras(data)
    values.update(_derek_fields(data))
    values.update(_state_fields(data, creating))
    return values


def _derek_fields(data: dict[str, Any]) -> dict[str, Any]:
    """Derek-only fields, changed only when sent."""
    values: dict[str, Any] = {}
    if "frequency" in data:
        values["update_frequency"] = data["frequency"] or "UNKNOWN"
    for key in ("regions", "languages"):
        if key in data:
            values[key] = data[key] or []
    for key in ("temporal_start", "temporal_end"):
        if key in data:
            values[key] = data[key] or None
    if data.get("issued"):
        values["issued"] = _aware(data["issued"])
    return values


def _state_fields(data: dict[str, Any], creating: bool) -> dict[str, Any]:
    values: dict[str, Any] = {}
    if data.get("state") is not None:
        state = STATE_FROM_CKAN.get(str(data["state"]))
        if state is None:
            raise ValidationError({"state": [f"Use active or draft, not {data['state']!r}."]})
        values["state"] = state
    elif creating:
        values["state"] = "published"
    if data.get("private") is not None:
        values["private"] = as_bool(data["private"], "private")
    return values


def _aware(value: Any) -> Any:
    """CKAN sends naive UTC timestamps; Derek stores aware ones."""
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return value  # Pydantic reports it
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    return value


def resource_values(data: dict[str, Any], current: dict[str, Any] | None, *, replace: bool) -> dict[str, Any]:
    """ResourceCreate / ResourceUpdate fields from a CKAN resource dict. `current` is the resource as
    package_show shows it: a stored file sent back with its own URL (or url_type "upload") stays the file."""
    values: dict[str, Any] = {}
    for key in ("name", "description"):
        if data.get(key) is not None:
            values[key] = str(data[key])
        elif replace:
            values[key] = ""
    url = data.get("url")
    keeps_file = (  # a stored file, or a table fed through the DataStore API, stays what it is
        current is not None
        and current.get("url_type") in ("upload", "datastore")
        and (data.get("url_type") == current.get("url_type") or url in (None, "", current.get("url")))
    )
    if url is not None and not keeps_file:
        url = str(url).strip()
        values["url"] = url if not url or "://" in url else "http://" + url
    if data.get("format"):
        values["format"] = str(data["format"])
    if data.get("mimetype"):
        values["media_type"] = str(data["mimetype"])
    return values


def ckan_field(name: str) -> str:
    return FIELD_TO_CKAN.get(name, name)


def ckan_errors(errors: dict[str, list[str]]) -> dict[str, Any]:
    return {ckan_field(k): list(v) for k, v in errors.items()}


def pydantic_errors(exc: PydanticValidationError) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    for err in exc.errors():
        loc = err.get("loc") or ("__all__",)
        message = "Missing value" if err.get("type") == "missing" else str(err.get("msg", "Invalid value"))
        message = message.removeprefix("Value error, ")
        field = ckan_field(str(loc[0]))
        if message.startswith(("title: ", "name: ")):
            field, message = message.split(": ", 1)
        errors.setdefault(field, []).append(message)
    return errors
