"""Surveys for co-creation sessions through their service and native API on a real portal (Kazakhstan's
profile): the acceptance case (a question of every kind answered by 30 generated participants, 20 through the
API and 10 through the web form, with Kazakh, Russian and English free text: the aggregates, the results page
and the word cloud checked against figures computed here from the generated answers), one response per
participant (the same code or account twice, and two submissions at once), every kind of bad input, who may
do what, one-time codes, public and private results, and the CSV export."""

from __future__ import annotations

import csv
import hashlib
import html
import io
import random
import re
import statistics
import threading
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from derek.reuse import survey_service, wordcloud
from derek.reuse.models import SurveyCode, SurveyResponse
from tests.conftest import Portal, start_portal

API = "/api/v1/reuse/surveys"
IIN = "900101300126"  # synthetic (references section 2)
# the free text participants write: Kazakh, Russian and English, full of stop words of each language
SENTENCES = (
    "Автобус кестелері және аялдамалар туралы деректер керек",
    "Мектептер мен балабақшалар туралы деректер ашылсын",
    "Деректер CSV форматында болса және жаңартылса жақсы",
    "Нужны данные о школах и детских садах",
    "Хочется видеть бюджет города и расходы по районам",
    "Данные о качестве воздуха и автобусах важнее всего",
    "Please publish the bus timetables and the stops",
    "Air quality data for the city and every district",
    "The budget data would help parents and schools",
)
STOP_SAMPLES = ("және", "мен", "туралы", "и", "о", "по", "the", "and", "for")
OPTIONS = {
    "single": ["Every day", "Every week", "Every month", "Rarely"],
    "multiple": ["CSV", "Excel", "JSON", "API", "PDF"],
    "ranking": ["Public transport", "City budget", "Air quality", "Schools"],
}


def ml(en: str) -> dict[str, str]:
    return {"en": en, "ru": f"{en} (ru)", "kk": f"{en} (kk)"}


@pytest.fixture(scope="module")
def kz(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Portal]:
    yield from start_portal(tmp_path_factory.mktemp("surveys"))


@dataclass
class World:
    """An organization running surveys (its editor and admin, a mere member), another organization's editor,
    and people signed in of no organization."""

    org: str
    editor: str
    admin: str
    member: str
    other_editor: str
    people: list[str]
    names: dict[str, str]


@pytest.fixture(scope="module")
def world(kz: Portal) -> World:
    return make_world(kz)


def make_world(kz: Portal) -> World:
    org, other = kz.make_org(), kz.make_org()
    names: dict[str, str] = {}
    tokens = {}
    for role, kwargs in {
        "editor": {"org": org, "role": "editor"},
        "admin": {"org": org, "role": "admin"},
        "member": {"org": org, "role": "member"},
        "other_editor": {"org": other, "role": "editor"},
        "person1": {},
        "person2": {},
        "person3": {},
    }.items():
        names[role], tokens[role] = kz.make_user(kz.unique(role.replace("_", "-")), **kwargs)
    return World(
        org=org,
        editor=f"Bearer {tokens['editor']}",
        admin=f"Bearer {tokens['admin']}",
        member=f"Bearer {tokens['member']}",
        other_editor=f"Bearer {tokens['other_editor']}",
        people=[f"Bearer {tokens[f'person{i}']}" for i in (1, 2, 3)],
        names=names,
    )


# ---------------------------------------------------------------- helpers


def call(portal: Portal, token: str | None, method: str, path: str, **kwargs: Any) -> httpx.Response:
    with portal.client(token) as http:
        return http.request(method, path, **kwargs)


def question(kind: str, *, required: bool = False, text: str = "") -> dict[str, Any]:
    return {
        "kind": kind,
        "text": ml(text or f"A {kind} question"),
        "options": [ml(o) for o in OPTIONS.get(kind, [])],
        "required": required,
    }


@dataclass
class Made:
    id: int
    questions: dict[str, int]  # kind -> question id


def make_survey(
    portal: Portal,
    world: World,
    *,
    access: str = "codes",
    results_public: bool = True,
    kinds: tuple[str, ...] = ("likert", "single", "multiple", "ranking", "text"),
    open_it: bool = True,
) -> Made:
    r = call(
        portal,
        world.editor,
        "POST",
        API,
        json={
            "title": ml("Co-creation session"),
            "description": ml("Which data to open next."),
            "organization": world.org,
            "access": access,
            "results_public": results_public,
        },
    )
    assert r.status_code == 201, r.text
    survey_id = r.json()["id"]
    ids = {}
    for kind in kinds:
        added = call(
            portal,
            world.editor,
            "POST",
            f"{API}/{survey_id}/questions",
            json=question(kind, required=kind == "likert"),
        )
        assert added.status_code == 201, added.text
        ids[kind] = added.json()["id"]
    if open_it:
        assert call(portal, world.editor, "POST", f"{API}/{survey_id}/open").status_code == 200
    return Made(survey_id, ids)


