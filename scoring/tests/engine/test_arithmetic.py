"""Tests for scoring/engine/arithmetic.py: the single half-up rounding, the sub-score, and the
blacklist rule's exact scores and its properties."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.bands import Band
from scoring.engine import BlacklistStatus, Features, compute, simulate
from scoring.tests.engine.examples import BEST, PROPERTY, SCORECARD, TYPICAL, active, lifted, round_half_up
from scoring.tests.engine.strategies import features_strategy, unlisted_features


def test_final_score_rounds_half_up_once_at_the_end() -> None:
    # 600 + 0.05*350*0.2 (one contact) + 0.20*350*0.1 (one purchase) = 610.5
    result = compute(Features(confirmed_contacts=1, purchases_12m=1), SCORECARD)

    assert result.raw == Decimal("610.5")
    assert result.score == 611


def test_sub_score_is_50_times_standing_plus_one_rounded_half_up() -> None:
    # Given a standing recovered from the contribution: s = c / (w * budget)
    result = compute(TYPICAL, SCORECARD)

    for dimension in result.dimensions:
        budget = 350 if dimension.contribution >= 0 else 250
        standing = dimension.contribution / (dimension.weight * budget)
        assert dimension.score == round_half_up(50 * (standing + 1))


@pytest.mark.parametrize(
    ("features", "blacklist", "expected"),
    [
        (Features(), active(), 450),  # min(600 - 150, 450)
        (Features(late_bills_12m=1), active(), 424),  # min(573.75 - 150, 450) = 423.75
        (BEST, active(), 450),
        (BEST, lifted(0), 450),  # the month it is lifted changes nothing yet
        (BEST, lifted(1), 458),  # min(950 - 147.5, 450 + 500/60) = 458.33
        (BEST, lifted(3), 475),  # 450 + 25
        (BEST, lifted(30), 700),  # min(875, 700)
        (Features(), lifted(30), 525),  # min(600 - 75, 700)
        (Features(), lifted(59), 598),  # min(597.5, 941.67) rounds half up
        (Features(), lifted(60), 600),  # faded out
        (BEST, lifted(120), 950),
    ],
)
def test_blacklist_rule_gives_exact_scores(
    features: Features, blacklist: BlacklistStatus, expected: int
) -> None:
    assert simulate(features, SCORECARD, blacklist=blacklist).score == expected


@PROPERTY
@given(unlisted_features)
def test_an_unlisted_score_is_the_raw_rounded_half_up_between_450_and_950(features: Features) -> None:
    result = compute(features, SCORECARD)

    assert Decimal(450) <= result.raw <= Decimal(950)
    assert result.score == round_half_up(result.raw)


@PROPERTY
@given(unlisted_features)
def test_a_new_active_listing_never_raises_and_lands_in_poor(features: Features) -> None:
    unlisted = compute(features, SCORECARD)

    listed = simulate(features, SCORECARD, blacklist=active())

    assert listed.score <= unlisted.score
    assert listed.score < 550
    assert listed.band == Band.POOR


@PROPERTY
@given(unlisted_features, st.integers(min_value=0, max_value=120), st.integers(min_value=0, max_value=120))
def test_recovery_never_goes_down_as_months_since_lifted_grow(
    features: Features, first: int, second: int
) -> None:
    earlier, later = sorted((first, second))

    still_listed = simulate(features, SCORECARD, blacklist=active()).score
    at_earlier = simulate(features, SCORECARD, blacklist=lifted(earlier)).score
    at_later = simulate(features, SCORECARD, blacklist=lifted(later)).score
    unlisted = compute(features, SCORECARD).score

    assert still_listed <= at_earlier <= at_later <= unlisted


@PROPERTY
@given(features_strategy)
def test_a_listed_person_never_scores_above_their_unlisted_self(features: Features) -> None:
    unlisted = simulate(features, SCORECARD, blacklist=None)

    assert compute(features, SCORECARD).score <= unlisted.score
