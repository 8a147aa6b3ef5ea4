"""Reads for perks: the perks a person sees, audiences and claims for merchants, shares.

Nothing here returns a person's score to a merchant: audiences are withheld below
``AUDIENCE_MIN_COUNT`` people and claim lists carry no scores.
"""

import dataclasses
import datetime
import functools
import hashlib
from typing import TypedDict

from django.db import connection
from django.db.models import Count, Exists, Min, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone

from accounts.models import ConsumerProfile, Merchant, RealNameIdentity, User
from core.bands import SCORE_MAX, SCORE_MIN, Band
from core.cache import derived_get_or_compute
from core.keys import key_hash
from scoring.models import BlacklistEntry, ScoreSnapshot
from scoring.selectors import ScorePath, person_data_version, score_current_version, score_path_to

from . import conditions, eligibility
from .models import Claim, CounterCheck, Goal, Promotion, Share

# Below this many people, an audience count could single someone out: it is withheld.
AUDIENCE_MIN_COUNT = 10
AUDIENCE_BUCKET = 10
AUDIENCE_SPAN = 100
FORECAST_HORIZON = datetime.timedelta(days=5 * 365)

# Claims in these states hold a unit of stock (and count towards the per-person limit);
# cancelled and expired ones gave their unit back.
UNIT_HOLDING_STATUSES = (
    Claim.Status.ACTIVE,
    Claim.Status.IN_USE,
    Claim.Status.USED,
    Claim.Status.RETURNED,
    Claim.Status.CONVERTED,
    Claim.Status.OVERDUE,
)


def blacklisted(*, on: datetime.date, person_ref: str = "user_id") -> Exists:
    """Whether the outer row's person (``person_ref``) has a court listing in force on a date.

    In force as ``BlacklistEntry.objects.in_force`` defines it.
    """
    return Exists(BlacklistEntry.objects.in_force(at=on).filter(person_id=OuterRef(person_ref)))


def same_person(*, person_id: int) -> Q:
    """Claims (or rows with a ``person``) of the real person behind a login: by every login that gave
    the same resident ID number, so per-person limits count the person, not the login."""
    own_hash = RealNameIdentity.objects.filter(user_id=person_id).values("id_hash")[:1]
    same_number = RealNameIdentity.objects.filter(id_hash=Subquery(own_hash)).values("user_id")
    return Q(person_id=person_id) | Q(person_id__in=same_number)


def person_facts(
    *,
    person: User,
    profile: ConsumerProfile | None = None,
    need_dimensions: bool = True,
    need_reasons: bool = False,
) -> eligibility.PersonFacts:
    """What eligibility needs to know about a person, in one or two queries.

    ``profile`` may be passed when the caller already holds it (say, locked for update);
    without ``need_dimensions`` the sub-scores are not read, without ``need_reasons`` the reasons
    (the same query reads both).
    """
    today = timezone.localdate()
    row = (
        ConsumerProfile.objects.filter(user_id=person.pk)
        .annotate(
            blacklisted=blacklisted(on=today),
            # The real-name identity, the one meaning of "verified" (accounts.RealNameIdentity).
            identity_verified=Exists(
                RealNameIdentity.objects.filter(
                    user_id=OuterRef("user_id"), status=RealNameIdentity.Status.VERIFIED
                )
            ),
        )
        .values("is_opted_in", "score", "region", "membership_tier", "blacklisted", "identity_verified")
        .first()
    )
    # Whole days since the account was made (a claim by a day-old account needs 1).
    account_age_days = (timezone.now() - person.date_joined).days
    if row is None:
        return eligibility.PersonFacts(
            opted_in=False,
            score=None,
            blacklisted=False,
            facts=conditions.Facts(),
            account_age_days=account_age_days,
            identity_verified=False,
        )
    if profile is not None:
        row["is_opted_in"], row["score"] = profile.is_opted_in, profile.score
    dimensions: dict[str, int] = {}
    reasons: tuple[dict, ...] = ()
    if (need_dimensions or need_reasons) and row["is_opted_in"]:
        latest = (
            ScoreSnapshot.objects.filter(person_id=person.pk)
            .order_by("-as_of")
            .values(*conditions.DIMENSIONS, "reasons")
            .first()
        )
        if latest:
            reasons = tuple(latest.pop("reasons") or ())
            dimensions = dict(latest)
    return eligibility.PersonFacts(
        opted_in=row["is_opted_in"],
        score=row["score"] if row["is_opted_in"] else None,
        blacklisted=row["blacklisted"],
        facts=conditions.Facts(
            membership_tier=row["membership_tier"],
            region=row["region"],
            identity_verified=bool(row["identity_verified"]),
            dimensions=dimensions,
        ),
        account_age_days=account_age_days,
        identity_verified=bool(row["identity_verified"]),
        reasons=reasons,
    )


