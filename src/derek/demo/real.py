"""Demo datasets backed by real public files (kept byte for byte in files/), each credited to its source."""

from __future__ import annotations

from datetime import date

from derek.demo.places import ALL_REGIONS
from derek.demo.specs import DemoDataset, RealFile, Source, ml

BNS = ml(
    "ҚР СЖРА Ұлттық статистика бюросы (stat.gov.kz)",
    "Бюро национальной статистики АСПР РК (stat.gov.kz)",
    "Bureau of National Statistics, ASPR RK (stat.gov.kz)",
)
GITHUB = "https://github.com/"
_NO_NEW_REGIONS = tuple(r for r in ALL_REGIONS if r not in ("KZ-10", "KZ-33", "KZ-62"))


KATO = Source(
    BNS,
    "siaarzh/kz-tax-rates, data/kato.csv, commit 6ad89469225006e0e4e415470d6d29b71aee9c31",
    GITHUB + "siaarzh/kz-tax-rates/blob/6ad89469225006e0e4e415470d6d29b71aee9c31/data/kato.csv",
    "MIT (the compilation, siaarzh/kz-tax-rates); the classifier itself is an official state classifier",
)
TAX_RATES = Source(
    ml(
        "аудандық және қалалық мәслихаттар (шешімдері adilet.zan.kz сайтында)",
        "районные и городские маслихаты (решения на adilet.zan.kz)",
        "district and city maslikhats (decisions on adilet.zan.kz)",
    ),
    "siaarzh/kz-tax-rates, data/rates.csv, commit 6ad89469225006e0e4e415470d6d29b71aee9c31",
    GITHUB + "siaarzh/kz-tax-rates/blob/6ad89469225006e0e4e415470d6d29b71aee9c31/data/rates.csv",
    "MIT (the compilation, siaarzh/kz-tax-rates); maslikhat decisions are legal acts without copyright",
)
SCHOOLS = Source(
    BNS,
    "open-data-kazakhstan/city-school-private-public, archive/schools.xlsx, commit e8413d6a",
    GITHUB
    + "open-data-kazakhstan/city-school-private-public/blob/e8413d6a84cda865dd0483c68dad53022c046cac"
    + "/archive/schools.xlsx",
    "ODC PDDL 1.0 (per the repository README)",
)
ECO = Source(
    BNS,
    "open-data-kazakhstan/eco-spendings-and-emissions, Eco_am/data/eco.xls, commit 794be218",
    GITHUB
    + "open-data-kazakhstan/eco-spendings-and-emissions/blob/794be2184ba83531ec072807e9abe11801425dc8"
    + "/Eco_am/data/eco.xls",
    "ODC PDDL 1.0 (per the repository README)",
)
EGOV_STATS = Source(
    ml(
        "data.egov.kz (электрондық үкіметтің ашық деректер порталы)",
        "data.egov.kz (портал открытых данных электронного правительства)",
        "data.egov.kz (the e-government open data portal)",
    ),
    "opengov-kz/data-egov-kz, datasources/getstatisticsbycgogovagencies.json, commit 46ca0c01",
    GITHUB
    + "opengov-kz/data-egov-kz/blob/46ca0c01653387b9381b6fece30d36ca69c582c4"
    + "/datasources/getstatisticsbycgogovagencies.json",
    "MIT (c) 2025 opengov.kz; an unmodified response of the portal's statistics endpoint",
)
MEDICAL_WASTE = Source(
    ml(
        "ҚР Экология, геология және табиғи ресурстар министрлігі, data.egov.kz арқылы",
        "Министерство экологии, геологии и природных ресурсов РК, через data.egov.kz",
        "Ministry of Ecology, Geology and Natural Resources of the Republic of Kazakhstan, via data.egov.kz",
    ),
    "opengov-kz/data-egov-kz, results/datasets/Central_Government_Organizations/"
    "volume_of_medical_waste_by_reg.csv, commit 340a858e (derived)",
    GITHUB
    + "opengov-kz/data-egov-kz/blob/340a858e51b1fc0d912f0f6bf913260b487b3906"
    + "/results/datasets/Central_Government_Organizations/volume_of_medical_waste_by_reg.csv",
    "MIT (repository); state open data from data.egov.kz",
)
LEGAL_ENTITIES = Source(
    ml(
        "data.egov.kz, «Ұлттық ақпараттық технологиялар» АҚ жауапты",
        "data.egov.kz, ответственный: АО «Национальные информационные технологии»",
        "data.egov.kz, responsible: National Information Technologies JSC (NITEC)",
    ),
    "opengov-kz/data-egov-kz, results/datasets/Quasi-Government_Organizations/"
    "zandy_tulgalardyn_olardyn_kur1.csv, commit 340a858e (derived)",
    GITHUB
    + "opengov-kz/data-egov-kz/blob/340a858e51b1fc0d912f0f6bf913260b487b3906"
    + "/results/datasets/Quasi-Government_Organizations/zandy_tulgalardyn_olardyn_kur1.csv",
    "MIT (repository); state open data from data.egov.kz",
)
ROSTOCK = Source(
    ml(
        "Hanse- und Universitätsstadt Rostock (opendata-hro.de)",
        "Ганзейский и университетский город Росток (opendata-hro.de)",
        "Hanse- und Universitätsstadt Rostock (opendata-hro.de)",
    ),
    "ckan/ckanext-dcat, examples/dcat/dataset_gov_de.rdf, commit 02099725",
    GITHUB
    + "ckan/ckanext-dcat/blob/02099725f1d419b4de26c15e90ef5f56df10815f"
    + "/examples/dcat/dataset_gov_de.rdf",
    "CC0 (the distribution licence stated by opendata-hro.de); the file is an example in ckanext-dcat "
    "(AGPL-3.0)",
)


