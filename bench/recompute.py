"""Benchmark the nightly recompute end to end against a PostgreSQL floor.

    .venv/bin/python bench/recompute.py                 # 100,000 people, 1 and 2 workers
    .venv/bin/python bench/recompute.py --quick         # 5,000 people, for CI (under a minute)
    .venv/bin/python bench/recompute.py --people 100000,1000000 --workers 2

It creates (and at the end drops) its own database, migrates it, writes N synthetic opted-in
people with about 40 signals each in set-based SQL, then for each worker count starts a real
`celery worker` (prefork) on a Redis database of its own, dispatches the run as the nightly job
does and times it from dispatch to the run's finish. The floor is PostgreSQL alone doing the
same data work in one statement. See bench/README.md for what the figures mean.
"""

import argparse
import contextlib
import datetime
import os
import secrets
import signal
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests import processes  # noqa: E402 - needs the project root on the path first

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/portal_bench"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"
# A Redis database of its own, purged of Celery's keys before every worker start: no stale queue
# can interfere.
REDIS_DB = 12
AS_OF = datetime.date(2026, 11, 26)
FLOOR_DATE = AS_OF + datetime.timedelta(days=1)
QUICK_PEOPLE = 5000
QUICK_CHUNK_SIZE = 500
MIB = 1024


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--people", default="100000", help="N, or several: 100000,1000000 (default 100000)")
    parser.add_argument("--workers", default="1,2", help="worker concurrencies to try (default 1,2)")
    parser.add_argument("--chunk-size", type=int, default=None, help="default: settings.SCORING_CHUNK_SIZE")
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument("--redis-url", default=os.environ.get("REDIS_URL") or DEFAULT_REDIS_URL)
    parser.add_argument(
        "--redis-db", type=int, default=REDIS_DB, help=f"Redis database for the broker (default {REDIS_DB})"
    )
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_PEOPLE} people, for CI")
    parser.add_argument("--keep-db", action="store_true", help="do not drop the database at the end")
    parser.add_argument("--timeout", type=int, default=3 * 3600, help="seconds to wait for one run")
    parser.add_argument("--seed", type=float, default=0.42, help="PostgreSQL setseed() for the data")
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="measure each worker count this many times, alternating, and keep the fastest "
        "(on a shared machine, the run least disturbed by others)",
    )
    args = parser.parse_args()
    if args.quick:
        args.people = str(QUICK_PEOPLE)
        args.chunk_size = args.chunk_size or QUICK_CHUNK_SIZE
    args.people = [int(value) for value in args.people.split(",")]
    args.workers = [int(value) for value in args.workers.split(",")]
    if min(args.people) < 1000:
        parser.error("--people must be at least 1000 (the contact graph needs room)")
    return args


# The database -------------------------------------------------------------------------------


