"""Detectors of personal data in table cells: national identity numbers, e-mail addresses, phone numbers."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import lru_cache
from operator import mul

PERSONAL = "personal"  # blocks publication
POSSIBLE = "possible"  # a warning: organisations publish such values on purpose


@dataclass(frozen=True, slots=True)
class Match:
    detector: str  # e.g. "kz_iin"
    severity: str  # PERSONAL or POSSIBLE
    value: str  # the matched text as it appears in the cell


@dataclass(frozen=True, slots=True)
class Finder:
    """One pass over a cell's text yielding candidate values; detectors sharing a finder share the pass
    (the IIN and the BIN are both 12-digit runs, so a cell is searched for those once)."""

    name: str
    min_length: int  # a shorter cell holds no candidate
    find: Callable[[str], list[str]]
    # a regular expression every cell holding a candidate matches, in the syntax RE2 (DuckDB's
    # regexp_matches) and Python share, so a database can drop most cells before Python sees them
    prefilter: str


@dataclass(frozen=True, slots=True)
class Detector:
    name: str
    jurisdiction: str  # ISO 3166-1 alpha-2 of the identifier's country, "" where any
    finder: Finder
    judge: Callable[[str], str | None]  # a candidate's severity, None when it is not this kind
    descriptions: Mapping[str, str]  # plain words by language


# --- shared checks -------------------------------------------------------------------------------------

_DIGITS_AT = re.compile(r"[0-9]+")
_IBAN = re.compile(r"[A-Z]{2}[0-9]{2}[0-9A-Z]{11,30}")


def _birth_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _in_future(born: date, today: date | None) -> bool:
    # only a birth date of this century can be in the future: spare the clock the other nine tenths
    return born.year >= 2000 and born > (today or date.today())


def _in_decimal(text: str, start: int, end: int) -> bool:
    """Whether text[start:end] is part of a decimal number: "900101300126.57" (an amount) or "0.900101300126"
    (a fraction). A fraction of zeros only ("900101300126.0", a number a spreadsheet wrote) does not count,
    nor does a long digit run around a comma (a list of numbers: "900101300126,900101300134")."""
    if end < len(text) and text[end] in ".,":
        fraction = _DIGITS_AT.match(text, end + 1)
        if fraction and len(fraction.group()) <= 4 and fraction.group().strip("0"):
            return True
    if start >= 2 and text[start - 1] in ".,":
        whole_end = start - 1
        whole_start = whole_end
        while whole_start > 0 and "0" <= text[whole_start - 1] <= "9":
            whole_start -= 1
        if 1 <= whole_end - whole_start <= 4:
            return True
    return False


def _in_iban(text: str, start: int, end: int) -> bool:
    """Whether the digit run text[start:end] lies inside an IBAN-shaped token (KZ86125KZT5004100100)."""
    if start == 0 or not (text[start - 1].isascii() and text[start - 1].isalpha()):
        return False
    first, last = start, end
    while first > 0 and text[first - 1].isascii() and text[first - 1].isalnum():
        first -= 1
    while last < len(text) and text[last].isascii() and text[last].isalnum():
        last += 1
    return _IBAN.fullmatch(text, first, last) is not None


def _run_finder(length: int) -> Finder:
    """Runs of exactly `length` digits: never a piece of a longer run (an account or a card number), an
    amount's whole part or an IBAN's digits."""
    runs = re.compile(f"[0-9]{{{length},}}")

    def find(text: str) -> list[str]:
        if len(text) == length and text.isdigit() and text.isascii():  # the common case: the whole cell
            return [text]
        found = []
        for m in runs.finditer(text):
            start, end = m.span()
            if end - start == length and not _in_decimal(text, start, end) and not _in_iban(text, start, end):
                found.append(m.group())
        return found

    return Finder(f"run{length}", length, find, f"[0-9]{{{length}}}")


# --- Kazakhstan: IIN and BIN ---------------------------------------------------------------------------

_KZ_WEIGHTS = ((1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11), (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2))
_KZ_CENTURY = {"1": 1800, "2": 1800, "3": 1900, "4": 1900, "5": 2000, "6": 2000}


def _is_ascii_digits(value: str, length: int) -> bool:
    return len(value) == length and value.isdigit() and value.isascii()


def kz_check_digit(first_eleven: str) -> int | None:
    """The check digit of an IIN or BIN from its first 11 ASCII digits; None when no 12th digit fits."""
    # weighted sums of the character codes: each weight set adds up to 66, so the codes' offset (48 * 66)
    # is a multiple of 11 and drops out of the remainder; map(mul) keeps the loop in C
    codes = first_eleven.encode("ascii")
    for weights in _KZ_WEIGHTS:
        remainder = sum(map(mul, codes, weights)) % 11
        if remainder != 10:
            return remainder
    return None


def _kz_checked(value: str) -> bool:
    """Whether the check digit of `value` (12 ASCII digits) is right: kz_check_digit inlined (hot path)."""
    codes = value.encode("ascii")
    first, second = _KZ_WEIGHTS
    remainder = sum(map(mul, codes, first)) % 11  # map stops with the 11 weights, before the check digit
    if remainder == 10:
        remainder = sum(map(mul, codes, second)) % 11  # a second 10 matches no digit: invalid
    return remainder == codes[11] - 48


def _iin_birth_date(value: str, today: date | None) -> date | None:
    """The birth date of `value` (12 ASCII digits) read as an IIN, None when it is not a valid one; the cheap
    tests first, as most 12-digit runs are something else."""
    century = _KZ_CENTURY.get(value[6])
    if century is None or value[4] > "3":  # a day starts with 0-3; a BIN's type digit (4-6) sits here
        return None
    year, month_day = divmod(int(value[0:6]), 10000)
    born = _birth_date(century + year, *divmod(month_day, 100))
    if born is None or not _kz_checked(value) or _in_future(born, today):
        return None
    return born


def kz_iin_birth_date(value: str, today: date | None = None) -> date | None:
    """The birth date of a valid IIN, None when `value` is not one (`today` bounds the birth date)."""
    return _iin_birth_date(value, today) if _is_ascii_digits(value, 12) else None


def is_kz_iin(value: str, today: date | None = None) -> bool:
    return kz_iin_birth_date(value, today) is not None


def _bin_type(value: str) -> str | None:
    if value[4] not in "456" or value[5] not in "01234" or not "01" <= value[2:4] <= "12":
        return None
    return value[4] if _kz_checked(value) else None


def kz_bin_type(value: str) -> str | None:
    """The type digit of a valid BIN ("4" resident legal entity, "5" non-resident, "6" individual entrepreneur
    in joint form or peasant farm), None when `value` is not one."""
    return _bin_type(value) if _is_ascii_digits(value, 12) else None


# the judges get what their finder found: exactly 12 ASCII digits
def _judge_kz_iin(value: str) -> str | None:
    return PERSONAL if _iin_birth_date(value, None) is not None else None


def _judge_kz_bin(value: str) -> str | None:
    # types 4 and 5 are organisations, published on purpose; type 6 is a person's business
    return POSSIBLE if _bin_type(value) == "6" else None


# --- Estonia: isikukood --------------------------------------------------------------------------------

_EE_WEIGHTS = ((1, 2, 3, 4, 5, 6, 7, 8, 9, 1), (3, 4, 5, 6, 7, 8, 9, 1, 2, 3))
_EE_CENTURY = {"1": 1800, "2": 1800, "3": 1900, "4": 1900, "5": 2000, "6": 2000}


def ee_check_digit(first_ten: str) -> int:
    """The isikukood's check digit from its first 10 digits: weights 1..9,1; on 10 the second set; on 10
    again 0."""
    digits = [ord(c) - 48 for c in first_ten]
    for weights in _EE_WEIGHTS:
        remainder = sum(d * w for d, w in zip(digits, weights, strict=True)) % 11
        if remainder != 10:
            return remainder
    return 0


def is_ee_isikukood(value: str, today: date | None = None) -> bool:
    if not _is_ascii_digits(value, 11):
        return False
    century = _EE_CENTURY.get(value[0])
    if century is None:
        return False
    born = _birth_date(century + int(value[1:3]), int(value[3:5]), int(value[5:7]))
    if born is None or _in_future(born, today):
        return False
    return ee_check_digit(value[:10]) == ord(value[10]) - 48


def _judge_ee_isikukood(value: str) -> str | None:
    return PERSONAL if is_ee_isikukood(value) else None


# --- Canada: SIN ---------------------------------------------------------------------------------------

# 123456782, 123 456 782 or 123-456-782 (one separator throughout)
_SIN = re.compile(r"(?<![0-9])[0-9]{3}([ -]?)[0-9]{3}\1[0-9]{3}(?![0-9])")


def is_ca_sin(value: str) -> bool:
    digits = value.replace(" ", "").replace("-", "")
    if len(digits) != 9 or not (digits.isdigit() and digits.isascii()) or digits[0] in "08":
        return False
    total = 0
    for i, c in enumerate(digits):
        d = ord(c) - 48
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def _find_sin(text: str) -> list[str]:
    found = []
    for m in _SIN.finditer(text):
        start, end = m.span()
        sep = m.group(1)
        # "1 123 456 782" and "123 456 782 000" are amounts grouped by thousands, not a SIN
        if sep and (text[max(0, start - 2) : start - 1].isdigit() and text[start - 1 : start] == sep):
            continue
        if sep and text[end : end + 1] == sep and text[end + 1 : end + 2].isdigit():
            continue
        if not _in_decimal(text, start, end):
            found.append(m.group())
    return found


def _judge_ca_sin(value: str) -> str | None:
    return PERSONAL if is_ca_sin(value) else None


# --- e-mail --------------------------------------------------------------------------------------------

_LOCAL_REVERSED = re.compile(r"[\w.%+'-]{1,64}")  # a local part read backwards from the "@"
# an "@" and the domain after it; the search for "@" runs in C, so text without addresses costs no Python
_AT_DOMAIN = re.compile(r"@((?:[^\W_](?:[\w-]{0,61}[^\W_])?\.){1,126}[^\W\d_]{2,63})(?![\w-])")
_NOT_TLDS = frozenset({"png", "jpg", "jpeg", "gif", "svg", "webp", "pdf"})  # icon@2x.png is a file name
# local parts organisations publish on purpose: a warning, not a block (ru/kk, in Latin letters too)
# fmt: off
_ROLE_LOCAL_PARTS = frozenset({
    "info", "office", "kense", "press", "presscenter", "pressa", "media", "smi", "support", "help",
    "helpdesk", "hotline", "contact", "contacts", "admin", "administrator", "priemnaya", "priemnaja",
    "priemnaia", "priem", "qabyldau", "kabyldau", "secretary", "sekretar", "sekretariat", "reception",
    "kanc", "kantselyariya", "kancelyariya", "kancelyaria", "chancellery", "mail", "post", "postmaster",
    "webmaster", "hostmaster", "noreply", "no-reply", "donotreply", "feedback", "sales", "marketing",
    "service", "servis", "enquiries", "inquiries", "general", "mailbox", "akimat", "akimdik",
    "obrashcheniya", "obrasheniya", "appeal", "appeals", "zakupki", "goszakup", "tender", "kadry", "legal",
    "abuse", "security", "billing", "orders",
    "приемная", "приёмная", "канцелярия", "инфо", "пресс", "пресса", "секретарь", "почта", "кеңсе",
    "қабылдау",
})
# fmt: on
# public webmail services people use privately (the whole domain, or its first label on any country domain)
_WEBMAIL = frozenset(
    {
        "mail.kz",
        "mail.ru",
        "inbox.ru",
        "list.ru",
        "bk.ru",
        "internet.ru",
        "inbox.kz",
        "rambler.ru",
        "ukr.net",
        "icloud.com",
        "me.com",
        "aol.com",
        "gmx.de",
        "gmx.net",
        "web.de",
        "t-online.de",
        "proton.me",
        "protonmail.com",
        "zoho.com",
        "qq.com",
        "163.com",
        "ya.ru",
        "live.com",
        "msn.com",
        "hotmail.co.uk",
    }
)  # fmt: skip
_WEBMAIL_NAMES = frozenset({"gmail", "googlemail", "yandex", "yahoo", "outlook", "hotmail", "live"})
_ROLE_EXACT = frozenset({"hr", "pr", "it", "ok"})  # too short to be the start of a longer role name
_LOCAL_HEAD = re.compile(r"[._+-]")


def _find_email(text: str) -> list[str]:
    found = []
    for m in _AT_DOMAIN.finditer(text):
        domain = m.group(1)
        if domain.rpartition(".")[2].lower() in _NOT_TLDS:
            continue
        at = m.start()
        local = _LOCAL_REVERSED.match(text[max(0, at - 64) : at][::-1])
        local_part = local.group()[::-1].lstrip(".") if local else ""
        if local_part:
            found.append(f"{local_part}@{domain}")
    return found


def _judge_email(value: str) -> str | None:
    local, _at, domain = value.lower().rpartition("@")
    if (
        local in _ROLE_LOCAL_PARTS
        or local in _ROLE_EXACT
        or _LOCAL_HEAD.split(local, 1)[0] in _ROLE_LOCAL_PARTS
    ):
        return POSSIBLE
    # an address at a public webmail service belongs to a person; one at an organisation's own domain is a
    # work contact it may publish on purpose (geodienste@rostock.de): a warning for the publisher to judge
    return PERSONAL if domain in _WEBMAIL or domain.split(".", 1)[0] in _WEBMAIL_NAMES else POSSIBLE


# --- phone ---------------------------------------------------------------------------------------------

_PHONE_SPACES = " \t\u00a0\u202f"  # real characters, not escapes: the pattern also goes to RE2
_PHONE_CHARS = f"0-9{_PHONE_SPACES}()-"  # digits and what people put between them
# "+" and a number (international), or a domestic Kazakh number from its trunk 8 or country 7 that is not
# glued to a Latin letter or a digit ("тел87012345678" is a phone number; "ID87012345678" may be anything)
_PHONE = re.compile(rf"(?:\+[{_PHONE_SPACES}]?|(?<![0-9A-Za-z_+])(?=[78]))[0-9][{_PHONE_CHARS}]{{8,20}}[0-9]")
_DIGIT_GROUPS = re.compile(r"[0-9]+")


def _phone_digits_fit(candidate: str, groups: list[str]) -> bool:
    digits = "".join(groups)
    if candidate[0] == "+":
        # +7 is Kazakhstan and Russia: always 11 digits; elsewhere E.164 allows up to 15
        return len(digits) == 11 if digits[0] == "7" else 10 <= len(digits) <= 15
    # without "+": 8 7xx ... or 7 7xx ... (every Kazakh area and mobile code starts with 7), 11 digits
    return len(digits) == 11 and digits[1] == "7"


def _find_phone(text: str) -> list[str]:
    found = []
    for m in _PHONE.finditer(text):
        candidate = m.group()
        groups = _DIGIT_GROUPS.findall(candidate)
        if not _phone_digits_fit(candidate, groups):
            continue
        # 1 234 567 890 (groups of three after the first) is an amount; nobody writes 7 7 0 1 ... for a phone
        if len(groups) > 2 and len(groups[0]) <= 3 and all(len(g) == 3 for g in groups[1:]):
            continue
        if any(len(g) < 2 for g in groups[1:]):
            continue
        if candidate.count("(") != candidate.count(")") or _in_decimal(text, *m.span()):
            continue
        found.append(candidate)
    return found


def _judge_phone(value: str) -> str | None:
    return POSSIBLE  # the finder already validated the shape; office phones are common in open data


# --- the registry --------------------------------------------------------------------------------------

_RUN12 = _run_finder(12)
_RUN11 = _run_finder(11)
_SIN_FINDER = Finder("sin", 9, _find_sin, "[0-9]{3}[ -]?[0-9]{3}[ -]?[0-9]{3}")
_EMAIL_FINDER = Finder("email", 6, _find_email, "@")
_PHONE_FINDER = Finder(
    "phone",
    10,
    _find_phone,
    rf"\+[{_PHONE_SPACES}]?[0-9][{_PHONE_CHARS}]{{8,20}}[0-9]"
    rf"|(?:^|[^0-9A-Za-z_+])[78][{_PHONE_SPACES}()-]*7[{_PHONE_CHARS}]{{7,20}}[0-9]",
)

DETECTORS: dict[str, Detector] = {
    d.name: d
    for d in (
        Detector(
            "kz_iin",
            "KZ",
            _RUN12,
            _judge_kz_iin,
            {
                "en": "Kazakh IIN (individual identification number)",
                "ru": "ИИН (индивидуальный идентификационный номер, Казахстан)",
                "kk": "ЖСН (жеке сәйкестендіру нөмірі, Қазақстан)",
            },
        ),
        Detector(
            "kz_bin",
            "KZ",
            _RUN12,
            _judge_kz_bin,
            {
                "en": "Kazakh BIN of an individual entrepreneur or peasant farm"
                " (business identification number)",
                "ru": "БИН индивидуального предпринимателя или крестьянского хозяйства"
                " (бизнес-идентификационный номер, Казахстан)",
                "kk": "Жеке кәсіпкердің немесе шаруа қожалығының БСН"
                " (бизнес-сәйкестендіру нөмірі, Қазақстан)",
            },
        ),
        Detector(
            "ee_isikukood",
            "EE",
            _RUN11,
            _judge_ee_isikukood,
            {
                "en": "Estonian personal identification code (isikukood)",
                "ru": "Эстонский личный код (isikukood)",
                "kk": "Эстонияның жеке сәйкестендіру коды (isikukood)",
            },
        ),
        Detector(
            "ca_sin",
            "CA",
            _SIN_FINDER,
            _judge_ca_sin,
            {
                "en": "Canadian SIN (Social Insurance Number)",
                "ru": "Канадский номер социального страхования (SIN)",
                "kk": "Канаданың әлеуметтік сақтандыру нөмірі (SIN)",
            },
        ),
        Detector(
            "email",
            "",
            _EMAIL_FINDER,
            _judge_email,
            {"en": "E-mail address", "ru": "Адрес электронной почты", "kk": "Электрондық пошта мекенжайы"},
        ),
        Detector(
            "phone",
            "",
            _PHONE_FINDER,
            _judge_phone,
            {"en": "Telephone number", "ru": "Номер телефона", "kk": "Телефон нөмірі"},
        ),
    )
}


def get_detector(name: str) -> Detector:
    try:
        return DETECTORS[name]
    except KeyError:
        known = ", ".join(DETECTORS)
        raise ValueError(f"Unknown personal-data detector {name!r}; known detectors: {known}.") from None


@dataclass(frozen=True, slots=True)
class _Step:
    gate: re.Pattern[str]  # the finder's prefilter: a search in C that spares most cells the Python finder
    finder: Finder
    detectors: tuple[Detector, ...]


@lru_cache(maxsize=64)
def _plan(names: tuple[str, ...]) -> tuple[_Step, ...]:
    """The named detectors grouped by finder, each finder once, in the order first named."""
    groups: dict[str, tuple[Finder, list[Detector]]] = {}
    for name in dict.fromkeys(names):
        d = get_detector(name)
        groups.setdefault(d.finder.name, (d.finder, []))[1].append(d)
    return tuple(_Step(re.compile(f.prefilter), f, tuple(members)) for f, members in groups.values())


# --- the interface -------------------------------------------------------------------------------------


def cell_text(value: object) -> str:
    """The text a cell's value is scanned as. Whole numbers read as their digits (900101300126.0 is
    "900101300126"); leading zeros a number lost are not restored; fractions hold no identifier."""
    if isinstance(value, str):
        return value
    if value is None or isinstance(value, bool):
        return ""
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if math.isfinite(value) and value.is_integer() else ""
    if isinstance(value, Decimal):
        return str(int(value)) if value.is_finite() and value == value.to_integral_value() else ""
    if isinstance(value, bytes | bytearray):
        return bytes(value).decode("utf-8", "replace")
    return str(value)


def scan_cell(value: object, detectors: Sequence[str]) -> list[Match]:
    """Every match of the named detectors in one cell, in the order of the detectors' finders."""
    text = value if type(value) is str else cell_text(value)
    if not text:
        return []
    size = len(text)
    found: list[Match] = []
    for step in _plan(tuple(detectors)):
        if size < step.finder.min_length or step.gate.search(text) is None:
            continue
        for candidate in step.finder.find(text):
            for d in step.detectors:
                severity = d.judge(candidate)
                if severity is not None:
                    found.append(Match(d.name, severity, candidate))
    return found


