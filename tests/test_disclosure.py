"""What a merchant learns from a claim is only a coarse bracket: two people in the same bracket
are indistinguishable in every output a merchant can read.

Two people claim the same promotion (750 or more, a tier from 800, a credit-history condition
and the station lounge's counter checks): Ann scores 752 with a credit history of 80 and is a
platinum member online; Ben scores 798 with 97 and is a standard member. Each claims in turn,
in a savepoint rolled back afterwards, at the same frozen moment, and every merchant-facing
output is collected: the merchant API (promotions, claims, the counter before and after the
counter's checks), the console (home, promotion, claims list, CSV, claim page, counter) and
the webhook payloads. Masked of what the person reveals by showing it (the claim's code and
id), Ann's outputs and Ben's are equal. Cleo, at 801, reaches the tier: hers differ, which
shows the comparison can tell.
"""

import datetime
import json
from decimal import Decimal
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import ConsumerProfile, MembershipTier, User
from core.bands import Band
from perks import demo, services, webhooks
from perks.models import BenefitType, Category, Claim, Promotion, WebhookDelivery
from scoring.models import ScoreSnapshot, ScoringModel
from tests.leaks import masked, shows

pytestmark = pytest.mark.django_db

FROZEN = datetime.datetime(2026, 5, 4, 10, 30, tzinfo=datetime.UTC)
CONDITIONS = {"all": [{"attr": "dimension", "key": "credit_history", "gte": 75}, demo.LOUNGE]}
TIERS = [{"min_score": 800, "benefit": "Deposit waived and a ¥50 voucher", "benefit_zh": "免押金并赠50元券"}]


def _person(make_consumer: Any, name: str, score: int, credit_history: int, tier: str) -> User:
    person = make_consumer(name)
    ConsumerProfile.objects.filter(user=person).update(
        score=score, score_as_of=timezone.localdate(), membership_tier=tier
    )
    ScoreSnapshot.objects.update_or_create(
        person=person,
        as_of=timezone.localdate(),
        defaults={
            "score": score,
            "band": Band.for_score(score),
            "model": ScoringModel.objects.get(is_active=True),
            "credit_history": credit_history,
            "fulfilment_capacity": 50,
            "behaviour": 50,
            "identity": 50,
            "connections": 50,
        },
    )
    return person


@pytest.fixture
def scene(make_consumer, make_merchant_staff, throttle_rates, monkeypatch):
    throttle_rates(perks_verify="1000/min")
    staff = make_merchant_staff("ford")
    merchant = staff.merchant_staff.merchant
    promotion = services.promotion_create(
        merchant=merchant,
        title="Bike without deposit",
        category=Category.DEPOSIT_FREE,
        benefit_type=BenefitType.DEPOSIT_WAIVER,
        amount=Decimal("199.00"),
        min_score=750,
        tiers=TIERS,
        conditions=CONDITIONS,
        quantity=10,
        starts_at=FROZEN - datetime.timedelta(days=3),
        status=Promotion.Status.ACTIVE,
    )
    webhooks.webhook_endpoint_create(merchant=merchant, url="https://hooks.ford.example/events", actor=staff)
    people = {
        "ann": _person(make_consumer, "ann_claimant", 752, 80, MembershipTier.PLATINUM),
        "ben": _person(make_consumer, "ben_claimant", 798, 97, MembershipTier.STANDARD),
        "cleo": _person(make_consumer, "cleo_claimant", 801, 80, MembershipTier.STANDARD),
    }
    # Every claim is made and checked at the same moment, so dates cannot tell claims apart.
    monkeypatch.setattr(timezone, "now", lambda: FROZEN)
    return staff, promotion, people


