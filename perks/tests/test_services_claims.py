"""perks/services.py, claims: eligibility, stock, limits, idempotency, cancel, expiry, counter, marks."""

import datetime
import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import MembershipTier
from core.models import AuditEntry
from perks import services
from perks.exceptions import IdempotencyMismatch, LimitReached, NotActive, NotEligible, SoldOut
from perks.models import BenefitType, Category, Claim, CounterCheck, Promotion
from scoring import services as scoring_services
from scoring.models import Bill

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


# The counter --------------------------------------------------------------------------------


@pytest.fixture
def trial(make_promotion):
    return make_promotion(
        title="Test drive",
        category=Category.TRY_BEFORE_BUY,
        benefit_type=BenefitType.TRIAL,
        trial_days=3,
        amount=None,
        quantity=20,
        min_score=650,
    )


def test_verifying_a_trial_puts_it_in_use_and_sets_its_due_date(trial, ann, merchant):
    claim = services.claim_create(promotion=trial, person=ann)

    result = services.claim_hand_over(merchant=merchant, code=claim.code)

    claim.refresh_from_db()
    assert (result.valid, result.status, result.benefit) == (True, "in_use", "Free 3-day trial")
    assert result.promotion == trial
    assert claim.due_back == timezone.localdate() + datetime.timedelta(days=3) == result.due_back
    assert claim.verified_at is not None
    assert list(CounterCheck.objects.values_list("claim", "merchant", "outcome")) == [
        (claim.pk, merchant.pk, "verified")
    ]


def test_verifying_other_benefits_uses_them_up(make_promotion, ann, merchant):
    claim = services.claim_create(promotion=make_promotion(), person=ann)

    result = services.claim_hand_over(merchant=merchant, code=claim.code)

    assert (result.valid, result.status, result.due_back) == (True, "used", None)
    assert Claim.objects.get().closed_at is not None


def test_codes_are_read_forgivingly(make_promotion, ann, merchant):
    claim = services.claim_create(promotion=make_promotion(), person=ann)
    typed = f" {claim.code[:5].lower()}-{claim.code[5:]} "

    assert services.claim_hand_over(merchant=merchant, code=typed).valid is True


def test_a_code_verifies_only_once(make_promotion, ann, merchant):
    claim = services.claim_create(promotion=make_promotion(), person=ann)
    services.claim_hand_over(merchant=merchant, code=claim.code)

    again = services.claim_hand_over(merchant=merchant, code=claim.code)

    assert (again.valid, again.reason, again.status) == (False, "not_active", "used")
    assert list(CounterCheck.objects.order_by("pk").values_list("outcome", flat=True)) == [
        "verified",
        "not_valid",
    ]


@pytest.mark.parametrize("code", ["NOSUCHCODE", "", "😀" * 30, "x" * 5000])
def test_an_unknown_code_is_not_valid_and_reveals_nothing(merchant, code):
    result = services.claim_hand_over(merchant=merchant, code=code)

    assert (result.valid, result.reason, result.status, result.promotion, result.benefit) == (
        False,
        "unknown",
        None,
        None,
        None,
    )
    assert CounterCheck.objects.count() == 0


def test_another_merchants_code_looks_exactly_like_an_unknown_one(make_promotion, ann, other_merchant):
    claim = services.claim_create(promotion=make_promotion(), person=ann)

    result = services.claim_hand_over(merchant=other_merchant, code=claim.code)

    assert result == services.CounterResult(valid=False, reason="unknown")
    assert Claim.objects.get().status == "active"
    assert list(CounterCheck.objects.values_list("merchant", "outcome")) == [
        (other_merchant.pk, "wrong_merchant")
    ]


def test_a_claim_past_its_pickup_deadline_expires_at_the_counter(make_promotion, ann, merchant):
    promotion = make_promotion(quantity=5)
    claim = services.claim_create(promotion=promotion, person=ann)
    Claim.objects.filter(pk=claim.pk).update(pickup_deadline=timezone.now() - datetime.timedelta(seconds=1))

    result = services.claim_hand_over(merchant=merchant, code=claim.code)

    assert (result.valid, result.status) == (False, "expired")
    assert stock(promotion) == (5, 5)


