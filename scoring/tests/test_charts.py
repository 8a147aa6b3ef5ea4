"""The SVG geometry of the dashboard's charts, as plain arithmetic."""

import datetime
import itertools
import math
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.bands import BAND_LOWER_BOUNDS, SCORE_MAX, SCORE_MIN, Band
from scoring import charts

scores = st.integers(min_value=SCORE_MIN, max_value=SCORE_MAX)
TODAY = datetime.date(2026, 11, 26)
YEAR_AGO = TODAY - datetime.timedelta(days=365)


def distance(a: charts.Point, b: charts.Point) -> float:
    return math.hypot(a.x - b.x, a.y - b.y)


# --- Gauge ---------------------------------------------------------------------------------------


def test_the_lowest_score_sits_at_the_start_of_the_dial_and_the_highest_at_its_end():
    assert charts.score_angle(SCORE_MIN) == charts.GAUGE_START
    assert charts.score_angle(SCORE_MAX) == charts.GAUGE_END
    assert charts.score_angle(650) == 0  # the middle of the scale points straight up


def test_scores_outside_the_scale_sit_at_its_ends():
    assert charts.score_angle(100) == charts.GAUGE_START
    assert charts.score_angle(2000) == charts.GAUGE_END


@given(scores, scores)
def test_a_higher_score_never_sits_further_left_on_the_dial(low, high):
    if low > high:
        low, high = high, low
    assert charts.score_angle(low) <= charts.score_angle(high)


def test_polar_points_up_at_zero_and_right_at_ninety_degrees():
    assert charts.polar(100, 100, 50, 0) == charts.Point(100, 50)
    assert charts.polar(100, 100, 50, 90) == charts.Point(150, 100)
    assert charts.polar(100, 100, 50, -90) == charts.Point(50, 100)


def test_arc_path_draws_clockwise_and_flags_large_arcs():
    assert charts.arc_path(100, 100, 50, -90, 90) == "M 50.0 100.0 A 50 50 0 0 1 150.0 100.0"
    assert " 0 1 1 " in charts.arc_path(100, 100, 50, -120, 120)
    with pytest.raises(ValueError, match="clockwise"):
        charts.arc_path(100, 100, 50, 10, 0)


def test_band_segments_tile_the_dial_without_gaps_or_overlaps():
    gauge = charts.gauge(642)

    segments = gauge.segments
    assert [segment.band for segment in segments] == [band for band, _ in BAND_LOWER_BOUNDS]
    assert segments[0].start == charts.GAUGE_START
    assert segments[-1].end == charts.GAUGE_END
    for before, after in itertools.pairwise(segments):
        assert before.end == after.start
    assert sum(segment.end - segment.start for segment in segments) == pytest.approx(240)


def test_each_band_segment_spans_its_share_of_the_scale():
    gauge = charts.gauge(600)

    spans = {segment.band: segment.end - segment.start for segment in gauge.segments}
    assert spans[Band.POOR] == pytest.approx(240 * 200 / 600)
    assert spans[Band.FAIR] == pytest.approx(240 * 50 / 600)
    assert spans[Band.EXCELLENT] == pytest.approx(240 * 250 / 600)


