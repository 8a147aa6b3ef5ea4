"""Control over my data: the data page, the JSON export, deleting the account, opting out."""

import datetime
import json
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.models import ConsumerProfile
from core.models import AuditEntry
from perks import selectors as perk_selectors
from perks import services as perk_services
from perks.models import BenefitType, Category, Claim, CounterCheck, Promotion, Share
from portal import selectors, services
from scoring import services as scoring_services
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
from tests.people import resident_id_for

pytestmark = pytest.mark.django_db

PASSWORD = "a-Long-pass-950"
DATA_URL = "/accounts/data/"
EXPORT_URL = "/accounts/data/export/"
DELETE_URL = "/accounts/data/delete/"
# The export reads each kind of data once: user, profile, real-name identity, source switches,
# self-declared facts, snapshots, bills, balances, credit lines, purchases, identity, contacts,
# events, listings, disputes, claims, counter checks, shares, actions; plus the session, the user
# and the merchant membership of the request.
# + the notifications, the notification settings and the goal (issue 16)
EXPORT_QUERIES = 25

User = get_user_model()


@pytest.fixture
def merchant(make_merchant_staff):
    return make_merchant_staff("ford").merchant_staff.merchant


@pytest.fixture
def bike(merchant) -> Promotion:
    return perk_services.promotion_create(
        merchant=merchant,
        title="Deposit-free bike",
        category=Category.DEPOSIT_FREE,
        benefit_type=BenefitType.DEPOSIT_WAIVER,
        amount=Decimal("299.00"),
        min_score=550,
        quantity=50,
        per_user_limit=20,
        starts_at=timezone.now() - datetime.timedelta(days=1),
        status=Promotion.Status.ACTIVE,
    )


def some_life(person, *, issuer: str, today: datetime.date, items: int = 3) -> None:
    for month in range(items):
        due = today - datetime.timedelta(days=30 * (month + 1))
        Bill.objects.create(
            person=person,
            kind=BillKind.UTILITY,
            issuer=issuer,
            amount=Decimal("120.00"),
            due_on=due,
            paid_on=due,
        )
        Balance.objects.create(person=person, as_of=due, amount=Decimal("5000.00"))
        Purchase.objects.create(person=person, occurred_on=due, amount=Decimal("64.00"), category="groceries")
    CreditLine.objects.create(
        person=person, provider="Huabei", as_of=today, limit=Decimal("8000"), used=Decimal("1000")
    )
    Identity.objects.create(person=person, real_name_verified=True, education="bachelor")


@pytest.fixture
def today() -> datetime.date:
    return timezone.localdate()


@pytest.fixture
def ann(make_consumer, today):
    person = make_consumer("ann", opted_in=False)
    some_life(person, issuer="Ann Power Co", today=today)
    scoring_services.consumer_opt_in(person=person)
    return person


@pytest.fixture
def bo(make_consumer, today):
    person = make_consumer("bo", opted_in=False)
    some_life(person, issuer="Bo Water Co", today=today)
    scoring_services.consumer_opt_in(person=person)
    return person


@pytest.fixture
def ann_with_everything(ann, bo, bike, merchant, today):
    """Ann with a contact (Bo), a listing and its dispute, a verified claim and a share."""
    Contact.objects.create(person=ann, contact=bo, confirmed_on=today, interactions_90d=7)
    Contact.objects.create(person=bo, contact=ann, confirmed_on=today, interactions_90d=7)
    entry = BlacklistEntry.objects.create(
        person=ann,
        court="Shanghai No. 1 Intermediate People's Court",
        case_number="(2026) Hu 01 Zhi 7",
        listed_on=today - datetime.timedelta(days=900),
        lifted_on=today - datetime.timedelta(days=800),
        lift_reason=BlacklistEntry.LiftReason.SETTLED,
    )
    scoring_services.dispute_create(person=ann, blacklist_entry=entry, reason="This was settled long ago.")
    claim = perk_services.claim_create(promotion=bike, person=ann, idempotency_key="web-ann-key-0000001")
    perk_services.claim_hand_over(merchant=merchant, code=claim.code)
    # The tokens exist only as made (the database keeps their hashes): kept here for the tests.
    ann.share_token = perk_services.share_create(person=ann, show="score", expires_in_days=30).token
    perk_services.claim_create(promotion=bike, person=bo)
    bo.share_token = perk_services.share_create(person=bo, show="band", expires_in_days=30).token
    return ann


# The data page -------------------------------------------------------------------------------


