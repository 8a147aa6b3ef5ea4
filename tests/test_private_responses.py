"""Responses of every app (core/middleware.py): no cache keeps a person's score or data."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from accounts import services as account_services
from perks import services as perks_services

pytestmark = pytest.mark.django_db


def private_and_not_stored(response) -> bool:
    directives = {part.strip() for part in response["Cache-Control"].split(",")}
    return {"private", "no-store"} <= directives and "public" not in directives


@pytest.fixture
def ann(make_consumer):
    return make_consumer("ann")


@pytest.fixture
def ann_api(ann):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {account_services.api_token_issue(user=ann)}")
    return client


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/me/score/",
        "/api/v1/me/score/history/",
        "/api/v1/me/claims/",
        "/api/v1/me/shares/",
        "/api/v1/perks/",
    ],
)
def test_every_token_authenticated_api_answer_is_private_and_not_stored(ann_api, path):
    response = ann_api.get(path)

    assert response.status_code == 200
    assert private_and_not_stored(response)


def test_a_new_share_and_an_opt_in_answer_are_private_and_not_stored(ann_api):
    share = ann_api.post("/api/v1/me/shares/", {"show": "score", "expires_in_days": 3}, format="json")
    opt_in = ann_api.post("/api/v1/me/opt-in/")

    assert (share.status_code, opt_in.status_code) == (201, 200)
    assert private_and_not_stored(share)
    assert private_and_not_stored(opt_in)


def test_an_error_answer_to_a_signed_in_person_is_private_and_not_stored(ann_api):
    response = ann_api.get("/api/v1/merchant/promotions/")

    assert response.status_code == 403
    assert private_and_not_stored(response)


@pytest.mark.parametrize(
    "name",
    [
        "scoring:dashboard",
        "perks:list",
        "perks:my_claims",
        "perks:shares",
        "privacy:data",
        "home",
    ],
)
def test_every_page_of_a_signed_in_person_is_private_and_not_stored(client, ann, name):
    client.force_login(ann)

    response = client.get(reverse(name))

    assert response.status_code == 200
    assert private_and_not_stored(response)


def test_the_merchant_console_is_private_and_not_stored(client, make_merchant_staff):
    client.force_login(make_merchant_staff("ford"))

    response = client.get(reverse("perks:console"))

    assert response.status_code == 200
    assert private_and_not_stored(response)


def test_a_shared_score_is_private_and_not_stored_without_any_login(client, ann):
    share = perks_services.share_create(person=ann, show="score", expires_in_days=3)

    page = client.get(reverse("perks:share_public", args=[share.token]))
    api = APIClient().get(f"/api/v1/shares/{share.token}/")

    assert (page.status_code, api.status_code) == (200, 200)
    assert private_and_not_stored(page)
    assert private_and_not_stored(api)


def test_an_anonymous_page_stays_cacheable(client):
    response = client.get(reverse("home"))

    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")
