"""The scoring engine: features in, score out. Pure arithmetic, no database.

Method: a points-based scorecard
================================
Industry credit scores are scorecards, and so is this one. Each characteristic of a person
(bills paid on time, months of history, credit-line utilisation, ...) is *binned*: a table of
ascending lower bounds, each bin carrying a partial score p_k. A value falls in the last bin
whose lower bound is <= the value (a value below the first bound falls in the first bin).
Booleans bin as 0/1 and education as an ordinal (see ``EDUCATION_LEVELS``). "No data" (a
``None`` feature) always scores 0 without looking at the bins, and a count of 0 must fall in a
bin worth 0, so a person who has just opted in scores exactly 600.

Every characteristic belongs to one of five dimensions (``DIMENSIONS``). Within a dimension d:

    s_d = clamp(sum of p_k, -1, 1)                               the dimension's standing
    c_d = w_d * (UPSIDE * s_d  if s_d >= 0  else  DOWNSIDE * s_d)   its contribution in points
    raw = 600 + sum of c_d

so the exact relation **sum of c_d = raw - 600** holds (Decimal arithmetic, nothing rounded on
the way; the tests check it). The weights w_d (35/25/20/15/5 %) add up to exactly 1 and
UPSIDE = 350, DOWNSIDE = 250 by default; all of them are parameters of the scoring model.
Only the final score is rounded: half-up, once, to a whole number, then clamped to 350..950.
Each dimension is shown to people as a 0-100 sub-score, round_half_up(50 * (s_d + 1)): 50 is
neutral, 100 is the best the dimension allows, 0 the worst.

Scaling: this is a min-max-scaled scorecard. A logistic scorecard maps points to odds as
score = Offset + Factor * ln(odds), with Factor = PDO / ln 2 (points to double the odds) and the
base score (here 600) at the base odds. Here the scale is fixed by its ends instead, like
optbinning's ``min_max`` scaling: the
validator keeps every dimension's best partials summing to at most 1 (exactly 1 in the default
tables) and its worst to at least -1, so the best possible profile maps to 600 + UPSIDE = 950
and the neutral "no data" person sits at the base score 600. The scaling is linear on each side
of 600 (a separate slope up and down) so that "no data" is anchored at the base instead of
being dragged to the middle of the range. There is no fitted odds model behind the default
tables; they are expert point tables, and a fitted model can be loaded as parameters later.
Calibration note: with the default tables a person with a year of ordinary, clean history
scores around 750-800 (``TYPICAL`` in the tests, one late bill included, scores 753), above the
650-700 that scoring-notes.md aims at; recalibrating is a new model version, not a code change.

Which dimensions can hurt. credit_history and fulfilment_capacity can hurt as much as they can
help (their worst partials sum to exactly -1). behaviour, identity and connections can only
help (their worst partials sum to 0): being inactive, unverified or having few contacts is no
fault, so it never costs points. Hence, with the default parameters:

    fresh person (no data)           600  (band good, every sub-score 50)
    best possible profile            950
    worst profile, not blacklisted   450  (= 600 - 0.35*250 - 0.25*250)
    worst profile, blacklisted       350  (450 - 150 = 300, clamped to the floor)

Blacklist (the court's dishonest-judgment-debtor list). With penalty P = 150, cap C = 450 and
fade F = 60 months, applied to raw after the scorecard (so sum of c_d = raw - 600 still holds
for ``ScoreResult.raw``, which is the scorecard's raw before this rule):

    listed now:                  min(raw - P, C)                              always poor (< 550)
    lifted t < F months ago:     min(raw - P * (1 - t/F), C + (950 - C) * t/F)
    lifted F or more months ago: raw                                          no effect

Both terms grow with t, so recovery never goes down with time, and the listed score never
exceeds the unlisted one. An entry overturned by a dispute is removed entirely (the caller
never passes it in). This step is exact (a Decimal, or a Fraction while a listing fades)
before the single rounding.

Reasons ("points below"). For every characteristic whose partial is negative, the gain in the
final score if it alone were at its best bin (a one-factor counterfactual, recomputed in full,
blacklist included) ranks it; the top four are the reasons that lower the score, ties broken by
the exact unrounded gain and then by a fixed code order (``REASON_CODES``). An active blacklist
entry is always the first of the four; a lifted entry still fading ("blacklist_recent") competes
with the characteristics by its points. Characteristics with a positive partial raise the score;
the three whose removal (back to "no data") would cost the most are shown. ``Reason.points`` is
that one-factor effect on the final score, so it can be 0 when the blacklist cap masks it.
Only the shown reasons are computed in full: a change of a partial by d moves a dimension's
contribution, and the final score, by at most w_d x max(upside, downside) x |d|, so once the
last shown reason beats that bound for every change left, those changes are skipped.
"""

import dataclasses
import datetime
import functools
import itertools
import json
import math
import operator
import typing
from bisect import bisect_right, insort
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Context, Decimal, InvalidOperation, localcontext
from fractions import Fraction
from typing import Any, NamedTuple

from django.core.exceptions import ValidationError
from django.utils.translation import gettext, ngettext

from core.bands import SCORE_BASE, SCORE_MAX, SCORE_MIN, Band

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

# US law caps the key factors shown with a score at four; we follow it.
MAX_LOWERING_REASONS = 4
MAX_RAISING_REASONS = 3

BLACKLIST_ACTIVE = "blacklist_active"
BLACKLIST_RECENT = "blacklist_recent"

EDUCATION_LEVELS: Mapping[str, int] = {"": 0, "secondary": 1, "bachelor": 2, "master": 3, "doctorate": 4}

# Wide enough that sums of products of the tables' short decimals are exact, and fixed so the
# caller's decimal context cannot change a score: same inputs, same bits, on every machine.
_EXACT = Context(prec=60)
_HALF = Decimal("0.5")
# A score before rounding: exact as a Decimal, except under a fading listing, whose share of
# the penalty (months / fade_months) needs a Fraction.
Exact = Decimal | Fraction
_MEMO_LIMIT = 100_000


