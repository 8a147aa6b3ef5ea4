"""The scoring engine: features in, score out. Pure arithmetic, no database.

Method: a points-based scorecard
================================
Industry credit scores are scorecards, and so is this one. Each characteristic of a person
(bills paid on time, months of history, credit-line utilisation, ...) is *binned*: a table of
ascending lower bounds, each bin carrying a partial score p_k. A value falls in the last bin
whose lower bound is <= the value (a value below the first bound falls in the first bin).
Booleans bin as 0/1 and education as an ordinal (see ``EDUCATION_LEVELS``). "No data" (a
``None`` feature) always scores 0 without looking at the bins, and a count of 0 must fall in a
bin worth 0, so a person who has just opted in scores exactly 600.

Every characteristic belongs to one of five dimensions (``DIMENSIONS``). Within a dimension d:

    s_d = clamp(sum of p_k, -1, 1)                               the dimension's standing
    c_d = w_d * (UPSIDE * s_d  if s_d >= 0  else  DOWNSIDE * s_d)   its contribution in points
    raw = 600 + sum of c_d

so the exact relation **sum of c_d = raw - 600** holds (Decimal arithmetic, nothing rounded on
the way; the tests check it). The weights w_d (35/25/20/15/5 %) add up to exactly 1 and
UPSIDE = 350, DOWNSIDE = 250 by default; all of them are parameters of the scoring model.
Only the final score is rounded: half-up, once, to a whole number, then clamped to 350..950.
Each dimension is shown to people as a 0-100 sub-score, round_half_up(50 * (s_d + 1)): 50 is
neutral, 100 is the best the dimension allows, 0 the worst.

Scaling: this is a min-max-scaled scorecard. A logistic scorecard maps points to odds as
score = Offset + Factor * ln(odds), with Factor = PDO / ln 2 (points to double the odds) and the
base score (here 600) at the base odds. Here the scale is fixed by its ends instead, like
optbinning's ``min_max`` scaling: the
validator keeps every dimension's best partials summing to at most 1 (exactly 1 in the default
tables) and its worst to at least -1, so the best possible profile maps to 600 + UPSIDE = 950
and the neutral "no data" person sits at the base score 600. The scaling is linear on each side
of 600 (a separate slope up and down) so that "no data" is anchored at the base instead of
being dragged to the middle of the range. There is no fitted odds model behind the default
tables; they are expert point tables, and a fitted model can be loaded as parameters later.
Calibration note: with the default tables a person with a year of ordinary, clean history
scores around 750-800 (``TYPICAL`` in the tests, one late bill included, scores 753), above the
650-700 that scoring-notes.md aims at; recalibrating is a new model version, not a code change.

Which dimensions can hurt. credit_history and fulfilment_capacity can hurt as much as they can
help (their worst partials sum to exactly -1). behaviour, identity and connections can only
help (their worst partials sum to 0): being inactive, unverified or having few contacts is no
fault, so it never costs points. Hence, with the default parameters:

    fresh person (no data)           600  (band good, every sub-score 50)
    best possible profile            950
    worst profile, not blacklisted   450  (= 600 - 0.35*250 - 0.25*250)
    worst profile, blacklisted       350  (450 - 150 = 300, clamped to the floor)

Blacklist (the court's dishonest-judgment-debtor list). With penalty P = 150, cap C = 450 and
fade F = 60 months, applied to raw after the scorecard (so sum of c_d = raw - 600 still holds
for ``ScoreResult.raw``, which is the scorecard's raw before this rule):

    listed now:                  min(raw - P, C)                              always poor (< 550)
    lifted t < F months ago:     min(raw - P * (1 - t/F), C + (950 - C) * t/F)
    lifted F or more months ago: raw                                          no effect

Both terms grow with t, so recovery never goes down with time, and the listed score never
exceeds the unlisted one. An entry overturned by a dispute is removed entirely (the caller
never passes it in). This step is exact (a Decimal, or a Fraction while a listing fades)
before the single rounding.

Reasons ("points below"). For every characteristic whose partial is negative, the gain in the
final score if it alone were at its best bin (a one-factor counterfactual, recomputed in full,
blacklist included) ranks it; the top four are the reasons that lower the score, ties broken by
the exact unrounded gain and then by a fixed code order (``REASON_CODES``). An active blacklist
entry is always the first of the four; a lifted entry still fading ("blacklist_recent") competes
with the characteristics by its points. Characteristics with a positive partial raise the score;
the three whose removal (back to "no data") would cost the most are shown. ``Reason.points`` is
that one-factor effect on the final score, so it can be 0 when the blacklist cap masks it.
Only the shown reasons are computed in full: a change of a partial by d moves a dimension's
contribution, and the final score, by at most w_d x max(upside, downside) x |d|, so once the
last shown reason beats that bound for every change left, those changes are skipped.

A fitted model (``"format": "credit-life-scorecard/1"``, written by ``scoring.fitting`` and
``manage.py scoring_fit``) is the second kind of parameters, and the same ``compute``:

    points_k = the integer points of the bin the value falls in (0 for "no data")
    T_d      = sum of points_k in dimension d;   T = sum of T_d
    raw      = 600 + 350 * T / T_max  if T > 0,  600 - 250 * T / T_min  if T < 0,  600 if T = 0
    score    = the blacklist rule above on raw, rounded half up once, clamped to 350..950

T_max and T_min are the best and worst totals the tables allow (validated), so the best profile is
950, the worst 350 and an empty file exactly 600 (validated: every feature of an empty file falls
in its "no data" bin). One slope per side acting on the total (never per dimension) keeps the score
a monotone function of the fitted log-odds, which are a line in T. A sub-score is the dimension's
place within its possible range, round_half_up(100 * (T_d - worst_d) / (best_d - worst_d)); the
published weights are kept as each dimension's share of the point range by the fit. Reasons rank
points below the best bin (see ``fitted``). The fitter bins and scales its own samples through
``totals``, so a model's validation report and the live score use one rule.

Where each part lives (each module imports only the ones above it in this list):

    features     the names: dimensions, directions, reason codes, Features, BlacklistStatus
    parameters   the launch model's parameters, read from launch_model.json (imports nothing)
    arithmetic   the exact steps: decimal context, blacklist rule, sub-score, half-up rounding
    scorecard    the parsed launch model (Characteristic, Scorecard) and its memoised steps
    validation   parameters -> Scorecard or FittedScorecard, every problem named by its key
    outcome      partials -> dimension totals -> raw -> final score
    reasons      the ranked reasons and their parameters
    totals       a fitted model (integer points, one total, its scaling) and its bin rule
    fitted       a person through a fitted model: total, sub-scores, score, reasons
    exact        compute_exact: one person in exact Decimal/Fraction arithmetic, the reference
    vectorised   score_chunk: a whole chunk in one pass of integer numpy arithmetic (what runs)
    score        compute and simulate (either kind of scoring model), a chunk of one
    texts        the translated sentence and advice of each reason (imports only features)
    levers       what a person can do, as the feature changes doing it really makes (simulator)

One engine, two implementations of it: ``score_chunk`` (``vectorised``) scores every person of a
chunk at once with the points scaled to integers, and is what the nightly run, the single-person
recompute, the simulator and the pages call (``compute`` is a chunk of one); the modules above it
(``outcome``, ``reasons``, ``fitted``) are the exact arithmetic the formulas above state, kept as
``compute_exact``, the reference every property test and ``bench/engine_compare.py`` (100,000
people, launch and fitted model) hold the chunk engine to: the same score, sub-scores and reasons.
Why no floating point can change a result is in ``vectorised``'s docstring.

``from scoring import engine`` gives the whole public API below.
"""

