"""A fitted scorecard's parameters (plain JSON) applied to a features table: bins, points, scores.

A thin call into the engine: the bin rule is ``scoring.engine.totals.bin_indexes`` (through
``binning.assign_bins``) and the scaling ``scoring.engine.totals.TotalScaling``, so the report the
fit writes describes exactly what the live engine does with the same parameters.
"""

from collections.abc import Mapping
from typing import Any, TypeAlias

import numpy as np
import pandas as pd

from .binning import assign_bins, column_values
from .characteristics import Characteristic, FitError
from .scaling import Scaling

FORMAT = "credit-life-scorecard/1"

Table: TypeAlias = pd.DataFrame | Mapping[str, Any]


def as_frame(features: Table) -> pd.DataFrame:
    if isinstance(features, pd.DataFrame):
        return features
    try:
        return pd.DataFrame({name: list(column) for name, column in features.items()})
    except (AttributeError, TypeError, ValueError) as error:
        raise FitError(f"features: need a DataFrame or a mapping of equally long columns ({error})") from None


def characteristic_of(entry: Mapping[str, Any]) -> Characteristic:
    return Characteristic(
        name=entry["name"],
        dimension=entry["dimension"],
        kind=entry["kind"],
        direction=entry["direction"],
        categories=tuple(entry.get("categories", ())),
        no_data_values=tuple(entry.get("no_data_values", ())),
    )


def bin_indexes(parameters: Mapping[str, Any], features: Table) -> dict[str, np.ndarray]:
    """Each characteristic's bin index per row, NO_DATA (-1) for no data."""
    frame = as_frame(features)
    out = {}
    for entry in parameters["characteristics"]:
        characteristic = characteristic_of(entry)
        if characteristic.name not in frame.columns:
            raise FitError(f"features: the column {characteristic.name!r} is missing")
        values = column_values(characteristic, frame[characteristic.name].to_numpy(dtype=object))
        out[characteristic.name] = assign_bins(
            characteristic, entry.get("edges", ()), entry.get("groups", ()), values
        )
    return out


def total_points(parameters: Mapping[str, Any], features: Table) -> np.ndarray:
    """Each row's total of points (whole numbers; 0 for a row with no data at all)."""
    indexes = bin_indexes(parameters, features)
    totals = np.zeros(len(as_frame(features)), dtype=np.int64)
    for entry in parameters["characteristics"]:
        points = np.array([*entry["points"], 0], dtype=np.int64)  # index -1: "no data" is worth 0
        totals += points[indexes[entry["name"]]]
    return totals


def scaling_of(parameters: Mapping[str, Any]) -> Scaling:
    s = parameters["scaling"]
    return Scaling(
        max_total=s["max_total"],
        min_total=s["min_total"],
        base=s["base"],
        upside=s["upside"],
        downside=s["downside"],
    )


def scores_of_totals(scaling: Scaling, totals: np.ndarray) -> np.ndarray:
    memo = {int(t): scaling.score(int(t)) for t in np.unique(totals)}
    return np.array([memo[int(t)] for t in totals], dtype=np.int64)


def scores(parameters: Mapping[str, Any], features: Table) -> np.ndarray:
    """Each row's score, 350..950."""
    return scores_of_totals(scaling_of(parameters), total_points(parameters, features))


def predicted_log_odds(parameters: Mapping[str, Any], totals: np.ndarray) -> np.ndarray:
    """The fitted log-odds of a bad outcome for each total (the score falls as it rises)."""
    calibration = parameters["calibration"]
    return calibration["intercept"] + calibration["slope_per_point"] * np.asarray(totals, dtype=float)
