"""The DataStore SQL sandbox: one read-only SELECT over the tables an actor may see, checked before it runs.

Tables are named by resource id in double quotes, as in CKAN: SELECT * FROM "<resource id>". DuckDB's own
parser turns the query into a syntax tree (json_serialize_sql), which is walked with allow-lists: query nodes,
table references (resource ids the actor may see, or the query's own CTEs), expression kinds and function
names; anything not known to be harmless is refused. The query then runs unchanged inside
    WITH "<resource id>" AS NOT MATERIALIZED (SELECT * FROM "t_<hex>"), ... SELECT * FROM (<query>) LIMIT n+1
after checking that DuckDB parses the wrapped text back to the very tree that was checked, on a cursor that a
timer interrupts. The locked DuckDB instance (engine.py) is the second wall.
"""

from __future__ import annotations

import base64
import datetime as dt
import decimal
import json
import math
import re
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from typing import Any

import duckdb
from sqlalchemy.orm import Session

from derek.catalog import service as catalog
from derek.core.authz import Actor
from derek.core.errors import Invalid, NotFound
from derek.datastore.engine import DuckStore
from derek.datastore.models import DatastoreTable

DEFAULT_ROW_LIMIT = 32000
DEFAULT_TIMEOUT_S = 5.0
MAX_SQL_CHARS = 20000
MAX_RESULT_CHARS = 50_000_000

ONLY_ONE_SELECT = "Only one SELECT statement is allowed."
TABLE_FUNCTIONS = "Table functions such as read_csv are not allowed in DataStore SQL."
SYSTEM_CATALOGS = (
    "System catalogs such as information_schema and duckdb_tables are not available in DataStore SQL: "
    'name a DataStore table by its resource id in double quotes, e.g. SELECT * FROM "<resource id>".'
)
TIMED_OUT = "The query took longer than {seconds:g} s and was stopped."

QUERY_NODES = {"SELECT_NODE", "SET_OPERATION_NODE", "RECURSIVE_CTE_NODE"}
# Every kind of table reference DuckDB's serializer knows; only some are allowed (see _Checker.table_ref).
TABLE_REFS = {
    "BASE_TABLE",
    "SUBQUERY",
    "JOIN",
    "TABLE_FUNCTION",
    "EXPRESSION_LIST",
    "CTE",
    "EMPTY",
    "EMPTY_FROM",
    "PIVOT",
    "SHOW_REF",
    "COLUMN_DATA",
    "DELIM_GET",
    "BOUND_TABLE_REF",
    "INVALID",
}
EXPRESSIONS = {
    "BETWEEN",
    "CASE",
    "CAST",
    "COLLATE",
    "COLUMN_REF",
    "COMPARISON",
    "CONJUNCTION",
    "CONSTANT",
    "FUNCTION",
    "LAMBDA",
    "LAMBDA_REF",
    "OPERATOR",
    "POSITIONAL_REFERENCE",
    "STAR",
    "SUBQUERY",
    "TYPE",
    "WINDOW",
}
SYSTEM_PREFIXES = ("duckdb_", "pg_", "pragma_", "sqlite_", "information_schema")

