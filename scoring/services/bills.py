"""Bills that other parts of the portal raise: a trial kept past its due date becomes a late
credit-line bill, owned here like every other signal of the score."""

import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from core import outbox

from ..models import Bill, BillKind


@transaction.atomic
def bill_overdue_issue(
    *,
    person_id: int,
    reference: str,
    issuer: str,
    amount: Decimal,
    due_on: datetime.date,
    today: datetime.date,
) -> Bill:
    """Raise an unpaid credit-line bill (once per reference) and rescore the person."""
    bill, _ = Bill.objects.get_or_create(
        person_id=person_id,
        reference=reference,
        defaults={"kind": BillKind.CREDIT_LINE, "issuer": issuer, "amount": amount, "due_on": due_on},
    )
    outbox.enqueue("scoring.recompute_person", person_id, today.isoformat())
    return bill


@transaction.atomic
def bill_overdue_settle(*, person_id: int, reference: str, today: datetime.date) -> None:
    """Settle such a bill: paid late if past its due date, gone if still within it (never late)."""
    bill = Bill.objects.filter(person_id=person_id, reference=reference, paid_on__isnull=True).first()
    if bill is None:
        return
    if today <= bill.due_on:
        bill.delete()
    else:
        bill.paid_on = today
        bill.paid_received_at = timezone.now()
        bill.save(update_fields=["paid_on", "paid_received_at", "updated_at"])
    outbox.enqueue("scoring.recompute_person", person_id, today.isoformat())
