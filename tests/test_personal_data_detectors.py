"""The personal-data detectors over a labelled generated corpus (synthetic numbers only, never real IINs)."""

from __future__ import annotations

import random
import re
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import pytest

from derek.quality.detectors import (
    DETECTORS,
    POSSIBLE,
    describe,
    is_kz_iin,
    kz_bin_type,
    kz_check_digit,
    mask,
    prefilter_pattern,
    scan_cell,
)

KZ = ("kz_iin", "kz_bin", "email", "phone")
SEED = 20240115
CORPUS_CELLS = 24_000
TODAY = date.today()

# --- the reference algorithm, written out again so the corpus does not lean on the code it tests -------


def first_pass(eleven: str) -> int:
    return sum(int(eleven[i]) * (i + 1) for i in range(11)) % 11


def check_digit(eleven: str) -> int | None:
    r = first_pass(eleven)
    if r == 10:
        r = sum(int(eleven[i]) * w for i, w in enumerate([3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2])) % 11
    return None if r == 10 else r


def reference_iin(text: str) -> bool:
    """The rules of references section 2, for labelling random numbers."""
    if not re.fullmatch(r"[0-9]{12}", text) or text[6] not in "123456":
        return False
    year = {"1": 1800, "2": 1800, "3": 1900, "4": 1900, "5": 2000, "6": 2000}[text[6]] + int(text[:2])
    try:
        born = date(year, int(text[2:4]), int(text[4:6]))
    except ValueError:
        return False
    return born <= TODAY and check_digit(text[:11]) == int(text[11])


# --- generators ----------------------------------------------------------------------------------------


def with_check(rng: random.Random, head: Callable[[], str]) -> str:
    """head() gives the first 11 digits; draw until they have a check digit."""
    while True:
        eleven = head()
        digit = check_digit(eleven)
        if digit is not None:
            return eleven + str(digit)


def endings(head9: str) -> dict[str, list[str]]:
    """The two last serial digits that make head9 checked on the first pass, on the second, or on neither.
    The 11th digit's first weight (11) vanishes mod 11, so the first pass depends on the 10th digit only;
    drawing these by chance would take about 11 and 121 tries."""
    a = sum(int(c) * w for c, w in zip(head9, range(1, 10), strict=True))
    b = sum(int(c) * w for c, w in zip(head9, (3, 4, 5, 6, 7, 8, 9, 10, 11), strict=True))
    found: dict[str, list[str]] = {"first": [], "second": [], "none": []}
    for d10 in range(10):
        for d11 in range(10):
            if (a + 10 * d10) % 11 != 10:
                found["first"].append(f"{d10}{d11}")
            else:
                found["second" if (b + d10 + 2 * d11) % 11 != 10 else "none"].append(f"{d10}{d11}")
    return found


def serial(rng: random.Random, n: int) -> str:
    return f"{rng.randrange(10**n):0{n}d}"


def yymmdd(day: date) -> str:
    return f"{day.year % 100:02d}{day.month:02d}{day.day:02d}"


def birth(rng: random.Random, century_digit: str) -> date:
    base = {"1": 1800, "2": 1800, "3": 1900, "4": 1900, "5": 2000, "6": 2000}[century_digit]
    first, last = date(base, 1, 1), min(date(base + 99, 12, 31), TODAY)
    return first + timedelta(days=rng.randrange((last - first).days + 1))


def iin(rng: random.Random, century: str | None = None) -> str:
    c = century or rng.choice("123456")
    return with_check(rng, lambda: yymmdd(birth(rng, c)) + c + serial(rng, 4))


def eleven_on(rng: random.Random, case: str, century: str | None = None) -> str:
    """The first 11 digits of an IIN (real birth date) checked on the `case` pass ("second" or "none")."""
    c = century or rng.choice("123456")
    while True:
        head9 = yymmdd(birth(rng, c)) + c + serial(rng, 2)
        tails = endings(head9)[case]
        if tails:
            return head9 + rng.choice(tails)


def iin_born(rng: random.Random, date_part: str, century: str) -> str:
    """An IIN with this date part and a valid check digit, whether or not the date exists."""
    return with_check(rng, lambda: date_part + century + serial(rng, 4))


def bin_(rng: random.Random, kind: str) -> str:
    return with_check(
        rng,
        lambda: f"{rng.randrange(100):02d}{rng.randint(1, 12):02d}{kind}{rng.randint(0, 4)}" + serial(rng, 5),
    )


