"""Promotions: a merchant's offer, validated once here for the console and the API alike."""

import datetime
import logging
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Merchant, Region, User
from core.audit import audit_record
from core.bands import SCORE_MAX, SCORE_MIN

from .. import conditions, selectors
from ..models import BenefitType, Claim, Promotion
from .fields import errors_add, is_int

logger = logging.getLogger(__name__)

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


# Promotions ---------------------------------------------------------------------------------


def _clean_amount(value: object, errors: dict[str, list[str]]) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value))
    except (InvalidOperation, ValueError):
        errors_add(errors, "amount", _("Enter the amount in RMB as a number, such as 299.00."))
        return None
    if not amount.is_finite():
        errors_add(errors, "amount", _("Enter the amount in RMB as a number, such as 299.00."))
        return None
    if amount <= 0:
        errors_add(errors, "amount", _("Enter the amount in RMB, more than 0."))
    elif amount > MAX_AMOUNT:
        errors_add(errors, "amount", _("Enter an amount of at most ¥9,999,999,999.99."))
    elif amount != amount.quantize(Decimal("0.01")):
        errors_add(errors, "amount", _("Enter the amount with at most 2 decimal places."))
    else:
        return amount.quantize(Decimal("0.01"))
    return None


def _check_int(
    values: dict[str, Any], errors: dict[str, list[str]], field: str, *, low: int, high: int, message: str
) -> None:
    value = values.get(field)
    if value is not None and (not is_int(value) or not low <= value <= high):
        errors_add(errors, field, message)


def _check_account_requirements(values: dict[str, Any], errors: dict[str, list[str]]) -> None:
    """What the claimant's account must be (its age for now; a verified identity may join)."""
    age = values.get("min_account_age_days")
    if age is None or not is_int(age) or not 0 <= age <= MAX_ACCOUNT_AGE_DAYS:
        errors_add(
            errors,
            "min_account_age_days",
            _("Enter the minimum account age as a whole number of days from 0 to 365."),
        )


def _check_datetime(values: dict[str, Any], errors: dict[str, list[str]], field: str) -> bool:
    value = values.get(field)
    if value is None:
        return True
    if not isinstance(value, datetime.datetime) or timezone.is_naive(value):
        errors_add(errors, field, _("Enter a date and time with its time zone."))
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
        if not is_int(score) or not SCORE_MIN <= score <= SCORE_MAX:
            return [_("Tier %(n)d: min_score must be from 350 to 950.") % where]
        if score % SCORE_STEP:
            return [
                _("Tier %(n)d: min_score must be a multiple of 50 (550, 600, 650, 700, 750 ...).") % where
            ]
        if is_int(min_score) and score < min_score:
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
        errors_add(errors, "min_score", _("Enter the score threshold."))
    elif not is_int(min_score) or not SCORE_MIN <= min_score <= SCORE_MAX:
        errors_add(errors, "min_score", _("Enter a score threshold from 350 to 950."))
    elif min_score % SCORE_STEP:
        errors_add(
            errors,
            "min_score",
            _(
                "min_score: must be a multiple of 50 (550, 600, 650, 700, 750 ...): a merchant "
                "may learn only which 50-point bracket a score is in."
            ),
        )

    if values.get("starts_at") is None:
        errors_add(errors, "starts_at", _("Enter when the promotion starts."))
    dates_ok = _check_datetime(values, errors, "starts_at") & _check_datetime(values, errors, "ends_at")
    if (
        dates_ok
        and values.get("starts_at")
        and values.get("ends_at")
        and values["ends_at"] <= values["starts_at"]
    ):
        errors_add(errors, "ends_at", _("The end must be after the start."))

    quantity = values.get("quantity")
    if quantity is not None:
        if not is_int(quantity):
            errors_add(errors, "quantity", _("Enter the quantity as a whole number, or leave it empty."))
        elif quantity < 0:
            errors_add(errors, "quantity", _("The quantity cannot be negative."))
        elif quantity > MAX_QUANTITY:
            errors_add(errors, "quantity", _("The quantity can be at most 1,000,000."))
        elif quantity < claimed_units:
            errors_add(
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
            errors_add(errors, "trial_days", _("A free trial needs its number of days."))
        elif not is_int(trial_days) or not 1 <= trial_days <= MAX_TRIAL_DAYS:
            errors_add(errors, "trial_days", _("A free trial lasts from 1 to 365 days."))
    elif trial_days is not None:
        errors_add(errors, "trial_days", _("Only a free trial has a number of days."))

    amount_errors: dict[str, list[str]] = {}
    values["amount"] = _clean_amount(values.get("amount"), amount_errors)
    if amount_errors:
        errors.update(amount_errors)
    elif benefit_type in NEEDS_AMOUNT and values["amount"] is None:
        errors_add(errors, "amount", _("Enter the amount in RMB, more than 0."))

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
        errors_add(
            errors,
            "regions",
            _("Regions must be a list of: %(allowed)s.") % {"allowed": ", ".join(Region.values)},
        )
    elif len(set(regions)) != len(regions):
        errors_add(errors, "regions", _("A region is listed twice."))
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
    return Claim.objects.filter(promotion=promotion, status__in=selectors.UNIT_HOLDING_STATUSES).count()


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