# Scalar, aggregate and window functions (and the parser's names for operators) that only compute on their
# arguments. Left out on purpose, among others: current_setting, getvariable, nextval/currval/setval, setseed,
# sleep_ms/pg_sleep, write_log, json_serialize_plan/json_deserialize_sql, error, stats, version, every table
# function (read_*, glob, query, query_table, duckdb_*, pragma_*), and the one-call ways to build huge values
# (repeat, lpad/rpad, printf/format widths, bar, to_base, range/generate_series, list_resize): DuckDB's
# memory_limit does not cover the strings inside one vector.
_ALLOWED_FUNCTION_NAMES = """
    + - * / // % ** ^ || & | << >> ~ @ !__postfix ~~ !~~ ~~* !~~* ~~~ ^@ @> <@ && ->> <-> <=>
    abs acos acosh add asin asinh atan atan2 atanh bit_count bit_length bit_position cbrt ceil
    ceiling cos cosh cot degrees divide even exp factorial fdiv floor fmod gamma gcd get_bit
    greatest greatest_common_divisor isfinite isinf isnan lcm least least_common_multiple lgamma ln log
    log10 log2 mod multiply nextafter pi pow power radians random round round_even roundbankers set_bit
    sign signbit sin sinh sqrt subtract tan tanh trunc xor
    ascii base64 bin char_length character_length chr concat concat_ws contains damerau_levenshtein
    decode editdist3 encode ends_with format_bytes formatreadabledecimalsize formatreadablesize
    from_base64 from_binary from_hex hamming hash hex ilike_escape instr jaccard jaro_similarity
    jaro_winkler_similarity lcase left left_grapheme len length length_grapheme levenshtein like_escape
    lower ltrim md5 md5_number md5_number_lower md5_number_upper mismatches nfc_normalize
    not_ilike_escape not_like_escape octet_length ord overlay position prefix regexp_escape
    regexp_extract regexp_extract_all regexp_full_match regexp_matches regexp_replace regexp_split_to_array
    regexp_split_to_table replace reverse right right_grapheme rtrim sha1 sha256 split
    split_part starts_with str_split str_split_regex string_split string_split_regex string_to_array
    strip_accents strlen strpos substr substring substring_grapheme suffix to_base64 to_binary
    to_hex translate trim ucase unbin unhex unicode upper url_decode url_encode
    age ago century current_date current_localtime current_localtimestamp date_add date_diff date_part
    date_sub date_trunc datediff datepart datesub datetrunc day dayname dayofmonth dayofweek dayofyear
    days_in_month decade epoch epoch_ms epoch_ns epoch_us era get_current_time get_current_timestamp hour
    isodow isoyear julian last_day make_date make_time make_timestamp make_timestamp_ms make_timestamp_ns
    make_timestamptz microsecond millennium millisecond minute month monthname nanosecond
    normalized_interval now quarter second strftime strptime time_bucket timezone timezone_hour
    timezone_minute to_centuries to_days to_decades to_hours to_microseconds to_millennia to_milliseconds
    to_minutes to_months to_quarters to_seconds to_timestamp to_weeks to_years today
    transaction_timestamp try_strptime week weekday weekofyear year yearweek
    aggregate apply array_aggr array_aggregate array_append array_apply array_cat array_concat
    array_contains array_cosine_distance array_cosine_similarity array_cross_product array_distance
    array_distinct array_dot_product array_extract array_filter array_grade_up array_has array_has_all
    array_has_any array_indexof array_inner_product array_intersect array_length array_pop_back
    array_pop_front array_position array_prepend array_push_back array_push_front array_reduce
    array_reverse array_reverse_sort array_select array_slice array_sort array_to_string
    array_transform array_unique array_value array_where array_zip cardinality element_at filter flatten
    grade_up list_aggr list_aggregate list_any_value list_append
    list_apply list_approx_count_distinct list_avg list_bit_and list_bit_or list_bit_xor list_bool_and
    list_bool_or list_cat list_concat list_contains list_cosine_distance list_cosine_similarity list_count
    list_distance list_distinct list_dot_product list_element list_entropy list_extract list_filter
    list_first list_grade_up list_has list_has_all list_has_any list_histogram list_indexof
    list_inner_product list_intersect list_kurtosis list_kurtosis_pop list_last list_mad list_max
    list_median list_min list_mode list_pack list_position list_prepend list_product list_reduce
    list_reverse list_reverse_sort list_select list_sem list_skewness list_slice list_sort
    list_stddev_pop list_stddev_samp list_string_agg list_sum list_transform list_unique list_value
    list_var_pop list_var_samp list_where list_zip reduce unnest
    map map_concat map_contains map_contains_entry map_contains_value map_entries map_extract
    map_extract_value map_from_entries map_keys map_values row struct_concat struct_contains
    struct_extract struct_extract_at struct_has struct_indexof struct_insert struct_keys struct_pack
    struct_position struct_update struct_values union_extract union_tag union_value
    array_to_json from_json from_json_strict json json_array json_array_length json_contains
    json_exists json_extract json_extract_path json_extract_path_text json_extract_string json_keys
    json_merge_patch json_object json_pretty json_quote json_structure json_transform
    json_transform_strict json_type json_valid json_value row_to_json to_json
    constant_or_null enum_code enum_first enum_last enum_range enum_range_boundary gen_random_uuid if
    nullif typeof uuid uuid_extract_timestamp uuid_extract_version uuidv4 uuidv7
    any_value approx_count_distinct approx_quantile approx_top_k arbitrary arg_max arg_max_null
    arg_max_nulls_last arg_min arg_min_null arg_min_nulls_last argmax argmin array_agg avg bit_and
    bit_or bit_xor bitstring_agg bool_and bool_or corr count count_if count_star countif covar_pop
    covar_samp entropy favg first fsum geomean geometric_mean group_concat histogram histogram_exact
    json_group_array json_group_object json_group_structure kahan_sum kurtosis kurtosis_pop last list
    listagg mad max max_by mean median min min_by mode product quantile quantile_cont quantile_disc
    regr_avgx regr_avgy regr_count regr_intercept regr_r2 regr_slope regr_sxx regr_sxy regr_syy
    reservoir_quantile sem skewness stddev stddev_pop stddev_samp string_agg sum sumkahan var_pop
    var_samp variance wavg weighted_avg
    cume_dist dense_rank fill first_value lag last_value lead nth_value ntile percent_rank rank
    rank_dense row_number
"""
ALLOWED_FUNCTIONS = frozenset(_ALLOWED_FUNCTION_NAMES.split())

