"""UI translations (Babel .po catalogs read at start) and multilingual text with the profile's fallback."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from functools import cache
from pathlib import Path

from babel.messages.pofile import read_po
from babel.support import Format

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
LANGUAGES = ("kk", "ru", "en")


@cache
def _catalog(lang: str) -> dict[str, str]:
    """Every .po file of the language merged: messages.po for the site, one more per area if it likes."""
    messages: dict[str, str] = {}
    for path in sorted((LOCALE_DIR / lang / "LC_MESSAGES").glob("*.po")):
        with path.open("rb") as fh:
            catalog = read_po(fh, locale=lang)
        messages.update(
            {str(m.id): str(m.string) for m in catalog if m.id and m.string and isinstance(m.id, str)}
        )
    return messages


def translator(lang: str) -> Callable[..., str]:
    messages = _catalog(lang)

    def gettext(message: str, **values: object) -> str:
        text = messages.get(message, message)
        return text.format(**values) if values else text

    return gettext


def number_formatter(lang: str) -> Format:
    return Format(lang)


def pick(text: Mapping[str, str] | None, lang: str, fallback: Sequence[str] = LANGUAGES) -> str:
    """The text in lang, else in the first fallback language that has it."""
    if not text:
        return ""
    if text.get(lang):
        return text[lang]
    for other in fallback:
        if text.get(other):
            return text[other]
    return next((v for v in text.values() if v), "")


def negotiate(accept_language: str | None, available: Sequence[str], default: str) -> str:
    if not accept_language:
        return default
    weighted: list[tuple[float, str]] = []
    for part in accept_language.split(","):
        piece = part.strip().split(";")
        tag = piece[0].strip().lower().split("-")[0]
        q = 1.0
        for param in piece[1:]:
            if param.strip().startswith("q="):
                try:
                    q = float(param.strip()[2:])
                except ValueError:
                    q = 0.0
        weighted.append((q, tag))
    for _q, tag in sorted(weighted, key=lambda w: -w[0]):
        if tag in available:
            return tag
    return default