def score_reasons_latest(*, person: User) -> tuple[dict, ...]:
    """The reasons stored with the person's latest score, strongest lowering ones first."""
    latest = ScoreSnapshot.objects.filter(person_id=person.pk).order_by("-as_of").values("reasons").first()
    return tuple(latest["reasons"] or ()) if latest else ()


@dataclasses.dataclass(frozen=True)
class Perk:
    """A live promotion as one person sees it.

    ``eligible`` may be True with ``at_counter`` non-empty: eligible subject to what the
    merchant checks at the counter. ``claims_left`` is how many more times the person may
    claim it (0 when the per-person limit is reached).
    """

    promotion: Promotion
    eligible: bool
    points_away: int | None
    unmet: list[str]
    at_counter: list[str]
    remaining: int | None
    benefit: str
    claims_left: int
    # What claiming tells the merchant ("Ford will learn that your score is 750 or more ...").
    disclosure: str = ""
    # Below the threshold: the reasons that matter for it (eligibility.score_reasons).
    score_reasons: list[dict] = dataclasses.field(default_factory=list)


# --- The live promotions, cached until the promotions, the merchants or the hour change ------
# Every person's perks list starts from the same live promotions; they change when a promotion or
# merchant is written (updated_at moves, the counts change; a claim moves ``remaining`` and its
# updated_at) or when one starts or ends. They are cached under the version of both tables and
# recomputed once the next start or end has passed.


@dataclasses.dataclass(frozen=True)
class LivePromotions:
    version: str
    promotions: list[Promotion]
    # The next moment a promotion starts or ends: the list holds until then.
    valid_until: datetime.datetime | None

    def holds_at(self, moment: datetime.datetime) -> bool:
        return self.valid_until is None or moment < self.valid_until


@functools.cache
def _promotions_version_statement(vendor: str) -> str:
    quote = connection.ops.quote_name
    promotion, merchant = quote(Promotion._meta.db_table), quote(Merchant._meta.db_table)
    updated, remaining = quote("updated_at"), quote(Promotion._meta.get_field("remaining").column)
    # The names are the models' own; no parameters.
    return (
        f"SELECT (SELECT COUNT(*) FROM {promotion}), (SELECT MAX({updated}) FROM {promotion}), "  # noqa: S608
        f"(SELECT SUM({remaining}) FROM {promotion}), "
        f"(SELECT COUNT(*) FROM {merchant}), (SELECT MAX({updated}) FROM {merchant})"
    )


def promotions_version() -> str:
    """The promotions' and merchants' row counts, latest writes and the stock left, as a digest:
    any promotion or merchant written, added or removed, and any unit claimed or given back,
    changes it. One statement."""
    with connection.cursor() as cursor:
        cursor.execute(_promotions_version_statement(connection.vendor))
        row = cursor.fetchone()
    parts = "|".join("" if value is None else str(value) for value in row)
    return hashlib.blake2b(parts.encode(), digest_size=12).hexdigest()


def _promotions_live_read(*, version: str) -> LivePromotions:
    now = timezone.now()
    promotions = list(
        Promotion.objects.live(at=now).select_related("merchant").order_by("min_score", "title", "pk")
    )
    # Any later start (of whatever status: a superset, so at worst the list is read again early)
    # and the live ones' ends.
    next_start = Promotion.objects.filter(starts_at__gt=now).aggregate(first=Min("starts_at"))["first"]
    moments = [promotion.ends_at for promotion in promotions if promotion.ends_at is not None]
    if next_start is not None:
        moments.append(next_start)
    return LivePromotions(version=version, promotions=promotions, valid_until=min(moments, default=None))


def promotions_live_cached() -> LivePromotions:
    """The live promotions with their merchants, cheapest threshold first (as people see them)."""
    version = promotions_version()
    return derived_get_or_compute(
        ("promotions-live", version),
        lambda: _promotions_live_read(version=version),
        is_fresh=lambda live: live.holds_at(timezone.now()),
    )


