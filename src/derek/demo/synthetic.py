"""Demo datasets with generated (seeded) files. The loader labels every one of them as demo content."""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from datetime import date

from derek.demo.generate import (
    City,
    Column,
    Measure,
    Naming,
    Place,
    Table,
    by_item,
    by_place,
    days,
    listing,
    months,
    quarters,
    series,
    weeks,
    years,
)
from derek.demo.places import (
    ALL_REGIONS,
    ALMATY,
    ASTANA,
    KZ_REGIONS,
    NEW_REGIONS,
    OBLASTS,
    PARTNERS,
    SHYMKENT,
)
from derek.demo.specs import DemoDataset, ml

Build = Callable[[random.Random], Table]
M = Measure
OBLAST_CODES = tuple(p.code for p in OBLASTS)


def regional(
    measures: Sequence[Measure],
    periods: Sequence[str],
    period_name: str = "year",
    places: Sequence[Place] = KZ_REGIONS,
) -> Build:
    def build(rng: random.Random) -> Table:
        return by_place(rng, places, periods, measures, period_name=period_name, new_regions_from=NEW_REGIONS)

    return build


def districts(city: City, measures: Sequence[Measure], periods: Sequence[str]) -> Build:
    def build(rng: random.Random) -> Table:
        return by_place(rng, city.districts, periods, measures, period_name="month", label="district")

    return build


def national(measures: Sequence[Measure], periods: Sequence[str], period_name: str = "month") -> Build:
    def build(rng: random.Random) -> Table:
        return series(rng, periods, measures, period_name=period_name)

    return build


def per_item(
    items: Sequence[tuple[str, ...]],
    item: str,
    measures: Sequence[Measure],
    periods: Sequence[str],
    period_name: str = "year",
) -> Build:
    columns = [f"{item}_code", f"{item}_kk", f"{item}_ru", f"{item}_en"]

    def build(rng: random.Random) -> Table:
        return by_item(rng, items, periods, measures, item_columns=columns, period_name=period_name)

    return build


def facilities(city: City, naming: Naming, count: int, *columns: Column) -> Build:
    def build(rng: random.Random) -> Table:
        return listing(rng, city, naming, count, columns)

    return build


YES_NO = ("yes", "no")
PROCUREMENT_METHODS = (
    ("open_tender", "Ашық конкурс", "Открытый конкурс", "Open tender"),
    ("price_quotations", "Баға ұсыныстарын сұрату", "Запрос ценовых предложений", "Request for quotations"),
    ("auction", "Аукцион", "Аукцион", "Auction"),
    ("e_shop", "Электрондық дүкен", "Электронный магазин", "E-shop"),
    ("single_source", "Бір көзден алу", "Из одного источника", "Single source"),
)
APPEAL_TOPICS = (
    (
        "housing",
        "Тұрғын үй-коммуналдық шаруашылық",
        "Жилищно-коммунальное хозяйство",
        "Housing and utilities",
    ),
    ("roads", "Жолдар", "Дороги", "Roads"),
    ("transport", "Қоғамдық көлік", "Общественный транспорт", "Public transport"),
    ("landscaping", "Абаттандыру", "Благоустройство", "Landscaping"),
    ("social", "Әлеуметтік қолдау", "Социальная поддержка", "Social support"),
    ("other", "Басқа", "Другое", "Other"),
)

AGRICULTURE: tuple[DemoDataset, ...] = (
    DemoDataset(
        name="grain-harvest-by-region",
        organization="ministry-of-agriculture",
        title=ml(
            "Облыстар бойынша дәнді дақылдардың егіс алқабы және жалпы түсімі",
            "Посевная площадь и валовой сбор зерновых культур по областям",
            "Grain sown area and harvest by region",
        ),
        description=ml(
            "Облыстар бойынша жыл сайынғы егіс алқабы (мың га) және астықтың жалпы түсімі (мың тонна).",
            "Ежегодная посевная площадь (тыс. га) и валовой сбор зерна (тыс. тонн) по областям.",
            "Yearly sown area (thousand ha) and gross grain harvest (thousand tonnes) by region.",
        ),
        themes=("AGRI",),
        keywords=("астық", "зерно", "grain", "урожай", "harvest"),
        frequency="ANNUAL",
        start=date(2015, 1, 1),
        end=date(2024, 12, 31),
        regions=OBLAST_CODES,
        table=regional(
            [
                M("sown_area_thousand_ha", 1.06, spread=0.9, decimals=1, noise=0.04),
                M("harvest_thousand_t", 1.3, growth=0.01, spread=0.9, noise=0.2, decimals=1),
            ],
            years(2015, 2024),
            places=OBLASTS,
        ),
        formats=("CSV", "JSON"),
    ),
    DemoDataset(
        name="livestock-by-region",
        organization="ministry-of-agriculture",
        title=ml(
            "Облыстар бойынша мал басы",
            "Поголовье скота по областям",
            "Livestock numbers by region",
        ),
        description=ml(
            "Жыл соңындағы ірі қара, қой мен ешкі, жылқы және түйе саны (мың бас).",
            "Поголовье крупного рогатого скота, овец и коз, лошадей и верблюдов на конец года (тыс. голов).",
            "Cattle, sheep and goats, horses and camels at the end of each year (thousand head).",
        ),
        themes=("AGRI",),
        keywords=("мал шаруашылығы", "животноводство", "livestock", "скот"),
        frequency="ANNUAL",
        start=date(2018, 1, 1),
        end=date(2024, 12, 31),
        regions=OBLAST_CODES,
        table=regional(
            [
                M("cattle_thousand_head", 0.56, growth=0.03, spread=0.5, decimals=1, noise=0.03),
                M("sheep_goats_thousand_head", 1.4, growth=0.02, spread=0.7, decimals=1, noise=0.03),
                M("horses_thousand_head", 0.27, growth=0.05, spread=0.6, decimals=1, noise=0.03),
                M("camels_thousand_head", 0.017, growth=0.03, spread=0.9, decimals=1, noise=0.05),
            ],
            years(2018, 2024),
            places=OBLASTS,
        ),
    ),
    DemoDataset(
        name="forest-fund-by-region",
        organization="ministry-of-ecology",
        title=ml(
            "Облыстар бойынша орман қоры және орман өрттері",
            "Лесной фонд и лесные пожары по областям",
            "Forest land and forest fires by region",
        ),
        description=ml(
            "Орман алқабы (мың га), өрттер саны және өрт шалған аумақ (га), жылдар бойынша.",
            "Покрытая лесом площадь (тыс. га), число пожаров и пройденная огнём площадь (га) по годам.",
            "Forested area (thousand ha), number of fires and burnt area (ha) by year.",
        ),
        themes=("ENVI", "AGRI"),
        keywords=("орман", "лес", "forest", "пожары", "fires"),
        frequency="ANNUAL",
        start=date(2018, 1, 1),
        end=date(2024, 12, 31),
        regions=OBLAST_CODES,
        table=regional(
            [
                M("forest_area_thousand_ha", 0.86, growth=0.005, spread=0.9, decimals=1, noise=0.01),
                M("fires", 0.033, spread=0.8, noise=0.4),
                M("burnt_area_ha", 5, spread=0.9, noise=0.6, decimals=1),
            ],
            years(2018, 2024),
            places=OBLASTS,
        ),
    ),
)

