"""Partners' events in: validated as a batch, stored all or nothing, listings lifted."""

import datetime
import logging

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core import outbox
from core.audit import audit_record

from .. import events
from ..models import (
    Balance,
    Bill,
    BillKind,
    BlacklistEntry,
    Contact,
    CreditLine,
    EventKind,
    IngestedEvent,
    Partner,
    Purchase,
)
from .identity import contact_revise, identity_facts_record
from .notifications import negative_record_notify_bill, negative_record_notify_listing
from .scores import today

logger = logging.getLogger(__name__)


def _event_store(*, event: events.ValidEvent, partner: Partner) -> None:
    person, data = event.person, event.data
    match event.kind:
        case EventKind.BILL_PAID | EventKind.BILL_OVERDUE:
            paid_on = data.get("paid_on")
            existing = (
                Bill.objects.filter(person=person, issuer=data["issuer"], reference=data["reference"]).first()
                if data["reference"]
                else None
            )
            if existing is not None:
                # A payment wins over an overdue notice, whichever arrives first; until it
                # arrived, the bill read as unpaid.
                if paid_on is not None and existing.paid_on != paid_on:
                    existing.paid_on = paid_on
                    existing.paid_received_at = timezone.now()
                    existing.save(update_fields=["paid_on", "paid_received_at", "updated_at"])
            else:
                bill = Bill.objects.create(
                    person=person,
                    kind=data["kind"],
                    issuer=data["issuer"],
                    reference=data["reference"],
                    amount=data["amount"],
                    due_on=data["due_on"],
                    paid_on=paid_on,
                    partner=partner,
                )
                if event.kind == EventKind.BILL_OVERDUE and paid_on is None:
                    negative_record_notify_bill(bill=bill)
        case EventKind.RENTAL_PAYMENT:
            Bill.objects.create(
                person=person,
                kind=BillKind.RENT,
                issuer=data["landlord"],
                amount=data["amount"],
                due_on=data["due_on"],
                paid_on=data["paid_on"],
                partner=partner,
            )
        case EventKind.BALANCE:
            Balance.objects.create(person=person, as_of=data["as_of"], amount=data["amount"])
        case EventKind.CREDIT_LINE:
            CreditLine.objects.create(person=person, **data)
        case EventKind.PURCHASE:
            Purchase.objects.create(person=person, **data)
        case EventKind.IDENTITY_VERIFIED:
            identity_facts_record(person=person, facts=data)
        case EventKind.CONTACT:
            _contact_report(person=person, data=data)
        case EventKind.BLACKLIST_LISTED:
            # A listing sent again corrects the entry; it is known since it first reached us.
            entry, _created = BlacklistEntry.objects.update_or_create(
                person=person, court=data["court"], case_number=data["case_number"], defaults=data
            )
            negative_record_notify_listing(entry=entry)
        case EventKind.BLACKLIST_LIFTED:
            blacklist_entry_lift(
                entry=BlacklistEntry.objects.select_for_update().get(
                    person=person, court=data["court"], case_number=data["case_number"]
                ),
                lifted_on=data["lifted_on"],
                reason=data["reason"],
                recompute=False,
            )


def _contact_report(*, person: User, data: dict) -> None:
    """A partner's report of a contact: a new one waits for the person; a changed one is revised."""
    reported = {"confirmed_on": data["confirmed_on"], "interactions_90d": data["interactions_90d"]}
    existing = Contact.objects.select_for_update().filter(person=person, contact=data["contact"]).first()
    if existing is None:
        Contact.objects.create(person=person, contact=data["contact"], **reported)
        return
    if all(getattr(existing, name) == value for name, value in reported.items()):
        return
    now = timezone.now()
    contact_revise(contact=existing, now=now)
    for name, value in reported.items():
        setattr(existing, name, value)
    existing.received_at = now
    existing.save(update_fields=[*reported, "received_at", "updated_at"])


