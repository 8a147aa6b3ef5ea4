"""Tests for accounts/apis.py: POST /api/v1/auth/register/ and POST /api/v1/auth/token/."""

import pytest
from rest_framework.test import APIClient

from accounts import services
from accounts.models import ApiToken, ConsumerProfile, User

pytestmark = pytest.mark.django_db

REGISTER = "/api/v1/auth/register/"
TOKEN = "/api/v1/auth/token/"
PASSWORD = "a-Long-pass-950"
REQUIRED = ["This field is required."]


@pytest.fixture
def client() -> APIClient:
    return APIClient()


@pytest.fixture
def ann() -> User:
    return services.consumer_register(username="ann", email="ann@example.com", password=PASSWORD)


# --- register ---------------------------------------------------------------------------------


def test_register_creates_a_consumer_and_answers_201_with_id_and_username(client):
    # when
    response = client.post(
        REGISTER, {"username": "ann", "email": "ann@example.com", "password": PASSWORD}, format="json"
    )

    # then
    user = User.objects.get()
    assert response.status_code == 201
    assert response.json() == {"id": user.pk, "username": "ann"}
    assert (user.email, user.check_password(PASSWORD)) == ("ann@example.com", True)
    assert ConsumerProfile.objects.filter(user=user, is_opted_in=False).count() == 1


def test_register_keeps_the_password_exactly_as_typed_so_the_web_login_accepts_it(client):
    # given a pass phrase with spaces around it, as a password manager may produce
    password = "  two words 950  "

    # when
    response = client.post(
        REGISTER, {"username": "ann", "email": "ann@example.com", "password": password}, format="json"
    )

    # then
    assert response.status_code == 201
    assert User.objects.get().check_password(password) is True


@pytest.mark.parametrize(
    ("password", "messages"),
    [
        ("Ab1-xyz", ["This password is too short. It must contain at least 8 characters."]),
        ("password123", ["This password is too common."]),
        ("83920571846", ["This password is entirely numeric."]),
        ("12345678", ["This password is too common.", "This password is entirely numeric."]),
        ("annabelle-1990", ["The password is too similar to the username."]),
    ],
)
def test_register_refuses_a_weak_password_naming_the_field_and_creates_nothing(client, password, messages):
    # when
    response = client.post(
        REGISTER,
        {"username": "annabelle", "email": "annabelle@example.com", "password": password},
        format="json",
    )

    # then
    assert response.status_code == 400
    assert response.json() == {"password": messages}
    assert User.objects.count() == 0
    assert ConsumerProfile.objects.count() == 0


@pytest.mark.parametrize("username", ["ann", "Ann", "ANN"])
def test_register_refuses_a_username_taken_in_any_case(client, ann, username):
    # when
    response = client.post(
        REGISTER, {"username": username, "email": "other@example.com", "password": PASSWORD}, format="json"
    )

    # then
    assert response.status_code == 400
    assert response.json() == {"username": ["A user with that username already exists."]}
    assert list(User.objects.values_list("username", flat=True)) == ["ann"]


@pytest.mark.parametrize("missing", ["username", "email", "password"])
def test_register_names_each_missing_field(client, missing):
    # given
    body = {"username": "ann", "email": "ann@example.com", "password": PASSWORD}
    del body[missing]

    # when
    response = client.post(REGISTER, body, format="json")

    # then
    assert response.status_code == 400
    assert response.json() == {missing: REQUIRED}
    assert User.objects.count() == 0


def test_register_refuses_an_invalid_email(client):
    # when
    response = client.post(
        REGISTER, {"username": "ann", "email": "ann@", "password": PASSWORD}, format="json"
    )

    # then
    assert response.status_code == 400
    assert response.json() == {"email": ["Enter a valid email address."]}
    assert User.objects.count() == 0


def test_register_refuses_a_username_with_forbidden_characters(client):
    # when
    response = client.post(
        REGISTER, {"username": "ann smith", "email": "ann@example.com", "password": PASSWORD}, format="json"
    )

    # then
    assert response.status_code == 400
    assert response.json() == {
        "username": [
            "Enter a valid username. This value may contain only letters, numbers, and @/./+/-/_ characters."
        ]
    }
    assert User.objects.count() == 0


def test_register_refuses_huge_strings_with_400(client):
    # when
    response = client.post(
        REGISTER,
        {"username": "a" * 10_000, "email": "a" * 10_000 + "@example.com", "password": "p" * 10_000},
        format="json",
    )

    # then
    assert response.status_code == 400
    assert response.json() == {
        "username": ["Ensure this field has no more than 150 characters."],
        "email": ["Enter a valid email address."],
        "password": ["Ensure this field has no more than 128 characters."],
    }
    assert User.objects.count() == 0


