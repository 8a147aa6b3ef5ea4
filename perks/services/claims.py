"""Claims: a person takes a unit of a promotion, cancels it, or lets it expire."""

import datetime
import hashlib
import logging
import secrets

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, F, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import ConsumerProfile, User

from .. import conditions, eligibility, selectors, webhooks
from ..exceptions import (
    IdempotencyMismatch,
    IdentityRequired,
    LimitReached,
    NotActive,
    NotEligible,
    SoldOut,
)
from ..models import Claim, Promotion, WebhookEvent

logger = logging.getLogger(__name__)

UNIT_HOLDING = selectors.UNIT_HOLDING_STATUSES

# Claim codes: 10 characters from 31 that cannot be mistaken for each other (no 0/O, 1/I/L),
# about 49 bits from the system's CSPRNG: far beyond guessing at the counter's throttled rate.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 10


# How long an Idempotency-Key replays its claim, counted from when the claim (and key) was stored.
IDEMPOTENCY_KEY_TTL = datetime.timedelta(hours=24)


def claim_fingerprint(*, promotion_id: int, body: bytes | str = b"") -> str:
    """A digest of what a claim request asked for, to tell a replay from a reused key."""
    raw = body.encode() if isinstance(body, str) else body
    return hashlib.sha256(b"claim:%d:" % promotion_id + raw).hexdigest()


def _new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _position in range(CODE_LENGTH))


def _idempotent_replay(*, person: User, promotion: Promotion, key: str, fingerprint: str) -> Claim | None:
    first = (
        Claim.objects.select_related("promotion__merchant").filter(person=person, idempotency_key=key).first()
    )
    if first is None:
        return None
    if first.created_at <= timezone.now() - IDEMPOTENCY_KEY_TTL:
        # Expired: the key no longer replays, and is freed (one claim per person and key) for
        # the request now made with it, which is evaluated afresh. The caller holds the
        # person's lock and rolls this back if that request is refused.
        Claim.objects.filter(pk=first.pk).update(idempotency_key=None)
        return None
    if first.promotion_id != promotion.pk or first.request_fingerprint != fingerprint:
        raise IdempotencyMismatch()
    return first


@transaction.atomic
def claim_create(
    *, promotion: Promotion, person: User, idempotency_key: str | None = None, fingerprint: str = ""
) -> Claim:
    """Claim one unit of a live promotion for an eligible person, safely under concurrency.

    The person's profile row is locked first, so one person's claims run one at a time (the
    per-person limit holds); the unit is taken by a conditional UPDATE, last, so stock never
    goes below zero and the promotion's row is locked only briefly. The same
    ``idempotency_key`` returns the first claim for 24 hours (IDEMPOTENCY_KEY_TTL), then is
    evaluated afresh; the same key with a different request (``fingerprint``) raises
    IdempotencyMismatch. Refusals: NotActive, IdentityRequired, NotEligible(unmet), LimitReached,
    SoldOut.
    """
    key = idempotency_key or None
    fingerprint = fingerprint or claim_fingerprint(promotion_id=promotion.pk)
    if key is not None and len(key) > 100:
        raise ValidationError({"idempotency_key": [_("An idempotency key has at most 100 characters.")]})
    if key is not None and not (key.isascii() and key.isprintable()):
        raise ValidationError(
            {"idempotency_key": [_("An idempotency key is made of visible ASCII characters.")]}
        )
    profile = ConsumerProfile.objects.select_for_update().filter(user=person).first()
    if key is not None:
        replay = _idempotent_replay(person=person, promotion=promotion, key=key, fingerprint=fingerprint)
        if replay is not None:
            return replay
    # With the units the real person already holds (every login that gave the same resident ID),
    # counted under this login's lock: one query, not two. Only one login per number can be
    # verified at a time, and only a verified one can claim, so the lock covers the person.
    holding = (
        Claim.objects.filter(
            selectors.same_person(person_id=person.pk), promotion=OuterRef("pk"), status__in=UNIT_HOLDING
        )
        .order_by()
        .values("promotion")
        .annotate(units=Count("pk"))
        .values("units")
    )
    current = (
        Promotion.objects.live()
        .select_related("merchant")
        .annotate(held=Coalesce(Subquery(holding), 0))
        .filter(pk=promotion.pk)
        .first()
    )
    if current is None:
        raise NotActive()
    facts = selectors.person_facts(
        person=person,
        profile=profile,
        need_dimensions=conditions.uses_dimensions(eligibility.effective_conditions(current)),
    )
    if profile is not None and not facts.identity_verified:
        # A consumer's first requirement (one real person, one profile); other logins are simply
        # not eligible, as before.
        raise IdentityRequired()
    assessment = eligibility.assess(promotion=current, person=facts)
    if not assessment.eligible:
        raise NotEligible(assessment.unmet)
    if current.held >= current.per_user_limit:
        raise LimitReached()
    if current.remaining == 0:
        # Read without a lock: it can be stale only the other way (a unit given back since),
        # and the conditional UPDATE below has the last word on any unit taken.
        raise SoldOut()
    now = timezone.now()
    with translation.override("en"):
        benefit = eligibility.benefit_text(promotion=current, score=facts.score)
    claim = Claim(
        promotion=current,
        person=person,
        status=Claim.Status.ACTIVE,
        benefit=benefit[:200],
        claimed_at=now,
        pickup_deadline=now + datetime.timedelta(days=current.pickup_days),
        idempotency_key=key,
        request_fingerprint=fingerprint,
        counter_conditions=assessment.pending,
    )
    for _attempt in range(5):
        claim.code = _new_code()
        try:
            with transaction.atomic():
                claim.save()
            break
        except IntegrityError:
            # A code collision (vanishingly rare): draw again. Anything else is a real error.
            if not Claim.objects.filter(code=claim.code).exists():
                raise
    else:  # pragma: no cover - five collisions in a row mean the alphabet is broken
        raise RuntimeError("could not draw a unique claim code")
    webhooks.webhook_events_emit(claim=claim, event=WebhookEvent.CLAIM_CREATED)
    if current.quantity is not None:
        # The unit is taken last: every claim on the promotion queues for its row, so the row is
        # locked only from here to the commit. None left: SoldOut rolls the claim above back.
        taken = Promotion.objects.filter(pk=current.pk, remaining__gt=0).update(
            remaining=F("remaining") - 1, updated_at=timezone.now()
        )
        if not taken:
            raise SoldOut()
    logger.info("claim created claim=%s promotion=%s person=%s", claim.pk, current.pk, person.pk)
    return claim