def phone(rng: random.Random) -> str:
    code = rng.choice(["701", "702", "705", "707", "747", "771", "775", "777", "778"])
    n = serial(rng, 7)
    city = rng.choice(["7172", "7212", "7182", "7232"])
    return rng.choice(
        [
            f"+7 {code} {n[:3]} {n[3:5]} {n[5:]}",
            f"8 {code} {n[:3]} {n[3:5]} {n[5:]}",
            f"8({code}){n[:3]}-{n[3:5]}-{n[5:]}",
            f"+7{code}{n}",
            f"8{code}{n}",
            f"7{code}{n}",
            f"+7 ({city}) {n[:2]} {n[2:4]} {n[4:6]}",
            f"8 (727) {n[:3]}-{n[3:5]}-{n[5:]}",
            f"+44 20 7946 {n[:4]}",
        ]
    )


NAMES = ["Фамилия Имя", "Тегі Аты", "Surname Name", "Получатель А", "Алушы Б"]  # placeholders, no one real
STREETS = ["ул. Абая", "пр. Республики", "Қабанбай батыр көшесі", "мкр. Самал-2"]
WORDS = ["Отчёт", "Бюджет", "Школа №12", "ТОО «Береке»", "Жол", "Алматы", "Астана", "итого", "—", "н/д"]


@dataclass(frozen=True)
class Cell:
    kind: str
    value: object
    iins: frozenset[str]  # the IINs kz_iin must report


def positive(kind: str, value: object, *iins: str) -> Cell:
    return Cell(kind, value, frozenset(iins))


def negative(kind: str, value: object) -> Cell:
    return Cell(kind, value, frozenset())


def text_with(rng: random.Random, number: str) -> str:
    email = f"{rng.choice(['person', 'a.surname', 'n_name'])}{rng.randrange(100)}@mail.kz"
    return rng.choice(
        [
            f"ИИН {number}, тел {phone(rng)}",
            f"{rng.choice(NAMES)} (ИИН: {number})",
            f"ЖСН {number}; {rng.choice(STREETS)} {rng.randint(1, 200)}, кв. {rng.randint(1, 99)}",
            f"iin={number}&email={email}",
            f"IIN{number}",
            f"№{number}.",
            f"{number}\t{rng.choice(NAMES)}",
            f"«{number}»",
            f"получатель {number} - {rng.choice(NAMES)}, {rng.randint(1, 9)} 000,00 тг",
        ]
    )


