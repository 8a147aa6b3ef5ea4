"""The Idempotency-Key of POST /api/v1/perks/{id}/claim/ (issue 7), end to end through the API.

The rules, as perks/services.py implements them:
- A claim made with a key is remembered with the key and a fingerprint of the request (the
  promotion and the body). The same key again, from the same person, within 24 hours of that
  claim being stored, replays the first response: 201 with the same body (the same claim id
  and code), and claims nothing more, even once the perk has sold out or been paused since.
- The same key with another request (another body, or another promotion) is refused:
  422 ``idempotency_mismatch``, and nothing changes.
- Only claims are remembered. A refused request (sold out, limit reached...) changed nothing,
  so the same key after a refusal is simply evaluated afresh.
- Keys expire 24 hours after the claim was stored (``created_at``; exactly 24 hours is
  expired). An expired key no longer replays: a request with it is evaluated afresh, as if the
  key were new. If that request makes a claim, the key moves to the new claim (so it replays
  that one for the next 24 hours); if it is refused, nothing changes.
- Keys are per person (another person's identical key is another key), at most 100 visible
  ASCII characters; anything else is a 400 naming ``idempotency_key``.
"""

import datetime

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import Merchant
from accounts.services import api_token_issue
from perks import services
from perks.models import BenefitType, Category, Claim, Promotion

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(hours=24)


@pytest.fixture
def ann(make_consumer):
    """An opted-in consumer: opting in scores a person without history exactly 600."""
    return make_consumer("ann")


@pytest.fixture
def api(ann) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_issue(user=ann)}")
    return client


@pytest.fixture
def make_promotion(db):
    merchant = Merchant.objects.create(
        name="Hellobike", slug="hellobike", status=Merchant.Status.APPROVED, approved_at=timezone.now()
    )

    def make(**fields: object) -> Promotion:
        values: dict[str, object] = {
            "title": "Deposit-free bike",
            "category": Category.DEPOSIT_FREE,
            "benefit_type": BenefitType.PRIORITY,
            "min_score": 600,
            "quantity": 10,
            "per_user_limit": 1,
            "starts_at": timezone.now() - datetime.timedelta(days=1),
            "status": Promotion.Status.ACTIVE,
            **fields,
        }
        return services.promotion_create(merchant=merchant, **values)

    return make


def claim(api: APIClient, promotion: Promotion, key: str | None = None, body: str = ""):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key is not None else {}
    return api.post(
        f"/api/v1/perks/{promotion.pk}/claim/", data=body, content_type="application/json", **headers
    )


def stock(promotion: Promotion) -> int | None:
    return Promotion.objects.values_list("remaining", flat=True).get(pk=promotion.pk)


def age_claims(by: datetime.timedelta) -> None:
    """Make every claim (and so its key) as old as ``by``, as if that much time had passed."""
    Claim.objects.update(created_at=timezone.now() - by)


# Replays ------------------------------------------------------------------------------------


def test_the_same_key_replays_the_first_response_byte_for_byte_and_claims_nothing_more(api, make_promotion):
    promotion = make_promotion(per_user_limit=3)
    first = claim(api, promotion, "tap-1")

    again = [claim(api, promotion, "tap-1") for _retry in range(3)]

    assert first.status_code == 201
    assert [(response.status_code, response.content) for response in again] == [(201, first.content)] * 3
    body = first.json()
    assert list(Claim.objects.values_list("pk", "code")) == [(body["id"], body["code"])]
    assert stock(promotion) == 9


def test_a_replay_still_answers_201_once_the_perk_has_sold_out(api, make_promotion, make_consumer):
    promotion = make_promotion(quantity=1)
    first = claim(api, promotion, "tap-1")
    ben = APIClient()
    ben.credentials(HTTP_AUTHORIZATION=f"Token {api_token_issue(user=make_consumer('ben'))}")
    assert claim(ben, promotion).json()["code"] == "sold_out"

    again = claim(api, promotion, "tap-1")

    assert (again.status_code, again.content) == (201, first.content)
    assert (Claim.objects.count(), stock(promotion)) == (1, 0)


def test_a_replay_still_answers_201_once_the_perk_is_paused(api, make_promotion):
    promotion = make_promotion()
    first = claim(api, promotion, "tap-1")
    services.promotion_pause(promotion=promotion)

    again = claim(api, promotion, "tap-1")

    assert (again.status_code, again.content) == (201, first.content)
    assert Claim.objects.count() == 1


def test_without_the_key_a_retry_is_a_new_request(api, make_promotion):
    promotion = make_promotion()
    claim(api, promotion, "tap-1")

    again = claim(api, promotion)

    assert (again.status_code, again.json()["code"]) == (409, "limit_reached")
    assert Claim.objects.count() == 1


