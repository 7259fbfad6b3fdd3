"""The survey pages over HTTP as a browser without JavaScript uses them (kz profile): an official creates a
survey through the forms (errors next to their fields, typed values kept), writes, changes, moves and
deletes questions, opens the survey and prints one-time codes; a participant answers with a code from the
link (errors per question, values kept, a used code refused next to the code field), a person signed in
answers once; the live results (the HTMX block alone, polling only while open) and the CSV; who may see what;
and every string in kk, ru and en."""

from __future__ import annotations

import html
import re
import weakref
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from derek.reuse import survey_service, survey_views
from tests.conftest import Portal, assert_translated, start_portal

SRC = Path(__file__).resolve().parent.parent / "src" / "derek"
API = "/api/v1/reuse/surveys"


@pytest.fixture(scope="module")
def kz(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Portal]:
    yield from start_portal(tmp_path_factory.mktemp("survey-pages"))


@dataclass(frozen=True)
class People:
    org: str
    editor: str
    editor_token: str
    other_editor: str
    person: str


@pytest.fixture(scope="module")
def people(kz: Portal) -> People:
    org = kz.make_org(
        kz.unique("akimat"), title={"en": "City akimat", "ru": "Акимат города", "kk": "Қала әкімдігі"}
    )
    editor, token = kz.make_user(kz.unique("editor"), org=org)
    other_org = kz.make_org()
    other_editor, _t = kz.make_user(kz.unique("other"), org=other_org)
    person, _t = kz.make_user(kz.unique("person"))
    return People(org, editor, f"Bearer {token}", other_editor, person)


# ---------------------------------------------------------------- helpers


def signed_in(portal: Portal, name: str, lang: str = "en") -> httpx.Client:
    http = portal.signed_in(name)
    http.get("/reuse/surveys", params={"lang": lang})
    return http


TOKENS: weakref.WeakKeyDictionary[httpx.Client, str] = weakref.WeakKeyDictionary()


def post(portal: Portal, http: httpx.Client, path: str, data: dict[str, Any] | None = None) -> httpx.Response:
    """Send a form as a browser does, with the session's CSRF token (read once from a page with a form: the
    header's log-out form when signed in, else the form being sent, else the login form)."""
    if http not in TOKENS:
        for page in ("/reuse/surveys", path, "/login"):
            found = re.search(r'name="csrf_token" value="([^"]+)"', http.get(page).text)
            if found:
                TOKENS[http] = found.group(1)
                break
    return http.post(path, data={"csrf_token": TOKENS[http], **(data or {})})


def field_error(page: str, key: str) -> str:
    found = re.search(rf'<p class="field-error" id="e-{key}">(.*?)</p>', page, re.S)
    return html.unescape(found.group(1)).strip() if found else ""


def element_text(page: str, ident: str) -> str:
    found = re.search(rf'<(\w+)[^>]*\bid="{ident}"[^>]*>(.*?)</\1>', page, re.S)
    assert found, f"no element {ident}"
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", found.group(2))).split())


def new_survey(portal: Portal, http: httpx.Client, org: str, access: str = "codes", **extra: str) -> int:
    sent = post(
        portal,
        http,
        "/reuse/surveys/new",
        {
            "title_en": "Session on city data",
            "title_ru": "Сессия о данных города",
            "title_kk": "Қала деректері сессиясы",
            "description_en": "Which data should the city open?",
            "organization": org,
            "access": access,
            "results_public": "1",
            **extra,
        },
    )
    assert sent.status_code == 303, sent.text[:3000]
    found = re.fullmatch(r"/reuse/surveys/(\d+)/manage", sent.headers["location"])
    assert found, sent.headers["location"]
    return int(found.group(1))


def add_question(
    portal: Portal,
    http: httpx.Client,
    survey_id: int,
    kind: str,
    text: str,
    options: str = "",
    required: bool = False,
) -> httpx.Response:
    data = {"kind": kind, "text_en": text, "text_ru": f"{text} (ru)" if text else "", "options_en": options}
    if required:
        data["required"] = "1"
    return post(portal, http, f"/reuse/surveys/{survey_id}/questions", data)


def question_ids(portal: Portal, survey_id: int, token: str) -> dict[str, int]:
    with portal.client(token) as http:
        return {q["kind"]: q["id"] for q in http.get(f"{API}/{survey_id}").json()["questions"]}