ECONOMY: tuple[DemoDataset, ...] = (
    DemoDataset(
        name="budget-execution-monthly",
        organization="ministry-of-finance",
        title=ml(
            "Республикалық бюджеттің айлық атқарылуы",
            "Исполнение республиканского бюджета по месяцам",
            "Monthly execution of the national budget",
        ),
        description=ml(
            "Айлар бойынша республикалық бюджеттің кірістері мен шығыстары (млрд теңге).",
            "Доходы и расходы республиканского бюджета по месяцам (млрд тенге).",
            "Revenue and expenditure of the national budget by month (billion tenge).",
        ),
        themes=("ECON", "GOVE"),
        keywords=("бюджет", "budget", "кірістер", "доходы", "расходы"),
        frequency="MONTHLY",
        start=date(2023, 1, 1),
        end=date(2024, 12, 31),
        table=national(
            [
                M("revenue_bn_kzt", 1500, growth=0.08, seasonal=0.15, peak_month=12, decimals=1),
                M("expenditure_bn_kzt", 1800, growth=0.1, seasonal=0.25, peak_month=12, decimals=1),
            ],
            months(2023, 2024),
        ),
        formats=("CSV", "JSON"),
    ),
    DemoDataset(
        name="consumer-price-index-monthly",
        organization="national-statistics-bureau",
        title=ml(
            "Тұтыну бағаларының индексі (айлық)",
            "Индекс потребительских цен (помесячно)",
            "Consumer price index (monthly)",
        ),
        description=ml(
            "Алдыңғы айға пайызбен: барлық тауарлар мен қызметтер, азық-түлік, азық-түлік емес тауарлар, "
            "ақылы қызметтер.",
            "В процентах к предыдущему месяцу: все товары и услуги, продовольственные и непродовольственные "
            "товары, платные услуги.",
            "Per cent of the previous month: all goods and services, food, non-food goods and paid services.",
        ),
        themes=("ECON",),
        keywords=("инфляция", "инфляция цен", "inflation", "CPI", "ИПЦ", "ТБИ"),
        frequency="MONTHLY",
        start=date(2022, 1, 1),
        end=date(2024, 12, 31),
        table=national(
            [
                M("cpi_total_pct", 100.8, noise=0.004, decimals=1),
                M("cpi_food_pct", 100.9, noise=0.005, decimals=1),
                M("cpi_non_food_pct", 100.7, noise=0.004, decimals=1),
                M("cpi_services_pct", 100.8, noise=0.005, decimals=1),
            ],
            months(2022, 2024),
        ),
    ),
    DemoDataset(
        name="average-wage-by-region",
        organization="national-statistics-bureau",
        title=ml(
            "Өңірлер бойынша орташа айлық жалақы",
            "Среднемесячная заработная плата по регионам",
            "Average monthly wage by region",
        ),
        description=ml(
            "Бір қызметкердің орташа айлық номиналды жалақысы (теңге), жылдар бойынша.",
            "Среднемесячная номинальная заработная плата одного работника (тенге) по годам.",
            "Average nominal monthly wage per employee (tenge) by year.",
        ),
        themes=("ECON", "SOCI"),
        keywords=("жалақы", "заработная плата", "wages", "доходы населения"),
        frequency="ANNUAL",
        start=date(2015, 1, 1),
        end=date(2024, 12, 31),
        regions=ALL_REGIONS,
        table=regional(
            [M("average_wage_kzt", 125000, growth=0.11, spread=0.35, noise=0.02, scaled=False)],
            years(2015, 2024),
        ),
    ),
    DemoDataset(
        name="public-procurement-by-method",
        organization="ministry-of-finance",
        title=ml(
            "Сатып алу тәсілдері бойынша мемлекеттік сатып алу",
            "Государственные закупки по способам закупа",
            "Public procurement by method",
        ),
        description=ml(
            "Тоқсан сайынғы шарттар саны және сомасы (млрд теңге), сатып алу тәсілдері бойынша. "
            "Жоба: әлі жарияланбаған.",
            "Число договоров и их сумма (млрд тенге) по кварталам и способам закупа. Черновик: ещё не "
            "опубликован.",
            "Number and value (billion tenge) of contracts by quarter and procurement method. A draft, not "
            "published yet.",
        ),
        themes=("ECON", "GOVE"),
        keywords=("мемлекеттік сатып алу", "госзакупки", "procurement", "тендер"),
        frequency="QUARTERLY",
        start=date(2023, 1, 1),
        end=date(2024, 12, 31),
        state="draft",
        table=per_item(
            PROCUREMENT_METHODS,
            "method",
            [M("contracts", 20000, spread=0.8, noise=0.1), M("amount_bn_kzt", 400, spread=0.8, decimals=1)],
            quarters(2023, 2024),
            "quarter",
        ),
    ),
)

