"""Disputes people can win: every record that costs points has its own "Dispute this", a disputed
record says so on the dashboard and in the API, an upheld bill dispute corrects the bill and the
score, and the partner that sent the bill reads the correction."""

import datetime
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.services import api_token_issue
from scoring import services
from scoring.models import Bill, BillKind, Dispute, Partner, PartnerNotice, ScoreSnapshot
from scoring.selectors import months_before

pytestmark = pytest.mark.django_db


def text_of(response) -> str:
    html = response.content.decode()
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.DOTALL)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def token_client(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_issue(user=user)}")
    return client


@pytest.fixture
def today() -> datetime.date:
    return services.today()


@pytest.fixture
def partner() -> Partner:
    return Partner.objects.create(name="State Grid", slug="state-grid")


@pytest.fixture
def bob(make_consumer, partner, today):
    """Fifteen months of two bills a month paid on time, and one electricity bill paid late ten
    months ago: older than the latest twelve bills, yet it costs points."""
    person = make_consumer("bob")
    for months_ago in range(1, 16):
        due = months_before(today, months_ago).replace(day=10)
        for kind, issuer in ((BillKind.CREDIT_CARD, "ICBC Card"), (BillKind.UTILITY, "City Water")):
            Bill.objects.create(
                person=person,
                kind=kind,
                issuer=issuer,
                amount=Decimal("900.00"),
                due_on=due,
                paid_on=due - datetime.timedelta(days=1),
            )
    late_due = months_before(today, 10).replace(day=20)
    Bill.objects.create(
        person=person,
        kind=BillKind.UTILITY,
        issuer="State Grid Electricity",
        reference="SG-2025-10",
        amount=Decimal("186.20"),
        due_on=late_due,
        paid_on=late_due + datetime.timedelta(days=12),
        partner=partner,
    )
    services.score_recompute(person=person)
    return person


def late_bill(person) -> Bill:
    return Bill.objects.get(person=person, reference="SG-2025-10")


def test_a_late_bill_older_than_the_latest_twelve_is_shown_with_its_own_dispute_this(client, bob):
    client.force_login(bob)

    response = client.get(reverse("scoring:dashboard"))

    html = response.content.decode()
    bill = late_bill(bob)
    assert "Paid 12 days late" in text_of(response)
    assert f'<input type="hidden" name="subject" value="bill-{bill.pk}">' in html
    # Only records that cost points can be disputed this way: one form, for the one late bill.
    assert html.count('name="subject" value="bill-') == 1


def test_dispute_this_disputes_that_exact_bill_and_marks_it_under_dispute(client, bob, today):
    client.force_login(bob)
    bill = late_bill(bob)

    response = client.post(
        reverse("scoring:dispute_create"),
        {"subject": f"bill-{bill.pk}", "reason": "I paid it on time; my bank statement shows it."},
        follow=True,
    )

    dispute = Dispute.objects.get(person=bob)
    assert (dispute.bill, dispute.blacklist_entry, dispute.status) == (bill, None, Dispute.Status.OPEN)
    assert dispute.due_by == today + datetime.timedelta(days=20)
    text = text_of(response)
    assert "We have received your dispute and will answer by" in text
    assert "Under dispute" in text
    assert 'name="subject" value="bill-' not in response.content.decode()


def test_an_empty_reason_is_refused_at_the_form_with_its_error_summary_focused(client, bob):
    client.force_login(bob)
    bill = late_bill(bob)

    response = client.post(reverse("scoring:dispute_create"), {"subject": f"bill-{bill.pk}", "reason": " "})

    assert response.status_code == 400
    html = response.content.decode()
    summary = re.search(r'<div class="alert alert--error dispute-this__errors"[^>]*>', html)
    assert summary is not None and "autofocus" in summary.group(0)
    assert 'id="dim-credit_history" open' in html
    assert "Say why the data is wrong." in text_of(response)
    assert Dispute.objects.count() == 0


def test_a_second_dispute_of_the_same_bill_says_it_is_already_disputed(client, bob):
    bill = late_bill(bob)
    services.dispute_create(person=bob, bill=bill, reason="Paid on time.")
    client.force_login(bob)

    response = client.post(
        reverse("scoring:dispute_create"), {"subject": f"bill-{bill.pk}", "reason": "Again."}
    )

    assert response.status_code == 400
    assert "You already have an open dispute about this record." in text_of(response)
    assert Dispute.objects.count() == 1


