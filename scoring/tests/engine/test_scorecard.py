"""Tests for scoring/engine/scorecard.py: binning of feature values, a dimension's budget, and the
direction each characteristic moves a score."""

from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given

from core.bands import Band
from scoring.engine import DEFAULT_PARAMETERS, EDUCATION_LEVELS, SCORED_FEATURES, Features, compute, simulate
from scoring.tests.engine.examples import (
    BEST,
    PROPERTY,
    PROPERTY_PER_PARAMETER,
    SCORECARD,
    contributions,
    sub_scores,
)
from scoring.tests.engine.strategies import features_strategy


def test_a_doctorate_scores_like_a_masters_degree() -> None:
    result = simulate(BEST, SCORECARD, education="doctorate")

    assert result.score == 950


def test_a_negative_standing_uses_the_downside_budget() -> None:
    # 600 + 0.35 * 250 * -0.3 = 573.75
    result = compute(Features(late_bills_12m=1), SCORECARD)

    assert contributions(result)["credit_history"] == Decimal("-26.25")
    assert result.raw == Decimal("573.75")
    assert result.score == 574
    assert result.band == Band.FAIR
    assert sub_scores(result)["credit_history"] == 35


def test_no_data_scores_zero_while_zero_utilisation_is_the_best_bin() -> None:
    no_credit_line = compute(Features(credit_utilisation_pct=None), SCORECARD)
    unused_credit_line = compute(Features(credit_utilisation_pct=0), SCORECARD)

    assert no_credit_line.score == 600
    assert unused_credit_line.raw == Decimal("636.75")  # 600 + 0.35 * 350 * 0.3


def test_a_value_below_the_first_bound_falls_in_the_first_bin() -> None:
    overdrawn = compute(Features(avg_balance_3m=Decimal("-100.00")), SCORECARD)
    empty = compute(Features(avg_balance_3m=Decimal("0.00")), SCORECARD)

    assert overdrawn.raw == empty.raw == Decimal("581.25")  # 600 + 0.25 * 250 * -0.3


@pytest.mark.parametrize(
    ("value", "expected_raw"),
    [
        (Decimal("1999.99"), Decimal("593.75")),  # -0.1 bin
        (Decimal("2000"), Decimal("600")),  # a bound belongs to the bin it starts
        (Decimal("2000.01"), Decimal("600")),
    ],
)
def test_decimal_values_compare_exactly_against_bounds(value: Decimal, expected_raw: Decimal) -> None:
    assert compute(Features(avg_balance_3m=value), SCORECARD).raw == expected_raw


@pytest.mark.parametrize("name", ["late_bills_12m", "overdue_unpaid", "rent_late_12m", "late_bills_older"])
@PROPERTY
@given(features=features_strategy)
def test_a_late_payment_never_raises_the_score(name: str, features: Features) -> None:
    worse = simulate(features, SCORECARD, **{name: getattr(features, name) + 1})

    assert worse.score <= compute(features, SCORECARD).score


@pytest.mark.parametrize("name", ["on_time_bills_24m", "rent_on_time_12m"])
@PROPERTY
@given(features=features_strategy)
def test_an_on_time_payment_never_lowers_the_score(name: str, features: Features) -> None:
    better = simulate(features, SCORECARD, **{name: getattr(features, name) + 1})

    assert better.score >= compute(features, SCORECARD).score


def _step_up(name: str, value: Any) -> Any:
    """The next value of a feature along its natural order (None stays: no data is not a step)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return True
    if name == "education":
        levels = sorted(EDUCATION_LEVELS, key=EDUCATION_LEVELS.__getitem__)
        return levels[min(EDUCATION_LEVELS[value] + 1, len(levels) - 1)]
    if isinstance(value, Decimal):
        return value + 500
    return value + 1


@pytest.mark.parametrize("name", SCORED_FEATURES)
@PROPERTY_PER_PARAMETER
@given(features=features_strategy)
def test_every_characteristic_moves_the_score_only_in_its_documented_direction(
    name: str, features: Features
) -> None:
    direction = DEFAULT_PARAMETERS["characteristics"][name]["direction"]
    before = compute(features, SCORECARD).score

    after = simulate(features, SCORECARD, **{name: _step_up(name, getattr(features, name))}).score

    assert after >= before if direction == "higher_is_better" else after <= before
