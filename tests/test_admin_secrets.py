"""The admin (core/admin.py) across every app: no changelist lets staff look up a secret field."""

import pytest
from django.contrib import admin

from accounts import services as account_services
from accounts.models import ApiToken
from core.admin import SECRET_FIELD_NAME, SecretLookupGuard

pytestmark = pytest.mark.django_db


def _changelist(model: type) -> str:
    return f"/admin/{model._meta.app_label}/{model._meta.model_name}/"


def _secret_lookups() -> list[tuple[type, str]]:
    """Every (registered model, lookup) that reads a secret field, directly or one relation away."""
    found = []
    for model in admin.site._registry:
        for field in model._meta.get_fields():
            if not field.is_relation and SECRET_FIELD_NAME.search(field.name):
                found.append((model, f"{field.name}__startswith"))
            elif field.is_relation and field.related_model is not None and not field.auto_created:
                found.extend(
                    (model, f"{field.name}__{related.name}__startswith")
                    for related in field.related_model._meta.concrete_fields
                    if not related.is_relation and SECRET_FIELD_NAME.search(related.name)
                )
    return found


SECRET_LOOKUPS = _secret_lookups()


@pytest.fixture
def staff_client(client, django_user_model):
    admin_user = django_user_model.objects.create_superuser("root", "root@example.com", "a-Long-pass-950")
    client.force_login(admin_user)
    return client


def test_the_secret_fields_found_include_every_known_secret():
    local = {(model._meta.label, lookup) for model, lookup in SECRET_LOOKUPS}

    assert {
        ("accounts.User", "password__startswith"),
        ("accounts.ApiToken", "key_hash__startswith"),
        ("accounts.ApiToken", "user__password__startswith"),
        ("scoring.Partner", "key_hash__startswith"),
        ("perks.Share", "token_hash__startswith"),
        ("perks.Share", "person__password__startswith"),
        ("perks.WebhookEndpoint", "secret__startswith"),
        ("perks.Claim", "person__password__startswith"),
    } <= local


@pytest.mark.parametrize(
    ("model", "lookup"), SECRET_LOOKUPS, ids=[f"{m._meta.label}:{lookup}" for m, lookup in SECRET_LOOKUPS]
)
def test_every_changelist_refuses_a_lookup_on_a_secret_field(staff_client, model, lookup):
    response = staff_client.get(_changelist(model), {lookup: "a"})

    assert response.status_code == 400


@pytest.mark.parametrize("model", list(admin.site._registry), ids=lambda model: model._meta.label)
def test_every_admin_class_of_a_model_with_a_secret_carries_the_guard(model):
    model_admin = admin.site._registry[model]
    has_secret = any(
        not field.is_relation and SECRET_FIELD_NAME.search(field.name) for field in model._meta.get_fields()
    )

    assert isinstance(model_admin, SecretLookupGuard) or not has_secret


def test_a_token_hash_cannot_be_read_a_character_at_a_time(staff_client, make_consumer):
    person = make_consumer("ann")
    account_services.api_token_issue(user=person)
    token_hash = ApiToken.objects.get().key_hash

    guessed = staff_client.get(_changelist(ApiToken), {"key_hash__startswith": token_hash[:1]})

    assert guessed.status_code == 400
    assert token_hash[:8].encode() not in guessed.content


def test_ordinary_filters_still_work(staff_client, make_consumer):
    person = make_consumer("ann")
    account_services.api_token_issue(user=person)

    response = staff_client.get(_changelist(ApiToken), {"revoked_at__isnull": "True"})

    assert response.status_code == 200
    assert b"ann" in response.content
