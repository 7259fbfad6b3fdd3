"""Kazakhstan's 20 regions for the map view: ISO 3166-2 codes, names in kk/ru/en, a tile-grid position and
the spellings a table may use for them ("Алматы", "Акмолинская область", "Abai Region", "г. Астана", ...).

The grid is a cartogram, not a map: each region is one square placed roughly where it lies (west to east
in columns, north to south in rows), so small cities are as visible as the large oblasts and no
geometry has to be shipped or fetched.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Region:
    code: str  # ISO 3166-2
    name: dict[str, str]  # full name by language
    short: dict[str, str]  # what fits on a tile
    column: int
    row: int
    city: bool = False
    aliases: tuple[str, ...] = field(default=())  # extra spellings, matched after normalising


REGIONS: tuple[Region, ...] = (
    Region(
        "KZ-27",
        {
            "kk": "Батыс Қазақстан облысы",
            "ru": "Западно-Казахстанская область",
            "en": "West Kazakhstan Region",
        },
        {"kk": "Батыс Қаз.", "ru": "ЗКО", "en": "W. Kaz."},
        0,
        0,
        aliases=("батыс казакстан", "западно казахстанская", "west kazakhstan", "batys qazaqstan", "зко"),
    ),
    Region(
        "KZ-23",
        {"kk": "Атырау облысы", "ru": "Атырауская область", "en": "Atyrau Region"},
        {"kk": "Атырау", "ru": "Атырау", "en": "Atyrau"},
        0,
        1,
        aliases=("атырау", "атырауская", "atyrau"),
    ),
    Region(
        "KZ-47",
        {"kk": "Маңғыстау облысы", "ru": "Мангистауская область", "en": "Mangystau Region"},
        {"kk": "Маңғыстау", "ru": "Мангистау", "en": "Mangystau"},
        0,
        2,
        aliases=("мангыстау", "мангистау", "мангистауская", "mangystau", "mangistau", "mangghystau"),
    ),
    Region(
        "KZ-15",
        {"kk": "Ақтөбе облысы", "ru": "Актюбинская область", "en": "Aktobe Region"},
        {"kk": "Ақтөбе", "ru": "Актобе", "en": "Aktobe"},
        1,
        1,
        aliases=("актобе", "актюбинская", "aktobe", "aqtobe", "aktyubinsk"),
    ),
    Region(
        "KZ-39",
        {"kk": "Қостанай облысы", "ru": "Костанайская область", "en": "Kostanay Region"},
        {"kk": "Қостанай", "ru": "Костанай", "en": "Kostanay"},
        2,
        0,
        aliases=("костанай", "костанайская", "kostanay", "kostanai", "qostanay"),
    ),
    Region(
        "KZ-62",
        {"kk": "Ұлытау облысы", "ru": "Область Ұлытау", "en": "Ulytau Region"},
        {"kk": "Ұлытау", "ru": "Улытау", "en": "Ulytau"},
        2,
        1,
        aliases=("улытау", "ulytau"),
    ),
    Region(
        "KZ-43",
        {"kk": "Қызылорда облысы", "ru": "Кызылординская область", "en": "Kyzylorda Region"},
        {"kk": "Қызылорда", "ru": "Кызылорда", "en": "Kyzylorda"},
        2,
        2,
        aliases=("кызылорда", "кызылординская", "kyzylorda", "qyzylorda"),
    ),
    Region(
        "KZ-61",
        {"kk": "Түркістан облысы", "ru": "Туркестанская область", "en": "Turkistan Region"},
        {"kk": "Түркістан", "ru": "Туркестан", "en": "Turkistan"},
        2,
        3,
        aliases=(
            "туркистан",
            "туркестан",
            "туркестанская",
            "turkistan",
            "turkestan",
            "южно казахстанская",
            "south kazakhstan",
            "онтустик казакстан",
        ),
    ),
    Region(
        "KZ-79",
        {"kk": "Шымкент қаласы", "ru": "город Шымкент", "en": "Shymkent (city)"},
        {"kk": "Шымкент", "ru": "Шымкент", "en": "Shymkent"},
        2,
        4,
        city=True,
        aliases=("шымкент", "shymkent", "chimkent"),
    ),
    Region(
        "KZ-59",
        {
            "kk": "Солтүстік Қазақстан облысы",
            "ru": "Северо-Казахстанская область",
            "en": "North Kazakhstan Region",
        },
        {"kk": "Солт. Қаз.", "ru": "СКО", "en": "N. Kaz."},
        3,
        0,
        aliases=(
            "солтустик казакстан",
            "северо казахстанская",
            "north kazakhstan",
            "soltustik qazaqstan",
            "ско",
        ),
    ),
    Region(
        "KZ-11",
        {"kk": "Ақмола облысы", "ru": "Акмолинская область", "en": "Akmola Region"},
        {"kk": "Ақмола", "ru": "Акмола", "en": "Akmola"},
        3,
        1,
        aliases=("акмола", "акмолинская", "akmola", "aqmola"),
    ),
    Region(
        "KZ-35",
        {"kk": "Қарағанды облысы", "ru": "Карагандинская область", "en": "Karaganda Region"},
        {"kk": "Қарағанды", "ru": "Караганда", "en": "Karaganda"},
        3,
        2,
        aliases=("караганды", "караганда", "карагандинская", "karaganda", "karagandy", "qaragandy"),
    ),
    Region(
        "KZ-31",
        {"kk": "Жамбыл облысы", "ru": "Жамбылская область", "en": "Jambyl Region"},
        {"kk": "Жамбыл", "ru": "Жамбыл", "en": "Jambyl"},
        3,
        3,
        aliases=("жамбыл", "жамбылская", "jambyl", "zhambyl", "dzhambul"),
    ),
    Region(
        "KZ-55",
        {"kk": "Павлодар облысы", "ru": "Павлодарская область", "en": "Pavlodar Region"},
        {"kk": "Павлодар", "ru": "Павлодар", "en": "Pavlodar"},
        4,
        0,
        aliases=("павлодар", "павлодарская", "pavlodar"),
    ),
    Region(
        "KZ-71",
        {"kk": "Астана қаласы", "ru": "город Астана", "en": "Astana (city)"},
        {"kk": "Астана", "ru": "Астана", "en": "Astana"},
        4,
        1,
        city=True,
        aliases=("астана", "astana", "нур султан", "nur sultan", "nursultan"),
    ),
    Region(
        "KZ-10",
        {"kk": "Абай облысы", "ru": "Область Абай", "en": "Abai Region"},
        {"kk": "Абай", "ru": "Абай", "en": "Abai"},
        4,
        2,
        aliases=("абай", "abai", "abay"),
    ),
    Region(
        "KZ-19",
        {"kk": "Алматы облысы", "ru": "Алматинская область", "en": "Almaty Region"},
        {"kk": "Алматы обл.", "ru": "Алматинская", "en": "Almaty reg."},
        4,
        3,
        aliases=("алматинская",),  # "Алматы" alone is the city; with a region word, this region
    ),
    Region(
        "KZ-75",
        {"kk": "Алматы қаласы", "ru": "город Алматы", "en": "Almaty (city)"},
        {"kk": "Алматы", "ru": "Алматы", "en": "Almaty"},
        4,
        4,
        city=True,
        aliases=("алматы", "almaty", "алма ата", "alma ata"),
    ),
    Region(
        "KZ-63",
        {
            "kk": "Шығыс Қазақстан облысы",
            "ru": "Восточно-Казахстанская область",
            "en": "East Kazakhstan Region",
        },
        {"kk": "Шығыс Қаз.", "ru": "ВКО", "en": "E. Kaz."},
        5,
        2,
        aliases=("шыгыс казакстан", "восточно казахстанская", "east kazakhstan", "shygys qazaqstan", "вко"),
    ),
    Region(
        "KZ-33",
        {"kk": "Жетісу облысы", "ru": "Область Жетісу", "en": "Jetisu Region"},
        {"kk": "Жетісу", "ru": "Жетысу", "en": "Jetisu"},
        5,
        3,
        aliases=("жетису", "жетысу", "jetisu", "zhetisu", "zhetysu"),
    ),
)

BY_CODE = {r.code: r for r in REGIONS}
COLUMNS = max(r.column for r in REGIONS) + 1
ROWS = max(r.row for r in REGIONS) + 1

# Kazakh letters folded to the Russian ones people type without a Kazakh keyboard
_FOLD = str.maketrans(
    {"ә": "а", "ғ": "г", "қ": "к", "ң": "н", "ө": "о", "ұ": "у", "ү": "у", "һ": "х", "і": "и"}
)
_FOLD_RU = str.maketrans({"ё": "е", "й": "и"})
_REGION_WORDS = {"область", "обл", "облысы", "облыс", "region", "reg", "oblast", "oblysy"}
_CITY_WORDS = {"город", "г", "каласы", "qalasy", "kalasy", "city", "shahary", "шахары"}
_SEPARATORS = re.compile(r"[^\w]+")


def _normalise(text: str) -> tuple[str, str]:
    """(core words, kind) of a spelling: kind is "region", "city" or "" when it names neither."""
    lowered = text.casefold().translate(_FOLD).translate(_FOLD_RU)
    latin = "".join(c for c in unicodedata.normalize("NFKD", lowered) if not unicodedata.combining(c))
    words = [w for w in _SEPARATORS.sub(" ", latin).split() if w]
    kind = ""
    if any(w in _REGION_WORDS for w in words):
        kind = "region"
    elif any(w in _CITY_WORDS for w in words):
        kind = "city"
    core = " ".join(w for w in words if w not in _REGION_WORDS and w not in _CITY_WORDS)
    return core, kind


def _index() -> dict[str, list[Region]]:
    index: dict[str, list[Region]] = {}
    for region in REGIONS:
        spellings = {*region.name.values(), *region.short.values(), *region.aliases, region.code}
        for spelling in spellings:
            core, _kind = _normalise(spelling)
            if core and region not in index.setdefault(core, []):
                index[core].append(region)
    index["алматы"] = [BY_CODE["KZ-75"], BY_CODE["KZ-19"]]  # the city first: "Алматы" alone means it
    index["almaty"] = [BY_CODE["KZ-75"], BY_CODE["KZ-19"]]
    return index


_INDEX = _index()


def find_region(value: object) -> Region | None:
    """The region a table cell names, or None ("Республика Казахстан", a typo, a number...)."""
    if value is None:
        return None
    core, kind = _normalise(str(value))
    found = _INDEX.get(core) or []
    if len(found) > 1:
        wanted = [r for r in found if r.city == (kind == "city")] if kind else found
        found = wanted or found
    return found[0] if found else None
