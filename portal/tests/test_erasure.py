"""portal/services.py account_delete: after deletion, no table holds anything that names the
person (username, email, address, browser, their words, their keys), however it got there."""

import datetime
import logging
from decimal import Decimal

import pytest
from axes.models import AccessAttempt, AccessLog
from django.apps import apps
from django.db import models
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts import services as account_services
from accounts.models import ApiToken, User
from perks import services as perk_services
from perks.models import BenefitType, Category, Promotion
from portal import services
from scoring import services as scoring_services
from scoring.models import (
    Balance,
    Bill,
    BillKind,
    BlacklistEntry,
    CreditLine,
    IngestedEvent,
    Partner,
    PartnerNotice,
    Purchase,
)

pytestmark = pytest.mark.django_db

PASSWORD = "a-Long-pass-950"
USERNAME = "wang.xiaoling"
EMAIL = "xiaoling.wang.7731@example.org"
ADDRESS = "203.0.113.77"
BROWSER = "XiaolingPhone/7.7 (erasure test)"
DISPUTE_SIGNAL = "The bill from Lotus Water, account LW-88231"
DISPUTE_REASON = "My landlord Zhang Wei paid it on my behalf in March."
COURT_CASE = "(2026) Hu 01 Zhi 7731"
IDEMPOTENCY_KEY = "xiaoling-claim-key-0001"
TEXT_FIELDS = (models.CharField, models.TextField, models.JSONField, models.GenericIPAddressField)


def every_text_value() -> list[tuple[str, str, str]]:
    """(model, field, value as text) for every text and JSON column of every table."""
    found = []
    for model in apps.get_models():
        names = [field.name for field in model._meta.concrete_fields if isinstance(field, TEXT_FIELDS)]
        if not names:
            continue
        for row in model.objects.values_list(*names):
            found.extend(
                (model._meta.label, name, str(value)) for name, value in zip(names, row, strict=True)
            )
    return found


def sign_in(client, *, password: str) -> int:
    return client.post(
        reverse("accounts:login"),
        {"username": USERNAME, "password": password},
        REMOTE_ADDR=ADDRESS,
        HTTP_USER_AGENT=BROWSER,
    ).status_code


@pytest.fixture
def merchant(make_merchant_staff):
    return make_merchant_staff("ford").merchant_staff.merchant


