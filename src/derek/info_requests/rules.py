"""A jurisdiction's rules for information requests (deadlines, refusal grounds, appeals) from its profile."""

from __future__ import annotations

import re
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Literal, cast

from derek.info_requests.calendar import UNITS, Clock, Unit, WorkCalendar

if TYPE_CHECKING:
    from derek.config import Profile

Clarification = Literal["pause", "restart", "none"]
ReviewerKind = Literal["independent", "superior"]
CLARIFICATION_MODES: tuple[Clarification, ...] = ("pause", "restart", "none")
REVIEWER_KINDS: tuple[ReviewerKind, ...] = ("independent", "superior")

_REQUIRED_CLOCKS = ("response", "appeal_window", "appeal_decision", "order", "dialogue")
_KNOWN_KEYS = frozenset(
    {
        *_REQUIRED_CLOCKS,
        "law",
        "extension",
        "max_extensions",
        "clarification",
        "missed_deadline_is_refusal",
        "anonymous_allowed",
        "identifier",
        "calendar",
        "reviewer",
        "grounds",
    }
)
_CLOCK_KEYS = frozenset({"amount", "unit", "roll_forward"})
_CALENDAR_KEYS = frozenset({"holidays", "categories", "weekend", "days_off", "working_days"})
_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_DETECTOR_NAME = re.compile(r"[a-z][a-z0-9_]*")


@dataclass(frozen=True)
class Ground:
    """A legal ground for refusing a request in full or in part."""

    code: str  # e.g. "kz-11-16-3"
    title: dict[str, str]  # per profile language (all of the profile's languages required)
    article: dict[str, str]  # per language, e.g. {"en": "Art. 11(16)(3)", "ru": "подп. 3) п. 16 ст. 11"}


@dataclass(frozen=True)
class Reviewer:
    """Who decides appeals: an independent body, or the organization's parent (superior authority)."""

    kind: ReviewerKind
    name: dict[str, str]  # e.g. {"en": "Information Commissioner of Canada", ...}
    # slug of the portal organization whose admins/editors review appeals when kind == "independent";
    # None for "superior"
    organization: str | None


@dataclass(frozen=True)
class RequestRules:
    """The statutory clocks and choices of one jurisdiction; every date method returns a due date."""

    law: str
    calendar: WorkCalendar
    response: Clock  # first deadline
    extension: Clock | None  # added to the current due date when an official extends; None: not allowed
    max_extensions: int
    clarification: Clarification  # what asking the requester to clarify does to the clock
    appeal_window: Clock  # how long after the decision (or the missed deadline) the requester may appeal
    appeal_decision: Clock  # the reviewer's deadline, from the appeal's registration
    order: Clock  # default period of a reviewer's order to disclose
    dialogue: Clock  # Open Dialogue: deadline of a public question to an agency head
    missed_deadline_is_refusal: bool
    grounds: tuple[Ground, ...]  # legal grounds for a full or partial refusal
    reviewer: Reviewer
    anonymous_allowed: bool  # may a requester send a request without signing in (with an e-mail address)?
    # label of an identity number the requester must give (kz: IIN or BIN), None: not asked;
    # shown to officials, never published
    identifier: dict[str, str] | None
    identifier_detectors: tuple[str, ...]  # derek.quality.detectors names, e.g. ("kz_iin", "kz_bin")

    def ground(self, code: str) -> Ground | None:
        return next((g for g in self.grounds if g.code == code), None)

    def due(self, received: date) -> date:
        return self.calendar.add(received, self.response)

    def extended(self, due: date) -> date:
        if self.extension is None:
            raise ValueError(f"{self.law} allows no extension of the deadline.")
        return self.calendar.add(due, self.extension)

    def resumed(self, *, received: date, due: date, paused_on: date, resumed_on: date) -> date:
        """The due date once the requester has clarified the request (asked on `paused_on`)."""
        if resumed_on < paused_on:
            raise ValueError(f"The clock cannot resume ({resumed_on}) before it was paused ({paused_on}).")
        if self.clarification == "restart":
            return self.calendar.add(resumed_on, self.response)
        if self.clarification == "none":
            return due
        # "pause": the days that were left on paused_on run again from resumed_on
        unit: Unit = "calendar" if self.response.unit == "months" else self.response.unit
        left = max(1, self.calendar.elapsed(paused_on, due, unit))
        return self.calendar.add(resumed_on, Clock(left, unit, self.response.roll_forward))

    def appeal_due(self, registered: date) -> date:
        return self.calendar.add(registered, self.appeal_decision)

    def appeal_deadline(self, decided: date) -> date:
        """The last day the requester may appeal."""
        return self.calendar.add(decided, self.appeal_window)

    def order_due(self, decided: date) -> date:
        return self.calendar.add(decided, self.order)

    def dialogue_due(self, received: date) -> date:
        return self.calendar.add(received, self.dialogue)


