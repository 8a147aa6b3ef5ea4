"""The shapes of partner events and their validation, shared by the API and import_events.

A batch is all or nothing: every event is checked (shape, person, duplicates) before any
is stored, and each error is reported by its path in the batch: ``events[<index>].<field>`` for
the envelope (id, type, person, data) and ``events[<index>].data.<field>`` for the event's fields.
"""

import datetime
import math
from decimal import Decimal
from typing import Any, TypeAlias, TypedDict, TypeGuard

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from accounts.models import ConsumerProfile, User

from .models import BillKind, BlacklistEntry, Education, EventKind, IngestedEvent, Partner

MAX_BATCH = 1000
MAX_DEPTH = 20  # how deeply an event's JSON may nest
UNSTORABLE = _("This event holds a null character, a lone surrogate, an infinite number or deep nesting.")


class MoneyOptions(TypedDict):
    max_digits: int
    decimal_places: int
    min_value: Decimal


MONEY: MoneyOptions = {"max_digits": 14, "decimal_places": 2, "min_value": Decimal("0.01")}
EARLIEST = datetime.date(1990, 1, 1)


def _not_too_old(value: datetime.date) -> None:
    if value < EARLIEST:
        raise serializers.ValidationError(_("This date is too far in the past."))


def _not_in_future(value: datetime.date) -> None:
    # A day of slack: partners in other time zones may already be on tomorrow's date.
    if value > timezone.localdate() + datetime.timedelta(days=1):
        raise serializers.ValidationError(_("This date is in the future; report what has happened."))
    _not_too_old(value)


def _within_a_year(value: datetime.date) -> None:
    if value > timezone.localdate() + datetime.timedelta(days=366):
        raise serializers.ValidationError(_("This date is too far in the future."))
    _not_too_old(value)


# The field options are DateField's own (required, allow_null, default): of mixed types.
def Day(**kwargs: Any) -> serializers.DateField:
    """A date that has already happened (paid, listed, observed)."""
    return serializers.DateField(validators=[_not_in_future], **kwargs)


def DueDay(**kwargs: Any) -> serializers.DateField:
    """A date something is due or ends: up to a year ahead."""
    return serializers.DateField(validators=[_within_a_year], **kwargs)


class EnvelopeSerializer(serializers.Serializer):
    id = serializers.CharField(max_length=100)
    type = serializers.ChoiceField(choices=EventKind.choices)
    person = serializers.CharField(max_length=150)


class BillPaidSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=[c for c in BillKind.choices if c[0] != BillKind.RENT])
    amount = serializers.DecimalField(**MONEY)
    due_on = DueDay()
    paid_on = Day()
    issuer = serializers.CharField(max_length=120, required=False, default="")
    reference = serializers.CharField(max_length=100, required=False, default="")


class BillOverdueSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=[c for c in BillKind.choices if c[0] != BillKind.RENT])
    amount = serializers.DecimalField(**MONEY)
    due_on = DueDay()
    issuer = serializers.CharField(max_length=120, required=False, default="")
    reference = serializers.CharField(max_length=100, required=False, default="")


class RentalPaymentSerializer(serializers.Serializer):
    amount = serializers.DecimalField(**MONEY)
    due_on = DueDay()
    paid_on = Day()
    landlord = serializers.CharField(max_length=120, required=False, default="")


class BalanceSerializer(serializers.Serializer):
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=Decimal("-1000000000"))
    as_of = Day()


class CreditLineSerializer(serializers.Serializer):
    provider = serializers.CharField(max_length=120)
    limit = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=Decimal("0"))
    used = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=Decimal("0"))
    as_of = Day()

    def validate(self, attrs: dict) -> dict:
        if attrs["used"] > attrs["limit"]:
            raise serializers.ValidationError({"used": [_("Use cannot exceed the limit.")]})
        return attrs


class PurchaseSerializer(serializers.Serializer):
    amount = serializers.DecimalField(**MONEY)
    occurred_on = Day()
    category = serializers.CharField(max_length=40, required=False, default="")