def _remember(cache: dict, key: object, value: object) -> None:
    if len(cache) >= _MEMO_LIMIT:
        cache.clear()  # bounded memory in long-lived workers
    cache[key] = value


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

REASON_CODES: tuple[str, ...] = (BLACKLIST_ACTIVE, BLACKLIST_RECENT, *SCORED_FEATURES)


def _characteristic(dimension: str, direction: str, bins: list[list[int | str]]) -> dict[str, object]:
    return {"dimension": dimension, "direction": direction, "bins": bins}


# The default scoring model. Within each dimension the best partials add up to exactly 1;
# credit_history's and fulfilment_capacity's worst add up to exactly -1; behaviour, identity
# and connections can only help (their worst add up to 0).
DEFAULT_PARAMETERS: dict[str, Any] = {
    "weights": {
        "credit_history": "0.35",
        "fulfilment_capacity": "0.25",
        "behaviour": "0.20",
        "identity": "0.15",
        "connections": "0.05",
    },
    "upside": 350,
    "downside": 250,
    "blacklist": {"penalty": 150, "cap": 450, "fade_months": 60},
    "characteristics": {
        # Calibrated so that a year of ordinary, clean history lands around 650-700 and the top
        # of the range takes years of clean history and real capacity (scoring-notes.md).
        # credit_history: best 0.35 + 0.35 + 0.3 = 1; worst -0.1 - 0.6 - 0.1 - 0.2 = -1
        "on_time_bills_24m": _characteristic(
            "credit_history",
            HIGHER_IS_BETTER,
            [[0, "0"], [1, "0.02"], [6, "0.05"], [12, "0.1"], [24, "0.2"], [48, "0.3"], [60, "0.35"]],
        ),
        "history_months": _characteristic(
            "credit_history",
            HIGHER_IS_BETTER,
            [[0, "0"], [6, "0.02"], [12, "0.05"], [24, "0.1"], [36, "0.15"], [60, "0.25"], [84, "0.35"]],
        ),
        "credit_utilisation_pct": _characteristic(
            "credit_history",
            LOWER_IS_BETTER,
            [[0, "0.3"], [10, "0.2"], [30, "0.1"], [50, "0"], [70, "-0.05"], [90, "-0.1"]],
        ),
        "late_bills_12m": _characteristic(
            "credit_history",
            LOWER_IS_BETTER,
            [[0, "0"], [1, "-0.25"], [2, "-0.4"], [3, "-0.5"], [5, "-0.6"]],
        ),
        "late_bills_older": _characteristic(
            "credit_history", LOWER_IS_BETTER, [[0, "0"], [1, "-0.05"], [3, "-0.1"]]
        ),
        "overdue_unpaid": _characteristic(
            "credit_history", LOWER_IS_BETTER, [[0, "0"], [1, "-0.15"], [2, "-0.2"]]
        ),
        # fulfilment_capacity: best 0.4 + 0.3 + 0.3 = 1; worst -0.3 - 0.7 = -1
        "avg_balance_3m": _characteristic(
            "fulfilment_capacity",
            HIGHER_IS_BETTER,
            [
                [0, "-0.3"],
                [500, "-0.1"],
                [2000, "0"],
                [5000, "0.05"],
                [20000, "0.15"],
                [50000, "0.25"],
                [100000, "0.4"],
            ],
        ),
        "rent_on_time_12m": _characteristic(
            "fulfilment_capacity", HIGHER_IS_BETTER, [[0, "0"], [1, "0.05"], [6, "0.15"], [12, "0.3"]]
        ),
        "rent_late_12m": _characteristic(
            "fulfilment_capacity", LOWER_IS_BETTER, [[0, "0"], [1, "-0.3"], [2, "-0.5"], [3, "-0.7"]]
        ),
        "credit_limit": _characteristic(
            "fulfilment_capacity",
            HIGHER_IS_BETTER,
            [[0, "0"], [2000, "0.03"], [10000, "0.1"], [20000, "0.2"], [50000, "0.3"]],
        ),
        # behaviour: best 0.5 + 0.5 = 1
        "purchases_12m": _characteristic(
            "behaviour", HIGHER_IS_BETTER, [[0, "0"], [1, "0.02"], [12, "0.05"], [60, "0.2"], [200, "0.5"]]
        ),
        "active_days_90d": _characteristic(
            "behaviour", HIGHER_IS_BETTER, [[0, "0"], [1, "0.02"], [10, "0.1"], [30, "0.2"], [60, "0.5"]]
        ),
        # identity: best 0.25 + 0.15 + 0.4 + 0.1 + 0.1 = 1 (a doctorate counts as a master's)
        "real_name_verified": _characteristic("identity", HIGHER_IS_BETTER, [[0, "0"], [1, "0.25"]]),
        "education": _characteristic(
            "identity", HIGHER_IS_BETTER, [[0, "0"], [1, "0.05"], [2, "0.1"], [3, "0.15"]]
        ),
        "address_years": _characteristic(
            "identity", HIGHER_IS_BETTER, [[0, "0"], [1, "0.05"], [3, "0.1"], [5, "0.2"], [10, "0.4"]]
        ),
        "phone_verified": _characteristic("identity", HIGHER_IS_BETTER, [[0, "0"], [1, "0.1"]]),
        "email_verified": _characteristic("identity", HIGHER_IS_BETTER, [[0, "0"], [1, "0.1"]]),
        # connections: best 0.6 + 0.4 = 1
        "confirmed_contacts": _characteristic(
            "connections", HIGHER_IS_BETTER, [[0, "0"], [1, "0.1"], [5, "0.25"], [20, "0.4"], [50, "0.6"]]
        ),
        "interactions_90d": _characteristic(
            "connections", HIGHER_IS_BETTER, [[0, "0"], [1, "0.05"], [10, "0.15"], [50, "0.4"]]
        ),
    },
}


# --- The parsed scoring model -------------------------------------------------------------


