"""The account pages, the layout and its navigation, rendered through Django's test client."""

import re

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.template import loader
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts import services
from accounts.models import ApiToken, User

pytestmark = pytest.mark.django_db

PASSWORD = "a-Long-pass-950"


@pytest.fixture
def consumer() -> User:
    return services.consumer_register(username="ann", email="ann@example.com", password=PASSWORD)


@pytest.fixture
def pending_merchant() -> User:
    merchant = services.merchant_apply(
        username="ford-staff", email="staff@ford.example", password=PASSWORD, merchant_name="Ford"
    )
    return merchant.staff.get().user


@pytest.fixture
def approved_merchant(pending_merchant: User) -> User:
    services.merchant_approve(merchant=pending_merchant.merchant_staff.merchant)
    return pending_merchant


@pytest.fixture
def platform_staff() -> User:
    return User.objects.create_user(
        username="admin", email="admin@example.com", password=PASSWORD, is_staff=True
    )


def nav_of(html: str) -> str:
    """The main navigation's markup, so assertions are not fooled by the page body."""
    match = re.search(r'<nav class="site-nav".*?</nav>', html, flags=re.DOTALL)
    assert match is not None
    return match.group(0)


# --- Home page and languages -------------------------------------------------------------


def test_home_renders_in_english_for_an_anonymous_visitor(client, django_assert_max_num_queries):
    with django_assert_max_num_queries(0):
        response = client.get(reverse("home"))

    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="en">' in html
    assert "Good credit should open doors." in html
    assert "Scoring is opt-in. Merchants never see your score." in html
    assert "35%" in html
    assert "Free 3-day test drive of a new car" in html


def test_home_renders_in_chinese_from_the_accept_language_header(client):
    response = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="zh-hans")

    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="zh-hans">' in html
    assert "好信用，理应为你打开方便之门。" in html  # noqa: RUF001
    assert "信用评分需你主动开通。商家永远看不到你的分数。" in html
    assert "Good credit should open doors." not in html


def test_home_renders_in_chinese_from_the_language_cookie(client):
    client.cookies["django_language"] = "zh-hans"

    response = client.get(reverse("home"))

    assert response.status_code == 200
    assert "注册" in nav_of(response.content.decode())


