"""Tests for scoring/engine/vectorised.py: a chunk scored in one pass gives every person the score,
sub-scores and reasons of the exact reference (``compute_exact``), for the launch model and for
fitted ones, and ``compute`` is that chunk of one."""

import copy
import importlib.util
import sys
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from scoring.engine import (
    DEFAULT_PARAMETERS,
    Features,
    compute,
    compute_exact,
    score_chunk,
    validate_parameters,
)
from scoring.engine.vectorised import plan_of
from scoring.tests.engine.examples import SCORECARD
from scoring.tests.engine.strategies import features_strategy
from scoring.tests.engine.test_totals import SCORECARD as SMALL_FITTED

chunks = st.lists(features_strategy, min_size=1, max_size=30)


def _compare_module():
    path = Path(__file__).resolve().parents[3] / "bench" / "engine_compare.py"
    spec = importlib.util.spec_from_file_location("engine_compare", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("engine_compare", module)
    spec.loader.exec_module(module)
    return module


def _assert_chunk_is_exact(people: list[Features], scorecard) -> None:
    chunk = score_chunk(people, scorecard)
    for i, person in enumerate(people):
        assert chunk.result(i) == compute_exact(person, scorecard)
        assert int(chunk.scores[i]) == chunk.result(i).score


@settings(max_examples=200, deadline=None)
@given(chunks)
def test_a_chunk_scores_every_person_as_the_exact_launch_engine_does(people):
    _assert_chunk_is_exact(people, SCORECARD)


@settings(max_examples=200, deadline=None)
@given(chunks)
def test_a_chunk_scores_every_person_as_the_exact_fitted_engine_does(people):
    _assert_chunk_is_exact(people, SMALL_FITTED)


@given(features_strategy)
def test_compute_is_a_chunk_of_one(person):
    assert compute(person, SCORECARD) == score_chunk([person], SCORECARD).result(0)


def test_people_on_and_beside_every_bound_score_the_same_in_both_engines_for_launch_and_fitted_models():
    # Given people drawn onto the bins' bounds (and a cent or a count beside them), thin and empty
    # files, active, fading and old listings, and a model fitted on such people
    compare = _compare_module()
    people, outcomes = compare.people_draw(3000, seed=15)
    fitted = compare.fitted_scorecard(people[:2000], outcomes[:2000])
    # when both engines score them, then no score, sub-score or reason differs
    for scorecard in (SCORECARD, fitted):
        result = compare.compare(people, scorecard)
        assert result["differ"] == []
        assert result["reasons"] > 3000


def test_a_model_whose_integers_could_overflow_is_scored_exactly_person_by_person():
    # Given partials with so many decimal places that scaled to integers they pass int64
    parameters = copy.deepcopy(DEFAULT_PARAMETERS)
    bins = parameters["characteristics"]["purchases_12m"]["bins"]
    bins[1][1] = "0.0200000000000000000001"
    scorecard = validate_parameters(parameters)
    person = Features(purchases_12m=3, on_time_bills_24m=12, history_months=14)
    # then the chunk falls back to the reference, with its exact results
    assert plan_of(scorecard) is None
    assert score_chunk([person], scorecard).result(0) == compute_exact(person, scorecard)


def test_an_empty_chunk_scores_nobody():
    assert len(score_chunk([], SCORECARD)) == 0
