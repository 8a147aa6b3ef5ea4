"""A whole chunk of people scored at once: every step of the package docstring as integer array
arithmetic (numpy), with the same results as the exact Decimal and Fraction implementation
(``outcome``, ``reasons``, ``fitted``), which stays as the tests' reference.

No floating point touches a score
=================================
Every number the score depends on is an integer in a fixed unit chosen per scoring model:

- Launch scorecard: a partial p is held as P = p x 10^k and a weight w as W = w x 10^m, k and m
  the most decimal places in the model's tables, so a dimension's standing is an integer in units
  of 10^-k and a contribution W x budget x clamp(P) an integer in units of S = 10^-(k+m): sums
  and products of such integers are exact. A count's bin is ``searchsorted`` of the count among
  the bounds rounded up (v >= b exactly when v >= ceil(b) for a whole v); an amount of money's is
  ``searchsorted`` of floor(v x 10^q) among the bounds x 10^q (q >= 2 and the bounds' places, so
  the bounds are whole: v >= b exactly when floor(v x 10^q) >= b x 10^q).
- Fitted scorecard: integer points; the total is scaled with the denominator
  L = lcm(max_total, -min_total), so raw x L is an integer on both sides of 600. Its bins are
  placed exactly as the reference places them (``FittedCharacteristic.index``): the value as a
  Python float compared with float edges, ``numpy.searchsorted(side="right")`` being the same
  comparisons as ``bisect_right``, so both round a value to a float the same way, once.
- The blacklist rule: multiplied through by fade_months F, every score before rounding is an
  integer A over the one denominator D = unit x F, for every person (listed, fading or not).
  Rounding half up is floor((2A + D) / 2D), an integer floor division; a sub-score likewise.

Reasons rank by the exact gain alone: every lowering candidate is compared with the same current
score, so a larger exact gain never has fewer rounded points (rounding and clamping are monotone),
and (-points, -exact, code order) is the order of (-exact, code order); the same holds for the
raising ones. The key is gain x 64 + (63 - code order), one int64, sorted with a partial sort.

A model whose integers could overflow int64 (a table with very many decimal places) is scored
person by person by the reference instead (``ChunkPlan.exact_only``); none of the shipped or
fitted models comes near it.
"""

import math
import operator
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

import numpy as np

from core.bands import SCORE_BASE, SCORE_MAX, SCORE_MIN, Band

from .arithmetic import EXACT, DimensionResult, Exact
from .exact import ScoreResult, compute_exact
from .features import (
    BLACKLIST_ACTIVE,
    BLACKLIST_RECENT,
    DIMENSIONS,
    EDUCATION_LEVELS,
    LOWERS,
    RAISES,
    REASON_CODES,
    SCORED_FEATURES,
    THIN_FILE,
    THIN_FILE_FEATURES,
    THIN_FILE_MONTHS,
    Features,
)
from .reasons import MAX_LOWERING_REASONS, MAX_RAISING_REASONS, Reason, _params, reason_row
from .scorecard import Scorecard
from .totals import FittedScorecard, feature_number

_INT64_SAFE = 2**62
_CODE_SLOTS = 64  # more than len(REASON_CODES): the code order fits below the gain in one key
_ORDER = {code: order for order, code in enumerate(REASON_CODES)}
_MONEY_FEATURES = frozenset({"avg_balance_3m", "credit_limit"})
_NO_BLACKLIST, _ACTIVE, _FADING = 0, 1, 2
_HISTORY = SCORED_FEATURES.index("history_months")
_FEATURE_VALUES = operator.attrgetter(*SCORED_FEATURES)


def _places(value: Decimal) -> int:
    exponent = value.as_tuple().exponent
    return max(-int(exponent), 0)


@dataclass(frozen=True)
class _LaunchColumn:
    """How one characteristic of the launch scorecard bins a column: integer bounds and points."""

    feature: int  # index in SCORED_FEATURES
    dimension: int
    money_places: int | None  # q for an amount of money, None for counts, flags and levels
    bounds: np.ndarray  # int64, ascending
    points: np.ndarray  # int64 partials x 10^k
    best: int


