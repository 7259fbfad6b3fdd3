"""What the reuse API takes and gives: use cases (texts per language, the datasets they use named by
name, store links, screenshots, the liveness monitor's verdict and checks) and ideas and dataset requests
(supports, comments, answers, moderation, the anomaly report). Organizations are named by their slug,
datasets by their name, use cases, ideas, comments and screenshots by number."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from derek.catalog.schemas import Multilingual

UseCaseKind = Literal["app", "service", "visualisation", "article", "research", "other"]
Store = Literal["google_play", "app_store", "other"]
Liveness = Literal["unchecked", "live", "degraded", "dead"]
# what the lists filter on: a prototype (its publisher says so) or what the monitor found
UseCaseState = Literal["live", "degraded", "dead", "prototype", "unchecked"]
Moderation = Literal["shown", "hidden"]
IdeaKind = Literal["idea", "dataset_request"]
IdeaStatus = Literal["open", "answered", "hidden"]
AnomalyKind = Literal["new_accounts", "shared_address"]


def _clean(value: str) -> str:
    """No NUL characters (PostgreSQL refuses them in text) and no surrounding spaces."""
    return value.replace("\x00", "").strip()


Short = Annotated[str, Field(max_length=300), AfterValidator(_clean)]
Name = Annotated[str, Field(max_length=200), AfterValidator(_clean)]
Note = Annotated[str, Field(max_length=2000), AfterValidator(_clean)]
Long = Annotated[str, Field(max_length=20_000), AfterValidator(_clean)]
Address = Annotated[str, Field(max_length=2000), AfterValidator(_clean)]
Word = Annotated[str, Field(max_length=100), AfterValidator(_clean)]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


# ---------------------------------------------------------------- use cases


class StoreLink(_In):
    store: Store = "other"
    url: Address = Field(description="The app's page in the store (http:// or https://)")


class UseCaseWrite(_In):
    """A use case as its submitter describes it (PUT replaces every field)."""

    title: Multilingual = Field(
        description="Per language of the portal (at most 300 characters); at least one"
    )
    description: Multilingual = Field(
        description="What it does and with which data: at least 50 characters in one language"
    )
    kind: UseCaseKind = "app"
    url: Address = Field(
        default="", description="Where it can be seen; required unless a store link is given"
    )
    store_links: Annotated[list[StoreLink], Field(max_length=5)] = Field(default_factory=list)
    topics: Annotated[list[Word], Field(max_length=30)] = Field(
        default_factory=list, description="Theme codes of the portal's profile"
    )
    author: Short = Field(description="The person, company or team that made it")
    contact: Short = Field(
        description="An e-mail address: the portal writes there when the use case stops answering; shown "
        "only to those who may edit it"
    )
    datasets: Annotated[list[Name], Field(max_length=50)] = Field(
        description="The names of the portal's datasets it uses: at least one"
    )
    prototype: bool = Field(default=False, description="Its makers say it is a prototype")


class ModerationSet(_In):
    shown: bool = Field(description="false hides it from everyone but its submitter and the moderators")
    note: Note = Field(
        default="", description="Why it is hidden: required when hiding; its submitter sees it"
    )


class DatasetRef(BaseModel):
    name: str
    title: dict[str, str]
    organization: str
    organization_title: str


class ScreenshotRead(BaseModel):
    id: int
    url: str = Field(description="Where the picture is served")
    media_type: str
    width: int
    height: int
    size: int
    caption: str
    position: int


class UseCaseSummary(BaseModel):
    id: int
    title: dict[str, str]
    description: dict[str, str]
    kind: str
    url: str
    store_links: list[dict[str, str]]
    topics: list[str]
    author: str
    prototype: bool
    state: UseCaseState = Field(description="prototype when its makers say so, else the liveness")
    liveness: Liveness
    retired: bool = Field(description="Dead for longer than the grace period: left out of the default list")
    checked_at: datetime | None
    created_at: datetime


class UseCaseRead(UseCaseSummary):
    liveness_note: str = Field(description="Why it is degraded or dead, in words")
    dead_since: datetime | None
    contact: str | None = Field(description="Only for those who may edit it (null for others)")
    moderation: Moderation
    moderation_note: str
    datasets: list[DatasetRef] = Field(description="The datasets it uses that the caller may see")
    screenshots: list[ScreenshotRead]
    may_edit: bool
    may_moderate: bool
    updated_at: datetime


class UseCasePage(BaseModel):
    count: int
    retired_hidden: int = Field(description="How many the list leaves out as dead past the grace period")
    results: list[UseCaseSummary]


class CheckRead(BaseModel):
    id: int
    url: str
    role: str = Field(description='"url" for its web address, else the store\'s name')
    ok: bool
    http_status: int | None
    error: str
    elapsed_ms: int
    verdict: str = Field(description="The use case's liveness after that run")
    checked_at: datetime


class StatsRead(BaseModel):
    total: int
    by_state: dict[str, int]
    by_kind: dict[str, int]
    retired: int = Field(description="Dead past the grace period (counted in by_state's dead too)")


# ---------------------------------------------------------------- ideas


class IdeaCreate(_In):
    title: Short
    body: Long = ""
    kind: IdeaKind = "idea"
    keywords: Annotated[list[Word], Field(max_length=10)] = Field(
        default_factory=list, description="What dataset selection matches it on (default: the title)"
    )
    organization: Annotated[str, Field(max_length=100), AfterValidator(_clean)] = Field(
        default="", description="The organization it asks (slug), if any"
    )


class IdeaSummary(BaseModel):
    id: int
    kind: IdeaKind
    title: str
    status: IdeaStatus
    keywords: list[str]
    organization: str | None
    organization_title: str
    supports: int
    comment_count: int = Field(description="Comments shown to the public")
    created_at: datetime


class CommentRead(BaseModel):
    id: int
    author: str
    body: str
    hidden: bool
    at: datetime


class IdeaRead(IdeaSummary):
    body: str
    author: str
    answer: str
    dataset: str | None = Field(description="The dataset named in the answer, when the caller may see it")
    moderation_note: str
    supported_by_me: bool
    may_answer: bool
    may_moderate: bool
    comments: list[CommentRead] = Field(description="Oldest first; hidden ones only for moderators")


class IdeaPage(BaseModel):
    count: int
    results: list[IdeaSummary]


class SupportResult(BaseModel):
    counted: bool = Field(description="True when this call added the caller's support")
    supported: bool = Field(description="Whether the caller supports it now")
    supports: int


class CommentCreate(_In):
    body: Annotated[str, Field(max_length=5000), AfterValidator(_clean)]


class CommentModeration(_In):
    hidden: bool


class AnswerSet(_In):
    answer: Long
    dataset: Name = Field(default="", description="The dataset that meets it (name), if any")


class SupportsVoid(_In):
    accounts: Annotated[list[Word], Field(min_length=1, max_length=500)] = Field(
        description="Login names of the accounts whose supports are void"
    )
    reason: Note


class VoidResult(BaseModel):
    removed: int
    supports: int = Field(description="The idea's supports left")


class AnomalyRead(BaseModel):
    kind: AnomalyKind
    idea: int
    idea_title: str
    count: int = Field(description="Supports in the burst, or accounts behind the address")
    first_at: datetime
    last_at: datetime
    accounts: list[str]
    day: str = Field(description="The burst's day (UTC), for new_accounts")
    address: str = Field(description="A keyed hash of the address (never the address), for shared_address")
