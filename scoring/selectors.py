"""Reads for scoring: a person's features, current score, history and signals."""

import dataclasses
import datetime
import functools
import json
from collections.abc import Iterable
from decimal import Decimal

from django.db.models import Avg, Count, F, Min, Q, Sum
from django.utils import timezone

from accounts.models import ConsumerProfile, User

from .engine import BlacklistStatus, Features, Scorecard, ScoreResult, simulate, validate_parameters
from .models import (
    Balance,
    Bill,
    BillKind,
    BlacklistEntry,
    Contact,
    CreditLine,
    DataSource,
    Declaration,
    Dispute,
    Identity,
    Purchase,
    ScoreSnapshot,
    ScoringModel,
    SourceConsent,
)

# Negative records older than this stop counting (China's credit-reporting regulation).
NEGATIVE_RECORD_MONTHS = 60
# The kinds a late bill is named by in its reason ("2 late: utility, credit card"); rent has its own.
LATE_BILL_KINDS = tuple(kind for kind in BillKind.values if kind != BillKind.RENT)


def months_between(earlier: datetime.date, later: datetime.date) -> int:
    """Whole calendar months from one date to a later one (0 when later is earlier)."""
    months = (later.year - earlier.year) * 12 + later.month - earlier.month - (later.day < earlier.day)
    return max(months, 0)


def months_before(day: datetime.date, months: int) -> datetime.date:
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    month += 1
    # Clamp the day: 31 March minus one month is the last day of February.
    for candidate_day in (day.day, 30, 29, 28):
        try:
            return datetime.date(year, month, candidate_day)
        except ValueError:
            continue
    raise AssertionError("unreachable")


# What each switched-off source takes out of a person's features: its data reads as "no data",
# neither adding nor taking points. Missed payments (late or unpaid bills, late rent) and court
# listings are behind no switch: lenders report them without the person's consent under the
# credit-reporting rules, and a switch must not hide a debt.
SOURCE_FEATURES: dict[str, dict[str, object]] = {
    DataSource.BILLS: {"on_time_bills_24m": 0, "history_months": 0},
    DataSource.RENT: {"rent_on_time_12m": 0},
    DataSource.BALANCES: {"avg_balance_3m": None},
    DataSource.CREDIT_LINE: {"credit_utilisation_pct": None, "credit_limit": None},
    DataSource.PURCHASES: {"purchases_12m": 0, "active_days_90d": 0},
    DataSource.IDENTITY_FACTS: {
        "education": "",
        "address_years": None,
        "phone_verified": False,
        "email_verified": False,
    },
    DataSource.CONTACTS: {"confirmed_contacts": 0, "interactions_90d": 0},
}


def scoring_model_active() -> ScoringModel:
    """The model that makes today's scores."""
    return ScoringModel.objects.get(is_active=True)


