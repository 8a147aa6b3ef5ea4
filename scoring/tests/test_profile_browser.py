"""The journey of issue 16 in a real Chromium: sign up, opt in, verify the real name, confirm the
contacts a partner reported, see the score rise and get the email; the profile on a phone and in
Chinese."""

import datetime

import pytest
from playwright.sync_api import expect

from scoring import services, tasks
from scoring.models import Partner, ScoreSnapshot
from tests.browser import PHONE, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-Long-pass-950"
NUMBER = "11010519491231002X"
# 600 for an empty file, plus a verified real name (0.25 of identity: 13.125 points), plus two
# confirmed contacts with 30 interactions (0.1 + 0.15 of connections: 4.375 points): 617.5, rounded
# half up.
FRESH, VERIFIED, WITH_CONTACTS = 600, 613, 618


def fits_the_phone(page) -> bool:
    page.wait_for_load_state("load")
    return page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_sign_up_opt_in_verify_confirm_contacts_see_the_score_rise_and_get_the_email(
    page, phone_page, live_server, make_consumer, settings, deliver_notification_emails
):
    settings.IDENTITY_DEMO_VERIFIER = True  # the embedded default's demo verifier
    friends = [make_consumer("bo"), make_consumer("cy")]
    nav = page.get_by_role("navigation", name="Main")

    # sign up
    page.goto(f"{live_server.url}/accounts/sign-up/")
    page.get_by_label("Username").fill("mei")
    page.get_by_label("E-mail").fill("mei@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page).to_have_url(f"{live_server.url}/dashboard/")

    # opt in: an empty file is 600
    page.get_by_label("I have read how scoring works and I agree to be scored.").check()
    page.get_by_role("button", name="Opt in and see my score").click()
    expect(page.locator(".dash-gauge__number")).to_have_text(str(FRESH))
    # as if she had opted in yesterday: a move is told against the previous day's score
    yesterday = services.today() - datetime.timedelta(days=1)
    ScoreSnapshot.objects.filter(person__username="mei").update(as_of=yesterday)

    # verify the real name: a typo first, then the right number
    nav.get_by_role("link", name="Profile").click()
    expect(page.get_by_test_id("identity-status")).to_contain_text("Not verified")
    page.get_by_label("Legal name").fill("Wang Mei")
    page.get_by_label("Resident ID number").fill("110105194912310021")
    page.get_by_role("button", name="Verify my real name").click()
    expect(page.locator("#id_id_number_error")).to_contain_text("check it for a typo")
    page.get_by_label("Resident ID number").fill(NUMBER)
    page.get_by_role("button", name="Verify my real name").click()
    expect(page.get_by_test_id("identity-status")).to_contain_text("Verified")
    expect(page.locator("#identity")).to_contain_text("ending in 002X")
    assert NUMBER not in page.content()

    # the recompute the verification queued, as a worker runs it: the score rose 13 points
    mei = friends[0].__class__.objects.get(username="mei")
    tasks.recompute_person(mei.pk, services.today().isoformat())
    nav.get_by_role("link", name="Dashboard").click()
    expect(page.locator(".dash-gauge__number")).to_have_text(str(VERIFIED))

    # a partner reports two contacts; they count only once confirmed
    partner = Partner.objects.create(name="Social Graph", slug="graph")
    services.events_ingest(
        partner=partner,
        batch=[
            {
                "id": f"contact-{friend.username}",
                "type": "contact",
                "person": "mei",
                "data": {
                    "contact": friend.username,
                    "confirmed_on": services.today().isoformat(),
                    "interactions_90d": 15,
                },
            }
            for friend in friends
        ],
    )
    page.reload()
    expect(page.locator(".dash-gauge__number")).to_have_text(str(VERIFIED))
    nav.get_by_role("link", name="Profile").click()
    contacts = page.locator("#contacts")
    expect(contacts.locator(".profile-contact")).to_have_count(2)
    for friend in friends:
        contacts.get_by_role("button", name=f"Confirm {friend.username}").click()
        expect(page.get_by_role("status").first).to_contain_text("Contact confirmed")
    expect(contacts).to_contain_text("2 confirmed contacts count.")
    screenshot(page, "profile-desktop")

    # the recompute the confirmations queued, as a worker runs it
    tasks.recompute_person(mei.pk, services.today().isoformat())
    nav.get_by_role("link", name="Dashboard").click()
    expect(page.locator(".dash-gauge__number")).to_have_text(str(WITH_CONTACTS))
    screenshot(page, "profile-journey-dashboard-desktop")

    # the email: one, for the verification's move against yesterday (a score is told once a day:
    # the contacts' later +5 the same day adds no second one)
    [email] = deliver_notification_emails()
    assert email.to == ["mei@example.com"]
    assert email.subject == f"Credit Life: Your score rose {VERIFIED - FRESH} points"
    assert str(VERIFIED) in email.body

    # the same profile on a phone, and in Chinese
    phone_page.goto(f"{live_server.url}/accounts/login/")
    phone_page.get_by_label("Username").fill("mei")
    phone_page.get_by_label("Password").fill(PASSWORD)
    phone_page.locator("main").get_by_role("button", name="Sign in").click()
    phone_page.goto(f"{live_server.url}/accounts/profile/")
    expect(phone_page.get_by_test_id("identity-status")).to_contain_text("Verified")
    assert fits_the_phone(phone_page)
    screenshot(phone_page, "profile-phone")
    page.get_by_label("Language").select_option("zh-hans")
    page.get_by_role("button", name="Switch language").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    page.goto(f"{live_server.url}/accounts/profile/")
    expect(page.get_by_test_id("identity-status")).to_contain_text("已认证")
    expect(page.locator("#sources")).to_contain_text("逾期付款")
    screenshot(page, "profile-zh")


def test_an_unverified_person_is_sent_from_a_perk_to_the_profile(page, live_server, make_consumer):
    make_consumer("lan", verified=False)
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("lan")
    page.get_by_label("Password").fill(PASSWORD)
    page.locator("main").get_by_role("button", name="Sign in").click()

    page.goto(f"{live_server.url}/perks/")
    expect(page.locator("#verify-identity")).to_contain_text("Verify your real name to claim perks")
    screenshot(page, "perks-verify-identity-desktop")
    page.locator("#verify-identity").get_by_role("link", name="Verify my real name").click()

    expect(page).to_have_url(f"{live_server.url}/accounts/profile/#identity")
    expect(page.get_by_label("Resident ID number")).to_be_visible()
