"""The hand-written migrations build exactly the tables the models declare (search's own tables aside)."""

from __future__ import annotations

import re
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

import derek.models  # noqa: F401  (every domain's tables)
from derek.core.db import Base, Database
from tests.conftest import fresh_database_url

SEARCH_OWN = re.compile(r"^dataset_fts|^ix_dataset_search_tsv$")


def test_migrations_match_the_models(tmp_path: Path) -> None:
    db = Database(fresh_database_url(tmp_path))
    db.upgrade()
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        differences = [
            d
            for d in compare_metadata(context, Base.metadata)
            # the search index is created by SQL of its own (FTS5 tables on SQLite, a GIN index on PostgreSQL)
            if not (
                d[0] in ("remove_table", "remove_index") and SEARCH_OWN.search(str(getattr(d[1], "name", "")))
            )
        ]
    db.engine.dispose()
    assert differences == [], "run a migration for these model changes: " + repr(differences[:5])