def codes_for(portal: Portal, world: World, survey_id: int, count: int) -> list[str]:
    r = call(portal, world.editor, "POST", f"{API}/{survey_id}/codes", json={"count": count})
    assert r.status_code == 201, r.text
    return list(r.json()["codes"])


def answer(
    portal: Portal, survey_id: int, answers: dict[int, Any], code: str | None = None, token: str | None = None
) -> httpx.Response:
    body: dict[str, Any] = {"answers": {str(k): v for k, v in answers.items()}}
    if code is not None:
        body["code"] = code
    return call(portal, token, "POST", f"{API}/{survey_id}/responses", json=body)


def full_answers(made: Made) -> dict[int, Any]:
    q = made.questions
    return {
        q["likert"]: 4,
        q["single"]: 1,
        q["multiple"]: [0, 2],
        q["ranking"]: [2, 0, 1, 3],
        q["text"]: "Bus data",
    }


def errors_of(response: httpx.Response) -> dict[str, list[str]]:
    assert response.headers["content-type"].startswith("application/problem+json"), response.text
    return dict(response.json()["errors"])


def csrf(portal: Portal, http: httpx.Client, page: str) -> str:
    return portal.csrf(http, page)


# ---------------------------------------------------------------- the acceptance case


def generated_answers(rng: random.Random) -> dict[str, Any]:
    """One participant's answers: every question sometimes left out but the required Likert scale."""
    answers: dict[str, Any] = {"likert": rng.randint(1, 5)}
    if rng.random() < 0.9:
        answers["single"] = rng.randrange(4)
    if rng.random() < 0.85:
        answers["multiple"] = sorted(rng.sample(range(5), rng.randint(1, 4)))
    if rng.random() < 0.9:
        order = list(range(4))
        rng.shuffle(order)
        answers["ranking"] = order
    if rng.random() < 0.8:
        answers["text"] = " ".join(rng.sample(SENTENCES, rng.randint(1, 2)))
    return answers


def send_by_form(portal: Portal, made: Made, code: str, answers: dict[str, Any]) -> httpx.Response:
    """A participant without an account answers through the web form, as a browser without JavaScript."""
    page = f"/reuse/surveys/{made.id}?code={code}"
    with portal.client() as http:
        form: list[tuple[str, str]] = [("csrf_token", csrf(portal, http, page)), ("code", code.lower())]
        q = made.questions
        if "likert" in answers:
            form.append((f"q{q['likert']}", str(answers["likert"])))
        if "single" in answers:
            form.append((f"q{q['single']}", str(answers["single"])))
        for i in answers.get("multiple", []):
            form.append((f"q{q['multiple']}", str(i)))
        for place, option in enumerate(answers.get("ranking", []), start=1):
            form.append((f"q{q['ranking']}_r{option}", str(place)))
        form.append((f"q{q['text']}", answers.get("text", "")))
        fields: dict[str, list[str]] = {}
        for name, value in form:
            fields.setdefault(name, []).append(value)
        return http.post(f"/reuse/surveys/{made.id}", data=fields)


def page_text(page: str, ident: str) -> str:
    found = re.search(rf'<(\w+)[^>]*\bid="{ident}"[^>]*>(.*?)</\1>', page, re.S)
    assert found, f"no element {ident}"
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", found.group(2))).split())


