"""Writes for scoring: recomputing scores, opting in and out, activating models."""

import datetime
import logging
from collections.abc import Iterable
from typing import TypedDict

import orjson
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import F, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import CONSENT_VERSION, ConsumerProfile, User
from core import keys, outbox
from core.audit import audit_record

from . import engine, events, selectors
from .engine import DIMENSIONS
from .models import (
    Balance,
    Bill,
    BillKind,
    BlacklistEntry,
    Contact,
    CreditLine,
    Dispute,
    EventKind,
    Identity,
    IngestedEvent,
    Partner,
    Purchase,
    RecomputeChunk,
    RecomputeRun,
    ScoreSnapshot,
    ScoringModel,
)

logger = logging.getLogger(__name__)

SNAPSHOT_UPDATE_FIELDS = [
    "score",
    "band",
    "model",
    *DIMENSIONS,
    "reasons",
    "updated_at",
]


class SnapshotRow(TypedDict):
    """What a snapshot holds for one person: one row of the nightly run's write, in JSON types."""

    person_id: int
    score: int
    band: str
    credit_history: int
    fulfilment_capacity: int
    behaviour: int
    identity: int
    connections: int
    reasons: list[dict]


def today() -> datetime.date:
    """The calendar date in Asia/Shanghai, which is the date a score is 'as of'."""
    return timezone.localdate()


def snapshot_row(*, person_id: int, result: engine.ScoreResult) -> SnapshotRow:
    sub_scores = {dimension.key: dimension.score for dimension in result.dimensions}
    return SnapshotRow(
        person_id=person_id,
        score=result.score,
        band=str(result.band),
        reasons=[
            {
                "code": reason.code,
                "direction": reason.direction,
                "points": reason.points,
                "params": reason.params,
            }
            for reason in result.reasons
        ],
        **sub_scores,
    )


def snapshots_write(*, rows: list[SnapshotRow], as_of: datetime.date, model: ScoringModel) -> None:
    """Upsert snapshots on (person, date) and move the profiles' current score, set-based."""
    if not rows:
        return
    if connection.vendor == "postgresql":
        _snapshots_upsert_postgresql(rows, as_of=as_of, model=model)
        return
    now = timezone.now()
    ScoreSnapshot.objects.bulk_create(
        [ScoreSnapshot(**row, as_of=as_of, model=model, updated_at=now) for row in rows],
        update_conflicts=True,
        unique_fields=["person", "as_of"],
        update_fields=SNAPSHOT_UPDATE_FIELDS,
        batch_size=1000,
    )
    person_ids = [row["person_id"] for row in rows]
    # A recompute of a past date must not overwrite a newer current score.
    ConsumerProfile.objects.filter(
        Q(score_as_of__isnull=True) | Q(score_as_of__lte=as_of), user_id__in=person_ids
    ).update(
        score=Subquery(
            ScoreSnapshot.objects.filter(person_id=OuterRef("user_id"), as_of=as_of).values("score")[:1]
        ),
        score_as_of=as_of,
        updated_at=now,
    )


