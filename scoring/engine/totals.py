"""A fitted scorecard (``"format": "credit-life-scorecard/1"``): integer points per bin, one total
per person, and the total scaled onto 350..950 with a separate slope above and below 600.

This module is the one place that knows how a fitted model's bins place a value and how a total
becomes a score. The fitter (``scoring.fitting``) scores its samples through ``bin_indexes`` and
``TotalScaling``; the live engine scores a person through ``FittedScorecard``, which uses the same
two rules, so a model's validation report and the scores people see cannot disagree.

Bins: a numerical characteristic's bin i holds ``edges[i-1] <= x < edges[i]`` (x as a float, the
edges floats, compared the same way by ``bisect`` for one person and by ``numpy.searchsorted`` for
a table); an ordinal's x is its level's index; a nominal categorical's bins are groups of
categories. "No data" (a missing value, a value listed in ``no_data_values``, a category the fit
never saw) has index ``NO_DATA`` and is worth 0 points.
"""

import math
from bisect import bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Any

import numpy as np

from core.bands import SCORE_BASE, SCORE_MAX, SCORE_MIN

from .arithmetic import BlacklistRule, Final, apply_blacklist, round_half_up
from .features import EDUCATION_LEVELS, BlacklistStatus, Features

FITTED_FORMAT = "credit-life-scorecard/1"
NO_DATA = -1
NUMERICAL = "numerical"
ORDINAL = "ordinal"
CATEGORICAL = "categorical"
# Risk (the bad rate) rises, or falls, as the value grows: optbinning's words, kept by the fitter.
RISK_ASCENDING = "ascending"
RISK_DESCENDING = "descending"


@dataclass(frozen=True)
class TotalScaling:
    """score = base + upside * total / max_total above the base, base - downside * total / min_total below.

    max_total (>= 0) and min_total (<= 0) are the best and worst totals the points tables allow, so
    the best possible profile scores 950, the worst 350 and the empty file (total 0) 600. One slope
    per side, applied to the total: the score is a monotone function of the total, hence of the
    predicted log-odds (a line in the total), never of one dimension at a time.
    """

    max_total: int
    min_total: int
    base: int = SCORE_BASE
    upside: int = SCORE_MAX - SCORE_BASE
    downside: int = SCORE_BASE - SCORE_MIN

    def __post_init__(self) -> None:
        if self.max_total < 0 or self.min_total > 0:
            raise ValueError(
                f"max_total must be >= 0 and min_total <= 0, got {self.max_total}, {self.min_total}"
            )

    def exact(self, total: int) -> Fraction:
        if total > 0:
            return self.base + Fraction(self.upside * total, self.max_total)
        if total < 0:
            return self.base - Fraction(self.downside * total, self.min_total)
        return Fraction(self.base)

    def score(self, total: int) -> int:
        """The score of a total of points: rounded half up once, then clamped to 350..950."""
        return min(max(round_half_up(self.exact(int(total))), SCORE_MIN), SCORE_MAX)

    def as_json(self) -> dict[str, int]:
        return {
            "base": self.base,
            "upside": self.upside,
            "downside": self.downside,
            "max_total": self.max_total,
            "min_total": self.min_total,
            "min_score": SCORE_MIN,
            "max_score": SCORE_MAX,
        }


def bin_indexes(
    kind: str, edges: Sequence[float], groups: Sequence[Sequence[str]], values: np.ndarray
) -> np.ndarray:
    """Each value's bin index, NO_DATA for a missing value or a category the fit never saw.

    ``values`` are floats (NaN for no data) for numerical and ordinal characteristics (an ordinal's
    level index), strings (None for no data) for categorical ones.
    """
    index = np.full(len(values), NO_DATA, dtype=int)
    if kind == CATEGORICAL:
        where = {category: b for b, group in enumerate(groups) for category in group}
        for i, value in enumerate(values):
            if value is not None:
                index[i] = where.get(value, NO_DATA)
        return index
    numbers = np.asarray(values, dtype=float)
    known = ~np.isnan(numbers)
    index[known] = np.searchsorted(np.asarray(edges, dtype=float), numbers[known], side="right")
    return index


