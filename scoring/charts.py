"""Geometry of the dashboard's server-rendered SVG charts: numbers in, coordinates out.

Pure functions, no Django and no markup: the templates only place the numbers these return,
so every chart works without JavaScript and can be tested as arithmetic.

Angles are compass bearings in degrees: 0 points straight up from the gauge's centre and
they grow clockwise, which is also the direction SVG's arc sweep flag 1 draws on screen.
"""

import datetime
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from core.bands import BAND_LOWER_BOUNDS, SCORE_MAX, SCORE_MIN, Band

# The gauge is a 240° dial open at the bottom, from lower left (350) to lower right (950).
GAUGE_START = -120.0
GAUGE_END = 120.0


def _r(value: float) -> float:
    """Two decimals are finer than a pixel and keep the markup short."""
    return round(value, 2)


@dataclass(frozen=True)
class Point:
    x: float
    y: float


def clamp_score(score: int) -> int:
    return min(max(score, SCORE_MIN), SCORE_MAX)


def band_ranges() -> tuple[tuple[Band, int, int], ...]:
    """Each band with its lowest and highest score, ascending; they tile 350..950."""
    uppers = [lower - 1 for _, lower in BAND_LOWER_BOUNDS[1:]] + [SCORE_MAX]
    return tuple((band, lower, upper) for (band, lower), upper in zip(BAND_LOWER_BOUNDS, uppers, strict=True))


@dataclass(frozen=True)
class NextBand:
    band: Band
    lower: int
    points: int  # still needed to reach it


def next_band(score: int) -> NextBand | None:
    """The band above the score's and how many points it is away; None in the top band."""
    for band, lower in BAND_LOWER_BOUNDS:
        if lower > score:
            return NextBand(band=band, lower=lower, points=lower - score)
    return None


def score_angle(score: float, *, start: float = GAUGE_START, end: float = GAUGE_END) -> float:
    """The bearing of a score on the dial; scores outside 350..950 sit at the nearest end."""
    fraction = (min(max(score, SCORE_MIN), SCORE_MAX) - SCORE_MIN) / (SCORE_MAX - SCORE_MIN)
    return start + (end - start) * fraction


def polar(cx: float, cy: float, radius: float, angle: float) -> Point:
    """The point at a bearing and distance from a centre, in SVG coordinates (y grows down)."""
    radians = math.radians(angle)
    return Point(_r(cx + radius * math.sin(radians)), _r(cy - radius * math.cos(radians)))


def arc_path(cx: float, cy: float, radius: float, start: float, end: float) -> str:
    """An SVG path drawing the circular arc clockwise from one bearing to a later one."""
    if end < start:
        raise ValueError(f"an arc runs clockwise: end {end} is before start {start}")
    first = polar(cx, cy, radius, start)
    last = polar(cx, cy, radius, end)
    large_arc = 1 if end - start > 180 else 0
    return f"M {first.x} {first.y} A {radius} {radius} 0 {large_arc} 1 {last.x} {last.y}"


@dataclass(frozen=True)
class GaugeSegment:
    band: Band
    lower: int
    upper: int
    start: float  # bearing where the band begins
    end: float  # bearing where the next band begins (or the dial ends)
    path: str
    is_current: bool


@dataclass(frozen=True)
class GaugeTick:
    value: int
    angle: float
    inner: Point  # the tick line crosses the arc from inner to outer
    outer: Point
    label: Point
    anchor: str  # SVG text-anchor that keeps the label clear of the arc


@dataclass(frozen=True)
class Gauge:
    width: int
    height: int
    centre: Point
    radius: float
    stroke: float
    score: int
    angle: float
    segments: tuple[GaugeSegment, ...]
    ticks: tuple[GaugeTick, ...]
    marker: Point
    needle_from: Point
    needle_to: Point


def _anchor(x: float, cx: float) -> str:
    if x < cx - 1:
        return "end"
    if x > cx + 1:
        return "start"
    return "middle"