def _snapshots_upsert_postgresql(
    rows: list[SnapshotRow], *, as_of: datetime.date, model: ScoringModel
) -> None:
    """The ORM path's writes in one statement, the rows sent as one JSON document: a seventh of
    the Python time of binding every value (bulk_create), which was a third of the nightly run's
    Python time."""
    snapshot_table = ScoreSnapshot._meta.db_table
    profile_table = ConsumerProfile._meta.db_table
    sub_scores = ", ".join(DIMENSIONS)
    sub_score_types = ", ".join(f"{name} smallint" for name in DIMENSIONS)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            WITH incoming AS (
                SELECT * FROM jsonb_to_recordset(%(rows)s::jsonb) AS incoming (
                    person_id bigint, score smallint, band text, {sub_score_types}, reasons jsonb
                )
            ), written AS (
                INSERT INTO {snapshot_table}
                    (person_id, as_of, model_id, score, band, {sub_scores}, reasons, created_at, updated_at)
                SELECT person_id, %(as_of)s, %(model)s, score, band, {sub_scores}, reasons, %(now)s, %(now)s
                FROM incoming
                ON CONFLICT (person_id, as_of) DO UPDATE SET
                    model_id = EXCLUDED.model_id, score = EXCLUDED.score, band = EXCLUDED.band,
                    {", ".join(f"{name} = EXCLUDED.{name}" for name in DIMENSIONS)},
                    reasons = EXCLUDED.reasons, updated_at = EXCLUDED.updated_at
                RETURNING person_id, score
            )
            UPDATE {profile_table} AS profile
            SET score = written.score, score_as_of = %(as_of)s, updated_at = %(now)s
            FROM written
            WHERE profile.user_id = written.person_id
              -- A recompute of a past date must not overwrite a newer current score.
              AND (profile.score_as_of IS NULL OR profile.score_as_of <= %(as_of)s)
            """,  # noqa: S608 - table and column names are ours, every value is a parameter
            {
                # orjson: a ninth of json's time for a chunk's rows, the same document.
                "rows": orjson.dumps(rows).decode(),
                "as_of": as_of,
                "model": model.pk,
                "now": timezone.now(),
            },
        )


def scores_compute(
    *,
    person_ids: Iterable[int] | None = None,
    id_range: tuple[int, int] | None = None,
    as_of: datetime.date,
    model: ScoringModel,
) -> list[SnapshotRow]:
    """The snapshots of the opted-in people given, unwritten: the one path from data to scores."""
    scorecard = selectors.scorecard_of(model=model)
    features = selectors.features_for_people(person_ids=person_ids, id_range=id_range, as_of=as_of)
    return [
        snapshot_row(person_id=person_id, result=engine.compute(person_features, scorecard))
        for person_id, person_features in features.items()
    ]


@transaction.atomic
def score_recompute(*, person: User, as_of: datetime.date | None = None) -> ScoreSnapshot:
    """Score one opted-in person for a date; running it again for that date replaces the snapshot."""
    as_of = as_of or today()
    profile = ConsumerProfile.objects.select_for_update().get(user=person)
    if not profile.is_opted_in:
        raise ValidationError(_("This person has not opted in to scoring."), code="not_opted_in")
    model = selectors.scoring_model_active()
    rows = scores_compute(person_ids=[person.pk], as_of=as_of, model=model)
    snapshots_write(rows=rows, as_of=as_of, model=model)
    return ScoreSnapshot.objects.select_related("model").get(person=person, as_of=as_of)


@transaction.atomic
def consumer_opt_in(*, person: User) -> ScoreSnapshot:
    """Record consent and score the person at once."""
    profile, _created = ConsumerProfile.objects.select_for_update().get_or_create(user=person)
    if not profile.is_opted_in:
        profile.is_opted_in = True
        profile.opted_in_at = timezone.now()
        profile.consent_version = CONSENT_VERSION
        profile.save(update_fields=["is_opted_in", "opted_in_at", "consent_version", "updated_at"])
        logger.info("consumer opted in person=%s consent=%s", person.pk, CONSENT_VERSION)
    return score_recompute(person=person)


@transaction.atomic
def consumer_opt_out(*, person: User) -> None:
    """Stop scoring the person and hide them from merchants; history and claims stay theirs."""
    profile = ConsumerProfile.objects.select_for_update().get(user=person)
    profile.is_opted_in = False
    profile.opted_out_at = timezone.now()
    profile.save(update_fields=["is_opted_in", "opted_out_at", "updated_at"])
    logger.info("consumer opted out person=%s", person.pk)


@transaction.atomic
def scoring_model_activate(*, model: ScoringModel, actor: User | None = None) -> ScoringModel:
    """Make one model the one that scores from now on."""
    selectors.scorecard_of(model=model)  # refuse to activate tables the engine cannot use
    previous = list(ScoringModel.objects.filter(is_active=True).values_list("version", flat=True))
    ScoringModel.objects.filter(is_active=True).exclude(pk=model.pk).update(is_active=False)
    model.is_active = True
    model.activated_at = timezone.now()
    model.save(update_fields=["is_active", "activated_at", "updated_at"])
    logger.info("scoring model activated version=%s", model.version)
    audit_record(
        actor=actor, action="scoring_model.activate", target=model, changes={"previously_active": previous}
    )
    return model


def _event_store(*, event: events.ValidEvent) -> None:
    person, data = event.person, event.data
    match event.kind:
        case EventKind.BILL_PAID | EventKind.BILL_OVERDUE:
            paid_on = data.get("paid_on")
            existing = (
                Bill.objects.filter(person=person, issuer=data["issuer"], reference=data["reference"]).first()
                if data["reference"]
                else None
            )
            if existing is not None:
                # A payment wins over an overdue notice, whichever arrives first.
                if paid_on is not None:
                    existing.paid_on = paid_on
                    existing.save(update_fields=["paid_on", "updated_at"])
            else:
                Bill.objects.create(
                    person=person,
                    kind=data["kind"],
                    issuer=data["issuer"],
                    reference=data["reference"],
                    amount=data["amount"],
                    due_on=data["due_on"],
                    paid_on=paid_on,
                )
        case EventKind.RENTAL_PAYMENT:
            Bill.objects.create(
                person=person,
                kind=BillKind.RENT,
                issuer=data["landlord"],
                amount=data["amount"],
                due_on=data["due_on"],
                paid_on=data["paid_on"],
            )
        case EventKind.BALANCE:
            Balance.objects.create(person=person, as_of=data["as_of"], amount=data["amount"])
        case EventKind.CREDIT_LINE:
            CreditLine.objects.create(person=person, **data)
        case EventKind.PURCHASE:
            Purchase.objects.create(person=person, **data)
        case EventKind.IDENTITY_VERIFIED:
            Identity.objects.update_or_create(person=person, defaults=data)
        case EventKind.CONTACT:
            Contact.objects.update_or_create(
                person=person,
                contact=data["contact"],
                defaults={"confirmed_on": data["confirmed_on"], "interactions_90d": data["interactions_90d"]},
            )
        case EventKind.BLACKLIST_LISTED:
            BlacklistEntry.objects.update_or_create(
                person=person, court=data["court"], case_number=data["case_number"], defaults=data
            )
        case EventKind.BLACKLIST_LIFTED:
            blacklist_entry_lift(
                entry=BlacklistEntry.objects.select_for_update().get(
                    person=person, court=data["court"], case_number=data["case_number"]
                ),
                lifted_on=data["lifted_on"],
                reason=data["reason"],
                recompute=False,
            )


@transaction.atomic
def events_ingest(
    *,
    partner: Partner,
    batch: object,
    label: str = "events[{}]",
    number_from: int = 0,
    limit: int | None = events.MAX_BATCH,
) -> list[IngestedEvent]:
    """Validate a whole batch, store all of it or none, and rescore the people it touched."""
    items = batch.get("events") if isinstance(batch, dict) else batch
    if not isinstance(items, list) or not items:
        raise ValidationError({"events": [_("Send a non-empty list of events.")]})
    if limit is not None and len(items) > limit:
        raise ValidationError({"events": [_("At most %(max)d events per batch.") % {"max": limit}]})
    valid = events.events_validate(partner=partner, items=items, label=label, number_from=number_from)
    lifted_missing: dict[str, list[str]] = {}
    for index, event in enumerate(valid):
        if event.kind in (EventKind.BLACKLIST_LISTED, EventKind.BLACKLIST_LIFTED):
            # Checked here, not in events_validate: an earlier event of the batch may list the case.
            where = f"{label.format(index + number_from)}.data"
            entry = BlacklistEntry.objects.filter(
                person=event.person, court=event.data["court"], case_number=event.data["case_number"]
            ).first()
            if event.kind == EventKind.BLACKLIST_LIFTED and entry is None:
                lifted_missing[f"{where}.case_number"] = [_("No listing with this court and case number.")]
                continue
            if event.kind == EventKind.BLACKLIST_LIFTED and event.data["lifted_on"] < entry.listed_on:
                lifted_missing[f"{where}.lifted_on"] = [_("A listing cannot be lifted before it was listed.")]
                continue
            if (
                event.kind == EventKind.BLACKLIST_LISTED
                and entry is not None
                and entry.lifted_on is not None
                and event.data["listed_on"] > entry.lifted_on
            ):
                lifted_missing[f"{where}.listed_on"] = [_("This case was lifted before that date.")]
                continue
        _event_store(event=event)
    if lifted_missing:
        raise ValidationError(lifted_missing)
    try:
        with transaction.atomic():
            stored = IngestedEvent.objects.bulk_create(
                IngestedEvent(
                    partner=partner,
                    external_id=event.external_id,
                    kind=event.kind,
                    person=event.person,
                    payload=event.raw,
                )
                for event in valid
            )
    except IntegrityError as exc:
        # Another batch with one of these ids committed while this one was being checked.
        raise ValidationError(
            {"events": [_("An event of this batch was received at the same moment in another batch.")]}
        ) from exc
    person_ids = sorted({event.person.pk for event in valid})
    as_of = today().isoformat()
    for person_id in person_ids:
        outbox.enqueue("scoring.recompute_person", person_id, as_of)
    logger.info("events ingested partner=%s events=%d people=%d", partner.slug, len(stored), len(person_ids))
    kinds: dict[str, int] = {}
    for event in valid:
        kinds[event.kind] = kinds.get(event.kind, 0) + 1
        if event.kind == EventKind.BLACKLIST_LISTED:
            listing = BlacklistEntry.objects.get(
                person=event.person, court=event.data["court"], case_number=event.data["case_number"]
            )
            audit_record(
                actor=None, action="blacklist.list", target=listing, changes={"partner": partner.slug}
            )
    audit_record(
        actor=None,
        action="ingestion.batch",
        target=partner,
        changes={"events": len(stored), "people": len(person_ids), "kinds": kinds},
    )
    return stored


@transaction.atomic
def blacklist_entry_lift(
    *,
    entry: BlacklistEntry,
    lifted_on: datetime.date,
    reason: str,
    recompute: bool = True,
    actor: User | None = None,
) -> BlacklistEntry:
    """Lift a listing; an overturned one stops counting at once, a settled one fades."""
    entry.lifted_on = lifted_on
    entry.lift_reason = reason
    entry.save(update_fields=["lifted_on", "lift_reason", "updated_at"])
    audit_record(
        actor=actor, action="blacklist.lift", target=entry, changes={"lifted_on": lifted_on, "reason": reason}
    )
    if recompute:
        outbox.enqueue("scoring.recompute_person", entry.person_id, today().isoformat())
    return entry


PARTNER_KEY_PREFIX_BYTES = 4  # 8 hex characters, as every partner key has had


@transaction.atomic
def partner_key_issue(*, partner: Partner, actor: User | None = None) -> str:
    """Give a partner a new API key (the old one stops working); the key is shown only now."""
    new = keys.key_generate(prefix_bytes=PARTNER_KEY_PREFIX_BYTES)
    partner.key_prefix = new.prefix
    partner.key_hash = new.hash
    partner.is_active = True
    partner.save(update_fields=["key_prefix", "key_hash", "is_active", "updated_at"])
    audit_record(actor=actor, action="partner.key_issue", target=partner, changes={"key_prefix": new.prefix})
    return new.key


@transaction.atomic
def partner_key_revoke(*, partner: Partner, actor: User | None = None) -> Partner:
    partner.is_active = False
    partner.save(update_fields=["is_active", "updated_at"])
    audit_record(
        actor=actor, action="partner.key_revoke", target=partner, changes={"key_prefix": partner.key_prefix}
    )
    return partner


# The nightly recompute ------------------------------------------------------------------

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


def recompute_chunk_run(*, chunk_id: int) -> int:
    """Score one chunk and record it done, exactly once however often the task is delivered."""
    with transaction.atomic():
        chunk = (
            RecomputeChunk.objects.select_for_update(of=("self",))
            .select_related("run__model")
            .get(pk=chunk_id)
        )
        if chunk.status != RecomputeChunk.Status.PENDING:
            return 0
        _chunk_session_tune()
        run = chunk.run
        rows = scores_compute(
            id_range=(chunk.first_person_id, chunk.last_person_id), as_of=run.as_of, model=run.model
        )
        snapshots_write(rows=rows, as_of=run.as_of, model=run.model)
        # The chunk counts the people it actually scored: opt-outs since planning drop out.
        scored = len(rows)
        chunk.status = RecomputeChunk.Status.DONE
        chunk.attempts += 1
        chunk.finished_at = timezone.now()
        chunk.save(update_fields=["status", "attempts", "finished_at", "updated_at"])
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


# --- Disputes (the consumer dashboard's section) --------------------------------------------

DISPUTE_ANSWER_DAYS = 20  # China's credit-reporting rule


@transaction.atomic
def dispute_create(
    *, person: User, reason: str, signal: str = "", blacklist_entry: BlacklistEntry | None = None
) -> Dispute:
    """Record a person's dispute of a listing or of other data, to be answered within 20 days."""
    errors: dict[str, list[str]] = {}
    reason, signal = reason.strip(), signal.strip()
    if not reason:
        errors["reason"] = [_("Say why the data is wrong.")]
    if blacklist_entry is None and not signal:
        errors["signal"] = [_("Say which data is wrong.")]
    if blacklist_entry is not None:
        if blacklist_entry.person_id != person.pk:
            raise BlacklistEntry.DoesNotExist("no such listing for this person")
        if Dispute.objects.filter(blacklist_entry=blacklist_entry, status=Dispute.Status.OPEN).exists():
            errors["blacklist_entry"] = [_("You already have an open dispute about this listing.")]
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            dispute = Dispute.objects.create(
                person=person,
                blacklist_entry=blacklist_entry,
                signal=signal,
                reason=reason,
                due_by=today() + datetime.timedelta(days=DISPUTE_ANSWER_DAYS),
            )
    except IntegrityError as error:  # a second submit raced the check above
        raise ValidationError(
            {"blacklist_entry": [_("You already have an open dispute about this listing.")]}
        ) from error
    logger.info(
        "dispute opened dispute=%s person=%s listing=%s",
        dispute.pk,
        person.pk,
        blacklist_entry.pk if blacklist_entry else None,
    )
    audit_record(
        actor=person,
        action="dispute.open",
        target=dispute,
        changes={"listing": blacklist_entry.pk if blacklist_entry else None, "signal": signal},
    )
    return dispute


