"""Writes that span the apps: a person's right to have their account and data erased."""

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import ApiToken, MerchantStaff, RealNameIdentity, User
from core.audit import audit_pseudonymise, audit_record
from perks.models import Claim
from scoring.models import BlacklistEntry, Dispute, EventKind, IngestedEvent, PartnerNotice

# What another person's stored contact event says where it named an erased person.
ERASED_CONTACT = "(erased)"


@transaction.atomic
def account_delete(*, user: User, password: str) -> int:
    """Delete a consumer's login and everything about them, once they re-enter their password.

    Returns how many claims were anonymised (see ``account_erase``). Refusals change nothing.
    """
    locked = User.objects.select_for_update().filter(pk=user.pk).first()
    if locked is None:
        raise ValidationError(_("This account no longer exists."))
    if not isinstance(password, str) or not password or not locked.check_password(password):
        raise ValidationError({"password": [_("That is not your password. Nothing was deleted.")]})
    return account_erase(user=locked, actor=locked)


@transaction.atomic
def account_erase(*, user: User, actor: User) -> int:
    """Erase a consumer: the login and everything about them, at their request or by platform staff.

    Merchants keep their claims, anonymised (no person, no idempotency key); everything else
    of the person goes with the login (score, history, signals, listings, disputes, shares).
    Returns how many claims were anonymised. Refusals change nothing.
    """
    locked = User.objects.select_for_update().filter(pk=user.pk).first()
    if locked is None:
        raise ValidationError(_("This account no longer exists."))
    if locked.is_staff or locked.is_superuser or MerchantStaff.objects.filter(user=locked).exists():
        raise ValidationError(_("Only a consumer account can be deleted here; ask the platform team."))
    anonymised = Claim.objects.filter(person=locked).update(
        person=None, idempotency_key=None, request_fingerprint="", updated_at=timezone.now()
    )
    audit_record(
        actor=actor,
        action="account.delete",
        target=locked,
        changes={"claims_anonymised": anonymised},
    )
    # What the cascade below does not reach: records that name the person without a foreign key.
    # The audit trails keep what happened, without the username, the court case or the words
    # of a dispute.
    audit_pseudonymise(
        user=locked,
        targets=[
            *Dispute.objects.filter(person=locked),
            *BlacklistEntry.objects.filter(person=locked),
            *ApiToken.objects.filter(user=locked),
            *RealNameIdentity.objects.filter(user=locked),
        ],
    )
    # Sign-in records (username, address, browser), kept by django-axes under the typed username.
    for record in (AccessLog, AccessAttempt, AccessFailureLog):
        record.objects.filter(username__iexact=locked.username).delete()
    # Other people's contact events, as their partner sent them, name this person.
    for event in IngestedEvent.objects.filter(kind=EventKind.CONTACT, payload__data__contact=locked.username):
        event.payload["data"]["contact"] = ERASED_CONTACT
        event.save(update_fields=["payload"])
    # A partner's notices of corrected records name the person too; the correction itself stays.
    for notice in PartnerNotice.objects.filter(payload__person=locked.username):
        notice.payload["person"] = ERASED_CONTACT
        notice.save(update_fields=["payload"])
    locked.delete()
    return anonymised
