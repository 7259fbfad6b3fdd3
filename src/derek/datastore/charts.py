"""Saved charts of a resource's table (bar, line, a tile map of Kazakhstan's regions): the services that keep
them and the geometry their server-rendered SVG is drawn from.

A chart is a DataStore query (group by one column, one aggregate) and a kind; nothing is precomputed, so a
chart always shows the table that answers now. The drawing is plain numbers (positions, sizes, colours)
that a template turns into SVG, with the same rows kept for the data table shown next to it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from derek.catalog import service as catalog
from derek.core import audit
from derek.core.authz import Actor, authorize
from derek.core.errors import Invalid, NotFound
from derek.datastore import regions, service
from derek.datastore.engine import DuckStore
from derek.datastore.models import DatastoreView
from derek.datastore.query import NUMERIC, Spec

KINDS = ("bar", "line", "map")
AGGREGATES = ("count", "sum", "avg", "min", "max")
MAX_BARS = 30
MAX_POINTS = 200
MAX_REGION_GROUPS = 500
TITLE_MAX = 200
REGION_SHARE = 0.6  # of a column's distinct values that must name a region for a map to make sense
REGION_SAMPLE = 60

# ColorBrewer "Blues", light to dark; the text on each is the darker or white, whichever contrasts more
PALETTE = ("#eff3ff", "#bdd7e7", "#6baed6", "#2f7ebc", "#08519c")
NO_DATA = "#f3f6f9"
INK = "#1b2430"


# ---------------------------------------------------------------- the saved views


def list_views(session: Session, actor: Actor, resource_id: str) -> list[DatastoreView]:
    """The charts saved on a resource, in the order they were added (anyone who may see the resource)."""
    catalog.get_resource(session, actor, resource_id)
    return list(
        session.scalars(
            select(DatastoreView)
            .where(DatastoreView.resource_id == resource_id)
            .order_by(DatastoreView.position, DatastoreView.created_at)
        )
    )


def _config_problems(
    fields: dict[str, str], kind: str, x: str, y: str, aggregate: str
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if kind not in KINDS:
        errors["kind"] = ["Choose a bar chart, a line chart or a map."]
    if x not in fields:
        errors["x"] = ["Choose a column for the categories."]
    if aggregate not in AGGREGATES:
        errors["aggregate"] = ["Choose what to show: a count, or a sum, average, minimum or maximum."]
    elif aggregate != "count":
        if y not in fields:
            errors["y"] = ["Choose the column to add up, average or compare."]
        elif aggregate in ("sum", "avg") and fields[y] not in NUMERIC:
            errors["y"] = ["A sum or an average needs a column of numbers."]
    return errors


def create_view(
    session: Session,
    actor: Actor,
    duck: DuckStore,
    resource_id: str,
    *,
    title: str,
    kind: str,
    x: str,
    y: str = "",
    aggregate: str = "count",
    filters: dict[str, Any] | None = None,
    q: str = "",
) -> DatastoreView:
    """Save a chart on a resource's table; the publisher of the dataset only."""
    dataset, _resource = catalog.get_resource(session, actor, resource_id)
    authorize(actor, "dataset.update", dataset)
    table = service.describe(session, actor, resource_id)
    fields = {f["id"]: f["type"] for f in table.fields}
    title = title.strip()
    y = "" if aggregate == "count" else y
    errors = _config_problems(fields, kind, x, y, aggregate)
    if not title:
        errors["title"] = ["Give the chart a title."]
    elif len(title) > TITLE_MAX:
        errors["title"] = ["This text is too long."]
    if kind == "map" and "x" not in errors and not looks_like_regions(session, actor, duck, resource_id, x):
        errors["x"] = ["A map needs a column that names Kazakhstan's regions, such as Алматы or Абай облысы."]
    filters = dict(filters or {})
    if not errors:
        try:  # the query must run: a filter on a column that is gone, say
            service.query(session, actor, duck, resource_id, _spec(x, y, aggregate, filters, q), limit=1)
        except Invalid as exc:
            errors["form"] = [exc.message]
    if errors:
        raise Invalid(f"The chart was not saved: {next(iter(errors.values()))[0]}", errors=errors)
    position = (
        session.scalar(
            select(func.max(DatastoreView.position)).where(DatastoreView.resource_id == resource_id)
        )
        or 0
    ) + 1
    config = {"x": x, "y": y, "aggregate": aggregate, "filters": filters, "q": q.strip()}
    view = DatastoreView(
        resource_id=resource_id,
        title=title,
        kind=kind,
        config=config,
        position=position,
        created_by=actor.user_id,
    )
    session.add(view)
    session.flush()
    audit.record(
        session,
        actor,
        "datastore.view.create",
        "datastore_view",
        view.id,
        None,
        {"resource_id": resource_id, "title": title, "kind": kind, "config": config},
    )
    return view


