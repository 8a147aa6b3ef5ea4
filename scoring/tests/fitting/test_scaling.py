"""Tests for scoring/fitting/scaling.py: totals of points onto 350-950, anchored at 600."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.bands import SCORE_BASE, SCORE_MAX, SCORE_MIN
from scoring.fitting.scaling import Scaling

# --- Scaling ------------------------------------------------------------------------------------


def test_scaling_has_a_separate_slope_above_and_below_600():
    scaling = Scaling(max_total=400, min_total=-500)
    assert [scaling.score(t) for t in (-500, -250, -1, 0, 1, 200, 400)] == [350, 475, 600, 600, 601, 775, 950]
    # 600 - 250/500 = 599.5 rounds half up to 600; 600 + 350/400 = 600.875 rounds to 601


def test_scaling_clamps_totals_beyond_the_tables_to_350_and_950():
    scaling = Scaling(max_total=400, min_total=-500)
    assert [scaling.score(-10_000), scaling.score(10_000)] == [SCORE_MIN, SCORE_MAX]


def test_scaling_refuses_tables_whose_best_total_is_below_zero():
    with pytest.raises(ValueError, match="max_total must be >= 0"):
        Scaling(max_total=-1, min_total=-5)


@settings(max_examples=200, deadline=None)
@given(
    max_total=st.integers(1, 5000),
    min_total=st.integers(-5000, -1),
    a=st.integers(-6000, 6000),
    b=st.integers(-6000, 6000),
)
def test_scaling_is_monotone_bounded_and_anchored(max_total, min_total, a, b):
    scaling = Scaling(max_total=max_total, min_total=min_total)
    low, high = sorted((a, b))
    assert SCORE_MIN <= scaling.score(low) <= scaling.score(high) <= SCORE_MAX
    assert scaling.score(0) == SCORE_BASE