def gauge(
    score: int,
    *,
    width: int = 300,
    height: int = 214,
    cx: float = 150,
    cy: float = 132,
    radius: float = 104,
    stroke: float = 20,
) -> Gauge:
    """A 350..950 dial: an arc segment per band, a tick at each band boundary, a marker at the score."""
    score = clamp_score(score)
    segments = []
    current = Band.for_score(score)
    for band, lower, upper in band_ranges():
        start = score_angle(lower)
        # A band ends where the next begins, so the segments tile the dial without gaps.
        end = score_angle(upper + 1) if upper < SCORE_MAX else score_angle(SCORE_MAX)
        segments.append(
            GaugeSegment(
                band=band,
                lower=lower,
                upper=upper,
                start=start,
                end=end,
                path=arc_path(cx, cy, radius, start, end),
                is_current=band == current,
            )
        )
    tick_values = [SCORE_MIN, *(lower for _, lower in BAND_LOWER_BOUNDS[1:]), SCORE_MAX]
    ticks = []
    for value in tick_values:
        angle = score_angle(value)
        label = polar(cx, cy, radius + stroke / 2 + 10, angle)
        ticks.append(
            GaugeTick(
                value=value,
                angle=angle,
                inner=polar(cx, cy, radius - stroke / 2 - 1, angle),
                outer=polar(cx, cy, radius + stroke / 2 + 5, angle),
                # The end labels sit below the dial's ends; the others just outside the arc.
                label=Point(label.x, _r(label.y + (14 if abs(angle) > 90 else 0))),
                anchor="middle" if abs(angle) > 90 else _anchor(label.x, cx),
            )
        )
    angle = score_angle(score)
    return Gauge(
        width=width,
        height=height,
        centre=Point(cx, cy),
        radius=radius,
        stroke=stroke,
        score=score,
        angle=_r(angle),
        segments=tuple(segments),
        ticks=tuple(ticks),
        marker=polar(cx, cy, radius, angle),
        needle_from=polar(cx, cy, radius - stroke / 2 - 16, angle),
        needle_to=polar(cx, cy, radius + stroke / 2 + 2, angle),
    )


# --- Bars: the five dimensions' 0-100 sub-scores ----------------------------------------


@dataclass(frozen=True)
class Bar:
    key: str
    value: int
    label_y: float  # baseline of the row's label and value text
    y: float  # top of the bar
    height: float
    width: float  # length of the filled part
    mark_top: float  # the neutral mark crosses the bar from mark_top to mark_bottom
    mark_bottom: float
    state: str  # "raises", "neutral" or "lowers": where the value sits against the neutral mark


@dataclass(frozen=True)
class BarChart:
    width: int
    height: int
    left: float
    plot_width: float
    bars: tuple[Bar, ...]
    neutral_x: float
    axis_y: float  # baseline of the scale labels under the bars
    scale: tuple[tuple[int, float], ...]  # (value, x) of the scale labels


def bar_chart(
    values: Sequence[tuple[str, int]],
    *,
    width: int = 320,
    row_height: float = 48,
    bar_height: float = 14,
    max_value: int = 100,
    neutral: int = 50,
    top: float = 4,
) -> BarChart:
    """Horizontal bars, one row each: a label line above a bar measured from 0 to max_value."""
    left, plot_width = 0.0, float(width)

    def x_of(value: float) -> float:
        return _r(left + plot_width * min(max(value, 0), max_value) / max_value)

    bars = []
    for index, (key, value) in enumerate(values):
        row_top = top + index * row_height
        label_y = row_top + 16
        bars.append(
            Bar(
                key=key,
                value=value,
                label_y=_r(label_y),
                y=_r(label_y + 8),
                height=bar_height,
                width=_r(x_of(value) - left),
                mark_top=_r(label_y + 4),
                mark_bottom=_r(label_y + 8 + bar_height + 4),
                state="raises" if value > neutral else ("lowers" if value < neutral else "neutral"),
            )
        )
    axis_y = top + len(values) * row_height + 8
    return BarChart(
        width=width,
        height=math.ceil(axis_y + 6),
        left=left,
        plot_width=plot_width,
        bars=tuple(bars),
        neutral_x=x_of(neutral),
        axis_y=_r(axis_y),
        scale=((0, x_of(0)), (neutral, x_of(neutral)), (max_value, x_of(max_value))),
    )


