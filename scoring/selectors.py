"""Reads for scoring: a person's features, current score, history and signals."""

import dataclasses
import datetime
import functools
import hashlib
import json
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import Avg, Count, Exists, F, Field, Max, Min, Model, OuterRef, Q, Subquery, Sum
from django.utils import timezone

from accounts.models import ConsumerProfile, User
from core.bands import SCORE_MAX, SCORE_MIN, Band

from .engine import (
    BLACKLIST_ACTIVE,
    BLACKLIST_RECENT,
    DIMENSIONS,
    SCORED_FEATURES,
    AnyScorecard,
    BlacklistStatus,
    Features,
    Later,
    Levers,
    ScoreResult,
    apply_levers,
    compute,
    validate_parameters,
)
from .models import (
    IDENTITY_FACTS,
    OVERDUE_ITEM_REFERENCE_PREFIX,
    Balance,
    Bill,
    BillKind,
    BlacklistEntry,
    Contact,
    ContactRevision,
    CreditLine,
    DataSource,
    Declaration,
    Dispute,
    Identity,
    IdentityRevision,
    ModelMonitoring,
    Partner,
    PartnerNotice,
    Purchase,
    ScoreSnapshot,
    ScoringModel,
    ShadowScore,
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
SOURCE_FEATURES: dict[str, dict[str, Any]] = {
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


def known_by(as_of: datetime.date) -> datetime.datetime:
    """The moment a date ends (Asia/Shanghai): what had reached us before it was known on that date."""
    return timezone.make_aware(datetime.datetime.combine(as_of + datetime.timedelta(days=1), datetime.time()))


def features_for_people(
    *,
    person_ids: Iterable[int] | None = None,
    id_range: tuple[int, int] | None = None,
    as_of: datetime.date,
    switched_off: Mapping[int, list[str]] | None = None,
) -> dict[int, Features]:
    """Every given person's engine features on a date, as known on that date, in a fixed number
    of set-based queries.

    Only what had reached us by the end of ``as_of`` counts (each signal's ``received_at``; a
    payment's or a lifting's own arrival; identity facts and contacts as they stood then, from
    their revisions), so a past date reads the same however much arrives later: a bill overdue
    then stays overdue then even if it was paid since. Pass either explicit ids or an inclusive
    id range; the nightly chunks (today), the single-person recompute and the fit (past dates)
    all come through here, so they cannot disagree. ``switched_off``: the sources each person
    switched off, when the caller has already read them.
    """
    cutoff = known_by(as_of)
    if id_range is not None:
        person_filter = Q(person_id__gte=id_range[0], person_id__lte=id_range[1])
        # Nobody is scored for a day before the one they opted in on.
        ids_query = ConsumerProfile.objects.filter(
            user_id__gte=id_range[0], user_id__lte=id_range[1], is_opted_in=True, opted_in_at__lt=cutoff
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
    arrived = Q(received_at__lt=cutoff)
    # A payment counts from the day it was made, once its report had reached us.
    paid = Q(paid_on__lte=as_of) & (Q(paid_received_at__isnull=True) | Q(paid_received_at__lt=cutoff))
    unpaid = Q(paid_on__isnull=True) | Q(paid_on__gt=as_of) | Q(paid_received_at__gte=cutoff)
    on_time = paid & Q(paid_on__lte=F("due_on"))
    late = (paid & Q(paid_on__gt=F("due_on"))) | (unpaid & Q(due_on__lt=as_of))
    not_rent = ~Q(kind=BillKind.RENT)
    rent = Q(kind=BillKind.RENT)
    known = Q(due_on__lte=as_of) & arrived

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
            on_time_24m=Count("id", filter=not_rent & on_time & Q(due_on__gt=two_years_ago)),
            late_12m=Count("id", filter=late_in_year),
            late_older=Count("id", filter=not_rent & late & counted & Q(due_on__lte=year_ago)),
            overdue_unpaid=Count("id", filter=counted & unpaid & Q(due_on__lt=as_of)),
            rent_on_time=Count("id", filter=rent & on_time & Q(due_on__gt=year_ago)),
            rent_late=Count("id", filter=rent & late & Q(due_on__gt=year_ago)),
            **{
                _late_kind_count(kind): Count("id", filter=late_in_year & Q(kind=kind))
                for kind in LATE_BILL_KINDS
            },
        )
    )
    balances = dict(
        Balance.objects.filter(person_filter, arrived, as_of__gt=quarter_ago, as_of__lte=as_of)
        .values("person_id")
        .order_by()
        .annotate(avg=Avg("amount"))
        .values_list("person_id", "avg")
    )
    credit_lines: dict[int, tuple[Decimal, Decimal]] = {}
    for person_id, limit, used in (
        CreditLine.objects.filter(person_filter, arrived, as_of__lte=as_of)
        .order_by("person_id", "-as_of", "-id")
        .values_list("person_id", "limit", "used")
    ):
        credit_lines.setdefault(person_id, (limit, used))
    purchases = {
        row["person_id"]: row
        for row in Purchase.objects.filter(
            person_filter, arrived, occurred_on__gt=year_ago, occurred_on__lte=as_of
        )
        .values("person_id")
        .order_by()
        .annotate(
            n=Count("id"),
            days=Count("occurred_on", distinct=True, filter=Q(occurred_on__gt=quarter_ago)),
        )
    }
    # The current facts if they had arrived by then, else the revision that stood then.
    superseded_later = Q(superseded_at__gte=cutoff)
    identities: dict[int, Mapping[str, Any]] = {}
    for facts in (
        Identity.objects.filter(person_filter, arrived),
        IdentityRevision.objects.filter(person_filter, arrived, superseded_later),
    ):
        for row in facts.order_by().values("person_id", *IDENTITY_FACTS):
            identities.setdefault(row["person_id"], row)
    # Only the contacts the person had confirmed: a partner's report alone counts for nothing.
    # A pair is in at most one of the two reads (the state that stood then), so they add up.
    confirmed = arrived & Q(confirmed_on__lte=as_of, status=Contact.Status.CONFIRMED)
    contacts: dict[int, dict[str, int]] = {}
    for pairs in (
        Contact.objects.filter(person_filter, confirmed),
        ContactRevision.objects.filter(person_filter, confirmed, superseded_later),
    ):
        for person_id, n, interactions in (
            pairs.values("person_id")
            .order_by()
            .annotate(n=Count("id"), interactions=Sum("interactions_90d"))
            .values_list("person_id", "n", "interactions")
        ):
            total = contacts.setdefault(person_id, {"n": 0, "interactions": 0})
            total["n"] += n
            total["interactions"] += interactions or 0
    blacklist = _blacklist_statuses(person_filter=person_filter, as_of=as_of, cutoff=cutoff)
    # A switched-off source counts for nothing on any date: consent governs every use of the data,
    # a past date's features (the fit's) included.
    if switched_off is None:
        read: dict[int, list[str]] = {}
        for person_id, source in SourceConsent.objects.filter(person_filter, is_enabled=False).values_list(
            "person_id", "source"
        ):
            read.setdefault(person_id, []).append(source)
        switched_off = read

    bill_rows = {row["person_id"]: row for row in bills}
    features: dict[int, Features] = {}
    for person_id in ids:
        bill = bill_rows.get(person_id, {})
        credit_line = credit_lines.get(person_id)
        purchase = purchases.get(person_id, {})
        identity: Mapping[str, Any] = identities.get(person_id, {})
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
            interactions_90d=contact.get("interactions", 0),
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


def features_for_person(
    *, person: User, as_of: datetime.date, switches: Mapping[str, SourceConsent] | None = None
) -> Features:
    """The person's features; pass ``switches`` (source_switches) when already read, to save a query."""
    switched_off = (
        None
        if switches is None
        else {person.pk: [source for source, switch in switches.items() if not switch.is_enabled]}
    )
    return features_for_people(person_ids=[person.pk], as_of=as_of, switched_off=switched_off)[person.pk]


def _money(value: Decimal | float | None) -> Decimal | None:
    # SQLite averages come back as floats; quantise so both databases give the same features.
    return None if value is None else Decimal(str(value)).quantize(Decimal("0.01"))


def _utilisation_pct(credit_line: tuple[Decimal, Decimal] | None) -> int | None:
    if credit_line is None or credit_line[0] <= 0:
        return None
    limit, used = credit_line
    return min(int(used * 100 / limit), 100)


def _blacklist_statuses(
    *, person_filter: Q, as_of: datetime.date, cutoff: datetime.datetime
) -> dict[int, BlacklistStatus]:
    """The entry that weighs most per person: an active one, else the most recently lifted.

    A lifting (an overturn too) counts once its report had reached us by ``cutoff``.
    """
    statuses: dict[int, BlacklistStatus] = {}
    entries = (
        BlacklistEntry.objects.filter(person_filter, listed_on__lte=as_of, received_at__lt=cutoff)
        .values_list(
            "person_id",
            "court",
            "case_number",
            "listed_on",
            "lifted_on",
            "ban_until",
            "lift_reason",
            "lifted_received_at",
        )
        .order_by("person_id", "-listed_on", "-id")
    )
    for (
        person_id,
        court,
        case_number,
        listed_on,
        lifted_on,
        ban_until,
        lift_reason,
        lifted_received_at,
    ) in entries:
        if lifted_on is not None and lifted_received_at is not None and lifted_received_at >= cutoff:
            lifted_on = None
        if lifted_on is not None and lift_reason == BlacklistEntry.LiftReason.OVERTURNED:
            continue
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


def _column(model: type[Model], name: str) -> str:
    """A concrete field's quoted column name."""
    field = model._meta.get_field(name)
    assert isinstance(field, Field)
    return connection.ops.quote_name(field.column)


@functools.cache
def _score_current_version_statement(vendor: str) -> str:
    quote = connection.ops.quote_name
    columns = [_column(ScoreSnapshot, name) for name in ("id", "updated_at", "person", "as_of")]
    table = quote(ScoreSnapshot._meta.db_table)
    # The names are the model's own; the person is a parameter.
    return (
        f"SELECT {columns[0]}, {columns[1]} FROM {table} "  # noqa: S608
        f"WHERE {columns[2]} = %s ORDER BY {columns[3]} DESC LIMIT 1"
    )


def score_current_version(*, person: User) -> tuple[int, str] | None:
    """The latest snapshot's id and write time: what everything derived from it is cached by.

    One row off the unique (person, as_of) index; a rewrite of the same day's snapshot keeps the
    id and moves the time. Every cached score and dashboard asks this first, so the statement is
    written once rather than built by the ORM on every request (that was a sixth of the score
    API's CPU).
    """
    with connection.cursor() as cursor:
        cursor.execute(_score_current_version_statement(connection.vendor), [person.pk])
        row = cursor.fetchone()
    if row is None:
        return None
    snapshot_id, written = row
    # SQLite hands back naive UTC datetimes, which the ORM would make aware; PostgreSQL's are.
    if written.tzinfo is None:
        written = written.replace(tzinfo=datetime.UTC)
    return snapshot_id, written.isoformat()


def score_current_version_and_dispute(*, person: User) -> tuple[tuple[int, str] | None, bool]:
    """score_current_version, and whether the person has a dispute open, in the same one row
    (the score API marks disputed reasons without a query more for everyone else)."""
    disputing = Exists(Dispute.objects.filter(person_id=OuterRef("person_id"), status=Dispute.Status.OPEN))
    latest = ScoreSnapshot.objects.filter(person=person).order_by("-as_of")
    row = latest.values_list("pk", "updated_at").annotate(disputing=disputing).first()
    return (None, False) if row is None else ((row[0], row[1].isoformat()), row[2])


def score_history_version(*, person: User, since: datetime.date) -> tuple[int, str]:
    """How many snapshots the person has since a date and when the latest of them was written:
    any snapshot added, rewritten or removed changes it."""
    row = ScoreSnapshot.objects.filter(person=person, as_of__gte=since).aggregate(
        n=Count("id"), written=Max("updated_at")
    )
    return row["n"], row["written"].isoformat() if row["written"] else ""


def score_snapshot(*, snapshot_id: int) -> ScoreSnapshot:
    """A snapshot with the model that made it."""
    return ScoreSnapshot.objects.select_related("model").get(pk=snapshot_id)


def score_history(*, person: User, since: datetime.date | None = None) -> list[ScoreSnapshot]:
    snapshots = ScoreSnapshot.objects.filter(person=person).order_by("as_of")
    if since is not None:
        snapshots = snapshots.filter(as_of__gte=since)
    return list(snapshots.only("as_of", "score", "band"))


def sub_score_history(*, person: User, since: datetime.date) -> list[tuple[datetime.date, dict[str, int]]]:
    """Each snapshot's date with its five sub-scores and the total (key "score"), oldest first."""
    rows = (
        ScoreSnapshot.objects.filter(person=person, as_of__gte=since)
        .order_by("as_of")
        .values("as_of", "score", *DIMENSIONS)
    )
    return [(row.pop("as_of"), row) for row in rows]


@functools.lru_cache(maxsize=16)
def _scorecard_cached(model_id: int, version: str, parameters_json: str) -> AnyScorecard:
    return validate_parameters(json.loads(parameters_json))


def scorecard_of(*, model: ScoringModel) -> AnyScorecard:
    """The parsed point tables of a model; versions are immutable, so parsing once is enough."""
    return _scorecard_cached(model.pk, model.version, json.dumps(model.parameters, sort_keys=True))


# --- Reads for the consumer's dashboard ---------------------------------------------------
# Each is one query with a fixed slice, so the dashboard's cost does not grow with the data.


DASHBOARD_BILLS = 12
DASHBOARD_RENT_PAYMENTS = 6


def bills_recent(
    *, person: User, limit: int = DASHBOARD_BILLS, as_of: datetime.date | None = None
) -> list[Bill]:
    """The person's latest credit bills (not rent) and every late or unpaid one the score still
    counts, newest due date first, each with ``under_dispute``."""
    return _bills_shown(person=person, rent=False, limit=limit, as_of=as_of or timezone.localdate())


def rent_payments_recent(
    *, person: User, limit: int = DASHBOARD_RENT_PAYMENTS, as_of: datetime.date | None = None
) -> list[Bill]:
    """The person's latest rent payments and every late or unpaid one the score still counts."""
    return _bills_shown(person=person, rent=True, limit=limit, as_of=as_of or timezone.localdate())


def _bills_shown(*, person: User, rent: bool, limit: int, as_of: datetime.date) -> list[Bill]:
    # One query: a person must find every record that costs points (not only the latest few),
    # to dispute the one that is wrong.
    mine = (
        Bill.objects.filter(person=person, kind=BillKind.RENT)
        if rent
        else Bill.objects.filter(person=person).exclude(kind=BillKind.RENT)
    )
    latest = mine.order_by("-due_on", "-id").values("id")[:limit]
    return list(
        mine.filter(Q(id__in=latest) | bills_counting_against(as_of=as_of))
        .annotate(
            under_dispute=Exists(Dispute.objects.filter(bill=OuterRef("pk"), status=Dispute.Status.OPEN))
        )
        .order_by("-due_on", "-id")
    )


def bills_disputable(*, person: User, as_of: datetime.date | None = None) -> list[Bill]:
    """The person's bills that lower their score today: each can be disputed on its own."""
    return list(
        Bill.objects.filter(bills_counting_against(as_of=as_of or timezone.localdate()), person=person)
    )


def bills_counting_against(*, as_of: datetime.date) -> Q:
    """The bills that lower a score on ``as_of``: paid late, or past due and unpaid, within the
    years a negative record counts (features_for_people counts the same)."""
    late = Q(paid_on__gt=F("due_on")) | Q(paid_on__isnull=True, due_on__lt=as_of)
    return late & Q(due_on__lte=as_of, due_on__gt=months_before(as_of, NEGATIVE_RECORD_MONTHS))


def credit_line_latest(*, person: User) -> CreditLine | None:
    """The latest known state of the person's credit line."""
    return CreditLine.objects.filter(person=person).order_by("-as_of", "-id").first()


def blacklist_entries_active(*, person: User, on: datetime.date | None = None) -> list[BlacklistEntry]:
    """The person's listings in force today (or on a date), newest first, each with ``under_dispute``."""
    return list(
        BlacklistEntry.objects.in_force(at=on or timezone.localdate())
        .filter(person=person)
        .annotate(
            under_dispute=Exists(
                Dispute.objects.filter(blacklist_entry=OuterRef("pk"), status=Dispute.Status.OPEN)
            )
        )
        .order_by("-listed_on", "-id")
    )


def score_simulate(
    *,
    person: User,
    levers: Levers,
    features: Features | None = None,
    as_of: datetime.date | None = None,
) -> ScoreResult:
    """The score the active model would give the person after pulling some levers; nothing is stored.

    Pass the features already read for the page to save their queries; no levers gives today's
    score by the same path, the fair baseline for a difference. The months lever reads the
    person's bills as they will count that many months on (engine.levers says what it models).
    """
    as_of = as_of or timezone.localdate()
    if features is None:
        features = features_for_person(person=person, as_of=as_of)
    later = None
    if levers.on_time_months:
        year_ago = months_before(as_of, 12)
        bills_last_year = (
            Bill.objects.filter(person=person, due_on__gt=year_ago, due_on__lte=as_of)
            .exclude(kind=BillKind.RENT)
            .count()
        )
        later = Later(
            features=features_for_person(person=person, as_of=months_before(as_of, -levers.on_time_months)),
            bills_per_month=bills_last_year // 12,
        )
    scorecard = scorecard_of(model=scoring_model_active())
    return compute(apply_levers(features, levers, later), scorecard)


DASHBOARD_DISPUTES = 10


def disputes_of(*, person: User, limit: int = DASHBOARD_DISPUTES) -> list[Dispute]:
    """The person's latest disputes with the listing each is about, newest first."""
    disputes = Dispute.objects.filter(person=person).select_related("blacklist_entry", "bill")
    return list(disputes.order_by("-created_at", "-id")[:limit])


def reason_codes_under_dispute(*, person: User, as_of: datetime.date) -> frozenset[str]:
    """The reasons whose records are under an open dispute: a listing's, or the count a disputed
    bill falls in on ``as_of`` (as features_for_people counts it)."""
    codes: set[str] = set()
    year_ago = months_before(as_of, 12)
    for dispute in Dispute.objects.filter(person=person, status=Dispute.Status.OPEN).select_related("bill"):
        if dispute.blacklist_entry_id is not None:
            codes.update((BLACKLIST_ACTIVE, BLACKLIST_RECENT))
        bill = dispute.bill
        if bill is None:
            continue
        if bill.paid_on is None:
            codes.add("overdue_unpaid")
        if bill.kind == BillKind.RENT:
            codes.add("rent_late_12m")
        elif bill.due_on > year_ago:
            codes.add("late_bills_12m")
        else:
            codes.add("late_bills_older")
    return frozenset(codes)


def partner_notices(*, partner: Partner, after: int = 0, limit: int = 100) -> list[PartnerNotice]:
    """A partner's notices with an id above ``after``, oldest first."""
    return list(PartnerNotice.objects.filter(partner=partner, id__gt=after).order_by("id")[:limit])


# --- Scoring models: the shadow report and the nightly watch ------------------------------------

# Every threshold a promotion can have (domain.md: multiples of 50), so the report covers each
# live promotion's score condition.
SHADOW_THRESHOLDS = tuple(range(SCORE_MIN, SCORE_MAX + 1, 50))


def shadow_report(*, model: ScoringModel, as_of: datetime.date | None = None) -> dict | None:
    """What a challenger in shadow would change on its latest night (or ``as_of``): how many people
    would change band and in which direction, and how many would clear each score threshold.

    Two aggregate queries; scores of individuals never leave the database.
    """
    nights = ShadowScore.objects.filter(model=model)
    if as_of is None:
        as_of = nights.aggregate(latest=Max("as_of"))["latest"]
    if as_of is None:
        return None
    live = ScoreSnapshot.objects.filter(person_id=OuterRef("person_id"), as_of=as_of)
    pairs = (
        nights.filter(as_of=as_of)
        .annotate(live_band=Subquery(live.values("band")[:1]), live_score=Subquery(live.values("score")[:1]))
        .exclude(live_band__isnull=True)
    )
    moves = list(pairs.values("live_band", "band").order_by().annotate(people=Count("id")))
    order = {band: index for index, band in enumerate(Band.values)}
    up = sum(m["people"] for m in moves if order[m["band"]] > order[m["live_band"]])
    down = sum(m["people"] for m in moves if order[m["band"]] < order[m["live_band"]])
    people = sum(m["people"] for m in moves)
    audiences = pairs.aggregate(
        **{f"live_{t}": Count("id", filter=Q(live_score__gte=t)) for t in SHADOW_THRESHOLDS},
        **{f"shadow_{t}": Count("id", filter=Q(score__gte=t)) for t in SHADOW_THRESHOLDS},
    )
    return {
        "as_of": as_of,
        "people": people,
        "unchanged": people - up - down,
        "up": up,
        "down": down,
        "moves": sorted(
            (
                {"from": m["live_band"], "to": m["band"], "people": m["people"]}
                for m in moves
                if m["live_band"] != m["band"]
            ),
            key=lambda m: (order[m["from"]], order[m["to"]]),
        ),
        "thresholds": [
            {
                "min_score": t,
                "live": audiences[f"live_{t}"],
                "shadow": audiences[f"shadow_{t}"],
                "change": audiences[f"shadow_{t}"] - audiences[f"live_{t}"],
            }
            for t in SHADOW_THRESHOLDS
        ],
    }


def model_monitoring_history(*, model: ScoringModel, limit: int = 60) -> list[ModelMonitoring]:
    """The nightly watch's figures for a model, newest night first."""
    return list(
        ModelMonitoring.objects.filter(model=model).select_related("run").order_by("-run__as_of")[:limit]
    )


def score_model_change(*, snapshot: ScoreSnapshot, days: int = 30) -> ScoringModel | None:
    """The model that scored the person before, when the current score is a new model's (within
    ``days`` of their last score by another model): people are told the model changed, not only
    that their score moved."""
    previous = (
        ScoreSnapshot.objects.filter(
            person_id=snapshot.person_id,
            as_of__lt=snapshot.as_of,
            as_of__gte=snapshot.as_of - datetime.timedelta(days=days),
        )
        .exclude(model_id=snapshot.model_id)
        .select_related("model")
        .order_by("-as_of")
        .first()
    )
    return None if previous is None else previous.model


# --- The fit's reads ------------------------------------------------------------------------------

OUTCOME_DAYS_PAST_DUE = 60
OUTCOME_WINDOW_MONTHS = 12


def features_table(*, person_ids: Iterable[int], as_of: datetime.date) -> dict[str, list]:
    """Every given person's features as known on a date, as columns: ``person_id`` and one per
    scored feature (the fit's observation dates read exactly what the nightly run read then)."""
    features = features_for_people(person_ids=person_ids, as_of=as_of)
    table: dict[str, list] = {"person_id": list(features)}
    for name in SCORED_FEATURES:
        table[name] = [getattr(person, name) for person in features.values()]
    return table


def outcomes(
    *, person_ids: Iterable[int], as_of: datetime.date, window_months: int = OUTCOME_WINDOW_MONTHS
) -> dict[int, int]:
    """1 for each person of the cohort who went bad in the performance window after ``as_of``
    (the day after it up to ``window_months`` later, both ends included), else 0; two queries.

    Bad is any of:
    - a non-rent bill reaches 60 days past due in the window: its 60th day past due falls in the
      window and it was not paid by then (paid more than 60 days late, or still unpaid);
    - an overdue trial or waived deposit becomes an unpaid bill: the bill raised for it falls due
      in the window and is not paid by its due date (one returned within the grace is no bill);
    - a court listing starts in the window (one overturned as listed in error never counts).

    The outcome is read from everything known when it is asked: it is the future of ``as_of``.
    """
    ids = list(person_ids)
    end = months_before(as_of, -window_months)
    days_past_due = datetime.timedelta(days=OUTCOME_DAYS_PAST_DUE)
    seriously_late = Q(due_on__gt=as_of - days_past_due, due_on__lte=end - days_past_due) & (
        Q(paid_on__isnull=True) | Q(paid_on__gt=F("due_on") + days_past_due)
    )
    unpaid_item = Q(
        reference__startswith=OVERDUE_ITEM_REFERENCE_PREFIX, due_on__gt=as_of, due_on__lte=end
    ) & (Q(paid_on__isnull=True) | Q(paid_on__gt=F("due_on")))
    bad = set(
        Bill.objects.filter(seriously_late | unpaid_item, person_id__in=ids)
        .exclude(kind=BillKind.RENT)
        .values_list("person_id", flat=True)
        .distinct()
    )
    bad |= set(
        BlacklistEntry.objects.filter(person_id__in=ids, listed_on__gt=as_of, listed_on__lte=end)
        .exclude(lift_reason=BlacklistEntry.LiftReason.OVERTURNED)
        .values_list("person_id", flat=True)
        .distinct()
    )
    return {person_id: int(person_id in bad) for person_id in ids}


# --- Reads for the consumer's profile -----------------------------------------------------


def contacts_of(*, person: User) -> list[Contact]:
    """The contacts partners reported for the person, waiting ones first, with the other login."""
    contacts = Contact.objects.filter(person=person).select_related("contact")
    return sorted(contacts, key=lambda item: (item.status != Contact.Status.REPORTED, item.contact.username))


# --- What a person's own data is at a moment: the key of what a page derives from it ----------
# Every row a person's features, bills, credit line, listings, disputes and data switches are read
# from. Each is written with save() or update_or_create() (updated_at moves) and removed row by row,
# so a table's row count and latest write change with any insert, update or delete of its rows.

PERSON_DATA_MODELS: tuple[type[Model], ...] = (
    Bill,
    Balance,
    CreditLine,
    Purchase,
    Identity,
    Contact,
    BlacklistEntry,
    SourceConsent,
    Dispute,
)


@functools.cache
def _person_data_statement(vendor: str) -> str:
    quote = connection.ops.quote_name
    parts = []
    for model in PERSON_DATA_MODELS:
        table = quote(model._meta.db_table)
        person, updated = _column(model, "person"), _column(model, "updated_at")
        # The names are the models' own; the person is a parameter.
        parts.append(f"(SELECT COUNT(*) FROM {table} WHERE {person} = %(person)s)")  # noqa: S608
        parts.append(f"(SELECT MAX({updated}) FROM {table} WHERE {person} = %(person)s)")  # noqa: S608
    return "SELECT " + ", ".join(parts)


def person_data_version(*, person: User) -> str:
    """How many rows of each of the person's data tables there are and when the latest was written,
    as a short digest (a cache key's part): one statement of index lookups, changed by any new
    event, correction, switch or dispute."""
    with connection.cursor() as cursor:
        cursor.execute(_person_data_statement(connection.vendor), {"person": person.pk})
        row = cursor.fetchone()
    counts_and_times = "|".join("" if value is None else str(value) for value in row)
    return hashlib.blake2b(counts_and_times.encode(), digest_size=12).hexdigest()


def source_switches(*, person: User) -> dict[str, SourceConsent]:
    """The person's switches by source; a source without one counts."""
    return {switch.source: switch for switch in SourceConsent.objects.filter(person=person)}


def declaration_of(*, person: User) -> Declaration | None:
    return Declaration.objects.filter(person=person).first()


def identity_facts_of(*, person: User) -> Identity | None:
    """The identity facts partners (and real-name verification) reported for the person."""
    return Identity.objects.filter(person=person).first()


# --- The quickest honest path to a target score (a goal) ----------------------------------------

# What a person can do today, one lever each, as the simulator models it; then months of bills
# paid on time, the only lever that takes time, tried from the shortest wait up.
PATH_NOW_LEVERS: tuple[tuple[str, Levers], ...] = (
    ("pay_overdue", Levers(pay_overdue=True)),
    ("utilisation_10", Levers(utilisation_pct=10)),
    ("verify_identity", Levers(verify_identity=True)),
    ("confirm_contacts_5", Levers(confirm_contacts=5)),
)
PATH_MONTHS = (1, 2, 3, 6, 9, 12, 18, 24)


@dataclasses.dataclass(frozen=True)
class PathStep:
    lever: str  # a key of PATH_NOW_LEVERS, or "on_time_months"
    score: int  # the simulated score once this step and every step before it are done
    months: int = 0


@dataclasses.dataclass(frozen=True)
class ScorePath:
    """The steps that reach ``target`` soonest by the simulator, and whether they reach it at all."""

    current: int
    target: int
    steps: tuple[PathStep, ...]
    reaches: bool

    @property
    def gap(self) -> int:
        return max(self.target - self.current, 0)

    @property
    def progress(self) -> int:
        """How far along the scale's bottom (350) to the target the score is, in percent."""
        if self.current >= self.target:
            return 100
        return max(0, round(100 * (self.current - SCORE_MIN) / (self.target - SCORE_MIN)))


def score_path_to(*, person: User, target: int, as_of: datetime.date | None = None) -> ScorePath:
    """The quickest path to a target by the honest simulator (engine.levers): the actions a
    person can take today, strongest first, as many as it takes; then the fewest months of
    on-time bills on top of them. Nothing is stored; a simulated score never overstates.
    """
    as_of = as_of or timezone.localdate()
    features = features_for_person(person=person, as_of=as_of)
    current = score_simulate(person=person, levers=Levers(), features=features, as_of=as_of).score
    if current >= target:
        return ScorePath(current=current, target=target, steps=(), reaches=True)
    gains = []
    for key, lever in PATH_NOW_LEVERS:
        score = score_simulate(person=person, levers=lever, features=features, as_of=as_of).score
        if score > current:
            gains.append((score - current, key, lever))
    gains.sort(key=lambda gain: -gain[0])
    steps: list[PathStep] = []
    pulled: dict[str, Any] = {}
    combined = Levers()
    for _gain, key, lever in gains:
        # Each lever sets its own fields only: together they are every action so far.
        pulled.update(
            {
                f.name: getattr(lever, f.name)
                for f in dataclasses.fields(lever)
                if getattr(lever, f.name) != f.default
            }
        )
        combined = Levers(**pulled)
        score = score_simulate(person=person, levers=combined, features=features, as_of=as_of).score
        steps.append(PathStep(lever=key, score=score))
        if score >= target:
            return ScorePath(current=current, target=target, steps=tuple(steps), reaches=True)
    for months in PATH_MONTHS:
        later = dataclasses.replace(combined, on_time_months=months)
        score_later = score_simulate(person=person, levers=later, features=features, as_of=as_of).score
        if score_later >= target:
            steps.append(PathStep(lever="on_time_months", score=score_later, months=months))
            return ScorePath(current=current, target=target, steps=tuple(steps), reaches=True)
    return ScorePath(current=current, target=target, steps=tuple(steps), reaches=False)
