"""Fixtures for the perks tests.

People get a score in two ways. Tests of the real path use the root ``make_consumer``
(opting in scores them 600 through the engine). Eligibility tests need exact scores, so
``given_score`` sets the current score directly on the profile and writes today's snapshot
with the sub-scores asked for: eligibility reads the profile's score (as the audience does)
and the snapshot's sub-scores, so this is the same data the engine would have written.
"""

import datetime
import uuid
from decimal import Decimal

import pytest
from django.core.cache.backends.locmem import LocMemCache
from django.utils import timezone

from accounts.models import ConsumerProfile, MembershipTier, User
from core.bands import Band
from perks import services
from perks.console import apis as console_apis
from perks.models import BenefitType, Category, Promotion
from scoring.models import BlacklistEntry, ScoreSnapshot, ScoringModel


@pytest.fixture(autouse=True)
def _fresh_throttles(monkeypatch):
    # Throttle counters live in the cache, which outlives a test's database; each test gets
    # its own in-memory one (never clearing the shared cache: under REDIS_URL that would
    # flush the Redis database the broker uses too).
    monkeypatch.setattr(
        console_apis.VerifyThrottle, "cache", LocMemCache(f"perks-throttle-{uuid.uuid4()}", {})
    )


@pytest.fixture
def merchant_owner(make_merchant_staff) -> User:
    return make_merchant_staff("ford")


@pytest.fixture
def merchant(merchant_owner):
    return merchant_owner.merchant_staff.merchant


@pytest.fixture
def other_owner(make_merchant_staff) -> User:
    return make_merchant_staff("meitu")


@pytest.fixture
def other_merchant(other_owner):
    return other_owner.merchant_staff.merchant


@pytest.fixture
def given_score(db):
    """Set a person's current score (and sub-scores) directly: given_score(ann, 720, credit_history=70)."""

    def give(person: User, score: int, **dimensions: int) -> User:
        ConsumerProfile.objects.filter(user=person).update(score=score, score_as_of=timezone.localdate())
        sub_scores = {
            "credit_history": 50,
            "fulfilment_capacity": 50,
            "behaviour": 50,
            "identity": 50,
            "connections": 50,
            **dimensions,
        }
        ScoreSnapshot.objects.update_or_create(
            person=person,
            as_of=timezone.localdate(),
            defaults={
                "score": score,
                "band": Band.for_score(score),
                "model": ScoringModel.objects.get(is_active=True),
                **sub_scores,
            },
        )
        person.refresh_from_db()
        return person

    return give


@pytest.fixture
def set_tier(db):
    def set_(person: User, tier: str = MembershipTier.PLATINUM) -> User:
        ConsumerProfile.objects.filter(user=person).update(membership_tier=tier)
        return person

    return set_


@pytest.fixture
def blacklist(db):
    def listed(person: User, **fields: object) -> BlacklistEntry:
        return BlacklistEntry.objects.create(
            person=person,
            court="Shanghai No. 1 Intermediate People's Court",
            case_number=f"(2026) Hu 01 Zhi {person.pk}",
            listed_on=fields.pop("listed_on", timezone.localdate() - datetime.timedelta(days=30)),
            **fields,
        )

    return listed


@pytest.fixture
def make_promotion(merchant):
    """An active promotion made through the service: make_promotion(min_score=750, quantity=20)."""

    def make(**fields: object) -> Promotion:
        values: dict[str, object] = {
            "title": "Deposit-free bike",
            "category": Category.DEPOSIT_FREE,
            "benefit_type": BenefitType.DEPOSIT_WAIVER,
            "amount": Decimal("299.00"),
            "min_score": 650,
            "starts_at": timezone.now() - datetime.timedelta(days=1),
            "status": Promotion.Status.ACTIVE,
        }
        values.update(fields)
        owner = values.pop("merchant", None) or merchant
        return services.promotion_create(merchant=owner, **values)

    return make


@pytest.fixture
def ann(make_consumer, given_score) -> User:
    """An opted-in consumer with a score of 700."""
    return given_score(make_consumer("ann"), 700)


class Clock:
    """A stopped clock for ``timezone.now()``, moved on by hand: ``clock.advance(minutes=5)``."""

    def __init__(self, now: datetime.datetime) -> None:
        self.now = now

    def advance(self, **delta: float) -> None:
        self.now += datetime.timedelta(**delta)


@pytest.fixture
def clock(monkeypatch) -> Clock:
    """Stop ``timezone.now()`` at the current instant for the test (the undo window is minutes)."""
    stopped = Clock(timezone.now().replace(microsecond=0))
    monkeypatch.setattr(timezone, "now", lambda: stopped.now)
    return stopped
