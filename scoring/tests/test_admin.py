"""scoring/admin.py: a new partner key is shown once, on a page no cache keeps, never in a cookie."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from scoring.models import Partner

pytestmark = pytest.mark.django_db


def test_a_new_partner_key_is_shown_once_on_a_no_store_page_and_never_put_in_a_cookie(admin_client):
    # given
    partner = Partner.objects.create(name="China UnionPay", slug="unionpay")
    changelist = reverse("admin:scoring_partner_changelist")

    # when
    response = admin_client.post(changelist, {"action": "issue_key", "_selected_action": [partner.pk]})
    partner.refresh_from_db()

    # then: the page shows the key, no cache keeps it, and no cookie carries it
    assert response.status_code == 200
    key = response.context["issued"][0][1]
    after = admin_client.get(changelist)
    assert key.startswith(partner.key_prefix)
    assert key.encode() in response.content
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]
    assert all(key not in morsel.value for morsel in response.cookies.values())
    assert all(key not in morsel.value for morsel in admin_client.cookies.values())
    assert key.encode() not in after.content
    # and the key shown is the one that works
    partner_client = APIClient()
    partner_client.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
    answer = partner_client.post("/api/v1/ingest/events/", {"events": []}, format="json")
    assert answer.status_code == 400
    assert "events" in answer.json()
