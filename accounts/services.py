import datetime
from collections.abc import Sequence

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from core import keys
from core.audit import audit_record

from . import resident_ids
from .exceptions import IdentityTaken
from .models import ApiToken, ConsumerProfile, Merchant, MerchantStaff, RealNameIdentity, User


def _validate_new_login(*, username: str, email: str, password: str) -> User:
    user = User(username=username, email=email)
    errors: dict[str, list[str]] = {}
    try:
        user.full_clean(exclude=["password"], validate_unique=False)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    # full_clean already names an exact duplicate; this adds the case-insensitive ones, once. It
    # checks the name as it will be stored: clean() has NFKC-normalised it ("µ" becomes "μ").
    if "username" not in errors and User.objects.filter(username__iexact=user.username).exists():
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


# --- Passwords and API tokens -----------------------------------------------------------------

# 16 hex characters: people sign in through the API far more often than partners get keys, and
# every sign-in adds a token, so the prefixes that find them must not collide.
API_TOKEN_PREFIX_BYTES = 8
# How exactly a token's last use is kept: to the hour costs a write per token and hour, where
# to the second would cost one per API request.
API_TOKEN_LAST_USED_PRECISION = datetime.timedelta(hours=1)


def _api_token_new(*, user_id: int) -> tuple[ApiToken, str]:
    new = keys.key_generate(prefix_bytes=API_TOKEN_PREFIX_BYTES)
    # Issuing counts as a use (the person has just proved their password), so a new token's
    # first requests cost no write either.
    token = ApiToken(user_id=user_id, key_prefix=new.prefix, key_hash=new.hash, last_used_at=timezone.now())
    return token, new.key


def api_token_issue(*, user: User) -> str:
    """A new API token for the person; its key is returned now and never again."""
    if not user.is_active:
        raise ValidationError(_("An inactive account gets no API token."))
    token, key = _api_token_new(user_id=user.pk)
    token.save()
    return key


def api_tokens_issue_bulk(*, user_ids: Sequence[int]) -> list[str]:
    """One new API token for each person, in one insert (seeding, load tests); keys in the order given."""
    if User.objects.filter(pk__in=user_ids, is_active=True).count() != len(set(user_ids)):
        raise ValidationError(_("Every API token needs an existing, active account."))
    made = [_api_token_new(user_id=user_id) for user_id in user_ids]
    ApiToken.objects.bulk_create([token for token, _key in made], batch_size=1000)
    return [key for _token, key in made]


@transaction.atomic
def api_token_revoke(*, token: ApiToken, actor: User | None = None) -> ApiToken:
    """Stop a token working at once; revoking it again changes nothing."""
    now = timezone.now()
    still_valid = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True)
    if not still_valid.update(revoked_at=now, updated_at=now):
        token.refresh_from_db(fields=["revoked_at", "updated_at"])
        return token
    token.revoked_at = token.updated_at = now
    audit_record(
        actor=actor,
        action="api_token.revoke",
        target=token,
        changes={"key_prefix": token.key_prefix, "user_id": token.user_id},
    )
    return token


def api_tokens_revoke_all(*, user: User) -> int:
    """Stop every API token of a login working (its password changed); returns how many."""
    now = timezone.now()
    return ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=now, updated_at=now)


def api_token_record_use(*, token: ApiToken) -> None:
    """Note that a token was just used, to the hour (API_TOKEN_LAST_USED_PRECISION)."""
    now = timezone.now()
    stale = now - API_TOKEN_LAST_USED_PRECISION
    if token.last_used_at > stale:
        return
    # Conditional, so that requests racing on the same token write once between them.
    ApiToken.objects.filter(pk=token.pk, last_used_at__lte=stale).update(last_used_at=now)
    token.last_used_at = now


@transaction.atomic
def user_password_set(*, user: User, password: str | None) -> User:
    """Give a login a new password (None: no password sign-in at all) and revoke its API tokens.

    The password change and reset pages and the admin's page for a person's password all come
    here: a token handed out under the old password must not outlive it.
    """
    if password is None:
        user.set_unusable_password()
    else:
        validate_password(password, user=user)
        user.set_password(password)
    user.save(update_fields=["password"])
    api_tokens_revoke_all(user=user)
    return user


# --- Real-name identity -------------------------------------------------------------------------

LEGAL_NAME_MAX = 100


