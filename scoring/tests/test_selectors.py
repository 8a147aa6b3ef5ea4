"""Tests for scoring/selectors.py: calendar months, a person's features on a date, and score reads."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from accounts.models import ConsumerProfile
from scoring import selectors, services
from scoring.engine import BlacklistStatus, Features
from scoring.models import (
    Balance,
    Bill,
    BillKind,
    BlacklistEntry,
    Contact,
    CreditLine,
    Identity,
    Purchase,
)

AS_OF = datetime.date(2026, 6, 15)
COURT = "Shanghai No. 1 Intermediate People's Court"
DAY = datetime.timedelta(days=1)
# Every record of these tests reached us long before the dates they read: what arrives later, and
# when, has tests of its own (test_point_in_time.py).
KNOWN = datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)


def months_ago(months: int) -> datetime.date:
    return selectors.months_before(AS_OF, months)


def bill(person, *, due_on, paid_on, kind=BillKind.CREDIT_CARD, amount="300.00") -> Bill:
    return Bill.objects.create(
        person=person, kind=kind, amount=Decimal(amount), due_on=due_on, paid_on=paid_on, received_at=KNOWN
    )


def listing(person, *, case="(2025) Hu 01 Zhi 1", listed_on, lifted_on=None, reason="", ban_until=None):
    return BlacklistEntry.objects.create(
        person=person,
        court=COURT,
        case_number=case,
        listed_on=listed_on,
        lifted_on=lifted_on,
        lift_reason=reason,
        ban_until=ban_until,
        received_at=KNOWN,
    )


# --- months_between / months_before -----------------------------------------------------------


@pytest.mark.parametrize(
    ("earlier", "later", "months"),
    [
        (datetime.date(2026, 1, 31), datetime.date(2026, 2, 28), 0),
        (datetime.date(2026, 1, 31), datetime.date(2026, 3, 1), 1),
        (datetime.date(2024, 1, 31), datetime.date(2024, 2, 29), 0),
        (datetime.date(2024, 2, 29), datetime.date(2025, 2, 28), 11),
        (datetime.date(2024, 2, 29), datetime.date(2025, 3, 1), 12),
        (datetime.date(2024, 2, 29), datetime.date(2028, 2, 29), 48),
        (datetime.date(2025, 12, 15), datetime.date(2026, 1, 15), 1),
        (datetime.date(2025, 12, 15), datetime.date(2026, 1, 14), 0),
        (datetime.date(2026, 6, 15), datetime.date(2026, 6, 15), 0),
        (datetime.date(2026, 6, 15), datetime.date(2026, 1, 1), 0),
    ],
)
def test_months_between_counts_whole_calendar_months(earlier, later, months):
    assert selectors.months_between(earlier, later) == months


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (datetime.date(2026, 1, 31), 1, datetime.date(2025, 12, 31)),
        (datetime.date(2026, 3, 31), 1, datetime.date(2026, 2, 28)),
        (datetime.date(2024, 3, 31), 1, datetime.date(2024, 2, 29)),
        (datetime.date(2026, 5, 31), 1, datetime.date(2026, 4, 30)),
        (datetime.date(2024, 2, 29), 12, datetime.date(2023, 2, 28)),
        (datetime.date(2024, 2, 29), 48, datetime.date(2020, 2, 29)),
        (datetime.date(2026, 1, 15), 13, datetime.date(2024, 12, 15)),
        (datetime.date(2026, 6, 15), 0, datetime.date(2026, 6, 15)),
        (datetime.date(2026, 6, 15), 60, datetime.date(2021, 6, 15)),
    ],
)
def test_months_before_clamps_to_the_last_day_of_a_shorter_month(day, months, expected):
    assert selectors.months_before(day, months) == expected


DATES = st.dates(min_value=datetime.date(1995, 1, 1), max_value=datetime.date(2060, 12, 31))


@settings(max_examples=300, deadline=None)
@given(day=DATES, months=st.integers(min_value=0, max_value=120))
def test_months_between_undoes_months_before(day, months):
    assert selectors.months_between(selectors.months_before(day, months), day) == months


@settings(max_examples=300, deadline=None)
@given(earlier=DATES, later=DATES, months=st.integers(min_value=1, max_value=120))
def test_a_date_is_n_whole_months_back_exactly_when_it_is_on_or_before_months_before(earlier, later, months):
    assert (selectors.months_between(earlier, later) >= months) == (
        earlier <= selectors.months_before(later, months)
    )


# --- features_for_people ----------------------------------------------------------------------


@pytest.mark.django_db
def test_a_person_without_data_has_the_no_data_features(make_consumer):
    # given
    ann = make_consumer("ann")

    # when
    features = selectors.features_for_person(person=ann, as_of=AS_OF)

    # then
    assert features == Features()


@pytest.mark.django_db
def test_bills_count_by_window_and_kind(make_consumer):
    # given
    ann = make_consumer("ann")
    bill(ann, due_on=months_ago(1), paid_on=months_ago(1))  # on time
    bill(ann, due_on=months_ago(2), paid_on=months_ago(2) - DAY, kind=BillKind.UTILITY)  # early
    bill(ann, due_on=months_ago(3), paid_on=months_ago(3) + 5 * DAY)  # late
    bill(ann, due_on=months_ago(4), paid_on=months_ago(4) + DAY, kind=BillKind.UTILITY)  # late
    bill(ann, due_on=months_ago(5), paid_on=months_ago(5) + DAY, kind=BillKind.UTILITY)  # late
    bill(ann, due_on=AS_OF - 3 * DAY, paid_on=None, kind=BillKind.TRAFFIC_FINE)  # late and unpaid
    bill(ann, due_on=AS_OF, paid_on=None)  # due today: not late yet
    bill(ann, due_on=AS_OF + 10 * DAY, paid_on=None)  # not due yet: unknown on the date
    bill(ann, due_on=months_ago(30), paid_on=months_ago(30) + DAY)  # late, 12-60 months ago
    bill(ann, due_on=months_ago(30), paid_on=months_ago(30))  # on time, but older than 24 months
    bill(ann, due_on=months_ago(2), paid_on=months_ago(2), kind=BillKind.RENT)
    bill(ann, due_on=months_ago(1), paid_on=months_ago(1) + 3 * DAY, kind=BillKind.RENT)

    # when
    features = selectors.features_for_person(person=ann, as_of=AS_OF)

    # then
    assert (
        features.on_time_bills_24m,
        features.late_bills_12m,
        features.late_bills_12m_by_kind,
        features.late_bills_older,
        features.overdue_unpaid,
        features.history_months,
        features.rent_on_time_12m,
        features.rent_late_12m,
    ) == (2, 4, (("utility", 2), ("credit_card", 1), ("traffic_fine", 1)), 1, 1, 30, 1, 1)


@pytest.mark.django_db
def test_late_bills_older_than_five_years_no_longer_count(make_consumer):
    # given: one late bill just inside 60 months, one exactly 60 months ago, one older
    ann = make_consumer("ann")
    bill(ann, due_on=months_ago(60) + DAY, paid_on=months_ago(60) + 20 * DAY)
    bill(ann, due_on=months_ago(60), paid_on=months_ago(60) + 20 * DAY)
    bill(ann, due_on=months_ago(61), paid_on=None)
    bill(ann, due_on=months_ago(80), paid_on=months_ago(80) + 20 * DAY, kind=BillKind.RENT)

    # when
    features = selectors.features_for_person(person=ann, as_of=AS_OF)

    # then: the old bills still show how long the history is
    assert (features.late_bills_older, features.late_bills_12m, features.overdue_unpaid) == (1, 0, 0)
    assert features.history_months == 80


@pytest.mark.django_db
def test_fulfilment_behaviour_identity_and_connection_features(make_consumer):
    # given
    ann = make_consumer("ann")
    bob = make_consumer("bob")
    carol = make_consumer("carol", opted_in=False)
    Balance.objects.create(
        received_at=KNOWN, person=ann, as_of=AS_OF - 100 * DAY, amount=Decimal("90000.00")
    )  # too old
    Balance.objects.create(received_at=KNOWN, person=ann, as_of=AS_OF - 60 * DAY, amount=Decimal("1000.00"))
    Balance.objects.create(received_at=KNOWN, person=ann, as_of=AS_OF - 30 * DAY, amount=Decimal("2000.50"))
    Balance.objects.create(
        received_at=KNOWN, person=ann, as_of=AS_OF + DAY, amount=Decimal("90000.00")
    )  # after the date
    CreditLine.objects.create(
        received_at=KNOWN,
        person=ann,
        provider="Huabei",
        as_of=months_ago(3),
        limit=Decimal("5000"),
        used=Decimal("100"),
    )
    CreditLine.objects.create(
        received_at=KNOWN,
        person=ann,
        provider="Huabei",
        as_of=months_ago(1),
        limit=Decimal("10000"),
        used=Decimal("4599"),
    )
    for day in (AS_OF, AS_OF, AS_OF - 10 * DAY, AS_OF - 100 * DAY, AS_OF - 400 * DAY):
        Purchase.objects.create(received_at=KNOWN, person=ann, occurred_on=day, amount=Decimal("25.00"))
    Identity.objects.create(
        received_at=KNOWN,
        person=ann,
        real_name_verified=True,
        education="master",
        address_since=datetime.date(2023, 6, 16),
        phone_verified=True,
    )
    confirmed = Contact.Status.CONFIRMED
    Contact.objects.create(
        received_at=KNOWN,
        person=ann,
        contact=bob,
        confirmed_on=months_ago(2),
        interactions_90d=7,
        status=confirmed,
    )
    Contact.objects.create(
        received_at=KNOWN,
        person=ann,
        contact=carol,
        confirmed_on=months_ago(1),
        interactions_90d=5,
        status=confirmed,
    )
    Contact.objects.create(
        received_at=KNOWN,
        person=bob,
        contact=ann,
        confirmed_on=AS_OF + DAY,
        interactions_90d=9,
        status=confirmed,
    )

    # when
    features = selectors.features_for_people(person_ids=[ann.pk, bob.pk], as_of=AS_OF)

    # then
    assert features[ann.pk] == Features(
        credit_utilisation_pct=45,
        avg_balance_3m=Decimal("1500.25"),
        credit_limit=Decimal("10000.00"),
        purchases_12m=4,
        active_days_90d=2,
        real_name_verified=True,
        education="master",
        address_years=2,
        phone_verified=True,
        email_verified=False,
        confirmed_contacts=2,
        interactions_90d=12,
    )
    assert features[bob.pk] == Features()


@pytest.mark.django_db
def test_an_active_listing_is_reported_without_months_since_lifted(make_consumer):
    # given
    ann = make_consumer("ann")
    listing(ann, listed_on=datetime.date(2025, 3, 1))

    # when
    features = selectors.features_for_person(person=ann, as_of=AS_OF)

    # then
    assert features.blacklist == BlacklistStatus(
        court=COURT,
        case_number="(2025) Hu 01 Zhi 1",
        listed_on=datetime.date(2025, 3, 1),
        months_since_lifted=None,
    )


@pytest.mark.django_db
def test_a_recently_lifted_listing_gives_the_months_since_it_was_lifted(make_consumer):
    # given
    ann = make_consumer("ann")
    listing(ann, listed_on=datetime.date(2025, 3, 1), lifted_on=months_ago(3), reason="settled")

    # when
    features = selectors.features_for_person(person=ann, as_of=AS_OF)

    # then
    assert features.blacklist.months_since_lifted == 3


@pytest.mark.django_db
def test_a_listing_lifted_after_the_date_was_still_active_on_it(make_consumer):
    # given
    ann = make_consumer("ann")
    listing(ann, listed_on=datetime.date(2025, 3, 1), lifted_on=AS_OF + DAY, reason="settled")

    # when
    features = selectors.features_for_person(person=ann, as_of=AS_OF)

    # then
    assert features.blacklist.months_since_lifted is None


@pytest.mark.django_db
def test_an_overturned_listing_is_ignored_entirely(make_consumer):
    # given
    ann = make_consumer("ann")
    listing(ann, listed_on=datetime.date(2025, 3, 1), lifted_on=months_ago(1), reason="overturned")

    # when
    features = selectors.features_for_person(person=ann, as_of=AS_OF)

    # then
    assert features.blacklist is None


@pytest.mark.django_db
def test_a_ban_that_ran_out_counts_as_lifted_when_it_ended(make_consumer):
    # given: a 180-day railway ban that ended two months ago, never formally lifted
    ann = make_consumer("ann")
    listing(ann, listed_on=months_ago(8), ban_until=months_ago(2))

    # when
    features = selectors.features_for_person(person=ann, as_of=AS_OF)

    # then
    assert features.blacklist.months_since_lifted == 2


@pytest.mark.django_db
def test_a_ban_still_running_is_active(make_consumer):
    # given
    ann = make_consumer("ann")
    listing(ann, listed_on=months_ago(2), ban_until=AS_OF + 30 * DAY)

    # when
    features = selectors.features_for_person(person=ann, as_of=AS_OF)

    # then
    assert features.blacklist.months_since_lifted is None


@pytest.mark.django_db
def test_a_listing_after_the_date_does_not_count_yet(make_consumer):
    # given
    ann = make_consumer("ann")
    listing(ann, listed_on=AS_OF + DAY)

    # when
    features = selectors.features_for_person(person=ann, as_of=AS_OF)

    # then
    assert features.blacklist is None


@pytest.mark.django_db
def test_the_listing_that_weighs_most_wins_active_before_lifted_and_recent_before_old(make_consumer):
    # given
    ann = make_consumer("ann")
    bob = make_consumer("bob")
    listing(ann, case="old", listed_on=months_ago(40), lifted_on=months_ago(30), reason="settled")
    listing(ann, case="active", listed_on=months_ago(50))
    listing(ann, case="recent", listed_on=months_ago(20), lifted_on=months_ago(5), reason="settled")
    listing(bob, case="old", listed_on=months_ago(40), lifted_on=months_ago(30), reason="settled")
    listing(bob, case="recent", listed_on=months_ago(45), lifted_on=months_ago(5), reason="expired")

    # when
    features = selectors.features_for_people(person_ids=[ann.pk, bob.pk], as_of=AS_OF)

    # then
    assert (features[ann.pk].blacklist.case_number, features[ann.pk].blacklist.months_since_lifted) == (
        "active",
        None,
    )
    assert (features[bob.pk].blacklist.case_number, features[bob.pk].blacklist.months_since_lifted) == (
        "recent",
        5,
    )


@pytest.mark.django_db
def test_features_by_id_range_cover_only_opted_in_people(make_consumer):
    # given
    ann = make_consumer("ann")
    erin = make_consumer("erin", opted_in=False)
    bob = make_consumer("bob")

    # when
    features = selectors.features_for_people(id_range=(ann.pk, bob.pk), as_of=services.today())

    # then
    assert sorted(features) == [ann.pk, bob.pk]
    assert erin.pk not in features


def test_features_by_id_range_leave_out_days_before_a_person_opted_in(make_consumer):
    # given: ann opted in today, bob a year ago
    ann = make_consumer("ann")
    bob = make_consumer("bob")
    ConsumerProfile.objects.filter(user=bob).update(opted_in_at=timezone.now() - datetime.timedelta(days=365))
    yesterday = services.today() - datetime.timedelta(days=1)

    # when
    features = selectors.features_for_people(id_range=(ann.pk, bob.pk), as_of=yesterday)

    # then
    assert sorted(features) == [bob.pk]


@pytest.mark.django_db
def test_features_for_no_people_asks_nothing(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert selectors.features_for_people(person_ids=[], as_of=AS_OF) == {}


@pytest.mark.django_db
@pytest.mark.parametrize("people", [1, 6])
def test_features_take_a_fixed_number_of_queries_whatever_the_number_of_people(
    make_consumer, django_assert_num_queries, people
):
    # given: everyone with a little of every signal
    persons = [make_consumer(f"p{number}") for number in range(people)]
    for person in persons:
        bill(person, due_on=months_ago(2), paid_on=months_ago(2) + DAY)
        Balance.objects.create(received_at=KNOWN, person=person, as_of=AS_OF - DAY, amount=Decimal("100"))
        CreditLine.objects.create(
            received_at=KNOWN,
            person=person,
            provider="Huabei",
            as_of=AS_OF,
            limit=Decimal("100"),
            used=Decimal("1"),
        )
        Purchase.objects.create(received_at=KNOWN, person=person, occurred_on=AS_OF, amount=Decimal("1"))
        Identity.objects.create(received_at=KNOWN, person=person, real_name_verified=True)
        listing(person, listed_on=months_ago(3))

    # when / then: one query a kind of signal (identity facts and contacts two: current and
    # revised), and one for the sources switched off
    with django_assert_num_queries(10):
        features = selectors.features_for_people(person_ids=[p.pk for p in persons], as_of=AS_OF)
    assert len(features) == people


# --- score_current / score_history ------------------------------------------------------------


@pytest.mark.django_db
def test_score_current_is_the_latest_snapshot_and_history_runs_oldest_first(make_consumer):
    # given: opting in scored today; two past dates scored afterwards
    ann = make_consumer("ann")
    today = services.today()
    services.score_recompute(person=ann, as_of=today - 20 * DAY)
    services.score_recompute(person=ann, as_of=today - 40 * DAY)

    # when
    current = selectors.score_current(person=ann)
    history = selectors.score_history(person=ann)
    recent = selectors.score_history(person=ann, since=today - 20 * DAY)

    # then
    assert (current.as_of, current.score, current.model.version) == (today, 600, "2026.1")
    assert [(s.as_of, s.score, s.band) for s in history] == [
        (today - 40 * DAY, 600, "good"),
        (today - 20 * DAY, 600, "good"),
        (today, 600, "good"),
    ]
    assert [s.as_of for s in recent] == [today - 20 * DAY, today]


@pytest.mark.django_db
def test_score_current_is_none_before_any_score(make_consumer):
    # given
    erin = make_consumer("erin", opted_in=False)

    # then
    assert selectors.score_current(person=erin) is None
    assert selectors.score_history(person=erin) == []
