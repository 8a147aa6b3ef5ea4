"""Stability of a score and of its characteristics between a baseline and today: PSI and CSI.

PSI = sum over bins of (actual share - expected share) * ln(actual share / expected share). CSI is
the same sum over one characteristic's bins (its "no data" bin included). Issue 14's reading:
below 0.10 stable, 0.10 or more "investigate", 0.25 or more "act".
"""

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from core.bands import SCORE_MAX, SCORE_MIN

from .scorecard import Table, bin_indexes

# 50-point score buckets: 350-399, 400-449, ..., 900-950 (the lower bound of each bucket but the first).
SCORE_BUCKET_EDGES: tuple[int, ...] = tuple(range(SCORE_MIN + 50, SCORE_MAX, 50))
# An empty bin would make the logarithm infinite; a share this small stands in for it, the usual
# practice, so one empty bucket flags a shift instead of breaking the figure.
MIN_SHARE = 1e-4
INVESTIGATE = 0.10
ACT = 0.25


def psi_from_counts(expected: Sequence[int], actual: Sequence[int]) -> float:
    """PSI between two histograms over the same bins."""
    if len(expected) != len(actual) or not expected:
        raise ValueError("expected and actual need the same, non-zero, number of bins")
    e_total, a_total = sum(expected), sum(actual)
    if e_total <= 0 or a_total <= 0:
        raise ValueError("expected and actual each need at least one count")
    value = 0.0
    for e, a in zip(expected, actual, strict=True):
        e_share = max(e / e_total, MIN_SHARE)
        a_share = max(a / a_total, MIN_SHARE)
        value += (a_share - e_share) * math.log(a_share / e_share)
    return value


def psi(
    expected_scores: Sequence[int] | np.ndarray,
    actual_scores: Sequence[int] | np.ndarray,
    edges: Sequence[float] = SCORE_BUCKET_EDGES,
) -> float:
    """PSI of a score distribution against a baseline one, in buckets split at ``edges``."""
    n_bins = len(edges) + 1
    e = np.bincount(np.searchsorted(edges, np.asarray(expected_scores), side="right"), minlength=n_bins)
    a = np.bincount(np.searchsorted(edges, np.asarray(actual_scores), side="right"), minlength=n_bins)
    return psi_from_counts(e.tolist(), a.tolist())


def csi(parameters: Mapping[str, Any], expected_features: Table, actual_features: Table) -> dict[str, float]:
    """CSI of each characteristic of a fitted scorecard, over its bins and its "no data" bin."""
    expected = bin_indexes(parameters, expected_features)
    actual = bin_indexes(parameters, actual_features)
    out = {}
    for entry in parameters["characteristics"]:
        n_bins = len(entry["points"]) + 1
        # Shift by one so "no data" (-1) counts in bin 0.
        e = np.bincount(expected[entry["name"]] + 1, minlength=n_bins)
        a = np.bincount(actual[entry["name"]] + 1, minlength=n_bins)
        out[entry["name"]] = psi_from_counts(e.tolist(), a.tolist())
    return out


def stability(value: float) -> str:
    """The action a PSI or CSI calls for: "stable", "investigate" or "act"."""
    if value >= ACT:
        return "act"
    if value >= INVESTIGATE:
        return "investigate"
    return "stable"