def test_thirty_participants_give_the_right_aggregates_and_word_cloud(kz: Portal, world: World) -> None:
    made = make_survey(kz, world)
    codes = codes_for(kz, world, made.id, 30)
    rng = random.Random(20261130)
    given = [generated_answers(rng) for _ in range(30)]
    for n, (code, answers) in enumerate(zip(codes, given, strict=True)):
        if n < 20:
            sent = answer(kz, made.id, {made.questions[k]: v for k, v in answers.items()}, code=code)
            assert sent.status_code == 201, sent.text
        else:
            sent = send_by_form(kz, made, code, answers)
            assert sent.status_code == 303, sent.text[:3000]
            assert sent.headers["location"] == f"/reuse/surveys/{made.id}/thanks"

    results = call(kz, None, "GET", f"{API}/{made.id}/results", params={"lang": "en"})
    assert results.status_code == 200, results.text
    found = {q["kind"]: q for q in results.json()["questions"]}
    assert results.json()["responses"] == 30

    # Likert: counts 1..5, mean and median
    likert = [a["likert"] for a in given]
    assert [c["count"] for c in found["likert"]["counts"]] == [likert.count(p) for p in range(1, 6)]
    assert found["likert"]["answered"] == 30
    assert found["likert"]["mean"] == pytest.approx(sum(likert) / 30)
    assert found["likert"]["median"] == pytest.approx(statistics.median(likert))

    # one choice: counts and shares of those who answered
    single = [a["single"] for a in given if "single" in a]
    assert found["single"]["answered"] == len(single) < 30
    for c in found["single"]["counts"]:
        assert c["count"] == single.count(c["index"])
        assert c["share"] == pytest.approx(single.count(c["index"]) / len(single))
        assert c["label"] == OPTIONS["single"][c["index"]]

    # several choices: how many chose each, as a share of those who answered the question
    multiple = [a["multiple"] for a in given if "multiple" in a]
    for c in found["multiple"]["counts"]:
        chose = sum(1 for m in multiple if c["index"] in m)
        assert (c["count"], c["share"]) == (chose, pytest.approx(chose / len(multiple)))
    assert sum(c["share"] for c in found["multiple"]["counts"]) > 1  # several each: shares add up past 100 %

    # ranking: mean place (1 is first) and how often first, best first
    rankings = [a["ranking"] for a in given if "ranking" in a]
    expected_ranks = {i: statistics.fmean(r.index(i) + 1 for r in rankings) for i in range(4)}
    for row in found["ranking"]["ranking"]:
        assert row["mean_rank"] == pytest.approx(expected_ranks[row["index"]])
        assert row["first"] == sum(1 for r in rankings if r[0] == row["index"])
    means = [row["mean_rank"] for row in found["ranking"]["ranking"]]
    assert means == sorted(means)

    # free text: every answer, and the word cloud of its most frequent words without the stop words
    texts = [a["text"] for a in given if "text" in a]
    assert sorted(found["text"]["texts"]) == sorted(texts)
    stop = set().union(*wordcloud.STOP_WORDS.values())
    assert set(STOP_SAMPLES) <= stop
    words = Counter(
        w for t in texts for w in re.findall(r"[^\W\d_]+", t.lower()) if w not in stop and len(w) >= 2
    )
    cloud = {w["word"]: w["count"] for w in found["text"]["cloud"]}
    assert len(cloud) == min(40, len(words))
    top = sorted(words.items(), key=lambda kv: (-kv[1], kv[0]))[:5]
    assert all(cloud.get(word) == count for word, count in top), (top, cloud)
    assert not set(cloud) & set(STOP_SAMPLES)
    assert {"деректер", "данные", "data"} <= set(cloud)  # the three languages
    assert found["text"]["cloud"][0]["size"] == 6

    # the results page says the same
    page = call(kz, None, "GET", f"/reuse/surveys/{made.id}/results", params={"lang": "en"}).text
    assert page_text(page, "responses-total") == "30"
    shown_mean = float(page_text(page, f"mean-q{made.questions['likert']}"))
    assert shown_mean == pytest.approx(sum(likert) / 30, abs=0.006)
    cloud_html = page_text(page, f"cloud-q{made.questions['text']}")
    for word, _count in top:
        assert word in cloud_html
    for stop_word in STOP_SAMPLES:
        assert f'<li class="cloud-w1">{stop_word}<' not in page and f">{stop_word}<span" not in page
    best = top[0][0]
    assert f'<li class="cloud-w6">{best}<span class="visually-hidden"> ({top[0][1]})</span></li>' in page


# ---------------------------------------------------------------- one response per participant


def test_a_code_answers_once_and_is_typed_in_any_case(kz: Portal, world: World) -> None:
    made = make_survey(kz, world)
    code = codes_for(kz, world, made.id, 1)[0]
    assert re.fullmatch(r"[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}", code)
    typed = " " + code.lower().replace("-", " ") + " "
    assert answer(kz, made.id, full_answers(made), code=typed).status_code == 201
    again = answer(kz, made.id, full_answers(made), code=code)
    assert again.status_code == 409
    assert errors_of(again) == {"code": [survey_service.USED_CODE]}
    with kz.db.session() as s:
        rows = s.scalars(select(SurveyCode).where(SurveyCode.survey_id == made.id)).all()
        # an HMAC under the portal's secret, not a plain hash anyone could test every code against
        plain = code.replace("-", "")
        secret = kz.settings.effective_secret_key()
        assert [r.code_hash for r in rows] == [survey_service.code_hash(plain, made.id, secret)]
        assert rows[0].code_hash != hashlib.sha256(plain.encode()).hexdigest()
        assert rows[0].used_at is not None
        assert s.scalar(select(func.count()).where(SurveyResponse.survey_id == made.id)) == 1
    unknown = answer(kz, made.id, full_answers(made), code="ZZZZ-ZZZZ")
    assert unknown.status_code == 422 and errors_of(unknown) == {"code": [survey_service.UNKNOWN_CODE]}
    missing = answer(kz, made.id, full_answers(made))
    assert missing.status_code == 422 and errors_of(missing) == {"code": [survey_service.NO_CODE]}
    # a code of another survey does not open this one
    other = make_survey(kz, world)
    foreign = codes_for(kz, world, other.id, 1)[0]
    assert answer(kz, made.id, full_answers(made), code=foreign).status_code == 422


