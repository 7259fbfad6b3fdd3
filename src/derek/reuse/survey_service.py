"""Surveys for co-creation sessions, the service: an organization's officials write a survey (title and
questions per language: Likert 1-5, single and multiple choice, ranking, free text), open and close it and
hand out one-time codes; participants answer once (per account, or per code: the database's unique keys
decide, also for two submissions at once); the results are counted per question (with a word cloud of the
free text) and exported as CSV."""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import secrets
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from derek.catalog import service as catalog
from derek.config import Profile
from derek.core import audit
from derek.core.authz import Actor, authorize, can
from derek.core.db import utcnow
from derek.core.errors import Conflict, Forbidden, Invalid, NotAuthenticated, NotFound
from derek.core.i18n import pick
from derek.datastore import guard as formula_guard
from derek.quality import service as quality
from derek.reuse.models import (
    QUESTION_KINDS,
    SURVEY_ACCESS,
    Survey,
    SurveyCode,
    SurveyQuestion,
    SurveyResponse,
)
from derek.reuse.policy import Target
from derek.reuse.rules import rules_for
from derek.reuse.wordcloud import CloudWord, word_cloud

MAX_TITLE = 300
MAX_DESCRIPTION = 5_000
MAX_QUESTION = 1_000
MAX_OPTION = 300
MIN_OPTIONS, MAX_OPTIONS = 2, 20
MAX_QUESTIONS = 100
MAX_ANSWER = 2_000  # characters of a free-text answer
MAX_CODES_AT_ONCE = 500
MAX_CODES = 10_000  # of one survey
LIKERT = (1, 2, 3, 4, 5)
CHOICE_KINDS = ("single", "multiple", "ranking")  # the kinds with options
# one-time codes: 8 characters of an alphabet without look-alikes (no 0/O, 1/I/L), written K7QM-3XPA
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 8
SHOWN_TEXTS = 1_000  # free-text answers a result gives (the newest); the CSV has them all

# the service's messages that the pages show as they are (msgids, translated in surveys.po)
REQUIRED_ANSWER = "This question is required."
UNKNOWN_QUESTION = "There is no such question in this survey."
BAD_LIKERT = "Choose a number from 1 to 5."
BAD_SINGLE = "Choose one of the options."
BAD_MULTIPLE = "Choose options of the list, each once."
BAD_RANKING = "Rank every option once, each in a different place."
LONG_ANSWER = "The answer is too long: at most 2,000 characters."
BAD_TEXT = "Write the answer as text."
NO_CODE = "Enter the one-time code you were given."
UNKNOWN_CODE = "This code does not open this survey: check it (8 letters and digits, like K7QM-3XPA)."
USED_CODE = "This code has been used already: each code answers the survey once."
ANSWERED = "You have answered this survey already: each account answers once."
LOG_IN = "Log in to answer this survey: each account answers it once."
NOT_OPEN = "This survey is not open yet: it takes answers once its organization opens it."
CLOSED = "This survey is closed: it no longer takes answers."
INVALID_ANSWERS = "Some answers are missing or not valid: see the message next to each."
HAS_RESPONSES = (
    "This survey has responses: its questions no longer change, so every answer keeps its meaning."
)
NOT_DRAFT = "Questions change only while the survey is a draft."
SERVICE_MESSAGES = frozenset(
    {
        REQUIRED_ANSWER,
        UNKNOWN_QUESTION,
        BAD_LIKERT,
        BAD_SINGLE,
        BAD_MULTIPLE,
        BAD_RANKING,
        LONG_ANSWER,
        BAD_TEXT,
        NO_CODE,
        UNKNOWN_CODE,
        USED_CODE,
        ANSWERED,
        LOG_IN,
        NOT_OPEN,
        CLOSED,
        INVALID_ANSWERS,
        HAS_RESPONSES,
        NOT_DRAFT,
    }
)


# ---------------------------------------------------------------- who runs a survey


