"""Tests for scoring/services/monitoring.py and the shadow side of the nightly run
(scoring/services/recompute.py, selectors.shadow_report): a challenger's scores kept apart, the
shadow report, and the nightly PSI/CSI watch with its flags."""

import copy
import datetime
import logging

import pytest

from accounts.models import ConsumerProfile
from scoring import selectors, services
from scoring.engine import DEFAULT_PARAMETERS, compute, validate_parameters
from scoring.models import Bill, BillKind, ModelMonitoring, ScoreSnapshot, ShadowScore

pytestmark = pytest.mark.django_db

# Tonight: the profiles' current score (what eligibility reads) is tonight's.
NIGHT = services.today()
OPTED_IN_AT = datetime.datetime(2026, 1, 1, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture
def crowd(make_consumer):
    """Twelve opted-in people, six with a year of bills paid on time."""
    people = [make_consumer(f"p{i}") for i in range(12)]
    for person in people[:6]:
        for month in range(1, 13):
            Bill.objects.create(
                person=person,
                kind=BillKind.UTILITY,
                amount="100.00",
                due_on=NIGHT - datetime.timedelta(days=30 * month),
                paid_on=NIGHT - datetime.timedelta(days=30 * month + 2),
            )
    ConsumerProfile.objects.update(opted_in_at=OPTED_IN_AT)
    return people


def generous_parameters() -> dict:
    """The launch tables with on-time bills worth much more: a challenger that moves people up."""
    parameters = copy.deepcopy(DEFAULT_PARAMETERS)
    parameters["version"] = "generous"
    parameters.pop("version")
    bins = parameters["characteristics"]["on_time_bills_24m"]["bins"]
    parameters["characteristics"]["on_time_bills_24m"]["bins"] = [
        [b, "0.35"] if b else [0, "0"] for b, _ in bins
    ]
    return parameters


def test_a_challenger_in_shadow_is_scored_apart_and_never_in_a_snapshot(crowd, make_challenger):
    challenger = make_challenger("generous", parameters=generous_parameters(), shadow_runs=0)
    live = selectors.scoring_model_active()

    services.recompute_run_sync(as_of=NIGHT)

    features = selectors.features_for_people(person_ids=[p.pk for p in crowd], as_of=NIGHT)
    live_card, shadow_card = validate_parameters(live.parameters), validate_parameters(challenger.parameters)
    snapshots = {s.person_id: s for s in ScoreSnapshot.objects.filter(as_of=NIGHT)}
    shadows = {s.person_id: s for s in ShadowScore.objects.filter(as_of=NIGHT, model=challenger)}
    assert {pid: s.score for pid, s in snapshots.items()} == {
        pid: compute(f, live_card).score for pid, f in features.items()
    }
    assert {pid: s.score for pid, s in shadows.items()} == {
        pid: compute(f, shadow_card).score for pid, f in features.items()
    }
    assert {s.model_id for s in snapshots.values()} == {live.pk}
    # The profile's score (what eligibility reads) is the live one.
    assert dict(ConsumerProfile.objects.filter(user__in=crowd).values_list("user_id", "score")) == {
        pid: s.score for pid, s in snapshots.items()
    }
    assert shadows[crowd[0].pk].score > snapshots[crowd[0].pk].score


def test_the_shadow_report_counts_band_moves_and_threshold_audiences(crowd, make_challenger):
    challenger = make_challenger("generous", parameters=generous_parameters(), shadow_runs=0)
    services.recompute_run_sync(as_of=NIGHT)
    live = dict(ScoreSnapshot.objects.filter(as_of=NIGHT).values_list("person_id", "score"))
    shadow = dict(ShadowScore.objects.filter(as_of=NIGHT).values_list("person_id", "score"))

    report = selectors.shadow_report(model=challenger)

    assert (report["as_of"], report["people"], report["down"]) == (NIGHT, 12, 0)
    moved = [
        pid for pid in live if selectors.Band.for_score(live[pid]) != selectors.Band.for_score(shadow[pid])
    ]
    assert (report["up"], report["unchanged"]) == (len(moved), 12 - len(moved))
    assert sum(m["people"] for m in report["moves"]) == len(moved)
    at_700 = next(row for row in report["thresholds"] if row["min_score"] == 700)
    assert at_700 == {
        "min_score": 700,
        "live": sum(score >= 700 for score in live.values()),
        "shadow": sum(score >= 700 for score in shadow.values()),
        "change": sum(score >= 700 for score in shadow.values())
        - sum(score >= 700 for score in live.values()),
    }


def test_the_first_night_is_the_baseline_and_is_stable(crowd, active_scoring_model):
    run = services.recompute_run_sync(as_of=NIGHT)

    monitoring = ModelMonitoring.objects.get(run=run)
    active_scoring_model.refresh_from_db()
    assert (monitoring.psi, monitoring.flag, monitoring.people) == (0.0, "stable", 12)
    assert sum(active_scoring_model.baseline["scores"]) == 12
    assert {entry["flag"] for entry in monitoring.csi.values()} == {"stable"}


def test_a_shifted_population_is_flagged_in_the_history_and_the_log(crowd, active_scoring_model, caplog):
    services.recompute_run_sync(as_of=NIGHT)
    # Overnight, every one of the twelve has three bills unpaid a month past due.
    next_night = NIGHT + datetime.timedelta(days=1)
    for person in crowd:
        for index in range(3):
            Bill.objects.create(
                person=person,
                kind=BillKind.CREDIT_CARD,
                amount="500.00",
                due_on=next_night - datetime.timedelta(days=30 + index),
            )

    with caplog.at_level(logging.WARNING, logger="scoring.services.monitoring"):
        run = services.recompute_run_sync(as_of=next_night)

    monitoring = ModelMonitoring.objects.get(run=run)
    assert (monitoring.psi_flag, monitoring.flag) == ("act", "act")
    assert monitoring.psi >= 0.25
    assert monitoring.csi["late_bills_12m"]["flag"] == "act"
    assert monitoring.csi["overdue_unpaid"]["flag"] == "act"
    assert monitoring.csi["education"] == {"csi": 0.0, "flag": "stable"}
    assert [m.run.as_of for m in selectors.model_monitoring_history(model=active_scoring_model)] == [
        next_night,
        NIGHT,
    ]
    assert [
        r.message
        for r in caplog.records
        if r.name == "scoring.services.monitoring" and r.levelno == logging.WARNING
    ] == [
        f"model monitoring as_of={next_night} model={active_scoring_model.version} flag=act "
        f"psi={monitoring.psi:.4f} shifted=late_bills_12m,overdue_unpaid"
    ]


def test_a_night_is_watched_once_however_often_the_finish_is_seen(crowd):
    run = services.recompute_run_sync(as_of=NIGHT)

    services.recompute_run_finish_if_complete(run_id=run.pk)
    services.monitoring_record(run_id=run.pk)

    assert ModelMonitoring.objects.filter(run=run).count() == 1


def test_a_chunks_histograms_from_the_engines_bins_equal_counting_every_person_again():
    # Given people on and beside the bins' bounds, scored as a chunk with the launch model
    from bench.engine_compare import people_draw

    people, _outcomes = people_draw(500, seed=3)
    features = dict(enumerate(people, start=1))
    scorecard = validate_parameters(DEFAULT_PARAMETERS)
    chunk = services.chunk_score(features=features, model=selectors.scoring_model_active())
    rows = services.snapshot_rows(person_ids=list(features), chunk=chunk)
    # when the watch counts them from the chunk's bins, then it counts what binning each one finds
    assert services.chunk_histograms(
        features=features, rows=rows, scorecard=scorecard, chunk=chunk
    ) == services.chunk_histograms(features=features, rows=rows, scorecard=scorecard)
