"""Pydantic shapes of harvest sources and runs going in and out of the service and the API."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from derek.catalog.schemas import Slug, WebAddress

Kind = Literal["ckan", "dcat", "egov"]
Schedule = Literal["manual", "daily", "weekly"]


class HarvestSourceCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Annotated[Slug, Field(max_length=40, description="URL name (slug); prefixes mirrored datasets")]
    title: Annotated[str, Field(max_length=200)] = ""
    kind: Kind = "ckan"
    url: WebAddress = Field(description="the remote portal's address, e.g. https://data.example.org")
    organization: str = Field(description="name or id of the local organization that owns mirrored datasets")
    schedule: Schedule = "manual"
    active: bool = True
    datasets: list[Annotated[str, Field(pattern=r"^[A-Za-z0-9_.-]{1,150}(/[A-Za-z0-9_.-]{1,40})?$")]] = Field(
        default_factory=list,
        max_length=2000,
        description="data.egov.kz only: the datasets to mirror, as index or index/version (v1 if left out)",
    )

    @model_validator(mode="after")
    def _datasets_for_egov(self) -> HarvestSourceCreate:
        if self.kind == "egov" and not self.datasets:
            raise ValueError("list the data.egov.kz datasets to mirror (index or index/version)")
        if self.kind != "egov" and self.datasets:
            raise ValueError(f"a {self.kind} source lists its own datasets: leave 'datasets' out")
        self.datasets = list(dict.fromkeys(self.datasets))
        return self


class HarvestRunRead(BaseModel):
    id: str
    started_at: datetime
    finished_at: datetime | None
    status: str = Field(description="running, succeeded or failed")
    created: int
    updated: int
    withdrawn: int
    unchanged: int
    errors: list[Any]
    job_id: str | None


class HarvestSourceRead(BaseModel):
    id: str
    name: str
    title: str
    kind: str
    url: str
    organization: str = Field(description="the local organization's name")
    schedule: str
    active: bool
    datasets: list[str] = Field(default_factory=list, description="data.egov.kz sources: the datasets listed")
    created_at: datetime
    last_run_at: datetime | None
    mirrored: int = Field(description="datasets mirrored now (not withdrawn)")
    runs: list[HarvestRunRead] = Field(default_factory=list, description="the latest runs, newest first")
