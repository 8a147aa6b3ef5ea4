"""Fitting a scorecard to outcomes: features and outcomes in, parameters and a validation report out.

Pure: no database, no Django models. The next step feeds it the portal's point-in-time features
(issue 14) and loads its parameters into the engine; a test runs it on the German credit data.

Method
======
Input: one row per (person, observation date), the outcome (1 = bad within the performance window),
a description of each characteristic (its dimension, kind and business direction of risk), each
row's sample ("dev", "holdout" or "oot") and the published dimension weights (35/25/20/15/5).
Everything is learned on "dev"; "holdout" and "oot" (out-of-time) only measure.

1. Binning (``binning.py``, optbinning). Each characteristic is cut into bins by optbinning's
   ``OptimalBinning`` (pre-binning, then a constraint-programming solver maximising IV), with the
   bad rate pinned monotone in the business direction ("ascending": risk rises with the value) and
   every bin holding at least 5% of the development sample. Nominal categories have no direction;
   optbinning orders them by bad rate. Missing values, and values declared to mean "no data", form
   the "no data" bin. Each bin gets its weight of evidence, WoE = ln(share of goods / share of
   bads), and the characteristic its information value IV = sum (goods share - bads share) * WoE.
   A characteristic with IV below 0.02 predicts nothing useful and is dropped (and listed).
   Protected attributes (age, sex, marital status, nationality or foreign-worker status, ethnicity,
   religion, the scores of a person's contacts) are refused before anything is fitted.

2. Logistic regression on WoE (``fit.py``, scikit-learn), one sub-model per dimension. Each
   characteristic enters as its WoE minus the "no data" bin's WoE, so a person with no data is 0
   in every column. A dimension's sub-model regresses the outcome on its characteristics;
   every coefficient must be negative (more WoE, less risk) or the bins' order would be reversed,
   so a characteristic with a non-negative coefficient (an echo of a correlated one) is dropped
   and the rest refitted. A characteristic's raw points in a bin are -coefficient x (WoE - WoE of
   no data): its contribution to the log-odds of being good, relative to knowing nothing.
   When the development sample has no "no data" rows, optbinning gives that bin WoE 0, the
   sample's average odds, so an empty file sits at average risk; when it has some, at their odds.

3. The weight constraint. The portal publishes each dimension's share of the score (35/25/20/15/5),
   so each dimension's raw points are scaled so that its point range (sum over its characteristics
   of best bin minus worst bin, the 0 of "no data" included) is exactly its weight times the total
   range (1000 points), then rounded half up to whole points; "no data" stays exactly 0. Combining
   per-dimension sub-models with fixed weights ranks people less well than one free joint fit
   would; the report measures how much (AUC of each, per sample) and which weights the free fit
   would have chosen (its dimensions' shares of its own point range).

4. Scaling (``scaling.py``). The total T of points is a single number per person; a logistic
   regression of the outcome on T (on "dev") gives the predicted log-odds a + b*T (b < 0), stored as
   the calibration. The score is a function of T alone: 600 + 350 * T / T_max above, 600 - 250 *
   T / T_min below (T_max, T_min the best and worst totals the tables allow), rounded half up once
   and clamped to 350..950. It is therefore monotone (non-increasing) in the predicted log-odds, the
   empty file (T = 0) is exactly 600, the best profile 950 and the worst 350. The two slopes act on
   the total, never per dimension, so the score never ranks two people against their risk.

5. Validation (``report.py``): for each sample AUC, Gini (2 AUC - 1), KS, bad rate by band and
   whether it falls from poor to excellent, calibration by decile (predicted vs observed bad rate)
   and the Brier score; per characteristic its bins, WoE, IV and points; an oracle's AUC when a
   hidden risk is supplied. ``monitoring.py`` holds PSI (score distributions) and CSI (one per
   characteristic) for the nightly watch.
"""

from .characteristics import (
    ASCENDING,
    CATEGORICAL,
    DESCENDING,
    NUMERICAL,
    ORDINAL,
    Characteristic,
    FitError,
    ProtectedAttributeError,
)
from .fit import DEV, HOLDOUT, MIN_IV, OOT, FitResult, fit_scorecard
from .monitoring import csi, psi, psi_from_counts, stability
from .scorecard import bin_indexes, predicted_log_odds, scores, total_points

__all__ = [
    "ASCENDING",
    "CATEGORICAL",
    "DESCENDING",
    "DEV",
    "HOLDOUT",
    "MIN_IV",
    "NUMERICAL",
    "OOT",
    "ORDINAL",
    "Characteristic",
    "FitError",
    "FitResult",
    "ProtectedAttributeError",
    "bin_indexes",
    "csi",
    "fit_scorecard",
    "predicted_log_odds",
    "psi",
    "psi_from_counts",
    "scores",
    "stability",
    "total_points",
]