def make_cell(rng: random.Random, kind: str) -> Cell:  # noqa: C901 - one branch per kind reads best
    if kind == "iin":
        value = iin(rng)
        return positive(kind, value, value)
    if kind == "iin_second_pass":
        eleven = eleven_on(rng, "second")
        value = eleven + str(check_digit(eleven))
        return positive(kind, value, value)
    if kind == "iin_leap_day":
        date_part, century = rng.choice([("000229", rng.choice("56")), ("960229", rng.choice("34"))])
        value = iin_born(rng, date_part, century)
        return positive(kind, value, value)
    if kind == "iin_in_text":
        value = iin(rng)
        return positive(kind, text_with(rng, value), value)
    if kind == "iins_in_text":
        a, b = iin(rng), iin(rng)
        return positive(kind, rng.choice([f"{a}; {b}", f"{a},{b}", f"{a}\n{b}"]), a, b)
    if kind == "iin_int":
        value = iin(rng, century=rng.choice("3456"))
        while value[0] == "0":  # a number drops a leading zero, and it is not restored
            value = iin(rng, century=rng.choice("3456"))
        return positive(kind, int(value) if rng.random() < 0.5 else float(value), value)
    if kind == "iin_lost_zero":
        value = "0" + iin(rng, century="5")[1:]
        return negative(kind, int(value)) if not reference_iin(value) else make_cell(rng, kind)
    if kind == "iin_wrong_check":
        value = iin(rng)
        wrong = rng.choice([d for d in "0123456789" if d != value[11]])
        return negative(kind, value[:11] + wrong)
    if kind == "iin_no_check":
        return negative(kind, eleven_on(rng, "none") + str(rng.randrange(10)))
    if kind == "iin_bad_date":
        date_part, century = rng.choice(
            [("990231", "3"), ("000229", "3"), ("000229", "1"), ("970229", "4"), ("230229", "5"),
             ("011301", "5"), ("010100", "3"), ("010132", "4"), ("990431", "3"), ("850000", "3")]
        )  # fmt: skip
        return negative(kind, iin_born(rng, date_part, century))
    if kind == "iin_bad_century":
        day = yymmdd(birth(rng, "3"))
        return negative(kind, iin_born(rng, day, rng.choice("0789")))
    if kind == "iin_future":
        born = TODAY + timedelta(days=rng.randint(1, 365 * 40))
        if born.year > 2099:
            born = TODAY + timedelta(days=1)
        return negative(kind, iin_born(rng, yymmdd(born), rng.choice("56")))
    if kind in ("bin4", "bin5", "bin6"):
        return negative(kind, bin_(rng, kind[-1]))
    if kind == "phone":
        return negative(kind, phone(rng))
    if kind == "phone12":
        return negative(kind, "8" + "7" + rng.choice(["701", "705", "777"]) + serial(rng, 7))
    if kind == "amount":
        return negative(
            kind,
            rng.choice(
                [
                    f"{rng.randint(1000, 999_999_999):,}".replace(",", " ") + f",{rng.randrange(100):02d}",
                    f"{rng.randint(0, 10**12) / 100:.2f}",
                    f"{rng.randrange(10**11, 10**12)}.{rng.randint(1, 99):02d}",
                    rng.randint(0, 10**9),
                    rng.random() * 10**6,
                ]
            ),
        )
    if kind == "date":
        day = date(2000, 1, 1) + timedelta(days=rng.randrange(9000))
        return negative(
            kind, rng.choice([day.isoformat(), day.strftime("%d.%m.%Y"), f"{day}T10:00:00+05:00"])
        )
    if kind == "kato":
        return negative(kind, f"{rng.choice([75, 71, 19, 11, 59])}{serial(rng, 7)}")
    if kind == "postcode_year":
        return negative(kind, rng.choice([f"0{rng.randint(10, 99)}000", str(rng.randint(1990, 2030))]))
    if kind == "coordinates":
        return negative(kind, f"{rng.uniform(40, 55):.6f}, {rng.uniform(46, 87):.6f}")
    if kind == "long_run":
        value = iin(rng)
        before = serial(rng, rng.randint(0, 4))
        after = serial(rng, rng.randint(1 if not before else 0, 4 - len(before)))
        return negative(kind, before + value + after)
    if kind == "card":
        value = iin(rng)
        number = rng.choice("45") + value + serial(rng, 3)
        return negative(kind, rng.choice([number, " ".join(number[i : i + 4] for i in range(0, 16, 4))]))
    if kind == "iban":
        return negative(
            kind,
            rng.choice(
                [
                    f"KZ{rng.randint(10, 99)}{rng.randint(100, 999)}KZT{serial(rng, 10)}",
                    f"KZ{serial(rng, 18)}",
                    f"KZ{iin(rng)}KZT{serial(rng, 3)}",
                    "KZ86125KZT5004100100",
                ]
            ),
        )
    if kind == "random12":
        value = serial(rng, 12)
        return negative(kind, value) if not reference_iin(value) else positive(kind, value, value)
    if kind == "email":
        return negative(
            kind, rng.choice(["info@gov.kz", "kense@akimat.kz", f"user{rng.randrange(999)}@mail.kz"])
        )
    if kind == "words":
        return negative(kind, f"{rng.choice(WORDS)} {rng.choice(NAMES)} {rng.randint(1, 2000)}")
    return negative(kind, rng.choice([None, "", " ", True, 0, float("nan")]))


KINDS: dict[str, int] = {  # weights: the look-alikes are over-represented on purpose
    "iin": 6,
    "iin_second_pass": 2,
    "iin_leap_day": 1,
    "iin_in_text": 4,
    "iins_in_text": 1,
    "iin_int": 2,
    "iin_lost_zero": 1,
    "iin_wrong_check": 4,
    "iin_no_check": 2,
    "iin_bad_date": 3,
    "iin_bad_century": 2,
    "iin_future": 2,
    "bin4": 2,
    "bin5": 1,
    "bin6": 2,
    "phone": 3,
    "phone12": 1,
    "amount": 3,
    "date": 2,
    "kato": 2,
    "postcode_year": 1,
    "coordinates": 1,
    "long_run": 3,
    "card": 2,
    "iban": 2,
    "random12": 3,
    "email": 1,
    "words": 3,
    "empty": 1,
}


