"""HTML pages of perks for people: perks, claims, shares (the merchant console is perks/console/)."""

import datetime
import functools
from typing import TypedDict

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts.decorators import consumer_required
from accounts.models import User
from accounts.selectors import consumer_profile
from core.bands import Band
from core.forms import form_errors_add
from core.requests import AuthenticatedHttpRequest
from core.throttles import NewAccountClaimThrottle, address_limit_wait, too_many_attempts_message
from scoring.charts import band_ranges

from . import conditions, eligibility, presentation
from . import selectors as perk_selectors
from . import services as perk_services
from .calendar import due_back_calendar
from .exceptions import NotEligible, NotOptedIn, PerksError
from .forms import ClaimForm, GoalForm, PerkFilterForm, ShareForm
from .models import BenefitType, Category, Claim, CounterCheck, Promotion, Share
from .qr import qr_svg
from .templatetags.perk_tags import localised

# --- Consumer pages --------------------------------------------------------------------------

# Claims the person still has to do something with, shown first on "My claims".
OPEN_CLAIM_STATUSES = (Claim.Status.ACTIVE, Claim.Status.IN_USE, Claim.Status.OVERDUE)
# The badge colour of each claim status (classes of portal.css).
CLAIM_STATUS_TONES = {
    Claim.Status.ACTIVE: "success",
    Claim.Status.IN_USE: "neutral",
    Claim.Status.USED: "neutral",
    Claim.Status.RETURNED: "neutral",
    Claim.Status.CONVERTED: "neutral",
    Claim.Status.OVERDUE: "danger",
    Claim.Status.CANCELLED: "warning",
    Claim.Status.EXPIRED: "warning",
}


def _perk_state(perk: perk_selectors.Perk) -> str:
    """What the card says first: eligible, opt_in, not_eligible, claimed (limit reached) or sold_out."""
    if perk.points_away is None:
        return "opt_in"
    if not perk.eligible:
        return "not_eligible"
    if perk.remaining == 0:
        return "sold_out"
    if perk.claims_left == 0:
        return "claimed"
    return "eligible"


def _perk_card(perk: perk_selectors.Perk) -> dict[str, object]:
    return {"perk": perk, "promotion": perk.promotion, "state": _perk_state(perk)}


@consumer_required
def perk_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Live perks grouped by category, each with what it takes and where this person stands."""
    form = PerkFilterForm(request.GET or None)
    category, eligible_only = form.filters()
    perks = perk_selectors.perks_for_person(person=request.user)
    # "Eligible only" means claimable now: eligible, some left, and the person's limit not reached.
    claimable = {perk.promotion.pk for perk in perks if _perk_state(perk) == "eligible"}
    shown = [
        perk
        for perk in perks
        if (not category or perk.promotion.category == category)
        and (not eligible_only or perk.promotion.pk in claimable)
    ]
    groups = [
        {
            "key": key,
            "label": label,
            "cards": [_perk_card(perk) for perk in shown if perk.promotion.category == key],
        }
        for key, label in Category.choices
    ]
    profile = consumer_profile(user=request.user)
    score = profile.score if profile is not None and profile.is_opted_in else None
    opted_in = score is not None
    # A court listing closes every perk, and so does an unverified real name: say so once, above
    # the cards, with the way out.
    facts = perk_selectors.person_facts(person=request.user, need_dimensions=False)
    context = {
        "listed": opted_in and facts.blacklisted,
        "identity_verified": facts.identity_verified,
        "form": form,
        "groups": [group for group in groups if group["cards"]],
        "total": len(perks),
        "shown": len(shown),
        "eligible_count": len(claimable),
        "filtered": bool(category or eligible_only),
        "opted_in": opted_in,
        "score": score,
        "band": Band.for_score(score) if score is not None else None,
    }
    return render(request, "perks/list.html", context)


def _perk_of(*, person: User, pk: int) -> perk_selectors.Perk | None:
    """The person's view of one live promotion (None when it is not live), as the perks page shows it."""
    return next(
        (perk for perk in perk_selectors.perks_for_person(person=person) if perk.promotion.pk == pk), None
    )