EDUCATION: tuple[DemoDataset, ...] = (
    DemoDataset(
        name="unt-results-by-region",
        organization="ministry-of-education",
        title=ml(
            "Өңірлер бойынша ҰБТ нәтижелері",
            "Результаты ЕНТ по регионам",
            "Unified National Testing results by region",
        ),
        description=ml(
            "Ұлттық бірыңғай тестілеуге қатысушылар саны және орташа балл (140 балдан).",
            "Число участников единого национального тестирования и средний балл (из 140).",
            "Number of Unified National Testing participants and their average score (out of 140).",
        ),
        themes=("EDUC",),
        keywords=("ҰБТ", "ЕНТ", "UNT", "тестілеу", "тестирование", "выпускники"),
        frequency="ANNUAL",
        start=date(2019, 1, 1),
        end=date(2024, 12, 31),
        regions=ALL_REGIONS,
        table=regional(
            [
                M("participants", 7.5, growth=0.03, noise=0.04),
                M("average_score", 70, growth=0.01, spread=0.12, noise=0.02, decimals=1, scaled=False),
            ],
            years(2019, 2024),
        ),
    ),
    DemoDataset(
        name="almaty-schools",
        organization="almaty-akimat",
        licence="CC0-1.0",
        title=ml(
            "Алматы қаласының жалпы білім беретін мектептері",
            "Общеобразовательные школы города Алматы",
            "General education schools of Almaty",
        ),
        description=ml(
            "Мектептер тізімі: аудан, координаттар, оқушылар саны, жобалық сыйымдылық, оқыту тілі, "
            "ауысымдар.",
            "Список школ: район, координаты, число учащихся, проектная мощность, язык обучения, смены.",
            "List of schools: district, coordinates, pupils, design capacity, language of teaching, shifts.",
        ),
        themes=("EDUC", "REGI"),
        keywords=("мектептер", "школы", "schools", "Алматы", "Almaty"),
        frequency="IRREG",
        regions=("KZ-75",),
        table=facilities(
            ALMATY,
            Naming(
                "№{n} жалпы білім беретін мектеп",
                "Общеобразовательная школа №{n}",
                "School No. {n}",
                (1, 210),
            ),
            60,
            Column("pupils", 400, 3200),
            Column("capacity", 600, 2800),
            Column("language", choices=("kk", "ru", "kk+ru")),
            Column("shifts", 1, 3),
        ),
        formats=("CSV", "GEOJSON"),
    ),
    DemoDataset(
        name="astana-kindergarten-queue",
        organization="astana-akimat",
        licence="CC0-1.0",
        title=ml(
            "Астана қаласы бойынша балабақшаға кезек",
            "Очередь в детские сады города Астаны",
            "Kindergarten waiting list in Astana",
        ),
        description=ml(
            "Аудандар бойынша ай сайын кезекте тұрған балалар және берілген орындар саны.",
            "Число детей в очереди и выданных направлений по районам, помесячно.",
            "Children on the waiting list and places offered, by district and month.",
        ),
        themes=("EDUC", "SOCI"),
        keywords=("балабақша", "детский сад", "kindergarten", "очередь", "Астана"),
        frequency="MONTHLY",
        start=date(2024, 1, 1),
        end=date(2024, 12, 31),
        regions=("KZ-71",),
        table=districts(
            ASTANA,
            [
                M("children_waiting", 20, spread=0.4, noise=0.05),
                M("places_offered", 2, seasonal=0.6, peak_month=8),
            ],
            months(2024, 2024),
        ),
    ),
    DemoDataset(
        name="shymkent-sports-facilities",
        organization="shymkent-akimat",
        licence="CC0-1.0",
        title=ml(
            "Шымкент қаласының спорт нысандары",
            "Спортивные объекты города Шымкент",
            "Sports facilities of Shymkent",
        ),
        description=ml(
            "Спорт нысандарының картасы: түрі, сыйымдылығы, тегін кіру мүмкіндігі.",
            "Карта спортивных объектов: тип, вместимость, бесплатный вход.",
            "Map of sports facilities: type, capacity and whether entry is free.",
        ),
        themes=("EDUC",),
        keywords=("спорт", "sport", "стадион", "Шымкент", "Shymkent"),
        frequency="IRREG",
        regions=("KZ-79",),
        table=facilities(
            SHYMKENT,
            Naming("№{n} спорт кешені", "Спортивный комплекс №{n}", "Sports complex No. {n}", (1, 80)),
            40,
            Column(
                "facility_type", choices=("stadium", "swimming_pool", "gym", "football_pitch", "ice_rink")
            ),
            Column("capacity", 50, 5000),
            Column("free_entry", choices=YES_NO),
        ),
        formats=("GEOJSON", "CSV"),
    ),
)

