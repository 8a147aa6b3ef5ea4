"""Writes for perks: promotions and their life cycle, claims and the counter, shares.

Every function is keyword-only, atomic, validates before it writes and returns what it made.
Refusals are ``django.core.exceptions.ValidationError`` (bad input, with a message per field)
or a small domain exception from ``perks.exceptions`` (a claim refused for a reason).
"""

import contextlib
import dataclasses
import datetime
import hashlib
import logging
import secrets
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, F, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import ConsumerProfile, Merchant, Region, User
from core import outbox
from core.audit import audit_record
from core.bands import SCORE_MAX, SCORE_MIN
from core.keys import key_hash
from scoring.models import Bill, BillKind

from . import conditions, eligibility, selectors, webhooks
from .exceptions import (
    IdempotencyMismatch,
    LimitReached,
    NotActive,
    NotEligible,
    NotOptedIn,
    PerksError,
    SoldOut,
)
from .models import BenefitType, Claim, CounterCheck, Promotion, Share, WebhookEvent

logger = logging.getLogger(__name__)

__all__ = [
    "IdempotencyMismatch",
    "LimitReached",
    "NotActive",
    "NotEligible",
    "NotOptedIn",
    "PerksError",
    "SoldOut",
]

# Fields a merchant sets on a promotion (promotion_create / promotion_update).
EDITABLE_FIELDS = (
    "title",
    "title_zh",
    "description",
    "description_zh",
    "category",
    "benefit_type",
    "trial_days",
    "amount",
    "min_score",
    "conditions",
    "tiers",
    "regions",
    "quantity",
    "per_user_limit",
    "pickup_days",
    "min_account_age_days",
    "starts_at",
    "ends_at",
)
MAX_QUANTITY = 1_000_000
MAX_PER_USER_LIMIT = 100
MAX_PICKUP_DAYS = 90
MAX_ACCOUNT_AGE_DAYS = 365
MAX_TRIAL_DAYS = 365
MAX_TIERS = 10
MAX_AMOUNT = Decimal("9999999999.99")
# Score thresholds and tier bounds are multiples of this: what a merchant learns about a
# claimant is only which 50-point bracket their score is in (shared/api.md).
SCORE_STEP = 50
NEEDS_AMOUNT = (BenefitType.DEPOSIT_WAIVER, BenefitType.CREDIT_LINE)

# Only these moves exist; anything else is refused on the ``status`` field.
TRANSITIONS = {
    (Promotion.Status.DRAFT, Promotion.Status.ACTIVE),
    (Promotion.Status.ACTIVE, Promotion.Status.PAUSED),
    (Promotion.Status.PAUSED, Promotion.Status.ACTIVE),
    (Promotion.Status.ACTIVE, Promotion.Status.ENDED),
    (Promotion.Status.PAUSED, Promotion.Status.ENDED),
}

UNIT_HOLDING = selectors.UNIT_HOLDING_STATUSES

# Claim codes: 10 characters from 31 that cannot be mistaken for each other (no 0/O, 1/I/L),
# about 49 bits from the system's CSPRNG: far beyond guessing at the counter's throttled rate.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 10

# A trial kept past its due date becomes a late credit-line bill, due this many days after
# the due date: returning within the grace period costs nothing.
OVERDUE_GRACE_DAYS = 3
# The bill's amount when the trial has no item value (the scoring engine counts late bills,
# not their amounts, so this only keeps the bill well-formed).
OVERDUE_NOMINAL_AMOUNT = Decimal("1.00")

# How long an Idempotency-Key replays its claim, counted from when the claim (and key) was stored.
IDEMPOTENCY_KEY_TTL = datetime.timedelta(hours=24)

SHARE_MIN_DAYS = 1
SHARE_MAX_DAYS = 365


# Promotions ---------------------------------------------------------------------------------


def _errors_add(errors: dict[str, list[str]], field: str, message: str) -> None:
    errors.setdefault(field, []).append(message)


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _clean_amount(value: object, errors: dict[str, list[str]]) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value))
    except (InvalidOperation, ValueError):
        _errors_add(errors, "amount", _("Enter the amount in RMB as a number, such as 299.00."))
        return None
    if not amount.is_finite():
        _errors_add(errors, "amount", _("Enter the amount in RMB as a number, such as 299.00."))
        return None
    if amount <= 0:
        _errors_add(errors, "amount", _("Enter the amount in RMB, more than 0."))
    elif amount > MAX_AMOUNT:
        _errors_add(errors, "amount", _("Enter an amount of at most ¥9,999,999,999.99."))
    elif amount != amount.quantize(Decimal("0.01")):
        _errors_add(errors, "amount", _("Enter the amount with at most 2 decimal places."))
    else:
        return amount.quantize(Decimal("0.01"))
    return None


