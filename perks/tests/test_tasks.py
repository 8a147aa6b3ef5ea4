"""perks/tasks.py: the hourly expiry, called directly, and its place in the beat schedule."""

import datetime

import pytest
from django.conf import settings
from django.utils import timezone

from perks import services, tasks
from perks.models import Claim, Promotion

pytestmark = pytest.mark.django_db


def test_the_expiry_task_expires_stale_claims_and_restocks(make_promotion, ann):
    promotion = make_promotion(quantity=3)
    claim = services.claim_create(promotion=promotion, person=ann)
    Claim.objects.filter(pk=claim.pk).update(pickup_deadline=timezone.now() - datetime.timedelta(hours=1))

    tasks.expire_claims()
    tasks.expire_claims()  # the broker may deliver it twice

    assert Claim.objects.get().status == "expired"
    assert Promotion.objects.values_list("remaining", flat=True).get() == 3


def test_the_expiry_task_has_a_stable_name_and_runs_hourly():
    entry = next(
        entry for entry in settings.CELERY_BEAT_SCHEDULE.values() if entry["task"] == "perks.expire_claims"
    )

    assert tasks.expire_claims.name == "perks.expire_claims"
    assert entry["schedule"].minute == {15}
    assert len(entry["schedule"].hour) == 24
