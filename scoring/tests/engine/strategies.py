"""Hypothesis strategies of the engine's inputs: any person the engine may be asked to score."""

import dataclasses
import datetime
from decimal import Decimal

from hypothesis import strategies as st

from scoring.engine import EDUCATION_LEVELS, BlacklistStatus, Features
from scoring.tests.engine.examples import CASE, COURT

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