def ready_survey(portal: Portal, people: People, access: str = "codes", results_public: bool = True) -> int:
    """An open survey with a question of every kind, made through the API; its number."""
    with portal.client(people.editor_token) as http:
        r = http.post(
            API,
            json={
                "title": {"en": "Open data day", "kk": "Ашық деректер күні", "ru": "День открытых данных"},
                "organization": people.org,
                "access": access,
                "results_public": results_public,
            },
        )
        survey_id = r.json()["id"]
        for kind, options in (
            ("likert", []),
            ("single", ["Yes", "No"]),
            ("multiple", ["CSV", "JSON", "API"]),
            ("ranking", ["Buses", "Schools", "Air"]),
            ("text", []),
        ):
            body = {
                "kind": kind,
                "text": {"en": f"The {kind} question", "kk": f"{kind} сұрағы", "ru": f"Вопрос {kind}"},
                "options": [{"en": o, "kk": f"{o} (kk)", "ru": f"{o} (ru)"} for o in options],
                "required": kind == "likert",
            }
            assert http.post(f"{API}/{survey_id}/questions", json=body).status_code == 201
        assert http.post(f"{API}/{survey_id}/open").status_code == 200
    return int(survey_id)


def make_codes(portal: Portal, people: People, survey_id: int, count: int) -> list[str]:
    with portal.client(people.editor_token) as http:
        return list(http.post(f"{API}/{survey_id}/codes", json={"count": count}).json()["codes"])


# ---------------------------------------------------------------- officials


def test_an_official_writes_a_survey_through_the_forms(kz: Portal, people: People) -> None:
    with closing(signed_in(kz, people.editor)) as http:
        listing = http.get("/reuse/surveys").text
        assert 'id="new-survey"' in listing
        form = http.get("/reuse/surveys/new")
        assert form.status_code == 200 and f'<option value="{people.org}" selected>' in form.text

        # no title: the message stands next to the title, the typed description stays
        refused = post(
            kz,
            http,
            "/reuse/surveys/new",
            {
                "title_en": " ",
                "description_en": "Kept as typed",
                "organization": people.org,
                "access": "codes",
            },
        )
        assert refused.status_code == 422
        assert field_error(refused.text, "survey-title") == survey_views.FIELD_MESSAGES["survey"]["title"]
        assert "Kept as typed</textarea>" in refused.text and 'value="codes" checked' in refused.text

        survey_id = new_survey(kz, http, people.org)
        manage = http.get(f"/reuse/surveys/{survey_id}/manage")
        assert survey_views.DONE["survey"] in manage.text and 'id="add-question"' in manage.text

        # options: too few, and languages with different numbers of lines
        few = add_question(kz, http, survey_id, "single", "How often?", "Daily")
        assert few.status_code == 422
        assert field_error(few.text, "question-options") == survey_views.FIELD_MESSAGES["question"]["options"]
        assert 'value="How often?"' in few.text  # kept
        uneven = post(
            kz,
            http,
            f"/reuse/surveys/{survey_id}/questions",
            {"kind": "ranking", "text_en": "Order these", "options_en": "A\nB\nC", "options_ru": "А\nБ"},
        )
        assert field_error(uneven.text, "question-options") == survey_views.OPTION_LINES
        no_text = add_question(kz, http, survey_id, "likert", "")
        assert field_error(no_text.text, "question-text") == survey_views.FIELD_MESSAGES["question"]["text"]

        for kind, text, options in (
            ("likert", "The portal is easy to use", ""),
            ("single", "How often do you use it?", "Daily\nWeekly\nRarely"),
            ("text", "Anything else?", ""),
        ):
            assert (
                add_question(kz, http, survey_id, kind, text, options, required=kind == "likert").status_code
                == 303
            )
        ids = question_ids(kz, survey_id, people.editor_token)

        # change a question on its own page, move it, delete another
        edit = http.get(f"/reuse/surveys/{survey_id}/questions/{ids['single']}/edit")
        assert "Daily\nWeekly\nRarely</textarea>" in edit.text
        changed = post(
            kz,
            http,
            f"/reuse/surveys/{survey_id}/questions/{ids['single']}/edit",
            {
                "kind": "multiple",
                "text_en": "Which formats?",
                "options_en": "CSV\nJSON",
                "options_kk": "CSV\nJSON",
            },
        )
        assert changed.status_code == 303
        moved = post(
            kz, http, f"/reuse/surveys/{survey_id}/questions/{ids['text']}/move", {"direction": "up"}
        )
        assert moved.status_code == 303
        deleted = post(kz, http, f"/reuse/surveys/{survey_id}/questions/{ids['likert']}/delete")
        assert deleted.status_code == 303
        with kz.client(people.editor_token) as api:
            questions = api.get(f"{API}/{survey_id}").json()["questions"]
        assert [(q["kind"], q["text"]["en"]) for q in questions] == [
            ("text", "Anything else?"),
            ("multiple", "Which formats?"),
        ]
        assert questions[1]["options"][1]["text"] == {"en": "JSON", "kk": "JSON"}

        # open it, make codes (a wrong count is refused next to its field), close it
        assert post(kz, http, f"/reuse/surveys/{survey_id}/open").status_code == 303
        page = http.get(f"/reuse/surveys/{survey_id}/manage").text
        assert survey_views.DONE["open"] in page and 'id="add-question"' not in page
        assert 'id="questions-fixed"' in page
        too_many = post(kz, http, f"/reuse/surveys/{survey_id}/codes", {"count": "501"})
        assert too_many.status_code == 422
        assert field_error(too_many.text, "codes-count") == survey_views.FIELD_MESSAGES["codes"]["count"]
        assert post(kz, http, f"/reuse/surveys/{survey_id}/codes", {"count": "many"}).status_code == 422
        codes_page = post(kz, http, f"/reuse/surveys/{survey_id}/codes", {"count": "12"})
        assert codes_page.status_code == 200 and codes_page.headers["cache-control"] == "no-store"
        codes = re.findall(r'<span class="code-card-code">([A-Z0-9]{4}-[A-Z0-9]{4})</span>', codes_page.text)
        assert len(set(codes)) == 12
        assert (
            element_text(http.get(f"/reuse/surveys/{survey_id}/manage").text, "code-count") == "0 of 12 used"
        )
        assert post(kz, http, f"/reuse/surveys/{survey_id}/close").status_code == 303
        closed = http.get(f"/reuse/surveys/{survey_id}/manage").text
        assert survey_views.DONE["close"] in closed and 'id="make-codes"' not in closed
        again = post(kz, http, f"/reuse/surveys/{survey_id}/close")
        assert again.status_code == 409 and survey_views.CONFLICT_MESSAGES["close"] in html.unescape(
            again.text
        )