def _check_int(
    values: dict[str, Any], errors: dict[str, list[str]], field: str, *, low: int, high: int, message: str
) -> None:
    value = values.get(field)
    if value is not None and (not _is_int(value) or not low <= value <= high):
        _errors_add(errors, field, message)


def _check_account_requirements(values: dict[str, Any], errors: dict[str, list[str]]) -> None:
    """What the claimant's account must be (its age for now; a verified identity may join)."""
    age = values.get("min_account_age_days")
    if age is None or not _is_int(age) or not 0 <= age <= MAX_ACCOUNT_AGE_DAYS:
        _errors_add(
            errors,
            "min_account_age_days",
            _("Enter the minimum account age as a whole number of days from 0 to 365."),
        )


def _check_datetime(values: dict[str, Any], errors: dict[str, list[str]], field: str) -> bool:
    value = values.get(field)
    if value is None:
        return True
    if not isinstance(value, datetime.datetime) or timezone.is_naive(value):
        _errors_add(errors, field, _("Enter a date and time with its time zone."))
        return False
    return True


def _validate_tiers(tiers: object, *, min_score: object) -> list[str]:
    """Problems with a tier list, in words; an empty list when it is fine."""
    if not isinstance(tiers, list):
        return [_("Tiers must be a list of {min_score, benefit}.")]
    if len(tiers) > MAX_TIERS:
        return [_("At most %(max)d tiers.") % {"max": MAX_TIERS}]
    previous: int | None = None
    for number, tier in enumerate(tiers, start=1):
        where = {"n": number}
        if not isinstance(tier, dict) or set(tier) - {"min_score", "benefit", "benefit_zh"}:
            return [_("Tier %(n)d: expected {min_score, benefit} (and optionally benefit_zh).") % where]
        score = tier.get("min_score")
        if not _is_int(score) or not SCORE_MIN <= score <= SCORE_MAX:
            return [_("Tier %(n)d: min_score must be from 350 to 950.") % where]
        if score % SCORE_STEP:
            return [
                _("Tier %(n)d: min_score must be a multiple of 50 (550, 600, 650, 700, 750 ...).") % where
            ]
        if _is_int(min_score) and score < min_score:
            return [
                _("Tier %(n)d: min_score must be at least the promotion's threshold (%(min)s).")
                % {"n": number, "min": min_score}
            ]
        if previous is not None and score <= previous:
            return [_("Tier %(n)d: min_score must be higher than the tier before.") % where]
        for key in ("benefit", "benefit_zh"):
            text = tier.get(key, "")
            if key == "benefit" and (not isinstance(text, str) or not text.strip()):
                return [_("Tier %(n)d: describe the benefit.") % where]
            if not isinstance(text, str) or len(text) > 200:
                return [_("Tier %(n)d: a benefit is text of at most 200 characters.") % where]
        previous = score
    return []