# Mismatches ---------------------------------------------------------------------------------


def test_the_same_key_with_another_body_is_422_and_changes_nothing(api, make_promotion):
    promotion = make_promotion(per_user_limit=3)
    first = claim(api, promotion, "tap-1", body='{"note": "first"}')

    again = claim(api, promotion, "tap-1", body='{"note": "second"}')

    assert first.status_code == 201
    assert again.status_code == 422
    assert again.json() == {
        "detail": "This Idempotency-Key was already used for a different request.",
        "code": "idempotency_mismatch",
    }
    assert (Claim.objects.count(), stock(promotion)) == (1, 9)


def test_the_same_key_on_another_promotion_is_422_and_changes_nothing(api, make_promotion):
    bikes = make_promotion(title="Bikes")
    cars = make_promotion(title="Cars")
    claim(api, bikes, "tap-1")

    again = claim(api, cars, "tap-1")

    assert (again.status_code, again.json()["code"]) == (422, "idempotency_mismatch")
    assert (Claim.objects.count(), stock(bikes), stock(cars)) == (1, 9, 10)


def test_a_refusal_is_not_remembered_so_the_same_key_is_evaluated_afresh(api, make_promotion):
    promotion = make_promotion()
    services.promotion_pause(promotion=promotion)
    refused = claim(api, promotion, "tap-1")
    services.promotion_resume(promotion=promotion)

    again = claim(api, promotion, "tap-1")

    assert (refused.status_code, refused.json()["code"]) == (409, "not_active")
    assert again.status_code == 201
    assert Claim.objects.get().idempotency_key == "tap-1"


@pytest.mark.parametrize(
    ("key", "message"),
    [
        ("k" * 101, "An idempotency key has at most 100 characters."),
        ("clé-1", "An idempotency key is made of visible ASCII characters."),
        ("tap\t1", "An idempotency key is made of visible ASCII characters."),
    ],
)
def test_a_malformed_key_is_400_naming_it_and_claims_nothing(api, make_promotion, key, message):
    promotion = make_promotion()

    response = claim(api, promotion, key)

    assert (response.status_code, response.json()) == (400, {"idempotency_key": [message]})
    assert (Claim.objects.count(), stock(promotion)) == (0, 10)


# Expiry -------------------------------------------------------------------------------------


def test_a_key_just_under_24_hours_old_still_replays(api, make_promotion):
    promotion = make_promotion(per_user_limit=3)
    first = claim(api, promotion, "tap-1")
    age_claims(DAY - datetime.timedelta(minutes=1))

    again = claim(api, promotion, "tap-1")

    assert (again.status_code, again.json()["id"]) == (201, first.json()["id"])
    assert (Claim.objects.count(), stock(promotion)) == (1, 9)


def test_a_key_24_hours_old_no_longer_replays_it_claims_afresh_and_moves_to_the_new_claim(
    api, make_promotion
):
    promotion = make_promotion(per_user_limit=3)
    first = claim(api, promotion, "tap-1").json()
    age_claims(DAY)

    again = claim(api, promotion, "tap-1")
    replay = claim(api, promotion, "tap-1")

    assert again.status_code == 201
    assert again.json()["id"] != first["id"]
    assert again.json()["code"] != first["code"]
    assert (replay.status_code, replay.content) == (201, again.content)
    assert dict(Claim.objects.values_list("pk", "idempotency_key")) == {
        first["id"]: None,
        again.json()["id"]: "tap-1",
    }
    assert stock(promotion) == 8


def test_an_expired_key_refused_afresh_changes_nothing(api, make_promotion):
    promotion = make_promotion(per_user_limit=1)
    first = claim(api, promotion, "tap-1").json()
    age_claims(DAY + datetime.timedelta(hours=1))

    again = claim(api, promotion, "tap-1")

    assert (again.status_code, again.json()["code"]) == (409, "limit_reached")
    assert list(Claim.objects.values_list("pk", "idempotency_key")) == [(first["id"], "tap-1")]
    assert stock(promotion) == 9


def test_an_expired_key_may_be_reused_for_another_request(api, make_promotion):
    bikes = make_promotion(title="Bikes")
    cars = make_promotion(title="Cars")
    claim(api, bikes, "tap-1")
    age_claims(DAY)

    again = claim(api, cars, "tap-1")

    assert again.status_code == 201
    assert again.json()["promotion"]["id"] == cars.pk
    assert (stock(bikes), stock(cars)) == (9, 9)