def merchant_outputs(staff: User, promotion: Promotion, person: User) -> dict[str, str]:
    """Everything the merchant can read once ``person`` has claimed, with code and id masked."""
    api, console = Client(), Client()
    api.force_login(staff)
    console.force_login(staff)
    outputs: dict[str, str] = {}
    with transaction.atomic():
        claim = services.claim_create(promotion=promotion, person=person)
        code, pk = claim.code, claim.pk

        def api_get(name: str, **kwargs: Any) -> str:
            return api.get(reverse(name, kwargs=kwargs)).content.decode()

        def verify(**facts: str) -> str:
            body = {"code": code, **({"counter_facts": facts} if facts else {})}
            return api.post(
                reverse("api:merchant-verify"), json.dumps(body), content_type="application/json"
            ).content.decode()

        def page(name: str, **kwargs: Any) -> str:
            return console.get(reverse(name, kwargs=kwargs)).content.decode()

        outputs["api promotions"] = api_get("api:merchant-promotions")
        outputs["api promotion"] = api_get("api:merchant-promotion", pk=promotion.pk)
        outputs["api claims (active)"] = api_get("api:merchant-promotion-claims", pk=promotion.pk)
        outputs["console claims (active)"] = page("perks:console_claims", pk=promotion.pk)
        outputs["console csv (active)"] = page("perks:console_claims_csv", pk=promotion.pk)
        outputs["console claim (active)"] = page("perks:console_claim", pk=pk)
        outputs["api counter, unchecked"] = verify()
        outputs["console counter, unchecked"] = console.post(
            reverse("perks:console_verify"), {"code": code}
        ).content.decode()
        outputs["api counter, second class"] = verify(ticket_class="second", membership_tier="gold")
        outputs["api counter, first class"] = verify(ticket_class="first")
        outputs["api counter, again"] = verify()
        outputs["console counter, again"] = console.post(
            reverse("perks:console_verify"), {"code": code}
        ).content.decode()
        outputs["api claims (used)"] = api_get("api:merchant-promotion-claims", pk=promotion.pk)
        outputs["console claims (used)"] = page("perks:console_claims", pk=promotion.pk)
        outputs["console csv (used)"] = page("perks:console_claims_csv", pk=promotion.pk)
        outputs["console claim (used)"] = page("perks:console_claim", pk=pk)
        outputs["console home"] = page("perks:console")
        outputs["console promotion"] = page("perks:console_promotion", pk=promotion.pk)
        outputs["webhook payloads"] = json.dumps(
            list(WebhookDelivery.objects.order_by("pk").values_list("event", "payload")), sort_keys=True
        )
        transaction.set_rollback(True)
    return {
        where: masked(
            text,
            {
                code: "<code>",
                f"/claims/{pk}/": "/claims/<id>/",
                f'"id":{pk},"code"': '"id":<id>,"code"',
                f'"id": {pk}, "pickup_deadline"': '"id": <id>, "pickup_deadline"',
                f"{pk},{code},": "<id>,<code>,",
                person.username: "<person>",
            },
        )
        for where, text in outputs.items()
    }


def test_two_people_in_the_same_bracket_look_the_same_to_the_merchant(scene):
    staff, promotion, people = scene

    ann = merchant_outputs(staff, promotion, people["ann"])
    ben = merchant_outputs(staff, promotion, people["ben"])

    differing = [where for where in ann if ann[where] != ben[where]]
    assert differing == []
    assert Claim.objects.count() == 0  # each run was rolled back


def test_what_the_counter_says_is_the_same_whatever_the_persons_online_facts(scene):
    staff, promotion, people = scene

    ann = merchant_outputs(staff, promotion, people["ann"])

    assert json.loads(ann["api counter, unchecked"]) == {
        "valid": False,
        "status": "active",
        "promotion": {"id": promotion.pk, "title": "Bike without deposit"},
        "benefit": "Deposit of ¥199.00 waived",
        "due_back": None,
        "reason": "check_needed",
        "at_counter": [
            "First-class ticket (checked at the counter)",
            "Platinum membership (checked at the counter)",
        ],
    }
    assert json.loads(ann["api counter, first class"])["valid"] is True


def test_no_output_shows_a_score_or_a_sub_score_of_theirs(scene):
    staff, promotion, people = scene

    outputs = {
        **merchant_outputs(staff, promotion, people["ann"]),
        **merchant_outputs(staff, promotion, people["ben"]),
    }

    assert [where for where, text in outputs.items() if shows(text, 752) or shows(text, 798)] == []
    assert [where for where, text in outputs.items() if shows(text, 97)] == []


def test_a_person_in_another_bracket_is_told_apart_so_the_comparison_can_fail(scene):
    staff, promotion, people = scene

    ben = merchant_outputs(staff, promotion, people["ben"])
    cleo = merchant_outputs(staff, promotion, people["cleo"])

    assert "Deposit waived and a ¥50 voucher" in cleo["api claims (active)"]
    assert ben["api claims (active)"] != cleo["api claims (active)"]
