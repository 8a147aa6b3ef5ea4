"""The parsed scoring model: binned characteristics, the blacklist rule and the weights, with
the memoised steps the nightly run repeats for every person (a feature's partial, a
dimension's result, the final score, a counterfactual change)."""

import functools
from bisect import bisect_right
from dataclasses import dataclass
from decimal import Decimal, localcontext

from core.bands import SCORE_MAX, SCORE_MIN

from .arithmetic import (
    EXACT,
    BlacklistRule,
    DimensionResult,
    Final,
    apply_blacklist,
    round_half_up,
    sub_score,
)
from .features import DIMENSIONS, EDUCATION_LEVELS, BlacklistStatus

_MEMO_LIMIT = 100_000


def _remember(cache: dict, key: object, value: object) -> None:
    if len(cache) >= _MEMO_LIMIT:
        cache.clear()  # bounded memory in long-lived workers
    cache[key] = value


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
        return self.partials[self._index(value)]

    def _index(self, value: int | Decimal) -> int:
        return max(bisect_right(self.bounds, value) - 1, 0)

    def index(self, value: int | bool | str | Decimal | None) -> int:
        """The bin a feature value falls in, -1 for no data (what the nightly watch counts)."""
        if value is None:
            return -1
        if isinstance(value, str):
            return self._index(EDUCATION_LEVELS[value])
        return self._index(value if isinstance(value, Decimal) else int(value))

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
            with localcontext(EXACT):
                standing = min(max(total, Decimal(-1)), Decimal(1))
                budget = self.upside if standing >= 0 else self.downside
                contribution = weight * budget * standing
            cached = DimensionResult(
                key=dimension, weight=weight, score=sub_score(standing), contribution=contribution
            )
            _remember(self._dimensions, key, cached)
        return cached

    def final(self, raw: Decimal, blacklist: BlacklistStatus | None) -> "Final":
        """(adjusted, score): the blacklist rule, one half-up rounding and the clamp; memoised."""
        # Only whether a listing is active and how long ago it was lifted matter to the rule.
        key = (raw, None if blacklist is None else (blacklist.months_since_lifted,))
        cached = self._finals.get(key)
        if cached is None:
            adjusted = apply_blacklist(raw, blacklist, self.blacklist)
            cached = Final(adjusted, min(max(round_half_up(adjusted), SCORE_MIN), SCORE_MAX))
            _remember(self._finals, key, cached)
        return cached

    def change(self, characteristic: "Characteristic", current: Decimal, *, lowering: bool) -> "Change":
        """The counterfactual change of a characteristic's partial, with its bound; memoised.

        A lowering reason's change is to the best bin, a raising one's to no data (0)."""
        key = (characteristic.name, current, lowering)
        cached = self._changes.get(key)
        if cached is None:
            cached = Change.of(characteristic, current, self, lowering=lowering)
            _remember(self._changes, key, cached)
        return cached

    @functools.cached_property
    def _changes(self) -> dict[tuple[str, Decimal, bool], "Change"]:
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


@dataclass(frozen=True)
class Change:
    """One characteristic's partial replaced: the best bin for a lowering reason (any partial below
    it), none (0) for a raising one; bound caps the effect on the exact score."""

    characteristic: Characteristic
    current: Decimal
    replacement: Decimal
    bound: Decimal
    dimension_index: int

    @classmethod
    def of(
        cls, characteristic: Characteristic, current: Decimal, scorecard: Scorecard, *, lowering: bool
    ) -> "Change":
        replacement = characteristic.best if lowering else Decimal(0)
        # A dimension's contribution moves at most weight x the larger point budget per unit of
        # its total, and the blacklist rule never moves a score more than its raw score moves.
        steepest = EXACT.multiply(
            scorecard.weight(characteristic.dimension), max(scorecard.upside, scorecard.downside)
        )
        bound = EXACT.multiply(steepest, abs(EXACT.subtract(replacement, current)))
        return cls(characteristic, current, replacement, bound, DIMENSIONS.index(characteristic.dimension))