def delete_view(session: Session, actor: Actor, resource_id: str, view_id: str) -> None:
    """Remove a saved chart; the publisher of the dataset only."""
    dataset, _resource = catalog.get_resource(session, actor, resource_id)
    view = session.get(DatastoreView, view_id)
    if view is None or view.resource_id != resource_id:
        raise NotFound(f"There is no chart {view_id!r} on this resource.")
    authorize(actor, "dataset.update", dataset)
    before = {"resource_id": resource_id, "title": view.title, "kind": view.kind, "config": dict(view.config)}
    session.delete(view)
    audit.record(session, actor, "datastore.view.delete", "datastore_view", view_id, before, None)


def _spec(x: str, y: str, aggregate: str, filters: dict[str, Any], q: str, sort: str = "") -> Spec:
    return Spec(
        filters=filters,
        q=q,
        group_by=[x],
        aggregates=["count" if aggregate == "count" else f"{aggregate}:{y}"],
        sort=sort,
    )


def value_column(config: dict[str, Any]) -> str:
    aggregate = config.get("aggregate") or "count"
    return "count" if aggregate == "count" else f"{aggregate}_{config.get('y', '')}"


def looks_like_regions(
    session: Session, actor: Actor, duck: DuckStore, resource_id: str, column: str
) -> bool:
    """Whether most of a column's values name one of Kazakhstan's regions."""
    result = service.query(
        session,
        actor,
        duck,
        resource_id,
        Spec(fields=[column], distinct=True),
        limit=REGION_SAMPLE,
        include_total=False,
    )
    values = [r[column] for r in result.records if r.get(column) not in (None, "")]
    if not values:
        return False
    found = sum(1 for v in values if regions.find_region(v) is not None)
    return found >= 2 and found >= REGION_SHARE * len(values)


def region_columns(
    session: Session, actor: Actor, duck: DuckStore, resource_id: str, fields: list[dict[str, Any]]
) -> list[str]:
    """The text columns a map can be drawn from (at most the first 20 text columns are looked at)."""
    texts = [f["id"] for f in fields if f["type"] == "text"][:20]
    return [name for name in texts if looks_like_regions(session, actor, duck, resource_id, name)]


# ---------------------------------------------------------------- drawing


@dataclass
class Group:
    label: str  # the category as text ("" for empty cells)
    value: float | None


@dataclass
class Bar:
    label: str
    short: str
    value: float | None
    x: float
    width: float
    y: float
    label_y: float
    value_x: float


@dataclass
class Tick:
    position: float
    value: float


@dataclass
class Point:
    label: str
    value: float
    cx: float
    cy: float


@dataclass
class Tile:
    code: str
    name: dict[str, str]
    short: dict[str, str]
    x: float
    y: float
    fill: str
    ink: str
    value: float | None
    font_size: float
    labels: list[str] = field(default_factory=list)  # the table's spellings that fell on this region


@dataclass
class LegendItem:
    fill: str
    low: float
    high: float
    y: float


