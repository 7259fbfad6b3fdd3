"""Information requests (and Open Dialogue questions) to organizations, every step of their handling, the
files answered with, and appeals to the profile's reviewer with the orders they make."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import BigInteger, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from derek.core.db import Base, JsonType, UTCDateTime, new_id, utcnow

KINDS = ("request", "question")  # an information request; a public question to the head (Open Dialogue)
# open: waiting for the answer; clarification: waiting for the requester (the clock may pause);
# answered, partial (partly refused), refused: decided; withdrawn: by the requester
STATUSES = ("open", "clarification", "answered", "partial", "refused", "withdrawn")
OPEN_STATUSES = ("open", "clarification")
DECIDED = ("answered", "partial", "refused")
APPEAL_REASONS = ("refused", "partial", "overdue")
DECISIONS = ("upheld", "overturned", "partly")  # the refusal stands; it is overturned; overturned in part


class InfoRequest(Base):
    __tablename__ = "info_request"
    __table_args__ = (
        Index("ix_info_request_org_status", "organization_id", "status"),
        Index("ix_info_request_due", "status", "due_on"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    reference: Mapped[str] = mapped_column(
        String(30), unique=True
    )  # e.g. "2026-00042", told to the requester
    kind: Mapped[str] = mapped_column(String(20), default="request")
    organization_id: Mapped[str] = mapped_column(
        ForeignKey("organization.id", ondelete="CASCADE"), index=True
    )
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(10), default="")
    # who asked: never shown in the public register (only to the organization's officials and reviewers)
    requester_id: Mapped[str | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)
    requester_name: Mapped[str] = mapped_column(String(200), default="")
    requester_email: Mapped[str] = mapped_column(String(320), default="")
    requester_identifier: Mapped[str] = mapped_column(String(40), default="")  # e.g. an IIN when the law asks
    access_key_hash: Mapped[str] = mapped_column(String(64), default="")  # the requester's private link
    status: Mapped[str] = mapped_column(String(20), default="open")
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    received_on: Mapped[date] = mapped_column(Date)  # the day of receipt, in the portal's time zone
    first_due_on: Mapped[date] = mapped_column(Date)  # the statutory deadline before any extension or pause
    due_on: Mapped[date] = mapped_column(Date)
    extensions: Mapped[int] = mapped_column(Integer, default=0)
    paused_on: Mapped[date | None] = mapped_column(Date)  # asked to clarify on this day, clock stopped
    assignee_id: Mapped[str | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    answer: Mapped[str] = mapped_column(Text, default="")
    grounds: Mapped[list[str]] = mapped_column(JsonType, default=list)  # codes of the profile's grounds
    topics: Mapped[list[str]] = mapped_column(JsonType, default=list)  # set by officials; demand evidence
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_on: Mapped[date | None] = mapped_column(Date)  # the first decision: what the statistics count
    closed_due_on: Mapped[date | None] = mapped_column(Date)  # the deadline in force at that decision
    dataset_id: Mapped[str | None] = mapped_column(ForeignKey("dataset.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class RequestEvent(Base):
    """One timestamped step of a request's handling: the trail the public register shows."""

    __tablename__ = "info_request_event"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    request_id: Mapped[str] = mapped_column(ForeignKey("info_request.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    kind: Mapped[str] = mapped_column(String(30))  # submitted, assigned, clarification_asked, ...
    role: Mapped[str] = mapped_column(String(20))  # requester, official, reviewer, system
    actor_id: Mapped[str | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(Text, default="")
    data: Mapped[dict[str, Any]] = mapped_column(JsonType, default=dict)  # e.g. {"due_on": "2026-03-26"}


class RequestAttachment(Base):
    """A file an official answered with. Checked for personal data before the public may download it."""

    __tablename__ = "info_request_attachment"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    request_id: Mapped[str] = mapped_column(ForeignKey("info_request.id", ondelete="CASCADE"), index=True)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("info_request_event.id", ondelete="SET NULL"))
    filename: Mapped[str] = mapped_column(String(255))
    media_type: Mapped[str] = mapped_column(String(100), default="application/octet-stream")
    size: Mapped[int] = mapped_column(BigInteger, default=0)
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # clean, warnings, personal (withheld from the public), not_checked (a format the guard cannot read)
    check: Mapped[str] = mapped_column(String(20), default="not_checked")
    findings: Mapped[list[dict[str, Any]]] = mapped_column(JsonType, default=list)


class Appeal(Base):
    """A requester's appeal against a refusal, a partial answer or a missed deadline, and its decision."""

    __tablename__ = "info_appeal"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    request_id: Mapped[str] = mapped_column(ForeignKey("info_request.id", ondelete="CASCADE"), index=True)
    reason: Mapped[str] = mapped_column(String(20))  # refused, partial, overdue
    text: Mapped[str] = mapped_column(Text, default="")
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    registered_on: Mapped[date] = mapped_column(Date)
    due_on: Mapped[date] = mapped_column(Date)  # the reviewer's deadline
    decision: Mapped[str] = mapped_column(String(20), default="")  # "" while pending
    decision_text: Mapped[str] = mapped_column(Text, default="")
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_on: Mapped[date | None] = mapped_column(Date)
    reviewer_id: Mapped[str | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    # an order to disclose (overturned, partly): due by this day; complied when the organization answers
    order_due_on: Mapped[date | None] = mapped_column(Date)
    order_complied_on: Mapped[date | None] = mapped_column(Date)