from .arithmetic import BlacklistRule, DimensionResult, Exact, Final
from .exact import compute_exact
from .features import (
    BLACKLIST_ACTIVE,
    BLACKLIST_RECENT,
    DIMENSIONS,
    DIRECTIONS,
    EDUCATION_LEVELS,
    HIGHER_IS_BETTER,
    LOWER_IS_BETTER,
    LOWERS,
    OPTIONAL_FEATURES,
    RAISES,
    REASON_CODES,
    SCORED_FEATURES,
    THIN_FILE,
    THIN_FILE_FEATURES,
    THIN_FILE_MONTHS,
    BlacklistStatus,
    Features,
)
from .levers import MAX_NEW_CONTACTS, MAX_ON_TIME_MONTHS, Later, Levers, apply_levers
from .parameters import DEFAULT_PARAMETERS, LAUNCH_MODEL_VERSION
from .reasons import MAX_LOWERING_REASONS, MAX_RAISING_REASONS, Reason, reason_row, reasons_for_gap
from .score import AnyScorecard, ScoreResult, compute, simulate
from .scorecard import Characteristic, Scorecard
from .texts import reason_advice, reason_text
from .totals import (
    FITTED_FORMAT,
    NO_DATA,
    FittedCharacteristic,
    FittedScorecard,
    TotalScaling,
    bin_indexes,
    feature_number,
)
from .validation import validate_parameters
from .vectorised import ChunkScores, score_chunk

__all__ = [
    "BLACKLIST_ACTIVE",
    "BLACKLIST_RECENT",
    "DEFAULT_PARAMETERS",
    "DIMENSIONS",
    "DIRECTIONS",
    "EDUCATION_LEVELS",
    "FITTED_FORMAT",
    "HIGHER_IS_BETTER",
    "LAUNCH_MODEL_VERSION",
    "LOWERS",
    "LOWER_IS_BETTER",
    "MAX_LOWERING_REASONS",
    "MAX_NEW_CONTACTS",
    "MAX_ON_TIME_MONTHS",
    "MAX_RAISING_REASONS",
    "NO_DATA",
    "OPTIONAL_FEATURES",
    "RAISES",
    "REASON_CODES",
    "SCORED_FEATURES",
    "THIN_FILE",
    "THIN_FILE_FEATURES",
    "THIN_FILE_MONTHS",
    "AnyScorecard",
    "BlacklistRule",
    "BlacklistStatus",
    "Characteristic",
    "ChunkScores",
    "DimensionResult",
    "Exact",
    "Features",
    "Final",
    "FittedCharacteristic",
    "FittedScorecard",
    "Later",
    "Levers",
    "Reason",
    "ScoreResult",
    "Scorecard",
    "TotalScaling",
    "apply_levers",
    "bin_indexes",
    "compute",
    "compute_exact",
    "feature_number",
    "reason_advice",
    "reason_row",
    "reason_text",
    "reasons_for_gap",
    "score_chunk",
    "simulate",
    "validate_parameters",
]
