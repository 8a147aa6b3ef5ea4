"""perks/presentation.py: one state and one merchant's view of a claim for pages, API, CSV and webhooks."""

import datetime

import pytest
from django.utils import timezone

from perks import presentation
from perks.models import Claim
from perks.tests.factories import ClaimFactory

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 6, 1, 4, 0, tzinfo=datetime.UTC)


def test_an_unused_claim_past_its_pickup_deadline_shows_as_expired_before_the_sweep():
    lapsed = ClaimFactory(claimed_at=NOW - datetime.timedelta(days=8))
    fresh = ClaimFactory(claimed_at=NOW - datetime.timedelta(days=1))

    assert presentation.claim_status(lapsed, now=NOW) == Claim.Status.EXPIRED
    assert presentation.claim_status(fresh, now=NOW) == Claim.Status.ACTIVE
    assert Claim.objects.get(pk=lapsed.pk).status == Claim.Status.ACTIVE  # nothing written


def test_the_merchants_view_names_no_person_and_gives_every_moment_in_shanghai_time():
    claim = ClaimFactory(claimed_at=NOW)

    shown = presentation.merchant_claim(claim, now=NOW)

    assert set(shown) == {
        "id",
        "code",
        "status",
        "promotion",
        "benefit",
        "claimed_at",
        "pickup_deadline",
        "verified_at",
        "due_back",
        "closed_at",
    }
    assert shown["promotion"] == {"id": claim.promotion_id, "title": claim.promotion.title}
    assert shown["claimed_at"].utcoffset() == datetime.timedelta(hours=8)
    assert shown["pickup_deadline"].utcoffset() == datetime.timedelta(hours=8)
    assert shown["claimed_at"] == NOW


def test_the_api_and_the_merchant_api_agree_with_the_page_on_a_lapsed_claim(client, merchant_owner):
    lapsed = ClaimFactory(
        promotion__merchant=merchant_owner.merchant_staff.merchant,
        claimed_at=timezone.now() - datetime.timedelta(days=8),
    )
    client.force_login(merchant_owner)

    response = client.get(f"/api/v1/merchant/promotions/{lapsed.promotion_id}/claims/")

    assert response.status_code == 200
    assert [row["status"] for row in response.json()["results"]] == ["expired"]
