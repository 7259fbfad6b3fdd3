"""Pydantic shapes of the personal-data guard going out of the service and the API."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class Finding(BaseModel):
    column: str
    detector: str = Field(description="e.g. kz_iin, kz_bin, email, phone")
    kind: str = Field(description="what was found, in words")
    severity: str = Field(description="personal (blocks publication) or possible (a warning)")
    rows: int = Field(description="rows of the table with such a value in this column")
    samples: list[str] = Field(description="up to three values, masked")


class ScanRead(BaseModel):
    resource_id: str
    status: str = Field(
        description="not_scanned, pending, clean, warnings, personal (publication blocked), cleared (a "
        "reviewer recorded a lawful basis) or failed"
    )
    findings: list[Finding] = Field(default_factory=list)
    rows_scanned: int = 0
    scanned_at: datetime | None = None
    lawful_basis: str = ""
    reviewed_at: datetime | None = None


class LawfulBasis(BaseModel):
    model_config = ConfigDict(extra="forbid")

    lawful_basis: str = Field(
        min_length=1, max_length=5000, description="the law or decision that allows publishing this data"
    )


class LinkCheckRead(BaseModel):
    checked_at: datetime
    ok: bool
    http_status: int | None = Field(description="the last answer's status, None when there was no answer")
    error: str = Field(description="what went wrong, in words")
    elapsed_ms: int


class LinkStatusRead(BaseModel):
    resource_id: str
    status: str = Field(description="unchecked, ok or broken")
    url: str = ""
    http_status: int | None = None
    error: str = ""
    checked_at: datetime | None = None
    broken_since: datetime | None = None
    history: list[LinkCheckRead] = Field(default_factory=list, description="the latest checks, newest first")


class ResourceStars(BaseModel):
    id: str
    name: str
    stars: int = Field(ge=0, le=5)
    reason: str = Field(description="why, in words")
    format: str = Field(description="the format the stars were read from (media type first, format second)")


class StarsRead(BaseModel):
    dataset: str
    stars: int = Field(ge=0, le=5, description="5-star openness: the best of its resources")
    licence_open: bool
    resources: list[ResourceStars]


class Indicator(BaseModel):
    dimension: str = Field(
        description="findability, accessibility, interoperability, reusability, contextuality"
    )
    key: str
    label: str = Field(description="what is checked, in words")
    points: int
    max_points: int
    fix: str = Field(description="what earns the points, in words; empty when they are earned")


class QualityRead(BaseModel):
    dataset: str
    points: int = Field(description="the MQA-style score, 0 to 405")
    max_points: int
    rating: str = Field(description="excellent (351+), good (221+), sufficient (121+) or bad")
    dimensions: dict[str, dict[str, int]] = Field(description="points and max_points per dimension")
    indicators: list[Indicator]


class FreshnessRead(BaseModel):
    dataset: str
    frequency: str = Field(description="the declared update frequency (EU frequency vocabulary)")
    state: str = Field(description="on_time, due_soon, overdue or not_applicable (no period declared)")
    last_change: datetime | None = Field(description="when its data (files, links) last changed")
    due_at: datetime | None = Field(description="when the next update is due")
    due_soon_at: datetime | None = Field(description="from when the update counts as due soon")


class SummaryRead(BaseModel):
    datasets: int = Field(description="public datasets")
    scored: int = Field(description="of them, those scored so far")
    average_points: float | None = Field(description="average metadata score, of 405")
    median_points: float | None
    average_rating: str = Field(description="the rating of the average score")
    ratings: dict[str, int] = Field(description="datasets per rating")
    stars: dict[str, int] = Field(description="datasets per openness stars, 0 to 5")
    average_stars: float | None
    broken_links: int
    datasets_with_broken_links: int
    freshness: dict[str, int] = Field(description="datasets per freshness state")


class OrganizationQualityRead(BaseModel):
    name: str
    title: dict[str, str]
    summary: SummaryRead


class PortalQualityRead(BaseModel):
    summary: SummaryRead
    organizations: list[OrganizationQualityRead] = Field(description="best average score first")
    computed_at: datetime | None = Field(description="the latest recomputation of a public dataset's score")


class DatasetQualityRow(BaseModel):
    name: str
    title: dict[str, str]
    points: int
    rating: str
    stars: int
    broken_links: int
    freshness: str
    due_at: datetime | None
    scored: bool = Field(description="false until the dataset's first score is computed")


class ScorecardRead(BaseModel):
    name: str
    title: dict[str, str]
    summary: SummaryRead
    portal: SummaryRead = Field(description="the whole portal's figures, for comparison")
    datasets: list[DatasetQualityRow]


class TaskRead(BaseModel):
    severity: str = Field(description="high, medium or low")
    kind: str = Field(
        description="personal_data, scan_pending, broken_links, overdue, due_soon, dcat, draft or score"
    )
    dataset: str
    organization: str
    message: str = Field(description="what to do, in words")
    link: str = Field(description="where on the dataset's page it is shown")
