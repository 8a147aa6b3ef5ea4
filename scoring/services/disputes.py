"""Disputes: a person contests a record; staff answer within 20 days."""

import datetime
import logging

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import ConsumerProfile, User
from core.audit import audit_record

from ..models import (
    Bill,
    BlacklistEntry,
    Dispute,
    PartnerNotice,
)
from .ingestion import blacklist_entry_lift
from .notifications import dispute_answered_notify
from .scores import score_recompute, today

logger = logging.getLogger(__name__)


DISPUTE_ANSWER_DAYS = 20  # China's credit-reporting rule
# An open dispute this close to its deadline is "due soon" on the admin's landing page.
DISPUTE_DUE_SOON_DAYS = 5


@transaction.atomic
def dispute_create(
    *,
    person: User,
    reason: str,
    signal: str = "",
    blacklist_entry: BlacklistEntry | None = None,
    bill: Bill | None = None,
) -> Dispute:
    """Record a person's dispute of a listing, a bill or other data, to be answered within 20 days."""
    errors: dict[str, list[str]] = {}
    reason, signal = reason.strip(), signal.strip()
    if blacklist_entry is not None and bill is not None:
        raise ValueError("a dispute is about one record")
    if not reason:
        errors["reason"] = [_("Say why the data is wrong.")]
    if blacklist_entry is None and bill is None and not signal:
        errors["signal"] = [_("Say which data is wrong.")]
    duplicate = _("You already have an open dispute about this record.")
    if blacklist_entry is not None:
        if blacklist_entry.person_id != person.pk:
            raise BlacklistEntry.DoesNotExist("no such listing for this person")
        if Dispute.objects.filter(blacklist_entry=blacklist_entry, status=Dispute.Status.OPEN).exists():
            errors["blacklist_entry"] = [duplicate]
    if bill is not None:
        if bill.person_id != person.pk:
            raise Bill.DoesNotExist("no such bill for this person")
        if Dispute.objects.filter(bill=bill, status=Dispute.Status.OPEN).exists():
            errors["bill"] = [duplicate]
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            dispute = Dispute.objects.create(
                person=person,
                blacklist_entry=blacklist_entry,
                bill=bill,
                signal=signal,
                reason=reason,
                due_by=today() + datetime.timedelta(days=DISPUTE_ANSWER_DAYS),
            )
    except IntegrityError as error:  # a second submit raced the check above
        raise ValidationError({"bill" if bill is not None else "blacklist_entry": [duplicate]}) from error
    logger.info(
        "dispute opened dispute=%s person=%s listing=%s",
        dispute.pk,
        person.pk,
        blacklist_entry.pk if blacklist_entry else None,
    )
    audit_record(
        actor=person,
        action="dispute.open",
        target=dispute,
        changes={
            "listing": blacklist_entry.pk if blacklist_entry else None,
            "bill": bill.pk if bill else None,
            "signal": signal,
        },
    )
    return dispute


def _dispute_open_locked(*, dispute: Dispute) -> Dispute:
    locked = Dispute.objects.select_for_update().get(pk=dispute.pk)
    if locked.status != Dispute.Status.OPEN:
        raise ValidationError(_("This dispute has already been answered."), code="dispute_closed")
    return locked


@transaction.atomic
def dispute_accept(*, dispute: Dispute, response: str = "", actor: User | None = None) -> Dispute:
    """Uphold a dispute: a disputed listing is lifted as overturned, a disputed bill counts as paid
    on time (its partner is told), and the score is recomputed at once."""
    dispute = _dispute_open_locked(dispute=dispute)
    entry = dispute.blacklist_entry
    if entry is not None:
        entry = BlacklistEntry.objects.select_for_update().get(pk=entry.pk)
        blacklist_entry_lift(
            entry=entry,
            lifted_on=max(today(), entry.listed_on),
            reason=BlacklistEntry.LiftReason.OVERTURNED,
            recompute=False,
            actor=actor,
        )
    bill = dispute.bill
    if bill is not None:
        _bill_correct(bill=Bill.objects.select_for_update().get(pk=bill.pk), dispute=dispute, actor=actor)
    dispute.status = Dispute.Status.ACCEPTED
    dispute.response = response.strip() or dispute.response
    dispute.resolved_at = timezone.now()
    dispute.save(update_fields=["status", "response", "resolved_at", "updated_at"])
    is_scored = ConsumerProfile.objects.filter(user_id=dispute.person_id, is_opted_in=True).exists()
    if (entry is not None or bill is not None) and is_scored:
        score_recompute(person=dispute.person)
    logger.info("dispute accepted dispute=%s person=%s", dispute.pk, dispute.person_id)
    dispute_answered_notify(dispute=dispute)
    audit_record(
        actor=actor, action="dispute.accept", target=dispute, changes={"status": ["open", "accepted"]}
    )
    return dispute


@transaction.atomic
def dispute_reject(*, dispute: Dispute, response: str, actor: User | None = None) -> Dispute:
    """Turn a dispute down, with the reason the person will read."""
    response = response.strip()
    if not response:
        raise ValidationError({"response": [_("Give the reason for rejecting the dispute.")]})
    dispute = _dispute_open_locked(dispute=dispute)
    dispute.status = Dispute.Status.REJECTED
    dispute.response = response
    dispute.resolved_at = timezone.now()
    dispute.save(update_fields=["status", "response", "resolved_at", "updated_at"])
    logger.info("dispute rejected dispute=%s person=%s", dispute.pk, dispute.person_id)
    dispute_answered_notify(dispute=dispute)
    audit_record(
        actor=actor, action="dispute.reject", target=dispute, changes={"status": ["open", "rejected"]}
    )
    return dispute


def _bill_correct(*, bill: Bill, dispute: Dispute, actor: User | None) -> None:
    """A disputed bill was paid on time after all: it stops counting as late or unpaid, and the
    partner that reported it reads the correction on its notices."""
    was_paid_on = bill.paid_on
    bill.paid_on = bill.due_on if was_paid_on is None or was_paid_on > bill.due_on else was_paid_on
    bill.save(update_fields=["paid_on", "updated_at"])
    reported, corrected = _iso(was_paid_on), _iso(bill.paid_on)
    changes = {"paid_on": [reported, corrected]}
    audit_record(actor=actor, action="bill.correct", target=bill, changes={**changes, "dispute": dispute.pk})
    if bill.partner_id is None:
        return
    PartnerNotice.objects.create(
        partner_id=bill.partner_id,
        kind=PartnerNotice.Kind.RECORD_CORRECTED,
        payload={
            "dispute": dispute.pk,
            "person": dispute.person.get_username(),
            "record": {
                "type": "bill",
                "kind": bill.kind,
                "issuer": bill.issuer,
                "reference": bill.reference,
                "amount": str(bill.amount),
                "due_on": bill.due_on.isoformat(),
            },
            "correction": {"field": "paid_on", "reported": reported, "corrected": corrected},
            "corrected_on": today().isoformat(),
        },
    )


def _iso(day: datetime.date | None) -> str | None:
    return day.isoformat() if day else None
