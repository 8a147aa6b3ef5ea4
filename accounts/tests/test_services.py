"""Tests for accounts/services.py: consumer registration and the merchant application flow."""

import pytest
from django.core.exceptions import ValidationError

from accounts import services
from accounts.models import ConsumerProfile, Merchant, MerchantStaff, User

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
