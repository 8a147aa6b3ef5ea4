"""Scarce perks under a rush (issue 7): 1000 claims at once on 100 units give exactly 100.

The same harness runs three claimers: a deliberately naive check-then-act claim defined here
(it must over-claim, or the harness could not catch the bug), our ``claim_create`` service,
and the HTTP API served by gunicorn against the test database. Every attempt runs on its own
thread with its own PostgreSQL connection, in a real transaction: inside Django's TestCase,
``select_for_update`` would prove nothing. SQLite serialises all writes, so these tests skip
on it, and fail under CI=true, where skipping would hide a broken set-up.
"""

import datetime
import http.client
import itertools
import json
import os
import queue
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.db import connection, transaction
from django.utils import timezone

from accounts import demo as accounts_demo
from accounts.models import ConsumerProfile, Merchant, User
from accounts.services import api_tokens_issue_bulk
from perks import services
from perks.exceptions import LimitReached, PerksError, SoldOut
from perks.models import BenefitType, Category, Claim, Promotion
from tests import processes, servers

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

UNITS = 100
PEOPLE = 1000
TWICE_PEOPLE = 500
THREADS = 50  # each holds a connection: well under PostgreSQL's default max_connections of 100
HTTP_CLIENT_THREADS = 64
# The naive claimer's gap between its check and its write: the work a real claim does there
# (eligibility queries, drawing a code), so the race shows on 2 cores as it would on 32.
NAIVE_GAP_SECONDS = 0.002


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        if os.environ.get("CI") == "true":
            pytest.fail("CI must run the claim rush on PostgreSQL: set DATABASE_URL")
        pytest.skip("needs PostgreSQL: SQLite serialises all writes")


# The scene ---------------------------------------------------------------------------------


def given_people(count: int, *, prefix: str) -> list[User]:
    """Opted-in, real-name verified people scoring 800 (eligible for every promotion below), written
    in bulk. Their accounts are a year old: the rush is of established people, not of fresh
    sign-ups, whom the per-address limit on new accounts' claims holds back on purpose."""
    now = timezone.now()
    joined = now - datetime.timedelta(days=365)
    people = User.objects.bulk_create(
        [
            User(username=f"{prefix}{n}", email=f"{prefix}{n}@example.com", password="!", date_joined=joined)
            for n in range(count)
        ]
    )
    ConsumerProfile.objects.bulk_create(
        [
            ConsumerProfile(
                user=person,
                is_opted_in=True,
                opted_in_at=now,
                consent_version="2026-11",
                score=800,
                score_as_of=timezone.localdate(),
            )
            for person in people
        ]
    )
    # Real-name verified, each their own person: claims need it, and limits count the person.
    accounts_demo.identities_ensure(users=people)
    return people


def given_promotion(*, quantity: int | None, per_user_limit: int = 1) -> Promotion:
    merchant = Merchant.objects.create(
        name="Meitu", slug="meitu", status=Merchant.Status.APPROVED, approved_at=timezone.now()
    )
    return services.promotion_create(
        merchant=merchant,
        title="Try a Meitu phone for 7 days",
        category=Category.TRY_BEFORE_BUY,
        benefit_type=BenefitType.TRIAL,
        trial_days=7,
        min_score=700,
        quantity=quantity,
        per_user_limit=per_user_limit,
        starts_at=timezone.now() - datetime.timedelta(hours=1),
        status=Promotion.Status.ACTIVE,
    )


def remaining(promotion: Promotion) -> int | None:
    return Promotion.objects.values_list("remaining", flat=True).get(pk=promotion.pk)


def claims_per_person(promotion: Promotion) -> Counter:
    return Counter(Claim.objects.filter(promotion=promotion).values_list("person_id", flat=True))


# The harness -------------------------------------------------------------------------------

Attempt = tuple[int, User]  # (promotion id, person)


@dataclass
class Rush:
    outcomes: list[str]
    seconds: float
    lowest_remaining: int | None = None
    samples: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def counts(self) -> Counter:
        return Counter(self.outcomes)