@dataclass(frozen=True)
class Characteristic:
    """One binned characteristic: ascending lower bounds and the partial score of each bin."""

    name: str
    dimension: str
    direction: str
    bounds: tuple[Decimal, ...]
    partials: tuple[Decimal, ...]

    def partial(self, value: int | bool | str | Decimal | None) -> Decimal:
        """The partial score of a feature value; no data scores 0.

        Counts, flags and levels take few distinct values, so theirs are memoised; amounts of
        money (Decimal) take as many as there are people, so they are binned every time.
        """
        if isinstance(value, Decimal):
            return self._bin(value)
        cached = self._partial_of.get(value)
        if cached is None:
            if value is None:
                cached = Decimal(0)
            elif isinstance(value, str):
                cached = self._bin(EDUCATION_LEVELS[value])
            else:
                cached = self._bin(int(value))
            _remember(self._partial_of, value, cached)
        return cached

    def _bin(self, value: int | Decimal) -> Decimal:
        return self.partials[max(bisect_right(self.bounds, value) - 1, 0)]

    @functools.cached_property
    def _partial_of(self) -> dict[int | bool | str | None, Decimal]:
        # True == 1 and hashes alike: a flag shares its key and its bin with the count 1.
        return {}

    @property
    def best(self) -> Decimal:
        # "No data" (0) is always reachable, so it bounds the range too.
        return max(Decimal(0), *self.partials)

    @property
    def worst(self) -> Decimal:
        return min(Decimal(0), *self.partials)


@dataclass(frozen=True)
class BlacklistRule:
    penalty: int
    cap: int
    fade_months: int


class Final(NamedTuple):
    """A score after the blacklist rule: exact (to rank reasons) and rounded."""

    adjusted: Exact
    score: int


@dataclass(frozen=True)
class Scorecard:
    """A validated scoring model: weights, point budgets, blacklist rule and point tables."""

    weights: tuple[tuple[str, Decimal], ...]  # in DIMENSIONS order
    upside: int
    downside: int
    blacklist: BlacklistRule
    characteristics: tuple[Characteristic, ...]  # in SCORED_FEATURES order

    def weight(self, dimension: str) -> Decimal:
        return self._weight_of[dimension]

    def dimension(self, index: int, total: Decimal) -> "DimensionResult":
        """The dimension at index for a sum of partials: its sub-score and c_d; memoised per scorecard.

        A dimension's total takes few distinct values (sums of bin partials), so the nightly
        run computes each only once per worker instead of once per person and counterfactual.
        """
        key = (index, total)
        cached = self._dimensions.get(key)
        if cached is None:
            dimension, weight, _names = self.groups[index]
            with localcontext(_EXACT):
                standing = min(max(total, Decimal(-1)), Decimal(1))
                budget = self.upside if standing >= 0 else self.downside
                contribution = weight * budget * standing
            cached = DimensionResult(
                key=dimension, weight=weight, score=_sub_score(standing), contribution=contribution
            )
            _remember(self._dimensions, key, cached)
        return cached

    def final(self, raw: Decimal, blacklist: BlacklistStatus | None) -> "Final":
        """(adjusted, score): the blacklist rule, one half-up rounding and the clamp; memoised."""
        # Only whether a listing is active and how long ago it was lifted matter to the rule.
        key = (raw, None if blacklist is None else (blacklist.months_since_lifted,))
        cached = self._finals.get(key)
        if cached is None:
            adjusted = _apply_blacklist(raw, blacklist, self.blacklist)
            cached = Final(adjusted, min(max(_round_half_up(adjusted), SCORE_MIN), SCORE_MAX))
            _remember(self._finals, key, cached)
        return cached

    def change(self, characteristic: "Characteristic", current: Decimal) -> "_Change":
        """The counterfactual change of a characteristic's partial, with its bound; memoised."""
        key = (characteristic.name, current)
        cached = self._changes.get(key)
        if cached is None:
            cached = _Change.of(characteristic, current, self)
            _remember(self._changes, key, cached)
        return cached

    @functools.cached_property
    def _changes(self) -> dict[tuple[str, Decimal], "_Change"]:
        return {}

    @functools.cached_property
    def _weight_of(self) -> dict[str, Decimal]:
        return dict(self.weights)

    @functools.cached_property
    def _dimensions(self) -> dict[tuple[int, Decimal], "DimensionResult"]:
        return {}

    @functools.cached_property
    def _finals(self) -> dict[tuple[Decimal, tuple[int | None] | None], "Final"]:
        return {}

    @functools.cached_property
    def groups(self) -> tuple[tuple[str, Decimal, tuple[str, ...]], ...]:
        """Each dimension with its weight and the names of its characteristics, in DIMENSIONS order."""
        return tuple(
            (dimension, weight, tuple(c.name for c in self.characteristics if c.dimension == dimension))
            for dimension, weight in self.weights
        )


# --- Validation -----------------------------------------------------------------------------


class _Problems:
    """Collects every problem so staff see them all at once, each naming its key."""

    def __init__(self) -> None:
        self.messages: list[str] = []

    def add(self, key: str, message: str) -> None:
        self.messages.append(f"{key}: {message}")

    def raise_if_any(self) -> None:
        if self.messages:
            raise ValidationError([ValidationError(message, code="invalid") for message in self.messages])


def validate_parameters(params: dict) -> Scorecard:
    """Parse and validate a scoring model's parameters; ValidationError names each bad key."""
    try:
        canonical = json.dumps(params, sort_keys=True, default=_json_default, allow_nan=False)
    except (TypeError, ValueError) as error:
        raise ValidationError(f"parameters: must be JSON-serialisable ({error})", code="invalid") from error
    return _scorecard_from_json(canonical)


def _json_default(value: object) -> str:
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON-serialisable")


