"""Quality records per resource: the personal-data scan of its current file (and any reviewer's decision),
and the state and history of its link checks."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from derek.core.db import Base, JsonType, UTCDateTime, new_id, utcnow

# pending: the file is waiting for its scan; clean: nothing found; warnings: only possibly personal values
# (a warning, publication allowed); personal: personal data found (publication blocked unless cleared);
# cleared: personal data found and a reviewer recorded a lawful basis; failed: the scan could not run
SCAN_STATES = ("pending", "clean", "warnings", "personal", "cleared", "failed")


class PersonalDataScan(Base):
    __tablename__ = "personal_data_scan"

    resource_id: Mapped[str] = mapped_column(ForeignKey("resource.id", ondelete="CASCADE"), primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), default="")  # the file this scan is about
    status: Mapped[str] = mapped_column(String(20), default="pending")
    # [{"column", "detector", "severity", "rows", "samples": [masked]}], most rows first
    findings: Mapped[list[dict[str, Any]]] = mapped_column(JsonType, default=list)
    rows_scanned: Mapped[int] = mapped_column(BigInteger, default=0)
    error: Mapped[str] = mapped_column(Text, default="")
    scanned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # a reviewer's lawful basis for publishing this file despite its findings (also in the audit log)
    lawful_basis: Mapped[str] = mapped_column(Text, default="")
    reviewed_by: Mapped[str | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class LinkStatus(Base):
    """The latest check of a resource's web address: ok, or broken since when."""

    __tablename__ = "link_status"

    resource_id: Mapped[str] = mapped_column(ForeignKey("resource.id", ondelete="CASCADE"), primary_key=True)
    url: Mapped[str] = mapped_column(String(2000), default="")
    ok: Mapped[bool] = mapped_column(Boolean, default=True)
    http_status: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str] = mapped_column(Text, default="")  # what went wrong, in words
    final_url: Mapped[str] = mapped_column(String(2000), default="")  # after redirects
    checked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    broken_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    failures: Mapped[int] = mapped_column(Integer, default=0)  # checks in a row that failed


class LinkCheck(Base):
    """One check of one address (the history a publisher sees)."""

    __tablename__ = "link_check"
    __table_args__ = (Index("ix_link_check_resource_checked", "resource_id", "checked_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    resource_id: Mapped[str] = mapped_column(ForeignKey("resource.id", ondelete="CASCADE"))
    url: Mapped[str] = mapped_column(String(2000), default="")
    ok: Mapped[bool] = mapped_column(Boolean, default=True)
    http_status: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str] = mapped_column(Text, default="")
    elapsed_ms: Mapped[int] = mapped_column(Integer, default=0)
    checked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class DatasetQuality(Base):
    """A dataset's stored quality: its metadata score, openness stars, broken links and update schedule,
    recomputed by a job after every change of the dataset (and nightly), read by dashboards, search facets
    and the APIs. `generation` counts the changes; the row is current when `computed_generation` equals it."""

    __tablename__ = "dataset_quality"
    __table_args__ = (Index("ix_dataset_quality_stale", "computed_generation", "generation"),)

    dataset_id: Mapped[str] = mapped_column(ForeignKey("dataset.id", ondelete="CASCADE"), primary_key=True)
    generation: Mapped[int] = mapped_column(Integer, default=1)
    computed_generation: Mapped[int] = mapped_column(Integer, default=0)
    computed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    points: Mapped[int] = mapped_column(Integer, default=0)  # of mqa.MAX_POINTS
    # excellent, good, sufficient or bad
    rating: Mapped[str] = mapped_column(String(20), default="", index=True)
    # {"findability": {"points", "max_points"}, ...} and the indicators missed: [{"key", "points"}]
    dimensions: Mapped[dict[str, Any]] = mapped_column(JsonType, default=dict)
    missed: Mapped[list[dict[str, Any]]] = mapped_column(JsonType, default=list)
    stars: Mapped[int] = mapped_column(Integer, default=0, index=True)
    resources: Mapped[int] = mapped_column(Integer, default=0)
    broken_links: Mapped[int] = mapped_column(Integer, default=0)
    dcat_violations: Mapped[int] = mapped_column(Integer, default=0)
    last_change: Mapped[datetime | None] = mapped_column(UTCDateTime)  # of its data (files and links)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)  # next update, by its frequency
    due_soon_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
