"""The exact implementation of one score, person by person: Decimal partials (the launch
scorecard) or integer points over a Fraction scaling (a fitted one), every counterfactual reason
recomputed. The nightly run and every page score through ``vectorised`` instead; this stays as the
reference the tests hold it to, and scores the models whose integers could overflow int64."""

from dataclasses import dataclass

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


def compute_exact(features: Features, scorecard: AnyScorecard) -> ScoreResult:
    """Score one person's features with a scoring model, in exact arithmetic (the reference)."""
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
