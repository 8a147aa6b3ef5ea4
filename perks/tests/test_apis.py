"""perks/apis.py, the consumers' API: perks, claims and shares, per shared/api.md."""

import dataclasses
import datetime
import json
from decimal import Decimal

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import ConsumerProfile
from accounts.services import api_token_issue, api_tokens_revoke_all
from core.keys import key_hash
from perks import services
from perks.models import Claim, Promotion, Share
from scoring import engine
from scoring import services as scoring_services
from scoring.models import ScoreSnapshot
from scoring.services.scores import snapshot_row
from scoring.tests.engine.examples import TYPICAL

pytestmark = pytest.mark.django_db

LOUNGE = {
    "any": [{"counter": "ticket_class", "in": ["first"]}, {"counter": "membership_tier", "in": ["platinum"]}]
}


@pytest.fixture
def api_as():
    def client(user) -> APIClient:
        api = APIClient()
        api.credentials(HTTP_AUTHORIZATION=f"Token {api_token_issue(user=user)}")
        return api

    return client


@pytest.fixture
def anon() -> APIClient:
    return APIClient()


def claim_url(promotion_id: int) -> str:
    return f"/api/v1/perks/{promotion_id}/claim/"


def stock(promotion: Promotion) -> tuple[int | None, int | None]:
    return Promotion.objects.values_list("quantity", "remaining").get(pk=promotion.pk)


# GET /api/v1/perks/ -------------------------------------------------------------------------


def test_perks_list_each_live_promotion_with_my_eligibility(api_as, ann, make_promotion, merchant):
    bikes = make_promotion(title="Bikes", min_score=650, quantity=20)
    make_promotion(title="Cars", min_score=750, conditions=LOUNGE)

    response = api_as(ann).get("/api/v1/perks/")

    assert response.status_code == 200
    body = response.json()
    assert (body["count"], body["next"], body["previous"]) == (2, None, None)
    assert body["results"][0] == {
        "id": bikes.pk,
        "title": "Bikes",
        "title_zh": "",
        "description": "",
        "description_zh": "",
        "merchant": {"id": merchant.pk, "name": "Ford"},
        "category": "deposit_free",
        "benefit_type": "deposit_waiver",
        "benefit": "Deposit of ¥299.00 waived",
        "min_score": 650,
        "quantity": 20,
        "remaining": 20,
        "ends_at": None,
        "eligible": True,
        "points_away": 0,
        "unmet": [],
        "at_counter": [],
        "claims_left": 1,
        "score_reasons": [],
    }
    assert {key: body["results"][1][key] for key in ("eligible", "points_away", "unmet", "at_counter")} == {
        "eligible": False,
        "points_away": 50,
        "unmet": ["A score of 750 or more"],
        "at_counter": [
            "First-class ticket (checked at the counter)",
            "Platinum membership (checked at the counter)",
        ],
    }


def test_perks_need_a_login(anon):
    response = anon.get("/api/v1/perks/")

    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


# The token with its login, the promotions' version, the units the person holds, the person's
# eligibility facts and reasons; when the promotions changed, also the live promotions and the
# next start.
PERKS_QUERIES = 5
PERKS_QUERIES_PROMOTIONS_CHANGED = 7


def test_perks_list_in_a_fixed_number_of_queries(api_as, ann, make_promotion, django_assert_max_num_queries):
    api = api_as(ann)
    for n in range(3):
        make_promotion(title=f"Perk {n}", conditions=LOUNGE)
    with django_assert_max_num_queries(PERKS_QUERIES_PROMOTIONS_CHANGED):
        assert api.get("/api/v1/perks/").json()["count"] == 3
    for n in range(3, 15):
        make_promotion(title=f"Perk {n}", conditions={"attr": "dimension", "key": "identity", "gte": 25})

    with django_assert_max_num_queries(PERKS_QUERIES_PROMOTIONS_CHANGED):
        assert api.get("/api/v1/perks/").json()["count"] == 15
    with django_assert_max_num_queries(PERKS_QUERIES):
        assert api.get("/api/v1/perks/").json()["count"] == 15


# POST /api/v1/perks/{id}/claim/ -------------------------------------------------------------