def test_language_switcher_sets_the_language_and_returns_to_the_page(client):
    response = client.post(
        reverse("set_language"), {"language": "zh-hans", "next": reverse("accounts:login")}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:login")
    assert client.cookies["django_language"].value == "zh-hans"
    assert "登录" in client.get(reverse("accounts:login")).content.decode()


def test_every_page_carries_the_language_switcher(client):
    html = client.get(reverse("accounts:login")).content.decode()

    assert f'action="{reverse("set_language")}"' in html
    assert '<option value="zh-hans" lang="zh-hans">简体中文</option>' in html


def test_home_greets_a_signed_in_consumer_with_a_link_to_the_dashboard(
    client, consumer, django_assert_max_num_queries
):
    client.force_login(consumer)

    # session, user, merchant membership (role), the unread notifications for the navigation
    with django_assert_max_num_queries(4):
        response = client.get(reverse("home"))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Hello, ann." in html
    assert f'href="{reverse("scoring:dashboard")}"' in html
    assert "Sign up free" not in html


def test_home_greets_a_merchant_with_a_link_to_the_console(
    client, approved_merchant, django_assert_max_num_queries
):
    client.force_login(approved_merchant)

    with django_assert_max_num_queries(4):
        response = client.get(reverse("home"))

    assert response.status_code == 200
    assert "Open the merchant console" in response.content.decode()


# --- Navigation per role -------------------------------------------------------------------


def test_anonymous_navigation_offers_sign_in_sign_up_and_merchants(client):
    nav = nav_of(client.get(reverse("home")).content.decode())

    assert f'href="{reverse("accounts:sign_up")}"' in nav
    assert f'href="{reverse("accounts:login")}"' in nav
    assert f'href="{reverse("accounts:merchant_apply")}"' in nav
    assert "Sign out" not in nav
    assert reverse("scoring:dashboard") not in nav


def test_consumer_navigation_shows_dashboard_and_account_menu(client, consumer):
    client.force_login(consumer)

    nav = nav_of(client.get(reverse("home")).content.decode())

    assert f'href="{reverse("scoring:dashboard")}"' in nav
    assert f'href="{reverse("accounts:password_change")}"' in nav
    assert f'action="{reverse("accounts:logout")}" method="post"' in nav
    assert "csrfmiddlewaretoken" in nav
    assert reverse("accounts:sign_up") not in nav
    assert reverse("perks:console") not in nav


def test_merchant_navigation_shows_the_console(client, approved_merchant):
    client.force_login(approved_merchant)

    nav = nav_of(client.get(reverse("home")).content.decode())

    assert f'href="{reverse("perks:console")}"' in nav
    assert "Sign out" in nav
    assert reverse("scoring:dashboard") not in nav


def test_pending_merchant_navigation_shows_the_pending_application(client, pending_merchant):
    client.force_login(pending_merchant)

    nav = nav_of(client.get(reverse("home")).content.decode())

    assert "Application pending" in nav
    assert reverse("perks:console") not in nav


def test_staff_navigation_shows_the_admin(client, platform_staff):
    client.force_login(platform_staff)

    nav = nav_of(client.get(reverse("home")).content.decode())

    assert f'href="{reverse("admin:index")}"' in nav
    assert reverse("scoring:dashboard") not in nav


# --- Who gets into the merchant console ---------------------------------------------------------


def test_pending_merchant_opening_the_console_is_sent_to_the_pending_page(client, pending_merchant):
    client.force_login(pending_merchant)

    response = client.get(reverse("perks:console"))

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:merchant_pending")


def test_approved_merchant_opens_the_console(client, approved_merchant):
    client.force_login(approved_merchant)

    response = client.get(reverse("perks:console"))

    assert response.status_code == 200
    assert "Ford" in response.content.decode()


def test_consumer_opening_the_console_is_refused(client, consumer):
    client.force_login(consumer)

    response = client.get(reverse("perks:console"))

    assert response.status_code == 403


def test_pending_page_names_the_merchant(client, pending_merchant):
    client.force_login(pending_merchant)

    response = client.get(reverse("accounts:merchant_pending"))

    assert response.status_code == 200
    assert "<strong>Ford</strong>" in response.content.decode()


# --- Every account page renders ------------------------------------------------------------------


@pytest.mark.parametrize(
    "url_name",
    [
        "accounts:sign_up",
        "accounts:merchant_apply",
        "accounts:login",
        "accounts:password_reset",
        "accounts:password_reset_done",
        "accounts:password_reset_complete",
    ],
)
def test_public_account_page_renders(client, url_name, django_assert_max_num_queries):
    with django_assert_max_num_queries(0):
        response = client.get(reverse(url_name))

    assert response.status_code == 200
    assert '<main id="main"' in response.content.decode()


@pytest.mark.parametrize("url_name", ["accounts:password_change", "accounts:password_change_done"])
def test_signed_in_account_page_renders(client, consumer, url_name, django_assert_max_num_queries):
    client.force_login(consumer)

    # session, user, merchant membership (role), the unread notifications for the navigation
    with django_assert_max_num_queries(4):
        response = client.get(reverse(url_name))

    assert response.status_code == 200


def test_password_reset_confirm_with_a_bad_token_explains_the_link_expired(client, consumer):
    uid = urlsafe_base64_encode(force_bytes(consumer.pk))

    response = client.get(
        reverse("accounts:password_reset_confirm", kwargs={"uidb64": uid, "token": "bad-token"})
    )

    assert response.status_code == 200
    assert "This link no longer works" in response.content.decode()


def test_password_reset_confirm_with_a_good_token_offers_the_new_password_form(client, consumer):
    uid = urlsafe_base64_encode(force_bytes(consumer.pk))
    token = default_token_generator.make_token(consumer)

    response = client.get(
        reverse("accounts:password_reset_confirm", kwargs={"uidb64": uid, "token": token}), follow=True
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert 'name="new_password1"' in html
    assert 'name="new_password2"' in html


def test_password_reset_mails_a_link_to_the_confirm_page(client, consumer, mailoutbox):
    response = client.post(reverse("accounts:password_reset"), {"email": "ann@example.com"})

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_reset_done")
    assert len(mailoutbox) == 1
    body = mailoutbox[0].body
    assert "Hello ann," in body
    assert re.search(r"http://testserver/accounts/password/reset/[\w-]+/[\w-]+/", body)
    assert "&amp;" not in body


NEW_PASSWORD = "another-Long-pass-951"


def test_changing_the_password_revokes_the_api_tokens_and_keeps_the_session(client, consumer):
    # given
    services.api_token_issue(user=consumer)
    services.api_token_issue(user=consumer)
    client.force_login(consumer)

    # when
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    # then
    assert (response.status_code, response["Location"]) == (302, reverse("accounts:password_change_done"))
    consumer.refresh_from_db()
    assert consumer.check_password(NEW_PASSWORD) is True
    assert ApiToken.objects.filter(user=consumer, revoked_at=None).count() == 0
    assert client.get(reverse("accounts:password_change_done")).status_code == 200


def test_a_refused_password_change_leaves_the_api_tokens_valid(client, consumer):
    # given
    services.api_token_issue(user=consumer)
    client.force_login(consumer)

    # when
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": "wrong-password", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    # then
    assert response.status_code == 200
    assert ApiToken.objects.filter(user=consumer, revoked_at=None).count() == 1


def test_resetting_the_password_revokes_the_api_tokens(client, consumer):
    # given
    services.api_token_issue(user=consumer)
    link = reverse(
        "accounts:password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(consumer.pk)),
            "token": default_token_generator.make_token(consumer),
        },
    )
    set_password_page = client.get(link)["Location"]

    # when
    response = client.post(set_password_page, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})

    # then
    assert (response.status_code, response["Location"]) == (302, reverse("accounts:password_reset_complete"))
    consumer.refresh_from_db()
    assert consumer.check_password(NEW_PASSWORD) is True
    assert ApiToken.objects.filter(user=consumer, revoked_at=None).count() == 0