def test_a_person_answers_a_survey_for_signed_in_people_once(kz: Portal, world: World) -> None:
    made = make_survey(kz, world, access="signed_in")
    anonymous = answer(kz, made.id, full_answers(made))
    assert anonymous.status_code == 401 and "Log in" in anonymous.json()["detail"]
    assert answer(kz, made.id, full_answers(made), token=world.people[0]).status_code == 201
    again = answer(kz, made.id, full_answers(made), token=world.people[0])
    assert again.status_code == 409 and again.json()["detail"] == survey_service.ANSWERED
    read = call(kz, world.people[0], "GET", f"{API}/{made.id}").json()
    assert read["answered"] is True and read["codes_made"] is None and read["may_run"] is False
    assert answer(kz, made.id, full_answers(made), token=world.people[1]).status_code == 201
    with kz.db.session() as s:
        assert s.scalar(select(func.count()).where(SurveyResponse.survey_id == made.id)) == 2


def _at_once(portal: Portal, count: int, send: Any) -> list[int]:
    """`count` submissions started together; their status codes."""
    barrier = threading.Barrier(count)
    statuses: list[int] = []

    def one() -> None:
        barrier.wait()
        statuses.append(send().status_code)

    threads = [threading.Thread(target=one) for _ in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return statuses


def test_trying_codes_from_one_address_is_stopped_after_ten_unknown_ones(tmp_path: Path) -> None:
    for own in start_portal(tmp_path, login_attempts_per_minute=10):  # the portal's default
        world = make_world(own)
        made = make_survey(own, world)
        codes = codes_for(own, world, made.id, 12)
        # a room of participants behind one address: valid codes are never counted
        for code in codes[:11]:
            assert answer(own, made.id, full_answers(made), code=code).status_code == 201
        tries = [
            answer(own, made.id, full_answers(made), code=f"ZZZZ-ZZ{n:02d}").status_code for n in range(11)
        ]
        assert tries == [422] * 10 + [429]
        assert answer(own, made.id, full_answers(made), code="ZZZZ-ZZZZ").status_code == 429
        with own.db.session() as s:
            assert s.scalar(select(func.count()).where(SurveyResponse.survey_id == made.id)) == 11


def test_submissions_at_the_same_moment_with_one_code_count_once(kz: Portal, world: World) -> None:
    made = make_survey(kz, world)
    code = codes_for(kz, world, made.id, 1)[0]
    statuses = _at_once(kz, 6, lambda: answer(kz, made.id, full_answers(made), code=code))
    assert sorted(statuses) == [201, 409, 409, 409, 409, 409]
    with kz.db.session() as s:
        assert s.scalar(select(func.count()).where(SurveyResponse.survey_id == made.id)) == 1


def test_submissions_at_the_same_moment_by_one_person_count_once(kz: Portal, world: World) -> None:
    made = make_survey(kz, world, access="signed_in")
    statuses = _at_once(kz, 5, lambda: answer(kz, made.id, full_answers(made), token=world.people[2]))
    assert sorted(statuses) == [201, 409, 409, 409, 409]
    with kz.db.session() as s:
        assert s.scalar(select(func.count()).where(SurveyResponse.survey_id == made.id)) == 1


# ---------------------------------------------------------------- bad answers


@pytest.mark.parametrize(
    ("kind", "value", "message"),
    [
        ("likert", 6, survey_service.BAD_LIKERT),
        ("likert", 0, survey_service.BAD_LIKERT),
        ("likert", "4", survey_service.BAD_LIKERT),
        ("single", 4, survey_service.BAD_SINGLE),
        ("single", -1, survey_service.BAD_SINGLE),
        ("single", [1], survey_service.BAD_SINGLE),
        ("multiple", [0, 0], survey_service.BAD_MULTIPLE),
        ("multiple", [5], survey_service.BAD_MULTIPLE),
        ("multiple", 1, survey_service.BAD_MULTIPLE),
        ("ranking", [0, 1, 2], survey_service.BAD_RANKING),
        ("ranking", [0, 1, 2, 2], survey_service.BAD_RANKING),
        ("ranking", [0, 1, 2, 4], survey_service.BAD_RANKING),
        ("text", "x" * 2001, survey_service.LONG_ANSWER),
        ("text", 5, survey_service.BAD_TEXT),
    ],
)
def test_an_answer_that_does_not_fit_its_question_is_refused(
    kz: Portal, world: World, kind: str, value: Any, message: str
) -> None:
    made = _shared_survey(kz, world)
    answers = full_answers(made) | {made.questions[kind]: value}
    code = codes_for(kz, world, made.id, 1)[0]
    refused = answer(kz, made.id, answers, code=code)
    assert refused.status_code == 422, refused.text
    assert errors_of(refused) == {f"answers.{made.questions[kind]}": [message]}
    assert answer(kz, made.id, full_answers(made), code=code).status_code == 201  # the code is still unused


_SHARED: dict[str, Made] = {}


def _shared_survey(kz: Portal, world: World) -> Made:
    if "made" not in _SHARED:
        _SHARED["made"] = make_survey(kz, world)
    return _SHARED["made"]


def test_wrong_json_types_and_unknown_or_missing_questions_are_refused(kz: Portal, world: World) -> None:
    made = _shared_survey(kz, world)
    code = codes_for(kz, world, made.id, 1)[0]
    q = made.questions
    for body in (
        {"answers": {str(q["likert"]): True}, "code": code},  # a boolean is no point of a scale
        {"answers": {str(q["likert"]): 4.5}, "code": code},
        {"answers": {str(q["likert"]): {"x": 1}}, "code": code},
        {"answers": [4], "code": code},
        {"answers": {str(q["likert"]): 4}, "code": code, "name": "participant 12"},
    ):
        r = call(kz, None, "POST", f"{API}/{made.id}/responses", json=body)
        assert r.status_code == 422, (body, r.text)
    missing = answer(kz, made.id, {q["single"]: 1}, code=code)
    assert errors_of(missing) == {f"answers.{q['likert']}": [survey_service.REQUIRED_ANSWER]}
    unknown = answer(kz, made.id, full_answers(made) | {999999: 1}, code=code)
    assert errors_of(unknown) == {"answers.999999": [survey_service.UNKNOWN_QUESTION]}
    only_required = answer(kz, made.id, {q["likert"]: 2, q["text"]: "   "}, code=code)
    assert only_required.status_code == 201  # empty text is no answer; optional questions may be left out


def test_unknown_draft_and_closed_surveys_take_no_answers(kz: Portal, world: World) -> None:
    assert answer(kz, 2_000_000, {}, code="K7QM-3XPA").status_code == 404
    assert call(kz, None, "GET", f"{API}/2000000").status_code == 404
    assert call(kz, None, "GET", f"{API}/99999999999").status_code == 422  # not a survey number at all
    draft = make_survey(kz, world, open_it=False, access="signed_in")
    assert answer(kz, draft.id, full_answers(draft), token=world.people[0]).status_code == 404  # unseen
    own = answer(kz, draft.id, full_answers(draft), token=world.editor)
    assert own.status_code == 409 and own.json()["detail"] == survey_service.NOT_OPEN
    closed = make_survey(kz, world)
    code = codes_for(kz, world, closed.id, 1)[0]
    assert call(kz, world.editor, "POST", f"{API}/{closed.id}/close").status_code == 200
    refused = answer(kz, closed.id, full_answers(closed), code=code)
    assert refused.status_code == 409 and refused.json()["detail"] == survey_service.CLOSED


# ---------------------------------------------------------------- who may run a survey


def test_only_the_organizations_admins_and_editors_create_and_run_surveys(kz: Portal, world: World) -> None:
    body = {"title": ml("Not theirs"), "organization": world.org}
    assert call(kz, None, "POST", API, json=body).status_code == 401
    for token in (world.other_editor, world.member, world.people[0]):
        refused = call(kz, token, "POST", API, json=body)
        assert refused.status_code == 403, refused.text
    assert call(kz, world.admin, "POST", API, json=body).status_code == 201
    made = make_survey(kz, world, open_it=False)
    for method, path, json in (
        ("PATCH", f"{API}/{made.id}", {"results_public": False}),
        ("POST", f"{API}/{made.id}/questions", question("likert")),
        ("POST", f"{API}/{made.id}/open", None),
        ("DELETE", f"{API}/{made.id}", None),
    ):
        assert call(kz, world.other_editor, method, path, json=json).status_code == 404  # a draft is unseen
    assert call(kz, world.editor, "POST", f"{API}/{made.id}/open").status_code == 200
    for method, path, json in (
        ("PATCH", f"{API}/{made.id}", {"results_public": False}),
        ("POST", f"{API}/{made.id}/close", None),
        ("POST", f"{API}/{made.id}/codes", {"count": 3}),
    ):
        assert call(kz, world.other_editor, method, path, json=json).status_code == 403
        assert call(kz, None, method, path, json=json).status_code == 401


def test_a_survey_needs_a_title_an_organization_and_a_known_language(kz: Portal, world: World) -> None:
    for body, field in (
        ({"title": {"en": "  "}, "organization": world.org}, "title"),
        ({"title": {}, "organization": world.org}, "title"),
        ({"title": {"de": "Umfrage"}, "organization": world.org}, "title"),
        ({"title": {"en": "x" * 301}, "organization": world.org}, "title"),
        ({"title": {"en": "Fine"}, "organization": "no-such-org"}, "organization"),
    ):
        r = call(kz, world.editor, "POST", API, json=body)
        assert r.status_code == 422 and field in errors_of(r), (body, r.text)
    r = call(
        kz,
        world.editor,
        "POST",
        API,
        json={"title": {"en": "Fine"}, "organization": world.org, "access": "everyone"},
    )
    assert r.status_code == 422


def test_questions_change_only_in_a_draft_without_responses(kz: Portal, world: World) -> None:
    made = make_survey(kz, world, open_it=False)
    q = made.questions
    edited = call(
        kz,
        world.editor,
        "PUT",
        f"{API}/{made.id}/questions/{q['single']}",
        json=question("single", text="Changed", required=True),
    )
    assert (
        edited.status_code == 200 and edited.json()["text"]["en"] == "Changed" and edited.json()["required"]
    )
    order = [q["text"], q["ranking"], q["multiple"], q["single"], q["likert"]]
    moved = call(kz, world.editor, "PUT", f"{API}/{made.id}/question-order", json={"questions": order})
    assert [x["id"] for x in moved.json()] == order and [x["position"] for x in moved.json()] == [
        1,
        2,
        3,
        4,
        5,
    ]
    bad = call(kz, world.editor, "PUT", f"{API}/{made.id}/question-order", json={"questions": order[:4]})
    assert bad.status_code == 422
    assert call(kz, world.editor, "DELETE", f"{API}/{made.id}/questions/{q['text']}").status_code == 204
    read = call(kz, world.editor, "GET", f"{API}/{made.id}").json()
    assert [x["position"] for x in read["questions"]] == [1, 2, 3, 4]
    assert call(kz, world.editor, "DELETE", f"{API}/{made.id}/questions/{q['text']}").status_code == 404

    assert call(kz, world.editor, "POST", f"{API}/{made.id}/open").status_code == 200
    fixed = call(kz, world.editor, "PUT", f"{API}/{made.id}/questions/{q['likert']}", json=question("likert"))
    assert fixed.status_code == 409 and fixed.json()["detail"] == survey_service.NOT_DRAFT
    access = call(kz, world.editor, "PATCH", f"{API}/{made.id}", json={"access": "signed_in"})
    assert access.status_code == 409 and "access" in errors_of(access)
    code = codes_for(kz, world, made.id, 1)[0]
    assert answer(kz, made.id, {q["likert"]: 3, q["single"]: 0}, code=code).status_code == 201
    answered = call(kz, world.editor, "DELETE", f"{API}/{made.id}/questions/{q['likert']}")
    assert answered.status_code == 409 and answered.json()["detail"] == survey_service.HAS_RESPONSES
    assert call(kz, world.editor, "DELETE", f"{API}/{made.id}").status_code == 409  # opened: kept


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"options": [ml("Only one")]}, "options"),
        ({"options": []}, "options"),
        ({"options": [ml("Same"), ml("Same")]}, "options"),
        ({"options": [ml(f"Option {i}") for i in range(21)]}, "options"),
        ({"options": [ml("A"), {"en": "x" * 301}]}, "options"),
        ({"text": {"en": ""}}, "text"),
        ({"text": {"en": "x" * 1001}}, "text"),
        ({"kind": "slider"}, "kind"),
    ],
)
def test_a_question_with_bad_options_or_text_is_refused(
    kz: Portal, world: World, change: dict[str, Any], field: str
) -> None:
    made = _shared_draft(kz, world)
    r = call(kz, world.editor, "POST", f"{API}/{made.id}/questions", json=question("single") | change)
    assert r.status_code == 422, r.text
    assert any(key.split(".")[0] == field for key in errors_of(r)), r.text


