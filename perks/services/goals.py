"""Goals: the perk a person aims for, and telling them when their score gets them there."""

import datetime
import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.models import NotificationKind
from core.notifications.services import Tell, notify_many
from scoring.models import ScoreSnapshot

from .. import eligibility, selectors
from ..models import Goal, Promotion

logger = logging.getLogger(__name__)


@transaction.atomic
def goal_set(*, person: User, promotion_id: object) -> Goal:
    """Aim for a live perk (replacing any earlier goal); its reached state starts afresh."""
    promotion = selectors.promotion_live(pk=promotion_id) if isinstance(promotion_id, int) else None
    if promotion is None:
        raise ValidationError({"promotion": [_("Choose a perk that is live now.")]})
    goal, _created = Goal.objects.update_or_create(
        person=person, defaults={"promotion": promotion, "reached_at": None}
    )
    logger.info("goal set person=%s promotion=%s", person.pk, promotion.pk)
    return goal


@transaction.atomic
def goal_clear(*, person: User) -> None:
    Goal.objects.filter(person=person).delete()


def perk_params(promotion: Promotion) -> dict[str, object]:
    """What a notification about a perk says of it, in both languages."""
    return {
        "promotion_id": promotion.pk,
        "title": promotion.title,
        "title_zh": promotion.title_zh,
        "merchant": promotion.merchant.name,
        "min_score": promotion.min_score,
        "link": reverse("perks:claim_confirm", args=[promotion.pk]),
    }


def score_rose_notify(*, as_of: datetime.date, person_ids: list[int]) -> int:
    """For people whose score of ``as_of`` rose: tell each of the perks it opened and of a goal
    reached. Idempotent: each perk and goal is told once per day and person. How many told."""
    goals = {
        goal.person_id: goal
        for goal in Goal.objects.filter(person_id__in=person_ids).select_related("promotion__merchant")
    }
    live = set(Promotion.objects.live().filter(goals__in=goals.values()).values_list("pk", flat=True))
    told = 0
    for person in User.objects.filter(pk__in=person_ids, consumer__is_opted_in=True).order_by("pk"):
        latest = list(
            ScoreSnapshot.objects.filter(person_id=person.pk, as_of__lte=as_of)
            .order_by("-as_of")
            .values("as_of", "score", "band")[:2]
        )
        if len(latest) < 2 or latest[0]["as_of"] != as_of:
            continue
        current, before = latest
        goal = goals.get(person.pk)
        goal_reached = False
        if goal is not None and goal.promotion_id in live:
            facts = selectors.person_facts(person=person)
            goal_reached = eligibility.assess(promotion=goal.promotion, person=facts).eligible
        opened = [
            promotion
            for promotion in selectors.perks_reached(person=person, now=current["score"], before=before)
            if not (goal_reached and goal is not None and promotion.pk == goal.promotion_id)
        ]
        told += len(
            notify_many(
                kind=NotificationKind.PERK_REACHABLE,
                tells=[
                    Tell(
                        person_id=person.pk,
                        key=f"perk:{promotion.pk}:{as_of.isoformat()}",
                        params=perk_params(promotion),
                    )
                    for promotion in opened
                ],
            )
        )
        if goal is not None and goal_reached and goal.reached_at is None:
            told += goal_reached_record(goal=goal)
    return told


@transaction.atomic
def goal_reached_record(*, goal: Goal) -> int:
    """Mark a goal reached and tell its person, once."""
    updated = Goal.objects.filter(pk=goal.pk, reached_at__isnull=True).update(
        reached_at=timezone.now(), updated_at=timezone.now()
    )
    if not updated:
        return 0
    made = notify_many(
        kind=NotificationKind.GOAL_REACHED,
        tells=[
            Tell(
                person_id=goal.person_id,
                key=f"goal:{goal.pk}:{goal.promotion_id}",
                params=perk_params(goal.promotion),
            )
        ],
    )
    logger.info("goal reached person=%s promotion=%s", goal.person_id, goal.promotion_id)
    return len(made)
