"""The compact, exact form of a person's features that every snapshot stores beside its score.

A JSON list, ``[FORMAT, value of each scored feature in SCORED_FEATURES order, the year's late
bills by kind, the blacklist entry]``: money as strings (a Decimal's digits and exponent survive),
dates as ISO strings, "no data" as null. Decoding gives back an equal ``Features``, so the engine
recomputes the stored score bit for bit (``services.snapshot_replay``).
"""

import datetime
import typing
from decimal import Decimal

from .engine import SCORED_FEATURES, BlacklistStatus, Features

FORMAT = 1

_MONEY_FEATURES = frozenset(
    name for name, hint in typing.get_type_hints(Features).items() if Decimal in typing.get_args(hint)
)


def feature_vector_encode(features: Features) -> list:
    """The features as a JSON-ready list (see the module's docstring)."""
    values: list = [FORMAT]
    for name in SCORED_FEATURES:
        value = getattr(features, name)
        values.append(str(value) if isinstance(value, Decimal) else value)
    values.append([[kind, count] for kind, count in features.late_bills_12m_by_kind])
    entry = features.blacklist
    values.append(
        None
        if entry is None
        else [entry.court, entry.case_number, entry.listed_on.isoformat(), entry.months_since_lifted]
    )
    return values


def feature_vector_decode(values: list) -> Features:
    """The ``Features`` a stored list was encoded from; a list of another form is a ValueError."""
    if not isinstance(values, list) or not values or values[0] != FORMAT:
        raise ValueError(f"not a feature vector of format {FORMAT}")
    if len(values) != len(SCORED_FEATURES) + 3:
        raise ValueError(f"a feature vector has {len(SCORED_FEATURES) + 3} items, this one {len(values)}")
    scored = dict(zip(SCORED_FEATURES, values[1:-2], strict=True))
    for name in _MONEY_FEATURES:
        if scored[name] is not None:
            scored[name] = Decimal(scored[name])
    late_kinds, entry = values[-2], values[-1]
    return Features(
        **scored,
        late_bills_12m_by_kind=tuple((kind, count) for kind, count in late_kinds),
        blacklist=None
        if entry is None
        else BlacklistStatus(
            court=entry[0],
            case_number=entry[1],
            listed_on=datetime.date.fromisoformat(entry[2]),
            months_since_lifted=entry[3],
        ),
    )