TYPE_NAMES = {
    "BIGINT": "integer",
    "HUGEINT": "integer",
    "INTEGER": "integer",
    "SMALLINT": "integer",
    "TINYINT": "integer",
    "UBIGINT": "integer",
    "UHUGEINT": "integer",
    "UINTEGER": "integer",
    "USMALLINT": "integer",
    "UTINYINT": "integer",
    "DECIMAL": "number",
    "DOUBLE": "number",
    "FLOAT": "number",
    "DATE": "date",
    "TIMESTAMP": "datetime",
    "TIMESTAMP WITH TIME ZONE": "datetime",
    "TIME": "time",
    "BOOLEAN": "boolean",
    "VARCHAR": "text",
    "UUID": "text",
    "INTERVAL": "interval",
    "BLOB": "binary",
}


@dataclass(frozen=True)
class SqlResult:
    fields: list[dict[str, str]]
    records: list[dict[str, Any]]
    records_truncated: bool
    resource_ids: list[str]


def fold(name: str) -> str:
    """An identifier as DuckDB compares it: ASCII letters ignore case (never fold more than DuckDB does)."""
    return "".join(c.lower() if "A" <= c <= "Z" else c for c in name)


def quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _kind(item: Any) -> str:
    """The kind of a tree item ("SELECT_NODE", "BASE_TABLE", ...); values carry a "type" that is no kind."""
    kind = item.get("type") if isinstance(item, dict) else None
    return kind if isinstance(kind, str) else ""


def _rest(item: dict[str, Any], *skip: str) -> dict[str, Any]:
    """The parts of a tree item still to walk: without its kind (walked already) and the parts named."""
    return {k: v for k, v in item.items() if k not in ("class", "type", *skip)}


