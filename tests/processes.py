"""Real processes for integration tests and benches: start a Celery worker in its own process
group, wait on conditions with a clear failure, and always stop the whole group."""

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar
from urllib.parse import quote, urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
CELERY = Path(sys.executable).with_name("celery")
T = TypeVar("T")


@dataclass
class Worker:
    """A started `celery worker`: its leader process (also its process group) and its log."""

    popen: subprocess.Popen
    log_path: Path

    @property
    def pgid(self) -> int:
        return self.popen.pid

    def log_tail(self, lines: int = 40) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return "(no log yet)"
        return "\n".join(text.splitlines()[-lines:])

    def pids(self) -> list[int]:
        """Every live process of the worker's group: the leader and its pool children."""
        return group_pids(self.pgid)


def database_url(settings_dict: Mapping[str, object], *, application_name: str = "") -> str:
    """A DATABASE_URL for the database a Django connection is using (the test DB under pytest);
    application_name tags the subprocess's sessions so a test can find them in pg_stat_activity."""
    user = quote(str(settings_dict.get("USER") or ""), safe="")
    password = quote(str(settings_dict.get("PASSWORD") or ""), safe="")
    credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = settings_dict.get("HOST") or "127.0.0.1"
    port = settings_dict.get("PORT") or 5432
    query = f"?application_name={quote(application_name, safe='')}" if application_name else ""
    return f"postgres://{credentials}{host}:{port}/{quote(str(settings_dict['NAME']), safe='')}{query}"


def redis_url_with_db(url: str, db: int) -> str:
    """The same Redis server with another database number, so a run has a queue of its own."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{db}", parts.query, parts.fragment))


def broker_purge(url: str) -> int:
    """Delete Celery's queues and bookkeeping (unacked messages too) from a Redis database, and
    nothing else that may live in it; returns how many keys went."""
    import redis

    client = redis.Redis.from_url(url)
    try:
        keys = [
            key for pattern in ("celery*", "unacked*", "_kombu.*") for key in client.scan_iter(match=pattern)
        ]
        if keys:
            client.delete(*keys)
        return len(keys)
    finally:
        client.close()


def worker_env(*, database_url: str, redis_url: str, **extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="portal.settings",
        DJANGO_DEBUG=os.environ.get("DJANGO_DEBUG", "1"),
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env


def start_worker(
    *,
    env: Mapping[str, str],
    log_path: Path,
    concurrency: int = 2,
    queues: str = "celery",
    name: str = "test",
) -> Worker:
    """Start `celery -A portal worker` (prefork) in a new session, logging to log_path."""
    command = [
        str(CELERY),
        "-A",
        "portal",
        "worker",
        "--pool=prefork",
        f"--concurrency={concurrency}",
        "-Q",
        queues,
        "--without-heartbeat",
        "--without-gossip",
        "--without-mingle",
        "-l",
        "info",
        "-n",
        f"{name}-{os.getpid()}-{time.monotonic_ns()}@%h",
    ]
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("wb") as log:
        popen = subprocess.Popen(
            command,
            cwd=ROOT,
            env=dict(env),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    return Worker(popen=popen, log_path=log_path)


def wait_until_ready(worker: Worker, *, timeout: float = 30) -> None:
    """Wait for the worker to say it is ready (it consumes from then on)."""
    wait_for(
        lambda: " ready." in worker.log_tail(200),
        timeout=timeout,
        what="the celery worker to be ready",
        worker=worker,
    )


def stop(worker: Worker, *, grace: float = 10) -> None:
    """SIGTERM the worker's whole group, then SIGKILL what is left; safe to call twice."""
    _signal_group(worker.pgid, signal.SIGTERM)
    with contextlib.suppress(subprocess.TimeoutExpired):
        worker.popen.wait(timeout=grace)
    kill(worker)


def kill(worker: Worker) -> None:
    """SIGKILL the worker's whole group at once, as a crash or an OOM kill would."""
    _signal_group(worker.pgid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        worker.popen.wait(timeout=10)
    deadline = time.monotonic() + 10
    while group_pids(worker.pgid) and time.monotonic() < deadline:
        # Pool children are reaped by init once their parent is gone.
        time.sleep(0.05)


@contextlib.contextmanager
def running_worker(
    *, env: Mapping[str, str], log_path: Path, concurrency: int = 2, ready_timeout: float = 30
) -> Iterator[Worker]:
    """A worker for the duration of a block, stopped whatever happens in it."""
    worker = start_worker(env=env, log_path=log_path, concurrency=concurrency)
    try:
        wait_until_ready(worker, timeout=ready_timeout)
        yield worker
    finally:
        stop(worker)


def wait_for(
    condition: Callable[[], T],
    *,
    timeout: float,
    what: str,
    worker: Worker | None = None,
    interval: float = 0.05,
    describe: Callable[[], str] | None = None,
) -> T:
    """Poll condition until it returns something truthy; fail with the worker's log otherwise."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if worker is not None and worker.popen.poll() is not None:
            raise AssertionError(
                f"The worker exited (code {worker.popen.returncode}) while waiting for {what}.\n"
                f"Worker log tail:\n{worker.log_tail()}"
            )
        if time.monotonic() >= deadline:
            state = f"\nState: {describe()}" if describe is not None else ""
            log = f"\nWorker log tail:\n{worker.log_tail()}" if worker is not None else ""
            raise AssertionError(f"Timed out after {timeout}s waiting for {what}.{state}{log}")
        time.sleep(interval)


def group_pids(pgid: int) -> list[int]:
    """The live (not zombie) processes whose process group is pgid, read from /proc."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # The command name is in parentheses and may hold spaces: split after its end.
        fields = stat[stat.rindex(")") + 2 :].split()
        state, group = fields[0], int(fields[2])
        if group == pgid and state != "Z":
            pids.append(int(entry.name))
    return sorted(pids)


def peak_rss_kib(pid: int) -> int | None:
    """The process's peak resident set size so far (VmHWM), or None once it is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def cpu_seconds(pid: int) -> float | None:
    """User plus system CPU time the process has used so far, or None once it is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat[stat.rindex(")") + 2 :].split()
    # utime and stime are fields 14 and 15 of proc(5); fields here start at field 3 (state).
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _signal_group(pgid: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signum)