def test_others_may_not_run_a_survey(kz: Portal, people: People) -> None:
    survey_id = ready_survey(kz, people)
    with closing(kz.client()) as anonymous:
        page = anonymous.get(f"/reuse/surveys/{survey_id}/manage")
        assert page.status_code == 303 and page.headers["location"].startswith("/login?next=")
        assert anonymous.get("/reuse/surveys/new").status_code == 303
    with closing(signed_in(kz, people.other_editor)) as http:
        assert http.get(f"/reuse/surveys/{survey_id}/manage").status_code == 403
        assert post(kz, http, f"/reuse/surveys/{survey_id}/close").status_code == 403
        assert post(kz, http, f"/reuse/surveys/{survey_id}/codes", {"count": "3"}).status_code == 403
        assert 'id="new-survey"' in http.get("/reuse/surveys").text  # the other organization runs surveys
    with closing(signed_in(kz, people.person)) as http:
        assert http.get("/reuse/surveys/new").status_code == 403
        assert 'id="new-survey"' not in http.get("/reuse/surveys").text
    with kz.client(people.editor_token) as api:
        draft = api.post(API, json={"title": {"en": "Hidden draft"}, "organization": people.org}).json()["id"]
    with closing(kz.client()) as anonymous:
        assert anonymous.get(f"/reuse/surveys/{draft}").status_code == 404
        assert "Hidden draft" not in anonymous.get("/reuse/surveys").text
    with closing(signed_in(kz, people.editor)) as http:
        preview = http.get(f"/reuse/surveys/{draft}").text
        assert 'id="state-note"' in preview and 'id="send-answers"' not in preview
        assert "Hidden draft" in element_text(http.get("/reuse/surveys").text, "mine")


