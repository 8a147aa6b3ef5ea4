"""Dashboard notifications: a score move of 10 points or more, a new band, a perk now within reach."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import ConsumerProfile
from core.bands import Band
from perks import services as perk_services
from perks.models import BenefitType, Category, Promotion
from perks.selectors import Notification, notifications_for
from scoring.models import BlacklistEntry, ScoreSnapshot, ScoringModel

pytestmark = pytest.mark.django_db

NOTIFICATION_QUERIES = 4


@pytest.fixture
def today() -> datetime.date:
    return timezone.localdate()


@pytest.fixture
def yesterday(today) -> datetime.date:
    return today - datetime.timedelta(days=1)


@pytest.fixture
def merchant(make_merchant_staff):
    return make_merchant_staff("hellobike").merchant_staff.merchant


@pytest.fixture
def perk(merchant):
    def make(title: str, min_score: int) -> Promotion:
        return perk_services.promotion_create(
            merchant=merchant,
            title=title,
            category=Category.DEPOSIT_FREE,
            benefit_type=BenefitType.DEPOSIT_WAIVER,
            amount=Decimal("199.00"),
            min_score=min_score,
            starts_at=timezone.now() - datetime.timedelta(days=1),
            status=Promotion.Status.ACTIVE,
        )

    return make


@pytest.fixture
def scored(make_consumer, today, yesterday):
    """A person whose last two snapshots (yesterday, today) have the scores given."""

    def give(previous: int, current: int, username: str = "ann"):
        person = make_consumer(username)
        model = ScoringModel.objects.get(is_active=True)
        for as_of, score in ((yesterday, previous), (today, current)):
            ScoreSnapshot.objects.update_or_create(
                person=person,
                as_of=as_of,
                defaults={
                    "score": score,
                    "band": Band.for_score(score),
                    "model": model,
                    "credit_history": 50,
                    "fulfilment_capacity": 50,
                    "behaviour": 50,
                    "identity": 50,
                    "connections": 50,
                },
            )
        ConsumerProfile.objects.filter(user=person).update(score=current, score_as_of=today)
        return person

    return give


def test_a_rise_of_ten_points_or_more_is_told(scored, yesterday):
    person = scored(660, 672)

    assert notifications_for(person=person) == [Notification(kind="score_up", since=yesterday, points=12)]


def test_a_fall_of_ten_points_or_more_is_told(scored, yesterday):
    person = scored(690, 680)

    assert notifications_for(person=person) == [Notification(kind="score_down", since=yesterday, points=10)]


def test_a_move_of_nine_points_tells_nothing(scored, perk):
    perk("Umbrella", 600)
    perk("Apartment", 700)
    up = scored(660, 669)
    down = scored(669, 660, username="bo")

    assert notifications_for(person=up) == []
    assert notifications_for(person=down) == []


def test_a_band_change_is_told_even_for_a_small_move(scored, yesterday):
    person = scored(645, 651)

    notifications = notifications_for(person=person)

    assert notifications == [
        Notification(kind="band_up", since=yesterday, band=Band.VERY_GOOD, previous_band=Band.GOOD)
    ]
    assert (notifications[0].band_label, notifications[0].previous_band_label) == ("Very good", "Good")


def test_a_band_drop_is_told_with_the_fall(scored, yesterday):
    person = scored(705, 690)

    assert notifications_for(person=person) == [
        Notification(kind="score_down", since=yesterday, points=15),
        Notification(kind="band_down", since=yesterday, band=Band.VERY_GOOD, previous_band=Band.EXCELLENT),
    ]


def test_a_perk_the_new_score_reaches_is_told(scored, perk, yesterday):
    # Thresholds are multiples of 50; within the excellent band no band change is told too.
    perk("Umbrella", 700)  # reachable before and now
    bike = perk("Hello Bike", 750)  # newly reachable
    perk("Apartment", 800)  # still out of reach
    person = scored(745, 752)

    assert notifications_for(person=person) == [
        Notification(kind="perk_reachable", since=yesterday, promotion=bike)
    ]


def test_no_perk_is_told_to_a_listed_person(scored, perk, today):
    perk("Hello Bike", 750)
    person = scored(745, 752)
    BlacklistEntry.objects.create(
        person=person, court="Hangzhou Court", case_number="(2026) 1", listed_on=today
    )

    assert notifications_for(person=person) == []


def test_a_single_snapshot_tells_nothing(make_consumer):
    person = make_consumer("cy")

    assert ScoreSnapshot.objects.filter(person=person).count() == 1
    assert notifications_for(person=person) == []


def test_notifications_read_at_most_four_queries(scored, perk, django_assert_max_num_queries):
    for number in range(12):
        perk(f"Perk {number}", 650 + 50 * (number % 2))
    person = scored(600, 700)

    with django_assert_max_num_queries(NOTIFICATION_QUERIES):
        notifications = notifications_for(person=person)

    assert [note.kind for note in notifications] == ["score_up", "band_up", *["perk_reachable"] * 12]


def test_the_dashboard_shows_the_notifications_at_the_top(client, scored, perk):
    bike = perk("Hello Bike", 650)
    person = scored(640, 662)
    client.force_login(person)

    response = client.get(reverse("scoring:dashboard"))

    html = response.content.decode()
    assert 'data-testid="notifications"' in html
    assert "Your score went up 22 points since" in html
    assert "You moved up to the Very good band (from Good)." in html
    assert "New perk within reach:" in html
    assert reverse("perks:claim_confirm", kwargs={"pk": bike.pk}) in html
    assert html.index('data-testid="notifications"') < html.index('id="score-title"')


def test_the_dashboard_shows_no_notifications_when_nothing_moved(client, scored):
    person = scored(660, 661)
    client.force_login(person)

    html = client.get(reverse("scoring:dashboard")).content.decode()

    assert 'data-testid="notifications"' not in html