def _shared_draft(kz: Portal, world: World) -> Made:
    if "draft" not in _SHARED:
        _SHARED["draft"] = make_survey(kz, world, open_it=False, kinds=())
    return _SHARED["draft"]


def test_opening_needs_a_question_and_deleting_a_draft_works(kz: Portal, world: World) -> None:
    made = make_survey(kz, world, open_it=False, kinds=())
    empty = call(kz, world.editor, "POST", f"{API}/{made.id}/open")
    assert empty.status_code == 409 and "question" in empty.json()["detail"]
    assert call(kz, world.editor, "DELETE", f"{API}/{made.id}").status_code == 204
    assert call(kz, world.editor, "GET", f"{API}/{made.id}").status_code == 404


# ---------------------------------------------------------------- one-time codes


def test_codes_are_made_1_to_500_at_a_time_for_code_surveys_only(kz: Portal, world: World) -> None:
    made = make_survey(kz, world)
    for count in (0, 501, -3):
        assert (
            call(kz, world.editor, "POST", f"{API}/{made.id}/codes", json={"count": count}).status_code == 422
        )
    codes = codes_for(kz, world, made.id, 500)
    assert len(set(codes)) == 500
    read = call(kz, world.editor, "GET", f"{API}/{made.id}").json()
    assert (read["codes_made"], read["codes_used"]) == (500, 0)
    assert call(kz, None, "GET", f"{API}/{made.id}").json()["codes_made"] is None  # officials only
    signed = make_survey(kz, world, access="signed_in")
    assert call(kz, world.editor, "POST", f"{API}/{signed.id}/codes", json={"count": 3}).status_code == 409
    assert call(kz, world.editor, "POST", f"{API}/{made.id}/close").status_code == 200
    assert call(kz, world.editor, "POST", f"{API}/{made.id}/codes", json={"count": 3}).status_code == 409
    with kz.db.session() as s:
        stored = s.scalars(select(SurveyCode.code_hash).where(SurveyCode.survey_id == made.id)).all()
    assert codes[0].replace("-", "") not in " ".join(stored)  # only hashes are kept
    assert survey_service.code_hash(codes[0], made.id, kz.settings.effective_secret_key()) in stored


