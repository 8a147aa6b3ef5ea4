"""The validation figures of one sample: AUC, Gini, KS, bad rate by band, calibration, Brier score.

Higher scores mean lower risk, so ranking metrics are computed on the negated score (sklearn expects
higher = more likely bad).
"""

import itertools
from typing import Any

import numpy as np
from sklearn.metrics import brier_score_loss, roc_auc_score, roc_curve

from core.bands import BAND_LOWER_BOUNDS, SCORE_MAX, Band

N_CALIBRATION_GROUPS = 10


def auc(y: np.ndarray, risk: np.ndarray) -> float | None:
    """AUC of a risk measure (higher = more likely bad); None when the sample lacks a class."""
    if len(np.unique(y)) < 2:
        return None
    return float(roc_auc_score(y, risk))


def ks(y: np.ndarray, risk: np.ndarray) -> float | None:
    """Kolmogorov-Smirnov: the largest gap between the cumulative shares of bads and goods."""
    if len(np.unique(y)) < 2:
        return None
    fpr, tpr, _ = roc_curve(y, risk)
    return float(np.max(tpr - fpr))


def band_rows(y: np.ndarray, scores: np.ndarray) -> list[dict[str, Any]]:
    uppers = [lower - 1 for _, lower in BAND_LOWER_BOUNDS[1:]] + [SCORE_MAX]
    rows = []
    for (band, lower), upper in zip(BAND_LOWER_BOUNDS, uppers, strict=True):
        mask = (scores >= lower) & (scores <= upper)
        count, bads = int(mask.sum()), int(y[mask].sum())
        rows.append(
            {
                "band": Band(band).value,
                "min_score": lower,
                "max_score": upper,
                "count": count,
                "bads": bads,
                "bad_rate": bads / count if count else None,
            }
        )
    return rows


def bad_rate_falls(rows: list[dict[str, Any]]) -> bool:
    """Whether the bad rate falls strictly from each populated band to the next one up.

    Empty bands are skipped (they say nothing); a flat step counts as not falling, because two bands
    with the same bad rate do not separate risk.
    """
    rates = [row["bad_rate"] for row in rows if row["count"]]
    return all(a > b for a, b in itertools.pairwise(rates))


def calibration_rows(y: np.ndarray, predicted: np.ndarray) -> list[dict[str, Any]]:
    """Predicted against observed bad rate in ten equal-count groups, by predicted bad rate.

    Groups are cut by rank (a stable sort), so ties never leave a group empty or change its size.
    """
    order = np.argsort(predicted, kind="stable")
    rows = []
    for decile, members in enumerate(np.array_split(order, N_CALIBRATION_GROUPS), start=1):
        if len(members) == 0:
            continue
        rows.append(
            {
                "decile": decile,
                "count": len(members),
                "predicted_bad_rate": float(predicted[members].mean()),
                "observed_bad_rate": float(y[members].mean()),
            }
        )
    return rows


def sample_report(
    y: np.ndarray, scores: np.ndarray, predicted: np.ndarray, oracle: np.ndarray | None
) -> dict[str, Any]:
    """Everything the validation report says about one sample."""
    area = auc(y, -scores)
    bands = band_rows(y, scores)
    report: dict[str, Any] = {
        "count": len(y),
        "bads": int(y.sum()),
        "bad_rate": float(y.mean()),
        "auc": area,
        "gini": None if area is None else 2 * area - 1,
        "ks": ks(y, -scores),
        "brier": float(brier_score_loss(y, predicted)),
        "bands": bands,
        "bad_rate_falls": bad_rate_falls(bands),
        "calibration": calibration_rows(y, predicted),
    }
    if oracle is not None:
        report["oracle_auc"] = auc(y, oracle)
    return report
