"""perks/console/selectors.py: the console's reads, by Shanghai days, never naming a person."""

import datetime
import zoneinfo

import pytest
from django.utils import translation

from perks.console import selectors
from perks.models import BenefitType, Claim, Promotion
from perks.tests.factories import ClaimFactory, ProfileFactory, PromotionFactory

pytestmark = pytest.mark.django_db

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
TODAY = datetime.date(2026, 11, 26)


def at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=SHANGHAI)


def days_ago(days: int) -> datetime.date:
    return TODAY - datetime.timedelta(days=days)


def test_a_shanghai_day_starts_at_its_midnight_which_is_four_pm_utc_the_day_before():
    assert selectors.day_start(TODAY) == datetime.datetime(2026, 11, 25, 16, 0, tzinfo=datetime.UTC)


def test_the_promotion_list_is_the_merchants_own_newest_first_with_todays_claims(merchant, other_merchant):
    older = PromotionFactory(merchant=merchant)
    newer = PromotionFactory(merchant=merchant)
    PromotionFactory(merchant=other_merchant)
    today_start = selectors.day_start(selectors.today_local())
    ClaimFactory(promotion=older, claimed_at=today_start)
    ClaimFactory(promotion=older, claimed_at=today_start - datetime.timedelta(seconds=1))

    listed = list(selectors.console_promotions(merchant_id=merchant.pk))

    assert [(p.pk, p.claims_today) for p in listed] == [(newer.pk, 0), (older.pk, 1)]


def test_another_merchants_promotion_has_no_overview(merchant, other_merchant):
    theirs = PromotionFactory(merchant=other_merchant)

    assert selectors.promotion_overview(merchant_id=merchant.pk, pk=theirs.pk) is None


def test_the_overview_withholds_a_small_audience_and_forecasts_only_live_promotions(
    merchant, django_assert_max_num_queries
):
    live = PromotionFactory(merchant=merchant, min_score=650, quantity=10, remaining=10)
    ended = PromotionFactory(merchant=merchant, status=Promotion.Status.ENDED)
    ProfileFactory.create_batch(3, score=700)

    with django_assert_max_num_queries(3):
        overview = selectors.promotion_overview(merchant_id=merchant.pk, pk=live.pk)
    finished = selectors.promotion_overview(merchant_id=merchant.pk, pk=ended.pk)

    assert (overview.promotion, overview.audience.qualifying, overview.claims_today) == (live, None, 0)
    assert finished.sellout is None


def test_claims_are_filtered_by_status_and_by_shanghai_days_both_ends_inclusive(merchant):
    promotion = PromotionFactory(merchant=merchant)
    ClaimFactory(promotion=promotion, claimed_at=at(days_ago(3), 23, 59))
    first = ClaimFactory(promotion=promotion, claimed_at=at(days_ago(2), 0, 0))
    last = ClaimFactory(promotion=promotion, claimed_at=at(days_ago(1), 23, 59), status=Claim.Status.USED)
    ClaimFactory(promotion=promotion, claimed_at=at(TODAY, 0, 0))

    window = selectors.claims_filtered(promotion=promotion, date_from=days_ago(2), date_to=days_ago(1))
    used = selectors.claims_filtered(promotion=promotion, status="used")
    everything = selectors.claims_filtered(promotion=promotion, status="")

    assert [claim.pk for claim in window] == [last.pk, first.pk]
    assert [claim.pk for claim in used] == [last.pk]
    assert everything.count() == 4


def test_claims_per_day_counts_each_shanghai_day_oldest_first_with_zeros(merchant, django_assert_num_queries):
    promotion = PromotionFactory(merchant=merchant)
    ClaimFactory(promotion=promotion, claimed_at=at(days_ago(2), 0, 30))  # 16:30 UTC the day before
    ClaimFactory(promotion=promotion, claimed_at=at(TODAY, 23, 59))
    ClaimFactory(promotion=promotion, claimed_at=at(TODAY, 8, 0))
    ClaimFactory(promotion=promotion, claimed_at=at(days_ago(3), 23, 59))  # before the window

    with django_assert_num_queries(1):
        days = selectors.claims_per_day(promotion=promotion, days=3, today=TODAY)

    assert days == [(days_ago(2), 1), (days_ago(1), 0), (TODAY, 2)]


def test_trial_conversion_counts_what_became_of_finished_trials(merchant):
    promotion = PromotionFactory(merchant=merchant, benefit_type=BenefitType.TRIAL, trial_days=3, amount=None)
    for status, count in (("returned", 2), ("converted", 1), ("overdue", 1), ("in_use", 3)):
        ClaimFactory.create_batch(count, promotion=promotion, status=status)

    conversion = selectors.trial_conversion(promotion=promotion)

    assert (conversion.returned, conversion.converted, conversion.overdue, conversion.finished) == (
        2,
        1,
        1,
        4,
    )
    assert (conversion.rate, conversion.percent) == (0.25, 25)


def test_before_any_trial_finished_there_is_no_rate(merchant):
    conversion = selectors.trial_conversion(promotion=PromotionFactory(merchant=merchant))

    assert (conversion.finished, conversion.rate, conversion.percent) == (0, None, None)


def test_the_preview_shows_what_people_will_read_in_their_language(merchant):
    promotion = PromotionFactory(
        merchant=merchant,
        min_score=700,
        tiers=[{"min_score": 800, "benefit": "Free delivery", "benefit_zh": "免费送货"}],
        conditions={
            "all": [{"attr": "identity_verified", "is": True}, {"counter": "ticket_class", "in": ["first"]}]
        },
    )

    with translation.override("en"):
        english = selectors.perk_preview(promotion=promotion, language="en")
    with translation.override("zh-hans"):
        chinese = selectors.perk_preview(promotion=promotion, language="zh-hans")

    assert (english.benefit, english.tiers) == ("Deposit of ¥299.00 waived", [(800, "Free delivery")])
    assert english.conditions == [
        "A score of 700 or more",
        "Not on the court blacklist",
        "Verified real-name identity and First-class ticket (checked at the counter)",
    ]
    assert english.card["perk"].at_counter == ["First-class ticket (checked at the counter)"]
    assert english.card["state"] == "eligible"
    assert chinese.tiers == [(800, "免费送货")]
