"""What is loaded in the DataStore for each resource, kept in the catalog database."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from derek.core.db import Base, JsonType, UTCDateTime, new_id, utcnow


class DatastoreTable(Base):
    """The table that answers for a resource now. A failed load leaves this row (and its table) as it was."""

    __tablename__ = "datastore_table"

    resource_id: Mapped[str] = mapped_column(ForeignKey("resource.id", ondelete="CASCADE"), primary_key=True)
    table_name: Mapped[str] = mapped_column(String(64))
    sha256: Mapped[str] = mapped_column(String(64), default="")
    row_count: Mapped[int] = mapped_column(BigInteger, default=0)
    # [{"id": column name, "type": "integer"|"number"|"date"|"datetime"|"boolean"|"text", "info": {...}}]
    fields: Mapped[list[dict[str, Any]]] = mapped_column(JsonType, default=list)
    encoding: Mapped[str] = mapped_column(String(20), default="")
    delimiter: Mapped[str] = mapped_column(String(4), default="")
    status: Mapped[str] = mapped_column(String(20), default="loaded")  # loaded | failed
    error: Mapped[str] = mapped_column(Text, default="")
    loaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # "file": loaded from the resource's file; "api": fed through datastore_create/upsert
    source: Mapped[str] = mapped_column(String(10), default="file")
    primary_key: Mapped[list[str]] = mapped_column(JsonType, default=list)
    # the publisher's data dictionary: {column: {"type": ..., "label": {lang: text}, "description": {...}}}
    dictionary: Mapped[dict[str, Any]] = mapped_column(JsonType, default=dict)
    # how the file was read: {"format", "sheet", "header_row", "decimal", "date_formats": {...}}
    reading: Mapped[dict[str, Any]] = mapped_column(JsonType, default=dict)
    # the validation report of the loaded file (Frictionless-style: valid, stats, errors[...])
    report: Mapped[dict[str, Any]] = mapped_column(JsonType, default=dict)


class DatastoreView(Base):
    """A chart a publisher configured on a resource's table and saved: bar, line or a map of regions."""

    __tablename__ = "datastore_view"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    resource_id: Mapped[str] = mapped_column(ForeignKey("resource.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200), default="")
    kind: Mapped[str] = mapped_column(String(20))  # bar | line | map
    # {"x": column, "y": column or "", "aggregate": "count"|"sum"|"avg"|"min"|"max", "filters": {...}}
    config: Mapped[dict[str, Any]] = mapped_column(JsonType, default=dict)
    position: Mapped[int] = mapped_column(Integer, default=0)
    created_by: Mapped[str | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
