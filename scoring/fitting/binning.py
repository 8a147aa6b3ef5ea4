"""Binning one characteristic with optbinning, and placing values in the bins it found.

optbinning finds the bins (pre-binning, then a constraint-programming solver that keeps the bad rate
monotone in the pinned direction with every bin holding at least ``MIN_BIN_SHARE`` of the sample).
What it found is copied into plain data (edges or category groups, counts, WoE, IV) so the bins can
be applied later without optbinning; ``assign_bins`` is that application, the one rule the fit, the
report and monitoring all use.
"""

import itertools
import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from optbinning import OptimalBinning

from scoring.engine.totals import bin_indexes

from .characteristics import CATEGORICAL, NUMERICAL, ORDINAL, Characteristic, FitError

# Every bin holds at least 5% of the development sample (issue 14): smaller bins have WoE too noisy
# to set points on.
MIN_BIN_SHARE = 0.05


@dataclass(frozen=True)
class Bin:
    label: str
    count: int
    bads: int
    woe: float  # ln(share of goods / share of bads): positive means less risky than average


@dataclass(frozen=True)
class BinnedCharacteristic:
    characteristic: Characteristic
    edges: tuple[float, ...]  # numerical: bin i holds edges[i-1] <= x < edges[i]
    groups: tuple[tuple[str, ...], ...]  # ordinal and categorical: the categories of each bin
    bins: tuple[Bin, ...]
    no_data: Bin
    iv: float

    def bin_index(self, values: np.ndarray) -> np.ndarray:
        return assign_bins(self.characteristic, self.edges, self.groups, values)

    def woe_of(self, values: np.ndarray) -> np.ndarray:
        """Each value's WoE, the "no data" bin's for no data."""
        woes = np.array([*(b.woe for b in self.bins), self.no_data.woe])  # index -1 is "no data"
        return woes[self.bin_index(values)]


def column_values(characteristic: Characteristic, column: Any) -> np.ndarray:
    """The column as floats (numerical, ordinal as level index) or strings, NaN or None for no data."""
    values = np.asarray(column, dtype=object)
    missing = np.array([_is_missing(v) for v in values], dtype=bool)
    if characteristic.no_data_values:
        missing |= np.array([v in characteristic.no_data_values for v in values], dtype=bool)
    if characteristic.kind == NUMERICAL:
        out = np.full(len(values), np.nan)
        for i in np.flatnonzero(~missing):
            try:
                out[i] = float(values[i])
            except (TypeError, ValueError):
                raise FitError(f"{characteristic.name}: row {i} is not a number ({values[i]!r})") from None
            if math.isinf(out[i]):
                raise FitError(f"{characteristic.name}: row {i} is infinite")
        return out
    if characteristic.kind == ORDINAL:
        levels = {level: float(i) for i, level in enumerate(characteristic.categories)}
        out = np.full(len(values), np.nan)
        for i in np.flatnonzero(~missing):
            key = str(values[i])
            if key not in levels:
                raise FitError(f"{characteristic.name}: row {i} is not one of its levels ({values[i]!r})")
            out[i] = levels[key]
        return out
    out = np.empty(len(values), dtype=object)
    out[:] = None
    for i in np.flatnonzero(~missing):
        out[i] = str(values[i])
    return out


def _is_missing(value: Any) -> bool:
    if value is None:
        return True
    try:
        return bool(value != value)  # NaN, pandas NA
    except (TypeError, ValueError):
        return False


def bin_characteristic(
    characteristic: Characteristic, values: np.ndarray, y: np.ndarray
) -> BinnedCharacteristic:
    """Fit optbinning's optimal binning on the development sample (``values`` from ``column_values``)."""
    known = np.array([not _is_missing(v) for v in values], dtype=bool)
    if not known.any():
        raise FitError(f"{characteristic.name}: no development row has data")
    dtype = "categorical" if characteristic.kind == CATEGORICAL else "numerical"
    options: dict[str, Any] = {}
    if characteristic.kind != CATEGORICAL:
        options["monotonic_trend"] = characteristic.direction
    optb = OptimalBinning(
        name=characteristic.name,
        dtype=dtype,
        solver="cp",
        min_prebin_size=MIN_BIN_SHARE,
        min_bin_size=MIN_BIN_SHARE,
        **options,
    )
    # Missing values (no-data values already turned into missing) form optbinning's "Missing" bin,
    # which is our "no data" bin: its counts and WoE come from the same table as the others'.
    x = values.astype(float) if dtype == "numerical" else np.where(known, values, np.nan).astype(object)
    with warnings.catch_warnings():
        # optbinning 1.0.0 builds its table in a way pandas 3 deprecates (a pandas 4 problem, pinned
        # away in requirements.txt); the numbers are unaffected.
        warnings.filterwarnings(
            "ignore", message="Setting an item of incompatible dtype", module="optbinning"
        )
        optb.fit(x, y)
        table = optb.binning_table.build()
    if optb.status not in ("OPTIMAL", "FEASIBLE"):
        raise FitError(f"{characteristic.name}: optbinning found no binning ({optb.status})")
    edges: tuple[float, ...] = ()
    groups: tuple[tuple[str, ...], ...] = ()
    if characteristic.kind == CATEGORICAL:
        groups = tuple(tuple(str(c) for c in group) for group in optb.splits)
    else:
        edges = tuple(float(s) for s in optb.splits)
        if characteristic.kind == ORDINAL:
            groups = _ordinal_groups(characteristic.categories, edges)
    n_bins = len(groups) if characteristic.kind == CATEGORICAL else len(edges) + 1
    labels = bin_labels(BinnedCharacteristic(characteristic, edges, groups, (), _EMPTY, 0.0))
    bins = tuple(_bin(labels[b], table.iloc[b]) for b in range(n_bins))
    # optbinning's table lists the bins, then "Special" (unused here), then "Missing".
    no_data = _bin("no data", table.iloc[n_bins + 1])
    return BinnedCharacteristic(characteristic, edges, groups, bins, no_data, float(optb.binning_table.iv))


_EMPTY = Bin("", 0, 0, 0.0)


def _bin(label: str, row: Any) -> Bin:
    # optbinning gives an empty bin, or one with only goods or only bads, WoE 0: no evidence.
    return Bin(label, int(row["Count"]), int(row["Event"]), float(row["WoE"]))


def _ordinal_groups(levels: Sequence[str], edges: Sequence[float]) -> tuple[tuple[str, ...], ...]:
    groups: list[list[str]] = [[] for _ in range(len(edges) + 1)]
    for i, level in enumerate(levels):
        groups[int(np.searchsorted(edges, float(i), side="right"))].append(level)
    return tuple(tuple(g) for g in groups)


def bin_labels(binned: BinnedCharacteristic) -> list[str]:
    if binned.groups:
        return [", ".join(group) for group in binned.groups]
    bounds = [-math.inf, *binned.edges, math.inf]
    return [f"[{_number(lo)}, {_number(hi)})" for lo, hi in itertools.pairwise(bounds)]


def _number(x: float) -> str:
    return "-inf" if x == -math.inf else "inf" if x == math.inf else f"{x:g}"


def assign_bins(
    characteristic: Characteristic,
    edges: Sequence[float],
    groups: Sequence[Sequence[str]],
    values: np.ndarray,
) -> np.ndarray:
    """Each value's bin index, NO_DATA for missing values and for categories the fit never saw.

    A category the development sample never saw carries no evidence, which is what "no data" means.
    The rule is the engine's (``scoring.engine.totals.bin_indexes``), so the fit, its report and the
    live score place every value in the same bin.
    """
    return bin_indexes(characteristic.kind, edges, groups, values)
