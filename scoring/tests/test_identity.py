"""Tests for real-name verification as it reaches the score: scoring/services/identity.py, the
identity API (shared/api.md), the identity partners' API and the admin's decision."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from accounts import services as account_services
from accounts.models import RealNameIdentity
from accounts.services import api_token_issue
from core.models import AuditEntry
from core.throttles import IdentitySubmitThrottle
from scoring import selectors, services, tasks
from scoring.models import Identity, Partner

pytestmark = pytest.mark.django_db

IDENTITY = "/api/v1/me/identity/"
REQUESTS = "/api/v1/partner/identity/requests/"
NUMBER = "11010519491231002X"
OTHER_NUMBER = "11010119900307803X"
# A fresh person scores 600; a verified real name is worth 0.25 of the identity dimension:
# 0.15 x 350 x 0.25 = 13.125 points, 613 once rounded.
FRESH, VERIFIED = 600, 613


@pytest.fixture(autouse=True)
def _fresh_throttle_counts(throttle_rates):
    throttle_rates()


def token_client(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_issue(user=user)}")
    return client


@pytest.fixture
def ann(make_consumer):
    return make_consumer("ann", verified=False)


@pytest.fixture
def idcheck() -> tuple[Partner, APIClient]:
    partner = Partner.objects.create(name="ID Check", slug="idcheck", verifies_identity=True)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {services.partner_key_issue(partner=partner)}")
    return partner, client


def run_queued_recomputes(unsent_tasks) -> None:
    """Do what a worker would with the recomputes queued so far."""
    for name, args in unsent_tasks():
        if name == "scoring.recompute_person":
            tasks.recompute_person(*args)


# --- The service ---------------------------------------------------------------------------------


def test_a_verdict_feeds_the_identity_signal_and_queues_a_recompute_that_raises_the_score(ann, unsent_tasks):
    identity = account_services.identity_submit(user=ann, legal_name="Wang Fang", id_number=NUMBER)
    assert selectors.score_current(person=ann).score == FRESH

    services.real_name_decide(identity=identity, verified=True, decided_by="partner:idcheck")

    assert Identity.objects.get(person=ann).real_name_verified is True
    assert unsent_tasks() == [("scoring.recompute_person", (ann.pk, services.today().isoformat()))]
    run_queued_recomputes(unsent_tasks)
    assert selectors.score_current(person=ann).score == VERIFIED


def test_withdrawing_a_verification_takes_the_points_back(ann, unsent_tasks):
    identity = account_services.identity_submit(user=ann, legal_name="Wang Fang", id_number=NUMBER)
    services.real_name_decide(identity=identity, verified=True, decided_by="partner:idcheck")
    run_queued_recomputes(unsent_tasks)

    services.real_name_decide(identity=identity, verified=False, decided_by="staff:admin")
    run_queued_recomputes(unsent_tasks)

    assert Identity.objects.get(person=ann).real_name_verified is False
    assert selectors.score_current(person=ann).score == FRESH


def test_the_demo_verifier_confirms_at_once_with_debug_on(ann, settings):
    settings.IDENTITY_DEMO_VERIFIER = True

    identity = services.real_name_submit(user=ann, legal_name="Wang Fang", id_number=NUMBER)

    assert (identity.status, identity.decided_by) == ("verified", services.DEMO_VERIFIER)
    assert Identity.objects.get(person=ann).real_name_verified is True


def test_without_the_demo_verifier_a_request_waits_for_a_partner(ann, settings):
    settings.IDENTITY_DEMO_VERIFIER = False

    identity = services.real_name_submit(user=ann, legal_name="Wang Fang", id_number=NUMBER)

    assert identity.status == "pending"
    assert not Identity.objects.filter(person=ann).exists()


# --- The person's API (shared/api.md) --------------------------------------------------------------


def test_get_says_unverified_before_anything_is_submitted(ann):
    response = token_client(ann).get(IDENTITY)

    assert (response.status_code, response.json()) == (200, {"status": "unverified", "last4": None})


def test_post_answers_202_pending_and_never_returns_the_number(ann):
    client = token_client(ann)

    response = client.post(IDENTITY, {"legal_name": "Wang Fang", "id_number": NUMBER}, format="json")

    assert (response.status_code, response.json()) == (202, {"status": "pending", "last4": "002X"})
    assert NUMBER not in response.content.decode()
    assert client.get(IDENTITY).json() == {"status": "pending", "last4": "002X"}


def test_post_answers_201_verified_with_the_demo_verifier(ann, settings):
    settings.IDENTITY_DEMO_VERIFIER = True

    response = token_client(ann).post(
        IDENTITY, {"legal_name": "Wang Fang", "id_number": NUMBER}, format="json"
    )

    assert (response.status_code, response.json()) == (201, {"status": "verified", "last4": "002X"})


@pytest.mark.parametrize(
    ("number", "message"),
    [
        ("1101051949123100", "Enter the 18-character resident ID number: 17 digits, then a digit or X."),
        ("110105194902300026", "Characters 7 to 14 of this number are not a possible birth date."),
        (
            "110105194912310021",
            "This number's last character does not match the others: check it for a typo.",
        ),
    ],
)
def test_a_malformed_number_is_a_400_naming_id_number(ann, number, message):
    response = token_client(ann).post(
        IDENTITY, {"legal_name": "Wang Fang", "id_number": number}, format="json"
    )

    assert (response.status_code, response.json()) == (400, {"id_number": [message]})
    assert not RealNameIdentity.objects.exists()


def test_a_number_verified_for_another_profile_is_a_409_identity_taken(ann, make_consumer):
    bob = make_consumer("bob", verified=False)
    first = account_services.identity_submit(user=ann, legal_name="Wang Fang", id_number=NUMBER)
    services.real_name_decide(identity=first, verified=True, decided_by="partner:idcheck")

    response = token_client(bob).post(
        IDENTITY, {"legal_name": "Wang Fang", "id_number": NUMBER}, format="json"
    )

    assert response.status_code == 409
    assert response.json()["code"] == "identity_taken"
    assert not RealNameIdentity.objects.filter(user=bob).exists()
    assert AuditEntry.objects.filter(action="identity.taken", actor=bob).count() == 1


def test_submissions_are_limited_per_address(ann, throttle_rates):
    throttle_rates(identity_submit="2/hour")
    client = token_client(ann)
    body = {"legal_name": "Wang Fang", "id_number": "110105194912310021"}

    statuses = [client.post(IDENTITY, body, format="json").status_code for _attempt in range(3)]

    assert statuses == [400, 400, 429]
    assert client.get(IDENTITY).status_code == 200  # reading is not a submission
    assert IdentitySubmitThrottle.scope == "identity_submit"


# --- The identity partners' API ----------------------------------------------------------------


def test_a_partner_pulls_pending_requests_without_the_number(ann, idcheck):
    _partner, client = idcheck
    identity = account_services.identity_submit(user=ann, legal_name="Wang Fang", id_number=NUMBER)

    response = client.get(REQUESTS)

    assert response.status_code == 200
    assert response.json() == [
        {
            "id": identity.pk,
            "person": "ann",
            "legal_name": "Wang Fang",
            "last4": "002X",
            "submitted_at": response.json()[0]["submitted_at"],
        }
    ]
    assert NUMBER not in response.content.decode()


def test_a_partner_without_the_identity_scope_is_refused(ann):
    partner = Partner.objects.create(name="Bank", slug="bank")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {services.partner_key_issue(partner=partner)}")
    identity = account_services.identity_submit(user=ann, legal_name="Wang Fang", id_number=NUMBER)

    listing = client.get(REQUESTS)
    verdict = client.post(
        f"{REQUESTS}{identity.pk}/", {"status": "verified", "id_number": NUMBER}, format="json"
    )

    assert (listing.status_code, listing.json()["code"]) == (403, "scope_required")
    assert (verdict.status_code, verdict.json()["code"]) == (403, "scope_required")
    identity.refresh_from_db()
    assert identity.status == "pending"


def test_a_partner_verifies_with_the_number_it_checked_and_the_score_follows(ann, idcheck, unsent_tasks):
    _partner, client = idcheck
    identity = account_services.identity_submit(user=ann, legal_name="Wang Fang", id_number=NUMBER)

    wrong = client.post(
        f"{REQUESTS}{identity.pk}/", {"status": "verified", "id_number": OTHER_NUMBER}, format="json"
    )
    missing = client.post(f"{REQUESTS}{identity.pk}/", {"status": "verified"}, format="json")
    right = client.post(
        f"{REQUESTS}{identity.pk}/", {"status": "verified", "id_number": NUMBER}, format="json"
    )
    again = client.post(f"{REQUESTS}{identity.pk}/", {"status": "rejected"}, format="json")

    assert (wrong.status_code, wrong.json()) == (
        400,
        {"id_number": ["This is not the number the person submitted."]},
    )
    assert (missing.status_code, list(missing.json())) == (400, ["id_number"])
    assert (right.status_code, right.json()) == (200, {"id": identity.pk, "status": "verified"})
    assert (again.status_code, again.json()["code"]) == (409, "already_decided")
    identity.refresh_from_db()
    assert (identity.status, identity.decided_by) == ("verified", "partner:idcheck")
    run_queued_recomputes(unsent_tasks)
    assert selectors.score_current(person=ann).score == VERIFIED


def test_a_partner_rejects_and_the_person_sees_why(ann, idcheck):
    _partner, client = idcheck
    identity = account_services.identity_submit(user=ann, legal_name="Wang Fang", id_number=NUMBER)

    response = client.post(
        f"{REQUESTS}{identity.pk}/", {"status": "rejected", "note": "The name does not match."}, format="json"
    )

    assert response.json() == {"id": identity.pk, "status": "rejected"}
    assert token_client(ann).get(IDENTITY).json() == {"status": "rejected", "last4": "002X"}
    identity.refresh_from_db()
    assert identity.decision_note == "The name does not match."


def test_an_unknown_request_is_a_404(idcheck):
    _partner, client = idcheck

    assert client.post(f"{REQUESTS}999999/", {"status": "rejected"}, format="json").status_code == 404


def test_the_identity_endpoints_are_in_the_openapi_schema(client):
    paths = client.get("/api/v1/schema/", HTTP_ACCEPT="application/json").json()["paths"]

    assert set(paths["/api/v1/me/identity/"]) >= {"get", "post"}
    assert "get" in paths["/api/v1/partner/identity/requests/"]
    assert "post" in paths["/api/v1/partner/identity/requests/{id}/"]


# --- The admin's decision ------------------------------------------------------------------------


def test_staff_verify_a_request_in_the_admin_and_the_score_follows(ann, admin_client, unsent_tasks):
    identity = account_services.identity_submit(user=ann, legal_name="Wang Fang", id_number=NUMBER)
    changelist = reverse("admin:accounts_realnameidentity_changelist")

    page = admin_client.get(changelist)
    response = admin_client.post(
        changelist, {"action": "verify", "_selected_action": [identity.pk]}, follow=True
    )

    assert page.status_code == 200
    assert "…002X" in page.content.decode()
    assert NUMBER not in page.content.decode() and identity.id_hash not in page.content.decode()
    assert response.status_code == 200
    identity.refresh_from_db()
    assert (identity.status, identity.decided_by) == ("verified", "staff:admin")
    assert AuditEntry.objects.get(action="identity.decide").actor.username == "admin"
    run_queued_recomputes(unsent_tasks)
    assert selectors.score_current(person=ann).score == VERIFIED


def test_staff_reject_in_the_admin(ann, admin_client):
    identity = account_services.identity_submit(user=ann, legal_name="Wang Fang", id_number=NUMBER)

    admin_client.post(
        reverse("admin:accounts_realnameidentity_changelist"),
        {"action": "reject", "_selected_action": [identity.pk]},
    )

    identity.refresh_from_db()
    assert identity.status == "rejected"
    assert Identity.objects.get(person=ann).real_name_verified is False
