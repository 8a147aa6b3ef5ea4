"""Celery entry points for perks: a service call, nothing returned, safe to run twice."""

from celery import shared_task


@shared_task(name="perks.expire_claims", acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def expire_claims() -> None:
    """Hourly: expire claims not picked up in time and put their units back in stock."""
    from . import services

    services.claims_expire()
