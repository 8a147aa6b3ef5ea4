"""Tests for scoring/engine/texts.py: every reason's sentence and advice, and the generic fallbacks."""

import json
from typing import Any

import pytest
from hypothesis import given

from scoring.engine import (
    BLACKLIST_ACTIVE,
    BLACKLIST_RECENT,
    LOWERS,
    RAISES,
    REASON_CODES,
    Features,
    compute,
    reason_advice,
    reason_text,
)
from scoring.tests.engine.examples import CASE, COURT, PROPERTY, SCORECARD
from scoring.tests.engine.strategies import features_strategy

# One example of the params the engine produces for every code, with the sentence it renders.
TEXT_EXAMPLES: dict[str, tuple[dict[str, int | str], str]] = {
    BLACKLIST_ACTIVE: (
        {"court": COURT, "case_number": CASE, "listed_on": "2025-03-01"},
        f"Listed as a dishonest judgment debtor by {COURT}, case {CASE}, since March 1, 2025",
    ),
    BLACKLIST_RECENT: (
        {"court": COURT, "case_number": CASE, "listed_on": "2025-03-01", "months_since_lifted": 1},
        f"Listing as a dishonest judgment debtor by {COURT}, case {CASE}, lifted 1 month ago",
    ),
    "thin_file": ({"months": 3}, "Little credit history yet: 3 months of bills"),
    "on_time_bills_24m": ({"count": 1}, "1 bill paid on time in the last 24 months"),
    "late_bills_12m": ({"count": 2, "kinds": "utility"}, "2 bills paid late in the last 12 months (utility)"),
    "late_bills_older": ({"count": 3}, "3 bills paid late between 1 and 5 years ago"),
    "overdue_unpaid": ({"count": 1}, "1 bill past due and still unpaid"),
    "history_months": ({"months": 14}, "14 months of bill history"),
    "credit_utilisation_pct": ({"percent": 85}, "Credit line 85% used"),
    "avg_balance_3m": ({"amount": 1200}, "Average balance of ¥1,200 over the last 3 months"),
    "rent_on_time_12m": ({"count": 12}, "12 rent payments on time in the last 12 months"),
    "rent_late_12m": ({"count": 1}, "1 rent payment late in the last 12 months"),
    "credit_limit": ({"amount": 20000}, "Credit line limit of ¥20,000"),
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


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("credit_utilisation_pct", "No credit line on record"),
        ("avg_balance_3m", "No account balance on record"),
        ("credit_limit", "No credit line limit on record"),
        ("address_years", "No address on record"),
        ("thin_file", "Little credit history yet: 3 months of bills"),
    ],
)
def test_no_data_and_a_thin_file_have_their_own_texts(code: str, expected: str) -> None:
    params = {"months": 3} if code == "thin_file" else {}
    assert reason_text(code, LOWERS, params) == expected
