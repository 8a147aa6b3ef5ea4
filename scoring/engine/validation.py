"""Parsing and validating a scoring model's parameters into a ``Scorecard``; every problem is
reported at once, each naming its key."""

import functools
import itertools
import json
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError

from core.bands import SCORE_BASE, SCORE_MAX, SCORE_MIN, Band

from .arithmetic import BlacklistRule
from .features import (
    DIMENSIONS,
    DIRECTIONS,
    HIGHER_IS_BETTER,
    LOWER_IS_BETTER,
    OPTIONAL_FEATURES,
    SCORED_FEATURES,
    Features,
)
from .scorecard import Characteristic, Scorecard
from .totals import (
    FITTED_FORMAT,
    NUMERICAL,
    RISK_ASCENDING,
    RISK_DESCENDING,
    FittedScorecard,
    TotalScaling,
    fitted_characteristic,
)


class _Problems:
    """Collects every problem so staff see them all at once, each naming its key."""

    def __init__(self) -> None:
        self.messages: list[str] = []

    def add(self, key: str, message: str) -> None:
        self.messages.append(f"{key}: {message}")

    def raise_if_any(self) -> None:
        if self.messages:
            raise ValidationError([ValidationError(message, code="invalid") for message in self.messages])


def validate_parameters(params: dict) -> Scorecard | FittedScorecard:
    """Parse and validate a scoring model's parameters; ValidationError names each bad key.

    Two schemas: the launch scorecard's (partials per dimension, see the package docstring) and a
    fitted model's (``"format": "credit-life-scorecard/1"``: integer points, one total, see
    ``totals``).
    """
    try:
        canonical = json.dumps(params, sort_keys=True, default=_json_default, allow_nan=False)
    except (TypeError, ValueError) as error:
        raise ValidationError(f"parameters: must be JSON-serialisable ({error})", code="invalid") from error
    return _scorecard_from_json(canonical)


def _json_default(value: object) -> str:
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON-serialisable")


# The nightly batch parses the active model once per chunk; keyed on the canonical JSON so
# equal parameters share one Scorecard.
@functools.lru_cache(maxsize=32)
def _scorecard_from_json(canonical: str) -> Scorecard | FittedScorecard:
    params = json.loads(canonical)
    problems = _Problems()
    if not isinstance(params, dict):
        problems.add("parameters", "must be an object")
        problems.raise_if_any()
    if "format" in params:
        return _fitted_scorecard(problems, params)
    _check_keys(
        problems,
        "parameters",
        params,
        required={"weights", "upside", "downside", "blacklist", "characteristics"},
    )
    problems.raise_if_any()

    weights = _parse_weights(problems, params["weights"])
    upside = _integer(problems, "upside", params["upside"], low=1, high=SCORE_MAX - SCORE_BASE)
    # A bigger downside could push an unlisted person below the floor, where clamping would
    # hide differences between people.
    downside = _integer(problems, "downside", params["downside"], low=1, high=SCORE_BASE - SCORE_MIN)
    blacklist = _parse_blacklist(problems, params["blacklist"])
    characteristics = _parse_characteristics(problems, params["characteristics"])
    problems.raise_if_any()

    # Within these budgets the clamp of s_d never bites, and the best profile lands on 950 when
    # the best partials add up to exactly 1.
    for dimension in DIMENSIONS:
        members = [c for c in characteristics if c.dimension == dimension]
        names = ", ".join(c.name for c in members)
        best = sum((c.best for c in members), Decimal(0))
        worst = sum((c.worst for c in members), Decimal(0))
        if best > 1:
            problems.add(
                f"characteristics of {dimension}",
                f"the best partials of {names} add up to {best}, more than 1",
            )
        if worst < -1:
            problems.add(
                f"characteristics of {dimension}",
                f"the worst partials of {names} add up to {worst}, less than -1",
            )
    problems.raise_if_any()

    assert weights is not None and upside is not None and downside is not None and blacklist is not None
    return Scorecard(
        weights=weights,
        upside=upside,
        downside=downside,
        blacklist=blacklist,
        characteristics=tuple(sorted(characteristics, key=lambda c: SCORED_FEATURES.index(c.name))),
    )


def _check_keys(problems: _Problems, key: str, value: dict, *, required: set[str]) -> None:
    for missing in sorted(required - value.keys()):
        problems.add(f"{key}.{missing}" if key != "parameters" else missing, "is missing")
    for unknown in sorted(value.keys() - required):
        problems.add(f"{key}.{unknown}" if key != "parameters" else unknown, "is not a known key")


