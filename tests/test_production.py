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
    "DJANGO_IDENTITY_HASH_KEY": "production-identity-hash-" + "k4Jd8sWq" * 6,
    "DJANGO_ALLOWED_HOSTS": "portal.example.com,127.0.0.1",
    # Production refuses to start without a real email backend; nothing is sent in these tests.
    "EMAIL_URL": "smtp://127.0.0.1:25",
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


def test_production_refuses_to_start_without_an_identity_hash_key():
    env = _env()
    del env["DJANGO_IDENTITY_HASH_KEY"]

    result = _manage("check", env=env)

    assert result.returncode != 0
    assert "DJANGO_IDENTITY_HASH_KEY" in result.stderr


def test_the_demo_identity_verifier_never_runs_with_debug_off_even_if_asked():
    result = _manage(
        "shell",
        "-c",
        "from django.conf import settings; print(settings.IDENTITY_DEMO_VERIFIER)",
        env=_env(DJANGO_IDENTITY_DEMO_VERIFIER="1"),
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "False"


def test_production_refuses_to_start_without_an_email_backend():
    env = _env()
    del env["EMAIL_URL"]

    result = _manage("check", env=env)

    assert result.returncode != 0
    assert "EMAIL_URL" in result.stderr


@pytest.mark.parametrize("url", ["consolemail://", "memorymail://", "dummymail://", "filemail:///tmp/mail"])
def test_check_deploy_refuses_an_email_backend_that_keeps_reset_links_on_the_server(url):
    result = _manage("check", "--deploy", env=_env(EMAIL_URL=url))

    assert result.returncode != 0
    assert "portal.E001" in result.stderr
    assert "password-reset links" in result.stderr


def test_debug_keeps_the_console_email_backend_as_its_default():
    env = _env(DJANGO_DEBUG="1")
    del env["EMAIL_URL"]
    code = "import django; django.setup(); from django.conf import settings; print(settings.EMAIL_BACKEND)"

    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "portal.settings"},
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "django.core.mail.backends.console.EmailBackend"


def test_production_reads_the_smtp_server_from_email_url():
    env = _env(EMAIL_URL="smtp+tls://mailer:s3cret@mail.example.com:587")
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.EMAIL_BACKEND, settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_USE_TLS, "
        "settings.EMAIL_HOST_USER)"
    )

    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "portal.settings"},
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.core.mail.backends.smtp.EmailBackend",
        "mail.example.com",
        "587",
        "True",
        "mailer",
    ]


def test_gunicorn_listens_on_loopback_only_unless_told_otherwise(monkeypatch):
    monkeypatch.delenv("GUNICORN_BIND", raising=False)
    default = runpy.run_path(str(servers.GUNICORN_CONFIG))["bind"]
    monkeypatch.setenv("GUNICORN_BIND", "10.0.0.5:8000")
    configured = runpy.run_path(str(servers.GUNICORN_CONFIG))["bind"]

    assert (default, configured) == ("127.0.0.1:8000", "10.0.0.5:8000")


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
