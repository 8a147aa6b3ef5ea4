"""Tests for scoring/events.py: the shape of each partner event and the batch's all-or-nothing checks."""

import datetime
import json
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from scoring import events, services
from scoring.models import IngestedEvent, Partner

pytestmark = pytest.mark.django_db

COURT = "Hangzhou Intermediate People's Court"
REQUIRED = ["This field is required."]
UNSTORABLE = "This event holds a null character, a lone surrogate, an infinite number or deep nesting."
BAD_DATE = ["Date has wrong format. Use one of these formats instead: YYYY-MM-DD."]


def days_ago(days: int) -> str:
    return (services.today() - datetime.timedelta(days=days)).isoformat()


def event(kind: str, data: object, *, id: str = "e1", person: str = "ann") -> dict:
    return {"id": id, "type": kind, "person": person, "data": data}


def bill_paid(**changes: object) -> dict:
    return event(
        "bill_paid",
        {
            "kind": "credit_card",
            "amount": "1200.50",
            "due_on": days_ago(20),
            "paid_on": days_ago(22),
            **changes,
        },
    )


@pytest.fixture
def partner() -> Partner:
    return Partner.objects.create(name="China UnionPay", slug="unionpay")


@pytest.fixture
def ann(make_consumer):
    return make_consumer("ann")


def errors_of(partner: Partner, items: list, **options: object) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as raised:
        events.events_validate(partner=partner, items=items, **options)
    return raised.value.message_dict


# --- every kind of event ----------------------------------------------------------------------


def test_a_valid_event_of_each_kind_is_parsed_into_typed_fields(partner, ann, make_consumer):
    # given
    bob = make_consumer("bob")
    items = [
        event(
            "bill_paid",
            {
                "kind": "utility",
                "amount": "88.00",
                "due_on": "2026-01-10",
                "paid_on": "2026-01-08",
                "issuer": "State Grid Electricity",
                "reference": "SG-2026-01",
            },
            id="1",
        ),
        event("bill_overdue", {"kind": "traffic_fine", "amount": "200", "due_on": "2026-02-01"}, id="2"),
        event(
            "rental_payment", {"amount": "4500.00", "due_on": "2026-03-01", "paid_on": "2026-03-01"}, id="3"
        ),
        event("balance", {"amount": "-150.25", "as_of": "2026-03-31"}, id="4"),
        event(
            "credit_line",
            {"provider": "Huabei", "limit": "20000", "used": "20000", "as_of": "2026-04-01"},
            id="5",
        ),
        event("purchase", {"amount": "59.90", "occurred_on": "2026-04-02", "category": "groceries"}, id="6"),
        event("identity_verified", {"real_name_verified": True, "education": "bachelor"}, id="7"),
        event("contact", {"contact": "bob", "confirmed_on": "2026-04-03", "interactions_90d": 12}, id="8"),
        event(
            "blacklist_listed",
            {
                "court": COURT,
                "case_number": "(2026) Zhe 01 Zhi 7",
                "listed_on": "2026-01-05",
                "ban_until": None,
            },
            id="9",
        ),
        event(
            "blacklist_lifted",
            {
                "court": COURT,
                "case_number": "(2026) Zhe 01 Zhi 7",
                "lifted_on": "2026-04-05",
                "reason": "settled",
            },
            id="10",
        ),
    ]

    # when
    valid = events.events_validate(partner=partner, items=items)

    # then
    assert [(e.external_id, e.kind, e.person, e.raw) for e in valid] == [
        (item["id"], item["type"], ann, item) for item in items
    ]
    assert [e.data for e in valid] == [
        {
            "kind": "utility",
            "amount": Decimal("88.00"),
            "due_on": datetime.date(2026, 1, 10),
            "paid_on": datetime.date(2026, 1, 8),
            "issuer": "State Grid Electricity",
            "reference": "SG-2026-01",
        },
        {
            "kind": "traffic_fine",
            "amount": Decimal("200.00"),
            "due_on": datetime.date(2026, 2, 1),
            "issuer": "",
            "reference": "",
        },
        {
            "amount": Decimal("4500.00"),
            "due_on": datetime.date(2026, 3, 1),
            "paid_on": datetime.date(2026, 3, 1),
            "landlord": "",
        },
        {"amount": Decimal("-150.25"), "as_of": datetime.date(2026, 3, 31)},
        {
            "provider": "Huabei",
            "limit": Decimal("20000.00"),
            "used": Decimal("20000.00"),
            "as_of": datetime.date(2026, 4, 1),
        },
        {"amount": Decimal("59.90"), "occurred_on": datetime.date(2026, 4, 2), "category": "groceries"},
        {"real_name_verified": True, "education": "bachelor"},
        {"contact": bob, "confirmed_on": datetime.date(2026, 4, 3), "interactions_90d": 12},
        {
            "court": COURT,
            "case_number": "(2026) Zhe 01 Zhi 7",
            "listed_on": datetime.date(2026, 1, 5),
            "ban_until": None,
            "source": "",
            "note": "",
        },
        {
            "court": COURT,
            "case_number": "(2026) Zhe 01 Zhi 7",
            "lifted_on": datetime.date(2026, 4, 5),
            "reason": "settled",
        },
    ]