# --- Forms --------------------------------------------------------------------------------------


def test_sign_up_explains_that_scoring_starts_only_after_opting_in(client):
    html = client.get(reverse("accounts:sign_up")).content.decode()

    assert "Scoring starts only after you opt in" in html


def test_sign_up_creates_a_consumer_and_signs_them_in(client):
    response = client.post(
        reverse("accounts:sign_up"), {"username": "bea", "email": "bea@example.com", "password": PASSWORD}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:after_login")
    assert User.objects.filter(username="bea").count() == 1
    assert client.get(reverse("home")).context["user"].username == "bea"


def test_sign_up_errors_are_shown_next_to_their_field_and_linked_to_it(client, consumer):
    response = client.post(
        reverse("accounts:sign_up"), {"username": "ann", "email": "not-an-email", "password": "1"}
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert User.objects.count() == 1
    assert 'id="id_email_error"' in html
    assert 'aria-describedby="id_email_error"' in html
    assert 'aria-invalid="true"' in html
    assert "Enter a valid email address." in html


def test_login_with_a_wrong_password_shows_an_error(client, consumer):
    response = client.post(reverse("accounts:login"), {"username": "ann", "password": "wrong-password"})

    html = response.content.decode()
    assert response.status_code == 200
    assert 'class="alert alert--error" role="alert"' in html
    assert "Please enter a correct username and password." in html


def test_sign_out_is_a_post_that_ends_the_session(client, consumer):
    client.force_login(consumer)

    response = client.post(reverse("accounts:logout"))

    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


# --- Error pages -------------------------------------------------------------------------------------


def test_not_found_page_uses_the_layout(client):
    response = client.get("/no-such-page/")

    html = response.content.decode()
    assert response.status_code == 404
    assert '<header class="site-header">' in html
    assert "We could not find that page" in html
    assert "Scoring is opt-in. Merchants never see your score." in html


def test_server_error_page_renders_without_any_context():
    html = loader.get_template("500.html").render()

    assert "Something went wrong on our side" in html
    assert "/static/css/portal.css" in html


def test_layout_has_no_inline_script_or_style(client):
    html = client.get(reverse("home")).content.decode()

    assert re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html) is None
    assert " style=" not in html
    assert "<style" not in html


def test_sign_up_shows_the_password_rules_before_the_first_try(client, settings):
    page = client.get(reverse("accounts:sign_up")).content.decode()

    assert 'id="id_password_helptext"' in page
    assert "Your password must contain at least" in page
    assert "Your password can\u2019t be entirely numeric." in page
