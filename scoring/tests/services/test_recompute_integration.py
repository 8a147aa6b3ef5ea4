"""The nightly recompute on the real stack: PostgreSQL, a Redis broker and real `celery worker`
processes, including a worker killed mid-run and the run resumed by a new one."""

import datetime
import io
import os
import random
from decimal import Decimal

import pytest
import redis
from celery import current_app as celery_app
from django.core.management import call_command
from django.db import connection
from django.db.models import Count, OuterRef, Q

from accounts.models import ConsumerProfile, User
from scoring import services
from scoring.models import (
    Balance,
    Bill,
    BillKind,
    BlacklistEntry,
    CreditLine,
    Identity,
    Purchase,
    RecomputeChunk,
    RecomputeRun,
    ScoreSnapshot,
)
from scoring.selectors import months_before
from tests import processes

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

AS_OF = datetime.date(2026, 11, 20)
OPTED_IN_AT = datetime.datetime(2026, 10, 1, tzinfo=datetime.UTC)  # before AS_OF: they are scored for it
# A Redis database of its own, purged of Celery's keys before and after: nothing queued by other
# tests (or left over by a killed worker) can reach these workers. Only Celery's keys are deleted,
# in case something else shares the database.
REDIS_DB = 14
RUN_TIMEOUT = 60
# The application_name the test workers connect with, to tell their sessions from anyone else's.
WORKER_SESSIONS = "portal-test-worker"


@pytest.fixture
def real_stack() -> str:
    """The Redis URL to use; skips (fails on CI) unless PostgreSQL and Redis are really there."""
    missing = []
    if connection.vendor != "postgresql":
        missing.append(f"DATABASE_URL is not PostgreSQL ({connection.vendor})")
    redis_url = os.environ.get("REDIS_URL", "")
    if not redis_url:
        missing.append("REDIS_URL is not set")
    else:
        try:
            redis.Redis.from_url(redis_url, socket_connect_timeout=2).ping()
        except redis.RedisError as exc:
            missing.append(f"Redis at {redis_url} is not reachable ({exc})")
    if missing:
        message = "integration tests need PostgreSQL and Redis: " + "; ".join(missing)
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return redis_url


@pytest.fixture
def broker(real_stack: str):
    """A purged Redis database that this process publishes to and the workers consume from."""
    url = processes.redis_url_with_db(real_stack, REDIS_DB)
    processes.broker_purge(url)
    previous = celery_app.conf.broker_url
    celery_app.conf.broker_url = url
    celery_app.close()  # drop pooled connections to the old broker
    try:
        yield url
    finally:
        celery_app.conf.broker_url = previous
        celery_app.close()
        processes.broker_purge(url)


@pytest.fixture
def start_worker(broker: str, tmp_path):
    """start_worker(): a real prefork worker on the test database; every one is stopped at the end."""
    env = processes.worker_env(
        database_url=processes.database_url(connection.settings_dict, application_name=WORKER_SESSIONS),
        redis_url=broker,
    )
    started: list[processes.Worker] = []

    def start() -> processes.Worker:
        worker = processes.start_worker(env=env, log_path=tmp_path / f"worker-{len(started)}.log")
        started.append(worker)
        processes.wait_until_ready(worker)
        return worker

    try:
        yield start
    finally:
        for worker in started:
            processes.stop(worker)


def people_with_signals(count: int, *, opted_out_every: int = 0, seed: int = 3) -> None:
    """count people with about twenty signals each, written with a few bulk statements."""
    rng = random.Random(seed)
    users = User.objects.bulk_create(
        [User(username=f"person{index}", password="!") for index in range(count)], batch_size=2000
    )
    ConsumerProfile.objects.bulk_create(
        [
            ConsumerProfile(
                user=user,
                is_opted_in=not (opted_out_every and index % opted_out_every == 0),
                opted_in_at=OPTED_IN_AT,
            )
            for index, user in enumerate(users)
        ],
        batch_size=2000,
    )
    kinds = [BillKind.CREDIT_CARD, BillKind.UTILITY, BillKind.UTILITY, BillKind.CREDIT_LINE]
    bills, balances, lines, purchases, identities, listings = [], [], [], [], [], []
    for index, user in enumerate(users):
        reliability = rng.betavariate(6, 1.6)
        for months_ago in range(1, 13):
            due = months_before(AS_OF, months_ago)
            late = rng.random() > reliability
            bills.append(
                Bill(
                    person=user,
                    kind=kinds[months_ago % len(kinds)],
                    amount=Decimal(rng.randint(50, 3000)),
                    due_on=due,
                    paid_on=due + datetime.timedelta(days=rng.randint(3, 30) if late else -rng.randint(0, 5)),
                )
            )
        for months_ago in (1, 2, 3):
            balances.append(
                Balance(
                    person=user, as_of=months_before(AS_OF, months_ago), amount=Decimal(rng.randint(0, 40000))
                )
            )
        limit = rng.choice([2000, 5000, 20000])
        lines.append(
            CreditLine(
                person=user,
                provider="Huabei",
                as_of=months_before(AS_OF, 1),
                limit=limit,
                used=Decimal(rng.randint(0, limit)),
            )
        )
        for _ in range(rng.randint(0, 6)):
            purchases.append(
                Purchase(
                    person=user,
                    occurred_on=AS_OF - datetime.timedelta(days=rng.randint(0, 200)),
                    amount=Decimal(rng.randint(5, 900)),
                )
            )
        identities.append(
            Identity(person=user, real_name_verified=rng.random() < 0.85, phone_verified=rng.random() < 0.9)
        )
        if index % 67 == 5:
            listings.append(
                BlacklistEntry(
                    person=user, court="Shanghai court", case_number=f"case {index}", listed_on=AS_OF
                )
            )
    for model, rows in (
        (Bill, bills),
        (Balance, balances),
        (CreditLine, lines),
        (Purchase, purchases),
        (Identity, identities),
        (BlacklistEntry, listings),
    ):
        model.objects.bulk_create(rows, batch_size=5000)


