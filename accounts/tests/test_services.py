"""Tests for accounts/services.py: registration, the merchant application flow, passwords and
API tokens."""

import datetime
import json

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts import services
from accounts.models import ApiToken, ConsumerProfile, Merchant, MerchantStaff, User
from core import keys
from core.models import AuditEntry

pytestmark = pytest.mark.django_db

PASSWORD = "a-Long-pass-950"


def test_consumer_register_creates_a_login_and_a_profile_not_yet_opted_in():
    # when
    user = services.consumer_register(username="ann", email="ann@example.com", password=PASSWORD)

    # then
    user.refresh_from_db()
    assert (user.username, user.email, user.is_staff, user.is_superuser) == (
        "ann",
        "ann@example.com",
        False,
        False,
    )
    assert user.check_password(PASSWORD) is True
    profile = ConsumerProfile.objects.get(user=user)
    assert (profile.is_opted_in, profile.opted_in_at, profile.score, profile.score_as_of) == (
        False,
        None,
        None,
        None,
    )


def test_consumer_register_refuses_a_username_taken_in_another_case_and_creates_nothing():
    # given
    services.consumer_register(username="ann", email="ann@example.com", password=PASSWORD)

    # when
    with pytest.raises(ValidationError) as raised:
        services.consumer_register(username="ANN", email="other@example.com", password=PASSWORD)

    # then
    assert raised.value.message_dict == {"username": ["A user with that username already exists."]}
    assert list(User.objects.values_list("username", flat=True)) == ["ann"]
    assert ConsumerProfile.objects.count() == 1


def test_consumer_register_names_the_username_once_when_it_is_taken_exactly():
    # given
    services.consumer_register(username="ann", email="ann@example.com", password=PASSWORD)

    # when
    with pytest.raises(ValidationError) as raised:
        services.consumer_register(username="ann", email="other@example.com", password=PASSWORD)

    # then
    assert raised.value.message_dict == {"username": ["A user with that username already exists."]}
    assert User.objects.count() == 1


def test_consumer_register_reports_every_bad_field_at_once():
    # when
    with pytest.raises(ValidationError) as raised:
        services.consumer_register(username="bad name!", email="not-an-email", password="short")

    # then
    assert raised.value.message_dict == {
        "username": [
            "Enter a valid username. This value may contain only letters, numbers, and @/./+/-/_ characters."
        ],
        "email": ["Enter a valid email address."],
        "password": ["This password is too short. It must contain at least 8 characters."],
    }
    assert User.objects.count() == 0
    assert ConsumerProfile.objects.count() == 0


def test_consumer_register_refuses_a_password_like_the_username():
    # when
    with pytest.raises(ValidationError) as raised:
        services.consumer_register(username="zhangwei1990", email="z@example.com", password="zhangwei1990")

    # then
    assert raised.value.message_dict == {"password": ["The password is too similar to the username."]}
    assert User.objects.count() == 0


def test_merchant_apply_creates_a_pending_merchant_owned_by_the_applicant():
    # when
    merchant = services.merchant_apply(
        username="ford-staff",
        email="staff@ford.example",
        password=PASSWORD,
        merchant_name="Ford Motor",
        description="Cars to try.",
    )

    # then
    merchant.refresh_from_db()
    assert (merchant.name, merchant.slug, merchant.status, merchant.approved_at, merchant.contact_email) == (
        "Ford Motor",
        "ford-motor",
        Merchant.Status.PENDING,
        None,
        "staff@ford.example",
    )
    staff = MerchantStaff.objects.select_related("user").get(merchant=merchant)
    assert (staff.user.username, staff.role) == ("ford-staff", MerchantStaff.Role.OWNER)
    assert ConsumerProfile.objects.filter(user=staff.user).exists() is False


def test_merchant_apply_refuses_a_name_taken_in_another_case_and_creates_nothing():
    # given
    services.merchant_apply(
        username="ford-staff", email="staff@ford.example", password=PASSWORD, merchant_name="Ford"
    )

    # when
    with pytest.raises(ValidationError) as raised:
        services.merchant_apply(
            username="other-staff", email="x@example.com", password=PASSWORD, merchant_name="FORD"
        )

    # then
    assert raised.value.message_dict == {"merchant_name": ["A merchant with that name already exists."]}
    assert Merchant.objects.count() == 1
    assert User.objects.count() == 1


