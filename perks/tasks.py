"""Celery entry points for perks: a service call, nothing returned, safe to run twice."""

import datetime

from celery import shared_task

from . import services, webhooks


@shared_task(name="perks.expire_claims", acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def expire_claims() -> None:
    """Hourly: expire claims not picked up in time and put their units back in stock."""
    services.claims_expire()


@shared_task(
    bind=True,
    name="perks.deliver_webhook",
    acks_late=True,
    reject_on_worker_lost=True,
    ignore_result=True,
    # The service counts the attempts and gives up after webhooks.MAX_ATTEMPTS.
    max_retries=None,
)
def deliver_webhook(self, delivery_id: int) -> None:
    """Send one webhook delivery; after a failed attempt, retry with exponential backoff."""
    retry_in = webhooks.webhook_deliver(delivery_id=delivery_id)
    if retry_in is not None:
        raise self.retry(countdown=retry_in)


@shared_task(name="perks.requeue_webhooks", acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def requeue_webhooks() -> None:
    """Every few minutes: queue again the webhook deliveries whose retry was lost with the broker."""
    webhooks.webhook_deliveries_requeue()


@shared_task(name="perks.score_rose", acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def score_rose(as_of: str, person_ids: list[int]) -> None:
    """After scores rose: tell of the perks now within reach and of goals reached."""
    services.score_rose_notify(as_of=datetime.date.fromisoformat(as_of), person_ids=person_ids)


@shared_task(name="perks.notify_due_back", acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def notify_due_back() -> None:
    """Daily: tell of trials and deposits due back tomorrow, and of those overdue."""
    services.claims_due_back_notify()


@shared_task(name="perks.notify_share_opened", acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def notify_share_opened(share_id: int, day: str) -> None:
    services.share_opened_notify(share_id=share_id, day=day)
