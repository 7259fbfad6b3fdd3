"""Demo of reuse, made through the services: seven use cases of the demo datasets (apps, a service, a
visualisation, an article, research) and ideas with supports, comments and an answer that match the demo's
dataset proposals, so their demand evidence shows ideas too. Idempotent: nothing is made when a use case
exists already.

The use cases' addresses are real ones the liveness monitor can check: the live ones point at example.org
(the domain reserved for examples, which answers), the dead ones at names under `.invalid`, which never
resolve. Their states are recorded as the monitor would record them, so the overview shows the study's
split at once; the daily check then judges them for real (without internet, everything is dead)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from derek.config import Profile
from derek.core import accounts
from derek.core.authz import Actor
from derek.core.errors import DomainError, NotFound
from derek.reuse import liveness_service
from derek.reuse import service as reuse
from derek.reuse.service import IdeaData, UseCaseData

RESIDENTS = ("resident-1", "resident-2", "resident-3")


def _ml(kk: str, ru: str, en: str) -> dict[str, str]:
    return {"kk": kk, "ru": ru, "en": en}


def _actor(session: Session, name: str) -> Actor | None:
    try:
        return accounts.actor_for(session, accounts.get_user(session, name))
    except NotFound:
        return None


USE_CASES: list[tuple[UseCaseData, str, int]] = [  # (what, its state, days since it died)
    (
        UseCaseData(
            title=_ml("Алматы ауасы қазір", "Воздух Алматы сейчас", "Almaty air now"),
            description=_ml(
                "Алматыдағы ауа сапасының күнделікті көрсеткіштерін картада және графиктерде көрсетеді.",
                "Показывает ежедневные показатели качества воздуха в Алматы на карте и графиках.",
                "Shows Almaty's daily air quality on a map and in charts, with a warning on bad days.",
            ),
            kind="visualisation", author="Civic tech volunteers of Almaty", contact="air@example.org",
            datasets=["almaty-air-quality-daily"], url="https://example.org/#almaty-air", topics=["ENVI"],
        ),
        "live",
        0,
    ),
    (
        UseCaseData(
            title=_ml("Мектеп іздеу", "Поиск школы", "School finder"),
            description=_ml(
                "Ата-аналарға үйге жақын мектепті табуға және өңірлердегі мектептер санын салыстыруға "
                "көмектеседі.",
                "Помогает родителям найти школу рядом с домом и сравнить число школ по регионам.",
                "Helps parents find a school near home and compare the number of schools across regions.",
            ),
            kind="app", author="A start-up from Astana Hub", contact="schools@example.org",
            datasets=["almaty-schools", "general-schools-by-region"], url="https://example.org/#schools",
            store_links=[{"store": "google_play", "url": "https://example.org/#schools-android"}],
            topics=["EDUC"],
        ),
        "live",
        0,
    ),
    (
        UseCaseData(
            title=_ml("Балабақша кезегі", "Очередь в детсад", "Kindergarten queue tracker"),
            description=_ml(
                "Астанадағы балабақша кезегінің қозғалысын аудандар бойынша бақылауға арналған прототип.",
                "Прототип для отслеживания движения очереди в детские сады Астаны по районам.",
                "A prototype following how Astana's kindergarten waiting list moves, by district.",
            ),
            kind="app", author="Students of a hackathon in Astana", contact="queue@example.org",
            datasets=["astana-kindergarten-queue"], url="https://example.org/#kindergarten",
            prototype=True, topics=["EDUC"],
        ),
        "live",
        0,
    ),
    (
        UseCaseData(
            title=_ml("Жанармай бағасы боты", "Бот цен на топливо", "Fuel price bot"),
            description=_ml(
                "Мессенджердегі бот: апта сайынғы жанармай бағасын өңірлер бойынша хабарлайтын.",
                "Бот в мессенджере, который каждую неделю сообщал цены на топливо по регионам.",
                "A messenger bot that announced the weekly retail fuel prices by region to its subscribers.",
            ),
            kind="service", author="An independent developer", contact="fuel-bot@example.org",
            datasets=["fuel-prices-weekly"], url="https://fuel-bot.example.invalid/", topics=["ENER"],
        ),
        "dead",
        45,
    ),
    (
        UseCaseData(
            title=_ml("Астана дәріханалары картасы", "Карта аптек Астаны", "Pharmacy map of Astana"),
            description=_ml(
                "Астанадағы дәріханаларды картада көрсетеді және ең жақынын табуға көмектеседі.",
                "Показывает аптеки Астаны на карте и помогает найти ближайшую.",
                "Shows the pharmacies of Astana on a map and finds the nearest one open at night.",
            ),
            kind="app", author="A pharmacy delivery start-up", contact="pharmacy-map@example.org",
            datasets=["astana-pharmacies"], url="https://pharmacy-map.example.invalid/", topics=["HEAL"],
        ),
        "dead",
        5,
    ),
    (
        UseCaseData(
            title=_ml(
                "Өңірлердегі жалақы түсіндірмесі", "Зарплаты в регионах: разбор", "Regional wages explained"
            ),
            description=_ml(
                "Өңірлердегі орташа жалақы мен жұмыссыздықты салыстыратын талдамалық мақала.",
                "Аналитическая статья, сравнивающая среднюю зарплату и безработицу по регионам.",
                "An explainer comparing the average monthly wage and unemployment across the regions.",
            ),
            kind="article", author="A business news outlet", contact="data-desk@example.org",
            datasets=["average-wage-by-region", "unemployment-by-region"],
            url="https://example.org/#wages", topics=["ECON"],
        ),
        "live",
        0,
    ),
    (
        UseCaseData(
            title=_ml(
                "Ауа сапасы және аурухана", "Качество воздуха и больницы", "Air quality and hospital beds"
            ),
            description=_ml(
                "Ауа ластануы мен аурухана төсектерінің өңірлер бойынша байланысын зерттеу.",
                "Исследование связи загрязнения воздуха и коечного фонда больниц по регионам.",
                "A study of how air pollution and the hospital beds of each region relate, with its method.",
            ),
            kind="research", author="A university public health group", contact="research@example.org",
            datasets=["almaty-air-quality-daily", "hospital-beds-by-region"],
            url="https://example.org/#air-study",
            store_links=[{"store": "other", "url": "https://repository.example.invalid/air-study"}],
            topics=["HEAL", "ENVI"],
        ),
        "degraded",
        0,
    ),
]  # fmt: skip

IDEAS = [  # (author, what, supporters, comments)
    (
        "resident-1",
        IdeaData(
            title="Publish utility tariffs by district",
            body="Tariffs for water, heating and electricity differ by district: a table per month would let "
            "residents compare their bills.",
            kind="dataset_request",
            keywords="utility tariffs, tariffs by district",
            organization="ministry-of-finance",
        ),
        ("resident-2", "resident-3", "stat-editor"),
        [("resident-2", "Please include the date each tariff took effect.")],
    ),
    (
        "resident-2",
        IdeaData(
            title="Bus positions in real time for Almaty",
            body="A feed of bus positions every 30 seconds would let apps show when the next bus arrives.",
            kind="dataset_request",
            keywords="bus timetables, public transport",
            organization="almaty-akimat",
        ),
        ("resident-1", "resident-3"),
        [],
    ),
    (
        "resident-3",
        IdeaData(
            title="A map of kindergarten places with the queue per district",
            body="Parents could see where places are free before they apply.",
            kind="idea",
            keywords="kindergarten places, kindergarten queue",
            organization="astana-akimat",
        ),
        ("resident-1",),
        [("resident-1", "A school version of the same map would help too.")],
    ),
    (
        "resident-1",
        IdeaData(
            title="Opening hours of pharmacies",
            body="The pharmacy list has addresses; opening hours would show which are open at night.",
            kind="dataset_request",
            keywords="pharmacies, opening hours",
            organization="astana-akimat",
        ),
        ("resident-2",),
        [],
    ),
]


def ensure_demo_reuse(session: Session, profile: Profile, now: datetime | None = None) -> int:
    """Make the demo's use cases and ideas; the number of use cases made."""
    if reuse.stats(session, profile).total or reuse.list_ideas(session, reuse.IdeaQuery(per_page=1)).total:
        return 0  # loaded before (also on a profile whose datasets this demo does not have)
    people = {n: _actor(session, n) for n in (*RESIDENTS, "stat-editor", "astana-admin")}
    if any(a is None for a in people.values()):
        return 0
    act = {n: a for n, a in people.items() if a is not None}
    now = now or datetime.now(UTC)
    made = 0
    for n, (data, state, died_days_ago) in enumerate(USE_CASES):
        try:
            use_case = reuse.create_use_case(session, act[RESIDENTS[n % len(RESIDENTS)]], profile, data)
        except DomainError:  # a dataset or theme of this demo is missing on another profile
            continue
        liveness_service.record_earlier_check(session, use_case, state, now - timedelta(days=died_days_ago))
        made += 1
    for author, idea_data, supporters, comments in IDEAS:
        try:
            idea = reuse.create_idea(session, act[author], profile, idea_data)
        except DomainError:  # an organization of this demo is missing on another profile
            continue
        for name in supporters:
            reuse.add_idea_support(session, act[name], idea.id)
        for name, text in comments:
            reuse.add_comment(session, act[name], idea.id, text)
        if idea_data.title.startswith("Opening hours"):
            reuse.set_answer(
                session, act["astana-admin"], profile, idea.id,
                "The list of pharmacies will carry opening hours from its next update.",
                dataset="astana-pharmacies",
            )  # fmt: skip
    return made
