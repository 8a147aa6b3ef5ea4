"""perks/demo.py: every perk of domain.md at its threshold, and a history that seeding twice keeps."""

import pytest

from accounts import demo as accounts_demo
from perks import demo
from perks.models import Claim, Promotion

from .factories import PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def merchants():
    return accounts_demo.merchants_ensure(password_hash="!")


def test_every_perk_is_live_at_its_threshold(merchants):
    demo.promotions_ensure(merchants=merchants)

    assert set(
        Promotion.objects.values_list("merchant__slug", "title", "min_score", "quantity", "status")
    ) == {
        ("huashan", "Credit medical treatment", 650, None, "active"),
        ("huashan", "Wheelchair without deposit", 600, 40, "active"),
        ("tmall", "Try first, pay later", 700, None, "active"),
        ("ford", "Free 3-day test drive of a new Ford", 750, 20, "active"),
        ("meitu", "Try a new Meitu phone for 30 days", 750, 100, "active"),
        ("huabei", "Huabei credit line up to ¥20,000", 750, None, "active"),
        ("hellobike", "Hello Bike without deposit", 650, None, "active"),
        ("ofo", "Ofo bikes without deposit", 650, None, "active"),
        ("sharing", "Umbrella without deposit", 550, None, "active"),
        ("sharing", "Power bank without deposit", 600, None, "active"),
        ("sharing", "Apartment without deposit", 700, 50, "active"),
        ("library", "Library card without down payment", 550, None, "active"),
        ("railway", "Station lounge at busy seasons", 650, None, "active"),
    }
    assert Promotion.objects.exclude(title_zh="").exclude(description_zh="").count() == 13
    assert Promotion.objects.get(merchant__slug="railway").conditions == demo.LOUNGE
    assert [tier["min_score"] for tier in Promotion.objects.get(merchant__slug="library").tiers] == [550, 700]
    assert Promotion.objects.get(merchant__slug="huabei").amount == 20000
    # Deposit waivers, what scripted fresh accounts drain, ask for an established account.
    assert set(Promotion.objects.filter(min_account_age_days=30).values_list("title", flat=True)) == {
        "Wheelchair without deposit",
        "Hello Bike without deposit",
        "Ofo bikes without deposit",
        "Umbrella without deposit",
        "Power bank without deposit",
        "Apartment without deposit",
    }
    assert not Promotion.objects.exclude(min_account_age_days__in=[0, 30]).exists()


def test_seeding_twice_changes_nothing(merchants):
    # Demo people's accounts are old (as seed_demo makes them), so the deposit waivers are open.
    joined = accounts_demo.opted_in_months_ago(accounts_demo.JOINED_MONTHS_AGO)
    for number in range(1, 13):
        PersonFactory(username=f"person{number}", profile__score=800, date_joined=joined)
    PersonFactory(username="person13", profile__score=500, date_joined=joined)
    first = demo.claims_ensure(promotions=demo.promotions_ensure(merchants=merchants))
    claims = set(Claim.objects.values_list("pk", "code", "status", "claimed_at"))
    stock = set(Promotion.objects.values_list("pk", "remaining"))

    second = demo.claims_ensure(promotions=demo.promotions_ensure(merchants=merchants))

    assert (first, second) == (52, 0)
    assert Promotion.objects.count() == 13
    assert set(Claim.objects.values_list("pk", "code", "status", "claimed_at")) == claims
    assert set(Promotion.objects.values_list("pk", "remaining")) == stock
    assert not Claim.objects.filter(person__username="person13").exists()
    assert set(Claim.objects.values_list("status", flat=True)) == {
        "active",
        "used",
        "in_use",
        "returned",
        "converted",
    }
