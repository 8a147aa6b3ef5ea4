"""Load benchmark: gunicorn on PostgreSQL with the seeded demo, driven at fixed rates from a
second process on loopback, beside a trivial Django view (``/healthz``) as the floor.

    .venv/bin/python bench/load.py                 # 100,000 people, 20 s per endpoint
    .venv/bin/python bench/load.py --quick         # 2,000 people, 5 s per endpoint, low rates (CI)
    .venv/bin/python bench/load.py --keep-db       # keep portal_load for another run ...
    .venv/bin/python bench/load.py --reuse-db      # ... and skip the seeding in that run

The population: ``seed_demo --people N`` writes the demo (named people, merchants, perks) and
N synthetic people with a year of history; its cost grows about 35 ms a person, all in memory
at once, so the bench seeds a base (--seed-people) and clones those synthetic people, with
all their history, up to --people in set-based SQL. The server: gunicorn (gthread) with
production settings (DEBUG off, a secret, 127.0.0.1 only, no HTTPS redirect: loopback has
no TLS), Redis for the cache and broker on a database of its own (13), throttles raised far
out of the way (this measures capacity; the throttles are policy). The load: an open-loop
generator in its own process sends at fixed intervals whatever the answers, and measures
each latency from the *scheduled* send time, so a slow server cannot slow the sending down
and hide its own queueing (no coordinated omission). See bench/README.md.
"""

import argparse
import contextlib
import datetime
import http.client
import json
import math
import os
import queue
import runpy
import secrets
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests import processes, servers  # noqa: E402 - needs the project root on the path first

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/portal_load"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/13"  # a database of its own, flushed at the end
SECRET = "load-bench-secret-" + "Hq4mZ8tR" * 6
UNTHROTTLED = "100000000/min"
CLIENT_THREADS = 96
REQUEST_TIMEOUT = 10.0
# The targets: the server's CPU a request against the floor's (/healthz) in the same run and at
# the same rate, a measure that holds on a machine whose speed moves by 2x from one day to the
# next. Missing one fails the run (except with --quick).
RATIO_TARGETS = {"score": 2.0, "verify": 3.0, "claim": 5.0, "perks": 3.0, "dashboard": 5.0}
# p99 in ms at the full rates: printed beside the floor's CPU a request (what the machine was
# that day), not enforced, since they move with the machine.
P99_TARGETS = {"score": 50.0, "verify": 50.0, "claim": 100.0, "dashboard": 200.0}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="CI: 2,000 people, 5 s per endpoint, low rates")
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--seed-people", type=int, default=2000, help="people seed_demo writes itself")
    parser.add_argument("--duration", type=float, default=20.0, help="seconds per endpoint")
    parser.add_argument("--warmup", type=float, default=2.0, help="unrecorded seconds before each")
    parser.add_argument("--rates", default="score=200,verify=200,claim=100,perks=100,dashboard=50")
    parser.add_argument("--only", default="", help="comma-separated endpoints to run (default: all)")
    parser.add_argument("--workers", type=int, help="gunicorn workers (default: portal/gunicorn.conf.py's)")
    parser.add_argument("--threads", type=int, help="gunicorn threads a worker (default: the same)")
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument("--redis-url", default=DEFAULT_REDIS_URL)
    parser.add_argument("--keep-db", action="store_true")
    parser.add_argument("--reuse-db", action="store_true", help="use the kept database as it is")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--drive", action="store_true", help=argparse.SUPPRESS)  # the load process
    args = parser.parse_args(argv)
    if args.quick:
        args.people, args.seed_people = 2000, 200
        args.duration, args.warmup = 5.0, 0.5
        args.rates = "score=30,verify=30,claim=30,perks=30,dashboard=10"
    args.rates = {name: float(rate) for name, rate in (item.split("=") for item in args.rates.split(","))}
    if args.only:
        args.rates = {name: rate for name, rate in args.rates.items() if name in args.only.split(",")}
    if args.people < args.seed_people:
        parser.error("--people must be at least --seed-people")
    return args


