"""Scoring a person: ``compute`` (features and a scorecard in, the score, band, sub-scores and
reasons out) and ``simulate`` (the same with some features changed), both a chunk of one through
the vectorised engine the nightly run uses."""

import dataclasses
from typing import Any

from .exact import AnyScorecard, ScoreResult
from .features import Features
from .vectorised import score_chunk

__all__ = ["AnyScorecard", "ScoreResult", "compute", "simulate"]


def compute(features: Features, scorecard: AnyScorecard) -> ScoreResult:
    """Score one person's features with a scoring model."""
    return score_chunk([features], scorecard).result(0)


def simulate(features: Features, scorecard: AnyScorecard, **changes: Any) -> ScoreResult:
    """The score if some features were different ("what if"); unknown names raise TypeError."""
    return compute(dataclasses.replace(features, **changes), scorecard)
