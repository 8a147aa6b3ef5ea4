"""Tests for scoring/engine/features.py: what the engine refuses to be told about a person."""

import re
from typing import Any

import pytest

from scoring.engine import DEFAULT_PARAMETERS, OPTIONAL_FEATURES, Features
from scoring.tests.engine.examples import lifted


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"late_bills_12m": -1}, "late_bills_12m must be 0 or more"),
        ({"credit_utilisation_pct": -5}, "credit_utilisation_pct must be 0 or more"),
        ({"education": "phd"}, "education must be one of"),
        (
            {"late_bills_12m_by_kind": (("utility", -1),)},
            "late_bills_12m_by_kind['utility'] must be 0 or more",
        ),
    ],
)
def test_features_refuse_impossible_values(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        Features(**changes)


def test_blacklist_status_refuses_negative_months() -> None:
    with pytest.raises(ValueError, match="months_since_lifted must be 0 or more"):
        lifted(-1)


def test_an_optional_characteristic_may_carry_points_in_its_first_bin() -> None:
    assert DEFAULT_PARAMETERS["characteristics"]["avg_balance_3m"]["bins"][0] == [0, "-0.3"]
    assert "avg_balance_3m" in OPTIONAL_FEATURES
    assert sorted(OPTIONAL_FEATURES) == [
        "address_years",
        "avg_balance_3m",
        "credit_limit",
        "credit_utilisation_pct",
    ]
