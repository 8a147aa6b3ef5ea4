"""Writes for scoring, one module per subject; every service is also importable from here.

``from scoring import services; services.score_recompute(...)`` is how callers use them.
"""

from .bills import (
    bill_overdue_issue,
    bill_overdue_settle,
)
from .disputes import (
    DISPUTE_ANSWER_DAYS,
    DISPUTE_DUE_SOON_DAYS,
    dispute_accept,
    dispute_create,
    dispute_reject,
)
from .identity import (
    DEMO_VERIFIER,
    contact_decide,
    declaration_save,
    identity_facts_record,
    real_name_decide,
    real_name_decide_by_partner,
    real_name_submit,
    source_consent_set,
)
from .ingestion import (
    blacklist_entry_lift,
    events_ingest,
)
from .models import (
    SHADOW_RUNS_REQUIRED,
    observation_dates,
    scoring_model_activate,
    scoring_model_approve,
    scoring_model_create,
    scoring_model_fit,
    scoring_model_retire,
    scoring_model_shadow,
    scoring_model_validate,
    shadow_runs_done,
)
from .monitoring import chunk_histograms, monitoring_record
from .notifications import (
    model_changed_notify,
    score_moves_notify,
)
from .partners import (
    PARTNER_KEY_PREFIX_BYTES,
    partner_key_issue,
    partner_key_revoke,
)
from .recompute import (
    RUN_DEADLINE,
    recompute_chunk_fail,
    recompute_chunk_run,
    recompute_chunks_dispatch,
    recompute_run_finish_if_complete,
    recompute_run_resume,
    recompute_run_start,
    recompute_run_sync,
    recompute_sweep,
)
from .scores import (
    SNAPSHOT_UPDATE_FIELDS,
    ScoreReplay,
    SnapshotRow,
    chunk_score,
    consumer_opt_in,
    consumer_opt_out,
    score_recompute,
    scores_compute,
    snapshot_replay,
    snapshot_row,
    snapshot_rows,
    snapshots_write,
    today,
)

__all__ = [
    "DEMO_VERIFIER",
    "DISPUTE_ANSWER_DAYS",
    "DISPUTE_DUE_SOON_DAYS",
    "PARTNER_KEY_PREFIX_BYTES",
    "RUN_DEADLINE",
    "SHADOW_RUNS_REQUIRED",
    "SNAPSHOT_UPDATE_FIELDS",
    "ScoreReplay",
    "SnapshotRow",
    "bill_overdue_issue",
    "bill_overdue_settle",
    "blacklist_entry_lift",
    "chunk_histograms",
    "chunk_score",
    "consumer_opt_in",
    "consumer_opt_out",
    "contact_decide",
    "declaration_save",
    "dispute_accept",
    "dispute_create",
    "dispute_reject",
    "events_ingest",
    "identity_facts_record",
    "model_changed_notify",
    "monitoring_record",
    "observation_dates",
    "partner_key_issue",
    "partner_key_revoke",
    "real_name_decide",
    "real_name_decide_by_partner",
    "real_name_submit",
    "recompute_chunk_fail",
    "recompute_chunk_run",
    "recompute_chunks_dispatch",
    "recompute_run_finish_if_complete",
    "recompute_run_resume",
    "recompute_run_start",
    "recompute_run_sync",
    "recompute_sweep",
    "score_moves_notify",
    "score_recompute",
    "scores_compute",
    "scoring_model_activate",
    "scoring_model_approve",
    "scoring_model_create",
    "scoring_model_fit",
    "scoring_model_retire",
    "scoring_model_shadow",
    "scoring_model_validate",
    "shadow_runs_done",
    "snapshot_replay",
    "snapshot_row",
    "snapshot_rows",
    "snapshots_write",
    "source_consent_set",
    "today",
]