def run_state() -> str:
    run = RecomputeRun.objects.filter(as_of=AS_OF).first()
    if run is None:
        return "no run"
    chunks = dict(run.chunks.values_list("status").annotate(n=Count("id")))
    return (
        f"{run.status} done={run.people_done}/{run.people_total} failed={run.people_failed} chunks={chunks}"
    )


def worker_sessions() -> int:
    """The test workers' sessions still open on the test database."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND application_name = %s",
            [WORKER_SESSIONS],
        )
        return cursor.fetchone()[0]


def finished_run() -> RecomputeRun | None:
    return RecomputeRun.objects.filter(as_of=AS_OF).exclude(status=RecomputeRun.Status.RUNNING).first()


def assert_everyone_scored_exactly_once(run: RecomputeRun) -> None:
    opted_in = ConsumerProfile.objects.filter(is_opted_in=True)
    snapshots = ScoreSnapshot.objects.filter(as_of=AS_OF)
    people = opted_in.count()
    assert snapshots.count() == snapshots.values("person").distinct().count() == people
    assert not snapshots.filter(person__consumer__is_opted_in=False).exists()
    assert (run.status, run.people_total, run.people_done, run.people_failed) == (
        RecomputeRun.Status.DONE,
        people,
        people,
        0,
    )
    assert set(run.chunks.values_list("status", "attempts")) == {(RecomputeChunk.Status.DONE, 1)}
    # Every profile's current score moved to the run's snapshot.
    assert not opted_in.exclude(score_as_of=AS_OF).exists()
    snapshot_score = ScoreSnapshot.objects.filter(person=OuterRef("user_id"), as_of=AS_OF).values("score")[:1]
    assert not opted_in.filter(~Q(score=snapshot_score)).exists()


def test_dispatched_run_is_done_by_a_real_worker_and_a_second_trigger_changes_nothing(start_worker):
    people_with_signals(60, opted_out_every=5)
    worker = start_worker()

    run, created = services.recompute_run_start(as_of=AS_OF, chunk_size=7)

    assert created is True
    run = processes.wait_for(
        finished_run, timeout=RUN_TIMEOUT, what="the run to finish", worker=worker, describe=run_state
    )
    assert_everyone_scored_exactly_once(run)
    assert run.chunks.count() == 7  # 48 opted-in people in chunks of 7
    before = (
        list(ScoreSnapshot.objects.order_by("pk").values_list("pk", "updated_at")),
        list(RecomputeRun.objects.values_list("pk", "status", "people_done", "updated_at")),
        RecomputeChunk.objects.count(),
    )

    again, created_again = services.recompute_run_start(as_of=AS_OF, chunk_size=7)
    # The nightly task through the broker, as beat would send it, must change nothing either.
    call_command("recompute_scores", "--date", AS_OF.isoformat(), "--timeout", "30", stdout=io.StringIO())
    processes.wait_for(
        lambda: f"recompute already planned as_of={AS_OF}" in worker.log_tail(400),
        timeout=30,
        what="the worker to take the second nightly trigger",
        worker=worker,
    )

    assert (created_again, again.pk) == (False, run.pk)
    assert (
        list(ScoreSnapshot.objects.order_by("pk").values_list("pk", "updated_at")),
        list(RecomputeRun.objects.values_list("pk", "status", "people_done", "updated_at")),
        RecomputeChunk.objects.count(),
    ) == before


def test_run_survives_its_worker_being_killed_and_resumes_on_a_new_one(start_worker):
    people_with_signals(3000)
    worker = start_worker()

    run, _created = services.recompute_run_start(as_of=AS_OF, chunk_size=100)
    processes.wait_for(
        lambda: RecomputeRun.objects.filter(pk=run.pk, people_done__gt=0).exists(),
        timeout=RUN_TIMEOUT,
        what="the first chunk to be done",
        worker=worker,
        interval=0.01,
        describe=run_state,
    )
    processes.kill(worker)
    # Once PostgreSQL has dropped the dead worker's sessions, its open transactions are rolled back.
    processes.wait_for(
        lambda: worker_sessions() == 0, timeout=20, what="PostgreSQL to drop the killed worker's sessions"
    )
    run.refresh_from_db()
    assert run.status == RecomputeRun.Status.RUNNING
    assert 0 < run.people_done < run.people_total == 3000
    # Done chunks, counters and snapshots agree: nothing of the interrupted chunks is left.
    done_people = sum(run.chunks.filter(status=RecomputeChunk.Status.DONE).values_list("people", flat=True))
    assert run.people_done == done_people
    assert ScoreSnapshot.objects.filter(as_of=AS_OF).count() == run.people_done
    pending = run.chunks.filter(status=RecomputeChunk.Status.PENDING).count()

    replacement = start_worker()
    requeued = services.recompute_run_resume(as_of=AS_OF)
    run = processes.wait_for(
        finished_run,
        timeout=RUN_TIMEOUT,
        what="the resumed run to finish",
        worker=replacement,
        describe=run_state,
    )

    assert requeued == pending > 0
    assert_everyone_scored_exactly_once(run)
