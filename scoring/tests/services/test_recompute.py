"""Tests for the nightly recompute in scoring/services/recompute.py (with scoring/tasks.py and the
recompute_scores command): planning, exactly-once chunks, failures, the sweeper, pinned query
counts, batch and single paths agreeing, and the Celery settings the design relies on."""

import dataclasses
import datetime
import gc
import io
import random
import zoneinfo

import pytest
from celery import current_app as celery_app
from celery.schedules import crontab
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import ConsumerProfile
from core.models import OutboxMessage
from scoring import selectors, services, tasks
from scoring.demo import signals_for, synthetic_profile
from scoring.models import RecomputeChunk, RecomputeRun, ScoreSnapshot
from scoring.services import recompute as recompute_services

pytestmark = pytest.mark.django_db

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
AS_OF = datetime.date(2026, 11, 20)
NEXT_DAY = datetime.date(2026, 11, 21)
# Everybody here opted in well before the dates scored: nobody is scored for a day before they opted in.
OPTED_IN_AT = datetime.datetime(2026, 10, 1, 9, 0, tzinfo=SHANGHAI)
SNAPSHOT_FIELDS = (
    "score",
    "band",
    "model_id",
    "credit_history",
    "fulfilment_capacity",
    "behaviour",
    "identity",
    "connections",
    "reasons",
)
# The queries of one chunk, whatever its size: lock the chunk (with its run and model), the
# session settings for the chunk (PostgreSQL only: work memory, no parallel plans), the eleven
# feature reads (identity facts and contacts each read twice, current and revised; the last: the
# sources people switched off), the snapshot upsert and the profile
# update (one statement on PostgreSQL), the chunk and run updates, the savepoint pair of the
# test's transaction, and the "anything still pending?" check.
CHUNK_QUERIES = 20 if connection.vendor == "postgresql" else 19


@pytest.fixture
def people(make_consumer):
    """Five opted-in consumers with two opted-out ones between them, in id order."""
    made = {}
    for name, opted_in in (
        ("ann", True),
        ("out1", False),
        ("ben", True),
        ("cid", True),
        ("out2", False),
        ("dot", True),
        ("eve", True),
    ):
        made[name] = make_consumer(name, opted_in=opted_in)
    ConsumerProfile.objects.filter(is_opted_in=True).update(opted_in_at=OPTED_IN_AT)
    return made


@pytest.fixture
def populate(make_consumer):
    """populate(prefix, n): n opted-in consumers with seeded, realistic signals as of AS_OF."""

    def make(prefix: str, count: int, *, seed: int = 7) -> list:
        rng = random.Random(seed)
        made = [make_consumer(f"{prefix}{index}") for index in range(count)]
        for index, person in enumerate(made):
            profile = synthetic_profile(rng)
            # Make sure the rare stories are there, whatever the draw.
            if index % 10 == 1:
                profile = dataclasses.replace(profile, blacklist="active")
            elif index % 10 == 2:
                profile = dataclasses.replace(profile, blacklist="lifted")
            elif index % 10 == 3:
                continue  # just opted in, no signals at all
            signals_for(person=person, profile=profile, today=AS_OF, rng=rng, contact_pool=made).save()
        ConsumerProfile.objects.filter(is_opted_in=True).update(opted_in_at=OPTED_IN_AT)
        return made

    return make


def counts() -> tuple[int, int, int]:
    return (RecomputeRun.objects.count(), RecomputeChunk.objects.count(), ScoreSnapshot.objects.count())


def run_values(run: RecomputeRun) -> dict:
    run.refresh_from_db()
    return {
        field: getattr(run, field)
        for field in ("status", "people_total", "people_done", "people_failed", "is_late", "updated_at")
    }


def snapshot_values(snapshot: ScoreSnapshot) -> tuple:
    return tuple(getattr(snapshot, field) for field in SNAPSHOT_FIELDS)


