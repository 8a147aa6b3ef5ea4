"""Production mode as README.md documents it: deploy checks, gunicorn, whitenoise, PostgreSQL."""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION_ENV = {
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": "production-like-secret-" + "x7Qp2Lm9" * 6,
    "DJANGO_ALLOWED_HOSTS": "portal.example.com,127.0.0.1",
}


def _env(**extra: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("PYTEST", "DJANGO_"))}
    return {**env, **PRODUCTION_ENV, **extra}


def _manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_check_deploy_passes_without_warnings_in_production_settings():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=_env())

    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    env = _env()
    del env["DJANGO_SECRET_KEY"]

    result = _manage("check", env=env)

    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.integration
def test_gunicorn_serves_pages_and_compressed_static_files_on_postgresql(tmp_path):
    database_url = os.environ.get("DATABASE_URL", "")
    if not database_url.startswith("postgres"):
        if os.environ.get("CI") == "true":
            pytest.fail("CI must run this against PostgreSQL (DATABASE_URL)")
        pytest.skip("needs DATABASE_URL pointing at PostgreSQL")
    # A database of its own, so the server never sees the test database's transactions.
    base, _, _name = database_url.rpartition("/")
    env = _env(DATABASE_URL=f"{base}/portal_production_check", DJANGO_SECURE_SSL_REDIRECT="0")
    subprocess.run(
        ["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", "portal_production_check"], check=True
    )
    subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", "portal_production_check"], check=True)
    static_root = tmp_path / "static"
    env["DJANGO_STATIC_ROOT"] = str(static_root)
    assert _manage("migrate", "--no-input", env=env).returncode == 0
    collected = _manage("collectstatic", "--no-input", env=env)
    assert collected.returncode == 0, collected.stderr
    port = _free_port()
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "portal.wsgi", "-b", f"127.0.0.1:{port}", "-w", "2"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        home = _get_when_up(f"http://127.0.0.1:{port}/")
        css_path = next(static_root.glob("css/portal.*.css")).name
        css = urllib.request.urlopen(
            urllib.request.Request(
                f"http://127.0.0.1:{port}/static/css/{css_path}", headers={"Accept-Encoding": "gzip"}
            ),
            timeout=10,
        )

        assert home.status == 200
        assert b"</html>" in home.read()
        assert css.status == 200
        assert css.headers["Content-Encoding"] == "gzip"
        assert "max-age=315360000" in css.headers["Cache-Control"]
    finally:
        os.killpg(server.pid, 15)
        server.wait(timeout=20)
        subprocess.run(
            ["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", "portal_production_check"]
        )


def _get_when_up(url: str, timeout: float = 30):
    deadline = time.monotonic() + timeout
    while True:
        try:
            return urllib.request.urlopen(url, timeout=5)
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)
