"""Scores: computing and storing them, opting in and out."""

import datetime
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TypedDict

import orjson
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import CONSENT_VERSION, ConsumerProfile, User
from core.bands import SCORE_MAX, SCORE_MIN, Band

from .. import engine, selectors
from ..engine import DIMENSIONS
from ..feature_vectors import feature_vector_decode, feature_vector_encode
from ..models import (
    ScoreSnapshot,
    ScoringModel,
    ShadowScore,
)
from .notifications import score_moves_notify

logger = logging.getLogger(__name__)


SNAPSHOT_UPDATE_FIELDS = [
    "score",
    "band",
    "model",
    *DIMENSIONS,
    "reasons",
    "features",
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
    features: list  # feature_vectors' compact form: what the score was computed from


def today() -> datetime.date:
    """The calendar date in Asia/Shanghai, which is the date a score is 'as of'."""
    return timezone.localdate()


def snapshot_row(*, person_id: int, result: engine.ScoreResult, features: engine.Features) -> SnapshotRow:
    sub_scores = {dimension.key: dimension.score for dimension in result.dimensions}
    return SnapshotRow(
        person_id=person_id,
        features=feature_vector_encode(features),
        score=result.score,
        band=str(result.band),
        reasons=[engine.reason_row(reason) for reason in result.reasons],
        credit_history=sub_scores["credit_history"],
        fulfilment_capacity=sub_scores["fulfilment_capacity"],
        behaviour=sub_scores["behaviour"],
        identity=sub_scores["identity"],
        connections=sub_scores["connections"],
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
                    person_id bigint, score smallint, band text, {sub_score_types}, reasons jsonb,
                    features jsonb
                )
            ), written AS (
                INSERT INTO {snapshot_table}
                    (person_id, as_of, model_id, score, band, {sub_scores}, reasons, features, created_at,
                     updated_at)
                SELECT person_id, %(as_of)s, %(model)s, score, band, {sub_scores}, reasons, features, %(now)s,
                       %(now)s
                FROM incoming
                ON CONFLICT (person_id, as_of) DO UPDATE SET
                    model_id = EXCLUDED.model_id, score = EXCLUDED.score, band = EXCLUDED.band,
                    {", ".join(f"{name} = EXCLUDED.{name}" for name in DIMENSIONS)},
                    reasons = EXCLUDED.reasons, features = EXCLUDED.features, updated_at = EXCLUDED.updated_at
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


def scores_of_features(*, features: dict[int, engine.Features], model: ScoringModel) -> list[SnapshotRow]:
    """The snapshots of people whose features are read already, unwritten."""
    return snapshot_rows(person_ids=list(features), chunk=chunk_score(features=features, model=model))


def chunk_score(*, features: dict[int, engine.Features], model: ScoringModel) -> engine.ChunkScores:
    """Every given person scored in one pass of the engine (``engine.score_chunk``)."""
    return engine.score_chunk(list(features.values()), selectors.scorecard_of(model=model))


# A band per possible score, looked up instead of computed for every person of a chunk.
_BANDS: dict[int, str] = {score: str(Band.for_score(score)) for score in range(SCORE_MIN, SCORE_MAX + 1)}


def snapshot_rows(*, person_ids: list[int], chunk: engine.ChunkScores) -> list[SnapshotRow]:
    """A chunk's snapshots (person_ids in the chunk's order), the same rows as ``snapshot_row``."""
    scores = chunk.scores.tolist()
    sub_scores = chunk.sub_scores.tolist()
    rows = []
    for i, person_id in enumerate(person_ids):
        score = scores[i]
        subs = sub_scores[i]
        rows.append(
            SnapshotRow(
                person_id=person_id,
                features=feature_vector_encode(chunk.features[i]),
                score=score,
                band=_BANDS[score],
                reasons=chunk.reason_rows(i),
                # the sub-scores come in DIMENSIONS order
                credit_history=subs[0],
                fulfilment_capacity=subs[1],
                behaviour=subs[2],
                identity=subs[3],
                connections=subs[4],
            )
        )
    return rows


# What a replay compares: everything a snapshot says about the score.
REPLAYED_FIELDS = ("score", "band", *DIMENSIONS, "reasons")


@dataclass(frozen=True)
class ScoreReplay:
    """A snapshot recomputed from its stored features with its own model, field by field."""

    snapshot: ScoreSnapshot
    # {field: (stored, recomputed)} for every field that differs; empty when the replay matches.
    differences: dict[str, tuple[object, object]]

    @property
    def matches(self) -> bool:
        return not self.differences


def snapshot_replay(*, snapshot: ScoreSnapshot) -> ScoreReplay:
    """Recompute a stored score from the features stored with it and the model that made it; nothing
    is written. A snapshot stored without features (before they were kept) is a ValidationError."""
    if snapshot.features is None:
        raise ValidationError(
            _("This score was stored before its features were kept, so it cannot be replayed."),
            code="no_features",
        )
    features = feature_vector_decode(snapshot.features)
    result = engine.compute(features, selectors.scorecard_of(model=snapshot.model))
    # Through JSON, as the row was stored, so a tuple and a list of the same items compare equal.
    replayed = orjson.loads(
        orjson.dumps(snapshot_row(person_id=snapshot.person_id, result=result, features=features))
    )
    differences = {
        name: (getattr(snapshot, name), replayed[name])
        for name in REPLAYED_FIELDS
        if getattr(snapshot, name) != replayed[name]
    }
    if replayed["features"] != snapshot.features:
        differences["features"] = (snapshot.features, replayed["features"])
    return ScoreReplay(snapshot=snapshot, differences=differences)


def shadow_scores_write(*, rows: list[SnapshotRow], as_of: datetime.date, model: ScoringModel) -> None:
    """Keep a challenger's scores for a night apart from the snapshots (upsert on model, date, person)."""
    if not rows:
        return
    now = timezone.now()
    ShadowScore.objects.bulk_create(
        [
            ShadowScore(
                person_id=row["person_id"],
                model=model,
                as_of=as_of,
                score=row["score"],
                band=row["band"],
                updated_at=now,
            )
            for row in rows
        ],
        update_conflicts=True,
        unique_fields=["model", "as_of", "person"],
        update_fields=["score", "band", "updated_at"],
        batch_size=2000,
    )


def scores_compute(
    *,
    person_ids: Iterable[int] | None = None,
    id_range: tuple[int, int] | None = None,
    as_of: datetime.date,
    model: ScoringModel,
) -> list[SnapshotRow]:
    """The snapshots of the opted-in people given, unwritten: the one path from data to scores."""
    features = selectors.features_for_people(person_ids=person_ids, id_range=id_range, as_of=as_of)
    return scores_of_features(features=features, model=model)


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
    if as_of >= today():  # rescoring a past date is a correction, not news
        score_moves_notify(as_of=as_of, person_ids=[person.pk])
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