def test_validating_stores_nothing(partner, ann):
    # when
    events.events_validate(partner=partner, items=[bill_paid()])

    # then
    assert IngestedEvent.objects.count() == 0


# --- one bad event: the error names its index and field ---------------------------------------


@pytest.mark.parametrize(
    ("bad", "errors"),
    [
        (event("party", {}), {"events[1].type": ['"party" is not a valid choice.']}),
        (bill_paid(amount="abc"), {"events[1].data.amount": ["A valid number is required."]}),
        (
            bill_paid(amount="0"),
            {"events[1].data.amount": ["Ensure this value is greater than or equal to 0.01."]},
        ),
        (bill_paid(amount="NaN"), {"events[1].data.amount": ["A valid number is required."]}),
        (bill_paid(amount=1e400), {"events[1].data.amount": ["A valid number is required."]}),
        (
            bill_paid(amount="1e20"),
            {"events[1].data.amount": ["Ensure that there are no more than 14 digits in total."]},
        ),
        (bill_paid(due_on="2026-13-45"), {"events[1].data.due_on": BAD_DATE}),
        (bill_paid(due_on=20260101), {"events[1].data.due_on": BAD_DATE}),
        (bill_paid(paid_on="1989-12-31"), {"events[1].data.paid_on": ["This date is too far in the past."]}),
        (
            bill_paid(paid_on="2999-01-01"),
            {"events[1].data.paid_on": ["This date is in the future; report what has happened."]},
        ),
        (
            event("purchase", {"amount": "30.00", "occurred_on": days_ago(-3)}),
            {"events[1].data.occurred_on": ["This date is in the future; report what has happened."]},
        ),
        (
            bill_paid(due_on="2999-01-01"),
            {"events[1].data.due_on": ["This date is too far in the future."]},
        ),
        (bill_paid(kind="rent"), {"events[1].data.kind": ['"rent" is not a valid choice.']}),
        (
            event("bill_overdue", {"kind": "loan"}),
            {"events[1].data.amount": REQUIRED, "events[1].data.due_on": REQUIRED},
        ),
        (
            event(
                "credit_line", {"provider": "Huabei", "limit": "100", "used": "100.01", "as_of": days_ago(1)}
            ),
            {"events[1].data.used": ["Use cannot exceed the limit."]},
        ),
        (event("identity_verified", {}), {"events[1].data": ["Give at least one identity fact."]}),
        (
            event("identity_verified", {"education": "kindergarten"}),
            {"events[1].data.education": ['"kindergarten" is not a valid choice.']},
        ),
        (
            event("balance", ["amount", "1"]),
            {"events[1].data": ["An object with the event's fields is required."]},
        ),
        (
            {"id": "e1", "type": "balance", "person": "ann"},
            {"events[1].data": ["An object with the event's fields is required."]},
        ),
        ({"type": "balance", "data": {}}, {"events[1].id": REQUIRED, "events[1].person": REQUIRED}),
        (
            {"id": {"x": 1}, "type": ["balance"], "person": None, "data": {}},
            {
                "events[1].id": ["Not a valid string."],
                "events[1].type": ["\"['balance']\" is not a valid choice."],
                "events[1].person": ["This field may not be null."],
            },
        ),
        (
            {**bill_paid(), "person": "nobody"},
            {"events[1].person": ["No opted-in person has this username."]},
        ),
        (
            {**bill_paid(), "person": "erin"},
            {"events[1].person": ["No opted-in person has this username."]},
        ),
        (
            {**bill_paid(), "person": "ford-staff"},
            {"events[1].person": ["No opted-in person has this username."]},
        ),
        ({**bill_paid(), "id": "e0"}, {"events[1].id": ["This event was already received (duplicate id)."]}),
        (
            event("contact", {"contact": "ann", "confirmed_on": days_ago(3)}),
            {"events[1].data.contact": ["A person cannot be their own contact."]},
        ),
        (
            event("contact", {"contact": "nobody", "confirmed_on": days_ago(3)}),
            {"events[1].data.contact": ["No opted-in person has this username."]},
        ),
        (
            event(
                "blacklist_listed",
                {"court": COURT, "case_number": "1", "listed_on": days_ago(9), "ban_until": days_ago(10)},
            ),
            {"events[1].data.ban_until": ["A ban cannot end before the listing."]},
        ),
        (
            event(
                "blacklist_lifted",
                {"court": COURT, "case_number": "1", "lifted_on": days_ago(1), "reason": "paid"},
            ),
            {"events[1].data.reason": ['"paid" is not a valid choice.']},
        ),
        ({**bill_paid(), "note": "\x00"}, {"events[1]": [UNSTORABLE]}),
        ({**bill_paid(), "note": "\ud800"}, {"events[1]": [UNSTORABLE]}),
        (bill_paid(extra=float("inf")), {"events[1]": [UNSTORABLE]}),
        (bill_paid(extra=float("nan")), {"events[1]": [UNSTORABLE]}),
        (bill_paid(extra=json.loads("[" * 30 + "]" * 30)), {"events[1]": [UNSTORABLE]}),
        ("bill_paid", {"events[1]": ["Each event must be an object."]}),
        (None, {"events[1]": ["Each event must be an object."]}),
    ],
)
def test_one_bad_event_is_named_by_index_and_field(
    partner, ann, make_consumer, make_merchant_staff, bad, errors
):
    # given: a good first event, and people the bad one may name
    make_consumer("erin", opted_in=False)
    make_merchant_staff("ford")
    good = {**bill_paid(), "id": "e0"}

    # when / then
    assert errors_of(partner, [good, bad]) == errors


