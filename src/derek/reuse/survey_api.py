"""Native API of surveys for co-creation sessions: an organization's officials create a survey, write its
questions while it is a draft, open and close it and make one-time codes; participants answer once (signed
in, or with a code and no account); the results (aggregates per question and a word cloud of the free text)
as JSON and the responses as CSV."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request, Response
from sqlalchemy.orm import Session

from derek.catalog import service as catalog
from derek.config import Profile
from derek.core.authz import Actor
from derek.core.errors import Invalid
from derek.core.i18n import pick
from derek.reuse import survey_service as surveys
from derek.reuse.models import Survey
from derek.reuse.survey_schemas import (
    CloudWordRead,
    CodesCreate,
    CodesMade,
    OptionRead,
    OptionResult,
    QuestionOrder,
    QuestionRead,
    QuestionResult,
    QuestionWrite,
    RankResult,
    ResponseCreate,
    ResponseRead,
    SurveyCreate,
    SurveyRead,
    SurveyResults,
    SurveyStatus,
    SurveySummary,
    SurveyUpdate,
)
from derek.reuse.survey_views import throttle_unknown_code
from derek.web.deps import ActorDep, LangDep, ProfileDep, SessionDep, SettingsDep
from derek.web.problems import PROBLEM_RESPONSES

router = APIRouter(prefix="/api/v1/reuse", tags=["surveys"], responses=PROBLEM_RESPONSES)

SurveyId = Annotated[int, Path(ge=1, le=2_147_483_647, description="The survey's number")]
QuestionId = Annotated[int, Path(ge=1, le=2_147_483_647, description="The question's id")]
OrganizationFilter = Annotated[str, Query(max_length=100, pattern=r"^[A-Za-z0-9_\-]*$", description="slug")]
CSV: dict[int | str, dict[str, Any]] = {
    200: {"description": "One row per response", "content": {"text/csv": {"schema": {"type": "string"}}}}
}


def _fallback(profile: Profile, lang: str) -> tuple[str, ...]:
    return (lang, profile.default_language, *profile.languages)


def _orgs(session: Session, profile: Profile, lang: str, ids: Sequence[str]) -> dict[str, tuple[str, str]]:
    """organization id -> (slug, title in the request's language)."""
    return {
        i: (slug, pick(title, lang, _fallback(profile, lang)))
        for i, slug, title in catalog.organization_titles(session, list(set(ids)))
    }


def _summaries(session: Session, profile: Profile, lang: str, rows: Sequence[Survey]) -> list[SurveySummary]:
    orgs = _orgs(session, profile, lang, [s.organization_id for s in rows])
    counts = surveys.response_counts(session, [s.id for s in rows])
    return [
        SurveySummary(
            id=s.id,
            title=s.title,
            organization=orgs.get(s.organization_id, ("", ""))[0],
            organization_title=orgs.get(s.organization_id, ("", ""))[1],
            access=s.access,  # type: ignore[arg-type]
            status=s.status,  # type: ignore[arg-type]
            results_public=s.results_public,
            responses=counts.get(s.id, 0),
            opened_at=s.opened_at,
            closed_at=s.closed_at,
            created_at=s.created_at,
        )
        for s in rows
    ]


def _question_read(q: Any) -> QuestionRead:
    return QuestionRead(
        id=q.id,
        position=q.position,
        kind=q.kind,
        text=q.text,
        options=[OptionRead(index=i, text=o) for i, o in enumerate(q.options)],
        required=q.required,
    )


def _survey_read(session: Session, actor: Actor, profile: Profile, lang: str, survey: Survey) -> SurveyRead:
    summary = _summaries(session, profile, lang, [survey])[0]
    runs = surveys.may_run(actor, survey)
    made, used = surveys.code_counts(session, survey) if runs else (None, None)
    return SurveyRead(
        **summary.model_dump(),
        description=survey.description,
        questions=[_question_read(q) for q in surveys.questions_of(session, survey)],
        may_run=runs,
        codes_made=made,
        codes_used=used,
        answered=surveys.has_answered(session, actor, survey),
    )


def _question_data(data: QuestionWrite) -> surveys.QuestionData:
    return surveys.QuestionData(kind=data.kind, text=data.text, options=data.options, required=data.required)


# ---------------------------------------------------------------- surveys


@router.get("/surveys", response_model=list[SurveySummary])
def list_surveys(
    session: SessionDep,
    actor: ActorDep,
    profile: ProfileDep,
    lang: LangDep,
    organization: OrganizationFilter = "",
    status: Annotated[SurveyStatus | None, Query()] = None,
    mine: Annotated[bool, Query(description="Only the surveys of the organizations the caller runs")] = False,
) -> list[SurveySummary]:
    """Open surveys, closed ones with public results, and the caller's organizations' surveys (drafts too)."""
    rows = surveys.list_surveys(session, actor, organization=organization or None, status=status, mine=mine)
    return _summaries(session, profile, lang, rows)


@router.post("/surveys", response_model=SurveyRead, status_code=201)
def create_survey(
    data: SurveyCreate,
    response: Response,
    session: SessionDep,
    actor: ActorDep,
    profile: ProfileDep,
    lang: LangDep,
) -> SurveyRead:
    """Create a draft survey of an organization (its admins and editors)."""
    survey = surveys.create_survey(
        session,
        actor,
        profile,
        surveys.SurveyData(
            title=data.title,
            organization=data.organization,
            description=data.description,
            access=data.access,
            results_public=data.results_public,
        ),
    )
    response.headers["Location"] = f"/api/v1/reuse/surveys/{survey.id}"
    return _survey_read(session, actor, profile, lang, survey)


@router.get("/surveys/{survey_id}", response_model=SurveyRead)
def read_survey(
    survey_id: SurveyId, session: SessionDep, actor: ActorDep, profile: ProfileDep, lang: LangDep
) -> SurveyRead:
    """A survey with its questions (a draft only for its officials)."""
    return _survey_read(session, actor, profile, lang, surveys.visible_survey(session, actor, survey_id))


@router.patch("/surveys/{survey_id}", response_model=SurveyRead)
def update_survey(
    survey_id: SurveyId,
    data: SurveyUpdate,
    session: SessionDep,
    actor: ActorDep,
    profile: ProfileDep,
    lang: LangDep,
) -> SurveyRead:
    survey = surveys.update_survey(
        session,
        actor,
        profile,
        survey_id,
        title=data.title,
        description=data.description,
        access=data.access,
        results_public=data.results_public,
    )
    return _survey_read(session, actor, profile, lang, survey)


@router.delete("/surveys/{survey_id}", status_code=204)
def delete_survey(survey_id: SurveyId, session: SessionDep, actor: ActorDep) -> Response:
    """Delete a draft (a survey that was opened stays: 409)."""
    surveys.delete_survey(session, actor, survey_id)
    return Response(status_code=204)


@router.post("/surveys/{survey_id}/open", response_model=SurveyRead)
def open_survey(
    survey_id: SurveyId, session: SessionDep, actor: ActorDep, profile: ProfileDep, lang: LangDep
) -> SurveyRead:
    """Open the survey for answers (a draft, or a closed survey again); it needs a question."""
    return _survey_read(session, actor, profile, lang, surveys.open_survey(session, actor, survey_id))


@router.post("/surveys/{survey_id}/close", response_model=SurveyRead)
def close_survey(
    survey_id: SurveyId, session: SessionDep, actor: ActorDep, profile: ProfileDep, lang: LangDep
) -> SurveyRead:
    return _survey_read(session, actor, profile, lang, surveys.close_survey(session, actor, survey_id))


# ---------------------------------------------------------------- questions


@router.post("/surveys/{survey_id}/questions", response_model=QuestionRead, status_code=201)
def add_question(
    survey_id: SurveyId, data: QuestionWrite, session: SessionDep, actor: ActorDep, profile: ProfileDep
) -> QuestionRead:
    """Add a question at the end (while the survey is a draft without responses)."""
    return _question_read(surveys.add_question(session, actor, profile, survey_id, _question_data(data)))


@router.put("/surveys/{survey_id}/questions/{question_id}", response_model=QuestionRead)
def update_question(
    survey_id: SurveyId,
    question_id: QuestionId,
    data: QuestionWrite,
    session: SessionDep,
    actor: ActorDep,
    profile: ProfileDep,
) -> QuestionRead:
    """Replace a question (while the survey is a draft without responses: 409 otherwise)."""
    question = surveys.update_question(session, actor, profile, survey_id, question_id, _question_data(data))
    return _question_read(question)


@router.delete("/surveys/{survey_id}/questions/{question_id}", status_code=204)
def delete_question(
    survey_id: SurveyId, question_id: QuestionId, session: SessionDep, actor: ActorDep
) -> Response:
    surveys.delete_question(session, actor, survey_id, question_id)
    return Response(status_code=204)


@router.put("/surveys/{survey_id}/question-order", response_model=list[QuestionRead])
def reorder_questions(
    survey_id: SurveyId, data: QuestionOrder, session: SessionDep, actor: ActorDep
) -> list[QuestionRead]:
    """Put the questions in a new order (every question's id once)."""
    return [_question_read(q) for q in surveys.reorder_questions(session, actor, survey_id, data.questions)]


# ---------------------------------------------------------------- codes and responses


@router.post("/surveys/{survey_id}/codes", response_model=CodesMade, status_code=201)
def create_codes(
    survey_id: SurveyId, data: CodesCreate, session: SessionDep, actor: ActorDep, settings: SettingsDep
) -> CodesMade:
    """Make one-time codes for a survey answered with codes: the plain codes are in this answer only."""
    codes = surveys.create_codes(
        session, actor, survey_id, data.count, secret=settings.effective_secret_key()
    )
    made, used = surveys.code_counts(session, surveys.get_survey(session, survey_id))
    return CodesMade(survey=survey_id, codes=codes, made=made, used=used)


@router.post("/surveys/{survey_id}/responses", response_model=ResponseRead, status_code=201)
def submit_response(
    survey_id: SurveyId,
    data: ResponseCreate,
    request: Request,
    session: SessionDep,
    actor: ActorDep,
    settings: SettingsDep,
) -> ResponseRead:
    """Answer the survey once: signed in (a survey for signed-in people), or with a one-time code (no
    account needed). 409 when the account or the code has answered already; 429 after ten unknown codes
    from one address in a minute."""
    try:
        row = surveys.submit_response(
            session, actor, survey_id, data.answers, data.code, secret=settings.effective_secret_key()
        )
    except Invalid as exc:
        throttle_unknown_code(request, exc)
        raise
    return ResponseRead(id=row.id, survey=survey_id, submitted_at=row.submitted_at)


# ---------------------------------------------------------------- results


def results_read(profile: Profile, lang: str, found: surveys.SurveyResults) -> SurveyResults:
    fallback = _fallback(profile, lang)
    questions = []
    for r in found.questions:
        q = r.question

        def label(index: int, kind: str = q.kind, options: list[dict[str, str]] = q.options) -> str:
            if kind == "likert":
                return str(index)
            return pick(options[index], lang, fallback) if 0 <= index < len(options) else str(index)

        ranking = sorted(r.ranking, key=lambda row: (row.mean_rank is None, row.mean_rank or 0, row.index))
        questions.append(
            QuestionResult(
                id=q.id,
                position=q.position,
                kind=q.kind,  # type: ignore[arg-type]
                text=pick(q.text, lang, fallback),
                answered=r.answered,
                counts=[
                    OptionResult(index=c.index, label=label(c.index), count=c.count, share=c.share)
                    for c in r.counts
                ],
                mean=r.mean,
                median=r.median,
                ranking=[
                    RankResult(
                        index=row.index, label=label(row.index), mean_rank=row.mean_rank, first=row.first
                    )
                    for row in ranking
                ],
                texts=r.texts,
                cloud=[CloudWordRead(word=w.word, count=w.count, size=w.step) for w in r.cloud],
            )
        )
    return SurveyResults(
        survey=found.survey.id,
        title=pick(found.survey.title, lang, fallback),
        status=found.survey.status,  # type: ignore[arg-type]
        responses=found.responses,
        last_response_at=found.last_at,
        questions=questions,
    )


@router.get("/surveys/{survey_id}/results", response_model=SurveyResults)
def read_results(
    survey_id: SurveyId, session: SessionDep, actor: ActorDep, profile: ProfileDep, lang: LangDep
) -> SurveyResults:
    """Aggregates per question: Likert counts, mean and median; choices' counts and shares; ranking's mean
    rank (lower is better) and firsts; free text with its word cloud. Public when the survey says so, else
    for its officials."""
    survey = surveys.check_may_see_results(session, actor, survey_id)
    return results_read(profile, lang, surveys.results(session, profile, survey))


@router.get("/surveys/{survey_id}/results.csv", response_class=Response, responses=CSV)
def results_csv(
    survey_id: SurveyId, session: SessionDep, actor: ActorDep, profile: ProfileDep, lang: LangDep
) -> Response:
    """One row per response with a column per question; free text masked by the personal-data guard
    except for the survey's officials; text a spreadsheet would run as a formula starts with a quote."""
    survey = surveys.check_may_see_results(session, actor, survey_id)
    text = surveys.responses_csv(session, profile, survey, lang, masked=not surveys.may_run(actor, survey))
    return Response(
        text,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="survey-{survey.id}-responses.csv"'},
    )
