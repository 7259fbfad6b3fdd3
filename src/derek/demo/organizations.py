"""Demo publishers (Kazakh ministries, agencies and city akimats) and demo user accounts."""

from __future__ import annotations

from dataclasses import dataclass

from derek.catalog.schemas import OrgType

# Shown in every demo organization's description: these records are not run by the bodies they name.
ORG_NOTE = {
    "kk": "Демо жазба: оны Derek демо-жүктеушісі жасаған, мекеменің өзі жүргізбейді.",
    "ru": "Демонстрационная запись: создана демо-загрузчиком Derek, ведомство её не ведёт.",
    "en": "Demo entry: created by the Derek demo loader, not run by the body itself.",
}

# The one password of every demo account (documented in README); change or remove the accounts before a
# portal is opened to the public.
DEMO_PASSWORD = "derek-demo"


@dataclass(frozen=True)
class DemoOrganization:
    name: str
    org_type: OrgType
    title: dict[str, str]
    about: dict[str, str]
    website: str = ""
    parent: str | None = None

    @property
    def description(self) -> dict[str, str]:
        return {lang: f"{self.about[lang]} {ORG_NOTE[lang]}" for lang in ("kk", "ru", "en")}

    @property
    def contact_email(self) -> str:
        return f"opendata.{self.name}@example.org"


@dataclass(frozen=True)
class DemoUser:
    name: str
    fullname: str
    organization: str | None = None
    role: str = "editor"
    sysadmin: bool = False

    @property
    def email(self) -> str:
        return f"{self.name}@example.org"


def _ml(kk: str, ru: str, en: str) -> dict[str, str]:
    return {"kk": kk, "ru": ru, "en": en}


_RK_KK, _RK_RU, _RK_EN = "Қазақстан Республикасының", "Республики Казахстан", "of the Republic of Kazakhstan"
GOV = "https://www.gov.kz/memleket/entities/"


def _ministry(name: str, kk: str, ru: str, en: str, about: dict[str, str], site: str) -> DemoOrganization:
    title = _ml(f"{_RK_KK} {kk}", f"{ru} {_RK_RU}", f"{en} {_RK_EN}")
    return DemoOrganization(name, "ministry", title, about, GOV + site)


