"""perks/console/apis.py, the merchants' API: promotions, audiences, claims, the counter (shared/api.md)."""

import datetime
import json

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.services import api_token_issue
from perks import services
from perks.models import Claim, CounterCheck, Promotion
from perks.tests.factories import PersonFactory

pytestmark = pytest.mark.django_db

STEP_50 = (
    "min_score: must be a multiple of 50 (550, 600, 650, 700, 750 ...): a merchant may learn only which "
    "50-point bracket a score is in."
)

LOUNGE = {
    "any": [{"counter": "ticket_class", "in": ["first"]}, {"counter": "membership_tier", "in": ["platinum"]}]
}
PROMOTIONS = "/api/v1/merchant/promotions/"


def api_for(user) -> APIClient:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {api_token_issue(user=user)}")
    return api


@pytest.fixture
def staff(merchant_owner) -> APIClient:
    return api_for(merchant_owner)


@pytest.fixture
def other_staff(other_owner) -> APIClient:
    return api_for(other_owner)


def score_keys(data: object) -> list[str]:
    """Every key named "score" anywhere in a JSON document."""
    if isinstance(data, dict):
        return [key for key in data if key == "score"] + [
            k for value in data.values() for k in score_keys(value)
        ]
    if isinstance(data, list):
        return [key for item in data for key in score_keys(item)]
    return []


def new_promotion(**changes: object) -> dict[str, object]:
    payload: dict[str, object] = {
        "title": "Free 3-day test drive",
        "title_zh": "免费试驾三天",
        "category": "try_before_buy",
        "benefit_type": "trial",
        "trial_days": 3,
        "min_score": 750,
        "quantity": 20,
        "starts_at": "2026-12-01T09:00:00+08:00",
    }
    payload.update(changes)
    return payload


# Who may come in ----------------------------------------------------------------------------

MERCHANT_ENDPOINTS = [
    ("get", PROMOTIONS),
    ("post", PROMOTIONS),
    ("get", PROMOTIONS + "1/"),
    ("patch", PROMOTIONS + "1/"),
    ("get", PROMOTIONS + "1/audience/"),
    ("get", PROMOTIONS + "1/claims/"),
    ("post", "/api/v1/merchant/claims/1/mark/"),
    ("post", "/api/v1/merchant/verify/"),
]


@pytest.mark.parametrize(("method", "path"), MERCHANT_ENDPOINTS)
def test_consumers_get_403_on_merchant_endpoints(ann, method, path):
    response = getattr(api_for(ann), method)(path, {}, format="json")

    assert (response.status_code, response.json()["code"]) == (403, "permission_denied")


@pytest.mark.parametrize(("method", "path"), MERCHANT_ENDPOINTS)
def test_staff_of_a_pending_merchant_get_403(make_merchant_staff, method, path):
    pending = make_merchant_staff("hopeful", approved=False)

    assert getattr(api_for(pending), method)(path, {}, format="json").status_code == 403


@pytest.mark.parametrize(("method", "path"), MERCHANT_ENDPOINTS)
def test_anonymous_callers_get_401(method, path):
    assert getattr(APIClient(), method)(path, {}, format="json").status_code == 401


# Promotions ---------------------------------------------------------------------------------


def test_creating_a_promotion_answers_201_with_it(staff, merchant):
    response = staff.post(PROMOTIONS, new_promotion(), format="json")

    assert response.status_code == 201
    promotion = Promotion.objects.get()
    body = response.json()
    assert (promotion.merchant, promotion.status, promotion.remaining) == (merchant, "draft", 20)
    assert {key: body[key] for key in ("id", "title", "min_score", "quantity", "remaining", "status")} == {
        "id": promotion.pk,
        "title": "Free 3-day test drive",
        "min_score": 750,
        "quantity": 20,
        "remaining": 20,
        "status": "draft",
    }
    assert (body["amount"], body["per_user_limit"], body["conditions"], body["sellout_forecast"]) == (
        None,
        1,
        {},
        None,
    )


def test_money_goes_in_and_out_as_a_decimal_string(staff):
    response = staff.post(
        PROMOTIONS,
        new_promotion(benefit_type="credit_line", category="credit", trial_days=None, amount="20000"),
        format="json",
    )

    assert (response.status_code, response.json()["amount"]) == (201, "20000.00")


