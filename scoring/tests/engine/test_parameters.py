"""Tests for scoring/engine/parameters.py and launch_model.json: the shipped calibration, its one
source, and that migration 0002 reads the same frozen file."""

import dataclasses
import hashlib
import importlib
import json
from decimal import Decimal
from typing import Any

from scoring.engine import (
    DEFAULT_PARAMETERS,
    DIMENSIONS,
    LAUNCH_MODEL_VERSION,
    LOWER_IS_BETTER,
    SCORED_FEATURES,
    Features,
    compute,
    validate_parameters,
)
from scoring.engine.parameters import LAUNCH_MODEL_FILE
from scoring.tests.engine.examples import SCORECARD, SHIPPED

FIRST_MODEL = importlib.import_module("scoring.migrations.0002_first_scoring_model")
# Version 2026.1 is deployed: migration 0002 replays launch_model.json on every new database, so
# an edit of the file would give new databases a different 2026.1 than the one in production.
# A recalibration is a new version (its own file and migration); this digest never changes.
LAUNCH_MODEL_SHA256 = "a4fc50d7588d336e0195ea9f20fbe6064ab78ccdb5d2a1c274420ee88f4e9d43"


def test_default_parameters_survive_a_json_round_trip_and_validate_to_the_same_scorecard() -> None:
    round_tripped = json.loads(json.dumps(DEFAULT_PARAMETERS))

    assert round_tripped == DEFAULT_PARAMETERS
    assert validate_parameters(round_tripped) == SHIPPED


def test_default_parameters_cover_every_scored_feature_once_with_a_direction() -> None:
    characteristics = DEFAULT_PARAMETERS["characteristics"]

    assert set(characteristics) == set(SCORED_FEATURES)
    assert tuple(c.name for c in SCORECARD.characteristics) == SCORED_FEATURES
    assert {name for name, c in characteristics.items() if c["direction"] == LOWER_IS_BETTER} == {
        "credit_utilisation_pct",
        "late_bills_12m",
        "late_bills_older",
        "overdue_unpaid",
        "rent_late_12m",
    }


def test_default_tables_span_exactly_the_documented_range_per_dimension() -> None:
    def total(dimension: str, attribute: str) -> Decimal:
        members = [c for c in SCORECARD.characteristics if c.dimension == dimension]
        return sum((getattr(c, attribute) for c in members), Decimal(0))

    assert {d: total(d, "best") for d in DIMENSIONS} == dict.fromkeys(DIMENSIONS, Decimal(1))
    assert {d: total(d, "worst") for d in DIMENSIONS} == {
        "credit_history": Decimal(-1),
        "fulfilment_capacity": Decimal(-1),
        "behaviour": Decimal(0),
        "identity": Decimal(0),
        "connections": Decimal(0),
    }


def _best_under(params: dict[str, Any]) -> Features:
    """Every characteristic at the bound of its best bin."""
    values: dict[str, Any] = {}
    for name, spec in params["characteristics"].items():
        bins = spec["bins"]
        best_bound = max(bins, key=lambda b: Decimal(b[1]))[0]
        if name in {"real_name_verified", "phone_verified", "email_verified"}:
            values[name] = bool(best_bound)
        elif name == "education":
            values[name] = {0: "", 1: "secondary", 2: "bachelor", 3: "master", 4: "doctorate"}[best_bound]
        elif name in {"avg_balance_3m", "credit_limit"}:
            values[name] = Decimal(best_bound)
        else:
            values[name] = best_bound
    return Features(**values)


def test_shipped_model_scores_a_fresh_person_600_and_the_best_profile_950() -> None:
    assert compute(Features(), SHIPPED).score == 600
    assert compute(_best_under(DEFAULT_PARAMETERS), SHIPPED).score == 950


def test_shipped_model_puts_a_year_of_ordinary_clean_history_between_650_and_700() -> None:
    ordinary_year = Features(
        on_time_bills_24m=24,
        history_months=12,
        credit_utilisation_pct=30,
        avg_balance_3m=Decimal("6000"),
        credit_limit=Decimal("10000"),
        purchases_12m=48,
        active_days_90d=25,
        real_name_verified=True,
        phone_verified=True,
        education="bachelor",
        address_years=2,
        confirmed_contacts=4,
        interactions_90d=12,
    )

    assert 650 <= compute(ordinary_year, SHIPPED).score <= 700


def test_shipped_model_needs_years_of_history_for_the_top_of_the_range() -> None:
    best = _best_under(DEFAULT_PARAMETERS)

    assert compute(dataclasses.replace(best, history_months=12, on_time_bills_24m=24), SHIPPED).score < 920


# --- One source: launch_model.json ---------------------------------------------------------


def test_the_launch_model_is_frozen() -> None:
    canonical = json.dumps(
        {"version": LAUNCH_MODEL_VERSION, "parameters": DEFAULT_PARAMETERS}, sort_keys=True
    )

    assert LAUNCH_MODEL_VERSION == "2026.1"
    assert hashlib.sha256(canonical.encode()).hexdigest() == LAUNCH_MODEL_SHA256


def test_launch_parameters_keep_decimals_as_strings_and_bounds_as_whole_numbers() -> None:
    bins = [pair for spec in DEFAULT_PARAMETERS["characteristics"].values() for pair in spec["bins"]]

    assert {type(weight) for weight in DEFAULT_PARAMETERS["weights"].values()} == {str}
    assert {type(DEFAULT_PARAMETERS[key]) for key in ("upside", "downside")} == {int}
    assert {type(value) for value in DEFAULT_PARAMETERS["blacklist"].values()} == {int}
    assert {(type(bound), type(partial)) for bound, partial in bins} == {(int, str)}


def test_migration_0002_creates_the_launch_model_from_the_same_file() -> None:
    launch_model = json.loads(LAUNCH_MODEL_FILE.read_text(encoding="utf-8"))

    assert FIRST_MODEL.VERSION == launch_model["version"] == LAUNCH_MODEL_VERSION
    assert FIRST_MODEL.PARAMETERS == launch_model["parameters"] == DEFAULT_PARAMETERS