def test_claiming_answers_201_with_the_claim(api_as, ann, make_promotion):
    promotion = make_promotion(title="Bikes", quantity=3)

    response = api_as(ann).post(claim_url(promotion.pk))

    assert response.status_code == 201
    claim = Claim.objects.get()
    body = response.json()
    assert set(body) >= {"id", "code", "status", "promotion", "claimed_at", "due_back"}
    assert (body["id"], body["code"], body["status"], body["due_back"]) == (
        claim.pk,
        claim.code,
        "active",
        None,
    )
    assert body["promotion"] == {
        "id": promotion.pk,
        "title": "Bikes",
        "merchant": {"id": promotion.merchant_id, "name": "Ford"},
    }
    assert stock(promotion) == (3, 2)


def test_not_eligible_is_403_with_the_unmet_conditions(api_as, make_consumer, given_score, make_promotion):
    promotion = make_promotion(min_score=750, quantity=3)
    bob = given_score(make_consumer("bob"), 690)

    response = api_as(bob).post(claim_url(promotion.pk))

    assert response.status_code == 403
    assert response.json() == {
        "detail": "You do not meet this promotion's conditions yet.",
        "code": "not_eligible",
        "unmet": ["A score of 750 or more"],
    }
    assert (Claim.objects.count(), stock(promotion)) == (0, (3, 3))


def test_not_opted_in_is_not_eligible(api_as, make_consumer, make_promotion):
    response = api_as(make_consumer("erin", opted_in=False)).post(claim_url(make_promotion().pk))

    assert (response.status_code, response.json()["code"], response.json()["unmet"]) == (
        403,
        "not_eligible",
        ["Opt in to scoring"],
    )


def test_a_person_without_a_verified_real_name_is_403_identity_required(
    api_as, make_consumer, make_promotion
):
    promotion = make_promotion(min_score=600, quantity=3)
    fresh = make_consumer("fresh", verified=False)

    response = api_as(fresh).post(claim_url(promotion.pk))

    assert response.status_code == 403
    assert response.json() == {
        "detail": "Verify your real name before you claim: one real person, one profile.",
        "code": "identity_required",
    }
    assert (Claim.objects.count(), stock(promotion)) == (0, (3, 3))


def test_the_perks_list_names_the_missing_verification(api_as, make_consumer, make_promotion):
    make_promotion(min_score=600)

    perk = api_as(make_consumer("fresh", verified=False)).get("/api/v1/perks/").json()["results"][0]

    assert (perk["eligible"], perk["unmet"]) == (False, ["Verify your real name"])


def test_merchant_staff_are_not_eligible(api_as, merchant_owner, make_promotion):
    response = api_as(merchant_owner).post(claim_url(make_promotion().pk))

    assert (response.status_code, response.json()["code"]) == (403, "not_eligible")


def test_sold_out_is_409(api_as, ann, make_promotion):
    promotion = make_promotion(quantity=0)

    response = api_as(ann).post(claim_url(promotion.pk))

    assert (response.status_code, response.json()["code"]) == (409, "sold_out")
    assert Claim.objects.count() == 0


def test_limit_reached_is_409(api_as, ann, make_promotion):
    promotion = make_promotion(quantity=5)
    api = api_as(ann)
    api.post(claim_url(promotion.pk))

    response = api.post(claim_url(promotion.pk))

    assert (response.status_code, response.json()["code"]) == (409, "limit_reached")
    assert (Claim.objects.count(), stock(promotion)) == (1, (5, 4))


def test_a_paused_promotion_is_409_not_active(api_as, ann, make_promotion):
    promotion = services.promotion_pause(promotion=make_promotion())

    response = api_as(ann).post(claim_url(promotion.pk))

    assert (response.status_code, response.json()["code"]) == (409, "not_active")


@pytest.mark.parametrize(
    "path", ["/api/v1/perks/999999/claim/", "/api/v1/perks/99999999999999999999999/claim/"]
)
def test_an_unknown_promotion_is_404(api_as, ann, path):
    assert api_as(ann).post(path).status_code == 404


def test_a_draft_is_404_to_consumers(api_as, ann, make_promotion):
    assert api_as(ann).post(claim_url(make_promotion(status="draft").pk)).status_code == 404


def test_the_same_idempotency_key_returns_the_first_claim(api_as, ann, make_promotion):
    promotion = make_promotion(quantity=5, per_user_limit=3)
    api = api_as(ann)

    first = api.post(claim_url(promotion.pk), HTTP_IDEMPOTENCY_KEY="retry-1")
    again = api.post(claim_url(promotion.pk), HTTP_IDEMPOTENCY_KEY="retry-1")

    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert (Claim.objects.count(), stock(promotion)) == (1, (5, 4))


