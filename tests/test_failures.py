"""Nothing lost when something fails.

Redis down: pages, scores and claims still work; what must be sent later waits in the outbox
(PostgreSQL, same transaction) and reaches the broker once Redis is back. The "Redis" here is a
throwaway redis-server on a port of its own, dead at first and started mid-test: the shared
server (the other tests' broker) is never stopped or flushed.

PostgreSQL down: a real gunicorn in production mode whose DATABASE_URL points at a closed port
answers a friendly 503 page and the API's JSON 503, with no traceback anywhere.

A nightly chunk that keeps failing is reported in its run while the others finish: that is
scoring/tests/services/test_recompute.py::test_failing_chunk_is_marked_failed_and_the_others_still_finish.
"""

import contextlib
import datetime
import json
import logging
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
import redis
from celery import current_app
from django.core.cache import caches
from django.db import OperationalError
from django.test import RequestFactory
from django.utils import timezone
from rest_framework.test import APIClient

from core import outbox
from core.middleware import server_error
from core.models import OutboxMessage
from perks import services as perks_services
from perks import webhooks
from perks.models import BenefitType, Category, Claim, Promotion
from portal.celery import app as celery_app
from scoring import services as scoring_services
from scoring.models import Partner
from tests import servers

ROOT = Path(__file__).resolve().parent.parent


PRODUCTION_ENV = {
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": "production-like-secret-" + "x7Qp2Lm9" * 6,
    "DJANGO_IDENTITY_HASH_KEY": "production-identity-hash-" + "k4Jd8sWq" * 6,
    "DJANGO_ALLOWED_HOSTS": "portal.example.com",
    "EMAIL_URL": "smtp://127.0.0.1:25",
}


