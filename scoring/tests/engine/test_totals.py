"""Tests for scoring/engine/totals.py and fitted.py: the engine on a fitted model's parameters
(integer points, one total, a slope above and below 600), worked out by hand, and the same scores
as the fitter's own scoring of a fitted portal model."""

import copy
import dataclasses
import datetime
from decimal import Decimal
from fractions import Fraction

import numpy as np
import pytest
from django.core.exceptions import ValidationError
from hypothesis import given

from scoring.engine import (
    DEFAULT_PARAMETERS,
    DIMENSIONS,
    LOWERS,
    RAISES,
    THIN_FILE,
    THIN_FILE_FEATURES,
    THIN_FILE_MONTHS,
    BlacklistStatus,
    Features,
    FittedScorecard,
    compute,
    validate_parameters,
)
from scoring.fitting import fit_scorecard, scores
from scoring.fitting.portal import features_table, model_parameters, portal_characteristics, with_data
from scoring.tests.engine.examples import PROPERTY
from scoring.tests.engine.strategies import features_strategy, unlisted_features


def entry(name, dimension, direction, edges, points, no_data=(0,)):
    return {
        "name": name,
        "dimension": dimension,
        "kind": "numerical",
        "direction": direction,
        "no_data_values": list(no_data),
        "edges": edges,
        "points": points,
        "no_data_points": 0,
    }


# Best total 80 + 0 + 60 + 50 + 40 + 15 = 245; worst 0 - 120 - 50 + 0 + 0 + 0 = -170.
FITTED = {
    "format": "credit-life-scorecard/1",
    "weights": DEFAULT_PARAMETERS["weights"],
    "blacklist": DEFAULT_PARAMETERS["blacklist"],
    "characteristics": [
        entry("on_time_bills_24m", "credit_history", "descending", [6, 24], [10, 40, 80]),
        entry("late_bills_12m", "credit_history", "ascending", [2], [-60, -120]),
        entry("avg_balance_3m", "fulfilment_capacity", "descending", [500, 5000], [-50, 0, 60], no_data=()),
        entry("purchases_12m", "behaviour", "descending", [12], [20, 50]),
        entry("real_name_verified", "identity", "descending", [], [40]),
        entry("confirmed_contacts", "connections", "descending", [5], [5, 15]),
    ],
    "scaling": {"base": 600, "upside": 350, "downside": 250, "max_total": 245, "min_total": -170},
    "calibration": {"intercept": -2.0, "slope_per_point": -0.01},
}
SCORECARD = validate_parameters(FITTED)

# 40 - 60 + 0 + 50 + 40 + 5 = 75 points: 600 + 350 * 75 / 245 = 707.14 -> 707.
PERSON = Features(
    on_time_bills_24m=12,
    history_months=24,  # not a characteristic of this model; a file this long is not thin
    late_bills_12m=1,
    avg_balance_3m=Decimal("800.00"),
    purchases_12m=20,
    real_name_verified=True,
    confirmed_contacts=3,
)
BEST = Features(
    on_time_bills_24m=30,
    avg_balance_3m=Decimal("9000"),
    purchases_12m=12,
    real_name_verified=True,
    confirmed_contacts=5,
)
WORST = Features(late_bills_12m=2, avg_balance_3m=Decimal("0"))


def test_fitted_parameters_parse_into_a_fitted_scorecard():
    assert isinstance(SCORECARD, FittedScorecard)
    assert [c.name for c in SCORECARD.characteristics] == [
        "on_time_bills_24m",
        "late_bills_12m",
        "avg_balance_3m",
        "purchases_12m",
        "real_name_verified",
        "confirmed_contacts",
    ]


def test_an_empty_file_scores_exactly_600_with_every_dimension_at_its_no_data_place():
    result = compute(Features(), SCORECARD)
    assert (result.score, result.raw) == (600, Fraction(600))
    # credit_history spans -120..80, no data sits at 120/200; fulfilment -50..60 at 50/110.
    assert {d.key: d.score for d in result.dimensions} == {
        "credit_history": 60,
        "fulfilment_capacity": 45,
        "behaviour": 0,
        "identity": 0,
        "connections": 0,
    }
    assert [(r.code, r.direction) for r in result.reasons if r.direction == RAISES] == []


def test_the_best_profile_scores_950_and_the_worst_350():
    best, worst = compute(BEST, SCORECARD), compute(WORST, SCORECARD)
    assert (best.score, worst.score) == (950, 350)
    assert [d.score for d in best.dimensions] == [100, 100, 100, 100, 100]
    assert [d.score for d in worst.dimensions] == [0, 0, 0, 0, 0]
    assert best.reasons[0].direction == RAISES  # nothing left below its best


