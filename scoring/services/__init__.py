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
from .ingestion import (
    blacklist_entry_lift,
    events_ingest,
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
    SnapshotRow,
    consumer_opt_in,
    consumer_opt_out,
    score_recompute,
    scores_compute,
    scoring_model_activate,
    snapshot_row,
    snapshots_write,
    today,
)

__all__ = [
    "DISPUTE_ANSWER_DAYS",
    "DISPUTE_DUE_SOON_DAYS",
    "PARTNER_KEY_PREFIX_BYTES",
    "RUN_DEADLINE",
    "SNAPSHOT_UPDATE_FIELDS",
    "SnapshotRow",
    "bill_overdue_issue",
    "bill_overdue_settle",
    "blacklist_entry_lift",
    "consumer_opt_in",
    "consumer_opt_out",
    "dispute_accept",
    "dispute_create",
    "dispute_reject",
    "events_ingest",
    "partner_key_issue",
    "partner_key_revoke",
    "recompute_chunk_fail",
    "recompute_chunk_run",
    "recompute_chunks_dispatch",
    "recompute_run_finish_if_complete",
    "recompute_run_resume",
    "recompute_run_start",
    "recompute_run_sync",
    "recompute_sweep",
    "score_recompute",
    "scores_compute",
    "scoring_model_activate",
    "snapshot_row",
    "snapshots_write",
    "today",
]
