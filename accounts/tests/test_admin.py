"""Tests for accounts/admin.py: API tokens for platform staff, and setting a person's password."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from accounts import services
from accounts.models import ApiToken, User
from core.models import AuditEntry

pytestmark = pytest.mark.django_db

PASSWORD = "a-Long-pass-950"
NEW_PASSWORD = "another-Long-pass-951"
CHANGELIST = reverse("admin:accounts_apitoken_changelist")


@pytest.fixture
def ann() -> User:
    return services.consumer_register(username="ann", email="ann@example.com", password=PASSWORD)


@pytest.fixture
def admin_client(client):
    client.force_login(User.objects.create_superuser("root", "root@example.com", PASSWORD))
    return client


def works(key: str) -> bool:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client.get("/api/v1/me/claims/").status_code == 200


def test_the_token_list_shows_owner_prefix_and_dates_but_no_hash(admin_client, ann):
    # given
    services.api_token_issue(user=ann)
    token = ApiToken.objects.get()

    # when
    response = admin_client.get(CHANGELIST)

    # then
    html = response.content.decode()
    assert response.status_code == 200
    assert token.key_prefix in html
    assert "ann" in html
    assert token.key_hash not in html
    for column in ("column-user", "column-created_at", "column-last_used_at", "column-revoked_at"):
        assert column in html


def test_the_revoke_action_revokes_through_the_service_and_is_recorded(admin_client, ann):
    # given
    kept_key = services.api_token_issue(user=ann)
    revoked_key = services.api_token_issue(user=ann)
    revoked = ApiToken.objects.get(key_prefix=revoked_key.split(".")[0])

    # when
    response = admin_client.post(CHANGELIST, {"action": "revoke", "_selected_action": [revoked.pk]})

    # then
    assert response.status_code == 302
    assert (works(kept_key), works(revoked_key)) == (True, False)
    revoked.refresh_from_db()
    assert revoked.revoked_at is not None
    entry = AuditEntry.objects.get(action="api_token.revoke")
    assert (entry.actor_label, entry.target_id) == ("root", str(revoked.pk))


def test_tokens_cannot_be_added_edited_or_deleted_in_the_admin(admin_client, ann):
    # given
    services.api_token_issue(user=ann)
    token = ApiToken.objects.get()
    change_url = reverse("admin:accounts_apitoken_change", args=[token.pk])

    # when
    add = admin_client.get(reverse("admin:accounts_apitoken_add"))
    change_page = admin_client.get(change_url)
    post = admin_client.post(change_url, {"key_hash": "0" * 64, "revoked_at": ""})
    delete = admin_client.post(reverse("admin:accounts_apitoken_delete", args=[token.pk]), {"post": "yes"})
    actions = admin_client.get(CHANGELIST).context["action_form"].fields["action"].choices

    # then
    assert add.status_code == 403
    assert change_page.status_code == 200
    assert 'name="key_hash"' not in change_page.content.decode()
    assert post.status_code == 403
    assert delete.status_code == 403
    assert [name for name, _label in actions if name] == ["revoke"]
    assert ApiToken.objects.get().key_hash == token.key_hash


def test_setting_a_persons_password_in_the_admin_revokes_their_tokens(admin_client, ann):
    # given
    key = services.api_token_issue(user=ann)

    # when
    response = admin_client.post(
        # UserAdmin names its password page auth_user_*, whatever the user model.
        reverse("admin:auth_user_password_change", args=[ann.pk]),
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
    )

    # then
    assert response.status_code == 302
    ann.refresh_from_db()
    assert ann.check_password(NEW_PASSWORD) is True
    assert works(key) is False


def test_disabling_a_persons_password_in_the_admin_revokes_their_tokens(admin_client, ann):
    # given
    key = services.api_token_issue(user=ann)

    # when
    response = admin_client.post(
        reverse("admin:auth_user_password_change", args=[ann.pk]),
        {"usable_password": "false", "unset-password": "Disable password-based authentication"},
    )

    # then
    assert response.status_code == 302
    ann.refresh_from_db()
    assert ann.has_usable_password() is False
    assert works(key) is False