def test_an_idempotency_key_reused_for_another_request_is_422(api_as, ann, make_promotion):
    api = api_as(ann)
    api.post(claim_url(make_promotion(title="One").pk), HTTP_IDEMPOTENCY_KEY="retry-1")

    response = api.post(claim_url(make_promotion(title="Two").pk), HTTP_IDEMPOTENCY_KEY="retry-1")

    assert (response.status_code, response.json()["code"]) == (422, "idempotency_mismatch")
    assert Claim.objects.count() == 1


def test_an_overlong_idempotency_key_is_400(api_as, ann, make_promotion):
    response = api_as(ann).post(claim_url(make_promotion().pk), HTTP_IDEMPOTENCY_KEY="k" * 500)

    assert response.status_code == 400
    assert response.json() == {"idempotency_key": ["An idempotency key has at most 100 characters."]}


# GET /api/v1/me/claims/ ---------------------------------------------------------------------


def test_my_claims_are_mine_with_who_checked_them(
    api_as, ann, make_consumer, given_score, make_promotion, merchant
):
    promotion = make_promotion(quantity=5)
    mine = services.claim_create(promotion=promotion, person=ann)
    services.claim_hand_over(merchant=merchant, code=mine.code)
    services.claim_create(promotion=promotion, person=given_score(make_consumer("ben"), 700))

    response = api_as(ann).get("/api/v1/me/claims/")

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    assert (body["results"][0]["code"], body["results"][0]["status"]) == (mine.code, "used")
    assert [
        (check["merchant"]["name"], check["outcome"]) for check in body["results"][0]["counter_checks"]
    ] == [("Ford", "verified")]


def test_my_claims_in_a_fixed_number_of_queries(
    api_as, ann, make_promotion, merchant, django_assert_max_num_queries
):
    api = api_as(ann)
    for n in range(12):
        claim = services.claim_create(promotion=make_promotion(title=f"Perk {n}"), person=ann)
        services.claim_hand_over(merchant=merchant, code=claim.code)

    with django_assert_max_num_queries(4):
        assert api.get("/api/v1/me/claims/").json()["count"] == 12


def test_cancelling_my_claim_returns_the_unit(api_as, ann, make_promotion):
    promotion = make_promotion(quantity=5)
    claim = services.claim_create(promotion=promotion, person=ann)

    response = api_as(ann).post(f"/api/v1/me/claims/{claim.pk}/cancel/")

    assert (response.status_code, response.json()["status"]) == (200, "cancelled")
    assert stock(promotion) == (5, 5)


def test_cancelling_someone_elses_claim_is_404(api_as, ann, make_consumer, make_promotion):
    claim = services.claim_create(promotion=make_promotion(), person=ann)

    response = api_as(make_consumer("mallory")).post(f"/api/v1/me/claims/{claim.pk}/cancel/")

    assert response.status_code == 404
    assert Claim.objects.get().status == "active"


# Shares -------------------------------------------------------------------------------------


def test_sharing_answers_201_with_a_link(api_as, ann):
    response = api_as(ann).post("/api/v1/me/shares/", {"show": "band", "expires_in_days": 30}, format="json")

    assert response.status_code == 201
    share = Share.objects.get()
    body = response.json()
    assert (body["id"], body["show"]) == (share.pk, "band")
    assert body["url"] == f"http://testserver/api/v1/shares/{body['token']}/"
    assert len(body["token"]) == 43
    # Only the token's hash is kept: the answer is its one showing, and is not cached.
    assert share.token_hash == key_hash(body["token"])
    assert response["Cache-Control"] == "private, no-store"


@pytest.mark.parametrize(
    ("payload", "errors"),
    [
        ({"show": "everything", "expires_in_days": 30}, {"show": ['"everything" is not a valid choice.']}),
        ({"show": "band", "expires_in_days": 0}, {"expires_in_days": ["A share lasts from 1 to 365 days."]}),
        (
            {"show": "band", "expires_in_days": 366},
            {"expires_in_days": ["A share lasts from 1 to 365 days."]},
        ),
        (
            {"show": "band", "expires_in_days": 10**40},
            {"expires_in_days": ["A share lasts from 1 to 365 days."]},
        ),
        ({"show": "band", "expires_in_days": "soon"}, {"expires_in_days": ["A valid integer is required."]}),
        ({"show": ["band"], "expires_in_days": 3}, {"show": ["\"['band']\" is not a valid choice."]}),
        ({}, {"show": ["This field is required."], "expires_in_days": ["This field is required."]}),
    ],
)
def test_bad_share_requests_are_400_by_field(api_as, ann, payload, errors):
    response = api_as(ann).post("/api/v1/me/shares/", payload, format="json")

    assert (response.status_code, response.json()) == (400, errors)
    assert Share.objects.count() == 0


