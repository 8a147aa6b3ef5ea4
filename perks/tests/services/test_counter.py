"""perks/services/counter.py: checking a code at the counter; marking a trial returned, converted, overdue."""

import datetime
import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.models import AuditEntry
from perks import services
from perks.models import BenefitType, Category, Claim, CounterCheck, Promotion
from scoring.models import Bill

pytestmark = pytest.mark.django_db

# The station lounge: a first-class ticket or a platinum card, both checked at the counter.
LOUNGE = {
    "any": [{"counter": "ticket_class", "in": ["first"]}, {"counter": "membership_tier", "in": ["platinum"]}]
}


def stock(promotion: Promotion) -> tuple[int | None, int | None]:
    return Promotion.objects.values_list("quantity", "remaining").get(pk=promotion.pk)


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