@dataclasses.dataclass(frozen=True)
class PerksInputs:
    """Everything a person's perks list derives from: the live promotions, the person's
    eligibility facts and the units the person holds of each promotion."""

    live: LivePromotions
    facts: eligibility.PersonFacts
    held: dict[int, int]

    @property
    def version(self) -> str:
        """A digest of the inputs: the key a list derived from them is cached under."""
        described = repr((self.live.version, self.live.valid_until, self.facts, sorted(self.held.items())))
        return hashlib.blake2b(described.encode(), digest_size=16).hexdigest()


def perks_inputs(*, person: User) -> PerksInputs:
    """What the person's perks derive from, in a fixed number of queries."""
    live = promotions_live_cached()
    promotions = live.promotions
    held = dict(
        Claim.objects.filter(
            same_person(person_id=person.pk),
            promotion_id__in=[promotion.pk for promotion in promotions],
            status__in=UNIT_HOLDING_STATUSES,
        )
        .order_by()
        .values("promotion_id")
        .annotate(n=Count("pk"))
        .values_list("promotion_id", "n")
    )
    need_dimensions = any(conditions.uses_dimensions(promotion.conditions) for promotion in promotions)
    # The reasons ride on the sub-scores' query; without it they are read only when a perk is out of
    # reach, the one case that names them.
    facts = person_facts(person=person, need_dimensions=need_dimensions, need_reasons=need_dimensions)
    if not need_dimensions and facts.score is not None and any(p.min_score > facts.score for p in promotions):
        facts = dataclasses.replace(facts, reasons=score_reasons_latest(person=person))
    return PerksInputs(live=live, facts=facts, held=held)


def perks_assess(inputs: PerksInputs) -> list[Perk]:
    """Every live promotion with the person's eligibility."""
    perks = []
    for promotion in inputs.live.promotions:
        assessment = eligibility.assess(promotion=promotion, person=inputs.facts)
        perks.append(
            Perk(
                promotion=promotion,
                eligible=assessment.eligible,
                points_away=assessment.points_away,
                unmet=assessment.unmet,
                at_counter=assessment.at_counter,
                remaining=promotion.remaining,
                benefit=assessment.benefit,
                claims_left=max(promotion.per_user_limit - inputs.held.get(promotion.pk, 0), 0),
                disclosure=assessment.disclosure,
                score_reasons=assessment.score_reasons,
            )
        )
    return perks


def promotions_unlocked_between(*, low: int, high: int) -> list[Promotion]:
    """Live perks whose score threshold lies above ``low`` and at most ``high``, lowest first:
    what a score rising from one to the other would open (other conditions still apply)."""
    if high <= low:
        return []
    return list(
        Promotion.objects.live()
        .filter(min_score__gt=low, min_score__lte=high)
        .select_related("merchant")
        .order_by("min_score", "id")
    )


def perks_for_person(*, person: User) -> list[Perk]:
    """Every live promotion with this person's eligibility, in a fixed number of queries."""
    return perks_assess(perks_inputs(person=person))


def promotion_live(*, pk: int) -> Promotion | None:
    """A live promotion by id, or None."""
    return Promotion.objects.live().select_related("merchant").filter(pk=pk).first()


def promotion_claimable(*, pk: int) -> Promotion | None:
    """A promotion people may know about (anything but a draft), or None: drafts stay private."""
    return (
        Promotion.objects.exclude(status=Promotion.Status.DRAFT)
        .select_related("merchant")
        .filter(pk=pk)
        .first()
    )


def promotions_for_merchant(*, merchant_id: int) -> QuerySet[Promotion]:
    """A merchant's promotions, newest first, with how many claims hold a unit."""
    return (
        Promotion.objects.filter(merchant_id=merchant_id)
        .select_related("merchant")
        .annotate(claims_count=Count("claims", filter=Q(claims__status__in=UNIT_HOLDING_STATUSES)))
        .order_by("-created_at", "-pk")
    )


def promotion_for_merchant(*, merchant_id: int, pk: int) -> Promotion | None:
    """One of the merchant's own promotions, or None (another merchant's is None too)."""
    return promotions_for_merchant(merchant_id=merchant_id).filter(pk=pk).first()


@dataclasses.dataclass(frozen=True)
class Bucket:
    low: int
    high: int
    count: int | None


