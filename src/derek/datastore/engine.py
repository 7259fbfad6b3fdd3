"""One DuckDB database file per portal, locked down: no file or network access from SQL once data is in."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import duckdb

# DuckDB's own limit; the process (Python, buffers DuckDB does not count) stays within about 1 GB with it,
# also while loading a 4 GB CSV (measured: 839 MB peak at 45 M rows)
DEFAULT_MEMORY_LIMIT = "750MB"
DEFAULT_MAX_TEMP_SIZE = "10GB"


class DuckStore:
    """The DuckDB file holding every DataStore table; one writer at a time, readers use cursors.

    The instance is locked at open: SQL may read and write files only under `allowed_dirs` (where the loader
    finds uploads and writes transcoded copies) and its own temp directory, no network, no extension is
    installed or loaded, and `lock_configuration` keeps any later SET from undoing this. The SQL sandbox
    (`sandbox.py`) is the first wall; this is the second.
    """

    def __init__(
        self,
        path: Path,
        *,
        allowed_dirs: Sequence[Path] | None = None,
        memory_limit: str = DEFAULT_MEMORY_LIMIT,
        temp_dir: Path | None = None,
        max_temp_size: str = DEFAULT_MAX_TEMP_SIZE,
    ) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        # Without explicit directories: the portal's layout, DATA_DIR/files and DATA_DIR/tmp next to the file.
        dirs = (
            list(allowed_dirs) if allowed_dirs is not None else [path.parent / "files", path.parent / "tmp"]
        )
        self.allowed_dirs = [d.resolve() for d in dirs]
        self.temp_dir = (temp_dir or path.parent / f"{path.name}.tmp").resolve()
        self._limits = (memory_limit, max_temp_size)
        self._lock = threading.Lock()
        self._open_lock = threading.Lock()
        self._conn: duckdb.DuckDBPyConnection | None = None
        self._writer: duckdb.DuckDBPyConnection | None = None
        self._open()

    def _open(self) -> duckdb.DuckDBPyConnection:
        """The connection, opened and locked down the first time, and again after close() (an app's lifespan
        may run more than once in a process, as under test clients)."""
        with self._open_lock:
            if self._conn is None:
                conn = duckdb.connect(
                    str(self.path),
                    config={"autoinstall_known_extensions": False, "autoload_known_extensions": False},
                )
                try:
                    self._writer = self._progress_cursor(conn)
                    self._lock_down(conn, *self._limits)
                except BaseException:
                    conn.close()
                    raise
                self._conn = conn
            return self._conn

    @staticmethod
    def _progress_cursor(conn: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection | None:
        """The writers' cursor, with DuckDB's progress reporting on (a per-connection setting, so it is set
        before the configuration is locked); loads poll it with query_progress()."""
        locked = conn.execute("SELECT current_setting('lock_configuration')").fetchone()
        if locked and locked[0]:
            return None
        cur = conn.cursor()
        for name, value in (("enable_progress_bar", True), ("enable_progress_bar_print", False)):
            cur.execute(f"SET {name} = ?", [value])
        cur.execute("SET progress_bar_time = 0")
        return cur

    def _lock_down(self, conn: duckdb.DuckDBPyConnection, memory_limit: str, max_temp_size: str) -> None:
        # Order matters: directories and the temp directory can no longer be set once external access is off,
        # and nothing can be set once the configuration is locked. allowed_directories only takes a SET after
        # the database started (not the connect config).
        settings: list[tuple[str, object]] = [
            ("allowed_directories", [str(d) + "/" for d in self.allowed_dirs]),
            ("temp_directory", str(self.temp_dir)),
            ("memory_limit", memory_limit),
            ("max_temp_directory_size", max_temp_size),  # what a query may spill to disk, not all of it
            ("allow_community_extensions", False),
            ("allow_persistent_secrets", False),
            ("python_enable_replacements", False),  # no scanning of Python variables named like a table
            ("enable_external_access", False),
            ("lock_configuration", True),
        ]
        locked = conn.execute("SELECT current_setting('lock_configuration')").fetchone()
        if locked and locked[0]:
            return  # the same database instance, still open in this process and locked down already
        for name, value in settings:
            conn.execute(f"SET {name} = ?", [value])

    @contextmanager
    def cursor(self) -> Iterator[duckdb.DuckDBPyConnection]:
        cur = self._open().cursor()
        try:
            yield cur
        finally:
            cur.close()

    @contextmanager
    def writer(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """The one writers' cursor, for one writer at a time (it reports progress to query_progress())."""
        with self._lock:
            self._open()
            if self._writer is None:
                with self.cursor() as cur:
                    yield cur
            else:
                yield self._writer

    def close(self) -> None:
        with self._open_lock:
            if self._writer is not None:
                self._writer.close()
                self._writer = None
            if self._conn is not None:
                self._conn.close()
                self._conn = None