def test_the_lounge_counter_must_see_the_ticket_of_a_standard_member(make_promotion, ann, merchant):
    claim = services.claim_create(promotion=make_promotion(conditions=LOUNGE), person=ann)

    unchecked = services.claim_hand_over(merchant=merchant, code=claim.code)
    second_class = services.claim_hand_over(
        merchant=merchant,
        code=claim.code,
        counter_facts={"ticket_class": "second", "membership_tier": "gold"},
    )
    first_class = services.claim_hand_over(
        merchant=merchant, code=claim.code, counter_facts={"ticket_class": "first"}
    )

    assert (unchecked.valid, unchecked.reason, unchecked.at_counter) == (
        False,
        "check_needed",
        ["First-class ticket (checked at the counter)", "Platinum membership (checked at the counter)"],
    )
    assert (second_class.valid, second_class.reason, second_class.status) == (
        False,
        "conditions_unmet",
        "active",
    )
    assert (first_class.valid, first_class.status) == (True, "used")
    assert list(CounterCheck.objects.order_by("pk").values_list("outcome", flat=True)) == [
        "check_needed",
        "conditions_unmet",
        "verified",
    ]


def test_the_lounge_counter_lets_a_platinum_card_in_without_a_ticket_check(make_promotion, ann, merchant):
    claim = services.claim_create(promotion=make_promotion(conditions=LOUNGE), person=ann)

    result = services.claim_hand_over(
        merchant=merchant, code=claim.code, counter_facts={"membership_tier": "platinum"}
    )

    assert (result.valid, result.status) == (True, "used")


def _query_shapes(context: CaptureQueriesContext, code: str) -> list[str]:
    """The SQL run, with the code, the moment of the check and savepoint names masked."""
    masks = [(r"\d{4}-\d{2}-\d{2}[ T][0-9:.]+(\+00:00)?", "<now>"), (r'"s\d+_x\d+"', "<savepoint>")]
    shapes = []
    for query in context.captured_queries:
        sql = query["sql"].replace(code, "<code>")
        for pattern, mask in masks:
            sql = re.sub(pattern, mask, sql)
        shapes.append(sql)
    return shapes


def test_an_unknown_code_and_another_merchants_code_run_the_same_queries(make_promotion, ann, other_merchant):
    # The same statements in the same order: the counter cannot time one against the other.
    claim = services.claim_create(promotion=make_promotion(), person=ann)
    unknown_code = "Z" * len(claim.code)

    with CaptureQueriesContext(connection) as unknown:
        unknown_result = services.claim_hand_over(merchant=other_merchant, code=unknown_code)
    with CaptureQueriesContext(connection) as foreign:
        foreign_result = services.claim_hand_over(merchant=other_merchant, code=claim.code)

    assert unknown_result == foreign_result == services.CounterResult(valid=False, reason="unknown")
    assert _query_shapes(unknown, unknown_code) == _query_shapes(foreign, claim.code)
    assert len(unknown.captured_queries) == len(foreign.captured_queries)


def test_unknown_counter_facts_are_refused(merchant):
    with pytest.raises(ValidationError) as caught:
        services.claim_hand_over(merchant=merchant, code="ABC", counter_facts={"ticket_class": "cattle"})

    assert caught.value.message_dict == {
        "counter_facts": ["Unknown ticket class 'cattle'; use one of: first, business, second."]
    }


# Check, then hand over, then (for a few minutes) undo ----------------------------------------


def test_checking_a_valid_code_changes_nothing_about_the_claim(trial, ann, merchant):
    claim = services.claim_create(promotion=trial, person=ann)

    result = services.claim_check(merchant=merchant, code=claim.code)

    claim.refresh_from_db()
    assert (result.valid, result.status, result.benefit, result.due_back) == (
        True,
        "active",
        "Free 3-day trial",
        None,
    )
    assert (claim.status, claim.verified_at, claim.due_back, claim.closed_at) == ("active", None, None, None)
    assert list(CounterCheck.objects.values_list("merchant", "outcome")) == [(merchant.pk, "checked")]
    assert AuditEntry.objects.filter(action__startswith="claim.hand_over").count() == 0


def test_checking_an_unknown_and_a_foreign_code_run_the_same_queries(make_promotion, ann, other_merchant):
    claim = services.claim_create(promotion=make_promotion(), person=ann)
    unknown_code = "Z" * len(claim.code)

    with CaptureQueriesContext(connection) as unknown:
        unknown_result = services.claim_check(merchant=other_merchant, code=unknown_code)
    with CaptureQueriesContext(connection) as foreign:
        foreign_result = services.claim_check(merchant=other_merchant, code=claim.code)

    assert unknown_result == foreign_result == services.CounterResult(valid=False, reason="unknown")
    assert _query_shapes(unknown, unknown_code) == _query_shapes(foreign, claim.code)