def target_of(survey: Survey) -> Target:
    return Target(organization_id=survey.organization_id)


def may_run(actor: Actor, survey: Survey) -> bool:
    """The survey's officials: its organization's admins and editors (and sysadmins)."""
    return can(actor, "reuse.run_survey", target_of(survey))


def organizations_run_by(session: Session, actor: Actor) -> list[str]:
    """The ids of the organizations whose surveys the actor may run (every active one for a sysadmin)."""
    if actor.sysadmin:
        return [o.id for o in catalog.list_organizations(session, actor)]
    return [
        org_id
        for org_id in actor.memberships
        if can(actor, "reuse.run_survey", Target(organization_id=org_id))
    ]


# ---------------------------------------------------------------- checking what officials write


def _fail(name: str, message: str) -> Invalid:
    return Invalid(message, errors={name: [message]})


def _multilingual(
    value: Mapping[str, str] | None, profile: Profile, name: str, label: str, *, limit: int, required: bool
) -> dict[str, str]:
    """Text per language of the profile: stripped, empty ones dropped; at least one when required."""
    cleaned: dict[str, str] = {}
    for lang, text in (value or {}).items():
        if lang not in profile.languages:
            raise _fail(
                name, f"{label}: {lang!r} is not a language of this portal ({', '.join(profile.languages)})."
            )
        text = (text or "").replace("\x00", "").strip()
        if len(text) > limit:
            raise _fail(name, f"{label} is too long: at most {limit} characters, not {len(text)}.")
        if text:
            cleaned[lang] = text
    if required and not cleaned:
        raise _fail(name, f"{label} is required in at least one language.")
    return cleaned


def _organization(session: Session, name_or_id: str) -> str:
    org_id = catalog.organization_id_of(session, (name_or_id or "").strip())
    if org_id is None:
        raise _fail("organization", f"There is no organization {name_or_id!r}.")
    return org_id


def _access(access: str) -> str:
    if access not in SURVEY_ACCESS:
        raise _fail("access", f"Unknown access {access!r}: use one of {', '.join(SURVEY_ACCESS)}.")
    return access


# ---------------------------------------------------------------- surveys


@dataclass
class SurveyData:
    title: Mapping[str, str]
    organization: str  # its name (slug) or id
    description: Mapping[str, str] = field(default_factory=dict)
    access: str = "signed_in"
    results_public: bool = True


def get_survey(session: Session, survey_id: int) -> Survey:
    survey = session.get(Survey, survey_id) if 0 < survey_id < 2**31 else None
    if survey is None:
        raise NotFound(f"There is no survey {survey_id}.")
    return survey


def visible_survey(session: Session, actor: Actor, survey_id: int) -> Survey:
    """A survey the actor may see: a draft only for its officials (for anyone else it does not exist)."""
    survey = get_survey(session, survey_id)
    if survey.status == "draft" and not may_run(actor, survey):
        raise NotFound(f"There is no survey {survey_id}.")
    return survey


def _as_dict(survey: Survey) -> dict[str, Any]:
    return {
        "title": survey.title,
        "description": survey.description,
        "access": survey.access,
        "status": survey.status,
        "results_public": survey.results_public,
    }


def create_survey(session: Session, actor: Actor, profile: Profile, data: SurveyData) -> Survey:
    org_id = _organization(session, data.organization)
    authorize(actor, "reuse.run_survey", Target(organization_id=org_id))
    survey = Survey(
        title=_multilingual(data.title, profile, "title", "The title", limit=MAX_TITLE, required=True),
        description=_multilingual(
            data.description, profile, "description", "The description", limit=MAX_DESCRIPTION, required=False
        ),
        organization_id=org_id,
        access=_access(data.access),
        status="draft",
        results_public=bool(data.results_public),
        created_by=actor.user_id,
    )
    session.add(survey)
    session.flush()
    audit.record(session, actor, "survey.create", "survey", str(survey.id), None, _as_dict(survey))
    return survey