class _Checker:
    """Walks DuckDB's JSON syntax tree; raises a domain error at the first thing not known to be safe.

    Scope is the set of CTE names a table reference may mean. It only ever holds names DuckDB itself would
    resolve to a CTE there (a CTE sees the CTEs before it, a recursive CTE sees itself in its recursive
    part), so a name outside it is a resource id and never a real table or view.
    """

    def __init__(self) -> None:
        self.resource_ids: dict[str, str] = {}  # folded -> as written

    def walk(self, value: Any, scope: frozenset[str]) -> None:
        if isinstance(value, list):
            for item in value:
                self.walk(item, scope)
        elif isinstance(value, dict):
            if "class" in value:
                self.expression(value, scope)
            elif _kind(value) in QUERY_NODES:
                self.node(value, scope)
            elif _kind(value) in TABLE_REFS or "table_name" in value:
                self.table_ref(value, scope)
            else:
                for item in value.values():
                    self.walk(item, scope)

    def node(self, node: Any, scope: frozenset[str], own_name: str | None = None) -> None:
        if _kind(node) not in QUERY_NODES:
            raise Invalid(ONLY_ONE_SELECT)
        inner = scope
        for entry in (node.get("cte_map") or {}).get("map") or []:
            name = fold(str(entry["key"]))
            body = entry["value"]["query_node"]
            recursive = _kind(body) == "RECURSIVE_CTE_NODE" and fold(str(body.get("cte_name"))) == name
            self.node(body, inner, own_name=name if recursive else None)
            self.walk(_rest(entry["value"], "query_node"), inner)
            inner = inner | {name}
        rest = _rest(node, "cte_map")
        if node["type"] == "SELECT_NODE":
            self.table_ref(rest.pop("from_table"), inner)
        elif node["type"] == "RECURSIVE_CTE_NODE":
            self.node(rest.pop("left"), inner)
            self.node(rest.pop("right"), inner | ({own_name} if own_name else set()))
        self.walk(rest, inner)

    def table_ref(self, ref: Any, scope: frozenset[str]) -> None:
        kind = _kind(ref)
        if kind == "BASE_TABLE":
            self.base_table(ref, scope)
        elif kind == "JOIN":
            self.table_ref(ref["left"], scope)
            self.table_ref(ref["right"], scope)
            self.walk(_rest(ref, "left", "right"), scope)
        elif kind == "SUBQUERY":
            self.node(ref["subquery"]["node"], scope)
            self.walk(_rest(ref, "subquery"), scope)
        elif kind in ("EXPRESSION_LIST", "EMPTY", "EMPTY_FROM"):
            self.walk(_rest(ref), scope)
        elif kind == "TABLE_FUNCTION":
            function = ref.get("function") or {}
            raise Invalid(
                TABLE_FUNCTIONS,
                errors={"sql": [f"{function.get('function_name', 'a function')}() is a table function."]},
            )
        elif kind == "SHOW_REF":
            raise Invalid("DESCRIBE, SHOW and SUMMARIZE are not available in DataStore SQL.")
        elif kind == "PIVOT":
            raise Invalid("PIVOT and UNPIVOT are not available in DataStore SQL: use GROUP BY.")
        else:
            raise Invalid(f"This kind of table reference ({kind}) is not allowed in DataStore SQL.")

    def base_table(self, ref: dict[str, Any], scope: frozenset[str]) -> None:
        name = str(ref.get("table_name", ""))
        path = (ref.get("qualified_name") or {}).get("path") or [name]
        if ref.get("at_clause"):
            raise Invalid("Time travel (AT ...) is not available in DataStore SQL.")
        if len(path) != 1 or ref.get("schema_name") or ref.get("catalog_name"):
            raise Invalid(
                SYSTEM_CATALOGS, errors={"sql": [f"{'.'.join(map(str, path))} is not a resource id."]}
            )
        folded = fold(name)
        if folded in scope:
            return  # one of the query's own CTEs
        if folded.startswith(SYSTEM_PREFIXES):
            raise Invalid(SYSTEM_CATALOGS, errors={"sql": [f"{name} is not a resource id."]})
        self.resource_ids.setdefault(folded, name)

    def expression(self, expr: dict[str, Any], scope: frozenset[str]) -> None:
        kind = expr["class"]
        if kind == "PARAMETER":
            raise Invalid(
                "Parameters ($1, ?) are not supported in DataStore SQL: write the values in the query."
            )
        if kind not in EXPRESSIONS:
            raise Invalid(f"{kind.lower()} expressions are not allowed in DataStore SQL.")
        if kind in ("FUNCTION", "WINDOW"):
            self.function(expr)
        if kind == "SUBQUERY":
            self.node(expr["subquery"]["node"], scope)
            self.walk(_rest(expr, "subquery"), scope)
            return
        self.walk(_rest(expr), scope)

    def function(self, expr: dict[str, Any]) -> None:
        name = str(expr.get("function_name", ""))
        path = (expr.get("qualified_name") or {}).get("path") or [name]
        if expr.get("schema") or expr.get("catalog") or len(path) != 1:
            raise Invalid(
                f"Functions are called by their plain name in DataStore SQL, not {'.'.join(map(str, path))}."
            )
        if name.lower() not in ALLOWED_FUNCTIONS:
            raise Invalid(
                f"The function {name}() is not allowed in DataStore SQL: use scalar, aggregate and window "
                "functions on the tables' columns.",
                errors={"sql": [f"{name}() is not allowed."]},
            )


def _without_locations(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            k: _without_locations(v)
            for k, v in value.items()
            if k not in ("query_location", "query_location_length")
        }
    if isinstance(value, list):
        return [_without_locations(v) for v in value]
    return value