def test_sharing_before_opting_in_is_403(api_as, make_consumer):
    response = api_as(make_consumer("erin", opted_in=False)).post(
        "/api/v1/me/shares/", {"show": "band", "expires_in_days": 3}, format="json"
    )

    assert (response.status_code, response.json()["code"]) == (403, "not_opted_in")
    assert Share.objects.count() == 0


def test_a_band_share_opens_without_a_login(api_as, anon, ann):
    token = (
        api_as(ann)
        .post("/api/v1/me/shares/", {"show": "band", "expires_in_days": 3}, format="json")
        .json()["token"]
    )

    response = anon.get(f"/api/v1/shares/{token}/")

    assert response.status_code == 200
    assert response.json() == {"band": "excellent", "as_of": timezone.localdate().isoformat()}


def test_a_score_share_shows_the_score(api_as, anon, ann):
    token = (
        api_as(ann)
        .post("/api/v1/me/shares/", {"show": "score", "expires_in_days": 3}, format="json")
        .json()["token"]
    )

    assert anon.get(f"/api/v1/shares/{token}/").json() == {
        "band": "excellent",
        "as_of": timezone.localdate().isoformat(),
        "score": 700,
    }


def test_a_share_opens_even_with_a_stale_token_header(ann):
    share = services.share_create(person=ann, show="band", expires_in_days=3)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")

    assert api.get(f"/api/v1/shares/{share.token}/").status_code == 200


def test_a_revoked_share_is_404(api_as, anon, ann):
    share = services.share_create(person=ann, show="score", expires_in_days=3)

    revoke = api_as(ann).delete(f"/api/v1/me/shares/{share.pk}/")

    assert revoke.status_code == 204
    assert anon.get(f"/api/v1/shares/{share.token}/").status_code == 404
    assert Share.objects.get().revoked_at is not None


def test_an_expired_share_is_404(anon, ann):
    share = services.share_create(person=ann, show="band", expires_in_days=1)
    Share.objects.filter(pk=share.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=3),
        expires_at=timezone.now() - datetime.timedelta(days=2),
    )

    assert anon.get(f"/api/v1/shares/{share.token}/").status_code == 404


def test_a_share_of_someone_who_opted_out_is_404(anon, ann):
    share = services.share_create(person=ann, show="band", expires_in_days=3)
    ConsumerProfile.objects.filter(user=ann).update(is_opted_in=False)

    assert anon.get(f"/api/v1/shares/{share.token}/").status_code == 404


@pytest.mark.parametrize("token", ["nope", "%F0%9F%98%80", "x" * 3000])
def test_an_unknown_share_token_is_404(anon, token):
    assert anon.get(f"/api/v1/shares/{token}/").status_code == 404


def test_revoking_someone_elses_share_is_404(api_as, ann, make_consumer):
    share = services.share_create(person=ann, show="band", expires_in_days=3)

    response = api_as(make_consumer("mallory")).delete(f"/api/v1/me/shares/{share.pk}/")

    assert response.status_code == 404
    assert Share.objects.get().revoked_at is None


def test_my_shares_are_listed(api_as, ann):
    share = services.share_create(person=ann, show="band", expires_in_days=3)

    body = api_as(ann).get("/api/v1/me/shares/").json()

    assert [item["id"] for item in body["results"]] == [share.pk]
    assert "token" not in body["results"][0]  # not kept, so never listed


# Malformed input ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ("{not json", 400),
        ("[" * 100_000 + "]" * 100_000, 400),
        (json.dumps({"show": "band", "expires_in_days": 3, "extra": "😀" * 1000}), 201),
        (json.dumps([1, 2, 3]), 400),
        (json.dumps("band"), 400),
        ("\udcff", 400),
    ],
)
def test_malformed_bodies_are_400_never_500(api_as, ann, body, status):
    response = api_as(ann).post(
        "/api/v1/me/shares/", body.encode("utf-8", "surrogatepass"), content_type="application/json"
    )

    assert response.status_code == status


# Account age ---------------------------------------------------------------------------------


