"""The nightly watch: after each run, PSI of the score distribution and CSI of every characteristic
against the active model's baseline, flagged stable, investigate (>= 0.10) or act (>= 0.25).

Each chunk counts its people into histograms as it is scored (``chunk_histograms``, written with
the chunk), so the watch only adds up a run's chunks: nothing is read person by person again. A
model's baseline is its first finished night as the active model (the same population it goes on
to score, in the same 50-point buckets and bins); that night is stable by definition.
"""

import logging
from bisect import bisect_right
from collections.abc import Mapping

from django.db import transaction

from scoring.fitting.monitoring import SCORE_BUCKET_EDGES, psi_from_counts, stability

from .. import engine
from ..models import ModelMonitoring, RecomputeChunk, RecomputeRun, ScoringModel
from .scores import SnapshotRow

logger = logging.getLogger(__name__)

Flag = ModelMonitoring.Flag
_SEVERITY = {Flag.STABLE: 0, Flag.INVESTIGATE: 1, Flag.ACT: 2}


def _bins(characteristic: engine.Characteristic | engine.FittedCharacteristic) -> int:
    if isinstance(characteristic, engine.FittedCharacteristic):
        return len(characteristic.points)
    return len(characteristic.partials)


def chunk_histograms(
    *,
    features: Mapping[int, engine.Features],
    rows: list[SnapshotRow],
    scorecard: engine.AnyScorecard,
    chunk: engine.ChunkScores | None = None,
) -> dict:
    """A chunk's scores per 50-point bucket and each characteristic's people per bin ("no data" first).

    Given the chunk that scored ``features`` (every one of them a row), the bins are the ones the
    engine placed the people in, counted at once."""
    scores = [0] * (len(SCORE_BUCKET_EDGES) + 1)
    for row in rows:
        scores[bisect_right(SCORE_BUCKET_EDGES, row["score"])] += 1
    counted = chunk.bin_counts() if chunk is not None and len(chunk) == len(rows) else None
    if counted is not None:
        return {"scores": scores, "characteristics": counted}
    scored = {row["person_id"] for row in rows}
    characteristics: dict[str, list[int]] = {}
    for characteristic in scorecard.characteristics:
        counts = [0] * (_bins(characteristic) + 1)
        for person_id, person in features.items():
            if person_id in scored:
                counts[characteristic.index(getattr(person, characteristic.name)) + 1] += 1
        characteristics[characteristic.name] = counts
    return {"scores": scores, "characteristics": characteristics}


def _add(total: dict, part: dict) -> dict:
    if not total:
        return {
            "scores": list(part["scores"]),
            "characteristics": {k: list(v) for k, v in part["characteristics"].items()},
        }
    total["scores"] = [a + b for a, b in zip(total["scores"], part["scores"], strict=True)]
    for name, counts in part["characteristics"].items():
        total["characteristics"][name] = [
            a + b for a, b in zip(total["characteristics"][name], counts, strict=True)
        ]
    return total


def _flag(value: float) -> str:
    return str(Flag(stability(value)))


@transaction.atomic
def monitoring_record(*, run_id: int) -> ModelMonitoring | None:
    """Compare a finished run with its model's baseline and keep the figures (once per run)."""
    run = RecomputeRun.objects.select_related("model").get(pk=run_id)
    if ModelMonitoring.objects.filter(run=run).exists():
        return None
    histograms: dict = {}
    for part in RecomputeChunk.objects.filter(run=run, status=RecomputeChunk.Status.DONE).values_list(
        "histograms", flat=True
    ):
        if part:
            histograms = _add(histograms, part)
    people = sum(histograms.get("scores", []))
    if not people:
        return None
    model = ScoringModel.objects.select_for_update().get(pk=run.model_id)
    baseline = model.baseline
    if not baseline or sorted(baseline.get("characteristics", {})) != sorted(histograms["characteristics"]):
        model.baseline = histograms
        model.save(update_fields=["baseline", "updated_at"])
        baseline = histograms
    psi = psi_from_counts(baseline["scores"], histograms["scores"])
    csi = {}
    for name, counts in histograms["characteristics"].items():
        value = psi_from_counts(baseline["characteristics"][name], counts)
        csi[name] = {"csi": value, "flag": _flag(value)}
    flags = [_flag(psi), *(entry["flag"] for entry in csi.values())]
    worst = max(flags, key=lambda flag: _SEVERITY[Flag(str(flag))])
    monitoring = ModelMonitoring.objects.create(
        run=run, model=model, people=people, psi=psi, psi_flag=_flag(psi), csi=csi, flag=str(worst)
    )
    shifted = sorted(name for name, entry in csi.items() if entry["flag"] != Flag.STABLE)
    log = logger.warning if worst != Flag.STABLE else logger.info
    log(
        "model monitoring as_of=%s model=%s flag=%s psi=%.4f shifted=%s",
        run.as_of,
        model.version,
        worst,
        psi,
        ",".join(shifted) or "-",
    )
    return monitoring
