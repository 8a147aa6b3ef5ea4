"""Tests for scoring/engine/outcome.py: partials to dimension contributions, raw and final score,
exactly."""

import dataclasses
from decimal import Decimal

import pytest

from core.bands import SCORE_BASE, Band
from scoring.engine import DIMENSIONS, Features, compute, simulate
from scoring.tests.engine.examples import (
    BEST,
    SCORECARD,
    TYPICAL,
    WORST_UNLISTED,
    active,
    contributions,
    sub_scores,
)


def test_typical_profile_scores_exactly_the_hand_computed_753() -> None:
    result = compute(TYPICAL, SCORECARD)

    assert contributions(result) == {
        "credit_history": Decimal("42.875"),  # 0.35 * 350 * 0.35
        "fulfilment_capacity": Decimal("39.375"),  # 0.25 * 350 * 0.45
        "behaviour": Decimal("35"),  # 0.20 * 350 * 0.5
        "identity": Decimal("28.875"),  # 0.15 * 350 * 0.55
        "connections": Decimal("7"),  # 0.05 * 350 * 0.4
    }
    assert result.raw == Decimal("753.125")
    assert result.score == 753
    assert result.band == Band.EXCELLENT
    # 67.5, 72.5 and 77.5 round half up, not to even
    assert sub_scores(result) == {
        "credit_history": 68,
        "fulfilment_capacity": 73,
        "behaviour": 75,
        "identity": 78,
        "connections": 70,
    }


@pytest.mark.parametrize(
    "features",
    [Features(), BEST, WORST_UNLISTED, TYPICAL, dataclasses.replace(TYPICAL, blacklist=active())],
    ids=["fresh", "best", "worst", "typical", "typical-listed"],
)
def test_breakdown_adds_up_to_raw_minus_600(features: Features) -> None:
    result = compute(features, SCORECARD)

    assert sum(contributions(result).values()) == result.raw - SCORE_BASE
    assert tuple(d.key for d in result.dimensions) == DIMENSIONS
    assert tuple(d.weight for d in result.dimensions) == (
        Decimal("0.35"),
        Decimal("0.25"),
        Decimal("0.20"),
        Decimal("0.15"),
        Decimal("0.05"),
    )


def test_blacklist_leaves_the_scorecard_raw_and_its_breakdown_untouched() -> None:
    unlisted = compute(TYPICAL, SCORECARD)
    listed = simulate(TYPICAL, SCORECARD, blacklist=active())

    assert listed.raw == unlisted.raw
    assert listed.dimensions == unlisted.dimensions
    assert listed.score == 450
