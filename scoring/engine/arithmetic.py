"""The exact arithmetic of one score, step by step: the fixed decimal context, a dimension's
result, the blacklist rule, the sub-score and the single half-up rounding. Pure functions of
numbers; the scorecard memoises them and ``outcome`` chains them (see the package docstring)."""

import math
from dataclasses import dataclass
from decimal import Context, Decimal
from fractions import Fraction
from typing import NamedTuple

from core.bands import SCORE_MAX

from .features import BlacklistStatus

# Wide enough that sums of products of the tables' short decimals are exact, and fixed so the
# caller's decimal context cannot change a score: same inputs, same bits, on every machine.
EXACT = Context(prec=60)
_HALF = Decimal("0.5")
# A score before rounding: exact as a Decimal, except under a fading listing, whose share of
# the penalty (months / fade_months) needs a Fraction.
Exact = Decimal | Fraction


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
class DimensionResult:
    key: str
    weight: Decimal
    score: int  # 0-100 sub-score shown to people
    contribution: Exact  # c_d: points this dimension adds to (or takes from) the base 600


def apply_blacklist(raw: Exact, blacklist: BlacklistStatus | None, rule: BlacklistRule) -> Exact:
    """The rule on an exact raw score: a Decimal (the launch scorecard) or a Fraction (a fitted
    model's scaled total), kept exact in its own type."""
    if blacklist is None:
        return raw
    if blacklist.months_since_lifted is None:
        if isinstance(raw, Fraction):
            return min(raw - rule.penalty, Fraction(rule.cap))
        return min(EXACT.subtract(raw, rule.penalty), Decimal(rule.cap))
    if blacklist.months_since_lifted >= rule.fade_months:
        return raw
    faded = Fraction(blacklist.months_since_lifted, rule.fade_months)
    return min(Fraction(raw) - rule.penalty * (1 - faded), rule.cap + (SCORE_MAX - rule.cap) * faded)


def sub_score(standing: Decimal) -> int:
    """A dimension's standing in [-1, 1] as the 0-100 sub-score people see."""
    return round_half_up(50 * (Fraction(standing) + 1))


def round_half_up(value: Exact) -> int:
    if isinstance(value, Decimal):
        return math.floor(EXACT.add(value, _HALF))
    return math.floor(value + Fraction(1, 2))
