"""Catalog tables, aligned with DCAT-AP: organizations (publishers), datasets and their distributions."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal, get_args

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from derek.core.db import Base, JsonType, UTCDateTime, new_id, utcnow

OrgType = Literal["ministry", "akimat", "agency", "state_company", "other"]
# EU Publications Office frequency vocabulary (http://publications.europa.eu/resource/authority/frequency)
Frequency = Literal[
    "CONT",
    "UPDATE_CONT",
    "DAILY",
    "WEEKLY",
    "BIWEEKLY",
    "MONTHLY",
    "BIMONTHLY",
    "QUARTERLY",
    "ANNUAL_2",
    "ANNUAL",
    "BIENNIAL",
    "TRIENNIAL",
    "IRREG",
    "NEVER",
    "OTHER",
    "UNKNOWN",
]
ORG_TYPES: tuple[str, ...] = get_args(OrgType)
FREQUENCIES: tuple[str, ...] = get_args(Frequency)
DATASET_STATES = ("draft", "published", "deleted")


class Organization(Base):
    __tablename__ = "organization"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    title: Mapped[dict[str, str]] = mapped_column(JsonType, default=dict)
    description: Mapped[dict[str, str]] = mapped_column(JsonType, default=dict)
    org_type: Mapped[str] = mapped_column(String(20), default="agency")
    parent_id: Mapped[str | None] = mapped_column(ForeignKey("organization.id", ondelete="SET NULL"))
    contact_email: Mapped[str] = mapped_column(String(255), default="")
    contact_phone: Mapped[str] = mapped_column(String(50), default="")
    website: Mapped[str] = mapped_column(String(500), default="")
    logo_url: Mapped[str] = mapped_column(String(500), default="")
    state: Mapped[str] = mapped_column(String(20), default="active")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class Dataset(Base):
    __tablename__ = "dataset"
    __table_args__ = (Index("ix_dataset_state_private", "state", "private"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    title: Mapped[dict[str, str]] = mapped_column(JsonType, default=dict)
    description: Mapped[dict[str, str]] = mapped_column(JsonType, default=dict)
    organization_id: Mapped[str] = mapped_column(ForeignKey("organization.id"), index=True)
    license_id: Mapped[str] = mapped_column(String(100), default="")
    contact_name: Mapped[str] = mapped_column(String(200), default="")
    contact_email: Mapped[str] = mapped_column(String(255), default="")
    update_frequency: Mapped[str] = mapped_column(String(20), default="UNKNOWN")
    temporal_start: Mapped[date | None] = mapped_column(Date)
    temporal_end: Mapped[date | None] = mapped_column(Date)
    languages: Mapped[list[str]] = mapped_column(JsonType, default=list)
    version: Mapped[str] = mapped_column(String(50), default="")
    issued: Mapped[datetime | None] = mapped_column(UTCDateTime)
    modified: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    state: Mapped[str] = mapped_column(String(20), default="draft")
    private: Mapped[bool] = mapped_column(Boolean, default=False)
    extras: Mapped[dict[str, Any]] = mapped_column(JsonType, default=dict)
    view_count: Mapped[int] = mapped_column(Integer, default=0)
    created_by: Mapped[str | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    organization: Mapped[Organization] = relationship(lazy="joined")
    themes: Mapped[list[DatasetTheme]] = relationship(cascade="all, delete-orphan", lazy="selectin")
    keywords: Mapped[list[DatasetKeyword]] = relationship(cascade="all, delete-orphan", lazy="selectin")
    regions: Mapped[list[DatasetRegion]] = relationship(cascade="all, delete-orphan", lazy="selectin")
    resources: Mapped[list[Resource]] = relationship(
        lazy="selectin",
        order_by="Resource.position",
        primaryjoin="and_(Dataset.id == Resource.dataset_id, Resource.state == 'active')",
        viewonly=True,
    )


class DatasetTheme(Base):
    __tablename__ = "dataset_theme"

    dataset_id: Mapped[str] = mapped_column(ForeignKey("dataset.id", ondelete="CASCADE"), primary_key=True)
    theme: Mapped[str] = mapped_column(String(20), primary_key=True, index=True)


class DatasetKeyword(Base):
    __tablename__ = "dataset_keyword"

    dataset_id: Mapped[str] = mapped_column(ForeignKey("dataset.id", ondelete="CASCADE"), primary_key=True)
    keyword: Mapped[str] = mapped_column(String(100), primary_key=True, index=True)


class DatasetRegion(Base):
    __tablename__ = "dataset_region"

    dataset_id: Mapped[str] = mapped_column(ForeignKey("dataset.id", ondelete="CASCADE"), primary_key=True)
    region: Mapped[str] = mapped_column(String(20), primary_key=True, index=True)


class Resource(Base):
    """A distribution: a file or URL of a dataset. Its current content is its latest version."""

    __tablename__ = "resource"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    dataset_id: Mapped[str] = mapped_column(ForeignKey("dataset.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    name: Mapped[str] = mapped_column(String(300), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    url: Mapped[str] = mapped_column(String(2000), default="")
    url_type: Mapped[str] = mapped_column(String(20), default="")  # "upload" for stored files
    format: Mapped[str] = mapped_column(String(50), default="", index=True)
    media_type: Mapped[str] = mapped_column(String(120), default="")
    size: Mapped[int | None] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64), default="")
    filename: Mapped[str] = mapped_column(String(300), default="")
    state: Mapped[str] = mapped_column(String(20), default="active")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    modified: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ResourceVersion(Base):
    __tablename__ = "resource_version"
    __table_args__ = (UniqueConstraint("resource_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    resource_id: Mapped[str] = mapped_column(ForeignKey("resource.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    url: Mapped[str] = mapped_column(String(2000), default="")
    sha256: Mapped[str] = mapped_column(String(64), default="")
    size: Mapped[int | None] = mapped_column(BigInteger)
    media_type: Mapped[str] = mapped_column(String(120), default="")
    filename: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by: Mapped[str | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))


class SearchDocument(Base):
    """Stemmed words of a dataset in every language, kept by catalog.search for full-text matching."""

    __tablename__ = "dataset_search"

    dataset_id: Mapped[str] = mapped_column(ForeignKey("dataset.id", ondelete="CASCADE"), primary_key=True)
    words: Mapped[str] = mapped_column(Text, default="")


class SearchLogEntry(Base):
    """What visitors searched for, anonymised: the words and the day only (no user, no address, no time of
    day), one row per day and words with how often and how many datasets the last search found. Words that
    look like an identity number or an e-mail address are never stored. Dataset selection reads it as
    evidence of demand that the catalog does not meet."""

    __tablename__ = "search_log"
    __table_args__ = (UniqueConstraint("day", "query", name="uq_search_log_day_query"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    day: Mapped[date] = mapped_column(Date, index=True)
    query: Mapped[str] = mapped_column(String(200))
    searches: Mapped[int] = mapped_column(Integer, default=1)
    hits: Mapped[int] = mapped_column(Integer, default=0)
