"""Promotions merchants offer to people above a score, the claims made on them, and shares."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Mod
from django.db.models.lookups import Exact
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Merchant
from core.encryption import EncryptedTextField

User = settings.AUTH_USER_MODEL


class Category(models.TextChoices):
    MEDICAL = "medical", _("Medical")
    DEPOSIT_FREE = "deposit_free", _("Deposit-free")
    TRY_BEFORE_BUY = "try_before_buy", _("Try before you buy")
    CREDIT = "credit", _("Credit")
    ACCESS = "access", _("Access")
    LIBRARY = "library", _("Library")


class BenefitType(models.TextChoices):
    TRIAL = "trial", _("Free trial")
    DEPOSIT_WAIVER = "deposit_waiver", _("Deposit waived")
    CREDIT_LINE = "credit_line", _("Credit line")
    PRIORITY = "priority", _("Priority service")
    ACCESS = "access", _("Access")


class PromotionQuerySet(models.QuerySet):
    def live(self, *, at=None) -> "PromotionQuerySet":
        at = at or timezone.now()
        return self.filter(
            Q(ends_at__isnull=True) | Q(ends_at__gt=at),
            status=Promotion.Status.ACTIVE,
            starts_at__lte=at,
            merchant__status=Merchant.Status.APPROVED,
        )


class Promotion(models.Model):
    """A condition (score threshold plus optional rules) and a benefit, offered by a merchant."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        ACTIVE = "active", _("Active")
        PAUSED = "paused", _("Paused")
        ENDED = "ended", _("Ended")

    merchant = models.ForeignKey(Merchant, on_delete=models.PROTECT, related_name="promotions")
    title = models.CharField(max_length=120)
    title_zh = models.CharField(max_length=120, blank=True)
    description = models.TextField(blank=True)
    description_zh = models.TextField(blank=True)
    category = models.CharField(max_length=20, choices=Category.choices)
    benefit_type = models.CharField(max_length=20, choices=BenefitType.choices)
    trial_days = models.PositiveSmallIntegerField(null=True, blank=True)
    amount = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    min_score = models.PositiveSmallIntegerField()
    # A validated condition tree (perks/conditions.py) and optional score tiers of benefit.
    conditions = models.JSONField(default=dict, blank=True)
    tiers = models.JSONField(default=list, blank=True)
    regions = models.JSONField(default=list, blank=True)
    quantity = models.PositiveIntegerField(null=True, blank=True)
    remaining = models.IntegerField(null=True, blank=True)
    per_user_limit = models.PositiveSmallIntegerField(default=1)
    # What the person's account itself must be, whatever the score: old enough (fresh accounts
    # scripted in bulk drain deposit-free perks). A verified-identity requirement joins it here.
    min_account_age_days = models.PositiveSmallIntegerField(default=0)
    pickup_days = models.PositiveSmallIntegerField(default=7)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PromotionQuerySet.as_manager()

    class Meta:
        ordering = ["min_score", "title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(min_score__gte=350, min_score__lte=950), name="promotion_min_score_in_range"
            ),
            models.CheckConstraint(
                condition=Exact(Mod("min_score", 50), 0), name="promotion_min_score_step_50"
            ),
            models.CheckConstraint(
                condition=Q(ends_at__isnull=True) | Q(ends_at__gt=F("starts_at")),
                name="promotion_ends_after_start",
            ),
            models.CheckConstraint(
                condition=Q(remaining__isnull=True) | Q(remaining__gte=0),
                name="promotion_remaining_non_negative",
            ),
            models.CheckConstraint(
                condition=Q(per_user_limit__gte=1), name="promotion_per_user_limit_positive"
            ),
            # Stock is either unlimited (both null) or counted (remaining never above quantity).
            models.CheckConstraint(
                condition=Q(quantity__isnull=True, remaining__isnull=True)
                | Q(quantity__isnull=False, remaining__isnull=False, remaining__lte=F("quantity")),
                name="promotion_remaining_within_quantity",
            ),
            models.CheckConstraint(
                condition=Q(amount__isnull=True) | Q(amount__gt=0), name="promotion_amount_positive"
            ),
            models.CheckConstraint(
                condition=Q(trial_days__isnull=True) | Q(trial_days__gte=1),
                name="promotion_trial_days_positive",
            ),
            models.CheckConstraint(condition=Q(pickup_days__gte=1), name="promotion_pickup_days_positive"),
            models.CheckConstraint(
                condition=Q(min_account_age_days__lte=365), name="promotion_min_account_age_at_most_a_year"
            ),
        ]
        indexes = [models.Index(fields=["status", "starts_at"])]

    def __str__(self) -> str:
        return f"{self.title} ({self.merchant})"