def prefilter_pattern(detectors: Sequence[str]) -> str:
    """One regular expression (RE2 and Python syntax) that every cell holding a match of the named detectors
    matches: hand it to the database (DuckDB's regexp_matches on the cell cast to text) to skip the rest."""
    return "|".join(f"(?:{step.finder.prefilter})" for step in _plan(tuple(detectors))) or r"[^\s\S]"


def mask(value: str, detector: str | None = None) -> str:
    """A value fit to show as a sample: e-mail a***@example.kz, phone only its last 2 digits, any other
    number its first 2 and last 2 digits (90********26). Without `detector` the shape decides."""
    if detector == "email" or (detector is None and "@" in value):
        local, _, domain = value.rpartition("@")
        return f"{local[:1]}***@{domain}"
    positions = [i for i, c in enumerate(value) if c.isdigit()]
    if detector == "phone" or (detector is None and value.lstrip()[:1] in ("+", "(")):
        keep = set(positions[-2:])
    elif len(positions) <= 4:
        keep = set()
    else:
        keep = set(positions[:2] + positions[-2:])
    hidden = set(positions) - keep
    return "".join("*" if i in hidden else c for i, c in enumerate(value))


def describe(detector: str, lang: str = "en") -> str:
    """What the detector finds, in plain words: English, Russian or Kazakh (English for other languages)."""
    descriptions = get_detector(detector).descriptions
    return descriptions.get(lang.split("-")[0].lower()) or descriptions["en"]
