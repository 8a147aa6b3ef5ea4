"""gunicorn for integration tests and benches: the app served on a free loopback port against a
given database, in a process group of its own that is always stopped as a whole.

    with servers.running_gunicorn(database_url=processes.database_url(connection.settings_dict)) as server:
        urllib.request.urlopen(server.url("/healthz"))

The server runs with production settings (DEBUG off, a secret, loopback as the only host, no
HTTPS redirect, since loopback has no TLS) unless the caller overrides them through ``env``.
"""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from tests import processes

ROOT = processes.ROOT
GUNICORN = Path(sys.executable).with_name("gunicorn")
GUNICORN_CONFIG = ROOT / "portal" / "gunicorn.conf.py"
HOST = "127.0.0.1"
PRODUCTION_ENV = {
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": "loopback-test-server-secret-" + "Vq8wK3zR" * 6,
    "DJANGO_IDENTITY_HASH_KEY": "loopback-identity-hash-" + "Pz7cN2vB" * 6,
    "DJANGO_ALLOWED_HOSTS": HOST,
    "DJANGO_SECURE_SSL_REDIRECT": "0",
    # Production refuses to start without a real email backend; these servers send none.
    "EMAIL_URL": "smtp://127.0.0.1:25",
    "DJANGO_LOG_LEVEL": "WARNING",
    "PYTHONUNBUFFERED": "1",
}


@dataclass
class Server:
    """A started gunicorn: its arbiter process (also its process group), port and log."""

    popen: subprocess.Popen
    port: int
    log_path: Path

    @property
    def pgid(self) -> int:
        return self.popen.pid

    def url(self, path: str = "/") -> str:
        return f"http://{HOST}:{self.port}{path}"

    def log_tail(self, lines: int = 60) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return "(no log yet)"
        return "\n".join(text.splitlines()[-lines:])

    def pids(self) -> list[int]:
        """The arbiter and its workers."""
        return processes.group_pids(self.pgid)


def free_port() -> int:
    """A loopback port nobody listens on right now (the kernel picks it)."""
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def server_env(*, database_url: str, **extra: str) -> dict[str, str]:
    """The environment of a production-like server on database_url; extra wins over everything."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("PYTEST", "DJANGO_"))}
    env.update(PRODUCTION_ENV)
    env["DATABASE_URL"] = database_url
    env.update(extra)
    return env


def start_gunicorn(
    *,
    database_url: str,
    log_path: Path,
    workers: int | None = None,
    threads: int | None = None,
    env: Mapping[str, str] | None = None,
    extra_args: tuple[str, ...] = (),
) -> Server:
    """Start gunicorn as production does (GUNICORN_CONFIG) in a new session on a free loopback
    port; workers and threads default to the configuration's."""
    port = free_port()
    command = [str(GUNICORN), "--config", str(GUNICORN_CONFIG), "portal.wsgi", "--bind", f"{HOST}:{port}"]
    if workers is not None:
        command += ["--workers", str(workers)]
    if threads is not None:
        command += ["--threads", str(threads)]
    command += ["--graceful-timeout", "5", *extra_args]
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("wb") as log:
        popen = subprocess.Popen(
            command,
            cwd=ROOT,
            env=server_env(database_url=database_url, **dict(env or {})),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    return Server(popen=popen, port=port, log_path=log_path)


def wait_until_serving(server: Server, *, timeout: float = 30, path: str = "/healthz") -> None:
    """Wait until every worker can answer (a request reaches one; the others boot alike)."""

    def answers() -> bool:
        if server.popen.poll() is not None:
            raise AssertionError(
                f"gunicorn exited (code {server.popen.returncode}) before serving.\n{server.log_tail()}"
            )
        try:
            with urllib.request.urlopen(server.url(path), timeout=2) as response:
                return response.status == 200
        except urllib.error.HTTPError as exc:
            raise AssertionError(
                f"GET {path} answered {exc.code} while starting.\n{server.log_tail()}"
            ) from exc
        except OSError:
            return False

    deadline = time.monotonic() + timeout
    while not answers():
        if time.monotonic() >= deadline:
            raise AssertionError(f"gunicorn did not serve within {timeout}s.\n{server.log_tail()}")
        time.sleep(0.1)


def stop(server: Server, *, grace: float = 10) -> None:
    """SIGTERM the whole group (gunicorn finishes requests in flight), then SIGKILL what is left."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(server.pgid, signal.SIGTERM)
    with contextlib.suppress(subprocess.TimeoutExpired):
        server.popen.wait(timeout=grace)
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(server.pgid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        server.popen.wait(timeout=10)
    deadline = time.monotonic() + 10
    while server.pids() and time.monotonic() < deadline:
        time.sleep(0.05)


@contextlib.contextmanager
def running_gunicorn(
    *,
    database_url: str,
    log_path: Path,
    workers: int | None = None,
    threads: int | None = None,
    env: Mapping[str, str] | None = None,
    ready_timeout: float = 30,
    extra_args: tuple[str, ...] = (),
) -> Iterator[Server]:
    """A gunicorn for the duration of a block, stopped (with all its workers) whatever happens."""
    server = start_gunicorn(
        database_url=database_url,
        log_path=log_path,
        workers=workers,
        threads=threads,
        env=env,
        extra_args=extra_args,
    )
    try:
        wait_until_serving(server, timeout=ready_timeout)
        yield server
    finally:
        stop(server)
