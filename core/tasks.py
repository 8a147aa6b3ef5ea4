import smtplib
from typing import Any

from celery import shared_task

from . import outbox
from .notifications import services as notification_services


@shared_task(name="portal.outbox_relay", ignore_result=True)
def outbox_relay() -> None:
    outbox.relay()


# An email task: run once even if its worker dies mid-way; a mail server that refuses or is down
# is tried again later, backing off up to an hour.
EMAIL_TASK: dict[str, Any] = {
    "ignore_result": True,
    "acks_late": True,
    "reject_on_worker_lost": True,
    "autoretry_for": (OSError, smtplib.SMTPException),
    "retry_backoff": 60,
    "retry_backoff_max": 3600,
    "max_retries": 12,
}


@shared_task(name="core.notification_email", **EMAIL_TASK)
def notification_email(notification_id: int) -> None:
    notification_services.notification_email_send(notification_id=notification_id)


@shared_task(name="core.notification_digest", ignore_result=True, acks_late=True, reject_on_worker_lost=True)
def notification_digest() -> None:
    """Daily: queue a digest email for each person who chose one."""
    notification_services.notification_digests_queue()


@shared_task(name="core.notification_digest_send", **EMAIL_TASK)
def notification_digest_send(person_id: int) -> None:
    notification_services.notification_digest_send(person_id=person_id)