def _validate_promotion(
    promotion: Promotion, values: dict[str, Any], *, claimed_units: int
) -> dict[str, Any]:
    """Check a promotion's would-be values; return them cleaned or raise ValidationError."""
    errors: dict[str, list[str]] = {}
    values = dict(values)
    min_score = values.get("min_score")
    if min_score is None:
        _errors_add(errors, "min_score", _("Enter the score threshold."))
    elif not _is_int(min_score) or not SCORE_MIN <= min_score <= SCORE_MAX:
        _errors_add(errors, "min_score", _("Enter a score threshold from 350 to 950."))
    elif min_score % SCORE_STEP:
        _errors_add(
            errors,
            "min_score",
            _(
                "min_score: must be a multiple of 50 (550, 600, 650, 700, 750 ...): a merchant "
                "may learn only which 50-point bracket a score is in."
            ),
        )

    if values.get("starts_at") is None:
        _errors_add(errors, "starts_at", _("Enter when the promotion starts."))
    dates_ok = _check_datetime(values, errors, "starts_at") & _check_datetime(values, errors, "ends_at")
    if (
        dates_ok
        and values.get("starts_at")
        and values.get("ends_at")
        and values["ends_at"] <= values["starts_at"]
    ):
        _errors_add(errors, "ends_at", _("The end must be after the start."))

    quantity = values.get("quantity")
    if quantity is not None:
        if not _is_int(quantity):
            _errors_add(errors, "quantity", _("Enter the quantity as a whole number, or leave it empty."))
        elif quantity < 0:
            _errors_add(errors, "quantity", _("The quantity cannot be negative."))
        elif quantity > MAX_QUANTITY:
            _errors_add(errors, "quantity", _("The quantity can be at most 1,000,000."))
        elif quantity < claimed_units:
            _errors_add(
                errors,
                "quantity",
                _("%(claimed)d units are already claimed: the quantity cannot be less.")
                % {"claimed": claimed_units},
            )
    _check_int(
        values,
        errors,
        "per_user_limit",
        low=1,
        high=MAX_PER_USER_LIMIT,
        message=_("A person may claim from 1 to 100 times."),
    )
    _check_int(
        values,
        errors,
        "pickup_days",
        low=1,
        high=MAX_PICKUP_DAYS,
        message=_("Allow from 1 to 90 days to pick up a claim."),
    )

    _check_account_requirements(values, errors)

    benefit_type = values.get("benefit_type")
    trial_days = values.get("trial_days")
    if benefit_type == BenefitType.TRIAL:
        if trial_days is None:
            _errors_add(errors, "trial_days", _("A free trial needs its number of days."))
        elif not _is_int(trial_days) or not 1 <= trial_days <= MAX_TRIAL_DAYS:
            _errors_add(errors, "trial_days", _("A free trial lasts from 1 to 365 days."))
    elif trial_days is not None:
        _errors_add(errors, "trial_days", _("Only a free trial has a number of days."))

    amount_errors: dict[str, list[str]] = {}
    values["amount"] = _clean_amount(values.get("amount"), amount_errors)
    if amount_errors:
        errors.update(amount_errors)
    elif benefit_type in NEEDS_AMOUNT and values["amount"] is None:
        _errors_add(errors, "amount", _("Enter the amount in RMB, more than 0."))

    try:
        values["conditions"] = conditions.validate_conditions(values.get("conditions"))
    except ValidationError as exc:
        errors["conditions"] = exc.messages
    tier_problems = _validate_tiers(values.get("tiers") or [], min_score=min_score)
    if tier_problems:
        errors["tiers"] = tier_problems
    values["tiers"] = values.get("tiers") or []
    regions = values.get("regions") or []
    if not isinstance(regions, list) or any(
        not isinstance(r, str) or r not in Region.values for r in regions
    ):
        _errors_add(
            errors,
            "regions",
            _("Regions must be a list of: %(allowed)s.") % {"allowed": ", ".join(Region.values)},
        )
    elif len(set(regions)) != len(regions):
        _errors_add(errors, "regions", _("A region is listed twice."))
    values["regions"] = regions

    # The model's own field checks (required text, lengths, choices) for the fields left.
    checked_here = {
        "min_score",
        "starts_at",
        "ends_at",
        "quantity",
        "amount",
        "trial_days",
        "per_user_limit",
        "pickup_days",
        "min_account_age_days",
        "conditions",
        "tiers",
        "regions",
    }
    for field, value in values.items():
        setattr(promotion, field, value)
    try:
        promotion.full_clean(
            exclude=["merchant", "remaining", "status", *checked_here], validate_constraints=False
        )
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, messages)
    if errors:
        raise ValidationError(errors)
    return values


def _unknown_fields(fields: dict[str, Any]) -> None:
    unknown = sorted(set(fields) - set(EDITABLE_FIELDS))
    if unknown:
        raise ValidationError({field: [_("This field cannot be set.")] for field in unknown})


@transaction.atomic
def promotion_create(
    *, merchant: Merchant, status: str = Promotion.Status.DRAFT, actor: User | None = None, **fields: Any
) -> Promotion:
    """Create a merchant's promotion, a draft unless ``status="active"`` (fields: EDITABLE_FIELDS)."""
    _unknown_fields(fields)
    if status not in (Promotion.Status.DRAFT, Promotion.Status.ACTIVE):
        raise ValidationError({"status": [_("A new promotion starts as a draft or active.")]})
    defaults: dict[str, Any] = {
        "conditions": {},
        "tiers": [],
        "regions": [],
        "per_user_limit": 1,
        "pickup_days": 7,
        "min_account_age_days": 0,
        "title_zh": "",
        "description": "",
        "description_zh": "",
    }
    promotion = Promotion(merchant=merchant)
    values = _validate_promotion(promotion, {**defaults, **fields}, claimed_units=0)
    for field, value in values.items():
        setattr(promotion, field, value)
    promotion.remaining = promotion.quantity
    promotion.status = Promotion.Status.DRAFT
    promotion.save()
    audit_record(actor=actor, action="promotion.create", target=promotion, changes=values)
    if status == Promotion.Status.ACTIVE:
        promotion = _promotion_transition(promotion=promotion, to=Promotion.Status.ACTIVE, actor=actor)
    logger.info("promotion created promotion=%s merchant=%s", promotion.pk, merchant.pk)
    return promotion