# The database -------------------------------------------------------------------------------


def _maintenance_url(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme.replace("postgres", "postgresql"), parts.netloc, "/postgres", "", ""))


def _database_name(url: str) -> str:
    return urlsplit(url).path.lstrip("/")


def database_create(url: str) -> None:
    import psycopg

    with psycopg.connect(_maintenance_url(url), autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{_database_name(url)}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{_database_name(url)}"')


def database_drop(url: str) -> None:
    import psycopg

    with psycopg.connect(_maintenance_url(url), autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{_database_name(url)}" WITH (FORCE)')


def manage(*args: str, env: dict[str, str]) -> float:
    """Run a management command; return its wall time in seconds."""
    started = time.monotonic()
    subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL
    )
    return time.monotonic() - started


def population_clone(*, base: int, people: int) -> dict[str, int]:
    """person{base+1}..person{people}: copies of person1..person{base} with all their data.

    Every table of the accounts and scoring apps that hangs off a person is copied row for
    row, the person swapped; a table whose unique keys do not include the person (an event's
    partner id, say) is left out, and named in the result. One INSERT ... SELECT a table.
    """
    from django.apps import apps
    from django.db import connection, transaction

    from accounts.models import User

    copied: dict[str, int] = {}
    with transaction.atomic(), connection.cursor() as cursor:
        user_columns = [f.column for f in User._meta.concrete_fields if not f.primary_key]
        chosen = {
            "username": "'person' || g.n",
            "email": "'person' || g.n || '@' || split_part(t.email, '@', 2)",
        }
        select = ", ".join(chosen.get(column, f't."{column}"') for column in user_columns)
        columns = ", ".join(f'"{column}"' for column in user_columns)
        cursor.execute(
            f"""
            INSERT INTO accounts_user ({columns})
            SELECT {select} FROM generate_series(%(first)s::int, %(last)s::int) AS g(n)
            JOIN accounts_user t ON t.username = 'person' || ((g.n - 1) %% %(base)s + 1)
            """,
            {"first": base + 1, "last": people, "base": base},
        )
        copied["accounts_user"] = cursor.rowcount
        cursor.execute(
            """
            CREATE TEMP TABLE clone_map ON COMMIT DROP AS
            SELECT u.id AS new_id, t.id AS template_id
            FROM accounts_user u
            JOIN accounts_user t
              ON t.username = 'person' || ((substring(u.username FROM 7)::int - 1) %% %(base)s + 1)
            WHERE u.username ~ '^person[0-9]+$' AND substring(u.username FROM 7)::int > %(base)s
            """,
            {"base": base},
        )
        cursor.execute("CREATE INDEX ON clone_map (template_id)")
        for model in [
            *apps.get_app_config("accounts").get_models(),
            *apps.get_app_config("scoring").get_models(),
        ]:
            person = next(
                (
                    field
                    for field in model._meta.concrete_fields
                    if field.name in ("person", "user") and field.related_model is User
                ),
                None,
            )
            if person is None:
                continue
            unique_sets = [set(fields) for fields in model._meta.unique_together]
            unique_sets += [{f.name} for f in model._meta.concrete_fields if f.unique and not f.primary_key]
            unique_sets += [
                set(constraint.fields)
                for constraint in model._meta.constraints
                if getattr(constraint, "fields", None) and type(constraint).__name__ == "UniqueConstraint"
            ]
            table = model._meta.db_table
            if any(person.name not in fields for fields in unique_sets):
                copied[f"{table} (left out: a unique key without the person)"] = 0
                continue
            fields = [f.column for f in model._meta.concrete_fields if not f.primary_key]
            select = ", ".join(
                "m.new_id" if column == person.column else f't."{column}"' for column in fields
            )
            quoted = ", ".join(f'"{column}"' for column in fields)
            cursor.execute(
                f'INSERT INTO "{table}" ({quoted}) SELECT {select} '
                f'FROM "{table}" t JOIN clone_map m ON t."{person.column}" = m.template_id'
            )
            copied[table] = cursor.rowcount
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return copied


# The scene the load needs -------------------------------------------------------------------


def scene_prepare(*, pool: int, claims_needed: int, verifies_needed: int, sessions: int) -> dict:
    """Tokens, a promotion with ample stock to claim, claim codes to verify, browser sessions."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.auth.hashers import make_password
    from django.contrib.sessions.backends.db import SessionStore
    from django.utils import timezone

    from accounts import demo as accounts_demo
    from accounts import services as account_services
    from accounts.models import ConsumerProfile, MerchantStaff, User
    from perks import selectors as perk_selectors
    from perks import services as perk_services
    from perks.models import BenefitType, Category, Claim, Promotion

    today = timezone.localdate()
    people = list(
        ConsumerProfile.objects.filter(
            is_opted_in=True, score__isnull=False, user__username__startswith="person"
        )
        .exclude(perk_selectors.blacklisted(on=today))
        .order_by("?")
        .values_list("user_id", flat=True)[: max(pool, claims_needed, verifies_needed)]
    )
    if len(people) < max(pool, claims_needed, verifies_needed):
        raise SystemExit(f"only {len(people)} eligible people: raise --people")
    tokens = account_services.api_tokens_issue_bulk(user_ids=people)
    # People cloned past the seed have no real-name identity (its unique number cannot be copied):
    # give each its own, verified, as claiming needs.
    accounts_demo.identities_ensure(users=list(User.objects.filter(pk__in=people)))

    # A reused database keeps the promotions of earlier runs: end them, so the perks list shows
    # what a fresh run shows (the demo's perks and this run's two).
    for earlier in Promotion.objects.filter(title__startswith="Bench: ").exclude(
        status=Promotion.Status.ENDED
    ):
        perk_services.promotion_end(promotion=earlier)
    start = timezone.now() - datetime.timedelta(hours=1)
    rush = perk_services.promotion_create(
        merchant=User.objects.get(username="meitu").merchant_staff.merchant,
        title=f"Bench: phone trial {secrets.token_hex(3)}",
        category=Category.TRY_BEFORE_BUY,
        benefit_type=BenefitType.ACCESS,
        min_score=350,
        quantity=1_000_000,
        per_user_limit=1,
        starts_at=start,
        status=Promotion.Status.ACTIVE,
    )
    ford = User.objects.get(username="ford")
    counter = perk_services.promotion_create(
        merchant=ford.merchant_staff.merchant,
        title=f"Bench: priority lane {secrets.token_hex(3)}",
        category=Category.ACCESS,
        benefit_type=BenefitType.PRIORITY,
        min_score=350,
        starts_at=start,
        status=Promotion.Status.ACTIVE,
    )
    now = timezone.now()
    codes: set[str] = set()
    while len(codes) < verifies_needed:
        codes.add(
            "".join(secrets.choice(perk_services.CODE_ALPHABET) for _n in range(perk_services.CODE_LENGTH))
        )
    Claim.objects.bulk_create(
        [
            Claim(
                promotion=counter,
                person_id=pk,
                code=code,
                benefit="Priority lane",
                claimed_at=now,
                pickup_deadline=now + datetime.timedelta(days=7),
            )
            for pk, code in zip(people, sorted(codes), strict=False)
        ]
    )
    # The verify throttle allows a counter 60 checks a minute (perks.console.apis.VerifyThrottle): a
    # merchant checking hundreds a second has that many counters, each a staff login.
    staff_needed = max(10, math.ceil(verifies_needed / 45))
    suffix = secrets.token_hex(3)
    counters = User.objects.bulk_create(
        [User(username=f"counter-{suffix}-{n}", password=make_password(None)) for n in range(staff_needed)]
    )
    MerchantStaff.objects.bulk_create(
        [MerchantStaff(merchant=ford.merchant_staff.merchant, user=user) for user in counters]
    )
    counter_tokens = account_services.api_tokens_issue_bulk(user_ids=[user.pk for user in counters])

    cookies = []
    for user in User.objects.filter(pk__in=people[:sessions]):
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        cookies.append(session.session_key)
    return {
        "tokens": tokens,
        "rush_id": rush.pk,
        "codes": sorted(codes),
        "counter_tokens": counter_tokens,
        "sessions": cookies,
    }


def scenario_requests(name: str, scene: dict, count: int) -> list[dict]:
    """``count`` requests for an endpoint: (method, path, headers, body), people taking turns."""
    tokens = scene["tokens"]
    if name == "healthz":
        return [{"method": "GET", "path": "/healthz", "expect": 200}] * count
    if name in ("score", "perks"):
        path = "/api/v1/me/score/" if name == "score" else "/api/v1/perks/"
        return [
            {"method": "GET", "path": path, "headers": {"Authorization": f"Token {tokens[i % len(tokens)]}"}}
            | {"expect": 200}
            for i in range(count)
        ]
    if name == "claim":
        # Every claim by another person, once: all 201, the stock counter taken each time.
        assert count <= len(tokens), "not enough people for one claim each"
        return [
            {
                "method": "POST",
                "path": f"/api/v1/perks/{scene['rush_id']}/claim/",
                "headers": {"Authorization": f"Token {tokens[i]}", "Content-Length": "0"},
                "expect": 201,
            }
            for i in range(count)
        ]
    if name == "verify":
        # Each code once, by counter staff taking turns (each checks at most 60 a minute).
        assert count <= len(scene["codes"]), "not enough claim codes to verify"
        staff = scene["counter_tokens"]
        return [
            {
                "method": "POST",
                "path": "/api/v1/merchant/verify/",
                "headers": {
                    "Authorization": f"Token {staff[i % len(staff)]}",
                    "Content-Type": "application/json",
                },
                "body": json.dumps({"code": code}),
                "expect": 200,
            }
            for i, code in enumerate(scene["codes"][:count])
        ]
    if name == "dashboard":
        sessions = scene["sessions"]
        return [
            {
                "method": "GET",
                "path": "/dashboard/",
                "headers": {"Cookie": f"sessionid={sessions[i % len(sessions)]}"},
                "expect": 200,
            }
            for i in range(count)
        ]
    raise ValueError(name)


# The load process ---------------------------------------------------------------------------


class Client(threading.local):
    """One keep-alive connection per client thread, reopened after any failure."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.connection: http.client.HTTPConnection | None = None

    def send(self, request: dict) -> tuple[int, bytes]:
        reused = self.connection is not None
        try:
            return self._send(request)
        except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
            # The server had closed this idle keep-alive connection before the request reached
            # it (it answers nothing then): send once more on a new one, as HTTP clients do.
            if not reused:
                raise
            return self._send(request)

    def _send(self, request: dict) -> tuple[int, bytes]:
        if self.connection is None:
            self.connection = http.client.HTTPConnection(servers.HOST, self.port, timeout=REQUEST_TIMEOUT)
        try:
            body = request.get("body")
            self.connection.request(
                request["method"],
                request["path"],
                body=body.encode() if body else None,
                headers=request.get("headers", {}),
            )
            response = self.connection.getresponse()
            content = response.read()
            if response.getheader("Connection", "").lower() == "close":
                self.close()
            return response.status, content
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None


def drive(*, port: int, requests: list[dict], rate: float, timeout: float) -> dict:
    """Send the requests at ``rate`` a second, open loop; latencies from the scheduled times."""
    client = Client(port)
    due: queue.SimpleQueue = queue.SimpleQueue()
    latencies: list[float] = []
    errors: dict[str, int] = {}
    lag = [0.0]
    lock = threading.Lock()

    def dispatcher(start: float) -> None:
        for index, request in enumerate(requests):
            scheduled = start + index / rate
            wait = scheduled - time.perf_counter()
            if wait > 0:
                time.sleep(wait)
            lag[0] = max(lag[0], time.perf_counter() - scheduled)
            due.put((scheduled, request))
        for _thread in range(CLIENT_THREADS):
            due.put(None)

    def worker() -> None:
        while (item := due.get()) is not None:
            scheduled, request = item
            try:
                status, _body = client.send(request)
                problem = None if status == request["expect"] else f"HTTP {status}"
            except (OSError, http.client.HTTPException) as exc:
                problem = type(exc).__name__
            elapsed = time.perf_counter() - scheduled
            with lock:
                if problem is None:
                    latencies.append(elapsed)
                else:
                    errors[problem] = errors.get(problem, 0) + 1
        client.close()

    workers = [threading.Thread(target=worker, daemon=True) for _n in range(CLIENT_THREADS)]
    for thread in workers:
        thread.start()
    start = time.perf_counter() + 0.05
    sending = threading.Thread(target=dispatcher, args=(start,), daemon=True)
    sending.start()
    deadline = time.monotonic() + len(requests) / rate + timeout
    for thread in [sending, *workers]:
        thread.join(timeout=max(0.0, deadline - time.monotonic()))
    unfinished = len(requests) - len(latencies) - sum(errors.values())
    if unfinished > 0:
        errors["unfinished"] = unfinished
    latencies.sort()
    return {
        "sent": len(requests),
        "ok": len(latencies),
        "errors": errors,
        "p50_ms": _percentile(latencies, 0.50) * 1000,
        "p90_ms": _percentile(latencies, 0.90) * 1000,
        "p99_ms": _percentile(latencies, 0.99) * 1000,
        "max_ms": (latencies[-1] if latencies else math.nan) * 1000,
        "send_lag_ms": lag[0] * 1000,
    }


def _percentile(values: list[float], fraction: float) -> float:
    if not values:
        return math.nan
    return values[max(0, math.ceil(fraction * len(values)) - 1)]


def drive_main() -> None:
    """The load process: read one step on stdin (warm-up, then the measured requests), run it,
    write its figures on stdout."""
    plan = json.load(sys.stdin)
    step = plan["step"]
    if step["warmup"]:
        drive(port=plan["port"], requests=step["warmup"], rate=step["rate"], timeout=15)
    figures = drive(port=plan["port"], requests=step["requests"], rate=step["rate"], timeout=30)
    figures["client_cpu_ms"] = time.process_time() * 1000 / (len(step["warmup"]) + len(step["requests"]))
    json.dump({"name": step["name"], "rate": step["rate"], **figures}, sys.stdout)


def run_step(*, server: servers.Server, step: dict, database: str) -> dict:
    """One step from a fresh load process, with the server's CPU time and PostgreSQL's active
    time per request (warm-up included): figures that depend little on what else runs."""
    sent = len(step["warmup"]) + len(step["requests"])
    cpu_before, pg_before = _server_cpu(server), _database_active_ms(database)
    load = subprocess.run(
        [sys.executable, __file__, "--drive"],
        input=json.dumps({"port": server.port, "step": step}),
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        timeout=sent / step["rate"] + 90,
    )
    if load.returncode != 0:
        print(server.log_tail())
        raise SystemExit("the load process failed")
    result = json.loads(load.stdout)
    result["server_cpu_ms"] = (_server_cpu(server) - cpu_before) * 1000 / sent
    result["pg_ms"] = (_database_active_ms(database) - pg_before) / sent
    result["load_average"] = os.getloadavg()[0]
    print(json.dumps(result), flush=True)
    time.sleep(0.5)  # let the server settle between endpoints
    return result


def _server_cpu(server: servers.Server) -> float:
    return sum(processes.cpu_seconds(pid) or 0.0 for pid in server.pids())


def _database_active_ms(database: str) -> float:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT active_time FROM pg_stat_database WHERE datname = %s", [database])
        (active,) = cursor.fetchone()
    connection.close()
    return float(active or 0.0)


# The run ------------------------------------------------------------------------------------


def plan_steps(args: argparse.Namespace, scene: dict) -> list[dict]:
    """For each rate: the floor (/healthz), then each endpoint run at that rate."""
    steps = []
    offsets = {"claim": 0, "verify": 0}
    for rate in sorted(set(args.rates.values()), reverse=True):
        for name in ["healthz", *[n for n, r in args.rates.items() if r == rate]]:
            warm_count = int(rate * args.warmup)
            count = int(rate * args.duration)
            every = scenario_requests(name, scene, warm_count + count + offsets.get(name, 0))
            every = every[offsets.get(name, 0) :]
            if name in offsets:
                offsets[name] += warm_count + count
            steps.append(
                {"name": name, "rate": rate, "warmup": every[:warm_count], "requests": every[warm_count:]}
            )
    return steps


def report(results: list[dict], *, quick: bool) -> bool:
    """Print the figures beside their floor; True when every ratio target is met and nothing failed."""
    ok = True
    floor: dict[float, dict] = {}
    print()
    print(
        f"{'endpoint':<34}{'rate/s':>7}{'sent':>7}{'errors':>8}{'p50 ms':>9}{'p99 ms':>9}{'max ms':>9}"
        f"{'cpu ms':>8}{'pg ms':>7}{'ratio':>7}{'load':>6}  target"
    )
    for result in results:
        if result["name"] == "healthz":
            floor[result["rate"]] = result
        errors = sum(result["errors"].values())
        base = floor.get(result["rate"])
        floor_cpu = base["server_cpu_ms"] if base else 0.0
        ratio = result["server_cpu_ms"] / floor_cpu if floor_cpu else math.nan
        result["cpu_ratio"] = ratio
        verdicts = []
        target = RATIO_TARGETS.get(result["name"])
        if target is not None:
            met = ratio <= target
            verdicts.append(f"ratio <= {target:.1f}: {'met' if met else f'MISSED by {ratio - target:.2f}'}")
            ok = ok and (met or quick)
        p99_target = P99_TARGETS.get(result["name"])
        if p99_target is not None:
            met = result["p99_ms"] <= p99_target
            verdicts.append(f"p99 <= {p99_target:.0f} ms: {'met' if met else 'missed'} (not enforced)")
        ok = ok and not errors
        label = {
            "healthz": "GET /healthz (floor)",
            "score": "GET /api/v1/me/score/",
            "verify": "POST /api/v1/merchant/verify/",
            "claim": "POST /api/v1/perks/{id}/claim/",
            "perks": "GET /api/v1/perks/",
            "dashboard": "GET /dashboard/ (session)",
        }[result["name"]]
        print(
            f"{label:<34}{result['rate']:>7.0f}{result['sent']:>7}{errors:>8}"
            f"{result['p50_ms']:>9.1f}{result['p99_ms']:>9.1f}{result['max_ms']:>9.1f}"
            f"{result['server_cpu_ms']:>8.2f}{result['pg_ms']:>7.2f}{ratio:>7.2f}{result['load_average']:>6.1f}"
            f"  {'; '.join(verdicts)}"
        )
        if result["errors"]:
            print(f"{'':<34}errors: {result['errors']}")
        if result["send_lag_ms"] > 20:
            print(f"{'':<34}(the generator fell {result['send_lag_ms']:.0f} ms behind its schedule)")
    return ok


def main() -> None:
    args = parse_args()
    if args.drive:
        drive_main()
        return
    started = time.monotonic()
    redis_url = args.redis_url
    env = servers.server_env(
        database_url=args.database_url,
        DJANGO_SECRET_KEY=SECRET,
        REDIS_URL=redis_url,
        DJANGO_LOG_LEVEL="WARNING",
    )
    timings: dict[str, float] = {}
    if not args.reuse_db:
        database_create(args.database_url)
        timings["migrate"] = manage("migrate", "--no-input", "--verbosity", "0", env=env)
        timings[f"seed_demo --people {args.seed_people}"] = manage(
            "seed_demo", "--people", str(args.seed_people), env=env
        )
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    import django

    django.setup()
    from accounts.models import User

    if not args.reuse_db and args.people > args.seed_people:
        began = time.monotonic()
        copied = population_clone(base=args.seed_people, people=args.people)
        timings[f"clone to {args.people} people (SQL)"] = time.monotonic() - began
        print("cloned rows: " + ", ".join(f"{table} {rows}" for table, rows in copied.items()))
    population = User.objects.filter(consumer__isnull=False).count()
    with tempfile.TemporaryDirectory(prefix="load-bench-") as temporary:
        static_root = Path(temporary) / "static"
        env["DJANGO_STATIC_ROOT"] = str(static_root)
        timings["collectstatic"] = manage("collectstatic", "--no-input", "--verbosity", "0", env=env)
        rates = args.rates
        need = {
            name: int(rates.get(name, 0) * (args.duration + args.warmup)) + 1 for name in ("claim", "verify")
        }
        began = time.monotonic()
        scene = scene_prepare(
            pool=max(1000, need["claim"]),
            claims_needed=need["claim"],
            verifies_needed=max(need["verify"], 1),
            sessions=500,
        )
        timings["scene (tokens, promotions, codes, sessions)"] = time.monotonic() - began
        from django.db import connections

        connections.close_all()
        for step, seconds in timings.items():
            print(f"{step}: {seconds:.1f} s")
        server_env = {
            key: env[key]
            for key in ("DJANGO_SECRET_KEY", "REDIS_URL", "DJANGO_STATIC_ROOT", "DJANGO_LOG_LEVEL")
        }
        server_env.update(
            DJANGO_THROTTLE_USER=UNTHROTTLED,
            DJANGO_THROTTLE_ANON=UNTHROTTLED,
            DJANGO_THROTTLE_VERIFY=UNTHROTTLED,
        )
        configured = runpy.run_path(str(servers.GUNICORN_CONFIG))
        workers, threads = args.workers or configured["workers"], args.threads or configured["threads"]
        with servers.running_gunicorn(
            database_url=args.database_url,
            log_path=Path(temporary) / "gunicorn.log",
            workers=workers,
            threads=threads,
            env=server_env,
            # Four workers each importing Django take far longer than 30 s on a busy 2-core machine.
            ready_timeout=180,
        ) as server:
            print(f"population: {population} consumers; gunicorn {workers} workers x {threads} threads")
            results = [
                run_step(server=server, step=step, database=_database_name(args.database_url))
                for step in plan_steps(args, scene)
            ]
            log_tail = server.log_tail(20)
    ok = report(results, quick=args.quick)
    if not ok and "Traceback" in log_tail:
        print(log_tail)
    if args.json:
        args.json.write_text(
            json.dumps({"timings": timings, "population": population, "results": results}, indent=2)
        )
    if not args.keep_db:
        from django.db import connections

        connections.close_all()
        database_drop(args.database_url)
    _redis_flush(redis_url)
    print(f"\ntotal {time.monotonic() - started:.0f} s")
    raise SystemExit(0 if ok else 1)


def _redis_flush(url: str) -> None:
    """Empty the bench's own Redis database (never 0: the broker's), where its queue and cache went."""
    parts = urlsplit(url)
    if parts.path.strip("/") in ("", "0"):
        return
    with contextlib.suppress(Exception):
        import redis

        redis.Redis.from_url(url).flushdb()


if __name__ == "__main__":
    main()
