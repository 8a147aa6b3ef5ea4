"""Reads that span the apps: everything the portal holds about a person, for their export, and
what needs platform staff's attention, for the admin's landing page."""

import dataclasses
import datetime

from django.db.models import Count, Q
from django.utils import timezone

from accounts.models import ConsumerProfile, Merchant, RealNameIdentity, User
from core.models import AuditEntry, Notification, NotificationSettings
from perks import webhooks
from perks.models import Claim, CounterCheck, Goal, Share
from scoring import services as scoring_services
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
    RecomputeRun,
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
        "notifications": rows(
            Notification.objects.filter(person_id=person.pk).order_by("created_at", "pk"),
            "kind",
            "params",
            "created_at",
            "read_at",
            "emailed_at",
        ),
        "notification_settings": rows(
            NotificationSettings.objects.filter(person_id=person.pk), "muted_kinds", "delivery", "language"
        ),
        "goal": rows(
            Goal.objects.filter(person_id=person.pk), "promotion__title", "reached_at", "created_at"
        ),
    }


# What needs attention: the admin's landing page ------------------------------------------------

# Nightly runs older than this are history, not something to act on.
ATTENTION_WINDOW_DAYS = 7


@dataclasses.dataclass(frozen=True)
class Attention:
    """Counts of what platform staff should act on, for the admin's landing page. Zero: nothing to do."""

    disputes_overdue: int
    disputes_due_soon: int
    merchants_pending: int
    runs_failed: int
    runs_late: int
    webhook_endpoints_failing: int
    last_run: RecomputeRun | None

    @property
    def total(self) -> int:
        return (
            self.disputes_overdue
            + self.disputes_due_soon
            + self.merchants_pending
            + self.runs_failed
            + self.runs_late
            + self.webhook_endpoints_failing
        )


def attention_counts(*, today: datetime.date | None = None) -> Attention:
    """What needs doing across the apps (disputes, applications, nightly runs, webhooks). Five queries.

    Scoring models have no approval step (a version is active or not), so none is counted.
    """
    today = today or timezone.localdate()
    window_start = today - datetime.timedelta(days=ATTENTION_WINDOW_DAYS)
    disputes = Dispute.objects.filter(status=Dispute.Status.OPEN).aggregate(
        overdue=Count("pk", filter=Q(due_by__lt=today)),
        due_soon=Count(
            "pk",
            filter=Q(
                due_by__gte=today,
                due_by__lte=today + datetime.timedelta(days=scoring_services.DISPUTE_DUE_SOON_DAYS),
            ),
        ),
    )
    runs = RecomputeRun.objects.filter(as_of__gte=window_start).aggregate(
        failed=Count("pk", filter=Q(status=RecomputeRun.Status.FAILED)),
        late=Count("pk", filter=Q(is_late=True, status=RecomputeRun.Status.RUNNING)),
    )
    return Attention(
        disputes_overdue=disputes["overdue"],
        disputes_due_soon=disputes["due_soon"],
        merchants_pending=Merchant.objects.filter(status=Merchant.Status.PENDING).count(),
        runs_failed=runs["failed"],
        runs_late=runs["late"],
        webhook_endpoints_failing=webhooks.webhook_endpoints_failing(
            since=today - datetime.timedelta(days=webhooks.FAILING_WINDOW_DAYS)
        ).count(),
        last_run=RecomputeRun.objects.order_by("-as_of").first(),
    )