def _statement_text(cur: duckdb.DuckDBPyConnection, sql: str) -> str:
    """The one SELECT statement in `sql`, without comments or semicolons around it."""
    if len(sql) > MAX_SQL_CHARS:
        raise Invalid(f"The query is longer than {MAX_SQL_CHARS} characters: shorten it.")
    try:
        statements = cur.extract_statements(sql)
    except duckdb.Error as exc:
        raise Invalid(f"The SQL could not be parsed: {exc}", errors={"sql": [str(exc)]}) from exc
    if not statements:
        raise Invalid("The query is empty: send one SELECT statement.")
    if len(statements) != 1 or statements[0].type != duckdb.StatementType.SELECT:
        found = ", ".join(s.type.name for s in statements)
        raise Invalid(ONLY_ONE_SELECT, errors={"sql": [f"Found: {found}."]})
    data = sql.encode("utf-8")  # token positions are byte offsets
    tokens = duckdb.tokenize(sql)
    real = [
        i
        for i, (start, kind) in enumerate(tokens)
        if kind != duckdb.token_type.comment
        and not (kind == duckdb.token_type.operator and data[start : start + 1] == b";")
    ]
    if not real:
        raise Invalid("The query is empty: send one SELECT statement.")
    end = tokens[real[-1] + 1][0] if real[-1] + 1 < len(tokens) else len(data)
    return data[tokens[real[0]][0] : end].decode("utf-8").rstrip()


def _tree(cur: duckdb.DuckDBPyConnection, sql: str) -> dict[str, Any]:
    """The syntax tree of a single SELECT, as DuckDB serializes it."""
    row = cur.execute("SELECT json_serialize_sql(?::VARCHAR)", [sql]).fetchone()
    tree: dict[str, Any] = json.loads(row[0]) if row else {"error": True, "error_message": "no answer"}
    if tree.get("error"):
        raise Invalid(f"The SQL could not be parsed: {tree.get('error_message', '')}")
    statements = tree.get("statements") or []
    if len(statements) != 1:
        raise Invalid(ONLY_ONE_SELECT)
    node: dict[str, Any] = statements[0]["node"]
    return node


def _table_names(session: Session, actor: Actor, resource_ids: dict[str, str]) -> dict[str, str]:
    """resource id -> DuckDB table, for tables the actor may see; the same answer for private and unknown."""
    tables = {}
    for folded, written in sorted(resource_ids.items()):
        missing = NotFound(
            f'There is no DataStore table "{written}" you may query: name a table by the id of a resource '
            "whose data is loaded in the DataStore, in double quotes.",
            errors={"sql": [f'Unknown table "{written}".']},
        )
        try:
            catalog.get_content(session, actor, folded)  # Forbidden while a gate holds its data back
        except NotFound:
            raise missing from None
        row = session.get(DatastoreTable, folded)
        if row is None or row.status != "loaded":
            raise missing
        tables[folded] = row.table_name
    return tables


def _wrapped(body: str, tables: dict[str, str], row_limit: int) -> str:
    ctes = ", ".join(
        f"{quoted(rid)} AS NOT MATERIALIZED (SELECT * FROM {quoted(table)})" for rid, table in tables.items()
    )
    # The newlines end any line comment inside the body before our closing parenthesis.
    return (
        f"WITH {ctes} " if ctes else ""
    ) + f"SELECT * FROM (\n{body}\n) AS datastore_sql LIMIT {row_limit + 1}"


def _check_wrapped(
    cur: duckdb.DuckDBPyConnection, final: str, checked: dict[str, Any], tables: dict[str, str]
) -> None:
    """What runs is what was checked: the wrapped text must parse back to the checked tree under our CTEs."""
    node = _tree(cur, final)
    ours = [fold(str(e["key"])) for e in (node.get("cte_map") or {}).get("map") or []]
    inner = (node.get("from_table") or {}).get("subquery", {}).get("node")
    if ours != list(tables) or _without_locations(inner) != _without_locations(checked):
        raise Invalid("This query cannot be run in the DataStore sandbox: simplify it.")