def test_data_page_offers_opt_out_export_and_delete(client, ann):
    client.force_login(ann)

    response = client.get(DATA_URL)

    html = response.content.decode()
    assert response.status_code == 200
    assert reverse("scoring:opt_out") in html
    assert f'action="{EXPORT_URL}"' in html
    assert DELETE_URL in html
    assert reverse("perks:shares") in html


def test_data_pages_are_for_consumers_only(client, make_merchant_staff):
    anonymous = client.get(DATA_URL)
    client.force_login(make_merchant_staff("meitu"))

    merchant = [client.get(DATA_URL), client.post(EXPORT_URL), client.get(DELETE_URL)]

    assert anonymous.status_code == 302
    assert anonymous.url.startswith("/accounts/login/")
    assert [response.url for response in merchant] == [reverse("accounts:after_login")] * 3


# Export --------------------------------------------------------------------------------------


def test_export_is_a_json_download_of_my_own_data(client, ann_with_everything, today):
    client.force_login(ann_with_everything)

    response = client.post(EXPORT_URL)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert (
        response["Content-Disposition"] == f'attachment; filename="credit-life-ann-{today.isoformat()}.json"'
    )
    data = json.loads(response.content)
    assert data["format"] == "credit-life-export/1"
    assert data["account"]["username"] == "ann"
    assert data["consent"]["is_opted_in"] is True
    assert len(data["score_snapshots"]) == ScoreSnapshot.objects.filter(person=ann_with_everything).count()
    assert [bill["issuer"] for bill in data["signals"]["bills"]] == ["Ann Power Co"] * 3
    assert len(data["signals"]["balances"]) == 3
    assert len(data["signals"]["purchases"]) == 3
    assert data["signals"]["credit_lines"][0]["provider"] == "Huabei"
    assert data["signals"]["identity"]["real_name_verified"] is True
    assert data["signals"]["contacts"] == {
        "count": 1,
        "interactions_90d": 7,
        "confirmed_on": [today.isoformat()],
        "by_status": {"reported": 1, "confirmed": 0, "rejected": 0},
    }
    real_name = data["real_name"]
    assert (real_name["legal_name"], real_name["id_last4"], real_name["status"]) == (
        "Ann Test",
        resident_id_for("ann")[-4:],
        "verified",
    )
    assert resident_id_for("ann") not in response.content.decode()
    assert (data["source_switches"], data["self_declared"]) == ([], None)
    assert data["blacklist_entries"][0]["case_number"] == "(2026) Hu 01 Zhi 7"
    assert data["disputes"][0]["status"] == Dispute.Status.OPEN
    assert len(data["claims"]) == 1
    assert data["claims"][0]["promotion__merchant__name"] == "Ford"
    assert [check["outcome"] for check in data["claims"][0]["counter_checks"]] == ["verified"]
    assert [share["show"] for share in data["shares"]] == ["score"]


def test_export_holds_nothing_of_another_person(client, ann_with_everything, bo):
    client.force_login(ann_with_everything)

    text = client.post(EXPORT_URL).content.decode()

    assert '"bo' not in text
    assert "bo@example.com" not in text
    assert "Bo Water Co" not in text
    assert str(bo.pk) not in json.loads(text)["signals"]["contacts"].values()
    for claim in Claim.objects.filter(person=bo):
        assert claim.code not in text
    assert bo.share_token not in text
    for share in Share.objects.all():
        assert share.token_hash not in text


def test_export_must_be_posted(client, ann):
    client.force_login(ann)

    assert client.get(EXPORT_URL).status_code == 405


@pytest.mark.parametrize("items", [3, 15])
def test_export_makes_a_fixed_number_of_queries(
    client, make_consumer, bike, today, django_assert_max_num_queries, items
):
    person = make_consumer("kai", opted_in=False)
    some_life(person, issuer="Kai Power", today=today, items=items)
    scoring_services.consumer_opt_in(person=person)
    for _number in range(items):
        perk_services.claim_create(promotion=bike, person=person)
        perk_services.share_create(person=person, show="band", expires_in_days=5)
    client.force_login(person)

    with django_assert_max_num_queries(EXPORT_QUERIES):
        response = client.post(EXPORT_URL)

    assert len(json.loads(response.content)["claims"]) == items


def test_the_export_selector_returns_the_same_data(ann_with_everything):
    data = selectors.person_data_export(person=ann_with_everything)

    assert data["account"]["email"] == "ann@example.com"
    assert {bill["issuer"] for bill in data["signals"]["bills"]} == {"Ann Power Co"}
    assert {"notifications", "notification_settings", "goal"} <= set(data)


