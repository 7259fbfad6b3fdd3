"""Personal-data detectors at 1M cells: Derek's scan_cell next to a naive 12-digit regex + check digit loop.

One run, in this process, on the same generated cells: the labelled, seeded mix of
tests/test_personal_data_detectors.py (IINs alone, in text, as int and float, look-alikes with a wrong check digit,
impossible or future dates, bad century digits; BINs of types 4/5/6, phones, amounts, dates, KATO codes, account
and card numbers holding an IIN, IBANs, words, empty cells):
- Derek: `scan_cell(value, KZ)` with the kz profile's detectors (kz_iin, kz_bin, email, phone), and
  `scan_cell(value, ("kz_iin",))` alone, the like-for-like with the peer;
- the naive peer: `re.findall(r"\\b\\d{12}\\b", str(value))` and the two-pass check digit on each hit (no date,
  century, BIN or context checks).
Each is timed over every cell `--repeat` times, interleaved so a busy moment of the machine hits all three, and
the median kept; the IIN precision and recall of Derek and the peer are measured against the labels.
Usage: .venv/bin/python bench/personal_data.py [--cells 1000000] [--repeat 3] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))

from tests.test_personal_data_detectors import Cell, generate_corpus  # noqa: E402

from derek.quality.detectors import scan_cell  # noqa: E402

KZ = ("kz_iin", "kz_bin", "email", "phone")
# ratio Derek / peer in cells per second; Derek does more per cell (dates, BIN types, context, three more
# detectors), so the targets only ask it to stay within reach of the naive loop
TARGETS = {"kz": 0.5, "kz_iin": 0.8}

NAIVE_IIN = re.compile(r"\b\d{12}\b")
W1 = (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11)
W2 = (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2)


def naive_iins(value: object) -> list[str]:
    """The peer: every bounded 12-digit run whose check digit is right."""
    found = []
    for number in NAIVE_IIN.findall(value if isinstance(value, str) else str(value)):
        digits = [int(c) for c in number]
        r = sum(d * w for d, w in zip(digits, W1, strict=False)) % 11
        if r == 10:
            r = sum(d * w for d, w in zip(digits, W2, strict=False)) % 11
        if r != 10 and r == digits[11]:
            found.append(number)
    return found


def derek_iins(value: object) -> list[str]:
    return [m.value for m in scan_cell(value, KZ) if m.detector == "kz_iin"]


def seconds_over(scan: Callable[[object], object], values: list[object]) -> float:
    started = time.perf_counter()
    for value in values:
        scan(value)
    return time.perf_counter() - started


def scores(found_iins: Callable[[object], list[str]], cells: list[Cell]) -> dict[str, float]:
    tp = fp = fn = 0
    for cell in cells:
        found = set(found_iins(cell.value))
        tp += len(found & cell.iins)
        fp += len(found - cell.iins)
        fn += len(cell.iins - found)
    return {"precision": tp / max(tp + fp, 1), "recall": tp / max(tp + fn, 1), "false_positives": fp}


def run(cells_wanted: int, repeat: int) -> dict[str, Any]:
    started = time.perf_counter()
    cells = generate_corpus(cells_wanted)
    values = [cell.value for cell in cells]
    print(f"  generated {len(cells):,} cells in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    scans: dict[str, Callable[[object], object]] = {
        "kz": lambda v: scan_cell(v, KZ),
        "kz_iin": lambda v: scan_cell(v, ("kz_iin",)),
        "naive": naive_iins,
    }
    runs: dict[str, list[float]] = {name: [] for name in scans}
    for round_ in range(repeat):
        for name, scan in scans.items():
            runs[name].append(seconds_over(scan, values))
        print(f"  round {round_ + 1}/{repeat}: " + ", ".join(f"{n} {r[-1]:.2f} s" for n, r in runs.items()),
              file=sys.stderr)  # fmt: skip
    return {
        "cells": len(cells),
        "repeat": repeat,
        "seconds": {name: statistics.median(r) for name, r in runs.items()},
        "cells_per_s": {name: len(cells) / statistics.median(r) for name, r in runs.items()},
        "runs": runs,
        "iin_scores": {
            "derek": scores(derek_iins, cells),
            "naive": scores(naive_iins, cells),
        },
    }


def fmt(value: float) -> str:
    return f"{value:,.0f}" if value >= 1000 else f"{value:.3f}"


def print_result(result: dict[str, Any]) -> None:
    rate = result["cells_per_s"]
    print(
        f"\nPersonal-data scan, {result['cells']:,} generated cells;"
        f" cells/s = cells / median of {result['repeat']} timed passes"
    )
    print(f"{'measure':<46} {'Derek':>11} {'peer':>11} {'ratio':>8} {'target':>8}  met?")
    for name, label in (("kz", "kz_iin+kz_bin+email+phone"), ("kz_iin", "kz_iin alone")):
        ratio = rate[name] / rate["naive"]
        target = TARGETS[name]
        print(
            f"{'cells/s ' + label + ' vs naive regex':<46} {fmt(rate[name]):>11} {fmt(rate['naive']):>11}"
            f" {ratio:>7.2f}x {'>= ' + format(target, 'g') + 'x':>8}  {'yes' if ratio >= target else 'NO'}"
        )
    d, n = result["iin_scores"]["derek"], result["iin_scores"]["naive"]
    for key in ("precision", "recall"):
        print(f"{'IIN ' + key + ' vs naive regex':<46} {fmt(d[key]):>11} {fmt(n[key]):>11}")
    print(
        f"{'IIN false positives vs naive regex':<46} {d['false_positives']:>11,} {n['false_positives']:>11,}"
    )
    print(
        "\nratio: above 1 means Derek is faster; the naive peer reports BINs, impossible and future birth dates,"
        " bad century digits and amounts' digits as IINs (its false positives above)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cells", type=int, default=1_000_000, help="cells to generate and scan")
    parser.add_argument("--repeat", type=int, default=3, help="timed passes over all cells per scanner")
    parser.add_argument("--json", type=Path, help="also write the results to this JSON file")
    args = parser.parse_args()
    result = run(args.cells, args.repeat)
    print_result(result)
    if args.json:
        args.json.write_text(json.dumps(result, indent=2), encoding="utf-8")
        print(f"results written to {args.json}")


if __name__ == "__main__":
    main()
