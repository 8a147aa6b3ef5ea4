"""Geometry of the merchant console's server-rendered SVG charts: numbers in, coordinates out.

Pure functions, no Django and no markup, like ``scoring/charts.py``: the templates only place
what these return, so the charts work without JavaScript and are tested as arithmetic.

Two charts: the audience histogram (people per 10-point score bucket around a threshold,
withheld buckets drawn as an outline, never as a number) and claims per day.
"""

import datetime
import math
from collections.abc import Sequence
from dataclasses import dataclass

# A withheld bucket (fewer than 10 people) is drawn up to this count, outlined, and labelled "<10".
WITHHELD_DRAWN_AS = 10


def _r(value: float) -> float:
    return round(value, 2)


def nice_ceiling(value: int) -> int:
    """The smallest of 1, 2, 5, 10, 20, 50, ... at least ``value`` (and at least 1): a tidy axis top."""
    if value <= 1:
        return 1
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if step * power >= value:
            return step * power
    return 10 * power  # pragma: no cover - the loop always returns


@dataclass(frozen=True)
class GridLine:
    value: int
    y: float
    label_y: float


@dataclass(frozen=True)
class HistogramBar:
    low: int
    high: int
    count: int | None  # None: withheld (fewer than 10 people)
    x: float
    y: float
    width: float
    height: float
    centre: float
    qualifies: bool  # the bucket is at or above the threshold
    labelled: bool  # its lower bound is written under the axis

    @property
    def withheld(self) -> bool:
        return self.count is None


@dataclass(frozen=True)
class Histogram:
    width: int
    height: int
    left: float
    right: float
    top: float
    bottom: float
    bars: tuple[HistogramBar, ...]
    grid: tuple[GridLine, ...]
    threshold: int
    threshold_x: float
    axis_label_y: float
    count_label_x: float

    @property
    def label_y(self) -> float:
        return _r(self.top + 12)


def _grid(top_value: int, *, top: float, bottom: float, step: int = 1) -> tuple[GridLine, ...]:
    """Lines at 0, the top and (when it is a multiple of ``step``) half-way."""

    def y_of(value: float) -> float:
        return _r(bottom - (bottom - top) * value / top_value)

    half = top_value // 2
    values = [0, half, top_value] if half and half % step == 0 and half * 2 == top_value else [0, top_value]
    return tuple(GridLine(value=value, y=y_of(value), label_y=_r(y_of(value) + 4)) for value in values)


def _column(
    index: int, value: int, top_value: int, *, slot: float, gap: float, left: float, top: float, bottom: float
) -> dict[str, float]:
    """The box of a bar chart's index-th column, value high on an axis from 0 to top_value:
    x, y, width, height and the centre its label sits under, rounded."""
    height = (bottom - top) * value / top_value
    x = left + index * slot + gap / 2
    return {
        "x": _r(x),
        "y": _r(bottom - height),
        "width": _r(max(slot - gap, 1)),
        "height": _r(height),
        "centre": _r(x + (slot - gap) / 2),
    }


def audience_histogram(
    buckets: Sequence[tuple[int, int, int | None]],
    *,
    threshold: int,
    width: int = 640,
    height: int = 240,
    left: float = 44,
    right: float = 12,
    top: float = 22,
    bottom: float = 30,
    gap: float = 3,
    max_labels: int = 10,
) -> Histogram:
    """Bars for (low, high, count) buckets in ascending order; a marker line at the threshold.

    A withheld count (None) is drawn as an outline up to WITHHELD_DRAWN_AS, so the chart shows
    that a few people are there without ever saying how many.
    """
    plot_left, plot_right = float(left), float(width - right)
    plot_top, plot_bottom = float(top), float(height - bottom)
    drawn = [count if count is not None else WITHHELD_DRAWN_AS for _low, _high, count in buckets]
    # Counts are multiples of 10, and so are the axis labels: a "5" on the axis would read as a count.
    top_value = max(nice_ceiling(max(drawn, default=1)), WITHHELD_DRAWN_AS)
    slot = (plot_right - plot_left) / max(len(buckets), 1)
    label_every = max(1, math.ceil(len(buckets) / max_labels))
    bars = []
    for index, (low, high, count) in enumerate(buckets):
        value = count if count is not None else WITHHELD_DRAWN_AS
        bars.append(
            HistogramBar(
                low=low,
                high=high,
                count=count,
                **_column(
                    index,
                    value,
                    top_value,
                    slot=slot,
                    gap=gap,
                    left=plot_left,
                    top=plot_top,
                    bottom=plot_bottom,
                ),
                qualifies=low >= threshold,
                labelled=index % label_every == 0,
            )
        )
    # The threshold sits on the left edge of the bucket that starts at it (buckets are 10 wide).
    threshold_x = plot_left
    for index, (low, _high, _count) in enumerate(buckets):
        if low <= threshold:
            threshold_x = plot_left + index * slot + (threshold - low) / 10 * slot
    return Histogram(
        width=width,
        height=height,
        left=plot_left,
        right=plot_right,
        top=plot_top,
        bottom=plot_bottom,
        bars=tuple(bars),
        grid=_grid(top_value, top=plot_top, bottom=plot_bottom, step=WITHHELD_DRAWN_AS),
        threshold=threshold,
        threshold_x=_r(min(max(threshold_x, plot_left), plot_right)),
        axis_label_y=_r(plot_bottom + 18),
        count_label_x=_r(plot_left - 6),
    )


@dataclass(frozen=True)
class DayBar:
    day: datetime.date
    count: int
    x: float
    y: float
    width: float
    height: float
    centre: float
    labelled: bool


@dataclass(frozen=True)
class DailyChart:
    width: int
    height: int
    left: float
    right: float
    top: float
    bottom: float
    bars: tuple[DayBar, ...]
    grid: tuple[GridLine, ...]
    axis_label_y: float
    count_label_x: float
    total: int


def daily_chart(
    days: Sequence[tuple[datetime.date, int]],
    *,
    width: int = 640,
    height: int = 200,
    left: float = 36,
    right: float = 12,
    top: float = 12,
    bottom: float = 30,
    gap: float = 2,
    max_labels: int = 6,
) -> DailyChart:
    """One bar per day (ascending, gaps filled with zeros by the caller); the last day is labelled."""
    plot_left, plot_right = float(left), float(width - right)
    plot_top, plot_bottom = float(top), float(height - bottom)
    top_value = nice_ceiling(max((count for _day, count in days), default=1))
    slot = (plot_right - plot_left) / max(len(days), 1)
    every = max(1, math.ceil(len(days) / max_labels))
    bars = []
    for index, (day, count) in enumerate(days):
        bars.append(
            DayBar(
                day=day,
                count=count,
                **_column(
                    index,
                    count,
                    top_value,
                    slot=slot,
                    gap=gap,
                    left=plot_left,
                    top=plot_top,
                    bottom=plot_bottom,
                ),
                # Count back from the newest day, so today always has its date under it.
                labelled=(len(days) - 1 - index) % every == 0,
            )
        )
    return DailyChart(
        width=width,
        height=height,
        left=plot_left,
        right=plot_right,
        top=plot_top,
        bottom=plot_bottom,
        bars=tuple(bars),
        grid=_grid(top_value, top=plot_top, bottom=plot_bottom),
        axis_label_y=_r(plot_bottom + 18),
        count_label_x=_r(plot_left - 6),
        total=sum(count for _day, count in days),
    )
