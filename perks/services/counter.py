"""The counter: a merchant checks a claim's code, confirms the hand-over (undoable for a few
minutes) and marks what happened to the item."""

import contextlib
import dataclasses
import datetime
import logging
from decimal import Decimal

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Merchant, User
from core.audit import audit_record
from scoring import services as scoring_services
from scoring.models import OVERDUE_ITEM_REFERENCE_PREFIX

from .. import conditions, webhooks
from ..models import BenefitType, Claim, CounterCheck, Promotion, WebhookEvent
from .claims import claims_mark_expired
from .notifications import code_checked_notify

logger = logging.getLogger(__name__)

# A trial kept past its due date becomes a late credit-line bill, due this many days after
# the due date: returning within the grace period costs nothing.
OVERDUE_GRACE_DAYS = 3
# The bill's amount when the trial has no item value (the scoring engine counts late bills,
# not their amounts, so this only keeps the bill well-formed).
OVERDUE_NOMINAL_AMOUNT = Decimal("1.00")
# A hand-over confirmed by mistake (the wrong customer, the item not given after all) can be
# taken back for this long; after that the claim's state is what the merchant's books say.
HAND_OVER_UNDO_WINDOW = datetime.timedelta(minutes=5)


@dataclasses.dataclass(frozen=True)
class CounterResult:
    """What the counter learns about a code: never who the person is, never a score.

    ``reason`` says why a code is not valid (``unknown``, ``not_active``, ``check_needed``,
    ``conditions_unmet``); ``at_counter`` lists in words what the counter must check first.
    """

    valid: bool
    reason: str = ""
    claim: Claim | None = None
    at_counter: list[str] = dataclasses.field(default_factory=list)

    @property
    def status(self) -> str | None:
        return self.claim.status if self.claim else None

    @property
    def promotion(self) -> Promotion | None:
        return self.claim.promotion if self.claim else None

    @property
    def benefit(self) -> str | None:
        return self.claim.benefit if self.claim else None

    @property
    def due_back(self) -> datetime.date | None:
        return self.claim.due_back if self.claim else None

    @property
    def undo_until(self) -> datetime.datetime | None:
        return hand_over_undo_until(self.claim) if self.valid and self.claim else None


# The ORM has no INSERT ... SELECT; the statement is fixed, and every value a parameter.
FOREIGN_CHECK_SQL = (
    "INSERT INTO perks_countercheck (claim_id, merchant_id, checked_at, outcome, created_at, updated_at) "
    "SELECT c.id, %s, %s, %s, %s, %s FROM perks_claim c JOIN perks_promotion p ON p.id = c.promotion_id "
    "WHERE c.code = %s AND p.merchant_id <> %s"
)


def _counter_check_record_foreign(*, merchant: Merchant, code: str, now: datetime.datetime) -> None:
    """Record, for the person's sake, that another merchant tried their code.

    One INSERT ... SELECT for every code this merchant does not own: it writes a row when the
    code is another merchant's and none when it is unknown, so both take the same statement
    and the same index lookups, and the counter cannot time the difference.
    """
    at = CounterCheck._meta.get_field("checked_at").get_db_prep_value(now, connection)
    with connection.cursor() as cursor:
        cursor.execute(
            FOREIGN_CHECK_SQL,
            [merchant.pk, at, CounterCheck.Outcome.WRONG_MERCHANT, at, at, code, merchant.pk],
        )


def normalise_code(code: object) -> str:
    """A code as typed at the counter: spaces and dashes dropped, upper case."""
    if not isinstance(code, str):
        return ""
    return code.replace(" ", "").replace("-", "").upper()[:40]


def _counter_lookup(
    *, merchant: Merchant, code: str, counter_facts: dict[str, str] | None, now: datetime.datetime
) -> tuple[CounterResult | None, Claim | None]:
    """The checks a code passes before anything is handed over, shared by the check and the hand-over.

    Returns (refusal, None) when the code may not be honoured, else (None, the claim locked
    for update). Unknown codes and other merchants' codes look exactly alike
    (``valid=False``, reason unknown). Every refusal is recorded for the person to see.
    """
    try:
        facts = conditions.validate_counter_facts(counter_facts)
    except ValidationError as exc:
        raise ValidationError({"counter_facts": exc.messages}) from exc
    normalised = normalise_code(code)
    claim = None
    # The code is looked up within this merchant's claims, in one query, so an unknown code and
    # another merchant's code cost the same (a timing difference would tell them apart).
    # get(), not first(): the code is unique, and a counter check should not pay for an ORDER BY.
    with contextlib.suppress(Claim.DoesNotExist):
        claim = (
            Claim.objects.select_for_update(of=("self",))
            .select_related("promotion__merchant")
            .get(code=normalised, promotion__merchant=merchant)
        )
    if claim is None:
        _counter_check_record_foreign(merchant=merchant, code=normalised, now=now)
        return CounterResult(valid=False, reason="unknown"), None
    if claim.status == Claim.Status.ACTIVE and claim.pickup_deadline <= now:
        claims_mark_expired(claim_ids=[claim.pk], now=now)
        claim.refresh_from_db()
    if claim.status != Claim.Status.ACTIVE:
        _counter_check_record(claim=claim, merchant=merchant, now=now, outcome=CounterCheck.Outcome.NOT_VALID)
        return CounterResult(valid=False, reason="not_active", claim=claim), None
    evaluation = conditions.evaluate(claim.counter_conditions, None, facts)
    if evaluation.met is None:
        _counter_check_record(
            claim=claim, merchant=merchant, now=now, outcome=CounterCheck.Outcome.CHECK_NEEDED
        )
        refusal = CounterResult(
            valid=False, reason="check_needed", claim=claim, at_counter=evaluation.at_counter
        )
        return refusal, None
    if evaluation.met is False:
        _counter_check_record(
            claim=claim, merchant=merchant, now=now, outcome=CounterCheck.Outcome.CONDITIONS_UNMET
        )
        return CounterResult(valid=False, reason="conditions_unmet", claim=claim), None
    return None, claim