def test_register_refuses_a_null_character_with_400(client):
    # when
    response = client.post(
        REGISTER, {"username": "ann\x00", "email": "ann@example.com", "password": PASSWORD}, format="json"
    )

    # then
    assert response.status_code == 400
    assert response.json() == {"username": ["Null characters are not allowed."]}
    assert User.objects.count() == 0


def test_register_refuses_a_body_that_is_not_json_with_400(client):
    # when
    response = client.post(REGISTER, "{username: ann", content_type="application/json")

    # then
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"
    assert response.json()["detail"].startswith("JSON parse error")
    assert User.objects.count() == 0


def test_register_refuses_a_json_list_with_400(client):
    # when
    response = client.post(
        REGISTER, [{"username": "ann", "email": "ann@example.com", "password": PASSWORD}], format="json"
    )

    # then
    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["Invalid data. Expected a dictionary, but got list."]}
    assert User.objects.count() == 0


def test_register_refuses_fields_of_the_wrong_type_with_400(client):
    # when
    response = client.post(REGISTER, {"username": {"a": 1}, "email": 12, "password": None}, format="json")

    # then
    assert response.status_code == 400
    assert response.json() == {
        "username": ["Not a valid string."],
        "email": ["Enter a valid email address."],
        "password": ["This field may not be null."],
    }
    assert User.objects.count() == 0


def test_register_needs_no_login_and_ignores_a_bad_token(client):
    # given
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")

    # when
    response = client.post(
        REGISTER, {"username": "ann", "email": "ann@example.com", "password": PASSWORD}, format="json"
    )

    # then
    assert response.status_code == 201
    assert User.objects.count() == 1


# --- token ------------------------------------------------------------------------------------


def score_code(key: str) -> tuple[int, str]:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    response = client.get("/api/v1/me/score/")
    return response.status_code, response.json()["code"]


def test_token_answers_200_with_a_new_token_at_each_sign_in_and_both_work(client, ann):
    # when
    first = client.post(TOKEN, {"username": "ann", "password": PASSWORD}, format="json")
    second = client.post(TOKEN, {"username": "ann", "password": PASSWORD}, format="json")

    # then
    assert (first.status_code, second.status_code) == (200, 200)
    assert list(first.json()) == list(second.json()) == ["token"]
    first_key, second_key = first.json()["token"], second.json()["token"]
    assert first_key != second_key
    assert set(ApiToken.objects.filter(user=ann).values_list("key_prefix", flat=True)) == {
        first_key.split(".")[0],
        second_key.split(".")[0],
    }
    # authenticated both times: the score is refused for want of consent, not of a login
    assert score_code(first_key) == score_code(second_key) == (403, "not_opted_in")


def test_token_from_register_then_token_authenticates_the_api(client):
    # given
    client.post(
        REGISTER, {"username": "ann", "email": "ann@example.com", "password": PASSWORD}, format="json"
    )
    key = client.post(TOKEN, {"username": "ann", "password": PASSWORD}, format="json").json()["token"]

    # when
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    response = client.get("/api/v1/me/score/")

    # then: authenticated, but not opted in yet
    assert response.status_code == 403
    assert response.json()["code"] == "not_opted_in"


@pytest.mark.parametrize(
    "credentials",
    [
        {"username": "ann", "password": "wrong-pass-950"},
        {"username": "nobody", "password": PASSWORD},
        {"username": "ANN", "password": PASSWORD},
    ],
)
def test_token_refuses_bad_credentials_with_400_and_makes_no_token(client, ann, credentials):
    # when
    response = client.post(TOKEN, credentials, format="json")

    # then
    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["Unable to log in with the credentials given."]}
    assert ApiToken.objects.count() == 0


def test_token_refuses_an_inactive_user(client, ann):
    # given
    ann.is_active = False
    ann.save(update_fields=["is_active"])

    # when
    response = client.post(TOKEN, {"username": "ann", "password": PASSWORD}, format="json")

    # then
    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["Unable to log in with the credentials given."]}
    assert ApiToken.objects.count() == 0


def test_token_names_each_missing_field(client):
    # when
    response = client.post(TOKEN, {}, format="json")

    # then
    assert response.status_code == 400
    assert response.json() == {"username": REQUIRED, "password": REQUIRED}


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        ("not json at all", "application/json"),
        ("[1, 2, 3]", "application/json"),
        ('{"username": "' + "a" * 100_000 + '", "password": "x"}', "application/json"),
    ],
)
def test_token_refuses_malformed_bodies_with_400(client, ann, body, content_type):
    # when
    response = client.post(TOKEN, body, content_type=content_type)

    # then
    assert response.status_code == 400
    assert ApiToken.objects.count() == 0
