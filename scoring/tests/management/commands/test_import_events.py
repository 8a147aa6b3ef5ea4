"""Tests for scoring/management/commands/import_events.py: partner events from JSON Lines and CSV files."""

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from scoring.models import Balance, Bill, BlacklistEntry, Identity, IngestedEvent, Partner, Purchase

pytestmark = pytest.mark.django_db

CSV_HEADER = "id,type,person,kind,amount,due_on,paid_on,occurred_on,category,real_name_verified,education\n"


@pytest.fixture
def partner() -> Partner:
    return Partner.objects.create(name="State Grid", slug="state-grid")


@pytest.fixture
def people(make_consumer):
    return make_consumer("ann"), make_consumer("bob")


def stored() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (Bill, Balance, Purchase, Identity, BlacklistEntry, IngestedEvent)
    }


NOTHING = {"Bill": 0, "Balance": 0, "Purchase": 0, "Identity": 0, "BlacklistEntry": 0, "IngestedEvent": 0}


def run(path, partner: str = "state-grid") -> str:
    out = io.StringIO()
    call_command("import_events", str(path), partner=partner, stdout=out)
    return out.getvalue()


def jsonl(*events: dict) -> str:
    return "".join(json.dumps(event) + "\n" for event in events)


BILL = {
    "id": "sg-1",
    "type": "bill_paid",
    "person": "ann",
    "data": {"kind": "utility", "amount": "120.40", "due_on": "2026-01-10", "paid_on": "2026-01-09"},
}
BALANCE = {
    "id": "sg-2",
    "type": "balance",
    "person": "bob",
    "data": {"amount": "3500.00", "as_of": "2026-01-31"},
}
LISTING = {
    "id": "sg-3",
    "type": "blacklist_listed",
    "person": "bob",
    "data": {
        "court": "Hangzhou Intermediate People's Court",
        "case_number": "(2025) Zhe 01 Zhi 5",
        "listed_on": "2025-11-02",
    },
}


def test_a_json_lines_file_is_imported_whole(tmp_path, partner, people):
    # given
    path = tmp_path / "events.jsonl"
    path.write_text(jsonl(BILL, BALANCE, LISTING), encoding="utf-8")

    # when
    output = run(path)

    # then
    assert output == f"Imported 3 events from {path}.\n"
    assert stored() == {**NOTHING, "Bill": 1, "Balance": 1, "BlacklistEntry": 1, "IngestedEvent": 3}
    assert list(
        IngestedEvent.objects.order_by("external_id").values_list("external_id", "partner__slug")
    ) == [
        ("sg-1", "state-grid"),
        ("sg-2", "state-grid"),
        ("sg-3", "state-grid"),
    ]


def test_a_csv_file_is_imported_with_empty_cells_left_out(tmp_path, partner, people):
    # given
    path = tmp_path / "events.csv"
    path.write_text(
        CSV_HEADER
        + "c-1,bill_paid,ann,credit_card,900.00,2026-01-15,2026-01-14,,,,\n"
        + "c-2,purchase,bob,,35.50,,,2026-01-20,dining,,\n"
        + "c-3,identity_verified,bob,,,,,,,true,master\n",
        encoding="utf-8",
    )

    # when
    output = run(path)

    # then
    assert output == f"Imported 3 events from {path}.\n"
    assert stored() == {**NOTHING, "Bill": 1, "Purchase": 1, "Identity": 1, "IngestedEvent": 3}
    identity = Identity.objects.get()
    assert (identity.person.username, identity.real_name_verified, identity.education) == (
        "bob",
        True,
        "master",
    )
    assert IngestedEvent.objects.get(external_id="c-2").payload == {
        "id": "c-2",
        "type": "purchase",
        "person": "bob",
        "data": {"amount": "35.50", "occurred_on": "2026-01-20", "category": "dining"},
    }


def test_a_csv_file_saved_by_a_spreadsheet_with_a_byte_order_mark_is_imported(tmp_path, partner, people):
    # given
    path = tmp_path / "events.csv"
    path.write_text(CSV_HEADER + "c-1,purchase,bob,,35.50,,,2026-01-20,dining,,\n", encoding="utf-8-sig")

    # when
    output = run(path)

    # then
    assert output == f"Imported 1 events from {path}.\n"
    assert Purchase.objects.count() == 1


