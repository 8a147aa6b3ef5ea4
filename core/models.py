from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class OutboxMessage(models.Model):
    """A task to send to the broker, written in the same transaction as the change that needs it.

    If the broker is down when the transaction commits, the message waits here and the relay
    sends it once the broker is back: nothing that must happen later is lost.
    """

    task_name = models.CharField(max_length=100)
    args = models.JSONField(default=list)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "portal_outboxmessage"  # created by portal's first migration, kept as it is
        ordering = ["id"]
        indexes = [
            models.Index(fields=["id"], condition=models.Q(sent_at__isnull=True), name="outbox_unsent"),
        ]

    def __str__(self) -> str:
        return f"{self.task_name}{tuple(self.args)}"


class AuditEntry(models.Model):
    """Who changed what, and when. Written by services, never changed afterwards."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_label = models.CharField(max_length=150, help_text="who acted, kept if the login is deleted")
    action = models.CharField(max_length=60, db_index=True)
    target_type = models.CharField(max_length=60)
    target_id = models.CharField(max_length=40)
    target_label = models.CharField(max_length=200, blank=True)
    changes = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        db_table = "portal_auditentry"  # created by portal's first migration, kept as it is
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "audit entries"
        indexes = [models.Index(fields=["target_type", "target_id"])]

    def __str__(self) -> str:
        return f"{self.actor_label} {self.action} {self.target_type}:{self.target_id}"


class NotificationKind(models.TextChoices):
    """What a notification tells; each renders in the person's language (core.notifications.texts)."""

    SCORE_MOVED = "score_moved", _("My score moved 10 points or more, or changed band")
    PERK_REACHABLE = "perk_reachable", _("A perk came within reach")
    NEGATIVE_RECORD = "negative_record", _("A new negative record (late bill, court listing)")
    DUE_BACK = "due_back", _("A trial or deposit is due back tomorrow")
    OVERDUE = "overdue", _("A trial or deposit is overdue")
    DISPUTE_ANSWERED = "dispute_answered", _("A dispute was answered")
    CODE_CHECKED = "code_checked", _("A merchant checked my code")
    SHARE_OPENED = "share_opened", _("My share link was opened")
    MODEL_CHANGED = "model_changed", _("The scoring model changed")
    GOAL_REACHED = "goal_reached", _("I reached my goal")


# The law requires that a person hears of these; the preferences cannot switch them off.
REQUIRED_NOTIFICATION_KINDS = frozenset({NotificationKind.NEGATIVE_RECORD, NotificationKind.DISPUTE_ANSWERED})


class Notification(models.Model):
    """Something a person is told, kept in their inbox; the text is rendered from kind and params
    in the reader's language when shown, and in the person's email language when mailed."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=30, choices=NotificationKind.choices)
    params = models.JSONField(default=dict, blank=True)
    # Names the event told of ("score:2026-12-07", "dispute:12"): the same event is told once.
    key = models.CharField(max_length=120)
    read_at = models.DateTimeField(null=True, blank=True)
    # Set when the email went out (alone or in a digest): it is never sent twice.
    emailed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["person", "key"], name="one_notification_per_event")]
        indexes = [
            models.Index(fields=["person", "-created_at"], name="notification_inbox"),
            models.Index(
                fields=["person"], condition=models.Q(read_at__isnull=True), name="notification_unread"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.kind} {self.key}"


class NotificationSettings(models.Model):
    """A person's choices: kinds switched off, one daily digest or an email each, the email language."""

    class Delivery(models.TextChoices):
        EACH = "each", _("An email for each notification")
        DIGEST = "digest", _("One daily digest email")

    person = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_settings"
    )
    muted_kinds = models.JSONField(default=list, blank=True)
    delivery = models.CharField(max_length=10, choices=Delivery.choices, default=Delivery.EACH)
    language = models.CharField(max_length=10, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["person"]
        verbose_name_plural = "notification settings"

    def __str__(self) -> str:
        return f"{self.person_id} {self.delivery}"
