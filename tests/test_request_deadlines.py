"""Statutory deadlines of information requests: the working-day calendar, the four profiles' clocks, and the
parser's errors. Every expected date is worked out by hand in the comment above it."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from derek.config import Profile, load_profile
from derek.info_requests.calendar import Clock, WorkCalendar
from derek.info_requests.rules import RequestRules, parse_rules, rules_for
from derek.quality.detectors import DETECTORS

PROFILES = ("kz", "ee", "ca", "eu")


def rules(code: str) -> RequestRules:
    return rules_for(load_profile(code))


def plain() -> WorkCalendar:
    """Saturdays and Sundays off, no holidays."""
    return WorkCalendar(country=None)


# --- Kazakhstan: 15 calendar days, rolled forward to the next working day ---


def test_kz_fifteen_calendar_days() -> None:
    # Mon 2 Feb 2026 + 15 days = Tue 17 Feb, a working day
    assert rules("kz").due(date(2026, 2, 2)) == date(2026, 2, 17)


@pytest.mark.parametrize(
    ("received", "due"),
    [
        (date(2026, 2, 6), date(2026, 2, 23)),  # Fri 6 Feb + 15 = Sat 21 Feb -> Mon 23 Feb
        (date(2026, 2, 7), date(2026, 2, 23)),  # Sat 7 Feb + 15 = Sun 22 Feb -> Mon 23 Feb
    ],
)
def test_kz_deadline_on_a_weekend_rolls_to_monday(received: date, due: date) -> None:
    assert rules("kz").due(received) == due


@pytest.mark.parametrize(
    ("received", "due"),
    [
        # Nauryz 2026: Sat 21, Sun 22, Mon 23 March, and Tue 24, Wed 25 in place of the weekend days
        (date(2026, 3, 6), date(2026, 3, 26)),  # Fri 6 Mar + 15 = Sat 21 Mar -> Thu 26 Mar
        (date(2026, 3, 9), date(2026, 3, 26)),  # Mon 9 Mar (a day off itself) + 15 = Tue 24 Mar -> Thu 26 Mar
        (date(2026, 3, 10), date(2026, 3, 26)),  # Tue 10 Mar + 15 = Wed 25 Mar -> Thu 26 Mar
        (date(2026, 3, 11), date(2026, 3, 26)),  # Wed 11 Mar + 15 = Thu 26 Mar, a working day
    ],
)
def test_kz_deadline_on_nauryz_rolls_past_it(received: date, due: date) -> None:
    assert rules("kz").due(received) == due


def test_kz_across_the_year_end() -> None:
    kz = rules("kz")
    # Sun 20 Dec 2026 + 15 = Mon 4 Jan 2027: New Year's Day (Sat 2 Jan) observed -> Tue 5 Jan
    assert kz.due(date(2026, 12, 20)) == date(2027, 1, 5)
    # Thu 17 Dec 2026 + 15 = Fri 1 Jan 2027 (holiday), Sat 2 (holiday), Sun 3, Mon 4 (observed) -> Tue 5 Jan
    assert kz.due(date(2026, 12, 17)) == date(2027, 1, 5)
    # Wed 16 Dec 2026 (Independence Day) + 15 = Thu 31 Dec 2026, a working day
    assert kz.due(date(2026, 12, 16)) == date(2026, 12, 31)


def test_kz_extension_adds_fifteen_days_once() -> None:
    kz = rules("kz")
    assert kz.max_extensions == 1
    # due Tue 17 Feb 2026 + 15 = Wed 4 Mar (February 2026 has 28 days)
    assert kz.extended(date(2026, 2, 17)) == date(2026, 3, 4)
    # due Thu 26 Mar 2026 + 15 = Fri 10 Apr
    assert kz.extended(date(2026, 3, 26)) == date(2026, 4, 10)


def test_kz_clarification_pauses_the_clock() -> None:
    kz = rules("kz")
    assert kz.clarification == "pause"
    # received Mon 2 Feb, due Tue 17 Feb; paused Tue 10 Feb with 7 days left (11..17 Feb);
    # resumed Fri 20 Feb + 7 = Fri 27 Feb
    assert kz.resumed(
        received=date(2026, 2, 2),
        due=date(2026, 2, 17),
        paused_on=date(2026, 2, 10),
        resumed_on=date(2026, 2, 20),
    ) == date(2026, 2, 27)
    # paused Wed 11 Mar with 15 days left to Thu 26 Mar; resumed Fri 13 Mar + 15 = Sat 28 Mar -> Mon 30 Mar
    assert kz.resumed(
        received=date(2026, 3, 11),
        due=date(2026, 3, 26),
        paused_on=date(2026, 3, 11),
        resumed_on=date(2026, 3, 13),
    ) == date(2026, 3, 30)
    # paused on the due day itself: at least 1 day is left; resumed Wed 18 Feb + 1 = Thu 19 Feb
    assert kz.resumed(
        received=date(2026, 2, 2),
        due=date(2026, 2, 17),
        paused_on=date(2026, 2, 17),
        resumed_on=date(2026, 2, 18),
    ) == date(2026, 2, 19)
    with pytest.raises(ValueError, match="before it was paused"):
        kz.resumed(
            received=date(2026, 2, 2),
            due=date(2026, 2, 17),
            paused_on=date(2026, 2, 10),
            resumed_on=date(2026, 2, 9),
        )


def test_kz_appeal_clocks() -> None:
    kz = rules("kz")
    # 3 months: 31 Jan 2026 -> Thu 30 Apr 2026 (no 31 April)
    assert kz.appeal_deadline(date(2026, 1, 31)) == date(2026, 4, 30)
    # 30 Nov 2025 + 3 months = Sat 28 Feb 2026 -> Mon 2 Mar
    assert kz.appeal_deadline(date(2025, 11, 30)) == date(2026, 3, 2)
    # 20 working days from Mon 2 Mar 2026: 3,4,5,6 (4), Mon 9 off (Women's Day observed), 10-13 (8),
    # 16-20 (13), 21-25 Nauryz and weekend, 26,27 (15), 30,31, 1,2,3 Apr (20) -> Fri 3 Apr
    assert kz.appeal_due(date(2026, 3, 2)) == date(2026, 4, 3)
    # Open Dialogue questions are written requests: Mon 2 Feb + 15 = Tue 17 Feb
    assert kz.dialogue_due(date(2026, 2, 2)) == date(2026, 2, 17)
    # a superior body's order: Fri 6 Feb + 15 = Sat 21 Feb -> Mon 23 Feb
    assert kz.order_due(date(2026, 2, 6)) == date(2026, 2, 23)


def test_kz_identity_and_reviewer() -> None:
    kz = rules("kz")
    assert not kz.anonymous_allowed and not kz.missed_deadline_is_refusal
    assert kz.identifier == {"kk": "ЖСН немесе БСН", "ru": "ИИН или БИН", "en": "IIN or BIN"}
    assert kz.identifier_detectors == ("kz_iin", "kz_bin")
    assert kz.reviewer.kind == "superior" and kz.reviewer.organization is None
    assert [g.code for g in kz.grounds] == [f"kz-11-16-{n}" for n in range(1, 8)]
    ground = kz.ground("kz-11-16-3")
    assert ground is not None and ground.article["en"] == "Art. 11(16)(3)"
    assert kz.ground("kz-11-16-8") is None


# --- Estonia: 5 working days ---


def test_ee_five_working_days_over_a_weekend() -> None:
    # Thu 12 Mar 2026: Fri 13 (1), Mon 16 (2), Tue 17 (3), Wed 18 (4), Thu 19 (5)
    assert rules("ee").due(date(2026, 3, 12)) == date(2026, 3, 19)


def test_ee_over_christmas() -> None:
    ee = rules("ee")
    # Tue 22 Dec 2026: Wed 23 (1), Thu 24 - Sun 27 off (Christmas Eve, Christmas, Second Day), Mon 28 (2),
    # Tue 29 (3), Wed 30 (4), Thu 31 (5)
    assert ee.due(date(2026, 12, 22)) == date(2026, 12, 31)
    # Wed 23 Dec 2026: Mon 28 (1), 29 (2), 30 (3), 31 (4), Fri 1 Jan off, Mon 4 Jan 2027 (5)
    assert ee.due(date(2026, 12, 23)) == date(2027, 1, 4)


def test_ee_over_good_friday() -> None:
    # Tue 31 Mar 2026: Wed 1 Apr (1), Thu 2 (2), Fri 3 Good Friday off, Mon 6 (3; Easter Monday is a working
    # day in Estonia), Tue 7 (4), Wed 8 (5)
    assert rules("ee").due(date(2026, 3, 31)) == date(2026, 4, 8)


def test_ee_clarification_restarts_the_clock() -> None:
    ee = rules("ee")
    assert ee.clarification == "restart"
    # due Thu 19 Mar; clarified Wed 25 Mar: Thu 26 (1), Fri 27 (2), Mon 30 (3), Tue 31 (4), Wed 1 Apr (5)
    assert ee.resumed(
        received=date(2026, 3, 12),
        due=date(2026, 3, 19),
        paused_on=date(2026, 3, 16),
        resumed_on=date(2026, 3, 25),
    ) == date(2026, 4, 1)


def test_ee_extension_and_reviewer() -> None:
    ee = rules("ee")
    # due Thu 19 Mar 2026 + 15 working days: 20, 23-27, 30, 31, 1, 2 Apr (10), Fri 3 Apr off,
    # 6-10 Apr (15) -> Fri 10 Apr
    assert ee.extended(date(2026, 3, 19)) == date(2026, 4, 10)
    assert ee.anonymous_allowed and ee.identifier is None and ee.identifier_detectors == ()
    assert ee.reviewer.kind == "independent" and ee.reviewer.organization == "andmekaitse-inspektsioon"
    assert ee.reviewer.name["et"] == "Andmekaitse Inspektsioon"


# --- Canada: 30 days, a deadline on a holiday or weekend moves to the next working day ---


@pytest.mark.parametrize(
    ("received", "due"),
    [
        (date(2026, 6, 1), date(2026, 7, 2)),  # Mon 1 Jun + 30 = Wed 1 Jul, Canada Day -> Thu 2 Jul
        (date(2026, 4, 18), date(2026, 5, 19)),  # Sat 18 Apr + 30 = Mon 18 May, Victoria Day -> Tue 19 May
        # Sat 28 Nov + 30 = Mon 28 Dec, Boxing Day (Sat 26 Dec) observed -> Tue 29 Dec
        (date(2026, 11, 28), date(2026, 12, 29)),
        # Wed 25 Nov + 30 = Fri 25 Dec, Christmas; Sat 26, Sun 27, Mon 28 (observed) -> Tue 29 Dec
        (date(2026, 11, 25), date(2026, 12, 29)),
        # Wed 4 Mar + 30 = Fri 3 Apr, Good Friday; weekend; Mon 6 Apr Easter Monday (profile) -> Tue 7 Apr
        (date(2026, 3, 4), date(2026, 4, 7)),
        (date(2026, 1, 5), date(2026, 2, 4)),  # Mon 5 Jan + 30 = Wed 4 Feb, a working day
    ],
)
def test_ca_thirty_days(received: date, due: date) -> None:
    assert rules("ca").due(received) == due


def test_ca_deemed_refusal_and_complaint_window() -> None:
    ca = rules("ca")
    assert ca.missed_deadline_is_refusal and ca.clarification == "pause"
    # Fri 1 May 2026 + 60 = Tue 30 Jun
    assert ca.appeal_deadline(date(2026, 5, 1)) == date(2026, 6, 30)
    # extension: due Thu 2 Jul + 30 = Sat 1 Aug -> Mon 3 Aug (the Civic Holiday is regional: not listed)
    assert ca.extended(date(2026, 7, 2)) == date(2026, 8, 3)
    assert ca.reviewer.organization == "information-commissioner"
    assert ca.calendar.holiday_name(date(2026, 4, 6)) == "Easter Monday"


# --- EU: 15 working days of the institutions' calendar ---


def test_eu_fifteen_working_days_across_easter() -> None:
    # Mon 23 Mar 2026: 24-27 (4), 30, 31, 1 Apr (7), Thu 2 Holy Thursday, Fri 3 Good Friday, Mon 6 Easter
    # Monday off, 7-10 (11), 13-16 (15) -> Thu 16 Apr
    assert rules("eu").due(date(2026, 3, 23)) == date(2026, 4, 16)


def test_eu_across_the_end_of_year_break() -> None:
    # Thu 10 Dec 2026: Fri 11 (1), 14-18 (6), 21-23 (9), Thu 24 Dec - Fri 1 Jan off, Mon 4 - Fri 8 Jan (14),
    # Mon 11 Jan 2027 (15)
    assert rules("eu").due(date(2026, 12, 10)) == date(2027, 1, 11)


def test_eu_confirmatory_application_window() -> None:
    eu = rules("eu")
    # refused Tue 5 May 2026: 6, 7, 8 (3), 11-13 (6), Thu 14 Ascension, Fri 15 off, 18-22 (11),
    # Mon 25 Whit Monday off, 26-29 (15) -> Fri 29 May
    assert eu.appeal_deadline(date(2026, 5, 5)) == date(2026, 5, 29)
    assert eu.appeal_due(date(2026, 5, 5)) == date(2026, 5, 29)
    # extension: due Thu 16 Apr + 15 working days: 17, 20-24, 27-30 (10), Fri 1 May off, 4-8 May (15)
    assert eu.extended(date(2026, 4, 16)) == date(2026, 5, 8)
    assert eu.missed_deadline_is_refusal and eu.clarification == "restart"
    assert eu.reviewer.name["pl"] == "Europejski Rzecznik Praw Obywatelskich"


def test_eu_holidays_follow_easter() -> None:
    from dateutil.easter import easter

    calendar = rules("eu").calendar
    for year in (2025, 2026, 2027):
        sunday = easter(year)
        for offset in (-3, -2, 1, 39, 40, 50):  # Holy Thursday ... Whit Monday
            day = date.fromordinal(sunday.toordinal() + offset)
            assert not calendar.is_working_day(day), day
        assert not calendar.is_working_day(date(year, 1, 1)) or date(year, 1, 1).isoweekday() > 5
        assert all(not calendar.is_working_day(date(year, 12, d)) for d in range(24, 32))
    assert calendar.holiday_name(date(2026, 5, 14)) == "Ascension Day"


# --- the calendar itself ---


def test_a_working_clock_never_counts_the_start_day() -> None:
    calendar = plain()
    # Mon 2 Mar 2026 is a working day, yet 1 working day later is Tue 3 Mar
    assert calendar.add(date(2026, 3, 2), Clock(1, "working")) == date(2026, 3, 3)
    # from Fri 6 Mar: Mon 9 (1), Tue 10 (2)
    assert calendar.add(date(2026, 3, 6), Clock(2, "working")) == date(2026, 3, 10)
    # from Sat 7 Mar: Mon 9 (1)
    assert calendar.add(date(2026, 3, 7), Clock(1, "working")) == date(2026, 3, 9)


def test_zero_and_unrolled_clocks() -> None:
    calendar = plain()
    assert calendar.add(date(2026, 3, 4), Clock(0, "calendar")) == date(2026, 3, 4)  # Wed: itself
    assert calendar.add(date(2026, 3, 7), Clock(0, "calendar")) == date(2026, 3, 9)  # Sat -> Mon
    # Sat 7 Mar + 0 without rolling: Sat 7 Mar
    assert calendar.add(date(2026, 3, 7), Clock(0, "calendar", roll_forward=False)) == date(2026, 3, 7)
    # 31 Jan 2026 + 1 month = Sat 28 Feb, kept without rolling, else Mon 2 Mar
    assert calendar.add(date(2026, 1, 31), Clock(1, "months", roll_forward=False)) == date(2026, 2, 28)
    assert calendar.add(date(2026, 1, 31), Clock(1, "months")) == date(2026, 3, 2)
    # 31 Jan 2028 + 1 month = Tue 29 Feb 2028 (leap year)
    assert calendar.add(date(2028, 1, 31), Clock(1, "months")) == date(2028, 2, 29)


def test_negative_or_bad_clocks_are_rejected() -> None:
    with pytest.raises(ValueError, match="negative"):
        Clock(-1, "calendar")
    with pytest.raises(ValueError, match="Unknown unit"):
        Clock(1, "weeks")  # type: ignore[arg-type]
    clock = Clock(1, "calendar")
    object.__setattr__(clock, "amount", -3)  # past the constructor's check
    with pytest.raises(ValueError, match="negative"):
        plain().add(date(2026, 3, 2), clock)


def test_elapsed() -> None:
    calendar = plain()
    # after Fri 6 Mar up to Mon 9 Mar: Sat, Sun, Mon = 3 calendar days, 1 working day
    assert calendar.elapsed(date(2026, 3, 6), date(2026, 3, 9), "calendar") == 3
    assert calendar.elapsed(date(2026, 3, 6), date(2026, 3, 9), "working") == 1
    # Mon 2 to Fri 13 Mar: Tue 3 ... Fri 13 = 9 working days
    assert calendar.elapsed(date(2026, 3, 2), date(2026, 3, 13), "working") == 9
    assert calendar.elapsed(date(2026, 3, 9), date(2026, 3, 9), "working") == 0
    assert calendar.elapsed(date(2026, 3, 9), date(2026, 3, 6), "calendar") == 0
    with pytest.raises(ValueError, match="months"):
        calendar.elapsed(date(2026, 3, 6), date(2026, 4, 6), "months")
    # Kazakhstan: after Fri 20 Mar to Thu 26 Mar 2026 only Thu 26 is a working day (Nauryz)
    assert rules("kz").calendar.elapsed(date(2026, 3, 20), date(2026, 3, 26), "working") == 1


def test_profile_days_override_the_library() -> None:
    start = date(2026, 3, 27)  # Fri
    # without overrides: Mon 30 Mar is the next working day
    assert WorkCalendar(country="KZ").add(start, Clock(1, "working")) == date(2026, 3, 30)
    # a working Saturday 28 Mar (a decree's transfer) counts
    working_saturday = WorkCalendar(country="KZ", working_days=[date(2026, 3, 28)])
    assert working_saturday.is_working_day(date(2026, 3, 28))
    assert working_saturday.add(start, Clock(1, "working")) == date(2026, 3, 28)
    # an institution's own day off on Mon 30 Mar pushes it to Tue 31 Mar, under its own name
    day_off = WorkCalendar(country="KZ", days_off=[date(2026, 3, 30)], names={date(2026, 3, 30): "Staff day"})
    assert day_off.add(start, Clock(1, "working")) == date(2026, 3, 31)
    assert day_off.holiday_name(date(2026, 3, 30)) == "Staff day"
    assert (
        WorkCalendar(country="KZ", days_off=[date(2026, 3, 30)]).holiday_name(date(2026, 3, 30)) == "Day off"
    )
    # a library holiday made a working day (Mon 9 Mar 2026, Women's Day observed)
    worked = WorkCalendar(country="KZ", working_days=[date(2026, 3, 9)])
    assert worked.is_working_day(date(2026, 3, 9)) and worked.holiday_name(date(2026, 3, 9)) is None
    with pytest.raises(ValueError, match="both"):
        WorkCalendar(country=None, days_off=[date(2026, 3, 9)], working_days=[date(2026, 3, 9)])


def test_library_day_off_transfers() -> None:
    calendar = rules("kz").calendar
    # 2025 decree known to the library: Fri 3 Jan off, Sun 5 Jan worked. From Tue 31 Dec 2024: Wed 1, Thu 2
    # (New Year), Fri 3 (transfer), Sat 4 off; Sun 5 Jan is the first working day
    assert not calendar.is_working_day(date(2025, 1, 3))
    assert calendar.is_working_day(date(2025, 1, 5))
    assert calendar.add(date(2024, 12, 31), Clock(1, "working")) == date(2025, 1, 5)


def test_holiday_names() -> None:
    kz = rules("kz").calendar
    assert kz.holiday_name(date(2026, 3, 21)) == "Nowruz Holiday"  # a holiday on a Saturday
    assert kz.holiday_name(date(2026, 2, 21)) is None  # a plain Saturday
    assert kz.holiday_name(date(2026, 2, 17)) is None  # a working day
    assert rules("ca").calendar.holiday_name(date(2026, 7, 1)) == "Canada Day"


def test_next_working_day() -> None:
    kz = rules("kz").calendar
    assert kz.next_working_day(date(2026, 3, 20)) == date(2026, 3, 20)  # Fri, working
    assert kz.next_working_day(date(2026, 3, 21)) == date(2026, 3, 26)  # Nauryz through Wed 25


def test_years_far_from_now() -> None:
    # 2031: Fri 7 Mar + 15 = Sat 22 Mar (Nauryz 21-23, observed Mon 24 and Tue 25) -> Wed 26 Mar
    assert rules("kz").due(date(2031, 3, 7)) == date(2031, 3, 26)
    # EU without a listed year: only weekends. Mon 3 Mar 2031 + 15 working days = Mon 24 Mar 2031
    assert rules("eu").due(date(2031, 3, 3)) == date(2031, 3, 24)
    for code in PROFILES:
        profile_rules = rules(code)
        for year in (1995, 2031, 2040, 2075):
            due = profile_rules.due(date(year, 12, 28))
            assert profile_rules.calendar.is_working_day(due) and due.year == year + 1


def test_bad_calendar_settings() -> None:
    with pytest.raises(ValueError, match="no country 'XX'"):
        WorkCalendar(country="XX")
    with pytest.raises(ValueError, match="government"):
        WorkCalendar(country="KZ", categories=("government",))
    with pytest.raises(ValueError, match="seven"):
        WorkCalendar(country=None, weekend=(1, 2, 3, 4, 5, 6, 7))
    with pytest.raises(ValueError, match="ISO weekdays"):
        WorkCalendar(country=None, weekend=(0, 6))


# --- the four profiles ---


@pytest.mark.parametrize("code", PROFILES)
def test_every_profile_loads_with_complete_titles(code: str) -> None:
    profile = load_profile(code)
    loaded = rules_for(profile)
    assert rules_for(profile) is loaded  # cached
    assert loaded.law.strip() and loaded.grounds
    assert len({g.code for g in loaded.grounds}) == len(loaded.grounds)
    for ground in loaded.grounds:
        assert all(ground.article.get(lang, "").strip() for lang in profile.languages)
        for lang in profile.languages:
            assert ground.title.get(lang, "").strip(), f"{code}: ground {ground.code} has no {lang} title"
    for lang in profile.languages:
        assert loaded.reviewer.name.get(lang, "").strip(), f"{code}: reviewer has no {lang} name"
        if loaded.identifier is not None:
            assert loaded.identifier.get(lang, "").strip()
    assert (loaded.reviewer.kind == "independent") == (loaded.reviewer.organization is not None)
    assert all(name in DETECTORS for name in loaded.identifier_detectors)
    assert loaded.max_extensions == 1 and loaded.extension is not None


@pytest.mark.parametrize(
    ("code", "response", "appeal_window", "reviewer"),
    [
        ("kz", Clock(15, "calendar"), Clock(3, "months"), "superior"),
        ("ee", Clock(5, "working"), Clock(30, "calendar"), "independent"),
        ("ca", Clock(30, "calendar"), Clock(60, "calendar"), "independent"),
        ("eu", Clock(15, "working"), Clock(15, "working"), "independent"),
    ],
)
def test_profile_facts(code: str, response: Clock, appeal_window: Clock, reviewer: str) -> None:
    loaded = rules(code)
    assert loaded.response == response and loaded.appeal_window == appeal_window
    assert loaded.reviewer.kind == reviewer


# --- parse errors ---


def valid_raw() -> dict[str, Any]:
    return {
        "law": "Test Act",
        "response": {"amount": 10, "unit": "working"},
        "extension": {"amount": 10, "unit": "working"},
        "max_extensions": 1,
        "clarification": "pause",
        "appeal_window": {"amount": 30, "unit": "calendar"},
        "appeal_decision": {"amount": 30, "unit": "calendar"},
        "order": {"amount": 10, "unit": "working"},
        "dialogue": {"amount": 10, "unit": "working"},
        "missed_deadline_is_refusal": False,
        "anonymous_allowed": True,
        "calendar": {
            "holidays": "",
            "days_off": {"2026": ["2026-03-02", {"date": "2026-03-03", "name": "Fête"}]},
        },
        "reviewer": {"kind": "independent", "name": {"en": "Ombud", "fr": "Ombud"}, "organization": "ombud"},
        "grounds": [{"code": "t-1", "article": "s. 1", "title": {"en": "Secret", "fr": "Secret"}}],
    }


def test_a_hand_made_table_parses() -> None:
    parsed = parse_rules("xx", valid_raw(), ("en", "fr"))
    # Fri 27 Feb 2026 + 10 working days: Mon 2, Tue 3 Mar are days off; 4-6 (3), 9-13 (8), 16, 17 (10)
    assert parsed.due(date(2026, 2, 27)) == date(2026, 3, 17)
    assert parsed.calendar.holiday_name(date(2026, 3, 3)) == "Fête"
    assert parsed.identifier is None and parsed.identifier_detectors == ()


def without(key: str) -> dict[str, Any]:
    raw = valid_raw()
    del raw[key]
    return raw


def changed(path: str, value: Any) -> dict[str, Any]:
    raw = valid_raw()
    *parents, last = path.split(".")
    table: Any = raw
    for part in parents:
        table = table[int(part)] if isinstance(table, list) else table[part]
    if value is None:
        del table[last]
    else:
        table[last] = value
    return raw


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (without("response"), r"requests\.response: missing"),
        (changed("response.unit", "weeks"), r"requests\.response\.unit: must be one of"),
        (changed("order.amount", -5), r"requests\.order\.amount: must be a whole number"),
        (
            changed("clarification", "suspend"),
            r"requests\.clarification: must be one of pause, ",
        ),
        (changed("reviewer.organization", None), r"requests\.reviewer\.organization: missing"),
        (changed("reviewer.organization", "Not A Slug"), r"requests\.reviewer\.organization: must be"),
        (changed("reviewer.kind", "court"), r"requests\.reviewer\.kind"),
        (changed("grounds", []), r"requests\.grounds: must list"),
        (changed("grounds.0.title", {"en": "Secret"}), r"requests\.grounds\[0\]\.title: no text in fr"),
        (without("calendar"), r"requests\.calendar: missing"),
        (changed("calendar.holidays", "XX"), r"requests\.calendar: .*no country 'XX'"),
        (
            changed("calendar.days_off", {"2026": ["2027-01-01"]}),
            r"requests\.calendar\.days_off\.2026: .* not in",
        ),
        (changed("calendar.weekend", [0]), r"requests\.calendar\.weekend"),
        (changed("extention", {"amount": 1, "unit": "calendar"}), r"requests: unknown key\(s\) extention"),
        (changed("anonymous_allowed", "yes"), r"requests\.anonymous_allowed: must be true or false"),
        (without("law"), r"requests\.law: missing"),
    ],
)
def test_parse_errors_name_the_profile_and_key(raw: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=rf"^Profile 'xx': {message}"):
        parse_rules("xx", raw, ("en", "fr"))


def test_no_extension_means_none_allowed() -> None:
    raw = without("extension")
    with pytest.raises(ValueError, match=r"requests\.max_extensions"):
        parse_rules("xx", raw, ("en", "fr"))
    raw["max_extensions"] = 0
    parsed = parse_rules("xx", raw, ("en", "fr"))
    assert parsed.extension is None
    with pytest.raises(ValueError, match="no extension"):
        parsed.extended(date(2026, 3, 2))


def test_a_superior_reviewer_names_no_organization() -> None:
    raw = changed("reviewer.kind", "superior")
    with pytest.raises(ValueError, match=r"requests\.reviewer\.organization: only an independent"):
        parse_rules("xx", raw, ("en", "fr"))
    del raw["reviewer"]["organization"]
    assert parse_rules("xx", raw, ("en", "fr")).reviewer.organization is None


def test_rules_for_a_profile_without_requests() -> None:
    profile = Profile(
        code="zz", name={"en": "Z"}, languages=("en",), default_language="en", timezone="UTC",
        themes=(), licences=(), default_licence="CC-BY-4.0", regions=(), raw={},
    )  # fmt: skip
    with pytest.raises(ValueError, match=r"Profile 'zz': no \[requests\] table"):
        rules_for(profile)