@pytest.mark.parametrize(
    ("changes", "errors"),
    [
        ({"min_score": 760}, {"min_score": [STEP_50]}),
        (
            {"min_score": 600, "tiers": [{"min_score": 640, "benefit": "Gift card level 640"}]},
            {"tiers": ["Tier 1: min_score must be a multiple of 50 (550, 600, 650, 700, 750 ...)."]},
        ),
        (
            {"conditions": {"attr": "dimension", "key": "credit_history", "gte": 60}},
            {
                "conditions": [
                    "At the root: 'gte' must be a multiple of 25 (0, 25, 50, 75 or 100): a merchant may "
                    "learn only a coarse bracket of a sub-score."
                ]
            },
        ),
        (
            {
                "conditions": {
                    "any": [
                        {"counter": "ticket_class", "in": ["first"]},
                        {"attr": "dimension", "key": "credit_history", "gte": 75},
                    ]
                }
            },
            {
                "conditions": [
                    "At the root: an 'any' may not mix online conditions with conditions checked at the "
                    "counter: the counter's answer would tell you which online condition the person met. "
                    "Put them in separate groups, or check both at the counter."
                ]
            },
        ),
    ],
)
def test_a_promotion_finer_than_a_coarse_bracket_is_refused_naming_the_field(staff, changes, errors):
    response = staff.post(PROMOTIONS, new_promotion(**changes), format="json")

    assert (response.status_code, response.json()) == (400, errors)
    assert Promotion.objects.count() == 0


def test_an_existing_promotion_cannot_be_moved_off_the_grid(staff, make_promotion):
    promotion = make_promotion(min_score=650)

    response = staff.patch(f"{PROMOTIONS}{promotion.pk}/", {"min_score": 660}, format="json")

    assert (response.status_code, response.json()) == (400, {"min_score": [STEP_50]})
    promotion.refresh_from_db()
    assert promotion.min_score == 650


def test_a_compound_condition_can_be_created(staff):
    response = staff.post(PROMOTIONS, new_promotion(min_score=650, conditions=LOUNGE), format="json")

    assert (response.status_code, response.json()["conditions"]) == (201, LOUNGE)


@pytest.mark.parametrize(
    ("changes", "errors"),
    [
        (
            {"min_score": 755},
            {"min_score": [STEP_50]},
        ),
        ({"min_score": 1000}, {"min_score": ["Enter a score threshold from 350 to 950."]}),
        ({"min_score": 10**40}, {"min_score": ["Enter a score threshold from 350 to 950."]}),
        ({"min_score": "high"}, {"min_score": ["A valid integer is required."]}),
        ({"min_score": None}, {"min_score": ["This field may not be null."]}),
        ({"quantity": -1}, {"quantity": ["The quantity cannot be negative."]}),
        ({"quantity": 10**40}, {"quantity": ["The quantity can be at most 1,000,000."]}),
        ({"ends_at": "2026-11-30T09:00:00+08:00"}, {"ends_at": ["The end must be after the start."]}),
        (
            {"starts_at": "tomorrow"},
            {
                "starts_at": [
                    "Datetime has wrong format. Use one of these formats instead: "
                    "YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z]."
                ]
            },
        ),
        ({"trial_days": None}, {"trial_days": ["A free trial needs its number of days."]}),
        (
            {"benefit_type": "deposit_waiver", "trial_days": None},
            {"amount": ["Enter the amount in RMB, more than 0."]},
        ),
        ({"amount": "1e400"}, {"amount": ["Enter an amount of at most ¥9,999,999,999.99."]}),
        ({"amount": "12.345"}, {"amount": ["Enter the amount with at most 2 decimal places."]}),
        ({"amount": "NaN"}, {"amount": ["A valid number is required."]}),
        ({"category": "😀"}, {"category": ['"😀" is not a valid choice.']}),
        ({"title": "x" * 121}, {"title": ["Ensure this field has no more than 120 characters."]}),
        ({"conditions": {"all": []}}, {"conditions": ["At the root: 'all' must not be empty."]}),
        (
            {"conditions": "platinum"},
            {"conditions": ['At the root: expected an object such as {"all": [...]} or {"attr": ...}.']},
        ),
        (
            {"tiers": [{"min_score": 700, "benefit": "x"}]},
            {"tiers": ["Tier 1: min_score must be at least the promotion's threshold (750)."]},
        ),
        ({"status": "paused"}, {"status": ["A new promotion starts as a draft or active."]}),
    ],
)
def test_bad_promotions_are_400_by_field(staff, changes, errors):
    response = staff.post(PROMOTIONS, new_promotion(**changes), format="json")

    assert (response.status_code, response.json()) == (400, errors)
    assert Promotion.objects.count() == 0