# The nightly batch parses the active model once per chunk; keyed on the canonical JSON so
# equal parameters share one Scorecard.
@functools.lru_cache(maxsize=32)
def _scorecard_from_json(canonical: str) -> Scorecard:
    params = json.loads(canonical)
    problems = _Problems()
    if not isinstance(params, dict):
        problems.add("parameters", "must be an object")
        problems.raise_if_any()
    _check_keys(
        problems,
        "parameters",
        params,
        required={"weights", "upside", "downside", "blacklist", "characteristics"},
    )
    problems.raise_if_any()

    weights = _parse_weights(problems, params["weights"])
    upside = _integer(problems, "upside", params["upside"], low=1, high=SCORE_MAX - SCORE_BASE)
    # A bigger downside could push an unlisted person below the floor, where clamping would
    # hide differences between people.
    downside = _integer(problems, "downside", params["downside"], low=1, high=SCORE_BASE - SCORE_MIN)
    blacklist = _parse_blacklist(problems, params["blacklist"])
    characteristics = _parse_characteristics(problems, params["characteristics"])
    problems.raise_if_any()

    # Within these budgets the clamp of s_d never bites, and the best profile lands on 950 when
    # the best partials add up to exactly 1.
    for dimension in DIMENSIONS:
        members = [c for c in characteristics if c.dimension == dimension]
        names = ", ".join(c.name for c in members)
        best = sum((c.best for c in members), Decimal(0))
        worst = sum((c.worst for c in members), Decimal(0))
        if best > 1:
            problems.add(
                f"characteristics of {dimension}",
                f"the best partials of {names} add up to {best}, more than 1",
            )
        if worst < -1:
            problems.add(
                f"characteristics of {dimension}",
                f"the worst partials of {names} add up to {worst}, less than -1",
            )
    problems.raise_if_any()

    assert weights is not None and upside is not None and downside is not None and blacklist is not None
    return Scorecard(
        weights=weights,
        upside=upside,
        downside=downside,
        blacklist=blacklist,
        characteristics=tuple(sorted(characteristics, key=lambda c: SCORED_FEATURES.index(c.name))),
    )


def _check_keys(problems: _Problems, key: str, value: dict, *, required: set[str]) -> None:
    for missing in sorted(required - value.keys()):
        problems.add(f"{key}.{missing}" if key != "parameters" else missing, "is missing")
    for unknown in sorted(value.keys() - required):
        problems.add(f"{key}.{unknown}" if key != "parameters" else unknown, "is not a known key")


def _decimal(problems: _Problems, key: str, value: object) -> Decimal | None:
    if isinstance(value, float):
        # JSON numbers arrive as floats; their shortest repr keeps 0.35 as 0.35.
        value = repr(value)
    if isinstance(value, bool) or not isinstance(value, int | str | Decimal):
        problems.add(key, f'must be a number written as a string such as "0.35", got {value!r}')
        return None
    try:
        number = Decimal(value)
    except InvalidOperation:
        problems.add(key, f"must be a number, got {value!r}")
        return None
    if not number.is_finite():
        problems.add(key, f"must be a finite number, got {value!r}")
        return None
    return number


def _integer(problems: _Problems, key: str, value: object, *, low: int, high: int) -> int | None:
    number = _decimal(problems, key, value)
    if number is None:
        return None
    if number != number.to_integral_value():
        problems.add(key, f"must be a whole number, got {value!r}")
        return None
    if not low <= number <= high:
        problems.add(key, f"must be between {low} and {high}, got {value!r}")
        return None
    return int(number)


def _parse_weights(problems: _Problems, value: object) -> tuple[tuple[str, Decimal], ...] | None:
    if not isinstance(value, dict):
        problems.add("weights", "must be an object of dimension: weight")
        return None
    _check_keys(problems, "weights", value, required=set(DIMENSIONS))
    weights: list[tuple[str, Decimal]] = []
    for dimension in DIMENSIONS:
        if dimension not in value:
            continue
        weight = _decimal(problems, f"weights.{dimension}", value[dimension])
        if weight is not None and weight < 0:
            problems.add(f"weights.{dimension}", f"must be 0 or more, got {weight}")
        elif weight is not None:
            weights.append((dimension, weight))
    if len(weights) == len(DIMENSIONS):
        total = sum((weight for _, weight in weights), Decimal(0))
        if total != 1:
            problems.add("weights", f"must add up to exactly 1, got {total}")
    return tuple(weights)


def _parse_blacklist(problems: _Problems, value: object) -> BlacklistRule | None:
    if not isinstance(value, dict):
        problems.add("blacklist", "must be an object with penalty, cap and fade_months")
        return None
    _check_keys(problems, "blacklist", value, required={"penalty", "cap", "fade_months"})
    if value.keys() != {"penalty", "cap", "fade_months"}:
        return None
    penalty = _integer(problems, "blacklist.penalty", value["penalty"], low=0, high=SCORE_MAX - SCORE_MIN)
    cap = _integer(problems, "blacklist.cap", value["cap"], low=SCORE_MIN, high=SCORE_MAX)
    fade_months = _integer(problems, "blacklist.fade_months", value["fade_months"], low=1, high=1200)
    # Being listed must always land in the poor band, wherever that band ends.
    if cap is not None and Band.for_score(cap) != Band.POOR:
        problems.add(
            "blacklist.cap", f"must lie in the poor band so a listed person is always poor, got {cap}"
        )
        return None
    if penalty is None or cap is None or fade_months is None:
        return None
    return BlacklistRule(penalty=penalty, cap=cap, fade_months=fade_months)


def _parse_characteristics(problems: _Problems, value: object) -> list[Characteristic]:
    if not isinstance(value, dict):
        problems.add("characteristics", "must be an object of feature name: characteristic")
        return []
    for name in SCORED_FEATURES:
        if name not in value:
            problems.add(f"characteristics.{name}", "is missing: every scored feature needs a characteristic")
    for name in sorted(value.keys() - set(SCORED_FEATURES)):
        problems.add(
            f"characteristics.{name}", f"is not a scored feature (known: {', '.join(SCORED_FEATURES)})"
        )
    parsed = [_parse_characteristic(problems, name, value[name]) for name in SCORED_FEATURES if name in value]
    return [characteristic for characteristic in parsed if characteristic is not None]