def test_segment_paths_start_and_end_on_the_circle_at_their_angles():
    gauge = charts.gauge(700)

    for segment in gauge.segments:
        numbers = [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", segment.path)]
        start, end = charts.Point(numbers[0], numbers[1]), charts.Point(numbers[-2], numbers[-1])
        assert start == charts.polar(gauge.centre.x, gauge.centre.y, gauge.radius, segment.start)
        assert end == charts.polar(gauge.centre.x, gauge.centre.y, gauge.radius, segment.end)


def test_ticks_mark_both_ends_and_every_band_boundary():
    gauge = charts.gauge(600)

    assert [tick.value for tick in gauge.ticks] == [350, 550, 600, 650, 700, 950]
    for tick in gauge.ticks:
        assert tick.angle == charts.score_angle(tick.value)
        assert distance(tick.inner, gauge.centre) < gauge.radius < distance(tick.outer, gauge.centre)


@given(scores)
def test_the_marker_sits_on_the_arc_at_the_score(score):
    gauge = charts.gauge(score)

    assert gauge.angle == pytest.approx(charts.score_angle(score), abs=0.01)
    assert distance(gauge.marker, gauge.centre) == pytest.approx(gauge.radius, abs=0.02)
    assert [segment.band for segment in gauge.segments if segment.is_current] == [Band.for_score(score)]


@given(scores)
def test_the_whole_dial_fits_in_its_view_box(score):
    gauge = charts.gauge(score)

    points = [gauge.marker, gauge.needle_from, gauge.needle_to]
    points += [point for tick in gauge.ticks for point in (tick.inner, tick.outer, tick.label)]
    for point in points:
        assert 0 <= point.x <= gauge.width
        assert 0 <= point.y <= gauge.height


def test_band_ranges_cover_the_scale_one_after_another():
    ranges = charts.band_ranges()

    assert ranges[0][1] == SCORE_MIN
    assert ranges[-1][2] == SCORE_MAX
    for (_, _, upper), (_, lower, _) in itertools.pairwise(ranges):
        assert lower == upper + 1


def test_next_band_counts_the_points_still_needed():
    assert charts.next_band(350) == charts.NextBand(band=Band.FAIR, lower=550, points=200)
    assert charts.next_band(642) == charts.NextBand(band=Band.VERY_GOOD, lower=650, points=8)
    assert charts.next_band(699) == charts.NextBand(band=Band.EXCELLENT, lower=700, points=1)
    assert charts.next_band(700) is None


# --- Bars ----------------------------------------------------------------------------------------


def test_bars_are_as_long_as_their_value_and_rows_do_not_overlap():
    chart = charts.bar_chart([("a", 0), ("b", 50), ("c", 100), ("d", 73)], width=400)

    assert [bar.width for bar in chart.bars] == [0, 200, 400, 292]
    assert chart.neutral_x == 200
    assert [bar.state for bar in chart.bars] == ["lowers", "neutral", "raises", "raises"]
    for before, after in itertools.pairwise(chart.bars):
        assert before.y + before.height < after.label_y - 12
    assert chart.bars[-1].y + chart.bars[-1].height < chart.axis_y - 10 < chart.height


def test_bars_keep_values_outside_0_to_100_inside_the_plot():
    chart = charts.bar_chart([("low", -5), ("high", 140)], width=300)

    assert [bar.width for bar in chart.bars] == [0, 300]


# --- History ---------------------------------------------------------------------------------------


def test_history_maps_dates_left_to_right_and_scores_bottom_to_top():
    points = [(YEAR_AGO, 610), (TODAY - datetime.timedelta(days=200), 640), (TODAY, 700)]

    chart = charts.history_chart(points, start=YEAR_AGO, end=TODAY)

    assert chart.points[0].x == chart.left
    assert chart.points[-1].x == chart.right
    assert chart.points[0].x < chart.points[1].x < chart.points[2].x
    assert chart.points[0].y > chart.points[1].y > chart.points[2].y
    assert chart.polyline == " ".join(f"{point.x},{point.y}" for point in chart.points)


def test_history_sorts_points_by_date():
    points = [(TODAY, 650), (YEAR_AGO, 600)]

    chart = charts.history_chart(points, start=YEAR_AGO, end=TODAY)

    assert [point.as_of for point in chart.points] == [YEAR_AGO, TODAY]


@given(st.lists(st.tuples(st.integers(min_value=0, max_value=365), scores), min_size=1, max_size=40))
def test_history_points_stay_in_the_plot_and_keep_their_order(raw):
    points = [(YEAR_AGO + datetime.timedelta(days=days), score) for days, score in raw]

    chart = charts.history_chart(points, start=YEAR_AGO, end=TODAY)

    for point in chart.points:
        assert chart.left <= point.x <= chart.right
        assert chart.top <= point.y <= chart.bottom
    for before, after in itertools.pairwise(chart.points):
        assert before.x <= after.x
        if before.score < after.score:
            assert before.y > after.y
    assert chart.low <= min(score for _, score in points) <= max(score for _, score in points) <= chart.high


def test_history_draws_the_band_boundaries_inside_its_range_as_lines_and_zones():
    chart = charts.history_chart([(YEAR_AGO, 590), (TODAY, 660)], start=YEAR_AGO, end=TODAY)

    assert (chart.low, chart.high) == (550, 750)
    assert [line.value for line in chart.lines] == [600, 650, 700]
    assert [zone.band for zone in chart.zones] == [Band.FAIR, Band.GOOD, Band.VERY_GOOD, Band.EXCELLENT]
    assert chart.zones[-1].y == chart.top
    assert chart.zones[0].y + chart.zones[0].height == pytest.approx(chart.bottom)
    for upper, lower in itertools.pairwise(chart.zones[::-1]):
        assert upper.y + upper.height == pytest.approx(lower.y)
    middle = next(line for line in chart.lines if line.value == 650)
    assert middle.y == pytest.approx((chart.top + chart.bottom) / 2)


def test_history_labels_the_newest_month_and_at_most_six():
    chart = charts.history_chart([(TODAY, 600)], start=YEAR_AGO, end=TODAY)

    assert len(chart.date_ticks) == 12
    assert chart.date_ticks[-1].day == datetime.date(2026, 11, 1)
    assert chart.date_ticks[-1].labelled is True
    assert sum(tick.labelled for tick in chart.date_ticks) == 6


def test_score_domain_gives_room_around_the_data_within_the_scale():
    assert charts.score_domain([600]) == (500, 700)
    assert charts.score_domain([355, 945]) == (350, 950)
    assert charts.score_domain([940]) == (750, 950)
    assert charts.score_domain([]) == (SCORE_MIN, SCORE_MAX)


def test_history_needs_a_period_that_moves_forward():
    with pytest.raises(ValueError, match="must end after it starts"):
        charts.history_chart([], start=TODAY, end=TODAY)


# --- A model's validation report -----------------------------------------------------------------


def test_the_roc_curve_runs_corner_to_corner_with_y_up():
    chart = charts.roc_chart([[0.0, 0.0], [0.25, 0.75], [1.0, 1.0]], size=108, margin=4)
    assert chart.path == "M 4.0 104.0 L 29.0 29.0 L 104.0 4.0"
    assert chart.diagonal == "M 4 104 L 104 4"


def test_columns_scale_to_the_largest_value_and_a_missing_value_draws_nothing():
    chart = charts.column_chart(
        [("poor", 0.5), ("fair", 0.25), ("good", None)], width=300, height=120, percent=True
    )
    poor, fair, good = chart.columns
    assert (chart.baseline, chart.label_y) == (100.0, 114.0)
    assert (poor.y, poor.height, poor.text) == (16.0, 84.0, "50.0%")
    assert (fair.y, fair.height, fair.text) == (58.0, 42.0, "25.0%")
    assert (good.height, good.text) == (0.0, "-")
    assert (poor.x, poor.width, fair.x) == (15.0, 70.0, 115.0)


# --- Each dimension over the year ------------------------------------------------------------------

DIMS = ("credit_history", "identity")


def test_sub_scores_share_one_0_to_100_scale_and_dates_run_left_to_right():
    series = [
        (YEAR_AGO, {"credit_history": 0, "identity": 100}),
        (TODAY, {"credit_history": 100, "identity": 50}),
    ]

    chart = charts.dimension_chart(series, keys=DIMS, start=YEAR_AGO, end=TODAY)

    history, identity = chart.lines
    assert (history.points[0], history.points[1]) == (
        charts.Point(chart.left, chart.bottom),
        charts.Point(chart.right, chart.top),
    )
    assert identity.points[1].y == (chart.top + chart.bottom) / 2
    assert [line.value for line in chart.grid] == [0, 25, 50, 75, 100]
    assert (history.first, history.latest, history.change) == (0, 100, 100)
    assert (identity.change, identity.last_point) == (-50, identity.points[-1])


def test_the_chart_is_sorted_by_date_and_keeps_points_inside_the_plot():
    series = [
        (TODAY, {"credit_history": 70, "identity": 40}),
        (YEAR_AGO - datetime.timedelta(days=30), {"credit_history": 60, "identity": 40}),
    ]

    chart = charts.dimension_chart(series, keys=DIMS, start=YEAR_AGO, end=TODAY)

    xs = [point.x for point in chart.lines[0].points]
    assert xs == sorted(xs)
    assert xs[0] == chart.left  # before the period: pinned to its start
    assert chart.lines[0].polyline == " ".join(f"{p.x},{p.y}" for p in chart.lines[0].points)


def test_an_empty_series_draws_no_line():
    chart = charts.dimension_chart([], keys=DIMS, start=YEAR_AGO, end=TODAY)

    assert [(line.points, line.latest, line.last_point) for line in chart.lines] == [((), None, None)] * 2


def test_a_period_must_run_forward():
    with pytest.raises(ValueError):
        charts.dimension_chart([], keys=DIMS, start=TODAY, end=TODAY)


@given(st.lists(st.integers(min_value=0, max_value=100), min_size=1, max_size=30))
def test_every_sub_score_lands_between_the_top_and_bottom(values):
    series = [(YEAR_AGO + datetime.timedelta(days=12 * i), {"identity": v}) for i, v in enumerate(values)]

    chart = charts.dimension_chart(series, keys=("identity",), start=YEAR_AGO, end=TODAY)

    assert all(chart.top <= point.y <= chart.bottom for point in chart.lines[0].points)
    assert all(chart.left <= point.x <= chart.right for point in chart.lines[0].points)