def production_settings(*names: str, **env: str) -> dict[str, object]:
    """These settings as a fresh process with the production environment (and env) sees them."""
    clean = {key: value for key, value in os.environ.items() if not key.startswith(("PYTEST", "DJANGO_"))}
    code = (
        "import json, sys, django; django.setup(); from django.conf import settings; "
        "print(json.dumps({name: getattr(settings, name) for name in sys.argv[1:]}, default=str))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, *names],
        cwd=ROOT,
        env={**clean, **PRODUCTION_ENV, "DJANGO_SETTINGS_MODULE": "portal.settings", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def throwaway_redis(port: int, directory: Path) -> Iterator[redis.Redis]:
    """A redis-server of this test's own on port, stopped (by its pid) whatever happens."""
    server = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        cwd=directory,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    client = redis.Redis(host="127.0.0.1", port=port, socket_connect_timeout=1)
    try:
        deadline = time.monotonic() + 10
        while True:
            with contextlib.suppress(redis.ConnectionError):
                if client.ping():
                    break
            assert time.monotonic() < deadline, "the throwaway redis-server did not start"
            time.sleep(0.05)
        yield client
    finally:
        client.close()
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=10)


PORT_PLACEHOLDER = "65535"


def drop_broker_connections() -> None:
    """Forget the pooled broker connections, so the next publish connects to broker_url anew.

    app.close() drops the connection pool but keeps the producer pool, whose producers would
    go on publishing to the old broker (the shared Redis, or memory://): drop that too.
    """
    celery_app.close()
    celery_app.amqp._producer_pool = None


@pytest.fixture(scope="session")
def redis_settings() -> dict[str, object]:
    """The project's own cache and Celery settings for a REDIS_URL (port still to fill in)."""
    return production_settings(
        "CACHES", "CELERY_TASK_ALWAYS_EAGER", REDIS_URL=f"redis://127.0.0.1:{PORT_PLACEHOLDER}/0"
    )


@pytest.fixture
def redis_down(settings, redis_settings) -> Iterator[int]:
    """Broker and cache, configured as settings.py does for a REDIS_URL, on a port where no Redis
    runs (yet); the port number."""
    port = free_port()
    url = f"redis://127.0.0.1:{port}/0"
    previous = celery_app.conf.broker_url, celery_app.conf.task_always_eager
    drop_broker_connections()
    celery_app.conf.broker_url = url
    celery_app.conf.task_always_eager = redis_settings["CELERY_TASK_ALWAYS_EAGER"]
    settings.CACHES = json.loads(json.dumps(redis_settings["CACHES"]).replace(PORT_PLACEHOLDER, str(port)))
    # The outbox publishes through celery.current_app: it must be this app, now pointing here.
    assert current_app._get_current_object() is celery_app
    assert (current_app.conf.broker_url, current_app.conf.task_always_eager) == (url, False)
    try:
        yield port
    finally:
        drop_broker_connections()
        celery_app.conf.broker_url, celery_app.conf.task_always_eager = previous


# --- Redis down ------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_with_redis_down_pages_scores_claims_and_ingestion_work_and_the_outbox_delivers_later(
    redis_down, make_consumer, make_merchant_staff, client, tmp_path
):
    # given a consumer, a merchant with a live promotion and a webhook endpoint, and a partner
    ann = make_consumer("ann")
    owner = make_merchant_staff("ford")
    merchant = owner.merchant_staff.merchant
    promotion = perks_services.promotion_create(
        merchant=merchant,
        title="Deposit-free bike",
        category=Category.DEPOSIT_FREE,
        benefit_type=BenefitType.DEPOSIT_WAIVER,
        amount=Decimal("299.00"),
        min_score=350,
        starts_at=timezone.now() - datetime.timedelta(days=1),
        status=Promotion.Status.ACTIVE,
    )
    webhooks.webhook_endpoint_create(merchant=merchant, url="https://hooks.ford.example/events", actor=owner)
    partner = Partner.objects.create(name="China UnionPay", slug="unionpay")
    partner_client = APIClient()
    partner_client.credentials(
        HTTP_AUTHORIZATION=f"Api-Key {scoring_services.partner_key_issue(partner=partner)}"
    )
    sent_before = set(OutboxMessage.objects.values_list("pk", flat=True))
    client.force_login(ann)

    # when Redis (broker and cache) is down
    dashboard = client.get("/dashboard/")
    score = client.get("/api/v1/me/score/")
    claim = client.post(f"/api/v1/perks/{promotion.pk}/claim/", content_type="application/json")
    ingested = partner_client.post(
        "/api/v1/ingest/events/",
        {
            "events": [
                {
                    "id": "ev-1",
                    "type": "balance",
                    "person": "ann",
                    "data": {"amount": "23000.00", "as_of": scoring_services.today().isoformat()},
                }
            ]
        },
        format="json",
    )

    # then everything answered, the claim is committed, and what must follow waits unsent
    waiting = list(OutboxMessage.objects.exclude(pk__in=sent_before).filter(sent_at__isnull=True))
    assert (dashboard.status_code, score.status_code, claim.status_code, ingested.status_code) == (
        200,
        200,
        201,
        201,
    )
    assert Claim.objects.filter(pk=claim.json()["id"], person=ann).exists()
    assert sorted(message.task_name for message in waiting) == [
        "perks.deliver_webhook",
        "scoring.recompute_person",
    ]
    assert all(message.attempts == 1 and message.last_error for message in waiting)
    recompute = next(message for message in waiting if message.task_name == "scoring.recompute_person")
    assert recompute.args == [ann.pk, scoring_services.today().isoformat()]

    # when Redis is back and the relay runs (as the periodic task does every minute)
    with throwaway_redis(redis_down, tmp_path) as broker:
        unsent = OutboxMessage.objects.filter(sent_at__isnull=True).count()
        relayed = outbox.relay()
        queued = [json.loads(raw) for raw in broker.lrange("celery", 0, -1)]

    # then every waiting message reached the broker, once
    assert relayed == unsent
    assert not OutboxMessage.objects.filter(sent_at__isnull=True).exists()
    assert len(queued) == unsent
    queued_tasks = sorted(message["headers"]["task"] for message in queued)
    assert {"perks.deliver_webhook", "scoring.recompute_person"} <= set(queued_tasks)