REAL_DATASETS: tuple[DemoDataset, ...] = (
    DemoDataset(
        name="kato-classifier",
        organization="national-statistics-bureau",
        title=ml(
            "Әкімшілік-аумақтық объектілер жіктеуіші (ӘАОЖ)",
            "Классификатор административно-территориальных объектов (КАТО)",
            "Classifier of administrative-territorial objects (KATO)",
        ),
        description=ml(
            "Қазақстанның барлық облыстарының, аудандарының, ауылдық округтері мен елді мекендерінің "
            "9 таңбалы кодтары мен атаулары (қазақ және орыс тілдерінде). Нұсқасы NK RK 11-2025. "
            "Кодтарды мәтін ретінде сақтаңыз.",
            "Девятизначные коды и наименования (на казахском и русском языках) всех областей, районов, "
            "сельских округов и населённых пунктов Казахстана. Версия NK RK 11-2025. Храните коды как текст.",
            "Nine-digit codes and names (in Kazakh and Russian) of every region, district, rural district "
            "and settlement of Kazakhstan. Version NK RK 11-2025. Keep the codes as text.",
        ),
        themes=("REGI", "GOVE"),
        keywords=("КАТО", "ӘАОЖ", "KATO", "классификатор", "classifier", "елді мекендер"),
        frequency="IRREG",
        regions=ALL_REGIONS,
        licence="MIT",
        languages=("kk", "ru"),
        version="NK RK 11-2025",
        issued=date(2026, 7, 17),
        files=(RealFile("kz_kato_classifier_stat_gov_kz.csv", "CSV", "KATO classifier (CSV, UTF-8)"),),
        source=KATO,
    ),
    DemoDataset(
        name="simplified-regime-tax-rates",
        organization="ministry-of-finance",
        title=ml(
            "Оңайлатылған декларация негізіндегі арнаулы салық режимінің аудандар бойынша мөлшерлемелері",
            "Ставки налога по специальному налоговому режиму на основе упрощённой декларации по районам",
            "Tax rates of the simplified-declaration special tax regime by district",
        ),
        description=ml(
            "Аудандық және қалалық мәслихаттар 2026 жылға белгілеген мөлшерлемелер, базалық мөлшерлемемен "
            "бірге, әр шешімге adilet.zan.kz сілтемесімен. Екінші файл — сол кесте орыс тіліндегі кесте "
            "бағдарламасынан экспорт түрінде (Windows-1251, «;» бөлгіші, ондық үтір); онда қазақтың "
            "төл әріптері орыс әріптерімен алмастырылған.",
            "Ставки, установленные районными и городскими маслихатами на 2026 год, с базовой ставкой и "
            "ссылкой на каждое решение на adilet.zan.kz. Второй файл — та же таблица в виде выгрузки из "
            "русскоязычной табличной программы (Windows-1251, разделитель «;», десятичная запятая); в ней "
            "казахские буквы заменены похожими русскими.",
            "Rates set for 2026 by district and city maslikhats (local councils), with the base rate and a "
            "link to each decision on adilet.zan.kz. The second file is the same table as a Russian-locale "
            "spreadsheet export (Windows-1251, ';' separator, decimal commas) in which Kazakh-only letters "
            "were replaced by Russian look-alikes.",
        ),
        themes=("ECON",),
        keywords=("салықтар", "налоги", "taxes", "маслихат", "упрощённая декларация", "КАТО"),
        frequency="ANNUAL",
        start=date(2026, 1, 1),
        end=date(2026, 12, 31),
        regions=ALL_REGIONS,
        licence="MIT",
        languages=("kk", "ru"),
        version="2026",
        issued=date(2026, 1, 15),
        files=(
            RealFile(
                "kz_simplified_regime_tax_rates_by_district.csv", "CSV", "Rates by district (CSV, UTF-8)"
            ),
            RealFile(
                "kz_tax_rates_ru_excel_export_cp1251.csv",
                "CSV",
                "Rates by district (Russian spreadsheet export, Windows-1251)",
                "Derived from the UTF-8 file: ';' delimiter, decimal commas, dd.mm.yyyy dates, "
                "Russian headers.",
            ),
        ),
        source=TAX_RATES,
    ),
    DemoDataset(
        name="general-schools-by-region",
        organization="national-statistics-bureau",
        title=ml(
            "Өңірлер бойынша жалпы білім беретін мектептер саны",
            "Количество общеобразовательных школ по регионам",
            "Number of general education schools by region",
        ),
        description=ml(
            "2000/01–2022/23 оқу жылдарындағы мектептер саны (бірлік), барлық халық, қала және ауыл бойынша "
            "бөлек. stat.gov.kz кестесі өзгеріссіз: тақырып жолдары, үш блок және ескертпелер.",
            "Число школ (единиц) по регионам за 2000/01–2022/23 учебные годы, всего, в городе и на селе. "
            "Таблица stat.gov.kz без изменений: строки заголовка, три блока и сноски.",
            "Number of schools (units) by region for school years 2000/01 to 2022/23: total, urban and "
            "rural. The stat.gov.kz workbook as published, with title rows, three stacked blocks and "
            "footnotes.",
        ),
        themes=("EDUC",),
        keywords=("мектептер", "школы", "schools", "білім", "образование", "education"),
        frequency="ANNUAL",
        start=date(2000, 9, 1),
        end=date(2023, 5, 31),
        regions=ALL_REGIONS,
        licence="ODC-PDDL-1.0",
        languages=("ru",),
        issued=date(2023, 9, 1),
        files=(
            RealFile(
                "kz_stat_general_schools_by_region.xlsx", "XLSX", "Schools by region (stat.gov.kz workbook)"
            ),
        ),
        source=SCHOOLS,
    ),
    DemoDataset(
        name="environmental-protection-expenditure",
        organization="national-statistics-bureau",
        title=ml(
            "Өңірлер бойынша қоршаған ортаны қорғауға арналған ағымдағы шығындар",
            "Объём текущих затрат на охрану окружающей среды по регионам",
            "Current expenditure on environmental protection by region",
        ),
        description=ml(
            "Мың теңге, 2005–2022 жылдар, өңірлер бойынша. «-» белгісі сол кезде әлі құрылмаған өңірлерді "
            "көрсетеді (2022 жылға дейінгі Абай, Жетісу, Ұлытау). Ескі Excel 97–2003 (.xls) форматы.",
            "Тысяч тенге, 2005–2022 годы, по регионам. Знак «-» отмечает регионы, которых тогда ещё не было "
            "(Абай, Жетісу, Ұлытау до 2022 года). Старый формат Excel 97–2003 (.xls).",
            "Thousand tenge, 2005 to 2022, by region. '-' marks regions that did not exist yet (Abai, Jetisu "
            "and Ulytau before 2022). Legacy Excel 97-2003 (.xls) workbook.",
        ),
        themes=("ENVI", "ECON"),
        keywords=("қоршаған орта", "охрана окружающей среды", "environment", "затраты", "expenditure"),
        frequency="ANNUAL",
        start=date(2005, 1, 1),
        end=date(2022, 12, 31),
        regions=ALL_REGIONS,
        licence="ODC-PDDL-1.0",
        languages=("ru",),
        issued=date(2023, 6, 1),
        files=(
            RealFile(
                "kz_stat_env_protection_current_expenditure_by_region.xls",
                "XLS",
                "Expenditure by region (stat.gov.kz workbook, .xls)",
            ),
        ),
        source=ECO,
    ),
    DemoDataset(
        name="egov-open-data-by-agency",
        organization="nitec",
        title=ml(
            "data.egov.kz порталындағы орталық мемлекеттік органдардың ашық деректер жиынтықтары",
            "Наборы открытых данных центральных государственных органов на портале data.egov.kz",
            "Open datasets of central government bodies on data.egov.kz",
        ),
        description=ml(
            "Әр орталық мемлекеттік орган бойынша data.egov.kz порталында орналастырылған және өзекті "
            "жиынтықтар саны, порталдың статистика сервисінің жауабы өзгеріссіз. Деректердегі белгілі "
            "қателер сақталған: кейбір ағылшын және қазақ атаулары орын ауыстырған.",
            "Число наборов, размещённых и актуальных на data.egov.kz, по каждому центральному "
            "государственному органу — ответ статистического сервиса портала без изменений. Известные "
            "ошибки сохранены: некоторые английские и казахские названия перепутаны местами.",
            "Counts of datasets placed and kept up to date on data.egov.kz for each central government body, "
            "the portal's statistics response unchanged. Known faults are kept: some English and Kazakh "
            "names are swapped, some English names are Russian acronyms.",
        ),
        themes=("GOVE", "TECH"),
        keywords=("ашық деректер", "открытые данные", "open data", "data.egov.kz", "статистика"),
        frequency="IRREG",
        licence="MIT",
        issued=date(2025, 3, 1),
        files=(
            RealFile("kz_egov_dataset_stats_by_central_agency.json", "JSON", "Datasets per agency (JSON)"),
        ),
        source=EGOV_STATS,
    ),
    DemoDataset(
        name="medical-waste-by-region",
        organization="ministry-of-ecology",
        title=ml(
            "Облыстар бөлінісінде медициналық қалдықтардың көлемі",
            "Объём медицинских отходов в разрезе областей",
            "Volume of medical waste by region",
        ),
        description=ml(
            "Өңірлер бойынша есепті жылы түзілген А–Д сыныптарындағы медициналық қалдықтардың көлемі. "
            "Бір JSON файлда: data.egov.kz метадеректер жазбасы (өрістер үш тілде) және жазбалар. "
            "Python-repr пішімінен JSON-ға өзгертілген, API кілті бар бағандар алынып тасталған.",
            "Объём медицинских отходов классов А–Д, образованных за отчётный год, по регионам. В одном "
            "JSON-файле: запись метаданных data.egov.kz (поля на трёх языках) и записи. Преобразовано из "
            "Python-repr в JSON, столбцы с ключом API удалены.",
            "Medical waste of classes A to D formed in the reporting year, by region. One JSON file holds "
            "the data.egov.kz metadata record (field labels in three languages) and the records. Converted "
            "from Python repr to JSON with no value changed; columns that held an API key were dropped.",
        ),
        themes=("ENVI", "HEAL"),
        keywords=("қалдықтар", "отходы", "waste", "медицинские отходы", "medical waste"),
        frequency="ANNUAL",
        regions=_NO_NEW_REGIONS,
        licence="MIT",
        issued=date(2024, 4, 1),
        files=(
            RealFile("kz_egov_medical_waste_by_region.json", "JSON", "Medical waste by region (meta + data)"),
        ),
        source=MEDICAL_WASTE,
    ),
    DemoDataset(
        name="legal-entities-register-sample",
        organization="nitec",
        title=ml(
            "Заңды тұлғалардың, олардың құрылтайшылары мен басшыларының тізбесі (үлгі)",
            "Перечень юридических лиц, их учредителей и руководителей (выборка)",
            "List of legal entities, their founders and managers (sample)",
        ),
        description=ml(
            "data.egov.kz zandy_tulgalardyn_olardyn_kur1 жиынтығының 0-беті (барлығы 1 824 493 жазба), "
            "2025-03-17 жүктелген. Дербес деректерді алып тастау үшін басшылардың ЖСН-і жойылды және БСН-і "
            "жеке тұлғаға тиесілі 335 жазба алынды: 665 жазба қалды.",
            "Страница 0 набора zandy_tulgalardyn_olardyn_kur1 портала data.egov.kz (всего 1 824 493 "
            "записи), загружена 2025-03-17. Чтобы исключить персональные данные, ИИН руководителей удалены, "
            "а 335 записей, чей БИН принадлежал физическому лицу, отброшены: осталось 665 записей.",
            "Page 0 of the data.egov.kz dataset zandy_tulgalardyn_olardyn_kur1 (1,824,493 records in all), "
            "loaded on 2025-03-17. To keep personal data out, the managers' IINs were removed and 335 "
            "records whose BIN belonged to a person were dropped: 665 records remain.",
        ),
        themes=("GOVE", "ECON"),
        keywords=("заңды тұлғалар", "юридические лица", "legal entities", "БИН", "BIN", "реестр"),
        frequency="IRREG",
        licence="MIT",
        languages=("kk", "ru"),
        issued=date(2025, 3, 17),
        files=(
            RealFile(
                "kz_egov_legal_entities_register_page0_filtered.json",
                "JSON",
                "Legal entities, page 0 (JSON, meta + response)",
            ),
        ),
        source=LEGAL_ENTITIES,
    ),
    DemoDataset(
        name="dcat-ap-sample-record",
        organization="ministry-of-digital-development",
        title=ml(
            "DCAT-AP метадеректер жазбасының үлгісі (Росток, Германия)",
            "Образец записи метаданных DCAT-AP (Росток, Германия)",
            "Sample DCAT-AP metadata record (Rostock, Germany)",
        ),
        description=ml(
            "opendata-hro.de порталының нақты DCAT-AP.de жазбасы (RDF/XML): еуропалық порталдармен "
            "метадеректер алмасу және харвестинг үшін мысал.",
            "Настоящая запись DCAT-AP.de с портала opendata-hro.de (RDF/XML): пример для харвестинга и "
            "обмена метаданными с европейскими порталами.",
            "A real DCAT-AP.de dataset record from opendata-hro.de in RDF/XML, kept as an example for "
            "harvesting and metadata exchange with European portals.",
        ),
        themes=("TECH", "INTR"),
        keywords=("DCAT-AP", "метадеректер", "метаданные", "metadata", "RDF", "interoperability"),
        frequency="IRREG",
        licence="CC0-1.0",
        languages=("de",),
        issued=date(2024, 11, 1),
        files=(RealFile("dcat_ap_de_opendata_hro_dataset.rdf", "RDF", "DCAT-AP.de record (RDF/XML)"),),
        source=ROSTOCK,
    ),
)