def update_survey(
    session: Session,
    actor: Actor,
    profile: Profile,
    survey_id: int,
    *,
    title: Mapping[str, str] | None = None,
    description: Mapping[str, str] | None = None,
    access: str | None = None,
    results_public: bool | None = None,
) -> Survey:
    """Change a survey's words, who may answer it (only while a draft) and whether its results are
    public; what is None stays."""
    survey = visible_survey(session, actor, survey_id)
    authorize(actor, "reuse.run_survey", target_of(survey))
    before = _as_dict(survey)
    if title is not None:
        survey.title = _multilingual(title, profile, "title", "The title", limit=MAX_TITLE, required=True)
    if description is not None:
        survey.description = _multilingual(
            description, profile, "description", "The description", limit=MAX_DESCRIPTION, required=False
        )
    if access is not None and access != survey.access:
        if survey.status != "draft":
            message = "Who may answer changes only while the survey is a draft."
            raise Conflict(message, errors={"access": [message]})
        survey.access = _access(access)
    if results_public is not None:
        survey.results_public = bool(results_public)
    audit.record(session, actor, "survey.update", "survey", str(survey.id), before, _as_dict(survey))
    return survey


def delete_survey(session: Session, actor: Actor, survey_id: int) -> None:
    """Delete a draft (a survey that was opened keeps its record: close it instead)."""
    survey = visible_survey(session, actor, survey_id)
    authorize(actor, "reuse.run_survey", target_of(survey))
    if survey.status != "draft" or response_count(session, survey):
        raise Conflict(
            "Only a draft is deleted: a survey that was opened keeps its record, close it instead."
        )
    audit.record(session, actor, "survey.delete", "survey", str(survey.id), _as_dict(survey), None)
    session.delete(survey)
    session.flush()


def open_survey(session: Session, actor: Actor, survey_id: int) -> Survey:
    """Open a draft (or a closed survey again) for answers; it needs a question."""
    survey = visible_survey(session, actor, survey_id)
    authorize(actor, "reuse.run_survey", target_of(survey))
    if survey.status == "open":
        raise Conflict("This survey is open already.")
    if not questions_of(session, survey):
        raise Conflict("Add a question before opening the survey.")
    before = _as_dict(survey)
    survey.status, survey.opened_at, survey.closed_at = "open", utcnow(), None
    audit.record(session, actor, "survey.open", "survey", str(survey.id), before, _as_dict(survey))
    return survey


def close_survey(session: Session, actor: Actor, survey_id: int) -> Survey:
    survey = visible_survey(session, actor, survey_id)
    authorize(actor, "reuse.run_survey", target_of(survey))
    if survey.status != "open":
        raise Conflict("Only an open survey is closed.")
    before = _as_dict(survey)
    survey.status, survey.closed_at = "closed", utcnow()
    audit.record(session, actor, "survey.close", "survey", str(survey.id), before, _as_dict(survey))
    return survey


def list_surveys(
    session: Session,
    actor: Actor,
    *,
    organization: str | None = None,
    status: str | None = None,
    mine: bool = False,
    limit: int = 200,
) -> list[Survey]:
    """Surveys the actor may see, newest first: open ones, closed ones with public results, and every
    survey of the organizations the actor runs surveys of (`mine`: only those)."""
    stmt = select(Survey)
    runs = None if actor.sysadmin else organizations_run_by(session, actor)
    public = (Survey.status == "open") | ((Survey.status == "closed") & Survey.results_public.is_(True))
    if mine:
        if runs is not None:
            stmt = stmt.where(Survey.organization_id.in_(runs))
    elif runs is not None:
        stmt = stmt.where(public | Survey.organization_id.in_(runs)) if runs else stmt.where(public)
    if organization:
        org_id = catalog.organization_id_of(session, organization.strip())
        if org_id is None:
            return []
        stmt = stmt.where(Survey.organization_id == org_id)
    if status:
        stmt = stmt.where(Survey.status == status)
    return list(session.scalars(stmt.order_by(Survey.created_at.desc(), Survey.id.desc()).limit(limit)))