def _json_value(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, decimal.Decimal):
        return float(value) if value.is_finite() else None
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    if isinstance(value, bytes | bytearray | memoryview):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, list | tuple):
        return [_json_value(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _json_value(v) for k, v in value.items()}
    return str(value)


def _size(value: Any) -> int:
    """Roughly how many characters a JSON value takes."""
    if isinstance(value, str):
        return len(value) + 2
    if isinstance(value, list):
        return sum(_size(v) for v in value) + 2
    if isinstance(value, dict):
        return sum(len(k) + _size(v) for k, v in value.items()) + 2
    return 8


def _records(cur: duckdb.DuckDBPyConnection, names: list[str], limit: int) -> list[dict[str, Any]]:
    """The result as JSON-ready records, refused once its text outgrows MAX_RESULT_CHARS."""
    records: list[dict[str, Any]] = []
    size = 0
    while len(records) < limit and (rows := cur.fetchmany(min(1000, limit - len(records)))):
        for row in rows:
            record = {n: _json_value(v) for n, v in zip(names, row, strict=True)}
            size += _size(record)
            if size > MAX_RESULT_CHARS:
                raise Invalid(
                    f"The result is larger than {MAX_RESULT_CHARS // 1_000_000} MB: select fewer rows or "
                    "columns, or aggregate."
                )
            records.append(record)
    return records


def _field_type(duck_type: str) -> str:
    if duck_type.endswith("]") or duck_type.startswith(("STRUCT", "MAP", "UNION")):
        return "json"
    base = duck_type.split("(")[0]
    return TYPE_NAMES.get(base, base.lower())


def _scrubbed(message: str, tables: dict[str, str]) -> str:
    """DuckDB's message, with our internal table names replaced by the resource ids the user wrote."""
    for rid, table in tables.items():
        message = message.replace(table, rid)
    # The query sits on the line after our WITH ... SELECT * FROM (: count lines as the user wrote them.
    return re.sub(r"^LINE (\d+):", lambda m: f"LINE {max(1, int(m.group(1)) - 1)}:", message, flags=re.M)


@contextmanager
def _time_limit(cur: duckdb.DuckDBPyConnection, seconds: float) -> Iterator[threading.Event]:
    """Interrupt the cursor's query once `seconds` have passed; the event tells that it happened."""
    fired = threading.Event()

    def stop() -> None:
        fired.set()
        with suppress(duckdb.Error):
            cur.interrupt()

    timer = threading.Timer(seconds, stop)
    timer.daemon = True
    timer.start()
    try:
        yield fired
    finally:
        timer.cancel()
        timer.join()  # never interrupt a cursor after it is closed


def _prepare(
    session: Session, actor: Actor, cur: duckdb.DuckDBPyConnection, sql: str, row_limit: int
) -> tuple[str, dict[str, str]]:
    """The checked query wrapped for running, and the tables it reads (resource id -> DuckDB table)."""
    body = _statement_text(cur, sql)
    checked = _tree(cur, body)
    checker = _Checker()
    try:
        checker.node(checked, frozenset())
    except (KeyError, TypeError, AttributeError) as exc:  # a tree shape the checker does not know: refuse
        raise Invalid("This query cannot be checked for the DataStore sandbox: simplify it.") from exc
    tables = _table_names(session, actor, checker.resource_ids)
    final = _wrapped(body, tables, row_limit)
    _check_wrapped(cur, final, checked, tables)
    return final, tables


def run_sql(
    session: Session,
    actor: Actor,
    duck: DuckStore,
    sql: str,
    *,
    row_limit: int = DEFAULT_ROW_LIMIT,
    timeout_s: float = DEFAULT_TIMEOUT_S,
) -> SqlResult:
    """Run one SELECT over DataStore tables named by resource id; at most `row_limit` records come back."""
    row_limit = max(0, min(row_limit, DEFAULT_ROW_LIMIT))
    with duck.cursor() as cur:
        try:
            final, tables = _prepare(session, actor, cur, sql, row_limit)
        except RecursionError:
            raise Invalid("The query is nested too deeply: simplify it.") from None
        with _time_limit(cur, timeout_s) as fired:
            try:
                cur.execute(final)
                description = cur.description or []
                names = [str(d[0]) for d in description]
                records = _records(cur, names, row_limit + 1)
            except duckdb.Error as exc:
                if fired.is_set() or isinstance(exc, duckdb.InterruptException):
                    raise Invalid(TIMED_OUT.format(seconds=timeout_s)) from None
                message = _scrubbed(str(exc), tables)
                raise Invalid(
                    f"The query failed: {message}", errors={"sql": [message.splitlines()[0]]}
                ) from None
    return SqlResult(
        fields=[
            {"id": name, "type": _field_type(str(d[1]))} for name, d in zip(names, description, strict=True)
        ],
        records=records[:row_limit],
        records_truncated=len(records) > row_limit,
        resource_ids=list(tables),
    )