@transaction.atomic
def promotion_update(*, promotion: Promotion, actor: User | None = None, **fields: Any) -> Promotion:
    """Change a promotion's fields (and, with ``status=``, move it along its life cycle).

    Claims already made keep what they were promised: a new threshold applies to new claims
    only. A new quantity moves ``remaining`` by the difference, and may not go below the
    units already claimed.
    """
    status = fields.pop("status", None)
    _unknown_fields(fields)
    locked = Promotion.objects.select_for_update().get(pk=promotion.pk)
    if locked.status == Promotion.Status.ENDED and fields:
        raise ValidationError(_("An ended promotion can no longer be changed."))
    if fields:
        current = {field: getattr(locked, field) for field in EDITABLE_FIELDS}
        claimed_units = _claimed_units(locked)
        values = _validate_promotion(locked, {**current, **fields}, claimed_units=claimed_units)
        changed = [field for field in EDITABLE_FIELDS if values[field] != current[field]]
        for field in changed:
            setattr(locked, field, values[field])
        if "quantity" in changed:
            locked.remaining = None if locked.quantity is None else locked.quantity - claimed_units
            changed.append("remaining")
        if changed:
            locked.save(update_fields=[*changed, "updated_at"])
            logger.info("promotion updated promotion=%s fields=%s", locked.pk, ",".join(changed))
            audit_record(
                actor=actor,
                action="promotion.edit",
                target=locked,
                changes={field: [current[field], values[field]] for field in changed if field in current},
            )
    if status is not None and status != locked.status:
        locked = _promotion_transition(promotion=locked, to=status, actor=actor)
    return locked


def _claimed_units(promotion: Promotion) -> int:
    if promotion.quantity is not None and promotion.remaining is not None:
        return promotion.quantity - promotion.remaining
    return Claim.objects.filter(promotion=promotion, status__in=UNIT_HOLDING).count()


def _promotion_transition(
    *, promotion: Promotion, to: str, only_from: str | None = None, actor: User | None = None
) -> Promotion:
    locked = Promotion.objects.select_for_update().get(pk=promotion.pk)
    if to not in Promotion.Status.values:
        raise ValidationError({"status": [_("Choose a status: draft, active, paused or ended.")]})
    if (locked.status, to) not in TRANSITIONS or (only_from is not None and locked.status != only_from):
        raise ValidationError(
            {
                "status": [
                    _("A promotion cannot go from %(from)s to %(to)s.")
                    % {"from": locked.get_status_display().lower(), "to": Promotion.Status(to).label.lower()}
                ]
            }
        )
    if to == Promotion.Status.ACTIVE and locked.ends_at is not None and locked.ends_at <= timezone.now():
        raise ValidationError({"status": [_("Its end has passed: set a later end to run it again.")]})
    previous = locked.status
    locked.status = to
    locked.save(update_fields=["status", "updated_at"])
    logger.info("promotion status promotion=%s status=%s", locked.pk, to)
    audit_record(actor=actor, action="promotion.status", target=locked, changes={"status": [previous, to]})
    return locked


@transaction.atomic
def promotion_activate(*, promotion: Promotion, actor: User | None = None) -> Promotion:
    """Start running a draft promotion."""
    return _promotion_transition(
        promotion=promotion, to=Promotion.Status.ACTIVE, only_from=Promotion.Status.DRAFT, actor=actor
    )


@transaction.atomic
def promotion_pause(*, promotion: Promotion, actor: User | None = None) -> Promotion:
    """Stop new claims on an active promotion for a while; claims made stay valid."""
    return _promotion_transition(promotion=promotion, to=Promotion.Status.PAUSED, actor=actor)


@transaction.atomic
def promotion_resume(*, promotion: Promotion, actor: User | None = None) -> Promotion:
    """Run a paused promotion again."""
    return _promotion_transition(
        promotion=promotion, to=Promotion.Status.ACTIVE, only_from=Promotion.Status.PAUSED, actor=actor
    )


@transaction.atomic
def promotion_end(*, promotion: Promotion, actor: User | None = None) -> Promotion:
    """End an active or paused promotion for good; claims made stay valid."""
    return _promotion_transition(promotion=promotion, to=Promotion.Status.ENDED, actor=actor)


# Claims -------------------------------------------------------------------------------------


def claim_fingerprint(*, promotion_id: int, body: bytes | str = b"") -> str:
    """A digest of what a claim request asked for, to tell a replay from a reused key."""
    raw = body.encode() if isinstance(body, str) else body
    return hashlib.sha256(b"claim:%d:" % promotion_id + raw).hexdigest()


def _new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _position in range(CODE_LENGTH))