def response_count(session: Session, survey: Survey) -> int:
    return int(session.scalar(select(func.count()).where(SurveyResponse.survey_id == survey.id)) or 0)


def response_counts(session: Session, survey_ids: Sequence[int]) -> dict[int, int]:
    if not survey_ids:
        return {}
    rows = session.execute(
        select(SurveyResponse.survey_id, func.count())
        .where(SurveyResponse.survey_id.in_(survey_ids))
        .group_by(SurveyResponse.survey_id)
    )
    return {int(i): int(n) for i, n in rows.tuples()}


# ---------------------------------------------------------------- questions


@dataclass
class QuestionData:
    kind: str
    text: Mapping[str, str]
    options: Sequence[Mapping[str, str]] = ()  # each per language: for single, multiple and ranking
    required: bool = False


def questions_of(session: Session, survey: Survey) -> list[SurveyQuestion]:
    return list(
        session.scalars(
            select(SurveyQuestion)
            .where(SurveyQuestion.survey_id == survey.id)
            .order_by(SurveyQuestion.position, SurveyQuestion.id)
        )
    )


def _editable(session: Session, actor: Actor, survey_id: int) -> Survey:
    """The survey, once the actor may run it and its questions may still change."""
    survey = visible_survey(session, actor, survey_id)
    authorize(actor, "reuse.run_survey", target_of(survey))
    if response_count(session, survey):
        raise Conflict(HAS_RESPONSES)
    if survey.status != "draft":
        raise Conflict(NOT_DRAFT)
    return survey


def _question(session: Session, survey: Survey, question_id: int) -> SurveyQuestion:
    question = session.get(SurveyQuestion, question_id) if 0 < question_id < 2**31 else None
    if question is None or question.survey_id != survey.id:
        raise NotFound(f"Survey {survey.id} has no question {question_id}.")
    return question


def _question_values(profile: Profile, data: QuestionData) -> dict[str, Any]:
    if data.kind not in QUESTION_KINDS:
        raise _fail(
            "kind", f"Unknown kind of question {data.kind!r}: use one of {', '.join(QUESTION_KINDS)}."
        )
    text = _multilingual(data.text, profile, "text", "The question", limit=MAX_QUESTION, required=True)
    options: list[dict[str, str]] = []
    if data.kind in CHOICE_KINDS:
        if not MIN_OPTIONS <= len(data.options) <= MAX_OPTIONS:
            raise _fail("options", f"Give {MIN_OPTIONS} to {MAX_OPTIONS} options, not {len(data.options)}.")
        for n, option in enumerate(data.options, start=1):
            options.append(
                _multilingual(option, profile, "options", f"Option {n}", limit=MAX_OPTION, required=True)
            )
        for lang in profile.languages:
            written = [o[lang].casefold() for o in options if lang in o]
            if len(written) != len(set(written)):
                raise _fail("options", "Two options have the same text: make each option different.")
    return {"kind": data.kind, "text": text, "options": options, "required": bool(data.required)}


def _question_dict(question: SurveyQuestion) -> dict[str, Any]:
    return {
        "kind": question.kind,
        "text": question.text,
        "options": question.options,
        "required": question.required,
        "position": question.position,
    }


def add_question(
    session: Session, actor: Actor, profile: Profile, survey_id: int, data: QuestionData
) -> SurveyQuestion:
    survey = _editable(session, actor, survey_id)
    values = _question_values(profile, data)
    existing = questions_of(session, survey)
    if len(existing) >= MAX_QUESTIONS:
        raise Conflict(f"A survey has at most {MAX_QUESTIONS} questions.")
    question = SurveyQuestion(survey_id=survey.id, position=len(existing) + 1, **values)
    session.add(question)
    session.flush()
    audit.record(
        session, actor, "survey.question_add", "survey", str(survey.id), None, _question_dict(question)
    )
    return question