@dataclass
class Chart:
    """Everything the template needs to draw one saved view and its data table."""

    view_id: str
    title: str
    kind: str
    config: dict[str, Any]
    groups: list[Group]
    total_groups: int
    width: float
    height: float
    bars: list[Bar] = field(default_factory=list)
    ticks: list[Tick] = field(default_factory=list)
    points: list[Point] = field(default_factory=list)
    path: str = ""
    x_labels: list[Point] = field(default_factory=list)
    tiles: list[Tile] = field(default_factory=list)
    legend: list[LegendItem] = field(default_factory=list)
    unmatched: list[Group] = field(default_factory=list)
    zero: float = 0.0
    plot_left: float = 0.0
    plot_right: float = 0.0
    plot_top: float = 0.0
    plot_bottom: float = 0.0
    error: str = ""

    @property
    def largest(self) -> Group | None:
        present = [g for g in self.groups if g.value is not None]
        return max(present, key=lambda g: g.value or 0) if present else None


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return float(value) if math.isfinite(value) else None
    try:
        return float(str(value))
    except ValueError:
        return None


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round tick values covering [low, high] (0 included), about `count` of them."""
    low, high = min(low, 0.0), max(high, 0.0)
    if high == low:
        high = low + 1
    raw = (high - low) / max(count - 1, 1)
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    start = math.floor(low / step) * step
    ticks, value = [], start
    while value < high + step * 0.5:
        ticks.append(round(value, 10))
        value += step
    return ticks


def chart_for(session: Session, actor: Actor, duck: DuckStore, view: DatastoreView) -> Chart:
    """Run a saved view's query and lay it out; a view whose columns are gone says so instead."""
    config = dict(view.config or {})
    x, y, aggregate = config.get("x", ""), config.get("y", ""), config.get("aggregate") or "count"
    value_name = value_column(config)
    table = service.describe(session, actor, view.resource_id)
    kinds = {f["id"]: f["type"] for f in table.fields}
    limit = {"bar": MAX_BARS, "line": MAX_POINTS, "map": MAX_REGION_GROUPS}.get(view.kind, MAX_BARS)
    ordered_by_value = view.kind == "bar" and kinds.get(x) not in (NUMERIC | {"date", "datetime", "time"})
    sort = f"{value_name} desc" if ordered_by_value else ""
    empty = Chart(view.id, view.title, view.kind, config, [], 0, 480, 60)
    try:
        result = service.query(
            session,
            actor,
            duck,
            view.resource_id,
            _spec(x, y, aggregate, dict(config.get("filters") or {}), str(config.get("q") or ""), sort),
            limit=limit,
        )
    except Invalid as exc:
        empty.error = exc.message
        return empty
    groups = [
        Group("" if r.get(x) is None else str(r.get(x)), _number(r.get(value_name))) for r in result.records
    ]
    total = result.total if result.total is not None else len(groups)
    if view.kind == "line":
        return _line(view, config, groups, total)
    if view.kind == "map":
        return _map(view, config, groups, total)
    return _bars(view, config, groups, total)


def _shorten(text: str, size: int) -> str:
    return text if len(text) <= size else text[: size - 1].rstrip() + "…"


def _bars(view: DatastoreView, config: dict[str, Any], groups: list[Group], total: int) -> Chart:
    """Horizontal bars, one row per category with its label above the bar and the value after it."""
    width, left, right, row, top = 360.0, 8.0, 272.0, 40.0, 6.0
    values = [g.value for g in groups if g.value is not None]
    low, high = min([0.0, *values]), max([0.0, *values])
    span = (high - low) or 1.0

    def at(value: float) -> float:
        return left + (value - low) / span * (right - left)

    zero = at(0.0)
    bars = []
    for i, g in enumerate(groups):
        v = g.value or 0.0
        start, end = sorted((zero, at(v)))
        top_y = top + i * row
        bars.append(
            Bar(
                label=g.label,
                short=_shorten(g.label, 44),
                value=g.value,
                x=start,
                width=max(end - start, 1.0 if g.value else 0.0),
                y=top_y + 18,
                label_y=top_y + 13,
                value_x=max(end, zero) + 6,
            )
        )
    chart = Chart(view.id, view.title, view.kind, config, groups, total, width, top + len(groups) * row + 4)
    chart.bars, chart.zero = bars, zero
    return chart


