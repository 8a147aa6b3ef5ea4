"""Tests for scoring/demo.py's synthetic world: its hidden risk drives behaviour so that, like real
credit data, the past predicts the future only partly."""

import random

import pytest
from sklearn.metrics import roc_auc_score

from accounts.models import User
from scoring import selectors, services
from scoring.demo import WORLD_MONTHS, hidden_risk, signals_for, synthetic_profile
from scoring.models import Bill, BlacklistEntry

pytestmark = pytest.mark.django_db

PEOPLE = 1500


@pytest.fixture
def world() -> dict[int, float]:
    """PEOPLE synthetic people's bills and court listings as seed_demo draws them; their hidden risks."""
    today = services.today()
    people = User.objects.bulk_create(User(username=f"person{number}") for number in range(1, PEOPLE + 1))
    bills, listings = [], []
    for person in people:
        rng = random.Random(f"demo:{person.username}")
        profile = synthetic_profile(rng, risk=hidden_risk(person.username))
        signals = signals_for(person=person, profile=profile, today=today, rng=rng, contact_pool=[])
        bills.extend(signals.bills)
        listings.extend(signals.blacklist)
    Bill.objects.bulk_create(bills, batch_size=5000)
    BlacklistEntry.objects.bulk_create(listings, batch_size=5000)
    return {person.pk: hidden_risk(person.username) for person in people}


def test_the_world_is_as_hard_as_real_credit_data(world):
    # given: the people as they stood a year ago, with a year of behaviour after
    observed = selectors.months_before(services.today(), 12)

    # when
    outcomes = selectors.outcomes(person_ids=list(world), as_of=observed, window_months=12)
    bad = [outcomes[person_id] for person_id in world]
    oracle_auc = roc_auc_score(bad, list(world.values()))

    # then: 5-15% go bad in a year, and the hidden risk itself ranks them only so well
    assert 0.05 <= sum(bad) / len(bad) <= 0.15
    assert 0.75 <= oracle_auc <= 0.88


def test_the_hidden_risk_is_drawn_apart_and_kept_out_of_the_signals():
    # given
    rng = random.Random("demo:person7")

    # when
    profile = synthetic_profile(rng, risk=hidden_risk("person7"))

    # then: the same every time, and no stored field carries it
    assert profile.risk == hidden_risk("person7") == random.Random("risk:person7").gauss(0, 1)
    assert all("risk" not in field.name for model in (Bill, BlacklistEntry) for field in model._meta.fields)
    assert WORLD_MONTHS >= 24