def _idempotent_replay(*, person: User, promotion: Promotion, key: str, fingerprint: str) -> Claim | None:
    first = (
        Claim.objects.select_related("promotion__merchant").filter(person=person, idempotency_key=key).first()
    )
    if first is None:
        return None
    if first.created_at <= timezone.now() - IDEMPOTENCY_KEY_TTL:
        # Expired: the key no longer replays, and is freed (one claim per person and key) for
        # the request now made with it, which is evaluated afresh. The caller holds the
        # person's lock and rolls this back if that request is refused.
        Claim.objects.filter(pk=first.pk).update(idempotency_key=None)
        return None
    if first.promotion_id != promotion.pk or first.request_fingerprint != fingerprint:
        raise IdempotencyMismatch()
    return first


@transaction.atomic
def claim_create(
    *, promotion: Promotion, person: User, idempotency_key: str | None = None, fingerprint: str = ""
) -> Claim:
    """Claim one unit of a live promotion for an eligible person, safely under concurrency.

    The person's profile row is locked first, so one person's claims run one at a time (the
    per-person limit holds); the unit is taken by a conditional UPDATE, last, so stock never
    goes below zero and the promotion's row is locked only briefly. The same
    ``idempotency_key`` returns the first claim for 24 hours (IDEMPOTENCY_KEY_TTL), then is
    evaluated afresh; the same key with a different request (``fingerprint``) raises
    IdempotencyMismatch. Refusals: NotActive, NotEligible(unmet), LimitReached, SoldOut.
    """
    key = idempotency_key or None
    fingerprint = fingerprint or claim_fingerprint(promotion_id=promotion.pk)
    if key is not None and len(key) > 100:
        raise ValidationError({"idempotency_key": [_("An idempotency key has at most 100 characters.")]})
    if key is not None and not (key.isascii() and key.isprintable()):
        raise ValidationError(
            {"idempotency_key": [_("An idempotency key is made of visible ASCII characters.")]}
        )
    profile = ConsumerProfile.objects.select_for_update().filter(user=person).first()
    if key is not None:
        replay = _idempotent_replay(person=person, promotion=promotion, key=key, fingerprint=fingerprint)
        if replay is not None:
            return replay
    # With the units the person already holds, counted under their lock through the (person,
    # promotion) index: one query, not two.
    holding = (
        Claim.objects.filter(promotion=OuterRef("pk"), person=person, status__in=UNIT_HOLDING)
        .order_by()
        .values("promotion")
        .annotate(units=Count("pk"))
        .values("units")
    )
    current = (
        Promotion.objects.live()
        .select_related("merchant")
        .annotate(held=Coalesce(Subquery(holding), 0))
        .filter(pk=promotion.pk)
        .first()
    )
    if current is None:
        raise NotActive()
    facts = selectors.person_facts(
        person=person,
        profile=profile,
        need_dimensions=conditions.uses_dimensions(eligibility.effective_conditions(current)),
    )
    assessment = eligibility.assess(promotion=current, person=facts)
    if not assessment.eligible:
        raise NotEligible(assessment.unmet)
    if current.held >= current.per_user_limit:
        raise LimitReached()
    if current.remaining == 0:
        # Read without a lock: it can be stale only the other way (a unit given back since),
        # and the conditional UPDATE below has the last word on any unit taken.
        raise SoldOut()
    now = timezone.now()
    with translation.override("en"):
        benefit = eligibility.benefit_text(promotion=current, score=facts.score)
    claim = Claim(
        promotion=current,
        person=person,
        status=Claim.Status.ACTIVE,
        benefit=benefit[:200],
        claimed_at=now,
        pickup_deadline=now + datetime.timedelta(days=current.pickup_days),
        idempotency_key=key,
        request_fingerprint=fingerprint,
        counter_conditions=assessment.pending,
    )
    for _attempt in range(5):
        claim.code = _new_code()
        try:
            with transaction.atomic():
                claim.save()
            break
        except IntegrityError:
            # A code collision (vanishingly rare): draw again. Anything else is a real error.
            if not Claim.objects.filter(code=claim.code).exists():
                raise
    else:  # pragma: no cover - five collisions in a row mean the alphabet is broken
        raise RuntimeError("could not draw a unique claim code")
    webhooks.webhook_events_emit(claim=claim, event=WebhookEvent.CLAIM_CREATED)
    if current.quantity is not None:
        # The unit is taken last: every claim on the promotion queues for its row, so the row is
        # locked only from here to the commit. None left: SoldOut rolls the claim above back.
        taken = Promotion.objects.filter(pk=current.pk, remaining__gt=0).update(
            remaining=F("remaining") - 1, updated_at=timezone.now()
        )
        if not taken:
            raise SoldOut()
    logger.info("claim created claim=%s promotion=%s person=%s", claim.pk, current.pk, person.pk)
    return claim