@dataclass(frozen=True)
class _FittedColumn:
    feature: int
    dimension: int
    edges: np.ndarray  # float64
    points: np.ndarray  # int64
    no_data_values: np.ndarray  # float64
    best: int


@dataclass(frozen=True)
class ChunkPlan:
    """A scoring model turned into integer tables, built once per parsed scorecard."""

    fitted: bool
    columns: tuple[Any, ...]  # _LaunchColumn or _FittedColumn, in the scorecard's order
    names: tuple[str, ...]
    codes: np.ndarray  # each characteristic's REASON_CODES order
    unit: int  # S (launch: 10^(k+m)) or L (fitted): raw x unit is an integer
    fade: int  # F
    denominator: int  # D = unit x F
    penalty: int
    cap: int
    # launch: one = 10^k, weights W_d, budgets; fitted: scaling factors and dimension ranges
    one: int
    weights: np.ndarray
    upside: int
    downside: int
    up_factor: int  # fitted: raw x L = base x L + upside x T x up_factor above the base
    down_factor: int  # fitted: ... - downside x T x down_factor below it (down_factor < 0)
    base: int
    worst: np.ndarray  # fitted: each dimension's worst and best total
    best: np.ndarray
    thin_members: np.ndarray  # bool per column: a THIN_FILE_FEATURES characteristic
    exact_only: bool  # the integers could overflow: score with the reference


def plan_of(scorecard: Scorecard | FittedScorecard) -> ChunkPlan | None:
    """The scorecard's integer tables (None when they could overflow int64), kept on the
    (immutable) scorecard itself."""
    if "_chunk_plan" not in scorecard.__dict__:
        try:
            plan: ChunkPlan | None = (
                _fitted_plan(scorecard) if isinstance(scorecard, FittedScorecard) else _launch_plan(scorecard)
            )
        except OverflowError:
            plan = None
        if plan is not None and plan.exact_only:
            plan = None
        scorecard.__dict__["_chunk_plan"] = plan  # a frozen dataclass: its memo goes in by hand
    return scorecard.__dict__["_chunk_plan"]


def _launch_plan(scorecard: Scorecard) -> ChunkPlan:
    k = max(_places(p) for c in scorecard.characteristics for p in c.partials)
    m = max(_places(w) for _dimension, w in scorecard.weights)
    one = 10**k
    unit = 10 ** (k + m)
    columns = []
    for c in scorecard.characteristics:
        feature = SCORED_FEATURES.index(c.name)
        if c.name in _MONEY_FEATURES:
            q = max([2, *(_places(b) for b in c.bounds)])
            bounds = [int(EXACT.scaleb(b, q)) for b in c.bounds]
            places: int | None = q
        else:
            bounds = [math.ceil(b) for b in c.bounds]
            places = None
        points = [int(EXACT.scaleb(p, k)) for p in c.partials]
        columns.append(
            _LaunchColumn(
                feature=feature,
                dimension=DIMENSIONS.index(c.dimension),
                money_places=places,
                bounds=np.array(bounds, dtype=np.int64),
                points=np.array(points, dtype=np.int64),
                best=max(0, *points),
            )
        )
    weights = [int(EXACT.scaleb(w, m)) for _dimension, w in scorecard.weights]
    largest = max(max(abs(b) for b in col.bounds.tolist()) if len(col.bounds) else 0 for col in columns)
    return _plan(
        fitted=False,
        scorecard=scorecard,
        columns=tuple(columns),
        unit=unit,
        one=one,
        weights=np.array(weights, dtype=np.int64),
        upside=scorecard.upside,
        downside=scorecard.downside,
        extra_magnitude=largest,
    )


