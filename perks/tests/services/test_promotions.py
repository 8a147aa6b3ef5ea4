"""perks/services/promotions.py: validation per field, the life cycle, edits of live promotions."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from perks import services
from perks.models import BenefitType, Category, Claim, Promotion

pytestmark = pytest.mark.django_db

STEP_50 = (
    "min_score: must be a multiple of 50 (550, 600, 650, 700, 750 ...): a merchant may learn only which "
    "50-point bracket a score is in."
)

START = datetime.datetime(2026, 12, 1, 9, 0, tzinfo=datetime.UTC)


def valid_fields(**changes: object) -> dict[str, object]:
    fields: dict[str, object] = {
        "title": "Free 3-day test drive",
        "category": Category.TRY_BEFORE_BUY,
        "benefit_type": BenefitType.TRIAL,
        "trial_days": 3,
        "min_score": 750,
        "quantity": 20,
        "starts_at": START,
    }
    fields.update(changes)
    return fields


def refused(merchant, **changes: object) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        services.promotion_create(merchant=merchant, **valid_fields(**changes))
    assert Promotion.objects.count() == 0
    return caught.value.message_dict


def test_a_new_promotion_is_a_draft_with_its_whole_quantity_remaining(merchant):
    promotion = services.promotion_create(merchant=merchant, **valid_fields())

    assert (promotion.status, promotion.quantity, promotion.remaining) == ("draft", 20, 20)
    assert (promotion.per_user_limit, promotion.pickup_days, promotion.conditions, promotion.tiers) == (
        1,
        7,
        {},
        [],
    )


def test_a_promotion_may_be_created_active(merchant):
    promotion = services.promotion_create(merchant=merchant, status="active", **valid_fields())

    assert Promotion.objects.get().status == promotion.status == "active"


def test_a_promotion_cannot_be_created_paused_or_ended(merchant):
    assert refused(merchant, status="ended") == {"status": ["A new promotion starts as a draft or active."]}


@pytest.mark.parametrize(
    ("changes", "errors"),
    [
        ({"min_score": 340}, {"min_score": ["Enter a score threshold from 350 to 950."]}),
        ({"min_score": 960}, {"min_score": ["Enter a score threshold from 350 to 950."]}),
        ({"min_score": 10**30}, {"min_score": ["Enter a score threshold from 350 to 950."]}),
        (
            {"min_score": 755},
            {"min_score": [STEP_50]},
        ),
        ({"min_score": None}, {"min_score": ["Enter the score threshold."]}),
        ({"min_score": "750"}, {"min_score": ["Enter a score threshold from 350 to 950."]}),
        ({"ends_at": START}, {"ends_at": ["The end must be after the start."]}),
        ({"ends_at": START - datetime.timedelta(days=1)}, {"ends_at": ["The end must be after the start."]}),
        ({"starts_at": None}, {"starts_at": ["Enter when the promotion starts."]}),
        (
            {"starts_at": datetime.datetime(2026, 12, 1)},
            {"starts_at": ["Enter a date and time with its time zone."]},
        ),
        ({"quantity": -1}, {"quantity": ["The quantity cannot be negative."]}),
        ({"quantity": 1_000_001}, {"quantity": ["The quantity can be at most 1,000,000."]}),
        ({"per_user_limit": 0}, {"per_user_limit": ["A person may claim from 1 to 100 times."]}),
        ({"pickup_days": 0}, {"pickup_days": ["Allow from 1 to 90 days to pick up a claim."]}),
        ({"trial_days": None}, {"trial_days": ["A free trial needs its number of days."]}),
        ({"trial_days": 0}, {"trial_days": ["A free trial lasts from 1 to 365 days."]}),
        (
            {"benefit_type": BenefitType.ACCESS, "trial_days": 3},
            {"trial_days": ["Only a free trial has a number of days."]},
        ),
        (
            {"benefit_type": BenefitType.DEPOSIT_WAIVER, "trial_days": None},
            {"amount": ["Enter the amount in RMB, more than 0."]},
        ),
        (
            {"benefit_type": BenefitType.CREDIT_LINE, "trial_days": None, "amount": Decimal("0")},
            {"amount": ["Enter the amount in RMB, more than 0."]},
        ),
        (
            {"benefit_type": BenefitType.CREDIT_LINE, "trial_days": None, "amount": Decimal("-5")},
            {"amount": ["Enter the amount in RMB, more than 0."]},
        ),
        ({"amount": Decimal("299.001")}, {"amount": ["Enter the amount with at most 2 decimal places."]}),
        ({"amount": Decimal("1E+400")}, {"amount": ["Enter an amount of at most ¥9,999,999,999.99."]}),
        ({"amount": Decimal("NaN")}, {"amount": ["Enter the amount in RMB as a number, such as 299.00."]}),
        ({"amount": "lots"}, {"amount": ["Enter the amount in RMB as a number, such as 299.00."]}),
        (
            {"conditions": {"attr": "age", "in": ["30"]}},
            {
                "conditions": [
                    "At the root: unknown attribute 'age'; use one of: membership_tier, region, "
                    "identity_verified, dimension."
                ]
            },
        ),
        (
            {"regions": ["atlantis"]},
            {
                "regions": [
                    "Regions must be a list of: shanghai, beijing, zhejiang, guangdong, jiangsu, sichuan, "
                    "other."
                ]
            },
        ),
        ({"title": ""}, {"title": ["This field cannot be blank."]}),
        ({"category": "weapons"}, {"category": ["Value 'weapons' is not a valid choice."]}),
    ],
)
def test_each_invalid_field_is_refused_with_its_own_message(merchant, changes, errors):
    assert refused(merchant, **changes) == errors


@pytest.mark.parametrize(
    ("tiers", "message"),
    [
        ("free card", "Tiers must be a list of {min_score, benefit}."),
        (
            [{"min_score": 700, "benefit": "Priority"}],
            "Tier 1: min_score must be at least the promotion's threshold (750).",
        ),
        (
            [{"min_score": 800, "benefit": "A"}, {"min_score": 800, "benefit": "B"}],
            "Tier 2: min_score must be higher than the tier before.",
        ),
        (
            [{"min_score": 850, "benefit": "A"}, {"min_score": 800, "benefit": "B"}],
            "Tier 2: min_score must be higher than the tier before.",
        ),
        (
            [{"min_score": 805, "benefit": "A"}],
            "Tier 1: min_score must be a multiple of 50 (550, 600, 650, 700, 750 ...).",
        ),
        ([{"min_score": 800}], "Tier 1: describe the benefit."),
        (
            [{"min_score": 800, "benefit": "A", "colour": "red"}],
            "Tier 1: expected {min_score, benefit} (and optionally benefit_zh).",
        ),
        ([{"min_score": 800, "benefit": "A" * 201}], "Tier 1: a benefit is text of at most 200 characters."),
    ],
)
def test_tiers_must_ascend_from_the_threshold(merchant, tiers, message):
    assert refused(merchant, tiers=tiers) == {"tiers": [message]}


def test_several_bad_fields_are_reported_together(merchant):
    assert refused(merchant, min_score=355, quantity=-3, ends_at=START) == {
        "min_score": [STEP_50],
        "quantity": ["The quantity cannot be negative."],
        "ends_at": ["The end must be after the start."],
    }


def test_unknown_fields_are_refused(merchant):
    assert refused(merchant, remaining=5) == {"remaining": ["This field cannot be set."]}


def test_amounts_are_kept_to_two_places(merchant):
    promotion = services.promotion_create(
        merchant=merchant,
        **valid_fields(benefit_type=BenefitType.CREDIT_LINE, trial_days=None, amount=Decimal("20000")),
    )

    assert Promotion.objects.get(pk=promotion.pk).amount == Decimal("20000.00")


# Life cycle ---------------------------------------------------------------------------------

ALLOWED = [
    ("draft", services.promotion_activate, "active"),
    ("active", services.promotion_pause, "paused"),
    ("paused", services.promotion_resume, "active"),
    ("active", services.promotion_end, "ended"),
    ("paused", services.promotion_end, "ended"),
]
REFUSED = [
    ("draft", services.promotion_pause, "A promotion cannot go from draft to paused."),
    ("draft", services.promotion_resume, "A promotion cannot go from draft to active."),
    ("draft", services.promotion_end, "A promotion cannot go from draft to ended."),
    ("active", services.promotion_activate, "A promotion cannot go from active to active."),
    ("active", services.promotion_resume, "A promotion cannot go from active to active."),
    ("paused", services.promotion_activate, "A promotion cannot go from paused to active."),
    ("paused", services.promotion_pause, "A promotion cannot go from paused to paused."),
    ("ended", services.promotion_activate, "A promotion cannot go from ended to active."),
    ("ended", services.promotion_resume, "A promotion cannot go from ended to active."),
    ("ended", services.promotion_pause, "A promotion cannot go from ended to paused."),
    ("ended", services.promotion_end, "A promotion cannot go from ended to ended."),
]


def promotion_in(merchant, status: str) -> Promotion:
    promotion = services.promotion_create(merchant=merchant, **valid_fields())
    Promotion.objects.filter(pk=promotion.pk).update(status=status)
    promotion.refresh_from_db()
    return promotion


@pytest.mark.parametrize(("start", "move", "end"), ALLOWED)
def test_allowed_transitions(merchant, start, move, end):
    promotion = promotion_in(merchant, start)

    assert move(promotion=promotion).status == end
    assert Promotion.objects.get().status == end


@pytest.mark.parametrize(("start", "move", "message"), REFUSED)
def test_refused_transitions_name_the_status_and_change_nothing(merchant, start, move, message):
    promotion = promotion_in(merchant, start)

    with pytest.raises(ValidationError) as caught:
        move(promotion=promotion)

    assert caught.value.message_dict == {"status": [message]}
    assert Promotion.objects.get().status == start


def test_a_promotion_whose_end_has_passed_cannot_be_activated(merchant):
    promotion = services.promotion_create(
        merchant=merchant,
        **valid_fields(starts_at=START - datetime.timedelta(days=900), ends_at=START.replace(2025)),
    )

    with pytest.raises(ValidationError) as caught:
        services.promotion_activate(promotion=promotion)

    assert caught.value.message_dict == {"status": ["Its end has passed: set a later end to run it again."]}
    assert Promotion.objects.get().status == "draft"


def test_update_with_a_status_moves_it_along_the_life_cycle(merchant):
    promotion = services.promotion_create(merchant=merchant, **valid_fields())

    updated = services.promotion_update(promotion=promotion, status="active", title="Test drive")

    assert (updated.status, updated.title) == ("active", "Test drive")


def test_update_with_the_current_status_changes_nothing(merchant):
    promotion = services.promotion_create(merchant=merchant, status="active", **valid_fields())

    assert services.promotion_update(promotion=promotion, status="active").status == "active"


def test_an_ended_promotion_cannot_be_edited(merchant):
    promotion = promotion_in(merchant, "ended")

    with pytest.raises(ValidationError) as caught:
        services.promotion_update(promotion=promotion, title="Back again")

    assert caught.value.messages == ["An ended promotion can no longer be changed."]
    assert Promotion.objects.get().title == "Free 3-day test drive"


def test_a_refused_update_changes_nothing(merchant):
    promotion = services.promotion_create(merchant=merchant, **valid_fields())

    with pytest.raises(ValidationError) as caught:
        services.promotion_update(promotion=promotion, title="Changed", min_score=999)

    assert caught.value.message_dict == {"min_score": ["Enter a score threshold from 350 to 950."]}
    assert Promotion.objects.values_list("title", "min_score").get() == ("Free 3-day test drive", 750)


# Editing a live promotion -------------------------------------------------------------------


@pytest.fixture
def live_with_claims(make_promotion, make_consumer, given_score):
    promotion = make_promotion(min_score=650, quantity=10)
    people = [given_score(make_consumer(f"claimant{n}"), 700) for n in range(3)]
    claims = [services.claim_create(promotion=promotion, person=person) for person in people]
    promotion.refresh_from_db()
    return promotion, people, claims


def test_raising_a_live_threshold_keeps_the_claims_already_made(live_with_claims):
    promotion, _people, claims = live_with_claims

    services.promotion_update(promotion=promotion, min_score=800)

    assert list(Claim.objects.order_by("pk").values_list("status", flat=True)) == ["active"] * 3
    assert [claim.code for claim in claims] == list(
        Claim.objects.order_by("pk").values_list("code", flat=True)
    )


def test_a_claim_made_before_a_threshold_rise_is_still_honoured_at_the_counter(live_with_claims, merchant):
    promotion, _people, claims = live_with_claims
    services.promotion_update(promotion=promotion, min_score=900)

    result = services.claim_hand_over(merchant=merchant, code=claims[0].code)

    assert (result.valid, result.status) == (True, "used")


def test_raising_the_quantity_moves_remaining_by_the_difference(live_with_claims):
    promotion, _people, _claims = live_with_claims

    updated = services.promotion_update(promotion=promotion, quantity=15)

    assert (updated.quantity, updated.remaining) == (15, 12)
    assert Promotion.objects.values_list("quantity", "remaining").get() == (15, 12)


def test_lowering_the_quantity_to_the_units_claimed_leaves_none(live_with_claims):
    promotion, _people, _claims = live_with_claims

    updated = services.promotion_update(promotion=promotion, quantity=3)

    assert (updated.quantity, updated.remaining) == (3, 0)
    assert Claim.objects.filter(status="active").count() == 3


def test_the_quantity_cannot_go_below_the_units_claimed(live_with_claims):
    promotion, _people, _claims = live_with_claims

    with pytest.raises(ValidationError) as caught:
        services.promotion_update(promotion=promotion, quantity=2)

    assert caught.value.message_dict == {
        "quantity": ["3 units are already claimed: the quantity cannot be less."]
    }
    assert Promotion.objects.values_list("quantity", "remaining").get() == (10, 7)


def test_unlimited_then_limited_counts_the_claims_already_made(live_with_claims):
    promotion, _people, _claims = live_with_claims
    unlimited = services.promotion_update(promotion=promotion, quantity=None)

    limited = services.promotion_update(promotion=unlimited, quantity=5)

    assert (unlimited.quantity, unlimited.remaining) == (None, None)
    assert (limited.quantity, limited.remaining) == (5, 2)


def test_cancelled_claims_do_not_count_as_claimed_units(live_with_claims):
    promotion, people, claims = live_with_claims
    services.claim_cancel(claim=claims[0], person=people[0])

    updated = services.promotion_update(promotion=promotion, quantity=2)

    assert (updated.quantity, updated.remaining) == (2, 0)


def test_editing_other_fields_leaves_the_stock_alone(live_with_claims):
    promotion, _people, _claims = live_with_claims

    services.promotion_update(
        promotion=promotion, title="Bikes", ends_at=timezone.now() + datetime.timedelta(days=9)
    )

    assert Promotion.objects.values_list("title", "quantity", "remaining").get() == ("Bikes", 10, 7)


# --- Account requirements: the minimum account age ----------------------------------------------


def test_a_promotion_may_require_an_account_age_and_defaults_to_none(merchant):
    plain = services.promotion_create(merchant=merchant, **valid_fields())
    waiver = services.promotion_create(merchant=merchant, **valid_fields(min_account_age_days=30))

    assert (plain.min_account_age_days, waiver.min_account_age_days) == (0, 30)


@pytest.mark.parametrize("age", [-1, 366, None, "30", 2.5])
def test_an_account_age_outside_0_to_365_days_is_refused(merchant, age):
    assert refused(merchant, min_account_age_days=age) == {
        "min_account_age_days": ["Enter the minimum account age as a whole number of days from 0 to 365."]
    }
