"""CKAN's package_search parameters (Solr-style q, fq, sort, facets) read into Derek's SearchQuery.

Supported in q and fq: `field:value`, `field:"quoted value"`, `field:(a AND b)`, a leading `+`, and plain
words (free text, every word must match). Fields: organization (org name), owner_org (org id), tags,
groups (theme name or code), res_format, license_id, name, frequency, regions; title, notes and text
search the text; `*:*`, `state:active`, `capacity:public`, `site_id:*` and `dataset_type:dataset` change
nothing. Negation, OR and wildcards are refused with a Search Query Error naming what is supported.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from derek.catalog.search import SearchQuery
from derek.config import Profile
from derek.interop.ckan_actions import SearchQueryError, ValidationError, as_bool, as_int, as_natural
from derek.interop.ckan_dicts import find_theme, licence_id

DEFAULT_SORT = "score desc, metadata_modified desc"
ROWS_DEFAULT, ROWS_MAX = 10, 1000
FACET_LIMIT_DEFAULT = 50
ALLOWED_PARAMS = {
    "q", "fq", "fq_list", "sort", "rows", "start", "facet", "facet.field", "facet.limit", "facet.mincount",
    "include_private", "include_drafts", "include_deleted", "use_default_schema", "fl", "qf", "bf", "boost",
    "tie", "defType", "mm", "wt", "df", "q.op", "_",
}  # fmt: skip
# CKAN (Solr) field -> Derek search filter / facet
FILTER_FIELDS = {
    "organization": "organization",
    "tags": "keyword",
    "groups": "theme",
    "res_format": "format",
    "license_id": "license",
    "frequency": "frequency",
    "regions": "region",
    "name": "name",
}
FACET_FIELDS = {k: v for k, v in FILTER_FIELDS.items() if k != "name"}
TEXT_FIELDS = {"text", "title", "notes", "title_string", "title_ngram", "name_ngram"}
NO_OP = {
    ("*", "*"),
    ("state", "active"),
    ("capacity", "public"),
    ("dataset_type", "dataset"),
    ("type", "dataset"),
}
SORT_FIELDS = {
    "score": "relevance",
    "rank": "relevance",
    "metadata_modified": "modified",
    "metadata_created": "created",
    "title_string": "title",
    "title": "title",
    "name": "name",
}
TOKEN_RE = re.compile(
    r'(?P<sign>[+-]?)(?:(?P<field>[A-Za-z_][\w.]*|\*):(?P<value>"(?:[^"\\]|\\.)*"|\([^)]*\)|[^\s()]+)'
    r'|(?P<word>"(?:[^"\\]|\\.)*"|[^\s]+))'
)


@dataclass
class SearchRequest:
    query: SearchQuery
    facets: dict[str, str] = field(default_factory=dict)  # CKAN facet field -> Derek facet
    sort: str = DEFAULT_SORT
    fields: list[str] = field(default_factory=list)  # fl: keys to return instead of whole dicts
    nothing: bool = False  # a filter no dataset can match (e.g. type:harvest)


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] == '"':
        return re.sub(r"\\(.)", r"\1", value[1:-1])
    return value.replace("\\", "")


def _values(raw: str, fieldname: str) -> list[str]:
    if raw.startswith("(") and raw.endswith(")"):
        parts = re.findall(r'"(?:[^"\\]|\\.)*"|\S+', raw[1:-1])
        if any(p.upper() in ("OR", "||", "NOT") for p in parts):
            raise SearchQueryError(f"`{fieldname}:{raw}`: OR and NOT are not supported; filters are ANDed")
        return [_unquote(p) for p in parts if p.upper() not in ("AND", "&&")]
    return [_unquote(raw)]


class _Parser:
    def __init__(self, request: SearchRequest, profile: Profile, resolve_org: Callable[[str], str | None]):
        self.request = request
        self.profile = profile
        self.resolve_org = resolve_org
        self.words: list[str] = []

    def parse(self, text: str) -> None:
        for match in TOKEN_RE.finditer(text):
            if match.group("word") is not None:
                word = _unquote(match.group("word").lstrip("+"))
                if word.upper() not in ("AND", "&&", ""):
                    self.words.append(word)
                continue
            if match.group("sign") == "-":
                raise SearchQueryError(f"`{match.group(0)}`: negative filters are not supported")
            name, raw = match.group("field"), match.group("value")
            for value in _values(raw, name):
                self.add(name, value)

    def add(self, name: str, value: str) -> None:
        if (name, value) in NO_OP or (name == "site_id"):
            return
        if name in ("dataset_type", "type"):
            self.request.nothing = True
            return
        if name in TEXT_FIELDS:
            self.words.append(value)
            return
        if "*" in value or "?" in value:
            raise SearchQueryError(f"`{name}:{value}`: wildcards are not supported")
        filters = self.request.query.filters
        if name == "owner_org":
            filters.setdefault("organization", []).append(self.resolve_org(value) or value)
        elif name == "groups":
            theme = find_theme(self.profile, value)
            filters.setdefault("theme", []).append(theme.code if theme else value)
        elif name == "license_id":
            filters.setdefault("license", []).append(licence_id(self.profile, value))
        elif name in FILTER_FIELDS:
            filters.setdefault(FILTER_FIELDS[name], []).append(value)
        else:
            known = ", ".join(sorted([*FILTER_FIELDS, "owner_org", *TEXT_FIELDS]))
            raise SearchQueryError(f"Cannot search by field `{name}`: use one of {known}")


def _sort(text: str) -> tuple[str, bool | None]:
    """Derek's sort and direction from the first criterion of a CKAN sort string (others are checked)."""
    chosen: tuple[str, bool | None] | None = None
    for criterion in text.split(","):
        parts = criterion.split()
        if not parts:
            continue
        if len(parts) == 1 and parts[0] == "rank":
            parts = ["score", "desc"]
        if len(parts) != 2 or parts[1].lower() not in ("asc", "desc"):
            raise SearchQueryError('Invalid "sort" parameter')
        if parts[0] not in SORT_FIELDS:
            known = ", ".join(sorted(SORT_FIELDS))
            raise SearchQueryError(
                f'Invalid "sort" parameter: cannot sort by `{parts[0]}`, use one of {known}'
            )
        if chosen is None:
            chosen = (SORT_FIELDS[parts[0]], parts[1].lower() == "desc")
    return chosen or ("relevance", None)