# ---------------------------------------------------------------- participants


def answer_form(code: str, ids: dict[str, int], **answers: Any) -> dict[str, Any]:
    data: dict[str, Any] = {"code": code}
    for kind, value in answers.items():
        if kind == "ranking":
            data.update({f"q{ids['ranking']}_r{option}": str(place) for option, place in value.items()})
        else:
            data[f"q{ids[kind]}"] = value
    return data


def test_a_participant_answers_with_a_code_from_the_link(kz: Portal, people: People) -> None:
    survey_id = ready_survey(kz, people)
    ids = question_ids(kz, survey_id, people.editor_token)
    code = make_codes(kz, people, survey_id, 1)[0]
    with closing(kz.client()) as http:
        page = http.get(f"/reuse/surveys/{survey_id}", params={"code": code.lower(), "lang": "en"}).text
        assert f'name="code" type="text" value="{code}"' in page
        assert 'name="q{}" value="3"'.format(ids["likert"]) in page

        # the required scale left out, a ranking with a place twice, a text too long: each said at its place
        bad = post(
            kz,
            http,
            f"/reuse/surveys/{survey_id}",
            answer_form(
                code, ids, single="1", multiple=["0", "2"], ranking={0: 1, 1: 1, 2: 3}, text="x" * 2001
            ),
        )
        assert bad.status_code == 422
        assert field_error(bad.text, f"q{ids['likert']}") == survey_service.REQUIRED_ANSWER
        assert field_error(bad.text, f"q{ids['ranking']}") == survey_service.BAD_RANKING
        assert field_error(bad.text, f"q{ids['text']}") == survey_service.LONG_ANSWER
        assert field_error(bad.text, f"q{ids['single']}") == ""
        assert f'id="f-q{ids["single"]}-1" name="q{ids["single"]}" value="1" checked' in bad.text  # kept
        assert f'id="f-q{ids["multiple"]}-2" name="q{ids["multiple"]}" value="2" checked' in bad.text
        assert re.search(rf'name="q{ids["ranking"]}_r2">.*?<option value="3" selected>', bad.text, re.S)
        assert f'href="#f-q{ids["likert"]}">Question 1: ' in bad.text  # the summary links to the question

        sent = post(
            kz,
            http,
            f"/reuse/surveys/{survey_id}",
            answer_form(
                code.lower(),
                ids,
                likert="5",
                single="0",
                multiple=["1"],
                ranking={0: 2, 1: 3, 2: 1},
                text="Buses and schools",
            ),
        )
        assert sent.status_code == 303 and sent.headers["location"] == f"/reuse/surveys/{survey_id}/thanks"
        thanks = http.get(sent.headers["location"]).text
        assert survey_views.DONE["answer"] in thanks and 'id="results-link"' in thanks

        used = post(kz, http, f"/reuse/surveys/{survey_id}", answer_form(code, ids, likert="4"))
        assert used.status_code == 409
        assert field_error(used.text, "code") == survey_service.USED_CODE
        wrong = post(kz, http, f"/reuse/surveys/{survey_id}", answer_form("ABCD-EFGH", ids, likert="4"))
        assert wrong.status_code == 422 and field_error(wrong.text, "code") == survey_service.UNKNOWN_CODE
    with kz.client() as api:
        found = api.get(f"{API}/{survey_id}/results", params={"lang": "en"}).json()["questions"]
    ranking = next(q for q in found if q["kind"] == "ranking")["ranking"]
    assert [r["label"] for r in ranking] == ["Air", "Buses", "Schools"]


def test_digits_that_are_no_numbers_are_refused_next_to_their_question(kz: Portal, people: People) -> None:
    """ "²" and "⑤" are digits to str.isdigit() but no number to int(): refused at the question, not a 500."""
    survey_id = ready_survey(kz, people)
    ids = question_ids(kz, survey_id, people.editor_token)
    code = make_codes(kz, people, survey_id, 1)[0]
    with closing(kz.client()) as http:
        http.get("/reuse/surveys", params={"lang": "en"})
        for odd in ("²", "⑤"):
            bad = post(
                kz,
                http,
                f"/reuse/surveys/{survey_id}",
                answer_form(code, ids, likert=odd, single=odd, multiple=[odd], ranking={0: odd, 1: 1, 2: 2}),
            )
            assert bad.status_code == 422, bad.text[:500]
            assert field_error(bad.text, f"q{ids['likert']}") == survey_service.BAD_LIKERT
            assert field_error(bad.text, f"q{ids['single']}") == survey_service.BAD_SINGLE
            assert field_error(bad.text, f"q{ids['multiple']}") == survey_service.BAD_MULTIPLE
            assert field_error(bad.text, f"q{ids['ranking']}") == survey_service.BAD_RANKING


