"""perks/console/charts.py: the console's SVG geometry as plain arithmetic (numbers in, coordinates out)."""

import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from perks.console import charts

counts = st.one_of(st.none(), st.integers(min_value=10, max_value=100_000))
buckets_strategy = st.lists(counts, min_size=1, max_size=60).map(
    lambda drawn: [(350 + 10 * index, 359 + 10 * index, count) for index, count in enumerate(drawn)]
)


@pytest.mark.parametrize(
    ("value", "ceiling"),
    [
        (-3, 1),
        (0, 1),
        (1, 1),
        (2, 2),
        (3, 5),
        (5, 5),
        (6, 10),
        (10, 10),
        (11, 20),
        (21, 50),
        (51, 100),
        (999, 1000),
    ],
)
def test_the_axis_top_is_the_next_of_1_2_5_times_a_power_of_ten(value, ceiling):
    assert charts.nice_ceiling(value) == ceiling


@given(st.integers(min_value=1, max_value=10**9))
def test_the_axis_top_is_the_smallest_tidy_number_at_least_the_value(value):
    top = charts.nice_ceiling(value)
    tidy_below = [step * 10**power for power in range(10) for step in (1, 2, 5) if step * 10**power < top]

    assert top >= value
    assert all(number < value for number in tidy_below)


def test_the_histogram_places_each_bucket_and_the_threshold_on_the_plot():
    histogram = charts.audience_histogram([(600, 609, None), (610, 619, 30), (620, 629, 0)], threshold=610)

    assert (histogram.left, histogram.right, histogram.top, histogram.bottom) == (44.0, 628.0, 22.0, 210.0)
    # Axis 0-50: the withheld bucket is drawn as 10 people, the 30 three times as high.
    assert [(bar.x, bar.y, bar.width, bar.height) for bar in histogram.bars] == [
        (45.5, 172.4, 191.67, 37.6),
        (240.17, 97.2, 191.67, 112.8),
        (434.83, 210.0, 191.67, 0.0),
    ]
    assert [(bar.withheld, bar.qualifies) for bar in histogram.bars] == [
        (True, False),
        (False, True),
        (False, True),
    ]
    assert histogram.threshold_x == 238.67  # the left edge of the 610 bucket
    assert [(line.value, line.y) for line in histogram.grid] == [(0, 210.0), (50, 22.0)]


def test_the_histograms_axis_is_labelled_in_tens_only():
    histogram = charts.audience_histogram([(700, 709, 20)], threshold=700)

    assert [line.value for line in histogram.grid] == [0, 10, 20]


def test_a_withheld_bucket_never_carries_a_number():
    histogram = charts.audience_histogram([(700, 709, None)], threshold=700)

    assert [(bar.count, bar.withheld, bar.height) for bar in histogram.bars] == [(None, True, 188.0)]


def test_only_about_ten_bucket_bounds_are_written_under_the_axis():
    buckets = [(350 + 10 * index, 359 + 10 * index, 10) for index in range(60)]

    labelled = [bar.low for bar in charts.audience_histogram(buckets, threshold=650).bars if bar.labelled]

    assert labelled == [350, 410, 470, 530, 590, 650, 710, 770, 830, 890]


@given(buckets_strategy, st.integers(min_value=350, max_value=950))
def test_every_bar_and_the_threshold_stay_inside_the_plot(buckets, threshold):
    histogram = charts.audience_histogram(buckets, threshold=threshold)

    assert histogram.left <= histogram.threshold_x <= histogram.right
    for bar in histogram.bars:
        assert histogram.left <= bar.x and bar.x + bar.width <= histogram.right + 0.01
        assert histogram.top - 0.01 <= bar.y and bar.y + bar.height == pytest.approx(
            histogram.bottom, abs=0.02
        )
        assert bar.qualifies == (bar.low >= threshold)


@given(buckets_strategy)
def test_a_bigger_count_is_never_drawn_lower(buckets):
    bars = charts.audience_histogram(buckets, threshold=650).bars
    drawn = sorted(
        ((bar.count if bar.count is not None else charts.WITHHELD_DRAWN_AS), bar.height) for bar in bars
    )

    assert [height for _count, height in drawn] == sorted(height for _count, height in drawn)


DAY = datetime.date(2026, 11, 26)


def days_of(counts_by_day: list[int]) -> list[tuple[datetime.date, int]]:
    first = DAY - datetime.timedelta(days=len(counts_by_day) - 1)
    return [(first + datetime.timedelta(days=index), count) for index, count in enumerate(counts_by_day)]


def test_the_daily_chart_draws_one_bar_a_day_and_counts_the_total():
    chart = charts.daily_chart(days_of([0, 4, 1]))

    assert chart.total == 5
    assert [(bar.day, bar.count, bar.height) for bar in chart.bars] == [
        (DAY - datetime.timedelta(days=2), 0, 0.0),
        (DAY - datetime.timedelta(days=1), 4, 126.4),  # 4 of an axis to 5
        (DAY, 1, 31.6),
    ]
    assert [(line.value, line.y) for line in chart.grid] == [(0, 170.0), (5, 12.0)]


def test_the_newest_day_is_always_labelled_and_about_six_in_all():
    chart = charts.daily_chart(days_of([1] * 30))

    labelled = [bar.day for bar in chart.bars if bar.labelled]

    assert labelled[-1] == DAY
    assert labelled == [DAY - datetime.timedelta(days=days) for days in (25, 20, 15, 10, 5, 0)]


def test_a_month_without_claims_still_has_an_axis():
    chart = charts.daily_chart(days_of([0] * 30))

    assert (chart.total, {bar.height for bar in chart.bars}) == (0, {0.0})
    assert [line.value for line in chart.grid] == [0, 1]
