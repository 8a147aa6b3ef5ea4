# ruff: noqa: RUF001 - Chinese text uses full-width punctuation, as it should.
"""Demo perks for seed_demo: every perk of domain.md, live at its real threshold, and some history.

Idempotent: promotions are found by merchant and title, claims by a per-person idempotency
key, and each step of a claim's story happens only if the claim has not got there yet.
"""

import dataclasses
import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from accounts.models import ConsumerProfile, Merchant, User

from . import selectors, services
from .exceptions import PerksError
from .models import BenefitType, Category, Claim, Promotion

SHANGHAI = ZoneInfo("Asia/Shanghai")
LOUNGE = {
    "any": [
        {"counter": "ticket_class", "in": ["first"]},
        {"counter": "membership_tier", "in": ["platinum"]},
    ]
}


@dataclasses.dataclass(frozen=True)
class DemoPerk:
    merchant: str
    title: str
    title_zh: str
    description: str
    description_zh: str
    category: str
    benefit_type: str
    min_score: int
    fields: dict[str, Any] = dataclasses.field(default_factory=dict)


PERKS = [
    DemoPerk(
        "huashan",
        "Credit medical treatment",
        "信用就医",
        "Register and pay by phone, skip the pay-first queues and pay after your visit on your credit "
        "line: a visit takes 5 steps instead of 7 and up to 60% less waiting.",
        "手机挂号缴费，不用先付费排队，看完病再用信用额度付款：就医流程从7步减到5步，最多节省60%的等待时间。",
        Category.MEDICAL,
        BenefitType.PRIORITY,
        650,
    ),
    DemoPerk(
        "huashan",
        "Wheelchair without deposit",
        "免押金借轮椅",
        "Borrow a wheelchair at the hospital without leaving a deposit.",
        "在医院借用轮椅，无需缴纳押金。",
        Category.DEPOSIT_FREE,
        BenefitType.DEPOSIT_WAIVER,
        600,
        {"amount": Decimal("500.00"), "quantity": 40, "per_user_limit": 1, "pickup_days": 1},
    ),
    DemoPerk(
        "tmall",
        "Try first, pay later",
        "先试后买",
        "Order, try at home for 7 days, and send back what you don't keep without paying for it.",
        "下单后在家试用7天，不满意的商品直接退回，无需付款。",
        Category.TRY_BEFORE_BUY,
        BenefitType.TRIAL,
        700,
        {"trial_days": 7, "per_user_limit": 3},
    ),
    DemoPerk(
        "ford",
        "Free 3-day test drive of a new Ford",
        "福特新车免费试驾3天",
        "Take a new Ford home for 3 days, free. Pick it up at a dealer within a week of claiming.",
        "免费把福特新车开回家试驾3天。领取后一周内到经销商处提车。",
        Category.TRY_BEFORE_BUY,
        BenefitType.TRIAL,
        750,
        {"trial_days": 3, "quantity": 20},
    ),
    DemoPerk(
        "meitu",
        "Try a new Meitu phone for 30 days",
        "美图新手机免费试用30天",
        "A new Meitu phone for 30 days, free and with no obligation to buy. Limited to 100 phones.",
        "免费试用美图新手机30天，不强制购买。限量100台。",
        Category.TRY_BEFORE_BUY,
        BenefitType.TRIAL,
        750,
        {"trial_days": 30, "quantity": 100, "amount": Decimal("2999.00")},
    ),
    DemoPerk(
        "huabei",
        "Huabei credit line up to ¥20,000",
        "花呗信用额度最高2万元",
        "A consumer credit line of up to 20,000 RMB.",
        "最高2万元的消费信用额度。",
        Category.CREDIT,
        BenefitType.CREDIT_LINE,
        750,
        {"amount": Decimal("20000.00")},
    ),
    DemoPerk(
        "hellobike",
        "Hello Bike without deposit",
        "哈啰单车免押金骑行",
        "Ride Hello Bike's shared bikes without paying the deposit.",
        "骑行哈啰共享单车，免交押金。",
        Category.DEPOSIT_FREE,
        BenefitType.DEPOSIT_WAIVER,
        650,
        {"amount": Decimal("199.00")},
    ),
    DemoPerk(
        "ofo",
        "Ofo bikes without deposit",
        "ofo小黄车免押金",
        "Ride Ofo's shared bikes without paying the deposit.",
        "骑行ofo共享单车，免交押金。",
        Category.DEPOSIT_FREE,
        BenefitType.DEPOSIT_WAIVER,
        650,
        {"amount": Decimal("99.00")},
    ),
    DemoPerk(
        "sharing",
        "Umbrella without deposit",
        "免押金借雨伞",
        "Borrow a shared umbrella at stations and malls without a deposit.",
        "在车站和商场借用共享雨伞，免交押金。",
        Category.DEPOSIT_FREE,
        BenefitType.DEPOSIT_WAIVER,
        550,
        {"amount": Decimal("39.00"), "per_user_limit": 2},
    ),
    DemoPerk(
        "sharing",
        "Power bank without deposit",
        "免押金借充电宝",
        "Borrow a shared power bank without a deposit.",
        "借用共享充电宝，免交押金。",
        Category.DEPOSIT_FREE,
        BenefitType.DEPOSIT_WAIVER,
        600,
        {"amount": Decimal("99.00"), "per_user_limit": 2},
    ),
    DemoPerk(
        "sharing",
        "Apartment without deposit",
        "租房免押金",
        "Rent a flat without the usual deposit.",
        "租房无需缴纳押金。",
        Category.DEPOSIT_FREE,
        BenefitType.DEPOSIT_WAIVER,
        700,
        {"amount": Decimal("5000.00"), "quantity": 50, "pickup_days": 30},
    ),
    DemoPerk(
        "library",
        "Library card without down payment",
        "免押金办借书证",
        "Public libraries across Zhejiang (since April 2018): a free card with no down payment from "
        "550; from 700, borrow with just your ID card.",
        "浙江省公共图书馆（2018年4月起全省通用）：550分起免押金免费办证；700分起凭身份证即可借书。",
        Category.LIBRARY,
        BenefitType.ACCESS,
        550,
        {
            "tiers": [
                {
                    "min_score": 550,
                    "benefit": "Free library card, no down payment",
                    "benefit_zh": "免费办证，无需押金",
                },
                {
                    "min_score": 700,
                    "benefit": "Borrow with just your ID card, no library card",
                    "benefit_zh": "凭身份证借书，无需借书证",
                },
            ],
            "starts_at": datetime.datetime(2018, 4, 1, tzinfo=SHANGHAI),
        },
    ),
    DemoPerk(
        "railway",
        "Station lounge at busy seasons",
        "节假日车站贵宾休息室",
        "Lounge access at busy seasons with a first-class ticket or a platinum membership card, both "
        "checked at the counter.",
        "节假日高峰期，持一等座车票或白金会员卡（均现场查验）可使用车站贵宾休息室。",
        Category.ACCESS,
        BenefitType.ACCESS,
        650,
        {"conditions": LOUNGE},
    ),
]

