"""One DuckDB database file per portal, locked down: no file or network access from SQL once data is in."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb


class DuckStore:
    """The DuckDB file holding every DataStore table; one writer at a time, readers use cursors."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._lock = threading.Lock()
        self._conn = duckdb.connect(str(path))

    @contextmanager
    def cursor(self) -> Iterator[duckdb.DuckDBPyConnection]:
        cur = self._conn.cursor()
        try:
            yield cur
        finally:
            cur.close()

    @contextmanager
    def writer(self) -> Iterator[duckdb.DuckDBPyConnection]:
        with self._lock, self.cursor() as cur:
            yield cur

    def close(self) -> None:
        self._conn.close()
