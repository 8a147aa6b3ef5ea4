"""Telling people things: the inbox row, then one email through the outbox, never twice.

Every app below and above calls ``notify`` (or ``notify_many`` for a crowd) from the service that
caused the event, with a key naming the event: the same key for the same person is stored once.
After the transaction commits, the outbox queues ``core.notification_email`` for each new
notification of a person who takes an email each; people who chose the daily digest get theirs
from ``core.notification_digest``. The legally required kinds skip the digest and the mute.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core import outbox

from ..models import REQUIRED_NOTIFICATION_KINDS, Notification, NotificationKind, NotificationSettings
from . import texts

if TYPE_CHECKING:
    from django.contrib.auth.models import _User

logger = logging.getLogger(__name__)

EMAIL_TASK = "core.notification_email"
DIGEST_SEND_TASK = "core.notification_digest_send"


@dataclass(frozen=True)
class Tell:
    """One person to tell about one event."""

    person_id: int
    key: str
    params: dict[str, Any] = field(default_factory=dict)


def notify(
    *, person_id: int, kind: str, key: str, params: dict[str, Any] | None = None
) -> Notification | None:
    """Tell one person about one event; None when they muted the kind or were told already."""
    created = notify_many(kind=kind, tells=[Tell(person_id=person_id, key=key, params=params or {})])
    return created[0] if created else None


@transaction.atomic
def notify_many(*, kind: str, tells: Sequence[Tell]) -> list[Notification]:
    """Tell each person their event once, honouring their settings; returns the notifications made.

    A fixed number of queries for any crowd.
    """
    kind = NotificationKind(kind)
    person_ids = {tell.person_id for tell in tells}
    chosen: dict[int, Mapping[str, Any]] = {
        row["person_id"]: row
        for row in NotificationSettings.objects.filter(person_id__in=person_ids).values(
            "person_id", "muted_kinds", "delivery"
        )
    }
    required = kind in REQUIRED_NOTIFICATION_KINDS
    wanted = [
        tell
        for tell in tells
        if required or kind.value not in chosen.get(tell.person_id, {}).get("muted_kinds", [])
    ]
    if not wanted:
        return []
    keys = {tell.key for tell in wanted}
    told = set(
        Notification.objects.filter(person_id__in=person_ids, key__in=keys).values_list("person_id", "key")
    )
    fresh = {(tell.person_id, tell.key): tell for tell in wanted if (tell.person_id, tell.key) not in told}
    if not fresh:
        return []
    # A concurrent caller may have told the same event meanwhile: the unique key keeps one.
    Notification.objects.bulk_create(
        [Notification(person_id=t.person_id, kind=kind, key=t.key, params=t.params) for t in fresh.values()],
        ignore_conflicts=True,
    )
    made = [
        notification
        for notification in Notification.objects.filter(
            person_id__in={pair[0] for pair in fresh},
            key__in={pair[1] for pair in fresh},
            emailed_at__isnull=True,
        )
        if (notification.person_id, notification.key) in fresh
    ]
    outbox.enqueue_many(
        EMAIL_TASK,
        [
            (notification.pk,)
            for notification in made
            if required
            or chosen.get(notification.person_id, {}).get("delivery", NotificationSettings.Delivery.EACH)
            == NotificationSettings.Delivery.EACH
        ],
    )
    logger.info("notified kind=%s people=%d", kind.value, len(made))
    return made


def _email_language(person_id: int) -> str:
    chosen = (
        NotificationSettings.objects.filter(person_id=person_id).values_list("language", flat=True).first()
    )
    return chosen or settings.LANGUAGE_CODE


def _absolute(link: str) -> str:
    return f"{settings.PUBLIC_URL.rstrip('/')}{link}" if link.startswith("/") else link


def notification_email_send(*, notification_id: int) -> bool:
    """Email one notification unless it went already; True when this call sent it.

    The row stays locked while the mail server takes the message: a second delivery of the task
    waits, then finds it sent. A mail server error rolls back and the task retries.
    """
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update(of=("self",))
            .select_related("person")
            .filter(pk=notification_id, emailed_at__isnull=True)
            .first()
        )
        if notification is None or not notification.person.email:
            return False
        with translation.override(_email_language(notification.person_id)):
            text = texts.render(kind=notification.kind, params=notification.params)
            body = render_to_string(
                "notifications/email.txt",
                {
                    "text": text,
                    "link": _absolute(text.link) if text.link else "",
                    "settings_url": _settings_url(),
                },
            )
            # A header takes no line break; a merchant's title could carry one.
            subject = " ".join((_("Credit Life: %(title)s") % {"title": text.title}).split())
        send_mail(subject, body, None, [notification.person.email])
        notification.emailed_at = timezone.now()
        notification.save(update_fields=["emailed_at", "updated_at"])
    logger.info("notification emailed id=%s kind=%s", notification.pk, notification.kind)
    return True


def _settings_url() -> str:
    return _absolute("/accounts/profile/#notifications")


def notification_digests_queue(*, before: Any = None) -> int:
    """Queue one digest for each person on the daily digest with notifications not yet emailed."""
    before = before or timezone.now()
    person_ids = list(
        Notification.objects.filter(
            emailed_at__isnull=True,
            created_at__lt=before,
            person__notification_settings__delivery=NotificationSettings.Delivery.DIGEST,
        )
        .exclude(person__email="")
        .values_list("person_id", flat=True)
        .distinct()
        .order_by("person_id")
    )
    with transaction.atomic():
        for person_id in person_ids:
            outbox.enqueue(DIGEST_SEND_TASK, person_id)
    return len(person_ids)


def notification_digest_send(*, person_id: int) -> int:
    """Email a person everything not yet emailed in one message; how many it told (0: nothing to send)."""
    with transaction.atomic():
        pending = list(
            Notification.objects.select_for_update(of=("self",))
            .select_related("person")
            .filter(person_id=person_id, emailed_at__isnull=True)
            .order_by("created_at", "id")
        )
        if not pending or not pending[0].person.email:
            return 0
        with translation.override(_email_language(person_id)):
            items = [
                {"text": text, "link": _absolute(text.link) if text.link else ""}
                for text in (texts.render(kind=n.kind, params=n.params) for n in pending)
            ]
            body = render_to_string(
                "notifications/digest.txt", {"items": items, "settings_url": _settings_url()}
            )
            subject = _("Credit Life: your daily digest (%(count)d)") % {"count": len(items)}
        send_mail(subject, body, None, [pending[0].person.email])
        Notification.objects.filter(pk__in=[n.pk for n in pending]).update(
            emailed_at=timezone.now(), updated_at=timezone.now()
        )
    logger.info("digest emailed person=%s notifications=%d", person_id, len(pending))
    return len(pending)


def notification_mark_read(*, person: _User, notification_id: int) -> Notification | None:
    """Mark one of the person's own notifications read; None if it is not theirs."""
    notification = Notification.objects.filter(person=person, pk=notification_id).first()
    if notification is not None and notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at", "updated_at"])
    return notification


