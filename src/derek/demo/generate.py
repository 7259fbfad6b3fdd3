"""Small, plausible, deterministic demo files: the same bytes on every run, so a reload changes nothing."""

from __future__ import annotations

import csv
import io
import json
import math
import random
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

Row = list[Any]


@dataclass(frozen=True)
class Table:
    header: list[str]
    rows: list[Row]


@dataclass(frozen=True)
class Place:
    """A region or a city district with its names and a weight (roughly its population, in thousands)."""

    code: str
    kk: str
    ru: str
    en: str
    weight: float


@dataclass(frozen=True)
class Measure:
    """A column of numbers: `base` per unit of weight (or a national total), growing `growth` a year."""

    name: str
    base: float
    growth: float = 0.0
    noise: float = 0.08
    decimals: int = 0
    seasonal: float = 0.0  # amplitude of a yearly wave, as a share of the value (monthly/daily series)
    peak_month: int = 1
    spread: float = 0.2  # how much places (or items) differ from one another
    scaled: bool = True  # False for rates and averages, which do not grow with a place's weight


@dataclass(frozen=True)
class City:
    code: str  # region code of the city
    lat: float
    lon: float
    districts: tuple[Place, ...]


@dataclass(frozen=True)
class Column:
    """An extra column of a generated listing: whole numbers, decimals or a choice."""

    name: str
    low: float = 0
    high: float = 0
    decimals: int = 0
    choices: tuple[str, ...] = ()

    def value(self, rng: random.Random) -> Any:
        if self.choices:
            return rng.choice(self.choices)
        if self.decimals:
            return round(rng.uniform(self.low, self.high), self.decimals)
        return rng.randint(int(self.low), int(self.high))


@dataclass(frozen=True)
class Naming:
    """How the n-th item of a listing is called in each language, e.g. 'School No. {n}'."""

    kk: str
    ru: str
    en: str
    numbers: tuple[int, int] = (1, 300)


def rng_for(key: str) -> random.Random:
    return random.Random(zlib.crc32(key.encode("utf-8")))


def _round(value: float, decimals: int) -> float | int:
    return round(value, decimals) if decimals else int(round(value))


def _level(rng: random.Random, measure: Measure) -> float:
    return measure.base * rng.uniform(1 - measure.spread, 1 + measure.spread)


def _wave(measure: Measure, month: int) -> float:
    if not measure.seasonal:
        return 1.0
    return 1.0 + measure.seasonal * math.cos(2 * math.pi * (month - measure.peak_month) / 12)


# ---------------------------------------------------------------- periods


def years(first: int, last: int) -> list[str]:
    return [str(y) for y in range(first, last + 1)]


def quarters(first: int, last: int) -> list[str]:
    return [f"{y}-Q{q}" for y in range(first, last + 1) for q in range(1, 5)]


def months(first: int, last: int) -> list[str]:
    return [f"{y}-{m:02d}" for y in range(first, last + 1) for m in range(1, 13)]


def days(first: date, last: date) -> list[str]:
    return [(first + timedelta(d)).isoformat() for d in range((last - first).days + 1)]