# ---------------------------------------------------------------- lists and results


def test_the_list_shows_the_public_open_and_closed_surveys_and_officials_their_drafts(
    kz: Portal, world: World
) -> None:
    draft = make_survey(kz, world, open_it=False, kinds=("likert",))
    opened = make_survey(kz, world, kinds=("likert",))
    closed_public = make_survey(kz, world, kinds=("likert",))
    closed_private = make_survey(kz, world, kinds=("likert",), results_public=False)
    for made in (closed_public, closed_private):
        assert call(kz, world.editor, "POST", f"{API}/{made.id}/close").status_code == 200
    public = {s["id"] for s in call(kz, None, "GET", API).json()}
    assert {opened.id, closed_public.id} <= public
    assert not {draft.id, closed_private.id} & public
    official = {s["id"] for s in call(kz, world.editor, "GET", API, params={"mine": True}).json()}
    assert {draft.id, opened.id, closed_public.id, closed_private.id} <= official
    only_open = call(kz, None, "GET", API, params={"status": "open", "organization": world.org}).json()
    assert {s["status"] for s in only_open} == {"open"} and opened.id in {s["id"] for s in only_open}


def test_private_results_are_for_the_organization_only(kz: Portal, world: World) -> None:
    made = make_survey(kz, world, results_public=False)
    code = codes_for(kz, world, made.id, 1)[0]
    assert answer(kz, made.id, full_answers(made), code=code).status_code == 201
    for path in (f"{API}/{made.id}/results", f"{API}/{made.id}/results.csv"):
        assert call(kz, None, "GET", path).status_code == 401
        assert call(kz, world.other_editor, "GET", path).status_code == 403
        assert call(kz, world.admin, "GET", path).status_code == 200
    assert (
        call(kz, world.editor, "PATCH", f"{API}/{made.id}", json={"results_public": True}).status_code == 200
    )
    assert call(kz, None, "GET", f"{API}/{made.id}/results").json()["responses"] == 1