def test_nobody_can_dispute_another_persons_bill(client, bob, make_consumer):
    client.force_login(make_consumer("eve"))

    response = client.post(
        reverse("scoring:dispute_create"), {"subject": f"bill-{late_bill(bob).pk}", "reason": "Mine?"}
    )

    assert response.status_code == 400
    assert Dispute.objects.count() == 0


def test_accepting_a_bill_dispute_corrects_the_bill_recomputes_and_tells_the_partner(bob, partner, today):
    bill = late_bill(bob)
    before = ScoreSnapshot.objects.get(person=bob, as_of=today).score
    dispute = services.dispute_create(person=bob, bill=bill, reason="Paid on time.")

    services.dispute_accept(dispute=dispute, response="State Grid confirmed the payment date.")

    bill.refresh_from_db()
    assert bill.paid_on == bill.due_on
    after = ScoreSnapshot.objects.get(person=bob, as_of=today).score
    assert after > before
    notice = PartnerNotice.objects.get()
    assert (notice.partner, notice.kind) == (partner, PartnerNotice.Kind.RECORD_CORRECTED)
    assert notice.payload["correction"] == {
        "field": "paid_on",
        "reported": (bill.due_on + datetime.timedelta(days=12)).isoformat(),
        "corrected": bill.due_on.isoformat(),
    }


def test_the_partner_reads_the_correction_on_its_notices_and_no_other_partner_does(bob, partner):
    dispute = services.dispute_create(person=bob, bill=late_bill(bob), reason="Paid on time.")
    services.dispute_accept(dispute=dispute)
    other = Partner.objects.create(name="China UnionPay", slug="unionpay")

    def notices(of: Partner, **query) -> list[dict]:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Api-Key {services.partner_key_issue(partner=of)}")
        response = client.get(reverse("api:partner-notices"), query)
        assert response.status_code == 200
        return response.json()

    mine = notices(partner)
    assert [(item["kind"], item["person"], item["dispute"]) for item in mine] == [
        ("record_corrected", "bob", dispute.pk)
    ]
    assert mine[0]["record"]["reference"] == "SG-2025-10"
    assert notices(partner, after=mine[0]["id"]) == []
    assert notices(other) == []


def test_the_score_api_marks_the_reason_whose_record_is_under_dispute(bob, today):
    unpaid = Bill.objects.create(
        person=bob,
        kind=BillKind.CREDIT_CARD,
        issuer="ICBC Card",
        amount=Decimal("2400.00"),
        due_on=today - datetime.timedelta(days=40),
    )
    services.score_recompute(person=bob)
    api = token_client(bob)
    assert all(reason["under_dispute"] is False for reason in api.get(reverse("api:score")).json()["reasons"])

    services.dispute_create(person=bob, bill=unpaid, reason="I never had this card.")

    reasons = {reason["code"]: reason for reason in api.get(reverse("api:score")).json()["reasons"]}
    assert reasons["late_bills_12m"]["under_dispute"] is True
    assert {code for code, reason in reasons.items() if reason["under_dispute"]} <= {
        "overdue_unpaid",
        "late_bills_12m",
    }


def test_my_disputes_name_the_record_and_say_when_an_answer_is_late(bob, today):
    dispute = services.dispute_create(person=bob, bill=late_bill(bob), reason="Paid on time.")
    Dispute.objects.filter(pk=dispute.pk).update(due_by=today - datetime.timedelta(days=1))

    body = token_client(bob).get(reverse("api:my-disputes")).json()

    assert [(item["record"]["type"], item["record"]["id"], item["is_past_due"]) for item in body] == [
        ("bill", late_bill(bob).pk, True)
    ]


def test_a_dispute_past_its_deadline_is_flagged_to_the_person(client, bob, today):
    dispute = services.dispute_create(person=bob, bill=late_bill(bob), reason="Paid on time.")
    Dispute.objects.filter(pk=dispute.pk).update(due_by=today - datetime.timedelta(days=1))
    client.force_login(bob)

    text = text_of(client.get(reverse("scoring:dashboard")))

    assert "We owe you an answer to your dispute" in text
    assert "Our answer is late" in text