def queued_chunk_ids() -> list[int]:
    """Chunks queued so far, in order: each dispatch goes through the outbox (core/outbox.py)."""
    return [
        args[0]
        for args in OutboxMessage.objects.filter(task_name=tasks.recompute_chunk.name)
        .order_by("pk")
        .values_list("args", flat=True)
    ]


def opted_in_ids() -> list[int]:
    return list(
        ConsumerProfile.objects.filter(is_opted_in=True).order_by("user_id").values_list("user_id", flat=True)
    )


# Planning and the whole run -------------------------------------------------------------


def test_run_scores_every_opted_in_person_once_and_nobody_else(people):
    run = services.recompute_run_sync(as_of=AS_OF, chunk_size=2)

    scored = list(ScoreSnapshot.objects.filter(as_of=AS_OF).order_by("person_id").values_list("person_id"))
    assert [person_id for (person_id,) in scored] == opted_in_ids()
    assert not ScoreSnapshot.objects.filter(person__in=[people["out1"], people["out2"]]).exists()
    assert (run.status, run.people_total, run.people_done, run.people_failed) == (
        RecomputeRun.Status.DONE,
        5,
        5,
        0,
    )
    assert run.finished_at is not None
    # A past date leaves the current score (made today, at opt-in) where it is.
    assert set(ConsumerProfile.objects.filter(is_opted_in=True).values_list("score_as_of", flat=True)) == {
        timezone.localdate()
    }


def test_a_chunk_pauses_the_garbage_collector_only_while_it_runs_even_when_it_fails(people, monkeypatch):
    # Given a planned run whose first chunk is scored, and one whose task fails on a missing chunk
    run, _created = services.recompute_run_start(as_of=AS_OF, chunk_size=2, dispatch=False)
    chunk = RecomputeChunk.objects.filter(run=run).order_by("pk").first()
    seen = []
    original = recompute_services.chunk_score

    def scoring(**kwargs):
        seen.append(gc.isenabled())
        return original(**kwargs)

    monkeypatch.setattr(recompute_services, "chunk_score", scoring)
    services.recompute_chunk_run(chunk_id=chunk.pk)
    with pytest.raises(RecomputeChunk.DoesNotExist):
        services.recompute_chunk_run(chunk_id=0)
    # then the collector was off while the chunk was scored and is on again after both
    assert seen == [False]
    assert gc.isenabled()


def test_run_moves_the_current_score_when_the_date_is_the_newest(people):
    later = timezone.localdate() + datetime.timedelta(days=1)

    services.recompute_run_sync(as_of=later, chunk_size=2)

    profiles = ConsumerProfile.objects.filter(is_opted_in=True)
    assert sorted(profiles.values_list("user_id", "score_as_of")) == [
        (person_id, later) for person_id in opted_in_ids()
    ]
    for profile in profiles:
        assert profile.score == ScoreSnapshot.objects.get(person_id=profile.user_id, as_of=later).score


def test_second_start_for_the_same_date_returns_the_run_and_changes_nothing(people):
    first, created = services.recompute_run_start(as_of=AS_OF, chunk_size=2, dispatch=False)
    before = (counts(), run_values(first), list(RecomputeChunk.objects.values_list("pk", "status", "people")))

    again, created_again = services.recompute_run_start(as_of=AS_OF, chunk_size=3, dispatch=False)

    assert (created, created_again) == (True, False)
    assert again.pk == first.pk
    assert again.chunk_size == 2
    assert (
        counts(),
        run_values(first),
        list(RecomputeChunk.objects.values_list("pk", "status", "people")),
    ) == (before)


def test_second_start_after_the_run_finished_changes_nothing(people):
    run = services.recompute_run_sync(as_of=AS_OF, chunk_size=2)
    before = (counts(), run_values(run), list(ScoreSnapshot.objects.values_list("pk", "updated_at")))

    again, created = services.recompute_run_start(as_of=AS_OF, chunk_size=2)

    assert created is False
    assert again.pk == run.pk
    assert (counts(), run_values(run), list(ScoreSnapshot.objects.values_list("pk", "updated_at"))) == before


