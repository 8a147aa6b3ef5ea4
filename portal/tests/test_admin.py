"""The admin as platform staff use it: a landing page that says what needs attention (portal/admin_site.py,
portal.selectors.attention_counts), disputes answered from their own page, objects titled by name."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Merchant
from perks.models import WebhookDelivery, WebhookEndpoint
from portal import selectors
from scoring import services as scoring_services
from scoring.models import BlacklistEntry, Dispute, RecomputeRun

pytestmark = pytest.mark.django_db


@pytest.fixture
def ann(make_consumer):
    return make_consumer("ann")


def dispute(person, *, due_in_days: int, signal: str = "A bill marked late") -> Dispute:
    made = scoring_services.dispute_create(person=person, reason="I paid it on time.", signal=signal)
    Dispute.objects.filter(pk=made.pk).update(
        due_by=timezone.localdate() + datetime.timedelta(days=due_in_days)
    )
    made.refresh_from_db()
    return made


def failed_delivery(merchant: Merchant) -> WebhookEndpoint:
    endpoint = WebhookEndpoint.objects.create(merchant=merchant, url="https://crm.example/hooks", secret="s")
    WebhookDelivery.objects.create(
        endpoint=endpoint, event="claim.created", payload={}, status="failed", attempts=6
    )
    return endpoint


def test_nothing_needs_attention_on_a_quiet_day(admin_client):
    page = admin_client.get(reverse("admin:index"))

    assert page.status_code == 200
    assert page.context["attention"].total == 0
    assert "Nothing needs attention" in page.content.decode()
    assert "No nightly run yet." in page.content.decode()


def test_the_landing_page_counts_and_links_what_needs_attention(
    admin_client, ann, make_consumer, make_merchant_staff
):
    dispute(ann, due_in_days=-1)
    dispute(make_consumer("bob"), due_in_days=3)
    dispute(make_consumer("cy"), due_in_days=12)
    make_merchant_staff("meitu", approved=False)
    make_merchant_staff("huashan", approved=False)
    failed_delivery(make_merchant_staff("ford").merchant_staff.merchant)
    model = RecomputeRun._meta.get_field("model").related_model.objects.get(is_active=True)
    today = timezone.localdate()
    RecomputeRun.objects.create(
        as_of=today, model=model, status="failed", chunk_size=10, started_at=timezone.now()
    )
    RecomputeRun.objects.create(
        as_of=today - datetime.timedelta(days=1),
        model=model,
        status="running",
        is_late=True,
        chunk_size=10,
        started_at=timezone.now(),
    )

    page = admin_client.get(reverse("admin:index"))

    html = page.content.decode()
    assert page.context["attention"] == selectors.Attention(
        disputes_overdue=1,
        disputes_due_soon=1,
        merchants_pending=2,
        runs_failed=1,
        runs_late=1,
        webhook_endpoints_failing=1,
        last_run=RecomputeRun.objects.get(as_of=today),
    )
    dispute_list = reverse("admin:scoring_dispute_changelist")
    for link, words in [
        (f"{dispute_list}?deadline=overdue", "1</span>\n              dispute past its 20-day deadline"),
        (f"{dispute_list}?deadline=due_soon", "1</span>\n              dispute due within 5 days"),
        (
            reverse("admin:accounts_merchant_changelist") + "?status__exact=pending",
            "2</span>\n              merchant applications to approve or reject",
        ),
        (
            reverse("admin:scoring_recomputerun_changelist") + "?status__exact=failed",
            "1</span>\n              nightly run finished with failures this week",
        ),
        (
            reverse("admin:perks_webhookendpoint_changelist") + "?failing=week",
            "1</span>\n              merchant webhook endpoint failing this week",
        ),
    ]:
        assert f'href="{link}"' in html
        assert words in html


def test_each_attention_link_lists_exactly_what_it_counts(
    admin_client, ann, make_consumer, make_merchant_staff
):
    overdue = dispute(ann, due_in_days=-2)
    soon = dispute(make_consumer("bob"), due_in_days=5)
    dispute(make_consumer("cy"), due_in_days=6)
    failing = failed_delivery(make_merchant_staff("ford").merchant_staff.merchant)
    WebhookEndpoint.objects.create(merchant=failing.merchant, url="https://fine.example/hooks", secret="s")
    dispute_list = reverse("admin:scoring_dispute_changelist")

    overdue_page = admin_client.get(dispute_list, {"deadline": "overdue"})
    soon_page = admin_client.get(dispute_list, {"deadline": "due_soon"})
    failing_page = admin_client.get(reverse("admin:perks_webhookendpoint_changelist"), {"failing": "week"})

    assert list(overdue_page.context["cl"].result_list) == [overdue]
    assert list(soon_page.context["cl"].result_list) == [soon]
    assert list(failing_page.context["cl"].result_list) == [failing]


def test_a_dispute_is_rejected_from_its_page_with_the_reason_the_person_reads(admin_client, ann):
    opened = dispute(ann, due_in_days=10)
    url = reverse("admin:scoring_dispute_change", args=[opened.pk])

    page = admin_client.get(url)
    refused = admin_client.post(url, {"_reject": "1", "response": "  "}, follow=True)
    rejected = admin_client.post(url, {"_reject": "1", "response": "The bank confirms it was late."})

    html = page.content.decode()
    assert 'name="_accept" value="Accept"' in html
    assert 'name="_reject"' in html
    assert "deletelink" not in html
    assert [str(message) for message in refused.context["messages"]] == [
        "Give the reason for rejecting the dispute."
    ]
    assert rejected.status_code == 302
    assert rejected["Location"] == reverse("admin:scoring_dispute_changelist")
    opened.refresh_from_db()
    assert (opened.status, opened.response) == ("rejected", "The bank confirms it was late.")
    assert 'name="_reject"' not in admin_client.get(url).content.decode()


def test_accepting_a_disputed_listing_from_its_page_lifts_it(admin_client, ann):
    entry = BlacklistEntry.objects.create(
        person=ann,
        court="Shanghai No. 1 Intermediate People's Court",
        case_number="(2026) Hu 01 Zhi 1",
        listed_on=timezone.localdate() - datetime.timedelta(days=30),
    )
    opened = scoring_services.dispute_create(person=ann, reason="Settled in full.", blacklist_entry=entry)

    answered = admin_client.post(reverse("admin:scoring_dispute_change", args=[opened.pk]), {"_accept": "1"})

    assert answered.status_code == 302
    opened.refresh_from_db()
    entry.refresh_from_db()
    assert opened.status == "accepted"
    assert entry.lift_reason == BlacklistEntry.LiftReason.OVERTURNED


def test_a_dispute_cannot_be_deleted(admin_client, ann):
    opened = dispute(ann, due_in_days=10)

    response = admin_client.post(reverse("admin:scoring_dispute_delete", args=[opened.pk]), {"post": "yes"})

    assert response.status_code == 403
    assert Dispute.objects.filter(pk=opened.pk).exists()


def test_a_dispute_is_titled_by_the_persons_username(admin_client, ann):
    opened = dispute(ann, due_in_days=10)

    page = admin_client.get(reverse("admin:scoring_dispute_change", args=[opened.pk]))

    assert str(opened) == "Dispute by ann (open)"
    assert "<h2>Dispute by ann (open)</h2>" in page.content.decode()


def test_the_admin_carries_the_favicon(admin_client, client):
    page = admin_client.get(reverse("admin:index"))
    icon = client.get("/favicon.ico")

    assert '<link rel="icon" href="/static/img/favicon.svg" type="image/svg+xml">' in page.content.decode()
    assert (icon.status_code, icon["Location"]) == (301, "/static/img/favicon.svg")
