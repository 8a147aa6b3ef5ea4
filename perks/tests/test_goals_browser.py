"""Notifications and goals in a real Chromium: the unread count, the inbox, a goal picked on the
dashboard with its gap and quickest path, the email and the inbox entry when it is reached; on a
phone and in Chinese."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import ConsumerProfile
from core.bands import Band
from perks import services as perk_services
from perks import tasks as perk_tasks
from perks.models import BenefitType, Category, Promotion
from scoring import services
from scoring.models import ScoreSnapshot, ScoringModel
from tests.browser import PHONE, assert_accessible, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-Long-pass-950"


def fits_the_phone(page) -> bool:
    page.wait_for_load_state("load")
    return page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def sign_in(page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.locator("main").get_by_role("button", name="Sign in").click()


def snapshot(person, as_of: datetime.date, score: int) -> None:
    ScoreSnapshot.objects.update_or_create(
        person=person,
        as_of=as_of,
        defaults={
            "score": score,
            "band": Band.for_score(score),
            "model": ScoringModel.objects.get(is_active=True),
            **dict.fromkeys(
                ("credit_history", "fulfilment_capacity", "behaviour", "identity", "connections"), 50
            ),
        },
    )


def test_inbox_and_goal_on_desktop_phone_and_in_chinese(
    page, phone_page, live_server, make_consumer, make_merchant_staff, deliver_notification_emails
):
    # given: mei fell from 620 to 600 today (told), and Ford offers a test drive at 650
    mei = make_consumer("mei")
    today = services.today()
    snapshot(mei, today - datetime.timedelta(days=30), 640)
    snapshot(mei, today - datetime.timedelta(days=1), 620)
    services.score_recompute(person=mei)
    ford = make_merchant_staff("ford").merchant_staff.merchant
    drive = perk_services.promotion_create(
        merchant=ford,
        title="Free 3-day test drive",
        title_zh="免费试驾 3 天",
        category=Category.TRY_BEFORE_BUY,
        benefit_type=BenefitType.TRIAL,
        trial_days=3,
        amount=None,
        min_score=650,
        starts_at=timezone.now() - datetime.timedelta(days=1),
        status=Promotion.Status.ACTIVE,
    )
    [fell] = deliver_notification_emails()
    assert fell.subject == "Credit Life: Your score fell 20 points"

    # the navigation counts the unread one; the dashboard shows it at the top
    sign_in(page, live_server, "mei")
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_test_id("unread-count")).to_have_text("1")
    expect(page.get_by_test_id("notifications")).to_contain_text("Your score fell 20 points")
    # each dimension's year opens on demand
    expect(page.get_by_test_id("dimension-chart")).not_to_be_visible()
    page.get_by_role("heading", name="Each dimension over the last 12 months").click()
    expect(page.get_by_test_id("dimension-chart")).to_be_visible()

    # pick the test drive as a goal: the gap and the simulator's quickest path
    goal = page.get_by_test_id("goal-panel")
    goal.get_by_label("Perk").select_option(str(drive.pk))
    goal.get_by_role("button", name="Make it my goal").click()
    expect(page.get_by_test_id("goal-gap")).to_have_text("You are at 600: 50 points to go to 650.")
    expect(page.get_by_test_id("goal-path").locator("li").first).to_be_visible()
    page.locator("#goal").scroll_into_view_if_needed()
    screenshot(page, "goal-desktop")

    # the inbox: read it, then nothing is counted
    nav.get_by_role("link", name="Inbox").click()
    expect(page.get_by_test_id("inbox").locator("li")).to_have_count(1)
    screenshot(page, "inbox-desktop")
    assert_accessible(page, where="inbox")
    page.get_by_role("button", name="Mark all read").click()
    expect(page.get_by_role("status").first).to_contain_text("All notifications marked read.")
    expect(nav.get_by_test_id("unread-count")).to_have_count(0)

    # the score reaches 660: the nightly hand-over to perks tells of the goal, by email too
    snapshot(mei, today, 660)
    ConsumerProfile.objects.filter(user=mei).update(score=660)
    perk_tasks.score_rose(today.isoformat(), [mei.pk])
    [reached] = deliver_notification_emails()
    assert reached.subject == "Credit Life: Goal reached: Free 3-day test drive"
    assert f"/perks/{drive.pk}/claim/" in reached.body
    page.reload()
    expect(nav.get_by_test_id("unread-count")).to_have_text("1")
    expect(page.get_by_test_id("inbox")).to_contain_text("Goal reached: Free 3-day test drive")

    # on a phone: the inbox and the goal panel fit
    sign_in(phone_page, live_server, "mei")
    phone_page.goto(f"{live_server.url}/accounts/notifications/")
    expect(phone_page.get_by_test_id("inbox").locator("li")).to_have_count(2)
    assert fits_the_phone(phone_page)
    screenshot(phone_page, "inbox-phone")
    phone_page.goto(f"{live_server.url}/dashboard/#goal")
    expect(phone_page.get_by_test_id("goal-reached")).to_be_visible()
    assert fits_the_phone(phone_page)
    phone_page.locator("#goal").scroll_into_view_if_needed()
    screenshot(phone_page, "goal-phone", full_page=False)

    # in Chinese
    page.get_by_label("Language").select_option("zh-hans")
    page.get_by_role("button", name="Switch language").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    page.goto(f"{live_server.url}/accounts/notifications/")
    expect(page.get_by_test_id("inbox")).to_contain_text("目标达成：免费试驾 3 天")  # noqa: RUF001
    expect(page.get_by_test_id("inbox")).to_contain_text("您的分数下降了 20 分")
    screenshot(page, "inbox-zh")
    page.goto(f"{live_server.url}/dashboard/")
    expect(page.get_by_test_id("goal-panel")).to_contain_text("您的目标：650 分领取 免费试驾 3 天")  # noqa: RUF001
    page.locator("#goal").scroll_into_view_if_needed()
    screenshot(page, "goal-zh", full_page=False)
