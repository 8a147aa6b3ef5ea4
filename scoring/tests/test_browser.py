"""The dashboard in a real Chromium against the live server: reading it, opening it up, trying "what if"."""

import datetime
import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from accounts import services as account_services
from scoring import services
from scoring.models import (
    Balance,
    Bill,
    BillKind,
    BlacklistEntry,
    Contact,
    CreditLine,
    Dispute,
    Identity,
    Purchase,
    ScoreSnapshot,
)
from scoring.selectors import months_before
from tests.browser import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-Long-pass-950"
DIMENSIONS = [
    "Credit history",
    "Fulfilment capacity",
    "Behaviour and preferences",
    "Identity and characteristics",
    "Connections",
]
PHONE_WIDTH = 390


def a_year_of_life(person, *, today: datetime.date) -> None:
    """Fourteen months of everyday signals: bills (a few late, one unpaid), rent, balances, purchases."""
    late_months, unpaid_month = {10, 4}, 1
    for months_ago in range(14, 0, -1):
        due = months_before(today, months_ago).replace(day=15)
        paid = due - datetime.timedelta(days=2)
        card_paid = None if months_ago == unpaid_month else paid
        if months_ago in late_months:
            card_paid = due + datetime.timedelta(days=9)
        Bill.objects.create(
            person=person,
            kind=BillKind.CREDIT_CARD,
            issuer="China Merchants Bank Card",
            amount=Decimal("1280.50") + months_ago,
            due_on=due,
            paid_on=card_paid,
        )
        Bill.objects.create(
            person=person,
            kind=BillKind.UTILITY,
            issuer="State Grid Electricity",
            amount=Decimal("186.20"),
            due_on=due,
            paid_on=paid,
        )
        Bill.objects.create(
            person=person,
            kind=BillKind.RENT,
            issuer="Lujiazui Apartments",
            amount=Decimal("4200"),
            due_on=due,
            paid_on=paid,
        )
        Balance.objects.create(person=person, as_of=due, amount=Decimal("7800") + 100 * months_ago)
        for day in (2, 9, 17, 23):
            occurred_on = due + datetime.timedelta(days=day)
            if occurred_on <= today:
                Purchase.objects.create(person=person, occurred_on=occurred_on, amount=Decimal("64.00"))
    CreditLine.objects.create(
        person=person,
        provider="Huabei",
        as_of=today - datetime.timedelta(days=20),
        limit=Decimal("8000"),
        used=Decimal("5200"),
    )
    Identity.objects.create(
        person=person,
        real_name_verified=True,
        phone_verified=True,
        email_verified=False,
        education="bachelor",
        address_since=today - datetime.timedelta(days=3 * 365 + 40),
    )
    for index in range(6):
        friend = account_services.consumer_register(
            username=f"friend{index}", email=f"friend{index}@example.com", password=PASSWORD
        )
        Contact.objects.create(
            person=person,
            contact=friend,
            confirmed_on=today - datetime.timedelta(days=400),
            interactions_90d=4,
        )


@pytest.fixture
def today() -> datetime.date:
    return services.today()


@pytest.fixture
def mei(make_consumer, today):
    """A person with a year of history and twelve monthly scores, the last one today."""
    person = make_consumer("mei", opted_in=False)
    a_year_of_life(person, today=today)
    services.consumer_opt_in(person=person)
    for months_ago in range(11, 0, -1):
        services.score_recompute(person=person, as_of=months_before(today, months_ago))
    services.score_recompute(person=person, as_of=today)
    return person