def test_a_deep_condition_tree_is_400(staff):
    tree: dict = {"attr": "membership_tier", "in": ["gold"]}
    for _level in range(200):
        tree = {"all": [tree]}

    response = staff.post(PROMOTIONS, new_promotion(conditions=tree), format="json")

    assert response.status_code == 400
    assert response.json()["conditions"][0].endswith("a condition tree may be at most 5 levels deep.")


def test_json_nested_past_the_parsers_limit_is_400(staff):
    body = '{"conditions": ' + "[" * 100_000 + "]" * 100_000 + "}"

    response = staff.post(PROMOTIONS, body, content_type="application/json")

    assert response.status_code == 400
    assert Promotion.objects.count() == 0


def test_a_list_body_is_400(staff):
    response = staff.post(PROMOTIONS, json.dumps([new_promotion()]), content_type="application/json")

    assert response.status_code == 400


def test_merchants_list_only_their_own_promotions(staff, make_promotion, other_merchant):
    mine = make_promotion(title="Mine")
    make_promotion(title="Theirs", merchant=other_merchant)

    body = staff.get(PROMOTIONS).json()

    assert [item["id"] for item in body["results"]] == [mine.pk]


def test_the_promotion_list_in_a_fixed_number_of_queries(
    staff, make_promotion, django_assert_max_num_queries
):
    for n in range(10):
        make_promotion(title=f"Perk {n}")

    with django_assert_max_num_queries(5):
        assert staff.get(PROMOTIONS).json()["count"] == 10


def test_another_merchants_promotion_is_404_everywhere(staff, make_promotion, other_merchant):
    theirs = make_promotion(merchant=other_merchant)
    base = f"{PROMOTIONS}{theirs.pk}/"

    statuses = [
        staff.get(base).status_code,
        staff.patch(base, {"title": "Mine now"}, format="json").status_code,
        staff.get(base + "audience/").status_code,
        staff.get(base + "claims/").status_code,
    ]

    assert statuses == [404, 404, 404, 404]
    assert Promotion.objects.get().title == "Deposit-free bike"


def test_patch_changes_fields(staff, make_promotion):
    promotion = make_promotion(quantity=10)

    response = staff.patch(f"{PROMOTIONS}{promotion.pk}/", {"min_score": 700, "quantity": 12}, format="json")

    assert response.status_code == 200
    assert {key: response.json()[key] for key in ("min_score", "quantity", "remaining")} == {
        "min_score": 700,
        "quantity": 12,
        "remaining": 12,
    }


@pytest.mark.parametrize(
    ("start", "to"),
    [
        ("draft", "active"),
        ("active", "paused"),
        ("paused", "active"),
        ("active", "ended"),
        ("paused", "ended"),
    ],
)
def test_patch_status_moves_along_the_life_cycle(staff, make_promotion, start, to):
    promotion = make_promotion()
    Promotion.objects.filter(pk=promotion.pk).update(status=start)

    response = staff.patch(f"{PROMOTIONS}{promotion.pk}/", {"status": to}, format="json")

    assert (response.status_code, response.json()["status"]) == (200, to)


@pytest.mark.parametrize(("start", "to"), [("draft", "paused"), ("ended", "active"), ("draft", "ended")])
def test_patch_to_a_status_it_cannot_reach_is_400(staff, make_promotion, start, to):
    promotion = make_promotion()
    Promotion.objects.filter(pk=promotion.pk).update(status=start)

    response = staff.patch(f"{PROMOTIONS}{promotion.pk}/", {"status": to}, format="json")

    assert (response.status_code, response.json()) == (
        400,
        {"status": [f"A promotion cannot go from {start} to {to}."]},
    )
    assert Promotion.objects.get().status == start


def test_a_refused_patch_changes_nothing(staff, make_promotion):
    promotion = make_promotion(quantity=10)

    response = staff.patch(f"{PROMOTIONS}{promotion.pk}/", {"title": "New", "quantity": -5}, format="json")

    assert (response.status_code, response.json()) == (
        400,
        {"quantity": ["The quantity cannot be negative."]},
    )
    assert Promotion.objects.values_list("title", "quantity").get() == ("Deposit-free bike", 10)