@dataclasses.dataclass(frozen=True)
class Audience:
    """How many people a promotion reaches: None under AUDIENCE_MIN_COUNT, else a multiple of 10.

    Every condition the platform knows online is applied (threshold, blacklist, account age,
    region, membership tier, verified identity, sub-scores); ``unknown_conditions`` names in words the
    conditions only the counter checks, which the count assumes are met.
    """

    qualifying: int | None
    histogram: list[Bucket]
    unknown_conditions: list[str] = dataclasses.field(default_factory=list)


def _withheld(count: int) -> int | None:
    # Under 10: withheld. Otherwise rounded down to a multiple of 10, so that subtracting the
    # counts of two nearby thresholds cannot reveal a bucket that was withheld.
    return count // AUDIENCE_MIN_COUNT * AUDIENCE_MIN_COUNT if count >= AUDIENCE_MIN_COUNT else None


def _dimension_alias(key: str) -> str:
    return f"audience_{key}"


def _audience_q(node: conditions.Tree) -> Q | None:
    """A condition tree as a filter on consumer profiles; None where nothing can be filtered.

    The same three-valued reading as ``conditions.evaluate``: a counter leaf is unknown online,
    and an unknown may still hold, so it filters nobody out (an ``all`` keeps its known
    children; an ``any`` with an unknown child keeps everyone). The count is the most people
    who can qualify, never fewer. Sub-scores are the latest snapshot's (annotated by the caller).
    """
    if not node:
        return None
    if "all" in node or "any" in node:
        kind = "all" if "all" in node else "any"
        parts = [_audience_q(child) for child in node[kind]]
        if kind == "any" and None in parts:
            return None
        known = [part for part in parts if part is not None]
        if not known:
            return None
        combined = known[0]
        for part in known[1:]:
            combined = combined & part if kind == "all" else combined | part
        return combined
    if "counter" in node:
        return None
    attr = node["attr"]
    if attr in ("membership_tier", "region"):
        return Q(**{f"{attr}__in": node["in"]})
    if attr == "identity_verified":
        # The one meaning of "verified", as for eligibility: a verified real-name identity.
        verified = Q(
            Exists(
                RealNameIdentity.objects.filter(
                    user_id=OuterRef("user_id"), status=RealNameIdentity.Status.VERIFIED
                )
            )
        )
        return verified if node["is"] else ~verified
    return Q(**{f"{_dimension_alias(node['key'])}__gte": node["gte"]})


def _dimension_keys(node: conditions.Tree) -> list[str]:
    if not node:
        return []
    if "all" in node or "any" in node:
        keys = [key for child in next(iter(node.values())) for key in _dimension_keys(child)]
        return list(dict.fromkeys(keys))
    return [node["key"]] if node.get("attr") == "dimension" else []


def counter_words(node: conditions.Tree) -> list[str]:
    if not node:
        return []
    if "all" in node or "any" in node:
        return [words for child in next(iter(node.values())) for words in counter_words(child)]
    return [conditions.describe(node)] if "counter" in node else []


def promotion_audience(*, promotion: Promotion) -> Audience:
    """People the promotion reaches today, and 10-point buckets of them around the threshold.

    Opted in, not blacklisted, at or above the threshold, and meeting every condition known
    online (``Audience``). Counts under 10 are withheld (None) and the rest rounded down to a
    multiple of 10, so no answer, nor the difference of two answers, singles out a person.
    One query.
    """
    threshold = promotion.min_score
    lows = list(
        range(
            max(SCORE_MIN, threshold - AUDIENCE_SPAN), min(SCORE_MAX, threshold + AUDIENCE_SPAN - 1) + 1, 10
        )
    )
    buckets = {low: min(low + AUDIENCE_BUCKET - 1, SCORE_MAX) for low in lows}
    now = timezone.now()
    people = ConsumerProfile.objects.filter(is_opted_in=True, score__isnull=False).exclude(
        blacklisted(on=timezone.localdate(now))
    )
    if promotion.min_account_age_days:
        # The claim counts whole days since sign-up (person_facts), so the same cut-off here.
        people = people.filter(
            user__date_joined__lte=now - datetime.timedelta(days=promotion.min_account_age_days)
        )
    tree = eligibility.effective_conditions(promotion)
    people = people.annotate(
        **{
            _dimension_alias(key): Subquery(
                ScoreSnapshot.objects.filter(person_id=OuterRef("user_id")).order_by("-as_of").values(key)[:1]
            )
            for key in _dimension_keys(tree)
        }
    )
    online = _audience_q(tree)
    if online is not None:
        people = people.filter(online)
    aggregates = {
        "qualifying": Count("pk", filter=Q(score__gte=threshold)),
        **{
            f"b{low}": Count("pk", filter=Q(score__gte=low, score__lte=high)) for low, high in buckets.items()
        },
    }
    counts = people.aggregate(**aggregates)
    return Audience(
        qualifying=_withheld(counts["qualifying"]),
        histogram=[
            Bucket(low=low, high=high, count=_withheld(counts[f"b{low}"])) for low, high in buckets.items()
        ],
        unknown_conditions=counter_words(tree),
    )


