"""Turning a DataStore query (filters, words, sort, fields, distinct, group-by, cursor) into one SELECT.

Only column names that exist in the table reach the SQL, always quoted; every value is a parameter. The
same builder serves the API, the exports and the preview, so they all mean the same thing by a filter.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from typing import Any

from derek.core.errors import Invalid

ROW_ID = "_id"
DUCK_TYPES = {
    "integer": "BIGINT",
    "number": "DOUBLE",
    "date": "DATE",
    "datetime": "TIMESTAMP",
    "time": "TIME",
    "boolean": "BOOLEAN",
    "text": "VARCHAR",
}
OPERATORS = {"eq": "=", "ne": "<>", "gt": ">", "gte": ">=", "lt": "<", "lte": "<="}
AGGREGATES = ("count", "sum", "avg", "min", "max")
NUMERIC = {"integer", "number"}


def quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


@dataclass
class Spec:
    """What a caller asks of a table. Empty means everything, in file order."""

    filters: dict[str, Any] = field(default_factory=dict)
    q: str = ""
    sort: str = ""
    fields: list[str] = field(default_factory=list)
    distinct: bool = False
    group_by: list[str] = field(default_factory=list)
    aggregates: list[str] = field(default_factory=list)  # "count", "sum:amount", "avg:amount", ...
    cursor: str = ""


@dataclass
class Built:
    select: str  # the whole SELECT without LIMIT/OFFSET
    count: str  # SELECT count(*) of the same rows (or groups)
    params: list[Any]
    columns: list[dict[str, Any]]  # the result's fields, in order
    sort_keys: list[tuple[str, bool]]  # (column, descending) used for the cursor; empty = no cursor
    where: str = ""
    where_params: list[Any] = field(default_factory=list)  # also the parameters of `count`


def _unknown(name: str, known: list[str], param: str) -> Invalid:
    return Invalid(
        f"Unknown column {name!r} in {param}: the columns are {', '.join(known)}.",
        errors={param: [f"Unknown column {name!r}."]},
    )


def _filter_sql(name: str, kind: str, value: Any) -> tuple[str, list[Any]]:
    column = quoted(name)
    if isinstance(value, dict):
        parts, params = [], []
        for op, operand in value.items():
            if op not in OPERATORS or isinstance(operand, dict | list):
                raise Invalid(
                    f"Filter on {name!r}: use a value, a list of values, or an object with "
                    f"{', '.join(OPERATORS)} (got {op!r}).",
                    errors={"filters": [f"Bad operator {op!r} for {name!r}."]},
                )
            if operand is None:
                parts.append(f"{column} IS {'NOT ' if op == 'ne' else ''}NULL")
                continue
            parts.append(f"{column} {OPERATORS[op]} TRY_CAST(? AS {DUCK_TYPES.get(kind, 'VARCHAR')})")
            params.append(str(operand))
        return "(" + " AND ".join(parts or ["TRUE"]) + ")", params
    values = value if isinstance(value, list) else [value]
    if not values:
        return "FALSE", []
    if any(isinstance(v, dict | list) for v in values):
        raise Invalid(
            f"Filter on {name!r}: a list may hold only plain values.",
            errors={"filters": [f"Nested values for {name!r}."]},
        )
    nulls = any(v is None for v in values)
    present = [str(v).lower() if isinstance(v, bool) else str(v) for v in values if v is not None]
    parts = []
    if present:
        parts.append(f"CAST({column} AS VARCHAR) IN ({', '.join('?' for _ in present)})")
    if nulls:
        parts.append(f"{column} IS NULL")
    return "(" + " OR ".join(parts) + ")", present


def _parse_sort(sort: str, known: list[str]) -> list[tuple[str, bool]]:
    keys = []
    for piece in sort.split(","):
        piece = piece.strip()
        if not piece:
            continue
        name, _, direction = (
            piece.rpartition(" ") if piece.lower().endswith((" asc", " desc")) else (piece, "", "")
        )
        name = name.strip().strip('"')
        if name not in known or direction.lower() not in ("", "asc", "desc"):
            raise Invalid(
                f"Cannot sort by {piece!r}: use a column name, optionally followed by asc or desc.",
                errors={"sort": [f"Unknown column or direction in {piece!r}."]},
            )
        keys.append((name, direction.lower() == "desc"))
    return keys


def encode_cursor(values: list[Any]) -> str:
    raw = json.dumps(values, default=str, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_cursor(cursor: str, size: int) -> list[Any]:
    try:
        values = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except ValueError as exc:
        raise Invalid(
            "The cursor is not one this portal gave out: start again without it.",
            errors={"cursor": ["Unreadable cursor."]},
        ) from exc
    if not isinstance(values, list) or len(values) != size:
        raise Invalid(
            "The cursor belongs to a different sort order: start again without it.",
            errors={"cursor": ["The cursor does not match the sort."]},
        )
    return values


def _after(keys: list[tuple[str, bool]], values: list[Any], types: dict[str, str]) -> tuple[str, list[Any]]:
    """Rows after the given key values in the order ASC/DESC NULLS LAST, as one predicate."""
    ors, params = [], []
    for i, (name, desc) in enumerate(keys):
        ands, local = [], []
        for j, (prev_name, _desc) in enumerate(keys[:i]):
            prev_value = values[j]
            if prev_value is None:
                ands.append(f"{quoted(prev_name)} IS NULL")
            else:
                ands.append(
                    f"{quoted(prev_name)} = TRY_CAST(? AS {DUCK_TYPES.get(types[prev_name], 'VARCHAR')})"
                )
                local.append(str(prev_value))
        value = values[i]
        if value is None:
            continue  # nothing comes after NULL in this key: NULLS LAST
        cast = f"TRY_CAST(? AS {DUCK_TYPES.get(types[name], 'VARCHAR')})"
        ands.append(f"({quoted(name)} {'<' if desc else '>'} {cast} OR {quoted(name)} IS NULL)")
        local.append(str(value))
        ors.append("(" + " AND ".join(ands) + ")")
        params += local
    return ("(" + " OR ".join(ors) + ")" if ors else "FALSE"), params


def build(table: str, fields: list[dict[str, Any]], spec: Spec) -> Built:
    """The SELECT for a spec over a table whose data columns are `fields` (plus the row id _id)."""
    types = {f["id"]: f["type"] for f in fields}
    types[ROW_ID] = "integer"
    known = [f["id"] for f in fields]
    every = [ROW_ID, *known]
    for name in spec.fields:
        if name not in every:
            raise _unknown(name, known, "fields")
    where, params = [], []
    for name, value in spec.filters.items():
        if name not in every:
            raise _unknown(name, known, "filters")
        sql, values = _filter_sql(name, types[name], value)
        where.append(sql)
        params += values
    if spec.q.strip():
        texts = " || ' ' || ".join(f"coalesce(CAST({quoted(n)} AS VARCHAR), '')" for n in known) or "''"
        for word in spec.q.split()[:10]:
            where.append(f"({texts}) ILIKE ? ESCAPE '\\'")
            params.append("%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%")
    where_sql = (" WHERE " + " AND ".join(where)) if where else ""
    where_params = list(params)
    source = quoted(table)

    if spec.group_by or spec.aggregates:
        return _grouped(source, where_sql, params, types, known, spec)

    chosen = spec.fields or every
    keys = _parse_sort(spec.sort, every)
    if spec.distinct:
        select_list = ", ".join(quoted(n) for n in chosen)
        order = (
            (" ORDER BY " + ", ".join(f"{quoted(n)} {'DESC' if d else 'ASC'}" for n, d in keys))
            if keys
            else ""
        )
        inner = f"SELECT DISTINCT {select_list} FROM {source}{where_sql}"
        if spec.cursor:
            raise Invalid(
                "A cursor cannot page distinct values: use offset.", errors={"cursor": ["Not with distinct."]}
            )
        return Built(
            select=inner + order,
            count=f"SELECT count(*) FROM ({inner})",
            params=params,
            columns=[{"id": n, "type": types[n]} for n in chosen],
            sort_keys=[],
            where=where_sql,
            where_params=where_params,
        )
    if not any(name == ROW_ID for name, _ in keys):
        keys.append((ROW_ID, False))  # a total order, so pages never overlap and a cursor is exact
    count = f"SELECT count(*) FROM {source}{where_sql}"
    if spec.cursor:
        values = _decode_cursor(spec.cursor, len(keys))
        after, after_params = _after(keys, values, types)
        where_sql = (where_sql + " AND " if where_sql else " WHERE ") + after
        params = params + after_params
    order = ", ".join(f"{quoted(n)} {'DESC' if d else 'ASC'} NULLS LAST" for n, d in keys)
    hidden = [n for n, _ in keys if n not in chosen]  # sort keys the caller did not ask for, for the cursor
    select_list = ", ".join(quoted(n) for n in [*chosen, *hidden])
    return Built(
        select=f"SELECT {select_list} FROM {source}{where_sql} ORDER BY {order}",
        count=count,
        params=params,
        columns=[{"id": n, "type": types[n]} for n in chosen],
        sort_keys=keys,
        where=where_sql,
        where_params=where_params,
    )


def _grouped(
    source: str, where_sql: str, params: list[Any], types: dict[str, str], known: list[str], spec: Spec
) -> Built:
    for name in spec.group_by:
        if name not in known:
            raise _unknown(name, known, "group_by")
    columns: list[dict[str, Any]] = [{"id": n, "type": types[n]} for n in spec.group_by]
    selects = [quoted(n) for n in spec.group_by]
    for item in spec.aggregates or ["count"]:
        function, _, column = item.partition(":")
        function = function.strip().lower()
        column = column.strip()
        if function not in AGGREGATES:
            raise Invalid(
                f"Unknown aggregate {item!r}: use {', '.join(AGGREGATES)}, e.g. sum:amount.",
                errors={"aggregates": [f"Unknown aggregate {item!r}."]},
            )
        if function == "count" and not column:
            selects.append("count(*) AS count")
            columns.append({"id": "count", "type": "integer"})
            continue
        if column not in known:
            raise _unknown(column, known, "aggregates")
        if function in ("sum", "avg") and types[column] not in NUMERIC:
            raise Invalid(
                f"{function} needs a numeric column; {column!r} holds {types[column]}.",
                errors={"aggregates": [f"{column!r} is not numeric."]},
            )
        alias = f"{function}_{column}"
        selects.append(f"{function}({quoted(column)}) AS {quoted(alias)}")
        kind = "number" if function == "avg" else ("integer" if function == "count" else types[column])
        columns.append({"id": alias, "type": kind})
    if spec.cursor:
        raise Invalid("A cursor cannot page groups: use offset.", errors={"cursor": ["Not with group_by."]})
    names = [c["id"] for c in columns]
    keys = _parse_sort(spec.sort, names)
    group = (" GROUP BY " + ", ".join(quoted(n) for n in spec.group_by)) if spec.group_by else ""
    order_keys = keys or [(n, False) for n in spec.group_by]
    order = (
        " ORDER BY " + ", ".join(f"{quoted(n)} {'DESC' if d else 'ASC'} NULLS LAST" for n, d in order_keys)
        if order_keys
        else ""
    )
    inner = f"SELECT {', '.join(selects)} FROM {source}{where_sql}{group}"
    return Built(
        select=inner + order,
        count=f"SELECT count(*) FROM ({inner})",
        params=params,
        columns=columns,
        sort_keys=[],
        where=where_sql,
        where_params=list(params),
    )