# Audience -----------------------------------------------------------------------------------


def test_the_audience_shape_and_counts(staff, make_promotion):
    promotion = make_promotion(min_score=650)
    PersonFactory.create_batch(12, profile__score=655)

    response = staff.get(f"{PROMOTIONS}{promotion.pk}/audience/")

    assert response.status_code == 200
    body = response.json()
    assert body["qualifying"] == 10
    assert body["histogram"][0] == {"from": 550, "to": 559, "count": None}
    assert {"from": 650, "to": 659, "count": 10} in body["histogram"]
    assert len(body["histogram"]) == 20
    assert body["unknown_conditions"] == []


def test_the_audience_applies_the_promotions_region_and_names_the_counter_checks(staff, make_promotion):
    promotion = make_promotion(
        min_score=650,
        regions=["zhejiang"],
        conditions={"counter": "membership_tier", "in": ["platinum"]},
    )
    PersonFactory.create_batch(12, profile__score=655, profile__region="zhejiang")
    PersonFactory.create_batch(30, profile__score=655, profile__region="beijing")

    body = staff.get(f"{PROMOTIONS}{promotion.pk}/audience/").json()

    assert body["qualifying"] == 10
    assert body["unknown_conditions"] == ["Platinum membership (checked at the counter)"]


def test_an_audience_under_ten_is_withheld(staff, make_promotion):
    promotion = make_promotion(min_score=650)
    PersonFactory.create_batch(9, profile__score=655)

    body = staff.get(f"{PROMOTIONS}{promotion.pk}/audience/").json()

    assert body["qualifying"] is None
    assert [bucket["count"] for bucket in body["histogram"]] == [None] * 20


# Claims and the counter ---------------------------------------------------------------------


@pytest.fixture
def claimed(make_promotion, ann):
    promotion = make_promotion(quantity=5, benefit_type="trial", trial_days=3, amount=None)
    return services.claim_create(promotion=promotion, person=ann)


def test_a_promotions_claims_carry_no_person_and_no_score(staff, claimed):
    response = staff.get(f"{PROMOTIONS}{claimed.promotion_id}/claims/")

    assert response.status_code == 200
    item = response.json()["results"][0]
    assert set(item) == {
        "id",
        "code",
        "status",
        "promotion",
        "benefit",
        "claimed_at",
        "pickup_deadline",
        "verified_at",
        "due_back",
        "closed_at",
    }
    assert score_keys(response.json()) == []


def test_claims_filter_by_status(staff, claimed, merchant):
    services.claim_hand_over(merchant=merchant, code=claimed.code)
    url = f"{PROMOTIONS}{claimed.promotion_id}/claims/"

    assert staff.get(url, {"status": "active"}).json()["count"] == 0
    assert staff.get(url, {"status": "in_use"}).json()["count"] == 1
    assert staff.get(url, {"status": "lost"}).status_code == 400


def test_the_claims_list_in_a_fixed_number_of_queries(
    staff, make_promotion, make_consumer, given_score, django_assert_max_num_queries
):
    promotion = make_promotion(quantity=50)
    for n in range(8):
        services.claim_create(promotion=promotion, person=given_score(make_consumer(f"p{n}"), 700))

    with django_assert_max_num_queries(6):
        assert staff.get(f"{PROMOTIONS}{promotion.pk}/claims/").json()["count"] == 8


def test_verifying_a_code_answers_what_the_counter_needs_and_uses_nothing(staff, claimed):
    response = staff.post("/api/v1/merchant/verify/", {"code": claimed.code}, format="json")

    assert response.status_code == 200
    assert response.json() == {
        "valid": True,
        "status": "active",
        "promotion": {"id": claimed.promotion_id, "title": "Deposit-free bike"},
        "benefit": "Free 3-day trial",
        "due_back": None,
        "reason": "",
        "at_counter": [],
    }
    claimed.refresh_from_db()
    assert (claimed.status, claimed.verified_at) == ("active", None)
    assert list(CounterCheck.objects.values_list("outcome", flat=True)) == ["checked"]


