"""What the survey API takes and gives: surveys with their questions (texts per language, options by
index), one-time codes (plain once), responses (answers by question id) and results (aggregates per
question and a word cloud of the free text). Organizations are named by their slug."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr

from derek.catalog.schemas import Multilingual

QuestionKind = Literal["likert", "single", "multiple", "ranking", "text"]
SurveyStatus = Literal["draft", "open", "closed"]
SurveyAccess = Literal["signed_in", "codes"]
QuestionId = Annotated[int, Field(ge=1, le=2_147_483_647)]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


# ---------------------------------------------------------------- surveys


class SurveyCreate(_In):
    title: Multilingual = Field(description="Per language of the portal; at least one")
    description: Multilingual = Field(default_factory=dict)
    organization: Annotated[str, Field(min_length=1, max_length=100)] = Field(
        description="The organization running it (slug)"
    )
    access: SurveyAccess = Field(
        default="signed_in",
        description="signed_in: anyone signed in answers once; codes: whoever holds a one-time code",
    )
    results_public: bool = Field(default=True, description="Anyone may read the results (else its officials)")


class SurveyUpdate(_In):
    """What is left out stays; access changes only while the survey is a draft."""

    title: Multilingual | None = None
    description: Multilingual | None = None
    access: SurveyAccess | None = None
    results_public: bool | None = None


class QuestionWrite(_In):
    kind: QuestionKind
    text: Multilingual = Field(description="The question per language; at least one")
    options: Annotated[list[Multilingual], Field(max_length=20)] = Field(
        default_factory=list,
        description="For single, multiple and ranking: 2-20 options, each per language (ignored otherwise)",
    )
    required: bool = False


class QuestionOrder(_In):
    questions: Annotated[list[QuestionId], Field(max_length=100)] = Field(
        description="Every question's id once, in the new order"
    )


class OptionRead(BaseModel):
    index: int = Field(description="What an answer gives to choose it (0 is the first)")
    text: dict[str, str]


class QuestionRead(BaseModel):
    id: int
    position: int = Field(description="1 is the first question")
    kind: QuestionKind
    text: dict[str, str]
    options: list[OptionRead]
    required: bool


class SurveySummary(BaseModel):
    id: int
    title: dict[str, str]
    organization: str
    organization_title: str
    access: SurveyAccess
    status: SurveyStatus
    results_public: bool
    responses: int
    opened_at: datetime | None
    closed_at: datetime | None
    created_at: datetime


class SurveyRead(SurveySummary):
    description: dict[str, str]
    questions: list[QuestionRead]
    may_run: bool = Field(description="Whether the caller is one of its officials")
    codes_made: int | None = Field(description="One-time codes made (its officials only)")
    codes_used: int | None = Field(description="One-time codes used (its officials only)")
    answered: bool = Field(description="Whether the caller has answered it (signed-in surveys)")


class CodesCreate(_In):
    count: Annotated[int, Field(ge=1, le=500)] = Field(description="How many new codes (1-500)")


class CodesMade(BaseModel):
    survey: int
    codes: list[str] = Field(description="The new codes, shown this once: only their hashes are kept")
    made: int = Field(description="Codes of the survey now")
    used: int


# ---------------------------------------------------------------- responses


Answer = Annotated[
    StrictInt | list[StrictInt] | StrictStr,
    Field(
        description="Likert: 1-5; single: an option's index; multiple: indexes; ranking: every option's "
        "index once, first to last; text: at most 2,000 characters"
    ),
]


class ResponseCreate(_In):
    answers: dict[Annotated[str, Field(pattern=r"^\d{1,10}$")], Answer] = Field(
        description="By question id (as text); an optional question may be left out"
    )
    code: Annotated[str, Field(max_length=40)] | None = Field(
        default=None, description="The one-time code (surveys answered with codes), e.g. K7QM-3XPA"
    )


class ResponseRead(BaseModel):
    id: int
    survey: int
    submitted_at: datetime


# ---------------------------------------------------------------- results


class OptionResult(BaseModel):
    index: int = Field(description="The option's index; for Likert the point 1-5")
    label: str
    count: int
    share: float | None = Field(description="Of the participants who answered the question (0-1)")


class RankResult(BaseModel):
    index: int
    label: str
    mean_rank: float | None = Field(description="1 is first: lower is better")
    first: int = Field(description="How often ranked first")


class CloudWordRead(BaseModel):
    word: str
    count: int
    size: int = Field(description="1 (least frequent shown) to 6 (most frequent)")


class QuestionResult(BaseModel):
    id: int
    position: int
    kind: QuestionKind
    text: str
    answered: int = Field(description="Participants who answered it")
    counts: list[OptionResult] = Field(description="Likert, single and multiple choice")
    mean: float | None = Field(description="Likert")
    median: float | None = Field(description="Likert")
    ranking: list[RankResult] = Field(description="Ranking, best mean rank first")
    texts: list[str] = Field(description="Free text, newest first (masked by the personal-data guard)")
    cloud: list[CloudWordRead] = Field(description="Free text: the most frequent words, stop words left out")


class SurveyResults(BaseModel):
    survey: int
    title: str
    status: SurveyStatus
    responses: int
    last_response_at: datetime | None
    questions: list[QuestionResult]
