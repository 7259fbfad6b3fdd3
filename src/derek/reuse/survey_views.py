"""The pages of surveys for co-creation sessions: the list of surveys, the answer form (a code field for
surveys answered with one-time codes, `?code=` fills it), the live results (charts, a word cloud of the free
text, CSV), and the officials' pages: a new survey, its details, its questions while it is a draft,
opening and closing, and one-time codes to print. Every page works without JavaScript; HTMX only refreshes
the results block every 10 seconds while the survey is open."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Annotated, Any

from babel.numbers import format_decimal
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from derek.core.errors import Conflict, Forbidden, Invalid, NotFound
from derek.reuse import survey_service as surveys
from derek.reuse.models import QUESTION_KINDS, SURVEY_ACCESS, Survey, SurveyQuestion
from derek.web.account_views import FormDep
from derek.web.charts import BarChart, bar_chart
from derek.web.deps import ActorDep, LangDep, ProfileDep, SessionDep, get_settings
from derek.web.forms import FieldErrors, checked, from_domain, text
from derek.web.pages import HTMX_PATH, env, flash, render
from derek.web.security import check_csrf
from derek.web.visit import Visit as BaseVisit
from derek.web.visit import percent, to_login

router = APIRouter(include_in_schema=False)

POLL_SECONDS = 10  # the results block refreshes itself this often while the survey is open
SHOWN_ANSWERS = 200  # free-text answers on the results page (the newest); the CSV has them all

# ---------------------------------------------------------------- msgids (English) of what the pages say

KIND_LABELS = {
    "likert": "Scale from 1 to 5",
    "single": "One choice",
    "multiple": "Several choices",
    "ranking": "Ranking",
    "text": "Free text",
}
LIKERT_LABELS = {
    1: "Strongly disagree",
    2: "Disagree",
    3: "Neither agree nor disagree",
    4: "Agree",
    5: "Strongly agree",
}
STATUS_LABELS = {"draft": "Draft", "open": "Open for answers", "closed": "Closed"}
STATUS_BADGES = {"draft": "badge-draft", "open": "badge-published", "closed": "badge-private"}
ACCESS_LABELS = {
    "signed_in": "Anyone signed in, once per account",
    "codes": "Whoever holds a one-time code handed out at a session",
}
DONE = {
    "survey": "The survey is saved as a draft: add its questions, then open it.",
    "details": "The survey is saved.",
    "question": "The question is added.",
    "question_edit": "The question is saved.",
    "question_delete": "The question was deleted.",
    "move": "The questions are in their new order.",
    "open": "The survey is open: participants can answer it now.",
    "close": "The survey is closed: it takes no more answers.",
    "delete": "The draft survey was deleted.",
    "answer": "Thank you: your answers are recorded.",
}
# next to a field the service refused (its own words name limits in English)
FIELD_MESSAGES: dict[str, dict[str, str]] = {
    "survey": {
        "title": "Give the title in at least one language (at most 300 characters).",
        "description": "The description is too long: at most 5,000 characters.",
        "organization": "Choose an organization whose surveys you run.",
        "access": "Choose who may answer.",
    },
    "question": {
        "kind": "Choose the kind of question.",
        "text": "Write the question in at least one language (at most 1,000 characters).",
        "options": "Give 2 to 20 different options, one per line, of at most 300 characters each.",
    },
    "codes": {"count": "Make 1 to 500 codes at a time."},
}
FIELD_MESSAGES["details"] = FIELD_MESSAGES["survey"]
FIELD_MESSAGES["question_edit"] = FIELD_MESSAGES["question"]
OPTION_LINES = "Every language needs the same number of lines: option 1 on line 1 in each language."
# when a step is no longer possible (the service's reasons name states in English)
CONFLICT_MESSAGES = {
    "question": surveys.NOT_DRAFT,
    "question_edit": surveys.NOT_DRAFT,
    "question_delete": surveys.NOT_DRAFT,
    "move": surveys.NOT_DRAFT,
    "open": "The survey cannot be opened now: it is open already or has no question.",
    "close": "Only an open survey can be closed.",
    "delete": "Only a draft is deleted: a survey that was opened keeps its record, close it instead.",
    "codes": "Codes are made only for a survey answered with codes that is not closed.",
    "details": "Who may answer changes only while the survey is a draft.",
}
PAGE_MESSAGES = {
    "results_private": "The results of this survey are for its organization only.",
    "only_officials": "Only the admins and editors of an organization run its surveys.",
    "no_organization": "You run the surveys of no organization: an organization's admins and editors do.",
}
OWN_WORDS = surveys.SERVICE_MESSAGES | {OPTION_LINES}  # messages shown as they are (translated)


# ---------------------------------------------------------------- what every page works with


def throttle_unknown_code(request: Request, refused: Invalid) -> None:
    """Count a code the survey does not know against the caller's address: after ten in a minute the
    portal answers 429 (RateLimited), so codes cannot be found by trying them. Valid codes, even thirty
    from one room's address, are not counted."""
    if refused.message == surveys.UNKNOWN_CODE:
        client = request.client.host if request.client else "unknown"
        request.app.state.login_limiter.hit(f"survey-code:{client}")