def claims_for_person(*, person: User) -> QuerySet[Claim]:
    """A person's claims, newest first, with their promotion, merchant and counter checks."""
    return (
        Claim.objects.filter(person=person)
        .select_related("promotion__merchant")
        .prefetch_related(
            Prefetch(
                "counter_checks",
                queryset=CounterCheck.objects.select_related("merchant").order_by("checked_at"),
            )
        )
        .order_by("-claimed_at", "-pk")
    )


def claim_for_person(*, person: User, pk: int) -> Claim | None:
    """One of the person's own claims, or None."""
    return claims_for_person(person=person).filter(pk=pk).first()


def claims_for_promotion(*, promotion: Promotion, status: str | None = None) -> QuerySet[Claim]:
    """A promotion's claims for its merchant, newest first: codes and states, no people, no scores."""
    claims = (
        Claim.objects.filter(promotion=promotion).select_related("promotion").order_by("-claimed_at", "-pk")
    )
    if status:
        claims = claims.filter(status=status)
    return claims.defer("person", "idempotency_key", "request_fingerprint", "counter_conditions")


def claim_for_merchant(*, merchant_id: int, pk: int) -> Claim | None:
    """A claim on one of the merchant's promotions, or None."""
    return Claim.objects.select_related("promotion").filter(pk=pk, promotion__merchant_id=merchant_id).first()


def sellout_forecast(
    *, promotion: Promotion, now: datetime.datetime | None = None
) -> datetime.datetime | None:
    """When the stock will run out at the claim rate so far, or None if it will not (soon).

    None: unlimited, no claims yet, sold out already, not before the promotion ends, or more
    than FORECAST_HORIZON away. The rate is the units taken since the promotion started (or
    since the first claim, if later) over the time elapsed; cancelled and expired claims gave
    their units back.
    """
    now = now or timezone.now()
    if promotion.quantity is None or not promotion.remaining:
        return None
    taken = promotion.quantity - promotion.remaining
    if taken <= 0:
        return None
    first = (
        Claim.objects.filter(promotion=promotion)
        .order_by("claimed_at")
        .values_list("claimed_at", flat=True)
        .first()
    )
    since = max(promotion.starts_at, first) if first else promotion.starts_at
    elapsed = (now - since).total_seconds()
    if elapsed <= 0:
        return None
    seconds_left = promotion.remaining * elapsed / taken
    if seconds_left > FORECAST_HORIZON.total_seconds():
        return None  # too slow to be worth a date (and far dates overflow)
    forecast = now + datetime.timedelta(seconds=seconds_left)
    if promotion.ends_at is not None and forecast > promotion.ends_at:
        return None  # it will not sell out before it ends
    return forecast


@dataclasses.dataclass(frozen=True)
class PublicShare:
    """What a share shows: the band and its date, and the score only if shared as a score."""

    band: str
    as_of: datetime.date | None
    score: int | None
    share_id: int = 0  # for telling its person it was opened; never shown


def share_public(*, token: str) -> PublicShare | None:
    """The view behind a share link, or None if revoked, expired, or the person opted out."""
    if not isinstance(token, str) or not token or len(token) > 64:
        return None
    share = (
        Share.objects.filter(
            token_hash=key_hash(token), revoked_at__isnull=True, expires_at__gt=timezone.now()
        )
        .select_related("person__consumer")
        .first()
    )
    if share is None:
        return None
    profile = getattr(share.person, "consumer", None)
    if profile is None or not profile.is_opted_in or profile.score is None:
        return None
    return PublicShare(
        band=Band.for_score(profile.score).value,
        as_of=profile.score_as_of,
        score=profile.score if share.show == Share.Show.SCORE else None,
        share_id=share.pk,
    )


def shares_for_person(*, person: User) -> QuerySet[Share]:
    """A person's shares, newest first (revoked and expired ones too, for their record)."""
    return Share.objects.filter(person=person).order_by("-created_at", "-pk")


