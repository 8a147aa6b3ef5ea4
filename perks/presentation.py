"""How a claim is shown: the same state and the same merchant's view on every page, in the API,
the CSV export and the webhooks. Pure reads of a loaded claim, no queries of their own."""

import datetime
from typing import Any

from django.utils import timezone

from .models import Claim


def claim_status(claim: Claim, *, now: datetime.datetime | None = None) -> Claim.Status:
    """The claim's state as people and merchants see it: an unused claim past its pickup deadline
    is expired, even before the nightly sweep records it."""
    now = now or timezone.now()
    if claim.status == Claim.Status.ACTIVE and claim.pickup_deadline <= now:
        return Claim.Status.EXPIRED
    return Claim.Status(claim.status)


def _local(moment: datetime.datetime | None) -> datetime.datetime | None:
    # Asia/Shanghai on every output, so a CSV or a webhook never mixes +08:00 and +00:00.
    return timezone.localtime(moment) if moment is not None else None


def merchant_claim(claim: Claim, *, now: datetime.datetime | None = None) -> dict[str, Any]:
    """A claim as its merchant sees it: codes, states and dates, no person, no score."""
    return {
        "id": claim.pk,
        "code": claim.code,
        "status": claim_status(claim, now=now).value,
        "promotion": {"id": claim.promotion_id, "title": claim.promotion.title},
        "benefit": claim.benefit,
        "claimed_at": _local(claim.claimed_at),
        "pickup_deadline": _local(claim.pickup_deadline),
        "verified_at": _local(claim.verified_at),
        "due_back": claim.due_back,
        "closed_at": _local(claim.closed_at),
    }
