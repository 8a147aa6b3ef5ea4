"""Reads that span the apps: everything the portal holds about a person, for their export."""

from django.utils import timezone

from accounts.models import ConsumerProfile, RealNameIdentity, User
from core.models import AuditEntry
from perks.models import Claim, CounterCheck, Share
from scoring.models import (
    Balance,
    Bill,
    BlacklistEntry,
    Contact,
    CreditLine,
    Declaration,
    Dispute,
    Identity,
    IngestedEvent,
    Purchase,
    ScoreSnapshot,
    SourceConsent,
)

EXPORT_FORMAT = "credit-life-export/1"


def person_data_export(*, person: User) -> dict:
    """Everything the portal holds about a consumer, as JSON-ready data, in a fixed number of queries.

    Only the person's own data: contacts are counted (never who they are), claims name the
    merchant and perk but no other person, shares omit their secret tokens.
    """

    def rows(queryset, *fields: str) -> list[dict]:
        return list(queryset.values(*fields))

    profile = (
        ConsumerProfile.objects.filter(user_id=person.pk)
        .values(
            "is_opted_in",
            "opted_in_at",
            "opted_out_at",
            "consent_version",
            "region",
            "membership_tier",
            "score",
            "score_as_of",
        )
        .first()
    )
    contacts = list(
        Contact.objects.filter(person_id=person.pk).values("confirmed_on", "interactions_90d", "status")
    )
    claims = rows(
        Claim.objects.filter(person_id=person.pk).order_by("claimed_at", "pk"),
        "id",
        "code",
        "status",
        "benefit",
        "promotion__title",
        "promotion__merchant__name",
        "claimed_at",
        "pickup_deadline",
        "verified_at",
        "due_back",
        "closed_at",
    )
    checks_by_claim: dict[int, list[dict]] = {}
    for check in (
        CounterCheck.objects.filter(claim__person_id=person.pk)
        .order_by("checked_at", "pk")
        .values("claim_id", "merchant__name", "checked_at", "outcome")
    ):
        claim_id = check["claim_id"]
        checks_by_claim.setdefault(claim_id, []).append(
            {
                "merchant": check["merchant__name"],
                "checked_at": check["checked_at"],
                "outcome": check["outcome"],
            }
        )
    return {
        "format": EXPORT_FORMAT,
        "exported_at": timezone.now(),
        "account": User.objects.filter(pk=person.pk)
        .values("username", "first_name", "last_name", "email", "date_joined", "last_login")
        .first(),
        "consent": profile,
        # The number itself was never kept: its last four characters and the verdict.
        "real_name": RealNameIdentity.objects.filter(user_id=person.pk)
        .values("legal_name", "id_last4", "status", "submitted_at", "decided_at")
        .first(),
        "source_switches": rows(
            SourceConsent.objects.filter(person_id=person.pk).order_by("source"),
            "source",
            "is_enabled",
            "changed_at",
        ),
        "self_declared": Declaration.objects.filter(person_id=person.pk)
        .values("education", "address", "address_since")
        .first(),
        "score_snapshots": rows(
            ScoreSnapshot.objects.filter(person_id=person.pk).order_by("as_of"),
            "as_of",
            "score",
            "band",
            "model__version",
            "credit_history",
            "fulfilment_capacity",
            "behaviour",
            "identity",
            "connections",
            "reasons",
        ),
        "signals": {
            "bills": rows(
                Bill.objects.filter(person_id=person.pk).order_by("due_on", "pk"),
                "kind",
                "issuer",
                "reference",
                "amount",
                "due_on",
                "paid_on",
            ),
            "balances": rows(
                Balance.objects.filter(person_id=person.pk).order_by("as_of", "pk"), "as_of", "amount"
            ),
            "credit_lines": rows(
                CreditLine.objects.filter(person_id=person.pk).order_by("as_of", "pk"),
                "provider",
                "as_of",
                "limit",
                "used",
            ),
            "purchases": rows(
                Purchase.objects.filter(person_id=person.pk).order_by("occurred_on", "pk"),
                "occurred_on",
                "amount",
                "category",
            ),
            "identity": Identity.objects.filter(person_id=person.pk)
            .values("real_name_verified", "education", "address_since", "phone_verified", "email_verified")
            .first(),
            # Who the contacts are is their data, not yours: how many, and how often you interacted.
            "contacts": {
                "count": len(contacts),
                "interactions_90d": sum(contact["interactions_90d"] for contact in contacts),
                "confirmed_on": sorted(contact["confirmed_on"] for contact in contacts),
                "by_status": {
                    status: sum(1 for contact in contacts if contact["status"] == status)
                    for status in Contact.Status.values
                },
            },
            "events_received": rows(
                IngestedEvent.objects.filter(person_id=person.pk).order_by("received_at", "pk"),
                "partner__name",
                "kind",
                "received_at",
            ),
        },
        "blacklist_entries": rows(
            BlacklistEntry.objects.filter(person_id=person.pk).order_by("listed_on", "pk"),
            "court",
            "case_number",
            "listed_on",
            "ban_until",
            "lifted_on",
            "lift_reason",
            "source",
            "note",
        ),
        "disputes": rows(
            Dispute.objects.filter(person_id=person.pk).order_by("created_at", "pk"),
            "blacklist_entry__case_number",
            "signal",
            "reason",
            "status",
            "response",
            "due_by",
            "resolved_at",
            "created_at",
        ),
        "claims": [{**claim, "counter_checks": checks_by_claim.get(claim["id"], [])} for claim in claims],
        "shares": rows(
            Share.objects.filter(person_id=person.pk).order_by("created_at", "pk"),
            "show",
            "created_at",
            "expires_at",
            "revoked_at",
        ),
        "actions": rows(
            AuditEntry.objects.filter(actor_id=person.pk).order_by("created_at", "pk"), "action", "created_at"
        ),
    }