def features_for_people(
    *, person_ids: Iterable[int] | None = None, id_range: tuple[int, int] | None = None, as_of: datetime.date
) -> dict[int, Features]:
    """Every given person's engine features on a date, in a fixed number of set-based queries.

    Pass either explicit ids or an inclusive id range; both the nightly chunks and the
    single-person recompute come through here, so they cannot disagree.
    """
    if id_range is not None:
        person_filter = Q(person_id__gte=id_range[0], person_id__lte=id_range[1])
        # Nobody is scored for a day before the one they opted in on.
        opted_in_by = timezone.make_aware(
            datetime.datetime.combine(as_of + datetime.timedelta(days=1), datetime.time())
        )
        ids_query = ConsumerProfile.objects.filter(
            user_id__gte=id_range[0], user_id__lte=id_range[1], is_opted_in=True, opted_in_at__lt=opted_in_by
        ).values_list("user_id", flat=True)
        ids = list(ids_query)
    else:
        ids = list(person_ids or [])
        person_filter = Q(person_id__in=ids)
    if not ids:
        return {}

    year_ago = months_before(as_of, 12)
    two_years_ago = months_before(as_of, 24)
    oldest_counted = months_before(as_of, NEGATIVE_RECORD_MONTHS)
    quarter_ago = as_of - datetime.timedelta(days=90)
    late = Q(paid_on__gt=F("due_on")) | Q(paid_on__isnull=True, due_on__lt=as_of)
    not_rent = ~Q(kind=BillKind.RENT)
    rent = Q(kind=BillKind.RENT)
    known = Q(due_on__lte=as_of)

    counted = Q(due_on__gt=oldest_counted)
    late_in_year = not_rent & late & Q(due_on__gt=year_ago)
    # One pass over the bills: reading a chunk's bills costs more than all the counts they
    # feed, so every count is a filter of one aggregate (the year's late bills one column a kind).
    bills = (
        Bill.objects.filter(person_filter, known)
        .values("person_id")
        .order_by()
        .annotate(
            first=Min("due_on"),
            on_time_24m=Count("id", filter=not_rent & Q(due_on__gt=two_years_ago, paid_on__lte=F("due_on"))),
            late_12m=Count("id", filter=late_in_year),
            late_older=Count("id", filter=not_rent & late & counted & Q(due_on__lte=year_ago)),
            overdue_unpaid=Count("id", filter=counted & Q(paid_on__isnull=True, due_on__lt=as_of)),
            rent_on_time=Count("id", filter=rent & Q(due_on__gt=year_ago, paid_on__lte=F("due_on"))),
            rent_late=Count("id", filter=rent & late & Q(due_on__gt=year_ago)),
            **{
                _late_kind_count(kind): Count("id", filter=late_in_year & Q(kind=kind))
                for kind in LATE_BILL_KINDS
            },
        )
    )
    balances = dict(
        Balance.objects.filter(person_filter, as_of__gt=quarter_ago, as_of__lte=as_of)
        .values("person_id")
        .order_by()
        .annotate(avg=Avg("amount"))
        .values_list("person_id", "avg")
    )
    credit_lines: dict[int, tuple[Decimal, Decimal]] = {}
    for person_id, limit, used in (
        CreditLine.objects.filter(person_filter, as_of__lte=as_of)
        .order_by("person_id", "-as_of", "-id")
        .values_list("person_id", "limit", "used")
    ):
        credit_lines.setdefault(person_id, (limit, used))
    purchases = {
        row["person_id"]: row
        for row in Purchase.objects.filter(person_filter, occurred_on__gt=year_ago, occurred_on__lte=as_of)
        .values("person_id")
        .order_by()
        .annotate(
            n=Count("id"),
            days=Count("occurred_on", distinct=True, filter=Q(occurred_on__gt=quarter_ago)),
        )
    }
    identities = {
        row["person_id"]: row
        for row in Identity.objects.filter(person_filter)
        .order_by()
        .values(
            "person_id",
            "real_name_verified",
            "education",
            "address_since",
            "phone_verified",
            "email_verified",
        )
    }
    # Only the contacts the person confirmed: a partner's report alone counts for nothing.
    confirmed = Q(confirmed_on__lte=as_of, status=Contact.Status.CONFIRMED)
    contacts = {
        row["person_id"]: row
        for row in Contact.objects.filter(person_filter, confirmed)
        .values("person_id")
        .order_by()
        .annotate(n=Count("id"), interactions=Sum("interactions_90d"))
    }
    blacklist = _blacklist_statuses(person_filter=person_filter, as_of=as_of)
    switched_off: dict[int, list[str]] = {}
    for person_id, source in SourceConsent.objects.filter(person_filter, is_enabled=False).values_list(
        "person_id", "source"
    ):
        switched_off.setdefault(person_id, []).append(source)

    bill_rows = {row["person_id"]: row for row in bills}
    features: dict[int, Features] = {}
    for person_id in ids:
        bill = bill_rows.get(person_id, {})
        credit_line = credit_lines.get(person_id)
        purchase = purchases.get(person_id, {})
        identity = identities.get(person_id, {})
        contact = contacts.get(person_id, {})
        address_since = identity.get("address_since")
        first = bill.get("first")
        features[person_id] = Features(
            on_time_bills_24m=bill.get("on_time_24m", 0),
            late_bills_12m=bill.get("late_12m", 0),
            late_bills_12m_by_kind=_late_kinds(bill),
            late_bills_older=bill.get("late_older", 0),
            overdue_unpaid=bill.get("overdue_unpaid", 0),
            history_months=months_between(first, as_of) if first else 0,
            credit_utilisation_pct=_utilisation_pct(credit_line),
            avg_balance_3m=_money(balances.get(person_id)),
            rent_on_time_12m=bill.get("rent_on_time", 0),
            rent_late_12m=bill.get("rent_late", 0),
            credit_limit=credit_line[0] if credit_line else None,
            purchases_12m=purchase.get("n", 0),
            active_days_90d=purchase.get("days", 0),
            real_name_verified=identity.get("real_name_verified", False),
            education=identity.get("education", ""),
            address_years=months_between(address_since, as_of) // 12 if address_since else None,
            phone_verified=identity.get("phone_verified", False),
            email_verified=identity.get("email_verified", False),
            confirmed_contacts=contact.get("n", 0),
            interactions_90d=contact.get("interactions") or 0,
            blacklist=blacklist.get(person_id),
        )
        for source in switched_off.get(person_id, ()):
            features[person_id] = dataclasses.replace(features[person_id], **SOURCE_FEATURES[source])
    return features