def update_question(
    session: Session, actor: Actor, profile: Profile, survey_id: int, question_id: int, data: QuestionData
) -> SurveyQuestion:
    survey = _editable(session, actor, survey_id)
    question = _question(session, survey, question_id)
    values = _question_values(profile, data)
    before = _question_dict(question)
    for key, value in values.items():
        setattr(question, key, value)
    audit.record(
        session, actor, "survey.question_update", "survey", str(survey.id), before, _question_dict(question)
    )
    return question


def delete_question(session: Session, actor: Actor, survey_id: int, question_id: int) -> None:
    survey = _editable(session, actor, survey_id)
    question = _question(session, survey, question_id)
    audit.record(
        session, actor, "survey.question_delete", "survey", str(survey.id), _question_dict(question), None
    )
    session.delete(question)
    session.flush()
    _renumber([q for q in questions_of(session, survey) if q.id != question.id])


def _renumber(questions: Sequence[SurveyQuestion]) -> None:
    for position, question in enumerate(questions, start=1):
        question.position = position


def reorder_questions(
    session: Session, actor: Actor, survey_id: int, order: Sequence[int]
) -> list[SurveyQuestion]:
    """Put the questions in this order (every question's id once)."""
    survey = _editable(session, actor, survey_id)
    questions = {q.id: q for q in questions_of(session, survey)}
    if sorted(order) != sorted(questions):
        raise _fail("questions", "Name every question of the survey once, in the new order.")
    before = [q.id for q in questions_of(session, survey)]
    _renumber([questions[i] for i in order])
    session.flush()
    audit.record(
        session, actor, "survey.reorder", "survey", str(survey.id), {"order": before}, {"order": list(order)}
    )
    return questions_of(session, survey)


def move_question(session: Session, actor: Actor, survey_id: int, question_id: int, offset: int) -> None:
    """Move a question up (-1) or down (+1) one place; at either end it stays."""
    survey = _editable(session, actor, survey_id)
    order = [q.id for q in questions_of(session, survey)]
    _question(session, survey, question_id)
    at = order.index(question_id)
    to = min(max(at + offset, 0), len(order) - 1)
    order.insert(to, order.pop(at))
    reorder_questions(session, actor, survey_id, order)


# ---------------------------------------------------------------- one-time codes


def normalise_code(raw: str) -> str:
    """A code as typed ("k7qm 3xpa", "K7QM-3XPA") in its stored form: upper case, no separators."""
    return "".join(ch for ch in (raw or "").upper() if ch.isalnum())


def format_code(code: str) -> str:
    return f"{code[:4]}-{code[4:]}"


def code_hash(code: str, survey_id: int, secret: str) -> str:
    """What is kept of a code: an HMAC under the portal's secret key, so a copy of the database alone does
    not give the codes back by trying every one."""
    message = f"{survey_id}:{normalise_code(code)}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def create_codes(session: Session, actor: Actor, survey_id: int, count: int, *, secret: str) -> list[str]:
    """Make `count` new one-time codes (1-500 at a time) for a survey answered with codes; the plain codes
    are given back this once, only their hashes are kept."""
    survey = visible_survey(session, actor, survey_id)
    authorize(actor, "reuse.run_survey", target_of(survey))
    if survey.access != "codes":
        raise Conflict("This survey is answered by signed-in people: it has no one-time codes.")
    if survey.status == "closed":
        raise Conflict(CLOSED)
    if not 1 <= count <= MAX_CODES_AT_ONCE:
        raise _fail("count", f"Make 1 to {MAX_CODES_AT_ONCE} codes at a time.")
    made = int(session.scalar(select(func.count()).where(SurveyCode.survey_id == survey.id)) or 0)
    if made + count > MAX_CODES:
        raise _fail("count", f"A survey has at most {MAX_CODES:,} codes; this one has {made:,}.")
    codes: list[str] = []
    while len(codes) < count:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        try:
            with session.begin_nested():  # the same code twice, anywhere on the portal: draw again
                session.add(SurveyCode(survey_id=survey.id, code_hash=code_hash(code, survey.id, secret)))
                session.flush()
        except IntegrityError:
            continue
        codes.append(format_code(code))
    audit.record(session, actor, "survey.codes", "survey", str(survey.id), None, {"made": count})
    return codes