def test_merchant_apply_refuses_a_name_without_letters_or_digits_and_a_weak_password_together():
    # when
    with pytest.raises(ValidationError) as raised:
        services.merchant_apply(
            username="x-staff", email="x@example.com", password="password", merchant_name="!!"
        )

    # then
    assert raised.value.message_dict == {
        "merchant_name": ["Enter a name with letters or digits."],
        "password": ["This password is too common."],
    }
    assert (Merchant.objects.count(), User.objects.count()) == (0, 0)


def test_merchant_approve_and_reject_set_the_status():
    # given
    ford = services.merchant_apply(
        username="ford-staff", email="staff@ford.example", password=PASSWORD, merchant_name="Ford"
    )
    ofo = services.merchant_apply(
        username="ofo-staff", email="staff@ofo.example", password=PASSWORD, merchant_name="Ofo"
    )

    # when
    services.merchant_approve(merchant=ford)
    services.merchant_reject(merchant=ofo)

    # then
    ford.refresh_from_db()
    ofo.refresh_from_db()
    assert (ford.status, ford.approved_at is not None) == (Merchant.Status.APPROVED, True)
    assert (ofo.status, ofo.approved_at) == (Merchant.Status.REJECTED, None)


# --- API tokens -------------------------------------------------------------------------------


@pytest.fixture
def ann() -> User:
    return services.consumer_register(username="ann", email="ann@example.com", password=PASSWORD)


def stored_columns(token: ApiToken) -> str:
    """Every column of the token's row as the database holds it, as one text."""
    row = ApiToken.objects.filter(pk=token.pk).values().get()
    return json.dumps(row, default=str)


def test_issuing_a_token_keeps_its_prefix_and_hash_but_never_the_key(ann):
    # when
    key = services.api_token_issue(user=ann)

    # then
    token = ApiToken.objects.get(user=ann)
    prefix, secret = key.split(".")
    assert (token.key_prefix, token.key_hash, token.revoked_at) == (prefix, keys.key_hash(key), None)
    assert len(prefix) == 16
    assert key not in stored_columns(token)
    assert secret not in stored_columns(token)


def test_each_issue_makes_another_token_and_leaves_the_earlier_ones_valid(ann):
    # when
    first = services.api_token_issue(user=ann)
    second = services.api_token_issue(user=ann)

    # then
    assert first != second
    valid = ApiToken.objects.filter(user=ann, revoked_at=None)
    assert set(valid.values_list("key_prefix", flat=True)) == {first.split(".")[0], second.split(".")[0]}


def test_an_inactive_login_gets_no_token(ann):
    # given
    ann.is_active = False
    ann.save(update_fields=["is_active"])

    # when
    with pytest.raises(ValidationError):
        services.api_token_issue(user=ann)

    # then
    assert ApiToken.objects.count() == 0


def test_issuing_in_bulk_makes_one_token_per_login_in_order_in_a_fixed_number_of_queries(
    django_assert_num_queries,
):
    # given
    people = [
        services.consumer_register(username=f"p{n}", email=f"p{n}@example.com", password=PASSWORD)
        for n in range(30)
    ]

    # when
    with django_assert_num_queries(2):  # the check that all are active, one insert
        issued = services.api_tokens_issue_bulk(user_ids=[person.pk for person in people])

    # then
    owner_of = dict(ApiToken.objects.values_list("key_prefix", "user_id"))
    assert [owner_of[key.split(".")[0]] for key in issued] == [person.pk for person in people]
    hashes = dict(ApiToken.objects.values_list("key_prefix", "key_hash"))
    assert all(keys.key_matches(key, hashes[key.split(".")[0]]) for key in issued)
    assert not any(key in stored_columns(token) for token in ApiToken.objects.all() for key in issued)


def test_issuing_in_bulk_refuses_an_inactive_login_and_makes_no_token(ann):
    # given
    bea = services.consumer_register(username="bea", email="bea@example.com", password=PASSWORD)
    bea.is_active = False
    bea.save(update_fields=["is_active"])

    # when
    with pytest.raises(ValidationError):
        services.api_tokens_issue_bulk(user_ids=[ann.pk, bea.pk])

    # then
    assert ApiToken.objects.count() == 0


def test_issuing_in_bulk_refuses_an_unknown_login_and_makes_no_token(ann):
    # when
    with pytest.raises(ValidationError, match="existing, active account"):
        services.api_tokens_issue_bulk(user_ids=[ann.pk, ann.pk + 1000])

    # then
    assert ApiToken.objects.count() == 0