def test_a_person_signed_in_answers_once(kz: Portal, people: People) -> None:
    survey_id = ready_survey(kz, people, access="signed_in")
    ids = question_ids(kz, survey_id, people.editor_token)
    with closing(kz.client()) as anonymous:
        page = anonymous.get(f"/reuse/surveys/{survey_id}").text
        assert 'id="send-answers"' not in page and f"/login?next=/reuse/surveys/{survey_id}" in page
        sent = post(kz, anonymous, f"/reuse/surveys/{survey_id}", {f"q{ids['likert']}": "3"})
        assert sent.status_code == 303 and sent.headers["location"].startswith("/login")
    with closing(signed_in(kz, people.person)) as http:
        assert post(kz, http, f"/reuse/surveys/{survey_id}", {f"q{ids['likert']}": "2"}).status_code == 303
        page = http.get(f"/reuse/surveys/{survey_id}").text
        assert survey_service.ANSWERED in html.unescape(page) and 'id="send-answers"' not in page
        again = post(kz, http, f"/reuse/surveys/{survey_id}", {f"q{ids['likert']}": "2"})
        assert again.status_code == 409 and survey_service.ANSWERED in html.unescape(again.text)


def test_a_closed_survey_says_so_and_takes_no_answers(kz: Portal, people: People) -> None:
    survey_id = ready_survey(kz, people)
    ids = question_ids(kz, survey_id, people.editor_token)
    code = make_codes(kz, people, survey_id, 1)[0]
    with closing(kz.client()) as http:
        http.get("/reuse/surveys", params={"lang": "en"})
        post(kz, http, f"/reuse/surveys/{survey_id}/thanks")  # the form's token, read while it is open
        with kz.client(people.editor_token) as api:
            assert api.post(f"{API}/{survey_id}/close").status_code == 200
        page = http.get(f"/reuse/surveys/{survey_id}").text
        assert survey_service.CLOSED in html.unescape(page) and 'id="answer-form"' not in page
        refused = post(kz, http, f"/reuse/surveys/{survey_id}", answer_form(code, ids, likert="3"))
        assert refused.status_code == 409 and survey_service.CLOSED in html.unescape(refused.text)
        assert http.get("/reuse/surveys/2000000").status_code == 404


# ---------------------------------------------------------------- results


def test_the_results_page_its_live_block_and_csv(kz: Portal, people: People) -> None:
    survey_id = ready_survey(kz, people)
    ids = question_ids(kz, survey_id, people.editor_token)
    codes = make_codes(kz, people, survey_id, 3)
    with kz.client() as api:
        for code, point, text in zip(
            codes, (2, 5, 5), ("Bus routes and stops", "Bus timetables", "Air"), strict=True
        ):
            body = {"code": code, "answers": {str(ids["likert"]): point, str(ids["text"]): text}}
            assert api.post(f"{API}/{survey_id}/responses", json=body).status_code == 201
    with closing(kz.client()) as http:
        page = http.get(f"/reuse/surveys/{survey_id}/results", params={"lang": "en"})
        assert page.status_code == 200 and "HX-Request" in page.headers["vary"]
        text = page.text
        assert element_text(text, "responses-total") == "3"
        assert (
            element_text(text, f"mean-q{ids['likert']}") == "4"
            and element_text(text, f"median-q{ids['likert']}") == "5"
        )
        assert 'id="chart-q{}"'.format(ids["likert"]) in text and "<svg" in text
        assert 'hx-trigger="every 10s"' in text and 'id="reload-results"' in text
        assert '<li class="cloud-w6">bus<span class="visually-hidden"> (2)</span></li>' in text
        assert "<script" in text and "/static/vendor/htmx" in text
        block = http.get(f"/reuse/surveys/{survey_id}/results", headers={"HX-Request": "true"})
        assert block.text.lstrip().startswith('<div id="survey-results"') and "<html" not in block.text
        assert f'hx-get="/reuse/surveys/{survey_id}/results"' in block.text
        csv_file = http.get(f"/reuse/surveys/{survey_id}/results.csv", params={"lang": "en"})
        assert csv_file.status_code == 200 and csv_file.text.count("\n") == 4
    with kz.client(people.editor_token) as api:
        assert api.post(f"{API}/{survey_id}/close").status_code == 200
    with closing(kz.client()) as http:
        closed = http.get(f"/reuse/surveys/{survey_id}/results").text
        assert "hx-trigger" not in closed and "htmx" not in closed  # a closed survey's results do not change
        listing = http.get("/reuse/surveys").text
        closed_section = re.search(r'<section[^>]*id="closed-surveys".*?</section>', listing, re.S)
        assert closed_section and f'href="/reuse/surveys/{survey_id}/results"' in closed_section.group(0)


