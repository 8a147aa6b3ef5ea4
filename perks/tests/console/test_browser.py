"""The merchant's journey in a real Chromium against the live server, on the seed_demo data.

Ford's staff sign in, create a promotion, read its preview and audience, activate it; Alice
claims it through the API with her token; Ford checks her code at the counter, confirms the
hand-over, undoes it, hands it over again and records the car returned, then reads the claims
and registers a webhook endpoint. The counter and the claims are then used one-handed on a
390 px phone, and the console read in Chinese. axe-core finds no violation on any page
(WCAG 2.2 AA, and AAA's 7:1 text contrast). Screenshots (prefix "console-") go to
test-artifacts/screenshots/ for review.
"""

import datetime
import random
import re

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from accounts import demo as accounts_demo
from accounts.models import ConsumerProfile, User
from perks import services, webhooks
from perks.models import Claim, Promotion, WebhookDelivery, WebhookEndpoint
from scoring.models import Identity
from tests.browser import PHONE, assert_accessible, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "demo-pass-950"
TITLE = "Weekend test drive of the new Mustang Mach-E"
FORD_TRIAL = "Free 3-day test drive of a new Ford"
AUDIENCE_SIZE = 400


@pytest.fixture
def demo() -> None:
    call_command("seed_demo", people=20, history_months=2, verbosity=0)
    # A crowd of opted-in people with scores spread like a real population, so the audience
    # preview has buckets over 10 to draw (their rows are written directly: nobody signs in).
    rng = random.Random(950)
    users = User.objects.bulk_create(User(username=f"crowd{n}", password="!") for n in range(AUDIENCE_SIZE))
    ConsumerProfile.objects.bulk_create(
        ConsumerProfile(
            user=user,
            is_opted_in=True,
            opted_in_at=timezone.now(),
            consent_version="2026-11",
            score=min(950, max(350, round(rng.gauss(700, 60) / 1))),
            score_as_of=timezone.localdate(),
        )
        for user in users
    )
    # Three in four have verified their real name: the audience of a promotion that asks for it
    # counts only them.
    Identity.objects.bulk_create(
        Identity(person=user, real_name_verified=number % 4 != 0) for number, user in enumerate(users)
    )
    verified = [user for number, user in enumerate(users) if number % 4 != 0]
    accounts_demo.identities_ensure(users=verified)
    verified_ids = {user.pk for user in verified}
    # Some history on Ford's demo trial, so its claims page has days, returns and sales to show.
    ford_trial = Promotion.objects.get(title=FORD_TRIAL)
    crowd = ConsumerProfile.objects.filter(user__username__startswith="crowd", score__gte=760)
    drivers = [profile for profile in crowd if profile.user_id in verified_ids][:12]
    for number, profile in enumerate(drivers):
        claim = services.claim_create(promotion=ford_trial, person=profile.user)
        Claim.objects.filter(pk=claim.pk).update(
            claimed_at=timezone.now() - datetime.timedelta(days=number % 6)
        )
        if number % 4 != 3:
            services.claim_hand_over(merchant=ford_trial.merchant, code=claim.code)
        if number % 4 in (1, 2):
            outcome = "returned" if number % 3 == 0 else "converted"
            services.claim_mark(
                merchant=ford_trial.merchant, claim=Claim.objects.get(pk=claim.pk), status=outcome
            )