class Claim(models.Model):
    """A person's claim on a promotion: a code shown at the counter, and what became of it."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        IN_USE = "in_use", _("In use")
        USED = "used", _("Used")
        RETURNED = "returned", _("Returned")
        CONVERTED = "converted", _("Bought")
        OVERDUE = "overdue", _("Overdue")
        CANCELLED = "cancelled", _("Cancelled")
        EXPIRED = "expired", _("Expired")

    promotion = models.ForeignKey(Promotion, on_delete=models.PROTECT, related_name="claims")
    # Null once the person deleted their account: the merchant keeps an anonymised record.
    person = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="claims")
    code = models.CharField(max_length=16, unique=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    benefit = models.CharField(max_length=200)
    claimed_at = models.DateTimeField(default=timezone.now)
    pickup_deadline = models.DateTimeField()
    verified_at = models.DateTimeField(null=True, blank=True)
    due_back = models.DateField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    idempotency_key = models.CharField(max_length=100, null=True, blank=True)
    request_fingerprint = models.CharField(max_length=64, blank=True)
    # The part of the promotion's conditions only the counter can check (say, the ticket class),
    # fixed when the claim was made: later edits of the promotion never change what was promised.
    counter_conditions = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-claimed_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "idempotency_key"],
                condition=Q(idempotency_key__isnull=False),
                name="claim_unique_idempotency_key",
            ),
        ]
        indexes = [
            models.Index(fields=["promotion", "status"]),
            models.Index(fields=["person", "promotion"]),
            models.Index(fields=["status", "pickup_deadline"]),
        ]

    def __str__(self) -> str:
        return self.code


class CounterCheck(models.Model):
    """A merchant's check of a claim code at the counter, kept so the person sees who checked."""

    class Outcome(models.TextChoices):
        CHECKED = "checked", _("Checked: valid, not handed over yet")
        VERIFIED = "verified", _("Handed over")
        UNDONE = "undone", _("Hand-over undone")
        NOT_VALID = "not_valid", _("Not valid (already used, cancelled or expired)")
        CHECK_NEEDED = "check_needed", _("Counter check needed")
        CONDITIONS_UNMET = "conditions_unmet", _("Conditions not met at the counter")
        WRONG_MERCHANT = "wrong_merchant", _("Refused: another merchant's code")

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="counter_checks")
    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="counter_checks")
    checked_at = models.DateTimeField(default=timezone.now)
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-checked_at", "-id"]
        indexes = [models.Index(fields=["claim", "checked_at"])]

    def __str__(self) -> str:
        return f"{self.claim} checked by {self.merchant}: {self.get_outcome_display()}"


class Share(models.Model):
    """A consented, revocable link that shows a person's band (or score) to whoever holds it."""

    class Show(models.TextChoices):
        BAND = "band", _("Band only")
        SCORE = "score", _("Score and band")

    person = models.ForeignKey(User, on_delete=models.CASCADE, related_name="shares")
    # Only the SHA-256 of the link's token (core.keys.key_hash, as API tokens): a copy of the
    # database opens no share. The token itself is on ``share.token`` once, when made.
    token_hash = models.CharField(max_length=64, unique=True)
    show = models.CharField(max_length=5, choices=Show.choices, default=Show.BAND)
    # Not a field: set by share_create on the share it returns, and absent on shares read back.
    token: str
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__gt=F("created_at")), name="share_expires_after_creation"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_show_display()} share of {self.person}"


# Webhooks -----------------------------------------------------------------------------------


class WebhookEvent(models.TextChoices):
    """What a merchant's endpoint hears about its claims (the ``type`` of each payload)."""

    CLAIM_CREATED = "claim.created", _("Claim created")
    CLAIM_CANCELLED = "claim.cancelled", _("Claim cancelled")
    CLAIM_EXPIRED = "claim.expired", _("Claim expired")
    CLAIM_RETURNED = "claim.returned", _("Trial returned")
    CLAIM_CONVERTED = "claim.converted", _("Trial bought")
    CLAIM_OVERDUE = "claim.overdue", _("Trial overdue")
    CLAIM_HANDED_OVER = "claim.handed_over", _("Handed over at the counter")
    CLAIM_HAND_OVER_UNDONE = "claim.hand_over_undone", _("Hand-over undone")


class WebhookEndpoint(models.Model):
    """A merchant's HTTPS address that receives claim events, signed with its own secret."""

    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="webhook_endpoints")
    url = models.URLField(max_length=500)
    description = models.CharField(max_length=120, blank=True)
    # The HMAC key. It must be read back to sign (a hash could not), so it is stored encrypted
    # (core/encryption.py), shown once at creation and never again: not in the console, not
    # in the admin.
    secret = EncryptedTextField()
    is_active = models.BooleanField(default=True)
    disabled_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["merchant", "is_active"])]

    def __str__(self) -> str:
        return self.url


class WebhookDelivery(models.Model):
    """One event for one endpoint: its payload and what became of sending it."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed")

    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    event = models.CharField(max_length=30, choices=WebhookEvent.choices)
    # Also sent as X-Portal-Delivery: receivers drop a delivery id they have seen.
    event_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    payload = models.JSONField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    response_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "webhook deliveries"
        indexes = [
            models.Index(fields=["endpoint", "created_at"]),
            models.Index(fields=["status", "next_attempt_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.event} to {self.endpoint}: {self.status}"


class Goal(models.Model):
    """The perk a person aims for ("750 for the Ford"): one at a time; reached once, told once."""

    person = models.OneToOneField(User, on_delete=models.CASCADE, related_name="perk_goal")
    promotion = models.ForeignKey(Promotion, on_delete=models.CASCADE, related_name="goals")
    reached_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.person} aims for {self.promotion}"
