"""scoring/services/scores.py: recomputing a person, opting in and out, activating a model."""

import copy
import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.models import ConsumerProfile
from scoring import services
from scoring.engine import DEFAULT_PARAMETERS
from scoring.models import Bill, BillKind, ScoreSnapshot, ScoringModel

pytestmark = pytest.mark.django_db


def day(days_ago: int) -> datetime.date:
    return services.today() - datetime.timedelta(days=days_ago)


def late_bill(person, *, due_days_ago: int = 50) -> Bill:
    """An unpaid bill, reported the day after its due date (so past dates since then know it)."""
    return Bill.objects.create(
        person=person,
        kind=BillKind.CREDIT_CARD,
        amount="300.00",
        due_on=day(due_days_ago),
        paid_on=None,
        received_at=timezone.now() - datetime.timedelta(days=due_days_ago - 1),
    )


# --- score_recompute --------------------------------------------------------------------------


def test_recomputing_the_same_date_twice_keeps_one_snapshot_and_updates_it(make_consumer):
    # given
    ann = make_consumer("ann")
    first = services.score_recompute(person=ann)
    late_bill(ann)

    # when
    second = services.score_recompute(person=ann)

    # then
    assert (first.score, second.pk, second.as_of) == (600, first.pk, services.today())
    assert second.score < 600
    assert list(ScoreSnapshot.objects.filter(person=ann).values_list("as_of", "score")) == [
        (services.today(), second.score)
    ]
    profile = ConsumerProfile.objects.get(user=ann)
    assert (profile.score, profile.score_as_of) == (second.score, services.today())


def test_recomputing_a_past_date_leaves_the_newer_current_score_alone(make_consumer):
    # given: scored today at 600, then a late bill due before the past date
    ann = make_consumer("ann")
    late_bill(ann, due_days_ago=50)

    # when
    past = services.score_recompute(person=ann, as_of=day(10))

    # then
    assert (past.as_of, past.score < 600) == (day(10), True)
    profile = ConsumerProfile.objects.get(user=ann)
    assert (profile.score, profile.score_as_of) == (600, services.today())
    assert list(ScoreSnapshot.objects.filter(person=ann).values_list("as_of", flat=True)) == [day(10), day(0)]


def test_recomputing_a_date_newer_than_the_current_score_moves_it(make_consumer):
    # given: the profile's score is from ten days ago
    ann = make_consumer("ann")
    ScoreSnapshot.objects.filter(person=ann).delete()
    services.score_recompute(person=ann, as_of=day(10))
    late_bill(ann, due_days_ago=5)

    # when
    today = services.score_recompute(person=ann)

    # then
    profile = ConsumerProfile.objects.get(user=ann)
    assert (profile.score, profile.score_as_of) == (today.score, services.today())
    assert today.score < 600


def test_recomputing_a_person_who_has_not_opted_in_is_refused_and_writes_nothing(make_consumer):
    # given
    erin = make_consumer("erin", opted_in=False)

    # when
    with pytest.raises(ValidationError) as raised:
        services.score_recompute(person=erin)

    # then
    assert (raised.value.code, raised.value.messages) == (
        "not_opted_in",
        ["This person has not opted in to scoring."],
    )
    assert ScoreSnapshot.objects.filter(person=erin).count() == 0
    assert ConsumerProfile.objects.get(user=erin).score is None


# --- opt in and out ---------------------------------------------------------------------------


def test_opting_in_records_consent_and_scores_at_once(make_consumer):
    # given
    erin = make_consumer("erin", opted_in=False)

    # when
    snapshot = services.consumer_opt_in(person=erin)

    # then
    assert (snapshot.person, snapshot.as_of, snapshot.score, snapshot.band) == (
        erin,
        services.today(),
        600,
        "good",
    )
    assert snapshot.model == ScoringModel.objects.get(is_active=True)
    # An empty file is told what keeps it at 600 (worked out in the engine's tests).
    assert [(r["code"], r["direction"], r["points"]) for r in snapshot.reasons] == [
        ("thin_file", "lowers", 86),
        ("credit_utilisation_pct", "lowers", 37),
        ("avg_balance_3m", "lowers", 35),
        ("purchases_12m", "lowers", 35),
    ]
    profile = ConsumerProfile.objects.get(user=erin)
    assert (profile.is_opted_in, profile.consent_version, profile.score) == (True, "2026-11", 600)
    assert profile.opted_in_at is not None


def test_opting_out_stops_scoring_but_keeps_the_history(make_consumer):
    # given
    ann = make_consumer("ann")

    # when
    services.consumer_opt_out(person=ann)

    # then
    profile = ConsumerProfile.objects.get(user=ann)
    assert (profile.is_opted_in, profile.opted_out_at is not None) == (False, True)
    assert ScoreSnapshot.objects.filter(person=ann).count() == 1
    with pytest.raises(ValidationError):
        services.score_recompute(person=ann)


def test_opting_in_again_after_opting_out_scores_again(make_consumer):
    # given
    ann = make_consumer("ann")
    services.consumer_opt_out(person=ann)
    late_bill(ann)

    # when
    snapshot = services.consumer_opt_in(person=ann)

    # then
    assert snapshot.score < 600
    assert ConsumerProfile.objects.get(user=ann).is_opted_in is True
    assert ScoreSnapshot.objects.filter(person=ann).count() == 1


# --- scoring models ---------------------------------------------------------------------------


def test_activating_a_model_makes_it_the_only_active_one_and_it_scores_from_then_on(
    make_consumer, make_challenger, active_scoring_model
):
    # given: a model through validation, approval and three nightly shadow runs
    ann = make_consumer("ann")
    new = make_challenger("test-2")

    # when
    services.scoring_model_activate(model=new)

    # then
    assert list(ScoringModel.objects.filter(is_active=True).values_list("version", flat=True)) == ["test-2"]
    new.refresh_from_db()
    assert new.activated_at is not None
    assert services.score_recompute(person=ann).model == new


def test_activating_the_active_model_again_changes_nothing(active_scoring_model):
    # when
    services.scoring_model_activate(model=active_scoring_model)

    # then
    assert list(ScoringModel.objects.filter(is_active=True)) == [active_scoring_model]


def test_activating_parameters_the_engine_rejects_is_refused_and_the_old_model_stays(active_scoring_model):
    # given: weights that add up to 1.05
    parameters = copy.deepcopy(DEFAULT_PARAMETERS)
    parameters["weights"]["credit_history"] = "0.40"
    broken = ScoringModel.objects.create(version="broken", parameters=parameters)

    # when
    with pytest.raises(ValidationError) as raised:
        services.scoring_model_activate(model=broken)

    # then
    assert raised.value.messages == ["weights: must add up to exactly 1, got 1.05"]
    assert list(ScoringModel.objects.filter(is_active=True)) == [active_scoring_model]
    broken.refresh_from_db()
    assert (broken.is_active, broken.activated_at) == (False, None)
