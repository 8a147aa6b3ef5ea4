"""Tests for scoring/engine.py: exact scores, the breakdown, the blacklist rule, reasons and texts,
parameter validation, and hypothesis properties over generated features."""

import copy
import dataclasses
import datetime
import json
import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from core.bands import SCORE_BASE, SCORE_MAX, SCORE_MIN, Band
from scoring import engine
from scoring.engine import (
    BLACKLIST_ACTIVE,
    BLACKLIST_RECENT,
    DEFAULT_PARAMETERS,
    DIMENSIONS,
    EDUCATION_LEVELS,
    LOWER_IS_BETTER,
    LOWERS,
    MAX_LOWERING_REASONS,
    MAX_RAISING_REASONS,
    OPTIONAL_FEATURES,
    RAISES,
    REASON_CODES,
    SCORED_FEATURES,
    BlacklistStatus,
    Features,
    Reason,
    ScoreResult,
    compute,
    reason_advice,
    reason_text,
    simulate,
    validate_parameters,
)

# The exact-arithmetic tests below were worked out by hand on these point tables; keeping them
# apart from the shipped calibration lets the model be recalibrated without redoing the sums.
HAND_CHECKED_BINS: dict[str, list[list[Any]]] = {
    "on_time_bills_24m": [[0, "0"], [1, "0.1"], [6, "0.2"], [12, "0.3"], [24, "0.4"]],
    "history_months": [[0, "0"], [1, "0.05"], [6, "0.1"], [12, "0.2"], [36, "0.25"], [60, "0.3"]],
    "credit_utilisation_pct": [[0, "0.3"], [30, "0.15"], [50, "0"], [70, "-0.05"], [90, "-0.1"]],
    "late_bills_12m": [[0, "0"], [1, "-0.3"], [2, "-0.45"], [3, "-0.55"], [5, "-0.6"]],
    "late_bills_older": [[0, "0"], [1, "-0.05"], [3, "-0.1"]],
    "overdue_unpaid": [[0, "0"], [1, "-0.15"], [2, "-0.2"]],
    "avg_balance_3m": [
        [0, "-0.3"],
        [500, "-0.1"],
        [2000, "0"],
        [5000, "0.15"],
        [20000, "0.3"],
        [50000, "0.4"],
    ],
    "rent_on_time_12m": [[0, "0"], [1, "0.1"], [6, "0.2"], [12, "0.3"]],
    "rent_late_12m": [[0, "0"], [1, "-0.3"], [2, "-0.5"], [3, "-0.7"]],
    "credit_limit": [[0, "0"], [2000, "0.1"], [10000, "0.2"], [50000, "0.3"]],
    "purchases_12m": [[0, "0"], [1, "0.1"], [12, "0.25"], [60, "0.4"], [200, "0.5"]],
    "active_days_90d": [[0, "0"], [1, "0.1"], [10, "0.25"], [30, "0.4"], [60, "0.5"]],
    "real_name_verified": [[0, "0"], [1, "0.4"]],
    "education": [[0, "0"], [1, "0.05"], [2, "0.1"], [3, "0.15"]],
    "address_years": [[0, "0"], [1, "0.1"], [3, "0.15"], [5, "0.2"]],
    "phone_verified": [[0, "0"], [1, "0.15"]],
    "email_verified": [[0, "0"], [1, "0.1"]],
    "confirmed_contacts": [[0, "0"], [1, "0.2"], [5, "0.4"], [20, "0.5"], [50, "0.6"]],
    "interactions_90d": [[0, "0"], [1, "0.1"], [10, "0.25"], [50, "0.4"]],
}
HAND_CHECKED_PARAMETERS = {
    **DEFAULT_PARAMETERS,
    "characteristics": {
        name: {**spec, "bins": HAND_CHECKED_BINS[name]}
        for name, spec in DEFAULT_PARAMETERS["characteristics"].items()
    },
}
SCORECARD = validate_parameters(HAND_CHECKED_PARAMETERS)
SHIPPED = validate_parameters(DEFAULT_PARAMETERS)
PROPERTY = settings(max_examples=100, deadline=None)
# Parametrised properties run once per parameter, so each run gets fewer examples.
PROPERTY_PER_PARAMETER = settings(max_examples=40, deadline=None)

