"""Tests for scoring/engine/score.py: compute and simulate end to end, anchors and properties."""

import copy
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.bands import SCORE_BASE, SCORE_MAX, SCORE_MIN, Band
from scoring.engine import (
    BLACKLIST_ACTIVE,
    DIMENSIONS,
    LOWERS,
    Features,
    Reason,
    compute,
    reason_text,
    simulate,
)
from scoring.tests.engine.examples import (
    BEST,
    CASE,
    COURT,
    PROPERTY,
    SCORECARD,
    WORST_UNLISTED,
    active,
    contributions,
    sub_scores,
)
from scoring.tests.engine.strategies import features_strategy


def test_fresh_person_scores_exactly_600_in_band_good_with_every_sub_score_50() -> None:
    # Given a person who has just opted in, when scored
    result = compute(Features(), SCORECARD)
    # then they sit on the base score with neutral sub-scores, told what keeps them from more:
    # no history yet (0.4 + 0.3 of credit_history, 0.7 * 0.35 * 350 = 85.75), no credit line
    # (0.3 * 0.35 * 350 = 36.75), no balance (0.4 * 0.25 * 350) and no purchases (0.5 * 0.2 * 350)
    assert result.score == 600
    assert result.band == Band.GOOD
    assert result.raw == 600
    assert sub_scores(result) == dict.fromkeys(DIMENSIONS, 50)
    assert contributions(result) == dict.fromkeys(DIMENSIONS, Decimal(0))
    assert [(r.code, r.direction, r.points, r.params) for r in result.reasons] == [
        ("thin_file", LOWERS, 86, {"months": 0, "bills": 0}),
        ("credit_utilisation_pct", LOWERS, 37, {}),
        ("avg_balance_3m", LOWERS, 35, {}),
        ("purchases_12m", LOWERS, 35, {"count": 0}),
    ]


def test_best_possible_profile_scores_exactly_950_with_every_sub_score_100() -> None:
    result = compute(BEST, SCORECARD)

    assert result.score == 950
    assert result.band == Band.EXCELLENT
    assert result.raw == 950
    assert sub_scores(result) == dict.fromkeys(DIMENSIONS, 100)
    assert contributions(result) == {
        "credit_history": Decimal("122.5"),
        "fulfilment_capacity": Decimal("87.5"),
        "behaviour": Decimal("70"),
        "identity": Decimal("52.5"),
        "connections": Decimal("17.5"),
    }


def test_worst_unlisted_profile_scores_the_documented_minimum_450() -> None:
    # Given every hurtful bin and nothing helpful: 600 - 0.35*250 - 0.25*250 = 450
    result = compute(WORST_UNLISTED, SCORECARD)

    assert result.score == 450
    assert result.raw == 450
    assert result.band == Band.POOR
    assert sub_scores(result) == {
        "credit_history": 0,
        "fulfilment_capacity": 0,
        "behaviour": 50,
        "identity": 50,
        "connections": 50,
    }


def test_worst_profile_with_an_active_listing_is_clamped_to_the_floor_350() -> None:
    # 450 - 150 = 300, below the floor
    result = simulate(WORST_UNLISTED, SCORECARD, blacklist=active())

    assert result.score == SCORE_MIN == 350
    assert result.raw == 450


def test_active_listing_on_the_best_profile_scores_poor_and_names_court_and_case_first() -> None:
    result = simulate(BEST, SCORECARD, blacklist=active())

    assert result.score == 450
    assert result.band == Band.POOR
    assert result.reasons[0] == Reason(
        code=BLACKLIST_ACTIVE,
        direction=LOWERS,
        points=500,
        params={"court": COURT, "case_number": CASE, "listed_on": "2025-03-01"},
    )
    assert reason_text(BLACKLIST_ACTIVE, LOWERS, result.reasons[0].params) == (
        "Listed as a dishonest judgment debtor by Shanghai No. 1 Intermediate People's Court, "
        "case (2025) Hu 01 Zhi 123, since March 1, 2025"
    )


def test_simulate_scores_the_changed_features_and_leaves_the_original_alone() -> None:
    original = Features(late_bills_12m=1)

    result = simulate(original, SCORECARD, late_bills_12m=0, phone_verified=True)

    assert result == compute(Features(phone_verified=True), SCORECARD)
    assert original == Features(late_bills_12m=1)


def test_simulate_rejects_an_unknown_change_with_type_error() -> None:
    with pytest.raises(TypeError):
        simulate(Features(), SCORECARD, salary=10_000)


@PROPERTY
@given(features_strategy)
def test_every_score_is_a_whole_number_in_range_with_its_band(features: Features) -> None:
    result = compute(features, SCORECARD)

    assert isinstance(result.score, int)
    assert SCORE_MIN <= result.score <= SCORE_MAX
    assert result.band == Band.for_score(result.score)
    assert all(0 <= dimension.score <= 100 for dimension in result.dimensions)
    assert sum(contributions(result).values()) == result.raw - SCORE_BASE


@PROPERTY
@given(features_strategy)
def test_scoring_is_deterministic(features: Features) -> None:
    assert compute(features, SCORECARD) == compute(copy.deepcopy(features), SCORECARD)


@PROPERTY
@given(features_strategy, st.randoms())
def test_the_order_of_late_bill_kinds_changes_nothing(features: Features, random: Any) -> None:
    shuffled = list(features.late_bills_12m_by_kind)
    random.shuffle(shuffled)

    assert simulate(features, SCORECARD, late_bills_12m_by_kind=tuple(shuffled)) == compute(
        features, SCORECARD
    )