def _counter_check_record(
    *, claim: Claim, merchant: Merchant, now: datetime.datetime, outcome: str
) -> CounterCheck:
    return CounterCheck.objects.create(claim=claim, merchant=merchant, checked_at=now, outcome=outcome)


@transaction.atomic
def claim_check(
    *, merchant: Merchant, code: str, counter_facts: dict[str, str] | None = None
) -> CounterResult:
    """Check a claim code at the merchant's counter, changing nothing about the claim.

    A valid code stays active until staff confirm the hand-over (``claim_hand_over``): a code
    checked by mistake, or a customer who walks away, uses nothing. Counter facts
    (``{"ticket_class": "first"}``) settle the checks left open at claim time.
    """
    now = timezone.now()
    refusal, claim = _counter_lookup(merchant=merchant, code=code, counter_facts=counter_facts, now=now)
    if refusal is not None:
        return refusal
    assert claim is not None
    check = _counter_check_record(
        claim=claim, merchant=merchant, now=now, outcome=CounterCheck.Outcome.CHECKED
    )
    code_checked_notify(claim=claim, check_id=check.pk)
    return CounterResult(valid=True, claim=claim)


@transaction.atomic
def claim_hand_over(
    *,
    merchant: Merchant,
    code: str,
    counter_facts: dict[str, str] | None = None,
    actor: User | AnonymousUser | None = None,
) -> CounterResult:
    """Hand over what a valid code promises: the same checks as ``claim_check``, then honour it.

    An active claim becomes in use (a trial: due back after ``trial_days``) or used. It can be
    undone by the same merchant for HAND_OVER_UNDO_WINDOW (``claim_hand_over_undo``).
    """
    now = timezone.now()
    refusal, claim = _counter_lookup(merchant=merchant, code=code, counter_facts=counter_facts, now=now)
    if refusal is not None:
        return refusal
    assert claim is not None
    claim.verified_at = now
    if claim.promotion.benefit_type == BenefitType.TRIAL and claim.promotion.trial_days:
        claim.status = Claim.Status.IN_USE
        claim.due_back = timezone.localdate(now) + datetime.timedelta(days=claim.promotion.trial_days)
    else:
        claim.status = Claim.Status.USED
        claim.closed_at = now
    claim.save(update_fields=["status", "verified_at", "due_back", "closed_at", "updated_at"])
    _counter_check_record(claim=claim, merchant=merchant, now=now, outcome=CounterCheck.Outcome.VERIFIED)
    audit_record(actor=actor, action="claim.hand_over", target=claim, changes={"status": claim.status})
    webhooks.webhook_events_emit(claim=claim, event=WebhookEvent.CLAIM_HANDED_OVER)
    logger.info("claim handed over claim=%s merchant=%s status=%s", claim.pk, merchant.pk, claim.status)
    return CounterResult(valid=True, claim=claim)


def hand_over_undo_until(claim: Claim) -> datetime.datetime | None:
    """Until when the hand-over of a claim can be undone, or None if it cannot (any more)."""
    if claim.status not in (Claim.Status.IN_USE, Claim.Status.USED) or claim.verified_at is None:
        return None
    until = claim.verified_at + HAND_OVER_UNDO_WINDOW
    return until if timezone.now() < until else None


