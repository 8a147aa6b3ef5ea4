"""core/outbox.py: tasks recorded in the caller's transaction, published after commit, kept when
the broker is down and sent later by the relay.

Publishing needs a broker: the tests that read what reached it use the real Redis broker of
REDIS_URL (marked integration; they skip without it, and fail on CI). A broker that is down is
a Redis address where nothing listens.
"""

import contextlib
import json
import os
import socket
from collections.abc import Iterator

import pytest
import redis
from celery import current_app
from django.db import transaction
from django.utils import timezone

from core import outbox
from core.models import OutboxMessage

pytestmark = pytest.mark.django_db

# Tasks every worker registers; the outbox refuses names it does not know.
RECOMPUTE = "scoring.recompute_person"
SWEEP = "scoring.recompute_sweep"


def drop_broker_connections() -> None:
    # close() drops the connection pool but not the producer pool, whose producers would go on
    # publishing to the previous broker.
    current_app.close()
    current_app.amqp._producer_pool = None


@contextlib.contextmanager
def point_broker_at(url: str) -> Iterator[None]:
    """Publish to url, as a deployment with REDIS_URL does (never eagerly), until the test ends."""
    previous = current_app.conf.broker_url, current_app.conf.task_always_eager
    drop_broker_connections()
    current_app.conf.broker_url, current_app.conf.task_always_eager = url, False
    try:
        yield
    finally:
        drop_broker_connections()
        current_app.conf.broker_url, current_app.conf.task_always_eager = previous


@pytest.fixture
def broker_down() -> Iterator[None]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with point_broker_at(f"redis://127.0.0.1:{port}/0"):
        yield


@pytest.fixture
def broker() -> Iterator[redis.Redis]:
    """The real Redis broker of REDIS_URL, its Celery queue emptied before and after."""
    url = os.environ.get("REDIS_URL", "")
    problem = "" if url else "REDIS_URL is not set"
    if url:
        try:
            redis.Redis.from_url(url, socket_connect_timeout=2).ping()
        except redis.RedisError as exc:
            problem = f"Redis at {url} is not reachable ({exc})"
    if problem:
        if os.environ.get("CI") == "true":
            pytest.fail(f"the outbox's broker tests need Redis: {problem}")
        pytest.skip(f"the outbox's broker tests need Redis: {problem}")
    client = redis.Redis.from_url(url)
    client.delete("celery")
    try:
        with point_broker_at(url):
            yield client
    finally:
        client.delete("celery")
        client.close()


def published(client: redis.Redis) -> list[tuple[str, str]]:
    """(task, args) of the messages waiting in the broker's queue, oldest first."""
    # kombu pushes new messages on the left of the list.
    raw = reversed(client.lrange("celery", 0, -1))
    return [(m["headers"]["task"], m["headers"]["argsrepr"]) for m in map(json.loads, raw)]


def unsent() -> list[tuple[str, list]]:
    return list(
        OutboxMessage.objects.filter(sent_at__isnull=True).order_by("pk").values_list("task_name", "args")
    )


def enqueued_unsent(task_name: str, *args: object) -> OutboxMessage:
    """A message recorded, its after-commit publishing never run (a crash right after commit)."""
    with transaction.atomic():
        return outbox.enqueue(task_name, *args)


# Recording ------------------------------------------------------------------------------------


