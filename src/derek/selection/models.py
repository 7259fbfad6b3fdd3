"""Choosing what to open: organizations' data holdings, proposals of datasets with their supports,
assessments and consultation records, the Commission's sessions (agenda, votes, conflicts of interest,
decisions), the versioned unified list of open data, and which dataset fulfils each item of it."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import BigInteger, Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from derek.core.db import Base, JsonType, UTCDateTime, new_id, utcnow

# a holding's legal access regime: open to all; restricted by law (official use, personal data, ...); secret
ACCESS = ("open", "restricted", "secret")
# proposed: new; on_agenda: before the Commission; recommended / rejected / deferred: its decision;
# listed: an item of an approved unified list
PROPOSAL_STATUSES = ("proposed", "on_agenda", "recommended", "rejected", "deferred", "listed")
# the four criteria of the assessment, each scored 0-3
CRITERIA = ("restriction", "demand", "readiness", "not_machine_readable")
RECOMMENDATIONS = ("include", "defer", "exclude")
VOTES = ("recommend", "reject", "defer")
SESSION_STATUSES = ("planned", "closed")
LIST_STATUSES = ("draft", "approved")


class DataHolding(Base):
    """One entry of an organization's inventory of the data it holds."""

    __tablename__ = "data_holding"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    organization_id: Mapped[str] = mapped_column(
        ForeignKey("organization.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    information_system: Mapped[str] = mapped_column(String(300), default="")  # where the data is kept
    access: Mapped[str] = mapped_column(String(20), default="open")
    access_basis: Mapped[str] = mapped_column(String(500), default="")  # the law restricting access
    formats: Mapped[str] = mapped_column(String(200), default="")  # e.g. "XLSX, database"
    automated: Mapped[bool] = mapped_column(Boolean, default=False)  # exported by the system itself
    machine_readable: Mapped[bool] = mapped_column(Boolean, default=False)
    dataset_id: Mapped[str | None] = mapped_column(ForeignKey("dataset.id", ondelete="SET NULL"))
    created_by: Mapped[str | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class Proposal(Base):
    """A candidate dataset: proposed by anyone (or from a holding), assessed, put before the Commission."""

    __tablename__ = "proposal"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    number: Mapped[int] = mapped_column(Integer, unique=True)  # shown as "P-12"
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    reason: Mapped[str] = mapped_column(Text, default="")  # why it should be opened
    organization_id: Mapped[str] = mapped_column(
        ForeignKey("organization.id", ondelete="CASCADE"), index=True
    )
    holding_id: Mapped[str | None] = mapped_column(ForeignKey("data_holding.id", ondelete="SET NULL"))
    proposer_id: Mapped[str | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    keywords: Mapped[list[str]] = mapped_column(JsonType, default=list)  # what demand evidence looks for
    status: Mapped[str] = mapped_column(String(20), default="proposed", index=True)
    # the assessment in force (its history is proposal_assessment)
    criteria: Mapped[dict[str, int]] = mapped_column(JsonType, default=dict)
    score: Mapped[int | None] = mapped_column(Integer)  # 0-100
    recommendation: Mapped[str] = mapped_column(String(20), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class Assessment(Base):
    """One version of a proposal's assessment, with the official's reason for it."""

    __tablename__ = "proposal_assessment"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    proposal_id: Mapped[str] = mapped_column(ForeignKey("proposal.id", ondelete="CASCADE"), index=True)
    criteria: Mapped[dict[str, int]] = mapped_column(JsonType, default=dict)
    score: Mapped[int] = mapped_column(Integer)
    recommendation: Mapped[str] = mapped_column(String(20))
    suggested: Mapped[str] = mapped_column(String(20))  # what the score alone recommends
    reason: Mapped[str] = mapped_column(Text)
    actor_id: Mapped[str | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    actor_name: Mapped[str] = mapped_column(String(200), default="")
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Support(Base):
    """A signed-in user's support of a proposal: one per person (the database refuses a second)."""

    __tablename__ = "proposal_support"
    __table_args__ = (UniqueConstraint("proposal_id", "user_id", name="uq_proposal_support_person"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    proposal_id: Mapped[str] = mapped_column(ForeignKey("proposal.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Consultation(Base):
    """A submission received outside the portal (e.g. a business association's letter), entered by an
    official with its document."""

    __tablename__ = "consultation_record"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    proposal_id: Mapped[str] = mapped_column(ForeignKey("proposal.id", ondelete="CASCADE"), index=True)
    submitted_by: Mapped[str] = mapped_column(String(300))  # who made the submission
    summary: Mapped[str] = mapped_column(Text)
    received_on: Mapped[date] = mapped_column(Date)
    filename: Mapped[str] = mapped_column(String(255), default="")
    media_type: Mapped[str] = mapped_column(String(100), default="")
    size: Mapped[int] = mapped_column(BigInteger, default=0)
    sha256: Mapped[str] = mapped_column(String(64), default="")
    # the personal-data guard's verdict on the document: clean, warnings, personal (served only to the
    # officials who may assess the proposal), not_checked (a format it cannot read, e.g. PDF)
    check: Mapped[str] = mapped_column(String(20), default="")
    entered_by: Mapped[str | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CommissionSession(Base):
    __tablename__ = "commission_session"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    number: Mapped[int] = mapped_column(Integer, unique=True)
    title: Mapped[str] = mapped_column(String(300))
    held_on: Mapped[date] = mapped_column(Date)
    place: Mapped[str] = mapped_column(String(300), default="")
    status: Mapped[str] = mapped_column(String(20), default="planned")
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # the Commission's voting members when the session closed ([{"id", "display"}]): the minutes of a
    # closed session name them, whoever joins or leaves the Commission later
    members: Mapped[list[dict[str, str]]] = mapped_column(JsonType, default=list)
    created_by: Mapped[str | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class AgendaItem(Base):
    """A proposal on a session's agenda and the Commission's decision on it."""

    __tablename__ = "commission_agenda_item"
    __table_args__ = (UniqueConstraint("session_id", "proposal_id", name="uq_agenda_item_proposal"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    session_id: Mapped[str] = mapped_column(
        ForeignKey("commission_session.id", ondelete="CASCADE"), index=True
    )
    proposal_id: Mapped[str] = mapped_column(ForeignKey("proposal.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    decision: Mapped[str] = mapped_column(String(20), default="")  # a VOTES value once decided
    rationale: Mapped[str] = mapped_column(Text, default="")
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by: Mapped[str | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    # what the Commission decided on, as it was then: eligible members, quorum, demand index, score and
    # recommendation ({} until decided); the minutes show these, not today's figures
    facts: Mapped[dict[str, Any]] = mapped_column(JsonType, default=dict)


class Vote(Base):
    __tablename__ = "commission_vote"
    __table_args__ = (UniqueConstraint("item_id", "member_id", name="uq_commission_vote_member"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    item_id: Mapped[str] = mapped_column(
        ForeignKey("commission_agenda_item.id", ondelete="CASCADE"), index=True
    )
    member_id: Mapped[str] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    vote: Mapped[str] = mapped_column(String(20))
    comment: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ConflictOfInterest(Base):
    """A member's declared conflict of interest on an agenda item: the member does not vote on it."""

    __tablename__ = "commission_conflict"
    __table_args__ = (UniqueConstraint("item_id", "member_id", name="uq_commission_conflict_member"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    item_id: Mapped[str] = mapped_column(
        ForeignKey("commission_agenda_item.id", ondelete="CASCADE"), index=True
    )
    member_id: Mapped[str] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    statement: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ListVersion(Base):
    """A version of the unified list of open data: a draft until approved by an act (number and date)."""

    __tablename__ = "open_list_version"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    number: Mapped[int] = mapped_column(Integer, unique=True)
    status: Mapped[str] = mapped_column(String(20), default="draft")
    act_title: Mapped[str] = mapped_column(String(300), default="")  # e.g. "Government decree"
    act_number: Mapped[str] = mapped_column(String(100), default="")
    act_date: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="")
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    approved_by: Mapped[str | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_by: Mapped[str | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ListItem(Base):
    """An item of a list version. `code` stays the same across versions, so versions can be compared."""

    __tablename__ = "open_list_item"
    __table_args__ = (UniqueConstraint("version_id", "code", name="uq_open_list_item_code"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    version_id: Mapped[str] = mapped_column(
        ForeignKey("open_list_version.id", ondelete="CASCADE"), index=True
    )
    code: Mapped[str] = mapped_column(String(40))  # e.g. "OD-0007"
    title: Mapped[str] = mapped_column(String(300))
    proposal_id: Mapped[str | None] = mapped_column(ForeignKey("proposal.id", ondelete="SET NULL"))
    organization_id: Mapped[str] = mapped_column(ForeignKey("organization.id", ondelete="CASCADE"))
    due_on: Mapped[date] = mapped_column(Date)
    update_frequency: Mapped[str] = mapped_column(String(20), default="ANNUAL")
    position: Mapped[int] = mapped_column(Integer, default=0)


class Fulfilment(Base):
    """The dataset that fulfils a list item (by its code, so every later version keeps it)."""

    __tablename__ = "open_list_fulfilment"

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    dataset_id: Mapped[str | None] = mapped_column(ForeignKey("dataset.id", ondelete="SET NULL"))
    linked_by: Mapped[str | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    linked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


def as_dict(row: Base, *names: str) -> dict[str, Any]:
    """Some columns of a row as JSON-ready values, for the audit log."""
    out: dict[str, Any] = {}
    for name in names:
        value = getattr(row, name)
        out[name] = value.isoformat() if isinstance(value, date | datetime) else value
    return out
