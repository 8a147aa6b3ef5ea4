"""Scoring a person: ``compute`` (features and a scorecard in, the score, band, sub-scores and
reasons out) and ``simulate`` (the same with some features changed)."""

import dataclasses
from dataclasses import dataclass
from typing import Any

from core.bands import Band

from .arithmetic import DimensionResult, Exact
from .features import Features
from .fitted import total_outcome, total_reasons
from .outcome import outcome_of
from .reasons import Reason, reasons
from .scorecard import Scorecard
from .totals import FittedScorecard

# The launch scorecard (partials per dimension) or a fitted one (integer points, one total).
AnyScorecard = Scorecard | FittedScorecard


@dataclass(frozen=True)
class ScoreResult:
    score: int
    band: Band
    # The scorecard's raw score before the blacklist rule, 600 + sum of contributions: a Decimal for
    # the launch scorecard, a Fraction for a fitted one.
    raw: Exact
    dimensions: tuple[DimensionResult, ...]
    reasons: tuple[Reason, ...]  # lowering reasons first, then raising ones


def compute(features: Features, scorecard: AnyScorecard) -> ScoreResult:
    """Score one person's features with a scoring model."""
    if isinstance(scorecard, FittedScorecard):
        points = scorecard.points(features)
        fitted = total_outcome(points, features.blacklist, scorecard)
        return ScoreResult(
            score=fitted.score,
            band=Band.for_score(fitted.score),
            raw=fitted.raw,
            dimensions=fitted.dimensions,
            reasons=total_reasons(features, scorecard, points, fitted),
        )
    partials = {c.name: c.partial(getattr(features, c.name)) for c in scorecard.characteristics}
    outcome = outcome_of(partials, features.blacklist, scorecard)
    return ScoreResult(
        score=outcome.score,
        band=Band.for_score(outcome.score),
        raw=outcome.raw,
        dimensions=outcome.dimensions,
        reasons=reasons(features, scorecard, partials, outcome),
    )


def simulate(features: Features, scorecard: AnyScorecard, **changes: Any) -> ScoreResult:
    """The score if some features were different ("what if"); unknown names raise TypeError."""
    return compute(dataclasses.replace(features, **changes), scorecard)