def _decimal(problems: _Problems, key: str, value: object) -> Decimal | None:
    if isinstance(value, float):
        # JSON numbers arrive as floats; their shortest repr keeps 0.35 as 0.35.
        value = repr(value)
    if isinstance(value, bool) or not isinstance(value, int | str | Decimal):
        problems.add(key, f'must be a number written as a string such as "0.35", got {value!r}')
        return None
    try:
        number = Decimal(value)
    except InvalidOperation:
        problems.add(key, f"must be a number, got {value!r}")
        return None
    if not number.is_finite():
        problems.add(key, f"must be a finite number, got {value!r}")
        return None
    return number


def _integer(problems: _Problems, key: str, value: object, *, low: int, high: int) -> int | None:
    number = _decimal(problems, key, value)
    if number is None:
        return None
    if number != number.to_integral_value():
        problems.add(key, f"must be a whole number, got {value!r}")
        return None
    if not low <= number <= high:
        problems.add(key, f"must be between {low} and {high}, got {value!r}")
        return None
    return int(number)


def _parse_weights(problems: _Problems, value: object) -> tuple[tuple[str, Decimal], ...] | None:
    if not isinstance(value, dict):
        problems.add("weights", "must be an object of dimension: weight")
        return None
    _check_keys(problems, "weights", value, required=set(DIMENSIONS))
    weights: list[tuple[str, Decimal]] = []
    for dimension in DIMENSIONS:
        if dimension not in value:
            continue
        weight = _decimal(problems, f"weights.{dimension}", value[dimension])
        if weight is not None and weight < 0:
            problems.add(f"weights.{dimension}", f"must be 0 or more, got {weight}")
        elif weight is not None:
            weights.append((dimension, weight))
    if len(weights) == len(DIMENSIONS):
        total = sum((weight for _, weight in weights), Decimal(0))
        if total != 1:
            problems.add("weights", f"must add up to exactly 1, got {total}")
    return tuple(weights)


def _parse_blacklist(problems: _Problems, value: object) -> BlacklistRule | None:
    if not isinstance(value, dict):
        problems.add("blacklist", "must be an object with penalty, cap and fade_months")
        return None
    _check_keys(problems, "blacklist", value, required={"penalty", "cap", "fade_months"})
    if value.keys() != {"penalty", "cap", "fade_months"}:
        return None
    penalty = _integer(problems, "blacklist.penalty", value["penalty"], low=0, high=SCORE_MAX - SCORE_MIN)
    cap = _integer(problems, "blacklist.cap", value["cap"], low=SCORE_MIN, high=SCORE_MAX)
    fade_months = _integer(problems, "blacklist.fade_months", value["fade_months"], low=1, high=1200)
    # Being listed must always land in the poor band, wherever that band ends.
    if cap is not None and Band.for_score(cap) != Band.POOR:
        problems.add(
            "blacklist.cap", f"must lie in the poor band so a listed person is always poor, got {cap}"
        )
        return None
    if penalty is None or cap is None or fade_months is None:
        return None
    return BlacklistRule(penalty=penalty, cap=cap, fade_months=fade_months)


def _parse_characteristics(problems: _Problems, value: object) -> list[Characteristic]:
    if not isinstance(value, dict):
        problems.add("characteristics", "must be an object of feature name: characteristic")
        return []
    for name in SCORED_FEATURES:
        if name not in value:
            problems.add(f"characteristics.{name}", "is missing: every scored feature needs a characteristic")
    for name in sorted(value.keys() - set(SCORED_FEATURES)):
        problems.add(
            f"characteristics.{name}", f"is not a scored feature (known: {', '.join(SCORED_FEATURES)})"
        )
    parsed = [_parse_characteristic(problems, name, value[name]) for name in SCORED_FEATURES if name in value]
    return [characteristic for characteristic in parsed if characteristic is not None]