class Visit(BaseVisit):
    """A page of surveys: the visit with the organizations' names and the labels of its pages."""

    @property
    def secret(self) -> str:
        """The portal's secret key: one-time codes are kept as HMACs under it."""
        return get_settings(self.request).effective_secret_key()

    def t(self, value: dict[str, str] | None) -> str:
        return self.title(value)

    def org(self, organization_id: str) -> tuple[str, str]:
        """(name, title) of an organization, read once per request."""
        found = self.find_org(organization_id)
        return (found.name, found.title) if found else ("", "")

    def context(self) -> dict[str, Any]:
        return {
            "kind_labels": KIND_LABELS,
            "likert_labels": LIKERT_LABELS,
            "status_labels": STATUS_LABELS,
            "status_badges": STATUS_BADGES,
            "access_labels": ACCESS_LABELS,
            "htmx_path": HTMX_PATH,
            "poll_seconds": POLL_SECONDS,
        }

    def page(self, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
        return render(self.request, template, status_code=status_code, **self.context(), **context)


def get_visit(
    request: Request, session: SessionDep, actor: ActorDep, profile: ProfileDep, lang: LangDep
) -> Visit:
    return Visit(request, session, actor, profile, lang)


VisitDep = Annotated[Visit, Depends(get_visit)]


def _csrf(v: Visit, form: FormData) -> None:
    check_csrf(v.request, text(form, "csrf_token"))


def _errors(form: str, exc: Invalid | Conflict) -> FieldErrors:
    """The service's errors in the page's words: a field's message from FIELD_MESSAGES (or the service's
    own when the pages translate it), a conflict's from CONFLICT_MESSAGES."""
    messages = FIELD_MESSAGES.get(form, {})
    found: FieldErrors = {}
    for key, said in from_domain(exc).items():
        if key == "form":
            own = said[0] in OWN_WORDS
            found["form"] = said if own or form not in CONFLICT_MESSAGES else [CONFLICT_MESSAGES[form]]
        elif said[0] in OWN_WORDS:
            found[f"{form}-{key}"] = said
        else:
            found[f"{form}-{key}"] = [messages.get(key, said[0])]
    return found


def _act(
    v: Visit,
    form: str,
    step: Callable[[], object],
    done_url: str,
    again: Callable[[FieldErrors, int], Response],
) -> Response:
    """Run one change: 303 to done_url with a message, or the page again with the errors (422), or why the
    change is no longer possible (409)."""
    try:
        step()
    except (Invalid, Conflict) as exc:
        v.session.rollback()
        return again(_errors(form, exc), 409 if isinstance(exc, Conflict) else 422)
    v.session.commit()
    flash(v.request, DONE[form])
    return RedirectResponse(done_url, status_code=303)


def _official_survey(v: Visit, survey_id: int) -> Survey:
    """A survey whose officials the actor is among (others: 403; a draft stays unseen: 404)."""
    survey = surveys.visible_survey(v.session, v.actor, survey_id)
    if not surveys.may_run(v.actor, survey):
        raise Forbidden(PAGE_MESSAGES["only_officials"])
    return survey


def _number(value: float | None, lang: str, pattern: str = "#,##0.##") -> str:
    if value is None:
        return "—"
    try:
        return format_decimal(value, pattern, locale=lang)
    except (ValueError, LookupError):
        return f"{value:.2f}"


# ---------------------------------------------------------------- the list of surveys


@dataclass
class SurveyRow:
    id: int
    title: str
    description: str
    organization: tuple[str, str]
    status: str
    access: str
    results_public: bool
    responses: int
    survey: Survey


def _rows(v: Visit, rows: list[Survey]) -> list[SurveyRow]:
    counts = surveys.response_counts(v.session, [s.id for s in rows])
    return [
        SurveyRow(
            s.id,
            v.t(s.title),
            v.t(s.description),
            v.org(s.organization_id),
            s.status,
            s.access,
            s.results_public,
            counts.get(s.id, 0),
            s,
        )
        for s in rows
    ]


@router.get("/reuse/surveys", response_class=HTMLResponse)
def surveys_page(v: VisitDep) -> HTMLResponse:
    """Open surveys to answer, closed ones with public results, and the surveys of the organizations the
    visitor runs (drafts too)."""
    public = surveys.list_surveys(v.session, v.actor)
    runs = surveys.organizations_run_by(v.session, v.actor) if v.actor.user_id or v.actor.sysadmin else []
    mine = surveys.list_surveys(v.session, v.actor, mine=True) if runs else []
    return v.page(
        "reuse/survey_list.html",
        open_rows=_rows(v, [s for s in public if s.status == "open"]),
        closed_rows=_rows(v, [s for s in public if s.status == "closed" and s.results_public]),
        mine=_rows(v, mine),
        runs=bool(runs),
    )


# ---------------------------------------------------------------- a new survey and its details


def _languages(v: Visit) -> list[str]:
    return list(v.profile.languages)


def _survey_values(v: Visit, form: FormData | None = None, survey: Survey | None = None) -> dict[str, Any]:
    if form is None:
        return {
            "title": dict(survey.title) if survey else {},
            "description": dict(survey.description) if survey else {},
            "organization": v.org(survey.organization_id)[0] if survey else "",
            "access": survey.access if survey else "signed_in",
            "results_public": survey.results_public if survey else True,
        }
    return {
        "title": {lang: text(form, f"title_{lang}") for lang in _languages(v)},
        "description": {lang: text(form, f"description_{lang}") for lang in _languages(v)},
        "organization": text(form, "organization"),
        "access": text(form, "access") or "signed_in",
        "results_public": checked(form, "results_public"),
    }


def _org_options(v: Visit) -> list[tuple[str, str]]:
    options = [v.org(org_id) for org_id in surveys.organizations_run_by(v.session, v.actor)]
    return sorted((o for o in options if o[0]), key=lambda o: o[1].casefold())


def _survey_form(
    v: Visit,
    values: dict[str, Any],
    *,
    survey: Survey | None = None,
    errors: FieldErrors | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    return v.page(
        "reuse/survey_form.html",
        status_code=status_code,
        values=values,
        errors=errors or {},
        survey=survey,
        survey_title=v.t(survey.title) if survey else "",
        organizations=_org_options(v),
        organization=v.org(survey.organization_id) if survey else None,
        access_options=[(code, ACCESS_LABELS[code]) for code in SURVEY_ACCESS],
    )


@router.get("/reuse/surveys/new", response_class=HTMLResponse)
def new_survey_page(v: VisitDep, organization: Annotated[str, Query(max_length=100)] = "") -> Response:
    if not v.actor.authenticated:
        return to_login(v.request, "/reuse/surveys/new")
    options = _org_options(v)
    if not options:
        raise Forbidden(PAGE_MESSAGES["no_organization"])
    values = _survey_values(v)
    values["organization"] = organization if organization in dict(options) else options[0][0]
    return _survey_form(v, values)


@router.post("/reuse/surveys/new", response_class=HTMLResponse)
def create_survey(v: VisitDep, submitted: FormDep) -> Response:
    _csrf(v, submitted)
    if not v.actor.authenticated:
        return to_login(v.request, "/reuse/surveys/new")
    values = _survey_values(v, submitted)
    made: list[Survey] = []

    def step() -> None:
        made.append(surveys.create_survey(v.session, v.actor, v.profile, surveys.SurveyData(**values)))

    try:
        step()
    except (Invalid, Conflict) as exc:
        v.session.rollback()
        return _survey_form(v, values, errors=_errors("survey", exc), status_code=422)
    v.session.commit()
    flash(v.request, DONE["survey"])
    return RedirectResponse(f"/reuse/surveys/{made[0].id}/manage", status_code=303)


@router.get("/reuse/surveys/{survey_id}/edit", response_class=HTMLResponse)
def edit_survey_page(v: VisitDep, survey_id: int) -> Response:
    if not v.actor.authenticated:
        return to_login(v.request, f"/reuse/surveys/{survey_id}/edit")
    survey = _official_survey(v, survey_id)
    return _survey_form(v, _survey_values(v, survey=survey), survey=survey)


@router.post("/reuse/surveys/{survey_id}/edit", response_class=HTMLResponse)
def update_survey(v: VisitDep, survey_id: int, submitted: FormDep) -> Response:
    _csrf(v, submitted)
    if not v.actor.authenticated:
        return to_login(v.request, f"/reuse/surveys/{survey_id}/edit")
    survey = _official_survey(v, survey_id)
    values = _survey_values(v, submitted)
    values["organization"] = v.org(survey.organization_id)[0]
    return _act(
        v,
        "details",
        lambda: surveys.update_survey(
            v.session,
            v.actor,
            v.profile,
            survey_id,
            title=values["title"],
            description=values["description"],
            access=values["access"] if survey.status == "draft" else None,
            results_public=values["results_public"],
        ),
        f"/reuse/surveys/{survey_id}/manage",
        lambda errors, status: _survey_form(
            v,
            values,
            survey=survey,
            errors={k.replace("details-", "survey-"): m for k, m in errors.items()},
            status_code=status,
        ),
    )


# ---------------------------------------------------------------- the officials' page of a survey


@dataclass
class QuestionView:
    id: int
    position: int
    kind: str
    text: str
    options: list[str]
    required: bool


def _question_views(v: Visit, questions: list[SurveyQuestion]) -> list[QuestionView]:
    return [
        QuestionView(q.id, q.position, q.kind, v.t(q.text), [v.t(o) for o in q.options], q.required)
        for q in questions
    ]


def _question_values(
    v: Visit, form: FormData | None = None, question: SurveyQuestion | None = None
) -> dict[str, Any]:
    langs = _languages(v)
    if form is None:
        return {
            "kind": question.kind if question else "likert",
            "text": dict(question.text) if question else {},
            "options": {
                lang: "\n".join(o.get(lang, "") for o in question.options)
                if question and question.options
                else ""
                for lang in langs
            },
            "required": question.required if question else False,
        }
    return {
        "kind": text(form, "kind"),
        "text": {lang: text(form, f"text_{lang}") for lang in langs},
        "options": {lang: text(form, f"options_{lang}") for lang in langs},
        "required": checked(form, "required"),
    }


def _question_data(values: dict[str, Any]) -> surveys.QuestionData:
    """The options typed one per line per language, as options each with its text per language."""
    kind = values["kind"]
    options: list[dict[str, str]] = []
    if kind in surveys.CHOICE_KINDS:
        lines = {
            lang: [line.strip() for line in raw.splitlines() if line.strip()]
            for lang, raw in values["options"].items()
        }
        counts = {len(found) for found in lines.values() if found}
        if len(counts) > 1:
            raise Invalid(OPTION_LINES, errors={"options": [OPTION_LINES]})
        for i in range(max(counts, default=0)):
            options.append({lang: found[i] for lang, found in lines.items() if found})
    return surveys.QuestionData(kind=kind, text=values["text"], options=options, required=values["required"])


def _manage_page(
    v: Visit,
    survey: Survey,
    *,
    question_values: dict[str, Any] | None = None,
    errors: FieldErrors | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    questions = surveys.questions_of(v.session, survey)
    responses = surveys.response_count(v.session, survey)
    made, used = surveys.code_counts(v.session, survey)
    return v.page(
        "reuse/survey_manage.html",
        status_code=status_code,
        survey=survey,
        survey_title=v.t(survey.title),
        organization=v.org(survey.organization_id),
        questions=_question_views(v, questions),
        responses=responses,
        codes_made=made,
        codes_used=used,
        editable=survey.status == "draft" and responses == 0,
        values=question_values or _question_values(v),
        errors=errors or {},
        kinds=[(k, KIND_LABELS[k]) for k in QUESTION_KINDS],
        max_codes=surveys.MAX_CODES_AT_ONCE,
    )


@router.get("/reuse/surveys/{survey_id}/manage", response_class=HTMLResponse)
def manage_page(v: VisitDep, survey_id: int) -> Response:
    if not v.actor.authenticated:
        return to_login(v.request, f"/reuse/surveys/{survey_id}/manage")
    return _manage_page(v, _official_survey(v, survey_id))


def _on_survey(
    v: Visit, survey_id: int, form: str, submitted: FormData, step: Callable[[Survey], object]
) -> Response:
    """A button of the officials' page: the change, then back to the page (or the page with why not)."""
    _csrf(v, submitted)
    manage = f"/reuse/surveys/{survey_id}/manage"
    if not v.actor.authenticated:
        return to_login(v.request, manage)
    survey = _official_survey(v, survey_id)
    return _act(
        v,
        form,
        lambda: step(survey),
        manage,
        lambda errors, status: _manage_page(
            v, surveys.get_survey(v.session, survey_id), errors=errors, status_code=status
        ),
    )


@router.post("/reuse/surveys/{survey_id}/open", response_class=HTMLResponse)
def open_survey(v: VisitDep, survey_id: int, submitted: FormDep) -> Response:
    return _on_survey(
        v, survey_id, "open", submitted, lambda s: surveys.open_survey(v.session, v.actor, s.id)
    )


@router.post("/reuse/surveys/{survey_id}/close", response_class=HTMLResponse)
def close_survey(v: VisitDep, survey_id: int, submitted: FormDep) -> Response:
    return _on_survey(
        v, survey_id, "close", submitted, lambda s: surveys.close_survey(v.session, v.actor, s.id)
    )


@router.post("/reuse/surveys/{survey_id}/delete", response_class=HTMLResponse)
def delete_survey(v: VisitDep, survey_id: int, submitted: FormDep) -> Response:
    _csrf(v, submitted)
    if not v.actor.authenticated:
        return to_login(v.request, f"/reuse/surveys/{survey_id}/manage")
    survey = _official_survey(v, survey_id)
    return _act(
        v,
        "delete",
        lambda: surveys.delete_survey(v.session, v.actor, survey.id),
        "/reuse/surveys",
        lambda errors, status: _manage_page(v, survey, errors=errors, status_code=status),
    )


@router.post("/reuse/surveys/{survey_id}/questions", response_class=HTMLResponse)
def add_question(v: VisitDep, survey_id: int, submitted: FormDep) -> Response:
    _csrf(v, submitted)
    manage = f"/reuse/surveys/{survey_id}/manage"
    if not v.actor.authenticated:
        return to_login(v.request, manage)
    survey = _official_survey(v, survey_id)
    values = _question_values(v, submitted)
    return _act(
        v,
        "question",
        lambda: surveys.add_question(v.session, v.actor, v.profile, survey.id, _question_data(values)),
        f"{manage}#questions",
        lambda errors, status: _manage_page(
            v, survey, question_values=values, errors=errors, status_code=status
        ),
    )


def _question_form(
    v: Visit,
    survey: Survey,
    question: SurveyQuestion,
    values: dict[str, Any],
    errors: FieldErrors | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    return v.page(
        "reuse/survey_question_form.html",
        status_code=status_code,
        survey=survey,
        survey_title=v.t(survey.title),
        question=question,
        values=values,
        errors={k.replace("question_edit-", "question-"): m for k, m in (errors or {}).items()},
        kinds=[(k, KIND_LABELS[k]) for k in QUESTION_KINDS],
    )


def _survey_question(v: Visit, survey_id: int, question_id: int) -> tuple[Survey, SurveyQuestion]:
    survey = _official_survey(v, survey_id)
    found = next((q for q in surveys.questions_of(v.session, survey) if q.id == question_id), None)
    if found is None:
        raise NotFound(f"Survey {survey_id} has no question {question_id}.")
    return survey, found


@router.get("/reuse/surveys/{survey_id}/questions/{question_id}/edit", response_class=HTMLResponse)
def edit_question_page(v: VisitDep, survey_id: int, question_id: int) -> Response:
    if not v.actor.authenticated:
        return to_login(v.request, f"/reuse/surveys/{survey_id}/questions/{question_id}/edit")
    survey, question = _survey_question(v, survey_id, question_id)
    return _question_form(v, survey, question, _question_values(v, question=question))


@router.post("/reuse/surveys/{survey_id}/questions/{question_id}/edit", response_class=HTMLResponse)
def update_question(v: VisitDep, survey_id: int, question_id: int, submitted: FormDep) -> Response:
    _csrf(v, submitted)
    if not v.actor.authenticated:
        return to_login(v.request, f"/reuse/surveys/{survey_id}/questions/{question_id}/edit")
    survey, question = _survey_question(v, survey_id, question_id)
    values = _question_values(v, submitted)
    return _act(
        v,
        "question_edit",
        lambda: surveys.update_question(
            v.session, v.actor, v.profile, survey.id, question.id, _question_data(values)
        ),
        f"/reuse/surveys/{survey_id}/manage#question-{question_id}",
        lambda errors, status: _question_form(v, survey, question, values, errors, status),
    )


@router.post("/reuse/surveys/{survey_id}/questions/{question_id}/delete", response_class=HTMLResponse)
def delete_question(v: VisitDep, survey_id: int, question_id: int, submitted: FormDep) -> Response:
    return _on_survey(
        v,
        survey_id,
        "question_delete",
        submitted,
        lambda s: surveys.delete_question(v.session, v.actor, s.id, question_id),
    )


@router.post("/reuse/surveys/{survey_id}/questions/{question_id}/move", response_class=HTMLResponse)
def move_question(v: VisitDep, survey_id: int, question_id: int, submitted: FormDep) -> Response:
    offset = -1 if text(submitted, "direction") == "up" else 1
    return _on_survey(
        v,
        survey_id,
        "move",
        submitted,
        lambda s: surveys.move_question(v.session, v.actor, s.id, question_id, offset),
    )


@router.post("/reuse/surveys/{survey_id}/codes", response_class=HTMLResponse)
def create_codes(v: VisitDep, survey_id: int, submitted: FormDep) -> Response:
    """Make one-time codes and show them this once, on a page to print (they are never stored in plain)."""
    _csrf(v, submitted)
    if not v.actor.authenticated:
        return to_login(v.request, f"/reuse/surveys/{survey_id}/manage")
    survey = _official_survey(v, survey_id)
    raw = text(submitted, "count")
    try:
        count = int(raw)
    except ValueError:
        return _manage_page(
            v, survey, errors={"codes-count": [FIELD_MESSAGES["codes"]["count"]]}, status_code=422
        )
    try:
        codes = surveys.create_codes(v.session, v.actor, survey.id, count, secret=v.secret)
    except (Invalid, Conflict) as exc:
        v.session.rollback()
        return _manage_page(
            v, survey, errors=_errors("codes", exc), status_code=409 if isinstance(exc, Conflict) else 422
        )
    v.session.commit()
    base = str(v.request.base_url).rstrip("/")
    response = v.page(
        "reuse/survey_codes.html",
        survey=survey,
        survey_title=v.t(survey.title),
        organization=v.org(survey.organization_id),
        codes=[(code, f"{base}/reuse/surveys/{survey.id}?code={code}") for code in codes],
        survey_url=f"{base}/reuse/surveys/{survey.id}",
    )
    response.headers["Cache-Control"] = "no-store"
    return response


# ---------------------------------------------------------------- answering


def _whole(raw: str) -> int | None:
    """A small whole number as typed in ASCII digits; None for anything else ("²" is a digit to isdigit()
    but no number to int())."""
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 6 else None


def _answers_from(form: FormData, questions: list[SurveyQuestion]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(answers for the service, values as typed for showing the form again)."""
    answers: dict[str, Any] = {}
    typed: dict[str, Any] = {}
    for q in questions:
        key, name = str(q.id), f"q{q.id}"
        if q.kind in ("likert", "single"):
            raw = text(form, name)
            typed[name] = raw
            number = _whole(raw)
            answers[key] = number if number is not None else (raw or None)
        elif q.kind == "multiple":
            raws = [r for r in form.getlist(name) if isinstance(r, str)]
            typed[name] = raws
            answers[key] = [r if (n := _whole(r)) is None else n for r in raws]
        elif q.kind == "ranking":
            ranks = {i: text(form, f"{name}_r{i}") for i in range(len(q.options))}
            typed[name] = ranks
            if not any(ranks.values()):
                answers[key] = None
                continue
            places = [_whole(r) or 0 for r in ranks.values()]
            whole = sorted(places) == list(range(1, len(q.options) + 1))
            # options in the order of their places; an incomplete or repeated ranking is no permutation
            answers[key] = sorted(ranks, key=lambda i: places[i]) if whole else [-1]
        else:
            raw_text = form.get(name)
            typed[name] = raw_text if isinstance(raw_text, str) else ""
            answers[key] = typed[name]
    return answers, typed


def _answer_page(
    v: Visit,
    survey: Survey,
    *,
    values: dict[str, Any] | None = None,
    code: str = "",
    errors: FieldErrors | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    questions = surveys.questions_of(v.session, survey)
    return v.page(
        "reuse/survey_answer.html",
        status_code=status_code,
        survey=survey,
        survey_title=v.t(survey.title),
        description=v.t(survey.description),
        organization=v.org(survey.organization_id),
        questions=_question_views(v, questions),
        values=values or {},
        code=code,
        errors=errors or {},
        may_run=surveys.may_run(v.actor, survey),
        answered=surveys.has_answered(v.session, v.actor, survey),
        results_visible=surveys.may_see_results(v.actor, survey),
        max_answer=surveys.MAX_ANSWER,
    )


@router.get("/reuse/surveys/{survey_id}", response_class=HTMLResponse)
def answer_page(v: VisitDep, survey_id: int, code: Annotated[str, Query(max_length=40)] = "") -> HTMLResponse:
    survey = surveys.visible_survey(v.session, v.actor, survey_id)
    return _answer_page(v, survey, code=code.strip().upper())


def _answer_errors(exc: Invalid | Conflict) -> FieldErrors:
    """Errors next to their questions (q<id>) and the code field; the form's own when no field has one."""
    if not exc.errors:
        return {"form": [exc.message]}
    return {
        (f"q{key.removeprefix('answers.')}" if key.startswith("answers.") else key): said
        for key, said in exc.errors.items()
    }


@router.post("/reuse/surveys/{survey_id}", response_class=HTMLResponse)
def submit_answers(v: VisitDep, survey_id: int, submitted: FormDep) -> Response:
    _csrf(v, submitted)
    survey = surveys.visible_survey(v.session, v.actor, survey_id)
    if survey.access == "signed_in" and not v.actor.authenticated:
        return to_login(v.request, f"/reuse/surveys/{survey_id}")
    answers, typed = _answers_from(submitted, surveys.questions_of(v.session, survey))
    code = text(submitted, "code")
    try:
        surveys.submit_response(v.session, v.actor, survey.id, answers, code or None, secret=v.secret)
    except (Invalid, Conflict) as exc:
        v.session.rollback()
        if isinstance(exc, Invalid):
            throttle_unknown_code(v.request, exc)
        return _answer_page(
            v,
            survey,
            values=typed,
            code=code,
            errors=_answer_errors(exc),
            status_code=409 if isinstance(exc, Conflict) else 422,
        )
    v.session.commit()
    flash(v.request, DONE["answer"])
    return RedirectResponse(f"/reuse/surveys/{survey.id}/thanks", status_code=303)


@router.get("/reuse/surveys/{survey_id}/thanks", response_class=HTMLResponse)
def thanks_page(v: VisitDep, survey_id: int) -> HTMLResponse:
    survey = surveys.visible_survey(v.session, v.actor, survey_id)
    return v.page(
        "reuse/survey_thanks.html",
        survey=survey,
        survey_title=v.t(survey.title),
        results_visible=surveys.may_see_results(v.actor, survey),
    )


# ---------------------------------------------------------------- results


@dataclass
class QuestionResultView:
    id: int
    position: int
    kind: str
    text: str
    answered: int
    chart: BarChart | None = None
    mean: str = "—"
    median: str = "—"
    ranking: list[tuple[str, str, int]] = field(default_factory=list)  # (option, mean rank, times first)
    texts: list[str] = field(default_factory=list)
    text_count: int = 0
    cloud: list[surveys.CloudWord] = field(default_factory=list)
    cloud_alphabetical: list[surveys.CloudWord] = field(default_factory=list)


def _result_views(v: Visit, found: surveys.SurveyResults) -> list[QuestionResultView]:
    _ = v.gettext
    views = []
    for r in found.questions:
        q = r.question
        view = QuestionResultView(q.id, q.position, q.kind, v.t(q.text), r.answered)
        if q.kind == "likert":
            items = [
                (f"{c.index} — {_(LIKERT_LABELS[c.index])} ({percent(c.share, v.lang)})", float(c.count))
                for c in r.counts
            ]
            view.chart = bar_chart(
                f"q{q.id}",
                _("Answers"),
                _("Answer"),
                _("Participants"),
                items,
                details=(_("Share"), [percent(c.share, v.lang) for c in r.counts]),
            )
            view.mean, view.median = _number(r.mean, v.lang), _number(r.median, v.lang)
        elif q.kind in ("single", "multiple"):
            items = [
                (f"{v.t(q.options[c.index])} ({percent(c.share, v.lang)})", float(c.count)) for c in r.counts
            ]
            share = _("Share") if q.kind == "single" else _("Share of those who answered")
            view.chart = bar_chart(
                f"q{q.id}",
                _("Answers"),
                _("Option"),
                _("Participants"),
                items,
                details=(share, [percent(c.share, v.lang) for c in r.counts]),
                note=_("Each participant could choose several options.") if q.kind == "multiple" else "",
            )
        elif q.kind == "ranking":
            rows = sorted(r.ranking, key=lambda row: (row.mean_rank is None, row.mean_rank or 0, row.index))
            view.ranking = [
                (v.t(q.options[row.index]), _number(row.mean_rank, v.lang), row.first) for row in rows
            ]
        else:
            view.texts = r.texts[:SHOWN_ANSWERS]
            view.text_count = r.text_count
            view.cloud = r.cloud
            view.cloud_alphabetical = sorted(r.cloud, key=lambda w: w.word)
        views.append(view)
    return views


def _results_context(v: Visit, survey: Survey) -> dict[str, Any]:
    found = surveys.results(v.session, v.profile, survey)
    return {
        "survey": survey,
        "survey_title": v.t(survey.title),
        "organization": v.org(survey.organization_id),
        "responses": found.responses,
        "last_at": found.last_at,
        "results": _result_views(v, found),
        "may_run": surveys.may_run(v.actor, survey),
        "live": survey.status == "open",
    }


@router.get("/reuse/surveys/{survey_id}/results", response_class=HTMLResponse)
def results_page(v: VisitDep, survey_id: int) -> Response:
    """The results; asked by HTMX (polling while the survey is open), only the results block."""
    survey = surveys.check_may_see_results(v.session, v.actor, survey_id)
    context = _results_context(v, survey)
    if v.request.headers.get("HX-Request"):
        # a fragment, not through render(): it must not take the pending flash
        ctx = {"request": v.request, "lang": v.lang, "_": v.gettext, "t": v.t, "profile": v.profile}
        body = env.get_template("reuse/survey_results_block.html").render(**ctx, **v.context(), **context)
        return HTMLResponse(body, headers={"Vary": "HX-Request", "Cache-Control": "no-store"})
    response = v.page("reuse/survey_results.html", **context)
    response.headers["Vary"] = "HX-Request"
    return response


@router.get("/reuse/surveys/{survey_id}/results.csv")
def results_csv(v: VisitDep, survey_id: int) -> Response:
    survey = surveys.check_may_see_results(v.session, v.actor, survey_id)
    body = surveys.responses_csv(
        v.session, v.profile, survey, v.lang, masked=not surveys.may_run(v.actor, survey)
    )
    return Response(
        body,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="survey-{survey.id}-responses.csv"'},
    )