def _fitted_plan(scorecard: FittedScorecard) -> ChunkPlan:
    columns = []
    for c in scorecard.characteristics:
        columns.append(
            _FittedColumn(
                feature=SCORED_FEATURES.index(c.name),
                dimension=DIMENSIONS.index(c.dimension),
                edges=np.array(c.edges, dtype=np.float64),
                points=np.array(c.points, dtype=np.int64),
                no_data_values=np.array(c.no_data_values, dtype=np.float64),
                best=c.best,
            )
        )
    scaling = scorecard.scaling
    unit = math.lcm(max(scaling.max_total, 1), max(-scaling.min_total, 1))
    ranges = [scorecard.dimension_range(dimension) for dimension, _weight in scorecard.weights]
    return _plan(
        fitted=True,
        scorecard=scorecard,
        columns=tuple(columns),
        unit=unit,
        one=1,
        weights=np.zeros(len(DIMENSIONS), dtype=np.int64),
        upside=scaling.upside,
        downside=scaling.downside,
        up_factor=unit // max(scaling.max_total, 1),
        down_factor=-(unit // max(-scaling.min_total, 1)),
        base=scaling.base,
        worst=np.array([worst for worst, _best in ranges], dtype=np.int64),
        best=np.array([best for _worst, best in ranges], dtype=np.int64),
        extra_magnitude=sum(abs(int(p)) for c in columns for p in c.points.tolist()),
    )


def _plan(
    *,
    fitted: bool,
    scorecard: Scorecard | FittedScorecard,
    columns: tuple[Any, ...],
    unit: int,
    one: int,
    weights: np.ndarray,
    upside: int,
    downside: int,
    extra_magnitude: int,
    up_factor: int = 0,
    down_factor: int = 0,
    base: int = SCORE_BASE,
    worst: np.ndarray | None = None,
    best: np.ndarray | None = None,
) -> ChunkPlan:
    rule = scorecard.blacklist
    fade = max(rule.fade_months, 1)
    names = tuple(SCORED_FEATURES[column.feature] for column in columns)
    # The largest integer any step makes, with room to spare: a score's numerator in the
    # ranking key, a product of a weight, a budget and a standing, a bound.
    magnitude = max(
        (SCORE_MAX + rule.penalty + rule.cap + base + max(upside, downside)) * unit * fade * _CODE_SLOTS * 4,
        int(weights.max(initial=0)) * max(upside, downside) * one * 8,
        max(upside, downside) * extra_magnitude * max(up_factor, -down_factor, 1),
        extra_magnitude * 10**6,
    )
    zeros = np.zeros(len(DIMENSIONS), dtype=np.int64)
    return ChunkPlan(
        fitted=fitted,
        columns=columns,
        names=names,
        codes=np.array([_ORDER[name] for name in names], dtype=np.int64),
        unit=unit,
        fade=fade,
        denominator=unit * fade,
        penalty=rule.penalty,
        cap=rule.cap,
        one=one,
        weights=weights,
        upside=upside,
        downside=downside,
        up_factor=up_factor,
        down_factor=down_factor,
        base=base,
        worst=zeros if worst is None else worst,
        best=zeros if best is None else best,
        thin_members=np.array([name in THIN_FILE_FEATURES for name in names], dtype=bool),
        exact_only=magnitude >= _INT64_SAFE,
    )


# --- columns of a chunk -------------------------------------------------------------------


def _integers(values: Sequence[int], low: int, high: int) -> np.ndarray:
    """Whole numbers as int64; only when one is beyond int64, all are clipped to the bounds' reach
    (the same bin, no overflow)."""
    try:
        return np.array(values, dtype=np.int64)
    except OverflowError:
        return np.array([min(max(v, low), high) for v in values], dtype=np.int64)


def _launch_points(column: _LaunchColumn, values: Sequence[Any]) -> tuple[np.ndarray, np.ndarray]:
    """Each value's points and bin (-1 for no data)."""
    bounds = column.bounds
    low = int(bounds[0]) - 1
    high = int(bounds[-1]) + 1
    missing: list[bool] | None = None
    if column.money_places is not None:
        q = column.money_places
        numbers = [low if v is None else math.floor(EXACT.scaleb(v, q)) for v in values]
        missing = [v is None for v in values]
    elif values and isinstance(values[0], str):
        numbers = [EDUCATION_LEVELS[v] for v in values]
    elif None in values:
        numbers = [low if v is None else v for v in values]
        missing = [v is None for v in values]
    else:
        numbers = values  # type: ignore[assignment]  # ints and bools: numpy takes them as they are
    index = np.searchsorted(bounds, _integers(numbers, low, high), side="right") - 1
    np.maximum(index, 0, out=index)  # below the first bound: the first bin
    if missing is not None and True in missing:
        absent = np.array(missing, dtype=bool)
        index[absent] = -1
        points = column.points[index]
        points[absent] = 0
        return points, index
    return column.points[index], index


def _fitted_points(column: _FittedColumn, values: Sequence[Any]) -> tuple[np.ndarray, np.ndarray]:
    numbers = np.array([math.nan if v is None else feature_number(v) for v in values], dtype=np.float64)
    index = np.searchsorted(column.edges, numbers, side="right")
    missing = np.isnan(numbers)
    if len(column.no_data_values):
        missing |= np.isin(numbers, column.no_data_values)
    index = np.where(missing, -1, index)
    return np.where(missing, 0, column.points[np.minimum(index, len(column.points) - 1)]), index


# --- the arithmetic -----------------------------------------------------------------------


def _raw(plan: ChunkPlan, totals: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(raw x unit, each dimension's contribution x unit) of dimension totals (..., 5)."""
    if plan.fitted:
        total = totals.sum(axis=-1)
        up = plan.upside * total * plan.up_factor
        down = -plan.downside * total * plan.down_factor
        raw = plan.base * plan.unit + np.where(total > 0, up, np.where(total < 0, down, 0))
        return raw, totals  # a fitted model's contributions are shares of the total (see result)
    standing = np.minimum(np.maximum(totals, -plan.one), plan.one)
    budget = np.where(standing >= 0, plan.upside, plan.downside)
    contributions = plan.weights * budget * standing
    return SCORE_BASE * plan.unit + contributions.sum(axis=-1), contributions


def _adjusted(plan: ChunkPlan, raw: np.ndarray, status: np.ndarray, months: np.ndarray) -> np.ndarray:
    """The blacklist rule on raw x unit, as an integer over the denominator D = unit x F."""
    fade, unit = plan.fade, plan.unit
    listed = np.minimum(raw - plan.penalty * unit, plan.cap * unit) * fade
    fading = np.minimum(
        raw * fade - plan.penalty * unit * (fade - months),
        plan.cap * unit * fade + (SCORE_MAX - plan.cap) * unit * months,
    )
    return np.where(status == _ACTIVE, listed, np.where(status == _FADING, fading, raw * fade))


def _score(plan: ChunkPlan, adjusted: np.ndarray) -> np.ndarray:
    d = plan.denominator
    return np.minimum(np.maximum((2 * adjusted + d) // (2 * d), SCORE_MIN), SCORE_MAX)


def _sub_scores(plan: ChunkPlan, totals: np.ndarray) -> np.ndarray:
    if plan.fitted:
        spread = np.maximum(plan.best - plan.worst, 1)
        return (200 * (totals - plan.worst) + spread) // (2 * spread)
    one = plan.one
    standing = np.minimum(np.maximum(totals, -one), one)
    return (100 * (standing + one) + one) // (2 * one)


def _top(keys: np.ndarray, limit: int) -> np.ndarray:
    """Each row's ``limit`` largest keys' columns, largest first (a partial sort)."""
    width = keys.shape[1]
    if width > limit:
        part = np.argpartition(-keys, limit - 1, axis=1)[:, :limit]
    else:
        part = np.broadcast_to(np.arange(width), (keys.shape[0], width))
    order = np.argsort(-np.take_along_axis(keys, part, axis=1), axis=1, kind="stable")
    return np.take_along_axis(part, order, axis=1)


@dataclass
class ChunkScores:
    """A chunk's scores: arrays for the nightly write, ``result(i)`` for one person's ScoreResult."""

    features: Sequence[Features]
    scorecard: Scorecard | FittedScorecard
    plan: ChunkPlan | None  # None: scored by the reference (exact), person by person
    scores: np.ndarray  # (n,)
    sub_scores: np.ndarray  # (n, 5) in DIMENSIONS order
    raw: np.ndarray  # (n,) raw x unit
    totals: np.ndarray  # (n, 5) dimension totals
    contributions: np.ndarray  # (n, 5)
    adjusted: np.ndarray  # (n,) over the denominator
    # Each person's reasons as (code, direction, points, points without an active listing), lowering
    # first: the order shown.
    reason_codes: list[list[tuple[str, str, int, int | None]]]
    bins: np.ndarray | None = None  # (n, characteristics): each person's bin, -1 for no data
    exact: list[ScoreResult] | None = None

    def __len__(self) -> int:
        return len(self.scores)

    def reason_rows(self, i: int) -> list[dict[str, Any]]:
        """Person i's reasons as the JSON a snapshot stores (code, direction, points, params)."""
        return [reason_row(reason) for reason in self.reasons(i)]

    def bin_counts(self) -> dict[str, list[int]] | None:
        """People per bin of each characteristic, "no data" first (the nightly watch's histograms);
        None for a chunk the reference scored."""
        if self.bins is None or self.plan is None:
            return None
        return {
            name: np.bincount(self.bins[:, j] + 1, minlength=len(column.points) + 1).tolist()
            for j, (name, column) in enumerate(zip(self.plan.names, self.plan.columns, strict=True))
        }

    def reasons(self, i: int) -> tuple[Reason, ...]:
        if self.exact is not None:
            return self.exact[i].reasons
        features = self.features[i]
        return tuple(
            Reason(
                code=code,
                direction=direction,
                points=points,
                params=_params(code, features),
                points_without_listing=unmasked,
            )
            for code, direction, points, unmasked in self.reason_codes[i]
        )

    def result(self, i: int) -> ScoreResult:
        """Person i as the ScoreResult of ``compute`` (exact raw and contributions rebuilt)."""
        if self.exact is not None:
            return self.exact[i]
        plan = self.plan
        assert plan is not None
        score = int(self.scores[i])
        raw: Exact
        if plan.fitted:
            raw = Fraction(int(self.raw[i]), plan.unit)
            total = int(self.totals[i].sum())
            contributions: list[Exact] = [
                (raw - SCORE_BASE) * Fraction(int(t), total) if total else Fraction(0) for t in self.totals[i]
            ]
        else:
            places = 1 - len(str(plan.unit))  # unit is 10^(k+m)
            raw = EXACT.scaleb(Decimal(int(self.raw[i])), places)
            contributions = [EXACT.scaleb(Decimal(int(c)), places) for c in self.contributions[i]]
        dimensions = tuple(
            DimensionResult(key=dimension, weight=weight, score=int(sub), contribution=contribution)
            for (dimension, weight), sub, contribution in zip(
                self.scorecard.weights, self.sub_scores[i], contributions, strict=True
            )
        )
        return ScoreResult(
            score=score, band=Band.for_score(score), raw=raw, dimensions=dimensions, reasons=self.reasons(i)
        )


def score_chunk(features: Sequence[Features], scorecard: Scorecard | FittedScorecard) -> ChunkScores:
    """Score every person of a chunk in one pass (a chunk of one for a single person)."""
    plan = plan_of(scorecard)
    if plan is None:
        return _exact_chunk(features, scorecard)
    n = len(features)
    rows = [_FEATURE_VALUES(person) for person in features]
    values = list(zip(*rows, strict=True)) if rows else [()] * len(SCORED_FEATURES)
    points_of = _fitted_points if plan.fitted else _launch_points
    dimension_count = len(DIMENSIONS)
    width = len(plan.columns)
    points = np.zeros((n, width), dtype=np.int64)
    bins = np.zeros((n, width), dtype=np.int64)
    for j, column in enumerate(plan.columns):
        points[:, j], bins[:, j] = points_of(column, values[column.feature])
    # One-hot of each characteristic's dimension: totals and counterfactuals are matrix products.
    member = np.zeros((width, dimension_count), dtype=np.int64)
    member[np.arange(width), [column.dimension for column in plan.columns]] = 1
    totals = points @ member
    raw, contributions = _raw(plan, totals)

    status = np.zeros(n, dtype=np.int64)
    months = np.zeros(n, dtype=np.int64)
    for i, person in enumerate(features):
        blacklist = person.blacklist
        if blacklist is not None:
            lifted = blacklist.months_since_lifted
            if lifted is None:
                status[i] = _ACTIVE
            elif lifted < plan.fade:
                status[i] = _FADING
                months[i] = lifted
    adjusted = _adjusted(plan, raw, status, months)
    scores = _score(plan, adjusted)
    sub_scores = _sub_scores(plan, totals)

    best = np.array([column.best for column in plan.columns], dtype=np.int64)
    below = points < best
    history = np.fromiter((row[_HISTORY] for row in rows), dtype=np.int64, count=n)
    thin = below & plan.thin_members & (history < THIN_FILE_MONTHS)[:, None]
    has_thin = thin.any(axis=1)

    def counterfactual(moved_totals: np.ndarray, status: np.ndarray) -> np.ndarray:
        moved_raw, _contributions = _raw(plan, moved_totals)
        shape = moved_raw.shape
        extra = (1,) * (len(shape) - 1)
        return _adjusted(plan, moved_raw, status.reshape(-1, *extra), months.reshape(-1, *extra))

    # Every characteristic at its best bin (lowering) and at no data (raising), alone.
    to_best = (best - points)[:, :, None] * member[None, :, :]
    to_none = (-points)[:, :, None] * member[None, :, :]
    thin_totals = totals + (thin * (best - points)) @ member

    def counterfactuals(status: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        return (
            counterfactual(totals[:, None, :] + to_best, status),
            counterfactual(totals[:, None, :] + to_none, status),
            counterfactual(thin_totals, status),
        )

    better, worse, thin_better = counterfactuals(status)
    unlisted = raw * plan.fade
    active = status == _ACTIVE
    # While an active listing caps the score it masks every other factor: those are chosen and
    # ranked by what they are worth without it (and each also says what it is worth under the cap).
    ranked_adjusted, ranked_better, ranked_worse, ranked_thin_better = adjusted, better, worse, thin_better
    if active.any():
        unlisted_status = np.where(active, _NO_BLACKLIST, status)
        ranked_adjusted = np.where(active, unlisted, adjusted)
        ranked_better, ranked_worse, ranked_thin_better = counterfactuals(unlisted_status)

    gain = ranked_better - ranked_adjusted[:, None]
    keys = np.where(below & ~thin, gain * _CODE_SLOTS + (_CODE_SLOTS - 1 - plan.codes), -1)
    thin_gain = ranked_thin_better - ranked_adjusted
    recent_gain = unlisted - adjusted
    extra_keys = np.stack(
        [
            np.where(
                (status == _FADING) & (recent_gain > 0),
                recent_gain * _CODE_SLOTS + _CODE_SLOTS - 1 - _ORDER[BLACKLIST_RECENT],
                -1,
            ),
            np.where(has_thin, thin_gain * _CODE_SLOTS + _CODE_SLOTS - 1 - _ORDER[THIN_FILE], -1),
        ],
        axis=1,
    )
    # A candidate worth nothing (a cap masking it) is never a lowering reason: key <= 63 is gain 0.
    lowering_keys = np.concatenate([extra_keys, keys], axis=1)
    lowering_keys = np.where(lowering_keys >= _CODE_SLOTS, lowering_keys, -1)
    chosen = _top(lowering_keys, MAX_LOWERING_REASONS)
    chosen_keys = np.take_along_axis(lowering_keys, chosen, axis=1)
    # An active listing takes the first of the four places.
    chosen_valid = chosen_keys >= 0
    chosen_valid[active, MAX_LOWERING_REASONS - 1] = False

    named = np.zeros((n, width + 2), dtype=bool)
    np.put_along_axis(named, chosen, chosen_valid, axis=1)
    thin_named = named[:, 1]
    named_characteristics = named[:, 2:] | (thin & thin_named[:, None])
    loss = ranked_adjusted[:, None] - ranked_worse
    raising_keys = np.where(
        (points > 0) & ~named_characteristics, loss * _CODE_SLOTS + (_CODE_SLOTS - 1 - plan.codes), -1
    )
    raised = _top(raising_keys, MAX_RAISING_REASONS) if width else np.zeros((n, 0), dtype=np.int64)
    raised_valid = np.take_along_axis(raising_keys, raised, axis=1) >= 0

    # Only the shown reasons' points leave numpy: a chunk's every counterfactual as Python ints
    # would be tens of thousands of objects (and garbage-collector passes) for a few hundred used.
    score_column = scores[:, None]
    listing_points = _score(plan, unlisted) - scores
    lowering_points = np.concatenate(
        [
            listing_points[:, None],
            (_score(plan, thin_better) - scores)[:, None],
            _score(plan, better) - score_column,
        ],
        axis=1,
    )
    chosen_points = np.take_along_axis(lowering_points, chosen, axis=1)
    raised_points = score_column - np.take_along_axis(_score(plan, worse), raised, axis=1)
    if active.any():
        unlisted_scores = _score(plan, unlisted)[:, None]
        unmasked_lowering = np.concatenate(
            [
                listing_points[:, None],
                (_score(plan, ranked_thin_better) - unlisted_scores[:, 0])[:, None],
                _score(plan, ranked_better) - unlisted_scores,
            ],
            axis=1,
        )
        unmasked_chosen = np.take_along_axis(unmasked_lowering, chosen, axis=1).tolist()
        unmasked_raised = (
            unlisted_scores - np.take_along_axis(_score(plan, ranked_worse), raised, axis=1)
        ).tolist()
    else:
        unmasked_chosen = unmasked_raised = [None] * n
    lowering_codes = (BLACKLIST_RECENT, THIN_FILE, *plan.names)
    reason_codes: list[list[tuple[str, str, int, int | None]]] = []
    for (
        is_active,
        listed,
        slots,
        valids,
        gains,
        raise_slots,
        raise_valids,
        losses,
        unmasked,
        unmasked_up,
    ) in zip(
        active.tolist(),
        listing_points.tolist(),
        chosen.tolist(),
        chosen_valid.tolist(),
        chosen_points.tolist(),
        raised.tolist(),
        raised_valid.tolist(),
        raised_points.tolist(),
        unmasked_chosen,
        unmasked_raised,
        strict=True,
    ):
        shown: list[tuple[str, str, int, int | None]] = (
            [(BLACKLIST_ACTIVE, LOWERS, listed, None)] if is_active else []
        )
        shown.extend(
            (lowering_codes[slot], LOWERS, gain, unmasked[k] if is_active else None)
            for k, (slot, valid, gain) in enumerate(zip(slots, valids, gains, strict=True))
            if valid
        )
        shown.extend(
            (plan.names[slot], RAISES, loss, unmasked_up[k] if is_active else None)
            for k, (slot, valid, loss) in enumerate(zip(raise_slots, raise_valids, losses, strict=True))
            if valid
        )
        reason_codes.append(shown)
    return ChunkScores(
        features=features,
        scorecard=scorecard,
        plan=plan,
        scores=scores,
        sub_scores=sub_scores,
        raw=raw,
        totals=totals,
        contributions=contributions,
        adjusted=adjusted,
        reason_codes=reason_codes,
        bins=bins,
    )


def _exact_chunk(features: Sequence[Features], scorecard: Scorecard | FittedScorecard) -> ChunkScores:
    """A model the integers cannot hold, scored person by person by the reference."""
    results = [compute_exact(person, scorecard) for person in features]
    empty = np.zeros((len(results), len(DIMENSIONS)), dtype=np.int64)
    return ChunkScores(
        features=features,
        scorecard=scorecard,
        plan=None,
        scores=np.array([result.score for result in results], dtype=np.int64),
        sub_scores=np.array(
            [[dimension.score for dimension in result.dimensions] for result in results], dtype=np.int64
        ).reshape(len(results), len(DIMENSIONS)),
        raw=np.zeros(len(results), dtype=np.int64),
        totals=empty,
        contributions=empty,
        adjusted=np.zeros(len(results), dtype=np.int64),
        reason_codes=[
            [
                (reason.code, reason.direction, reason.points, reason.points_without_listing)
                for reason in result.reasons
            ]
            for result in results
        ],
        exact=results,
    )