def _parse_characteristic(problems: _Problems, name: str, value: object) -> Characteristic | None:
    key = f"characteristics.{name}"
    if not isinstance(value, dict):
        problems.add(key, "must be an object with dimension, direction and bins")
        return None
    before = len(problems.messages)
    _check_keys(problems, key, value, required={"dimension", "direction", "bins"})
    if len(problems.messages) > before:
        return None
    if value["dimension"] not in DIMENSIONS:
        problems.add(
            f"{key}.dimension", f"must be one of {', '.join(DIMENSIONS)}, got {value['dimension']!r}"
        )
    if value["direction"] not in DIRECTIONS:
        problems.add(
            f"{key}.direction", f"must be one of {', '.join(DIRECTIONS)}, got {value['direction']!r}"
        )
    bins = _parse_bins(problems, f"{key}.bins", value["bins"])
    if bins is None or len(problems.messages) > before:
        return None
    bounds, partials = bins
    if name not in OPTIONAL_FEATURES and (bounds[0] != 0 or partials[0] != 0):
        problems.add(f"{key}.bins", 'the first bin must be [0, "0"] so that no data (a count of 0) scores 0')
    steps = list(itertools.pairwise(partials))
    if value["direction"] == HIGHER_IS_BETTER and any(later < earlier for earlier, later in steps):
        problems.add(f"{key}.bins", "partials must not decrease along ascending bounds (higher_is_better)")
    if value["direction"] == LOWER_IS_BETTER and any(later > earlier for earlier, later in steps):
        problems.add(f"{key}.bins", "partials must not increase along ascending bounds (lower_is_better)")
    if len(problems.messages) > before:
        return None
    return Characteristic(
        name=name,
        dimension=value["dimension"],
        direction=value["direction"],
        bounds=bounds,
        partials=partials,
    )


def _parse_bins(
    problems: _Problems, key: str, value: object
) -> tuple[tuple[Decimal, ...], tuple[Decimal, ...]] | None:
    if not isinstance(value, list) or not value:
        problems.add(key, 'must be a non-empty list of [lower_bound, "partial"] pairs')
        return None
    bounds: list[Decimal] = []
    partials: list[Decimal] = []
    for index, pair in enumerate(value):
        if not isinstance(pair, list) or len(pair) != 2:
            problems.add(f"{key}[{index}]", f'must be a [lower_bound, "partial"] pair, got {pair!r}')
            return None
        bound = _decimal(problems, f"{key}[{index}]", pair[0])
        partial = _decimal(problems, f"{key}[{index}]", pair[1])
        if bound is None or partial is None:
            return None
        if bounds and bound <= bounds[-1]:
            problems.add(
                f"{key}[{index}]", f"lower bounds must be strictly ascending, {bound} follows {bounds[-1]}"
            )
            return None
        bounds.append(bound)
        partials.append(partial)
    return tuple(bounds), tuple(partials)


# --- Computing a score ----------------------------------------------------------------------


@dataclass(frozen=True)
class DimensionResult:
    key: str
    weight: Decimal
    score: int  # 0-100 sub-score shown to people
    contribution: Decimal  # c_d: points this dimension adds to (or takes from) the base 600


@dataclass(frozen=True)
class Reason:
    code: str  # a REASON_CODES entry
    direction: str  # LOWERS or RAISES
    points: int  # the one-factor effect on the final score, >= 0
    params: dict[str, int | str]  # the numbers for reason_text


@dataclass(frozen=True)
class ScoreResult:
    score: int
    band: Band
    raw: Decimal  # the scorecard's raw score before the blacklist rule: 600 + sum of contributions
    dimensions: tuple[DimensionResult, ...]
    reasons: tuple[Reason, ...]  # lowering reasons first, then raising ones


class _Outcome(NamedTuple):
    raw: Decimal
    adjusted: Exact  # after the blacklist rule, before rounding
    score: int
    totals: tuple[Decimal, ...]  # the sum of each dimension's partials, in DIMENSIONS order
    dimensions: tuple["DimensionResult", ...]  # in DIMENSIONS order


def compute(features: Features, scorecard: Scorecard) -> ScoreResult:
    """Score one person's features with a scoring model."""
    partials = {c.name: c.partial(getattr(features, c.name)) for c in scorecard.characteristics}
    outcome = _outcome(partials, features.blacklist, scorecard)
    return ScoreResult(
        score=outcome.score,
        band=Band.for_score(outcome.score),
        raw=outcome.raw,
        dimensions=outcome.dimensions,
        reasons=_reasons(features, scorecard, partials, outcome),
    )


def simulate(features: Features, scorecard: Scorecard, **changes: object) -> ScoreResult:
    """The score if some features were different ("what if"); unknown names raise TypeError."""
    return compute(dataclasses.replace(features, **changes), scorecard)


def _outcome(
    partials: Mapping[str, Decimal], blacklist: BlacklistStatus | None, scorecard: Scorecard
) -> _Outcome:
    return _outcome_of_totals(_dimension_totals(partials, scorecard), blacklist, scorecard)


def _dimension_totals(partials: Mapping[str, Decimal], scorecard: Scorecard) -> tuple[Decimal, ...]:
    """Σ p_k per dimension, in DIMENSIONS order, before clamping."""
    add = _EXACT.add
    totals = []
    for _dimension, _weight, names in scorecard.groups:
        total = Decimal(0)
        for name in names:
            total = add(total, partials[name])
        totals.append(total)
    return tuple(totals)


def _outcome_of_totals(
    totals: tuple[Decimal, ...], blacklist: BlacklistStatus | None, scorecard: Scorecard
) -> _Outcome:
    dimensions = tuple(scorecard.dimension(index, total) for index, total in enumerate(totals))
    raw = Decimal(SCORE_BASE)
    for dimension in dimensions:
        raw = _EXACT.add(raw, dimension.contribution)
    adjusted, score = scorecard.final(raw, blacklist)
    return _Outcome(raw=raw, adjusted=adjusted, score=score, totals=totals, dimensions=dimensions)