def test_handing_over_a_checked_code_uses_it_and_says_until_when_it_can_be_undone(staff, claimed, clock):
    frozen = clock.now
    response = staff.post("/api/v1/merchant/hand-over/", {"code": claimed.code}, format="json")

    assert response.status_code == 200
    assert response.json() == {
        "valid": True,
        "status": "in_use",
        "promotion": {"id": claimed.promotion_id, "title": "Deposit-free bike"},
        "benefit": "Free 3-day trial",
        "due_back": (timezone.localdate(frozen) + datetime.timedelta(days=3)).isoformat(),
        "reason": "",
        "at_counter": [],
        "claim": claimed.pk,
        "undo_until": timezone.localtime(frozen + datetime.timedelta(minutes=5)).isoformat(),
    }
    assert Claim.objects.get().status == "in_use"


def test_handing_over_another_merchants_code_answers_like_an_unknown_one_and_uses_nothing(
    other_staff, claimed
):
    response = other_staff.post("/api/v1/merchant/hand-over/", {"code": claimed.code}, format="json")

    assert (response.status_code, response.json()) == (200, {**UNKNOWN, "claim": None, "undo_until": None})
    assert Claim.objects.get().status == "active"


def test_a_hand_over_is_undone_within_five_minutes_through_the_api(staff, claimed, clock):
    staff.post("/api/v1/merchant/hand-over/", {"code": claimed.code}, format="json")
    clock.advance(minutes=4, seconds=59)
    response = staff.post(f"/api/v1/merchant/claims/{claimed.pk}/undo-hand-over/", format="json")

    assert response.status_code == 200
    assert (response.json()["status"], response.json()["verified_at"], response.json()["due_back"]) == (
        "active",
        None,
        None,
    )
    assert Claim.objects.get().status == "active"


def test_a_hand_over_cannot_be_undone_after_five_minutes(staff, claimed, clock):
    staff.post("/api/v1/merchant/hand-over/", {"code": claimed.code}, format="json")
    clock.advance(minutes=5)
    response = staff.post(f"/api/v1/merchant/claims/{claimed.pk}/undo-hand-over/", format="json")

    assert (response.status_code, response.json()) == (
        400,
        {"non_field_errors": ["A hand-over can be undone for 5 minutes only."]},
    )
    assert Claim.objects.get().status == "in_use"


def test_undoing_another_merchants_hand_over_is_404(staff, other_staff, claimed):
    staff.post("/api/v1/merchant/hand-over/", {"code": claimed.code}, format="json")

    response = other_staff.post(f"/api/v1/merchant/claims/{claimed.pk}/undo-hand-over/", format="json")

    assert response.status_code == 404
    assert Claim.objects.get().status == "in_use"


UNKNOWN = {
    "valid": False,
    "status": None,
    "promotion": None,
    "benefit": None,
    "due_back": None,
    "reason": "unknown",
    "at_counter": [],
}


@pytest.mark.parametrize("code", ["NOSUCHCODE", "", "😀😀😀", "' OR 1=1 --"])
def test_an_unknown_code_is_200_not_valid(staff, code):
    response = staff.post("/api/v1/merchant/verify/", {"code": code}, format="json")

    assert (response.status_code, response.json()) == (200, UNKNOWN)


def test_another_merchants_code_answers_exactly_like_an_unknown_one(other_staff, claimed):
    response = other_staff.post("/api/v1/merchant/verify/", {"code": claimed.code}, format="json")

    assert (response.status_code, response.json()) == (200, UNKNOWN)
    assert Claim.objects.get().status == "active"


@pytest.mark.parametrize(
    ("payload", "errors"),
    [
        ({}, {"code": ["This field is required."]}),
        ({"code": ["A", "B"]}, {"code": ["Not a valid string."]}),
        ({"code": "X" * 41}, {"code": ["Ensure this field has no more than 40 characters."]}),
        (
            {"code": "ABC", "counter_facts": {"ticket_class": "cattle"}},
            {"counter_facts": ["Unknown ticket class 'cattle'; use one of: first, business, second."]},
        ),
    ],
)
def test_bad_verify_requests_are_400(staff, payload, errors):
    response = staff.post("/api/v1/merchant/verify/", payload, format="json")

    assert (response.status_code, response.json()) == (400, errors)