ENERGY_AND_ENVIRONMENT: tuple[DemoDataset, ...] = (
    DemoDataset(
        name="electricity-by-region",
        organization="ministry-of-energy",
        title=ml(
            "Өңірлер бойынша электр энергиясын өндіру және тұтыну",
            "Производство и потребление электроэнергии по регионам",
            "Electricity generation and consumption by region",
        ),
        description=ml(
            "Жыл сайынғы электр энергиясын өндіру және тұтыну (млн кВт·сағ).",
            "Годовое производство и потребление электроэнергии (млн кВт·ч).",
            "Yearly electricity generation and consumption (million kWh).",
        ),
        themes=("ENER",),
        keywords=("электр энергиясы", "электроэнергия", "electricity", "энергетика"),
        frequency="ANNUAL",
        start=date(2016, 1, 1),
        end=date(2024, 12, 31),
        regions=ALL_REGIONS,
        table=regional(
            [
                M("generation_mln_kwh", 5.5, growth=0.02, spread=0.9, noise=0.03, decimals=1),
                M("consumption_mln_kwh", 5.3, growth=0.025, spread=0.5, noise=0.03, decimals=1),
            ],
            years(2016, 2024),
        ),
        formats=("CSV", "JSON"),
    ),
    DemoDataset(
        name="fuel-prices-weekly",
        organization="ministry-of-energy",
        title=ml(
            "Жанар-жағармайдың апталық бөлшек сауда бағалары",
            "Еженедельные розничные цены на топливо",
            "Weekly retail fuel prices",
        ),
        description=ml(
            "АИ-92, АИ-95 бензинінің, дизель отынының және сұйытылған газдың орташа бағасы (теңге/литр).",
            "Средние цены на бензин АИ-92, АИ-95, дизельное топливо и сжиженный газ (тенге за литр).",
            "Average prices of AI-92 and AI-95 petrol, diesel and LPG (tenge per litre).",
        ),
        themes=("ENER", "ECON"),
        keywords=("бензин", "petrol", "дизель", "diesel", "цены", "prices"),
        frequency="WEEKLY",
        start=date(2024, 1, 1),
        end=date(2024, 12, 30),
        table=national(
            [
                M("ai92_kzt_per_l", 205, noise=0.01),
                M("ai95_kzt_per_l", 250, noise=0.01),
                M("diesel_kzt_per_l", 290, noise=0.015),
                M("lpg_kzt_per_l", 95, noise=0.02),
            ],
            weeks(date(2024, 1, 1), date(2024, 12, 30)),
            "week_starting",
        ),
    ),
    DemoDataset(
        name="astana-heat-supply-daily",
        organization="astana-akimat",
        licence="CC0-1.0",
        title=ml(
            "Астана қаласының жылу беру маусымы: тәуліктік деректер",
            "Отопительный сезон в Астане: посуточные данные",
            "Astana heating season: daily figures",
        ),
        description=ml(
            "2023/24 жылу беру маусымында берілген жылу (Гкал) және жылу беру туралы шағымдар саны.",
            "Отпущенное тепло (Гкал) и число жалоб на отопление в отопительный сезон 2023/24.",
            "Heat supplied (Gcal) and complaints about heating, each day of the 2023/24 heating season.",
        ),
        themes=("ENER", "REGI"),
        keywords=("жылу", "отопление", "heating", "теплоснабжение", "Астана"),
        frequency="DAILY",
        start=date(2023, 10, 1),
        end=date(2024, 4, 30),
        regions=("KZ-71",),
        table=national(
            [
                M("heat_supplied_gcal", 30000, seasonal=0.6, peak_month=1, noise=0.05),
                M("complaints", 40, seasonal=0.8, peak_month=1, noise=0.4),
            ],
            days(date(2023, 10, 1), date(2024, 4, 30)),
            "date",
        ),
    ),
    DemoDataset(
        name="almaty-air-quality-daily",
        organization="ministry-of-ecology",
        title=ml(
            "Алматы қаласының ауа сапасы (тәуліктік)",
            "Качество атмосферного воздуха в Алматы (посуточно)",
            "Air quality in Almaty (daily)",
        ),
        description=ml(
            "PM2.5, PM10 және NO2 тәуліктік орташа концентрациялары (мкг/м³), қала бойынша орташа.",
            "Среднесуточные концентрации PM2.5, PM10 и NO2 (мкг/м³), среднее по городу.",
            "Daily mean concentrations of PM2.5, PM10 and NO2 (µg/m³), city average.",
        ),
        themes=("ENVI", "HEAL"),
        keywords=("ауа сапасы", "качество воздуха", "air quality", "PM2.5", "Алматы", "Almaty"),
        frequency="DAILY",
        start=date(2024, 1, 1),
        end=date(2024, 12, 31),
        regions=("KZ-75",),
        table=national(
            [
                M("pm25_ug_m3", 35, seasonal=0.7, peak_month=1, noise=0.3, decimals=1),
                M("pm10_ug_m3", 60, seasonal=0.5, peak_month=1, noise=0.3, decimals=1),
                M("no2_ug_m3", 40, seasonal=0.3, peak_month=1, noise=0.25, decimals=1),
            ],
            days(date(2024, 1, 1), date(2024, 12, 31)),
            "date",
        ),
        formats=("CSV", "JSON"),
    ),
    DemoDataset(
        name="shymkent-waste-collection",
        organization="shymkent-akimat",
        licence="CC0-1.0",
        title=ml(
            "Шымкент қаласында қалдықтарды шығару",
            "Вывоз отходов в городе Шымкент",
            "Waste collection in Shymkent",
        ),
        description=ml(
            "Аудандар бойынша ай сайын шығарылған аралас қалдықтар мен қайта өңделетін шикізат (тонна).",
            "Вывезенные смешанные отходы и вторсырьё (тонн) по районам, помесячно.",
            "Mixed waste and recyclables collected (tonnes) by district and month.",
        ),
        themes=("ENVI",),
        keywords=("қалдықтар", "отходы", "waste", "вторсырьё", "recycling", "Шымкент"),
        frequency="MONTHLY",
        start=date(2024, 1, 1),
        end=date(2024, 12, 31),
        regions=("KZ-79",),
        table=districts(
            SHYMKENT,
            [
                M("mixed_waste_t", 25, seasonal=0.15, peak_month=7, decimals=1),
                M("recyclables_t", 2.5, decimals=1),
            ],
            months(2024, 2024),
        ),
    ),
)

