"""scoring/services/bills.py: bills raised by the rest of the portal (a trial kept too long)."""

import datetime
from decimal import Decimal

import pytest

from scoring import services
from scoring.models import Bill, BillKind

pytestmark = pytest.mark.django_db

DUE = datetime.date(2026, 5, 10)


def issue(person, reference: str = "trial-1") -> Bill:
    return services.bill_overdue_issue(
        person_id=person.pk, reference=reference, issuer="Ford", amount=Decimal("1.00"), due_on=DUE, today=DUE
    )


def test_an_overdue_bill_is_raised_once_per_reference_and_queues_a_rescore(make_consumer, unsent_tasks):
    ann = make_consumer("ann")

    first = issue(ann)
    again = issue(ann)

    assert first.pk == again.pk
    assert (first.kind, first.paid_on, first.due_on) == (BillKind.CREDIT_LINE, None, DUE)
    assert unsent_tasks()[-1] == ("scoring.recompute_person", (ann.pk, DUE.isoformat()))


def test_settling_within_the_grace_period_removes_the_bill_so_it_never_counts_as_late(make_consumer):
    ann = make_consumer("ann")
    issue(ann)

    services.bill_overdue_settle(person_id=ann.pk, reference="trial-1", today=DUE)

    assert Bill.objects.filter(person=ann).count() == 0


def test_settling_after_the_due_date_keeps_the_bill_paid_late(make_consumer):
    ann = make_consumer("ann")
    issue(ann)
    later = DUE + datetime.timedelta(days=4)

    services.bill_overdue_settle(person_id=ann.pk, reference="trial-1", today=later)

    assert list(Bill.objects.filter(person=ann).values_list("paid_on", flat=True)) == [later]
