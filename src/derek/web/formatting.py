"""Jinja filters that format dates and numbers for the page language and the profile's time zone."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time
from babel.numbers import format_decimal

from derek.web.pages import env


def local_date(value: date | datetime | None, lang: str, timezone: str = "UTC", style: str = "medium") -> str:
    """A date (or the local date of a UTC time) written the way the page language writes it."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(ZoneInfo(timezone)).date()
    try:
        return format_date(value, style, locale=lang)
    except (ValueError, LookupError):
        return value.isoformat()


def local_datetime(value: datetime | None, lang: str, timezone: str = "UTC") -> str:
    """A UTC time as the local date and hour:minute, for events that happen more than once a day."""
    if value is None:
        return ""
    local = value.astimezone(ZoneInfo(timezone))
    try:
        day = format_date(local.date(), "medium", locale=lang)
        return f"{day}, {format_time(local, 'HH:mm', locale=lang)}"
    except (ValueError, LookupError):
        return local.strftime("%Y-%m-%d %H:%M")


def iso_datetime(value: datetime | None) -> str:
    return "" if value is None else value.isoformat(timespec="seconds")


def local_number(value: int | float | None, lang: str) -> str:
    if value is None:
        return ""
    try:
        return format_decimal(value, locale=lang)
    except (ValueError, LookupError):
        return str(value)


def iso_date(value: date | datetime | None) -> str:
    if value is None:
        return ""
    return value.date().isoformat() if isinstance(value, datetime) else value.isoformat()


env.filters["local_date"] = local_date
env.filters["local_number"] = local_number
env.filters["iso_date"] = iso_date
env.filters["local_datetime"] = local_datetime
env.filters["iso_datetime"] = iso_datetime