COURT = "Shanghai No. 1 Intermediate People's Court"
CASE = "(2025) Hu 01 Zhi 123"
LISTED_ON = datetime.date(2025, 3, 1)

BEST = Features(
    on_time_bills_24m=24,
    history_months=60,
    credit_utilisation_pct=0,
    avg_balance_3m=Decimal("50000"),
    rent_on_time_12m=12,
    credit_limit=Decimal("50000"),
    purchases_12m=200,
    active_days_90d=60,
    real_name_verified=True,
    education="master",
    address_years=5,
    phone_verified=True,
    email_verified=True,
    confirmed_contacts=50,
    interactions_90d=50,
)
WORST_UNLISTED = Features(
    late_bills_12m=5,
    late_bills_older=3,
    overdue_unpaid=2,
    credit_utilisation_pct=90,
    avg_balance_3m=Decimal("0"),
    rent_late_12m=3,
)
# A year of ordinary life with one late bill; every number below is worked out by hand.
TYPICAL = Features(
    on_time_bills_24m=12,  # +0.3
    history_months=12,  # +0.2
    credit_utilisation_pct=30,  # +0.15
    late_bills_12m=1,  # -0.3  -> credit_history s = 0.35
    avg_balance_3m=Decimal("5000.00"),  # +0.15
    rent_on_time_12m=12,  # +0.3   -> fulfilment_capacity s = 0.45
    purchases_12m=12,  # +0.25
    active_days_90d=10,  # +0.25   -> behaviour s = 0.5
    real_name_verified=True,  # +0.4
    phone_verified=True,  # +0.15  -> identity s = 0.55
    confirmed_contacts=5,  # +0.4    -> connections s = 0.4
)


def active(**changes: Any) -> BlacklistStatus:
    return dataclasses.replace(
        BlacklistStatus(court=COURT, case_number=CASE, listed_on=LISTED_ON, months_since_lifted=None),
        **changes,
    )


def lifted(months: int) -> BlacklistStatus:
    return active(months_since_lifted=months)


def sub_scores(result: ScoreResult) -> dict[str, int]:
    return {dimension.key: dimension.score for dimension in result.dimensions}


def contributions(result: ScoreResult) -> dict[str, Decimal]:
    return {dimension.key: dimension.contribution for dimension in result.dimensions}


def lowering(result: ScoreResult) -> list[Reason]:
    return [reason for reason in result.reasons if reason.direction == LOWERS]


def raising(result: ScoreResult) -> list[Reason]:
    return [reason for reason in result.reasons if reason.direction == RAISES]


def round_half_up(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding="ROUND_HALF_UP"))


# --- Anchors: fresh, best, worst ------------------------------------------------------------


def test_fresh_person_scores_exactly_600_in_band_good_with_every_sub_score_50() -> None:
    # Given a person who has just opted in, when scored
    result = compute(Features(), SCORECARD)
    # then they sit on the base score with neutral sub-scores and nothing to explain
    assert result.score == 600
    assert result.band == Band.GOOD
    assert result.raw == 600
    assert sub_scores(result) == dict.fromkeys(DIMENSIONS, 50)
    assert contributions(result) == dict.fromkeys(DIMENSIONS, Decimal(0))
    assert result.reasons == ()


def test_best_possible_profile_scores_exactly_950_with_every_sub_score_100() -> None:
    result = compute(BEST, SCORECARD)

    assert result.score == 950
    assert result.band == Band.EXCELLENT
    assert result.raw == 950
    assert sub_scores(result) == dict.fromkeys(DIMENSIONS, 100)
    assert contributions(result) == {
        "credit_history": Decimal("122.5"),
        "fulfilment_capacity": Decimal("87.5"),
        "behaviour": Decimal("70"),
        "identity": Decimal("52.5"),
        "connections": Decimal("17.5"),
    }


def test_a_doctorate_scores_like_a_masters_degree() -> None:
    result = simulate(BEST, SCORECARD, education="doctorate")

    assert result.score == 950


def test_best_profile_shows_three_raising_reasons_with_ties_in_code_order() -> None:
    result = compute(BEST, SCORECARD)

    # history_months and credit_utilisation_pct are both worth 0.35 * 350 * 0.3 = 36.75
    assert [(r.code, r.points) for r in result.reasons] == [
        ("on_time_bills_24m", 49),
        ("history_months", 37),
        ("credit_utilisation_pct", 37),
    ]
    assert {r.direction for r in result.reasons} == {RAISES}


