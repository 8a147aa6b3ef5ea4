"""Tests for the real-name identity services of accounts/services.py: submit and decide."""

import logging

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from accounts import services
from accounts.exceptions import IdentityTaken
from accounts.models import RealNameIdentity
from accounts.resident_ids import resident_id_hash
from core.models import AuditEntry

pytestmark = pytest.mark.django_db

NUMBER = "11010519491231002X"


def everything_stored() -> str:
    """Every value of every row of every table, as one text to search."""
    parts = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 - table names from the database itself
            parts.extend(str(value) for row in cursor.fetchall() for value in row)
    return "\n".join(parts)


def test_a_submitted_number_is_stored_only_as_its_hash_and_last_four(make_consumer, caplog):
    ann = make_consumer("ann", verified=False)
    caplog.set_level(logging.DEBUG)

    identity = services.identity_submit(
        user=ann, legal_name="  Wang   Fang ", id_number="110105 19491231 002x"
    )

    identity.refresh_from_db()
    assert (identity.status, identity.legal_name, identity.id_last4, identity.id_hash) == (
        "pending",
        "Wang Fang",
        "002X",
        resident_id_hash(NUMBER),
    )
    stored = everything_stored()
    assert NUMBER not in stored
    assert NUMBER.lower() not in stored
    assert "19491231002" not in stored  # nor the number without its region
    assert NUMBER not in caplog.text


def test_a_number_verified_for_another_profile_is_refused_and_logged_for_staff(make_consumer):
    ann = make_consumer("ann", verified=False)
    bob = make_consumer("bob", verified=False)
    services.identity_decide(
        identity=services.identity_submit(user=ann, legal_name="Wang Fang", id_number=NUMBER),
        verified=True,
        decided_by="test",
    )

    with pytest.raises(IdentityTaken):
        services.identity_submit(user=bob, legal_name="Wang Fang", id_number=NUMBER)

    assert not RealNameIdentity.objects.filter(user=bob).exists()
    entry = AuditEntry.objects.get(action="identity.taken")
    assert (entry.actor, entry.target_id, entry.changes) == (
        bob,
        str(bob.pk),
        {"last4": "002X", "verified_profile": ann.pk},
    )


def test_bad_input_names_the_field_and_stores_nothing(make_consumer):
    ann = make_consumer("ann", verified=False)

    with pytest.raises(ValidationError) as caught:
        services.identity_submit(user=ann, legal_name=" ", id_number="110105194912310021")

    assert caught.value.message_dict == {
        "legal_name": ["Enter your name as it is on your resident ID card."],
        "id_number": ["This number's last character does not match the others: check it for a typo."],
    }
    assert not RealNameIdentity.objects.exists()


def test_a_rejected_person_may_submit_again_and_waits_afresh(make_consumer):
    ann = make_consumer("ann", verified=False)
    first = services.identity_submit(user=ann, legal_name="Wang Fang", id_number="11010119900307803X")
    services.identity_decide(
        identity=first, verified=False, decided_by="partner:idcheck", note="Name differs"
    )

    again = services.identity_submit(user=ann, legal_name="Wang Fang", id_number=NUMBER)

    assert (again.pk, again.status, again.id_last4, again.decided_at, again.decision_note) == (
        first.pk,
        "pending",
        "002X",
        None,
        "",
    )


def test_a_verified_person_cannot_replace_their_number(make_consumer):
    ann = make_consumer("ann", verified=False)
    services.identity_decide(
        identity=services.identity_submit(user=ann, legal_name="Wang Fang", id_number=NUMBER),
        verified=True,
        decided_by="test",
    )

    with pytest.raises(ValidationError) as caught:
        services.identity_submit(user=ann, legal_name="Wang Fang", id_number="11010119900307803X")

    assert caught.value.message_dict == {"id_number": ["Your real name is already verified."]}
    assert RealNameIdentity.objects.get(user=ann).id_hash == resident_id_hash(NUMBER)


def test_verifying_a_number_another_profile_holds_verified_turns_into_a_rejection(make_consumer):
    ann = make_consumer("ann", verified=False)
    bob = make_consumer("bob", verified=False)
    # Both ask while neither is verified; the first verdict wins the number.
    for_ann = services.identity_submit(user=ann, legal_name="Wang Fang", id_number=NUMBER)
    for_bob = services.identity_submit(user=bob, legal_name="Wang Fang", id_number=NUMBER)
    services.identity_decide(identity=for_ann, verified=True, decided_by="partner:idcheck")

    decided = services.identity_decide(identity=for_bob, verified=True, decided_by="partner:idcheck")

    assert (decided.status, decided.decision_note) == ("rejected", services.TAKEN_NOTE)
    assert list(RealNameIdentity.objects.filter(status="verified").values_list("user_id", flat=True)) == [
        ann.pk
    ]
    assert AuditEntry.objects.filter(action="identity.taken", target_id=str(for_bob.pk)).count() == 1


def test_a_decided_request_cannot_be_decided_again_but_a_verification_can_be_withdrawn(make_consumer):
    ann = make_consumer("ann", verified=False)
    identity = services.identity_submit(user=ann, legal_name="Wang Fang", id_number=NUMBER)
    services.identity_decide(identity=identity, verified=True, decided_by="partner:idcheck")

    with pytest.raises(ValidationError):
        services.identity_decide(identity=identity, verified=True, decided_by="partner:idcheck")
    withdrawn = services.identity_decide(identity=identity, verified=False, decided_by="staff:admin")

    assert (withdrawn.status, withdrawn.decided_by) == ("rejected", "staff:admin")
    with pytest.raises(ValidationError):
        services.identity_decide(identity=identity, verified=True, decided_by="staff:admin")