def test_the_csv_has_a_row_per_response_and_quotes_formulas(kz: Portal, world: World) -> None:
    r = call(
        kz, world.editor, "POST", API, json={"title": ml("CSV"), "organization": world.org, "access": "codes"}
    )
    survey_id = r.json()["id"]
    texts = {
        "likert": "=HYPERLINK(1)",
        "single": "Fine",
        "multiple": "-rows",
        "ranking": "@cells",
        "text": "x",
    }
    ids = {}
    for kind in ("likert", "single", "multiple", "ranking", "text"):
        body = question(kind, text=texts[kind], required=kind == "likert")
        if kind in OPTIONS:
            body["options"] = [ml("+7 days"), ml("Plain"), ml("Third")]
        ids[kind] = call(kz, world.editor, "POST", f"{API}/{survey_id}/questions", json=body).json()["id"]
    call(kz, world.editor, "POST", f"{API}/{survey_id}/open")
    codes = codes_for(kz, world, survey_id, 2)
    first = {
        ids["likert"]: 5,
        ids["single"]: 0,
        ids["multiple"]: [2, 0],
        ids["ranking"]: [1, 2, 0],
        ids["text"]: f"=SUM(A1:A9) my IIN is {IIN}",
    }
    assert answer(kz, survey_id, first, code=codes[0]).status_code == 201
    assert answer(kz, survey_id, {ids["likert"]: 1}, code=codes[1]).status_code == 201

    def rows(token: str | None) -> list[list[str]]:
        got = call(kz, token, "GET", f"{API}/{survey_id}/results.csv", params={"lang": "en"})
        assert got.status_code == 200 and got.headers["content-type"].startswith("text/csv")
        assert "attachment" in got.headers["content-disposition"]
        return list(csv.reader(io.StringIO(got.text)))

    public = rows(None)
    assert public[0] == [
        "response",
        "submitted_at",
        "1. =HYPERLINK(1)",
        "2. Fine",
        "3. -rows",
        "4. @cells",
        "5. x",
    ]
    assert len(public) == 3
    one, two = public[1], public[2]
    # the public reads the hour, the officials the second
    assert one[0] == "1" and re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:00Z", one[1])
    assert one[2:6] == ["5", "'+7 days", "'+7 days; Third", "Plain; Third; +7 days"]
    assert one[6].startswith("'=SUM(A1:A9) my IIN is ") and IIN not in one[6]  # masked for the public
    assert two[2:] == ["1", "", "", "", ""]
    official = rows(world.editor)
    assert official[1][6] == f"'=SUM(A1:A9) my IIN is {IIN}"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00", official[1][1])
    # the page route gives the same file
    page = call(kz, None, "GET", f"/reuse/surveys/{survey_id}/results.csv", params={"lang": "en"})
    assert list(csv.reader(io.StringIO(page.text))) == public
    results = call(kz, None, "GET", f"{API}/{survey_id}/results").json()
    text = next(q for q in results["questions"] if q["kind"] == "text")
    assert IIN not in " ".join(text["texts"]) and "9001" not in {w["word"] for w in text["cloud"]}