def test_chunks_cover_every_opted_in_person_once_in_slices_of_chunk_size(people):
    run, _created = services.recompute_run_start(as_of=AS_OF, chunk_size=2, dispatch=False)

    chunks = list(run.chunks.order_by("first_person_id"))
    ids = opted_in_ids()
    assert [chunk.people for chunk in chunks] == [2, 2, 1]
    assert [(chunk.first_person_id, chunk.last_person_id) for chunk in chunks] == [
        (ids[0], ids[1]),
        (ids[2], ids[3]),
        (ids[4], ids[4]),
    ]
    covered = [
        person_id
        for person_id in ids
        for chunk in chunks
        if chunk.first_person_id <= person_id <= chunk.last_person_id
    ]
    assert covered == ids
    assert {chunk.status for chunk in chunks} == {RecomputeChunk.Status.PENDING}
    assert (run.people_total, run.people_done, run.status) == (5, 0, RecomputeRun.Status.RUNNING)


def test_run_with_nobody_opted_in_is_done_at_once(make_consumer):
    make_consumer("shy", opted_in=False)

    run, created = services.recompute_run_start(as_of=AS_OF, chunk_size=2, dispatch=False)

    assert created is True
    assert (run.status, run.people_total, run.chunks.count()) == (RecomputeRun.Status.DONE, 0, 0)


def test_dispatch_queues_each_chunk_once_and_publishes_after_commit(
    people, monkeypatch, django_capture_on_commit_callbacks
):
    published: list[int] = []
    monkeypatch.setattr(
        tasks.recompute_chunk, "apply_async", lambda args, **options: published.append(args[0])
    )

    with django_capture_on_commit_callbacks(execute=True):
        run, _created = services.recompute_run_start(as_of=AS_OF, chunk_size=2)
        assert published == []

    chunk_ids = list(run.chunks.order_by("pk").values_list("pk", flat=True))
    assert queued_chunk_ids() == chunk_ids
    assert published == chunk_ids
    assert run.chunks.filter(dispatched_at__isnull=True).count() == 0


def test_planning_without_dispatch_queues_nothing(people):
    run, _created = services.recompute_run_start(as_of=AS_OF, chunk_size=2, dispatch=False)

    assert queued_chunk_ids() == []
    assert run.chunks.filter(dispatched_at__isnull=False).count() == 0


# One chunk ------------------------------------------------------------------------------


def test_chunk_run_twice_writes_nothing_the_second_time(people):
    run, _created = services.recompute_run_start(as_of=AS_OF, chunk_size=2, dispatch=False)
    chunk = run.chunks.order_by("first_person_id").first()
    assert services.recompute_chunk_run(chunk_id=chunk.pk) == 2
    before = (counts(), run_values(run), list(ScoreSnapshot.objects.values_list("pk", "updated_at", "score")))

    with CaptureQueriesContext(connection) as queries:
        again = services.recompute_chunk_run(chunk_id=chunk.pk)

    assert again == 0
    writes = [
        query["sql"] for query in queries if query["sql"].split()[0].upper() in {"INSERT", "UPDATE", "DELETE"}
    ]
    assert writes == []
    assert (
        counts(),
        run_values(run),
        list(ScoreSnapshot.objects.values_list("pk", "updated_at", "score")),
    ) == before
    chunk.refresh_from_db()
    assert (chunk.status, chunk.attempts) == (RecomputeChunk.Status.DONE, 1)
    assert (run.people_done, run.people_total, run.status) == (2, 5, RecomputeRun.Status.RUNNING)


def test_every_chunk_delivered_twice_keeps_counters_exact(people):
    run, _created = services.recompute_run_start(as_of=AS_OF, chunk_size=2, dispatch=False)
    chunk_ids = list(run.chunks.values_list("pk", flat=True))

    for chunk_id in chunk_ids + chunk_ids:
        tasks.recompute_chunk(chunk_id)

    run.refresh_from_db()
    assert (run.status, run.people_total, run.people_done, run.people_failed) == (
        RecomputeRun.Status.DONE,
        5,
        5,
        0,
    )
    assert ScoreSnapshot.objects.filter(as_of=AS_OF).count() == 5
    assert sorted(run.chunks.values_list("attempts", flat=True)) == [1, 1, 1]