_cache: dict[str, tuple[object, RequestRules]] = {}
_cache_lock = threading.Lock()


def rules_for(profile: Profile) -> RequestRules:
    """The request rules of a profile's `[requests]` table, parsed once per profile code."""
    raw = profile.raw.get("requests")
    with _cache_lock:
        cached = _cache.get(profile.code)
        if cached is not None and cached[0] is raw:
            return cached[1]
    if not isinstance(raw, Mapping):
        raise ValueError(f"Profile {profile.code!r}: no [requests] table.")
    rules = parse_rules(profile.code, raw, profile.languages)
    with _cache_lock:
        _cache[profile.code] = (raw, rules)
    return rules


class _Reader:
    """Reads one profile's [requests] table; every error names the profile and the key."""

    def __init__(self, code: str, languages: Sequence[str]) -> None:
        self.code = code
        self.languages = tuple(languages)

    def error(self, key: str, problem: str) -> ValueError:
        where = f"requests.{key}" if key else "requests"
        return ValueError(f"Profile {self.code!r}: {where}: {problem}")

    def get(self, table: Mapping[str, Any], key: str, where: str = "") -> Any:
        if key not in table:
            raise self.error(f"{where}{key}", "missing")
        return table[key]

    def text(self, value: Any, key: str) -> str:
        if not isinstance(value, str) or not value.strip():
            raise self.error(key, f"must be a non-empty text, not {value!r}")
        return value

    def flag(self, value: Any, key: str) -> bool:
        if not isinstance(value, bool):
            raise self.error(key, f"must be true or false, not {value!r}")
        return value

    def count(self, value: Any, key: str) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise self.error(key, f"must be a whole number of at least 0, not {value!r}")
        return value

    def table(self, value: Any, key: str) -> Mapping[str, Any]:
        if not isinstance(value, Mapping):
            raise self.error(key, f"must be a table, not {value!r}")
        return value

    def unknown(self, table: Mapping[str, Any], known: frozenset[str], key: str) -> None:
        extra = sorted(set(table) - known)
        if extra:
            raise self.error(key, f"unknown key(s) {', '.join(extra)}; known: {', '.join(sorted(known))}")

    def article(self, value: Any, key: str) -> dict[str, str]:
        """A legal reference: one text for every language ("s. 13"), or a table of them."""
        if isinstance(value, str):
            return {str(lang): self.text(value, key) for lang in self.languages}
        return self.translated(value, key)

    def translated(self, value: Any, key: str) -> dict[str, str]:
        """A text in every profile language."""
        table = self.table(value, key)
        missing = [lang for lang in self.languages if not str(table.get(lang, "")).strip()]
        if missing:
            raise self.error(key, f"no text in {', '.join(missing)} (the profile's languages are required)")
        return {str(lang): self.text(text, f"{key}.{lang}") for lang, text in table.items()}

    def clock(self, value: Any, key: str) -> Clock:
        table = self.table(value, key)
        self.unknown(table, _CLOCK_KEYS, key)
        amount = self.count(self.get(table, "amount", f"{key}."), f"{key}.amount")
        unit = self.get(table, "unit", f"{key}.")
        if unit not in UNITS:
            raise self.error(f"{key}.unit", f"must be one of {', '.join(UNITS)}, not {unit!r}")
        roll_forward = self.flag(table.get("roll_forward", True), f"{key}.roll_forward")
        return Clock(amount, cast(Unit, unit), roll_forward)

    def day(self, value: Any, key: str) -> date:
        if isinstance(value, str):
            try:
                value = date.fromisoformat(value)
            except ValueError:
                raise self.error(key, f"not a date: {value!r}") from None
        if isinstance(value, datetime) or not isinstance(value, date):
            raise self.error(key, f"must be a date (2026-03-23), not {value!r}")
        return value

    def days(self, value: Any, key: str) -> dict[date, str | None]:
        """`{ 2026 = [2026-01-05, { date = 2026-01-06, name = "..." }] }`: days by year, optionally named."""
        found: dict[date, str | None] = {}
        for year, items in self.table(value, key).items():
            where = f"{key}.{year}"
            if not str(year).isdigit():
                raise self.error(where, "the keys are years, e.g. 2026")
            if not isinstance(items, list):
                raise self.error(where, f"must be a list of dates, not {items!r}")
            for item in items:
                name: str | None = None
                if isinstance(item, Mapping):
                    self.unknown(item, frozenset({"date", "name"}), where)
                    name = self.text(item["name"], f"{where}.name") if "name" in item else None
                    item = self.get(item, "date", f"{where}.")
                day = self.day(item, where)
                if day.year != int(year):
                    raise self.error(where, f"{day} is not in {year}")
                found[day] = name
        return found

    def calendar(self, value: Any) -> WorkCalendar:
        table = self.table(value, "calendar")
        self.unknown(table, _CALENDAR_KEYS, "calendar")
        country = table.get("holidays", "")
        if not isinstance(country, str):
            raise self.error("calendar.holidays", f'must be a country code or "", not {country!r}')
        categories = table.get("categories", ["public"])
        if not isinstance(categories, list) or not all(isinstance(c, str) and c for c in categories):
            raise self.error("calendar.categories", f"must be a list of category names, not {categories!r}")
        weekend = table.get("weekend", [6, 7])
        if not isinstance(weekend, list) or not all(
            isinstance(d, int) and not isinstance(d, bool) and 1 <= d <= 7 for d in weekend
        ):
            raise self.error("calendar.weekend", f"must list ISO weekdays 1-7, not {weekend!r}")
        days_off = self.days(table.get("days_off", {}), "calendar.days_off")
        working_days = self.days(table.get("working_days", {}), "calendar.working_days")
        names = {day: name for day, name in days_off.items() if name}
        try:
            return WorkCalendar(
                country=country or None,
                categories=tuple(categories),
                weekend=tuple(weekend),
                days_off=days_off,
                working_days=working_days,
                names=names,
            )
        except ValueError as error:
            raise self.error("calendar", str(error)) from None

    def reviewer(self, value: Any) -> Reviewer:
        table = self.table(value, "reviewer")
        self.unknown(table, frozenset({"kind", "name", "organization"}), "reviewer")
        kind = self.get(table, "kind", "reviewer.")
        if kind not in REVIEWER_KINDS:
            raise self.error("reviewer.kind", f"must be one of {', '.join(REVIEWER_KINDS)}, not {kind!r}")
        name = self.translated(self.get(table, "name", "reviewer."), "reviewer.name")
        organization = table.get("organization")
        if kind == "independent":
            if organization is None:
                raise self.error(
                    "reviewer.organization", "missing (an independent reviewer is an organization)"
                )
            if not isinstance(organization, str) or not _SLUG.fullmatch(organization):
                raise self.error(
                    "reviewer.organization", f"must be an organization slug, not {organization!r}"
                )
        elif organization is not None:
            raise self.error("reviewer.organization", "only an independent reviewer names an organization")
        return Reviewer(kind=cast(ReviewerKind, kind), name=name, organization=organization)

    def grounds(self, value: Any) -> tuple[Ground, ...]:
        if not isinstance(value, list) or not value:
            raise self.error("grounds", "must list at least one refusal ground ([[requests.grounds]])")
        grounds: list[Ground] = []
        for index, item in enumerate(value):
            where = f"grounds[{index}]"
            table = self.table(item, where)
            self.unknown(table, frozenset({"code", "title", "article"}), where)
            code = self.text(self.get(table, "code", f"{where}."), f"{where}.code")
            if any(g.code == code for g in grounds):
                raise self.error(f"{where}.code", f"duplicate code {code!r}")
            grounds.append(
                Ground(
                    code=code,
                    title=self.translated(self.get(table, "title", f"{where}."), f"{where}.title"),
                    article=self.article(self.get(table, "article", f"{where}."), f"{where}.article"),
                )
            )
        return tuple(grounds)

    def identifier(self, value: Any) -> tuple[dict[str, str] | None, tuple[str, ...]]:
        if value is None:
            return None, ()
        table = self.table(value, "identifier")
        self.unknown(table, frozenset({"label", "detectors"}), "identifier")
        label = self.translated(self.get(table, "label", "identifier."), "identifier.label")
        detectors = table.get("detectors", [])
        # Only the names' form is checked here: derek.quality.detectors is not part of the quality domain's
        # surface (service, schemas), so tests check that the names exist.
        if not isinstance(detectors, list) or not all(
            isinstance(d, str) and _DETECTOR_NAME.fullmatch(d) for d in detectors
        ):
            raise self.error("identifier.detectors", f"must list detector names, not {detectors!r}")
        return label, tuple(detectors)