def test_a_hand_checked_person_scores_707_with_exact_contributions():
    result = compute(PERSON, SCORECARD)
    assert result.score == 707
    assert result.raw == 600 + Fraction(350 * 75, 245)
    # credit_history -20 of 75 points, fulfilment 0, behaviour 50, identity 40, connections 5.
    assert {d.key: d.contribution for d in result.dimensions} == {
        "credit_history": Fraction(350 * 75, 245) * Fraction(-20, 75),
        "fulfilment_capacity": 0,
        "behaviour": Fraction(350 * 75, 245) * Fraction(50, 75),
        "identity": Fraction(350 * 75, 245) * Fraction(40, 75),
        "connections": Fraction(350 * 75, 245) * Fraction(5, 75),
    }
    assert sum(d.contribution for d in result.dimensions) == result.raw - 600
    assert [d.weight for d in result.dimensions] == [
        Decimal(DEFAULT_PARAMETERS["weights"][k]) for k in DIMENSIONS
    ]
    # credit_history (-20 - -120) / 200 = 50; fulfilment 50/110 = 45.45; identity, behaviour full.
    assert [d.score for d in result.dimensions] == [50, 45, 100, 100, 33]


def test_reasons_rank_points_below_the_best_bin_and_points_above_no_data():
    result = compute(PERSON, SCORECARD)
    # At best: late bills 135 -> 793 (+86), balance 135 -> 793 (+86, later in the code order),
    # on-time bills 115 -> 764 (+57), contacts 85 -> 721 (+14). Without: purchases 25 -> 636 (-71),
    # real name 35 -> 650 (-57).
    assert [(r.code, r.direction, r.points) for r in result.reasons] == [
        ("late_bills_12m", LOWERS, 86),
        ("avg_balance_3m", LOWERS, 86),
        ("on_time_bills_24m", LOWERS, 57),
        ("confirmed_contacts", LOWERS, 14),
        ("purchases_12m", RAISES, 71),
        ("real_name_verified", RAISES, 57),
    ]
    assert result.reasons[0].params == {"count": 1, "kinds": ""}


def test_an_active_listing_caps_the_score_and_is_the_first_reason():
    listed = dataclasses.replace(
        PERSON,
        blacklist=BlacklistStatus(
            court="Court", case_number="1", listed_on=datetime.date(2025, 1, 1), months_since_lifted=None
        ),
    )
    result = compute(listed, SCORECARD)
    # min(707.14 - 150, 450) = 450.
    assert result.score == 450
    assert (result.reasons[0].code, result.reasons[0].points) == ("blacklist_active", 257)
    # Under the cap nothing else moves the score (707.14 + any gain - 150 stays above 450): the
    # cap masks the other factors, so each is named with what it is worth once the listing is gone.
    others = [r for r in result.reasons if r.direction == LOWERS][1:]
    assert others
    assert all(r.points == 0 and r.points_without_listing > 0 for r in others)
    unlisted = compute(PERSON, SCORECARD)
    worth = {r.code: r.points for r in unlisted.reasons if r.direction == LOWERS}
    assert {r.code: r.points_without_listing for r in others} == {r.code: worth[r.code] for r in others}


def test_a_listing_lifted_half_the_fade_ago_costs_half_the_penalty():
    lifted = dataclasses.replace(
        PERSON,
        blacklist=BlacklistStatus(
            court="Court", case_number="1", listed_on=datetime.date(2020, 1, 1), months_since_lifted=30
        ),
    )
    # min(707.14 - 75, 450 + 500 / 2) = 632.14 -> 632.
    assert compute(lifted, SCORECARD).score == 632


@PROPERTY
@given(features_strategy)
def test_every_fitted_score_is_a_whole_number_from_350_to_950_in_its_band(features):
    result = compute(features, SCORECARD)
    assert 350 <= result.score <= 950
    assert str(result.band) == str(type(result.band).for_score(result.score))
    assert all(0 <= d.score <= 100 for d in result.dimensions)
    assert len([r for r in result.reasons if r.direction == LOWERS]) <= 4


@PROPERTY
@given(unlisted_features, unlisted_features)
def test_the_score_never_rises_with_the_predicted_log_odds_of_bad(a, b):
    total_a, total_b = sum(SCORECARD.points(a).values()), sum(SCORECARD.points(b).values())
    odds_a, odds_b = SCORECARD.predicted_log_odds(total_a), SCORECARD.predicted_log_odds(total_b)
    score_a, score_b = compute(a, SCORECARD).score, compute(b, SCORECARD).score
    assert (odds_a < odds_b and score_a < score_b) is False
    assert (odds_a == odds_b) <= (score_a == score_b)


@PROPERTY
@given(unlisted_features)
def test_the_score_is_600_plus_the_sum_of_contributions_and_the_lowering_reasons_are_gaps(features):
    result = compute(features, SCORECARD)
    assert sum(d.contribution for d in result.dimensions) == result.raw - 600
    below_best = {
        c.name for c in SCORECARD.characteristics if c.points_of(getattr(features, c.name)) < c.best
    }
    if features.history_months < THIN_FILE_MONTHS and below_best & set(THIN_FILE_FEATURES):
        below_best = (below_best - set(THIN_FILE_FEATURES)) | {THIN_FILE}
    lowering = [r.code for r in result.reasons if r.direction == LOWERS]
    assert set(lowering) <= below_best
    assert len(lowering) == min(4, len(below_best))