def _parse_characteristic(problems: _Problems, name: str, value: object) -> Characteristic | None:
    key = f"characteristics.{name}"
    if not isinstance(value, dict):
        problems.add(key, "must be an object with dimension, direction and bins")
        return None
    before = len(problems.messages)
    _check_keys(problems, key, value, required={"dimension", "direction", "bins"})
    if len(problems.messages) > before:
        return None
    if value["dimension"] not in DIMENSIONS:
        problems.add(
            f"{key}.dimension", f"must be one of {', '.join(DIMENSIONS)}, got {value['dimension']!r}"
        )
    if value["direction"] not in DIRECTIONS:
        problems.add(
            f"{key}.direction", f"must be one of {', '.join(DIRECTIONS)}, got {value['direction']!r}"
        )
    bins = _parse_bins(problems, f"{key}.bins", value["bins"])
    if bins is None or len(problems.messages) > before:
        return None
    bounds, partials = bins
    if name not in OPTIONAL_FEATURES and (bounds[0] != 0 or partials[0] != 0):
        problems.add(f"{key}.bins", 'the first bin must be [0, "0"] so that no data (a count of 0) scores 0')
    steps = list(itertools.pairwise(partials))
    if value["direction"] == HIGHER_IS_BETTER and any(later < earlier for earlier, later in steps):
        problems.add(f"{key}.bins", "partials must not decrease along ascending bounds (higher_is_better)")
    if value["direction"] == LOWER_IS_BETTER and any(later > earlier for earlier, later in steps):
        problems.add(f"{key}.bins", "partials must not increase along ascending bounds (lower_is_better)")
    if len(problems.messages) > before:
        return None
    return Characteristic(
        name=name,
        dimension=value["dimension"],
        direction=value["direction"],
        bounds=bounds,
        partials=partials,
    )


def _parse_bins(
    problems: _Problems, key: str, value: object
) -> tuple[tuple[Decimal, ...], tuple[Decimal, ...]] | None:
    if not isinstance(value, list) or not value:
        problems.add(key, 'must be a non-empty list of [lower_bound, "partial"] pairs')
        return None
    bounds: list[Decimal] = []
    partials: list[Decimal] = []
    for index, pair in enumerate(value):
        if not isinstance(pair, list) or len(pair) != 2:
            problems.add(f"{key}[{index}]", f'must be a [lower_bound, "partial"] pair, got {pair!r}')
            return None
        bound = _decimal(problems, f"{key}[{index}]", pair[0])
        partial = _decimal(problems, f"{key}[{index}]", pair[1])
        if bound is None or partial is None:
            return None
        if bounds and bound <= bounds[-1]:
            problems.add(
                f"{key}[{index}]", f"lower bounds must be strictly ascending, {bound} follows {bounds[-1]}"
            )
            return None
        bounds.append(bound)
        partials.append(partial)
    return tuple(bounds), tuple(partials)


# --- A fitted model ---------------------------------------------------------------------------

_FITTED_KEYS = {"format", "weights", "blacklist", "characteristics", "scaling"}
# Written by the fitter for the report and monitoring; the engine does not score with them.
_FITTED_INFORMATIONAL_KEYS = {"dimensions", "calibration"}


def _fitted_scorecard(problems: _Problems, params: dict) -> FittedScorecard:
    if params["format"] != FITTED_FORMAT:
        problems.add("format", f"must be {FITTED_FORMAT!r}, got {params['format']!r}")
        problems.raise_if_any()
    for missing in sorted(_FITTED_KEYS - params.keys()):
        problems.add(missing, "is missing")
    for unknown in sorted(params.keys() - _FITTED_KEYS - _FITTED_INFORMATIONAL_KEYS):
        problems.add(unknown, "is not a known key")
    problems.raise_if_any()

    weights = _parse_weights(problems, params["weights"])
    blacklist = _parse_blacklist(problems, params["blacklist"])
    characteristics = _parse_fitted_characteristics(problems, params["characteristics"])
    problems.raise_if_any()
    scaling = _parse_total_scaling(problems, params["scaling"], characteristics)
    calibration = _parse_calibration(problems, params.get("calibration"))
    for dimension in DIMENSIONS:
        members = [c for c in characteristics if c.dimension == dimension]
        if sum(c.best for c in members) - sum(c.worst for c in members) <= 0:
            # A sub-score is the dimension's place within its range: it needs one.
            problems.add(f"characteristics of {dimension}", "no points: every dimension needs a range")
    problems.raise_if_any()

    assert weights is not None and blacklist is not None and scaling is not None
    scorecard = FittedScorecard(
        weights=weights,
        blacklist=blacklist,
        characteristics=tuple(sorted(characteristics, key=lambda c: SCORED_FEATURES.index(c.name))),
        scaling=scaling,
        calibration=calibration,
    )
    if sum(scorecard.points(Features()).values()) != 0:
        problems.add("characteristics", "an empty file must fall in every 'no data' bin (0 points, 600)")
        problems.raise_if_any()
    return scorecard