@consumer_required
def claim_confirm(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """GET: what claiming this perk commits the person to. POST: claim it, once per page shown."""
    promotion = perk_selectors.promotion_claimable(pk=pk)
    if promotion is None:
        raise Http404
    error: PerksError | None = None
    wait: int | None = None
    form_error = ""
    if request.method == "POST" and (wait := address_limit_wait(request, NewAccountClaimThrottle)):
        form_error = too_many_attempts_message(wait)
    elif request.method == "POST":
        form = ClaimForm(request.POST)
        if form.is_valid():
            try:
                claim = perk_services.claim_create(
                    promotion=promotion,
                    person=request.user,
                    idempotency_key=form.cleaned_data["idempotency_key"],
                )
            except PerksError as exc:
                error = exc
            else:
                messages.success(request, _("Claimed. Show this code at the counter."))
                return redirect("perks:claim_detail", pk=claim.pk)
        else:
            form_error = _("This form has expired; nothing was claimed. Please confirm again.")
    perk = _perk_of(person=request.user, pk=promotion.pk)
    context = {
        "promotion": promotion,
        "perk": perk,
        "state": _perk_state(perk) if perk is not None else "not_active",
        "form": ClaimForm(initial={"idempotency_key": ClaimForm.new_key()}),
        "error": error,
        "unmet": error.unmet if isinstance(error, NotEligible) else [],
        "form_error": form_error,
        "pickup_by": timezone.now() + datetime.timedelta(days=promotion.pickup_days),
    }
    status = 200
    if error is not None:
        status = error.status_code
    elif wait:
        status = 429
    elif form_error:
        status = 400
    response = render(request, "perks/claim_confirm.html", context, status=status)
    if wait:
        response["Retry-After"] = str(wait)
    return response


def _benefit_words(claim: Claim) -> str:
    """The claim's benefit in the reader's language, when it is still what the promotion offers.

    A claim records its benefit in English when made; if the promotion (or the tier reached)
    still says the same, show the current language's words, otherwise the record as it is.
    """
    promotion = claim.promotion
    for tier in promotion.tiers or []:
        if tier.get("benefit") == claim.benefit:
            chinese = tier.get("benefit_zh")
            return str(chinese) if chinese and translation.get_language() == "zh-hans" else claim.benefit
    offered = functools.partial(
        eligibility.base_benefit_text,
        benefit_type=promotion.benefit_type,
        trial_days=promotion.trial_days,
        amount=promotion.amount,
    )
    with translation.override("en"):
        recorded_as_offered = offered() == claim.benefit
    return offered() if recorded_as_offered else claim.benefit


class ClaimRow(TypedDict):
    """A claim as "My claims" shows it."""

    claim: Claim
    benefit: str
    promotion: Promotion
    status: str
    status_label: str | Promise
    tone: str
    can_cancel: bool
    is_trial: bool
    checks: list[CounterCheck]
    at_counter: str


def _claim_row(claim: Claim, *, now: datetime.datetime) -> ClaimRow:
    status = presentation.claim_status(claim, now=now)
    return {
        "claim": claim,
        "benefit": _benefit_words(claim),
        "promotion": claim.promotion,
        "status": status.value,
        "status_label": status.label,
        "tone": CLAIM_STATUS_TONES[status],
        "can_cancel": status == Claim.Status.ACTIVE,
        "is_trial": claim.promotion.benefit_type == BenefitType.TRIAL,
        "checks": list(claim.counter_checks.all()),
        # What the counter still checks before honouring it (fixed when the claim was made).
        "at_counter": conditions.describe(claim.counter_conditions) if claim.counter_conditions else "",
    }


@consumer_required
def my_claims(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The person's claims, open ones first, and the log of merchants who checked their codes."""
    now = timezone.now()
    rows = [_claim_row(claim, now=now) for claim in perk_selectors.claims_for_person(person=request.user)]
    checked = sorted(
        ((check, row) for row in rows for check in row["checks"]),
        key=lambda pair: pair[0].checked_at,
        reverse=True,
    )
    checks = [{"check": check, "row": row} for check, row in checked]
    context = {
        "open_rows": [row for row in rows if row["status"] in OPEN_CLAIM_STATUSES],
        "past_rows": [row for row in rows if row["status"] not in OPEN_CLAIM_STATUSES],
        "checks": checks,
    }
    return render(request, "perks/my_claims.html", context)


@consumer_required
def claim_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """One claim: the code in large type and as a QR code, its dates, status and who checked it."""
    claim = perk_selectors.claim_for_person(person=request.user, pk=pk)
    if claim is None:
        raise Http404
    row = _claim_row(claim, now=timezone.now())
    context = {
        **row,
        "qr": qr_svg(data=claim.code, title=_("QR code of claim code %(code)s") % {"code": claim.code}),
    }
    return render(request, "perks/claim_detail.html", context)


@consumer_required
def claim_cancel(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """GET asks to confirm (what giving the claim back means); POST cancels."""
    claim = perk_selectors.claim_for_person(person=request.user, pk=pk)
    if claim is None:
        raise Http404
    if request.method != "POST":
        row = _claim_row(claim, now=timezone.now())
        if not row["can_cancel"]:
            return redirect("perks:claim_detail", pk=pk)
        return render(request, "perks/claim_cancel.html", row)
    try:
        perk_services.claim_cancel(claim=claim, person=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request, _("Claim cancelled. Nothing is owed and the perk is free for someone else.")
        )
    return redirect("perks:claim_detail", pk=pk)


@consumer_required
def claim_calendar(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The due-back date of a trial as an .ics file to add to a calendar."""
    claim = perk_selectors.claim_for_person(person=request.user, pk=pk)
    if claim is None or claim.due_back is None:
        raise Http404
    response = HttpResponse(
        due_back_calendar(
            claim=claim,
            domain=request.get_host().split(":")[0],
            claim_url=request.build_absolute_uri(reverse("perks:claim_detail", kwargs={"pk": claim.pk})),
        ),
        content_type="text/calendar; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="claim-{claim.pk}-due-back.ics"'
    return response


def _share_row(
    request: HttpRequest, share: Share, *, now: datetime.datetime, new: Share | None
) -> dict[str, object]:
    if share.revoked_at is not None:
        state = "revoked"
    elif share.expires_at <= now:
        state = "expired"
    else:
        state = "active"
    # Only the hash of a token is kept: the link exists on the page that made it, and only there.
    url = None
    if new is not None and new.pk == share.pk:
        url = request.build_absolute_uri(reverse("perks:share_public", kwargs={"token": new.token}))
    return {"share": share, "state": state, "url": url}


@consumer_required
@never_cache
def shares(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Make a link that shows my band (or score) to whoever I give it, and revoke links.

    A new link is shown on the answer to the POST that made it (never cached, no redirect):
    the token is not stored, so no later page can show it again.
    """
    form = ShareForm(request.POST or None)
    new = None
    if request.method == "POST" and form.is_valid():
        try:
            new = perk_services.share_create(person=request.user, **form.cleaned_data)
        except NotOptedIn:
            messages.error(request, _("Opt in to scoring before you share your score."))
        except ValidationError as exc:
            form_errors_add(form, exc)
        else:
            messages.success(
                request,
                _(
                    "Your link is ready. Copy it now and send it to whoever you choose: "
                    "it is shown only this once."
                ),
            )
            form = ShareForm()
    now = timezone.now()
    profile = consumer_profile(user=request.user)
    context = {
        "form": form,
        "rows": [
            _share_row(request, share, now=now, new=new)
            for share in perk_selectors.shares_for_person(person=request.user)
        ],
        "opted_in": profile is not None and profile.is_opted_in,
    }
    response = render(request, "perks/shares.html", context, status=400 if form.errors else 200)
    response["Cache-Control"] = "private, no-store"
    return response


@consumer_required
@require_POST
def share_revoke(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    share = perk_selectors.share_for_person(person=request.user, pk=pk)
    if share is None:
        raise Http404
    perk_services.share_revoke(share=share, person=request.user)
    messages.success(request, _("Link revoked. It no longer shows anything."))
    return redirect("perks:shares")


@never_cache
def share_public(request: HttpRequest, token: str) -> HttpResponse:
    """The page behind a share link, for anyone holding it: no login. Revoked or expired: 404."""
    card = perk_selectors.share_card(token=token)
    if card is None:
        raise Http404
    perk_services.share_opened_record(share_id=card.share_id)
    bands = [
        {"band": band, "label": band.label, "lower": lower, "upper": upper, "is_current": band == card.band}
        for band, lower, upper in band_ranges()
    ]
    context = {"card": card, "band": Band(card.band), "bands": bands}
    response = render(request, "perks/share_public.html", context)
    # The token is the secret: keep it out of the Referer of any link followed from this page.
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@consumer_required
@require_POST
def goal_set(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Aim for a perk; back to the dashboard's goal panel."""
    form = GoalForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(form.errors)
        goal = perk_services.goal_set(person=request.user, promotion_id=form.cleaned_data["promotion"])
    except ValidationError:
        messages.error(request, _("Choose a perk that is live now."))
    else:
        messages.success(
            request,
            _("Your goal is set: %(title)s.") % {"title": localised(goal.promotion, "title")},
        )
    return redirect(f"{reverse('scoring:dashboard')}#goal")


@consumer_required
@require_POST
def goal_clear(request: AuthenticatedHttpRequest) -> HttpResponse:
    perk_services.goal_clear(person=request.user)
    return redirect(f"{reverse('scoring:dashboard')}#goal")
