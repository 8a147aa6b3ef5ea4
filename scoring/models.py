"""The data a score is made of (signals), the scoring models, and the scores made."""

import datetime
from typing import TypedDict

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Now
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.bands import Band

User = settings.AUTH_USER_MODEL


class MoneyOptions(TypedDict):
    max_digits: int
    decimal_places: int


MONEY: MoneyOptions = {"max_digits": 14, "decimal_places": 2}


def received_at_field(**options: object) -> models.DateTimeField:
    """When a signal reached us: a feature read as of a date sees only what had arrived by its end.

    Set by ingestion (now) and by the generators (a realistic past moment); raw SQL inserts get
    the database's clock. Not editable: staff correcting a record in the admin do not move when it
    reached us.
    """
    return models.DateTimeField(default=timezone.now, db_default=Now(), editable=False, **options)  # type: ignore[arg-type]


class Partner(models.Model):
    """A data partner that feeds events through the ingestion API with its own key."""

    name = models.CharField(max_length=120, unique=True)
    slug = models.SlugField(max_length=60, unique=True)
    # The key is shown once when made; only its prefix (for lookup) and hash are kept.
    key_prefix = models.CharField(max_length=12, unique=True, null=True, blank=True)
    key_hash = models.CharField(max_length=64, blank=True)
    is_active = models.BooleanField(default=True)
    # The identity scope: the partner may read pending real-name requests and post verdicts.
    verifies_identity = models.BooleanField(
        default=False, help_text="May read pending real-name verification requests and decide them."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class EventKind(models.TextChoices):
    BILL_PAID = "bill_paid", _("Bill paid")
    BILL_OVERDUE = "bill_overdue", _("Bill overdue")
    BALANCE = "balance", _("Balance")
    RENTAL_PAYMENT = "rental_payment", _("Rental payment")
    CREDIT_LINE = "credit_line", _("Credit line status")
    PURCHASE = "purchase", _("Purchase")
    IDENTITY_VERIFIED = "identity_verified", _("Identity verification")
    CONTACT = "contact", _("Contact")
    BLACKLIST_LISTED = "blacklist_listed", _("Blacklist: listed")
    BLACKLIST_LIFTED = "blacklist_lifted", _("Blacklist: lifted")


class IngestedEvent(models.Model):
    """Every event received, once: the partner's id is unique per partner."""

    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="events")
    external_id = models.CharField(max_length=100)
    kind = models.CharField(max_length=20, choices=EventKind.choices)
    person = models.ForeignKey(User, on_delete=models.CASCADE, related_name="ingested_events")
    payload = models.JSONField()
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["partner", "external_id"], name="event_unique_per_partner"),
        ]

    def __str__(self) -> str:
        return f"{self.partner}: {self.external_id} ({self.kind})"


class BillKind(models.TextChoices):
    CREDIT_CARD = "credit_card", _("Credit card")
    CREDIT_LINE = "credit_line", _("Credit line")
    UTILITY = "utility", _("Utility")
    TRAFFIC_FINE = "traffic_fine", _("Traffic fine")
    LOAN = "loan", _("Loan")
    RENT = "rent", _("Rent")


# The reference of the bill raised when a trial item or a deposit-free item is kept past its due
# date (``services.bill_overdue_issue``): the outcome of the fit counts it unpaid as bad.
OVERDUE_ITEM_REFERENCE_PREFIX = "perks-claim:"


class Bill(models.Model):
    """A bill and whether it was paid by its due date: the core of credit history."""

    person = models.ForeignKey(User, on_delete=models.CASCADE, related_name="bills")
    reference = models.CharField(max_length=100, blank=True)
    kind = models.CharField(max_length=20, choices=BillKind.choices)
    issuer = models.CharField(max_length=120, blank=True)
    amount = models.DecimalField(**MONEY)
    due_on = models.DateField()
    paid_on = models.DateField(null=True, blank=True)
    # Who reported it, so that a correction (an upheld dispute) reaches the partner.
    partner = models.ForeignKey(
        Partner, on_delete=models.SET_NULL, null=True, blank=True, related_name="bills"
    )
    received_at = received_at_field()
    # When a payment reported after the bill itself reached us; empty when the bill arrived paid.
    # Until then the bill reads as unpaid, so a bill overdue on a date stays overdue on that date.
    paid_received_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-due_on", "-id"]
        indexes = [models.Index(fields=["person", "due_on"])]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="bill_amount_positive")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount} due {self.due_on}"

    @property
    def is_late(self) -> bool:
        return self.paid_on is not None and self.paid_on > self.due_on