def generate_corpus(cells: int = CORPUS_CELLS, seed: int = SEED) -> list[Cell]:
    """The labelled corpus: every kind in turn by its weight, from one seed (the same cells every run)."""
    rng = random.Random(seed)
    order = [kind for kind, weight in KINDS.items() for _ in range(weight)]
    return [make_cell(rng, order[i % len(order)]) for i in range(cells)]


def iin_scores(corpus: list[Cell], detectors: tuple[str, ...] = KZ) -> tuple[float, float, Counter[str]]:
    """Precision and recall of kz_iin over (cell, value) pairs, and the kinds of the cells it got wrong."""
    tp = fp = fn = 0
    wrong: Counter[str] = Counter()
    for cell in corpus:
        found = {m.value for m in scan_cell(cell.value, detectors) if m.detector == "kz_iin"}
        tp += len(found & cell.iins)
        fp += len(found - cell.iins)
        fn += len(cell.iins - found)
        if found != cell.iins:
            wrong[cell.kind] += 1
    return tp / max(tp + fp, 1), tp / max(tp + fn, 1), wrong


@pytest.fixture(scope="module")
def corpus() -> list[Cell]:
    return generate_corpus()


# --- the corpus ----------------------------------------------------------------------------------------


def test_corpus_covers_what_it_claims(corpus: list[Cell]) -> None:
    kinds = Counter(cell.kind for cell in corpus)
    assert len(corpus) >= 20_000 and set(kinds) == set(KINDS)
    assert {c.value[6] for c in corpus if c.kind == "iin" and isinstance(c.value, str)} == set("123456")
    second = [c.value for c in corpus if c.kind == "iin_second_pass"]
    assert second and all(first_pass(str(v)[:11]) == 10 for v in second)
    assert any(isinstance(c.value, float) for c in corpus if c.kind == "iin_int")
    assert any(isinstance(c.value, int) for c in corpus if c.kind == "iin_int")
    # every look-alike really is one, by the reference rules
    for cell in corpus:
        if cell.kind.startswith(("iin_wrong", "iin_no", "iin_bad", "iin_future", "bin")):
            assert not reference_iin(str(cell.value)), cell


def test_iin_precision_and_recall_over_the_corpus(corpus: list[Cell]) -> None:
    started = time.perf_counter()
    precision, recall, wrong = iin_scores(corpus)
    seconds = time.perf_counter() - started
    print(
        f"\nIIN precision {precision:.3f} recall {recall:.3f} on {len(corpus):,} cells"
        f" ({len(corpus) / seconds:,.0f} cells/s with {', '.join(KZ)});"
        f" wrong by kind: {dict(wrong) or 'none'}"
    )
    assert precision >= 0.99
    assert recall >= 0.95


def test_the_prefilter_keeps_every_cell_with_a_match(corpus: list[Cell]) -> None:
    everything = tuple(DETECTORS)
    prefilter = re.compile(prefilter_pattern(everything))
    for cell in corpus:
        if scan_cell(cell.value, everything):
            text = cell.value if isinstance(cell.value, str) else str(cell.value)
            assert prefilter.search(text), cell


# --- Kazakhstan: IIN and BIN ---------------------------------------------------------------------------


def kinds_found(value: object, detectors: tuple[str, ...] = KZ) -> list[tuple[str, str, str]]:
    return [(m.detector, m.severity, m.value) for m in scan_cell(value, detectors)]


def test_worked_examples_of_the_references() -> None:
    assert is_kz_iin("900101300126")
    assert is_kz_iin("950315300007") and first_pass("95031530000") == 10
    assert kz_bin_type("150340000129") == "4" and not is_kz_iin("150340000129")
    assert kz_check_digit("95031540150") is None
    assert all(scan_cell(f"95031540150{d}", KZ) == [] for d in range(10))
    assert scan_cell("150340000129", KZ) == []  # an organisation's BIN is not reported at all


@pytest.mark.parametrize(
    "value",
    [
        "900101300126",
        900101300126,
        900101300126.0,
        "900101300126.0",
        " 900101300126 ",
        "ИИН 900101300126, тел 8 701 234 56 78",
        "IIN900101300126",
    ],
)
def test_an_iin_is_found_alone_in_text_and_as_a_number(value: object) -> None:
    assert ("kz_iin", "personal", "900101300126") in kinds_found(value)


