"""scoring/throttles.py beside core's throttles: each counts only its own kind of caller."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory
from rest_framework.request import Request

from core import throttles
from scoring.models import Partner
from scoring.throttles import PartnerIngestThrottle

pytestmark = pytest.mark.django_db


def drf_request(*, user: object = None, auth: object = None, **meta: str) -> Request:
    request = Request(RequestFactory().get("/api/v1/me/score/", **meta))
    request.user = user or AnonymousUser()
    request.auth = auth
    return request


def keys(request: Request) -> dict[str, str | None]:
    return {
        throttle.scope: throttle().get_cache_key(request, view=None)
        for throttle in (throttles.AnonymousThrottle, throttles.UserThrottle, PartnerIngestThrottle)
    }


def test_each_throttle_counts_only_its_own_kind_of_caller(make_consumer):
    partner = Partner.objects.create(name="China UnionPay", slug="unionpay")
    ann = make_consumer("ann")

    anonymous = keys(drf_request(REMOTE_ADDR="203.0.113.7"))
    signed_in = keys(drf_request(user=ann))
    from_partner = keys(drf_request(auth=partner))

    assert anonymous == {"anon": "throttle_anon_203.0.113.7", "user": None, "partner_ingest": None}
    assert signed_in == {"anon": None, "user": f"throttle_user_{ann.pk}", "partner_ingest": None}
    assert from_partner == {
        "anon": None,
        "user": None,
        "partner_ingest": f"throttle_partner_ingest_{partner.pk}",
    }