def test_enqueue_records_the_task_and_publishes_only_once_the_transaction_commits(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks, transaction.atomic():
        message = outbox.enqueue(RECOMPUTE, 7, "2026-01-05")

    assert (message.task_name, message.args, message.sent_at, message.attempts) == (
        RECOMPUTE,
        [7, "2026-01-05"],
        None,
        0,
    )
    assert unsent() == [(RECOMPUTE, [7, "2026-01-05"])]
    assert len(callbacks) == 1  # publishing waits for the commit: not one attempt yet


def test_a_rolled_back_transaction_leaves_nothing_to_send(django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=False) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        outbox.enqueue(RECOMPUTE, 7, "2026-01-05")
        raise RuntimeError("the caller's write failed")

    assert (OutboxMessage.objects.count(), callbacks) == (0, [])


@pytest.mark.parametrize("name", ["scoring.no_such_task", "", "recompute_person"])
def test_an_unknown_task_name_is_refused_and_nothing_is_recorded(name, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks, pytest.raises(ValueError) as refused:
        outbox.enqueue(name, 1)

    assert str(refused.value) == f"No Celery task is registered as {name!r}."
    assert (OutboxMessage.objects.count(), callbacks) == (0, [])


# A broker that is down --------------------------------------------------------------------------


def test_with_the_broker_down_the_message_stays_with_the_error_and_the_rest_wait(broker_down):
    first = enqueued_unsent(RECOMPUTE, 7, "2026-01-05")
    second = enqueued_unsent(SWEEP)

    sent = outbox.relay()

    first.refresh_from_db()
    second.refresh_from_db()
    assert sent == 0
    assert (first.sent_at, first.attempts, bool(first.last_error)) == (None, 1, True)
    # The broker is down for all of them: the relay stops at the first failure.
    assert (second.sent_at, second.attempts, second.last_error) == (None, 0, "")
    assert unsent() == [(RECOMPUTE, [7, "2026-01-05"]), (SWEEP, [])]


def test_with_the_broker_down_the_callers_commit_still_succeeds(
    broker_down, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        outbox.enqueue(RECOMPUTE, 7, "2026-01-05")

    message = OutboxMessage.objects.get()
    assert (message.sent_at, message.attempts) == (None, 1)
    assert "Error" in message.last_error


# The real broker ------------------------------------------------------------------------------


@pytest.mark.integration
def test_after_commit_the_message_reaches_the_broker_and_is_marked_sent(
    broker, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        outbox.enqueue(RECOMPUTE, 7, "2026-01-05")

    message = OutboxMessage.objects.get()
    assert published(broker) == [(RECOMPUTE, "[7, '2026-01-05']")]
    assert (message.sent_at is not None, message.attempts, message.last_error) == (True, 1, "")


@pytest.mark.integration
def test_the_relay_sends_what_is_unsent_oldest_first_and_nothing_twice(broker):
    already = OutboxMessage.objects.create(task_name=SWEEP, args=[], sent_at=timezone.now(), attempts=1)
    enqueued_unsent(RECOMPUTE, 7, "2026-01-05")
    enqueued_unsent(RECOMPUTE, 8, "2026-01-05")

    first_pass = outbox.relay()
    second_pass = outbox.relay()

    assert (first_pass, second_pass) == (2, 0)
    assert published(broker) == [(RECOMPUTE, "[7, '2026-01-05']"), (RECOMPUTE, "[8, '2026-01-05']")]
    assert unsent() == []
    assert OutboxMessage.objects.get(pk=already.pk).attempts == 1


@pytest.mark.integration
def test_the_relay_sends_at_most_its_limit_oldest_first(broker):
    for person_id in (7, 8, 9):
        enqueued_unsent(RECOMPUTE, person_id, "2026-01-05")

    sent = outbox.relay(limit=2)

    assert sent == 2
    assert published(broker) == [(RECOMPUTE, "[7, '2026-01-05']"), (RECOMPUTE, "[8, '2026-01-05']")]
    assert unsent() == [(RECOMPUTE, [9, "2026-01-05"])]


@pytest.mark.integration
def test_a_message_kept_through_an_outage_is_sent_once_the_broker_is_back(broker):
    kept = OutboxMessage.objects.create(
        task_name=RECOMPUTE, args=[7, "2026-01-05"], attempts=3, last_error="ConnectionError(...)"
    )

    sent = outbox.relay()

    kept.refresh_from_db()
    assert sent == 1
    assert published(broker) == [(RECOMPUTE, "[7, '2026-01-05']")]
    assert (kept.sent_at is not None, kept.attempts) == (True, 4)