def test_chunk_counts_who_it_scored_when_someone_opted_out_since_planning(people):
    run, _created = services.recompute_run_start(as_of=AS_OF, chunk_size=2, dispatch=False)
    services.consumer_opt_out(person=people["ann"])

    for chunk_id in run.chunks.values_list("pk", flat=True):
        services.recompute_chunk_run(chunk_id=chunk_id)

    run.refresh_from_db()
    assert (run.status, run.people_total, run.people_done) == (RecomputeRun.Status.DONE, 4, 4)
    assert not ScoreSnapshot.objects.filter(person=people["ann"], as_of=AS_OF).exists()


def test_failing_chunk_is_marked_failed_and_the_others_still_finish(people, monkeypatch):
    run, _created = services.recompute_run_start(as_of=AS_OF, chunk_size=2, dispatch=False)
    first, broken, last = run.chunks.order_by("first_person_id")
    real_features = selectors.features_for_people

    def features_failing_for_the_broken_chunk(**kwargs):
        if kwargs.get("id_range") == (broken.first_person_id, broken.last_person_id):
            raise RuntimeError("feature store unavailable")
        return real_features(**kwargs)

    monkeypatch.setattr(selectors, "features_for_people", features_failing_for_the_broken_chunk)
    task = tasks.recompute_chunk

    tasks.recompute_chunk(first.pk)
    # Called directly, a retryable failure re-raises and leaves the chunk to a later delivery.
    with pytest.raises(RuntimeError, match="feature store unavailable"):
        tasks.recompute_chunk(broken.pk)
    broken.refresh_from_db()
    assert broken.status == RecomputeChunk.Status.PENDING
    # The last allowed attempt gives up on the chunk instead of raising.
    task.push_request(retries=task.max_retries)
    try:
        task.run(broken.pk)
    finally:
        task.pop_request()
    run.refresh_from_db()
    assert run.status == RecomputeRun.Status.RUNNING  # the last chunk is still to do
    tasks.recompute_chunk(last.pk)

    run.refresh_from_db()
    broken.refresh_from_db()
    assert (run.status, run.people_total, run.people_done, run.people_failed) == (
        RecomputeRun.Status.FAILED,
        5,
        3,
        2,
    )
    assert run.finished_at is not None
    assert broken.status == RecomputeChunk.Status.FAILED
    assert "feature store unavailable" in broken.error
    assert sorted(run.chunks.values_list("status", flat=True)) == ["done", "done", "failed"]
    assert not ScoreSnapshot.objects.filter(
        as_of=AS_OF, person_id__gte=broken.first_person_id, person_id__lte=broken.last_person_id
    ).exists()
    assert ScoreSnapshot.objects.filter(as_of=AS_OF).count() == 3


def test_failing_a_finished_chunk_changes_nothing(people):
    run, _created = services.recompute_run_start(as_of=AS_OF, chunk_size=2, dispatch=False)
    chunk = run.chunks.order_by("first_person_id").first()
    services.recompute_chunk_run(chunk_id=chunk.pk)
    before = run_values(run)

    services.recompute_chunk_fail(chunk_id=chunk.pk, error="late duplicate")

    chunk.refresh_from_db()
    assert (chunk.status, chunk.error) == (RecomputeChunk.Status.DONE, "")
    assert run_values(run) == before


# The sweeper ----------------------------------------------------------------------------


def shanghai(day: datetime.date, hour: int, minute: int) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=SHANGHAI)


def test_sweeper_flags_a_run_still_going_after_six_as_late(people):
    run, _created = services.recompute_run_start(as_of=AS_OF, chunk_size=2, dispatch=False)

    services.recompute_sweep(now=shanghai(AS_OF, 5, 59))
    run.refresh_from_db()
    assert run.is_late is False

    services.recompute_sweep(now=shanghai(AS_OF, 6, 1))
    run.refresh_from_db()
    assert (run.is_late, run.status) == (True, RecomputeRun.Status.RUNNING)


