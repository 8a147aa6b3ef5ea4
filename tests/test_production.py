"""Production mode as README.md documents it: deploy checks, gunicorn, whitenoise, PostgreSQL."""

import os
import runpy
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from tests import servers

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
    try:
        # The configuration README.md starts production with, its workers and threads included.
        with servers.running_gunicorn(
            database_url=env["DATABASE_URL"],
            log_path=tmp_path / "gunicorn.log",
            env={key: value for key, value in env.items() if key.startswith("DJANGO_")},
        ) as server:
            home = urllib.request.urlopen(server.url("/"), timeout=10)
            css_path = next(static_root.glob("css/portal.*.css")).name
            css = urllib.request.urlopen(
                urllib.request.Request(
                    server.url(f"/static/css/{css_path}"), headers={"Accept-Encoding": "gzip"}
                ),
                timeout=10,
            )
            workers = len(server.pids()) - 1  # the arbiter and its workers

            assert home.status == 200
            assert b"</html>" in home.read()
            assert css.status == 200
            assert css.headers["Content-Encoding"] == "gzip"
            assert "max-age=315360000" in css.headers["Cache-Control"]
            assert workers == runpy.run_path(str(servers.GUNICORN_CONFIG))["workers"] >= 2
    finally:
        subprocess.run(
            ["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", "portal_production_check"]
        )