@transaction.atomic
def claim_hand_over_undo(
    *, merchant: Merchant, claim: Claim, actor: User | AnonymousUser | None = None
) -> Claim:
    """Take back a hand-over made in the last HAND_OVER_UNDO_WINDOW: the claim is active again.

    For a code honoured by mistake (the wrong customer, the item not given after all). Past
    its pickup deadline, the claim expires at once and its unit returns to stock.
    """
    locked = (
        Claim.objects.select_for_update(of=("self",))
        .select_related("promotion")
        .filter(pk=claim.pk, promotion__merchant=merchant)
        .first()
    )
    if locked is None:
        raise ValidationError(_("This claim is not for one of your promotions."))
    if locked.status not in (Claim.Status.IN_USE, Claim.Status.USED):
        raise ValidationError(
            _("Only a claim just handed over can be undone; this one is %(status)s.")
            % {"status": locked.get_status_display().lower()}
        )
    if hand_over_undo_until(locked) is None:
        raise ValidationError(
            _("A hand-over can be undone for %(minutes)d minutes only.")
            % {"minutes": HAND_OVER_UNDO_WINDOW.seconds // 60}
        )
    now = timezone.now()
    previous = locked.status
    locked.status = Claim.Status.ACTIVE
    locked.verified_at = None
    locked.due_back = None
    locked.closed_at = None
    locked.save(update_fields=["status", "verified_at", "due_back", "closed_at", "updated_at"])
    _counter_check_record(claim=locked, merchant=merchant, now=now, outcome=CounterCheck.Outcome.UNDONE)
    audit_record(
        actor=actor, action="claim.hand_over_undo", target=locked, changes={"status": [previous, "active"]}
    )
    webhooks.webhook_events_emit(claim=locked, event=WebhookEvent.CLAIM_HAND_OVER_UNDONE)
    if locked.pickup_deadline <= now:
        claims_mark_expired(claim_ids=[locked.pk], now=now)
        locked.refresh_from_db()
    logger.info("claim hand-over undone claim=%s merchant=%s", locked.pk, merchant.pk)
    return locked


# What a merchant may record about a claim after the counter, from each state.
MARKS: dict[str, set[Claim.Status]] = {
    Claim.Status.RETURNED: {Claim.Status.IN_USE, Claim.Status.OVERDUE},
    Claim.Status.CONVERTED: {Claim.Status.IN_USE, Claim.Status.OVERDUE},
    Claim.Status.OVERDUE: {Claim.Status.IN_USE},
}


def _overdue_bill_reference(claim: Claim) -> str:
    return f"{OVERDUE_ITEM_REFERENCE_PREFIX}{claim.code}"


@transaction.atomic
def claim_mark(*, merchant: Merchant, claim: Claim, status: str) -> Claim:
    """Record what became of a trial: returned, converted (bought) or overdue.

    Overdue (only after the due date) issues the person a credit-line bill due
    OVERDUE_GRACE_DAYS after the due date and unpaid: returned within the grace period it is
    withdrawn; later, it is settled late and stays in the person's credit history.
    """
    locked = (
        Claim.objects.select_for_update(of=("self",))
        .select_related("promotion")
        .filter(pk=claim.pk, promotion__merchant=merchant)
        .first()
    )
    if locked is None:
        raise ValidationError(_("This claim is not for one of your promotions."))
    allowed_from = MARKS.get(status)
    if allowed_from is None:
        raise ValidationError({"status": [_("Mark a claim as returned, converted or overdue.")]})
    if locked.status not in allowed_from:
        raise ValidationError(
            {
                "status": [
                    _("A claim that is %(current)s cannot be marked %(new)s.")
                    % {
                        "current": locked.get_status_display().lower(),
                        "new": Claim.Status(status).label.lower(),
                    }
                ]
            }
        )
    today = timezone.localdate()
    if status == Claim.Status.OVERDUE and (locked.due_back is None or today <= locked.due_back):
        raise ValidationError({"status": [_("A trial is overdue only after its due date.")]})
    previous = locked.status
    locked.status = status
    locked.closed_at = None if status == Claim.Status.OVERDUE else timezone.now()
    locked.save(update_fields=["status", "closed_at", "updated_at"])
    if locked.person_id is not None:
        if status == Claim.Status.OVERDUE:
            _overdue_bill_issue(claim=locked, merchant=merchant)
        elif previous == Claim.Status.OVERDUE:
            _overdue_bill_settle(claim=locked, today=today)
    webhooks.webhook_events_emit(claim=locked, event=webhooks.EVENT_FOR_STATUS[status])
    logger.info("claim marked claim=%s status=%s", locked.pk, status)
    return locked


def _overdue_bill_issue(*, claim: Claim, merchant: Merchant) -> None:
    assert claim.due_back is not None and claim.person_id is not None
    scoring_services.bill_overdue_issue(
        person_id=claim.person_id,
        reference=_overdue_bill_reference(claim),
        issuer=merchant.name,
        amount=claim.promotion.amount or OVERDUE_NOMINAL_AMOUNT,
        due_on=claim.due_back + datetime.timedelta(days=OVERDUE_GRACE_DAYS),
        today=timezone.localdate(),
    )


def _overdue_bill_settle(*, claim: Claim, today: datetime.date) -> None:
    assert claim.person_id is not None
    # Back within the grace period, the bill goes: it never became a late payment.
    scoring_services.bill_overdue_settle(
        person_id=claim.person_id, reference=_overdue_bill_reference(claim), today=today
    )