def code_counts(session: Session, survey: Survey) -> tuple[int, int]:
    """(codes made, codes used)."""
    made, used = session.execute(
        select(func.count(SurveyCode.id), func.count(SurveyCode.used_at)).where(
            SurveyCode.survey_id == survey.id
        )
    ).one()
    return int(made or 0), int(used or 0)


# ---------------------------------------------------------------- answering


def _one_answer(question: SurveyQuestion, value: Any) -> Any:
    """The answer as stored, or ValueError with what is wrong (the message a participant reads)."""
    count = len(question.options)
    if question.kind == "likert":
        if isinstance(value, bool) or not isinstance(value, int) or value not in LIKERT:
            raise ValueError(BAD_LIKERT)
        return value
    if question.kind == "single":
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < count:
            raise ValueError(BAD_SINGLE)
        return value
    if question.kind in ("multiple", "ranking"):
        items = list(value) if isinstance(value, list | tuple) else None
        if items is None or any(isinstance(i, bool) or not isinstance(i, int) for i in items):
            raise ValueError(BAD_MULTIPLE if question.kind == "multiple" else BAD_RANKING)
        if question.kind == "ranking":
            if sorted(items) != list(range(count)):
                raise ValueError(BAD_RANKING)
            return items
        if len(set(items)) != len(items) or any(not 0 <= i < count for i in items):
            raise ValueError(BAD_MULTIPLE)
        return sorted(items)
    if not isinstance(value, str):
        raise ValueError(BAD_TEXT)
    text = value.replace("\x00", "").strip()
    if len(text) > MAX_ANSWER:
        raise ValueError(LONG_ANSWER)
    return text


def _unanswered(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()) or value == []


def clean_answers(questions: Sequence[SurveyQuestion], answers: Mapping[str, Any]) -> dict[str, Any]:
    """Every answer checked against its question (keyed by the question's id as text); the errors are
    keyed `answers.<question id>`."""
    known = {str(q.id): q for q in questions}
    errors: dict[str, list[str]] = {
        f"answers.{key}": [UNKNOWN_QUESTION] for key in answers if str(key) not in known
    }
    cleaned: dict[str, Any] = {}
    for key, question in known.items():
        value = answers.get(key)
        if _unanswered(value):
            if question.required:
                errors[f"answers.{key}"] = [REQUIRED_ANSWER]
            continue
        try:
            cleaned[key] = _one_answer(question, value)
        except ValueError as exc:
            errors[f"answers.{key}"] = [str(exc)]
    if errors:
        raise Invalid(INVALID_ANSWERS, errors=errors)
    return cleaned


def check_may_answer(actor: Actor, survey: Survey) -> None:
    """Refuse a survey that takes no answers now, or a visitor who must log in first."""
    if survey.status == "draft":
        raise Conflict(NOT_OPEN)
    if survey.status == "closed":
        raise Conflict(CLOSED)
    if survey.access == "signed_in" and actor.user_id is None:
        raise NotAuthenticated(LOG_IN)


def has_answered(session: Session, actor: Actor, survey: Survey) -> bool:
    if survey.access != "signed_in" or actor.user_id is None:
        return False
    found = session.scalar(
        select(SurveyResponse.id).where(
            SurveyResponse.survey_id == survey.id, SurveyResponse.user_id == actor.user_id
        )
    )
    return found is not None