def _legal_name_clean(value: object) -> str:
    name = " ".join(value.split()) if isinstance(value, str) else ""
    if not name:
        raise ValidationError({"legal_name": [_("Enter your name as it is on your resident ID card.")]})
    if len(name) > LEGAL_NAME_MAX:
        raise ValidationError(
            {"legal_name": [_("A legal name has at most %(max)d characters.") % {"max": LEGAL_NAME_MAX}]}
        )
    return name


def identity_submit(*, user: User, legal_name: object, id_number: object) -> RealNameIdentity:
    """Ask for a person's real name to be verified: checked, stored as a hash, pending a partner's word.

    A number already verified for another profile is refused (IdentityTaken) and the attempt is
    written to the audit trail for staff first, so call this outside a transaction the refusal
    would roll back. Resubmitting while pending or after a rejection replaces the request.
    """
    errors: dict[str, list[str]] = {}
    try:
        name = _legal_name_clean(legal_name)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    try:
        number = resident_ids.resident_id_validate(id_number)
    except ValidationError as exc:
        errors["id_number"] = exc.messages
    if errors:
        raise ValidationError(errors)
    id_hash = resident_ids.resident_id_hash(number)
    taken_by = (
        RealNameIdentity.objects.filter(id_hash=id_hash, status=RealNameIdentity.Status.VERIFIED)
        .exclude(user=user)
        .values_list("user_id", flat=True)
        .first()
    )
    if taken_by is not None:
        audit_record(
            actor=user,
            action="identity.taken",
            target=user,
            changes={"last4": number[-4:], "verified_profile": taken_by},
        )
        raise IdentityTaken()
    with transaction.atomic():
        existing = RealNameIdentity.objects.select_for_update().filter(user=user).first()
        if existing is not None and existing.is_verified:
            raise ValidationError({"id_number": [_("Your real name is already verified.")]})
        identity, _created = RealNameIdentity.objects.update_or_create(
            user=user,
            defaults={
                "legal_name": name,
                "id_hash": id_hash,
                "id_last4": number[-4:],
                "status": RealNameIdentity.Status.PENDING,
                "decided_by": "",
                "decision_note": "",
                "submitted_at": timezone.now(),
                "decided_at": None,
            },
        )
        audit_record(actor=user, action="identity.submit", target=identity, changes={"last4": number[-4:]})
    return identity


TAKEN_NOTE = "This ID number is already verified for another profile."


@transaction.atomic
def identity_decide(
    *,
    identity: RealNameIdentity,
    verified: bool,
    decided_by: str,
    note: str = "",
    actor: User | None = None,
) -> RealNameIdentity:
    """Record the verdict on a pending identity (or withdraw a verified one); returns it as stored.

    Only the identity's status: scoring.services.real_name_decide is the entry point that also
    feeds the verdict to the score. A "verified" for a number that another profile holds
    verified turns into a rejection, noted for staff.
    """
    locked = RealNameIdentity.objects.select_for_update().get(pk=identity.pk)
    Status = RealNameIdentity.Status
    if locked.status == Status.REJECTED or (locked.status == Status.VERIFIED and verified):
        raise ValidationError(_("This identity was already decided."))
    previous = locked.status
    locked.status = Status.VERIFIED if verified else Status.REJECTED
    locked.decided_by = decided_by[:160]
    locked.decision_note = note[:300]
    locked.decided_at = timezone.now()
    fields = ["status", "decided_by", "decision_note", "decided_at", "updated_at"]
    taken = (
        verified
        and RealNameIdentity.objects.filter(id_hash=locked.id_hash, status=Status.VERIFIED)
        .exclude(pk=locked.pk)
        .exists()
    )
    if not taken:
        try:
            with transaction.atomic():
                locked.save(update_fields=fields)
        except IntegrityError:
            taken = True  # another profile was verified with this number at the same moment
    if taken:
        locked.status = Status.REJECTED
        locked.decision_note = TAKEN_NOTE
        locked.save(update_fields=fields)
        audit_record(
            actor=actor,
            action="identity.taken",
            target=locked,
            changes={"last4": locked.id_last4, "decided_by": decided_by},
        )
    audit_record(
        actor=actor,
        action="identity.decide",
        target=locked,
        changes={"status": [previous, locked.status], "decided_by": decided_by},
    )
    identity.status, identity.decided_by = locked.status, locked.decided_by
    identity.decision_note, identity.decided_at = locked.decision_note, locked.decided_at
    return locked