def weeks(first: date, last: date) -> list[str]:
    return [(first + timedelta(7 * w)).isoformat() for w in range((last - first).days // 7 + 1)]


def _year_of(period: str) -> int:
    return int(period[:4])


def _month_of(period: str) -> int:
    if "-Q" in period:
        return (int(period[-1]) - 1) * 3 + 2
    return int(period[5:7]) if len(period) >= 7 else 7


# ---------------------------------------------------------------- tables


def by_place(
    rng: random.Random,
    places: Sequence[Place],
    periods: Sequence[str],
    measures: Sequence[Measure],
    *,
    period_name: str = "year",
    label: str = "region",
    new_regions_from: dict[str, int] | None = None,
) -> Table:
    """One row per place and period. Places created later (new_regions_from) have no rows before then."""
    names = [f"{label}_code", f"{label}_kk", f"{label}_ru", f"{label}_en"]
    header = [*names, period_name, *(m.name for m in measures)]
    first_year = _year_of(periods[0])
    levels = {
        (p.code, m.name): (p.weight if m.scaled else 1.0) * _level(rng, m) for p in places for m in measures
    }
    rows: list[Row] = []
    for period in periods:
        year, month = _year_of(period), _month_of(period)
        for place in places:
            if new_regions_from and year < new_regions_from.get(place.code, 0):
                continue
            row: Row = [place.code, place.kk, place.ru, place.en, period]
            for m in measures:
                trend = (1 + m.growth) ** (year - first_year)
                value = levels[place.code, m.name] * trend * _wave(m, month)
                row.append(_round(value * rng.uniform(1 - m.noise, 1 + m.noise), m.decimals))
            rows.append(row)
    return Table(header, rows)


def series(
    rng: random.Random, periods: Sequence[str], measures: Sequence[Measure], *, period_name: str = "period"
) -> Table:
    """One row per period, national totals."""
    first_year = _year_of(periods[0])
    rows: list[Row] = []
    for period in periods:
        year, month = _year_of(period), _month_of(period)
        row: Row = [period]
        for m in measures:
            value = m.base * (1 + m.growth) ** (year - first_year) * _wave(m, month)
            row.append(_round(value * rng.uniform(1 - m.noise, 1 + m.noise), m.decimals))
        rows.append(row)
    return Table([period_name, *(m.name for m in measures)], rows)


def by_item(
    rng: random.Random,
    items: Sequence[tuple[str, ...]],
    periods: Sequence[str],
    measures: Sequence[Measure],
    *,
    item_columns: Sequence[str],
    period_name: str = "year",
) -> Table:
    """One row per item (a country, a topic: its code and names) and period."""
    first_year = _year_of(periods[0])
    levels = {(item[0], m.name): _level(rng, m) for item in items for m in measures}
    rows: list[Row] = []
    for period in periods:
        year, month = _year_of(period), _month_of(period)
        for item in items:
            row: Row = [*item, period]
            for m in measures:
                value = levels[item[0], m.name] * (1 + m.growth) ** (year - first_year) * _wave(m, month)
                row.append(_round(value * rng.uniform(1 - m.noise, 1 + m.noise), m.decimals))
            rows.append(row)
    return Table([*item_columns, period_name, *(m.name for m in measures)], rows)


def listing(rng: random.Random, city: City, naming: Naming, count: int, columns: Sequence[Column]) -> Table:
    """Named facilities in a city, spread over its districts, with coordinates and extra columns."""
    numbers = sorted(rng.sample(range(naming.numbers[0], naming.numbers[1] + 1), count))
    weights = [d.weight for d in city.districts]
    header = ["id", "name_kk", "name_ru", "name_en", "district_kk", "district_ru", "latitude", "longitude"]
    rows: list[Row] = []
    for index, number in enumerate(numbers, start=1):
        district = rng.choices(city.districts, weights=weights)[0]
        lat = round(city.lat + rng.gauss(0, 0.035), 6)
        lon = round(city.lon + rng.gauss(0, 0.05), 6)
        names = [naming.kk.format(n=number), naming.ru.format(n=number), naming.en.format(n=number)]
        rows.append([index, *names, district.kk, district.ru, lat, lon, *(c.value(rng) for c in columns)])
    return Table([*header, *(c.name for c in columns)], rows)


# ---------------------------------------------------------------- encodings


def to_csv(table: Table) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(table.header)
    writer.writerows(table.rows)
    return out.getvalue().encode("utf-8")


def to_json(table: Table) -> bytes:
    records = [dict(zip(table.header, row, strict=True)) for row in table.rows]
    return (json.dumps(records, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def to_geojson(table: Table) -> bytes:
    """Point features from a listing (its latitude and longitude columns become the geometry)."""
    lat_i, lon_i = table.header.index("latitude"), table.header.index("longitude")
    features = []
    for row in table.rows:
        pairs = zip(table.header, row, strict=True)
        properties = {k: v for i, (k, v) in enumerate(pairs) if i not in (lat_i, lon_i)}
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [row[lon_i], row[lat_i]]},
                "properties": properties,
            }
        )
    collection = {"type": "FeatureCollection", "features": features}
    return (json.dumps(collection, ensure_ascii=False, indent=1) + "\n").encode("utf-8")