class IdentitySerializer(serializers.Serializer):
    real_name_verified = serializers.BooleanField(required=False)
    education = serializers.ChoiceField(choices=Education.choices, required=False)
    address_since = Day(required=False)
    phone_verified = serializers.BooleanField(required=False)
    email_verified = serializers.BooleanField(required=False)

    def validate(self, attrs: dict) -> dict:
        if not attrs:
            raise serializers.ValidationError({"non_field_errors": [_("Give at least one identity fact.")]})
        return attrs


class ContactSerializer(serializers.Serializer):
    contact = serializers.CharField(max_length=150)
    confirmed_on = Day()
    interactions_90d = serializers.IntegerField(min_value=0, max_value=100_000, required=False, default=0)


class BlacklistListedSerializer(serializers.Serializer):
    court = serializers.CharField(max_length=200)
    case_number = serializers.CharField(max_length=100)
    listed_on = Day()
    ban_until = DueDay(required=False, allow_null=True, default=None)
    # A field named like Field.source: DRF's metaclass takes declared fields off the class, which
    # the stubs cannot express, so they see this as replacing that attribute.
    source = serializers.CharField(max_length=200, required=False, default="")  # type: ignore[assignment]
    note = serializers.CharField(max_length=2000, required=False, default="", allow_blank=True)

    def validate(self, attrs: dict) -> dict:
        if attrs["ban_until"] is not None and attrs["ban_until"] < attrs["listed_on"]:
            raise serializers.ValidationError({"ban_until": [_("A ban cannot end before the listing.")]})
        return attrs


class BlacklistLiftedSerializer(serializers.Serializer):
    court = serializers.CharField(max_length=200)
    case_number = serializers.CharField(max_length=100)
    lifted_on = Day()
    reason = serializers.ChoiceField(choices=BlacklistEntry.LiftReason.choices)


PAYLOADS: dict[str, type[serializers.Serializer]] = {
    EventKind.BILL_PAID: BillPaidSerializer,
    EventKind.BILL_OVERDUE: BillOverdueSerializer,
    EventKind.RENTAL_PAYMENT: RentalPaymentSerializer,
    EventKind.BALANCE: BalanceSerializer,
    EventKind.CREDIT_LINE: CreditLineSerializer,
    EventKind.PURCHASE: PurchaseSerializer,
    EventKind.IDENTITY_VERIFIED: IdentitySerializer,
    EventKind.CONTACT: ContactSerializer,
    EventKind.BLACKLIST_LISTED: BlacklistListedSerializer,
    EventKind.BLACKLIST_LIFTED: BlacklistLiftedSerializer,
}


class BatchSerializer(serializers.Serializer):
    """For the API schema: a batch is ``{"events": [...]}``."""

    events = serializers.ListField(child=serializers.DictField(), max_length=MAX_BATCH)


class BatchResultSerializer(serializers.Serializer):
    accepted = serializers.IntegerField()


class ValidEvent:
    """An event that passed every check, ready to store."""

    __slots__ = ("data", "external_id", "kind", "person", "raw")

    def __init__(self, *, external_id: str, kind: str, person: User, data: dict, raw: dict) -> None:
        self.external_id = external_id
        self.kind = kind
        self.person = person
        self.data = data
        self.raw = raw


# DRF's errors: per field (a dict), per item or per field's messages (a list), down to messages.
Errors: TypeAlias = "dict[str, Errors] | list[Errors] | str"


def _flatten(errors: Errors, prefix: str, into: dict[str, list[str]]) -> None:
    if isinstance(errors, dict):
        for field, nested in errors.items():
            _flatten(nested, f"{prefix}.{field}" if field != "non_field_errors" else prefix, into)
    elif isinstance(errors, list) and errors and not isinstance(errors[0], str | serializers.ErrorDetail):
        for nested in errors:
            _flatten(nested, prefix, into)
    else:
        into.setdefault(prefix, []).extend(str(message) for message in errors)


# One answer for "no such username", "not opted in" and "not a consumer": a partner learns
# nothing about who has an account, only that this event cannot be taken.
NO_OPTED_IN_PERSON = _("No opted-in person has this username.")


