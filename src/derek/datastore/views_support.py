"""What the resource page needs besides the DataStore service: the preview's state read from its query string
(words, one column filter, sort, page) with the links and API examples that repeat it, and the data
dictionary's forced types.

No HTTP here: views.py reads the request and hands plain values in.
"""

from __future__ import annotations

import json
import shlex
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import urlencode

from babel.numbers import format_decimal
from sqlalchemy.orm import Session

from derek.core.authz import Actor
from derek.datastore import service
from derek.datastore.models import DatastoreTable
from derek.datastore.query import ROW_ID, Spec

PAGE_ROWS = 25
EXPORT_FORMATS = (("csv", "CSV"), ("json", "JSON"), ("xlsx", "XLSX"), ("parquet", "Parquet"))


@dataclass(frozen=True)
class Preview:
    """The state of the data preview, as its links and form carry it."""

    q: str = ""
    column: str = ""
    value: str = ""
    sort_column: str = ""
    descending: bool = False
    page: int = 1
    problems: tuple[str, ...] = field(default=())  # msgids of what was ignored, for the page

    @classmethod
    def read(cls, params: dict[str, str], columns: list[str]) -> Preview:
        """The state from a query string; unknown columns and bad pages are dropped and reported."""
        problems = []
        q = params.get("q", "").strip()[:500]
        column, value = params.get("column", "").strip(), params.get("value", "")
        if column and column not in columns:
            problems.append("There is no such column to filter on: the filter was removed.")
            column, value = "", ""
        if not column:
            value = ""
        sort = params.get("sort", "").strip()
        name, _, direction = sort.rpartition(" ") if sort.endswith((" asc", " desc")) else (sort, "", "")
        if name and name not in [ROW_ID, *columns]:
            problems.append("There is no such column to sort by: the table is in file order.")
            name, direction = "", ""
        try:
            page = max(int(params.get("page", "1") or 1), 1)
        except ValueError:
            page = 1
        return cls(q, column, value, name, direction == "desc", page, tuple(problems))

    @property
    def filters(self) -> dict[str, Any]:
        return {self.column: self.value} if self.column else {}

    @property
    def sort(self) -> str:
        if not self.sort_column:
            return ""
        return f"{self.sort_column} desc" if self.descending else self.sort_column

    @property
    def filtered(self) -> bool:
        return bool(self.q or self.column)

    @property
    def offset(self) -> int:
        return (self.page - 1) * PAGE_ROWS

    def spec(self) -> Spec:
        return Spec(filters=self.filters, q=self.q, sort=self.sort)

    def query_string(self, **changes: Any) -> str:
        """This state (with some changes) as a page query string, empty parts left out."""
        state = replace(self, **changes)
        params = [
            ("q", state.q),
            ("column", state.column),
            ("value", state.value if state.column else ""),
            ("sort", state.sort),
            ("page", str(state.page) if state.page > 1 else ""),
        ]
        query = urlencode([(k, v) for k, v in params if v])
        return "?" + query if query else ""

    def sort_link(self, column: str) -> str:
        """Sorting by a column: ascending first, then toggling; always back to page one."""
        descending = column == self.sort_column and not self.descending
        return self.query_string(sort_column=column, descending=descending, page=1)

    def aria_sort(self, column: str) -> str:
        if column != self.sort_column:
            return ""
        return "descending" if self.descending else "ascending"

    def api_params(self, paging: bool = True) -> list[tuple[str, str]]:
        """The native API's parameters for the same rows (the same page, when paging)."""
        params = []
        if self.filters:
            params.append(("filters", json.dumps(self.filters, ensure_ascii=False)))
        if self.q:
            params.append(("q", self.q))
        if self.sort:
            params.append(("sort", self.sort))
        if paging:
            params.append(("limit", str(PAGE_ROWS)))
            if self.offset:
                params.append(("offset", str(self.offset)))
        return params


def api_examples(site: str, resource_id: str, preview: Preview) -> dict[str, str]:
    """Copy-paste ways to get the rows the preview shows: a URL, curl, and CKAN's datastore_search."""
    native = f"{site}/api/v1/datastore/{resource_id}"
    params = preview.api_params()
    curl = [f"curl -sG {shlex.quote(native)}"]
    for key, value in params:
        option = "-d" if key in ("limit", "offset") else "--data-urlencode"
        curl.append(f"  {option} {shlex.quote(f'{key}={value}')}")
    ckan = [("resource_id", resource_id), *params]
    return {
        "url": native + ("?" + urlencode(params) if params else ""),
        "curl": " \\\n".join(curl),
        "ckan": f"{site}/api/3/action/datastore_search?{urlencode(ckan)}",
    }


def export_links(resource_id: str, preview: Preview) -> dict[str, list[tuple[str, str]]]:
    """Links to the whole table and, when the preview is filtered or sorted, to the rows it shows."""
    base = f"/api/v1/datastore/{resource_id}/export"
    links: dict[str, list[tuple[str, str]]] = {
        "all": [(label, f"{base}.{ext}") for ext, label in EXPORT_FORMATS]
    }
    params = preview.api_params(paging=False)
    if params:
        query = "?" + urlencode(params)
        links["filtered"] = [(label, f"{base}.{ext}{query}") for ext, label in EXPORT_FORMATS]
    return links


def dictionary_types(session: Session, actor: Actor, resource_id: str) -> dict[str, str]:
    """The types a publisher forced per column (empty: as guessed when the file was read)."""
    service.describe(session, actor, resource_id)  # NotFound unless the actor may see the table
    row = session.get(DatastoreTable, resource_id)
    dictionary = (row.dictionary if row else None) or {}
    return {
        name: str(entry.get("type") or "") for name, entry in dictionary.items() if isinstance(entry, dict)
    }


def human_number(value: Any, lang: str) -> str:
    """A number for people in the page language: grouped by thin spaces (or the language's own mark) from
    five digits on, so years and small counts stay as written (2019, not 2 019)."""
    if value is None or isinstance(value, bool):
        return "" if value is None else str(value).lower()
    try:
        number = float(value)
    except (TypeError, ValueError):
        return str(value)
    if number != number or number in (float("inf"), float("-inf")):
        return str(value)
    pattern = "#,##0.###" if abs(number) >= 10000 else "0.###"
    try:
        text = format_decimal(value if isinstance(value, int) else number, format=pattern, locale=lang)
    except (ValueError, LookupError):
        return str(value)
    return text.replace("\xa0", "\u202f")  # a narrow no-break space: a thin gap that never wraps
