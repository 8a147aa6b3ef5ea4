"""The fit: bins and WoE per characteristic, one logistic sub-model per dimension, the published
weights, integer points, the scaling, and the validation report. See the package docstring."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

import numpy as np
from sklearn.linear_model import LogisticRegression

from .binning import BinnedCharacteristic, bin_characteristic, column_values
from .characteristics import Characteristic, FitError, refuse_protected
from .report import auc, sample_report
from .scaling import Scaling, round_half_up
from .scorecard import FORMAT, Table, as_frame, predicted_log_odds, scores_of_totals, total_points

DEV = "dev"
HOLDOUT = "holdout"
OOT = "oot"
SAMPLES: tuple[str, ...] = (DEV, HOLDOUT, OOT)

# Below 0.02 a characteristic's information value is "useless for prediction" (Siddiqi).
MIN_IV = 0.02
# The whole points table spans this many points (best total minus worst); 1000 keeps each
# dimension's share of it within a few tenths of a percent of its weight after rounding.
DEFAULT_POINT_RANGE = 1000

DROPPED_LOW_IV = "iv_below_0.02"
DROPPED_SIGN = "sign_reversed"


@dataclass(frozen=True)
class FitResult:
    parameters: dict[str, Any]  # plain JSON: what the engine needs to score
    report: dict[str, Any]  # plain JSON: the validation report stored beside the model


@dataclass(frozen=True)
class _SubModel:
    names: list[str]  # the characteristics it kept, in input order
    coefficients: dict[str, float]
    dropped: list[str]  # dropped because their coefficient had the wrong sign


def fit_scorecard(
    *,
    features: Table,
    outcomes: Sequence[int] | np.ndarray,
    characteristics: Sequence[Characteristic],
    split: Sequence[str] | np.ndarray,
    weights: Mapping[str, float | Decimal | str],
    oracle: Sequence[float] | np.ndarray | None = None,
    point_range: int = DEFAULT_POINT_RANGE,
) -> FitResult:
    """Fit a scorecard on the "dev" rows, validate it on every sample, return parameters and report.

    ``outcomes`` is 1 for bad, 0 for good; ``split`` labels each row "dev", "holdout" or "oot";
    ``weights`` maps each dimension to its published share of the point range (summing to 1);
    ``oracle``, when given, is a hidden risk per row (higher = riskier) whose AUC the report shows.
    """
    frame = as_frame(features)
    n = len(frame)
    y = _outcomes(outcomes, n)
    samples = _split(split, n)
    shares = _weights(weights)
    _check_characteristics(characteristics, frame, shares)
    point_range = _point_range(point_range)
    hidden = None if oracle is None else _oracle(oracle, n)
    dev = samples == DEV
    if len(np.unique(y[dev])) < 2:
        raise FitError("outcomes: the development sample needs both good and bad outcomes")

    values = {c.name: column_values(c, frame[c.name].to_numpy(dtype=object)) for c in characteristics}
    binned = {c.name: bin_characteristic(c, values[c.name][dev], y[dev]) for c in characteristics}
    dropped: dict[str, str] = {c.name: DROPPED_LOW_IV for c in characteristics if binned[c.name].iv < MIN_IV}
    # WoE relative to "no data": a row with no data is 0 in every column, so "no data" is worth 0.
    woe = {name: b.woe_of(values[name]) - b.no_data.woe for name, b in binned.items() if name not in dropped}

    sub_models = {}
    for dimension in shares:
        names = [c.name for c in characteristics if c.dimension == dimension and c.name not in dropped]
        sub = _signed_fit(names, woe, y, dev)
        dropped.update(dict.fromkeys(sub.dropped, DROPPED_SIGN))
        if not sub.names:
            given = sorted(c.name for c in characteristics if c.dimension == dimension)
            raise FitError(
                f"weights.{dimension}: no characteristic of this dimension is left to carry its weight "
                f"(dropped: {', '.join(given) or 'none given'})"
            )
        sub_models[dimension] = sub

    points: dict[str, list[int]] = {}
    for dimension, sub in sub_models.items():
        raw = {
            name: [
                -sub.coefficients[name] * (bin_.woe - binned[name].no_data.woe) for bin_ in binned[name].bins
            ]
            for name in sub.names
        }
        spread = sum(max([*p, 0.0]) - min([*p, 0.0]) for p in raw.values())
        if spread <= 0:
            raise FitError(f"weights.{dimension}: its characteristics do not separate risk")
        scale = float(shares[dimension]) * point_range / spread
        for name, p in raw.items():
            points[name] = [round_half_up(scale * value) for value in p]

    kept = [c for c in characteristics if c.name in points]
    scaling = Scaling(
        max_total=sum(max([*points[c.name], 0]) for c in kept),
        min_total=sum(min([*points[c.name], 0]) for c in kept),
    )
    parameters: dict[str, Any] = {
        "format": FORMAT,
        "characteristics": [_parameters_entry(c, binned[c.name], points[c.name]) for c in kept],
        "dimensions": {
            d: {
                "weight": float(shares[d]),
                "max_total": sum(max([*points[c.name], 0]) for c in kept if c.dimension == d),
                "min_total": sum(min([*points[c.name], 0]) for c in kept if c.dimension == d),
            }
            for d in shares
        },
        "scaling": scaling.as_json(),
        "calibration": {},
    }
    totals = total_points(parameters, frame)
    parameters["calibration"] = _calibration(totals, y, dev, point_range)

    predicted = 1 / (1 + np.exp(-predicted_log_odds(parameters, totals)))
    scores = scores_of_totals(scaling, totals)
    report_samples: dict[str, Any] = {}
    for sample in SAMPLES:
        mask = samples == sample
        report_samples[sample] = (
            sample_report(y[mask], scores[mask], predicted[mask], None if hidden is None else hidden[mask])
            if mask.any()
            else None
        )

    report = {
        "format": FORMAT,
        "samples": report_samples,
        "characteristics": [
            _report_entry(c, binned[c.name], points.get(c.name), dropped.get(c.name), sub_models)
            for c in characteristics
        ],
        "dropped": [
            {"name": c.name, "reason": dropped[c.name], "iv": binned[c.name].iv}
            for c in characteristics
            if c.name in dropped
        ],
        "constraint": _constraint_report(parameters, shares, kept, binned, woe, y, samples, totals),
        "oracle": None
        if hidden is None
        else {
            s: (auc(y[samples == s], hidden[samples == s]) if (samples == s).any() else None) for s in SAMPLES
        },
        "point_range": point_range,
        "min_iv": MIN_IV,
    }
    return FitResult(parameters=parameters, report=report)


def _signed_fit(names: list[str], woe: Mapping[str, np.ndarray], y: np.ndarray, dev: np.ndarray) -> _SubModel:
    """Logistic regression of bad on WoE; drop the characteristic whose coefficient has the wrong sign.

    WoE is ln(goods share / bads share), so every coefficient must be negative for the points to
    follow the bins' bad rates (and the pinned direction); a non-negative one means the variable is
    only echoing a correlated one. The worst offender goes and the rest are refitted, the usual
    scorecard practice.
    """
    active: list[str] = list(names)
    dropped: list[str] = []
    while active:
        coefficients = _logistic(np.column_stack([woe[name][dev] for name in active]), y[dev]).coef_[0]
        worst = int(np.argmax(coefficients))
        if coefficients[worst] < 0:
            return _SubModel(active, dict(zip(active, map(float, coefficients), strict=True)), dropped)
        dropped.append(active.pop(worst))
    return _SubModel([], {}, dropped)


def _logistic(x: np.ndarray, y: np.ndarray) -> LogisticRegression:
    # Unpenalised: the bins already smooth the data, and a penalty would shrink the weights the
    # points are built from. lbfgs is deterministic.
    return LogisticRegression(C=np.inf, max_iter=1000).fit(x, y)


def _calibration(totals: np.ndarray, y: np.ndarray, dev: np.ndarray, point_range: int) -> dict[str, float]:
    """The constrained model's predicted log-odds of bad as a line in the total of points."""
    # Fitted on total / range for a well-conditioned solve; the slope is then per point.
    model = _logistic((totals[dev] / point_range).reshape(-1, 1), y[dev])
    slope = float(model.coef_[0][0]) / point_range
    if slope >= 0:
        raise FitError("outcomes: on the development sample more points do not mean less risk")
    return {"intercept": float(model.intercept_[0]), "slope_per_point": slope}