def _return_unit(*, promotion_id: int, units: int = 1) -> None:
    Promotion.objects.filter(pk=promotion_id, remaining__isnull=False).update(
        remaining=F("remaining") + units, updated_at=timezone.now()
    )


@transaction.atomic
def claim_cancel(*, claim: Claim, person: User) -> Claim:
    """Cancel one's own claim before it is used; its unit goes back to stock."""
    locked = Claim.objects.select_for_update().filter(pk=claim.pk, person=person).first()
    if locked is None:
        raise ValidationError(_("This is not your claim."))
    if locked.status != Claim.Status.ACTIVE:
        raise ValidationError(
            {
                "status": [
                    _("Only an unused claim can be cancelled; this one is %(status)s.")
                    % {"status": locked.get_status_display().lower()}
                ]
            }
        )
    locked.status = Claim.Status.CANCELLED
    locked.closed_at = timezone.now()
    locked.save(update_fields=["status", "closed_at", "updated_at"])
    _return_unit(promotion_id=locked.promotion_id)
    webhooks.webhook_events_emit(claim=locked, event=WebhookEvent.CLAIM_CANCELLED)
    logger.info("claim cancelled claim=%s", locked.pk)
    return locked


@dataclasses.dataclass(frozen=True)
class CounterResult:
    """What the counter learns about a code: never who the person is, never a score.

    ``reason`` says why a code is not valid (``unknown``, ``not_active``, ``check_needed``,
    ``conditions_unmet``); ``at_counter`` lists in words what the counter must check first.
    """

    valid: bool
    reason: str = ""
    claim: Claim | None = None
    at_counter: list[str] = dataclasses.field(default_factory=list)

    @property
    def status(self) -> str | None:
        return self.claim.status if self.claim else None

    @property
    def promotion(self) -> Promotion | None:
        return self.claim.promotion if self.claim else None

    @property
    def benefit(self) -> str | None:
        return self.claim.benefit if self.claim else None

    @property
    def due_back(self) -> datetime.date | None:
        return self.claim.due_back if self.claim else None


# The ORM has no INSERT ... SELECT; the statement is fixed, and every value a parameter.
FOREIGN_CHECK_SQL = (
    "INSERT INTO perks_countercheck (claim_id, merchant_id, checked_at, outcome, created_at, updated_at) "
    "SELECT c.id, %s, %s, %s, %s, %s FROM perks_claim c JOIN perks_promotion p ON p.id = c.promotion_id "
    "WHERE c.code = %s AND p.merchant_id <> %s"
)


def _counter_check_record_foreign(*, merchant: Merchant, code: str, now: datetime.datetime) -> None:
    """Record, for the person's sake, that another merchant tried their code.

    One INSERT ... SELECT for every code this merchant does not own: it writes a row when the
    code is another merchant's and none when it is unknown, so both take the same statement
    and the same index lookups, and the counter cannot time the difference.
    """
    at = CounterCheck._meta.get_field("checked_at").get_db_prep_value(now, connection)
    with connection.cursor() as cursor:
        cursor.execute(
            FOREIGN_CHECK_SQL,
            [merchant.pk, at, CounterCheck.Outcome.WRONG_MERCHANT, at, at, code, merchant.pk],
        )


def normalise_code(code: object) -> str:
    """A code as typed at the counter: spaces and dashes dropped, upper case."""
    if not isinstance(code, str):
        return ""
    return code.replace(" ", "").replace("-", "").upper()[:40]