def test_worst_unlisted_profile_scores_the_documented_minimum_450() -> None:
    # Given every hurtful bin and nothing helpful: 600 - 0.35*250 - 0.25*250 = 450
    result = compute(WORST_UNLISTED, SCORECARD)

    assert result.score == 450
    assert result.raw == 450
    assert result.band == Band.POOR
    assert sub_scores(result) == {
        "credit_history": 0,
        "fulfilment_capacity": 0,
        "behaviour": 50,
        "identity": 50,
        "connections": 50,
    }


def test_worst_profile_with_an_active_listing_is_clamped_to_the_floor_350() -> None:
    # 450 - 150 = 300, below the floor
    result = simulate(WORST_UNLISTED, SCORECARD, blacklist=active())

    assert result.score == SCORE_MIN == 350
    assert result.raw == 450


def test_active_listing_on_the_best_profile_scores_poor_and_names_court_and_case_first() -> None:
    result = simulate(BEST, SCORECARD, blacklist=active())

    assert result.score == 450
    assert result.band == Band.POOR
    assert result.reasons[0] == Reason(
        code=BLACKLIST_ACTIVE,
        direction=LOWERS,
        points=500,
        params={"court": COURT, "case_number": CASE, "listed_on": "2025-03-01"},
    )
    assert reason_text(BLACKLIST_ACTIVE, LOWERS, result.reasons[0].params) == (
        "Listed as a dishonest judgment debtor by Shanghai No. 1 Intermediate People's Court, "
        "case (2025) Hu 01 Zhi 123, since 2025-03-01"
    )


# --- Exact arithmetic -----------------------------------------------------------------------


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


def test_final_score_rounds_half_up_once_at_the_end() -> None:
    # 600 + 0.05*350*0.2 (one contact) + 0.20*350*0.1 (one purchase) = 610.5
    result = compute(Features(confirmed_contacts=1, purchases_12m=1), SCORECARD)

    assert result.raw == Decimal("610.5")
    assert result.score == 611


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


def test_sub_score_is_50_times_standing_plus_one_rounded_half_up() -> None:
    # Given a standing recovered from the contribution: s = c / (w * budget)
    result = compute(TYPICAL, SCORECARD)

    for dimension in result.dimensions:
        budget = 350 if dimension.contribution >= 0 else 250
        standing = dimension.contribution / (dimension.weight * budget)
        assert dimension.score == round_half_up(50 * (standing + 1))


# --- Blacklist ------------------------------------------------------------------------------


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


def test_blacklist_leaves_the_scorecard_raw_and_its_breakdown_untouched() -> None:
    unlisted = compute(TYPICAL, SCORECARD)
    listed = simulate(TYPICAL, SCORECARD, blacklist=active())

    assert listed.raw == unlisted.raw
    assert listed.dimensions == unlisted.dimensions
    assert listed.score == 450


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


# --- Reasons --------------------------------------------------------------------------------


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


# --- Texts ----------------------------------------------------------------------------------

# One example of the params the engine produces for every code, with the sentence it renders.
TEXT_EXAMPLES: dict[str, tuple[dict[str, int | str], str]] = {
    BLACKLIST_ACTIVE: (
        {"court": COURT, "case_number": CASE, "listed_on": "2025-03-01"},
        f"Listed as a dishonest judgment debtor by {COURT}, case {CASE}, since 2025-03-01",
    ),
    BLACKLIST_RECENT: (
        {"court": COURT, "case_number": CASE, "listed_on": "2025-03-01", "months_since_lifted": 1},
        f"Listing as a dishonest judgment debtor by {COURT}, case {CASE}, lifted 1 month ago",
    ),
    "on_time_bills_24m": ({"count": 1}, "1 bill paid on time in the last 24 months"),
    "late_bills_12m": ({"count": 2, "kinds": "utility"}, "2 bills paid late in the last 12 months (utility)"),
    "late_bills_older": ({"count": 3}, "3 bills paid late between 1 and 5 years ago"),
    "overdue_unpaid": ({"count": 1}, "1 bill past due and still unpaid"),
    "history_months": ({"months": 14}, "14 months of bill history"),
    "credit_utilisation_pct": ({"percent": 85}, "Credit line 85% used"),
    "avg_balance_3m": ({"amount": 1200}, "Average balance of 1200 RMB over the last 3 months"),
    "rent_on_time_12m": ({"count": 12}, "12 rent payments on time in the last 12 months"),
    "rent_late_12m": ({"count": 1}, "1 rent payment late in the last 12 months"),
    "credit_limit": ({"amount": 20000}, "Credit line limit of 20000 RMB"),
    "purchases_12m": ({"count": 30}, "30 purchases in the last 12 months"),
    "active_days_90d": ({"days": 1}, "Active on 1 day in the last 90 days"),
    "real_name_verified": ({"verified": 1}, "Real name verified"),
    "education": ({"level": "bachelor"}, "Education on record: bachelor's degree"),
    "address_years": ({"years": 4}, "At the same address for 4 years"),
    "phone_verified": ({"verified": 1}, "Phone number verified"),
    "email_verified": ({"verified": 0}, "Email address not verified"),
    "confirmed_contacts": ({"count": 6}, "6 confirmed contacts"),
    "interactions_90d": ({"count": 1}, "1 interaction with contacts in the last 90 days"),
}