GOVERNMENT: tuple[DemoDataset, ...] = (
    DemoDataset(
        name="egov-services-monthly",
        organization="ministry-of-digital-development",
        title=ml(
            "eGov порталы арқылы көрсетілген мемлекеттік қызметтер",
            "Государственные услуги, оказанные через портал eGov",
            "Public services delivered through eGov",
        ),
        description=ml(
            "Ай сайын көрсетілген қызметтер саны (мың) және проактивті қызметтердің үлесі (%).",
            "Число оказанных услуг (тыс.) и доля проактивных услуг (%) по месяцам.",
            "Services delivered (thousands) and the share of proactive services (%) by month.",
        ),
        themes=("GOVE", "TECH"),
        keywords=("eGov", "мемлекеттік қызметтер", "госуслуги", "public services"),
        frequency="MONTHLY",
        start=date(2023, 1, 1),
        end=date(2024, 12, 31),
        table=national(
            [
                M("services_thousand", 4000, growth=0.12, seasonal=0.1, peak_month=9),
                M("proactive_share_pct", 22, growth=0.2, noise=0.03, decimals=1),
            ],
            months(2023, 2024),
        ),
    ),
    DemoDataset(
        name="astana-citizen-appeals",
        organization="astana-akimat",
        licence="CC0-1.0",
        title=ml(
            "Астана қаласы әкімдігіне түскен азаматтардың өтініштері",
            "Обращения граждан в акимат города Астаны",
            "Citizens' requests to the Astana City Akimat",
        ),
        description=ml(
            "Тақырыптар бойынша ай сайынғы өтініштер саны және мерзімінде қаралғандардың үлесі (%).",
            "Число обращений по темам и доля рассмотренных в срок (%), помесячно.",
            "Requests by topic and month, and the share answered on time (%).",
        ),
        themes=("GOVE",),
        keywords=("өтініштер", "обращения граждан", "citizen requests", "акимат", "Астана"),
        frequency="MONTHLY",
        start=date(2024, 1, 1),
        end=date(2024, 12, 31),
        regions=("KZ-71",),
        table=per_item(
            APPEAL_TOPICS,
            "topic",
            [
                M("requests", 900, spread=0.8, noise=0.15),
                M("answered_on_time_pct", 92, spread=0.05, noise=0.03, decimals=1),
            ],
            months(2024, 2024),
            "month",
        ),
    ),
    DemoDataset(
        name="legal-acts-registration-monthly",
        organization="ministry-of-justice",
        title=ml(
            "Нормативтік құқықтық актілерді мемлекеттік тіркеу",
            "Государственная регистрация нормативных правовых актов",
            "Registration of legal acts",
        ),
        description=ml(
            "Тіркеуге ұсынылған, тіркелген және тіркеуден бас тартылған актілер саны, ай сайын.",
            "Число актов, представленных на регистрацию, зарегистрированных и получивших отказ, по месяцам.",
            "Legal acts submitted for registration, registered and refused, by month.",
        ),
        themes=("JUST", "GOVE"),
        keywords=("НҚА", "НПА", "legal acts", "тіркеу", "регистрация"),
        frequency="MONTHLY",
        start=date(2023, 1, 1),
        end=date(2024, 12, 31),
        table=national(
            [
                M("submitted", 900, seasonal=0.2, peak_month=12, noise=0.1),
                M("registered", 700, seasonal=0.2, peak_month=12, noise=0.1),
                M("refused", 120, noise=0.3),
            ],
            months(2023, 2024),
        ),
    ),
)

HEALTH: tuple[DemoDataset, ...] = (
    DemoDataset(
        name="hospital-beds-by-region",
        organization="ministry-of-health",
        title=ml(
            "Өңірлер бойынша аурухана төсектері",
            "Больничные койки по регионам",
            "Hospital beds by region",
        ),
        description=ml(
            "Жыл соңындағы төсек саны және 10 000 тұрғынға шаққандағы төсектер.",
            "Число коек на конец года и обеспеченность койками на 10 000 жителей.",
            "Hospital beds at the end of each year and beds per 10,000 people.",
        ),
        themes=("HEAL",),
        keywords=("денсаулық сақтау", "здравоохранение", "health", "койки", "hospital beds"),
        frequency="ANNUAL",
        start=date(2015, 1, 1),
        end=date(2024, 12, 31),
        regions=ALL_REGIONS,
        table=regional(
            [
                M("hospital_beds", 5, growth=-0.005, noise=0.02),
                M("beds_per_10000", 50, growth=-0.005, noise=0.02, decimals=1, scaled=False),
            ],
            years(2015, 2024),
        ),
    ),
    DemoDataset(
        name="astana-pharmacies",
        organization="astana-akimat",
        licence="CC0-1.0",
        title=ml(
            "Астана қаласының дәріханалары",
            "Аптеки города Астаны",
            "Pharmacies in Astana",
        ),
        description=ml(
            "Дәріханалар картасы: аудан, тәулік бойы жұмыс, тегін дәрі-дәрмек бағдарламасына қатысу.",
            "Карта аптек: район, круглосуточная работа, участие в программе бесплатных лекарств.",
            "Map of pharmacies: district, open 24 hours, part of the free medicines programme.",
        ),
        themes=("HEAL",),
        keywords=("дәріхана", "аптеки", "pharmacies", "лекарства", "Астана"),
        frequency="IRREG",
        regions=("KZ-71",),
        table=facilities(
            ASTANA,
            Naming("№{n} дәріхана", "Аптека №{n}", "Pharmacy No. {n}", (1, 400)),
            80,
            Column("open_24h", choices=YES_NO),
            Column("free_medicines_programme", choices=YES_NO),
        ),
        formats=("GEOJSON", "CSV"),
    ),
    DemoDataset(
        name="hospital-bed-occupancy-daily",
        organization="ministry-of-health",
        licence="other-closed",
        title=ml(
            "Аурухана төсектерінің толуы (тәуліктік, ішкі)",
            "Занятость больничных коек (посуточно, внутренние данные)",
            "Hospital bed occupancy (daily, internal)",
        ),
        description=ml(
            "Өңірлер бойынша толған төсектер және толу деңгейі (%). Жабық жиынтық: тек министрлік "
            "қызметкерлеріне көрінеді.",
            "Занятые койки и уровень занятости (%) по регионам. Закрытый набор: виден только сотрудникам "
            "министерства.",
            "Occupied beds and occupancy (%) by region. A private dataset: only the ministry's members "
            "see it.",
        ),
        themes=("HEAL",),
        keywords=("төсек", "койки", "hospital beds", "occupancy"),
        frequency="DAILY",
        start=date(2024, 10, 1),
        end=date(2024, 12, 31),
        regions=ALL_REGIONS,
        private=True,
        table=regional(
            [
                M("beds_occupied", 3.5, seasonal=0.1, peak_month=1, noise=0.04),
                M("occupancy_pct", 78, spread=0.1, noise=0.05, decimals=1, scaled=False),
            ],
            days(date(2024, 10, 1), date(2024, 12, 31)),
            "date",
        ),
    ),
)