def notifications_mark_all_read(*, person: _User) -> int:
    """Mark every unread notification of the person read; how many."""
    now = timezone.now()
    return Notification.objects.filter(person=person, read_at__isnull=True).update(
        read_at=now, updated_at=now
    )


@transaction.atomic
def notification_settings_update(
    *, person: _User, muted_kinds: Iterable[str], delivery: str, language: str
) -> NotificationSettings:
    """Save the person's choices; a legally required kind cannot be muted."""
    errors: dict[str, list[str]] = {}
    muted = sorted(set(muted_kinds))
    if unknown := [kind for kind in muted if kind not in NotificationKind.values]:
        errors["muted_kinds"] = [_("Unknown kind: %(kinds)s.") % {"kinds": ", ".join(unknown)}]
    elif required := [kind for kind in muted if kind in REQUIRED_NOTIFICATION_KINDS]:
        errors["muted_kinds"] = [
            _("The law requires that we tell you of these; they cannot be switched off: %(kinds)s.")
            % {"kinds": ", ".join(str(NotificationKind(kind).label) for kind in required)}
        ]
    if delivery not in NotificationSettings.Delivery.values:
        errors["delivery"] = [_("Choose an email for each notification or a daily digest.")]
    if language not in dict(settings.LANGUAGES):
        errors["language"] = [_("Choose English or Simplified Chinese.")]
    if errors:
        raise ValidationError(errors)
    chosen, _created = NotificationSettings.objects.update_or_create(
        person=person, defaults={"muted_kinds": muted, "delivery": delivery, "language": language}
    )
    return chosen
