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
    EDUCATION_LEVELS,
    LOWERS,
    MAX_LOWERING_REASONS,
    MAX_RAISING_REASONS,
    RAISES,
    THIN_FILE,
    THIN_FILE_FEATURES,
    THIN_FILE_MONTHS,
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
    # each at its best bin: no history yet (on-time bills 0.4 and history 0.3 together: credit_history
    # -0.75 -> -0.05, 600 - 4.375 - 37.5 = 558.125) -> 558, balance -> 543, late -> 536,
    # utilisation -> 532; rent -> 516, overdue -> 510 and older -> 501 fall off the list of four
    assert [(r.code, r.points) for r in result.reasons] == [
        ("thin_file", 61),
        ("avg_balance_3m", 46),
        ("late_bills_12m", 39),
        ("credit_utilisation_pct", 35),
    ]
    assert [r.params for r in result.reasons] == [
        {"months": 0, "bills": 3},
        {"amount": 100},
        {"count": 2, "kinds": ""},
        {"percent": 95},
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
        "thin_file",
        "avg_balance_3m",
        "late_bills_12m",
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

    assert [(r.code, r.direction, r.points) for r in raising(result)] == [
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
    # Below the best bin: late bills (0.3 * 0.35 * 350 = 36.75), no credit line limit (0.3 * 0.25 *
    # 350 = 26.25), balance (0.25 * 0.25 * 350 = 21.875) and utilisation (0.15 * 0.35 * 350 = 18.375)
    assert [(r.code, r.points) for r in lowering(result)] == [
        ("late_bills_12m", 37),
        ("credit_limit", 26),
        ("avg_balance_3m", 22),
        ("credit_utilisation_pct", 19),
    ]


def test_late_bill_reason_lists_kinds_by_count_then_name() -> None:
    features = Features(
        late_bills_12m=4,
        late_bills_12m_by_kind=(("utility", 1), ("credit_card", 2), ("loan", 1), ("traffic_fine", 0)),
    )
    result = compute(features, SCORECARD)

    late = next(r for r in result.reasons if r.code == "late_bills_12m")
    assert late.params == {"count": 4, "kinds": "credit_card, loan, utility"}
    assert reason_text("late_bills_12m", LOWERS, late.params) == (
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


def _best_value(name: str) -> object:
    """The lowest value in the hand-checked table's best bin for a characteristic."""
    characteristic = next(c for c in SCORECARD.characteristics if c.name == name)
    bound = characteristic.bounds[characteristic.partials.index(max(characteristic.partials))]
    if name == "education":
        return next(level for level, index in EDUCATION_LEVELS.items() if index == bound)
    if name in {"real_name_verified", "phone_verified", "email_verified"}:
        return bool(bound)
    if name in {"avg_balance_3m", "credit_limit"}:
        return bound
    return int(bound)


@PROPERTY
@given(unlisted_features)
def test_a_lowering_reason_points_at_what_would_be_gained_at_its_best_bin(features: Features) -> None:
    # The one-factor counterfactual, redone here through the public simulator; a thin file's
    # reason stands for its history characteristics at their best together.
    result = compute(features, SCORECARD)

    for reason in lowering(result):
        names = THIN_FILE_FEATURES if reason.code == THIN_FILE else (reason.code,)
        fixed = simulate(features, SCORECARD, **{name: _best_value(name) for name in names})
        assert reason.points == fixed.score - result.score
        assert reason.points >= 0


@PROPERTY
@given(features_strategy, st.sampled_from([SCORECARD, SHIPPED]))
def test_every_score_below_950_has_one_to_four_lowering_reasons(features: Features, scorecard: Any) -> None:
    result = compute(features, scorecard)
    lowers = lowering(result)

    assert (1 <= len(lowers) <= MAX_LOWERING_REASONS) == (result.score < 950)
    assert not set(r.code for r in lowers) & set(r.code for r in raising(result))
    assert (THIN_FILE in [r.code for r in lowers]) <= (features.history_months < THIN_FILE_MONTHS)


def test_an_empty_file_a_thin_clean_file_and_a_707_are_each_told_what_lowers_them() -> None:
    empty = compute(Features(), SHIPPED)
    thin = compute(
        Features(
            on_time_bills_24m=5,
            history_months=5,
            purchases_12m=10,
            active_days_90d=8,
            real_name_verified=True,
            phone_verified=True,
        ),
        SHIPPED,
    )

    assert empty.score == 600
    assert [(r.code, r.points) for r in lowering(empty)] == [
        ("thin_file", 86),
        ("credit_utilisation_pct", 37),
        ("avg_balance_3m", 35),
        ("purchases_12m", 35),
    ]
    assert reason_text(THIN_FILE, LOWERS, lowering(empty)[0].params) == (
        "Little credit history yet: no bills on record"
    )
    assert thin.score == 624
    assert lowering(thin)[0].code == THIN_FILE
    assert len(lowering(thin)) == MAX_LOWERING_REASONS


def test_under_an_active_listing_each_other_reason_says_what_it_is_worth_without_the_listing() -> None:
    late = dataclasses.replace(TYPICAL, late_bills_12m=2, overdue_unpaid=1)
    listed = dataclasses.replace(late, blacklist=active())

    free, capped = compute(late, SCORECARD), compute(listed, SCORECARD)

    others = [r for r in capped.reasons if r.code != BLACKLIST_ACTIVE]
    assert capped.reasons[0].code == BLACKLIST_ACTIVE
    assert capped.reasons[0].points_without_listing is None
    # The reasons are those without the listing (one lowering slot fewer: the listing takes it),
    # each with its worth then, and its (smaller) worth under the cap now.
    expected = [
        *[(r.code, r.direction, r.points) for r in lowering(free)][: MAX_LOWERING_REASONS - 1],
        *[(r.code, r.direction, r.points) for r in raising(free)],
    ]
    assert [(r.code, r.direction, r.points_without_listing) for r in others] == expected
    assert all(r.points <= r.points_without_listing for r in others if r.direction == LOWERS)
    assert any(r.points < r.points_without_listing for r in others)


def test_without_a_listing_no_reason_carries_a_worth_without_it() -> None:
    result = compute(dataclasses.replace(TYPICAL, blacklist=lifted(3)), SCORECARD)

    assert {r.points_without_listing for r in result.reasons} == {None}