# --- History: a year of scores over the bands --------------------------------------------


@dataclass(frozen=True)
class HistoryPoint:
    as_of: datetime.date
    score: int
    x: float
    y: float


@dataclass(frozen=True)
class BandZone:
    band: Band
    y: float  # top
    height: float
    label_y: float


@dataclass(frozen=True)
class BandLine:
    value: int
    y: float
    label_y: float


@dataclass(frozen=True)
class DateTick:
    day: datetime.date
    x: float
    labelled: bool


@dataclass(frozen=True)
class HistoryChart:
    width: int
    height: int
    left: float
    top: float
    right: float
    bottom: float
    low: int  # the score at the bottom of the plot
    high: int  # the score at the top
    points: tuple[HistoryPoint, ...]
    polyline: str
    zones: tuple[BandZone, ...]
    lines: tuple[BandLine, ...]
    date_ticks: tuple[DateTick, ...]

    @property
    def plot_width(self) -> float:
        return _r(self.right - self.left)

    @property
    def last(self) -> HistoryPoint | None:
        return self.points[-1] if self.points else None

    @property
    def axis_label_x(self) -> float:
        """Where the score labels end, just left of the plot."""
        return _r(self.left - 6)

    @property
    def zone_label_x(self) -> float:
        """Where the band names start, in the margin right of the plot, clear of the line."""
        return _r(self.right + 6)

    @property
    def date_label_y(self) -> float:
        return _r(self.bottom + 18)

    @property
    def tick_bottom(self) -> float:
        return _r(self.bottom + 5)

    @property
    def low_label_y(self) -> float:
        return _r(self.bottom + 4)

    @property
    def high_label_y(self) -> float:
        return _r(self.top + 4)


def score_domain(
    scores: Sequence[int], *, step: int = 50, margin: int = 40, span: int = 200
) -> tuple[int, int]:
    """The score range to plot: the data with some air, on 50-point lines, at least `span` tall.

    The whole 350..950 scale would flatten a year's real movements into a few pixels.
    """
    if not scores:
        return SCORE_MIN, SCORE_MAX
    low = max(SCORE_MIN, math.floor((min(scores) - margin) / step) * step)
    high = min(SCORE_MAX, math.ceil((max(scores) + margin) / step) * step)
    while high - low < span and (low > SCORE_MIN or high < SCORE_MAX):
        if high < SCORE_MAX:
            high = min(SCORE_MAX, high + step)
        if high - low < span and low > SCORE_MIN:
            low = max(SCORE_MIN, low - step)
    return low, high


def _date_ticks(
    start: datetime.date, end: datetime.date, *, x_of: Callable[[datetime.date], float], max_labels: int
) -> tuple[DateTick, ...]:
    """A tick per month; the most recent month and every n-th one before it labelled, so the newest
    is always named and at most ``max_labels`` are."""
    months = _months_from(start, end)
    every = max(1, math.ceil(len(months) / max_labels))
    return tuple(
        DateTick(day=day, x=x_of(day), labelled=(len(months) - 1 - index) % every == 0)
        for index, day in enumerate(months)
    )


def _months_from(start: datetime.date, end: datetime.date) -> list[datetime.date]:
    """The first day of every month after start, up to end."""
    year, month = start.year, start.month
    days: list[datetime.date] = []
    while True:
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        day = datetime.date(year, month, 1)
        if day > end:
            return days
        days.append(day)