CLAIMS_PER_PERK = 4
# Deposit waivers are what scripted fresh accounts drain: the demo's ask for an established account.
DEPOSIT_WAIVER_ACCOUNT_AGE_DAYS = 30


def promotions_ensure(*, merchants: dict[str, Merchant]) -> list[Promotion]:
    """Every demo perk, live; created once, found by merchant and title afterwards."""
    promotions = []
    for perk in PERKS:
        merchant = merchants[perk.merchant]
        promotion = Promotion.objects.filter(merchant=merchant, title=perk.title).first()
        if promotion is None:
            fields = {"starts_at": timezone.now() - datetime.timedelta(days=30), **perk.fields}
            if perk.benefit_type == BenefitType.DEPOSIT_WAIVER:
                fields["min_account_age_days"] = DEPOSIT_WAIVER_ACCOUNT_AGE_DAYS
            promotion = services.promotion_create(
                merchant=merchant,
                status=Promotion.Status.ACTIVE,
                title=perk.title,
                title_zh=perk.title_zh,
                description=perk.description,
                description_zh=perk.description_zh,
                category=perk.category,
                benefit_type=perk.benefit_type,
                min_score=perk.min_score,
                **fields,
            )
        promotions.append(promotion)
    return promotions


def _candidates(*, promotion: Promotion, offset: int) -> list[ConsumerProfile]:
    """Eligible synthetic people, the same ones on every run; a different few for each perk."""
    eligible = list(
        ConsumerProfile.objects.filter(
            is_opted_in=True, score__gte=promotion.min_score, user__username__startswith="person"
        )
        .exclude(selectors.blacklisted(on=timezone.localdate()))
        .select_related("user")
        .order_by("user_id")[: offset + CLAIMS_PER_PERK]
    )
    return eligible[-CLAIMS_PER_PERK:]


def claims_ensure(*, promotions: list[Promotion]) -> int:
    """A few claims per perk by eligible synthetic people, some verified, returned or bought."""
    made = 0
    for index, promotion in enumerate(promotions):
        for number, profile in enumerate(_candidates(promotion=promotion, offset=index)):
            made += _claim_story(promotion=promotion, person=profile.user, number=number)
    return made


@transaction.atomic
def _claim_story(*, promotion: Promotion, person: User, number: int) -> int:
    key = f"demo-{promotion.pk}"
    # Found by its key, not replayed through claim_create: keys expire after 24 hours, and a
    # later seed_demo must not claim again.
    claim = Claim.objects.filter(person=person, idempotency_key=key).first()
    is_new = claim is None
    if claim is None:
        try:
            claim = services.claim_create(promotion=promotion, person=person, idempotency_key=key)
        except PerksError:
            return 0  # no longer eligible, or sold out: the demo simply has one claim fewer
    if is_new:
        # Spread the history over the last days so the sell-out forecast has a rate to show.
        back = datetime.timedelta(days=number + 1, hours=3 * number)
        # ... but never past the pickup window, so every demo code can still be shown.
        claimed_at = timezone.now() - min(back, datetime.timedelta(days=promotion.pickup_days, hours=-1))
        Claim.objects.filter(pk=claim.pk).update(
            claimed_at=claimed_at,
            pickup_deadline=claimed_at + datetime.timedelta(days=promotion.pickup_days),
        )
    if number == 0:
        return int(is_new)  # stays active: a code waiting to be shown at the counter
    if claim.status == Claim.Status.ACTIVE:
        services.claim_hand_over(
            merchant=promotion.merchant, code=claim.code, counter_facts={"ticket_class": "first"}
        )
        claim.refresh_from_db()
    if claim.status == Claim.Status.IN_USE and number >= 2:
        outcome = Claim.Status.RETURNED if number == 2 else Claim.Status.CONVERTED
        services.claim_mark(merchant=promotion.merchant, claim=claim, status=outcome)
    return int(is_new)
