"""scoring/services/ingestion.py: partners' event batches, all or nothing, and lifting a court listing."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from scoring import selectors, services
from scoring.models import Bill, BlacklistEntry, IngestedEvent, Purchase

pytestmark = pytest.mark.django_db

COURT = "Beijing Chaoyang District People's Court"


def day(days_ago: int) -> datetime.date:
    return services.today() - datetime.timedelta(days=days_ago)


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
