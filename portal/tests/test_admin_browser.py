"""Platform staff's journey in a real Chromium against the live server, on the seed_demo data.

The admin signs in, reads on the landing page what needs attention (an overdue dispute, a
pending merchant application, the demo's finished nightly run), follows the overdue link,
rejects the dispute with a reason from its page, and approves the application. axe-core finds
no violation on the landing page (WCAG 2.2 AA, and AAA's 7:1 text contrast). Screenshots
(prefix "admin-") go to test-artifacts/screenshots/ for review, on a desktop, a phone and in
Chinese.
"""

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from accounts import services as account_services
from accounts.models import Merchant, User
from scoring import services as scoring_services
from scoring.models import Dispute
from tests.browser import PHONE, assert_accessible, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "demo-pass-950"


@pytest.fixture
def scene() -> Dispute:
    call_command("seed_demo", people=20, history_months=2, verbosity=0)
    dispute = scoring_services.dispute_create(
        person=User.objects.get(username="bob"), reason="I paid the phone bill on time.", signal="A late bill"
    )
    Dispute.objects.filter(pk=dispute.pk).update(due_by=timezone.localdate() - datetime.timedelta(days=2))
    account_services.merchant_apply(
        username="tea-staff", email="staff@tea.example", password="a-Long-pass-950", merchant_name="Tea House"
    )
    return dispute


def sign_in(page, live_server) -> None:
    page.goto(f"{live_server.url}/admin/login/")
    page.locator("#id_username").fill("admin")
    page.locator("#id_password").fill(PASSWORD)
    page.locator("#login-form [type=submit]").click()


def test_staff_see_what_needs_attention_and_answer_a_dispute(page, live_server, scene):
    sign_in(page, live_server)
    attention = page.locator("#attention-title").locator("..")
    expect(page.locator("#attention-disputes-overdue")).to_contain_text("1 dispute past its 20-day deadline")
    expect(page.locator("#attention-merchants-pending")).to_contain_text("1 merchant application")
    expect(page.locator("#attention-last-run")).to_contain_text("Done")
    expect(attention).to_be_visible()
    assert_accessible(page, where="admin landing page")
    screenshot(page, "admin-attention")

    page.locator("#attention-disputes-overdue a").click()
    expect(page.locator("#result_list tbody tr")).to_have_count(1)
    page.locator("#result_list tbody tr a").first.click()
    expect(page.get_by_role("heading", name="Dispute by bob (open)")).to_be_visible()
    expect(page.locator(".deletelink")).to_have_count(0)
    screenshot(page, "admin-dispute")
    page.get_by_label("Response").fill("The operator confirms the bill was paid 40 days late.")
    page.get_by_role("button", name="Reject with the reason in Response").click()
    expect(page.locator(".messagelist")).to_contain_text("Dispute by bob rejected.")
    assert Dispute.objects.get(pk=scene.pk).status == "rejected"

    page.goto(f"{live_server.url}/admin/")
    page.locator("#attention-merchants-pending a").click()
    page.locator("#result_list tbody input[type=checkbox]").first.check()
    page.get_by_label("Action:").select_option("approve")
    page.get_by_role("button", name="Go").click()
    assert Merchant.objects.get(name="Tea House").status == "approved"
    page.goto(f"{live_server.url}/admin/")
    expect(page.locator("#attention-none")).to_be_visible()
    screenshot(page, "admin-attention-done")


def test_the_landing_page_on_a_phone_and_in_chinese(browser, live_server, scene):
    context = browser.new_context(
        viewport=PHONE, locale="zh-CN", extra_http_headers={"Accept-Language": "zh-Hans"}
    )
    try:
        page = context.new_page()
        sign_in(page, live_server)
        expect(page.locator("#attention-title")).to_have_text("待处理事项")
        expect(page.locator("#attention-disputes-overdue")).to_contain_text("件异议已超过 20 天答复期限")
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        assert_accessible(page, where="admin landing page, phone, Chinese")
        screenshot(page, "admin-attention-phone-zh")
    finally:
        context.close()
