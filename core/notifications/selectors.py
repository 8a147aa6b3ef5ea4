"""Reading a person's notifications and their choices about them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.db.models import QuerySet

from ..models import REQUIRED_NOTIFICATION_KINDS, Notification, NotificationKind, NotificationSettings
from . import texts

if TYPE_CHECKING:
    from django.contrib.auth.models import _User


def notifications_for_person(*, person: _User) -> QuerySet[Notification]:
    """The person's notifications, newest first."""
    return Notification.objects.filter(person=person).order_by("-created_at", "-id")


def notifications_unread_count(*, person: _User) -> int:
    return Notification.objects.filter(person=person, read_at__isnull=True).count()


@dataclass(frozen=True)
class ShownNotification:
    """A notification with its words in the active language."""

    notification: Notification
    text: texts.Text

    @property
    def is_unread(self) -> bool:
        return self.notification.read_at is None


def notifications_shown(notifications: list[Notification]) -> list[ShownNotification]:
    """The notifications given with their words rendered in the active language."""
    return [
        ShownNotification(notification=n, text=texts.render(kind=n.kind, params=n.params))
        for n in notifications
    ]


def notification_settings_of(*, person: _User) -> NotificationSettings:
    """The person's choices, or the defaults (unsaved) if they never chose."""
    chosen = NotificationSettings.objects.filter(person=person).first()
    return chosen or NotificationSettings(person=person, language=settings.LANGUAGE_CODE)


def notification_kinds_switchable() -> list[NotificationKind]:
    """The kinds a person may switch off, in their declared order."""
    return [kind for kind in NotificationKind if kind not in REQUIRED_NOTIFICATION_KINDS]


def notification_kinds_required() -> list[NotificationKind]:
    return [kind for kind in NotificationKind if kind in REQUIRED_NOTIFICATION_KINDS]