def test_a_promotion_asking_for_an_older_account_says_so_and_refuses_the_claim(api_as, ann, make_promotion):
    # given a deposit waiver for accounts 30 days old, and ann's account made today
    waiver = make_promotion(title="Wheelchair", min_score=600, quantity=36, min_account_age_days=30)
    api = api_as(ann)

    # when she looks at it and claims it
    listed = api.get("/api/v1/perks/").json()["results"][0]
    claim = api.post(claim_url(waiver.pk))

    # then she is told the condition in words, and nothing is claimed
    assert {key: listed[key] for key in ("eligible", "points_away", "unmet")} == {
        "eligible": False,
        "points_away": 0,
        "unmet": ["Your account must be 30 days old"],
    }
    assert claim.status_code == 403
    assert claim.json() == {
        "detail": claim.json()["detail"],
        "code": "not_eligible",
        "unmet": ["Your account must be 30 days old"],
    }
    assert stock(waiver) == (36, 36)
    assert not Claim.objects.exists()


def test_an_account_old_enough_claims_the_promotion(api_as, ann, make_promotion):
    waiver = make_promotion(title="Wheelchair", min_score=600, quantity=36, min_account_age_days=30)
    type(ann).objects.filter(pk=ann.pk).update(date_joined=timezone.now() - datetime.timedelta(days=30))

    claim = api_as(ann).post(claim_url(waiver.pk))

    assert claim.status_code == 201
    assert stock(waiver) == (36, 35)


def test_a_perk_out_of_reach_names_the_reasons_that_matter_for_its_threshold(
    api_as, ann, make_promotion, given_score
):
    # Given ann's stored score and reasons as the engine gives them for her features (708)
    features = dataclasses.replace(
        TYPICAL, history_months=36, on_time_bills_24m=24, purchases_12m=60, credit_limit=Decimal(10000)
    )
    result = engine.compute(features, engine.validate_parameters(engine.DEFAULT_PARAMETERS))
    given_score(ann, result.score)
    row = snapshot_row(person_id=ann.pk, result=result, features=features)
    ScoreSnapshot.objects.filter(person=ann).update(reasons=row["reasons"])
    make_promotion(title="Cars", min_score=750)
    make_promotion(title="Bikes", min_score=650)

    body = api_as(ann).get("/api/v1/perks/").json()

    # 42 points away: late bills (30) and the balance (30) cover the gap, the rest do not matter
    bikes, cars = body["results"]
    assert (result.score, cars["points_away"]) == (708, 42)
    assert [(r["code"], r["direction"], r["points"]) for r in result_reasons(result)][:4] == [
        ("late_bills_12m", "lowers", 30),
        ("avg_balance_3m", "lowers", 30),
        ("active_days_90d", "lowers", 28),
        ("history_months", "lowers", 24),
    ]
    assert cars["score_reasons"] == [
        {
            "code": "late_bills_12m",
            "text": "1 bill paid late in the last 12 months",
            "direction": "lowers",
            "points": 30,
            "points_without_listing": None,
            "under_dispute": False,
        },
        {
            "code": "avg_balance_3m",
            "text": "Average balance of ¥5,000 over the last 3 months",
            "direction": "lowers",
            "points": 30,
            "points_without_listing": None,
            "under_dispute": False,
        },
    ]
    assert bikes["score_reasons"] == []


def result_reasons(result):
    return [{"code": r.code, "direction": r.direction, "points": r.points} for r in result.reasons]


# --- The perks list's caches: every change is seen on the very next request ---------------------

PERKS = "/api/v1/perks/"


def perk_titled(response, title: str) -> dict:
    return next(perk for perk in response.json()["results"] if perk["title"] == title)


def test_a_cached_perks_list_is_the_list_computed_afresh(
    derived_cache, api_as, ann, make_promotion, settings
):
    # given: the list cached by a first request
    make_promotion(title="Bikes", min_score=650)
    make_promotion(title="Lounge", min_score=800, conditions=LOUNGE)
    api = api_as(ann)
    first = api.get(PERKS).json()

    # when
    again = api.get(PERKS).json()
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    uncached = api.get(PERKS).json()

    # then
    assert again == first == uncached
    assert [perk["title"] for perk in first["results"]] == ["Bikes", "Lounge"]


def test_a_new_snapshot_opens_a_perk_on_the_next_request(
    derived_cache, api_as, ann, make_promotion, given_score
):
    # given: out of reach at 700, cached
    make_promotion(title="Lounge", min_score=750)
    api = api_as(ann)
    before = perk_titled(api.get(PERKS), "Lounge")

    # when: the score rises to 760
    given_score(ann, 760)
    after = perk_titled(api.get(PERKS), "Lounge")

    # then
    assert (before["eligible"], before["points_away"]) == (False, 50)
    assert (after["eligible"], after["points_away"]) == (True, 0)