def sign_in(page, live_server, *, username: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.locator("main").get_by_role("button", name="Sign in").click()


def assert_fits_the_phone(page) -> None:
    # Measured once the page has loaded: mid-navigation there is no document element to measure.
    page.wait_for_load_state("load")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def local_input(moment: datetime.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def claim_through_the_api(browser, live_server, *, username: str, promotion: Promotion) -> str:
    """A consumer's app: get a token, claim the perk, return the claim code."""
    context = browser.new_context()
    try:
        token = context.request.post(
            f"{live_server.url}/api/v1/auth/token/", data={"username": username, "password": PASSWORD}
        )
        assert token.status == 200, token.text()
        claimed = context.request.post(
            f"{live_server.url}/api/v1/perks/{promotion.pk}/claim/",
            headers={"Authorization": f"Token {token.json()['token']}", "Idempotency-Key": "browser-test-1"},
        )
        assert claimed.status == 201, claimed.text()
        return claimed.json()["code"]
    finally:
        context.close()


def log_scene(endpoint: WebhookEndpoint, claim: Claim) -> None:
    now = timezone.now()
    outcomes = [
        ("claim.created", {"status": "delivered", "attempts": 1, "response_code": 200, "delivered_at": now}),
        (
            "claim.returned",
            {"status": "failed", "attempts": 6, "response_code": 500, "last_error": "HTTP 500"},
        ),
        (
            "claim.converted",
            {
                "attempts": 2,
                "last_error": "URLError: [Errno -2] Name or service not known",
                "next_attempt_at": now + datetime.timedelta(seconds=60),
            },
        ),
    ]
    for event, fields in outcomes:
        delivery = WebhookDelivery(endpoint=endpoint, event=event, **fields)
        delivery.payload = webhooks.payload_for(
            claim=claim, event=event, event_id=str(delivery.event_id), at=now
        )
        delivery.save()


def test_ford_launches_a_promotion_and_honours_a_claim_at_the_counter(browser, page, live_server, demo):
    main = page.locator("main")
    sign_in(page, live_server, username="ford")
    expect(page).to_have_url(f"{live_server.url}/merchant/")
    expect(main.get_by_role("heading", name="Your promotions")).to_be_visible()
    expect(main.get_by_role("link", name=FORD_TRIAL, exact=True)).to_be_visible()
    assert_accessible(page, where="console home")
    screenshot(page, "console-home")

    # Create: the form, filled in.
    main.get_by_role("link", name="New promotion").click()
    expect(page).to_have_url(f"{live_server.url}/merchant/promotions/new/")
    page.get_by_label("Title (English)").fill(TITLE)
    page.get_by_label("Title (Chinese)").fill("福特Mustang Mach-E周末试驾")
    page.get_by_label("Description (English)").fill(
        "Take the new electric Mustang home for a weekend. Pick it up at any Ford dealer in Shanghai."
    )
    page.get_by_label("Category").select_option("try_before_buy")
    page.get_by_label("Benefit", exact=True).select_option("trial")
    page.get_by_label("Trial days").fill("2")
    page.get_by_label("Minimum score").fill("700")
    page.locator("#id_cond_identity_verified").check()
    page.get_by_label("Quantity").fill("10")
    page.get_by_label("Ends").fill(local_input(timezone.now() + datetime.timedelta(days=30)))
    expect(page.locator("#id_amount")).to_be_visible()  # a trial may state the car's value
    assert_accessible(page, where="promotion form")
    screenshot(page, "console-promotion-form")
    main.get_by_role("button", name="Save draft and preview").click()

    # The preview: the consumer's card, the conditions and the audience.
    promotion = Promotion.objects.get(title=TITLE)
    expect(page).to_have_url(f"{live_server.url}/merchant/promotions/{promotion.pk}/")
    expect(page.locator("#promotion-status")).to_have_text("Draft")
    expect(main.locator(".perk-card__title")).to_have_text(TITLE)
    expect(main.get_by_text("Verified real-name identity")).to_be_visible()
    qualifying = page.locator("#audience-qualifying")
    expect(qualifying).to_have_text(re.compile(r"^\d+0$"))
    expect(main.locator("svg.console-chart rect.console-chart__bar--in").first).to_be_visible()
    assert_accessible(page, where="promotion preview")
    screenshot(page, "console-promotion-preview")

    main.get_by_role("button", name="Activate").click()
    expect(page.locator("#promotion-status")).to_have_text("Active")
    expect(main.get_by_role("button", name="Pause")).to_be_visible()
    expect(main.get_by_role("button", name="Activate")).to_have_count(0)

    # Alice (score 750 or more) claims it from her phone's app. The identity condition is hers.
    assert ConsumerProfile.objects.get(user__username="alice").score >= 750
    code = claim_through_the_api(browser, live_server, username="alice", promotion=promotion)
    page.reload()
    expect(page.locator("#sellout-forecast")).to_contain_text("At the claim rate so far")
    screenshot(page, "console-promotion-active")

    # At the counter: a wrong code first, then hers, as a scanner types it.
    page.get_by_role("navigation", name="Merchant console").get_by_role("link", name="At the counter").click()
    page.get_by_label("Claim code or scanned QR").fill("ABCDE-23456")
    main.get_by_role("button", name="Check code").click()
    expect(page.locator("#verify-result")).to_contain_text("Not valid")
    assert_accessible(page, where="counter, invalid")
    screenshot(page, "console-counter-invalid")

    # Checking uses nothing: the result says what to hand over and asks to confirm.
    page.get_by_label("Claim code or scanned QR").fill(f"{code[:5]} {code[5:]}".lower())
    main.get_by_role("button", name="Check code").click()
    claim = Claim.objects.get(code=code)
    expect(page.locator("#verify-result")).to_contain_text("Valid")
    expect(page.locator("#verify-result")).to_contain_text("Hand over: Free 2-day trial.")
    assert Claim.objects.get(code=code).status == "active"
    assert str(ConsumerProfile.objects.get(user__username="alice").score) not in main.inner_text()
    assert_accessible(page, where="counter, valid")
    screenshot(page, "console-counter-valid")

    main.get_by_role("button", name="Confirm hand-over").click()
    expect(page).to_have_url(f"{live_server.url}/merchant/claims/{claim.pk}/?handed=1")
    expect(page.locator("#verify-result")).to_contain_text("Handed over")
    expect(page.locator(".messages")).to_contain_text("Handed over: Free 2-day trial.")
    expect(page.locator("#claim-status")).to_have_text("In use")
    expect(page.locator("#claim-due-back")).to_have_text(re.compile(r"\d{4}"))
    assert_accessible(page, where="claim, handed over")
    screenshot(page, "console-counter-handed-over")

    # Handed over by mistake: undone within five minutes, the code is valid again.
    main.get_by_role("button", name="Undo the hand-over").click()
    expect(page.locator("#claim-status")).to_have_text("Active")
    expect(page.locator(".messages")).to_contain_text("Hand-over undone")
    screenshot(page, "console-counter-undone")
    page.get_by_role("link", name="Check another code").click()
    page.get_by_label("Claim code or scanned QR").fill(code)
    main.get_by_role("button", name="Check code").click()
    main.get_by_role("button", name="Confirm hand-over").click()
    expect(page.locator("#claim-status")).to_have_text("In use")

    main.get_by_role("button", name="Returned").click()
    expect(page.locator("#claim-status")).to_have_text("Returned")
    expect(page.locator(".messages")).to_contain_text("Recorded: returned.")
    screenshot(page, "console-claim-returned")
    claim.refresh_from_db()
    assert claim.status == "returned"

    # The claims of the demo's Ford trial: a few days of history, a conversion rate.
    page.goto(f"{live_server.url}/merchant/")
    main.get_by_role("link", name=FORD_TRIAL, exact=True).click()
    main.get_by_role("link", name="Claims", exact=True).click()
    expect(page.locator("#conversion-rate")).to_be_visible()
    expect(page.locator("#claims-table")).to_be_visible()
    assert_accessible(page, where="claims")
    screenshot(page, "console-claims")
    claims_url = page.url

    # Webhooks: an endpoint and its secret, shown once.
    page.get_by_role("navigation", name="Merchant console").get_by_role("link", name="Webhooks").click()
    page.get_by_label("Endpoint URL").fill("https://crm.ford.example/hooks/credit-life")
    page.get_by_label("Description").fill("Dealer CRM")
    main.get_by_role("button", name="Add endpoint").click()
    expect(page.locator("#webhook-secret")).to_have_value(re.compile(r"^whsec_"))
    assert_accessible(page, where="webhook secret")
    screenshot(page, "console-webhook-secret")

    # Its delivery log, once events have gone out (rows written directly: nothing is sent here).
    log_scene(WebhookEndpoint.objects.get(), claim)
    page.reload()
    expect(page.locator("#webhook-secret")).to_have_count(0)
    expect(page.locator("#deliveries-table tbody tr")).to_have_count(3)
    assert_accessible(page, where="webhook log")
    screenshot(page, "console-webhook-log")

    # The same console in Chinese: the preview card takes the Chinese title.
    page.get_by_label("Language").select_option("zh-hans")
    page.get_by_role("button", name="Switch language").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    page.goto(f"{live_server.url}/merchant/promotions/{promotion.pk}/")
    expect(main.locator(".perk-card__title")).to_have_text("福特Mustang Mach-E周末试驾")
    expect(main.get_by_role("heading", name="今日覆盖人群")).to_be_visible()
    assert_accessible(page, where="promotion, Chinese")
    screenshot(page, "console-promotion-zh")
    page.goto(f"{live_server.url}/merchant/counter/")
    page.get_by_label("领取码或扫描的二维码").fill(code)
    main.get_by_role("button", name="核验", exact=True).click()
    expect(page.locator("#verify-result")).to_be_visible()
    assert_accessible(page, where="counter, Chinese")
    screenshot(page, "console-counter-zh")
    page.goto(claims_url)
    assert_accessible(page, where="claims, Chinese")
    screenshot(page, "console-claims-zh")


def chart_label_pixels(page) -> list[float]:
    """The on-screen size of every label of every chart shown: its font size times the drawing's scale."""
    return page.evaluate(
        """() => Array.from(document.querySelectorAll("svg.console-chart"))
            .filter((svg) => svg.getBoundingClientRect().width > 0)
            .flatMap((svg) => {
              const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
              return Array.from(svg.querySelectorAll("text"))
                .map((text) => parseFloat(getComputedStyle(text).fontSize) * scale);
            })"""
    )


def test_the_counter_and_the_claims_work_one_handed_on_a_phone(phone_page, live_server, demo):
    page = phone_page
    main = page.locator("main")
    ford_trial = Promotion.objects.get(title=FORD_TRIAL)
    claim = services.claim_create(promotion=ford_trial, person=User.objects.get(username="alice"))
    sign_in(page, live_server, username="ford")

    # The counter: the code box, the check and the confirmation within a thumb's reach.
    page.goto(f"{live_server.url}/merchant/counter/")
    page.get_by_label("Claim code or scanned QR").fill(claim.code)
    main.get_by_role("button", name="Check code").click()
    expect(page.locator("#verify-result")).to_contain_text("Hand over: Free 3-day trial.")
    assert_fits_the_phone(page)
    assert_accessible(page, where="counter on a phone")
    screenshot(page, "console-counter-valid-phone")
    main.get_by_role("button", name="Confirm hand-over").click()
    expect(page.locator("#claim-status")).to_have_text("In use")
    expect(main.get_by_role("button", name="Undo the hand-over")).to_be_visible()
    assert_fits_the_phone(page)
    assert_accessible(page, where="claim on a phone")
    screenshot(page, "console-counter-handed-over-phone")

    # The claims: the narrow chart with labels of 12 px or more, the table within the screen.
    page.goto(f"{live_server.url}/merchant/promotions/{ford_trial.pk}/claims/")
    expect(page.locator("#claims-table")).to_be_visible()
    labels = chart_label_pixels(page)
    assert labels and min(labels) >= 12, labels
    assert_fits_the_phone(page)
    assert_accessible(page, where="claims on a phone")
    screenshot(page, "console-claims-phone")

    page.goto(f"{live_server.url}/merchant/promotions/{ford_trial.pk}/")
    labels = chart_label_pixels(page)
    assert labels and min(labels) >= 12, labels
    assert_fits_the_phone(page)
    assert_accessible(page, where="promotion on a phone")
    screenshot(page, "console-promotion-phone")

    page.get_by_label("Language").select_option("zh-hans")
    page.get_by_role("button", name="Switch language").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    page.goto(f"{live_server.url}/merchant/promotions/{ford_trial.pk}/claims/")
    assert_fits_the_phone(page)
    assert_accessible(page, where="claims on a phone, Chinese")
    screenshot(page, "console-claims-phone-zh")


def test_chart_labels_are_at_least_12_px_on_a_desktop(page, live_server, demo):
    ford_trial = Promotion.objects.get(title=FORD_TRIAL)
    sign_in(page, live_server, username="ford")

    for url in (f"/merchant/promotions/{ford_trial.pk}/claims/", f"/merchant/promotions/{ford_trial.pk}/"):
        page.goto(f"{live_server.url}{url}")
        labels = chart_label_pixels(page)
        assert labels and min(labels) >= 12, (url, labels)
