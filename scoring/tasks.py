"""Celery entry points for scoring: ids and dates in, a service call, nothing out."""

import datetime

from celery import shared_task

from accounts.models import User

from . import services


@shared_task(name="scoring.recompute_person", acks_late=True, ignore_result=True)
def recompute_person(person_id: int, as_of: str) -> None:
    person = User.objects.filter(pk=person_id, consumer__is_opted_in=True).first()
    if person is None:
        return  # opted out (or deleted) since the task was queued: nothing to score
    services.score_recompute(person=person, as_of=datetime.date.fromisoformat(as_of))


@shared_task(
    name="scoring.recompute_chunk",
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    ignore_result=True,
    max_retries=3,
)
def recompute_chunk(self, chunk_id: int) -> None:
    try:
        services.recompute_chunk_run(chunk_id=chunk_id)
    except Exception as exc:
        if self.request.retries >= self.max_retries:
            services.recompute_chunk_fail(chunk_id=chunk_id, error=repr(exc))
            return
        raise self.retry(exc=exc, countdown=2 ** (self.request.retries + 2)) from exc


@shared_task(name="scoring.recompute_nightly", acks_late=True, ignore_result=True)
def recompute_nightly(as_of: str | None = None) -> None:
    services.recompute_run_start(as_of=datetime.date.fromisoformat(as_of) if as_of else services.today())


@shared_task(name="scoring.recompute_sweep", acks_late=True, ignore_result=True)
def recompute_sweep() -> None:
    services.recompute_sweep()


@shared_task(
    name="scoring.notify_model_changed", acks_late=True, reject_on_worker_lost=True, ignore_result=True
)
def notify_model_changed(model_id: int) -> None:
    """Tell every opted-in person of a new scoring model (once each, however often it runs)."""
    services.model_changed_notify(model_id=model_id)
