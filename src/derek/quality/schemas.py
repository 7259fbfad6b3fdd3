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
