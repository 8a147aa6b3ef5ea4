"""Tests for the fit's outcome (scoring/selectors.py ``outcomes``): who went bad in the performance
window after a date, each rule at its boundaries."""

import datetime
from decimal import Decimal

import pytest

from scoring import selectors
from scoring.models import OVERDUE_ITEM_REFERENCE_PREFIX, Bill, BillKind, BlacklistEntry

pytestmark = pytest.mark.django_db

T = datetime.date(2025, 3, 31)
END = datetime.date(2026, 3, 31)  # 12 months on
DAY = datetime.timedelta(days=1)
DPD = datetime.timedelta(days=60)


def bill(person, *, due_on, paid_on=None, kind=BillKind.CREDIT_CARD, reference="") -> Bill:
    return Bill.objects.create(
        person=person, kind=kind, amount=Decimal("300"), due_on=due_on, paid_on=paid_on, reference=reference
    )


def listing(person, *, listed_on, reason="", lifted_on=None) -> BlacklistEntry:
    return BlacklistEntry.objects.create(
        person=person,
        court="Beijing Chaoyang District People's Court",
        case_number=f"case {person.pk} {listed_on}",
        listed_on=listed_on,
        lifted_on=lifted_on,
        lift_reason=reason,
    )


def outcome(person, *, as_of=T, window_months=12) -> int:
    return selectors.outcomes(person_ids=[person.pk], as_of=as_of, window_months=window_months)[person.pk]


@pytest.mark.parametrize(
    ("due_on", "paid_on", "bad"),
    [
        (T - 10 * DAY, None, 1),  # 60 days past due 50 days into the window
        (T - 59 * DAY, None, 1),  # reaches 60 days past due the day after T
        (T - 60 * DAY, None, 0),  # reached it on T itself: before the window
        (END - DPD, None, 1),  # reaches it on the window's last day
        (END - DPD + DAY, None, 0),  # the day after the window
        (T + 10 * DAY, T + 10 * DAY + DPD, 0),  # paid exactly 60 days late
        (T + 10 * DAY, T + 11 * DAY + DPD, 1),  # paid 61 days late
        (T + 10 * DAY, T + 40 * DAY, 0),  # paid late, but within 60 days
        (T + 10 * DAY, T + 5 * DAY, 0),  # paid on time
    ],
)
def test_a_bill_is_bad_when_it_reaches_60_days_past_due_in_the_window(make_consumer, due_on, paid_on, bad):
    ann = make_consumer("ann")
    bill(ann, due_on=due_on, paid_on=paid_on)

    assert outcome(ann) == bad


@pytest.mark.parametrize(
    "kind", [BillKind.UTILITY, BillKind.TRAFFIC_FINE, BillKind.LOAN, BillKind.CREDIT_LINE]
)
def test_every_non_rent_kind_of_bill_counts(make_consumer, kind):
    ann = make_consumer("ann")
    bill(ann, due_on=T + 30 * DAY, kind=kind)

    assert outcome(ann) == 1


def test_rent_paid_very_late_is_not_an_outcome(make_consumer):
    ann = make_consumer("ann")
    bill(ann, due_on=T + 30 * DAY, paid_on=T + 200 * DAY, kind=BillKind.RENT)
    bill(ann, due_on=T + 60 * DAY, kind=BillKind.RENT)

    assert outcome(ann) == 0


@pytest.mark.parametrize(
    ("due_on", "paid_on", "bad"),
    [
        (T + 20 * DAY, None, 1),  # the trial's bill never paid
        (T + 20 * DAY, T + 21 * DAY, 1),  # paid a day after its due date: it was an unpaid bill
        (T + 20 * DAY, T + 20 * DAY, 0),  # paid on its due date
        (T, T + 30 * DAY, 0),  # fell due on T, before the window (and paid within 60 days)
        (T + DAY, None, 1),  # fell due the day after T
        (END, None, 1),  # on the window's last day
        (END + DAY, None, 0),  # after the window
    ],
)
def test_an_overdue_trial_or_deposit_that_becomes_an_unpaid_bill_is_bad(make_consumer, due_on, paid_on, bad):
    ann = make_consumer("ann")
    bill(
        ann,
        due_on=due_on,
        paid_on=paid_on,
        kind=BillKind.CREDIT_LINE,
        reference=f"{OVERDUE_ITEM_REFERENCE_PREFIX}TRY-1",
    )

    assert outcome(ann) == bad


@pytest.mark.parametrize(
    ("listed_on", "reason", "bad"),
    [
        (T + DAY, "", 1),
        (END, "", 1),
        (T, "", 0),  # listed on T: known on the date, not an outcome after it
        (END + DAY, "", 0),
        (T + 30 * DAY, "settled", 1),  # lifted later: it still started in the window
        (T + 30 * DAY, "overturned", 0),  # listed in error
    ],
)
def test_a_court_listing_that_starts_in_the_window_is_bad(make_consumer, listed_on, reason, bad):
    ann = make_consumer("ann")
    listing(ann, listed_on=listed_on, reason=reason, lifted_on=listed_on + DAY if reason else None)

    assert outcome(ann) == bad


def test_the_window_is_configurable(make_consumer):
    # given: a bill 60 days past due eight months after T
    ann = make_consumer("ann")
    bill(ann, due_on=T + 180 * DAY)

    # when / then
    assert (outcome(ann, window_months=6), outcome(ann, window_months=12)) == (0, 1)


def test_the_outcomes_of_a_cohort_take_two_queries_and_cover_only_it(
    make_consumer, django_assert_num_queries
):
    # given
    people = [make_consumer(f"p{index}") for index in range(6)]
    for person in people[:3]:
        bill(person, due_on=T + 30 * DAY)
    listing(people[3], listed_on=T + 90 * DAY)
    bill(people[4], due_on=T + 30 * DAY, paid_on=T + 31 * DAY)

    # when
    with django_assert_num_queries(2):
        result = selectors.outcomes(person_ids=[person.pk for person in people[1:]], as_of=T)

    # then
    assert result == {people[1].pk: 1, people[2].pk: 1, people[3].pk: 1, people[4].pk: 0, people[5].pk: 0}