INTERNATIONAL_AND_JUSTICE: tuple[DemoDataset, ...] = (
    DemoDataset(
        name="foreign-trade-by-partner",
        organization="national-statistics-bureau",
        title=ml(
            "Негізгі серіктес елдер бойынша сыртқы сауда",
            "Внешняя торговля с основными странами-партнёрами",
            "Foreign trade with main partner countries",
        ),
        description=ml(
            "Тоқсан сайынғы экспорт және импорт (млн АҚШ доллары), серіктес елдер бойынша.",
            "Экспорт и импорт (млн долларов США) по кварталам и странам-партнёрам.",
            "Exports and imports (million US dollars) by quarter and partner country.",
        ),
        themes=("ECON", "INTR"),
        keywords=("сыртқы сауда", "внешняя торговля", "foreign trade", "экспорт", "импорт"),
        frequency="QUARTERLY",
        start=date(2023, 1, 1),
        end=date(2024, 12, 31),
        table=per_item(
            PARTNERS,
            "country",
            [
                M("exports_mln_usd", 1200, spread=0.9, decimals=1),
                M("imports_mln_usd", 900, spread=0.9, decimals=1),
            ],
            quarters(2023, 2024),
            "quarter",
        ),
        formats=("CSV", "JSON"),
    ),
    DemoDataset(
        name="consular-services-by-country",
        organization="ministry-of-foreign-affairs",
        title=ml(
            "Шетелдегі мекемелердің консулдық әрекеттері",
            "Консульские действия загранучреждений",
            "Consular services of missions abroad",
        ),
        description=ml(
            "Елдер бойынша берілген паспорттар, заңдастырылған құжаттар және консулдық есепке алу.",
            "Выданные паспорта, легализованные документы и консульский учёт по странам.",
            "Passports issued, documents legalised and consular registrations by country.",
        ),
        themes=("INTR",),
        keywords=("консулдық", "консульские услуги", "consular", "паспорт", "passport"),
        frequency="ANNUAL",
        start=date(2019, 1, 1),
        end=date(2024, 12, 31),
        table=per_item(
            PARTNERS,
            "country",
            [
                M("passports_issued", 800, spread=0.8, noise=0.1),
                M("documents_legalised", 1500, spread=0.8, noise=0.1),
                M("consular_registrations", 2000, spread=0.8, noise=0.1),
            ],
            years(2019, 2024),
        ),
    ),
    DemoDataset(
        name="road-accidents-by-region",
        organization="ministry-of-internal-affairs",
        title=ml(
            "Өңірлер бойынша жол-көлік оқиғалары",
            "Дорожно-транспортные происшествия по регионам",
            "Road traffic accidents by region",
        ),
        description=ml(
            "Жыл сайынғы жол-көлік оқиғалары, жарақат алғандар және қаза тапқандар саны.",
            "Число дорожно-транспортных происшествий, раненых и погибших по годам.",
            "Road traffic accidents, people injured and people killed, by year.",
        ),
        themes=("JUST", "TRAN"),
        keywords=("ЖКО", "ДТП", "road accidents", "жол қауіпсіздігі", "безопасность дорожного движения"),
        frequency="ANNUAL",
        start=date(2015, 1, 1),
        end=date(2024, 12, 31),
        regions=ALL_REGIONS,
        table=regional(
            [
                M("accidents", 0.75, growth=0.01, spread=0.4, noise=0.06),
                M("injured", 1.0, growth=0.01, spread=0.4, noise=0.06),
                M("killed", 0.1, growth=-0.03, spread=0.4, noise=0.15),
            ],
            years(2015, 2024),
        ),
    ),
    DemoDataset(
        name="almaty-emergency-calls",
        organization="almaty-akimat",
        licence="CC0-1.0",
        title=ml(
            "Алматы қаласындағы шұғыл қызметтерге қоңыраулар",
            "Вызовы экстренных служб в Алматы",
            "Emergency calls in Almaty",
        ),
        description=ml(
            "101 (өрт), 102 (полиция), 103 (жедел жәрдем) және 112 нөмірлеріне ай сайынғы қоңыраулар.",
            "Вызовы по номерам 101 (пожарная), 102 (полиция), 103 (скорая помощь) и 112, помесячно.",
            "Calls to 101 (fire), 102 (police), 103 (ambulance) and 112, by month.",
        ),
        themes=("JUST", "HEAL"),
        keywords=("112", "шұғыл қызметтер", "экстренные службы", "emergency", "Алматы"),
        frequency="MONTHLY",
        start=date(2024, 1, 1),
        end=date(2024, 12, 31),
        regions=("KZ-75",),
        table=national(
            [
                M("calls_101_fire", 3000, seasonal=0.2, peak_month=7),
                M("calls_102_police", 40000, seasonal=0.1, peak_month=7),
                M("calls_103_ambulance", 55000, seasonal=0.15, peak_month=1),
                M("calls_112", 25000, seasonal=0.1, peak_month=1),
            ],
            months(2024, 2024),
        ),
    ),
)