@pytest.mark.parametrize(
    "value",
    [
        "9001013001261",  # 13 digits
        "1900101300126",
        "4400900101300126",  # a 16-digit card number
        "KZ900101300126KZT123",  # an IBAN's digits
        "900101300126.57",  # an amount
        "0.900101300126",
        "900101300127",  # wrong check digit
        "990231300121",
        "000229300125",  # 1900 was no leap year
        "000229700123",  # century digit 7
        10101500123,  # 010101500123 as a number: the lost zero is not restored
    ],
)
def test_an_iin_look_alike_is_not_reported(value: object) -> None:
    assert [k for k in kinds_found(value) if k[0] == "kz_iin"] == []


def test_leap_days_and_centuries() -> None:
    rng = random.Random(1)
    assert is_kz_iin(iin_born(rng, "000229", "5")) and is_kz_iin(iin_born(rng, "960229", "3"))
    assert not is_kz_iin(iin_born(rng, "000229", "4")) and not is_kz_iin(iin_born(rng, "970229", "3"))
    for century in "123456":
        assert is_kz_iin(iin(rng, century))
    for century in "0789":
        assert not is_kz_iin(iin_born(rng, "900101", century))


def test_a_birth_date_in_the_future_is_not_an_iin() -> None:
    rng = random.Random(2)
    tomorrow = TODAY + timedelta(days=1)
    future = iin_born(rng, yymmdd(tomorrow), "5" if tomorrow.year >= 2000 else "3")
    assert not is_kz_iin(future)
    assert is_kz_iin(future, today=tomorrow)


def test_bins_by_type() -> None:
    rng = random.Random(3)
    for kind in "45":
        assert scan_cell(bin_(rng, kind), KZ) == []
    farm = bin_(rng, "6")
    assert kinds_found(farm) == [("kz_bin", POSSIBLE, farm)]
    assert kinds_found(f"ИП (фамилия), БИН {farm}") == [("kz_bin", POSSIBLE, farm)]
    assert kz_bin_type("151340000125") is None  # month 13


# --- other jurisdictions -------------------------------------------------------------------------------


def test_estonian_isikukood() -> None:
    assert kinds_found("37605030299", ("ee_isikukood",)) == [("ee_isikukood", "personal", "37605030299")]
    assert kinds_found("isikukood: 49403136515.", ("ee_isikukood",))  # mod 11 with the first weights
    assert kinds_found("37605030290", ("ee_isikukood",)) == []  # check digit
    assert kinds_found("77605030292", ("ee_isikukood",)) == []  # century digit 7
    assert kinds_found("37602300292", ("ee_isikukood",)) == []  # 30 February
    assert kinds_found("376050302991", ("ee_isikukood",)) == []  # 12 digits
    # the first weights give 10: the second set decides (7); when that gives 10 too, the check digit is 0
    assert kinds_found("50001010167", ("ee_isikukood",)) == [("ee_isikukood", "personal", "50001010167")]
    assert kinds_found("50001010040", ("ee_isikukood",)) == [("ee_isikukood", "personal", "50001010040")]
    assert kinds_found("50001010161", ("ee_isikukood",)) == []


@pytest.mark.parametrize("value", ["130692544", "130 692 544", "130-692-544", "SIN: 130 692 544."])
def test_canadian_sin_is_found(value: str) -> None:
    assert [m.detector for m in scan_cell(value, ("ca_sin",))] == ["ca_sin"]


@pytest.mark.parametrize("value", ["130692545", "046454286", "830692547", "1 130 692 544", "130 692 544,50"])
def test_canadian_sin_look_alikes(value: str) -> None:
    assert scan_cell(value, ("ca_sin",)) == []


# --- e-mail and phone ----------------------------------------------------------------------------------


def test_email_personal_or_role() -> None:
    assert kinds_found("Получатель <name.surname@mail.kz>") == [("email", "personal", "name.surname@mail.kz")]
    assert (
        kinds_found("a.person@gmail.com")[0][1] == "personal"
        and kinds_found("x@yandex.kz")[0][1] == "personal"
    )
    # an organisation's own domain: a work contact, a warning for the publisher to judge
    assert kinds_found("geodienste@rostock.de") == [("email", POSSIBLE, "geodienste@rostock.de")]
    assert kinds_found("a.person@minfin.gov.kz")[0][1] == POSSIBLE
    for role in ["info", "office", "kense", "press", "support", "contact", "admin", "priemnaya", "secretary"]:
        assert kinds_found(f"{role}@gov.kz") == [("email", POSSIBLE, f"{role}@gov.kz")]
    assert kinds_found("Info.Almaty@gov.kz")[0][1] == POSSIBLE
    assert kinds_found("icon@2x.png") == [] and kinds_found("user@localhost") == []
    assert [m.value for m in scan_cell("a@b.kz, c.d@e.gov.kz", KZ)] == ["a@b.kz", "c.d@e.gov.kz"]


