"""What scoring tells people: a score that moved or changed band, a new negative record, a dispute
answered, a new scoring model. Each is one call from the service where it happens."""

import datetime

from django.db.models import OuterRef, Q, Subquery
from django.urls import reverse

from accounts.models import ConsumerProfile
from core import outbox
from core.models import NotificationKind
from core.notifications.services import Tell, notify, notify_many

from ..models import Bill, BlacklistEntry, Dispute, ScoreSnapshot, ScoringModel

# A score move of at least this many points since the previous snapshot is worth telling.
NOTIFY_POINTS = 10
# Perks app's task told of the people whose score rose (it owns perks and goals).
SCORE_ROSE_TASK = "perks.score_rose"
MODEL_CHANGED_TASK = "scoring.notify_model_changed"
MODEL_CHANGED_BATCH = 2000


def _dashboard(anchor: str = "") -> str:
    return reverse("scoring:dashboard") + (f"#{anchor}" if anchor else "")


def score_moves_notify(
    *, as_of: datetime.date, person_ids: list[int] | None = None, id_range: tuple[int, int] | None = None
) -> int:
    """Tell the people given whose snapshot of ``as_of`` moved 10 points or more, or changed band,
    since their previous one; hand those whose score rose to perks. Set-based: a few queries."""
    previous = ScoreSnapshot.objects.filter(person_id=OuterRef("person_id"), as_of__lt=as_of).order_by(
        "-as_of"
    )
    people = Q(person_id__in=person_ids) if person_ids is not None else Q()
    if id_range is not None:
        people &= Q(person_id__gte=id_range[0], person_id__lte=id_range[1])
    rows = (
        ScoreSnapshot.objects.filter(people, as_of=as_of)
        .annotate(
            previous_score=Subquery(previous.values("score")[:1]),
            previous_band=Subquery(previous.values("band")[:1]),
            previous_as_of=Subquery(previous.values("as_of")[:1]),
        )
        .filter(previous_score__isnull=False)
        .values("person_id", "score", "band", "previous_score", "previous_band", "previous_as_of")
    )
    tells, risen = [], []
    for row in rows:
        points = row["score"] - row["previous_score"]
        if points > 0:
            risen.append(row["person_id"])
        if abs(points) < NOTIFY_POINTS and row["band"] == row["previous_band"]:
            continue
        tells.append(
            Tell(
                person_id=row["person_id"],
                key=f"score:{as_of.isoformat()}",
                params={
                    "score": row["score"],
                    "previous": row["previous_score"],
                    "points": points,
                    "band": row["band"],
                    "previous_band": row["previous_band"],
                    "since": row["previous_as_of"].isoformat(),
                    "link": _dashboard(),
                },
            )
        )
    if tells:
        notify_many(kind=NotificationKind.SCORE_MOVED, tells=tells)
    if risen:
        outbox.enqueue(SCORE_ROSE_TASK, as_of.isoformat(), sorted(risen))
    return len(tells)


def negative_record_notify_bill(*, bill: Bill) -> None:
    """Tell a person a late bill was reported, and how to dispute it."""
    notify(
        person_id=bill.person_id,
        kind=NotificationKind.NEGATIVE_RECORD,
        key=f"bill:{bill.pk}",
        params={
            "record": "late_bill",
            "label": str(bill.get_kind_display()),
            "issuer": bill.issuer,
            "day": bill.due_on.isoformat(),
            "link": _dashboard("disputes"),
        },
    )


def negative_record_notify_listing(*, entry: BlacklistEntry) -> None:
    """Tell a person a court listing was reported, and how to dispute it."""
    notify(
        person_id=entry.person_id,
        kind=NotificationKind.NEGATIVE_RECORD,
        key=f"listing:{entry.pk}",
        params={
            "record": "court_listing",
            "label": entry.court,
            "day": entry.listed_on.isoformat(),
            "link": _dashboard("disputes"),
        },
    )


def dispute_answered_notify(*, dispute: Dispute) -> None:
    notify(
        person_id=dispute.person_id,
        kind=NotificationKind.DISPUTE_ANSWERED,
        key=f"dispute:{dispute.pk}",
        params={
            "accepted": dispute.status == Dispute.Status.ACCEPTED,
            "response": dispute.response,
            "link": _dashboard("disputes"),
        },
    )


def model_changed_notify(*, model_id: int) -> int:
    """Tell every opted-in person that a new scoring model is in use; batch by batch, once each."""
    model = ScoringModel.objects.get(pk=model_id)
    told = 0
    last_id = 0
    while True:
        batch = list(
            ConsumerProfile.objects.filter(is_opted_in=True, user_id__gt=last_id)
            .order_by("user_id")
            .values_list("user_id", flat=True)[:MODEL_CHANGED_BATCH]
        )
        if not batch:
            return told
        told += len(
            notify_many(
                kind=NotificationKind.MODEL_CHANGED,
                tells=[
                    Tell(
                        person_id=pid,
                        key=f"model:{model.version}",
                        params={"version": model.version, "link": _dashboard()},
                    )
                    for pid in batch
                ],
            )
        )
        last_id = batch[-1]