@transaction.atomic
def claim_verify(
    *, merchant: Merchant, code: str, counter_facts: dict[str, str] | None = None
) -> CounterResult:
    """Check a claim code at the merchant's counter and, if valid, honour it.

    An active claim becomes in use (a trial: due back after ``trial_days``) or used. Unknown
    codes and other merchants' codes look exactly alike (``valid=False``, reason unknown).
    Counter facts (``{"ticket_class": "first"}``) settle the checks left open at claim time.
    """
    try:
        facts = conditions.validate_counter_facts(counter_facts)
    except ValidationError as exc:
        raise ValidationError({"counter_facts": exc.messages}) from exc
    normalised = normalise_code(code)
    now = timezone.now()
    claim = None
    # The code is looked up within this merchant's claims, in one query, so an unknown code and
    # another merchant's code cost the same (a timing difference would tell them apart).
    # get(), not first(): the code is unique, and a counter check should not pay for an ORDER BY.
    with contextlib.suppress(Claim.DoesNotExist):
        claim = (
            Claim.objects.select_for_update(of=("self",))
            .select_related("promotion__merchant")
            .get(code=normalised, promotion__merchant=merchant)
        )
    if claim is None:
        _counter_check_record_foreign(merchant=merchant, code=normalised, now=now)
        return CounterResult(valid=False, reason="unknown")
    if claim.status == Claim.Status.ACTIVE and claim.pickup_deadline <= now:
        _claims_mark_expired(claim_ids=[claim.pk], now=now)
        claim.refresh_from_db()
    if claim.status != Claim.Status.ACTIVE:
        CounterCheck.objects.create(
            claim=claim, merchant=merchant, checked_at=now, outcome=CounterCheck.Outcome.NOT_VALID
        )
        return CounterResult(valid=False, reason="not_active", claim=claim)
    evaluation = conditions.evaluate(claim.counter_conditions, None, facts)
    if evaluation.met is None:
        CounterCheck.objects.create(
            claim=claim, merchant=merchant, checked_at=now, outcome=CounterCheck.Outcome.CHECK_NEEDED
        )
        return CounterResult(
            valid=False, reason="check_needed", claim=claim, at_counter=evaluation.at_counter
        )
    if evaluation.met is False:
        CounterCheck.objects.create(
            claim=claim, merchant=merchant, checked_at=now, outcome=CounterCheck.Outcome.CONDITIONS_UNMET
        )
        return CounterResult(valid=False, reason="conditions_unmet", claim=claim)
    claim.verified_at = now
    if claim.promotion.benefit_type == BenefitType.TRIAL and claim.promotion.trial_days:
        claim.status = Claim.Status.IN_USE
        claim.due_back = timezone.localdate(now) + datetime.timedelta(days=claim.promotion.trial_days)
    else:
        claim.status = Claim.Status.USED
        claim.closed_at = now
    claim.save(update_fields=["status", "verified_at", "due_back", "closed_at", "updated_at"])
    CounterCheck.objects.create(
        claim=claim, merchant=merchant, checked_at=now, outcome=CounterCheck.Outcome.VERIFIED
    )
    logger.info("claim verified claim=%s merchant=%s status=%s", claim.pk, merchant.pk, claim.status)
    return CounterResult(valid=True, claim=claim)


# What a merchant may record about a claim after the counter, from each state.
MARKS = {
    Claim.Status.RETURNED: {Claim.Status.IN_USE, Claim.Status.OVERDUE},
    Claim.Status.CONVERTED: {Claim.Status.IN_USE, Claim.Status.OVERDUE},
    Claim.Status.OVERDUE: {Claim.Status.IN_USE},
}


def _overdue_bill_reference(claim: Claim) -> str:
    return f"perks-claim:{claim.code}"


@transaction.atomic
def claim_mark(*, merchant: Merchant, claim: Claim, status: str) -> Claim:
    """Record what became of a trial: returned, converted (bought) or overdue.

    Overdue (only after the due date) issues the person a credit-line bill due
    OVERDUE_GRACE_DAYS after the due date and unpaid: returned within the grace period it is
    withdrawn; later, it is settled late and stays in the person's credit history.
    """
    locked = (
        Claim.objects.select_for_update(of=("self",))
        .select_related("promotion")
        .filter(pk=claim.pk, promotion__merchant=merchant)
        .first()
    )
    if locked is None:
        raise ValidationError(_("This claim is not for one of your promotions."))
    allowed_from = MARKS.get(status)
    if allowed_from is None:
        raise ValidationError({"status": [_("Mark a claim as returned, converted or overdue.")]})
    if locked.status not in allowed_from:
        raise ValidationError(
            {
                "status": [
                    _("A claim that is %(current)s cannot be marked %(new)s.")
                    % {
                        "current": locked.get_status_display().lower(),
                        "new": Claim.Status(status).label.lower(),
                    }
                ]
            }
        )
    today = timezone.localdate()
    if status == Claim.Status.OVERDUE and (locked.due_back is None or today <= locked.due_back):
        raise ValidationError({"status": [_("A trial is overdue only after its due date.")]})
    previous = locked.status
    locked.status = status
    locked.closed_at = None if status == Claim.Status.OVERDUE else timezone.now()
    locked.save(update_fields=["status", "closed_at", "updated_at"])
    if locked.person_id is not None:
        if status == Claim.Status.OVERDUE:
            _overdue_bill_issue(claim=locked, merchant=merchant)
        elif previous == Claim.Status.OVERDUE:
            _overdue_bill_settle(claim=locked, today=today)
    webhooks.webhook_events_emit(claim=locked, event=webhooks.EVENT_FOR_STATUS[status])
    logger.info("claim marked claim=%s status=%s", locked.pk, status)
    return locked