@pytest.mark.parametrize(
    "value",
    [
        "+7 701 234 56 78",
        "8 701 234 56 78",
        "87012345678",
        "77012345678",
        "+77012345678",
        "+7 (7172) 24 83 48",
        "8 (727) 123-45-67",
        "тел.: 8(7172)248348",
        "тел87012345678",
        "+1 613 555 0123",
        "+372 5123 4567",
    ],
)
def test_phone_numbers(value: str) -> None:
    assert [(m.detector, m.severity) for m in scan_cell(value, KZ)] == [("phone", POSSIBLE)]


@pytest.mark.parametrize(
    "value",
    [
        "900101300126",
        "150340000129",
        "877012345678",  # 12 digits
        "2024-01-15",
        "15.01.2024",
        "2024-01-15T10:00:00+05:00",
        "1 234 567,89",
        "87 012 345 678",
        "+1 234 567 890,50",
        "2024",
        "050000",
        "751110000",
        "43.238949, 76.889709",
        "+71.4491",
        "8 495 123 45 67",  # a Moscow number without +7 is not a Kazakh one
        "7 7 0 1 2 3 4 5 6 7 8",
    ],
)
def test_phone_look_alikes(value: str) -> None:
    assert [m for m in scan_cell(value, KZ) if m.detector == "phone"] == []


# --- the interface -------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", [None, "", True, False, 0, 1.5, float("nan"), float("inf"), b"", [], {}])
def test_cells_of_any_type(value: object) -> None:
    assert scan_cell(value, tuple(DETECTORS)) == []


def test_bytes_and_other_types() -> None:
    assert kinds_found(b"900101300126")[0][0] == "kz_iin"
    assert kinds_found(Decimal("900101300126")) == [("kz_iin", "personal", "900101300126")]
    assert kinds_found(Decimal("900101300126.5")) == [] and kinds_found(date(1990, 1, 1)) == []


def test_unknown_detector_is_refused() -> None:
    with pytest.raises(ValueError, match="kz_inn"):
        scan_cell("900101300126", ["kz_inn"])


def test_mask() -> None:
    assert mask("900101300126") == "90********26"
    assert mask("name.surname@example.kz") == "n***@example.kz"
    assert mask("a@example.kz") == "a***@example.kz"
    assert mask("+7 (7172) 24 83 48") == "+* (****) ** ** 48"
    assert mask("87012345678", "phone") == "*********78"
    assert mask("130 692 544", "ca_sin") == "13* *** *44"
    assert mask("1234") == "****"
    for m in scan_cell("ИИН 900101300126, e-mail ivan@mail.kz, тел +7 701 234 56 78", KZ):
        masked = mask(m.value, m.detector)
        assert masked != m.value and len(masked) <= len(m.value) + 3


def test_describe_in_three_languages() -> None:
    assert describe("kz_iin") == "Kazakh IIN (individual identification number)"
    assert describe("kz_iin", "ru").startswith("ИИН")
    assert describe("kz_iin", "kk").startswith("ЖСН")
    for name in DETECTORS:
        texts = {describe(name, lang) for lang in ("en", "ru", "kk")}
        assert len(texts) == 3 and all(texts)
        assert describe(name, "fr") == describe(name, "en")


def test_a_megabyte_of_text_and_hostile_inputs_are_scanned() -> None:
    """Correct on a megabyte of text and on what makes careless patterns backtrack (their speed is measured by
    bench/personal_data.py, not asserted here)."""
    paragraph = (
        "Получатель А., ИИН 900101300126, тел. +7 701 234 56 78, ivan@mail.kz; 1 234 567,89 тг; 2024. "
    )
    big = paragraph * (1_000_000 // len(paragraph))
    assert len(scan_cell(big, KZ)) == 3 * (1_000_000 // len(paragraph))  # the IIN, the phone, the e-mail
    # "@" without addresses, digit runs, an endless domain
    for text in ["@" * 400_000, "7" * 400_000, "x@" + "a." * 200_000]:
        assert scan_cell(text, KZ) == [], text[:20]