def test_a_claim_moves_the_stock_and_the_claims_left_on_the_next_request(
    derived_cache, api_as, ann, make_consumer, given_score, make_promotion
):
    # given: the list cached by two people
    promotion = make_promotion(title="Bikes", quantity=5, per_user_limit=1)
    bo = given_score(make_consumer("bo"), 700)
    ann_api, bo_api = api_as(ann), api_as(bo)
    assert perk_titled(ann_api.get(PERKS), "Bikes")["claims_left"] == 1
    assert perk_titled(bo_api.get(PERKS), "Bikes")["remaining"] == 5

    # when: Ann claims
    assert ann_api.post(f"/api/v1/perks/{promotion.pk}/claim/").status_code == 201

    # then: Ann has none left, and Bo sees the unit gone
    ann_after, bo_after = perk_titled(ann_api.get(PERKS), "Bikes"), perk_titled(bo_api.get(PERKS), "Bikes")
    assert (ann_after["claims_left"], ann_after["remaining"]) == (0, 4)
    assert (bo_after["claims_left"], bo_after["remaining"]) == (1, 4)


def test_a_new_or_ended_promotion_is_seen_on_the_next_request(derived_cache, api_as, ann, make_promotion):
    # given
    bikes = make_promotion(title="Bikes")
    api = api_as(ann)
    assert [perk["title"] for perk in api.get(PERKS).json()["results"]] == ["Bikes"]

    # when
    make_promotion(title="Umbrellas", min_score=600)
    with_new = [perk["title"] for perk in api.get(PERKS).json()["results"]]
    services.promotion_end(promotion=bikes)
    after_end = [perk["title"] for perk in api.get(PERKS).json()["results"]]

    # then
    assert with_new == ["Umbrellas", "Bikes"]
    assert after_end == ["Umbrellas"]


def test_a_promotion_leaves_the_list_when_its_end_passes(derived_cache, api_as, ann, make_promotion, clock):
    # given: a promotion ending in a minute and one starting in two, the list cached
    make_promotion(title="Bikes", ends_at=clock.now + datetime.timedelta(minutes=1))
    make_promotion(title="Umbrellas", min_score=600, starts_at=clock.now + datetime.timedelta(minutes=2))
    api = api_as(ann)
    at_first = [perk["title"] for perk in api.get(PERKS).json()["results"]]

    # when: time passes, nothing is written
    clock.advance(minutes=1)
    after_end = [perk["title"] for perk in api.get(PERKS).json()["results"]]
    clock.advance(minutes=1)
    after_start = [perk["title"] for perk in api.get(PERKS).json()["results"]]

    # then
    assert (at_first, after_end, after_start) == (["Bikes"], [], ["Umbrellas"])


def test_an_opt_out_is_seen_on_the_next_request(derived_cache, api_as, ann, make_promotion):
    # given
    make_promotion(title="Bikes", min_score=650)
    api = api_as(ann)
    assert perk_titled(api.get(PERKS), "Bikes")["eligible"] is True

    # when
    scoring_services.consumer_opt_out(person=ann)
    after = perk_titled(api.get(PERKS), "Bikes")

    # then
    assert (after["eligible"], after["points_away"]) == (False, None)


def test_the_perks_follow_the_language_of_each_request(derived_cache, api_as, ann, make_promotion):
    # given: an unmet condition, its words cached in English
    make_promotion(title="Lounge", min_score=650, conditions={"attr": "region", "in": ["beijing"]})
    api = api_as(ann)
    english = perk_titled(api.get(PERKS, HTTP_ACCEPT_LANGUAGE="en"), "Lounge")

    # when
    chinese = perk_titled(api.get(PERKS, HTTP_ACCEPT_LANGUAGE="zh-hans"), "Lounge")

    # then
    assert english["unmet"] and chinese["unmet"]
    assert chinese["unmet"] != english["unmet"]
    assert chinese["benefit"] != english["benefit"]


def test_a_revoked_token_is_refused_on_the_next_perks_request(derived_cache, ann, make_promotion):
    # given: the list cached for this token's person
    make_promotion(title="Bikes")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {api_token_issue(user=ann)}")
    assert api.get(PERKS).status_code == 200

    # when
    api_tokens_revoke_all(user=ann)
    response = api.get(PERKS)

    # then
    assert response.status_code == 401