def _late_kind_count(kind: str) -> str:
    return f"late_12m_{kind}"


def _late_kinds(bill: dict) -> tuple[tuple[str, int], ...]:
    """The kinds of the year's late bills, most frequent first."""
    counts = ((kind, bill.get(_late_kind_count(kind), 0)) for kind in LATE_BILL_KINDS)
    return tuple(sorted(((kind, n) for kind, n in counts if n), key=lambda pair: (-pair[1], pair[0])))


def features_for_person(*, person: User, as_of: datetime.date) -> Features:
    return features_for_people(person_ids=[person.pk], as_of=as_of)[person.pk]


def _money(value: Decimal | float | None) -> Decimal | None:
    # SQLite averages come back as floats; quantise so both databases give the same features.
    return None if value is None else Decimal(str(value)).quantize(Decimal("0.01"))


def _utilisation_pct(credit_line: tuple[Decimal, Decimal] | None) -> int | None:
    if credit_line is None or credit_line[0] <= 0:
        return None
    limit, used = credit_line
    return min(int(used * 100 / limit), 100)


def _blacklist_statuses(*, person_filter: Q, as_of: datetime.date) -> dict[int, BlacklistStatus]:
    """The entry that weighs most per person: an active one, else the most recently lifted."""
    statuses: dict[int, BlacklistStatus] = {}
    entries = (
        BlacklistEntry.objects.filter(person_filter, listed_on__lte=as_of)
        .exclude(lift_reason=BlacklistEntry.LiftReason.OVERTURNED)
        .values_list("person_id", "court", "case_number", "listed_on", "lifted_on", "ban_until")
        .order_by("person_id", "-listed_on", "-id")
    )
    for person_id, court, case_number, listed_on, lifted_on, ban_until in entries:
        ended_on = (
            min(day for day in (lifted_on, ban_until) if day is not None) if lifted_on or ban_until else None
        )
        months_since = None if ended_on is None or ended_on > as_of else months_between(ended_on, as_of)
        status = BlacklistStatus(
            court=court, case_number=case_number, listed_on=listed_on, months_since_lifted=months_since
        )
        current = statuses.get(person_id)
        if current is None or _weighs_more(status, current):
            statuses[person_id] = status
    return statuses


def _weighs_more(candidate: BlacklistStatus, current: BlacklistStatus) -> bool:
    if current.months_since_lifted is None:
        return False
    if candidate.months_since_lifted is None:
        return True
    return candidate.months_since_lifted < current.months_since_lifted


def score_current(*, person: User) -> ScoreSnapshot | None:
    """The person's latest snapshot, with the model that made it."""
    return ScoreSnapshot.objects.filter(person=person).select_related("model").order_by("-as_of").first()