ORGANIZATIONS: tuple[DemoOrganization, ...] = (
    DemoOrganization(
        "national-statistics-bureau",
        "agency",
        _ml(
            "ҚР Стратегиялық жоспарлау және реформалар агенттігінің Ұлттық статистика бюросы",
            "Бюро национальной статистики Агентства по стратегическому планированию и реформам РК",
            "Bureau of National Statistics of the Agency for Strategic Planning and Reforms",
        ),
        _ml(
            "Ресми статистиканы жинайды және жариялайды: халық, экономика, әлеуметтік сала, қоршаған орта.",
            "Собирает и публикует официальную статистику: население, экономика, социальная сфера, экология.",
            "Collects and publishes official statistics: population, economy, society and environment.",
        ),
        "https://stat.gov.kz",
    ),
    _ministry(
        "ministry-of-finance",
        "Қаржы министрлігі",
        "Министерство финансов",
        "Ministry of Finance",
        _ml(
            "Республикалық бюджеттің атқарылуы, салықтар, мемлекеттік сатып алу.",
            "Исполнение республиканского бюджета, налоги, государственные закупки.",
            "Execution of the national budget, taxes and public procurement.",
        ),
        "minfin",
    ),
    _ministry(
        "ministry-of-ecology",
        "Экология және табиғи ресурстар министрлігі",
        "Министерство экологии и природных ресурсов",
        "Ministry of Ecology and Natural Resources",
        _ml(
            "Қоршаған ортаны қорғау, қалдықтар, орман және су ресурстары, ауа сапасының мониторингі.",
            "Охрана окружающей среды, отходы, лесные и водные ресурсы, мониторинг качества воздуха.",
            "Environmental protection, waste, forests and water, air quality monitoring.",
        ),
        "ecogeo",
    ),
    _ministry(
        "ministry-of-health",
        "Денсаулық сақтау министрлігі",
        "Министерство здравоохранения",
        "Ministry of Health",
        _ml(
            "Денсаулық сақтау ұйымдары, төсек қоры, дәрі-дәрмекпен қамтамасыз ету.",
            "Организации здравоохранения, коечный фонд, лекарственное обеспечение.",
            "Health care facilities, hospital beds and medicines.",
        ),
        "dsm",
    ),
    _ministry(
        "ministry-of-education",
        "Оқу-ағарту министрлігі",
        "Министерство просвещения",
        "Ministry of Education",
        _ml(
            "Мектепке дейінгі және орта білім, ҰБТ нәтижелері.",
            "Дошкольное и среднее образование, результаты ЕНТ.",
            "Pre-school and secondary education, Unified National Testing results.",
        ),
        "edu",
    ),
    _ministry(
        "ministry-of-digital-development",
        "Цифрлық даму, инновациялар және аэроғарыш өнеркәсібі министрлігі",
        "Министерство цифрового развития, инноваций и аэрокосмической промышленности",
        "Ministry of Digital Development, Innovations and Aerospace Industry",
        _ml(
            "Электрондық үкімет, ашық деректер, байланыс және интернетке қолжетімділік.",
            "Электронное правительство, открытые данные, связь и доступ к интернету.",
            "E-government, open data, communications and internet access.",
        ),
        "mdai",
    ),
    _ministry(
        "ministry-of-agriculture",
        "Ауыл шаруашылығы министрлігі",
        "Министерство сельского хозяйства",
        "Ministry of Agriculture",
        _ml(
            "Өсімдік шаруашылығы, мал шаруашылығы, агроөнеркәсіптік кешенді субсидиялау.",
            "Растениеводство, животноводство, субсидирование агропромышленного комплекса.",
            "Crops, livestock and support to farming.",
        ),
        "moa",
    ),
    _ministry(
        "ministry-of-energy",
        "Энергетика министрлігі",
        "Министерство энергетики",
        "Ministry of Energy",
        _ml(
            "Электр энергетикасы, мұнай өнімдері, жанар-жағармай бағалары.",
            "Электроэнергетика, нефтепродукты, цены на горюче-смазочные материалы.",
            "Electricity, oil products and fuel prices.",
        ),
        "energo",
    ),
    _ministry(
        "ministry-of-transport",
        "Көлік министрлігі",
        "Министерство транспорта",
        "Ministry of Transport",
        _ml(
            "Автомобиль жолдары, теміржол және әуе көлігі.",
            "Автомобильные дороги, железнодорожный и воздушный транспорт.",
            "Roads, railways and air transport.",
        ),
        "transport",
    ),
    _ministry(
        "ministry-of-justice",
        "Әділет министрлігі",
        "Министерство юстиции",
        "Ministry of Justice",
        _ml(
            "Нормативтік құқықтық актілерді тіркеу, тегін заң көмегі.",
            "Государственная регистрация нормативных правовых актов, бесплатная юридическая помощь.",
            "Registration of legal acts and free legal aid.",
        ),
        "adilet",
    ),
    _ministry(
        "ministry-of-internal-affairs",
        "Ішкі істер министрлігі",
        "Министерство внутренних дел",
        "Ministry of Internal Affairs",
        _ml(
            "Қоғамдық тәртіп және жол қозғалысының қауіпсіздігі.",
            "Общественный порядок и безопасность дорожного движения.",
            "Public order and road safety.",
        ),
        "qriim",
    ),
    _ministry(
        "ministry-of-foreign-affairs",
        "Сыртқы істер министрлігі",
        "Министерство иностранных дел",
        "Ministry of Foreign Affairs",
        _ml(
            "Сыртқы саясат, консулдық қызмет және визалар.",
            "Внешняя политика, консульская служба и визы.",
            "Foreign policy, consular services and visas.",
        ),
        "mfa",
    ),
    _ministry(
        "ministry-of-labour",
        "Еңбек және халықты әлеуметтік қорғау министрлігі",
        "Министерство труда и социальной защиты населения",
        "Ministry of Labour and Social Protection of the Population",
        _ml(
            "Жұмыспен қамту, жұмыссыздық, әлеуметтік көмек.",
            "Занятость, безработица, социальная помощь.",
            "Employment, unemployment and social assistance.",
        ),
        "enbek",
    ),
    DemoOrganization(
        "nitec",
        "state_company",
        _ml(
            "«Ұлттық ақпараттық технологиялар» АҚ",
            "АО «Национальные информационные технологии»",
            "National Information Technologies JSC (NITEC)",
        ),
        _ml(
            "Электрондық үкімет инфрақұрылымының және data.egov.kz порталының операторы.",
            "Оператор инфраструктуры электронного правительства и портала data.egov.kz.",
            "Operator of the e-government infrastructure and of the data.egov.kz portal.",
        ),
        "https://nitec.kz",
        parent="ministry-of-digital-development",
    ),
    DemoOrganization(
        "almaty-akimat",
        "akimat",
        _ml("Алматы қаласының әкімдігі", "Акимат города Алматы", "Almaty City Akimat"),
        _ml(
            "Алматы қаласының жергілікті атқарушы органы: білім, көлік, төтенше жағдайлар.",
            "Местный исполнительный орган города Алматы: образование, транспорт, экстренные службы.",
            "Local executive body of Almaty: schools, public transport, emergency services.",
        ),
        GOV + "almaty",
    ),
    DemoOrganization(
        "astana-akimat",
        "akimat",
        _ml("Астана қаласының әкімдігі", "Акимат города Астаны", "Astana City Akimat"),
        _ml(
            "Астана қаласының жергілікті атқарушы органы: балабақшалар, жылу беру, азаматтардың өтініштері.",
            "Местный исполнительный орган города Астаны: детские сады, теплоснабжение, обращения граждан.",
            "Local executive body of Astana: kindergartens, heating, citizens' requests.",
        ),
        GOV + "astana",
    ),
    DemoOrganization(
        "shymkent-akimat",
        "akimat",
        _ml("Шымкент қаласының әкімдігі", "Акимат города Шымкент", "Shymkent City Akimat"),
        _ml(
            "Шымкент қаласының жергілікті атқарушы органы: спорт нысандары, қалдықтарды шығару.",
            "Местный исполнительный орган города Шымкент: спортивные объекты, вывоз отходов.",
            "Local executive body of Shymkent: sports facilities, waste collection.",
        ),
        GOV + "shymkent",
    ),
    DemoOrganization(
        "access-commission",
        "other",
        _ml(
            "Ақпаратқа қол жеткізу жөніндегі комиссия",
            "Комиссия по вопросам доступа к информации",
            "Commission on Access to Information",
        ),
        _ml(
            "Ашық деректер тізбесіне кандидаттарды қарайды: парламент, азаматтық қоғам, мемлекет.",
            "Рассматривает кандидатов в перечень открытых данных: парламент, общество, госорганы.",
            "Reviews the candidates for the list of open data: parliament, civil society and government.",
        ),
    ),
)

