"""Horizontal bar charts laid out on the server (drawn as SVG by `_charts.html`, with their numbers as a
data table), for any domain's dashboard: the quality pages, the information-request statistics."""

from __future__ import annotations

from dataclasses import dataclass

CHART_WIDTH = 360.0
VALUE_ROOM = 44.0  # right of the longest bar, for its number
CHAR_WIDTH = 8.6  # an average glyph of the 13 px labels (digits and Cyrillic included), rather wide than cut
LABELS_ABOVE = 22  # characters: a longer label goes above its bar rather than beside it


@dataclass
class ChartBar:
    label: str
    short: str  # the label as drawn (a long one is cut; the table has it whole)
    value: float
    x: float
    width: float
    y: float
    label_x: float
    label_y: float
    value_x: float
    value_y: float
    detail: str = ""  # a third column of the data table, e.g. a rating's range of points


@dataclass
class BarChart:
    """Horizontal bars drawn as SVG by _charts.html, with the same numbers as a data table."""

    key: str  # unique on its page: the ids of its heading, title, description and table
    title: str
    category: str  # the table's header over the labels
    measure: str  # the table's header over the values
    bars: list[ChartBar]
    width: float
    height: float
    labels_above: bool
    left: float
    note: str = ""
    detail_header: str = ""


def _shorten(label: str, size: int) -> str:
    return label if len(label) <= size else label[: size - 1].rstrip() + "…"


def bar_chart(
    key: str,
    title: str,
    category: str,
    measure: str,
    items: list[tuple[str, float]],
    *,
    scale: float | None = None,
    note: str = "",
    details: tuple[str, list[str]] | None = None,
    width: float = CHART_WIDTH,
) -> BarChart:
    """Lay out one bar per item (label, value); bars are scaled to `scale`, else to the largest value.
    Short labels stand left of their bars, long ones (organizations' names) above them."""
    longest = max((len(label) for label, _value in items), default=0)
    above = longest > LABELS_ABOVE
    left = 0.0 if above else min(max(longest * CHAR_WIDTH, 24.0), 170.0) + 8
    span = width - VALUE_ROOM - left
    most = scale or max((v for _label, v in items), default=0.0) or 1.0
    row = 40.0 if above else 28.0
    bars = []
    for i, (label, value) in enumerate(items):
        top = 4 + i * row
        length = max(value, 0.0) / most * span
        length = max(length, 2.0) if value > 0 else 0.0
        bar_y = top + 20 if above else top + 6
        bars.append(
            ChartBar(
                label=label,
                short=_shorten(label, int(width / CHAR_WIDTH) if above else LABELS_ABOVE),
                value=value,
                x=left,
                width=round(length, 1),
                y=bar_y,
                label_x=0.0 if above else left - 8,
                label_y=top + 14 if above else top + 18.5,
                value_x=round(left + length + 6, 1),
                value_y=bar_y + (11.5 if above else 12.5),
                detail=details[1][i] if details else "",
            )
        )
    return BarChart(
        key=key,
        title=title,
        category=category,
        measure=measure,
        bars=bars,
        width=width,
        height=8 + len(items) * row,
        labels_above=above,
        left=left,
        note=note,
        detail_header=details[0] if details else "",
    )
