"""core/throttles.py: which caller each throttle counts, the client address, and the lockout
backend outside a request."""

import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory
from rest_framework.request import Request

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
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}

    behind_one_proxy = throttles.client_ip(RequestFactory().get("/", **forged))

    assert direct == "10.0.0.2"
    assert behind_one_proxy == "203.0.113.7"  # what our proxy saw, not what the client claimed


def test_signing_in_without_a_request_skips_the_lockout_and_still_checks_the_password(make_consumer):
    make_consumer("ann", password="a-Long-pass-950")

    assert authenticate(username="ann", password="a-Long-pass-950").username == "ann"
    assert authenticate(username="ann", password="wrong-password") is None
