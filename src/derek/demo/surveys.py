"""Demo of surveys for co-creation sessions, made through the services: one open survey of the Ministry of
Digital Development with a question of every kind, answered with one-time codes by twelve participants of a
session (Kazakh, Russian and English free text), so its live results and word cloud show something.
Idempotent: nothing is made when the organization has a survey already."""

from __future__ import annotations

import random

from sqlalchemy.orm import Session

from derek.config import Profile
from derek.core import accounts
from derek.core.authz import ANONYMOUS
from derek.core.errors import NotFound
from derek.demo.specs import ml
from derek.reuse import survey_service as surveys

ORGANIZATION = "ministry-of-digital-development"
OFFICIAL = "digital-editor"
PARTICIPANTS = 12
CODES = 20
COMMENTS = (
    "Ашық деректер порталы ыңғайлы, бірақ автобус кестелері жетіспейді.",
    "Автобус маршруттары мен аялдамалар туралы деректер керек.",
    "Нужны данные о школах и детских садах по районам.",
    "Хочется видеть бюджет города в открытом виде, по статьям.",
    "Please publish bus timetables and stops as open data.",
    "Air quality data for every district, updated daily.",
    "Деректер CSV форматында болса жақсы.",
    "Данные о качестве воздуха и автобусах важнее всего.",
    "Open budget data and school places would help parents.",
    "Мектептер мен балабақшалар туралы деректер ашылсын.",
    "",
    "Больше данных в формате CSV и API, пожалуйста.",
)


def ensure_demo_surveys(session: Session, profile: Profile, secret: str) -> int:
    """Make the demo survey with its responses; the number of surveys made (0 or 1)."""
    try:
        official = accounts.actor_for(session, accounts.get_user(session, OFFICIAL))
    except NotFound:
        return 0  # the demo's ministry or its editor is missing (a profile other than kz)
    if surveys.list_surveys(session, official, organization=ORGANIZATION, mine=True, limit=1):
        return 0
    survey = surveys.create_survey(
        session,
        official,
        profile,
        surveys.SurveyData(
            title=ml(
                "Ашық деректер: қандай деректер керек?",
                "Открытые данные: какие данные нужны?",
                "Open data: which data do you need?",
            ),
            description=ml(
                "Бірлесіп жасау сессиясының сауалнамасы (демо деректер).",
                "Опрос сессии совместного проектирования (демо-данные).",
                "The survey of a co-creation session (demo data).",
            ),
            organization=ORGANIZATION,
            access="codes",
        ),
    )
    questions = [
        surveys.QuestionData(
            "likert",
            ml(
                "Порталда керек деректерді табу оңай.",
                "На портале легко найти нужные данные.",
                "It is easy to find the data I need on the portal.",
            ),
            required=True,
        ),
        surveys.QuestionData(
            "single",
            ml(
                "Деректерді қалай жиі пайдаланасыз?",
                "Как часто вы пользуетесь данными?",
                "How often do you use the data?",
            ),
            [
                ml("Күн сайын", "Каждый день", "Every day"),
                ml("Апта сайын", "Каждую неделю", "Every week"),
                ml("Ай сайын", "Каждый месяц", "Every month"),
                ml("Сирек", "Редко", "Rarely"),
            ],
        ),
        surveys.QuestionData(
            "multiple",
            ml("Қандай пішімдер ыңғайлы?", "Какие форматы удобны?", "Which formats suit you?"),
            [
                ml("CSV", "CSV", "CSV"),
                ml("Excel", "Excel", "Excel"),
                ml("JSON", "JSON", "JSON"),
                ml("API", "API", "API"),
                ml("PDF", "PDF", "PDF"),
            ],
        ),
        surveys.QuestionData(
            "ranking",
            ml(
                "Қай деректерді бірінші ашу керек?",
                "Какие данные открыть в первую очередь?",
                "Which data should be opened first?",
            ),
            [
                ml("Қоғамдық көлік", "Общественный транспорт", "Public transport"),
                ml("Қала бюджеті", "Бюджет города", "City budget"),
                ml("Ауа сапасы", "Качество воздуха", "Air quality"),
                ml("Мектептер мен балабақшалар", "Школы и детские сады", "Schools and kindergartens"),
            ],
        ),
        surveys.QuestionData(
            "text",
            ml("Тағы не айтқыңыз келеді?", "Что ещё вы хотите сказать?", "What else would you like to say?"),
        ),
    ]
    made = [surveys.add_question(session, official, profile, survey.id, q) for q in questions]
    surveys.open_survey(session, official, survey.id)
    codes = surveys.create_codes(session, official, survey.id, CODES, secret=secret)
    rng = random.Random(2026)
    for n in range(PARTICIPANTS):
        order = list(range(4))
        rng.shuffle(order)
        answers = {
            str(made[0].id): rng.choice((2, 3, 4, 4, 5)),
            str(made[1].id): rng.randrange(4),
            str(made[2].id): sorted(rng.sample(range(5), rng.randint(1, 3))),
            str(made[3].id): order,
            str(made[4].id): COMMENTS[n % len(COMMENTS)],
        }
        surveys.submit_response(session, ANONYMOUS, survey.id, answers, codes[n], secret=secret)
    return 1