def sign_in(page, live_server, *, username: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.locator("main").get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{live_server.url}/dashboard/")


def assert_fits_the_phone(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE_WIDTH


def test_read_the_dashboard_open_a_dimension_try_what_if_and_switch_to_chinese(page, live_server, mei, today):
    current = ScoreSnapshot.objects.get(person=mei, as_of=today)
    assert ScoreSnapshot.objects.filter(person=mei).count() == 12

    sign_in(page, live_server, username="mei")

    main = page.locator("main")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your credit score")
    expect(page.locator(".dash-gauge__number")).to_have_text(str(current.score))
    expect(page.get_by_role("img", name="Credit score gauge")).to_be_visible()
    expect(page.get_by_role("img", name="Your score over the last 12 months")).to_be_visible()
    for name in DIMENSIONS:
        expect(main.locator("summary", has_text=name)).to_be_visible()
    expect(main.get_by_text("What lowers it most")).to_be_visible()
    screenshot(page, "dashboard-desktop")

    credit_history = main.locator("details#dim-credit_history")
    credit_history.locator("summary").first.click()
    expect(credit_history).to_have_attribute("open", "")
    expect(credit_history.get_by_role("table")).to_be_visible()
    expect(credit_history.get_by_text("Paid 9 days late").first).to_be_visible()
    expect(credit_history.get_by_text(re.compile(r"Unpaid, \d+ days? overdue"))).to_be_visible()
    credit_history.scroll_into_view_if_needed()
    screenshot(page, "dashboard-desktop-credit-history", full_page=False)

    what_if = main.locator("#what-if")
    expect(what_if).not_to_have_attribute("open", "")
    what_if.locator("summary").first.click()
    what_if.get_by_label("Pay the overdue bills now").check()
    what_if.get_by_role("button", name="Show the score").click()
    expect(page).to_have_url(re.compile(r"/dashboard/\?.*pay_overdue=on"))
    simulated = page.get_by_test_id("simulated-score")
    expect(simulated).to_be_visible()
    assert int(simulated.inner_text().split()[-1]) > current.score
    expect(page.locator("#what-if")).to_contain_text("points higher")
    page.locator("#what-if").scroll_into_view_if_needed()
    screenshot(page, "dashboard-desktop-what-if", full_page=False)
    assert ScoreSnapshot.objects.filter(person=mei).count() == 12

    page.get_by_label("Language").select_option("zh-hans")
    page.get_by_role("button", name="Switch language").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.get_by_role("heading", level=1)).to_have_text("你的信用分")
    expect(page.locator("main summary", has_text="信用历史")).to_be_visible()
    screenshot(page, "dashboard-desktop-zh")


def test_the_dashboard_fits_a_phone_in_english_and_chinese(phone_page, live_server, mei):
    sign_in(phone_page, live_server, username="mei")

    expect(phone_page.locator(".dash-gauge__number")).to_be_visible()
    screenshot(phone_page, "dashboard-phone")
    assert_fits_the_phone(phone_page)

    details = phone_page.locator("details#dim-credit_history")
    details.locator("summary").first.click()
    expect(details.get_by_text("Paid 9 days late").first).to_be_visible()
    assert_fits_the_phone(phone_page)
    details.scroll_into_view_if_needed()
    screenshot(phone_page, "dashboard-phone-credit-history", full_page=False)

    phone_page.get_by_label("Language").select_option("zh-hans")
    phone_page.get_by_role("button", name="Switch language").click()
    expect(phone_page.locator("html")).to_have_attribute("lang", "zh-hans")
    assert_fits_the_phone(phone_page)
    screenshot(phone_page, "dashboard-phone-zh")


def test_the_dashboard_works_without_javascript(browser, live_server, mei, today):
    current = ScoreSnapshot.objects.get(person=mei, as_of=today)
    context = browser.new_context(java_script_enabled=False, viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        sign_in(page, live_server, username="mei")

        connections = page.locator("details#dim-connections")
        connections.locator("summary").click()
        expect(connections.get_by_text("Confirmed contacts", exact=True)).to_be_visible()

        page.locator("#what-if summary").click()
        page.get_by_label("Pay down my credit line").select_option("10")
        page.get_by_role("button", name="Show the score").click()
        simulated = page.get_by_test_id("simulated-score")
        assert int(simulated.inner_text().split()[-1]) > current.score
    finally:
        context.close()


def test_a_new_person_reads_what_opting_in_means_and_opts_in(page, phone_page, live_server):
    account_services.consumer_register(username="lan", email="lan@example.com", password=PASSWORD)

    sign_in(phone_page, live_server, username="lan")
    expect(phone_page.get_by_role("heading", level=1)).to_have_text("Get your credit score")
    assert_fits_the_phone(phone_page)
    screenshot(phone_page, "dashboard-opt-in-phone")

    sign_in(page, live_server, username="lan")
    screenshot(page, "dashboard-opt-in-desktop")
    page.get_by_label("I have read how scoring works and I agree to be scored.").check()
    page.get_by_role("button", name="Opt in and see my score").click()

    expect(page.locator(".dash-gauge__number")).to_have_text("600")
    expect(page.get_by_role("status").first).to_contain_text("You are opted in")
    screenshot(page, "dashboard-new-person-desktop")

    page.get_by_role("link", name="Opt out of scoring").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Opt out of scoring?")
    screenshot(page, "dashboard-opt-out-desktop")
    page.get_by_role("button", name="Yes, opt me out").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Get your credit score")


def test_a_listed_person_sees_the_listing_plainly(page, phone_page, live_server, make_consumer, today):
    person = make_consumer("dai", opted_in=False)
    a_year_of_life(person, today=today)
    entry = BlacklistEntry.objects.create(
        person=person,
        court="Shanghai No. 1 Intermediate People's Court",
        case_number="(2026) Hu 01 Zhi 1234",
        listed_on=today - datetime.timedelta(days=75),
        ban_until=today + datetime.timedelta(days=105),
    )
    services.consumer_opt_in(person=person)

    sign_in(page, live_server, username="dai")
    listing = page.locator("#listing")
    expect(listing).to_contain_text("A court has listed you as a dishonest judgment debtor")
    expect(listing).to_contain_text("(2026) Hu 01 Zhi 1234")
    screenshot(page, "dashboard-listed-desktop")

    listing.locator("summary", has_text="Dispute this").click()
    form = listing.locator("form")
    expect(form.locator('input[name="subject"]')).to_have_value(str(entry.pk))
    form.get_by_label("Why is it wrong?").fill(
        "I paid the judgment in full on 3 March; the receipt is ready."
    )
    form.get_by_role("button", name="Send the dispute").click()
    expect(page.locator("#listing")).to_contain_text("Under dispute")
    page.locator("#disputes summary").click()
    disputes = page.locator("#disputes")
    expect(disputes).to_contain_text(
        "Listing by Shanghai No. 1 Intermediate People's Court, case (2026) Hu 01 Zhi 1234"
    )
    expect(disputes).to_contain_text("Answer due by")
    disputes.scroll_into_view_if_needed()
    screenshot(page, "dashboard-listed-dispute-desktop", full_page=False)

    sign_in(phone_page, live_server, username="dai")
    expect(phone_page.locator("#listing")).to_contain_text("Shanghai No. 1 Intermediate People's Court")
    assert_fits_the_phone(phone_page)
    screenshot(phone_page, "dashboard-listed-phone")


def test_a_person_finds_the_bill_disputes_it_in_place_and_sees_it_under_dispute(
    page, phone_page, live_server, mei
):
    from tests.browser import assert_accessible

    # On a phone the top of the story (score, change, reasons) fits in about three screens, and
    # the parts opened on demand start closed.
    sign_in(phone_page, live_server, username="mei")
    expect(phone_page.locator(".dash-reasons")).to_be_attached()  # the dashboard loaded, not only its URL
    reasons_end = phone_page.evaluate(
        "document.querySelector('.dash-reasons').getBoundingClientRect().bottom + window.scrollY"
    )
    assert reasons_end <= 3.2 * 844
    for part in ("#what-if", "#disputes", "#dim-credit_history", "#dimension-history"):
        expect(phone_page.locator(part)).not_to_have_attribute("open", "")
    # Each dimension is shown once (its year, in a chart's legend, opens on demand).
    shown = phone_page.locator("main").get_by_text("Fulfilment capacity", exact=True).filter(visible=True)
    assert shown.count() == 1
    assert_fits_the_phone(phone_page)
    assert_accessible(phone_page, where="dashboard, phone")

    credit_history = phone_page.locator("details#dim-credit_history")
    credit_history.locator("summary").first.click()
    unpaid = credit_history.locator("tr", has_text=re.compile(r"Unpaid, \d+ days? overdue"))
    unpaid.locator("summary", has_text="Dispute this").click()
    form = unpaid.locator("form")
    form.get_by_role("button", name="Send the dispute").click()

    # Refused at the form it came from, with the error summary focused and read out.
    errors = phone_page.locator(".dispute-this__errors")
    expect(errors).to_be_focused()
    expect(errors).to_have_attribute("role", "alert")
    expect(errors).to_contain_text("Say why the data is wrong.")
    assert_fits_the_phone(phone_page)
    screenshot(phone_page, "dashboard-dispute-error-phone", full_page=False)
    assert_accessible(phone_page, where="dispute error, phone")

    phone_page.locator(".dispute-this--failed textarea").fill(
        "I paid this bill on its due date by bank transfer."
    )
    phone_page.locator(".dispute-this--failed").get_by_role("button", name="Send the dispute").click()
    expect(phone_page.get_by_role("status").first).to_contain_text("We have received your dispute")
    dispute = Dispute.objects.get(person=mei)
    assert dispute.bill is not None and dispute.bill.paid_on is None

    credit_history = phone_page.locator("details#dim-credit_history")
    credit_history.locator("summary").first.click()
    row = credit_history.locator("tr", has_text=re.compile(r"Unpaid, \d+ days? overdue"))
    expect(row).to_contain_text("Under dispute")
    row.scroll_into_view_if_needed()
    screenshot(phone_page, "dashboard-under-dispute-phone", full_page=False)

    sign_in(page, live_server, username="mei")
    page.locator("#disputes summary").click()
    expect(page.locator("#disputes")).to_contain_text("Under dispute")
    expect(page.locator("#disputes")).to_contain_text("Answer due by")
    page.locator("#disputes").scroll_into_view_if_needed()
    screenshot(page, "dashboard-disputes-desktop", full_page=False)
    assert_accessible(page, where="dashboard, desktop")

    page.get_by_label("Language").select_option("zh-hans")
    page.get_by_role("button", name="Switch language").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    page.locator("#disputes summary").click()
    expect(page.locator("#disputes")).to_contain_text("申诉中")
    screenshot(page, "dashboard-disputes-desktop-zh")
    assert_accessible(page, where="dashboard, Chinese")
