"""core/throttles.py: which caller each throttle counts, the client address, and the lockout
backend outside a request."""

import pytest
from axes.helpers import get_client_ip_address
from django.contrib.auth import authenticate
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory
from rest_framework.request import Request
from rest_framework.test import APIClient

from core import throttles

pytestmark = pytest.mark.django_db


def drf_request(*, user: object = None, auth: object = None, **meta: str) -> Request:
    request = Request(RequestFactory().get("/api/v1/me/score/", **meta))
    request.user = user or AnonymousUser()
    request.auth = auth
    return request


def test_the_client_address_ignores_x_forwarded_for_unless_proxies_are_trusted(settings):
    forged = {"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "1.2.3.4, 203.0.113.7"}
    direct = throttles.client_ip(RequestFactory().get("/", **forged))
    settings.TRUSTED_PROXY_COUNT = 1

    behind_one_proxy = throttles.client_ip(RequestFactory().get("/", **forged))

    assert direct == "10.0.0.2"
    assert behind_one_proxy == "203.0.113.7"  # what our proxy saw, not what the client claimed


def test_signing_in_without_a_request_skips_the_lockout_and_still_checks_the_password(make_consumer):
    make_consumer("ann", password="a-Long-pass-950")

    assert authenticate(username="ann", password="a-Long-pass-950").username == "ann"
    assert authenticate(username="ann", password="wrong-password") is None


def test_with_no_trusted_proxy_fresh_x_forwarded_for_values_do_not_escape_the_throttle(
    throttle_rates, settings
):
    # The default: clients connect directly, so a header they send is theirs to forge.
    assert settings.TRUSTED_PROXY_COUNT == 0
    throttle_rates(anon="2/min")
    client = APIClient(REMOTE_ADDR="203.0.113.7")

    answers = [
        client.get(f"/api/v1/shares/guess-{n}/", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}").status_code
        for n in range(3)
    ]

    assert answers == [404, 404, 429]


def test_behind_one_trusted_proxy_the_address_it_saw_is_counted_not_the_clients_claim(
    throttle_rates, settings
):
    settings.TRUSTED_PROXY_COUNT = 1
    throttle_rates(anon="2/min")
    proxy = APIClient(REMOTE_ADDR="10.0.0.2")

    def guess(n: int, seen_by_proxy: str) -> int:
        forwarded = f"198.51.100.{n}, {seen_by_proxy}"  # the client's claim, then what our proxy saw
        return proxy.get(f"/api/v1/shares/guess-{n}/", HTTP_X_FORWARDED_FOR=forwarded).status_code

    from_one_client = [guess(n, "203.0.113.7") for n in range(3)]
    from_another = guess(9, "203.0.113.8")

    assert from_one_client == [404, 404, 429]
    assert from_another == 404


def test_the_sign_in_lockout_and_the_throttles_see_the_same_address(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    request = RequestFactory().post("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.7")

    assert get_client_ip_address(request) == "203.0.113.7"
    assert throttles.AnonymousThrottle().get_ident(Request(request)) == "203.0.113.7"