def _line(view: DatastoreView, config: dict[str, Any], groups: list[Group], total: int) -> Chart:
    """A line through the groups in the order of the category column, with a y axis of round values."""
    width, height = 400.0, 244.0
    left, right, top, bottom = 76.0, 384.0, 14.0, 200.0
    present = [g for g in groups if g.value is not None]
    values = [g.value for g in present if g.value is not None]
    ticks = nice_ticks(min(values, default=0.0), max(values, default=1.0))
    low, high = ticks[0], ticks[-1]
    span = (high - low) or 1.0
    step = (right - left) / max(len(present) - 1, 1)
    points = []
    for i, g in enumerate(present):
        value = g.value or 0.0
        cx = left + i * step if len(present) > 1 else (left + right) / 2
        points.append(Point(g.label, value, cx, bottom - (value - low) / span * (bottom - top)))
    every = max(1, math.ceil(len(points) / 5))
    chart = Chart(view.id, view.title, view.kind, config, groups, total, width, height)
    chart.points = points
    chart.path = " ".join(f"{'M' if i == 0 else 'L'}{p.cx:.1f},{p.cy:.1f}" for i, p in enumerate(points))
    chart.ticks = [Tick(bottom - (t - low) / span * (bottom - top), t) for t in ticks]
    chart.x_labels = [
        Point(_shorten(p.label, 12), p.value, p.cx, bottom + 18)
        for i, p in enumerate(points)
        if i % every == 0
    ]
    chart.plot_left, chart.plot_right, chart.plot_top, chart.plot_bottom = left, right, top, bottom
    return chart


def _luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def ink_for(fill: str) -> str:
    """Dark or white text, whichever contrasts more with the fill."""
    background = _luminance(fill)
    dark = (background + 0.05) / (_luminance(INK) + 0.05)
    white = 1.05 / (background + 0.05)
    return INK if dark >= white else "#ffffff"


def _combine(aggregate: str, values: list[float]) -> float:
    if aggregate == "min":
        return min(values)
    if aggregate == "max":
        return max(values)
    if aggregate == "avg":
        return sum(values) / len(values)
    return sum(values)


def _map(view: DatastoreView, config: dict[str, Any], groups: list[Group], total: int) -> Chart:
    """Kazakhstan's regions as a grid of squares, each coloured by its value in five equal steps."""
    tile, gap, margin = 76.0, 4.0, 2.0
    by_code: dict[str, list[Group]] = {}
    unmatched = []
    for g in groups:
        region = regions.find_region(g.label)
        if region is None:
            unmatched.append(g)
        else:
            by_code.setdefault(region.code, []).append(g)
    aggregate = str(config.get("aggregate") or "count")
    values = {
        code: _combine(aggregate, [g.value for g in found if g.value is not None])
        for code, found in by_code.items()
        if any(g.value is not None for g in found)
    }
    low, high = min(values.values(), default=0.0), max(values.values(), default=0.0)
    steps = len(PALETTE)
    width = regions.COLUMNS * (tile + gap) + margin * 2
    grid_height = regions.ROWS * (tile + gap) + margin * 2

    def fill_for(value: float) -> str:
        if high == low:
            return PALETTE[-2]
        return PALETTE[min(int((value - low) / (high - low) * steps), steps - 1)]

    tiles = []
    for r in regions.REGIONS:
        value = values.get(r.code)
        fill = NO_DATA if value is None else fill_for(value)
        longest = max(len(s) for s in r.short.values())
        tiles.append(
            Tile(
                code=r.code,
                name=r.name,
                short=r.short,
                x=margin + r.column * (tile + gap),
                y=margin + r.row * (tile + gap),
                fill=fill,
                ink=ink_for(fill),
                value=value,
                font_size=min(12.0, round(68 / (longest * 0.66), 1)),  # bold glyphs are about 0.66 em wide
                labels=[g.label for g in by_code.get(r.code, [])],
            )
        )
    # the legend stands in the empty south-west corner of the grid (under Mangystau), one step a line
    legend_top = margin + 3 * (tile + gap) + 6
    legend = []
    if values and high != low:
        size = (high - low) / steps
        legend = [
            LegendItem(PALETTE[i], low + i * size, low + (i + 1) * size, legend_top + i * 27.0)
            for i in range(steps)
        ]
    elif values:
        legend = [LegendItem(PALETTE[-2], low, high, legend_top)]
    chart = Chart(view.id, view.title, view.kind, config, groups, total, width, grid_height)
    chart.tiles, chart.legend, chart.unmatched = tiles, legend, unmatched
    chart.plot_left = margin
    return chart
