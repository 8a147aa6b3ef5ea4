"""Tests for scoring/services.py: recomputing, opting in and out, model activation, ingestion, the
blacklist and partner keys (the nightly run has its own tests)."""

import copy
import datetime
import re

import pytest
from django.core.exceptions import ValidationError

from accounts.models import ConsumerProfile
from core.keys import key_hash
from scoring import selectors, services
from scoring.engine import DEFAULT_PARAMETERS
from scoring.models import (
    Bill,
    BillKind,
    BlacklistEntry,
    IngestedEvent,
    Partner,
    Purchase,
    ScoreSnapshot,
    ScoringModel,
)

pytestmark = pytest.mark.django_db

COURT = "Beijing Chaoyang District People's Court"


def day(days_ago: int) -> datetime.date:
    return services.today() - datetime.timedelta(days=days_ago)


def late_bill(person, *, due_days_ago: int = 50) -> Bill:
    return Bill.objects.create(
        person=person, kind=BillKind.CREDIT_CARD, amount="300.00", due_on=day(due_days_ago), paid_on=None
    )


@pytest.fixture
def partner() -> Partner:
    return Partner.objects.create(name="China UnionPay", slug="unionpay")


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


# --- events_ingest ----------------------------------------------------------------------------


def purchase(id: str, person: str = "ann") -> dict:
    return {
        "id": id,
        "type": "purchase",
        "person": person,
        "data": {"amount": "9.90", "occurred_on": "2026-01-05"},
    }


def test_ingesting_takes_a_batch_object_or_a_plain_list_and_returns_what_it_stored(make_consumer, partner):
    # given
    make_consumer("ann")

    # when
    from_object = services.events_ingest(partner=partner, batch={"events": [purchase("1")]})
    from_list = services.events_ingest(partner=partner, batch=[purchase("2"), purchase("3")])

    # then
    assert [e.external_id for e in from_object + from_list] == ["1", "2", "3"]
    assert IngestedEvent.objects.count() == 3
    assert Purchase.objects.count() == 3


@pytest.mark.parametrize(
    "batch", [None, "events", {}, {"events": None}, {"events": []}, [], {"events": {"a": 1}}]
)
def test_ingesting_something_that_is_no_list_of_events_is_refused(partner, batch):
    # when
    with pytest.raises(ValidationError) as raised:
        services.events_ingest(partner=partner, batch=batch)

    # then
    assert raised.value.message_dict == {"events": ["Send a non-empty list of events."]}


def test_ingesting_more_than_the_limit_is_refused_but_a_file_may_have_no_limit(make_consumer, partner):
    # given
    make_consumer("ann")
    items = [purchase(str(n)) for n in range(6)]

    # when
    with pytest.raises(ValidationError) as raised:
        services.events_ingest(partner=partner, batch=items, limit=5)
    stored = services.events_ingest(partner=partner, batch=items, limit=None)

    # then
    assert raised.value.message_dict == {"events": ["At most 5 events per batch."]}
    assert len(stored) == 6


def test_a_refused_batch_rolls_back_events_stored_before_the_bad_one(make_consumer, partner):
    # given: the unknown case is only found while storing, after the purchase was written
    make_consumer("ann")
    lifted = {
        "id": "2",
        "type": "blacklist_lifted",
        "person": "ann",
        "data": {"court": COURT, "case_number": "nope", "lifted_on": "2026-01-05", "reason": "settled"},
    }

    # when
    with pytest.raises(ValidationError) as raised:
        services.events_ingest(partner=partner, batch=[purchase("1"), lifted])

    # then
    assert raised.value.message_dict == {
        "events[1].data.case_number": ["No listing with this court and case number."]
    }
    assert (Purchase.objects.count(), IngestedEvent.objects.count()) == (0, 0)


def test_ingesting_queues_one_recompute_per_person_after_commit(
    make_consumer, partner, django_capture_on_commit_callbacks, unsent_tasks
):
    # given
    ann = make_consumer("ann")
    bob = make_consumer("bob")

    # when
    with django_capture_on_commit_callbacks():
        services.events_ingest(
            partner=partner, batch=[purchase("1", "bob"), purchase("2"), purchase("3", "bob")]
        )

    # then
    assert unsent_tasks() == [
        ("scoring.recompute_person", (ann.pk, services.today().isoformat())),
        ("scoring.recompute_person", (bob.pk, services.today().isoformat())),
    ]


def bill_event(id: str, kind: str, reference: str, **dates: str) -> dict:
    return {
        "id": id,
        "type": kind,
        "person": "ann",
        "data": {
            "kind": "utility",
            "amount": "88.00",
            "issuer": "City Water",
            "reference": reference,
            **dates,
        },
    }


@pytest.mark.parametrize("order", ["overdue_then_paid", "paid_then_overdue"])
def test_a_bill_reported_overdue_and_paid_ends_paid_whichever_arrives_first(make_consumer, partner, order):
    # given
    make_consumer("ann")
    due, paid = day(40).isoformat(), day(30).isoformat()
    overdue = bill_event("o1", "bill_overdue", "W-7", due_on=due)
    payment = bill_event("p1", "bill_paid", "W-7", due_on=due, paid_on=paid)
    batches = [[overdue], [payment]] if order == "overdue_then_paid" else [[payment], [overdue]]

    # when
    for batch in batches:
        services.events_ingest(partner=partner, batch=batch)

    # then
    assert list(Bill.objects.values_list("reference", "paid_on")) == [("W-7", day(30))]


# --- blacklist --------------------------------------------------------------------------------


def test_lifting_a_listing_records_it_and_queues_a_recompute(
    make_consumer, django_capture_on_commit_callbacks, unsent_tasks
):
    # given
    ann = make_consumer("ann")
    entry = BlacklistEntry.objects.create(
        person=ann, court=COURT, case_number="(2025) Jing 0105 Zhi 9", listed_on=day(90)
    )

    # when
    with django_capture_on_commit_callbacks():
        services.blacklist_entry_lift(
            entry=entry, lifted_on=day(1), reason=BlacklistEntry.LiftReason.OVERTURNED
        )

    # then
    entry.refresh_from_db()
    assert (entry.lifted_on, entry.lift_reason) == (day(1), "overturned")
    assert unsent_tasks() == [("scoring.recompute_person", (ann.pk, services.today().isoformat()))]
    assert selectors.features_for_person(person=ann, as_of=services.today()).blacklist is None


# --- partner keys -----------------------------------------------------------------------------


def test_issuing_a_key_keeps_only_its_prefix_and_hash(partner):
    # when
    key = services.partner_key_issue(partner=partner)

    # then
    partner.refresh_from_db()
    prefix, _, secret = key.partition(".")
    assert re.fullmatch(r"[0-9a-f]{8}", prefix)
    assert len(secret) >= 40
    assert (partner.key_prefix, partner.key_hash, partner.is_active) == (prefix, key_hash(key), True)
    assert key not in partner.key_hash


def test_issuing_again_replaces_the_key_and_revoking_deactivates_it(partner):
    # given
    first = services.partner_key_issue(partner=partner)

    # when
    second = services.partner_key_issue(partner=partner)
    services.partner_key_revoke(partner=partner)

    # then
    partner.refresh_from_db()
    assert first != second
    assert (partner.key_hash, partner.is_active) == (key_hash(second), False)


def test_issuing_a_key_to_a_revoked_partner_reactivates_it(partner):
    # given
    services.partner_key_revoke(partner=partner)

    # when
    services.partner_key_issue(partner=partner)

    # then
    partner.refresh_from_db()
    assert partner.is_active is True