@pytest.fixture
def person_with_everything(client, make_consumer, merchant):
    """A person with every kind of data the portal keeps, some of it in other people's records."""
    today = timezone.localdate()
    person = account_services.consumer_register(username=USERNAME, email=EMAIL, password=PASSWORD)
    # a real-name identity, verified: the legal name is the person's, the number only a hash
    account_services.identity_decide(
        identity=account_services.identity_submit(
            user=person, legal_name=f"{USERNAME} Legal", id_number="11010519491231002X"
        ),
        verified=True,
        decided_by="partner:idcheck",
    )
    make_consumer("friend")
    scoring_services.consumer_opt_in(person=person)
    # signals, from a partner, naming the person and naming them as the friend's contact
    partner = Partner.objects.create(name="China UnionPay", slug="unionpay")
    scoring_services.events_ingest(
        partner=partner,
        batch=[
            {
                "id": "c-1",
                "type": "contact",
                "person": "friend",
                "data": {"contact": USERNAME, "confirmed_on": today.isoformat(), "interactions_90d": 3},
            },
            {
                "id": "c-2",
                "type": "contact",
                "person": USERNAME,
                "data": {"contact": "friend", "confirmed_on": today.isoformat()},
            },
            {
                "id": "b-1",
                "type": "bill_paid",
                "person": USERNAME,
                "data": {
                    "reference": "LW-88231",
                    "kind": "utility",
                    "issuer": "Lotus Water",
                    "amount": "120.00",
                    "due_on": (today - datetime.timedelta(days=40)).isoformat(),
                    "paid_on": (today - datetime.timedelta(days=38)).isoformat(),
                },
            },
        ],
    )
    Bill.objects.create(
        person=person, kind=BillKind.UTILITY, issuer="Lotus Water", amount=Decimal("9.00"), due_on=today
    )
    Balance.objects.create(person=person, as_of=today, amount=Decimal("5000.00"))
    Purchase.objects.create(person=person, occurred_on=today, amount=Decimal("64.00"), category="groceries")
    CreditLine.objects.create(person=person, provider="Huabei", as_of=today, limit=Decimal("8000"), used=1)
    # claims, a counter check, shares, tokens (one revoked), sign-ins good and bad
    bike = perk_services.promotion_create(
        merchant=merchant,
        title="Deposit-free bike",
        category=Category.DEPOSIT_FREE,
        benefit_type=BenefitType.DEPOSIT_WAIVER,
        amount=Decimal("299.00"),
        min_score=350,
        quantity=50,
        per_user_limit=5,
        starts_at=timezone.now() - datetime.timedelta(days=1),
        status=Promotion.Status.ACTIVE,
    )
    claim = perk_services.claim_create(promotion=bike, person=person, idempotency_key=IDEMPOTENCY_KEY)
    perk_services.claim_hand_over(merchant=merchant, code=claim.code)
    perk_services.claim_create(promotion=bike, person=person)
    perk_services.share_create(person=person, show="score", expires_in_days=30)
    account_services.api_token_revoke(token=person.api_tokens.get(pk=_token_id(person)))
    account_services.api_token_issue(user=person)
    # a court listing (after the claims: it bars new ones), disputed, and another dispute
    scoring_services.events_ingest(
        partner=partner,
        batch=[
            {
                "id": "l-1",
                "type": "blacklist_listed",
                "person": USERNAME,
                "data": {
                    "court": "Shanghai No. 1 Court",
                    "case_number": COURT_CASE,
                    "listed_on": (today - datetime.timedelta(days=9)).isoformat(),
                },
            },
        ],
    )
    entry = BlacklistEntry.objects.get(person=person)
    scoring_services.dispute_create(person=person, blacklist_entry=entry, reason=DISPUTE_REASON)
    scoring_services.dispute_create(person=person, signal=DISPUTE_SIGNAL, reason=DISPUTE_REASON)
    # the late water bill disputed and corrected: its partner's notice names the person
    late_bill = Bill.objects.get(person=person, reference="LW-88231")
    scoring_services.dispute_accept(
        dispute=scoring_services.dispute_create(person=person, bill=late_bill, reason=DISPUTE_REASON)
    )
    assert PartnerNotice.objects.filter(payload__person=USERNAME).exists()
    scoring_services.score_recompute(person=person, as_of=today)
    assert sign_in(client, password=PASSWORD) == 302
    client.logout()
    assert sign_in(client, password="wrong-password") == 200  # a failure kept after the success
    client.force_login(person)
    return person


def _token_id(person) -> int:
    account_services.api_token_issue(user=person)
    return person.api_tokens.get().pk


def test_every_kind_of_data_is_there_before_the_deletion(person_with_everything):
    values = every_text_value()

    assert AccessLog.objects.filter(username=USERNAME).exists()
    assert AccessAttempt.objects.filter(username=USERNAME).exists()
    assert IngestedEvent.objects.filter(payload__data__contact=USERNAME).exists()
    for fragment in (USERNAME, EMAIL, ADDRESS, BROWSER, DISPUTE_SIGNAL, DISPUTE_REASON, COURT_CASE):
        assert any(fragment in value for _model, _field, value in values), fragment