def _opted_in(user: User | None) -> TypeGuard[User]:
    profile: ConsumerProfile | None = getattr(user, "consumer", None) if user is not None else None
    return profile is not None and profile.is_opted_in


def _storable(item: dict) -> bool:
    """Whether the event as received can be kept as JSON: PostgreSQL's jsonb (and SQLite's JSON check)
    refuse null characters, lone surrogates and infinite numbers even in fields nobody reads."""
    pending: list[tuple[object, int]] = [(item, 0)]
    while pending:  # a loop, not recursion: the input decides how deep it goes
        value, depth = pending.pop()
        if depth > MAX_DEPTH:
            return False
        if isinstance(value, dict):
            pending.extend((part, depth + 1) for pair in value.items() for part in pair)
        elif isinstance(value, list):
            pending.extend((part, depth + 1) for part in value)
        elif isinstance(value, float) and not math.isfinite(value):
            return False
        elif isinstance(value, str):
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                return False
            if "\x00" in value:
                return False
    return True


def events_validate(
    *, partner: Partner, items: list[object], label: str = "events[{}]", number_from: int = 0
) -> list[ValidEvent]:
    """Check every event; raise one ValidationError naming each bad item and field, or return them all."""
    errors: dict[str, list[str]] = {}
    envelopes: list[tuple[int, dict, dict, dict]] = []
    for index, item in enumerate(items):
        where = label.format(index + number_from)
        if not isinstance(item, dict):
            errors[where] = [str(_("Each event must be an object."))]
            continue
        envelope = EnvelopeSerializer(data=item)
        if not envelope.is_valid():
            _flatten(envelope.errors, where, errors)
            continue
        if not isinstance(item.get("data"), dict):
            errors[f"{where}.data"] = [str(_("An object with the event's fields is required."))]
            continue
        payload = PAYLOADS[envelope.validated_data["type"]](data=item["data"])
        if not payload.is_valid():
            _flatten(payload.errors, f"{where}.data", errors)
            continue
        if not _storable(item):
            errors[where] = [str(UNSTORABLE)]
            continue
        envelopes.append((index, item, envelope.validated_data, payload.validated_data))

    usernames = {env["person"] for _, _, env, _ in envelopes} | {
        data["contact"] for _, _, env, data in envelopes if env["type"] == EventKind.CONTACT
    }
    people = {
        user.username: user for user in User.objects.filter(username__in=usernames).select_related("consumer")
    }
    seen_ids = set(
        IngestedEvent.objects.filter(
            partner=partner, external_id__in=[env["id"] for _, _, env, _ in envelopes]
        ).values_list("external_id", flat=True)
    )
    batch_ids: set[str] = set()
    valid: list[ValidEvent] = []
    for index, raw, env, data in envelopes:
        where = label.format(index + number_from)
        person = people.get(env["person"])
        if not _opted_in(person):
            errors[f"{where}.person"] = [str(NO_OPTED_IN_PERSON)]
        if env["id"] in seen_ids or env["id"] in batch_ids:
            errors[f"{where}.id"] = [str(_("This event was already received (duplicate id)."))]
        batch_ids.add(env["id"])
        if env["type"] == EventKind.CONTACT:
            contact = people.get(data["contact"])
            if not _opted_in(contact):
                errors[f"{where}.data.contact"] = [str(NO_OPTED_IN_PERSON)]
            elif person is not None and contact.pk == person.pk:
                errors[f"{where}.data.contact"] = [str(_("A person cannot be their own contact."))]
            else:
                data = {**data, "contact": contact}
        if (
            _opted_in(person)  # no "{where}.person" error: the same check as above
            and f"{where}.id" not in errors
            and f"{where}.data.contact" not in errors
        ):
            valid.append(
                ValidEvent(
                    external_id=env["id"],
                    kind=env["type"],
                    person=person,
                    data=data,
                    raw=raw,
                )
            )
    if errors:
        # Django's ValidationError, as services raise: the API and import_events both report it.
        raise ValidationError(errors)
    return valid