def history_chart(
    points: Sequence[tuple[datetime.date, int]],
    *,
    start: datetime.date,
    end: datetime.date,
    width: int = 360,
    height: int = 220,
    left: float = 34,
    top: float = 10,
    right: float = 68,
    bottom: float = 28,
    max_labels: int = 6,
) -> HistoryChart:
    """Scores over time: dates map left to right between start and end, scores bottom to top."""
    if end <= start:
        raise ValueError(f"the period must end after it starts: {start} .. {end}")
    plot_left, plot_top = float(left), float(top)
    plot_right, plot_bottom = float(width - right), float(height - bottom)
    ordered = sorted(points)
    low, high = score_domain([score for _, score in ordered])
    days = (end - start).days

    def x_of(day: datetime.date) -> float:
        offset = min(max((day - start).days, 0), days)
        return _r(plot_left + (plot_right - plot_left) * offset / days)

    def y_of(score: float) -> float:
        score = min(max(score, low), high)
        return _r(plot_bottom - (plot_bottom - plot_top) * (score - low) / (high - low))

    plotted = tuple(
        HistoryPoint(as_of=day, score=score, x=x_of(day), y=y_of(score)) for day, score in ordered
    )
    zones = []
    for band, lower, upper in band_ranges():
        zone_low, zone_high = max(lower, low), min(upper + 1 if upper < SCORE_MAX else SCORE_MAX, high)
        if zone_high <= zone_low:
            continue
        y_top, y_bottom = y_of(zone_high), y_of(zone_low)
        zones.append(
            BandZone(band=band, y=y_top, height=_r(y_bottom - y_top), label_y=_r((y_top + y_bottom) / 2 + 4))
        )
    lines = tuple(
        BandLine(value=lower, y=y_of(lower), label_y=_r(y_of(lower) + 4))
        for _, lower in BAND_LOWER_BOUNDS[1:]
        if low < lower < high
    )
    date_ticks = _date_ticks(start, end, x_of=x_of, max_labels=max_labels)
    return HistoryChart(
        width=width,
        height=height,
        left=plot_left,
        top=plot_top,
        right=plot_right,
        bottom=plot_bottom,
        low=low,
        high=high,
        points=plotted,
        polyline=" ".join(f"{point.x},{point.y}" for point in plotted),
        zones=tuple(zones),
        lines=lines,
        date_ticks=date_ticks,
    )


# --- Each dimension's sub-score over the year, beside the total --------------------------------

SUB_SCORE_MAX = 100


@dataclass(frozen=True)
class DimensionLine:
    key: str
    points: tuple[Point, ...]
    polyline: str
    first: int | None
    latest: int | None

    @property
    def change(self) -> int:
        return (self.latest or 0) - (self.first or 0)

    @property
    def last_point(self) -> Point | None:
        return self.points[-1] if self.points else None


@dataclass(frozen=True)
class GridLine:
    value: int
    y: float
    label_y: float


@dataclass(frozen=True)
class DimensionChart:
    width: int
    height: int
    left: float
    top: float
    right: float
    bottom: float
    lines: tuple[DimensionLine, ...]
    grid: tuple[GridLine, ...]
    date_ticks: tuple[DateTick, ...]

    @property
    def axis_label_x(self) -> float:
        return _r(self.left - 6)

    @property
    def date_label_y(self) -> float:
        return _r(self.bottom + 18)