REGIONS_AND_SOCIETY: tuple[DemoDataset, ...] = (
    DemoDataset(
        name="housing-commissioned-by-region",
        organization="national-statistics-bureau",
        title=ml(
            "Өңірлер бойынша тұрғын үйді пайдалануға беру",
            "Ввод в эксплуатацию жилья по регионам",
            "New housing completed by region",
        ),
        description=ml(
            "Пайдалануға берілген тұрғын үйдің жалпы ауданы (мың м²) және пәтерлер саны.",
            "Общая площадь введённого жилья (тыс. м²) и число квартир.",
            "Floor area of housing completed (thousand m²) and number of dwellings.",
        ),
        themes=("REGI", "ECON"),
        keywords=("тұрғын үй", "жильё", "housing", "строительство", "construction"),
        frequency="ANNUAL",
        start=date(2015, 1, 1),
        end=date(2024, 12, 31),
        regions=ALL_REGIONS,
        table=regional(
            [
                M("housing_thousand_m2", 0.85, growth=0.06, spread=0.6, decimals=1),
                M("dwellings", 7.5, growth=0.05, spread=0.6),
            ],
            years(2015, 2024),
        ),
    ),
    DemoDataset(
        name="astana-streets",
        organization="astana-akimat",
        licence="ODC-BY-1.0",
        title=ml(
            "Астана қаласының көшелері",
            "Улицы города Астаны",
            "Streets of Astana",
        ),
        description=ml(
            "Көшелер тізімі: аудан, ортаңғы нүктесінің координаттары, ұзындығы, жолақтар, жарық, жабын.",
            "Перечень улиц: район, координаты середины, протяжённость, полосы, освещение, покрытие.",
            "List of streets: district, midpoint coordinates, length, lanes, lighting and surface.",
        ),
        themes=("REGI",),
        keywords=("көшелер", "улицы", "streets", "ономастика", "Астана"),
        frequency="IRREG",
        regions=("KZ-71",),
        table=facilities(
            ASTANA,
            Naming("№{n} көше", "Улица №{n}", "Street No. {n}", (1, 700)),
            120,
            Column("length_m", 150, 4800),
            Column("lanes", choices=("2", "4", "6")),
            Column("lighting", choices=YES_NO),
            Column("surface", choices=("asphalt", "paving", "gravel")),
        ),
    ),
    DemoDataset(
        name="population-by-region",
        organization="national-statistics-bureau",
        licence="CC-BY-SA-4.0",
        title=ml(
            "Өңірлер бойынша халық саны",
            "Численность населения по регионам",
            "Population by region",
        ),
        description=ml(
            "Жыл басындағы халық саны, үй шаруашылықтары, туғандар мен қайтыс болғандар саны.",
            "Численность населения на начало года, домохозяйства, число родившихся и умерших.",
            "Population at the start of each year, households, births and deaths.",
        ),
        themes=("SOCI",),
        keywords=("халық", "население", "population", "демография", "demography"),
        frequency="ANNUAL",
        start=date(2015, 1, 1),
        end=date(2025, 12, 31),
        regions=ALL_REGIONS,
        table=regional(
            [
                M("population", 1000, growth=0.012, spread=0.05, noise=0.01),
                M("households", 280, growth=0.015, spread=0.1, noise=0.01),
                M("births", 21, growth=-0.02, spread=0.2, noise=0.05),
                M("deaths", 7, spread=0.2, noise=0.05),
            ],
            years(2015, 2025),
        ),
        formats=("CSV", "JSON"),
    ),
    DemoDataset(
        name="unemployment-by-region",
        organization="ministry-of-labour",
        title=ml(
            "Өңірлер бойынша жұмыссыздық",
            "Безработица по регионам",
            "Unemployment by region",
        ),
        description=ml(
            "Тоқсан сайынғы жұмыс күші (мың адам) және жұмыссыздық деңгейі (%).",
            "Рабочая сила (тыс. человек) и уровень безработицы (%) по кварталам.",
            "Labour force (thousand people) and unemployment rate (%) by quarter.",
        ),
        themes=("SOCI",),
        keywords=("жұмыссыздық", "безработица", "unemployment", "занятость", "employment"),
        frequency="QUARTERLY",
        start=date(2023, 1, 1),
        end=date(2024, 12, 31),
        regions=ALL_REGIONS,
        table=regional(
            [
                M("labour_force_thousand", 0.48, spread=0.1, noise=0.02, decimals=1),
                M("unemployment_rate_pct", 4.8, spread=0.1, noise=0.04, decimals=1, scaled=False),
            ],
            quarters(2023, 2024),
            "quarter",
        ),
    ),
    DemoDataset(
        name="targeted-social-assistance",
        organization="ministry-of-labour",
        title=ml(
            "Атаулы әлеуметтік көмек",
            "Адресная социальная помощь",
            "Targeted social assistance",
        ),
        description=ml(
            "Ай сайын көмек алған отбасылар мен адамдар саны және төленген сома (млн теңге).",
            "Число семей и людей, получивших помощь, и выплаченная сумма (млн тенге), помесячно.",
            "Families and people receiving assistance and the amount paid (million tenge), by month.",
        ),
        themes=("SOCI",),
        keywords=("АӘК", "АСП", "social assistance", "әлеуметтік көмек", "социальная помощь"),
        frequency="MONTHLY",
        start=date(2023, 1, 1),
        end=date(2024, 12, 31),
        table=national(
            [
                M("families", 95000, growth=-0.05, noise=0.03),
                M("people", 420000, growth=-0.05, noise=0.03),
                M("amount_mln_kzt", 6500, growth=0.05, noise=0.04, decimals=1),
            ],
            months(2023, 2024),
        ),
    ),
)