def submit_response(
    session: Session,
    actor: Actor,
    survey_id: int,
    answers: Mapping[str, Any],
    code: str | None = None,
    *,
    secret: str,
) -> SurveyResponse:
    """Record one participant's answers: once per account (a survey for signed-in people) or once per
    one-time code (anyone holding one, signed in or not; the account is then not kept with the answers).
    Answering is no official's action, so no rule of the registry is asked: the survey's access decides."""
    survey = visible_survey(session, actor, survey_id)
    check_may_answer(actor, survey)
    code_row: SurveyCode | None = None
    if survey.access == "codes":
        if not normalise_code(code or ""):
            raise Invalid(NO_CODE, errors={"code": [NO_CODE]})
        code_row = session.scalar(
            select(SurveyCode).where(
                SurveyCode.code_hash == code_hash(code or "", survey.id, secret),
                SurveyCode.survey_id == survey.id,
            )
        )
        if code_row is None:
            raise Invalid(UNKNOWN_CODE, errors={"code": [UNKNOWN_CODE]})
        if code_row.used_at is not None:
            raise Conflict(USED_CODE, errors={"code": [USED_CODE]})
    elif has_answered(session, actor, survey):
        raise Conflict(ANSWERED)
    cleaned = clean_answers(questions_of(session, survey), answers)
    response = SurveyResponse(
        survey_id=survey.id,
        user_id=actor.user_id if code_row is None else None,
        code_id=code_row.id if code_row is not None else None,
        answers=cleaned,
        submitted_at=utcnow(),
    )
    try:
        with session.begin_nested():  # a second submission at the same moment: the unique keys refuse it
            session.add(response)
            session.flush()
            if code_row is not None:
                taken = session.execute(
                    update(SurveyCode)
                    .where(SurveyCode.id == code_row.id, SurveyCode.used_at.is_(None))
                    .values(used_at=response.submitted_at)
                    .execution_options(synchronize_session=False)
                )
                if cast(CursorResult[Any], taken).rowcount != 1:
                    raise IntegrityError("used", None, Exception("the code was used meanwhile"))
    except IntegrityError:
        if code_row is not None:
            raise Conflict(USED_CODE, errors={"code": [USED_CODE]}) from None
        raise Conflict(ANSWERED) from None
    return response


# ---------------------------------------------------------------- results


@dataclass(frozen=True)
class OptionCount:
    index: int  # the option's index; for a Likert question the point 1-5
    count: int
    share: float | None  # of the participants who answered the question


@dataclass(frozen=True)
class RankRow:
    index: int
    mean_rank: float | None  # 1 is first: lower is better
    first: int  # how often ranked first


@dataclass
class QuestionResults:
    question: SurveyQuestion
    answered: int
    counts: list[OptionCount] = field(default_factory=list)
    mean: float | None = None
    median: float | None = None
    ranking: list[RankRow] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)  # the newest first, masked by the personal-data guard
    text_count: int = 0
    cloud: list[CloudWord] = field(default_factory=list)


@dataclass
class SurveyResults:
    survey: Survey
    responses: int
    last_at: datetime | None
    questions: list[QuestionResults]


def may_see_results(actor: Actor, survey: Survey) -> bool:
    if may_run(actor, survey):
        return True
    return survey.results_public and survey.status != "draft"


def check_may_see_results(session: Session, actor: Actor, survey_id: int) -> Survey:
    survey = visible_survey(session, actor, survey_id)
    if not may_see_results(actor, survey):
        message = "The results of this survey are for its organization only."
        raise NotAuthenticated(message) if actor.user_id is None else Forbidden(message)
    return survey


def _share(count: int, of: int) -> float | None:
    return count / of if of else None


