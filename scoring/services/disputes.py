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
    BlacklistEntry,
    Dispute,
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
    *, person: User, reason: str, signal: str = "", blacklist_entry: BlacklistEntry | None = None
) -> Dispute:
    """Record a person's dispute of a listing or of other data, to be answered within 20 days."""
    errors: dict[str, list[str]] = {}
    reason, signal = reason.strip(), signal.strip()
    if not reason:
        errors["reason"] = [_("Say why the data is wrong.")]
    if blacklist_entry is None and not signal:
        errors["signal"] = [_("Say which data is wrong.")]
    if blacklist_entry is not None:
        if blacklist_entry.person_id != person.pk:
            raise BlacklistEntry.DoesNotExist("no such listing for this person")
        if Dispute.objects.filter(blacklist_entry=blacklist_entry, status=Dispute.Status.OPEN).exists():
            errors["blacklist_entry"] = [_("You already have an open dispute about this listing.")]
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            dispute = Dispute.objects.create(
                person=person,
                blacklist_entry=blacklist_entry,
                signal=signal,
                reason=reason,
                due_by=today() + datetime.timedelta(days=DISPUTE_ANSWER_DAYS),
            )
    except IntegrityError as error:  # a second submit raced the check above
        raise ValidationError(
            {"blacklist_entry": [_("You already have an open dispute about this listing.")]}
        ) from error
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
        changes={"listing": blacklist_entry.pk if blacklist_entry else None, "signal": signal},
    )
    return dispute


def _dispute_open_locked(*, dispute: Dispute) -> Dispute:
    locked = Dispute.objects.select_for_update().get(pk=dispute.pk)
    if locked.status != Dispute.Status.OPEN:
        raise ValidationError(_("This dispute has already been answered."), code="dispute_closed")
    return locked


@transaction.atomic
def dispute_accept(*, dispute: Dispute, response: str = "", actor: User | None = None) -> Dispute:
    """Uphold a dispute: a disputed listing is lifted as overturned and the score recomputed at once."""
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
    dispute.status = Dispute.Status.ACCEPTED
    dispute.response = response.strip() or dispute.response
    dispute.resolved_at = timezone.now()
    dispute.save(update_fields=["status", "response", "resolved_at", "updated_at"])
    is_scored = ConsumerProfile.objects.filter(user_id=dispute.person_id, is_opted_in=True).exists()
    if entry is not None and is_scored:
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
