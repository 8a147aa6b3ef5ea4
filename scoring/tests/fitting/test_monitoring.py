"""Tests for scoring/fitting/monitoring.py: PSI and CSI with their known values, and the stability levels."""

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scoring.fitting import DESCENDING, csi, psi, psi_from_counts, stability
from scoring.fitting.monitoring import MIN_SHARE

# --- PSI and CSI --------------------------------------------------------------------------------

KNOWN_PSI = 0.25 * math.log(2) + 0.25 * math.log(1.5)  # shares 0.5/0.5 against 0.25/0.75


def test_psi_of_two_histograms_has_its_known_value():
    assert psi_from_counts([50, 50], [25, 75]) == pytest.approx(KNOWN_PSI, rel=1e-12)
    assert psi_from_counts([10, 20, 30], [10, 20, 30]) == 0


def test_psi_stands_a_small_share_in_for_an_empty_bin():
    expected = (0.5 - MIN_SHARE) * math.log(0.5 / MIN_SHARE) + (0.5 - 1) * math.log(0.5)
    assert psi_from_counts([50, 50], [0, 100]) == pytest.approx(expected, rel=1e-12)


def test_psi_of_score_distributions_buckets_by_50_points():
    # 400 and 449 share a bucket, 700 is in another
    assert psi([400] * 50 + [700] * 50, [449] * 25 + [700] * 75) == pytest.approx(KNOWN_PSI, rel=1e-12)
    assert psi([400, 700], [400, 700]) == 0


def test_psi_refuses_empty_or_mismatched_histograms():
    with pytest.raises(ValueError, match="same, non-zero, number of bins"):
        psi_from_counts([1, 2], [1])
    with pytest.raises(ValueError, match="at least one count"):
        psi_from_counts([0, 0], [1, 1])


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.integers(350, 950), min_size=1, max_size=50),
    st.lists(st.integers(350, 950), min_size=1, max_size=50),
)
def test_psi_is_never_negative_and_zero_against_itself(expected, actual):
    assert psi(expected, actual) >= 0
    assert psi(expected, expected) == 0


def test_csi_per_characteristic_has_its_known_value():
    parameters = {
        "characteristics": [
            {
                "name": "bills",
                "dimension": "credit_history",
                "kind": "numerical",
                "direction": DESCENDING,
                "edges": [10.0],
                "points": [-5, 5],
            },
            {
                "name": "channel",
                "dimension": "identity",
                "kind": "categorical",
                "direction": None,
                "groups": [["app"], ["web", "shop"]],
                "points": [3, -3],
            },
        ]
    }
    baseline = {"bills": [5] * 50 + [15] * 50, "channel": ["app"] * 50 + [None] * 50}
    today = {"bills": [5] * 25 + [15] * 75, "channel": ["app"] * 25 + [None] * 75}
    assert csi(parameters, baseline, today) == pytest.approx(
        {"bills": KNOWN_PSI, "channel": KNOWN_PSI}, rel=1e-12
    )


@pytest.mark.parametrize(
    ("value", "level"),
    [
        (0.0, "stable"),
        (0.0999, "stable"),
        (0.10, "investigate"),
        (0.2499, "investigate"),
        (0.25, "act"),
        (1.3, "act"),
    ],
)
def test_stability_levels_follow_the_issue_thresholds(value, level):
    assert stability(value) == level
