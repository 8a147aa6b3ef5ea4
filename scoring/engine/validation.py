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
)
from .scorecard import Characteristic, Scorecard


class _Problems:
    """Collects every problem so staff see them all at once, each naming its key."""

    def __init__(self) -> None:
        self.messages: list[str] = []

    def add(self, key: str, message: str) -> None:
        self.messages.append(f"{key}: {message}")

    def raise_if_any(self) -> None:
        if self.messages:
            raise ValidationError([ValidationError(message, code="invalid") for message in self.messages])


def validate_parameters(params: dict) -> Scorecard:
    """Parse and validate a scoring model's parameters; ValidationError names each bad key."""
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
def _scorecard_from_json(canonical: str) -> Scorecard:
    params = json.loads(canonical)
    problems = _Problems()
    if not isinstance(params, dict):
        problems.add("parameters", "must be an object")
        problems.raise_if_any()
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
