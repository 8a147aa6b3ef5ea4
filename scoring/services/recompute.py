"""The nightly run: a run fans out into chunks of people, each chunk scored and written in bulk."""

import contextlib
import datetime
import gc
import logging
from collections.abc import Iterator

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from accounts.models import ConsumerProfile
from core import outbox

from .. import selectors
from ..models import (
    RecomputeChunk,
    RecomputeRun,
    ScoringModel,
)
from .monitoring import chunk_histograms, monitoring_record
from .notifications import score_moves_notify
from .scores import (
    chunk_score,
    scores_of_features,
    shadow_scores_write,
    snapshot_rows,
    snapshots_write,
    today,
)

logger = logging.getLogger(__name__)


RUN_DEADLINE = datetime.time(6, 0)


def _chunk_bounds(*, chunk_size: int) -> list[tuple[int, int, int]]:
    """(first id, last id, people) of consecutive slices of opted-in people, chunk_size each."""
    table = ConsumerProfile._meta.db_table
    sql = f"""
        SELECT MIN(user_id), MAX(user_id), COUNT(*) FROM (
            SELECT user_id, (ROW_NUMBER() OVER (ORDER BY user_id) - 1) / %s AS bucket
            FROM {table} WHERE is_opted_in
        ) numbered GROUP BY bucket ORDER BY 1
    """  # noqa: S608 - the table name is ours, the value is a parameter
    with connection.cursor() as cursor:
        cursor.execute(sql, [chunk_size])
        return [(int(first), int(last), int(people)) for first, last, people in cursor.fetchall()]


def recompute_run_start(
    *, as_of: datetime.date, chunk_size: int | None = None, dispatch: bool = True
) -> tuple[RecomputeRun, bool]:
    """Plan a date's run (once) and queue its chunks; for a date already planned, say so and do nothing."""
    chunk_size = chunk_size or settings.SCORING_CHUNK_SIZE
    with transaction.atomic():
        run, created = RecomputeRun.objects.get_or_create(
            as_of=as_of,
            defaults={
                "model": selectors.scoring_model_active(),
                # A challenger in shadow is scored beside the active model all night.
                "shadow_model": ScoringModel.objects.filter(status=ScoringModel.Status.SHADOW).first(),
                "chunk_size": chunk_size,
                "started_at": timezone.now(),
            },
        )
        if not created:
            logger.info("recompute already planned as_of=%s status=%s", as_of, run.status)
            return run, False
        bounds = _chunk_bounds(chunk_size=chunk_size)
        RecomputeChunk.objects.bulk_create(
            RecomputeChunk(run=run, first_person_id=first, last_person_id=last, people=people)
            for first, last, people in bounds
        )
        run.people_total = sum(people for _, _, people in bounds)
        run.save(update_fields=["people_total", "updated_at"])
        if not bounds:
            recompute_run_finish_if_complete(run_id=run.pk)
        logger.info("recompute planned as_of=%s people=%d chunks=%d", as_of, run.people_total, len(bounds))
        if dispatch:
            recompute_chunks_dispatch(run=run)
    run.refresh_from_db()
    return run, True


