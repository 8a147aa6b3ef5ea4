"""What perks tells people: a trial due back tomorrow or overdue, a merchant checking their code,
their share link opened. Each is one call from the service where it happens."""

import datetime

from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from core import outbox
from core.models import NotificationKind
from core.notifications.services import Tell, notify, notify_many

from ..models import Claim, Share
from .goals import perk_params

SHARE_OPENED_TASK = "perks.notify_share_opened"
SHARE_OPENED_MEMORY = 26 * 3600  # a day, and the hours a clock change can add


def _claim_params(claim: Claim) -> dict[str, object]:
    return {
        **perk_params(claim.promotion),
        "claim_id": claim.pk,
        "due_back": claim.due_back.isoformat() if claim.due_back else "",
        "link": reverse("perks:claim_detail", args=[claim.pk]),
    }


def claims_due_back_notify(*, today: datetime.date | None = None) -> int:
    """Daily: tell people whose trial or deposit is due back tomorrow, and those now overdue."""
    today = today or timezone.localdate()
    holding = Claim.objects.filter(person__isnull=False).select_related("promotion__merchant")
    due_tomorrow = holding.filter(status=Claim.Status.IN_USE, due_back=today + datetime.timedelta(days=1))
    overdue = holding.filter(status__in=[Claim.Status.IN_USE, Claim.Status.OVERDUE], due_back__lt=today)
    told = 0
    for kind, claims, prefix in (
        (NotificationKind.DUE_BACK, due_tomorrow, "due"),
        (NotificationKind.OVERDUE, overdue, "overdue"),
    ):
        tells = [
            Tell(
                person_id=claim.person_id,
                key=f"{prefix}:{claim.pk}:{claim.due_back}",
                params=_claim_params(claim),
            )
            for claim in claims
            if claim.person_id is not None
        ]
        told += len(notify_many(kind=kind, tells=tells))
    return told


def code_checked_notify(*, claim: Claim, check_id: int) -> None:
    """Tell a person a merchant checked their claim's code (so a stranger's use would not go unseen).

    A claim whose person deleted their account has nobody to tell.
    """
    if claim.person_id is None:
        return
    notify(
        person_id=claim.person_id,
        kind=NotificationKind.CODE_CHECKED,
        key=f"check:{check_id}",
        params=_claim_params(claim),
    )


def share_opened_record(*, share_id: int) -> None:
    """A share link was opened: queue telling its person, at most once a day per share.

    The public page must stay cheap whoever loads it how often: the cache drops repeats of the
    day without a query, and the task's notification key keeps it to one even if the cache forgets.
    """
    day = timezone.localdate().isoformat()
    if cache.add(f"share-opened:{share_id}:{day}", True, timeout=SHARE_OPENED_MEMORY):
        outbox.enqueue(SHARE_OPENED_TASK, share_id, day)


def share_opened_notify(*, share_id: int, day: str) -> None:
    """Tell a person their share link was opened on a day (once per share and day)."""
    share = Share.objects.filter(pk=share_id).first()
    if share is None:
        return
    notify(
        person_id=share.person_id,
        kind=NotificationKind.SHARE_OPENED,
        key=f"share:{share.pk}:{day}",
        params={
            "created_on": timezone.localdate(share.created_at).isoformat(),
            "link": reverse("perks:shares"),
        },
    )