def score_history(*, person: User, since: datetime.date | None = None) -> list[ScoreSnapshot]:
    snapshots = ScoreSnapshot.objects.filter(person=person).order_by("as_of")
    if since is not None:
        snapshots = snapshots.filter(as_of__gte=since)
    return list(snapshots.only("as_of", "score", "band"))


@functools.lru_cache(maxsize=16)
def _scorecard_cached(model_id: int, version: str, parameters_json: str) -> Scorecard:
    return validate_parameters(json.loads(parameters_json))


def scorecard_of(*, model: ScoringModel) -> Scorecard:
    """The parsed point tables of a model; versions are immutable, so parsing once is enough."""
    return _scorecard_cached(model.pk, model.version, json.dumps(model.parameters, sort_keys=True))


# --- Reads for the consumer's dashboard ---------------------------------------------------
# Each is one query with a fixed slice, so the dashboard's cost does not grow with the data.


DASHBOARD_BILLS = 12
DASHBOARD_RENT_PAYMENTS = 6


def bills_recent(*, person: User, limit: int = DASHBOARD_BILLS) -> list[Bill]:
    """The person's latest credit bills (not rent), newest due date first."""
    return list(
        Bill.objects.filter(person=person).exclude(kind=BillKind.RENT).order_by("-due_on", "-id")[:limit]
    )


def rent_payments_recent(*, person: User, limit: int = DASHBOARD_RENT_PAYMENTS) -> list[Bill]:
    """The person's latest rent payments, newest due date first."""
    return list(Bill.objects.filter(person=person, kind=BillKind.RENT).order_by("-due_on", "-id")[:limit])


def credit_line_latest(*, person: User) -> CreditLine | None:
    """The latest known state of the person's credit line."""
    return CreditLine.objects.filter(person=person).order_by("-as_of", "-id").first()


def blacklist_entries_active(*, person: User, on: datetime.date | None = None) -> list[BlacklistEntry]:
    """The person's listings in force today (or on a date), newest first."""
    return list(
        BlacklistEntry.objects.in_force(at=on or timezone.localdate())
        .filter(person=person)
        .order_by("-listed_on", "-id")
    )


def score_simulate(
    *,
    person: User,
    changes: dict[str, object],
    features: Features | None = None,
    as_of: datetime.date | None = None,
) -> ScoreResult:
    """The score the active model would give the person with some features changed; nothing is stored.

    Pass the features already read for the page to save their queries; an empty `changes`
    gives today's score by the same path, the fair baseline for a difference.
    """
    if features is None:
        features = features_for_person(person=person, as_of=as_of or timezone.localdate())
    scorecard = scorecard_of(model=scoring_model_active())
    return simulate(features, scorecard, **changes)


DASHBOARD_DISPUTES = 10


def disputes_of(*, person: User, limit: int = DASHBOARD_DISPUTES) -> list[Dispute]:
    """The person's latest disputes with the listing each is about, newest first."""
    disputes = Dispute.objects.filter(person=person).select_related("blacklist_entry")
    return list(disputes.order_by("-created_at", "-id")[:limit])


# --- Reads for the consumer's profile -----------------------------------------------------


def contacts_of(*, person: User) -> list[Contact]:
    """The contacts partners reported for the person, waiting ones first, with the other login."""
    contacts = Contact.objects.filter(person=person).select_related("contact")
    return sorted(contacts, key=lambda item: (item.status != Contact.Status.REPORTED, item.contact.username))


def source_switches(*, person: User) -> dict[str, SourceConsent]:
    """The person's switches by source; a source without one counts."""
    return {switch.source: switch for switch in SourceConsent.objects.filter(person=person)}


def declaration_of(*, person: User) -> Declaration | None:
    return Declaration.objects.filter(person=person).first()


def identity_facts_of(*, person: User) -> Identity | None:
    """The identity facts partners (and real-name verification) reported for the person."""
    return Identity.objects.filter(person=person).first()