def _dispute_open_locked(*, dispute: Dispute) -> Dispute:
    locked = Dispute.objects.select_for_update().get(pk=dispute.pk)
    if locked.status != Dispute.Status.OPEN:
        raise ValidationError(_("This dispute has already been answered."), code="dispute_closed")
    return locked


@transaction.atomic
def dispute_accept(*, dispute: Dispute, response: str = "", actor: User | None = None) -> Dispute:
    """Uphold a dispute: a disputed listing is lifted as overturned and the score recomputed at once."""
    dispute = _dispute_open_locked(dispute=dispute)
    entry = dispute.blacklist_entry
    if entry is not None:
        entry = BlacklistEntry.objects.select_for_update().get(pk=entry.pk)
        blacklist_entry_lift(
            entry=entry,
            lifted_on=max(today(), entry.listed_on),
            reason=BlacklistEntry.LiftReason.OVERTURNED,
            recompute=False,
            actor=actor,
        )
    dispute.status = Dispute.Status.ACCEPTED
    dispute.response = response.strip() or dispute.response
    dispute.resolved_at = timezone.now()
    dispute.save(update_fields=["status", "response", "resolved_at", "updated_at"])
    is_scored = ConsumerProfile.objects.filter(user_id=dispute.person_id, is_opted_in=True).exists()
    if entry is not None and is_scored:
        score_recompute(person=dispute.person)
    logger.info("dispute accepted dispute=%s person=%s", dispute.pk, dispute.person_id)
    audit_record(
        actor=actor, action="dispute.accept", target=dispute, changes={"status": ["open", "accepted"]}
    )
    return dispute


@transaction.atomic
def dispute_reject(*, dispute: Dispute, response: str, actor: User | None = None) -> Dispute:
    """Turn a dispute down, with the reason the person will read."""
    response = response.strip()
    if not response:
        raise ValidationError({"response": [_("Give the reason for rejecting the dispute.")]})
    dispute = _dispute_open_locked(dispute=dispute)
    dispute.status = Dispute.Status.REJECTED
    dispute.response = response
    dispute.resolved_at = timezone.now()
    dispute.save(update_fields=["status", "response", "resolved_at", "updated_at"])
    logger.info("dispute rejected dispute=%s person=%s", dispute.pk, dispute.person_id)
    audit_record(
        actor=actor, action="dispute.reject", target=dispute, changes={"status": ["open", "rejected"]}
    )
    return dispute
