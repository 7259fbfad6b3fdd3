"""Database engine, sessions, the declarative base and migrations."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import JSON, DateTime, Engine, MetaData, create_engine, event
from sqlalchemy import text as text_sql
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


JsonType = JSON().with_variant(JSONB(), "postgresql")


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC in and out, on SQLite (which drops tzinfo) as on PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


def new_id() -> str:
    return str(uuid.uuid4())


MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def _unicode_lower(value: Any) -> Any:
    return value.lower() if isinstance(value, str) else value


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()
            # SQLite's own lower() folds ASCII only, so ilike ("lower(x) LIKE lower(y)") missed Cyrillic
            # words of another case; Python's folds every script, as PostgreSQL's lower() does
            dbapi_conn.create_function("lower", 1, _unicode_lower, deterministic=True)

        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return create_engine(url, pool_pre_ping=True, connect_args={"prepare_threshold": None})


class Database:
    """One engine and its session factory."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def session(self) -> Iterator[Session]:
        with self.sessions() as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    def upgrade(self) -> None:
        """Apply every Alembic migration (idempotent). A database already at the newest revision is seen
        without loading Alembic (which costs most of a second that every command would pay)."""
        if self._at_head():
            return
        from alembic import command
        from alembic.config import Config

        cfg = Config()
        cfg.set_main_option("script_location", str(MIGRATIONS))
        cfg.attributes["engine"] = self.engine
        command.upgrade(cfg, "head")

    def _at_head(self) -> bool:
        revisions: dict[str, str | None] = {}
        for path in (MIGRATIONS / "versions").glob("*.py"):
            text = path.read_text(encoding="utf-8")
            found = re.search(r'^revision = "([^"]+)"', text, re.M)
            down = re.search(r'^down_revision = (?:"([^"]+)"|None)', text, re.M)
            if not found or not down:
                return False  # a file this check does not understand: let Alembic decide
            revisions[found.group(1)] = down.group(1)
        heads = set(revisions) - {d for d in revisions.values() if d}
        try:
            with self.engine.connect() as conn:
                current = {
                    row[0] for row in conn.execute(text_sql("SELECT version_num FROM alembic_version"))
                }
        except Exception:  # no version table yet: a new database
            return False
        return len(heads) == 1 and current == heads
