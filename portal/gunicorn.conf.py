"""gunicorn's settings for the portal: ``gunicorn -c portal/gunicorn.conf.py portal.wsgi``.

Command-line flags win over these, and gunicorn reads ``WEB_CONCURRENCY`` and
``GUNICORN_CMD_ARGS`` from the environment as usual.

Processes rather than threads: a request spends most of its time in Python (middleware, the
ORM, serializers), and threads of one process take turns on the GIL, so a thread that gets
its database answer waits for the others' time slices. On 2 cores at 200 requests/s,
``GET /api/v1/me/score/`` had a p99 of 76 ms with 2 processes of 8 threads and 20 ms with
4 processes of 2 threads (bench/README.md). Two threads a process still overlap one request's
database wait with another's Python.
"""

import multiprocessing
import os

# Loopback unless told otherwise: the app trusts X-Forwarded-For and -Proto from the proxy in
# front of it (DJANGO_TRUSTED_PROXY_COUNT), so it must only be reachable through that proxy. Set
# GUNICORN_BIND (e.g. 10.0.0.5:8000, or unix:/run/portal.sock) when the proxy is on another host.
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
worker_class = "gthread"
# Each thread keeps a PostgreSQL connection open (CONN_MAX_AGE), so the default stops at 8
# processes (16 connections of PostgreSQL's default 100); on a bigger host set WEB_CONCURRENCY
# with the database's connection budget in mind.
workers = int(os.environ.get("WEB_CONCURRENCY", min(2 * multiprocessing.cpu_count(), 8)))
threads = int(os.environ.get("GUNICORN_THREADS", 2))
# Idle keep-alive connections from a proxy or a client are cheap with gthread.
keepalive = 30
# A worker proves it is alive by touching a file at every turn of its loop; on a disk-backed
# /tmp that costs a filesystem call per request (about 0.15 ms of CPU on the bench machine,
# bench/README.md), in memory it is nearly free. (gunicorn makes the file with mkstemp.)
SHARED_MEMORY = "/dev/shm"  # noqa: S108
worker_tmp_dir = SHARED_MEMORY if os.path.isdir(SHARED_MEMORY) else None
backlog = 2048
timeout = 60
graceful_timeout = 10
# Recycle a process now and then, staggered, so a slow leak in any library stays bounded.
max_requests = 20_000
max_requests_jitter = 2_000
