"""What is loaded in the DataStore for each resource, kept in the catalog database."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from derek.core.db import Base, JsonType, UTCDateTime, utcnow


class DatastoreTable(Base):
    __tablename__ = "datastore_table"

    resource_id: Mapped[str] = mapped_column(ForeignKey("resource.id", ondelete="CASCADE"), primary_key=True)
    table_name: Mapped[str] = mapped_column(String(64))
    sha256: Mapped[str] = mapped_column(String(64), default="")
    row_count: Mapped[int] = mapped_column(BigInteger, default=0)
    # [{"id": column name, "type": "integer"|"number"|"date"|"datetime"|"boolean"|"text"}]
    fields: Mapped[list[dict[str, Any]]] = mapped_column(JsonType, default=list)
    encoding: Mapped[str] = mapped_column(String(20), default="")
    delimiter: Mapped[str] = mapped_column(String(4), default="")
    status: Mapped[str] = mapped_column(String(20), default="loaded")  # loaded | failed
    error: Mapped[str] = mapped_column(Text, default="")
    loaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