def test_an_id_already_received_from_the_partner_is_a_duplicate(partner, ann):
    # given
    services.events_ingest(partner=partner, batch={"events": [bill_paid()]})

    # when / then
    assert errors_of(partner, [bill_paid()]) == {
        "events[0].id": ["This event was already received (duplicate id)."]
    }


def test_the_same_id_from_another_partner_is_no_duplicate(partner, ann):
    # given
    services.events_ingest(partner=partner, batch={"events": [bill_paid()]})
    other = Partner.objects.create(name="Alipay", slug="alipay")

    # when
    valid = events.events_validate(partner=other, items=[bill_paid()])

    # then
    assert [e.external_id for e in valid] == ["e1"]


def test_every_bad_event_of_the_batch_is_reported_at_once(partner, ann):
    # given
    items = [
        bill_paid(amount="abc"),
        {**bill_paid(), "id": "e2"},
        {**bill_paid(due_on="2026-02-30"), "id": "e3", "person": "nobody"},
        {**bill_paid(), "id": "e2"},
    ]

    # when / then
    assert errors_of(partner, items) == {
        "events[0].data.amount": ["A valid number is required."],
        "events[2].data.due_on": BAD_DATE,
        "events[3].id": ["This event was already received (duplicate id)."],
    }


def test_a_label_and_first_number_name_the_lines_of_a_file(partner, ann):
    # when / then
    items = [
        bill_paid(),
        {**bill_paid(amount="abc"), "id": "e2"},
        {**bill_paid(), "person": "nobody", "id": "e3"},
    ]

    assert errors_of(partner, items, label="line {}", number_from=2) == {
        "line 3.data.amount": ["A valid number is required."],
        "line 4.person": ["No opted-in person has this username."],
    }
