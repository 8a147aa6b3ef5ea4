"""The merchant's journey in a real Chromium against the live server, on the seed_demo data.

Ford's staff sign in, create a promotion, read its preview and audience, activate it; Alice
claims it through the API with her token; Ford checks her code at the counter and records the
car returned, then reads the claims and registers a webhook endpoint. Screenshots (prefix
"console-") go to test-artifacts/screenshots/ for review.
"""

import datetime
import random
import re

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import ConsumerProfile, User
from perks import services, webhooks
from perks.models import Claim, Promotion, WebhookDelivery, WebhookEndpoint
from tests.browser import screenshot

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
    # Some history on Ford's demo trial, so its claims page has days, returns and sales to show.
    ford_trial = Promotion.objects.get(title=FORD_TRIAL)
    drivers = ConsumerProfile.objects.filter(user__username__startswith="crowd", score__gte=760)[:12]
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
    screenshot(page, "console-counter-invalid")

    page.get_by_label("Claim code or scanned QR").fill(f"{code[:5]} {code[5:]}".lower())
    main.get_by_role("button", name="Check code").click()
    claim = Claim.objects.get(code=code)
    expect(page).to_have_url(f"{live_server.url}/merchant/claims/{claim.pk}/?checked=1")
    expect(page.locator("#verify-result")).to_contain_text("Valid")
    expect(page.locator(".messages")).to_contain_text("Valid: hand over Free 2-day trial.")
    expect(page.locator("#claim-status")).to_have_text("In use")
    expect(page.locator("#claim-due-back")).to_have_text(re.compile(r"\d{4}"))
    assert str(ConsumerProfile.objects.get(user__username="alice").score) not in main.inner_text()
    screenshot(page, "console-counter-valid")

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
    screenshot(page, "console-claims")

    # Webhooks: an endpoint and its secret, shown once.
    page.get_by_role("navigation", name="Merchant console").get_by_role("link", name="Webhooks").click()
    page.get_by_label("Endpoint URL").fill("https://crm.ford.example/hooks/credit-life")
    page.get_by_label("Description").fill("Dealer CRM")
    main.get_by_role("button", name="Add endpoint").click()
    expect(page.locator("#webhook-secret")).to_have_value(re.compile(r"^whsec_"))
    screenshot(page, "console-webhook-secret")

    # Its delivery log, once events have gone out (rows written directly: nothing is sent here).
    log_scene(WebhookEndpoint.objects.get(), claim)
    page.reload()
    expect(page.locator("#webhook-secret")).to_have_count(0)
    expect(page.locator("#deliveries-table tbody tr")).to_have_count(3)
    screenshot(page, "console-webhook-log")

    # The same console in Chinese: the preview card takes the Chinese title.
    page.get_by_label("Language").select_option("zh-hans")
    page.get_by_role("button", name="Switch language").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    page.goto(f"{live_server.url}/merchant/promotions/{promotion.pk}/")
    expect(main.locator(".perk-card__title")).to_have_text("福特Mustang Mach-E周末试驾")
    expect(main.get_by_role("heading", name="今日覆盖人群")).to_be_visible()
    screenshot(page, "console-promotion-zh")