def test_after_deletion_no_table_names_the_person(client, person_with_everything):
    # when
    client.post(
        reverse("privacy:delete"), {"password": PASSWORD}, REMOTE_ADDR=ADDRESS, HTTP_USER_AGENT=BROWSER
    )

    # then: no text or JSON column of any table holds any of it
    left = [
        (model, field, fragment)
        for model, field, value in every_text_value()
        for fragment in (
            USERNAME,
            EMAIL,
            EMAIL.split("@")[0],
            ADDRESS,
            BROWSER,
            DISPUTE_SIGNAL,
            DISPUTE_REASON,
            COURT_CASE,
            IDEMPOTENCY_KEY,
        )
        if fragment.lower() in value.lower()
    ]
    assert left == []


def test_other_peoples_contact_events_keep_their_own_data(client, person_with_everything):
    client.post(reverse("privacy:delete"), {"password": PASSWORD})

    event = IngestedEvent.objects.get(external_id="c-1")
    assert event.payload["person"] == "friend"
    assert event.payload["data"]["contact"] == services.ERASED_CONTACT
    assert event.payload["data"]["interactions_90d"] == 3


def test_sign_in_log_lines_name_a_pseudonym_not_the_username(client, person_with_everything, caplog):
    caplog.set_level(logging.INFO, logger="axes")

    APIClient().post(
        "/api/v1/auth/token/", {"username": USERNAME, "password": "wrong"}, format="json", REMOTE_ADDR=ADDRESS
    )
    sign_in(client, password="wrong-again")

    assert caplog.records
    assert USERNAME not in caplog.text


def test_deleting_an_account_deletes_its_tokens(make_consumer):
    # given
    ann = make_consumer("ann-tokens", password="a-Long-pass-950")
    account_services.api_token_issue(user=ann)

    # when
    services.account_delete(user=ann, password="a-Long-pass-950")

    # then
    assert ApiToken.objects.count() == 0


def test_staff_deleting_the_person_in_the_admin_leaves_no_table_naming_them(
    admin_client, person_with_everything
):
    # when
    response = admin_client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "erase_consumers", "_selected_action": [person_with_everything.pk]},
    )

    # then: the same erasure as the person's own deletion, the admin's own log included
    assert response.status_code == 302
    assert not User.objects.filter(pk=person_with_everything.pk).exists()
    left = [
        (model, field, fragment)
        for model, field, value in every_text_value()
        for fragment in (USERNAME, EMAIL, DISPUTE_SIGNAL, DISPUTE_REASON, COURT_CASE, IDEMPOTENCY_KEY)
        if fragment.lower() in value.lower()
    ]
    assert left == []


def test_the_admins_delete_page_erases_a_consumer_too(admin_client, make_consumer):
    # given: a person the delete page can delete, who signed in once
    bo = make_consumer("bo-admin-delete", opted_in=False, verified=False)
    AccessLog.objects.create(username=bo.username, ip_address=ADDRESS, user_agent=BROWSER)

    # when
    response = admin_client.post(reverse("admin:accounts_user_delete", args=[bo.pk]), {"post": "yes"})

    # then: gone, and so is the sign-in record naming them
    assert response.status_code == 302
    assert not User.objects.filter(pk=bo.pk).exists()
    assert not AccessLog.objects.filter(username=bo.username).exists()


def test_a_merchant_checking_the_code_of_a_person_who_deleted_their_account_gets_its_answer(
    merchant, make_consumer
):
    person = make_consumer("lin", opted_in=True, verified=True)
    bike = perk_services.promotion_create(
        merchant=merchant,
        title="Deposit-free bike",
        category=Category.DEPOSIT_FREE,
        benefit_type=BenefitType.DEPOSIT_WAIVER,
        amount=Decimal("299.00"),
        min_score=350,
        quantity=5,
        starts_at=timezone.now() - datetime.timedelta(days=1),
        status=Promotion.Status.ACTIVE,
    )
    claim = perk_services.claim_create(promotion=bike, person=person)
    services.account_erase(user=person, actor=person)

    # The claim stays the merchant's, anonymised; checking its code tells nobody and fails nothing.
    result = perk_services.claim_check(merchant=merchant, code=claim.code)

    assert result.valid
    claim.refresh_from_db()
    assert claim.person_id is None