def test_every_reason_code_has_a_text_example() -> None:
    assert set(TEXT_EXAMPLES) == set(REASON_CODES)


@pytest.mark.parametrize("direction", [LOWERS, RAISES])
@pytest.mark.parametrize("code", REASON_CODES)
def test_every_code_renders_its_plain_text_in_both_directions(code: str, direction: str) -> None:
    params, expected = TEXT_EXAMPLES[code]

    assert reason_text(code, direction, params) == expected


@pytest.mark.parametrize("direction", [LOWERS, RAISES])
@pytest.mark.parametrize("code", REASON_CODES)
def test_every_code_has_its_own_advice_in_both_directions(code: str, direction: str) -> None:
    advice = reason_advice(code, direction)

    assert advice
    assert advice != reason_advice("no_such_code", direction)


@pytest.mark.parametrize(
    ("code", "direction", "expected"),
    [
        ("overdue_unpaid", LOWERS, "Pay the overdue bills; late payments stop counting after 5 years."),
        (
            BLACKLIST_ACTIVE,
            LOWERS,
            "If this listing is wrong, dispute it: disputes are answered within 20 days. "
            "If it is right, complying with the judgment gets it lifted.",
        ),
    ],
)
def test_advice_says_what_the_person_can_do(code: str, direction: str, expected: str) -> None:
    assert reason_advice(code, direction) == expected


def test_unknown_code_gets_a_generic_text_and_advice_not_an_exception() -> None:
    assert reason_text("no_such_code", LOWERS, {}) == "Something in your data lowers your score"
    assert reason_text("no_such_code", RAISES, {}) == "Something in your data raises your score"
    assert reason_advice("no_such_code", LOWERS) == "See the breakdown of your score for what feeds it."


@pytest.mark.parametrize("params", [{}, {"count": "two"}, {"count": None}], ids=["missing", "text", "none"])
def test_malformed_params_get_the_generic_text_not_an_exception(params: dict[str, Any]) -> None:
    assert reason_text("late_bills_12m", LOWERS, params) == "Something in your data lowers your score"


def test_no_education_on_record_has_its_own_text() -> None:
    assert reason_text("education", RAISES, {"level": ""}) == "No education on record"


# --- simulate and Features ------------------------------------------------------------------


def test_simulate_scores_the_changed_features_and_leaves_the_original_alone() -> None:
    original = Features(late_bills_12m=1)

    result = simulate(original, SCORECARD, late_bills_12m=0, phone_verified=True)

    assert result == compute(Features(phone_verified=True), SCORECARD)
    assert original == Features(late_bills_12m=1)


def test_simulate_rejects_an_unknown_change_with_type_error() -> None:
    with pytest.raises(TypeError):
        simulate(Features(), SCORECARD, salary=10_000)


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


# --- Parameters -----------------------------------------------------------------------------


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


def test_an_optional_characteristic_may_carry_points_in_its_first_bin() -> None:
    assert DEFAULT_PARAMETERS["characteristics"]["avg_balance_3m"]["bins"][0] == [0, "-0.3"]
    assert "avg_balance_3m" in OPTIONAL_FEATURES
    assert sorted(OPTIONAL_FEATURES) == [
        "address_years",
        "avg_balance_3m",
        "credit_limit",
        "credit_utilisation_pct",
    ]


