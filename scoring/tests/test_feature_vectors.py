"""Tests for scoring/feature_vectors.py: the stored form of a snapshot's features gives them back exactly."""

import json
from decimal import Decimal

import pytest
from hypothesis import given

from scoring.engine import Features
from scoring.feature_vectors import feature_vector_decode, feature_vector_encode
from scoring.tests.engine.strategies import features_strategy


@given(features_strategy)
def test_any_features_come_back_equal_through_json(features):
    stored = json.loads(json.dumps(feature_vector_encode(features)))

    assert feature_vector_decode(stored) == features


def test_money_keeps_its_digits():
    features = Features(avg_balance_3m=Decimal("1500.20"), credit_limit=Decimal("10000"))

    decoded = feature_vector_decode(json.loads(json.dumps(feature_vector_encode(features))))

    assert (str(decoded.avg_balance_3m), str(decoded.credit_limit)) == ("1500.20", "10000")


@pytest.mark.parametrize("stored", [None, [], [2], [1, 0, 0], {"score": 600}])
def test_a_list_of_another_form_is_refused(stored):
    with pytest.raises(ValueError, match="feature vector"):
        feature_vector_decode(stored)
