"""Queue Celery tasks through the database so a broker outage loses nothing.

``enqueue`` records the task in the caller's transaction and publishes it after commit;
``relay`` (a periodic task, and the same code after commit) sends whatever is still unsent.
Tasks are idempotent, so a message published twice (a crash between send and mark) is safe.
"""

import logging

from celery import current_app
from django.db import transaction
from django.utils import timezone

from .models import OutboxMessage

logger = logging.getLogger(__name__)


def enqueue(task_name: str, *args: object) -> OutboxMessage:
    """Record a task call now; it goes to the broker after this transaction commits.

    Tasks are named, not imported: a service queues ``"scoring.recompute_person"`` without
    importing the module whose task calls that service back.
    """
    if task_name not in current_app.tasks:
        raise ValueError(f"No Celery task is registered as {task_name!r}.")
    message = OutboxMessage.objects.create(task_name=task_name, args=list(args))
    transaction.on_commit(lambda: _publish(message_ids=[message.pk]))
    return message


def enqueue_many(task_name: str, calls: list[tuple]) -> list[OutboxMessage]:
    """``enqueue`` for many calls of one task, recorded with one statement."""
    if task_name not in current_app.tasks:
        raise ValueError(f"No Celery task is registered as {task_name!r}.")
    messages = OutboxMessage.objects.bulk_create(
        OutboxMessage(task_name=task_name, args=list(args)) for args in calls
    )
    if messages:
        transaction.on_commit(lambda: _publish(message_ids=[message.pk for message in messages]))
    return messages


def relay(*, limit: int = 1000) -> int:
    """Send unsent messages, oldest first; returns how many went out."""
    ids = list(OutboxMessage.objects.filter(sent_at__isnull=True).values_list("pk", flat=True)[:limit])
    return _publish(message_ids=ids)


def _publish(*, message_ids: list[int]) -> int:
    sent = 0
    for message_id in message_ids:
        with transaction.atomic():
            message = (
                OutboxMessage.objects.select_for_update(skip_locked=True)
                .filter(pk=message_id, sent_at__isnull=True)
                .first()
            )
            if message is None:
                continue  # sent meanwhile, or being sent by another process
            try:
                # retry=False: with the broker down, fail at once and leave the message here.
                current_app.tasks[message.task_name].apply_async(args=message.args, retry=False)
            except Exception as exc:  # any broker failure: keep it for the relay
                message.attempts += 1
                message.last_error = repr(exc)[:500]
                message.save(update_fields=["attempts", "last_error", "updated_at"])
                logger.warning(
                    "outbox publish failed task=%s id=%s error=%r", message.task_name, message.pk, exc
                )
                return sent  # the broker is down: the rest would fail the same way
            message.sent_at = timezone.now()
            message.attempts += 1
            message.save(update_fields=["sent_at", "attempts", "updated_at"])
            sent += 1
    return sent