# --- Properties -----------------------------------------------------------------------------

counts = st.integers(min_value=0, max_value=300)
blacklists = st.none() | st.builds(
    BlacklistStatus,
    court=st.sampled_from([COURT, "Hangzhou Intermediate People's Court"]),
    case_number=st.sampled_from([CASE, "(2024) Zhe 01 Zhi 7"]),
    listed_on=st.dates(min_value=datetime.date(2010, 1, 1), max_value=datetime.date(2030, 12, 31)),
    months_since_lifted=st.none() | st.integers(min_value=0, max_value=120),
)
late_kinds = st.lists(
    st.tuples(
        st.sampled_from(["credit_card", "credit_line", "utility", "traffic_fine", "loan"]), st.integers(0, 5)
    ),
    max_size=5,
    unique_by=lambda pair: pair[0],
).map(tuple)


def money(low: int) -> st.SearchStrategy[Decimal | None]:
    return st.none() | st.decimals(
        min_value=low, max_value=100_000, places=2, allow_nan=False, allow_infinity=False
    )


features_strategy = st.builds(
    Features,
    on_time_bills_24m=counts,
    late_bills_12m=counts,
    late_bills_12m_by_kind=late_kinds,
    late_bills_older=counts,
    overdue_unpaid=counts,
    history_months=counts,
    credit_utilisation_pct=st.none() | st.integers(min_value=0, max_value=150),
    avg_balance_3m=money(-1000),
    rent_on_time_12m=counts,
    rent_late_12m=counts,
    credit_limit=money(0),
    purchases_12m=counts,
    active_days_90d=st.integers(min_value=0, max_value=90),
    real_name_verified=st.booleans(),
    education=st.sampled_from(sorted(EDUCATION_LEVELS)),
    address_years=st.none() | st.integers(min_value=0, max_value=40),
    phone_verified=st.booleans(),
    email_verified=st.booleans(),
    confirmed_contacts=counts,
    interactions_90d=counts,
    blacklist=blacklists,
)
unlisted_features = features_strategy.map(lambda features: dataclasses.replace(features, blacklist=None))


@PROPERTY
@given(features_strategy)
def test_every_score_is_a_whole_number_in_range_with_its_band(features: Features) -> None:
    result = compute(features, SCORECARD)

    assert isinstance(result.score, int)
    assert SCORE_MIN <= result.score <= SCORE_MAX
    assert result.band == Band.for_score(result.score)
    assert all(0 <= dimension.score <= 100 for dimension in result.dimensions)
    assert sum(contributions(result).values()) == result.raw - SCORE_BASE


@PROPERTY
@given(unlisted_features)
def test_an_unlisted_score_is_the_raw_rounded_half_up_between_450_and_950(features: Features) -> None:
    result = compute(features, SCORECARD)

    assert Decimal(450) <= result.raw <= Decimal(950)
    assert result.score == round_half_up(result.raw)


@PROPERTY
@given(features_strategy)
def test_scoring_is_deterministic(features: Features) -> None:
    assert compute(features, SCORECARD) == compute(copy.deepcopy(features), SCORECARD)


@PROPERTY
@given(features_strategy, st.randoms())
def test_the_order_of_late_bill_kinds_changes_nothing(features: Features, random: Any) -> None:
    shuffled = list(features.late_bills_12m_by_kind)
    random.shuffle(shuffled)

    assert simulate(features, SCORECARD, late_bills_12m_by_kind=tuple(shuffled)) == compute(
        features, SCORECARD
    )


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
    with mock.patch.object(engine, "_strongest", every_effect_ranked):
        exhaustive = compute(features, scorecard)

    assert pruned.reasons == exhaustive.reasons
    assert loose_bounds == []


@PROPERTY
@given(features_strategy)
def test_every_reason_the_engine_gives_renders_to_its_own_text_and_advice(features: Features) -> None:
    for reason in compute(features, SCORECARD).reasons:
        text = reason_text(reason.code, reason.direction, reason.params)
        assert text
        assert text != reason_text("no_such_code", reason.direction, {})
        assert "%(" not in text
        assert reason_advice(reason.code, reason.direction)
        assert json.loads(json.dumps(reason.params)) == reason.params


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


# --- The shipped calibration (DEFAULT_PARAMETERS) -------------------------------------------


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