def feature_number(value: int | bool | str | Decimal | None) -> float | None:
    """A portal feature as the number a fitted model bins: flags 0/1, education its level, money a float.

    The features table a model is fitted on is built with this function too, so a value falls in
    the same bin at fit time and at scoring time.
    """
    if value is None:
        return None
    if isinstance(value, str):
        return float(EDUCATION_LEVELS[value])
    return float(value)


@dataclass(frozen=True)
class FittedCharacteristic:
    """One fitted characteristic of the portal: numerical bins (edges) and integer points per bin."""

    name: str
    dimension: str
    direction: str  # RISK_ASCENDING or RISK_DESCENDING
    edges: tuple[float, ...]
    points: tuple[int, ...]
    no_data_values: tuple[float, ...] = ()

    def index(self, value: int | bool | str | Decimal | None) -> int:
        number = feature_number(value)
        if number is None or math.isnan(number) or number in self.no_data_values:
            return NO_DATA
        return bisect_right(self.edges, number)

    def points_of(self, value: int | bool | str | Decimal | None) -> int:
        index = self.index(value)
        return 0 if index == NO_DATA else self.points[index]

    @property
    def best(self) -> int:
        # "No data" (0) is always reachable, so it bounds the range too.
        return max(0, *self.points)

    @property
    def worst(self) -> int:
        return min(0, *self.points)


@dataclass(frozen=True)
class FittedScorecard:
    """A validated fitted model: weights (published), blacklist rule, characteristics and scaling."""

    weights: tuple[tuple[str, Decimal], ...]  # in DIMENSIONS order
    blacklist: BlacklistRule
    characteristics: tuple[FittedCharacteristic, ...]
    scaling: TotalScaling
    calibration: tuple[float, float] | None = None  # (intercept, slope per point) of the log-odds of bad
    _finals: dict = field(default_factory=dict, compare=False, repr=False)

    def weight(self, dimension: str) -> Decimal:
        return dict(self.weights)[dimension]

    def points(self, features: Features) -> dict[str, int]:
        return {c.name: c.points_of(getattr(features, c.name)) for c in self.characteristics}

    def dimension_range(self, dimension: str) -> tuple[int, int]:
        """The worst and best total a dimension's characteristics allow ("no data" included)."""
        members = [c for c in self.characteristics if c.dimension == dimension]
        return sum(c.worst for c in members), sum(c.best for c in members)

    def predicted_log_odds(self, total: int) -> float | None:
        """The fitted log-odds of a bad outcome at a total (None when the model carries no calibration)."""
        if self.calibration is None:
            return None
        intercept, slope = self.calibration
        return intercept + slope * total

    def final(self, total: int, blacklist: BlacklistStatus | None) -> Final:
        """(adjusted, score) of a total: the scaling, the blacklist rule, one rounding, the clamp."""
        key = (total, None if blacklist is None else (blacklist.months_since_lifted,))
        cached = self._finals.get(key)
        if cached is None:
            adjusted = apply_blacklist(self.scaling.exact(total), blacklist, self.blacklist)
            cached = Final(adjusted, min(max(round_half_up(adjusted), SCORE_MIN), SCORE_MAX))
            if len(self._finals) >= 100_000:
                self._finals.clear()  # bounded memory in long-lived workers
            self._finals[key] = cached
        return cached


def fitted_characteristic(entry: Mapping[str, Any]) -> FittedCharacteristic:
    """A fitted model's characteristic entry (already validated) as a FittedCharacteristic."""
    return FittedCharacteristic(
        name=entry["name"],
        dimension=entry["dimension"],
        direction=entry["direction"],
        edges=tuple(float(edge) for edge in entry.get("edges", ())),
        points=tuple(int(p) for p in entry["points"]),
        no_data_values=tuple(float(v) for v in entry.get("no_data_values", ())),
    )