def _parse_fitted_characteristics(problems: _Problems, value: object) -> list:
    if not isinstance(value, list) or not value:
        problems.add("characteristics", "must be a non-empty list of fitted characteristics")
        return []
    parsed = []
    seen: set[str] = set()
    for index, entry in enumerate(value):
        key = f"characteristics[{index}]"
        if not isinstance(entry, dict):
            problems.add(key, "must be an object")
            continue
        before = len(problems.messages)
        name = entry.get("name")
        if name not in SCORED_FEATURES:
            problems.add(f"{key}.name", f"is not a scored feature (known: {', '.join(SCORED_FEATURES)})")
        elif name in seen:
            problems.add(f"{key}.name", f"{name} appears twice")
        else:
            seen.add(name)
        if entry.get("dimension") not in DIMENSIONS:
            problems.add(f"{key}.dimension", f"must be one of {', '.join(DIMENSIONS)}")
        if entry.get("kind", NUMERICAL) != NUMERICAL:
            problems.add(f"{key}.kind", "a portal feature is binned as a number")
        direction = entry.get("direction")
        if direction not in (RISK_ASCENDING, RISK_DESCENDING):
            problems.add(f"{key}.direction", f"must be {RISK_ASCENDING!r} or {RISK_DESCENDING!r}")
        points = entry.get("points")
        if (
            not isinstance(points, list)
            or not points
            or any(isinstance(p, bool) or not isinstance(p, int) for p in points)
        ):
            problems.add(f"{key}.points", "must be a non-empty list of whole numbers")
            continue
        if entry.get("no_data_points", 0) != 0:
            problems.add(f"{key}.no_data_points", "must be 0: no data is worth nothing")
        edges = entry.get("edges", [])
        if (
            not isinstance(edges, list)
            or any(isinstance(e, bool) or not isinstance(e, int | float) for e in edges)
            or any(later <= earlier for earlier, later in itertools.pairwise(edges))
        ):
            problems.add(f"{key}.edges", "must be a list of strictly ascending numbers")
            continue
        if len(points) != len(edges) + 1:
            problems.add(f"{key}.points", f"needs one per bin ({len(edges) + 1}), got {len(points)}")
        no_data_values = entry.get("no_data_values", [])
        if not isinstance(no_data_values, list) or any(
            isinstance(v, bool) or not isinstance(v, int | float) for v in no_data_values
        ):
            problems.add(f"{key}.no_data_values", "must be a list of numbers")
        steps = list(itertools.pairwise(points))
        # Less risk with a higher value means more points with it, and the other way round.
        if direction == RISK_DESCENDING and any(later < earlier for earlier, later in steps):
            problems.add(f"{key}.points", "must not decrease along the bins (risk falls as the value grows)")
        if direction == RISK_ASCENDING and any(later > earlier for earlier, later in steps):
            problems.add(f"{key}.points", "must not increase along the bins (risk rises as the value grows)")
        if len(problems.messages) == before:
            parsed.append(fitted_characteristic(entry))
    return parsed


def _parse_total_scaling(problems: _Problems, value: object, characteristics: list) -> TotalScaling | None:
    if not isinstance(value, dict):
        problems.add("scaling", "must be an object")
        return None
    base = value.get("base")
    if base != SCORE_BASE:
        problems.add("scaling.base", f"must be {SCORE_BASE}: an empty file scores {SCORE_BASE}")
    upside = _integer(problems, "scaling.upside", value.get("upside"), low=1, high=SCORE_MAX - SCORE_BASE)
    downside = _integer(
        problems, "scaling.downside", value.get("downside"), low=1, high=SCORE_BASE - SCORE_MIN
    )
    best = sum(c.best for c in characteristics)
    worst = sum(c.worst for c in characteristics)
    # The tables' own best and worst totals, so the best profile lands on 950 and the worst on 350.
    if value.get("max_total") != best:
        problems.add("scaling.max_total", f"must be the best total the points allow, {best}")
    if value.get("min_total") != worst:
        problems.add("scaling.min_total", f"must be the worst total the points allow, {worst}")
    if upside is None or downside is None or len(problems.messages):
        return None
    return TotalScaling(max_total=best, min_total=worst, base=SCORE_BASE, upside=upside, downside=downside)


def _parse_calibration(problems: _Problems, value: object) -> tuple[float, float] | None:
    if value is None or value == {}:
        return None
    if (
        not isinstance(value, dict)
        or not isinstance(value.get("intercept"), int | float)
        or not isinstance(value.get("slope_per_point"), int | float)
    ):
        problems.add("calibration", "must be an object with intercept and slope_per_point")
        return None
    return float(value["intercept"]), float(value["slope_per_point"])