def test_a_bad_line_is_reported_by_its_number_and_field_and_nothing_is_stored(tmp_path, partner, people):
    # given: line 2 has a bad amount, line 3 names nobody
    path = tmp_path / "events.jsonl"
    bad_amount = {**BALANCE, "data": {"amount": "abc", "as_of": "2026-01-31"}}
    path.write_text(jsonl(BILL, bad_amount, {**LISTING, "person": "nobody"}), encoding="utf-8")

    # when
    with pytest.raises(CommandError) as raised:
        run(path)

    # then
    assert str(raised.value) == (
        "Nothing was imported:\n"
        "line 2.data.amount: A valid number is required.\n"
        "line 3.person: No opted-in person has this username."
    )
    assert stored() == NOTHING


def test_a_bad_csv_row_is_reported_by_its_line_in_the_file(tmp_path, partner, people):
    # given: the header is line 1, so the second row is line 3
    path = tmp_path / "events.csv"
    path.write_text(
        CSV_HEADER
        + "c-1,purchase,bob,,35.50,,,2026-01-20,dining,,\n"
        + "c-2,purchase,bob,,35.50,,,2026-13-45,dining,,\n",
        encoding="utf-8",
    )

    # when
    with pytest.raises(CommandError) as raised:
        run(path)

    # then
    assert str(raised.value) == (
        "Nothing was imported:\n"
        "line 3.data.occurred_on: Date has wrong format. Use one of these formats instead: YYYY-MM-DD."
    )
    assert stored() == NOTHING


def test_lines_that_are_not_json_even_a_blank_one_are_reported_by_number_and_nothing_is_stored(
    tmp_path, partner, people
):
    # given
    path = tmp_path / "events.jsonl"
    path.write_text(jsonl(BILL) + "{'id': 'sg-2'}\n" + jsonl(LISTING) + "\n", encoding="utf-8")

    # when
    with pytest.raises(CommandError) as raised:
        run(path)

    # then
    assert str(raised.value) == (
        "Nothing was imported:\n"
        "line 2: not valid JSON (Expecting property name enclosed in double quotes)\n"
        "line 4: not valid JSON (Expecting value)"
    )
    assert stored() == NOTHING


def test_an_event_received_before_is_a_duplicate_and_the_file_is_refused(tmp_path, partner, people):
    # given
    first = tmp_path / "monday.jsonl"
    first.write_text(jsonl(BILL), encoding="utf-8")
    run(first)
    again = tmp_path / "tuesday.jsonl"
    again.write_text(jsonl(BALANCE, BILL), encoding="utf-8")

    # when
    with pytest.raises(CommandError) as raised:
        run(again)

    # then
    assert (
        str(raised.value)
        == "Nothing was imported:\nline 2.id: This event was already received (duplicate id)."
    )
    assert stored() == {**NOTHING, "Bill": 1, "IngestedEvent": 1}


def test_an_empty_file_is_refused(tmp_path, partner):
    # given
    path = tmp_path / "events.jsonl"
    path.write_text("", encoding="utf-8")

    # when
    with pytest.raises(CommandError) as raised:
        run(path)

    # then
    assert str(raised.value) == "Nothing was imported:\nevents: Send a non-empty list of events."


def test_a_file_that_is_not_utf8_text_is_refused_with_a_command_error(tmp_path, partner, people):
    # given
    path = tmp_path / "events.jsonl"
    path.write_bytes(jsonl(BILL).encode() + b'{"id": "\xff\xfe"}\n')

    # when
    with pytest.raises(CommandError) as raised:
        run(path)

    # then
    assert str(raised.value) == f"{path}: not UTF-8 text (invalid start byte); nothing was imported."
    assert stored() == NOTHING


def test_an_unknown_partner_is_refused(tmp_path, people):
    # given
    path = tmp_path / "events.jsonl"
    path.write_text(jsonl(BILL), encoding="utf-8")

    # when
    with pytest.raises(CommandError) as raised:
        run(path, partner="nope")

    # then
    assert str(raised.value) == "No partner with slug 'nope'."
    assert stored() == NOTHING


def test_a_missing_file_is_refused(tmp_path, partner):
    # when
    with pytest.raises(CommandError) as raised:
        run(tmp_path / "missing.jsonl")

    # then
    assert str(raised.value) == f"{tmp_path / 'missing.jsonl'}: no such file."
