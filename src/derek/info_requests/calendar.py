"""Working-day calendars and statutory clocks: when a period counted from a given day ends."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal, get_args

import holidays
from dateutil.relativedelta import relativedelta

Unit = Literal["calendar", "working", "months"]
UNITS: tuple[str, ...] = get_args(Unit)
# A run of non-working days longer than this means a broken calendar (e.g. every day listed as a day off).
_MAX_DAYS_OFF_IN_A_ROW = 370
_DAY = timedelta(days=1)
# The holidays library fills its registries lazily and is not safe when two threads (a request and the job
# worker) first use it at once ("dictionary changed size during iteration"): one caller at a time.
_LIBRARY = threading.Lock()


@dataclass(frozen=True)
class Clock:
    """A statutory period: `amount` days (calendar or working) or months, counted from the day after the
    start."""

    amount: int
    unit: Unit
    roll_forward: bool = True  # a deadline on a non-working day moves to the next working day

    def __post_init__(self) -> None:
        if isinstance(self.amount, bool) or not isinstance(self.amount, int):
            raise ValueError(f"A period's amount must be a whole number, not {self.amount!r}.")
        if self.amount < 0:
            raise ValueError(f"A period cannot be negative: {self.amount} {self.unit}.")
        if self.unit not in UNITS:
            raise ValueError(f"Unknown unit {self.unit!r}; use one of: {', '.join(UNITS)}.")


@dataclass(frozen=True)
class _Year:
    days_off: dict[date, str]  # the library's days off in one year, with their names
    weekend_workdays: frozenset[date]  # the library's working Saturdays and Sundays in that year


class WorkCalendar:
    """Which days are working days: the weekend, a country's public holidays from the `holidays` library,
    and a profile's own additions (`days_off`) and exceptions (`working_days`), which win over both."""

    def __init__(
        self,
        *,
        country: str | None,
        categories: tuple[str, ...] = ("public",),
        weekend: tuple[int, ...] = (6, 7),  # ISO weekdays
        days_off: Iterable[date] = (),
        working_days: Iterable[date] = (),
        names: Mapping[date, str] | None = None,
    ) -> None:
        self.country = country or None
        self.categories = tuple(categories)
        self.weekend = frozenset(weekend)
        self.days_off = frozenset(days_off)
        self.working_days = frozenset(working_days)
        self.names = dict(names or {})
        if not self.weekend <= set(range(1, 8)):
            raise ValueError(
                f"Weekend days are ISO weekdays 1 (Monday) to 7 (Sunday), not {sorted(weekend)}."
            )
        if len(self.weekend) == 7:
            raise ValueError("A weekend of all seven days leaves no working day.")
        both = sorted(self.days_off & self.working_days)
        if both:
            raise ValueError(
                f"Days listed both as days off and as working days: {', '.join(map(str, both))}."
            )
        self._language: str | None = None
        if self.country is not None:
            self._check_country()
        self._years: dict[int, _Year] = {}
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"WorkCalendar(country={self.country!r}, categories={self.categories!r})"

    def _check_country(self) -> None:
        """Fail at construction, not at the first deadline, on a country or category the library lacks."""
        assert self.country is not None
        with _LIBRARY:
            if self.country not in holidays.list_supported_countries():
                raise ValueError(f"The holidays library has no country {self.country!r}.")
            try:
                probe = holidays.country_holidays(self.country, years=(), categories=self.categories)
            except ValueError as error:
                raise ValueError(f"Holidays of {self.country}: {error}") from None
        # English names when the library has them, whatever the server's locale
        self._language = "en_US" if "en_US" in probe.supported_languages else None

    def _year(self, year: int) -> _Year:
        cached = self._years.get(year)
        if cached is not None:
            return cached
        with self._lock:
            cached = self._years.get(year)
            if cached is None:
                cached = self._build_year(year)
                self._years[year] = cached
        return cached

    def _build_year(self, year: int) -> _Year:
        if self.country is None:
            return _Year({}, frozenset())
        # the neighbouring years too: a holiday observed on another day may cross the year boundary
        with _LIBRARY:
            table = holidays.country_holidays(
                self.country,
                years=(year - 1, year, year + 1),
                categories=self.categories,
                language=self._language,
            )
            days_off = {day: str(name) for day, name in table.items() if day.year == year}
            workdays = frozenset(day for day in getattr(table, "weekend_workdays", ()) if day.year == year)
        return _Year(days_off, workdays)

    def is_working_day(self, day: date) -> bool:
        if day in self.working_days:
            return True
        if day in self.days_off:
            return False
        year = self._year(day.year)
        if day in year.days_off:
            return False
        return day.isoweekday() not in self.weekend or day in year.weekend_workdays

    def next_working_day(self, day: date) -> date:
        """The day itself when it is a working day, else the first working day after it."""
        for _ in range(_MAX_DAYS_OFF_IN_A_ROW):
            if self.is_working_day(day):
                return day
            day += _DAY
        raise ValueError(
            f"No working day within {_MAX_DAYS_OFF_IN_A_ROW} days before {day}: check the calendar."
        )

    def add(self, start: date, clock: Clock) -> date:
        """The due date of `clock` started on `start` (day 0); the start day itself never counts."""
        if clock.amount < 0:
            raise ValueError(f"A period cannot be negative: {clock.amount} {clock.unit}.")
        if clock.unit == "calendar":
            end = start + timedelta(days=clock.amount)
        elif clock.unit == "months":
            end = start + relativedelta(months=clock.amount)
        elif clock.unit == "working":
            end = start
            for _ in range(clock.amount):
                end = self.next_working_day(end + _DAY)
        else:
            raise ValueError(f"Unknown unit {clock.unit!r}; use one of: {', '.join(UNITS)}.")
        return self.next_working_day(end) if clock.roll_forward else end

    def elapsed(self, start: date, end: date, unit: Unit) -> int:
        """Days after `start` up to and including `end` (working days for "working"); 0 if end <= start."""
        if unit == "months":
            raise ValueError("Elapsed time is counted in days (calendar or working), not months.")
        if unit not in UNITS:
            raise ValueError(f"Unknown unit {unit!r}; use one of: {', '.join(UNITS)}.")
        if end <= start:
            return 0
        if unit == "calendar":
            return (end - start).days
        count = 0
        day = start + _DAY
        while day <= end:
            count += self.is_working_day(day)
            day += _DAY
        return count

    def holiday_name(self, day: date) -> str | None:
        """The profile's or the library's name of a day off; None for plain weekends and working days."""
        if self.is_working_day(day):
            return None
        if day in self.names:
            return self.names[day]
        library_name = self._year(day.year).days_off.get(day)
        if library_name is not None:
            return library_name
        return "Day off" if day in self.days_off else None