def test_sweeper_leaves_a_finished_run_alone(people):
    run = services.recompute_run_sync(as_of=AS_OF, chunk_size=2)
    before = run_values(run)

    assert services.recompute_sweep(now=shanghai(NEXT_DAY, 9, 0)) == 0

    assert run_values(run) == before


def test_sweeper_requeues_only_stale_pending_chunks(people):
    run, _created = services.recompute_run_start(as_of=AS_OF, chunk_size=2, dispatch=False)
    done, stale, fresh = run.chunks.order_by("first_person_id")
    services.recompute_chunk_run(chunk_id=done.pk)
    now = timezone.now()
    limit = datetime.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT)
    RecomputeChunk.objects.filter(pk=stale.pk).update(dispatched_at=now - 3 * limit)
    # A chunk dispatched a whole time limit ago may still be running: not stale yet.
    fresh_dispatched = now - limit - datetime.timedelta(seconds=1)
    RecomputeChunk.objects.filter(pk__in=[done.pk, fresh.pk]).update(dispatched_at=fresh_dispatched)

    requeued = services.recompute_sweep(now=now)

    assert (requeued, queued_chunk_ids()) == (1, [stale.pk])
    stale.refresh_from_db()
    fresh.refresh_from_db()
    assert stale.dispatched_at >= now
    assert fresh.dispatched_at == fresh_dispatched


def all_chunks_done_but_never_reported(monkeypatch) -> RecomputeRun:
    """A run whose worker died after its last chunk's commit, before the finish check."""
    run, _created = services.recompute_run_start(as_of=AS_OF, chunk_size=2, dispatch=False)
    with monkeypatch.context() as crash:
        crash.setattr(recompute_services, "recompute_run_finish_if_complete", lambda run_id: None)
        for chunk_id in run.chunks.values_list("pk", flat=True):
            services.recompute_chunk_run(chunk_id=chunk_id)
    run.refresh_from_db()
    assert (run.status, run.people_done, run.finished_at) == (RecomputeRun.Status.RUNNING, 5, None)
    return run


def test_sweeper_finishes_a_run_left_running_with_nothing_pending(people, monkeypatch):
    run = all_chunks_done_but_never_reported(monkeypatch)

    assert services.recompute_sweep(now=shanghai(AS_OF, 3, 0)) == 0

    run.refresh_from_db()
    assert (run.status, run.people_done, run.is_late) == (RecomputeRun.Status.DONE, 5, False)
    assert run.finished_at is not None


def test_resume_finishes_a_run_left_running_with_nothing_pending(people, monkeypatch):
    run = all_chunks_done_but_never_reported(monkeypatch)

    assert services.recompute_run_resume(as_of=AS_OF) == 0

    run.refresh_from_db()
    assert (run.status, run.people_done) == (RecomputeRun.Status.DONE, 5)


def test_resume_requeues_every_pending_chunk(people):
    run, _created = services.recompute_run_start(as_of=AS_OF, chunk_size=2, dispatch=False)
    done, *pending = run.chunks.order_by("first_person_id")
    services.recompute_chunk_run(chunk_id=done.pk)

    assert services.recompute_run_resume(as_of=AS_OF) == 2

    assert queued_chunk_ids() == [chunk.pk for chunk in pending]


# Query counts and equal results -------------------------------------------------------------


def test_chunk_query_count_is_fixed_whatever_its_size(populate, django_assert_num_queries):
    populate("p", 33)
    small_run, _created = services.recompute_run_start(as_of=AS_OF, chunk_size=3, dispatch=False)
    large_run, _created = services.recompute_run_start(as_of=NEXT_DAY, chunk_size=30, dispatch=False)
    small = small_run.chunks.order_by("first_person_id").first()
    large = large_run.chunks.order_by("first_person_id").first()
    assert (small.people, large.people) == (3, 30)

    with django_assert_num_queries(CHUNK_QUERIES):
        assert services.recompute_chunk_run(chunk_id=small.pk) == 3
    with django_assert_num_queries(CHUNK_QUERIES):
        assert services.recompute_chunk_run(chunk_id=large.pk) == 30


