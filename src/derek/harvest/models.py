"""Harvest sources, what each run mirrored (one record per remote dataset) and the runs themselves."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from derek.core.db import Base, JsonType, UTCDateTime, new_id, utcnow

KINDS = ("ckan", "dcat", "egov")
SCHEDULES = ("manual", "daily", "weekly")


class HarvestSource(Base):
    __tablename__ = "harvest_source"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(40), unique=True)
    title: Mapped[str] = mapped_column(String(200), default="")
    kind: Mapped[str] = mapped_column(String(10), default="ckan")
    url: Mapped[str] = mapped_column(String(500))
    # the local organization that owns the mirrored datasets
    organization_id: Mapped[str] = mapped_column(ForeignKey("organization.id"), index=True)
    schedule: Mapped[str] = mapped_column(String(10), default="manual")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # per kind: {"datasets": ["index/v1", ...]} for data.egov.kz, which lists no datasets itself
    config: Mapped[dict[str, Any]] = mapped_column(JsonType, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_run_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class HarvestRecord(Base):
    """One remote dataset as this source last saw it, and the local dataset that mirrors it."""

    __tablename__ = "harvest_record"
    __table_args__ = (UniqueConstraint("source_id", "remote_id"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    source_id: Mapped[str] = mapped_column(ForeignKey("harvest_source.id", ondelete="CASCADE"), index=True)
    remote_id: Mapped[str] = mapped_column(String(200))
    remote_name: Mapped[str] = mapped_column(String(200), default="")
    remote_url: Mapped[str] = mapped_column(String(2000), default="")
    dataset_id: Mapped[str | None] = mapped_column(ForeignKey("dataset.id", ondelete="SET NULL"), index=True)
    content_hash: Mapped[str] = mapped_column(String(64), default="")
    harvested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class HarvestRun(Base):
    __tablename__ = "harvest_run"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    source_id: Mapped[str] = mapped_column(ForeignKey("harvest_source.id", ondelete="CASCADE"), index=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(20), default="running")  # running, succeeded, failed
    created: Mapped[int] = mapped_column(Integer, default=0)
    updated: Mapped[int] = mapped_column(Integer, default=0)
    withdrawn: Mapped[int] = mapped_column(Integer, default=0)
    unchanged: Mapped[int] = mapped_column(Integer, default=0)
    errors: Mapped[list[Any]] = mapped_column(JsonType, default=list)
    job_id: Mapped[str | None] = mapped_column(String(36))
