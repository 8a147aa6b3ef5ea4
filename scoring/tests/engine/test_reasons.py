"""Tests for scoring/engine/reasons.py: which reasons are shown, their points, order and params."""

import copy
import dataclasses
import json
from decimal import Decimal
from typing import Any
from unittest import mock

from hypothesis import given
from hypothesis import strategies as st

from scoring.engine import (
    BLACKLIST_ACTIVE,
    BLACKLIST_RECENT,
    DEFAULT_PARAMETERS,
    LOWERS,
    MAX_LOWERING_REASONS,
    MAX_RAISING_REASONS,
    RAISES,
    Features,
    Reason,
    compute,
    reason_text,
    simulate,
    validate_parameters,
)
from scoring.tests.engine.examples import (
    BEST,
    CASE,
    COURT,
    PROPERTY,
    SCORECARD,
    SHIPPED,
    TYPICAL,
    active,
    lifted,
    lowering,
    raising,
)
from scoring.tests.engine.strategies import features_strategy, unlisted_features


def test_best_profile_shows_three_raising_reasons_with_ties_in_code_order() -> None:
    result = compute(BEST, SCORECARD)

    # history_months and credit_utilisation_pct are both worth 0.35 * 350 * 0.3 = 36.75
    assert [(r.code, r.points) for r in result.reasons] == [
        ("on_time_bills_24m", 49),
        ("history_months", 37),
        ("credit_utilisation_pct", 37),
    ]
    assert {r.direction for r in result.reasons} == {RAISES}


def test_a_fading_listing_is_a_ranked_lowering_reason_with_its_months() -> None:
    result = simulate(BEST, SCORECARD, blacklist=lifted(30))

    assert lowering(result) == [
        Reason(
            code=BLACKLIST_RECENT,
            direction=LOWERS,
            points=250,
            params={
                "court": COURT,
                "case_number": CASE,
                "listed_on": "2025-03-01",
                "months_since_lifted": 30,
            },
        )
    ]
    assert reason_text(BLACKLIST_RECENT, LOWERS, lowering(result)[0].params) == (
        "Listing as a dishonest judgment debtor by Shanghai No. 1 Intermediate People's Court, "
        "case (2025) Hu 01 Zhi 123, lifted 30 months ago"
    )


def test_a_listing_lifted_more_than_five_years_ago_gives_no_reason() -> None:
    result = simulate(TYPICAL, SCORECARD, blacklist=lifted(60))

    assert result == compute(TYPICAL, SCORECARD)


def test_lowering_reasons_are_ranked_by_points_below_and_capped_at_four() -> None:
    # Given six hurtful characteristics; credit_history s = -0.75, fulfilment_capacity s = -0.6,
    # raw = 600 - 65.625 - 37.5 = 496.875
    features = Features(
        late_bills_12m=2,
        overdue_unpaid=1,
        credit_utilisation_pct=95,
        late_bills_older=1,
        avg_balance_3m=Decimal("100"),
        rent_late_12m=1,
    )
    result = compute(features, SCORECARD)

    assert result.score == 497
    # each at its best bin: balance -> 543, late -> 536, utilisation -> 532, rent -> 516,
    # overdue -> 510 and older -> 501 fall off the list of four
    assert [(r.code, r.points) for r in result.reasons] == [
        ("avg_balance_3m", 46),
        ("late_bills_12m", 39),
        ("credit_utilisation_pct", 35),
        ("rent_late_12m", 19),
    ]
    assert [r.params for r in result.reasons] == [
        {"amount": 100},
        {"count": 2, "kinds": ""},
        {"percent": 95},
        {"count": 1},
    ]


def test_an_active_listing_is_the_first_lowering_reason_and_counts_toward_four() -> None:
    features = Features(
        late_bills_12m=2,
        overdue_unpaid=1,
        credit_utilisation_pct=95,
        avg_balance_3m=Decimal("100"),
        rent_late_12m=1,
        blacklist=active(),
    )
    result = compute(features, SCORECARD)

    assert [r.code for r in lowering(result)] == [
        BLACKLIST_ACTIVE,
        "avg_balance_3m",
        "late_bills_12m",
        "credit_utilisation_pct",
    ]


def test_an_active_listing_is_named_even_when_parameters_make_it_cost_nothing() -> None:
    params = copy.deepcopy(DEFAULT_PARAMETERS)
    params["blacklist"] = {"penalty": 0, "cap": 549, "fade_months": 60}
    scorecard = validate_parameters(params)

    result = simulate(Features(late_bills_12m=5), scorecard, blacklist=active())

    assert result.score == 548  # min(600 - 0.35 * 250 * 0.6 - 0, 549) = 547.5, rounded half up
    assert lowering(result)[0] == Reason(
        code=BLACKLIST_ACTIVE,
        direction=LOWERS,
        points=0,
        params={"court": COURT, "case_number": CASE, "listed_on": "2025-03-01"},
    )