USERS: tuple[DemoUser, ...] = (
    DemoUser("admin", "Demo site administrator", sysadmin=True),
    DemoUser("stat-editor", "Demo publisher, Bureau of National Statistics", "national-statistics-bureau"),
    DemoUser("minfin-editor", "Demo publisher, Ministry of Finance", "ministry-of-finance"),
    DemoUser("ecology-editor", "Demo publisher, Ministry of Ecology", "ministry-of-ecology"),
    DemoUser("almaty-editor", "Demo publisher, Almaty City Akimat", "almaty-akimat"),
    DemoUser("astana-admin", "Demo organization admin, Astana City Akimat", "astana-akimat", role="admin"),
    DemoUser(
        "digital-editor",
        "Demo editor of the open data list, Ministry of Digital Development",
        "ministry-of-digital-development",
    ),  # fmt: skip
    DemoUser("commission-secretary", "Demo secretary of the Commission", "access-commission", role="admin"),
    DemoUser(
        "commission-member-1", "Demo Commission member (parliament)", "access-commission", role="member"
    ),
    DemoUser(
        "commission-member-2", "Demo Commission member (civil society)", "access-commission", role="member"
    ),
    DemoUser("commission-member-3", "Demo Commission member (business)", "access-commission", role="member"),
    DemoUser("resident-1", "Demo resident 1"),  # posts ideas, supports them, answers surveys
    DemoUser("resident-2", "Demo resident 2"),
    DemoUser("resident-3", "Demo resident 3"),
)
