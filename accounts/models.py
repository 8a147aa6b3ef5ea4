from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.bands import Band

CONSENT_VERSION = "2026-11"


class User(AbstractUser):
    """A login: a consumer, a merchant's staff member, or platform staff."""

    class Meta:
        ordering = ["id"]

    @property
    def merchant_membership(self) -> "MerchantStaff | None":
        return getattr(self, "merchant_staff", None)


class MembershipTier(models.TextChoices):
    STANDARD = "standard", _("Standard")
    GOLD = "gold", _("Gold")
    PLATINUM = "platinum", _("Platinum")


class Region(models.TextChoices):
    SHANGHAI = "shanghai", _("Shanghai")
    BEIJING = "beijing", _("Beijing")
    ZHEJIANG = "zhejiang", _("Zhejiang")
    GUANGDONG = "guangdong", _("Guangdong")
    JIANGSU = "jiangsu", _("Jiangsu")
    SICHUAN = "sichuan", _("Sichuan")
    OTHER = "other", _("Other")


class ConsumerProfile(models.Model):
    """A consumer's consent to be scored, and the current score kept here for fast reads."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="consumer")
    is_opted_in = models.BooleanField(default=False, db_index=True)
    opted_in_at = models.DateTimeField(null=True, blank=True)
    opted_out_at = models.DateTimeField(null=True, blank=True)
    consent_version = models.CharField(max_length=20, blank=True)
    region = models.CharField(max_length=20, choices=Region.choices, default=Region.OTHER)
    membership_tier = models.CharField(
        max_length=10, choices=MembershipTier.choices, default=MembershipTier.STANDARD
    )
    score = models.PositiveSmallIntegerField(null=True, blank=True)
    score_as_of = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__gte=350, score__lte=950),
                name="profile_score_in_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user.username} ({'opted in' if self.is_opted_in else 'not opted in'})"

    @property
    def band(self) -> Band | None:
        return Band.for_score(self.score) if self.score is not None else None


class Merchant(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending approval")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        SUSPENDED = "suspended", _("Suspended")

    name = models.CharField(max_length=120, unique=True)
    slug = models.SlugField(max_length=60, unique=True)
    description = models.TextField(blank=True)
    contact_email = models.EmailField(blank=True)
    # Where and when people use a claim: shown on each claim of this merchant.
    address = models.CharField(max_length=200, blank=True, help_text="Where people use their claims.")
    opening_hours = models.CharField(
        max_length=200, blank=True, help_text="When the counter is open, for example: Mon-Sun 09:00-21:00."
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    approved_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_approved(self) -> bool:
        return self.status == self.Status.APPROVED


class MerchantStaff(models.Model):
    """Links a login to the one merchant it works for."""

    class Role(models.TextChoices):
        OWNER = "owner", _("Owner")
        STAFF = "staff", _("Staff")

    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="staff")
    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="merchant_staff")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.STAFF)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["merchant", "user"]
        verbose_name_plural = "merchant staff"

    def __str__(self) -> str:
        return f"{self.user.username} @ {self.merchant.name} ({self.role})"


class ApiToken(models.Model):
    """A person's key to the API (``Authorization: Token <key>``), one per sign-in through it.

    The key is shown once, when issued; only its prefix (to find it) and its hash are kept, so
    a copy of the database lets nobody in. A revoked token stays, for the record.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    key_prefix = models.CharField(max_length=16, unique=True)
    key_hash = models.CharField(max_length=64)
    # To the hour, from the moment of issue (accounts.services.api_token_record_use): an exact
    # time would cost every API request a write.
    last_used_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "API token"
        constraints = [
            models.CheckConstraint(
                condition=~Q(key_prefix="") & ~Q(key_hash=""), name="api_token_has_prefix_and_hash"
            ),
        ]

    def __str__(self) -> str:
        return f"API token {self.key_prefix}…"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None


class RealNameIdentity(models.Model):
    """A person's real-name identity: the legal name and resident ID they gave, and its verification.

    The number is kept only as a keyed hash and its last four characters (accounts.resident_ids).
    No row means "unverified". One verified identity per number: one real person, one profile.
    """

    class Status(models.TextChoices):
        UNVERIFIED = "unverified", _("Not verified")
        PENDING = "pending", _("Waiting for verification")
        VERIFIED = "verified", _("Verified")
        REJECTED = "rejected", _("Not verified (rejected)")

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="real_name")
    legal_name = models.CharField(max_length=100)
    id_hash = models.CharField(max_length=64, db_index=True)
    id_last4 = models.CharField(max_length=4)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    # Who decided, in words for staff: "partner:<slug>", "staff:<username>" or "demo verifier".
    decided_by = models.CharField(max_length=160, blank=True)
    decision_note = models.CharField(max_length=300, blank=True)
    submitted_at = models.DateTimeField()
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["submitted_at", "id"]
        verbose_name = "real-name identity"
        verbose_name_plural = "real-name identities"
        constraints = [
            models.UniqueConstraint(
                fields=["id_hash"], condition=Q(status="verified"), name="one_verified_identity_per_number"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["pending", "verified", "rejected"]), name="identity_status_stored"
            ),
            models.CheckConstraint(
                condition=Q(status="pending", decided_at__isnull=True)
                | (~Q(status="pending") & Q(decided_at__isnull=False)),
                name="identity_decided_when_not_pending",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user.username}: …{self.id_last4} ({self.status})"

    @property
    def is_verified(self) -> bool:
        return self.status == self.Status.VERIFIED
