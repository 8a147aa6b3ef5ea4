"""What a person can do about their score, as changes of their features that doing it would really
make. The simulator (the dashboard's "what if" and ``POST /api/v1/me/score/simulate/``) scores the
changed features with ``compute``, the same engine as the real score.

Each lever is the effect of a real action as the feature reader counts it (scoring.selectors):

    pay_overdue        pay the bills past due now. They were due before today, so they become bills
                       paid late: still late (late_bills_12m and late_bills_older count a bill paid
                       after its due date exactly as an unpaid one), no longer overdue_unpaid.
    utilisation_pct    pay the credit line down to this share of the limit (never up: a lever that
                       raises the use is not an action to advise); the limit is unchanged.
    on_time_months     keep paying every bill on time for N more months. The caller reads the
                       person's bills as they will count N months on (late bills ageing out of the
                       12-month window, on-time ones out of the 24-month one, overdue ones still
                       unpaid) and how many bills they have each month; those N months of bills
                       are added as paid on time. Everything not about bills stays as it is today.
    verify_identity    verify the real name, the phone number and the email address.
    confirm_contacts   confirm this many more contacts (with no interactions yet).

A lever never models more than the action does, so a simulated score is never higher than the
score the person gets by doing it (tests: the property test writes the signals and recomputes).
"""

import dataclasses
from dataclasses import dataclass
from typing import Any

from .features import Features

MAX_ON_TIME_MONTHS = 24
MAX_NEW_CONTACTS = 50

# The bill features N months on that the months lever takes from the caller's later read.
_BILL_FEATURES = ("late_bills_12m", "late_bills_12m_by_kind", "late_bills_older", "history_months")


@dataclass(frozen=True)
class Levers:
    pay_overdue: bool = False
    utilisation_pct: int | None = None
    on_time_months: int = 0
    verify_identity: bool = False
    confirm_contacts: int = 0

    def __post_init__(self) -> None:
        if self.utilisation_pct is not None and not 0 <= self.utilisation_pct <= 100:
            raise ValueError(f"utilisation_pct must be 0 to 100, got {self.utilisation_pct}")
        if not 0 <= self.on_time_months <= MAX_ON_TIME_MONTHS:
            raise ValueError(f"on_time_months must be 0 to {MAX_ON_TIME_MONTHS}, got {self.on_time_months}")
        if not 0 <= self.confirm_contacts <= MAX_NEW_CONTACTS:
            raise ValueError(f"confirm_contacts must be 0 to {MAX_NEW_CONTACTS}, got {self.confirm_contacts}")

    @property
    def any(self) -> bool:
        return self != Levers()


@dataclass(frozen=True)
class Later:
    """The person's features as the reader counts them N months on, and the bills they have a month."""

    features: Features
    bills_per_month: int


def apply_levers(features: Features, levers: Levers, later: Later | None = None) -> Features:
    """The features the person would have after pulling the levers (``later`` needed for months)."""
    changes: dict[str, Any] = {}
    if levers.on_time_months:
        if later is None:
            raise ValueError("on_time_months needs the features read that many months on")
        changes.update({name: getattr(later.features, name) for name in _BILL_FEATURES})
        changes["on_time_bills_24m"] = (
            later.features.on_time_bills_24m + later.bills_per_month * levers.on_time_months
        )
        changes["overdue_unpaid"] = later.features.overdue_unpaid
    if levers.pay_overdue:
        changes["overdue_unpaid"] = 0
    current = features.credit_utilisation_pct
    if levers.utilisation_pct is not None and current is not None and levers.utilisation_pct < current:
        changes["credit_utilisation_pct"] = levers.utilisation_pct
    if levers.verify_identity:
        changes.update(real_name_verified=True, phone_verified=True, email_verified=True)
    if levers.confirm_contacts:
        changes["confirmed_contacts"] = features.confirmed_contacts + levers.confirm_contacts
    return dataclasses.replace(features, **changes)