def test_a_hand_over_is_audited_with_its_actor(trial, ann, merchant, merchant_owner):
    claim = services.claim_create(promotion=trial, person=ann)

    services.claim_hand_over(merchant=merchant, code=claim.code, actor=merchant_owner)

    assert list(AuditEntry.objects.filter(action="claim.hand_over").values_list("actor", "target_id")) == [
        (merchant_owner.pk, str(claim.pk))
    ]


def test_undoing_a_hand_over_makes_the_claim_active_again(trial, ann, merchant, merchant_owner, clock):
    claim = services.claim_create(promotion=trial, person=ann)
    services.claim_hand_over(merchant=merchant, code=claim.code)
    clock.advance(minutes=4, seconds=59)

    undone = services.claim_hand_over_undo(merchant=merchant, claim=claim, actor=merchant_owner)

    claim.refresh_from_db()
    assert (undone.status, claim.status, claim.verified_at, claim.due_back, claim.closed_at) == (
        "active",
        "active",
        None,
        None,
        None,
    )
    assert stock(trial) == (20, 19)
    outcomes = list(CounterCheck.objects.order_by("pk").values_list("outcome", flat=True))
    assert outcomes == ["verified", "undone"]
    assert AuditEntry.objects.filter(action="claim.hand_over_undo", actor=merchant_owner).count() == 1
    assert services.claim_check(merchant=merchant, code=claim.code).valid is True


def test_a_used_benefit_is_undone_too(make_promotion, ann, merchant):
    claim = services.claim_create(promotion=make_promotion(), person=ann)
    services.claim_hand_over(merchant=merchant, code=claim.code)

    undone = services.claim_hand_over_undo(merchant=merchant, claim=claim)

    assert (undone.status, undone.closed_at) == ("active", None)


def test_a_hand_over_is_not_undone_after_five_minutes(trial, ann, merchant, clock):
    claim = services.claim_create(promotion=trial, person=ann)
    services.claim_hand_over(merchant=merchant, code=claim.code)
    clock.advance(minutes=5)

    with pytest.raises(ValidationError) as caught:
        services.claim_hand_over_undo(merchant=merchant, claim=claim)

    assert caught.value.messages == ["A hand-over can be undone for 5 minutes only."]
    assert Claim.objects.get().status == "in_use"
    assert CounterCheck.objects.filter(outcome="undone").count() == 0


def test_a_claim_not_handed_over_cannot_be_undone(trial, ann, merchant):
    claim = services.claim_create(promotion=trial, person=ann)

    with pytest.raises(ValidationError) as caught:
        services.claim_hand_over_undo(merchant=merchant, claim=claim)

    assert caught.value.messages == ["Only a claim just handed over can be undone; this one is active."]
    assert Claim.objects.get().status == "active"


def test_a_returned_trial_cannot_be_undone(trial, ann, merchant):
    claim = services.claim_create(promotion=trial, person=ann)
    services.claim_hand_over(merchant=merchant, code=claim.code)
    services.claim_mark(merchant=merchant, claim=claim, status="returned")

    with pytest.raises(ValidationError):
        services.claim_hand_over_undo(merchant=merchant, claim=claim)

    assert Claim.objects.get().status == "returned"


def test_another_merchant_cannot_undo_a_hand_over(trial, ann, merchant, other_merchant):
    claim = services.claim_create(promotion=trial, person=ann)
    services.claim_hand_over(merchant=merchant, code=claim.code)

    with pytest.raises(ValidationError) as caught:
        services.claim_hand_over_undo(merchant=other_merchant, claim=claim)

    assert caught.value.messages == ["This claim is not for one of your promotions."]
    assert Claim.objects.get().status == "in_use"


def test_an_undo_past_the_pickup_deadline_expires_the_claim_and_returns_its_unit(trial, ann, merchant, clock):
    claim = services.claim_create(promotion=trial, person=ann)
    services.claim_hand_over(merchant=merchant, code=claim.code)
    Claim.objects.filter(pk=claim.pk).update(pickup_deadline=clock.now + datetime.timedelta(minutes=1))
    clock.advance(minutes=2)

    undone = services.claim_hand_over_undo(merchant=merchant, claim=claim)

    assert undone.status == "expired"
    assert stock(trial) == (20, 20)


