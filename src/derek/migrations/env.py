"""Alembic environment: runs on the engine handed over by derek.core.db.Database.upgrade()."""

from alembic import context

import derek.models  # noqa: F401  (every table, for autogenerate)
from derek.core.db import Base

config = context.config
engine = config.attributes["engine"]

with engine.begin() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