def test_the_lounge_counter_states_the_ticket_class(staff, make_promotion, ann):
    claim = services.claim_create(promotion=make_promotion(conditions=LOUNGE), person=ann)

    asked = staff.post("/api/v1/merchant/verify/", {"code": claim.code}, format="json").json()
    answered = staff.post(
        "/api/v1/merchant/verify/",
        {"code": claim.code, "counter_facts": {"ticket_class": "first"}},
        format="json",
    ).json()
    handed = staff.post(
        "/api/v1/merchant/hand-over/",
        {"code": claim.code, "counter_facts": {"ticket_class": "first"}},
        format="json",
    ).json()

    assert (asked["valid"], asked["reason"], asked["at_counter"]) == (
        False,
        "check_needed",
        ["First-class ticket (checked at the counter)", "Platinum membership (checked at the counter)"],
    )
    assert (answered["valid"], answered["status"]) == (True, "active")
    assert (handed["valid"], handed["status"]) == (True, "used")


def test_the_counter_is_throttled(staff, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            "perks_verify": "60/min",
        },
    }
    statuses = [
        staff.post("/api/v1/merchant/verify/", {"code": f"GUESS{n}"}, format="json").status_code
        for n in range(61)
    ]

    assert statuses == [200] * 60 + [429]


def test_marking_a_trial_returned(staff, claimed, merchant):
    services.claim_hand_over(merchant=merchant, code=claimed.code)

    response = staff.post(
        f"/api/v1/merchant/claims/{claimed.pk}/mark/", {"status": "returned"}, format="json"
    )

    assert (response.status_code, response.json()["status"]) == (200, "returned")


def test_marking_an_active_claim_returned_is_400(staff, claimed):
    response = staff.post(
        f"/api/v1/merchant/claims/{claimed.pk}/mark/", {"status": "returned"}, format="json"
    )

    assert (response.status_code, response.json()) == (
        400,
        {"status": ["A claim that is active cannot be marked returned."]},
    )


def test_marking_another_merchants_claim_is_404(other_staff, claimed):
    response = other_staff.post(
        f"/api/v1/merchant/claims/{claimed.pk}/mark/", {"status": "returned"}, format="json"
    )

    assert response.status_code == 404
    assert CounterCheck.objects.count() == 0


def test_no_merchant_response_contains_a_score(staff, claimed, merchant, make_promotion):
    PersonFactory.create_batch(12, profile__score=760)
    promotion_url = f"{PROMOTIONS}{claimed.promotion_id}/"
    responses = [
        staff.get(PROMOTIONS),
        staff.post(PROMOTIONS, new_promotion(), format="json"),
        staff.get(promotion_url),
        staff.patch(promotion_url, {"title": "Renamed"}, format="json"),
        staff.get(promotion_url + "audience/"),
        staff.get(promotion_url + "claims/"),
        staff.post("/api/v1/merchant/verify/", {"code": claimed.code}, format="json"),
        staff.post("/api/v1/merchant/verify/", {"code": "UNKNOWN"}, format="json"),
        staff.post("/api/v1/merchant/hand-over/", {"code": claimed.code}, format="json"),
        staff.post(f"/api/v1/merchant/claims/{claimed.pk}/undo-hand-over/", format="json"),
        staff.post("/api/v1/merchant/hand-over/", {"code": claimed.code}, format="json"),
        staff.post(f"/api/v1/merchant/claims/{claimed.pk}/mark/", {"status": "converted"}, format="json"),
    ]

    assert [response.status_code for response in responses] == [200] + [201] + [200] * 10
    assert [score_keys(response.json()) for response in responses] == [[]] * 12


def test_the_minimum_account_age_is_set_and_shown_through_the_api(staff):
    created = staff.post(PROMOTIONS, new_promotion(min_account_age_days=30), format="json")
    changed = staff.patch(f"{PROMOTIONS}{created.json()['id']}/", {"min_account_age_days": 7}, format="json")
    refused = staff.patch(
        f"{PROMOTIONS}{created.json()['id']}/", {"min_account_age_days": 400}, format="json"
    )

    assert (created.status_code, created.json()["min_account_age_days"]) == (201, 30)
    assert (changed.status_code, changed.json()["min_account_age_days"]) == (200, 7)
    assert refused.status_code == 400
    assert refused.json() == {
        "min_account_age_days": ["Enter the minimum account age as a whole number of days from 0 to 365."]
    }
    assert Promotion.objects.get().min_account_age_days == 7