def _return_unit(*, promotion_id: int, units: int = 1) -> None:
    Promotion.objects.filter(pk=promotion_id, remaining__isnull=False).update(
        remaining=F("remaining") + units, updated_at=timezone.now()
    )


@transaction.atomic
def claim_cancel(*, claim: Claim, person: User) -> Claim:
    """Cancel one's own claim before it is used; its unit goes back to stock."""
    locked = Claim.objects.select_for_update().filter(pk=claim.pk, person=person).first()
    if locked is None:
        raise ValidationError(_("This is not your claim."))
    if locked.status != Claim.Status.ACTIVE:
        raise ValidationError(
            {
                "status": [
                    _("Only an unused claim can be cancelled; this one is %(status)s.")
                    % {"status": locked.get_status_display().lower()}
                ]
            }
        )
    locked.status = Claim.Status.CANCELLED
    locked.closed_at = timezone.now()
    locked.save(update_fields=["status", "closed_at", "updated_at"])
    _return_unit(promotion_id=locked.promotion_id)
    webhooks.webhook_events_emit(claim=locked, event=WebhookEvent.CLAIM_CANCELLED)
    logger.info("claim cancelled claim=%s", locked.pk)
    return locked


def claims_mark_expired(*, claim_ids: list[int], now: datetime.datetime) -> int:
    """Expire these (locked, active) claims and give their units back, set-based."""
    rows = list(
        Claim.objects.filter(pk__in=claim_ids, status=Claim.Status.ACTIVE).values_list("pk", "promotion_id")
    )
    if not rows:
        return 0
    Claim.objects.filter(pk__in=[pk for pk, _promotion in rows]).update(
        status=Claim.Status.EXPIRED, closed_at=now, updated_at=now
    )
    per_promotion: dict[int, int] = {}
    for _pk, promotion_id in rows:
        per_promotion[promotion_id] = per_promotion.get(promotion_id, 0) + 1
    for promotion_id, units in sorted(per_promotion.items()):
        _return_unit(promotion_id=promotion_id, units=units)
    webhooks.webhook_events_emit_many(
        claim_ids=[pk for pk, _promotion in rows], event=WebhookEvent.CLAIM_EXPIRED
    )
    return len(rows)


def claims_expire(*, now: datetime.datetime | None = None, batch_size: int = 1000) -> int:
    """Expire active claims past their pickup deadline and return their units; idempotent.

    Works in batches, each its own transaction; rows a counter is verifying right now are
    skipped (and expire on the next run, or at the counter itself).
    """
    now = now or timezone.now()
    expired = 0
    while True:
        with transaction.atomic():
            ids = list(
                Claim.objects.select_for_update(skip_locked=True)
                .filter(status=Claim.Status.ACTIVE, pickup_deadline__lte=now)
                .order_by("pk")
                .values_list("pk", flat=True)[:batch_size]
            )
            done = claims_mark_expired(claim_ids=ids, now=now)
        expired += done
        if len(ids) < batch_size:
            break
    if expired:
        logger.info("claims expired count=%s", expired)
    return expired


# Shares -------------------------------------------------------------------------------------
