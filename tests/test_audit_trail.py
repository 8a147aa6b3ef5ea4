"""The audit trail (core/audit.py) across the apps: each action people rely on leaves an entry, naming who did
it; platform staff read the trail in the admin and nobody can change it there, nor in
PostgreSQL itself."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts import services as account_services
from accounts.models import Merchant, User
from core.audit import ERASED_LABEL
from core.models import AuditEntry
from perks import services as perks_services
from perks.models import BenefitType, Category, Promotion
from scoring import services as scoring_services
from scoring.models import BlacklistEntry, Dispute, Partner

pytestmark = pytest.mark.django_db

COURT = "Shanghai No. 1 Intermediate People's Court"
CASE = "(2026) Hu 01 Zhi 77"


@pytest.fixture
def admin_user() -> User:
    return User.objects.create_superuser("root", "root@example.com", "a-Long-pass-950")


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


def entries(action: str) -> list[tuple[str, str, dict]]:
    """(actor_label, target, changes) of the entries for an action, oldest first."""
    return [
        (entry.actor_label, f"{entry.target_type}:{entry.target_id}", entry.changes)
        for entry in AuditEntry.objects.filter(action=action).order_by("id")
    ]


def admin_action(client, changelist: str, action: str, *objects: object):
    return client.post(
        reverse(f"admin:{changelist}_changelist"),
        {"action": action, "_selected_action": [obj.pk for obj in objects]},
    )


def new_promotion(merchant: Merchant, actor: User, **fields: object) -> Promotion:
    values = {
        "title": "Deposit-free bike",
        "category": Category.DEPOSIT_FREE,
        "benefit_type": BenefitType.DEPOSIT_WAIVER,
        "amount": Decimal("299.00"),
        "min_score": 650,
        "starts_at": timezone.now() - datetime.timedelta(days=1),
        **fields,
    }
    return perks_services.promotion_create(merchant=merchant, actor=actor, **values)


# --- Promotions ------------------------------------------------------------------------------


def test_promotion_create_edit_and_status_changes_are_recorded_with_their_actor(make_merchant_staff):
    owner = make_merchant_staff("ford")
    promotion = new_promotion(owner.merchant_staff.merchant, owner)

    perks_services.promotion_update(promotion=promotion, actor=owner, min_score=700, title="Bikes")
    perks_services.promotion_activate(promotion=promotion, actor=owner)
    perks_services.promotion_pause(promotion=promotion, actor=owner)

    target = f"perks.promotion:{promotion.pk}"
    created = entries("promotion.create")
    assert [(actor, on) for actor, on, _changes in created] == [("ford-staff", target)]
    assert created[0][2]["min_score"] == 650
    assert entries("promotion.edit") == [
        ("ford-staff", target, {"min_score": [650, 700], "title": ["Deposit-free bike", "Bikes"]})
    ]
    assert entries("promotion.status") == [
        ("ford-staff", target, {"status": ["draft", "active"]}),
        ("ford-staff", target, {"status": ["active", "paused"]}),
    ]


def test_a_refused_status_change_records_nothing(make_merchant_staff):
    owner = make_merchant_staff("ford")
    promotion = new_promotion(owner.merchant_staff.merchant, owner)

    with pytest.raises(Exception, match="cannot go from"):
        perks_services.promotion_pause(promotion=promotion, actor=owner)

    assert entries("promotion.status") == []


def test_platform_staff_pausing_a_promotion_in_the_admin_is_recorded_as_them(
    make_merchant_staff, admin_client
):
    owner = make_merchant_staff("ford")
    promotion = new_promotion(owner.merchant_staff.merchant, owner, status=Promotion.Status.ACTIVE)

    admin_action(admin_client, "perks_promotion", "pause", promotion)

    assert entries("promotion.status")[-1] == (
        "root",
        f"perks.promotion:{promotion.pk}",
        {"status": ["active", "paused"]},
    )


# --- Ingestion and the blacklist ---------------------------------------------------------------------


def test_an_ingested_batch_leaves_one_entry_with_counts_and_a_listing_one_of_its_own(make_consumer):
    ann = make_consumer("ann")
    partner = Partner.objects.create(name="China UnionPay", slug="unionpay")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {scoring_services.partner_key_issue(partner=partner)}")
    today = scoring_services.today()
    listed = {
        "court": COURT,
        "case_number": CASE,
        "listed_on": (today - datetime.timedelta(days=9)).isoformat(),
    }

    first = client.post(
        "/api/v1/ingest/events/",
        {
            "events": [
                {"id": "ev-1", "type": "blacklist_listed", "person": "ann", "data": listed},
                {
                    "id": "ev-2",
                    "type": "balance",
                    "person": "ann",
                    "data": {"amount": "10.00", "as_of": today.isoformat()},
                },
            ]
        },
        format="json",
    )
    lifted = {"court": COURT, "case_number": CASE, "lifted_on": today.isoformat(), "reason": "settled"}
    second = client.post(
        "/api/v1/ingest/events/",
        {"events": [{"id": "ev-3", "type": "blacklist_lifted", "person": "ann", "data": lifted}]},
        format="json",
    )

    listing = BlacklistEntry.objects.get(person=ann)
    assert (first.status_code, second.status_code) == (201, 201)
    assert entries("ingestion.batch") == [
        (
            "system",
            f"scoring.partner:{partner.pk}",
            {"events": 2, "people": 1, "kinds": {"blacklist_listed": 1, "balance": 1}},
        ),
        (
            "system",
            f"scoring.partner:{partner.pk}",
            {"events": 1, "people": 1, "kinds": {"blacklist_lifted": 1}},
        ),
    ]
    assert entries("blacklist.list") == [
        ("system", f"scoring.blacklistentry:{listing.pk}", {"partner": "unionpay"})
    ]
    assert entries("blacklist.lift") == [
        (
            "system",
            f"scoring.blacklistentry:{listing.pk}",
            {"lifted_on": today.isoformat(), "reason": "settled"},
        )
    ]


def test_a_refused_batch_records_nothing(make_consumer):
    make_consumer("ann")
    partner = Partner.objects.create(name="China UnionPay", slug="unionpay")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {scoring_services.partner_key_issue(partner=partner)}")

    response = client.post(
        "/api/v1/ingest/events/",
        {"events": [{"id": "ev-1", "type": "balance", "person": "ann", "data": {"amount": "x"}}]},
        format="json",
    )

    assert response.status_code == 400
    assert entries("ingestion.batch") == []


# --- Disputes ----------------------------------------------------------------------------------------


@pytest.fixture
def listed_ann(make_consumer) -> tuple[User, BlacklistEntry]:
    ann = make_consumer("ann")
    listing = BlacklistEntry.objects.create(
        person=ann,
        court=COURT,
        case_number=CASE,
        listed_on=scoring_services.today() - datetime.timedelta(days=9),
    )
    return ann, listing


def test_a_dispute_opened_and_upheld_in_the_admin_is_recorded_with_both_actors(listed_ann, admin_client):
    ann, listing = listed_ann
    dispute = scoring_services.dispute_create(person=ann, reason="Not my case", blacklist_entry=listing)

    admin_action(admin_client, "scoring_dispute", "accept", dispute)

    target = f"scoring.dispute:{dispute.pk}"
    assert entries("dispute.open") == [("ann", target, {"listing": listing.pk, "bill": None, "signal": ""})]
    assert entries("dispute.accept") == [("root", target, {"status": ["open", "accepted"]})]
    assert entries("blacklist.lift") == [
        (
            "root",
            f"scoring.blacklistentry:{listing.pk}",
            {"lifted_on": scoring_services.today().isoformat(), "reason": "overturned"},
        )
    ]


def test_a_dispute_turned_down_in_the_admin_is_recorded(listed_ann, admin_client):
    ann, listing = listed_ann
    dispute = scoring_services.dispute_create(person=ann, reason="Not my case", blacklist_entry=listing)
    Dispute.objects.filter(pk=dispute.pk).update(response="The court confirmed the listing.")

    admin_action(admin_client, "scoring_dispute", "reject", dispute)

    assert entries("dispute.reject") == [
        ("root", f"scoring.dispute:{dispute.pk}", {"status": ["open", "rejected"]})
    ]


# --- Scoring models, merchants, partner keys ----------------------------------------------------------


def test_activating_a_scoring_model_in_the_admin_is_recorded(
    active_scoring_model, make_challenger, admin_client
):
    successor = make_challenger("2027.1")

    admin_action(admin_client, "scoring_scoringmodel", "activate", successor)

    assert entries("scoring_model.activate") == [
        (
            "root",
            f"scoring.scoringmodel:{successor.pk}",
            {"status": ["shadow", "active"], "previously_active": [active_scoring_model.version]},
        )
    ]


def test_approving_and_rejecting_merchants_in_the_admin_is_recorded(make_merchant_staff, admin_client):
    ford = make_merchant_staff("ford", approved=False).merchant_staff.merchant
    ofo = make_merchant_staff("ofo", approved=False).merchant_staff.merchant

    admin_action(admin_client, "accounts_merchant", "approve", ford)
    admin_action(admin_client, "accounts_merchant", "reject", ofo)

    assert entries("merchant.approve") == [
        ("root", f"accounts.merchant:{ford.pk}", {"status": ["pending", "approved"]})
    ]
    assert entries("merchant.reject") == [
        ("root", f"accounts.merchant:{ofo.pk}", {"status": ["pending", "rejected"]})
    ]


def test_issuing_and_revoking_partner_keys_in_the_admin_is_recorded_without_the_key(admin_client):
    partner = Partner.objects.create(name="China UnionPay", slug="unionpay")

    admin_action(admin_client, "scoring_partner", "issue_key", partner)
    admin_action(admin_client, "scoring_partner", "revoke_key", partner)

    partner.refresh_from_db()
    target = f"scoring.partner:{partner.pk}"
    assert entries("partner.key_issue") == [("root", target, {"key_prefix": partner.key_prefix})]
    assert entries("partner.key_revoke") == [("root", target, {"key_prefix": partner.key_prefix})]


def test_services_called_without_an_actor_record_the_system(make_merchant_staff):
    merchant = make_merchant_staff("ford", approved=False).merchant_staff.merchant

    account_services.merchant_approve(merchant=merchant)

    assert entries("merchant.approve")[0][0] == "system"


# --- Admin changes, and the admin showing the trail read-only ---------------------------------------


def test_a_change_made_in_an_admin_form_is_logged_and_shown_in_the_admin(listed_ann, admin_client):
    _ann, listing = listed_ann
    change_url = reverse("admin:scoring_blacklistentry_change", args=[listing.pk])
    form = {
        "person": listing.person_id,
        "court": COURT,
        "case_number": "(2026) Hu 01 Zhi 78",
        "listed_on": listing.listed_on.isoformat(),
        "ban_until": "",
        "lifted_on": "",
        "lift_reason": "",
        "source": "",
    }

    response = admin_client.post(change_url, form)
    log = admin_client.get(reverse("admin:admin_logentry_changelist"))

    assert response.status_code == 302, response.content.decode()[:3000]
    entry = LogEntry.objects.get()
    assert (entry.user.username, entry.action_flag, entry.object_id) == ("root", CHANGE, str(listing.pk))
    assert "Case number" in entry.get_change_message()
    assert log.status_code == 200
    assert "Hu 01 Zhi 78" in log.content.decode()


@pytest.mark.parametrize("model", ["core_auditentry", "admin_logentry"])
def test_the_trail_is_visible_but_not_editable_in_the_admin_even_for_a_superuser(
    model, admin_client, admin_user
):
    entry = (
        AuditEntry.objects.create(
            actor=admin_user, actor_label="root", action="test.action", target_type="x", target_id="1"
        )
        if model == "core_auditentry"
        else LogEntry.objects.create(user=admin_user, object_repr="something", action_flag=CHANGE)
    )

    listing = admin_client.get(reverse(f"admin:{model}_changelist"))
    view = admin_client.get(reverse(f"admin:{model}_change", args=[entry.pk]))
    add = admin_client.get(reverse(f"admin:{model}_add"))
    change = admin_client.post(reverse(f"admin:{model}_change", args=[entry.pk]), {"action": "edited"})
    delete = admin_client.post(reverse(f"admin:{model}_delete", args=[entry.pk]), {"post": "yes"})

    assert listing.status_code == 200
    assert view.status_code == 200
    assert 'name="_save"' not in view.content.decode()
    assert (add.status_code, change.status_code, delete.status_code) == (403, 403, 403)
    assert type(entry).objects.filter(pk=entry.pk).count() == 1


# --- Append-only in PostgreSQL itself -------------------------------------------------------------------

postgresql_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's")


@postgresql_only
def test_postgresql_refuses_to_update_or_delete_an_audit_entry(admin_user):
    entry = AuditEntry.objects.create(
        actor=admin_user, actor_label="root", action="a", target_type="x", target_id="1"
    )

    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).update(action="rewritten")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).delete()

    entry.refresh_from_db()
    assert entry.action == "a"


@postgresql_only
def test_deleting_the_actor_keeps_their_entries_under_their_name(make_consumer):
    ann = make_consumer("ann")
    entry = AuditEntry.objects.create(
        actor=ann, actor_label="ann", action="a", target_type="x", target_id="1"
    )

    ann.delete()

    entry.refresh_from_db()
    assert (entry.actor_id, entry.actor_label) == (None, "ann")


@postgresql_only
def test_postgresql_lets_erasure_only_remove_from_an_audit_entry(make_consumer):
    ann = make_consumer("ann")
    entry = AuditEntry.objects.create(
        actor=ann,
        actor_label="ann",
        action="a",
        target_type="x",
        target_id="1",
        target_label="ann's",
        changes={"k": 1},
    )

    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).update(actor_label="somebody else")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).update(changes={"k": 2})
    AuditEntry.objects.filter(pk=entry.pk).update(
        actor_label=ERASED_LABEL, target_label="", changes={"erased": True}
    )

    entry.refresh_from_db()
    assert (entry.actor_label, entry.target_label, entry.changes, entry.action, entry.target_id) == (
        ERASED_LABEL,
        "",
        {"erased": True},
        "a",
        "1",
    )