def test_revoking_a_token_stamps_it_and_records_who_did_it(ann):
    # given
    services.api_token_issue(user=ann)
    token = ApiToken.objects.get()
    root = User.objects.create_superuser("root", "root@example.com", PASSWORD)

    # when
    services.api_token_revoke(token=token, actor=root)

    # then
    token.refresh_from_db()
    assert token.revoked_at is not None
    entry = AuditEntry.objects.get(action="api_token.revoke")
    assert (entry.actor_label, entry.target_type, entry.target_id, entry.changes) == (
        "root",
        "accounts.apitoken",
        str(token.pk),
        {"key_prefix": token.key_prefix, "user_id": ann.pk},
    )


def test_revoking_a_revoked_token_again_changes_nothing(ann):
    # given
    services.api_token_issue(user=ann)
    services.api_token_revoke(token=ApiToken.objects.get())
    first = ApiToken.objects.get()

    # when
    again = services.api_token_revoke(token=ApiToken.objects.get())

    # then
    assert again.revoked_at == first.revoked_at == ApiToken.objects.get().revoked_at
    assert AuditEntry.objects.filter(action="api_token.revoke").count() == 1


def test_revoking_all_of_a_logins_tokens_leaves_other_logins_tokens_alone(ann):
    # given
    bea = services.consumer_register(username="bea", email="bea@example.com", password=PASSWORD)
    services.api_token_issue(user=ann)
    services.api_token_issue(user=ann)
    services.api_token_issue(user=bea)
    earlier = ApiToken.objects.filter(user=ann).first()
    services.api_token_revoke(token=earlier)
    earlier.refresh_from_db()

    # when
    revoked = services.api_tokens_revoke_all(user=ann)

    # then
    assert revoked == 1
    assert ApiToken.objects.filter(user=ann, revoked_at=None).count() == 0
    assert ApiToken.objects.get(pk=earlier.pk).revoked_at == earlier.revoked_at
    assert ApiToken.objects.filter(user=bea, revoked_at=None).count() == 1


def test_a_tokens_use_is_recorded_when_the_last_record_is_over_an_hour_old(ann):
    # given
    services.api_token_issue(user=ann)
    long_ago = timezone.now() - datetime.timedelta(hours=2)
    ApiToken.objects.update(last_used_at=long_ago)
    token = ApiToken.objects.get()

    # when
    services.api_token_record_use(token=token)

    # then
    assert token.last_used_at > long_ago
    assert ApiToken.objects.get().last_used_at == token.last_used_at


def test_a_tokens_use_within_the_hour_is_not_written_again(ann, django_assert_num_queries):
    # given
    services.api_token_issue(user=ann)
    token = ApiToken.objects.get()
    issued_at = token.last_used_at

    # when
    with django_assert_num_queries(0):
        services.api_token_record_use(token=token)

    # then
    assert ApiToken.objects.get().last_used_at == issued_at


# --- Setting a password -----------------------------------------------------------------------

NEW_PASSWORD = "another-Long-pass-951"


def test_a_new_password_revokes_every_token_of_the_login(ann):
    # given
    services.api_token_issue(user=ann)
    services.api_token_issue(user=ann)

    # when
    services.user_password_set(user=ann, password=NEW_PASSWORD)

    # then
    ann.refresh_from_db()
    assert ann.check_password(NEW_PASSWORD) is True
    assert ApiToken.objects.filter(user=ann, revoked_at=None).count() == 0
    assert ApiToken.objects.filter(user=ann).count() == 2


def test_taking_the_password_away_revokes_every_token_too(ann):
    # given
    services.api_token_issue(user=ann)

    # when
    services.user_password_set(user=ann, password=None)

    # then
    ann.refresh_from_db()
    assert ann.has_usable_password() is False
    assert ApiToken.objects.filter(user=ann, revoked_at=None).count() == 0


def test_a_weak_new_password_is_refused_and_changes_nothing(ann):
    # given
    services.api_token_issue(user=ann)

    # when
    with pytest.raises(ValidationError) as raised:
        services.user_password_set(user=ann, password="password")

    # then
    assert raised.value.messages == ["This password is too common."]
    ann.refresh_from_db()
    assert ann.check_password(PASSWORD) is True
    assert ApiToken.objects.filter(user=ann, revoked_at=None).count() == 1


def test_a_username_that_normalises_to_an_existing_one_is_refused_not_a_500():
    # given: "µ" (the micro sign) is stored as "μ" (Greek mu) once normalised
    services.consumer_register(username="\u03bcann", email="mu@example.com", password=PASSWORD)

    # when / then
    with pytest.raises(ValidationError) as refused:
        services.consumer_register(username="\u00b5ann", email="micro@example.com", password=PASSWORD)
    assert list(refused.value.message_dict) == ["username"]
    assert User.objects.filter(email="micro@example.com").count() == 0