def _facet_fields(value: Any) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            raise ValidationError({"facet.field": ["Could not parse as valid JSON"]}) from None
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        raise ValidationError({"facet.field": ["Not a list"]})
    return [str(v) for v in value]


def _fq(value: Any) -> list[str]:
    """fq: a filter text, or several (a key repeated in a query string); anything else is refused."""
    if value is None:
        return []
    values = value if isinstance(value, list) else [value]
    if not all(isinstance(v, str) for v in values):
        raise ValidationError({"fq": ["Must be a string: a filter query such as tags:economy"]})
    return values


def _fq_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        stripped = value.strip()
        if stripped.startswith("["):
            try:
                parsed = json.loads(stripped)
                if isinstance(parsed, list):
                    return [str(v) for v in parsed]
            except ValueError:
                pass
        return [value]
    if isinstance(value, list):
        return [str(v) for v in value]
    raise ValidationError({"fq_list": ["Not a list"]})


def _fl(value: Any) -> list[str]:
    if not value:
        return []
    if isinstance(value, list):
        return [str(v) for v in value]
    return [f for f in re.split(r"[,\s]+", str(value)) if f]


def parse_package_search(
    data: dict[str, Any], profile: Profile, resolve_org: Callable[[str], str | None]
) -> SearchRequest:
    unknown = sorted(k for k in data if k not in ALLOWED_PARAMS and not k.startswith("ext_"))
    if unknown:
        raise SearchQueryError(f"Invalid search parameters: {unknown}")
    rows = as_natural(data.get("rows"), "rows", ROWS_DEFAULT) or 0
    start = as_natural(data.get("start"), "start", 0) or 0
    facet_limit = (
        as_int(data["facet.limit"], "facet.limit") if data.get("facet.limit") not in (None, "") else 50
    )
    facet_mincount = as_natural(data.get("facet.mincount"), "facet.mincount", 1)
    query = SearchQuery(
        lang=profile.default_language,
        start=start,
        rows=min(rows, ROWS_MAX),
        facet_fields=(),
        facet_limit=facet_limit if facet_limit >= 0 else -1,
        facet_mincount=facet_mincount if facet_mincount is not None else 1,
        include_private=as_bool(data.get("include_private"), "include_private"),
        include_drafts=as_bool(data.get("include_drafts"), "include_drafts"),
    )
    request = SearchRequest(query=query, fields=_fl(data.get("fl")))
    parser = _Parser(request, profile, resolve_org)
    q = data.get("q")
    if isinstance(q, list):  # a key repeated in a query string: the last one counts
        q = q[-1] if q else None
    q = "" if q is None else str(q)
    if q.strip() not in ("", '""', "''", "*:*"):
        parser.parse(q)
    for filter_text in _fq(data.get("fq")) + _fq_list(data.get("fq_list")):
        parser.parse(filter_text)
    query.q = " ".join(parser.words)
    sort_text = str(data.get("sort") or "").strip()
    query.sort, query.descending = _sort(sort_text) if sort_text else ("relevance", None)
    request.sort = sort_text or DEFAULT_SORT
    if as_bool(data.get("facet"), "facet", True):
        request.facets = {
            f: FACET_FIELDS[f] for f in _facet_fields(data.get("facet.field")) if f in FACET_FIELDS
        }
        extra = [f for f in _facet_fields(data.get("facet.field")) if f not in FACET_FIELDS]
        request.facets.update(dict.fromkeys(extra, ""))
        query.facet_fields = tuple(dict.fromkeys(v for v in request.facets.values() if v))
    return request
