"""What a person controls on their profile, and the real-name verdicts that feed their score.

Real-name identity is the accounts app's record (accounts.services.identity_submit and
identity_decide); the verdict reaches the identity dimension here, through the same
``identity_facts_record`` a partner's identity event takes, and queues a recompute.
"""

import datetime
import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import resident_ids
from accounts import services as account_services
from accounts.models import RealNameIdentity, User
from core import outbox
from core.audit import audit_record

from ..models import (
    IDENTITY_FACTS,
    Contact,
    ContactRevision,
    DataSource,
    Declaration,
    Education,
    Identity,
    IdentityRevision,
    Partner,
    SourceConsent,
)
from .scores import today

logger = logging.getLogger(__name__)

DEMO_VERIFIER = "demo verifier"


@transaction.atomic
def identity_facts_record(*, person: User, facts: dict[str, object]) -> Identity:
    """Store verified identity facts about a person: a partner's identity event or a real-name verdict.

    The state they replace is kept as a revision, so a past date's features still read it.
    """
    now = timezone.now()
    identity = Identity.objects.select_for_update().filter(person=person).first()
    if identity is None:
        return Identity.objects.create(person=person, received_at=now, **facts)
    if all(getattr(identity, name) == value for name, value in facts.items()):
        return identity
    IdentityRevision.objects.create(
        person=person,
        received_at=identity.received_at,
        superseded_at=now,
        **{name: getattr(identity, name) for name in IDENTITY_FACTS},
    )
    for name, value in facts.items():
        setattr(identity, name, value)
    identity.received_at = now
    identity.save(update_fields=[*facts, "received_at", "updated_at"])
    return identity


def contact_revise(*, contact: Contact, now: datetime.datetime) -> None:
    """Keep a contact's state as it stood until now, before the caller changes it."""
    ContactRevision.objects.create(
        person_id=contact.person_id,
        contact_id=contact.contact_id,
        confirmed_on=contact.confirmed_on,
        interactions_90d=contact.interactions_90d,
        status=contact.status,
        received_at=contact.received_at,
        superseded_at=now,
    )


def _recompute_soon(*, person_id: int) -> None:
    # The task skips people who are not opted in, so queuing it for them costs nothing.
    outbox.enqueue("scoring.recompute_person", person_id, today().isoformat())


def real_name_submit(*, user: User, legal_name: object, id_number: object) -> RealNameIdentity:
    """Submit a legal name and resident ID for verification; with debug on, the demo verifier confirms it."""
    identity = account_services.identity_submit(user=user, legal_name=legal_name, id_number=id_number)
    if settings.IDENTITY_DEMO_VERIFIER:  # never on with debug off (portal/settings.py)
        # Only checksum-valid numbers get this far, which is all the demo verifier checks.
        identity = real_name_decide(identity=identity, verified=True, decided_by=DEMO_VERIFIER)
    return identity


@transaction.atomic
def real_name_decide(
    *,
    identity: RealNameIdentity,
    verified: bool,
    decided_by: str,
    note: str = "",
    actor: User | None = None,
) -> RealNameIdentity:
    """Record a verdict on a real-name identity and feed it to the identity dimension."""
    decided = account_services.identity_decide(
        identity=identity, verified=verified, decided_by=decided_by, note=note, actor=actor
    )
    identity_facts_record(person=decided.user, facts={"real_name_verified": decided.is_verified})
    _recompute_soon(person_id=decided.user_id)
    logger.info("real name decided person=%s status=%s by=%s", decided.user_id, decided.status, decided_by)
    return decided


@transaction.atomic
def real_name_decide_by_partner(
    *, partner: Partner, identity: RealNameIdentity, verified: bool, id_number: object = None, note: str = ""
) -> RealNameIdentity:
    """An identity partner's verdict on a pending request.

    We keep only the number's hash, so a partner confirms a number it checked itself (with the
    person, against the national register) and sends it with "verified": it must be the number
    the person gave us, or the verdict is refused naming ``id_number``.
    """
    if not partner.verifies_identity:
        raise PermissionError("partner lacks the identity scope")
    if identity.status != RealNameIdentity.Status.PENDING:
        raise ValidationError(_("This request was already decided."), code="already_decided")
    if verified:
        try:
            number = resident_ids.resident_id_validate(id_number)
        except ValidationError as exc:
            raise ValidationError({"id_number": exc.messages}) from exc
        if resident_ids.resident_id_hash(number) != identity.id_hash:
            raise ValidationError({"id_number": [_("This is not the number the person submitted.")]})
    return real_name_decide(
        identity=identity, verified=verified, decided_by=f"partner:{partner.slug}", note=note
    )


# --- Contacts, sources and declarations -----------------------------------------------------------


@transaction.atomic
def contact_decide(*, person: User, contact: Contact, confirm: bool) -> Contact:
    """The person confirms a contact a partner reported (it counts from now) or says it is not theirs."""
    locked = Contact.objects.select_for_update().get(pk=contact.pk, person=person)
    status = Contact.Status.CONFIRMED if confirm else Contact.Status.REJECTED
    if locked.status != status:
        now = timezone.now()
        contact_revise(contact=locked, now=now)
        locked.status = status
        locked.decided_at = now
        locked.received_at = now
        locked.save(update_fields=["status", "decided_at", "received_at", "updated_at"])
        # The person's own data changed: rescore now rather than tonight.
        _recompute_soon(person_id=person.pk)
    return locked


@transaction.atomic
def source_consent_set(*, person: User, source: str, enabled: bool) -> SourceConsent:
    """Switch one data source on or off for the person's score, from the next recompute on."""
    if source not in DataSource.values:
        raise ValidationError({"source": [_("Choose one of the data sources listed.")]})
    switch = SourceConsent.objects.select_for_update().filter(person=person, source=source).first()
    if switch is not None and switch.is_enabled == enabled:
        return switch
    now = timezone.now()
    switch, _created = SourceConsent.objects.update_or_create(
        person=person, source=source, defaults={"is_enabled": enabled, "changed_at": now}
    )
    audit_record(actor=person, action="consent.source", target=switch, changes={"enabled": enabled})
    return switch


EARLIEST_ADDRESS = datetime.date(1900, 1, 1)


@transaction.atomic
def declaration_save(
    *, person: User, education: str, address: str, address_since: datetime.date | None
) -> Declaration:
    """Keep the education and address the person declares (shown as self-declared; not scored)."""
    errors: dict[str, list[str]] = {}
    if education not in Education.values:
        errors["education"] = [_("Choose one of the levels listed.")]
    address = " ".join(address.split())
    if len(address) > 200:
        errors["address"] = [_("An address has at most 200 characters.")]
    if address_since is not None and not EARLIEST_ADDRESS <= address_since <= timezone.localdate():
        errors["address_since"] = [_("Give a date in the past.")]
    if errors:
        raise ValidationError(errors)
    declaration, _created = Declaration.objects.update_or_create(
        person=person,
        defaults={"education": education, "address": address, "address_since": address_since},
    )
    return declaration