def recompute_chunks_dispatch(*, run: RecomputeRun, stale_before: datetime.datetime | None = None) -> int:
    """Queue the run's unfinished chunks (only those dispatched before stale_before, when given)."""
    pending = RecomputeChunk.objects.filter(run=run, status=RecomputeChunk.Status.PENDING)
    if stale_before is not None:
        pending = pending.filter(Q(dispatched_at__isnull=True) | Q(dispatched_at__lt=stale_before))
    chunk_ids = list(pending.values_list("pk", flat=True))
    RecomputeChunk.objects.filter(pk__in=chunk_ids).update(dispatched_at=timezone.now())
    for chunk_id in chunk_ids:
        outbox.enqueue("scoring.recompute_chunk", chunk_id)
    return len(chunk_ids)


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector off while a chunk is read, scored and written.

    A chunk makes some 40 objects a person (features, rows, reasons) that live until its write,
    so every few chunks they trigger a full collection, which walks every object of the worker
    (Django's included) and finds nothing: 0.2 s a time, measured, a tenth of a chunk's CPU. They
    hold no cycles and go with their last reference when the chunk is done; the collector, back
    on, finds any cycle made meanwhile at its next pass.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@_collector_paused()
def recompute_chunk_run(*, chunk_id: int) -> int:
    """Score one chunk and record it done, exactly once however often the task is delivered."""
    with transaction.atomic():
        chunk = (
            RecomputeChunk.objects.select_for_update(of=("self",))
            .select_related("run__model", "run__shadow_model")
            .get(pk=chunk_id)
        )
        if chunk.status != RecomputeChunk.Status.PENDING:
            return 0
        _chunk_session_tune()
        run = chunk.run
        features = selectors.features_for_people(
            id_range=(chunk.first_person_id, chunk.last_person_id), as_of=run.as_of
        )
        chunk_scores = chunk_score(features=features, model=run.model)
        rows = snapshot_rows(person_ids=list(features), chunk=chunk_scores)
        snapshots_write(rows=rows, as_of=run.as_of, model=run.model)
        if run.as_of >= today():
            score_moves_notify(as_of=run.as_of, id_range=(chunk.first_person_id, chunk.last_person_id))
        if run.shadow_model is not None:
            # The same features through the challenger, written apart: never a snapshot.
            shadow_rows = scores_of_features(features=features, model=run.shadow_model)
            shadow_scores_write(rows=shadow_rows, as_of=run.as_of, model=run.shadow_model)
        chunk.histograms = chunk_histograms(
            features=features,
            rows=rows,
            scorecard=selectors.scorecard_of(model=run.model),
            chunk=chunk_scores,
        )
        # The chunk counts the people it actually scored: opt-outs since planning drop out.
        scored = len(rows)
        chunk.status = RecomputeChunk.Status.DONE
        chunk.attempts += 1
        chunk.finished_at = timezone.now()
        chunk.save(update_fields=["status", "attempts", "finished_at", "histograms", "updated_at"])
        RecomputeRun.objects.filter(pk=run.pk).update(
            people_done=F("people_done") + scored,
            people_total=F("people_total") - chunk.people + scored,
            updated_at=timezone.now(),
        )
    recompute_run_finish_if_complete(run_id=chunk.run_id)
    return scored


def _chunk_session_tune() -> None:
    """Fit PostgreSQL's per-query settings to a chunk, for this transaction only.

    At the default 4 MB of work_mem a 2,000-person chunk's bill aggregate sorts on disk (a third
    of its features' time), and a parallel plan only adds processes: chunks are the parallelism.
    """
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL work_mem = '64MB'")
        cursor.execute("SET LOCAL max_parallel_workers_per_gather = 0")


def recompute_chunk_fail(*, chunk_id: int, error: str) -> None:
    """Give up on a chunk after its retries; the run carries on and reports it."""
    with transaction.atomic():
        chunk = RecomputeChunk.objects.select_for_update().get(pk=chunk_id)
        if chunk.status != RecomputeChunk.Status.PENDING:
            return
        chunk.status = RecomputeChunk.Status.FAILED
        chunk.error = error[:2000]
        chunk.finished_at = timezone.now()
        chunk.save(update_fields=["status", "error", "finished_at", "updated_at"])
        RecomputeRun.objects.filter(pk=chunk.run_id).update(
            people_failed=F("people_failed") + chunk.people, updated_at=timezone.now()
        )
    logger.error("recompute chunk failed chunk=%s error=%s", chunk_id, error[:200])
    recompute_run_finish_if_complete(run_id=chunk.run_id)


def recompute_run_finish_if_complete(*, run_id: int) -> None:
    if RecomputeChunk.objects.filter(run_id=run_id, status=RecomputeChunk.Status.PENDING).exists():
        return
    failed = RecomputeChunk.objects.filter(run_id=run_id, status=RecomputeChunk.Status.FAILED).exists()
    finished = RecomputeRun.objects.filter(pk=run_id, status=RecomputeRun.Status.RUNNING).update(
        status=RecomputeRun.Status.FAILED if failed else RecomputeRun.Status.DONE,
        finished_at=timezone.now(),
        updated_at=timezone.now(),
    )
    if finished:
        logger.info("recompute finished run=%s failed_chunks=%s", run_id, failed)
        monitoring_record(run_id=run_id)


def recompute_sweep(*, now: datetime.datetime | None = None) -> int:
    """Re-queue chunks whose task was lost, and flag runs still going past the 06:00 deadline."""
    now = now or timezone.now()
    stale_before = now - datetime.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT * 2)
    requeued = 0
    for run in RecomputeRun.objects.filter(status=RecomputeRun.Status.RUNNING):
        requeued += recompute_chunks_dispatch(run=run, stale_before=stale_before)
        # A worker that died between its last chunk's commit and the finish check leaves the
        # run "running" with nothing pending: finish it here.
        recompute_run_finish_if_complete(run_id=run.pk)
        deadline = timezone.make_aware(datetime.datetime.combine(run.as_of, RUN_DEADLINE))
        if now > deadline and not run.is_late:
            RecomputeRun.objects.filter(pk=run.pk).update(is_late=True, updated_at=now)
            logger.warning(
                "recompute late as_of=%s done=%d total=%d", run.as_of, run.people_done, run.people_total
            )
    return requeued


def recompute_run_resume(*, as_of: datetime.date) -> int:
    """Queue again every unfinished chunk of a date's run (after a crash), at once."""
    run = RecomputeRun.objects.get(as_of=as_of)
    queued = recompute_chunks_dispatch(run=run)
    recompute_run_finish_if_complete(run_id=run.pk)
    return queued


def recompute_run_sync(*, as_of: datetime.date, chunk_size: int | None = None) -> RecomputeRun:
    """Plan and do a date's whole run in this process (the embedded default and seed_demo)."""
    run, _created = recompute_run_start(as_of=as_of, chunk_size=chunk_size, dispatch=False)
    for chunk_id in RecomputeChunk.objects.filter(run=run, status=RecomputeChunk.Status.PENDING).values_list(
        "pk", flat=True
    ):
        recompute_chunk_run(chunk_id=chunk_id)
    run.refresh_from_db()
    return run