def _apply_blacklist(raw: Decimal, blacklist: BlacklistStatus | None, rule: BlacklistRule) -> Exact:
    if blacklist is None:
        return raw
    if blacklist.months_since_lifted is None:
        return min(_EXACT.subtract(raw, rule.penalty), Decimal(rule.cap))
    if blacklist.months_since_lifted >= rule.fade_months:
        return raw
    faded = Fraction(blacklist.months_since_lifted, rule.fade_months)
    return min(Fraction(raw) - rule.penalty * (1 - faded), rule.cap + (SCORE_MAX - rule.cap) * faded)


def _sub_score(standing: Decimal) -> int:
    """A dimension's standing in [-1, 1] as the 0-100 sub-score people see."""
    return _round_half_up(50 * (Fraction(standing) + 1))


def _round_half_up(value: Exact) -> int:
    if isinstance(value, Decimal):
        return math.floor(_EXACT.add(value, _HALF))
    return math.floor(value + Fraction(1, 2))


# --- Reasons --------------------------------------------------------------------------------


class _Candidate(NamedTuple):
    code: str
    points: int
    exact: Exact  # the unrounded effect, to rank reasons whose rounded points tie
    rank: tuple[int, Exact, int]  # (-points, -exact, code order): the strongest reason first


_REASON_ORDER: Mapping[str, int] = {code: order for order, code in enumerate(REASON_CODES)}
_RANK = operator.attrgetter("rank")


def _reasons(
    features: Features, scorecard: Scorecard, partials: Mapping[str, Decimal], outcome: _Outcome
) -> tuple[Reason, ...]:
    blacklist = features.blacklist
    unlisted = _outcome(partials, None, scorecard) if blacklist is not None else outcome
    pinned: list[_Candidate] = []
    lowering: list[_Candidate] = []
    # An active listing is always named first, even under parameters where it costs nothing:
    # people must be able to see that they are listed and dispute it. A fading one only when it
    # still costs something, ranked like any other reason.
    if blacklist is not None and (blacklist.is_active or outcome.adjusted < unlisted.adjusted):
        listing = _effect(
            BLACKLIST_ACTIVE if blacklist.is_active else BLACKLIST_RECENT, better=unlisted, worse=outcome
        )
        (pinned if blacklist.is_active else lowering).append(listing)

    # A one-factor counterfactual moves only its own dimension's total, so each is derived
    # from the person's totals instead of summing every partial again. Only the strongest few
    # are shown, so each is first bounded and computed only if it could still be among them.
    def effect(change: _Change) -> _Candidate:
        moved = _counterfactual(outcome, change, scorecard, blacklist)
        if change.replacement > change.current:
            return _effect(change.characteristic.name, better=moved, worse=outcome)
        return _effect(change.characteristic.name, better=outcome, worse=moved)

    changes = [
        scorecard.change(characteristic, partials[characteristic.name])
        for characteristic in scorecard.characteristics
        if partials[characteristic.name] != 0
    ]
    lowering = pinned + _strongest(
        lowering,
        [change for change in changes if change.current < 0],
        effect,
        limit=MAX_LOWERING_REASONS - len(pinned),
    )
    raising = _strongest(
        [], [change for change in changes if change.current > 0], effect, MAX_RAISING_REASONS
    )
    return tuple(
        Reason(
            code=candidate.code,
            direction=direction,
            points=candidate.points,
            params=_params(candidate.code, features),
        )
        for direction, candidates in ((LOWERS, lowering), (RAISES, raising))
        for candidate in candidates
    )


@dataclass(frozen=True)
class _Change:
    """One characteristic's partial replaced: the best bin for a lowering reason, none (0) for a
    raising one; bound caps the effect on the exact score."""

    characteristic: Characteristic
    current: Decimal
    replacement: Decimal
    bound: Decimal
    dimension_index: int

    @classmethod
    def of(cls, characteristic: Characteristic, current: Decimal, scorecard: Scorecard) -> "_Change":
        replacement = characteristic.best if current < 0 else Decimal(0)
        # A dimension's contribution moves at most weight x the larger point budget per unit of
        # its total, and the blacklist rule never moves a score more than its raw score moves.
        steepest = _EXACT.multiply(
            scorecard.weight(characteristic.dimension), max(scorecard.upside, scorecard.downside)
        )
        bound = _EXACT.multiply(steepest, abs(_EXACT.subtract(replacement, current)))
        return cls(characteristic, current, replacement, bound, DIMENSIONS.index(characteristic.dimension))


def _strongest(
    known: list[_Candidate], changes: list[_Change], effect: Callable[[_Change], _Candidate], limit: int
) -> list[_Candidate]:
    """The ``limit`` best-ranked of the known candidates and the changes' effects, computing a
    change's effect only while it could still rank among them.

    Points grow with the exact effect (the same score stands on one side of every comparison),
    so a change whose bound is below the exact effect of the limit-th best so far can outrank it
    neither by points nor, on a tie, by the exact effect.
    """
    if limit <= 0:
        return []
    chosen = sorted(known, key=_RANK)
    for change in sorted(changes, key=lambda change: change.bound, reverse=True):
        if len(chosen) >= limit and chosen[limit - 1].exact > change.bound:
            break
        insort(chosen, effect(change), key=_RANK)
    return chosen[:limit]


def _counterfactual(
    outcome: _Outcome,
    change: _Change,
    scorecard: Scorecard,
    blacklist: BlacklistStatus | None,
) -> "Final":
    """The final score with one characteristic's partial replaced; only its dimension moves."""
    index = change.dimension_index
    moved = scorecard.dimension(
        index, _EXACT.add(_EXACT.subtract(outcome.totals[index], change.current), change.replacement)
    )
    raw = _EXACT.add(_EXACT.subtract(outcome.raw, outcome.dimensions[index].contribution), moved.contribution)
    return scorecard.final(raw, blacklist)


def _effect(code: str, *, better: "_Outcome | Final", worse: "_Outcome | Final") -> _Candidate:
    high, low = better.adjusted, worse.adjusted
    if type(high) is not type(low):  # a fading listing's fraction against the unlisted decimal
        high, low = Fraction(high), Fraction(low)
    points, exact = better.score - worse.score, high - low
    return _Candidate(code=code, points=points, exact=exact, rank=(-points, -exact, _REASON_ORDER[code]))


