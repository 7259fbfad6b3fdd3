"""The DataStore: tabular resources loaded into DuckDB and queried as an API.

Other domains (the CKAN layer in interop) use it through `service` and the names below: the SQL sandbox,
the writes of tables fed through the API, and the exports' formula guard for other domains' CSV files.
"""

from derek.datastore.export import guard
from derek.datastore.sandbox import SqlResult, run_sql
from derek.datastore.writes import (
    NewField,
    WriteError,
    ckan_type,
    column_types,
    create_table,
    delete_records,
    delete_table,
    filter_where,
    holds_json,
    native_type,
    upsert_records,
)

__all__ = [
    "NewField",
    "SqlResult",
    "WriteError",
    "ckan_type",
    "column_types",
    "create_table",
    "delete_records",
    "delete_table",
    "filter_where",
    "guard",
    "holds_json",
    "native_type",
    "run_sql",
    "upsert_records",
]