def rush(
    claim: Callable[[int, User], str],
    attempts: list[Attempt],
    *,
    threads: int = THREADS,
    watch: Promotion | None = None,
) -> Rush:
    """Run every attempt at once: ``threads`` threads, each with its own database connection
    (opened before the start, closed at the end), released together by a barrier. With
    ``watch``, another connection samples the promotion's stock all along the rush."""
    pending: queue.SimpleQueue[Attempt] = queue.SimpleQueue()
    for attempt in attempts:
        pending.put(attempt)
    outcomes: list[str] = []
    errors: list[str] = []
    start = threading.Barrier(threads + 1)
    done = threading.Event()
    stock: list[int | None] = []

    def worker() -> None:
        try:
            connection.ensure_connection()
            start.wait()
            while True:
                try:
                    promotion_id, person = pending.get_nowait()
                except queue.Empty:
                    return
                try:
                    outcomes.append(claim(promotion_id, person))
                except Exception as exc:  # a crash is an outcome to report, not a hung test
                    errors.append(f"{type(exc).__name__}: {exc}")
        finally:
            connection.close()

    def watcher() -> None:
        try:
            while not done.is_set():
                stock.append(Promotion.objects.values_list("remaining", flat=True).get(pk=watch.pk))
                time.sleep(0.002)
        finally:
            connection.close()

    pool = [threading.Thread(target=worker, name=f"rush-{n}") for n in range(threads)]
    for thread in pool:
        thread.start()
    spy = threading.Thread(target=watcher, name="rush-watch") if watch is not None else None
    if spy is not None:
        spy.start()
    start.wait(timeout=60)
    began = time.monotonic()
    for thread in pool:
        thread.join(timeout=120)
    seconds = time.monotonic() - began
    done.set()
    if spy is not None:
        spy.join(timeout=10)
    assert not any(thread.is_alive() for thread in pool), "a rush thread hung"
    counted = [value for value in stock if value is not None]
    return Rush(
        outcomes=outcomes,
        seconds=seconds,
        lowest_remaining=min(counted) if counted else None,
        samples=len(stock),
        errors=errors,
    )


def report(capsys: pytest.CaptureFixture, line: str) -> None:
    with capsys.disabled():
        print(f"\n    {line}", end="")


# The claimers ------------------------------------------------------------------------------


def ours(promotion_id: int, person: User) -> str:
    try:
        services.claim_create(promotion=Promotion(pk=promotion_id), person=person)
    except PerksError as exc:
        return exc.code
    return "claimed"


_naive_codes = itertools.count()


def naive(promotion_id: int, person: User) -> str:
    """Check, then act: read the stock and the person's claims, then write what was decided.

    Every step is correct alone and the whole runs in a transaction, yet two claims that read
    the same stock both write ``remaining - 1`` (a lost update) and both create their claim.
    """
    try:
        with transaction.atomic():
            promotion = Promotion.objects.get(pk=promotion_id)
            if promotion.remaining is not None and promotion.remaining <= 0:
                raise SoldOut()
            if Claim.objects.filter(promotion=promotion, person=person).count() >= promotion.per_user_limit:
                raise LimitReached()
            time.sleep(NAIVE_GAP_SECONDS)
            if promotion.remaining is not None:
                promotion.remaining -= 1
                promotion.save(update_fields=["remaining"])
            now = timezone.now()
            Claim.objects.create(
                promotion=promotion,
                person=person,
                code=f"NAIVE{next(_naive_codes):08d}",
                benefit="Free trial",
                claimed_at=now,
                pickup_deadline=now + datetime.timedelta(days=7),
            )
    except PerksError as exc:
        return exc.code
    return "claimed"


# Through the service -----------------------------------------------------------------------


def test_a_naive_check_then_act_claim_over_claims_under_the_same_rush(capsys):
    """The harness can catch the bug: the same rush on a naive claimer gives far too many."""
    promotion = given_promotion(quantity=UNITS)
    people = given_people(PEOPLE, prefix="naive")

    result = rush(naive, [(promotion.pk, person) for person in people], watch=promotion)

    claimed = Claim.objects.filter(promotion=promotion).count()
    report(
        capsys,
        f"naive check-then-act: {claimed} claims on {UNITS} units ({claimed / UNITS:.1f}x) "
        f"from {PEOPLE} attempts in {result.seconds:.1f}s, remaining {remaining(promotion)}",
    )
    assert result.errors == []
    assert claimed > UNITS
    assert result.counts["claimed"] == claimed


def test_a_naive_claim_lets_people_trying_twice_claim_twice(capsys):
    promotion = given_promotion(quantity=None, per_user_limit=1)
    people = given_people(TWICE_PEOPLE, prefix="naivetwice")

    result = rush(naive, [(promotion.pk, person) for person in people for _twice in range(2)])

    per_person = claims_per_person(promotion)
    doubled = sum(1 for count in per_person.values() if count > 1)
    report(capsys, f"naive limit check: {doubled} of {TWICE_PEOPLE} people trying twice got two claims")
    assert result.errors == []
    assert doubled > 0


def test_1000_people_rushing_100_units_through_the_service_get_exactly_100(capsys):
    promotion = given_promotion(quantity=UNITS)
    people = given_people(PEOPLE, prefix="rush")

    result = rush(ours, [(promotion.pk, person) for person in people], watch=promotion)

    report(
        capsys,
        f"claim_create: {result.counts['claimed']} claims on {UNITS} units from {PEOPLE} attempts "
        f"in {result.seconds:.1f}s; stock sampled {result.samples} times, lowest {result.lowest_remaining}",
    )
    assert result.errors == []
    assert result.counts == {"claimed": UNITS, "sold_out": PEOPLE - UNITS}
    assert Claim.objects.filter(promotion=promotion).count() == UNITS
    assert len(claims_per_person(promotion)) == UNITS
    assert remaining(promotion) == 0
    assert result.samples > 0
    assert result.lowest_remaining == 0
    # The database refuses a negative stock outright (CheckConstraint remaining >= 0).
    assert not Promotion.objects.filter(remaining__lt=0).exists()


