"""The hand-checked scorecard, the shipped one, and the profiles and helpers the engine's tests
share; every number in the tests on these tables was worked out by hand."""

import dataclasses
import datetime
from decimal import Decimal
from typing import Any

from hypothesis import settings

from scoring.engine import (
    DEFAULT_PARAMETERS,
    LOWERS,
    RAISES,
    BlacklistStatus,
    Features,
    Reason,
    ScoreResult,
    validate_parameters,
)

# The exact-arithmetic tests were worked out by hand on these point tables; keeping them apart
# from the shipped calibration lets the model be recalibrated without redoing the sums.
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