def test_the_export_holds_the_persons_notifications_and_choices(ann_with_everything):
    from core.notifications import services as notification_services

    ann = ann_with_everything
    notification_services.notify(
        person_id=ann.pk, kind="model_changed", key="model:v2", params={"version": "v2"}
    )
    notification_services.notification_settings_update(
        person=ann, muted_kinds=["share_opened"], delivery="digest", language="en"
    )

    data = selectors.person_data_export(person=ann)

    assert [(n["kind"], n["params"]) for n in data["notifications"]] == [("model_changed", {"version": "v2"})]
    assert data["notification_settings"] == [
        {"muted_kinds": ["share_opened"], "delivery": "digest", "language": "en"}
    ]


# Delete --------------------------------------------------------------------------------------


def test_delete_with_a_wrong_password_is_refused_and_changes_nothing(client, ann_with_everything):
    client.force_login(ann_with_everything)
    before = (
        Claim.objects.filter(person=ann_with_everything).count(),
        Bill.objects.count(),
        Share.objects.count(),
    )

    response = client.post(DELETE_URL, {"password": "not-my-password"})

    assert response.status_code == 400
    assert "That is not your password. Nothing was deleted." in response.content.decode()
    assert User.objects.filter(username="ann").exists()
    after = (
        Claim.objects.filter(person=ann_with_everything).count(),
        Bill.objects.count(),
        Share.objects.count(),
    )
    assert after == before
    assert not AuditEntry.objects.filter(action="account.delete").exists()
    assert client.get(DATA_URL).status_code == 200  # still signed in


def test_delete_anonymises_claims_removes_the_rest_and_signs_out(
    client, ann_with_everything, bo, bike, merchant
):
    ann = ann_with_everything
    claim = Claim.objects.get(person=ann)
    share = Share.objects.get(person=ann)
    client.force_login(ann)

    page = client.get(DELETE_URL)
    response = client.post(DELETE_URL, {"password": PASSWORD})

    assert page.status_code == 200
    assert response.status_code == 302
    assert response.url == reverse("home")
    assert not User.objects.filter(username="ann").exists()
    claim.refresh_from_db()
    assert (claim.person_id, claim.idempotency_key, claim.status) == (None, None, Claim.Status.USED)
    assert claim in perk_selectors.claims_for_promotion(promotion=bike)
    assert CounterCheck.objects.filter(claim=claim, merchant=merchant).count() == 1
    assert not ConsumerProfile.objects.filter(user_id=ann.pk).exists()
    for model in (ScoreSnapshot, Bill, Balance, CreditLine, Purchase, Identity):
        assert not model.objects.filter(person_id=ann.pk).exists()
    assert not BlacklistEntry.objects.filter(person_id=ann.pk).exists()
    assert not Dispute.objects.filter(person_id=ann.pk).exists()
    assert not Share.objects.filter(pk=share.pk).exists()
    assert not Contact.objects.filter(person_id=ann.pk).exists()
    assert not Contact.objects.filter(contact_id=ann.pk).exists()
    assert client.get(reverse("perks:share_public", kwargs={"token": ann.share_token})).status_code == 404
    assert client.get(DATA_URL).status_code == 302  # signed out
    entry = AuditEntry.objects.get(action="account.delete")
    assert (entry.target_id, entry.changes) == (str(ann.pk), {"claims_anonymised": 1})
    # Bo is untouched.
    assert Claim.objects.filter(person=bo).count() == 1
    assert Bill.objects.filter(person=bo).count() == 3
    assert Share.objects.filter(person=bo).count() == 1


def test_the_delete_service_refuses_merchant_staff(make_merchant_staff):
    staff = make_merchant_staff("hellobike")

    with pytest.raises(ValidationError):
        services.account_delete(user=staff, password=PASSWORD)

    assert User.objects.filter(pk=staff.pk).exists()


# Opting out ----------------------------------------------------------------------------------


def test_opting_out_keeps_my_claims(client, ann_with_everything):
    ann = ann_with_everything
    codes = list(Claim.objects.filter(person=ann).values_list("code", flat=True))
    client.force_login(ann)

    client.post(reverse("scoring:opt_out"))

    profile = ConsumerProfile.objects.get(user=ann)
    assert profile.is_opted_in is False
    assert list(Claim.objects.filter(person=ann).values_list("code", flat=True)) == codes
    assert codes[0] in client.get(reverse("perks:my_claims")).content.decode()
    assert "You are not opted in" in client.get(DATA_URL).content.decode()
