"""Project-wide test set-up: safe settings defaults and the fixtures every app shares."""

import os
import uuid

import pytest
from django.core.cache import caches

from scoring.engine.parameters import DEFAULT_PARAMETERS, LAUNCH_MODEL_VERSION
from tests.browser import browser, page, phone_page  # noqa: F401
from tests.people import resident_id_for


def pytest_configure(config: pytest.Config) -> None:
    from django.conf import settings

    # Hashing passwords at production strength would dominate the suite's run time.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Tests run with debug on, where the demo verifier would confirm every real-name request at
    # once; they exercise production's path (a partner or staff decide) unless they turn it on.
    settings.IDENTITY_DEMO_VERIFIER = False


@pytest.fixture(autouse=True)
def active_scoring_model(request: pytest.FixtureRequest):
    """The launch scoring model, also in tests whose database is flushed between tests."""
    if request.node.get_closest_marker("django_db") is None:
        return None
    request.getfixturevalue("_django_db_helper")
    from scoring.models import ScoringModel

    model, _ = ScoringModel.objects.get_or_create(
        version=LAUNCH_MODEL_VERSION,
        defaults={"parameters": DEFAULT_PARAMETERS, "is_active": True, "status": "active"},
    )
    return model


@pytest.fixture
def make_consumer(db):
    """A factory of consumer logins: make_consumer("ann", opted_in=True, verified=True).

    ``verified`` gives the login a verified real-name identity (claims need one) through the
    accounts services: the identity's status only, not scoring's identity signal, so a fresh
    person still scores exactly 600. Tests of the signal use scoring's real_name_decide.
    """
    from accounts import services as account_services
    from scoring import services as scoring_services

    def make(
        username: str, *, opted_in: bool = True, verified: bool = True, password: str = "a-Long-pass-950"
    ):
        user = account_services.consumer_register(
            username=username, email=f"{username}@example.com", password=password
        )
        if verified:
            identity = account_services.identity_submit(
                user=user, legal_name=f"{username.title()} Test", id_number=resident_id_for(username)
            )
            account_services.identity_decide(identity=identity, verified=True, decided_by="test set-up")
        if opted_in:
            scoring_services.consumer_opt_in(person=user)
        return user

    return make


@pytest.fixture
def make_merchant_staff(db):
    """A factory of merchant owners: make_merchant_staff("ford", approved=True) -> User."""
    from accounts import services as account_services

    def make(name: str, *, approved: bool = True, password: str = "a-Long-pass-950"):
        merchant = account_services.merchant_apply(
            username=f"{name}-staff",
            email=f"staff@{name}.example",
            password=password,
            merchant_name=name.title(),
        )
        if approved:
            account_services.merchant_approve(merchant=merchant)
        return merchant.staff.get().user

    return make


@pytest.fixture
def unsent_tasks(db):
    """What is waiting in the outbox for the broker, as (task name, args), oldest first."""
    from core.models import OutboxMessage

    def read() -> list[tuple[str, tuple]]:
        return [(m.task_name, tuple(m.args)) for m in OutboxMessage.objects.filter(sent_at__isnull=True)]

    return read


@pytest.fixture
def throttle_rates(settings):
    """Set throttle rates for this test, with counters in a cache of its own (never Redis DB 0)."""
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": str(uuid.uuid4())}
    }

    def set_rates(**scoped: str) -> None:
        framework = dict(settings.REST_FRAMEWORK)
        framework["DEFAULT_THROTTLE_RATES"] = {**framework["DEFAULT_THROTTLE_RATES"], **scoped}
        settings.REST_FRAMEWORK = framework

    return set_rates


@pytest.fixture
def staff_user(db):
    """A factory of platform staff logins: staff_user("reviewer")."""
    from accounts.models import User

    def make(username: str):
        return User.objects.create_user(username=username, password="a-Long-pass-950", is_staff=True)

    return make


@pytest.fixture
def make_challenger(db, staff_user):
    """A scoring model taken through governance by its services, up to ``stage``:
    draft, validated, approved, shadow (with ``shadow_runs`` real nightly runs of past dates)."""
    import datetime

    from scoring import services
    from scoring.engine import DEFAULT_PARAMETERS

    def make(
        version: str = "challenger",
        *,
        parameters: dict | None = None,
        stage: str = "shadow",
        shadow_runs: int = 3,
        report: dict | None = None,
    ):
        author, reviewer = staff_user(f"{version}-author"), staff_user(f"{version}-reviewer")
        model = services.scoring_model_create(
            version=version,
            parameters=parameters or DEFAULT_PARAMETERS,
            actor=author,
            report=report if report is not None else {"samples": {"dev": {"auc": 0.8}}},
        )
        stages = ["draft", "validated", "approved", "shadow"]
        if stages.index(stage) >= 1:
            model = services.scoring_model_validate(model=model, actor=author)
        if stages.index(stage) >= 2:
            model = services.scoring_model_approve(model=model, actor=reviewer)
        if stages.index(stage) >= 3:
            model = services.scoring_model_shadow(model=model, actor=reviewer)
            for night in range(shadow_runs):
                as_of = services.today() - datetime.timedelta(days=400 - night)
                services.recompute_run_sync(as_of=as_of)
        model.refresh_from_db()
        return model

    return make


@pytest.fixture
def deliver_notification_emails(db, mailoutbox):
    """Run the notification email tasks the outbox recorded since the last call, as a worker would
    (a transactional test's commits also publish them to the broker, where no worker runs);
    returns the emails that reached Django's test mail outbox by this call."""
    from celery import current_app

    from core.models import OutboxMessage

    done: set[int] = set()

    def deliver() -> list:
        before = len(mailoutbox)
        waiting = OutboxMessage.objects.filter(task_name__startswith="core.notification_")
        for message in list(waiting.exclude(pk__in=done).order_by("pk")):
            current_app.tasks[message.task_name](*message.args)
            done.add(message.pk)
        return mailoutbox[before:]

    return deliver


@pytest.fixture(params=["local memory", "redis"])
def derived_cache(request, settings):
    """The derived values' cache on each backend it runs on: local memory (the embedded default) and the
    production Redis backend (REDIS_URL; CI sets it, and there it must not be skipped)."""
    if request.param == "local memory":
        settings.CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                "LOCATION": str(uuid.uuid4()),
            }
        }
        yield request.param
        return
    redis_url = os.environ.get("REDIS_URL")
    if not redis_url:
        if os.environ.get("CI") == "true":
            pytest.fail("CI must test the cache on Redis: set REDIS_URL")
        pytest.skip("needs Redis (REDIS_URL)")
    settings.CACHES = {
        "default": {
            "BACKEND": "core.cache.ResilientRedisCache",
            "LOCATION": redis_url,
            # A prefix of this test's own: the keys never meet another test's or the app's.
            "KEY_PREFIX": f"test-derived-{uuid.uuid4()}",
        }
    }
    yield request.param
    caches["default"].clear()
