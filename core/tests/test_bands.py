"""core/bands.py: the score's range and the five bands, the one place that knows the boundaries."""

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from core.bands import BAND_LOWER_BOUNDS, SCORE_BASE, SCORE_MAX, SCORE_MIN, Band

scores = st.integers(min_value=SCORE_MIN, max_value=SCORE_MAX)


def test_the_scale_runs_from_350_through_600_to_950():
    assert (SCORE_MIN, SCORE_BASE, SCORE_MAX) == (350, 600, 950)


def test_every_band_has_one_lower_bound_in_ascending_order_starting_at_the_minimum():
    assert BAND_LOWER_BOUNDS == (
        (Band.POOR, 350),
        (Band.FAIR, 550),
        (Band.GOOD, 600),
        (Band.VERY_GOOD, 650),
        (Band.EXCELLENT, 700),
    )
    assert [band for band, _lower in BAND_LOWER_BOUNDS] == list(Band)


@pytest.mark.parametrize(
    ("score", "band"),
    [
        (350, Band.POOR),
        (549, Band.POOR),
        (550, Band.FAIR),
        (599, Band.FAIR),
        (600, Band.GOOD),
        (649, Band.GOOD),
        (650, Band.VERY_GOOD),
        (699, Band.VERY_GOOD),
        (700, Band.EXCELLENT),
        (950, Band.EXCELLENT),
    ],
)
def test_a_score_falls_in_the_band_whose_bounds_hold_it_both_ends_inclusive(score, band):
    assert Band.for_score(score) == band


def test_a_score_below_the_scale_has_no_band():
    with pytest.raises(ValueError, match=r"^score 349 is below 350$"):
        Band.for_score(349)


@given(scores, scores)
def test_a_higher_score_never_has_a_lower_band(low, high):
    order = list(Band)
    low, high = sorted((low, high))

    assert order.index(Band.for_score(low)) <= order.index(Band.for_score(high))


@given(scores)
def test_a_scores_band_starts_at_or_below_it_and_the_next_band_above_it(score):
    band = Band.for_score(score)
    bounds = dict(BAND_LOWER_BOUNDS)
    higher = [lower for _band, lower in BAND_LOWER_BOUNDS if lower > bounds[band]]

    assert bounds[band] <= score
    assert not higher or score < higher[0]


def test_bands_read_in_english_and_chinese():
    with translation.override("zh-hans"):
        chinese = [str(band.label) for band in Band]
    with translation.override("en"):
        english = [str(band.label) for band in Band]

    assert english == ["Poor", "Fair", "Good", "Very good", "Excellent"]
    assert chinese == ["较差", "中等", "良好", "优秀", "极好"]
