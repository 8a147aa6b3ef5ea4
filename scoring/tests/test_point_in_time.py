"""A person's features on a past date are what had reached us by the end of that date
(scoring/selectors.py ``features_for_people``): whatever arrives later, a past date reads the same."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.models import ConsumerProfile
from scoring import selectors, services
from scoring.engine import Features
from scoring.models import (
    Balance,
    Bill,
    BillKind,
    BlacklistEntry,
    Contact,
    ContactRevision,
    CreditLine,
    Identity,
    IdentityRevision,
    Partner,
    Purchase,
)

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)
COURT = "Hangzhou Intermediate People's Court"


def day(days_ago: int) -> datetime.date:
    return services.today() - datetime.timedelta(days=days_ago)


# The past date these tests read, and moments before and after it ended.
PAST = 60


def before(days: int = 0) -> datetime.datetime:
    """A moment the given days before the past date ended."""
    return selectors.known_by(day(PAST)) - datetime.timedelta(days=days, hours=1)


def after(days: int = 0) -> datetime.datetime:
    """A moment the given days after the past date ended (still before now)."""
    return selectors.known_by(day(PAST)) + datetime.timedelta(days=days, hours=1)


def features(person, *, days_ago: int = PAST) -> Features:
    return selectors.features_for_person(person=person, as_of=day(days_ago))


def unpaid_bill(person, *, due_days_ago: int, received_at: datetime.datetime) -> Bill:
    return Bill.objects.create(
        person=person,
        kind=BillKind.CREDIT_CARD,
        amount=Decimal("300.00"),
        due_on=day(due_days_ago),
        received_at=received_at,
    )


def test_a_bill_overdue_on_a_date_stays_overdue_on_it_when_it_is_paid_later(make_consumer):
    # given: a bill due ten days before the date, unpaid then; paid after the date
    ann = make_consumer("ann")
    overdue = unpaid_bill(ann, due_days_ago=PAST + 10, received_at=before(9))
    overdue_then = features(ann)
    overdue.paid_on = day(PAST - 5)
    overdue.paid_received_at = after(6)
    overdue.save()

    # when
    then, now = features(ann), features(ann, days_ago=0)

    # then: on the date it was late and unpaid, as it was read then; today it is paid late
    assert then == overdue_then
    assert (then.late_bills_12m, then.overdue_unpaid) == (1, 1)
    assert (now.late_bills_12m, now.overdue_unpaid) == (1, 0)


def test_a_payment_made_before_a_date_but_reported_after_it_was_unknown_on_the_date(make_consumer):
    # given: paid the day after its due date, the payment's report reached us after the date
    ann = make_consumer("ann")
    bill = unpaid_bill(ann, due_days_ago=PAST + 10, received_at=before(9))
    bill.paid_on = day(PAST + 9)
    bill.paid_received_at = after(1)
    bill.save()

    # when
    then, later = features(ann), features(ann, days_ago=PAST - 2)

    # then
    assert (then.late_bills_12m, then.overdue_unpaid) == (1, 1)
    assert (later.late_bills_12m, later.overdue_unpaid) == (1, 0)


def test_a_bill_that_arrived_paid_is_paid_from_its_arrival(make_consumer):
    # given: reported with its (on-time) payment two days before the date
    ann = make_consumer("ann")
    Bill.objects.create(
        person=ann,
        kind=BillKind.UTILITY,
        amount=Decimal("80.00"),
        due_on=day(PAST + 3),
        paid_on=day(PAST + 4),
        received_at=before(2),
    )

    # when
    then, day_before_arrival = features(ann), features(ann, days_ago=PAST + 3)

    # then
    assert (then.on_time_bills_24m, then.late_bills_12m, then.history_months) == (1, 0, 0)
    assert day_before_arrival == Features()


def test_records_that_arrive_after_a_date_do_not_change_its_features(make_consumer):
    # given: a person's file as it stood on the date
    ann = make_consumer("ann")
    bob = make_consumer("bob")
    unpaid_bill(ann, due_days_ago=PAST + 40, received_at=before(39))
    Balance.objects.create(
        person=ann, as_of=day(PAST + 20), amount=Decimal("5000.00"), received_at=before(19)
    )
    CreditLine.objects.create(
        person=ann,
        provider="Huabei",
        as_of=day(PAST + 30),
        limit=Decimal("10000"),
        used=Decimal("2000"),
        received_at=before(29),
    )
    Purchase.objects.create(
        person=ann, occurred_on=day(PAST + 5), amount=Decimal("20"), received_at=before(4)
    )
    Identity.objects.create(person=ann, real_name_verified=True, received_at=before(100))
    Contact.objects.create(
        person=ann,
        contact=bob,
        confirmed_on=day(PAST + 50),
        interactions_90d=4,
        status=Contact.Status.CONFIRMED,
        received_at=before(40),
    )
    on_the_date = features(ann)

    # when: records about days before the date arrive after it, through the partners' channel
    # and by direct writes with their arrival time
    later = after(3)
    unpaid_bill(ann, due_days_ago=PAST + 20, received_at=later)
    Bill.objects.create(
        person=ann,
        kind=BillKind.RENT,
        amount=Decimal("3000"),
        due_on=day(PAST + 15),
        paid_on=day(PAST + 15),
        received_at=later,
    )
    Balance.objects.create(person=ann, as_of=day(PAST + 2), amount=Decimal("90000.00"), received_at=later)
    CreditLine.objects.create(
        person=ann,
        provider="Huabei",
        as_of=day(PAST + 1),
        limit=Decimal("50000"),
        used=Decimal("49000"),
        received_at=later,
    )
    Purchase.objects.create(person=ann, occurred_on=day(PAST + 1), amount=Decimal("20"), received_at=later)
    BlacklistEntry.objects.create(
        person=ann,
        court=COURT,
        case_number="(2026) Zhe 01 Zhi 7",
        listed_on=day(PAST + 30),
        received_at=later,
    )
    services.events_ingest(
        partner=Partner.objects.create(name="China UnionPay", slug="unionpay"),
        batch=[
            {
                "id": "late-1",
                "type": "purchase",
                "person": "ann",
                "data": {"amount": "15.00", "occurred_on": day(PAST + 3).isoformat()},
            },
            {
                "id": "late-2",
                "type": "contact",
                "person": "ann",
                "data": {
                    "contact": "bob",
                    "confirmed_on": day(PAST + 50).isoformat(),
                    "interactions_90d": 30,
                },
            },
        ],
    )
    services.identity_facts_record(person=ann, facts={"education": "master", "phone_verified": True})

    # then: the date reads as it did; today sees every arrival
    assert features(ann) == on_the_date
    today = features(ann, days_ago=0)
    assert (today.education, today.phone_verified, today.blacklist is not None) == ("master", True, True)
    assert today.interactions_90d == 30


def test_identity_facts_read_as_they_stood_on_each_date(make_consumer):
    # given: facts known long before the date, changed twice since
    ann = make_consumer("ann")
    Identity.objects.create(
        person=ann, real_name_verified=True, education="secondary", received_at=before(200)
    )
    services.identity_facts_record(person=ann, facts={"education": "bachelor"})
    services.identity_facts_record(person=ann, facts={"education": "master", "email_verified": True})

    # when
    then, now = features(ann), features(ann, days_ago=0)

    # then: the changes are kept as rows, the current facts are the latest
    assert (then.education, then.email_verified, then.real_name_verified) == ("secondary", False, True)
    assert (now.education, now.email_verified, now.real_name_verified) == ("master", True, True)
    assert list(IdentityRevision.objects.order_by("received_at").values_list("education", flat=True)) == [
        "secondary",
        "bachelor",
    ]


def test_facts_that_arrived_after_a_date_are_no_data_on_it(make_consumer):
    # given
    ann = make_consumer("ann")
    services.identity_facts_record(person=ann, facts={"real_name_verified": True, "phone_verified": True})

    # when / then
    assert features(ann) == Features()
    assert features(ann, days_ago=0).phone_verified is True


def test_recording_the_same_facts_again_keeps_no_revision(make_consumer):
    # given
    ann = make_consumer("ann")
    services.identity_facts_record(person=ann, facts={"phone_verified": True})

    # when
    services.identity_facts_record(person=ann, facts={"phone_verified": True})

    # then
    assert IdentityRevision.objects.count() == 0


def test_a_contact_confirmed_after_a_date_did_not_count_on_it(make_consumer):
    # given: reported by a partner before the date, confirmed by the person only now
    ann = make_consumer("ann")
    bob = make_consumer("bob")
    contact = Contact.objects.create(
        person=ann, contact=bob, confirmed_on=day(PAST + 30), interactions_90d=6, received_at=before(29)
    )

    # when
    services.contact_decide(person=ann, contact=contact, confirm=True)

    # then
    assert (features(ann).confirmed_contacts, features(ann, days_ago=0).confirmed_contacts) == (0, 1)
    assert ContactRevision.objects.get().status == Contact.Status.REPORTED


def test_a_contact_rejected_after_a_date_still_counted_on_it(make_consumer):
    # given: confirmed before the date, rejected now
    ann = make_consumer("ann")
    bob = make_consumer("bob")
    contact = Contact.objects.create(
        person=ann,
        contact=bob,
        confirmed_on=day(PAST + 30),
        interactions_90d=6,
        status=Contact.Status.CONFIRMED,
        received_at=before(20),
    )

    # when
    services.contact_decide(person=ann, contact=contact, confirm=False)

    # then
    assert (features(ann).confirmed_contacts, features(ann).interactions_90d) == (1, 6)
    assert features(ann, days_ago=0).confirmed_contacts == 0


@pytest.mark.parametrize("reason", ["settled", "overturned"])
def test_a_listing_lifted_after_a_date_was_in_force_on_it(make_consumer, reason):
    # given: listed (and known) before the date; lifted, backdated before the date, only now
    ann = make_consumer("ann")
    entry = BlacklistEntry.objects.create(
        person=ann,
        court=COURT,
        case_number="(2025) Zhe 01 Zhi 3",
        listed_on=day(PAST + 90),
        received_at=before(85),
    )

    # when
    services.blacklist_entry_lift(entry=entry, lifted_on=day(PAST + 10), reason=reason, recompute=False)

    # then: active on the date; today lifted (settled: fading) or gone (overturned)
    assert features(ann).blacklist.months_since_lifted is None
    now = features(ann, days_ago=0).blacklist
    assert (now is None) == (reason == "overturned")


def test_the_nightly_chunk_and_the_single_person_read_agree_on_a_past_date(make_consumer):
    # given: arrivals on both sides of the date
    ann = make_consumer("ann")
    unpaid_bill(ann, due_days_ago=PAST + 10, received_at=before(9))
    unpaid_bill(ann, due_days_ago=PAST + 5, received_at=after(1))
    Identity.objects.create(person=ann, real_name_verified=True, received_at=before(30))
    services.identity_facts_record(person=ann, facts={"education": "master"})
    ConsumerProfile.objects.filter(user=ann).update(opted_in_at=timezone.now() - datetime.timedelta(days=400))

    # when
    chunk = selectors.features_for_people(id_range=(ann.pk, ann.pk), as_of=day(PAST))

    # then
    assert chunk == {ann.pk: features(ann)}
    assert (chunk[ann.pk].late_bills_12m, chunk[ann.pk].education) == (1, "")
