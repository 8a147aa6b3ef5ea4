"""perks/services/claims.py: eligibility, stock, limits, idempotency, cancel and expiry."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts import services as account_services
from accounts.models import MembershipTier
from perks import services
from perks.exceptions import (
    IdempotencyMismatch,
    IdentityRequired,
    LimitReached,
    NotActive,
    NotEligible,
    SoldOut,
)
from perks.models import BenefitType, Claim, Promotion
from scoring import services as scoring_services

pytestmark = pytest.mark.django_db

# The station lounge: a first-class ticket or a platinum card, both checked at the counter.
LOUNGE = {
    "any": [{"counter": "ticket_class", "in": ["first"]}, {"counter": "membership_tier", "in": ["platinum"]}]
}


def stock(promotion: Promotion) -> tuple[int | None, int | None]:
    return Promotion.objects.values_list("quantity", "remaining").get(pk=promotion.pk)


# Claiming -----------------------------------------------------------------------------------


def test_an_eligible_person_claims_a_unit(make_promotion, ann):
    promotion = make_promotion(min_score=700, quantity=5)
    before = timezone.now()

    claim = services.claim_create(promotion=promotion, person=ann)

    assert (claim.status, claim.person, claim.promotion) == ("active", ann, promotion)
    assert claim.benefit == "Deposit of ¥299.00 waived"
    assert len(claim.code) == 10
    assert set(claim.code) <= set(services.CODE_ALPHABET)
    assert (
        before + datetime.timedelta(days=7)
        <= claim.pickup_deadline
        <= timezone.now() + datetime.timedelta(days=7)
    )
    assert (claim.due_back, claim.verified_at) == (None, None)
    assert stock(promotion) == (5, 4)


def test_a_claim_needs_a_verified_real_name(make_promotion, make_consumer, given_score):
    promotion = make_promotion(min_score=600, quantity=5)
    pending = given_score(make_consumer("pending", verified=False), 700)
    account_services.identity_submit(user=pending, legal_name="Li Na", id_number="11010519491231002X")

    with pytest.raises(IdentityRequired):
        services.claim_create(promotion=promotion, person=pending)

    assert (Claim.objects.count(), stock(promotion)) == (0, (5, 5))


def test_the_per_person_limit_counts_the_real_person_across_logins(
    make_promotion, make_consumer, given_score
):
    # given: a person claimed once with one login, whose verification staff then withdrew ...
    promotion = make_promotion(min_score=600, quantity=5, per_user_limit=1)
    number = "11010519491231002X"
    first_login = given_score(make_consumer("first", verified=False), 700)
    identity = account_services.identity_submit(user=first_login, legal_name="Li Na", id_number=number)
    account_services.identity_decide(identity=identity, verified=True, decided_by="test")
    services.claim_create(promotion=promotion, person=first_login)
    account_services.identity_decide(identity=identity, verified=False, decided_by="staff:admin")
    # ... and who verified a second login with the same number
    second_login = given_score(make_consumer("second", verified=False), 700)
    again = account_services.identity_submit(user=second_login, legal_name="Li Na", id_number=number)
    account_services.identity_decide(identity=again, verified=True, decided_by="test")

    # when / then: the second login has nothing left to claim
    with pytest.raises(LimitReached):
        services.claim_create(promotion=promotion, person=second_login)
    assert (Claim.objects.count(), stock(promotion)) == (1, (5, 4))


def test_different_people_have_limits_of_their_own(make_promotion, make_consumer, given_score):
    promotion = make_promotion(min_score=600, quantity=5, per_user_limit=1)
    one, other = given_score(make_consumer("one"), 700), given_score(make_consumer("other"), 700)

    services.claim_create(promotion=promotion, person=one)
    services.claim_create(promotion=promotion, person=other)

    assert stock(promotion) == (5, 3)


def test_the_threshold_is_inclusive(make_promotion, make_consumer, given_score):
    promotion = make_promotion(min_score=650)
    exactly = given_score(make_consumer("exactly"), 650)

    assert services.claim_create(promotion=promotion, person=exactly).status == "active"


def test_codes_are_unique_and_unpredictable(make_promotion, make_consumer, given_score):
    promotion = make_promotion(min_score=600)
    codes = {
        services.claim_create(promotion=promotion, person=given_score(make_consumer(f"p{n}"), 700)).code
        for n in range(20)
    }

    assert len(codes) == 20


@pytest.mark.parametrize(
    ("benefit_type", "extra", "benefit"),
    [
        (BenefitType.TRIAL, {"trial_days": 3}, "Free 3-day trial"),
        (BenefitType.DEPOSIT_WAIVER, {"amount": Decimal("299")}, "Deposit of ¥299.00 waived"),
        (BenefitType.CREDIT_LINE, {"amount": Decimal("20000")}, "Credit line up to ¥20,000.00"),
        (BenefitType.PRIORITY, {}, "Priority service"),
        (BenefitType.ACCESS, {}, "Access"),
    ],
)
def test_the_claim_states_its_benefit(make_promotion, ann, benefit_type, extra, benefit):
    promotion = make_promotion(**{"benefit_type": benefit_type, "amount": None, **extra})

    assert services.claim_create(promotion=promotion, person=ann).benefit == benefit


def test_the_claim_gets_the_highest_tier_the_score_reaches(make_promotion, make_consumer, given_score):
    tiers = [
        {"min_score": 550, "benefit": "Free library card, no down payment"},
        {"min_score": 700, "benefit": "Borrow with just your ID"},
    ]
    promotion = make_promotion(min_score=550, benefit_type=BenefitType.ACCESS, amount=None, tiers=tiers)
    low = given_score(make_consumer("low"), 560)
    high = given_score(make_consumer("high"), 720)

    assert (
        services.claim_create(promotion=promotion, person=low).benefit == "Free library card, no down payment"
    )
    assert services.claim_create(promotion=promotion, person=high).benefit == "Borrow with just your ID"


def test_below_the_threshold_is_not_eligible_and_nothing_changes(make_promotion, make_consumer, given_score):
    promotion = make_promotion(min_score=750, quantity=5)
    bob = given_score(make_consumer("bob"), 740)

    with pytest.raises(NotEligible) as caught:
        services.claim_create(promotion=promotion, person=bob)

    assert caught.value.unmet == ["A score of 750 or more"]
    assert Claim.objects.count() == 0
    assert stock(promotion) == (5, 5)


def test_a_person_not_opted_in_is_not_eligible(make_promotion, make_consumer):
    promotion = make_promotion(min_score=350)
    erin = make_consumer("erin", opted_in=False)

    with pytest.raises(NotEligible) as caught:
        services.claim_create(promotion=promotion, person=erin)

    assert caught.value.unmet == ["Opt in to scoring"]
    assert Claim.objects.count() == 0


def test_a_person_who_opted_out_is_not_eligible(make_promotion, ann):
    promotion = make_promotion(min_score=350)
    scoring_services.consumer_opt_out(person=ann)

    with pytest.raises(NotEligible) as caught:
        services.claim_create(promotion=promotion, person=ann)

    assert caught.value.unmet == ["Opt in to scoring"]


def test_a_blacklisted_person_is_not_eligible_whatever_the_score(make_promotion, ann, blacklist):
    promotion = make_promotion(min_score=350, quantity=5)
    blacklist(ann)

    with pytest.raises(NotEligible) as caught:
        services.claim_create(promotion=promotion, person=ann)

    assert caught.value.unmet == ["Not on the court blacklist"]
    assert Claim.objects.count() == 0
    assert stock(promotion) == (5, 5)


@pytest.mark.parametrize(
    "entry",
    [
        {"lifted_on": timezone.localdate() - datetime.timedelta(days=1), "lift_reason": "settled"},
        {"ban_until": timezone.localdate() - datetime.timedelta(days=1)},
        {"listed_on": timezone.localdate() + datetime.timedelta(days=3)},
    ],
)
def test_a_lifted_ended_or_future_listing_does_not_bar(make_promotion, ann, blacklist, entry):
    promotion = make_promotion(min_score=350)
    blacklist(ann, **entry)

    assert services.claim_create(promotion=promotion, person=ann).status == "active"


def test_unmet_conditions_are_named(make_promotion, ann):
    promotion = make_promotion(
        min_score=650,
        conditions={"attr": "membership_tier", "in": ["gold", "platinum"]},
        regions=["zhejiang"],
    )

    with pytest.raises(NotEligible) as caught:
        services.claim_create(promotion=promotion, person=ann)

    assert caught.value.unmet == ["Living in Zhejiang", "Gold membership or Platinum membership"]


def test_every_lounge_claim_keeps_the_same_counter_checks_whatever_the_persons_tier(
    make_promotion, ann, set_tier, make_consumer, given_score
):
    # The counter's checks follow from the promotion alone: a platinum member online and a
    # standard one leave the counter the same question, so it learns nothing of their tier.
    promotion = make_promotion(min_score=650, conditions=LOUNGE, per_user_limit=1)
    set_tier(ann, MembershipTier.PLATINUM)
    ben = given_score(make_consumer("ben"), 700)

    platinum = services.claim_create(promotion=promotion, person=ann)
    standard = services.claim_create(promotion=promotion, person=ben)

    assert platinum.counter_conditions == standard.counter_conditions == LOUNGE


def test_a_claim_keeps_only_the_counter_part_of_its_conditions(make_promotion, ann, given_score):
    given_score(ann, 700, credit_history=80)
    tree = {"all": [{"attr": "dimension", "key": "credit_history", "gte": 75}, LOUNGE]}

    claim = services.claim_create(promotion=make_promotion(conditions=tree), person=ann)

    assert claim.counter_conditions == LOUNGE


@pytest.mark.parametrize("status", ["draft", "paused", "ended"])
def test_a_promotion_that_is_not_running_cannot_be_claimed(make_promotion, ann, status):
    promotion = make_promotion(quantity=5)
    Promotion.objects.filter(pk=promotion.pk).update(status=status)

    with pytest.raises(NotActive):
        services.claim_create(promotion=promotion, person=ann)

    assert Claim.objects.count() == 0
    assert stock(promotion) == (5, 5)


@pytest.mark.parametrize(
    "window",
    [
        {"starts_at": timezone.now() + datetime.timedelta(days=1)},
        {"starts_at": timezone.now() - datetime.timedelta(days=9), "ends_at": timezone.now()},
    ],
)
def test_a_promotion_outside_its_window_cannot_be_claimed(make_promotion, ann, window):
    promotion = make_promotion()
    Promotion.objects.filter(pk=promotion.pk).update(**window)

    with pytest.raises(NotActive):
        services.claim_create(promotion=promotion, person=ann)


def test_a_suspended_merchants_promotion_cannot_be_claimed(make_promotion, ann, merchant):
    promotion = make_promotion()
    merchant.status = "suspended"
    merchant.save(update_fields=["status"])

    with pytest.raises(NotActive):
        services.claim_create(promotion=promotion, person=ann)


def test_the_last_unit_goes_and_then_it_is_sold_out(make_promotion, make_consumer, given_score):
    promotion = make_promotion(quantity=1)
    first = given_score(make_consumer("first"), 700)
    second = given_score(make_consumer("second"), 700)
    services.claim_create(promotion=promotion, person=first)

    with pytest.raises(SoldOut):
        services.claim_create(promotion=promotion, person=second)

    assert Claim.objects.count() == 1
    assert stock(promotion) == (1, 0)


def test_a_quantity_of_zero_is_sold_out_from_the_start(make_promotion, ann):
    with pytest.raises(SoldOut):
        services.claim_create(promotion=make_promotion(quantity=0), person=ann)


def test_an_unlimited_promotion_never_sells_out(make_promotion, make_consumer, given_score):
    promotion = make_promotion(quantity=None)

    for n in range(5):
        services.claim_create(promotion=promotion, person=given_score(make_consumer(f"p{n}"), 700))

    assert Claim.objects.count() == 5
    assert stock(promotion) == (None, None)


def test_the_per_person_limit_holds(make_promotion, ann):
    promotion = make_promotion(quantity=5, per_user_limit=2)
    services.claim_create(promotion=promotion, person=ann)
    services.claim_create(promotion=promotion, person=ann)

    with pytest.raises(LimitReached):
        services.claim_create(promotion=promotion, person=ann)

    assert Claim.objects.count() == 2
    assert stock(promotion) == (5, 3)


def test_a_cancelled_claim_frees_the_persons_limit(make_promotion, ann):
    promotion = make_promotion(per_user_limit=1)
    services.claim_cancel(claim=services.claim_create(promotion=promotion, person=ann), person=ann)

    assert services.claim_create(promotion=promotion, person=ann).status == "active"


# Idempotency --------------------------------------------------------------------------------


def test_the_same_key_returns_the_first_claim_and_claims_nothing_more(make_promotion, ann):
    promotion = make_promotion(quantity=5, per_user_limit=3)
    first = services.claim_create(promotion=promotion, person=ann, idempotency_key="k-1", fingerprint="f")

    again = services.claim_create(promotion=promotion, person=ann, idempotency_key="k-1", fingerprint="f")

    assert again.pk == first.pk
    assert Claim.objects.count() == 1
    assert stock(promotion) == (5, 4)


def test_a_replay_returns_the_claim_even_once_sold_out(make_promotion, ann):
    promotion = make_promotion(quantity=1)
    first = services.claim_create(promotion=promotion, person=ann, idempotency_key="k-1")

    assert services.claim_create(promotion=promotion, person=ann, idempotency_key="k-1").pk == first.pk


def test_the_same_key_for_a_different_request_is_a_mismatch(make_promotion, ann):
    promotion = make_promotion(quantity=5, per_user_limit=3)
    services.claim_create(promotion=promotion, person=ann, idempotency_key="k-1", fingerprint="one")

    with pytest.raises(IdempotencyMismatch):
        services.claim_create(promotion=promotion, person=ann, idempotency_key="k-1", fingerprint="two")

    assert Claim.objects.count() == 1
    assert stock(promotion) == (5, 4)


def test_the_same_key_for_another_promotion_is_a_mismatch(make_promotion, ann):
    services.claim_create(promotion=make_promotion(title="One"), person=ann, idempotency_key="k-1")

    with pytest.raises(IdempotencyMismatch):
        services.claim_create(promotion=make_promotion(title="Two"), person=ann, idempotency_key="k-1")

    assert Claim.objects.count() == 1


def test_keys_are_per_person(make_promotion, ann, make_consumer, given_score):
    promotion = make_promotion()
    ben = given_score(make_consumer("ben"), 700)

    mine = services.claim_create(promotion=promotion, person=ann, idempotency_key="k-1")
    theirs = services.claim_create(promotion=promotion, person=ben, idempotency_key="k-1")

    assert mine.pk != theirs.pk


def test_an_overlong_key_is_refused(make_promotion, ann):
    with pytest.raises(ValidationError) as caught:
        services.claim_create(promotion=make_promotion(), person=ann, idempotency_key="k" * 101)

    assert caught.value.message_dict == {
        "idempotency_key": ["An idempotency key has at most 100 characters."]
    }
    assert Claim.objects.count() == 0


# Cancel and expiry --------------------------------------------------------------------------


def test_cancelling_returns_the_unit(make_promotion, ann):
    promotion = make_promotion(quantity=5)
    claim = services.claim_create(promotion=promotion, person=ann)

    cancelled = services.claim_cancel(claim=claim, person=ann)

    assert (cancelled.status, cancelled.closed_at is not None) == ("cancelled", True)
    assert stock(promotion) == (5, 5)


def test_only_an_unused_claim_can_be_cancelled(make_promotion, ann, merchant):
    promotion = make_promotion(quantity=5)
    claim = services.claim_create(promotion=promotion, person=ann)
    services.claim_hand_over(merchant=merchant, code=claim.code)

    with pytest.raises(ValidationError) as caught:
        services.claim_cancel(claim=claim, person=ann)

    assert caught.value.message_dict == {
        "status": ["Only an unused claim can be cancelled; this one is used."]
    }
    assert stock(promotion) == (5, 4)


def test_nobody_cancels_another_persons_claim(make_promotion, ann, make_consumer):
    claim = services.claim_create(promotion=make_promotion(quantity=5), person=ann)

    with pytest.raises(ValidationError):
        services.claim_cancel(claim=claim, person=make_consumer("mallory"))

    assert Claim.objects.get().status == "active"


def test_expiry_marks_claims_past_pickup_and_returns_their_units(
    make_promotion, ann, make_consumer, given_score
):
    promotion = make_promotion(quantity=5, pickup_days=2)
    stale = services.claim_create(promotion=promotion, person=ann)
    fresh = services.claim_create(promotion=promotion, person=given_score(make_consumer("ben"), 700))
    Claim.objects.filter(pk=stale.pk).update(pickup_deadline=timezone.now() - datetime.timedelta(minutes=1))

    expired = services.claims_expire()

    assert expired == 1
    assert dict(Claim.objects.values_list("pk", "status")) == {stale.pk: "expired", fresh.pk: "active"}
    assert stock(promotion) == (5, 4)


def test_expiry_is_idempotent(make_promotion, ann):
    promotion = make_promotion(quantity=5)
    services.claim_create(promotion=promotion, person=ann)
    later = timezone.now() + datetime.timedelta(days=8)

    assert services.claims_expire(now=later) == 1
    assert services.claims_expire(now=later) == 0
    assert stock(promotion) == (5, 5)


def test_expiry_leaves_unlimited_stock_unlimited(make_promotion, ann):
    promotion = make_promotion(quantity=None)
    services.claim_create(promotion=promotion, person=ann)

    services.claims_expire(now=timezone.now() + datetime.timedelta(days=8))

    assert stock(promotion) == (None, None)


def test_expiry_works_in_batches(make_promotion, make_consumer, given_score):
    promotion = make_promotion(quantity=10)
    for n in range(5):
        services.claim_create(promotion=promotion, person=given_score(make_consumer(f"p{n}"), 700))

    assert services.claims_expire(now=timezone.now() + datetime.timedelta(days=8), batch_size=2) == 5
    assert stock(promotion) == (10, 10)
