"""Reading HTML forms: the values a person typed, kept for redisplay, and errors in plain words per field."""

from __future__ import annotations

import re
from collections.abc import Mapping

from pydantic import ValidationError
from starlette.datastructures import FormData

from derek.core.errors import DomainError

FieldErrors = dict[str, list[str]]
SLUG_MESSAGE = (
    "Use 2 to 100 lowercase latin letters, digits, hyphens or underscores, starting with a letter or digit."
)
FIELD_PREFIX = re.compile(r"^([a-z_]+): (.+)$")

# msgids (English) of the messages shown next to a field, by pydantic error type
PLAIN_MESSAGES = {
    "missing": "This field is required.",
    "string_too_long": "This text is too long.",
    "string_too_short": "This text is too short.",
    "too_long": "Too many values are chosen.",
    "literal_error": "Choose one of the options.",
    "date_from_datetime_parsing": "Enter a date like 2024-12-31.",
    "date_parsing": "Enter a date like 2024-12-31.",
    "date_type": "Enter a date like 2024-12-31.",
    "bool_parsing": "Choose yes or no.",
}


def text(form: FormData, key: str) -> str:
    """The stripped text of a field; an absent field or a file gives ''."""
    value = form.get(key)
    return value.strip() if isinstance(value, str) else ""


def texts(form: FormData, key: str) -> list[str]:
    """Every non-empty text value of a repeated field (checkboxes, multiple selects)."""
    return [v.strip() for v in form.getlist(key) if isinstance(v, str) and v.strip()]


def checked(form: FormData, key: str) -> bool:
    return text(form, key) not in ("", "0", "false", "off")


def from_validation(exc: ValidationError, field_messages: Mapping[str, str] | None = None) -> FieldErrors:
    """Field -> messages from a pydantic error; field_messages gives one message for any error on a field."""
    errors: FieldErrors = {}
    for err in exc.errors():
        loc = err.get("loc", ())
        field = str(loc[0]) if loc else "form"
        cause = (err.get("ctx") or {}).get("error")
        raw = str(cause) if cause is not None else str(err.get("msg", "This value is not valid."))
        if field == "form" and (named := FIELD_PREFIX.match(raw)):  # a model check naming its field
            field, raw = named.group(1), named.group(2)
        if field_messages and field in field_messages:
            message = field_messages[field]
        elif err["type"] in PLAIN_MESSAGES:
            message = PLAIN_MESSAGES[err["type"]]
        else:
            message = raw[:1].upper() + raw[1:].rstrip(".") + "."
        if message not in errors.setdefault(field, []):
            errors[field].append(message)
    return errors


def from_domain(exc: DomainError) -> FieldErrors:
    """The per-field errors a service gave, else its message for the whole form."""
    if exc.errors:
        return {field: list(messages) for field, messages in exc.errors.items()}
    return {"form": [exc.message]}


def merge(*parts: FieldErrors) -> FieldErrors:
    merged: FieldErrors = {}
    for part in parts:
        for field, messages in part.items():
            merged.setdefault(field, []).extend(m for m in messages if m not in merged[field])
    return merged