def database_create(url: str) -> None:
    """Drop and create the bench database, through the server's maintenance database."""
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    maintenance = urlunsplit(
        (parts.scheme.replace("postgres", "postgresql"), parts.netloc, "/postgres", "", "")
    )
    with psycopg.connect(maintenance, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def database_drop(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    maintenance = urlunsplit(
        (parts.scheme.replace("postgres", "postgresql"), parts.netloc, "/postgres", "", "")
    )
    with psycopg.connect(maintenance, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{parts.path.lstrip("/")}" WITH (FORCE)')


def database_migrate(env: dict[str, str]) -> None:
    import subprocess

    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--verbosity", "0"], cwd=ROOT, env=env, check=True
    )


# The people and their signals, set-based ------------------------------------------------------

PEOPLE_SQL = [
    """
    INSERT INTO accounts_user (password, is_superuser, username, first_name, last_name, email,
                               is_staff, is_active, date_joined)
    SELECT '!', false, 'bench' || g, '', '', '', false, true, now() FROM generate_series(1, %(n)s) g
    """,
    """
    INSERT INTO accounts_consumerprofile (user_id, is_opted_in, opted_in_at, consent_version, region,
                                          membership_tier, created_at, updated_at)
    SELECT id, true, (%(as_of)s::date - 365)::timestamptz, '2026-11', 'other', 'standard', now(), now()
    FROM accounts_user
    """,
    # Each person's latent story, drawn from a hidden risk r ~ N(0, 1) as scoring/demo.py's world
    # is (its docstring has the process): how reliably they pay, how often a month of trouble
    # makes every bill 65-150 days late, how much of their line they use. The risk lives only in
    # this scratch table, dropped at the end.
    """
    CREATE UNLOGGED TABLE bench_person AS
    SELECT person_id, idx, 1 - 1 / (1 + exp(2.6 - 0.9 * risk)) AS reliability,
           1 / (1 + exp(6.0 - 1.5 * risk)) AS trouble, history_months, pays_rent,
           balance_median * exp(-0.5 * risk) AS balance_median, credit_limit,
           least(utilisation * exp(0.35 * risk), 1) AS utilisation, purchases, contacts,
           blacklist_roll / exp(0.8 * risk - 0.32) AS blacklist_roll
    FROM (
    SELECT user_id AS person_id,
           row_number() OVER (ORDER BY user_id) AS idx,
           sqrt(-2 * ln(1 - random())) * cos(2 * pi() * random()) AS risk,
           24 + floor(random() * 13)::int AS history_months,
           random() < 0.4 AS pays_rent,
           exp(6.5 + random() * 4.5) AS balance_median,
           (ARRAY[2000, 5000, 10000, 20000, 50000])[1 + floor(random() * 5)::int] AS credit_limit,
           power(random(), 1.5) AS utilisation,
           4 + floor(random() * 9)::int AS purchases,
           floor(random() * 5)::int AS contacts,
           random() AS blacklist_roll
    FROM accounts_consumerprofile
    ) drawn
    """,
    # About 24 card, utility and credit-line bills over the person's 12-24 months of history.
    """
    INSERT INTO scoring_bill (person_id, reference, kind, issuer, amount, due_on, paid_on, received_at,
                              created_at, updated_at)
    SELECT p.person_id, '', b.kind, '', b.amount, b.due_on,
           CASE WHEN b.trouble_roll < p.trouble THEN
                    CASE WHEN b.due_on + 65 + floor(b.days_roll * 86)::int <= %(as_of)s::date
                         THEN b.due_on + 65 + floor(b.days_roll * 86)::int END
                WHEN b.pay_roll < p.reliability THEN b.due_on - floor(b.days_roll * 6)::int
                WHEN b.due_on > %(as_of)s::date - 60 AND b.days_roll < 0.25 THEN NULL
                ELSE LEAST(b.due_on + 3 + floor(b.days_roll * 38)::int, %(as_of)s::date) END,
           LEAST(b.due_on + 1 + floor(b.days_roll * 3)::int, %(as_of)s::date)::timestamptz, now(), now()
    FROM bench_person p,
    LATERAL (
        SELECT CASE WHEN k = 24 AND mod(p.idx, 4) = 0 THEN 'traffic_fine'
                    ELSE (ARRAY['credit_card', 'utility', 'utility', 'credit_line'])[1 + mod(k, 4)]
               END AS kind,
               round((CASE WHEN mod(k, 4) IN (1, 2) THEN 30 + random() * 300
                           ELSE 200 + random() * 2800 END)::numeric, 2) AS amount,
               %(as_of)s::date - 1 - floor((k - 1) * p.history_months * 30.4 / 24)::int AS due_on,
               random() AS pay_roll,
               random() AS days_roll,
               random() AS trouble_roll
        FROM generate_series(1, 24) k
    ) b
    """,
    # Monthly rent for the 40% who rent.
    """
    INSERT INTO scoring_bill (person_id, reference, kind, issuer, amount, due_on, paid_on, received_at,
                              created_at, updated_at)
    SELECT p.person_id, '', 'rent', 'Landlord', 3800, r.due_on,
           CASE WHEN r.pay_roll < p.reliability + 0.05 THEN r.due_on
                ELSE LEAST(r.due_on + 5 + floor(r.days_roll * 20)::int, %(as_of)s::date) END,
           LEAST(r.due_on + 1, %(as_of)s::date)::timestamptz, now(), now()
    FROM bench_person p,
    LATERAL (
        SELECT %(as_of)s::date - 1 - (m - 1) * 30 AS due_on, random() AS pay_roll, random() AS days_roll
        FROM generate_series(1, 12) m
    ) r
    WHERE p.pays_rent
    """,
    # A late payment is reported on its own, a couple of days after it was made.
    """
    UPDATE scoring_bill SET paid_received_at = LEAST(paid_on + 2, %(as_of)s::date)::timestamptz
    WHERE paid_on > due_on
    """,
    """
    INSERT INTO scoring_balance (person_id, as_of, amount, received_at, created_at, updated_at)
    SELECT p.person_id, %(as_of)s::date - 30 * m,
           round((p.balance_median * (0.7 + random() * 0.6))::numeric, 2),
           (%(as_of)s::date - 30 * m + 1)::timestamptz, now(), now()
    FROM bench_person p, generate_series(1, 3) m
    """,
    """
    INSERT INTO scoring_creditline (person_id, provider, as_of, "limit", used, received_at, created_at,
                                    updated_at)
    SELECT person_id, 'Huabei', %(as_of)s::date - 30, credit_limit,
           round((credit_limit * utilisation)::numeric, 2), (%(as_of)s::date - 28)::timestamptz, now(), now()
    FROM bench_person
    """,
    """
    INSERT INTO scoring_purchase (person_id, occurred_on, amount, category, received_at, created_at,
                                  updated_at)
    SELECT p.person_id, %(as_of)s::date - floor(random() * 365)::int,
           round(exp(2 + random() * 5)::numeric, 2),
           (ARRAY['groceries', 'dining', 'transport', 'electronics', 'clothing', 'travel'])
               [1 + floor(random() * 6)::int],
           now(), now(), now()
    FROM bench_person p, LATERAL generate_series(1, p.purchases) k
    """,
    # Reported the day after.
    "UPDATE scoring_purchase SET received_at = LEAST(occurred_on + 1, %(as_of)s::date)::timestamptz",
    """
    INSERT INTO scoring_identity (person_id, real_name_verified, education, address_since, phone_verified,
                                  email_verified, received_at, created_at, updated_at)
    SELECT person_id, random() < 0.85,
           (ARRAY['', 'secondary', 'bachelor', 'bachelor', 'master'])[1 + floor(random() * 5)::int],
           CASE WHEN random() < 0.8 THEN %(as_of)s::date - floor(random() * 3650)::int END,
           random() < 0.9, random() < 0.6, (%(as_of)s::date - 365)::timestamptz, now(), now()
    FROM bench_person
    """,
    # About two confirmed contacts each, a few dozen places along the id ring (never oneself).
    """
    INSERT INTO scoring_contact (person_id, contact_id, confirmed_on, interactions_90d, status,
                                 received_at, created_at, updated_at)
    SELECT p.person_id, c.person_id, %(as_of)s::date - 180, floor(random() * 30)::int, 'confirmed',
           (%(as_of)s::date - 179)::timestamptz, now(), now()
    FROM bench_person p
    CROSS JOIN LATERAL generate_series(1, p.contacts) k
    JOIN bench_person c ON c.idx = mod(p.idx - 1 + k * 37, %(n)s) + 1
    """,
    # 1.5% listed by a court; half of them lifted a few months ago.
    """
    INSERT INTO scoring_blacklistentry (person_id, court, case_number, listed_on, lifted_on, lift_reason,
                                        source, note, created_at, updated_at)
    SELECT person_id, 'Bench Intermediate People''s Court', 'case ' || person_id,
           %(as_of)s::date - 120 - floor(random() * 780)::int,
           CASE WHEN blacklist_roll < 0.0075 THEN %(as_of)s::date - 30 - floor(random() * 60)::int END,
           CASE WHEN blacklist_roll < 0.0075 THEN 'settled' ELSE '' END, '', '', now(), now()
    FROM bench_person WHERE blacklist_roll < 0.015
    """,
    # Listings reach us a week after the court's list; a lifting, a few days after it.
    """
    UPDATE scoring_blacklistentry SET received_at = (listed_on + 7)::timestamptz,
           lifted_received_at = (lifted_on + 3)::timestamptz
    """,
    "DROP TABLE bench_person",
]

SIGNAL_TABLES = [
    "scoring_bill",
    "scoring_balance",
    "scoring_creditline",
    "scoring_purchase",
    "scoring_identity",
    "scoring_contact",
    "scoring_blacklistentry",
]


def people_generate(*, n: int, seed: float) -> dict[str, int]:
    """Write n opted-in people and their signals; return the rows per signal table."""
    from django.db import connection

    from scoring.engine.parameters import DEFAULT_PARAMETERS, LAUNCH_MODEL_VERSION
    from scoring.models import ScoringModel

    with connection.cursor() as cursor:
        # CASCADE empties every table that refers to a login, scoring models included (their
        # author and approver): the launch model is put back as the active one.
        cursor.execute("TRUNCATE accounts_user, scoring_recomputerun RESTART IDENTITY CASCADE")
        ScoringModel.objects.create(
            version=LAUNCH_MODEL_VERSION,
            parameters=DEFAULT_PARAMETERS,
            is_active=True,
            status=ScoringModel.Status.ACTIVE,
        )
        cursor.execute("SELECT setseed(%s)", [seed])
        for sql in PEOPLE_SQL:
            cursor.execute(sql, {"n": n, "as_of": AS_OF})
        cursor.execute("VACUUM ANALYZE")
        rows = {}
        for table in SIGNAL_TABLES:
            cursor.execute(f"SELECT count(*) FROM {table}")
            rows[table] = cursor.fetchone()[0]
    return rows


# Our path: a real worker, dispatched as the nightly job ---------------------------------------


def run_reset() -> None:
    """Forget the date's run and snapshots, and vacuum, so each measured run starts alike."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM scoring_recomputechunk WHERE run_id IN "
            "(SELECT id FROM scoring_recomputerun WHERE as_of = %s)",
            [AS_OF],
        )
        # The nightly watch records each run it looked at.
        cursor.execute(
            "DELETE FROM scoring_modelmonitoring WHERE run_id IN "
            "(SELECT id FROM scoring_recomputerun WHERE as_of = %s)",
            [AS_OF],
        )
        cursor.execute("DELETE FROM scoring_recomputerun WHERE as_of = %s", [AS_OF])
        cursor.execute("DELETE FROM scoring_scoresnapshot WHERE as_of = %s", [AS_OF])
        cursor.execute("UPDATE accounts_consumerprofile SET score = NULL, score_as_of = NULL")
        cursor.execute(
            "VACUUM ANALYZE scoring_scoresnapshot, accounts_consumerprofile, scoring_recomputechunk"
        )


def run_measure(
    *, workers: int, chunk_size: int | None, env: dict[str, str], broker: str, log_dir: Path, timeout: int
) -> dict:
    """Start a worker with the given concurrency, dispatch the run, time it to its finish."""
    from django.utils import timezone

    from scoring import services
    from scoring.models import RecomputeRun

    run_reset()
    processes.broker_purge(broker)
    worker = processes.start_worker(
        env=env, log_path=log_dir / f"worker-{workers}.log", concurrency=workers, name="bench"
    )
    peaks: dict[int, int] = {}
    cpu: dict[int, float] = {}
    loads: list[float] = []
    try:
        processes.wait_until_ready(worker, timeout=60)

        def sample() -> None:
            loads.append(os.getloadavg()[0])
            for pid in worker.pids():
                peak = processes.peak_rss_kib(pid)
                if peak is not None:
                    peaks[pid] = max(peaks.get(pid, 0), peak)
                used = processes.cpu_seconds(pid)
                if used is not None:
                    cpu[pid] = max(cpu.get(pid, 0), used)

        sample()
        idle_cpu = dict(cpu)
        pg_active = database_active_seconds()
        started = timezone.now()
        run, _created = services.recompute_run_start(as_of=AS_OF, chunk_size=chunk_size)
        planned = timezone.now()

        def finished() -> RecomputeRun | None:
            sample()
            return RecomputeRun.objects.filter(pk=run.pk).exclude(status=RecomputeRun.Status.RUNNING).first()

        run = processes.wait_for(
            finished, timeout=timeout, what="the bench run to finish", worker=worker, interval=0.25
        )
        sample()
    finally:
        processes.stop(worker, grace=30)
    pg_active = database_active_seconds(settle=1.0) - pg_active
    seconds = (run.finished_at - started).total_seconds()
    pool = {pid: peak for pid, peak in peaks.items() if pid != worker.pgid}
    pool_cpu = sum(used - idle_cpu.get(pid, 0) for pid, used in cpu.items() if pid != worker.pgid)
    leader_cpu = cpu.get(worker.pgid, 0) - idle_cpu.get(worker.pgid, 0)
    scored = max(run.people_done, 1)
    return {
        "workers": workers,
        "status": run.status,
        "people": run.people_done,
        "chunks": run.chunks.count(),
        "seconds": seconds,
        "plan_seconds": (planned - started).total_seconds(),
        "people_per_s": run.people_done / seconds,
        "pool_peak_mib": max(pool.values(), default=0) / MIB,
        "leader_peak_mib": peaks.get(worker.pgid, 0) / MIB,
        "worker_cpu_us": pool_cpu / scored * 1e6,
        "leader_cpu_s": leader_cpu,
        "pg_active_us": pg_active / scored * 1e6,
        "load": max(loads),
    }


def database_active_seconds(*, settle: float = 0) -> float:
    """Seconds PostgreSQL spent executing statements in this database (all sessions so far)."""
    from django.db import connection

    # Other sessions flush their statistics when they end (the worker closes its connection after
    # every task) and at least once a second otherwise; this process flushes its own now.
    time.sleep(settle)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_force_next_flush()")
        cursor.execute("SELECT active_time FROM pg_stat_database WHERE datname = current_database()")
        return cursor.fetchone()[0] / 1000


# The floor: PostgreSQL alone, one statement --------------------------------------------------

# The same aggregates the features need, over the same tables and windows, turned into a score,
# five sub-scores, about five reasons of the same JSON width as ours and the feature vector our
# snapshots store (the same list shape: a format, the 19 scored features, the late kinds, the
# listing), for every opted-in person, inserted into a table shaped like scoring_scoresnapshot
# (same indexes and checks).
FLOOR_SQL = """
INSERT INTO bench_floor_snapshot (person_id, as_of, score, band, model_id, credit_history,
                                  fulfilment_capacity, behaviour, identity, connections, reasons,
                                  features, created_at, updated_at)
SELECT p.user_id, %(as_of)s, s.score,
       CASE WHEN s.score < 550 THEN 'poor' WHEN s.score < 600 THEN 'fair' WHEN s.score < 650 THEN 'good'
            WHEN s.score < 700 THEN 'very_good' ELSE 'excellent' END,
       %(model)s, s.credit_history, s.fulfilment_capacity, s.behaviour, s.identity, s.connections,
       jsonb_build_array(
           jsonb_build_object('code', 'late_bills_12m', 'direction', 'lowers', 'points', 4 * b.late_12m,
                              'params', jsonb_build_object('count', b.late_12m, 'kinds', b.late_kinds)),
           jsonb_build_object('code', 'avg_balance_3m', 'direction', 'raises', 'points', 13,
                              'params', jsonb_build_object('amount', round(bal.avg_balance))),
           jsonb_build_object('code', 'purchases_12m', 'direction', 'raises', 'points', 7,
                              'params', jsonb_build_object('count', pu.n)),
           jsonb_build_object('code', 'credit_utilisation_pct', 'direction', 'raises', 'points', 18,
                              'params', jsonb_build_object('percent', cl.utilisation)),
           jsonb_build_object('code', 'interactions_90d', 'direction', 'raises', 'points', 3,
                              'params', jsonb_build_object('count', co.interactions))
       ),
       jsonb_build_array(
           1, coalesce(b.on_time_24m, 0), coalesce(b.late_12m, 0), coalesce(b.late_older, 0),
           coalesce(b.overdue_unpaid, 0), (%(as_of)s - coalesce(b.first_due, %(as_of)s)) / 30, cl.utilisation,
           round(bal.avg_balance, 2)::text, coalesce(b.rent_on_time, 0), coalesce(b.rent_late, 0),
           cl."limit"::text, coalesce(pu.n, 0), coalesce(pu.days, 0), i.real_name_verified, i.education,
           (%(as_of)s - i.address_since) / 365, i.phone_verified, i.email_verified, coalesce(co.n, 0),
           co.interactions,
           CASE WHEN b.late_kinds IS NULL THEN '[]'::jsonb
                ELSE jsonb_build_array(jsonb_build_array(b.late_kinds, b.late_12m)) END,
           CASE WHEN bl.active IS NULL THEN NULL
                ELSE jsonb_build_array('court', 'case', bl.lifted_on, NULL) END
       ),
       now(), now()
FROM accounts_consumerprofile p
LEFT JOIN (
    SELECT person_id,
           count(*) FILTER (WHERE kind <> 'rent' AND due_on > %(two_years_ago)s AND paid_on <= due_on)
               AS on_time_24m,
           count(*) FILTER (WHERE kind <> 'rent' AND due_on > %(year_ago)s
                            AND (paid_on > due_on OR (paid_on IS NULL AND due_on < %(as_of)s))) AS late_12m,
           count(*) FILTER (WHERE kind <> 'rent' AND due_on <= %(year_ago)s AND due_on > %(five_years_ago)s
                            AND (paid_on > due_on OR (paid_on IS NULL AND due_on < %(as_of)s))) AS late_older,
           count(*) FILTER (WHERE paid_on IS NULL AND due_on < %(as_of)s) AS overdue_unpaid,
           count(*) FILTER (WHERE kind = 'rent' AND due_on > %(year_ago)s AND paid_on <= due_on)
               AS rent_on_time,
           count(*) FILTER (WHERE kind = 'rent' AND due_on > %(year_ago)s
                            AND (paid_on > due_on OR (paid_on IS NULL AND due_on < %(as_of)s))) AS rent_late,
           min(due_on) AS first_due,
           string_agg(DISTINCT kind, ', ') FILTER (WHERE kind <> 'rent' AND due_on > %(year_ago)s
                            AND (paid_on > due_on OR (paid_on IS NULL AND due_on < %(as_of)s))) AS late_kinds
    FROM (
        -- A payment counts once its report had reached us (as ours does).
        SELECT person_id, kind, due_on,
               CASE WHEN paid_on <= %(as_of)s
                         AND (paid_received_at IS NULL OR paid_received_at < %(known_by)s)
                    THEN paid_on END AS paid_on
        FROM scoring_bill WHERE due_on <= %(as_of)s AND received_at < %(known_by)s
    ) known_bills GROUP BY person_id
) b ON b.person_id = p.user_id
LEFT JOIN (
    SELECT person_id, avg(amount) AS avg_balance FROM scoring_balance
    WHERE as_of > %(quarter_ago)s AND as_of <= %(as_of)s AND received_at < %(known_by)s GROUP BY person_id
) bal ON bal.person_id = p.user_id
LEFT JOIN (
    SELECT DISTINCT ON (person_id) person_id, "limit",
           CASE WHEN "limit" > 0 THEN least(floor(used * 100 / "limit"), 100) END AS utilisation
    FROM scoring_creditline WHERE as_of <= %(as_of)s AND received_at < %(known_by)s
    ORDER BY person_id, as_of DESC, id DESC
) cl ON cl.person_id = p.user_id
LEFT JOIN (
    SELECT person_id, count(*) AS n, count(DISTINCT occurred_on) FILTER (WHERE occurred_on > %(quarter_ago)s)
           AS days
    FROM scoring_purchase WHERE occurred_on > %(year_ago)s AND occurred_on <= %(as_of)s
                          AND received_at < %(known_by)s GROUP BY person_id
) pu ON pu.person_id = p.user_id
LEFT JOIN scoring_identity i ON i.person_id = p.user_id AND i.received_at < %(known_by)s
LEFT JOIN (
    SELECT person_id, count(*) AS n, sum(interactions_90d) AS interactions FROM scoring_contact
    WHERE confirmed_on <= %(as_of)s AND status = 'confirmed' AND received_at < %(known_by)s GROUP BY person_id
) co ON co.person_id = p.user_id
LEFT JOIN (
    SELECT person_id, bool_or(lifted_on IS NULL) AS active, max(lifted_on) AS lifted_on
    FROM scoring_blacklistentry WHERE listed_on <= %(as_of)s AND lift_reason <> 'overturned'
                                  AND received_at < %(known_by)s
    GROUP BY person_id
) bl ON bl.person_id = p.user_id
CROSS JOIN LATERAL (
    SELECT least(100, greatest(0, 50 + coalesce(b.on_time_24m, 0) - 8 * coalesce(b.late_12m, 0)
                                 - 2 * coalesce(b.late_older, 0) - 10 * coalesce(b.overdue_unpaid, 0)
                                 + least((%(as_of)s - coalesce(b.first_due, %(as_of)s)) / 60, 10)
                                 - coalesce(cl.utilisation, 0) / 10))::int AS credit_history,
           least(100, greatest(0, 50 + least(coalesce(bal.avg_balance, 0) / 1000, 20)
                                 + 2 * coalesce(b.rent_on_time, 0) - 5 * coalesce(b.rent_late, 0)
                                 + coalesce(cl."limit", 0) / 5000))::int AS fulfilment_capacity,
           least(100, 50 + coalesce(pu.n, 0) + coalesce(pu.days, 0))::int AS behaviour,
           (50 + 20 * coalesce(i.real_name_verified::int, 0) + 10 * coalesce(i.phone_verified::int, 0)
               + 5 * coalesce(i.email_verified::int, 0)
               + CASE WHEN i.address_since < %(as_of)s - 1825 THEN 10 ELSE 0 END)::int AS identity,
           least(100, 50 + 5 * coalesce(co.n, 0) + coalesce(co.interactions, 0) / 10)::int AS connections
) d
CROSS JOIN LATERAL (
    SELECT d.*,
           least(950, greatest(350,
               CASE WHEN bl.active THEN least(600 + 3 * (d.credit_history - 50) - 150, 450)
                    ELSE 600 + 3 * (d.credit_history - 50) + 2 * (d.fulfilment_capacity - 50)
                         + (d.behaviour - 50) + (d.identity - 50) / 2 + (d.connections - 50) / 4 END))::int
               AS score
) s
WHERE p.is_opted_in
"""


def floor_measure(*, repeats: int = 2) -> dict:
    """Time the one-statement floor (best of a few, each into an empty table)."""
    from django.db import connection

    from scoring.models import ScoringModel
    from scoring.selectors import NEGATIVE_RECORD_MONTHS, known_by, months_before

    params = {
        "as_of": FLOOR_DATE,
        "known_by": known_by(FLOOR_DATE),
        "model": ScoringModel.objects.get(is_active=True).pk,
        "year_ago": months_before(FLOOR_DATE, 12),
        "two_years_ago": months_before(FLOOR_DATE, 24),
        "five_years_ago": months_before(FLOOR_DATE, NEGATIVE_RECORD_MONTHS),
        "quarter_ago": FLOOR_DATE - datetime.timedelta(days=90),
    }
    timings, cpu = [], []
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
        cursor.execute("DROP TABLE IF EXISTS bench_floor_snapshot")
        cursor.execute("CREATE TABLE bench_floor_snapshot (LIKE scoring_scoresnapshot INCLUDING ALL)")
        for _ in range(repeats):
            cursor.execute("TRUNCATE bench_floor_snapshot")
            began, began_cpu = time.perf_counter(), processes.cpu_seconds(backend)
            cursor.execute(FLOOR_SQL, params)
            timings.append(time.perf_counter() - began)
            cpu.append(processes.cpu_seconds(backend) - began_cpu)
            rows = cursor.rowcount
        cursor.execute(
            "SELECT avg(length(reasons::text)), avg(length(features::text)) FROM bench_floor_snapshot"
        )
        floor_reasons, floor_features = cursor.fetchone()
        cursor.execute(
            "SELECT avg(length(reasons::text)), avg(length(features::text)) FROM scoring_scoresnapshot"
            " WHERE as_of = %s",
            [AS_OF],
        )
        our_reasons, our_features = cursor.fetchone()
        cursor.execute("DROP TABLE bench_floor_snapshot")
    seconds = min(timings)
    return {
        "rows": rows,
        "seconds": seconds,
        "rows_per_s": rows / seconds,
        "cpu_us": min(cpu) / rows * 1e6,
        "load": os.getloadavg()[0],
        "reasons_chars": (float(floor_reasons or 0), float(our_reasons or 0)),
        "features_chars": (float(floor_features or 0), float(our_features or 0)),
    }


# Where one chunk's time goes, in this process ----------------------------------------------------


def chunk_profile(*, people: int) -> dict[str, float]:
    """CPU µs per person of each step of one chunk, in this process and its PostgreSQL backend."""
    from django.db import connection, transaction

    from scoring import engine, selectors, services
    from scoring.services import recompute as recompute_services

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT min(user_id), max(user_id) FROM (SELECT user_id FROM accounts_consumerprofile "
            "WHERE is_opted_in ORDER BY user_id LIMIT %s) first_people",
            [people],
        )
        id_range = cursor.fetchone()
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
    model = selectors.scoring_model_active()
    scorecard = selectors.scorecard_of(model=model)

    def clock() -> tuple[float, float]:
        return time.process_time(), processes.cpu_seconds(backend) or 0.0

    steps: dict[str, list[float]] = {
        "features (Python)": [],
        "features (PostgreSQL)": [],
        "engine": [],
        "snapshot rows": [],
        "histograms": [],
        "write (Python)": [],
        "write (PostgreSQL)": [],
        # The same chunk through the exact engine, person by person, as the run did before the
        # vectorised one: the "before" of the split, measured in the same minute.
        "before: engine (exact)": [],
        "before: snapshot rows": [],
        "before: histograms": [],
    }
    for _ in range(3):
        # The chunk task runs with the garbage collector paused (recompute._collector_paused).
        with transaction.atomic(), recompute_services._collector_paused():
            began = clock()
            features = selectors.features_for_people(id_range=id_range, as_of=FLOOR_DATE)
            featured = clock()
            chunk = services.chunk_score(features=features, model=model)
            computed = clock()
            rows = services.snapshot_rows(person_ids=list(features), chunk=chunk)
            built = clock()
            services.chunk_histograms(features=features, rows=rows, scorecard=scorecard, chunk=chunk)
            counted = clock()
            services.snapshots_write(rows=rows, as_of=FLOOR_DATE, model=model)
            written = clock()
            transaction.set_rollback(True)
        exact = {person_id: engine.compute_exact(values, scorecard) for person_id, values in features.items()}
        exact_computed = clock()
        exact_rows = [
            services.snapshot_row(person_id=person_id, result=result, features=features[person_id])
            for person_id, result in exact.items()
        ]
        exact_built = clock()
        services.chunk_histograms(features=features, rows=exact_rows, scorecard=scorecard)
        exact_counted = clock()
        assert exact_rows == rows, "the chunk engine and the exact one disagree on this chunk"
        per_person = 1e6 / len(features)
        steps["features (Python)"].append((featured[0] - began[0]) * per_person)
        steps["features (PostgreSQL)"].append((featured[1] - began[1]) * per_person)
        steps["engine"].append((computed[0] - featured[0]) * per_person)
        steps["snapshot rows"].append((built[0] - computed[0]) * per_person)
        steps["histograms"].append((counted[0] - built[0]) * per_person)
        steps["write (Python)"].append((written[0] - counted[0]) * per_person)
        steps["write (PostgreSQL)"].append((written[1] - counted[1]) * per_person)
        steps["before: engine (exact)"].append((exact_computed[0] - written[0]) * per_person)
        steps["before: snapshot rows"].append((exact_built[0] - exact_computed[0]) * per_person)
        steps["before: histograms"].append((exact_counted[0] - exact_built[0]) * per_person)
    return {step: statistics.median(values) for step, values in steps.items()}


# The report ------------------------------------------------------------------------------------

# The steps the exact engine's "before" figures stand in for.
BEFORE_REPLACES = frozenset({"engine", "snapshot rows", "histograms"})


NIGHTLY_PEOPLE = 520_000_000  # the real programme's size
NIGHTLY_HOURS = 4


def projection(*, worker_cpu_us: float, database_cpu_us: float) -> dict[str, float]:
    """People a second one core of each side sustains, and the cores a 4-hour night for 520M needs.

    Worker CPU is all the pool processes used (Celery included); PostgreSQL's is its backend's CPU
    for a chunk's feature reads and write (the chunk profile). Both scale out by chunks: workers
    by processes, PostgreSQL by sessions, until one database's cores or disks are the limit."""
    needed = NIGHTLY_PEOPLE / (NIGHTLY_HOURS * 3600)
    per_worker = 1e6 / worker_cpu_us
    per_database = 1e6 / database_cpu_us
    return {
        "needed_per_s": needed,
        "per_worker_core": per_worker,
        "per_database_core": per_database,
        "worker_cores": needed / per_worker,
        "database_cores": needed / per_database,
    }


def report(results: list[dict], floors: dict[int, dict], profiles: dict[int, dict]) -> None:
    print()
    columns = [
        ("N", 9, "{n}"),
        ("workers", 7, "{workers}"),
        ("chunks", 6, "{chunks}"),
        ("seconds", 8, "{seconds:.1f}"),
        ("people/s", 9, "{people_per_s:.0f}"),
        ("pool RSS MiB", 12, "{pool_peak_mib:.1f}"),
        ("floor/s", 8, "{floor_per_s:.0f}"),
        ("ratio", 6, "{ratio:.3f}"),
        ("worker CPU µs/p", 15, "{worker_cpu_us:.0f}"),
        ("PG µs/p", 7, "{pg_active_us:.0f}"),
        ("floor CPU µs/p", 14, "{floor_cpu_us:.1f}"),
        ("CPU ratio", 9, "{cpu_ratio:.2f}"),
        ("load", 5, "{load:.1f}"),
    ]
    header = " ".join(f"{title:>{width}}" for title, width, _ in columns)
    print(header)
    print("-" * len(header))
    cores = os.cpu_count() or 1
    for result in results:
        floor = floors[result["n"]]
        profile = profiles[result["n"]]
        our_cpu = result["worker_cpu_us"] + profile["features (PostgreSQL)"] + profile["write (PostgreSQL)"]
        values = {
            **result,
            "floor_per_s": floor["rows_per_s"],
            "ratio": result["people_per_s"] / floor["rows_per_s"],
            "floor_cpu_us": floor["cpu_us"],
            "cpu_ratio": min(result["workers"], cores) * floor["cpu_us"] / our_cpu,
        }
        print(" ".join(f"{template.format(**values):>{width}}" for _, width, template in columns))
    print()
    print("seconds: from dispatch (recompute_run_start, chunk planning included) to the run's finished_at")
    print("worker CPU: user+system CPU of the worker's pool processes per person scored")
    print("PG: time PostgreSQL spent executing statements in the bench database per person (all sessions)")
    print(
        "CPU ratio: the ratio if the machine's cores were all ours: min(workers, cores) x floor CPU per row "
        "/ (worker CPU + our PostgreSQL CPU per person, from the chunk profile below)"
    )
    print(f"load: the highest 1-minute load average seen during the run ({cores} cores here)")
    for n, floor in floors.items():
        ours, theirs = floor["reasons_chars"][1], floor["reasons_chars"][0]
        our_features, their_features = floor["features_chars"][1], floor["features_chars"][0]
        print(
            f"floor N={n}: {floor['rows']} rows in {floor['seconds']:.2f}s, "
            f"{floor['cpu_us']:.1f} µs CPU per row; load {floor['load']:.1f} "
            f"(reasons JSON: ours {ours:.0f} chars on average, floor {theirs:.0f}; "
            f"stored features: ours {our_features:.0f}, floor {their_features:.0f})"
        )
    for n, profile in profiles.items():
        after = {step: micros for step, micros in profile.items() if not step.startswith("before: ")}
        before = {
            **{step: micros for step, micros in after.items() if step not in BEFORE_REPLACES},
            **{
                step.removeprefix("before: "): micros
                for step, micros in profile.items()
                if step.startswith("before: ")
            },
        }
        for label, split in (("before (exact engine)", before), ("after (chunk engine)", after)):
            parts = ", ".join(f"{step} {micros:.0f}" for step, micros in split.items())
            total = sum(split.values())
            print(
                f"one chunk, N={n}, in this process, CPU µs per person, {label}: {parts}; total {total:.0f}"
            )
    for result in results:
        print(
            f"N={result['n']} workers={result['workers']}: planning {result['plan_seconds']:.2f}s, "
            f"worker main process: peak RSS {result['leader_peak_mib']:.1f} MiB, "
            f"CPU {result['leader_cpu_s']:.1f}s; run {result['status']}"
        )
    for result in results:
        profile = profiles[result["n"]]
        capacity = projection(
            worker_cpu_us=result["worker_cpu_us"],
            database_cpu_us=profile["features (PostgreSQL)"] + profile["write (PostgreSQL)"],
        )
        print(
            f"capacity, N={result['n']} workers={result['workers']}: "
            f"{capacity['per_worker_core']:,.0f} people/s a worker core, "
            f"{capacity['per_database_core']:,.0f} a PostgreSQL core; "
            f"{NIGHTLY_PEOPLE / 1e6:,.0f}M people in {NIGHTLY_HOURS} h ({capacity['needed_per_s']:,.0f}/s) "
            f"need {capacity['worker_cores']:.1f} worker cores "
            f"and {capacity['database_cores']:.1f} PostgreSQL cores"
        )
    by_workers: dict[int, dict[int, float]] = {}
    for result in results:
        by_workers.setdefault(result["workers"], {})[result["n"]] = result["seconds"]
    for workers, seconds in sorted(by_workers.items()):
        if len(seconds) > 1:
            small, large = min(seconds), max(seconds)
            factor = seconds[large] / seconds[small]
            allowed = 1.2 * large / small
            verdict = "ok" if factor <= allowed else "TOO SLOW"
            print(
                f"scaling, {workers} worker(s): time({large}) / time({small}) = {factor:.2f} "
                f"(at most {allowed:.1f}: {verdict})"
            )
    for n in sorted({result["n"] for result in results}):
        speeds = {result["workers"]: result["people_per_s"] for result in results if result["n"] == n}
        if len(speeds) > 1:
            fewest, most = min(speeds), max(speeds)
            print(f"N={n}: {most} workers are {speeds[most] / speeds[fewest]:.2f}x as fast as {fewest}")


def main() -> None:
    args = parse_args()
    # Killed politely, still stop the workers and drop the database (the finally blocks run).
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    secret = secrets.token_urlsafe(32)
    broker = processes.redis_url_with_db(args.redis_url, args.redis_db)
    # Production-like: DEBUG off, or each worker process would keep its last 9000 queries.
    env = processes.worker_env(
        database_url=args.database_url,
        redis_url=broker,
        DJANGO_DEBUG="0",
        EMAIL_URL="smtp://127.0.0.1:25",
        DJANGO_SECRET_KEY=secret,
        DJANGO_IDENTITY_HASH_KEY=secret,
        DJANGO_LOG_LEVEL="WARNING",
    )
    os.environ.update(
        DATABASE_URL=args.database_url,
        REDIS_URL=broker,
        DJANGO_DEBUG="0",
        EMAIL_URL="smtp://127.0.0.1:25",
        DJANGO_SECRET_KEY=secret,
        DJANGO_IDENTITY_HASH_KEY=secret,
        DJANGO_LOG_LEVEL="WARNING",
        DJANGO_SETTINGS_MODULE="portal.settings",
    )
    began = time.perf_counter()
    database_create(args.database_url)
    try:
        database_migrate(env)
        import django

        django.setup()
        from django.conf import settings
        from django.db import connection

        chunk_size = args.chunk_size or settings.SCORING_CHUNK_SIZE
        print(f"bench: people {args.people}, workers {args.workers}, chunk size {chunk_size}, date {AS_OF}")
        results, floors, profiles = [], {}, {}
        with tempfile.TemporaryDirectory(prefix="bench-recompute-") as log_dir:
            for n in args.people:
                generating = time.perf_counter()
                rows = people_generate(n=n, seed=args.seed)
                signals = sum(rows.values())
                print(
                    f"N={n}: generated {signals} signals ({signals / n:.1f} per person) "
                    f"in {time.perf_counter() - generating:.1f}s: {rows}",
                    flush=True,
                )
                best: dict[int, dict] = {}
                floor_runs = []
                for attempt in range(args.repeat):
                    for workers in args.workers:
                        result = run_measure(
                            workers=workers,
                            chunk_size=chunk_size,
                            env=env,
                            broker=broker,
                            log_dir=Path(log_dir),
                            timeout=args.timeout,
                        )
                        result["n"] = n
                        print(
                            f"N={n} workers={workers} (run {attempt + 1}): {result['seconds']:.1f}s, "
                            f"{result['people_per_s']:.0f} people/s, "
                            f"pool peak {result['pool_peak_mib']:.1f} MiB, "
                            f"worker CPU {result['worker_cpu_us']:.0f} µs/person, load {result['load']:.1f}",
                            flush=True,
                        )
                        if workers not in best or result["people_per_s"] > best[workers]["people_per_s"]:
                            best[workers] = result
                    # The floor is measured in every round too, so both sides get the same chances.
                    floor_runs.append(floor_measure())
                results.extend(best[workers] for workers in args.workers)
                floors[n] = max(floor_runs, key=lambda floor: floor["rows_per_s"])
                print(
                    f"N={n} floor: {floors[n]['seconds']:.2f}s, {floors[n]['rows_per_s']:.0f} rows/s",
                    flush=True,
                )
                profiles[n] = chunk_profile(people=min(chunk_size, n))
        connection.close()
        report(results, floors, profiles)
    finally:
        with contextlib.suppress(Exception):
            processes.broker_purge(broker)  # duplicates restored at a worker's shutdown
        if not args.keep_db:
            database_drop(args.database_url)
    print(f"\nbench took {time.perf_counter() - began:.0f}s")


if __name__ == "__main__":
    main()
