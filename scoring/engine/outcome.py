"""A person's partials through a scorecard: dimension totals, contributions, raw and final
score. ``compute`` and the reasons' counterfactuals share it."""

from collections.abc import Mapping
from decimal import Decimal
from typing import NamedTuple, cast

from core.bands import SCORE_BASE

from .arithmetic import EXACT, DimensionResult, Exact
from .features import BlacklistStatus
from .scorecard import Scorecard


class Outcome(NamedTuple):
    raw: Decimal
    adjusted: Exact  # after the blacklist rule, before rounding
    score: int
    totals: tuple[Decimal, ...]  # the sum of each dimension's partials, in DIMENSIONS order
    dimensions: tuple["DimensionResult", ...]  # in DIMENSIONS order


def outcome_of(
    partials: Mapping[str, Decimal], blacklist: BlacklistStatus | None, scorecard: Scorecard
) -> Outcome:
    return _outcome_of_totals(_dimension_totals(partials, scorecard), blacklist, scorecard)


def _dimension_totals(partials: Mapping[str, Decimal], scorecard: Scorecard) -> tuple[Decimal, ...]:
    """Σ p_k per dimension, in DIMENSIONS order, before clamping."""
    add = EXACT.add
    totals = []
    for _dimension, _weight, names in scorecard.groups:
        total = Decimal(0)
        for name in names:
            total = add(total, partials[name])
        totals.append(total)
    return tuple(totals)


def _outcome_of_totals(
    totals: tuple[Decimal, ...], blacklist: BlacklistStatus | None, scorecard: Scorecard
) -> Outcome:
    dimensions = tuple(scorecard.dimension(index, total) for index, total in enumerate(totals))
    raw = Decimal(SCORE_BASE)
    for dimension in dimensions:
        # The launch scorecard's contributions are Decimals (only a fitted model's are Fractions).
        raw = EXACT.add(raw, cast(Decimal, dimension.contribution))
    adjusted, score = scorecard.final(raw, blacklist)
    return Outcome(raw=raw, adjusted=adjusted, score=score, totals=totals, dimensions=dimensions)
