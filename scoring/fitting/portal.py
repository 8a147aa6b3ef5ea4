"""The portal's side of a fit: its characteristics described for the fitter, a features table from
the engine's ``Features``, and a fit's parameters completed into a scoring model's.

Pure like the rest of the package: the database reads (the as-of features, the outcomes) are the
fit command's; this module only shapes them.
"""

from collections.abc import Iterable, Mapping
from typing import Any

from scoring.engine import (
    DEFAULT_PARAMETERS,
    HIGHER_IS_BETTER,
    OPTIONAL_FEATURES,
    SCORED_FEATURES,
    Features,
    feature_number,
)

from .characteristics import ASCENDING, DESCENDING, Characteristic

# The published shape (domain.md, the API's `weight`): each dimension's share of the point range.
PUBLISHED_WEIGHTS: Mapping[str, str] = DEFAULT_PARAMETERS["weights"]


def portal_characteristics() -> tuple[Characteristic, ...]:
    """Every scored feature, in the dimension and business direction the launch model documents.

    A count, flag or level of 0 is "no data" (a person who has just opted in has 0 of everything and
    must score exactly 600); an optional feature's no data is its missing value (0% utilisation is
    a fact, not an absence). Nothing else is offered to the fit: no age, sex, ethnicity, marital
    status, religion or contacts' scores exist among the features.
    """
    launch = DEFAULT_PARAMETERS["characteristics"]
    return tuple(
        Characteristic(
            name=name,
            dimension=launch[name]["dimension"],
            # Higher is better means the risk falls as the value grows.
            direction=DESCENDING if launch[name]["direction"] == HIGHER_IS_BETTER else ASCENDING,
            no_data_values=() if name in OPTIONAL_FEATURES else (0,),
        )
        for name in SCORED_FEATURES
    )


def with_data(
    characteristics: Iterable[Characteristic], table: Mapping[str, list[float | None]], rows: Iterable[int]
) -> tuple[list[Characteristic], list[str]]:
    """The characteristics some of the given rows have data for, and the names of the others.

    A feature nobody has yet (say, late bills older than a year in a young portal) carries no
    evidence; the fit leaves it out and the report lists it, rather than refusing to fit.
    """
    rows = list(rows)
    kept, empty = [], []
    for characteristic in characteristics:
        column = table[characteristic.name]
        known = any(column[i] is not None and column[i] not in characteristic.no_data_values for i in rows)
        (kept.append(characteristic) if known else empty.append(characteristic.name))
    return kept, empty


def features_table(rows: Iterable[Features]) -> dict[str, list[float | None]]:
    """One column per scored feature, each value the number the engine bins (None for no data)."""
    table: dict[str, list[float | None]] = {name: [] for name in SCORED_FEATURES}
    for features in rows:
        for name in SCORED_FEATURES:
            table[name].append(feature_number(getattr(features, name)))
    return table


def model_parameters(fit_parameters: Mapping[str, Any]) -> dict[str, Any]:
    """A fit's parameters as a scoring model's: the published weights and the blacklist rule added."""
    return {
        **fit_parameters,
        "weights": dict(PUBLISHED_WEIGHTS),
        "blacklist": dict(DEFAULT_PARAMETERS["blacklist"]),
    }
