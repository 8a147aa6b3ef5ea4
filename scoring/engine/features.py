"""What the engine knows about a person, and the names it gives things: the five dimensions,
the directions of a characteristic and of a reason, the reason codes, education levels, and the
``Features`` and ``BlacklistStatus`` a caller passes in. Imports nothing else of the engine."""

import dataclasses
import datetime
import operator
import typing
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

DIMENSIONS: tuple[str, ...] = (
    "credit_history",
    "fulfilment_capacity",
    "behaviour",
    "identity",
    "connections",
)

HIGHER_IS_BETTER = "higher_is_better"
LOWER_IS_BETTER = "lower_is_better"
DIRECTIONS: tuple[str, ...] = (HIGHER_IS_BETTER, LOWER_IS_BETTER)

LOWERS = "lowers"
RAISES = "raises"

BLACKLIST_ACTIVE = "blacklist_active"
BLACKLIST_RECENT = "blacklist_recent"
# "Little credit history yet": one reason standing for the history characteristics of a person
# whose bills cover less than THIN_FILE_MONTHS (see ``reasons.thin_file_members``).
THIN_FILE = "thin_file"
THIN_FILE_MONTHS = 12
THIN_FILE_FEATURES: tuple[str, ...] = ("on_time_bills_24m", "history_months")

EDUCATION_LEVELS: Mapping[str, int] = {"": 0, "secondary": 1, "bachelor": 2, "master": 3, "doctorate": 4}


@dataclass(frozen=True)
class BlacklistStatus:
    """The blacklist entry that weighs most for a person; overturned entries are never passed in."""

    court: str
    case_number: str
    listed_on: datetime.date
    months_since_lifted: int | None  # None = still listed

    def __post_init__(self) -> None:
        if self.months_since_lifted is not None and self.months_since_lifted < 0:
            raise ValueError(f"months_since_lifted must be 0 or more, got {self.months_since_lifted}")

    @property
    def is_active(self) -> bool:
        return self.months_since_lifted is None


@dataclass(frozen=True)
class Features:
    """What the engine knows about a person on a date; every default means "no data"."""

    # credit_history
    on_time_bills_24m: int = 0  # bills (not rent) due in the last 24 months and paid by the due date
    late_bills_12m: int = 0  # bills (not rent) due in the last 12 months paid late or unpaid past due
    late_bills_12m_by_kind: tuple[tuple[str, int], ...] = ()  # only for the reason text, not scored
    late_bills_older: int = 0  # the same, due 12-60 months ago; the caller drops anything older
    overdue_unpaid: int = 0  # bills past due and still unpaid today
    history_months: int = 0  # months since the first bill's due date
    credit_utilisation_pct: int | None = None  # latest credit line used / limit in percent
    # fulfilment_capacity
    avg_balance_3m: Decimal | None = None  # RMB
    rent_on_time_12m: int = 0
    rent_late_12m: int = 0
    credit_limit: Decimal | None = None  # RMB, latest credit line limit
    # behaviour
    purchases_12m: int = 0
    active_days_90d: int = 0
    # identity
    real_name_verified: bool = False
    education: str = ""  # a key of EDUCATION_LEVELS
    address_years: int | None = None
    phone_verified: bool = False
    email_verified: bool = False
    # connections
    confirmed_contacts: int = 0
    interactions_90d: int = 0
    # blacklist
    blacklist: BlacklistStatus | None = None

    def __post_init__(self) -> None:
        # A negative count or an unknown level is a bug upstream; scoring it would hide the bug.
        # One pass over the values first (a chunk builds thousands of these), the name only on failure.
        if min([value for value in _NON_NEGATIVE_VALUES(self) if value is not None]) < 0:
            for name in _NON_NEGATIVE_FEATURES:
                value = getattr(self, name)
                if value is not None and value < 0:
                    raise ValueError(f"{name} must be 0 or more, got {value}")
        if self.education not in EDUCATION_LEVELS:
            raise ValueError(f"education must be one of {sorted(EDUCATION_LEVELS)}, got {self.education!r}")
        for kind, count in self.late_bills_12m_by_kind:
            if count < 0:
                raise ValueError(f"late_bills_12m_by_kind[{kind!r}] must be 0 or more, got {count}")


_UNSCORED_FEATURES = frozenset({"late_bills_12m_by_kind", "blacklist"})

# Also the fixed order that breaks ties between reasons: it cannot come from the parameters,
# whose key order a JSON column (PostgreSQL jsonb) does not keep.
SCORED_FEATURES: tuple[str, ...] = tuple(
    field.name for field in dataclasses.fields(Features) if field.name not in _UNSCORED_FEATURES
)

# Optional features have a "no data" value (None) outside their bins, so their first bin may
# carry points: 0% utilisation is the best case, not the neutral one.
OPTIONAL_FEATURES: frozenset[str] = frozenset(
    name
    for name, hint in typing.get_type_hints(Features).items()
    if name in SCORED_FEATURES and type(None) in typing.get_args(hint)
)

_NON_NEGATIVE_FEATURES: tuple[str, ...] = tuple(
    name for name in SCORED_FEATURES if name not in {"avg_balance_3m", "education"}
)
_NON_NEGATIVE_VALUES = operator.attrgetter(*_NON_NEGATIVE_FEATURES)

# Stable codes: stored in snapshots and returned by the API, so a code is never renamed or reused.
REASON_CODES: tuple[str, ...] = (BLACKLIST_ACTIVE, BLACKLIST_RECENT, THIN_FILE, *SCORED_FEATURES)