def _constraint_report(
    parameters: Mapping[str, Any],
    shares: Mapping[str, Fraction],
    kept: Sequence[Characteristic],
    binned: Mapping[str, BinnedCharacteristic],
    woe: Mapping[str, np.ndarray],
    y: np.ndarray,
    samples: np.ndarray,
    totals: np.ndarray,
) -> dict[str, Any]:
    """What holding each dimension at its published weight costs against one free joint fit."""
    dev = samples == DEV
    free = _signed_fit([c.name for c in kept], woe, y, dev)
    free_log_odds = np.column_stack([woe[name] for name in free.names]) @ np.array(
        [free.coefficients[name] for name in free.names]
    )
    spread = {d: 0.0 for d in shares}
    for c in kept:
        if c.name in free.coefficients:
            b = binned[c.name]
            contributions = [-free.coefficients[c.name] * (bin_.woe - b.no_data.woe) for bin_ in b.bins] + [
                0.0
            ]
            spread[c.dimension] += max(contributions) - min(contributions)
    total_spread = sum(spread.values())
    achieved_range = parameters["scaling"]["max_total"] - parameters["scaling"]["min_total"]
    by_sample = {}
    for sample in SAMPLES:
        mask = samples == sample
        constrained = auc(y[mask], -totals[mask]) if mask.any() else None
        unconstrained = auc(y[mask], free_log_odds[mask]) if mask.any() else None
        by_sample[sample] = {
            "constrained_auc": constrained,
            "free_auc": unconstrained,
            "auc_cost": None if constrained is None or unconstrained is None else unconstrained - constrained,
        }
    return {
        "published_weights": {d: float(w) for d, w in shares.items()},
        "achieved_weights": {
            d: (v["max_total"] - v["min_total"]) / achieved_range for d, v in parameters["dimensions"].items()
        },
        "free_weights": {d: s / total_spread for d, s in spread.items()},
        "auc": by_sample,
        "free_fit_dropped": free.dropped,
    }