def share_for_person(*, person: User, pk: int) -> Share | None:
    """One of the person's own shares, or None."""
    return shares_for_person(person=person).filter(pk=pk).first()


# --- The consumer's pages: share cards and dashboard notifications ------------------------------


@dataclasses.dataclass(frozen=True)
class ShareCard:
    """What a share link's public page shows: a first name (or login), the band, maybe the score."""

    name: str
    band: str
    as_of: datetime.date | None
    score: int | None
    expires_at: datetime.datetime
    share_id: int = 0  # for telling its person it was opened; never shown


def share_card(*, token: str) -> ShareCard | None:
    """The public page behind a share link, or None when ``share_public`` would show nothing.

    Only the first name (or the login, when no first name is known) is added: never a last name.
    """
    shared = share_public(token=token)
    if shared is None:
        return None
    row = (
        Share.objects.filter(token_hash=key_hash(token))
        .values("person__first_name", "person__username", "expires_at")
        .first()
    )
    if row is None:  # revoked and deleted between the two reads
        return None
    return ShareCard(
        name=row["person__first_name"] or row["person__username"],
        band=shared.band,
        as_of=shared.as_of,
        score=shared.score,
        expires_at=row["expires_at"],
        share_id=shared.share_id,
    )


class ScorePoint(TypedDict):
    """A snapshot perks_reached compares with the current score."""

    as_of: datetime.date
    score: int
    band: str


def perks_reached(*, person: User, now: int, before: ScorePoint) -> list[Promotion]:
    """The live perks the person is eligible for at the score ``now`` and was not at ``before``."""
    # A score only rises into perks: at a lower score the same person is eligible for less.
    promotions = list(
        Promotion.objects.live().select_related("merchant").order_by("min_score", "title", "pk")
    )
    if not promotions:
        return []
    need_dimensions = any(conditions.uses_dimensions(promotion.conditions) for promotion in promotions)
    # The reasons ride on the sub-scores' query; without it they are read only when a perk is out of
    # reach, the one case that names them.
    facts = person_facts(person=person, need_dimensions=need_dimensions, need_reasons=need_dimensions)
    if not need_dimensions and facts.score is not None and any(p.min_score > facts.score for p in promotions):
        facts = dataclasses.replace(facts, reasons=score_reasons_latest(person=person))
    if not facts.opted_in:
        return []
    facts_now = dataclasses.replace(facts, score=now)
    facts_before = dataclasses.replace(facts, score=before["score"])
    return [
        promotion
        for promotion in promotions
        if eligibility.assess(promotion=promotion, person=facts_now).eligible
        and not eligibility.assess(promotion=promotion, person=facts_before).eligible
    ]


# --- The dashboard's goal panel ------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class GoalPanel:
    """A person's goal as the dashboard shows it, or the perks they could pick as one."""

    goal: Goal | None
    perk: Perk | None  # the goal's perk as this person sees it (None: no goal, or no longer live)
    path: ScorePath | None  # the simulator's quickest path to its score (None when met)
    choices: list[Promotion]  # without a goal: live perks above today's score, to pick as one


def goal_panel_for(*, person: User) -> GoalPanel:
    """The goal, the gap and the honest simulator's quickest path to it; or the perks to aim for
    (two queries without a goal)."""
    goal = Goal.objects.filter(person=person).select_related("promotion__merchant").first()
    if goal is None:
        score = ConsumerProfile.objects.filter(user_id=person.pk, is_opted_in=True).values("score")[:1]
        above = (
            Promotion.objects.live()
            .filter(min_score__gt=Subquery(score))
            .select_related("merchant")
            .order_by("min_score", "title", "pk")
        )
        return GoalPanel(goal=None, perk=None, path=None, choices=list(above))
    perk = next((p for p in perks_for_person(person=person) if p.promotion.pk == goal.promotion_id), None)
    path = None
    if perk is not None and perk.points_away:
        target = perk.promotion.min_score
        path = derived_get_or_compute(
            (
                "goal-path",
                person.pk,
                *(score_current_version(person=person) or ()),
                # The path is simulated from today's features: a new event or a switched-off
                # source changes it before tonight's snapshot does.
                person_data_version(person=person),
                target,
                timezone.localdate().isoformat(),  # the months lever counts from today
            ),
            lambda: score_path_to(person=person, target=target),
        )
    return GoalPanel(goal=goal, perk=perk, path=path, choices=[])