@transaction.atomic
def events_ingest(
    *,
    partner: Partner,
    batch: object,
    label: str = "events[{}]",
    number_from: int = 0,
    limit: int | None = events.MAX_BATCH,
) -> list[IngestedEvent]:
    """Validate a whole batch, store all of it or none, and rescore the people it touched."""
    items = batch.get("events") if isinstance(batch, dict) else batch
    if not isinstance(items, list) or not items:
        raise ValidationError({"events": [_("Send a non-empty list of events.")]})
    if limit is not None and len(items) > limit:
        raise ValidationError({"events": [_("At most %(max)d events per batch.") % {"max": limit}]})
    valid = events.events_validate(partner=partner, items=items, label=label, number_from=number_from)
    lifted_missing: dict[str, list[str]] = {}
    for index, event in enumerate(valid):
        if event.kind in (EventKind.BLACKLIST_LISTED, EventKind.BLACKLIST_LIFTED):
            # Checked here, not in events_validate: an earlier event of the batch may list the case.
            where = f"{label.format(index + number_from)}.data"
            entry = BlacklistEntry.objects.filter(
                person=event.person, court=event.data["court"], case_number=event.data["case_number"]
            ).first()
            if event.kind == EventKind.BLACKLIST_LIFTED and entry is None:
                lifted_missing[f"{where}.case_number"] = [_("No listing with this court and case number.")]
                continue
            if (
                event.kind == EventKind.BLACKLIST_LIFTED
                and entry is not None  # always, by the check above; said again for the type checker
                and event.data["lifted_on"] < entry.listed_on
            ):
                lifted_missing[f"{where}.lifted_on"] = [_("A listing cannot be lifted before it was listed.")]
                continue
            if (
                event.kind == EventKind.BLACKLIST_LISTED
                and entry is not None
                and entry.lifted_on is not None
                and event.data["listed_on"] > entry.lifted_on
            ):
                lifted_missing[f"{where}.listed_on"] = [_("This case was lifted before that date.")]
                continue
        _event_store(event=event, partner=partner)
    if lifted_missing:
        raise ValidationError(lifted_missing)
    try:
        with transaction.atomic():
            stored = IngestedEvent.objects.bulk_create(
                IngestedEvent(
                    partner=partner,
                    external_id=event.external_id,
                    kind=event.kind,
                    person=event.person,
                    payload=event.raw,
                )
                for event in valid
            )
    except IntegrityError as exc:
        # Another batch with one of these ids committed while this one was being checked.
        raise ValidationError(
            {"events": [_("An event of this batch was received at the same moment in another batch.")]}
        ) from exc
    person_ids = sorted({event.person.pk for event in valid})
    as_of = today().isoformat()
    for person_id in person_ids:
        outbox.enqueue("scoring.recompute_person", person_id, as_of)
    logger.info("events ingested partner=%s events=%d people=%d", partner.slug, len(stored), len(person_ids))
    kinds: dict[str, int] = {}
    for event in valid:
        kinds[event.kind] = kinds.get(event.kind, 0) + 1
        if event.kind == EventKind.BLACKLIST_LISTED:
            listing = BlacklistEntry.objects.get(
                person=event.person, court=event.data["court"], case_number=event.data["case_number"]
            )
            audit_record(
                actor=None, action="blacklist.list", target=listing, changes={"partner": partner.slug}
            )
    audit_record(
        actor=None,
        action="ingestion.batch",
        target=partner,
        changes={"events": len(stored), "people": len(person_ids), "kinds": kinds},
    )
    return stored


@transaction.atomic
def blacklist_entry_lift(
    *,
    entry: BlacklistEntry,
    lifted_on: datetime.date,
    reason: str,
    recompute: bool = True,
    actor: User | None = None,
) -> BlacklistEntry:
    """Lift a listing; an overturned one stops counting at once, a settled one fades."""
    entry.lifted_on = lifted_on
    entry.lift_reason = reason
    entry.lifted_received_at = timezone.now()
    entry.save(update_fields=["lifted_on", "lift_reason", "lifted_received_at", "updated_at"])
    audit_record(
        actor=actor, action="blacklist.lift", target=entry, changes={"lifted_on": lifted_on, "reason": reason}
    )
    if recompute:
        outbox.enqueue("scoring.recompute_person", entry.person_id, today().isoformat())
    return entry
