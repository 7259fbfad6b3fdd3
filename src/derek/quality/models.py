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
