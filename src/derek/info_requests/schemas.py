"""What the information-requests API takes and gives. The public shapes never carry the requester's identity
or contact details; `RequestRead.requester` is filled only for the organization's officials, the reviewer
and the requester."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

Kind = Literal["request", "question"]
Status = Literal["open", "clarification", "answered", "partial", "refused", "withdrawn"]
Outcome = Literal["answered", "partial", "refused"]
Decision = Literal["upheld", "overturned", "partly"]


def _stripped(value: str) -> str:
    return value.strip()


class RequestCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    organization: str = Field(min_length=1, max_length=100, description="The organization's name (slug)")
    subject: str = Field(min_length=3, max_length=300)
    body: str = Field(min_length=10, max_length=20_000, description="What information is asked for")
    kind: Kind = "request"
    # a signed-in requester's name and address come from their account; anonymous requesters give them
    name: str = Field(default="", max_length=200)
    email: str = Field(default="", max_length=255)
    identifier: str = Field(default="", max_length=40, description="An identity number the law may require")
    language: str = Field(default="", max_length=10)

    _strip = field_validator("organization", "subject", "body", "name", "email", "identifier")(_stripped)


class Requester(BaseModel):
    """Who asked: shown only to the organization's officials, the reviewer and the requester."""

    name: str
    email: str
    identifier: str
    user: str | None


class EventRead(BaseModel):
    at: datetime
    kind: str
    role: str
    text: str
    data: dict[str, object]
    by: str | None = Field(
        default=None, description="The official's or reviewer's user name (never the requester's)"
    )


class AttachmentRead(BaseModel):
    id: str
    filename: str
    media_type: str
    size: int
    check: str
    url: str | None = Field(description="Where to download it; null while it is withheld from the public")


class AppealRead(BaseModel):
    id: str
    reason: Literal["refused", "partial", "overdue"]
    text: str
    submitted_at: datetime
    registered_on: date
    due_on: date
    overdue: bool
    decision: Decision | None
    decision_text: str
    decided_on: date | None
    order_due_on: date | None
    order_complied_on: date | None
    order_overdue: bool


class RequestSummary(BaseModel):
    reference: str
    kind: Kind
    organization: str
    organization_title: str
    subject: str
    status: Status
    received_on: date
    due_on: date
    overdue: bool
    closed_on: date | None
    appealed: bool


class RequestRead(RequestSummary):
    body: str
    language: str
    first_due_on: date
    extensions: int
    paused_on: date | None
    answer: str
    grounds: list[str]
    ground_titles: list[str]
    topics: list[str]
    assignee: str | None
    dataset: str | None
    events: list[EventRead]
    attachments: list[AttachmentRead]
    appeals: list[AppealRead]
    requester: Requester | None = None
    access_key: str | None = Field(
        default=None, description="Only in the answer to an anonymous submission: the requester's private key"
    )


class RegisterPage(BaseModel):
    count: int
    page: int
    per_page: int
    results: list[RequestSummary]
    facets: dict[str, dict[str, int]]


class Assign(BaseModel):
    model_config = ConfigDict(extra="forbid")
    assignee: str = Field(
        min_length=1, max_length=100, description="User name of an official of the organization"
    )


class Message(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(min_length=1, max_length=20_000)
    _strip = field_validator("text")(_stripped)


class Extend(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(min_length=5, max_length=2_000)
    _strip = field_validator("reason")(_stripped)


class Answer(BaseModel):
    model_config = ConfigDict(extra="forbid")
    outcome: Outcome
    text: str = Field(min_length=1, max_length=50_000)
    grounds: list[str] = Field(
        default_factory=list, max_length=20, description="Required for partial and refused"
    )
    topics: list[str] = Field(default_factory=list, max_length=20)
    _strip = field_validator("text")(_stripped)


class Topics(BaseModel):
    model_config = ConfigDict(extra="forbid")
    topics: list[str] = Field(max_length=20)


class AppealCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(min_length=10, max_length=20_000)
    _strip = field_validator("text")(_stripped)


class DecisionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    decision: Decision
    text: str = Field(min_length=10, max_length=20_000)
    order_due_on: date | None = Field(default=None, description="Default: the profile's order period")
    _strip = field_validator("text")(_stripped)


class PublishDataset(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=2, max_length=100)
    title: str = Field(min_length=3, max_length=300)


class OrgStats(BaseModel):
    organization: str
    organization_title: str
    received: int
    open: int
    overdue: int
    answered: int
    partial: int
    refused: int
    decided: int
    on_time: int
    on_time_share: float | None = Field(description="Decided on or before the due date, of all decided")
    median_days: float | None = Field(description="Median calendar days from receipt to the decision")
    refusals_by_ground: dict[str, int]
    appeals: int
    appeal_outcomes: dict[str, int]


class StatsRead(BaseModel):
    total: OrgStats
    organizations: list[OrgStats]


class DemandItem(BaseModel):
    reference: str
    subject: str
    organization: str
    received_on: date
    status: Status
    topics: list[str]