def _params(code: str, features: Features) -> dict[str, int | str]:
    blacklist = features.blacklist
    if code in (BLACKLIST_ACTIVE, BLACKLIST_RECENT) and blacklist is not None:
        params: dict[str, int | str] = {
            "court": blacklist.court,
            "case_number": blacklist.case_number,
            "listed_on": blacklist.listed_on.isoformat(),
        }
        if blacklist.months_since_lifted is not None:
            params["months_since_lifted"] = blacklist.months_since_lifted
        return params
    value = getattr(features, code)
    if code == "late_bills_12m":
        kinds = sorted(
            ((kind, count) for kind, count in features.late_bills_12m_by_kind if count > 0),
            key=lambda pair: (-pair[1], pair[0]),
        )
        return {"count": value, "kinds": ", ".join(kind for kind, _ in kinds)}
    if code == "education":
        return {"level": value}
    if isinstance(value, bool):
        return {"verified": int(value)}
    if isinstance(value, Decimal):
        return {"amount": _round_half_up(value)}
    return {_PARAM_NAMES.get(code, "count"): value}


_PARAM_NAMES: Mapping[str, str] = {
    "history_months": "months",
    "credit_utilisation_pct": "percent",
    "active_days_90d": "days",
    "address_years": "years",
}


# --- Texts ----------------------------------------------------------------------------------
# Texts state the fact, so one text serves both directions; advice differs by direction.
# Every string is a literal inside gettext/ngettext so makemessages finds it, and they are
# translated at render time, in the person's language.

_Render = Callable[[Mapping[str, Any]], str]


def reason_text(code: str, direction: str, params: Mapping[str, Any]) -> str:
    """A plain sentence stating the fact behind a reason; never raises."""
    render = _TEXTS.get(code)
    if render is not None:
        try:
            return render(params)
        except (KeyError, TypeError, ValueError):
            pass  # params from another engine version: the generic text is better than an error page
    if direction == RAISES:
        return gettext("Something in your data raises your score")
    return gettext("Something in your data lowers your score")


def reason_advice(code: str, direction: str) -> str:
    """What the person can do about a reason; never raises."""
    advice = _ADVICE.get((code, direction))
    if advice is not None:
        return advice()
    return gettext("See the breakdown of your score for what feeds it.")


def _late_bills_text(params: Mapping[str, Any]) -> str:
    count = params["count"]
    kinds = ", ".join(
        _kind_label(kind.strip()) for kind in str(params.get("kinds", "")).split(",") if kind.strip()
    )
    if kinds:
        return ngettext(
            "%(count)d bill paid late in the last 12 months (%(kinds)s)",
            "%(count)d bills paid late in the last 12 months (%(kinds)s)",
            count,
        ) % {"count": count, "kinds": kinds}
    return ngettext(
        "%(count)d bill paid late in the last 12 months",
        "%(count)d bills paid late in the last 12 months",
        count,
    ) % {"count": count}


def _kind_label(kind: str) -> str:
    labels = {
        "credit_card": gettext("credit card"),
        "credit_line": gettext("credit line"),
        "utility": gettext("utility"),
        "traffic_fine": gettext("traffic fine"),
        "loan": gettext("loan"),
    }
    return labels.get(kind, kind.replace("_", " "))


def _education_text(params: Mapping[str, Any]) -> str:
    labels = {
        "secondary": gettext("secondary school"),
        "bachelor": gettext("bachelor's degree"),
        "master": gettext("master's degree"),
        "doctorate": gettext("doctorate"),
    }
    level = str(params["level"])
    if not level:
        return gettext("No education on record")
    return gettext("Education on record: %(level)s") % {"level": labels.get(level, level)}


def _blacklist_recent_text(params: Mapping[str, Any]) -> str:
    return (
        ngettext(
            "Listing as a dishonest judgment debtor by %(court)s, case %(case_number)s, "
            "lifted %(months_since_lifted)d month ago",
            "Listing as a dishonest judgment debtor by %(court)s, case %(case_number)s, "
            "lifted %(months_since_lifted)d months ago",
            params["months_since_lifted"],
        )
        % params
    )


_TEXTS: Mapping[str, _Render] = {
    BLACKLIST_ACTIVE: lambda p: (
        gettext(
            "Listed as a dishonest judgment debtor by %(court)s, case %(case_number)s, since %(listed_on)s"
        )
        % p
    ),
    BLACKLIST_RECENT: _blacklist_recent_text,
    "on_time_bills_24m": lambda p: (
        ngettext(
            "%(count)d bill paid on time in the last 24 months",
            "%(count)d bills paid on time in the last 24 months",
            p["count"],
        )
        % p
    ),
    "late_bills_12m": _late_bills_text,
    "late_bills_older": lambda p: (
        ngettext(
            "%(count)d bill paid late between 1 and 5 years ago",
            "%(count)d bills paid late between 1 and 5 years ago",
            p["count"],
        )
        % p
    ),
    "overdue_unpaid": lambda p: (
        ngettext(
            "%(count)d bill past due and still unpaid",
            "%(count)d bills past due and still unpaid",
            p["count"],
        )
        % p
    ),
    "history_months": lambda p: (
        ngettext("%(months)d month of bill history", "%(months)d months of bill history", p["months"]) % p
    ),
    "credit_utilisation_pct": lambda p: gettext("Credit line %(percent)d%% used") % p,
    "avg_balance_3m": lambda p: gettext("Average balance of %(amount)d RMB over the last 3 months") % p,
    "rent_on_time_12m": lambda p: (
        ngettext(
            "%(count)d rent payment on time in the last 12 months",
            "%(count)d rent payments on time in the last 12 months",
            p["count"],
        )
        % p
    ),
    "rent_late_12m": lambda p: (
        ngettext(
            "%(count)d rent payment late in the last 12 months",
            "%(count)d rent payments late in the last 12 months",
            p["count"],
        )
        % p
    ),
    "credit_limit": lambda p: gettext("Credit line limit of %(amount)d RMB") % p,
    "purchases_12m": lambda p: (
        ngettext(
            "%(count)d purchase in the last 12 months",
            "%(count)d purchases in the last 12 months",
            p["count"],
        )
        % p
    ),
    "active_days_90d": lambda p: (
        ngettext(
            "Active on %(days)d day in the last 90 days",
            "Active on %(days)d days in the last 90 days",
            p["days"],
        )
        % p
    ),
    "real_name_verified": lambda p: (
        gettext("Real name verified") if p["verified"] else gettext("Real name not verified")
    ),
    "education": _education_text,
    "address_years": lambda p: (
        ngettext(
            "At the same address for %(years)d year", "At the same address for %(years)d years", p["years"]
        )
        % p
    ),
    "phone_verified": lambda p: (
        gettext("Phone number verified") if p["verified"] else gettext("Phone number not verified")
    ),
    "email_verified": lambda p: (
        gettext("Email address verified") if p["verified"] else gettext("Email address not verified")
    ),
    "confirmed_contacts": lambda p: (
        ngettext("%(count)d confirmed contact", "%(count)d confirmed contacts", p["count"]) % p
    ),
    "interactions_90d": lambda p: (
        ngettext(
            "%(count)d interaction with contacts in the last 90 days",
            "%(count)d interactions with contacts in the last 90 days",
            p["count"],
        )
        % p
    ),
}