def test_raising_reasons_with_equal_points_are_ordered_by_code() -> None:
    # purchases_12m and active_days_90d are both worth 0.20 * 350 * 0.25 = 17.5
    result = compute(Features(purchases_12m=12, active_days_90d=10), SCORECARD)

    assert [(r.code, r.direction, r.points) for r in result.reasons] == [
        ("purchases_12m", RAISES, 17),
        ("active_days_90d", RAISES, 17),
    ]


def test_raising_reasons_are_the_three_worth_most() -> None:
    result = compute(TYPICAL, SCORECARD)

    # removing on_time_bills_24m costs 0.35 * 350 * 0.3 = 36.75, rent_on_time_12m 0.25 * 350 * 0.3
    # = 26.25, history_months 0.35 * 350 * 0.2 = 24.5; real_name_verified (21) and the rest stay out
    assert [(r.code, r.points) for r in raising(result)] == [
        ("on_time_bills_24m", 37),
        ("rent_on_time_12m", 26),
        ("history_months", 24),
    ]
    assert [r.code for r in lowering(result)] == ["late_bills_12m"]


def test_late_bill_reason_lists_kinds_by_count_then_name() -> None:
    features = Features(
        late_bills_12m=4,
        late_bills_12m_by_kind=(("utility", 1), ("credit_card", 2), ("loan", 1), ("traffic_fine", 0)),
    )
    result = compute(features, SCORECARD)

    assert result.reasons[0].params == {"count": 4, "kinds": "credit_card, loan, utility"}
    assert reason_text("late_bills_12m", LOWERS, result.reasons[0].params) == (
        "4 bills paid late in the last 12 months (credit card, loan, utility)"
    )


def test_reason_params_hold_only_json_values() -> None:
    result = compute(dataclasses.replace(TYPICAL, blacklist=lifted(12)), SCORECARD)

    assert json.loads(json.dumps([r.params for r in result.reasons])) == [r.params for r in result.reasons]


@PROPERTY
@given(features_strategy)
def test_reasons_are_capped_ordered_and_lead_with_an_active_listing(features: Features) -> None:
    result = compute(features, SCORECARD)
    lowers, raises = lowering(result), raising(result)
    listed_now = features.blacklist is not None and features.blacklist.months_since_lifted is None

    assert len(lowers) <= MAX_LOWERING_REASONS
    assert len(raises) <= MAX_RAISING_REASONS
    assert list(result.reasons) == lowers + raises
    assert (bool(lowers) and lowers[0].code == BLACKLIST_ACTIVE) == listed_now
    assert [r.code for r in result.reasons].count(BLACKLIST_ACTIVE) == int(listed_now)
    assert all(reason.points >= 0 for reason in result.reasons)
    assert [r.points for r in raises] == sorted((r.points for r in raises), reverse=True)


@PROPERTY
@given(features_strategy, st.sampled_from([SCORECARD, SHIPPED]))
def test_reasons_are_the_strongest_of_every_one_factor_change(features: Features, scorecard: Any) -> None:
    # The engine computes a change's effect only while its bound says it could still be shown;
    # here every effect is computed and ranked, and every bound checked.
    loose_bounds = []

    def every_effect_ranked(known, changes, effect, limit):
        effects = [effect(change) for change in changes]
        loose_bounds.extend(
            change.characteristic.name
            for change, candidate in zip(changes, effects, strict=True)
            if abs(candidate.exact) > change.bound
        )
        return sorted([*known, *effects], key=lambda candidate: candidate.rank)[: max(limit, 0)]

    pruned = compute(features, scorecard)
    with mock.patch("scoring.engine.reasons._strongest", every_effect_ranked):
        exhaustive = compute(features, scorecard)

    assert pruned.reasons == exhaustive.reasons
    assert loose_bounds == []


@PROPERTY
@given(unlisted_features)
def test_a_lowering_reason_points_at_what_would_be_gained_at_its_best_bin(features: Features) -> None:
    # The one-factor counterfactual, redone here through the public simulator.
    best_value = {
        "credit_utilisation_pct": 0,
        "avg_balance_3m": Decimal("50000"),
    }
    result = compute(features, SCORECARD)

    for reason in lowering(result):
        fixed = simulate(features, SCORECARD, **{reason.code: best_value.get(reason.code, 0)})
        assert reason.points == fixed.score - result.score
