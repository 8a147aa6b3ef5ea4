from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from .models import ConsumerProfile, Merchant, MerchantStaff, User


def _validate_new_login(*, username: str, email: str, password: str) -> User:
    user = User(username=username, email=email)
    errors: dict[str, list[str]] = {}
    try:
        user.full_clean(exclude=["password"], validate_unique=False)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    # full_clean already names an exact duplicate; this adds the case-insensitive ones, once.
    if "username" not in errors and User.objects.filter(username__iexact=username).exists():
        errors.setdefault("username", []).append(_("A user with that username already exists."))
    try:
        validate_password(password, user=user)
    except ValidationError as exc:
        errors["password"] = exc.messages
    if errors:
        raise ValidationError(errors)
    user.set_password(password)
    return user


@transaction.atomic
def consumer_register(*, username: str, email: str, password: str) -> User:
    """Create a consumer login; scoring waits until the person opts in."""
    user = _validate_new_login(username=username, email=email, password=password)
    user.save()
    ConsumerProfile.objects.create(user=user)
    return user


@transaction.atomic
def merchant_apply(
    *, username: str, email: str, password: str, merchant_name: str, description: str = ""
) -> Merchant:
    """Register a merchant, pending platform approval, with the applicant as its owner."""
    errors: dict[str, list[str]] = {}
    slug = slugify(merchant_name)
    if not slug:
        errors["merchant_name"] = [_("Enter a name with letters or digits.")]
    elif (
        Merchant.objects.filter(name__iexact=merchant_name).exists()
        or Merchant.objects.filter(slug=slug).exists()
    ):
        errors["merchant_name"] = [_("A merchant with that name already exists.")]
    try:
        user = _validate_new_login(username=username, email=email, password=password)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    user.save()
    merchant = Merchant.objects.create(
        name=merchant_name, slug=slug, description=description, contact_email=email
    )
    MerchantStaff.objects.create(merchant=merchant, user=user, role=MerchantStaff.Role.OWNER)
    return merchant


@transaction.atomic
def merchant_approve(*, merchant: Merchant, actor: User | None = None) -> Merchant:
    """Let a pending merchant's staff into the console."""
    from portal.audit import audit_record

    previous = merchant.status
    merchant.status = Merchant.Status.APPROVED
    merchant.approved_at = timezone.now()
    merchant.save(update_fields=["status", "approved_at", "updated_at"])
    audit_record(
        actor=actor,
        action="merchant.approve",
        target=merchant,
        changes={"status": [previous, merchant.status]},
    )
    return merchant


@transaction.atomic
def merchant_reject(*, merchant: Merchant, actor: User | None = None) -> Merchant:
    from portal.audit import audit_record

    previous = merchant.status
    merchant.status = Merchant.Status.REJECTED
    merchant.save(update_fields=["status", "updated_at"])
    audit_record(
        actor=actor,
        action="merchant.reject",
        target=merchant,
        changes={"status": [previous, merchant.status]},
    )
    return merchant


# --- Closing a consumer's account --------------------------------------------------------------


@transaction.atomic
def account_delete(*, user: User, password: str) -> int:
    """Delete a consumer's login and everything about them, once they re-enter their password.

    Merchants keep their claims, anonymised (no person, no idempotency key); everything else
    of the person goes with the login (score, history, signals, listings, disputes, shares).
    Returns how many claims were anonymised. Refusals change nothing.
    """
    # Imported here: perks and portal import accounts, not the other way round.
    from perks.models import Claim
    from portal.audit import audit_record

    locked = User.objects.select_for_update().filter(pk=user.pk).first()
    if locked is None:
        raise ValidationError(_("This account no longer exists."))
    if not isinstance(password, str) or not password or not locked.check_password(password):
        raise ValidationError({"password": [_("That is not your password. Nothing was deleted.")]})
    if locked.is_staff or locked.is_superuser or MerchantStaff.objects.filter(user=locked).exists():
        raise ValidationError(_("Only a consumer account can be deleted here; ask the platform team."))
    anonymised = Claim.objects.filter(person=locked).update(
        person=None, idempotency_key=None, request_fingerprint="", updated_at=timezone.now()
    )
    audit_record(
        actor=locked,
        action="account.delete",
        target=locked,
        changes={"claims_anonymised": anonymised},
    )
    locked.delete()
    return anonymised
