"""Template helpers of the merchant console: the badge colour of a status, JSON to read."""

import json

from django import template

from perks.models import Claim, Promotion, WebhookDelivery
from perks.presentation import claim_status

register = template.Library()

# The badge modifier (portal.css: .badge--success, --warning, --danger, --neutral) of each status.
TONES: dict[str, dict[str, str]] = {
    "promotion": {
        Promotion.Status.DRAFT: "neutral",
        Promotion.Status.ACTIVE: "success",
        Promotion.Status.PAUSED: "warning",
        Promotion.Status.ENDED: "neutral",
    },
    "claim": {
        Claim.Status.ACTIVE: "success",
        Claim.Status.IN_USE: "warning",
        Claim.Status.USED: "neutral",
        Claim.Status.RETURNED: "neutral",
        Claim.Status.CONVERTED: "success",
        Claim.Status.OVERDUE: "danger",
        Claim.Status.CANCELLED: "neutral",
        Claim.Status.EXPIRED: "neutral",
    },
    "delivery": {
        WebhookDelivery.Status.PENDING: "warning",
        WebhookDelivery.Status.DELIVERED: "success",
        WebhookDelivery.Status.FAILED: "danger",
    },
}


@register.filter
def tone(status: str, kind: str) -> str:
    """``{{ claim.status|tone:"claim" }}``: the badge modifier for a status of that kind."""
    return TONES[kind].get(status, "neutral")


@register.filter
def seen_status(claim: Claim) -> Claim.Status:
    """``{{ claim|seen_status }}``: the claim's state as the CSV and the API give it (an unused
    claim past its pickup deadline is expired before the nightly sweep records it)."""
    return claim_status(claim)


@register.filter
def as_json(value: object) -> str:
    """``{{ delivery.payload|as_json }}``: indented JSON (escaped by the template as usual)."""
    return json.dumps(value, indent=2, ensure_ascii=False, sort_keys=True)