def dimension_chart(
    series: Sequence[tuple[datetime.date, dict[str, int]]],
    *,
    keys: Sequence[str],
    start: datetime.date,
    end: datetime.date,
    width: int = 360,
    height: int = 220,
    left: float = 30,
    top: float = 10,
    right: float = 12,
    bottom: float = 28,
    max_labels: int = 6,
) -> DimensionChart:
    """Sub-scores (0 to 100) over time, one line per dimension key, on one fixed 0..100 scale so
    the dimensions compare; dates map left to right between start and end."""
    if end <= start:
        raise ValueError(f"the period must end after it starts: {start} .. {end}")
    plot_left, plot_top = float(left), float(top)
    plot_right, plot_bottom = float(width - right), float(height - bottom)
    days = (end - start).days

    def x_of(day: datetime.date) -> float:
        offset = min(max((day - start).days, 0), days)
        return _r(plot_left + (plot_right - plot_left) * offset / days)

    def y_of(value: float) -> float:
        value = min(max(value, 0), SUB_SCORE_MAX)
        return _r(plot_bottom - (plot_bottom - plot_top) * value / SUB_SCORE_MAX)

    ordered = sorted(series, key=lambda row: row[0])
    lines = []
    for key in keys:
        values = [(day, row[key]) for day, row in ordered if key in row]
        points = tuple(Point(x_of(day), y_of(value)) for day, value in values)
        lines.append(
            DimensionLine(
                key=key,
                points=points,
                polyline=" ".join(f"{point.x},{point.y}" for point in points),
                first=values[0][1] if values else None,
                latest=values[-1][1] if values else None,
            )
        )
    grid = tuple(GridLine(value=v, y=y_of(v), label_y=_r(y_of(v) + 4)) for v in (0, 25, 50, 75, 100))
    date_ticks = _date_ticks(start, end, x_of=x_of, max_labels=max_labels)
    return DimensionChart(
        width=width,
        height=height,
        left=plot_left,
        top=plot_top,
        right=plot_right,
        bottom=plot_bottom,
        lines=tuple(lines),
        grid=grid,
        date_ticks=date_ticks,
    )


# --- A model's validation report: ROC curve and column charts ----------------------------------


@dataclass(frozen=True)
class RocChart:
    size: int
    path: str  # the curve, from (0, 0) to (1, 1)
    diagonal: str  # chance: the line a model that ranks nobody would draw


def roc_chart(points: Sequence[Sequence[float]], *, size: int = 220, margin: float = 4) -> RocChart:
    """The ROC curve (false positive rate, true positive rate) in a square plot, y up."""
    span = size - 2 * margin

    def xy(fpr: float, tpr: float) -> str:
        return f"{_r(margin + span * fpr)} {_r(margin + span * (1 - tpr))}"

    path = "M " + " L ".join(xy(fpr, tpr) for fpr, tpr in points) if points else ""
    return RocChart(size=size, path=path, diagonal=f"M {xy(0, 0)} L {xy(1, 1)}")


@dataclass(frozen=True)
class Column:
    label: str
    value: float | None
    x: float
    y: float
    width: float
    height: float
    text: str  # the value as shown above the column


@dataclass(frozen=True)
class ColumnChart:
    width: int
    height: int
    baseline: float
    label_y: float
    columns: tuple[Column, ...]


def column_chart(
    values: Sequence[tuple[str, float | None]],
    *,
    width: int = 360,
    height: int = 160,
    percent: bool = False,
) -> ColumnChart:
    """Vertical columns scaled to the largest value; a missing value (None) draws no column."""
    top, bottom = 16.0, height - 20.0
    largest = max((v for _, v in values if v is not None), default=0) or 1
    slot = width / max(len(values), 1)
    columns = []
    for index, (label, value) in enumerate(values):
        column_height = 0.0 if value is None else (bottom - top) * value / largest
        text = "-" if value is None else (f"{value * 100:.1f}%" if percent else f"{value:g}")
        columns.append(
            Column(
                label=label,
                value=value,
                x=_r(index * slot + slot * 0.15),
                y=_r(bottom - column_height),
                width=_r(slot * 0.7),
                height=_r(column_height),
                text=text,
            )
        )
    return ColumnChart(
        width=width, height=height, baseline=_r(bottom), label_y=_r(bottom + 14), columns=tuple(columns)
    )