def _tally(question: SurveyQuestion, values: list[Any], profile: Profile) -> QuestionResults:
    found = QuestionResults(question=question, answered=len(values))
    n = len(values)
    if question.kind == "likert":
        found.counts = [OptionCount(p, values.count(p), _share(values.count(p), n)) for p in LIKERT]
        if values:
            found.mean = statistics.fmean(values)
            found.median = float(statistics.median(values))
    elif question.kind == "single":
        found.counts = [
            OptionCount(i, values.count(i), _share(values.count(i), n)) for i in range(len(question.options))
        ]
    elif question.kind == "multiple":
        chosen = [sum(1 for v in values if i in v) for i in range(len(question.options))]
        found.counts = [OptionCount(i, c, _share(c, n)) for i, c in enumerate(chosen)]
    elif question.kind == "ranking":
        rows = []
        for i in range(len(question.options)):
            ranks = [v.index(i) + 1 for v in values if i in v]
            rows.append(
                RankRow(i, statistics.fmean(ranks) if ranks else None, sum(1 for v in values if v[:1] == [i]))
            )
        found.ranking = rows
    else:
        texts = [quality.mask_text(v, profile) for v in values]
        found.text_count = len(texts)
        found.texts = list(reversed(texts))[:SHOWN_TEXTS]
        found.cloud = word_cloud(texts, rules_for(profile).stop_words)
    return found


def results(session: Session, profile: Profile, survey: Survey) -> SurveyResults:
    """Every question's aggregates over the survey's responses (free text masked by the personal-data
    guard before it is shown or counted into the word cloud)."""
    questions = questions_of(session, survey)
    rows = session.execute(
        select(SurveyResponse.answers, SurveyResponse.submitted_at)
        .where(SurveyResponse.survey_id == survey.id)
        .order_by(SurveyResponse.id)
    ).all()
    per_question: dict[str, list[Any]] = {str(q.id): [] for q in questions}
    for answers, _at in rows:
        for key, value in (answers or {}).items():
            if key in per_question:
                per_question[key].append(value)
    return SurveyResults(
        survey=survey,
        responses=len(rows),
        last_at=max((at for _a, at in rows), default=None),
        questions=[_tally(q, per_question[str(q.id)], profile) for q in questions],
    )


# ---------------------------------------------------------------- CSV


def _cell(question: SurveyQuestion, value: Any, lang: str, fallback: Sequence[str]) -> str:
    def option(i: int) -> str:
        return pick(question.options[i], lang, fallback) if 0 <= i < len(question.options) else str(i)

    if value is None:
        return ""
    if question.kind == "likert":
        return str(value)
    if question.kind == "single":
        return option(int(value))
    if question.kind in ("multiple", "ranking"):
        return "; ".join(option(int(i)) for i in value)
    return str(value)


def responses_csv(
    session: Session, profile: Profile, survey: Survey, lang: str, *, masked: bool = True
) -> str:
    """One row per response (in the order they came): its number, when it was submitted (UTC; to the hour
    unless `masked` is False) and a column
    per question (options by their text in `lang`, several joined with "; ", a ranking first to last).
    Text a spreadsheet would run as a formula starts with a quote; free text is masked by the personal-data
    guard unless `masked` is False (the survey's officials)."""
    fallback = (lang, profile.default_language, *profile.languages)
    questions = questions_of(session, survey)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "response",
            "submitted_at",
            *(formula_guard(f"{q.position}. {pick(q.text, lang, fallback)}") for q in questions),
        ]
    )
    rows = session.execute(
        select(SurveyResponse.answers, SurveyResponse.submitted_at)
        .where(SurveyResponse.survey_id == survey.id)
        .order_by(SurveyResponse.id)
    )
    for number, (answers, at) in enumerate(rows.tuples(), start=1):
        cells = []
        for q in questions:
            cell = _cell(q, (answers or {}).get(str(q.id)), lang, fallback)
            if q.kind == "text" and masked:
                cell = quality.mask_text(cell, profile)
            cells.append(formula_guard(cell))
        # the public reads the hour only: at a session, the minute a code was used can point to its holder
        when = at.isoformat(timespec="seconds") if not masked else at.strftime("%Y-%m-%dT%H:00Z")
        writer.writerow([number, when, *cells])
    return out.getvalue()
