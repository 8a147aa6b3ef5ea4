"""Tests for scoring/engine/validation.py: parameters parse to a Scorecard, or every problem is
named by its key."""

import copy
import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from scoring.engine import DEFAULT_PARAMETERS, validate_parameters
from scoring.tests.engine.examples import SHIPPED


def test_weights_written_as_json_numbers_parse_like_strings() -> None:
    params = copy.deepcopy(DEFAULT_PARAMETERS)
    params["weights"] = {
        "credit_history": 0.35,
        "fulfilment_capacity": 0.25,
        "behaviour": 0.2,
        "identity": 0.15,
        "connections": 0.05,
    }

    assert validate_parameters(params) == SHIPPED


def test_equal_parameters_share_one_parsed_scorecard() -> None:
    assert validate_parameters(copy.deepcopy(DEFAULT_PARAMETERS)) is SHIPPED


def _set(path: str, value: object) -> Callable[[dict[str, Any]], None]:
    def mutate(params: dict[str, Any]) -> None:
        *parents, leaf = path.split(".")
        target = params
        for parent in parents:
            target = target[parent]
        target[leaf] = value

    return mutate


def _delete(path: str) -> Callable[[dict[str, Any]], None]:
    def mutate(params: dict[str, Any]) -> None:
        *parents, leaf = path.split(".")
        target = params
        for parent in parents:
            target = target[parent]
        del target[leaf]

    return mutate


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (_set("weights.connections", "0.06"), "weights: must add up to exactly 1, got 1.01"),
        (_set("weights.connections", "-0.05"), "weights.connections: must be 0 or more"),
        (_set("weights.connections", "abc"), "weights.connections: must be a number"),
        (_set("weights.connections", True), "weights.connections: must be a number"),
        (_set("weights.social", "0"), "weights.social: is not a known key"),
        (_delete("weights.identity"), "weights.identity: is missing"),
        (_delete("characteristics.email_verified"), "characteristics.email_verified: is missing"),
        (
            _set(
                "characteristics.salary",
                {"dimension": "identity", "direction": "higher_is_better", "bins": []},
            ),
            "characteristics.salary: is not a scored feature",
        ),
        (
            _set("characteristics.on_time_bills_24m.bins", [[0, "0"], [1, "0.2"], [6, "0.1"]]),
            "characteristics.on_time_bills_24m.bins: partials must not decrease",
        ),
        (
            _set("characteristics.late_bills_12m.bins", [[0, "0"], [1, "-0.3"], [2, "-0.2"]]),
            "characteristics.late_bills_12m.bins: partials must not increase",
        ),
        (
            _set("characteristics.education.dimension", "social"),
            "characteristics.education.dimension: must be one of",
        ),
        (
            _set("characteristics.education.direction", "sideways"),
            "characteristics.education.direction: must be one of",
        ),
        (_delete("characteristics.education.direction"), "characteristics.education.direction: is missing"),
        (
            _set(
                "characteristics.confirmed_contacts.bins",
                [[0, "0"], [1, "0.2"], [5, "0.4"], [20, "0.5"], [50, "0.7"]],
            ),
            "characteristics of connections: the best partials of confirmed_contacts, interactions_90d "
            "add up to 1.1, more than 1",
        ),
        (
            _set("characteristics.late_bills_12m.bins", [[0, "0"], [1, "-0.3"], [5, "-0.7"]]),
            "characteristics of credit_history: the worst partials",
        ),
        (
            _set("characteristics.purchases_12m.bins", [[0, "0"], [12, "0.25"], [12, "0.4"]]),
            "characteristics.purchases_12m.bins[2]: lower bounds must be strictly ascending",
        ),
        (
            _set("characteristics.purchases_12m.bins", [[0, "0.1"], [12, "0.25"]]),
            'characteristics.purchases_12m.bins: the first bin must be [0, "0"]',
        ),
        (
            _set("characteristics.purchases_12m.bins", []),
            "characteristics.purchases_12m.bins: must be a non-empty",
        ),
        (
            _set("characteristics.purchases_12m.bins", [[0]]),
            "characteristics.purchases_12m.bins[0]: must be a",
        ),
        (_set("upside", 400), "upside: must be between 1 and 350"),
        (_set("downside", 300), "downside: must be between 1 and 250"),
        (_set("blacklist.cap", 550), "blacklist.cap: must lie in the poor band"),
        (_set("blacklist.fade_months", 0), "blacklist.fade_months: must be between 1 and 1200"),
        (_set("blacklist.penalty", "1.5"), "blacklist.penalty: must be a whole number"),
        (_set("version", 2), "version: is not a known key"),
        (_delete("characteristics"), "characteristics: is missing"),
    ],
)
def test_validation_refuses_bad_parameters_naming_the_key(
    mutate: Callable[[dict[str, Any]], None], expected: str
) -> None:
    # Given the defaults with one thing broken
    params = copy.deepcopy(DEFAULT_PARAMETERS)
    mutate(params)
    before = copy.deepcopy(params)
    # when validated, then the error names the key
    with pytest.raises(ValidationError) as error:
        validate_parameters(params)
    assert any(message.startswith(expected) for message in error.value.messages), error.value.messages
    # and the parameters were not touched
    assert params == before


def test_validation_reports_every_problem_at_once() -> None:
    params = copy.deepcopy(DEFAULT_PARAMETERS)
    params["characteristics"]["education"]["dimension"] = "social"
    params["characteristics"]["phone_verified"]["direction"] = "sideways"
    del params["characteristics"]["email_verified"]

    with pytest.raises(ValidationError) as error:
        validate_parameters(params)

    assert [message.split(":")[0] for message in error.value.messages] == [
        "characteristics.email_verified",
        "characteristics.education.dimension",
        "characteristics.phone_verified.direction",
    ]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ([1, 2], "parameters: must be an object"),
        ({"weights": datetime.date(2025, 1, 1)}, "parameters: must be JSON-serialisable"),
        ({"weights": float("nan")}, "parameters: must be JSON-serialisable"),
    ],
)
def test_validation_refuses_parameters_that_are_not_a_json_object(params: Any, expected: str) -> None:
    with pytest.raises(ValidationError) as error:
        validate_parameters(params)

    assert error.value.messages[0].startswith(expected)