def test_batch_and_single_person_paths_make_identical_snapshots(populate):
    made = populate("v", 20, seed=11)

    single = {
        person.pk: snapshot_values(services.score_recompute(person=person, as_of=AS_OF)) for person in made
    }
    ScoreSnapshot.objects.filter(as_of=AS_OF).delete()
    services.recompute_run_sync(as_of=AS_OF, chunk_size=6)
    batch = {
        snapshot.person_id: snapshot_values(snapshot)
        for snapshot in ScoreSnapshot.objects.filter(as_of=AS_OF)
    }

    assert batch == single
    assert len({values[0] for values in single.values()}) > 5  # the signals really vary
    assert any(reason["code"] == "blacklist_active" for values in single.values() for reason in values[-1])


# The settings the design relies on ------------------------------------------------------


def scoring_tasks() -> list:
    return [task for name, task in sorted(celery_app.tasks.items()) if name.startswith("scoring.")]


def test_time_limits_stay_well_inside_the_visibility_timeout():
    visibility = settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
    hard = settings.CELERY_TASK_TIME_LIMIT

    assert hard <= visibility / 2
    assert 0 < settings.CELERY_TASK_SOFT_TIME_LIMIT < hard
    assert {"scoring.recompute_chunk", "scoring.recompute_nightly", "scoring.recompute_sweep"} <= {
        task.name for task in scoring_tasks()
    }
    for task in scoring_tasks():
        task_hard = task.time_limit or hard
        task_soft = task.soft_time_limit or settings.CELERY_TASK_SOFT_TIME_LIMIT
        assert task_hard <= visibility / 2, task.name
        assert task_soft < task_hard, task.name


def test_chunk_task_is_acknowledged_late_and_requeued_when_its_worker_dies():
    assert tasks.recompute_chunk.acks_late is True
    assert tasks.recompute_chunk.reject_on_worker_lost is True
    assert tasks.recompute_chunk.ignore_result is True
    assert settings.CELERY_WORKER_PREFETCH_MULTIPLIER == 1


def test_nightly_run_is_scheduled_at_two_in_the_morning_shanghai_time():
    schedules = {entry["task"]: entry["schedule"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    nightly = schedules["scoring.recompute_nightly"]

    assert isinstance(nightly, crontab)
    assert (nightly.hour, nightly.minute) == ({2}, {0})
    assert settings.CELERY_TIMEZONE == "Asia/Shanghai"
    assert "scoring.recompute_sweep" in schedules


def test_sweeper_waits_longer_than_the_hard_time_limit_before_requeueing(people):
    run, _created = services.recompute_run_start(as_of=AS_OF, chunk_size=5, dispatch=False)
    hard = max(settings.CELERY_TASK_TIME_LIMIT, tasks.recompute_chunk.time_limit or 0)
    now = timezone.now()
    run.chunks.update(dispatched_at=now - datetime.timedelta(seconds=hard + 1))

    assert services.recompute_sweep(now=now) == 0
    assert queued_chunk_ids() == []


# The command ----------------------------------------------------------------------------


def test_command_sync_does_the_run_and_prints_a_done_line(people):
    out = io.StringIO()

    call_command("recompute_scores", "--sync", "--date", "2026-11-20", "--chunk-size", "2", stdout=out)

    assert "Run 2026-11-20: done, 5 scored, 0 failed, model 2026.1" in out.getvalue()
    assert ScoreSnapshot.objects.filter(as_of=AS_OF).count() == 5


def test_command_resume_without_a_run_is_an_error_and_changes_nothing(people):
    before = counts()

    with pytest.raises(CommandError, match="There is no run for 2026-11-20 to resume"):
        call_command("recompute_scores", "--resume", "--date", "2026-11-20", stdout=io.StringIO())

    assert counts() == before
