"""Queries and in-process CPU per request of each endpoint of bench/load.py, on a seeded database.

    .venv/bin/python manage.py seed_demo --people 200      # once, on DATABASE_URL
    .venv/bin/python bench/queries.py                       # every endpoint
    .venv/bin/python bench/queries.py --only dashboard --profile 25

The requests are load.py's own (its scene: tokens, a promotion to claim, codes to verify,
sessions), sent through Django's test client with production settings (debug off, the cache on
REDIS_URL). For each endpoint: the queries of a person's first request (the derived caches
cold), of the same person's next one (warm), and the CPU a request over --requests requests,
people taking turns, once every cache is warm. It adds promotions, claims, logins and sessions
to the database, as load.py does.
"""

import argparse
import cProfile
import os
import pstats
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import load  # noqa: E402 - needs the project root on the path first
from tests import servers  # noqa: E402

ENDPOINTS = ("healthz", "score", "verify", "claim", "perks", "dashboard")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--only", default=",".join(ENDPOINTS))
    parser.add_argument("--requests", type=int, default=200, help="warm requests timed per endpoint")
    parser.add_argument("--people", type=int, default=50, help="people taking turns")
    parser.add_argument("--profile", type=int, default=0, help="print this many of cProfile's top entries")
    parser.add_argument("--show-sql", action="store_true", help="print the warm request's statements")
    return parser.parse_args()


def send(client, request: dict):  # a django.test.Client; returns its response
    headers = dict(request.get("headers", {}))
    cookie = headers.pop("Cookie", None)
    if cookie:
        name, _sep, value = cookie.partition("=")
        client.cookies[name] = value
    headers.pop("Content-Length", None)
    content_type = headers.pop("Content-Type", "application/octet-stream")
    method = getattr(client, request["method"].lower())
    extra = {}
    if request["method"] == "POST":
        extra = {"data": request.get("body") or "", "content_type": content_type}
    response = method(request["path"], headers=headers, **extra)
    if response.status_code != request["expect"]:
        answer = f"{response.status_code} {response.content[:300]!r}"
        raise SystemExit(f"{request['method']} {request['path']}: {answer}")
    return response


def main() -> None:
    args = parse_args()
    database_url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/portal")
    os.environ.update(
        servers.server_env(
            database_url=database_url,
            DJANGO_SECRET_KEY=load.SECRET,
            REDIS_URL=os.environ.get("REDIS_URL", load.DEFAULT_REDIS_URL),
            DJANGO_LOG_LEVEL="WARNING",
            DJANGO_ALLOWED_HOSTS="testserver",
            DJANGO_THROTTLE_USER=load.UNTHROTTLED,
            DJANGO_THROTTLE_ANON=load.UNTHROTTLED,
            DJANGO_THROTTLE_VERIFY=load.UNTHROTTLED,
            # Pages name their static files through the manifest that collectstatic writes.
            DJANGO_STATIC_ROOT=tempfile.mkdtemp(prefix="queries-bench-static-"),
        )
    )
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    call_command("collectstatic", "--no-input", "--verbosity", "0")
    names = [name for name in args.only.split(",") if name]
    needed = args.requests + args.people + 4
    scene = load.scene_prepare(
        pool=max(args.people, needed), claims_needed=needed, verifies_needed=needed, sessions=args.people
    )
    print(f"{'endpoint':<12}{'cold q':>8}{'warm q':>8}{'cpu ms':>9}")
    for name in names:
        requests = load.scenario_requests(name, scene, needed)
        client = Client()
        with CaptureQueriesContext(connection) as cold:
            send(client, requests[0])
        again = requests[0] if name in ("healthz", "score", "perks", "dashboard") else requests[1]
        with CaptureQueriesContext(connection) as warm:
            send(client, again)
        # Read now: the next request empties the connection's log the context reads from.
        cold_sql = [query["sql"] for query in cold.captured_queries]
        warm_sql = [query["sql"] for query in warm.captured_queries]
        timed = requests[2 : 2 + args.requests]
        if name in ("score", "perks", "dashboard"):
            # The people taking turns, their caches warm: the steady state of the load bench.
            turns = requests[: args.people]
            for request in turns:
                send(client, request)
            timed = [turns[i % len(turns)] for i in range(args.requests)]
        profiler = cProfile.Profile() if args.profile else None
        started = time.process_time()
        if profiler:
            profiler.enable()
        for request in timed:
            send(client, request)
        if profiler:
            profiler.disable()
        cpu_ms = (time.process_time() - started) * 1000 / len(timed)
        print(f"{name:<12}{len(cold_sql):>8}{len(warm_sql):>8}{cpu_ms:>9.2f}")
        if args.show_sql:
            for sql in warm_sql:
                print("    " + sql[:220])
        if profiler:
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(args.profile)


if __name__ == "__main__":
    main()