def parse_rules(code: str, raw: Mapping[str, Any], languages: Sequence[str]) -> RequestRules:
    """Read a profile's `[requests]` table; ValueError names the profile and the missing or invalid key."""
    read = _Reader(code, languages)
    if not isinstance(raw, Mapping):
        raise read.error("", f"must be a table, not {raw!r}")
    read.unknown(raw, _KNOWN_KEYS, "")
    clocks = {key: read.clock(read.get(raw, key), key) for key in _REQUIRED_CLOCKS}
    extension = read.clock(raw["extension"], "extension") if "extension" in raw else None
    max_extensions = read.count(raw.get("max_extensions", 0 if extension is None else 1), "max_extensions")
    if extension is None and max_extensions:
        raise read.error("max_extensions", "is above 0 but no extension clock is given")
    clarification = read.get(raw, "clarification")
    if clarification not in CLARIFICATION_MODES:
        raise read.error(
            "clarification", f"must be one of {', '.join(CLARIFICATION_MODES)}, not {clarification!r}"
        )
    identifier, identifier_detectors = read.identifier(raw.get("identifier"))
    return RequestRules(
        law=read.text(read.get(raw, "law"), "law"),
        calendar=read.calendar(read.get(raw, "calendar")),
        response=clocks["response"],
        extension=extension,
        max_extensions=max_extensions,
        clarification=cast(Clarification, clarification),
        appeal_window=clocks["appeal_window"],
        appeal_decision=clocks["appeal_decision"],
        order=clocks["order"],
        dialogue=clocks["dialogue"],
        missed_deadline_is_refusal=read.flag(
            read.get(raw, "missed_deadline_is_refusal"), "missed_deadline_is_refusal"
        ),
        grounds=read.grounds(read.get(raw, "grounds")),
        reviewer=read.reviewer(read.get(raw, "reviewer")),
        anonymous_allowed=read.flag(read.get(raw, "anonymous_allowed"), "anonymous_allowed"),
        identifier=identifier,
        identifier_detectors=identifier_detectors,
    )