def _overdue_bill_issue(*, claim: Claim, merchant: Merchant) -> None:
    assert claim.due_back is not None and claim.person_id is not None
    Bill.objects.get_or_create(
        person_id=claim.person_id,
        reference=_overdue_bill_reference(claim),
        defaults={
            "kind": BillKind.CREDIT_LINE,
            "issuer": merchant.name,
            "amount": claim.promotion.amount or OVERDUE_NOMINAL_AMOUNT,
            "due_on": claim.due_back + datetime.timedelta(days=OVERDUE_GRACE_DAYS),
        },
    )
    outbox.enqueue("scoring.recompute_person", claim.person_id, timezone.localdate().isoformat())


def _overdue_bill_settle(*, claim: Claim, today: datetime.date) -> None:
    bill = Bill.objects.filter(
        person_id=claim.person_id, reference=_overdue_bill_reference(claim), paid_on__isnull=True
    ).first()
    if bill is None:
        return
    if today <= bill.due_on:
        bill.delete()  # back within the grace period: it never became a late payment
    else:
        bill.paid_on = today
        bill.save(update_fields=["paid_on", "updated_at"])
    outbox.enqueue("scoring.recompute_person", claim.person_id, today.isoformat())


def _claims_mark_expired(*, claim_ids: list[int], now: datetime.datetime) -> int:
    """Expire these (locked, active) claims and give their units back, set-based."""
    rows = list(
        Claim.objects.filter(pk__in=claim_ids, status=Claim.Status.ACTIVE).values_list("pk", "promotion_id")
    )
    if not rows:
        return 0
    Claim.objects.filter(pk__in=[pk for pk, _promotion in rows]).update(
        status=Claim.Status.EXPIRED, closed_at=now, updated_at=now
    )
    per_promotion: dict[int, int] = {}
    for _pk, promotion_id in rows:
        per_promotion[promotion_id] = per_promotion.get(promotion_id, 0) + 1
    for promotion_id, units in sorted(per_promotion.items()):
        _return_unit(promotion_id=promotion_id, units=units)
    webhooks.webhook_events_emit_many(
        claim_ids=[pk for pk, _promotion in rows], event=WebhookEvent.CLAIM_EXPIRED
    )
    return len(rows)


def claims_expire(*, now: datetime.datetime | None = None, batch_size: int = 1000) -> int:
    """Expire active claims past their pickup deadline and return their units; idempotent.

    Works in batches, each its own transaction; rows a counter is verifying right now are
    skipped (and expire on the next run, or at the counter itself).
    """
    now = now or timezone.now()
    expired = 0
    while True:
        with transaction.atomic():
            ids = list(
                Claim.objects.select_for_update(skip_locked=True)
                .filter(status=Claim.Status.ACTIVE, pickup_deadline__lte=now)
                .order_by("pk")
                .values_list("pk", flat=True)[:batch_size]
            )
            done = _claims_mark_expired(claim_ids=ids, now=now)
        expired += done
        if len(ids) < batch_size:
            break
    if expired:
        logger.info("claims expired count=%s", expired)
    return expired


# Shares -------------------------------------------------------------------------------------


@transaction.atomic
def share_create(*, person: User, show: str, expires_in_days: int) -> Share:
    """A revocable link showing the person's band (or score) to whoever holds it, for 1-365 days
    (its token on ``share.token``, here only: the database keeps its hash)."""
    errors: dict[str, list[str]] = {}
    if show not in Share.Show.values:
        _errors_add(errors, "show", _("Choose band or score."))
    if not _is_int(expires_in_days) or not SHARE_MIN_DAYS <= expires_in_days <= SHARE_MAX_DAYS:
        _errors_add(errors, "expires_in_days", _("A share lasts from 1 to 365 days."))
    if errors:
        raise ValidationError(errors)
    profile = ConsumerProfile.objects.filter(user=person).first()
    if profile is None or not profile.is_opted_in or profile.score is None:
        raise NotOptedIn()
    token = secrets.token_urlsafe(32)
    share = Share.objects.create(
        person=person,
        show=show,
        token_hash=key_hash(token),
        expires_at=timezone.now() + datetime.timedelta(days=expires_in_days),
    )
    # Only the hash is stored: the token travels on the returned object, for the owner to see once.
    share.token = token
    logger.info("share created share=%s person=%s show=%s", share.pk, person.pk, show)
    return share


@transaction.atomic
def share_revoke(*, share: Share, person: User) -> Share:
    """Stop a share of one's own from showing anything; revoking twice changes nothing."""
    locked = Share.objects.select_for_update().filter(pk=share.pk, person=person).first()
    if locked is None:
        raise ValidationError(_("This is not your share."))
    if locked.revoked_at is None:
        locked.revoked_at = timezone.now()
        locked.save(update_fields=["revoked_at", "updated_at"])
        logger.info("share revoked share=%s", locked.pk)
    return locked