def test_a_dead_cache_answers_from_this_process_memory(redis_down):
    cache = caches["default"]

    assert cache.get("anything", "default") == "default"
    assert cache.set("key", "value") is None
    assert cache.get("key") == "value"
    assert cache.add("key", "other") is False
    assert cache.set_many({"a": 1, "b": 2}) == []
    assert cache.get_many(["a", "b", "c"]) == {"a": 1, "b": 2}
    assert cache.incr("a") == 2
    assert cache.delete("key") is True
    assert cache.get("key") is None


@pytest.mark.django_db
def test_a_dead_cache_does_not_stop_throttled_api_calls(redis_down, make_consumer):
    # Throttle counters live in the cache: with it gone, calls still go through (and are counted).
    api = APIClient()
    api.force_login(make_consumer("ann"))

    answers = [api.get("/api/v1/me/score/").status_code for _ in range(3)]

    assert answers == [200, 200, 200]


@pytest.mark.django_db
def test_a_dead_cache_still_holds_the_throttles_and_says_so_in_the_log(redis_down, settings, caplog):
    # given Redis unreachable and a small anonymous allowance
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "anon": "5/min"},
    }
    guesser = APIClient(REMOTE_ADDR="203.0.113.7")

    # when one address guesses share tokens
    with caplog.at_level(logging.WARNING, logger="core.cache"):
        answers = [guesser.get(f"/api/v1/shares/guess-{n}/").status_code for n in range(8)]

    # then the limit holds, counted in this process's memory, and the operators are told
    assert answers == [404] * 5 + [429] * 3
    assert any("cache unreachable" in record.getMessage() for record in caplog.records)


def test_the_cache_comes_back_with_redis_and_clears_only_its_own_keys(redis_down, tmp_path):
    cache = caches["default"]
    # Redis is down: the cache stops asking for retry_after seconds. Not waiting here.
    cache.__class__.retry_after, previous = 0.0, cache.__class__.retry_after
    try:
        assert cache.get("key") is None
        with throwaway_redis(redis_down, tmp_path) as server:
            server.rpush("celery", "a queued task")  # the broker's queue shares this database
            cache.set("key", "value")
            stored = cache.get("key")
            cache.clear()
            after_clear = cache.get("key")
            queue_length = server.llen("celery")
    finally:
        cache.__class__.retry_after = previous

    assert stored == "value"
    assert after_clear is None
    assert queue_length == 1


# --- PostgreSQL down ----------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def production_server_without_database(tmp_path_factory) -> Iterator[servers.Server]:
    """gunicorn in production mode, its DATABASE_URL pointing at a port where nothing listens."""
    directory = tmp_path_factory.mktemp("no-database")
    static_root = directory / "static"
    env = {
        "DJANGO_STATIC_ROOT": str(static_root),
        "REDIS_URL": "",
        "DJANGO_LOG_LEVEL": "INFO",
    }
    database_url = f"postgres://postgres@127.0.0.1:{free_port()}/portal"
    collected = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--no-input", "-v0"],
        cwd=ROOT,
        env=servers.server_env(database_url=database_url, **env),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert collected.returncode == 0, collected.stderr
    with servers.running_gunicorn(
        database_url=database_url, log_path=directory / "gunicorn.log", workers=1, threads=2, env=env
    ) as server:
        yield server


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None  # a redirect is an answer to look at, not to follow


def fetch(
    server: servers.Server, path: str, *, method: str = "GET", body: bytes | None = None, **headers: str
):
    """(status, headers, body) of one request, as if through the TLS-terminating proxy."""
    request = urllib.request.Request(
        server.url(path), data=body, method=method, headers={"X-Forwarded-Proto": "https", **headers}
    )
    try:
        with urllib.request.build_opener(_NoRedirects).open(request, timeout=15) as response:
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode()


NO_TRACEBACK = ("Traceback", "OperationalError", "psycopg", "connection failed", 'File "')