_ADVICE: Mapping[tuple[str, str], Callable[[], str]] = {
    (BLACKLIST_ACTIVE, LOWERS): lambda: gettext(
        "If this listing is wrong, dispute it: disputes are answered within 20 days. "
        "If it is right, complying with the judgment gets it lifted."
    ),
    (BLACKLIST_ACTIVE, RAISES): lambda: gettext(
        "If this listing is wrong, dispute it: disputes are answered within 20 days."
    ),
    (BLACKLIST_RECENT, LOWERS): lambda: gettext(
        "The effect of a lifted listing fades month by month until it ends. If the listing was wrong, "
        "dispute it to have it removed entirely: disputes are answered within 20 days."
    ),
    (BLACKLIST_RECENT, RAISES): lambda: gettext(
        "The effect of a lifted listing fades month by month until it ends."
    ),
    ("on_time_bills_24m", LOWERS): lambda: gettext("Pay your bills by their due date."),
    ("on_time_bills_24m", RAISES): lambda: gettext("Keep paying your bills by their due date."),
    ("late_bills_12m", LOWERS): lambda: gettext(
        "Pay bills by their due date; late payments weigh less after 12 months "
        "and stop counting after 5 years."
    ),
    ("late_bills_12m", RAISES): lambda: gettext("Keep paying your bills by their due date."),
    ("late_bills_older", LOWERS): lambda: gettext(
        "Keep paying on time; late payments stop counting after 5 years."
    ),
    ("late_bills_older", RAISES): lambda: gettext("Keep paying your bills by their due date."),
    ("overdue_unpaid", LOWERS): lambda: gettext(
        "Pay the overdue bills; late payments stop counting after 5 years."
    ),
    ("overdue_unpaid", RAISES): lambda: gettext("Keep paying your bills by their due date."),
    ("history_months", LOWERS): lambda: gettext("Keep your accounts open and paid; a longer history helps."),
    ("history_months", RAISES): lambda: gettext("Keep your accounts open and paid; a longer history helps."),
    ("credit_utilisation_pct", LOWERS): lambda: gettext(
        "Pay down your credit line: the less of the limit you use, the better."
    ),
    ("credit_utilisation_pct", RAISES): lambda: gettext("Keep your credit line use low."),
    ("avg_balance_3m", LOWERS): lambda: gettext("Keep more money available on your accounts."),
    ("avg_balance_3m", RAISES): lambda: gettext("Keep a healthy balance available on your accounts."),
    ("rent_on_time_12m", LOWERS): lambda: gettext("Pay your rent by its due date."),
    ("rent_on_time_12m", RAISES): lambda: gettext("Keep paying your rent by its due date."),
    ("rent_late_12m", LOWERS): lambda: gettext(
        "Pay your rent by its due date; late rent stops counting after 12 months."
    ),
    ("rent_late_12m", RAISES): lambda: gettext("Keep paying your rent by its due date."),
    ("credit_limit", LOWERS): lambda: gettext("A credit line you keep in good standing helps over time."),
    ("credit_limit", RAISES): lambda: gettext("Keep your credit line in good standing."),
    ("purchases_12m", LOWERS): lambda: gettext("Use your account for everyday purchases."),
    ("purchases_12m", RAISES): lambda: gettext("Keep using your account for everyday purchases."),
    ("active_days_90d", LOWERS): lambda: gettext("Use your account regularly."),
    ("active_days_90d", RAISES): lambda: gettext("Keep using your account regularly."),
    ("real_name_verified", LOWERS): lambda: gettext("Check the real-name verification in your profile."),
    ("real_name_verified", RAISES): lambda: gettext("Keep your verified real name up to date."),
    ("education", LOWERS): lambda: gettext("Check the education in your profile."),
    ("education", RAISES): lambda: gettext("Keep your education up to date in your profile."),
    ("address_years", LOWERS): lambda: gettext("Keep your address up to date in your profile."),
    ("address_years", RAISES): lambda: gettext("Keep your address up to date in your profile."),
    ("phone_verified", LOWERS): lambda: gettext("Check the phone verification in your profile."),
    ("phone_verified", RAISES): lambda: gettext("Keep your verified phone number up to date."),
    ("email_verified", LOWERS): lambda: gettext("Check the email verification in your profile."),
    ("email_verified", RAISES): lambda: gettext("Keep your verified email address up to date."),
    ("confirmed_contacts", LOWERS): lambda: gettext("Confirm the people you know as contacts."),
    ("confirmed_contacts", RAISES): lambda: gettext("Keep your contacts confirmed."),
    ("interactions_90d", LOWERS): lambda: gettext("Stay in touch with your contacts."),
    ("interactions_90d", RAISES): lambda: gettext("Keep in touch with your contacts."),
}