def broken(**changes):
    parameters = copy.deepcopy(FITTED)
    for path, value in changes.items():
        *keys, last = path.split("__")
        target = parameters
        for key in keys:
            target = target[int(key)] if isinstance(target, list) else target[key]
        target[last] = value
    return parameters


@pytest.mark.parametrize(
    ("parameters", "message"),
    [
        (
            broken(characteristics__0__points=[10, 5, 80]),
            "characteristics[0].points: must not decrease along the bins (risk falls as the value grows)",
        ),
        (
            broken(characteristics__1__points=[-60]),
            "characteristics[1].points: needs one per bin (2), got 1",
        ),
        (broken(characteristics__0__name="age"), "characteristics[0].name: is not a scored feature"),
        (
            broken(characteristics__0__kind="categorical"),
            "characteristics[0].kind: a portal feature is binned as a number",
        ),
        (broken(scaling__max_total=300), "scaling.max_total: must be the best total the points allow, 245"),
        (broken(scaling__base=550), "scaling.base: must be 600: an empty file scores 600"),
        (
            broken(characteristics__3__no_data_values=[]),
            "characteristics: an empty file must fall in every 'no data' bin (0 points, 600)",
        ),
        (broken(characteristics__0__no_data_points=5), "characteristics[0].no_data_points: must be 0"),
        (broken(weights={**DEFAULT_PARAMETERS["weights"], "identity": "0.20"}), "weights: must add up to"),
        (broken(format="scorecard/2"), "format: must be 'credit-life-scorecard/1', got 'scorecard/2'"),
    ],
)
def test_fitted_parameters_the_engine_cannot_score_are_refused_naming_the_key(parameters, message):
    with pytest.raises(ValidationError) as raised:
        validate_parameters(parameters)
    assert any(m.startswith(message) for m in raised.value.messages), raised.value.messages


def test_a_dimension_without_points_is_refused():
    parameters = copy.deepcopy(FITTED)
    parameters["characteristics"] = [
        c for c in parameters["characteristics"] if c["dimension"] != "connections"
    ]
    parameters["scaling"]["max_total"] = 230
    with pytest.raises(ValidationError) as raised:
        validate_parameters(parameters)
    assert raised.value.messages == [
        "characteristics of connections: no points: every dimension needs a range"
    ]


# --- The engine and the fitter agree ------------------------------------------------------------


def portal_world(n: int, seed: int) -> tuple[list[Features], np.ndarray, np.ndarray]:
    """People whose hidden risk drives their features and their outcome."""
    rng = np.random.default_rng(seed)
    risk = rng.normal(size=n)
    people = []
    for r in risk:
        people.append(
            Features(
                on_time_bills_24m=int(rng.poisson(np.exp(2.5 - 0.4 * r))),
                late_bills_12m=int(rng.poisson(np.exp(-1.5 + 0.9 * r))),
                history_months=int(rng.integers(0, 80)),
                credit_utilisation_pct=None if rng.random() < 0.2 else int(np.clip(50 + 25 * r, 0, 100)),
                avg_balance_3m=Decimal(str(round(float(np.exp(8 - 0.6 * r + rng.normal(scale=0.5))), 2))),
                rent_late_12m=int(rng.poisson(np.exp(-2 + 0.8 * r))),
                purchases_12m=int(rng.poisson(np.exp(2.5 - 0.3 * r))),
                active_days_90d=int(min(rng.poisson(np.exp(2.5 - 0.3 * r)), 90)),
                real_name_verified=bool(rng.random() < 0.5 - 0.25 * r),
                education=["", "secondary", "bachelor", "master"][
                    int(np.clip(round(1.5 - r + rng.normal()), 0, 3))
                ],
                address_years=int(rng.poisson(np.exp(1.5 - 0.5 * r))),
                confirmed_contacts=int(rng.poisson(np.exp(1.5 - 0.3 * r))),
            )
        )
    outcomes = (rng.random(n) < 1 / (1 + np.exp(-(-2.2 + 1.2 * risk)))).astype(int)
    split = np.array(["dev"] * (n * 3 // 5) + ["holdout"] * (n // 5) + ["oot"] * (n - n * 3 // 5 - n // 5))
    return people, outcomes, split


@pytest.fixture(scope="module")
def fitted_portal():
    people, outcomes, split = portal_world(2500, 11)
    table = features_table(people)
    offered, _without_data = with_data(portal_characteristics(), table, np.flatnonzero(split == "dev"))
    fit = fit_scorecard(
        features=table,
        outcomes=outcomes,
        characteristics=offered,
        split=split,
        weights=DEFAULT_PARAMETERS["weights"],
    )
    return people, table, fit


def test_the_engine_scores_a_fitted_model_exactly_as_the_fitter_scored_its_samples(fitted_portal):
    people, table, fit = fitted_portal
    scorecard = validate_parameters(model_parameters(fit.parameters))
    assert [compute(person, scorecard).score for person in people] == scores(fit.parameters, table).tolist()


def test_a_fitted_portal_model_scores_an_empty_file_600(fitted_portal):
    _people, _table, fit = fitted_portal
    assert compute(Features(), validate_parameters(model_parameters(fit.parameters))).score == 600
