"""perks/services/claims.py under real concurrency: many threads, each with its own PostgreSQL connection.

SQLite serialises every write transaction, so these tests only mean something on PostgreSQL;
they skip on SQLite, except under CI=true, where skipping would hide a broken set-up.
"""

import datetime
import os
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection
from django.utils import timezone

from accounts.models import User
from perks import services
from perks.exceptions import PerksError
from perks.models import Claim, Promotion
from perks.tests.factories import MerchantFactory, PersonFactory

pytestmark = pytest.mark.django_db(transaction=True)

WORKERS = 32  # well under PostgreSQL's default max_connections of 100


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        if os.environ.get("CI") == "true":
            pytest.fail("CI must run the concurrency tests on PostgreSQL: set DATABASE_URL")
        pytest.skip("needs PostgreSQL: SQLite serialises all writes")


def promotion(**fields: object) -> Promotion:
    return services.promotion_create(
        merchant=MerchantFactory(),
        title="Free 3-day test drive",
        category="try_before_buy",
        benefit_type="trial",
        trial_days=3,
        min_score=750,
        starts_at=timezone.now() - datetime.timedelta(hours=1),
        status="active",
        **fields,
    )


def attempt(promotion_id: int, person: User, key: str | None = None) -> str:
    try:
        claim = services.claim_create(
            promotion=Promotion(pk=promotion_id), person=person, idempotency_key=key
        )
        return f"claimed:{claim.pk}"
    except PerksError as exc:
        return exc.code
    finally:
        connection.close()  # each worker thread opened its own connection: give it back


def run_all(calls: list[tuple]) -> list[str]:
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        return list(pool.map(lambda call: attempt(*call), calls))


def test_200_people_racing_for_20_units_get_exactly_20():
    test_drive = promotion(quantity=20)
    people = PersonFactory.create_batch(200, profile__score=800)

    outcomes = run_all([(test_drive.pk, person) for person in people])

    assert Counter(outcome.split(":")[0] for outcome in outcomes) == {"claimed": 20, "sold_out": 180}
    assert Claim.objects.count() == 20
    assert Claim.objects.values("person").distinct().count() == 20
    assert Promotion.objects.values_list("remaining", flat=True).get() == 0


def test_50_people_trying_twice_with_a_limit_of_one_get_one_each():
    bikes = promotion(quantity=None, per_user_limit=1)
    people = PersonFactory.create_batch(50, profile__score=800)

    outcomes = run_all([(bikes.pk, person) for person in people for _twice in range(2)])

    assert Counter(outcome.split(":")[0] for outcome in outcomes) == {"claimed": 50, "limit_reached": 50}
    assert Counter(Claim.objects.values_list("person", flat=True)) == {person.pk: 1 for person in people}


def test_the_same_idempotency_key_sent_ten_times_at_once_claims_once():
    phones = promotion(quantity=100, per_user_limit=5)
    person = PersonFactory(profile__score=800)

    outcomes = run_all([(phones.pk, person, "tap-twice") for _times in range(10)])

    claim = Claim.objects.get()
    assert outcomes == [f"claimed:{claim.pk}"] * 10
    assert Promotion.objects.values_list("remaining", flat=True).get() == 99