# ---------------------------------------------------------------- the word cloud


def test_the_word_cloud_leaves_out_built_in_and_profile_stop_words(kz: Portal) -> None:
    texts = [
        "Open data and open budgets, и открытые данные, және ашық деректер",
        "OPEN data: the budget of the city; данные города",
        "Ашық деректер керек, деректер!",
    ]
    cloud = wordcloud.word_cloud(texts)
    counts = {w.word: w.count for w in cloud}
    assert counts["open"] == 3 and counts["деректер"] == 3 and counts["данные"] == 2 and counts["data"] == 2
    assert not {"and", "the", "of", "и", "және"} & set(counts)
    assert cloud[0].step == 6 and cloud[-1].step == 1
    assert [w.word for w in cloud[:2]] == ["open", "деректер"]  # a tie in alphabetical order
    # the profile's own stop words ([reuse] stop_words), per language
    profile = kz.settings.jurisdiction
    extra = replace(
        profile,
        raw={
            **profile.raw,
            "reuse": {**profile.raw.get("reuse", {}), "stop_words": {"ru": ["данные"], "kk": ["керек"]}},
        },
    )
    skip = survey_service.rules_for(extra).stop_words
    counts = {w.word: w.count for w in wordcloud.word_cloud(texts, skip)}
    assert "данные" not in counts and "керек" not in counts and counts["open"] == 3
    many = wordcloud.word_cloud(
        [
            " ".join(f"word{chr(0x430 + i)}" for i in range(30))
            + " "
            + " ".join(f"слово{chr(0x430 + i)}" for i in range(30))
        ]
    )
    assert len(many) == wordcloud.TOP
    assert wordcloud.word_cloud(["", "   ", "12345 и the"]) == []


def test_each_survey_route_is_in_the_openapi_document(kz: Portal) -> None:
    paths = call(kz, None, "GET", "/openapi.json").json()["paths"]
    for path, methods in {
        API: {"get", "post"},
        f"{API}/{{survey_id}}": {"get", "patch", "delete"},
        f"{API}/{{survey_id}}/questions": {"post"},
        f"{API}/{{survey_id}}/questions/{{question_id}}": {"put", "delete"},
        f"{API}/{{survey_id}}/question-order": {"put"},
        f"{API}/{{survey_id}}/open": {"post"},
        f"{API}/{{survey_id}}/close": {"post"},
        f"{API}/{{survey_id}}/codes": {"post"},
        f"{API}/{{survey_id}}/responses": {"post"},
        f"{API}/{{survey_id}}/results": {"get"},
        f"{API}/{{survey_id}}/results.csv": {"get"},
    }.items():
        assert methods <= set(paths[path]), path
    assert not [p for p in paths if p.startswith("/reuse/")]  # the pages are not API
