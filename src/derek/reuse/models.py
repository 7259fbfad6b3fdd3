"""Reuse: use cases of the portal's data (apps, services, visualisations, articles, research) with the
datasets they use and the liveness monitor's checks; ideas and dataset requests with comments and supports
(one person, one support); surveys for co-creation sessions with their questions, one-time codes and
responses."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from derek.core.db import Base, JsonType, UTCDateTime, utcnow

USE_CASE_KINDS = ("app", "service", "visualisation", "article", "research", "other")
# the liveness monitor's verdict: not checked yet; answers; answers but a store link is broken or the
# server fails now and then; does not answer (gone, 404/410, unknown host, or failing check after check)
LIVENESS = ("unchecked", "live", "degraded", "dead")
# shown: in the public lists; hidden: by a moderator (with a reason), only its submitter and moderators see it
MODERATION = ("shown", "hidden")
IDEA_KINDS = ("idea", "dataset_request")
IDEA_STATUSES = ("open", "answered", "hidden")
QUESTION_KINDS = ("likert", "single", "multiple", "ranking", "text")
SURVEY_STATUSES = ("draft", "open", "closed")
# who may answer: anyone signed in (once per account), or whoever holds a one-time code (once per code)
SURVEY_ACCESS = ("signed_in", "codes")


class UseCase(Base):
    """A reuse of the portal's data, with who made it and how to reach them."""

    __tablename__ = "use_case"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    title: Mapped[dict[str, str]] = mapped_column(JsonType, default=dict)  # per language
    description: Mapped[dict[str, str]] = mapped_column(JsonType, default=dict)
    kind: Mapped[str] = mapped_column(String(20), default="app")
    url: Mapped[str] = mapped_column(String(2000), default="")
    # [{"store": "google_play" | "app_store" | "other", "url": ...}]
    store_links: Mapped[list[dict[str, str]]] = mapped_column(JsonType, default=list)
    topics: Mapped[list[str]] = mapped_column(JsonType, default=list)  # the profile's theme codes
    author: Mapped[str] = mapped_column(String(300))  # person, company or team that made it
    contact: Mapped[str] = mapped_column(String(300))  # an e-mail address: dead-link notices go there
    submitted_by: Mapped[str | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)
    prototype: Mapped[bool] = mapped_column(Boolean, default=False)  # its publisher says it is a prototype
    moderation: Mapped[str] = mapped_column(String(20), default="shown")
    moderation_note: Mapped[str] = mapped_column(Text, default="")
    liveness: Mapped[str] = mapped_column(String(20), default="unchecked", index=True)
    liveness_note: Mapped[str] = mapped_column(Text, default="")  # why, in words
    dead_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    failures: Mapped[int] = mapped_column(Integer, default=0)  # checks in a row the address failed
    checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class UseCaseDataset(Base):
    __tablename__ = "use_case_dataset"
    __table_args__ = (UniqueConstraint("use_case_id", "dataset_id", name="uq_use_case_dataset"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    use_case_id: Mapped[int] = mapped_column(ForeignKey("use_case.id", ondelete="CASCADE"), index=True)
    dataset_id: Mapped[str] = mapped_column(ForeignKey("dataset.id", ondelete="CASCADE"), index=True)


class Screenshot(Base):
    """A picture of the use case, kept in the file store."""

    __tablename__ = "use_case_screenshot"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    use_case_id: Mapped[int] = mapped_column(ForeignKey("use_case.id", ondelete="CASCADE"), index=True)
    sha256: Mapped[str] = mapped_column(String(64))
    media_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(BigInteger, default=0)
    width: Mapped[int] = mapped_column(Integer, default=0)
    height: Mapped[int] = mapped_column(Integer, default=0)
    caption: Mapped[str] = mapped_column(String(300), default="")
    position: Mapped[int] = mapped_column(Integer, default=0)


class LivenessCheck(Base):
    """One check of one of a use case's addresses (its URL or a store link)."""

    __tablename__ = "use_case_check"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    use_case_id: Mapped[int] = mapped_column(ForeignKey("use_case.id", ondelete="CASCADE"), index=True)
    url: Mapped[str] = mapped_column(String(2000))
    role: Mapped[str] = mapped_column(String(20), default="url")  # url, or the store's name
    ok: Mapped[bool] = mapped_column(Boolean)
    http_status: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str] = mapped_column(Text, default="")
    elapsed_ms: Mapped[int] = mapped_column(Integer, default=0)
    verdict: Mapped[str] = mapped_column(String(20), default="")  # the use case's liveness after the run
    checked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class Idea(Base):
    """An idea for reuse, or a request to publish a dataset, posted by a signed-in person."""

    __tablename__ = "idea"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(20), default="idea")
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text, default="")
    keywords: Mapped[list[str]] = mapped_column(JsonType, default=list)
    organization_id: Mapped[str | None] = mapped_column(  # the organization it asks, if any
        ForeignKey("organization.id", ondelete="SET NULL"), index=True
    )
    author_id: Mapped[str | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)
    status: Mapped[str] = mapped_column(String(20), default="open", index=True)
    answer: Mapped[str] = mapped_column(Text, default="")  # an official's or moderator's answer
    moderation_note: Mapped[str] = mapped_column(Text, default="")
    dataset_id: Mapped[str | None] = mapped_column(ForeignKey("dataset.id", ondelete="SET NULL"))
    address: Mapped[str] = mapped_column(String(64), default="")  # keyed hash of the poster's address
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class IdeaSupport(Base):
    """A person's support of an idea: one per person (the database refuses a second)."""

    __tablename__ = "idea_support"
    __table_args__ = (UniqueConstraint("idea_id", "user_id", name="uq_idea_support_person"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("idea.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    # a keyed hash (HMAC with the portal's secret) of the address it came from: the anomaly report groups
    # by it without the portal keeping anyone's address
    address: Mapped[str] = mapped_column(String(64), default="")
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class IdeaComment(Base):
    __tablename__ = "idea_comment"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("idea.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[str | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text)
    hidden: Mapped[bool] = mapped_column(Boolean, default=False)  # by a moderator
    address: Mapped[str] = mapped_column(String(64), default="")
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Survey(Base):
    """A survey, e.g. for a co-creation session: questions, who may answer, and its state."""

    __tablename__ = "survey"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    title: Mapped[dict[str, str]] = mapped_column(JsonType, default=dict)
    description: Mapped[dict[str, str]] = mapped_column(JsonType, default=dict)
    organization_id: Mapped[str] = mapped_column(
        ForeignKey("organization.id", ondelete="CASCADE"), index=True
    )
    access: Mapped[str] = mapped_column(String(20), default="signed_in")
    status: Mapped[str] = mapped_column(String(20), default="draft")
    results_public: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by: Mapped[str | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SurveyQuestion(Base):
    __tablename__ = "survey_question"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("survey.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    kind: Mapped[str] = mapped_column(String(20))
    text: Mapped[dict[str, str]] = mapped_column(JsonType, default=dict)  # per language
    options: Mapped[list[dict[str, str]]] = mapped_column(JsonType, default=list)  # each per language
    required: Mapped[bool] = mapped_column(Boolean, default=False)


class SurveyCode(Base):
    """A one-time code handed out at a session: only its hash is kept; it answers the survey once."""

    __tablename__ = "survey_code"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("survey.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class SurveyResponse(Base):
    """One participant's answers: one per account, or one per one-time code (the database decides)."""

    __tablename__ = "survey_response"
    __table_args__ = (
        UniqueConstraint("survey_id", "user_id", name="uq_survey_response_person"),
        UniqueConstraint("code_id", name="uq_survey_response_code"),
    )

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("survey.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[str | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    code_id: Mapped[int | None] = mapped_column(ForeignKey("survey_code.id", ondelete="SET NULL"))
    # {question id (as text): 4 | "option index" | [indexes] | [indexes in rank order] | "free text"}
    answers: Mapped[dict[str, Any]] = mapped_column(JsonType, default=dict)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