TECHNOLOGY_AND_TRANSPORT: tuple[DemoDataset, ...] = (
    DemoDataset(
        name="internet-access-by-region",
        organization="ministry-of-digital-development",
        title=ml(
            "Өңірлер бойынша интернетке қолжетімділік",
            "Доступ к интернету по регионам",
            "Internet access by region",
        ),
        description=ml(
            "Интернеті бар үй шаруашылықтарының және интернет пайдаланушылардың үлесі (%), 100 тұрғынға "
            "шаққандағы тіркелген кең жолақты қолжетімділік.",
            "Доля домохозяйств с интернетом и пользователей интернета (%), фиксированный широкополосный "
            "доступ на 100 жителей.",
            "Share of households with internet and of internet users (%), fixed broadband subscriptions per "
            "100 people.",
        ),
        themes=("TECH",),
        keywords=("интернет", "internet", "кең жолақты", "широкополосный доступ", "broadband"),
        frequency="ANNUAL",
        start=date(2018, 1, 1),
        end=date(2024, 12, 31),
        regions=ALL_REGIONS,
        table=regional(
            [
                M(
                    "households_with_internet_pct",
                    84,
                    growth=0.012,
                    spread=0.05,
                    noise=0.01,
                    decimals=1,
                    scaled=False,
                ),
                M("internet_users_pct", 88, growth=0.01, spread=0.04, noise=0.01, decimals=1, scaled=False),
                M(
                    "fixed_broadband_per_100",
                    15,
                    growth=0.04,
                    spread=0.3,
                    noise=0.03,
                    decimals=1,
                    scaled=False,
                ),
            ],
            years(2018, 2024),
        ),
    ),
    DemoDataset(
        name="egov-mobile-usage",
        organization="nitec",
        title=ml(
            "eGov Mobile қосымшасын пайдалану",
            "Использование приложения eGov Mobile",
            "Use of the eGov Mobile app",
        ),
        description=ml(
            "Ай сайынғы белсенді пайдаланушылар, сұраулар және көрсетілген цифрлық құжаттар (мың).",
            "Активные пользователи, запросы и предъявленные цифровые документы (тыс.) по месяцам.",
            "Active users, requests and digital documents shown (thousands) by month.",
        ),
        themes=("TECH", "GOVE"),
        keywords=("eGov Mobile", "мобильді қосымша", "мобильное приложение", "digital documents"),
        frequency="MONTHLY",
        start=date(2023, 1, 1),
        end=date(2024, 12, 31),
        table=national(
            [
                M("active_users_thousand", 5200, growth=0.15, noise=0.03),
                M("requests_thousand", 9000, growth=0.2, seasonal=0.1, peak_month=9),
                M("digital_documents_shown_thousand", 3000, growth=0.3),
            ],
            months(2023, 2024),
        ),
    ),
    DemoDataset(
        name="almaty-bus-routes",
        organization="almaty-akimat",
        licence="CC0-1.0",
        title=ml(
            "Алматы қаласының автобус бағыттары",
            "Автобусные маршруты города Алматы",
            "Bus routes of Almaty",
        ),
        description=ml(
            "Бағыттар тізімі: соңғы аялдама координаттары, ұзындығы (км), аялдамалар, автобустар, "
            "аралық (мин).",
            "Перечень маршрутов: координаты конечной остановки, длина (км), остановки, автобусы, "
            "интервал (мин).",
            "List of routes: terminus coordinates, length (km), stops, buses and interval (minutes).",
        ),
        themes=("TRAN",),
        keywords=("автобус", "bus", "қоғамдық көлік", "общественный транспорт", "Алматы"),
        frequency="IRREG",
        regions=("KZ-75",),
        table=facilities(
            ALMATY,
            Naming("№{n} бағыт", "Маршрут №{n}", "Route No. {n}", (1, 150)),
            70,
            Column("length_km", 8, 45, decimals=1),
            Column("stops", 15, 80),
            Column("buses", 5, 40),
            Column("interval_min", 5, 25),
        ),
        formats=("CSV", "JSON"),
    ),
    DemoDataset(
        name="astana-bike-parking",
        organization="astana-akimat",
        licence="CC0-1.0",
        title=ml(
            "Астана қаласының велотұрақтары",
            "Велопарковки города Астаны",
            "Bicycle parking in Astana",
        ),
        description=ml(
            "Велотұрақтар картасы: орындар саны, шатыры, қоғамдық көлік аялдамасына жақындығы.",
            "Карта велопарковок: число мест, навес, близость к остановке общественного транспорта.",
            "Map of bicycle parking: racks, roof, and whether a public transport stop is near.",
        ),
        themes=("TRAN",),
        keywords=("велосипед", "bicycle", "велопарковка", "bike parking", "Астана"),
        frequency="IRREG",
        regions=("KZ-71",),
        table=facilities(
            ASTANA,
            Naming("№{n} велотұрақ", "Велопарковка №{n}", "Bike parking No. {n}", (1, 500)),
            90,
            Column("racks", 4, 40),
            Column("covered", choices=YES_NO),
            Column("near_public_transport", choices=YES_NO),
        ),
        formats=("GEOJSON", "CSV"),
    ),
    DemoDataset(
        name="railway-traffic-monthly",
        organization="ministry-of-transport",
        title=ml(
            "Темір жол тасымалы (айлық)",
            "Железнодорожные перевозки (помесячно)",
            "Rail traffic (monthly)",
        ),
        description=ml(
            "Ай сайынғы жолаушылар (мың), жолаушы айналымы (млн жолаушы-км) және жүк тасымалы (мың тонна).",
            "Пассажиры (тыс.), пассажирооборот (млн пасс.-км) и перевозка грузов (тыс. тонн) по месяцам.",
            "Passengers (thousands), passenger-km (millions) and freight (thousand tonnes) by month.",
        ),
        themes=("TRAN",),
        keywords=("теміржол", "железная дорога", "railway", "жолаушылар", "пассажиры"),
        frequency="MONTHLY",
        start=date(2023, 1, 1),
        end=date(2024, 12, 31),
        table=national(
            [
                M("passengers_thousand", 1500, growth=0.04, seasonal=0.3, peak_month=7),
                M("passenger_km_mln", 1400, growth=0.04, seasonal=0.35, peak_month=7),
                M("freight_thousand_t", 24000, growth=0.02, seasonal=0.05, peak_month=10),
            ],
            months(2023, 2024),
        ),
    ),
    DemoDataset(
        name="road-network-by-region",
        organization="ministry-of-transport",
        title=ml(
            "Облыстар бойынша автомобиль жолдары желісі",
            "Сеть автомобильных дорог по областям",
            "Road network by region",
        ),
        description=ml(
            "Жалпы пайдаланымдағы жолдардың ұзындығы (км) және жақсы не қанағаттанарлық жағдайдағы "
            "үлесі (%).",
            "Протяжённость дорог общего пользования (км) и доля в хорошем и удовлетворительном "
            "состоянии (%).",
            "Length of public roads (km) and the share in good or fair condition (%).",
        ),
        themes=("TRAN", "REGI"),
        keywords=("жолдар", "дороги", "roads", "автомобиль жолдары", "road condition"),
        frequency="ANNUAL",
        start=date(2019, 1, 1),
        end=date(2024, 12, 31),
        regions=OBLAST_CODES,
        table=regional(
            [
                M("roads_km", 6.4, growth=0.005, spread=0.6, noise=0.01),
                M("good_or_fair_pct", 82, growth=0.015, spread=0.08, noise=0.02, decimals=1, scaled=False),
            ],
            years(2019, 2024),
            places=OBLASTS,
        ),
    ),
)

SYNTHETIC_DATASETS: tuple[DemoDataset, ...] = (
    *AGRICULTURE,
    *ECONOMY,
    *EDUCATION,
    *ENERGY_AND_ENVIRONMENT,
    *GOVERNMENT,
    *HEALTH,
    *INTERNATIONAL_AND_JUSTICE,
    *REGIONS_AND_SOCIETY,
    *TECHNOLOGY_AND_TRANSPORT,
)