def _parameters_entry(c: Characteristic, b: BinnedCharacteristic, points: list[int]) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "name": c.name,
        "dimension": c.dimension,
        "kind": c.kind,
        "direction": c.direction,
        "no_data_values": list(c.no_data_values),
        "points": points,
        "no_data_points": 0,
    }
    if c.categories:
        entry["categories"] = list(c.categories)
    if b.edges or not b.groups:
        entry["edges"] = list(b.edges)
    if b.groups:
        entry["groups"] = [list(g) for g in b.groups]
    return entry


def _report_entry(
    c: Characteristic,
    b: BinnedCharacteristic,
    points: list[int] | None,
    reason: str | None,
    sub_models: Mapping[str, _SubModel],
) -> dict[str, Any]:
    bins = [
        {
            "bin": bin_.label,
            "count": bin_.count,
            "bads": bin_.bads,
            "bad_rate": bin_.bads / bin_.count if bin_.count else None,
            "woe": bin_.woe,
            "points": None if points is None else points[i],
        }
        for i, bin_ in enumerate(b.bins)
    ]
    nd = b.no_data
    bins.append(
        {
            "bin": nd.label,
            "count": nd.count,
            "bads": nd.bads,
            "bad_rate": nd.bads / nd.count if nd.count else None,
            "woe": nd.woe,
            "points": None if points is None else 0,
        }
    )
    sub = sub_models.get(c.dimension)
    return {
        "name": c.name,
        "dimension": c.dimension,
        "kind": c.kind,
        "direction": c.direction,
        "iv": b.iv,
        "kept": reason is None,
        "dropped_because": reason,
        "coefficient": None if sub is None or c.name not in sub.coefficients else sub.coefficients[c.name],
        "bins": bins,
    }


def _outcomes(outcomes: Sequence[int] | np.ndarray, n: int) -> np.ndarray:
    y = np.asarray(outcomes)
    if y.shape != (n,):
        raise FitError(f"outcomes: need one per row ({n}), got shape {y.shape}")
    if not np.isin(y, (0, 1)).all():
        raise FitError("outcomes: each must be 1 (bad) or 0 (good)")
    return y.astype(np.int64)


def _split(split: Sequence[str] | np.ndarray, n: int) -> np.ndarray:
    labels = np.asarray(split, dtype=object)
    if labels.shape != (n,):
        raise FitError(f"split: need one label per row ({n}), got shape {labels.shape}")
    unknown = set(labels.tolist()) - set(SAMPLES)
    if unknown:
        raise FitError(f"split: labels must be among {list(SAMPLES)}, got {sorted(map(str, unknown))}")
    if not (labels == DEV).any():
        raise FitError("split: no row is in the development sample")
    return labels


def _weights(weights: Mapping[str, float | Decimal | str]) -> dict[str, Fraction]:
    if not weights:
        raise FitError("weights: need at least one dimension")
    shares = {}
    for dimension, weight in weights.items():
        try:
            # Through str: 0.35 means the decimal 0.35, so the published weights add up to exactly 1.
            share = Fraction(str(weight))
        except (ValueError, ZeroDivisionError):
            raise FitError(f"weights.{dimension}: not a number ({weight!r})") from None
        if share <= 0:
            raise FitError(f"weights.{dimension}: must be more than 0, got {weight}")
        shares[dimension] = share
    if sum(shares.values()) != 1:
        raise FitError(f"weights: must add up to exactly 1, got {float(sum(shares.values()))}")
    return shares


def _check_characteristics(
    characteristics: Sequence[Characteristic], frame: Any, shares: Mapping[str, Fraction]
) -> None:
    if not characteristics:
        raise FitError("characteristics: need at least one")
    names = [c.name for c in characteristics]
    if len(set(names)) != len(names):
        raise FitError("characteristics: names must be unique")
    for c in characteristics:
        refuse_protected(c)
        if c.dimension not in shares:
            raise FitError(
                f"{c.name}.dimension: {c.dimension!r} is not one of the weighted dimensions {list(shares)}"
            )
        if c.name not in frame.columns:
            raise FitError(f"features: the column {c.name!r} is missing")


def _point_range(point_range: int) -> int:
    if isinstance(point_range, bool) or not isinstance(point_range, int) or point_range < 10:
        raise FitError(f"point_range: must be a whole number of at least 10, got {point_range!r}")
    return point_range


def _oracle(oracle: Sequence[float] | np.ndarray, n: int) -> np.ndarray:
    hidden = np.asarray(oracle, dtype=float)
    if hidden.shape != (n,) or not np.isfinite(hidden).all():
        raise FitError(f"oracle: need one finite number per row ({n})")
    return hidden
