"""Places the demo data is about: Kazakhstan's regions, three cities' districts, trade partners."""

from __future__ import annotations

from derek.demo.generate import City, Place

# ISO 3166-2:KZ codes (as in profiles/kz.toml); weights are rounded populations in thousands, only there
# to make generated figures plausible in size.
KZ_REGIONS: tuple[Place, ...] = (
    Place("KZ-10", "Абай облысы", "Область Абай", "Abai Region", 605),
    Place("KZ-11", "Ақмола облысы", "Акмолинская область", "Akmola Region", 785),
    Place("KZ-15", "Ақтөбе облысы", "Актюбинская область", "Aktobe Region", 935),
    Place("KZ-19", "Алматы облысы", "Алматинская область", "Almaty Region", 1510),
    Place("KZ-23", "Атырау облысы", "Атырауская область", "Atyrau Region", 700),
    Place("KZ-27", "Батыс Қазақстан облысы", "Западно-Казахстанская область", "West Kazakhstan Region", 690),
    Place("KZ-31", "Жамбыл облысы", "Жамбылская область", "Jambyl Region", 1220),
    Place("KZ-33", "Жетісу облысы", "Область Жетісу", "Jetisu Region", 700),
    Place("KZ-35", "Қарағанды облысы", "Карагандинская область", "Karaganda Region", 1135),
    Place("KZ-39", "Қостанай облысы", "Костанайская область", "Kostanay Region", 830),
    Place("KZ-43", "Қызылорда облысы", "Кызылординская область", "Kyzylorda Region", 830),
    Place("KZ-47", "Маңғыстау облысы", "Мангистауская область", "Mangystau Region", 780),
    Place("KZ-55", "Павлодар облысы", "Павлодарская область", "Pavlodar Region", 750),
    Place(
        "KZ-59", "Солтүстік Қазақстан облысы", "Северо-Казахстанская область", "North Kazakhstan Region", 530
    ),
    Place("KZ-61", "Түркістан облысы", "Туркестанская область", "Turkistan Region", 2110),
    Place("KZ-62", "Ұлытау облысы", "Область Ұлытау", "Ulytau Region", 220),
    Place("KZ-63", "Шығыс Қазақстан облысы", "Восточно-Казахстанская область", "East Kazakhstan Region", 715),
    Place("KZ-71", "Астана қаласы", "город Астана", "Astana (city)", 1420),
    Place("KZ-75", "Алматы қаласы", "город Алматы", "Almaty (city)", 2230),
    Place("KZ-79", "Шымкент қаласы", "город Шымкент", "Shymkent (city)", 1250),
)
ALL_REGIONS: tuple[str, ...] = tuple(p.code for p in KZ_REGIONS)
# Regions formed in 2022 (Abai, Jetisu, Ulytau): generated series have no rows for them before.
NEW_REGIONS = {"KZ-10": 2022, "KZ-33": 2022, "KZ-62": 2022}
OBLASTS = tuple(p for p in KZ_REGIONS if p.code not in ("KZ-71", "KZ-75", "KZ-79"))

ALMATY = City(
    "KZ-75",
    43.2383,
    76.9456,
    (
        Place("alatau", "Алатау ауданы", "Алатауский район", "Alatau District", 330),
        Place("almaly", "Алмалы ауданы", "Алмалинский район", "Almaly District", 210),
        Place("auezov", "Әуезов ауданы", "Ауэзовский район", "Auezov District", 320),
        Place("bostandyk", "Бостандық ауданы", "Бостандыкский район", "Bostandyk District", 390),
        Place("zhetysu", "Жетісу ауданы", "Жетысуский район", "Zhetysu District", 170),
        Place("medeu", "Медеу ауданы", "Медеуский район", "Medeu District", 230),
        Place("nauryzbay", "Наурызбай ауданы", "Наурызбайский район", "Nauryzbay District", 200),
        Place("turksib", "Түрксіб ауданы", "Турксибский район", "Turksib District", 250),
    ),
)
ASTANA = City(
    "KZ-71",
    51.1282,
    71.4306,
    (
        Place("almaty", "Алматы ауданы", "район Алматы", "Almaty District", 420),
        Place("baikonyr", "Байқоңыр ауданы", "район Байконур", "Baikonyr District", 250),
        Place("yesil", "Есіл ауданы", "район Есиль", "Yesil District", 300),
        Place("saryarka", "Сарыарқа ауданы", "район Сарыарка", "Saryarka District", 270),
        Place("nura", "Нұра ауданы", "район Нура", "Nura District", 180),
    ),
)
SHYMKENT = City(
    "KZ-79",
    42.3417,
    69.5901,
    (
        Place("abai", "Абай ауданы", "Абайский район", "Abai District", 300),
        Place("al-farabi", "Әл-Фараби ауданы", "Аль-Фарабийский район", "Al-Farabi District", 220),
        Place("enbekshi", "Еңбекші ауданы", "Енбекшинский район", "Enbekshi District", 290),
        Place("karatau", "Қаратау ауданы", "Каратауский район", "Karatau District", 280),
        Place("turan", "Тұран ауданы", "Туранский район", "Turan District", 160),
    ),
)

# ISO 3166-1 alpha-2 code and names (kk, ru, en) of main trade and travel partners.
PARTNERS: tuple[tuple[str, str, str, str], ...] = (
    ("CN", "Қытай", "Китай", "China"),
    ("RU", "Ресей", "Россия", "Russia"),
    ("IT", "Италия", "Италия", "Italy"),
    ("NL", "Нидерланд", "Нидерланды", "Netherlands"),
    ("UZ", "Өзбекстан", "Узбекистан", "Uzbekistan"),
    ("KG", "Қырғызстан", "Кыргызстан", "Kyrgyzstan"),
    ("TR", "Түркия", "Турция", "Türkiye"),
    ("DE", "Германия", "Германия", "Germany"),
    ("KR", "Корея Республикасы", "Республика Корея", "Republic of Korea"),
    ("FR", "Франция", "Франция", "France"),
    ("US", "АҚШ", "США", "United States"),
    ("JP", "Жапония", "Япония", "Japan"),
)