def test_private_results_are_shown_to_the_organization_only(kz: Portal, people: People) -> None:
    survey_id = ready_survey(kz, people, results_public=False)
    with closing(kz.client()) as anonymous:
        assert anonymous.get(f"/reuse/surveys/{survey_id}/results").status_code == 401
        assert 'id="results-link"' not in anonymous.get(f"/reuse/surveys/{survey_id}").text
    with closing(signed_in(kz, people.other_editor)) as http:
        assert http.get(f"/reuse/surveys/{survey_id}/results").status_code == 403
        assert http.get(f"/reuse/surveys/{survey_id}/results.csv").status_code == 403
    with closing(signed_in(kz, people.editor)) as http:
        assert http.get(f"/reuse/surveys/{survey_id}/results").status_code == 200


# ---------------------------------------------------------------- languages


def _msgids() -> set[str]:
    pattern = re.compile(
        r"""(?:(?<![\w.])_|(?<!\w)gettext)\(\s*(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)')"""
    )
    files = [*(SRC / "reuse" / "templates" / "reuse").glob("survey*.html"), SRC / "reuse" / "survey_views.py"]
    found = {a or b for path in files for a, b in pattern.findall(path.read_text(encoding="utf-8"))}
    tables = [
        survey_views.KIND_LABELS,
        survey_views.LIKERT_LABELS,
        survey_views.STATUS_LABELS,
        survey_views.ACCESS_LABELS,
        survey_views.DONE,
        survey_views.CONFLICT_MESSAGES,
        survey_views.PAGE_MESSAGES,
        *survey_views.FIELD_MESSAGES.values(),
    ]
    for table in tables:
        found |= {str(v) for v in table.values()}
    found |= survey_views.OWN_WORDS
    return {m.replace('\\"', '"') for m in found}


def test_every_string_of_the_survey_pages_is_translated() -> None:
    assert_translated(_msgids(), 150)


@pytest.mark.parametrize(
    ("lang", "surveys", "results", "send"),
    [
        ("kk", "Сауалнамалар", "Нәтижелер", "Жауаптарымды жіберу"),
        ("ru", "Опросы", "Результаты", "Отправить ответы"),
    ],
)
def test_the_pages_speak_kazakh_and_russian(
    kz: Portal, people: People, lang: str, surveys: str, results: str, send: str
) -> None:
    survey_id = ready_survey(kz, people)
    with closing(signed_in(kz, people.editor, lang)) as http:
        pages = {
            path: http.get(path).text
            for path in (
                "/reuse/surveys",
                f"/reuse/surveys/{survey_id}",
                f"/reuse/surveys/{survey_id}/results",
                f"/reuse/surveys/{survey_id}/manage",
                "/reuse/surveys/new",
                f"/reuse/surveys/{survey_id}/edit",
            )
        }
    assert all(f'<html lang="{lang}">' in body for body in pages.values())
    assert f"<h1>{surveys}</h1>" in pages["/reuse/surveys"]
    assert f'<p class="eyebrow">{results}</p>' in pages[f"/reuse/surveys/{survey_id}/results"]
    assert send in pages[f"/reuse/surveys/{survey_id}"]
    for body in pages.values():
        for english in ("Surveys", "Results", "Send my answers", "Strongly agree", "Who may answer", "Mean"):
            assert f">{english}<" not in body, english
