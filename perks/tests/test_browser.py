"""The consumer's journey in a real Chromium against the live server, on the seed_demo data.

Alice (score 750+) reads her dashboard, opens a dimension, tries "what if", claims a perk
through the confirmation step, finds it in her claims with its QR code, shares her band and
opens the public link in a fresh browser context (nobody signed in), then switches to Chinese.
Screenshots (prefix "perks-") go to test-artifacts/screenshots/ for review.
"""

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from accounts.models import Merchant
from core.keys import key_hash
from perks import services
from perks.models import Claim, Share
from scoring.models import ScoreSnapshot
from tests.browser import DESKTOP, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "demo-pass-950"
PHONE_WIDTH = 390
DIMENSIONS = [
    "Credit history",
    "Fulfilment capacity",
    "Behaviour and preferences",
    "Identity and characteristics",
    "Connections",
]
FORD_TRIAL = "Free 3-day test drive of a new Ford"


@pytest.fixture
def demo() -> None:
    call_command("seed_demo", people=20, history_months=12, verbosity=0)


def sign_in(page, live_server, *, username: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.locator("main").get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{live_server.url}/dashboard/")


def assert_fits_the_phone(page) -> None:
    # Measured once the page has loaded: mid-navigation there is no document element to measure.
    page.wait_for_load_state("load")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE_WIDTH


def switch_to_chinese(page) -> None:
    page.get_by_label("Language").select_option("zh-hans")
    page.get_by_role("button", name="Switch language").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")


def test_alice_reads_her_score_claims_a_perk_and_shares_her_band(browser, page, live_server, demo):
    score = ScoreSnapshot.objects.filter(person__username="alice").order_by("-as_of").first().score
    assert score >= 750

    sign_in(page, live_server, username="alice")
    main = page.locator("main")
    expect(page.locator(".dash-gauge__number")).to_have_text(str(score))
    for name in DIMENSIONS:
        expect(main.locator("summary", has_text=name)).to_be_visible()
    screenshot(page, "perks-dashboard-alice-desktop")

    credit_history = main.locator("details#dim-credit_history")
    credit_history.locator("summary").first.click()
    expect(credit_history).to_have_attribute("open", "")
    expect(credit_history.get_by_role("table").first).to_be_visible()

    what_if = main.locator("#what-if")
    what_if.locator("summary").first.click()
    what_if.get_by_label("Pay down my credit line").select_option("0")
    what_if.get_by_role("button", name="Show the score").click()
    expect(page).to_have_url(re.compile(r"/dashboard/\?.*utilisation=0"))
    expect(page.get_by_test_id("simulated-score")).to_be_visible()

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Perks").click()
    expect(page).to_have_url(f"{live_server.url}/perks/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Perks for your score")
    for category in ("Medical", "Deposit-free", "Try before you buy", "Credit", "Access", "Library"):
        expect(main.get_by_role("heading", level=2, name=category)).to_be_visible()
    screenshot(page, "perks-list-desktop")

    page.get_by_label("Only perks I can claim now").check()
    page.get_by_role("button", name="Show perks").click()
    expect(page).to_have_url(re.compile(r"/perks/\?.*eligible=on"))
    expect(main.locator(".perk-card--not_eligible")).to_have_count(0)

    ford = main.locator(".perk-card", has_text=FORD_TRIAL)
    ford.get_by_role("link", name=re.compile("^Claim")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(FORD_TRIAL)
    expect(main).to_contain_text("Return it within 3 days of picking it up, or buy it.")
    screenshot(page, "perks-claim-confirm-desktop")

    page.get_by_role("button", name="Confirm and claim").click()
    claim = Claim.objects.get(person__username="alice")
    expect(page).to_have_url(f"{live_server.url}/claims/{claim.pk}/")
    expect(page.get_by_test_id("claim-code")).to_have_text(claim.code)
    expect(page.get_by_role("img", name=f"QR code of claim code {claim.code}")).to_be_visible()
    expect(page.get_by_test_id("claim-status")).to_have_text("Active")
    screenshot(page, "perks-claim-desktop")

    # Ford's counter scans the code: the test drive starts, and alice sees who checked it.
    services.claim_hand_over(merchant=Merchant.objects.get(slug="ford"), code=claim.code)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My claims").click()
    card = main.locator(".claim-card", has_text=FORD_TRIAL)
    expect(card).to_contain_text(claim.code)
    expect(card.locator(".badge")).to_have_text("In use")
    expect(main.locator("#checks")).to_contain_text("Handed over")
    screenshot(page, "perks-my-claims-desktop")
    card.get_by_role("link", name=re.compile("^Show code")).click()
    expect(page.get_by_role("img", name=f"QR code of claim code {claim.code}")).to_be_visible()

    page.goto(f"{live_server.url}/shares/")
    page.get_by_label("My band only").check()
    page.get_by_label("Link works for (days)").fill("14")
    page.get_by_role("button", name="Create link").click()
    share = Share.objects.get(person__username="alice")
    link = page.locator(f"#share-url-{share.pk}")
    expect(link).to_have_value(re.compile(rf"^{re.escape(live_server.url)}/s/[A-Za-z0-9_-]{{43}}/$"))
    screenshot(page, "perks-shares-desktop")
    url = link.input_value()
    assert share.token_hash == key_hash(url.rstrip("/").rsplit("/", 1)[1])  # only the hash is kept

    stranger = browser.new_context(viewport=DESKTOP, locale="en-US")
    try:
        public = stranger.new_page()
        public.goto(url)
        expect(public.get_by_text("Verified by Credit Life")).to_be_visible()
        expect(public.get_by_role("heading", level=1)).to_have_text("alice")
        expect(public.get_by_test_id("shared-band")).to_have_text("Excellent")
        expect(public.get_by_test_id("shared-score")).to_have_count(0)
        expect(public.locator("main")).not_to_contain_text(str(score))
        nav = public.get_by_role("navigation", name="Main")
        expect(nav.get_by_role("link", name="Sign in")).to_be_visible()  # nobody is signed in
        screenshot(public, "perks-share-public-desktop")
    finally:
        stranger.close()

    page.goto(f"{live_server.url}/perks/")
    switch_to_chinese(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("你的信用分可享的权益")
    expect(main.locator(".perk-card", has_text="福特新车免费试驾3天")).to_be_visible()
    screenshot(page, "perks-list-desktop-zh")
    page.goto(f"{live_server.url}/claims/{claim.pk}/")
    expect(page.get_by_test_id("claim-code")).to_have_text(claim.code)
    screenshot(page, "perks-claim-desktop-zh")


def test_the_perks_pages_fit_a_phone(browser, phone_page, live_server, demo):
    page = phone_page
    sign_in(page, live_server, username="alice")

    page.goto(f"{live_server.url}/perks/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Perks for your score")
    assert_fits_the_phone(page)
    screenshot(page, "perks-list-phone")

    page.locator(".perk-card", has_text=FORD_TRIAL).get_by_role("link", name=re.compile("^Claim")).click()
    assert_fits_the_phone(page)
    screenshot(page, "perks-claim-confirm-phone")
    page.get_by_role("button", name="Confirm and claim").click()
    claim = Claim.objects.get(person__username="alice")
    expect(page.get_by_test_id("claim-code")).to_have_text(claim.code)
    assert_fits_the_phone(page)
    screenshot(page, "perks-claim-phone", full_page=False)

    page.goto(f"{live_server.url}/claims/")
    assert_fits_the_phone(page)
    screenshot(page, "perks-my-claims-phone")

    page.goto(f"{live_server.url}/shares/")
    page.get_by_label("My score and band").check()
    page.get_by_role("button", name="Create link").click()
    share = Share.objects.get(person__username="alice")
    url = page.locator(f"#share-url-{share.pk}").input_value()
    assert_fits_the_phone(page)
    screenshot(page, "perks-shares-phone")

    stranger = browser.new_context(viewport={"width": PHONE_WIDTH, "height": 844}, locale="en-US")
    try:
        public = stranger.new_page()
        public.goto(url)
        expect(public.get_by_test_id("shared-score")).to_contain_text("Score")
        assert_fits_the_phone(public)
        screenshot(public, "perks-share-public-phone")
    finally:
        stranger.close()

    page.goto(f"{live_server.url}/accounts/data/")
    assert_fits_the_phone(page)
    screenshot(page, "perks-data-phone")

    page.goto(f"{live_server.url}/perks/")
    switch_to_chinese(page)
    assert_fits_the_phone(page)
    screenshot(page, "perks-list-phone-zh")


def test_your_data_pages_and_the_other_demo_dashboards(page, live_server, demo):
    sign_in(page, live_server, username="alice")
    page.goto(f"{live_server.url}/accounts/data/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your data")
    screenshot(page, "perks-data-desktop")
    page.get_by_role("link", name="Delete my account…").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Delete your account")
    page.get_by_label("Your password").fill("not-the-password")
    page.get_by_role("button", name="Delete my account for good").click()
    expect(page.locator("#id_password_error")).to_contain_text("That is not your password.")
    screenshot(page, "perks-delete-desktop")

    # Bob (very good, gold member): the lounge needs a first-class ticket, checked at the counter.
    page.context.clear_cookies()
    sign_in(page, live_server, username="bob")
    screenshot(page, "perks-dashboard-bob-desktop")
    page.goto(f"{live_server.url}/perks/")
    lounge = page.locator(".perk-card", has_text="Station lounge at busy seasons")
    expect(lounge.locator(".perk-flag")).to_have_text(["At the counter", "At the counter"])
    expect(lounge).to_contain_text("First-class ticket (checked at the counter)")
    screenshot(page, "perks-list-bob-desktop")

    # Dave (listed by a court): the dashboard says why, the perks page says nothing is open.
    page.context.clear_cookies()
    sign_in(page, live_server, username="dave")
    expect(
        page.get_by_role("heading", name="A court has listed you as a dishonest judgment debtor")
    ).to_be_visible()
    screenshot(page, "perks-dashboard-dave-desktop")
    page.goto(f"{live_server.url}/perks/")
    expect(page.locator(".perks-listed")).to_contain_text("no perk is open to you")
    screenshot(page, "perks-list-dave-desktop")

    # Erin (not opted in): asked to opt in, and shown the perks she could get.
    page.context.clear_cookies()
    sign_in(page, live_server, username="erin")
    expect(page.get_by_role("heading", level=1)).to_have_text("Get your credit score")
    screenshot(page, "perks-dashboard-erin-desktop")
    page.goto(f"{live_server.url}/perks/")
    expect(page.locator(".perks-optin")).to_contain_text("You have not opted in to scoring")
    screenshot(page, "perks-list-erin-desktop")


def test_a_claim_says_where_and_when_adds_its_due_date_to_a_calendar_and_cancelling_asks_first(
    page, phone_page, live_server, demo
):
    from tests.browser import assert_accessible

    alice = ScoreSnapshot.objects.filter(person__username="alice").latest("as_of").person
    ford = Merchant.objects.get(slug="ford")
    trial = ford.promotions.get(title=FORD_TRIAL)
    Claim.objects.filter(person=alice).delete()

    # Cancelling asks first, and says what is given back.
    fresh = services.claim_create(promotion=trial, person=alice)
    sign_in(page, live_server, username="alice")
    page.goto(f"{live_server.url}/claims/{fresh.pk}/")
    page.get_by_role("link", name="Cancel this claim").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Cancel this claim?")
    expect(page.locator("main")).to_contain_text("You give back 1 of")
    screenshot(page, "perks-claim-cancel-confirm-desktop")
    assert_accessible(page, where="cancel confirmation")
    fresh.refresh_from_db()
    assert fresh.status == Claim.Status.ACTIVE
    page.get_by_role("link", name="No, keep it").click()
    page.get_by_role("link", name="Cancel this claim").click()
    switch_to_chinese(page)
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("^取消这次领取"))
    screenshot(page, "perks-claim-cancel-confirm-desktop-zh")
    assert_accessible(page, where="cancel confirmation, Chinese")
    page.locator("form.claim-confirm-cancel__actions button").click()
    expect(page.get_by_test_id("claim-status")).to_be_visible()
    fresh.refresh_from_db()
    assert fresh.status == Claim.Status.CANCELLED

    # A claim picked up says where it goes back and when, and its due-back date is a calendar file.
    picked_up = services.claim_create(promotion=trial, person=alice)
    services.claim_hand_over(merchant=ford, code=picked_up.code)
    picked_up.refresh_from_db()
    sign_in(phone_page, live_server, username="alice")
    phone_page.goto(f"{live_server.url}/claims/{picked_up.pk}/")
    place = phone_page.locator("#where-and-when")
    expect(place).to_contain_text("88 Century Avenue")
    expect(place).to_contain_text("Mon-Sun 09:00-20:00")
    with phone_page.expect_download() as download:
        place.get_by_role("link", name=re.compile("^Add the due-back date")).click()
    ics = download.value.path().read_text()
    assert f"DTSTART;VALUE=DATE:{picked_up.due_back:%Y%m%d}" in ics
    assert_fits_the_phone(phone_page)
    place.scroll_into_view_if_needed()
    screenshot(phone_page, "perks-claim-where-and-when-phone", full_page=False)
    assert_accessible(phone_page, where="claim, phone")