class Balance(models.Model):
    """An available-balance reading of a person's accounts."""

    person = models.ForeignKey(User, on_delete=models.CASCADE, related_name="balances")
    as_of = models.DateField()
    amount = models.DecimalField(**MONEY)
    received_at = received_at_field()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-as_of", "-id"]
        indexes = [models.Index(fields=["person", "as_of"])]

    def __str__(self) -> str:
        return f"{self.amount} on {self.as_of}"


class CreditLine(models.Model):
    """The state of a consumer credit line (limit and use) on a date."""

    person = models.ForeignKey(User, on_delete=models.CASCADE, related_name="credit_lines")
    provider = models.CharField(max_length=120)
    as_of = models.DateField()
    limit = models.DecimalField(**MONEY)
    used = models.DecimalField(**MONEY)
    received_at = received_at_field()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-as_of", "-id"]
        indexes = [models.Index(fields=["person", "as_of"])]
        constraints = [
            models.CheckConstraint(condition=Q(limit__gte=0, used__gte=0), name="credit_line_non_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.provider}: {self.used}/{self.limit} on {self.as_of}"


class Purchase(models.Model):
    person = models.ForeignKey(User, on_delete=models.CASCADE, related_name="purchases")
    occurred_on = models.DateField()
    amount = models.DecimalField(**MONEY)
    # Kept for the person's own view; the model leaves out what people buy on purpose.
    category = models.CharField(max_length=40, blank=True)
    received_at = received_at_field()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-occurred_on", "-id"]
        indexes = [models.Index(fields=["person", "occurred_on"])]

    def __str__(self) -> str:
        return f"{self.amount} on {self.occurred_on}"


class Education(models.TextChoices):
    UNKNOWN = "", _("Not given")
    SECONDARY = "secondary", _("Secondary school")
    BACHELOR = "bachelor", _("Bachelor's degree")
    MASTER = "master", _("Master's degree")
    DOCTORATE = "doctorate", _("Doctorate")


class Identity(models.Model):
    """Verified identity facts, one row per person, updated by identity events."""

    person = models.OneToOneField(User, on_delete=models.CASCADE, related_name="identity")
    real_name_verified = models.BooleanField(default=False)
    education = models.CharField(max_length=20, choices=Education.choices, blank=True)
    address_since = models.DateField(null=True, blank=True)
    phone_verified = models.BooleanField(default=False)
    email_verified = models.BooleanField(default=False)
    # When these facts (the current state) reached us; every earlier state is an IdentityRevision.
    received_at = received_at_field()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["person"]
        verbose_name_plural = "identities"

    def __str__(self) -> str:
        return f"identity of {self.person}"


IDENTITY_FACTS = ("real_name_verified", "education", "address_since", "phone_verified", "email_verified")


class IdentityRevision(models.Model):
    """A person's identity facts as they stood from ``received_at`` until ``superseded_at``.

    Written by the one service that changes ``Identity``, before it changes it, so a feature
    read of a past date finds the facts known then.
    """

    person = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+", db_index=False)
    real_name_verified = models.BooleanField(default=False)
    education = models.CharField(max_length=20, choices=Education.choices, blank=True)
    address_since = models.DateField(null=True, blank=True)
    phone_verified = models.BooleanField(default=False)
    email_verified = models.BooleanField(default=False)
    received_at = models.DateTimeField()
    superseded_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["person", "received_at"]
        indexes = [models.Index(fields=["person", "superseded_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(superseded_at__gte=models.F("received_at")), name="identity_revision_in_order"
            ),
        ]

    def __str__(self) -> str:
        return f"identity of {self.person_id} until {self.superseded_at}"


class Contact(models.Model):
    """A contact a partner reported between two people, with how often they interacted lately.

    Only the person can confirm it; the connections dimension counts confirmed contacts only.
    """

    class Status(models.TextChoices):
        REPORTED = "reported", _("Waiting for you to confirm")
        CONFIRMED = "confirmed", _("Confirmed")
        REJECTED = "rejected", _("Not my contact")

    person = models.ForeignKey(User, on_delete=models.CASCADE, related_name="contacts")
    contact = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    # The date the partner gives for the contact (the event's ``confirmed_on``).
    confirmed_on = models.DateField()
    interactions_90d = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.REPORTED)
    decided_at = models.DateTimeField(null=True, blank=True)
    # When the current state (the partner's report or the person's decision, the later) reached
    # us; every earlier state is a ContactRevision.
    received_at = received_at_field()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["person", "contact"]
        constraints = [
            models.UniqueConstraint(fields=["person", "contact"], name="contact_unique_pair"),
            models.CheckConstraint(condition=~Q(person=models.F("contact")), name="contact_not_self"),
        ]

    def __str__(self) -> str:
        return f"{self.person} ↔ {self.contact}"


class ContactRevision(models.Model):
    """A contact as it stood from ``received_at`` until ``superseded_at`` (see IdentityRevision)."""

    person = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+", db_index=False)
    contact = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    confirmed_on = models.DateField()
    interactions_90d = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=10, choices=Contact.Status.choices)
    received_at = models.DateTimeField()
    superseded_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["person", "contact", "received_at"]
        indexes = [models.Index(fields=["person", "superseded_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(superseded_at__gte=models.F("received_at")), name="contact_revision_in_order"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} ↔ {self.contact_id} until {self.superseded_at}"


class BlacklistEntryQuerySet(models.QuerySet["BlacklistEntry"]):
    def in_force(self, *, at: datetime.date) -> "BlacklistEntryQuerySet":
        """Listings in force on a date: listed by then, not lifted, any ban still running.

        An overturned entry never counts. The one definition of "listed by a court" that the
        dashboard, the perks and eligibility all use.
        """
        return self.filter(
            Q(ban_until__isnull=True) | Q(ban_until__gte=at), listed_on__lte=at, lifted_on__isnull=True
        ).exclude(lift_reason=BlacklistEntry.LiftReason.OVERTURNED)


class BlacklistEntry(models.Model):
    """A court's listing of a person as a dishonest judgment debtor."""

    class LiftReason(models.TextChoices):
        SETTLED = "settled", _("Judgment complied with")
        EXPIRED = "expired", _("Ban period ended")
        OVERTURNED = "overturned", _("Listed in error (dispute upheld)")

    person = models.ForeignKey(User, on_delete=models.CASCADE, related_name="blacklist_entries")
    court = models.CharField(max_length=200)
    case_number = models.CharField(max_length=100)
    listed_on = models.DateField()
    ban_until = models.DateField(null=True, blank=True)
    lifted_on = models.DateField(null=True, blank=True)
    lift_reason = models.CharField(max_length=20, choices=LiftReason.choices, blank=True)
    source = models.CharField(max_length=200, blank=True)
    note = models.TextField(blank=True)
    received_at = received_at_field()
    # When the lifting reached us (empty when the entry arrived lifted, or is not lifted): until
    # then a feature read sees the entry in force.
    lifted_received_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = BlacklistEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-listed_on", "-id"]
        verbose_name_plural = "blacklist entries"
        constraints = [
            models.UniqueConstraint(fields=["person", "court", "case_number"], name="blacklist_unique_case"),
            models.CheckConstraint(
                condition=Q(lifted_on__isnull=True) | Q(lifted_on__gte=models.F("listed_on")),
                name="blacklist_lifted_after_listed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.court} {self.case_number}"


class ScoringModel(models.Model):
    """An immutable, versioned set of weights and point tables; one is active.

    A version moves draft -> validated (its report attached) -> approved (by a second staff user)
    -> shadow (scored every night beside the active one, never shown) -> active -> retired; the
    services in ``scoring.services.models`` own every move and its refusals.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        VALIDATED = "validated", _("Validated")
        APPROVED = "approved", _("Approved")
        SHADOW = "shadow", _("Shadow")
        ACTIVE = "active", _("Active")
        RETIRED = "retired", _("Retired")

    version = models.CharField(max_length=40, unique=True)
    description = models.TextField(blank=True)
    parameters = models.JSONField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    # Kept beside the status for the one-active unique index that every score's lookup uses.
    is_active = models.BooleanField(default=False)
    activated_at = models.DateTimeField(null=True, blank=True)
    # The validation report (scoring.fitting's JSON); validating a model requires one.
    report = models.JSONField(null=True, blank=True)
    # Who fitted or uploaded it: they may not also approve it.
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    approved_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    approved_at = models.DateTimeField(null=True, blank=True)
    retired_at = models.DateTimeField(null=True, blank=True)
    # The score distribution (and, for a fitted model, each characteristic's bin counts) the
    # nightly watch compares against: {"scores": [counts per 50-point bucket], "characteristics":
    # {name: [counts, "no data" first]}}.
    baseline = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_active"], condition=Q(is_active=True), name="one_active_model"
            ),
            models.UniqueConstraint(fields=["status"], condition=Q(status="shadow"), name="one_shadow_model"),
            models.CheckConstraint(
                condition=Q(is_active=True, status="active") | (Q(is_active=False) & ~Q(status="active")),
                name="active_flag_matches_status",
            ),
        ]

    def __str__(self) -> str:
        return self.version


class ScoreSnapshot(models.Model):
    """A person's score on a date, with the model that made it and why."""

    # No index of its own: the unique (person, as_of) index serves every lookup by person, in
    # date order, and one index fewer is one fewer to write for each of the nightly run's rows.
    person = models.ForeignKey(User, on_delete=models.CASCADE, related_name="score_snapshots", db_index=False)
    as_of = models.DateField()
    score = models.PositiveSmallIntegerField()
    band = models.CharField(max_length=10, choices=Band.choices)
    model = models.ForeignKey(ScoringModel, on_delete=models.PROTECT, related_name="snapshots")
    credit_history = models.PositiveSmallIntegerField()
    fulfilment_capacity = models.PositiveSmallIntegerField()
    behaviour = models.PositiveSmallIntegerField()
    identity = models.PositiveSmallIntegerField()
    connections = models.PositiveSmallIntegerField()
    reasons = models.JSONField(default=list)
    # The exact features the score was computed from (scoring.feature_vectors' compact form), so
    # ``score_replay`` recomputes it bit for bit with the snapshot's model; empty for older rows.
    features = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["person", "as_of"]
        constraints = [
            models.UniqueConstraint(fields=["person", "as_of"], name="one_snapshot_per_person_and_date"),
            models.CheckConstraint(
                condition=Q(score__gte=350, score__lte=950), name="snapshot_score_in_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} {self.as_of}: {self.score}"


class RecomputeRun(models.Model):
    """One nightly recompute of every opted-in person's score for a date."""

    class Status(models.TextChoices):
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Finished with failures")

    as_of = models.DateField(unique=True)
    model = models.ForeignKey(ScoringModel, on_delete=models.PROTECT, related_name="runs")
    # The challenger in shadow when the run was planned: it scores everyone too, kept apart.
    shadow_model = models.ForeignKey(
        ScoringModel, on_delete=models.PROTECT, null=True, blank=True, related_name="shadow_runs"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RUNNING)
    chunk_size = models.PositiveIntegerField()
    people_total = models.PositiveIntegerField(default=0)
    people_done = models.PositiveIntegerField(default=0)
    people_failed = models.PositiveIntegerField(default=0)
    is_late = models.BooleanField(default=False)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-as_of"]

    def __str__(self) -> str:
        return f"Recompute {self.as_of} ({self.status})"


class RecomputeChunk(models.Model):
    """A slice of a run by person id range; the unit of work a task does."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    run = models.ForeignKey(RecomputeRun, on_delete=models.CASCADE, related_name="chunks")
    first_person_id = models.BigIntegerField()
    last_person_id = models.BigIntegerField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    people = models.PositiveIntegerField(default=0)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    # What the nightly watch sums over the run's chunks, written with the chunk:
    # {"scores": [counts per 50-point bucket], "characteristics": {name: [bin counts]}}.
    histograms = models.JSONField(default=dict, blank=True)
    dispatched_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["run", "first_person_id"]
        constraints = [
            models.UniqueConstraint(fields=["run", "first_person_id"], name="chunk_unique_start"),
        ]

    def __str__(self) -> str:
        return f"{self.first_person_id}-{self.last_person_id} ({self.status})"


class ShadowScore(models.Model):
    """A challenger model's score for a person on a night: kept apart from snapshots, never shown
    to the person or a merchant, never used for eligibility; only the shadow report reads it."""

    person = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+", db_index=False)
    model = models.ForeignKey(ScoringModel, on_delete=models.CASCADE, related_name="shadow_scores")
    as_of = models.DateField()
    score = models.PositiveSmallIntegerField()
    band = models.CharField(max_length=10, choices=Band.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["model", "as_of", "person"]
        constraints = [
            models.UniqueConstraint(fields=["model", "as_of", "person"], name="one_shadow_score_per_night"),
            models.CheckConstraint(condition=Q(score__gte=350, score__lte=950), name="shadow_score_in_range"),
        ]

    def __str__(self) -> str:
        return f"{self.model_id} {self.person_id} {self.as_of}: {self.score}"


class ModelMonitoring(models.Model):
    """The nightly watch after a run: PSI of the scores and CSI of each characteristic against
    the active model's baseline, each flagged stable, investigate (>= 0.10) or act (>= 0.25)."""

    class Flag(models.TextChoices):
        STABLE = "stable", _("Stable")
        INVESTIGATE = "investigate", _("Investigate")
        ACT = "act", _("Act")

    run = models.OneToOneField(RecomputeRun, on_delete=models.CASCADE, related_name="monitoring")
    model = models.ForeignKey(ScoringModel, on_delete=models.PROTECT, related_name="monitoring")
    people = models.PositiveIntegerField()
    psi = models.FloatField()
    psi_flag = models.CharField(max_length=12, choices=Flag.choices)
    csi = models.JSONField(default=dict)  # {name: {"csi": value, "flag": flag}}
    flag = models.CharField(max_length=12, choices=Flag.choices)  # the worst of all
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-run__as_of"]
        verbose_name_plural = "model monitoring"

    def __str__(self) -> str:
        return f"{self.model_id} {self.run_id}: {self.flag}"


class DataSource(models.TextChoices):
    """The kinds of data a person can stop counting toward their score, one switch each."""

    BILLS = "bills", _("Bills paid on time (cards, credit lines, utilities, fines, loans)")
    RENT = "rent", _("Rent paid on time")
    BALANCES = "balances", _("Account balances")
    CREDIT_LINE = "credit_line", _("Credit line: limit and use")
    PURCHASES = "purchases", _("Purchases and active days")
    IDENTITY_FACTS = "identity_facts", _("Education, address, phone and email reported by partners")
    CONTACTS = "contacts", _("Confirmed contacts")


class SourceConsent(models.Model):
    """A person's switch for one data source; no row means the source counts."""

    person = models.ForeignKey(User, on_delete=models.CASCADE, related_name="source_consents")
    source = models.CharField(max_length=20, choices=DataSource.choices)
    is_enabled = models.BooleanField(default=True)
    changed_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["person", "source"]
        constraints = [
            models.UniqueConstraint(fields=["person", "source"], name="one_switch_per_person_and_source"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.source}: {'on' if self.is_enabled else 'off'}"


class Declaration(models.Model):
    """Education and address as the person states them: self-declared, kept apart from verified facts.

    The launch model counts only what a partner verified (``Identity``); what is declared here
    does not move the score, and the profile page says so.
    """

    person = models.OneToOneField(User, on_delete=models.CASCADE, related_name="declaration")
    education = models.CharField(max_length=20, choices=Education.choices, blank=True)
    address = models.CharField(max_length=200, blank=True)
    address_since = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["person"]

    def __str__(self) -> str:
        return f"declaration of {self.person_id}"


# --- Disputes -------------------------------------------------------------------------------


class Dispute(models.Model):
    """A person's challenge of a listing or of any data we hold; staff answer within 20 days."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        ACCEPTED = "accepted", _("Accepted")
        REJECTED = "rejected", _("Rejected")

    person = models.ForeignKey(User, on_delete=models.CASCADE, related_name="disputes")
    blacklist_entry = models.ForeignKey(
        BlacklistEntry, on_delete=models.SET_NULL, null=True, blank=True, related_name="disputes"
    )
    bill = models.ForeignKey(Bill, on_delete=models.SET_NULL, null=True, blank=True, related_name="disputes")
    signal = models.CharField(
        max_length=200, blank=True, help_text="The data disputed, in the person's words."
    )
    reason = models.TextField(max_length=2000)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    response = models.TextField(blank=True, help_text="Shown to the person; required to reject.")
    due_by = models.DateField()
    resolved_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "due_by"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="open", resolved_at__isnull=True)
                | (~Q(status="open") & Q(resolved_at__isnull=False)),
                name="dispute_resolved_when_closed",
            ),
            models.UniqueConstraint(
                fields=["blacklist_entry"],
                condition=Q(status="open", blacklist_entry__isnull=False),
                name="one_open_dispute_per_listing",
            ),
            models.UniqueConstraint(
                fields=["bill"],
                condition=Q(status="open", bill__isnull=False),
                name="one_open_dispute_per_bill",
            ),
        ]

    def __str__(self) -> str:
        return f"Dispute by {self.person} ({self.get_status_display().lower()})"

    @property
    def is_past_due(self) -> bool:
        """Still open after the day it had to be answered by."""
        return self.status == self.Status.OPEN and self.due_by < timezone.localdate()


class PartnerNotice(models.Model):
    """Something a partner must learn about data it sent, read on the partner API
    (GET /api/v1/partner/notices/): today, a record we corrected after an upheld dispute."""

    class Kind(models.TextChoices):
        RECORD_CORRECTED = "record_corrected", _("Record corrected")

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="notices")
    kind = models.CharField(max_length=30, choices=Kind.choices)
    payload = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["partner", "id"])]

    def __str__(self) -> str:
        return f"{self.partner}: {self.get_kind_display()}"
