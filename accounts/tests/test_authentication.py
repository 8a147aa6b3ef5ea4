"""Tests for accounts/authentication.py: ``Authorization: Token <key>`` against hashed, revocable tokens."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.test import APIClient, APIRequestFactory

from accounts import services as account_services
from accounts.authentication import TokenAuthentication
from accounts.models import ApiToken

pytestmark = pytest.mark.django_db

SCORE = "/api/v1/me/score/"
PROMOTIONS = "/api/v1/merchant/promotions/"
ACCOUNT_TABLES = ("accounts_user", "accounts_consumerprofile", "accounts_merchantstaff", "accounts_merchant")


def client_with(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def refused(response) -> tuple[int, dict, str]:
    return response.status_code, response.json(), response["WWW-Authenticate"]


def tables_read(sql: str) -> set[str]:
    return {table for table in ACCOUNT_TABLES if re.search(rf'"{table}"', sql)}


# --- What works ---------------------------------------------------------------------------------


def test_an_issued_token_authenticates_a_consumer(make_consumer):
    # given
    ann = make_consumer("ann")
    key = account_services.api_token_issue(user=ann)

    # when
    response = client_with(key).get(SCORE)

    # then
    assert response.status_code == 200
    assert response.json()["score"] == 600


def test_an_issued_token_authenticates_merchant_staff(make_merchant_staff):
    # given
    key = account_services.api_token_issue(user=make_merchant_staff("ford"))

    # when
    response = client_with(key).get(PROMOTIONS)

    # then
    assert (response.status_code, response.json()["count"]) == (200, 0)


def test_the_user_profile_membership_and_merchant_come_in_one_query(make_merchant_staff):
    # given
    staff = make_merchant_staff("ford")
    key = account_services.api_token_issue(user=staff)
    request = APIRequestFactory().get(PROMOTIONS, HTTP_AUTHORIZATION=f"Token {key}")

    # when
    with CaptureQueriesContext(connection) as queries:
        user, token = TokenAuthentication().authenticate(request)
        merchant_name = user.merchant_staff.merchant.name
        has_profile = hasattr(user, "consumer")

    # then
    assert (user, token.user_id, merchant_name, has_profile) == (staff, staff.pk, "Ford", False)
    assert len(queries) == 1
    assert tables_read(queries[0]["sql"]) == set(ACCOUNT_TABLES)


def test_a_consumer_api_request_reads_the_login_in_one_query(make_consumer, django_assert_num_queries):
    # given: not opted in, so the answer needs nothing but the login and its profile
    key = account_services.api_token_issue(user=make_consumer("erin", opted_in=False))
    client = client_with(key)

    # when / then
    with django_assert_num_queries(1):
        response = client.get(SCORE)
    assert (response.status_code, response.json()["code"]) == (403, "not_opted_in")


def test_a_merchant_api_request_reads_the_login_and_its_merchant_only_with_the_token(make_merchant_staff):
    # given
    client = client_with(account_services.api_token_issue(user=make_merchant_staff("ford")))

    # when
    with CaptureQueriesContext(connection) as queries:
        response = client.get(PROMOTIONS)

    # then
    assert response.status_code == 200
    assert [tables_read(query["sql"]) for query in queries if tables_read(query["sql"])] == [
        set(ACCOUNT_TABLES)
    ]


# --- What is refused ----------------------------------------------------------------------------


def test_a_revoked_token_is_refused_with_401(make_consumer):
    # given
    ann = make_consumer("ann")
    key = account_services.api_token_issue(user=ann)
    client = client_with(key)
    assert client.get(SCORE).status_code == 200

    # when
    account_services.api_token_revoke(token=ApiToken.objects.get(user=ann))
    response = client.get(SCORE)

    # then
    assert refused(response) == (
        401,
        {"detail": "This token has been revoked: sign in for a new one.", "code": "authentication_failed"},
        "Token",
    )


def test_a_tampered_secret_behind_a_valid_prefix_is_refused_with_401(make_consumer):
    # given
    key = account_services.api_token_issue(user=make_consumer("ann"))
    prefix, secret = key.split(".")
    tampered = f"{prefix}.{secret[:-1]}{'A' if secret[-1] != 'A' else 'B'}"

    # when
    response = client_with(tampered).get(SCORE)

    # then
    assert refused(response) == (401, {"detail": "Invalid token.", "code": "authentication_failed"}, "Token")


def test_a_revoked_token_with_a_wrong_secret_does_not_say_it_was_revoked(make_consumer):
    # given
    ann = make_consumer("ann")
    key = account_services.api_token_issue(user=ann)
    account_services.api_tokens_revoke_all(user=ann)

    # when
    response = client_with(key[:-1] + ("A" if key[-1] != "A" else "B")).get(SCORE)

    # then
    assert response.json() == {"detail": "Invalid token.", "code": "authentication_failed"}


@pytest.mark.parametrize(
    "key",
    [
        "0123456789abcdef.unknownunknownunknownunknownunknownunknownabc",
        "0123456789abcdef0123456789abcdef01234567",  # a DRF token of before: no longer a key
        "not-a-real-token",
        "abcd\x00ef.secret",
    ],
)
def test_an_unknown_or_malformed_key_is_refused_with_401(make_consumer, key):
    # given
    account_services.api_token_issue(user=make_consumer("ann"))

    # when
    response = client_with(key).get(SCORE)

    # then
    assert refused(response) == (401, {"detail": "Invalid token.", "code": "authentication_failed"}, "Token")


@pytest.mark.parametrize("key", ["0123456789abcdef", "abcd1234.", "abcd\x00ef.secret", "ABCD.secret"])
def test_a_malformed_key_is_refused_without_asking_the_database(key, django_assert_num_queries):
    # given
    request = APIRequestFactory().get(SCORE, HTTP_AUTHORIZATION=f"Token {key}")

    # when / then
    with django_assert_num_queries(0), pytest.raises(AuthenticationFailed, match=r"^Invalid token\.$"):
        TokenAuthentication().authenticate(request)


def test_the_token_of_a_deactivated_login_is_refused_with_401(make_consumer):
    # given
    ann = make_consumer("ann")
    key = account_services.api_token_issue(user=ann)
    ann.is_active = False
    ann.save(update_fields=["is_active"])

    # when
    response = client_with(key).get(SCORE)

    # then
    assert refused(response) == (
        401,
        {"detail": "User inactive or deleted.", "code": "authentication_failed"},
        "Token",
    )


def test_only_the_token_keyword_is_read(make_consumer):
    # given
    key = account_services.api_token_issue(user=make_consumer("ann"))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")

    # when
    response = client.get(SCORE)

    # then
    assert (response.status_code, response.json()["code"]) == (401, "not_authenticated")


# --- Last use, to the hour ----------------------------------------------------------------------


def test_a_token_used_within_the_hour_costs_no_write(make_consumer, django_assert_num_queries):
    # given
    ann = make_consumer("ann")
    key = account_services.api_token_issue(user=ann)
    issued_at = ApiToken.objects.get(user=ann).last_used_at
    request = APIRequestFactory().get(SCORE, HTTP_AUTHORIZATION=f"Token {key}")

    # when
    with django_assert_num_queries(1):
        TokenAuthentication().authenticate(request)

    # then
    assert ApiToken.objects.get(user=ann).last_used_at == issued_at


def test_a_token_unused_for_over_an_hour_records_its_use_once(make_consumer, django_assert_num_queries):
    # given
    ann = make_consumer("ann")
    key = account_services.api_token_issue(user=ann)
    long_ago = timezone.now() - datetime.timedelta(hours=1, minutes=1)
    ApiToken.objects.filter(user=ann).update(last_used_at=long_ago)
    request = APIRequestFactory().get(SCORE, HTTP_AUTHORIZATION=f"Token {key}")
    before = timezone.now()

    # when
    with django_assert_num_queries(2):
        TokenAuthentication().authenticate(request)
    recorded = ApiToken.objects.get(user=ann).last_used_at
    with django_assert_num_queries(1):
        TokenAuthentication().authenticate(request)

    # then
    assert recorded >= before
    assert ApiToken.objects.get(user=ann).last_used_at == recorded


# --- The OpenAPI schema -------------------------------------------------------------------------


def test_the_schema_still_documents_the_token_scheme_on_the_apis_that_take_it():
    # when
    schema = APIClient().get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()

    # then
    assert schema["components"]["securitySchemes"]["tokenAuth"] == {
        "type": "apiKey",
        "in": "header",
        "name": "Authorization",
        "description": 'Token-based authentication with required prefix "Token"',
    }
    assert {"tokenAuth": []} in schema["paths"][SCORE]["get"]["security"]


# --- The one statement: fresh rows, the same instances the ORM would load ------------------------


def test_the_login_read_with_the_token_is_what_the_orm_reads(make_consumer):
    # given
    ann = make_consumer("ann")
    key = account_services.api_token_issue(user=ann)
    request = APIRequestFactory().get(SCORE, HTTP_AUTHORIZATION=f"Token {key}")
    expected = ApiToken.objects.select_related("user__consumer").get(user=ann)

    # when
    with CaptureQueriesContext(connection) as queries:
        user, token = TokenAuthentication().authenticate(request)
        has_membership = hasattr(user, "merchant_staff")

    # then: every field equal, datetimes aware, an absent membership known without a query
    assert len(queries) == 1
    assert has_membership is False
    for loaded, orm in ((token, expected), (user, expected.user), (user.consumer, expected.user.consumer)):
        fields = [field.attname for field in type(orm)._meta.concrete_fields]
        assert [getattr(loaded, name) for name in fields] == [getattr(orm, name) for name in fields]
    assert timezone.is_aware(token.last_used_at) and timezone.is_aware(user.date_joined)
    assert user.consumer.user is user


def test_a_login_with_neither_profile_nor_membership_authenticates(django_user_model):
    # given: platform staff, with no consumer profile and no merchant
    staff = django_user_model.objects.create_user(username="root", password="a-Long-pass-950", is_staff=True)
    client = client_with(account_services.api_token_issue(user=staff))

    # when
    response = client.get(SCORE)

    # then
    assert (response.status_code, response.json()["code"]) == (403, "not_opted_in")