def test_500_people_trying_twice_through_the_service_get_one_claim_each(capsys):
    promotion = given_promotion(quantity=None, per_user_limit=1)
    people = given_people(TWICE_PEOPLE, prefix="twice")

    result = rush(ours, [(promotion.pk, person) for person in people for _twice in range(2)])

    report(capsys, f"claim_create, limit 1: {dict(result.counts)} in {result.seconds:.1f}s")
    assert result.errors == []
    assert result.counts == {"claimed": TWICE_PEOPLE, "limit_reached": TWICE_PEOPLE}
    assert claims_per_person(promotion) == {person.pk: 1 for person in people}


# Through the HTTP API, served by gunicorn ---------------------------------------------------


def tokens_for(people: list[User]) -> dict[int, str]:
    keys = api_tokens_issue_bulk(user_ids=[person.pk for person in people])
    return {person.pk: key for person, key in zip(people, keys, strict=True)}


def http_rush(server: servers.Server, promotion: Promotion, keys: list[str]) -> tuple[list[tuple], float]:
    """POST a claim for each token key at once from a client thread pool; (status, code) each."""
    pending: queue.SimpleQueue[str] = queue.SimpleQueue()
    for key in keys:
        pending.put(key)
    answers: list[tuple[int, str]] = []
    start = threading.Barrier(HTTP_CLIENT_THREADS + 1)

    def client() -> None:
        start.wait()
        while True:
            try:
                key = pending.get_nowait()
            except queue.Empty:
                return
            answers.append(post_claim(server, promotion.pk, key))

    pool = [threading.Thread(target=client) for _n in range(HTTP_CLIENT_THREADS)]
    for thread in pool:
        thread.start()
    start.wait(timeout=30)
    began = time.monotonic()
    for thread in pool:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in pool), "an HTTP client thread hung"
    return answers, time.monotonic() - began


def post_claim(server: servers.Server, promotion_id: int, key: str) -> tuple[int, str]:
    conn = http.client.HTTPConnection(servers.HOST, server.port, timeout=60)
    try:
        conn.request(
            "POST",
            f"/api/v1/perks/{promotion_id}/claim/",
            headers={"Authorization": f"Token {key}", "Content-Length": "0"},
        )
        response = conn.getresponse()
        body = response.read()
    except OSError as exc:
        return 0, f"{type(exc).__name__}: {exc}"
    finally:
        conn.close()
    try:
        code = json.loads(body).get("code", "") if response.status != 201 else "claimed"
    except ValueError:
        code = body[:200].decode(errors="replace")
    return response.status, code


@pytest.fixture
def gunicorn(tmp_path):
    """The app under gunicorn against this test's database (its rows are committed)."""
    with servers.running_gunicorn(
        database_url=processes.database_url(connection.settings_dict),
        log_path=tmp_path / "gunicorn.log",
        workers=4,
        threads=4,
    ) as server:
        yield server


def test_1000_people_rushing_100_units_over_http_get_exactly_100(capsys, gunicorn):
    promotion = given_promotion(quantity=UNITS)
    people = given_people(PEOPLE, prefix="http")
    keys = list(tokens_for(people).values())

    answers, seconds = http_rush(gunicorn, promotion, keys)

    statuses = Counter(answers)
    report(capsys, f"HTTP (gunicorn 4x4): {dict(statuses)} in {seconds:.1f}s")
    assert statuses == {(201, "claimed"): UNITS, (409, "sold_out"): PEOPLE - UNITS}, gunicorn.log_tail()
    assert Claim.objects.filter(promotion=promotion).count() == UNITS
    assert len(claims_per_person(promotion)) == UNITS
    assert remaining(promotion) == 0


def test_500_people_trying_twice_over_http_get_one_claim_each(capsys, gunicorn):
    promotion = given_promotion(quantity=None, per_user_limit=1)
    people = given_people(TWICE_PEOPLE, prefix="httptwice")
    tokens = tokens_for(people)
    keys = [tokens[person.pk] for person in people for _twice in range(2)]

    answers, seconds = http_rush(gunicorn, promotion, keys)

    statuses = Counter(answers)
    report(capsys, f"HTTP (gunicorn 4x4), limit 1: {dict(statuses)} in {seconds:.1f}s")
    assert statuses == {(201, "claimed"): TWICE_PEOPLE, (409, "limit_reached"): TWICE_PEOPLE}, (
        gunicorn.log_tail()
    )
    assert claims_per_person(promotion) == {person.pk: 1 for person in people}
