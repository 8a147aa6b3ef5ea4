"""A person through a fitted scorecard: points, the total, sub-scores, the score and its reasons.

Sub-scores: a dimension's points within the range its bins allow, 0 (its worst) to 100 (its
best), rounded half up. Contributions: the scaling's slope is applied to the total, so a
dimension's share of (raw - 600) is its share of the total: c_d = (raw - 600) * T_d / T, exactly
(Fractions), and the sum of c_d is raw - 600.

Reasons ("points below best"): every characteristic whose points are below its best bin's ranks
by the gain in the final score if it alone were at its best (a one-factor counterfactual of the
total, blacklist rule included); the top four lower the score, an active listing always first.
A thin file's history characteristics rank together as one "little credit history yet" reason.
Characteristics with positive points raise it, ranked by the loss were they "no data"; the top
three are shown, leaving out any already named as lowering. Ties break by the exact gain, then by
the fixed code order, as for the launch scorecard.
"""

from collections.abc import Mapping
from fractions import Fraction
from typing import NamedTuple

from core.bands import SCORE_BASE

from .arithmetic import DimensionResult, Exact, round_half_up
from .features import BLACKLIST_ACTIVE, BLACKLIST_RECENT, THIN_FILE, BlacklistStatus, Features
from .reasons import (
    _RANK,
    MAX_LOWERING_REASONS,
    MAX_RAISING_REASONS,
    Reason,
    _Candidate,
    _effect,
    _named,
    _reasons_of,
    thin_file_members,
)
from .totals import FittedScorecard


class TotalOutcome(NamedTuple):
    raw: Fraction  # the scaled total before the blacklist rule
    adjusted: Exact  # after the blacklist rule, before rounding
    score: int
    total: int
    dimensions: tuple[DimensionResult, ...]  # in DIMENSIONS order


def total_outcome(
    points: Mapping[str, int], blacklist: BlacklistStatus | None, scorecard: FittedScorecard
) -> TotalOutcome:
    totals = {dimension: 0 for dimension, _weight in scorecard.weights}
    for characteristic in scorecard.characteristics:
        totals[characteristic.dimension] += points[characteristic.name]
    total = sum(totals.values())
    raw = scorecard.scaling.exact(total)
    adjusted, score = scorecard.final(total, blacklist)
    dimensions = []
    for dimension, weight in scorecard.weights:
        worst, best = scorecard.dimension_range(dimension)
        standing = totals[dimension]
        contribution = (raw - SCORE_BASE) * Fraction(standing, total) if total else Fraction(0)
        dimensions.append(
            DimensionResult(
                key=dimension,
                weight=weight,
                score=round_half_up(Fraction(100 * (standing - worst), best - worst)),
                contribution=contribution,
            )
        )
    return TotalOutcome(raw=raw, adjusted=adjusted, score=score, total=total, dimensions=tuple(dimensions))


def total_reasons(
    features: Features, scorecard: FittedScorecard, points: Mapping[str, int], outcome: TotalOutcome
) -> tuple[Reason, ...]:
    blacklist = features.blacklist
    pinned: list[_Candidate] = []
    lowering: list[_Candidate] = []
    if blacklist is not None:
        unlisted = scorecard.final(outcome.total, None)
        # As for the launch scorecard: an active listing is always named first; a fading one only
        # while it still costs something, ranked with the characteristics.
        if blacklist.is_active or outcome.adjusted < unlisted.adjusted:
            listing = _effect(
                BLACKLIST_ACTIVE if blacklist.is_active else BLACKLIST_RECENT, better=unlisted, worse=outcome
            )
            (pinned if blacklist.is_active else lowering).append(listing)
    # While an active listing caps the score it masks every other factor: those are chosen and
    # ranked by what they are worth without it, and each also says what it is worth under the cap.
    active = blacklist is not None and blacklist.is_active
    ranked_by = None if active else blacklist
    base = scorecard.final(outcome.total, None) if active else outcome
    capped: dict[str, int] = {}

    def moved(code: str, total: int, *, up: bool) -> _Candidate:
        if active:
            under_cap = scorecard.final(total, blacklist)
            capped[code] = (
                _effect(code, better=under_cap, worse=outcome)
                if up
                else _effect(code, better=outcome, worse=under_cap)
            ).points
        elsewhere = scorecard.final(total, ranked_by)
        return (
            _effect(code, better=elsewhere, worse=base) if up else _effect(code, better=base, worse=elsewhere)
        )

    below = [c for c in scorecard.characteristics if points[c.name] < c.best]
    thin = thin_file_members(features, (c.name for c in below))
    if thin:
        gain = sum(c.best - points[c.name] for c in below if c.name in thin)
        lowering.append(moved(THIN_FILE, outcome.total + gain, up=True))
    for characteristic in below:
        if characteristic.name not in thin:
            current = points[characteristic.name]
            lowering.append(
                moved(characteristic.name, outcome.total - current + characteristic.best, up=True)
            )
    # Ranked last, a candidate worth nothing (a cap masking it) is never shown as a lowering reason.
    chosen = sorted(lowering, key=_RANK)[: MAX_LOWERING_REASONS - len(pinned)]
    chosen_lowering = pinned + [candidate for candidate in chosen if candidate.exact > 0]
    named = _named(chosen_lowering, thin)
    raising: list[_Candidate] = []
    for characteristic in scorecard.characteristics:
        current = points[characteristic.name]
        if current > 0 and characteristic.name not in named:
            raising.append(moved(characteristic.name, outcome.total - current, up=False))
    return _reasons_of(
        features,
        chosen_lowering,
        sorted(raising, key=_RANK)[:MAX_RAISING_REASONS],
        capped=capped if active else None,
    )
