"""What the dataset-selection API takes and gives: data holdings, proposals with their supports, demand
evidence and assessments, consultation records, the Commission's sessions, the unified list's versions
and items, and compliance with the list in force. Organizations are named by their slug, datasets by
their name, proposals by number, list items by code."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from derek.catalog.schemas import Frequency

Access = Literal["open", "restricted", "secret"]
ProposalStatus = Literal["proposed", "on_agenda", "recommended", "rejected", "deferred", "listed"]
Recommendation = Literal["include", "defer", "exclude"]
VoteChoice = Literal["recommend", "reject", "defer"]
ItemStatus = Literal["on_time", "late", "not_published", "stale"]
Score = Annotated[int, Field(ge=0, le=3)]
# proposal, session and version numbers (the database keeps 32-bit integers)
Number = Annotated[int, Field(ge=1, le=2_147_483_647)]


def _clean(value: str) -> str:
    """No NUL characters (PostgreSQL refuses them in text) and no surrounding spaces."""
    return value.replace("\x00", "").strip()


Title = Annotated[str, Field(min_length=1, max_length=300), AfterValidator(_clean)]
Name = Annotated[str, Field(max_length=100), AfterValidator(_clean)]
Short = Annotated[str, Field(max_length=300), AfterValidator(_clean)]
Long = Annotated[str, Field(max_length=20_000), AfterValidator(_clean)]
Required = Annotated[str, Field(min_length=1, max_length=20_000), AfterValidator(_clean)]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


# ---------------------------------------------------------------- holdings


class HoldingUpdate(_In):
    title: Title
    description: Long = ""
    information_system: Short = Field(default="", description="Where the data is kept")
    access: Access = "open"
    access_basis: Annotated[str, Field(max_length=500), AfterValidator(_clean)] = Field(
        default="", description="The law restricting access (required unless access is open)"
    )
    formats: Annotated[str, Field(max_length=200), AfterValidator(_clean)] = Field(
        default="", description='e.g. "XLSX, database"'
    )
    automated: bool = Field(default=False, description="The information system exports it by itself")
    machine_readable: bool = False
    dataset: Name = Field(default="", description="The dataset already publishing it (name), if any")


class HoldingCreate(HoldingUpdate):
    organization: Annotated[str, Field(min_length=1, max_length=100), AfterValidator(_clean)] = Field(
        description="The organization holding the data (slug)"
    )


class HoldingRead(BaseModel):
    id: str
    organization: str
    organization_title: str
    title: str
    description: str
    information_system: str
    access: str
    access_basis: str
    formats: str
    automated: bool
    machine_readable: bool
    dataset: str | None
    created_at: datetime
    updated_at: datetime


# ---------------------------------------------------------------- proposals


Keywords = Annotated[
    list[Annotated[str, Field(max_length=100), AfterValidator(_clean)]],
    Field(max_length=10, description="What demand evidence looks for (default: the title)"),
]


class ProposalUpdate(_In):
    title: Title
    description: Long = ""
    reason: Long = Field(default="", description="Why it should be opened")
    keywords: Keywords = Field(default_factory=list)


class ProposalCreate(ProposalUpdate):
    organization: Annotated[str, Field(min_length=1, max_length=100), AfterValidator(_clean)] = Field(
        description="The organization that would publish it (slug)"
    )
    holding: Annotated[str, Field(max_length=36), AfterValidator(_clean)] = Field(
        default="", description="A data holding's id: the proposal is to open it"
    )


class Criteria(_In):
    """The four criteria, each scored 0-3."""

    restriction: Score = Field(description="3: no legal restriction of access; 0: restricted by law")
    demand: Score
    readiness: Score = Field(description="How ready the data is to publish")
    not_machine_readable: Score = Field(description="Published already, but not machine-readable")


class AssessmentCreate(_In):
    criteria: Criteria
    recommendation: Recommendation
    reason: Required = Field(description="Why: required for every assessment")


class AssessmentRead(BaseModel):
    id: int
    criteria: dict[str, int]
    score: int = Field(description="0-100: the criteria's points out of 12")
    recommendation: str
    suggested: str = Field(description="What the score alone recommends")
    reason: str
    by: str
    at: datetime


class DecisionOn(BaseModel):
    session: int
    held_on: date
    decision: str = Field(description='"" until the Commission decides')
    rationale: str


class ProposalSummary(BaseModel):
    number: int
    code: str = Field(description='e.g. "P-12"')
    title: str
    organization: str
    organization_title: str
    status: ProposalStatus
    supports: int
    score: int | None
    recommendation: str
    created_at: datetime


class ProposalRead(ProposalSummary):
    description: str
    reason: str
    keywords: list[str]
    holding: str | None
    supported: bool = Field(description="Whether the caller supports it")
    assessment: AssessmentRead | None = Field(description="The assessment in force")
    may_assess: bool
    decisions: list[DecisionOn]


class SupportResult(BaseModel):
    counted: bool = Field(description="True when this call added the caller's support")
    supported: bool = Field(description="Whether the caller supports it now")
    supports: int


class EvidenceRead(BaseModel):
    kind: str
    title: str
    count: int
    url: str
    detail: str
    on: date | None


class DemandRead(BaseModel):
    proposal: int
    index: int = Field(description="The sum over the kinds of count x weight")
    weights: dict[str, int]
    points: dict[str, int]
    counts: dict[str, int]
    evidence: list[EvidenceRead]


class SuggestionRead(BaseModel):
    demand_index: int
    criteria: dict[str, int]
    score: int
    suggested: str


class ConsultationRead(BaseModel):
    id: str
    submitted_by: str
    summary: str
    received_on: date
    filename: str
    media_type: str
    size: int
    sha256: str
    url: str | None = Field(description="Where to download the document (null without one)")
    check: str = Field(
        description="The personal-data guard's verdict on the document: clean, warnings, personal (served "
        "only to the officials assessing the proposal), not_checked; empty without a document"
    )
    created_at: datetime


# ---------------------------------------------------------------- the Commission


class MemberRead(BaseModel):
    user: str
    display: str


class SessionCreate(_In):
    title: Title
    held_on: date
    place: Short = ""


class SessionSummary(BaseModel):
    number: int
    title: str
    held_on: date
    place: str
    status: Literal["planned", "closed"]
    closed_at: datetime | None
    item_count: int


class VoteRead(BaseModel):
    member: str
    display: str
    vote: VoteChoice
    comment: str
    at: datetime


class ConflictRead(BaseModel):
    member: str
    display: str
    statement: str
    at: datetime


class AgendaItemRead(BaseModel):
    position: int
    proposal: ProposalSummary
    votes: list[VoteRead]
    conflicts: list[ConflictRead]
    tally: dict[str, int]
    eligible: int = Field(description="Members who may vote on it (without a declared conflict)")
    quorum: int = Field(description="Votes needed before a decision")
    has_quorum: bool
    majority: str = Field(description='The vote most members cast ("" on a tie)')
    decision: str
    rationale: str
    decided_at: datetime | None


class SessionRead(SessionSummary):
    members: int
    agenda: list[AgendaItemRead]


class AgendaAdd(_In):
    proposal: Number


class VoteCreate(_In):
    vote: VoteChoice
    comment: Annotated[str, Field(max_length=5000), AfterValidator(_clean)] = ""


class ConflictCreate(_In):
    statement: Annotated[str, Field(min_length=1, max_length=2000), AfterValidator(_clean)]


class DecisionCreate(_In):
    decision: VoteChoice
    rationale: Required


# ---------------------------------------------------------------- the unified list


class DraftCreate(_In):
    note: Annotated[str, Field(max_length=5000), AfterValidator(_clean)] = ""


class ItemCreate(_In):
    title: Short = Field(default="", description="Default: the proposal's title")
    organization: Name = Field(
        default="", description="The responsible organization (default: the proposal's)"
    )
    due_on: date
    update_frequency: Frequency = "ANNUAL"
    proposal: Number | None = None


class ListItemRead(BaseModel):
    code: str
    title: str
    organization: str
    organization_title: str
    due_on: date
    update_frequency: str
    proposal: int | None
    position: int


class VersionSummary(BaseModel):
    number: int
    status: Literal["draft", "approved"]
    act_title: str
    act_number: str
    act_date: date | None
    note: str
    approved_at: datetime | None
    item_count: int


class VersionRead(VersionSummary):
    items: list[ListItemRead]


class Approval(_In):
    act_number: Annotated[str, Field(min_length=1, max_length=100), AfterValidator(_clean)]
    act_date: date
    act_title: Short = Field(default="", description="e.g. the profile's kind of act")


class FieldChange(BaseModel):
    before: str
    after: str


class ChangeRead(BaseModel):
    code: str
    title: str
    fields: dict[str, FieldChange]


class DiffRead(BaseModel):
    version: int
    against: int | None = Field(description="The version compared with (null: none approved before)")
    added: list[ListItemRead]
    removed: list[ListItemRead]
    changed: list[ChangeRead]
    unchanged: int


class FulfilmentSet(_In):
    dataset: Name = Field(description='The dataset\'s name, or "" to unlink it')


class ItemStatusRead(ListItemRead):
    status: ItemStatus
    dataset: str | None
    published_on: date | None
    days_late: int


class ListInForce(VersionSummary):
    today: date
    items: list[ItemStatusRead]


# ---------------------------------------------------------------- compliance and unmet demand


class ScorecardRead(BaseModel):
    organization: str
    organization_title: str
    counts: dict[str, int]
    total: int
    due: int = Field(description="Items due by now (all but those not yet due and not published)")
    rate: float | None = Field(description="Share of the due items published on time and kept fresh")


class ComplianceRead(BaseModel):
    version: int | None
    today: date
    organizations: list[ScorecardRead]


class TrendPointRead(BaseModel):
    month: date = Field(description="The month's last day (today for this month)")
    due: int
    on_time: int


class OrganizationCompliance(BaseModel):
    version: int | None
    today: date
    scorecard: ScorecardRead
    items: list[ItemStatusRead]
    trend: list[TrendPointRead]


class UnmetTopicRead(BaseModel):
    topic: str
    requests: int
    searches: int
    datasets: int