def test_with_postgresql_down_a_page_is_a_friendly_styled_503(production_server_without_database):
    # A session cookie makes the page look its owner up: the database is needed.
    session = "sessionid=" + "a1b2c3d4" * 4
    status, headers, body = fetch(production_server_without_database, "/dashboard/", Cookie=session)

    assert status == 503
    assert headers["Content-Type"].startswith("text/html")
    assert headers["Retry-After"] == "30"
    assert "We will be back in a moment" in body
    assert '<link rel="stylesheet" href="/static/css/portal.' in body
    assert "default-src 'self'" in headers["Content-Security-Policy"]
    assert [marker for marker in NO_TRACEBACK if marker in body] == []


def test_with_postgresql_down_the_api_answers_json_503(production_server_without_database):
    score = fetch(
        production_server_without_database,
        "/api/v1/me/score/",
        Authorization="Token 0123456789abcdef.0123456789abcdef",
    )
    token = fetch(
        production_server_without_database,
        "/api/v1/auth/token/",
        method="POST",
        body=json.dumps({"username": "ann", "password": "a-Long-pass-950"}).encode(),
        **{"Content-Type": "application/json"},
    )

    for status, headers, body in (score, token):
        assert status == 503
        assert headers["Content-Type"] == "application/json"
        assert headers["Retry-After"] == "30"
        assert json.loads(body) == {
            "detail": "The service is temporarily unavailable. Please try again in a minute.",
            "code": "service_unavailable",
        }


def test_with_postgresql_down_the_server_logs_the_outage_without_a_traceback(
    production_server_without_database,
):
    fetch(
        production_server_without_database,
        "/api/v1/me/score/",
        Authorization="Token 0123456789abcdef.0123456789abcdef",
    )

    log = production_server_without_database.log_tail(400)

    assert "database unavailable path=/api/v1/me/score/" in log
    assert "Traceback" not in log


def test_pages_that_need_no_database_still_answer_while_it_is_down(production_server_without_database):
    status, _headers, body = fetch(production_server_without_database, "/accounts/login/")

    assert status == 200
    assert 'name="csrfmiddlewaretoken"' in body


# --- The 503 in-process (also on SQLite) ---------------------------------------------------------------


def _database_gone(*args: object, **kwargs: object) -> None:
    raise OperationalError("connection to server at 127.0.0.1, port 5999 failed: Connection refused")


@pytest.mark.django_db
def test_a_page_whose_queries_fail_gets_the_503_page_without_any_context_processor(client, monkeypatch):
    # The navigation's context processor is what fails here: the 503 page must not need it.
    monkeypatch.setattr("accounts.selectors.role_of", _database_gone)

    response = client.get("/")

    assert response.status_code == 503
    assert "We will be back in a moment" in response.content.decode()
    assert response["Retry-After"] == "30"


@pytest.mark.django_db
def test_an_api_call_whose_queries_fail_gets_json_503(make_consumer, monkeypatch):
    api = APIClient()
    api.force_login(make_consumer("ann"))
    monkeypatch.setattr("scoring.selectors.score_current_version_and_dispute", _database_gone)

    response = api.get("/api/v1/me/score/")

    assert response.status_code == 503
    assert response.json()["code"] == "service_unavailable"


def test_the_500_handler_answers_503_for_an_outage_raised_outside_any_view():
    request = RequestFactory().get("/dashboard/")
    try:
        _database_gone()
    except OperationalError:
        response = server_error(request)

    assert response.status_code == 503
    assert "We will be back in a moment" in response.content.decode()


def test_the_500_handler_keeps_api_errors_json_and_pages_on_the_500_page():
    try:
        raise RuntimeError("a bug")
    except RuntimeError:
        api = server_error(RequestFactory().get("/api/v1/me/score/"))
        page = server_error(RequestFactory().get("/dashboard/"))

    assert (api.status_code, json.loads(api.content)["code"]) == (500, "server_error")
    assert page.status_code == 500
    assert "Something went wrong on our side" in page.content.decode()
