"""Pydantic shapes of the catalog going in and out of services and APIs."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, WithJsonSchema, field_validator

from derek.catalog.models import Frequency, OrgType

SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9_\-]{1,99}$")


def _check_multilingual(value: dict[str, str]) -> dict[str, str]:
    for key in value:
        if not re.fullmatch(r"[a-z]{2}", key):
            raise ValueError(f"{key!r} is not a two-letter language code")
    return {k: v.strip() for k, v in value.items() if v is not None}


def _check_slug(value: str) -> str:
    value = value.strip().lower()
    if not SLUG_RE.match(value):
        raise ValueError(
            "use 2-100 lowercase latin letters, digits, '-' or '_', starting with a letter or digit"
        )
    return value


EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
WEB_RE = re.compile(r"^https?://[^\s]+$", re.IGNORECASE)


def _check_email(value: str) -> str:
    value = value.strip()
    if value and not EMAIL_RE.match(value):
        raise ValueError(f"{value[:60]!r} is not an e-mail address")
    return value


def _check_web_address(value: str) -> str:
    value = value.strip()
    if value and not WEB_RE.match(value):
        raise ValueError("give a web address starting with http:// or https://")
    return value


def _check_issued(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    if value.tzinfo is None:  # a date and time without a zone is read as UTC
        value = value.replace(tzinfo=UTC)
    if not 1900 <= value.year <= 2200:
        raise ValueError("give a date between the years 1900 and 2200")
    return value


# The JSON schemas say what the validators check, so API clients (and schemathesis) can send valid data.
Multilingual = Annotated[
    dict[str, Annotated[str, Field(max_length=20000)]],
    AfterValidator(_check_multilingual),
    WithJsonSchema(
        {
            "type": "object",
            "description": 'text by two-letter language code, e.g. {"en": "...", "ru": "..."}',
            "propertyNames": {"pattern": "^[a-z]{2}$"},
            "additionalProperties": {"type": "string", "maxLength": 20000},
        },
        mode="validation",
    ),
]
Email = Annotated[
    str,
    Field(max_length=255),
    AfterValidator(_check_email),
    WithJsonSchema(
        {"type": "string", "maxLength": 255, "pattern": "^$|^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$"},
        mode="validation",
    ),
]
WebAddress = Annotated[
    str,
    Field(max_length=500),
    AfterValidator(_check_web_address),
    WithJsonSchema(
        {"type": "string", "maxLength": 500, "pattern": "^$|^[hH][tT][tT][pP][sS]?://[^\\s]+$"},
        mode="validation",
    ),
]
Issued = Annotated[datetime | None, AfterValidator(_check_issued)]
Slug = Annotated[
    str,
    AfterValidator(_check_slug),
    WithJsonSchema({"type": "string", "pattern": SLUG_RE.pattern}, mode="validation"),
]
ShortText = Annotated[str, Field(max_length=200)]


class OrganizationCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Slug = Field(description="URL name (slug)")
    title: Multilingual
    description: Multilingual = Field(default_factory=dict)
    org_type: OrgType = "agency"
    parent: str | None = None
    contact_email: Email = ""
    contact_phone: Annotated[str, Field(max_length=50)] = ""
    website: WebAddress = ""
    logo_url: WebAddress = ""

    @field_validator("title")
    @classmethod
    def _needs_title(cls, title: dict[str, str]) -> dict[str, str]:
        if not any(title.values()):
            raise ValueError("give the title in at least one language")
        return title


class OrganizationUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: Multilingual | None = None
    description: Multilingual | None = None
    org_type: OrgType | None = None
    parent: str | None = None
    contact_email: Email | None = None
    contact_phone: Annotated[str, Field(max_length=50)] | None = None
    website: WebAddress | None = None
    logo_url: WebAddress | None = None

    @field_validator("title")
    @classmethod
    def _keeps_title(cls, title: dict[str, str] | None) -> dict[str, str] | None:
        if title is not None and not any(title.values()):
            raise ValueError("give the title in at least one language, or leave it out")
        return title


class OrganizationSummary(BaseModel):
    id: str
    name: str
    title: dict[str, str]
    org_type: str


class OrganizationRead(OrganizationSummary):
    description: dict[str, str]
    parent: str | None
    contact_email: str
    contact_phone: str
    website: str
    logo_url: str
    dataset_count: int
    created_at: datetime


class DatasetBase(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: Multilingual
    description: Multilingual = Field(default_factory=dict)
    themes: list[Annotated[str, Field(max_length=20)]] = Field(default_factory=list, max_length=13)
    keywords: list[Annotated[str, Field(min_length=1, max_length=100)]] = Field(
        default_factory=list, max_length=50
    )
    license_id: Annotated[str, Field(max_length=100)] | None = None
    contact_name: ShortText = ""
    contact_email: Email = ""
    update_frequency: Frequency = "UNKNOWN"
    temporal_start: date | None = None
    temporal_end: date | None = None
    regions: list[Annotated[str, Field(max_length=20)]] = Field(default_factory=list, max_length=50)
    languages: list[Annotated[str, Field(max_length=3)]] = Field(default_factory=list, max_length=10)
    version: Annotated[str, Field(max_length=50)] = ""
    issued: Issued = None
    state: Literal["draft", "published"] = "draft"
    private: bool = False
    extras: dict[Annotated[str, Field(max_length=100)], Annotated[str, Field(max_length=5000)]] = Field(
        default_factory=dict
    )


class DatasetCreate(DatasetBase):
    name: Slug = Field(description="URL name (slug)")
    organization: str = Field(description="organization name or id")


class DatasetUpdate(BaseModel):
    """Only the fields given are changed."""

    model_config = ConfigDict(extra="forbid")

    name: Slug | None = None
    organization: str | None = None
    title: Multilingual | None = None
    description: Multilingual | None = None
    themes: list[Annotated[str, Field(max_length=20)]] | None = Field(default=None, max_length=13)
    keywords: list[Annotated[str, Field(min_length=1, max_length=100)]] | None = Field(
        default=None, max_length=50
    )
    license_id: Annotated[str, Field(max_length=100)] | None = None
    contact_name: ShortText | None = None
    contact_email: Email | None = None
    update_frequency: Frequency | None = None
    temporal_start: date | None = None
    temporal_end: date | None = None
    regions: list[Annotated[str, Field(max_length=20)]] | None = Field(default=None, max_length=50)
    languages: list[Annotated[str, Field(max_length=3)]] | None = Field(default=None, max_length=10)
    version: Annotated[str, Field(max_length=50)] | None = None
    issued: Issued = None
    state: Literal["draft", "published"] | None = None
    private: bool | None = None
    extras: dict[Annotated[str, Field(max_length=100)], Annotated[str, Field(max_length=5000)]] | None = None


class ResourceCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, Field(max_length=300)] = ""
    description: Annotated[str, Field(max_length=20000)] = ""
    url: Annotated[str, Field(max_length=2000)] = ""
    format: Annotated[str, Field(max_length=50)] = ""
    media_type: Annotated[str, Field(max_length=120)] = ""


class ResourceUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, Field(max_length=300)] | None = None
    description: Annotated[str, Field(max_length=20000)] | None = None
    url: Annotated[str, Field(max_length=2000)] | None = None
    format: Annotated[str, Field(max_length=50)] | None = None
    media_type: Annotated[str, Field(max_length=120)] | None = None


class ResourceRead(BaseModel):
    id: str
    dataset_id: str
    position: int
    name: str
    description: str
    url: str
    download_url: str
    url_type: str
    format: str
    media_type: str
    size: int | None
    sha256: str
    created_at: datetime
    modified: datetime
    version_count: int = 1


class ResourceVersionRead(BaseModel):
    number: int
    filename: str
    url: str
    download_url: str = Field(description="this version's file (uploads) or its URL")
    size: int | None
    sha256: str
    media_type: str
    created_at: datetime
    latest: bool


class DatasetSummary(BaseModel):
    id: str
    name: str
    title: dict[str, str]
    description: dict[str, str]
    organization: OrganizationSummary
    themes: list[str]
    formats: list[str]
    license_id: str
    modified: datetime
    state: str
    private: bool


class DatasetRead(DatasetSummary):
    keywords: list[str]
    regions: list[str]
    license_title: str
    license_url: str
    contact_name: str
    contact_email: str
    update_frequency: str
    temporal_start: date | None
    temporal_end: date | None
    languages: list[str]
    version: str
    issued: datetime | None
    extras: dict[str, Any]
    resources: list[ResourceRead]
    view_count: int
    created_at: datetime


class FacetValue(BaseModel):
    value: str
    count: int


class SearchResults(BaseModel):
    count: int
    results: list[DatasetSummary]
    facets: dict[str, list[FacetValue]]
    start: int
    rows: int
