"""Sign-up, sign-out and sign-in in a real Chromium against the live server."""

import pytest
from playwright.sync_api import expect

from accounts import services
from tests.browser import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-Long-pass-950"


def sign_in(page, live_server, *, username: str, password: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.locator("main").get_by_role("button", name="Sign in").click()


def test_consumer_signs_up_signs_out_and_signs_in_again(page, live_server):
    page.goto(live_server.url)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Sign up").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Create your account")

    page.get_by_label("Username").fill("mei")
    page.get_by_label("E-mail").fill("mei@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()

    nav = page.get_by_role("navigation", name="Main")
    expect(page).to_have_url(f"{live_server.url}/dashboard/")
    expect(nav.get_by_role("link", name="Dashboard")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("Opt in to get your credit score.")

    nav.get_by_text("mei").click()
    nav.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(f"{live_server.url}/")
    expect(nav.get_by_role("link", name="Sign in")).to_be_visible()
    expect(nav.get_by_role("link", name="Dashboard")).to_have_count(0)

    sign_in(page, live_server, username="mei", password=PASSWORD)
    expect(page).to_have_url(f"{live_server.url}/dashboard/")
    expect(nav.get_by_role("link", name="Dashboard")).to_be_visible()
    expect(nav.get_by_role("link", name="Sign up")).to_have_count(0)


def test_sign_in_with_a_wrong_password_shows_an_error(page, live_server):
    services.consumer_register(username="lin", email="lin@example.com", password=PASSWORD)
    page.goto(f"{live_server.url}/accounts/login/")
    screenshot(page, "login")

    sign_in(page, live_server, username="lin", password="not-the-password")

    expect(page).to_have_url(f"{live_server.url}/accounts/login/")
    expect(page.get_by_role("alert")).to_contain_text("Please enter a correct username and password.")
    screenshot(page, "login-error")


def test_sign_up_errors_appear_next_to_their_fields(page, live_server):
    services.consumer_register(username="taken", email="taken@example.com", password=PASSWORD)
    page.goto(f"{live_server.url}/accounts/sign-up/")

    # A clash that differs only in case: names are unique regardless of case.
    page.get_by_label("Username").fill("Taken")
    page.get_by_label("E-mail").fill("someone@example.com")
    page.get_by_label("Password").fill("short")
    page.get_by_role("button", name="Create account").click()

    username = page.get_by_label("Username")
    expect(username).to_have_attribute("aria-invalid", "true")
    expect(username).to_have_accessible_description("A user with that username already exists.")
    expect(page.locator("#id_password_error")).to_contain_text("This password is too short.")
    screenshot(page, "sign-up-errors")


def test_home_page_looks_right_on_desktop_and_phone(page, phone_page, live_server):
    page.goto(live_server.url)
    expect(page.get_by_role("heading", level=1)).to_have_text("Good credit should open doors.")
    screenshot(page, "home-desktop")

    phone_page.goto(live_server.url)
    expect(phone_page.get_by_role("link", name="Sign up free")).to_be_visible()
    # Nothing may stick out sideways on a phone.
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(phone_page, "home-phone")


def test_sign_out_and_language_switch_work_without_javascript(browser, live_server):
    services.consumer_register(username="wu", email="wu@example.com", password=PASSWORD)
    context = browser.new_context(java_script_enabled=False, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    try:
        page = context.new_page()
        sign_in(page, live_server, username="wu", password=PASSWORD)
        nav = page.get_by_role("navigation", name="Main")
        expect(nav.get_by_role("link", name="Dashboard")).to_be_visible()

        page.get_by_label("Language").select_option("zh-hans")
        page.get_by_role("button", name="Switch language").click()
        expect(page.locator("html")).to_have_attribute("lang", "zh-hans")

        nav = page.get_by_role("navigation", name="主导航")
        nav.get_by_text("wu").click()
        nav.get_by_role("button", name="退出登录").click()
        expect(page).to_have_url(f"{live_server.url}/")
        expect(nav.get_by_role("link", name="登录")).to_be_visible()
    finally:
        context.close()