# After the counter: returned, converted, overdue --------------------------------------------


@pytest.fixture
def in_use(trial, ann, merchant):
    claim = services.claim_create(promotion=trial, person=ann)
    services.claim_hand_over(merchant=merchant, code=claim.code)
    claim.refresh_from_db()
    return claim


@pytest.mark.parametrize("status", ["returned", "converted"])
def test_a_trial_in_use_is_returned_or_converted(in_use, merchant, status):
    marked = services.claim_mark(merchant=merchant, claim=in_use, status=status)

    assert (marked.status, marked.closed_at is not None) == (status, True)
    assert Bill.objects.count() == 0


def past_due(claim: Claim, days: int) -> None:
    Claim.objects.filter(pk=claim.pk).update(due_back=timezone.localdate() - datetime.timedelta(days=days))
    claim.refresh_from_db()


def test_an_overdue_trial_issues_a_late_credit_line_bill_after_the_grace_period(
    in_use, merchant, ann, django_capture_on_commit_callbacks
):
    past_due(in_use, 1)

    with django_capture_on_commit_callbacks() as callbacks:
        marked = services.claim_mark(merchant=merchant, claim=in_use, status="overdue")

    bill = Bill.objects.get()
    assert marked.status == "overdue"
    assert (bill.person, bill.kind, bill.issuer, bill.paid_on) == (ann, "credit_line", "Ford", None)
    assert bill.due_on == in_use.due_back + datetime.timedelta(days=services.OVERDUE_GRACE_DAYS)
    assert bill.amount == services.OVERDUE_NOMINAL_AMOUNT
    assert bill.reference == f"perks-claim:{in_use.code}"
    assert len(callbacks) == 1  # the person's recompute, queued after commit


def test_the_bill_carries_the_trials_item_value_when_it_has_one(make_promotion, ann, merchant):
    phone = make_promotion(benefit_type=BenefitType.TRIAL, trial_days=30, amount=Decimal("2999.00"))
    claim = services.claim_create(promotion=phone, person=ann)
    services.claim_hand_over(merchant=merchant, code=claim.code)
    past_due(claim, 1)

    services.claim_mark(merchant=merchant, claim=claim, status="overdue")

    assert Bill.objects.get().amount == Decimal("2999.00")


def test_a_trial_is_not_overdue_on_its_due_date(in_use, merchant):
    past_due(in_use, 0)

    with pytest.raises(ValidationError) as caught:
        services.claim_mark(merchant=merchant, claim=in_use, status="overdue")

    assert caught.value.message_dict == {"status": ["A trial is overdue only after its due date."]}
    assert (Claim.objects.get().status, Bill.objects.count()) == ("in_use", 0)


def test_returned_within_the_grace_period_the_bill_is_withdrawn(in_use, merchant):
    past_due(in_use, 2)
    services.claim_mark(merchant=merchant, claim=in_use, status="overdue")

    services.claim_mark(merchant=merchant, claim=in_use, status="returned")

    assert (Claim.objects.get().status, Bill.objects.count()) == ("returned", 0)


def test_returned_after_the_grace_period_the_bill_is_settled_late(in_use, merchant):
    past_due(in_use, 5)
    services.claim_mark(merchant=merchant, claim=in_use, status="overdue")

    services.claim_mark(merchant=merchant, claim=in_use, status="returned")

    bill = Bill.objects.get()
    assert bill.paid_on == timezone.localdate()
    assert bill.is_late is True


@pytest.mark.parametrize(
    ("status", "message"),
    [
        ("used", "Mark a claim as returned, converted or overdue."),
        ("returned", "A claim that is active cannot be marked returned."),
    ],
)
def test_only_sensible_marks_are_allowed(trial, ann, merchant, status, message):
    claim = services.claim_create(promotion=trial, person=ann)

    with pytest.raises(ValidationError) as caught:
        services.claim_mark(merchant=merchant, claim=claim, status=status)

    assert caught.value.message_dict == {"status": [message]}
    assert Claim.objects.get().status == "active"


def test_a_merchant_marks_only_its_own_claims(in_use, other_merchant):
    with pytest.raises(ValidationError):
        services.claim_mark(merchant=other_merchant, claim=in_use, status="returned")

    assert Claim.objects.get().status == "in_use"
