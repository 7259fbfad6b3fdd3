"""The DataStore: tabular resources loaded into DuckDB and queried as an API."""
