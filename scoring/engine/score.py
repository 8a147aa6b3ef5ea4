"""Scoring a person: ``compute`` (features and a scorecard in, the score, band, sub-scores and
reasons out) and ``simulate`` (the same with some features changed)."""

import dataclasses
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from core.bands import Band

from .arithmetic import DimensionResult
from .features import Features
from .outcome import outcome_of
from .reasons import Reason, reasons
from .scorecard import Scorecard


@dataclass(frozen=True)
class ScoreResult:
    score: int
    band: Band
    raw: Decimal  # the scorecard's raw score before the blacklist rule: 600 + sum of contributions
    dimensions: tuple[DimensionResult, ...]
    reasons: tuple[Reason, ...]  # lowering reasons first, then raising ones


def compute(features: Features, scorecard: Scorecard) -> ScoreResult:
    """Score one person's features with a scoring model."""
    partials = {c.name: c.partial(getattr(features, c.name)) for c in scorecard.characteristics}
    outcome = outcome_of(partials, features.blacklist, scorecard)
    return ScoreResult(
        score=outcome.score,
        band=Band.for_score(outcome.score),
        raw=outcome.raw,
        dimensions=outcome.dimensions,
        reasons=reasons(features, scorecard, partials, outcome),
    )


def simulate(features: Features, scorecard: Scorecard, **changes: Any) -> ScoreResult:
    """The score if some features were different ("what if"); unknown names raise TypeError."""
    return compute(dataclasses.replace(features, **changes), scorecard)
