from celery import shared_task

from . import outbox


@shared_task(name="portal.outbox_relay", ignore_result=True)
def outbox_relay() -> None:
    outbox.relay()
