"""Reads for the merchant console: its promotion list, a promotion's overview, claim reports.

Built on ``perks.selectors`` and, like them, never giving a merchant a person or a score:
audiences come withheld below 10 people, claims come without people.
"""

import dataclasses
import datetime
from typing import TYPE_CHECKING, TypedDict
from zoneinfo import ZoneInfo

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext

from .. import conditions, eligibility
from .. import selectors as perk_selectors
from ..models import Claim, Promotion

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


class ClaimsToday(TypedDict):
    """What console_promotions adds to each promotion."""

    claims_today: int


# The console speaks the merchants' local time: days start at midnight in Shanghai.
SHANGHAI = ZoneInfo("Asia/Shanghai")
CHART_DAYS = 30


def day_start(day: datetime.date) -> datetime.datetime:
    """Midnight at the start of a Shanghai calendar day, as an aware datetime."""
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=SHANGHAI)


def today_local() -> datetime.date:
    return timezone.localtime(timezone.now(), SHANGHAI).date()


def console_promotions(*, merchant_id: int) -> "QuerySet[WithAnnotations[Promotion, ClaimsToday]]":
    """The merchant's promotions, newest first, with claims holding a unit and claims made today."""
    return perk_selectors.promotions_for_merchant(merchant_id=merchant_id).annotate(
        claims_today=Count("claims", filter=Q(claims__claimed_at__gte=day_start(today_local())))
    )


@dataclasses.dataclass(frozen=True)
class PerkPreview:
    """A promotion as a consumer's perk card would show it, in the active language."""

    benefit: str
    tiers: list[tuple[int, str]]
    conditions: list[str]
    # The consumer's own perk card (templates/perks/includes/perk_card.html), as someone who
    # qualifies sees it.
    card: dict[str, object]


def perk_preview(*, promotion: Promotion, language: str) -> PerkPreview:
    """What people will read about the promotion: its card, benefit (and tiers), every condition."""
    chinese = language == "zh-hans"
    tiers = [
        (
            tier["min_score"],
            str(tier.get("benefit_zh") if chinese and tier.get("benefit_zh") else tier["benefit"]),
        )
        for tier in promotion.tiers or []
    ]
    words = [
        gettext("A score of %(min_score)s or more") % {"min_score": promotion.min_score},
        gettext("Not on the court blacklist"),
    ]
    tree = eligibility.effective_conditions(promotion)
    if tree:
        words.append(conditions.describe(tree))
    perk = perk_selectors.Perk(
        promotion=promotion,
        eligible=True,
        points_away=0,
        unmet=[],
        at_counter=perk_selectors.counter_words(tree),
        remaining=promotion.remaining,
        benefit=eligibility.benefit_text(promotion=promotion, score=promotion.min_score),
        claims_left=promotion.per_user_limit,
    )
    return PerkPreview(
        card={"perk": perk, "promotion": promotion, "state": "eligible"},
        benefit=eligibility.base_benefit_text(
            benefit_type=promotion.benefit_type, trial_days=promotion.trial_days, amount=promotion.amount
        ),
        tiers=tiers,
        conditions=words,
    )


@dataclasses.dataclass(frozen=True)
class PromotionOverview:
    """Everything the promotion page shows: the promotion, its audience today and its forecast."""

    promotion: Promotion
    audience: perk_selectors.Audience
    sellout: datetime.datetime | None
    claims_today: int


def promotion_overview(*, merchant_id: int, pk: int) -> PromotionOverview | None:
    """One of the merchant's promotions with its audience (withheld below 10) and sell-out
    forecast, or None for anyone else's. Three queries."""
    promotion = console_promotions(merchant_id=merchant_id).filter(pk=pk).first()
    if promotion is None:
        return None
    live = promotion.status in (Promotion.Status.ACTIVE, Promotion.Status.PAUSED)
    return PromotionOverview(
        promotion=promotion,
        audience=perk_selectors.promotion_audience(promotion=promotion),
        sellout=perk_selectors.sellout_forecast(promotion=promotion) if live else None,
        claims_today=promotion.claims_today,
    )


def claims_filtered(
    *,
    promotion: Promotion,
    status: str | None = None,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
) -> QuerySet[Claim]:
    """A promotion's claims, newest first, by status and by the Shanghai day they were made
    (both ends inclusive): codes and states, no people, no scores."""
    claims = perk_selectors.claims_for_promotion(promotion=promotion, status=status or None)
    if date_from is not None:
        claims = claims.filter(claimed_at__gte=day_start(date_from))
    if date_to is not None:
        claims = claims.filter(claimed_at__lt=day_start(date_to + datetime.timedelta(days=1)))
    return claims


def claims_per_day(
    *, promotion: Promotion, days: int = CHART_DAYS, today: datetime.date | None = None
) -> list[tuple[datetime.date, int]]:
    """Claims made on each of the last ``days`` Shanghai days, oldest first, zeros included. One query."""
    today = today or today_local()
    first = today - datetime.timedelta(days=days - 1)
    counts = dict(
        Claim.objects.filter(promotion=promotion, claimed_at__gte=day_start(first))
        .annotate(day=TruncDate("claimed_at", tzinfo=SHANGHAI))
        .order_by()
        .values("day")
        .annotate(count=Count("pk"))
        .values_list("day", "count")
    )
    return [(day, counts.get(day, 0)) for day in (first + datetime.timedelta(days=n) for n in range(days))]


@dataclasses.dataclass(frozen=True)
class Conversion:
    """What became of a trial's finished claims; ``rate`` is converted / (returned + converted +
    overdue), None before any has finished."""

    returned: int
    converted: int
    overdue: int

    @property
    def finished(self) -> int:
        return self.returned + self.converted + self.overdue

    @property
    def rate(self) -> float | None:
        return self.converted / self.finished if self.finished else None

    @property
    def percent(self) -> int | None:
        return round(self.rate * 100) if self.rate is not None else None


def trial_conversion(*, promotion: Promotion) -> Conversion:
    """How many trials came back, were bought, or are overdue. One query."""
    counts = Claim.objects.filter(promotion=promotion).aggregate(
        returned=Count("pk", filter=Q(status=Claim.Status.RETURNED)),
        converted=Count("pk", filter=Q(status=Claim.Status.CONVERTED)),
        overdue=Count("pk", filter=Q(status=Claim.Status.OVERDUE)),
    )
    return Conversion(**counts)
