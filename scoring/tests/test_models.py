"""scoring/models.py: the one definition of a court listing in force."""

import datetime

import pytest

from scoring import selectors
from scoring.models import BlacklistEntry

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 6, 1)


def days(n: int) -> datetime.date:
    return DAY + datetime.timedelta(days=n)


def listing(person, case: str, **fields) -> BlacklistEntry:
    return BlacklistEntry.objects.create(
        person=person, court="Shanghai No. 1 Intermediate Court", case_number=case, **fields
    )


def test_in_force_counts_a_running_listing_and_nothing_ended_overturned_or_not_yet_listed(make_consumer):
    ann = make_consumer("ann")
    running = listing(ann, "R1", listed_on=days(-30))
    banned = listing(ann, "B1", listed_on=days(-30), ban_until=DAY)
    listing(ann, "B2", listed_on=days(-200), ban_until=days(-1))
    listing(ann, "L1", listed_on=days(-90), lifted_on=days(-5))
    listing(
        ann,
        "O1",
        listed_on=days(-90),
        lift_reason=BlacklistEntry.LiftReason.OVERTURNED,
    )
    listing(ann, "F1", listed_on=days(1))

    in_force = set(BlacklistEntry.objects.in_force(at=DAY).values_list("case_number", flat=True))

    assert in_force == {running.case_number, banned.case_number}


def test_the_dashboards_listings_end_with_the_ban_as_eligibility_does(make_consumer):
    ann = make_consumer("ann")
    listing(ann, "B2", listed_on=days(-200), ban_until=days(-1))

    assert selectors.blacklist_entries_active(person=ann, on=DAY) == []
