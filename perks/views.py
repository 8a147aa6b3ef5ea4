"""HTML pages of perks: what consumers see (perks, claims, shares) and the merchant console."""

import csv
import datetime
import math

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts.decorators import merchant_required
from accounts.selectors import consumer_profile
from portal.encryption import decrypt, encrypt
from scoring.bands import Band
from scoring.charts import band_ranges
from scoring.views import consumer_required

from . import apis, conditions, console_charts, console_selectors, eligibility, webhooks
from . import selectors as perk_selectors
from . import services as perk_services
from .console_forms import (
    ClaimFilterForm,
    ClaimMarkForm,
    PromotionForm,
    PromotionStatusForm,
    VerifyForm,
    WebhookEndpointForm,
    actions_for,
    counter_fact_names,
    marks_for,
)
from .exceptions import NotEligible, NotOptedIn, PerksError
from .forms import ClaimForm, PerkFilterForm, ShareForm
from .models import BenefitType, Category, Claim, Promotion, Share
from .qr import qr_svg

# --- Consumer pages --------------------------------------------------------------------------

# How each refusal of a claim answers the browser (the API answers with the same statuses).
CLAIM_ERROR_STATUS = {"not_eligible": 403, "not_opted_in": 403, "idempotency_mismatch": 422}
CLAIM_ERROR_STATUS_DEFAULT = 409

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
def perk_list(request: HttpRequest) -> HttpResponse:
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
    opted_in = profile is not None and profile.is_opted_in and profile.score is not None
    # A court listing closes every perk: say so once, above the cards, with the way out.
    listed = opted_in and perk_selectors.person_facts(person=request.user, need_dimensions=False).blacklisted
    context = {
        "listed": listed,
        "form": form,
        "groups": [group for group in groups if group["cards"]],
        "total": len(perks),
        "shown": len(shown),
        "eligible_count": len(claimable),
        "filtered": bool(category or eligible_only),
        "opted_in": opted_in,
        "score": profile.score if opted_in else None,
        "band": Band.for_score(profile.score) if opted_in else None,
    }
    return render(request, "perks/list.html", context)


def _perk_of(*, person: object, pk: int) -> perk_selectors.Perk | None:
    """The person's view of one live promotion (None when it is not live), as the perks page shows it."""
    return next(
        (perk for perk in perk_selectors.perks_for_person(person=person) if perk.promotion.pk == pk), None
    )


@consumer_required
def claim_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: what claiming this perk commits the person to. POST: claim it, once per page shown."""
    promotion = perk_selectors.promotion_claimable(pk=pk)
    if promotion is None:
        raise Http404
    error: PerksError | None = None
    form_error = ""
    if request.method == "POST":
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
        status = CLAIM_ERROR_STATUS.get(error.code, CLAIM_ERROR_STATUS_DEFAULT)
    elif form_error:
        status = 400
    return render(request, "perks/claim_confirm.html", context, status=status)


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
    words = {
        "benefit_type": promotion.benefit_type,
        "trial_days": promotion.trial_days,
        "amount": promotion.amount,
    }
    with translation.override("en"):
        recorded_as_offered = eligibility.base_benefit_text(**words) == claim.benefit
    return eligibility.base_benefit_text(**words) if recorded_as_offered else claim.benefit


def _claim_row(claim: Claim, *, now: datetime.datetime) -> dict[str, object]:
    # An unused claim past its pickup deadline is expired even before the nightly sweep marks it.
    lapsed = claim.status == Claim.Status.ACTIVE and claim.pickup_deadline <= now
    status = Claim.Status.EXPIRED if lapsed else Claim.Status(claim.status)
    return {
        "claim": claim,
        "benefit": _benefit_words(claim),
        "promotion": claim.promotion,
        "status": status.value,
        "status_label": status.label,
        "tone": CLAIM_STATUS_TONES[status],
        "can_cancel": claim.status == Claim.Status.ACTIVE and not lapsed,
        "is_trial": claim.promotion.benefit_type == BenefitType.TRIAL,
        "checks": list(claim.counter_checks.all()),
        # What the counter still checks before honouring it (fixed when the claim was made).
        "at_counter": conditions.describe(claim.counter_conditions) if claim.counter_conditions else "",
    }


@consumer_required
def my_claims(request: HttpRequest) -> HttpResponse:
    """The person's claims, open ones first, and the log of merchants who checked their codes."""
    now = timezone.now()
    rows = [_claim_row(claim, now=now) for claim in perk_selectors.claims_for_person(person=request.user)]
    checks = sorted(
        ({"check": check, "row": row} for row in rows for check in row["checks"]),
        key=lambda item: item["check"].checked_at,
        reverse=True,
    )
    context = {
        "open_rows": [row for row in rows if row["status"] in OPEN_CLAIM_STATUSES],
        "past_rows": [row for row in rows if row["status"] not in OPEN_CLAIM_STATUSES],
        "checks": checks,
    }
    return render(request, "perks/my_claims.html", context)


@consumer_required
def claim_detail(request: HttpRequest, pk: int) -> HttpResponse:
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
@require_POST
def claim_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    claim = perk_selectors.claim_for_person(person=request.user, pk=pk)
    if claim is None:
        raise Http404
    try:
        perk_services.claim_cancel(claim=claim, person=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request, _("Claim cancelled. Nothing is owed and the perk is free for someone else.")
        )
    return redirect("perks:claim_detail", pk=pk)


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
def shares(request: HttpRequest) -> HttpResponse:
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
            for field, field_errors in exc.message_dict.items():
                for message in field_errors:
                    form.add_error(field if field in form.fields else None, message)
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
def share_revoke(request: HttpRequest, pk: int) -> HttpResponse:
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


# --- Merchant console ------------------------------------------------------------------------
# isort: split
CONSOLE_PAGE_SIZE = 50
STATUS_ACTIONS = {
    "activate": perk_services.promotion_activate,
    "resume": perk_services.promotion_resume,
    "pause": perk_services.promotion_pause,
    "end": perk_services.promotion_end,
}
# Claims export: what the merchant API shows of a claim, and nothing else (no person, no score).
CSV_COLUMNS = (
    "id",
    "code",
    "status",
    "benefit",
    "claimed_at",
    "pickup_deadline",
    "verified_at",
    "due_back",
    "closed_at",
)


def _own_promotion(request: HttpRequest, pk: int) -> Promotion:
    promotion = perk_selectors.promotion_for_merchant(merchant_id=request.merchant.pk, pk=pk)
    if promotion is None:
        raise Http404
    return promotion


def _own_claim(request: HttpRequest, pk: int) -> Claim:
    claim = perk_selectors.claim_for_merchant(merchant_id=request.merchant.pk, pk=pk)
    if claim is None:
        raise Http404
    return claim


def _page(request: HttpRequest, items: object) -> object:
    return Paginator(items, CONSOLE_PAGE_SIZE).get_page(request.GET.get("page"))


@merchant_required
def console(request: HttpRequest) -> HttpResponse:
    """The merchant's promotions at a glance, and the box that checks a code at the counter."""
    promotions = _page(request, console_selectors.console_promotions(merchant_id=request.merchant.pk))
    context = {
        "merchant": request.merchant,
        "promotions": promotions,
        "verify_form": VerifyForm(),
    }
    return render(request, "perks/console/home.html", context)


@merchant_required
def console_promotion_create(request: HttpRequest) -> HttpResponse:
    """A new promotion, saved as a draft: the next page previews it before it goes live."""
    form = PromotionForm(
        request.POST if request.method == "POST" else None, initial=PromotionForm.initial_for(None)
    )
    if request.method == "POST" and form.is_valid():
        try:
            promotion = perk_services.promotion_create(
                merchant=request.merchant, actor=request.user, **form.service_values()
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("Draft saved. Check the preview and the audience, then activate it."))
            return redirect("perks:console_promotion", pk=promotion.pk)
    return render(request, "perks/console/promotion_form.html", {"form": form, "promotion": None})


@merchant_required
def console_promotion_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a promotion; claims already made keep what they were promised."""
    promotion = _own_promotion(request, pk)
    form = PromotionForm(
        request.POST if request.method == "POST" else None,
        initial=PromotionForm.initial_for(promotion),
        tiers_initial=promotion.tiers,
    )
    if request.method == "POST" and form.is_valid():
        try:
            perk_services.promotion_update(promotion=promotion, actor=request.user, **form.service_values())
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("perks:console_promotion", pk=promotion.pk)
    return render(request, "perks/console/promotion_form.html", {"form": form, "promotion": promotion})


@merchant_required
def console_promotion(request: HttpRequest, pk: int) -> HttpResponse:
    """A promotion: the consumer's view of it, who it reaches today, its status buttons, its forecast."""
    overview = console_selectors.promotion_overview(merchant_id=request.merchant.pk, pk=pk)
    if overview is None:
        raise Http404
    promotion = overview.promotion
    buckets = [(bucket.low, bucket.high, bucket.count) for bucket in overview.audience.histogram]
    context = {
        "overview": overview,
        "promotion": promotion,
        "actions": actions_for(promotion.status),
        "preview": console_selectors.perk_preview(promotion=promotion, language=get_language()),
        "histogram": console_charts.audience_histogram(buckets, threshold=promotion.min_score),
        "min_count": perk_selectors.AUDIENCE_MIN_COUNT,
    }
    return render(request, "perks/console/promotion.html", context)


@merchant_required
@require_POST
def console_promotion_status(request: HttpRequest, pk: int) -> HttpResponse:
    """Activate, pause, resume or end: the service refuses any other move, and says why."""
    promotion = _own_promotion(request, pk)
    form = PromotionStatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose activate, pause, resume or end."))
        return redirect("perks:console_promotion", pk=pk)
    try:
        promotion = STATUS_ACTIONS[form.cleaned_data["action"]](promotion=promotion, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("The promotion is now %(status)s.") % {"status": promotion.get_status_display().lower()},
        )
    return redirect("perks:console_promotion", pk=pk)


@merchant_required
def console_claims(request: HttpRequest, pk: int) -> HttpResponse:
    """A promotion's claims with filters, claims per day and, for trials, the conversion rate."""
    promotion = _own_promotion(request, pk)
    form = ClaimFilterForm(request.GET or None)
    claims = _page(request, console_selectors.claims_filtered(promotion=promotion, **form.filters()))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "promotion": promotion,
        "form": form,
        "claims": claims,
        "query": query.urlencode(),
        "chart": console_charts.daily_chart(console_selectors.claims_per_day(promotion=promotion), width=520),
        "conversion": (
            console_selectors.trial_conversion(promotion=promotion)
            if promotion.benefit_type == "trial"
            else None
        ),
    }
    return render(request, "perks/console/claims.html", context)


def _csv_cell(value: object) -> str:
    text = "" if value is None else (value.isoformat() if hasattr(value, "isoformat") else str(value))
    # A cell a spreadsheet would run as a formula is written as text.
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@merchant_required
def console_claims_csv(request: HttpRequest, pk: int) -> HttpResponse:
    """The filtered claims as CSV: the columns of the merchant API, no person, no score."""
    promotion = _own_promotion(request, pk)
    form = ClaimFilterForm(request.GET or None)
    claims = console_selectors.claims_filtered(promotion=promotion, **form.filters())
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="claims-{promotion.pk}.csv"'
    response.write("\ufeff")  # so spreadsheets read the Chinese text as UTF-8
    writer = csv.writer(response)
    writer.writerow(CSV_COLUMNS)
    for claim in claims.iterator(chunk_size=1000):
        values = [getattr(claim, column) for column in CSV_COLUMNS]
        values[CSV_COLUMNS.index("claimed_at")] = timezone.localtime(claim.claimed_at)
        writer.writerow([_csv_cell(value) for value in values])
    return response


@merchant_required
def console_verify(request: HttpRequest) -> HttpResponse:
    """The counter: check a code (typed or scanned) and, when the perk asks, the facts seen by eye.

    A valid code is honoured at once and leads to its claim's page; anything else stays here
    and says why. Never a person, never a score.
    """
    result = None
    needed: list[str] = []
    status = 200
    form = VerifyForm(request.POST if request.method == "POST" else None)
    # The API's counter throttle, and the same count: codes stay unguessable from either side.
    throttle = apis.VerifyThrottle()
    if request.method == "POST" and not throttle.allow_request(request, None):
        form.is_valid()
        form.add_error(
            None,
            _("Too many codes checked in a minute. Wait %(seconds)s seconds and try again.")
            % {"seconds": math.ceil(throttle.wait() or 1)},
        )
        status = 429
    elif request.method == "POST" and form.is_valid():
        try:
            result = perk_services.claim_verify(
                merchant=request.merchant,
                code=form.cleaned_data["code"],
                counter_facts=form.counter_facts(),
            )
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            if result.valid:
                messages.success(request, _("Valid: hand over %(benefit)s.") % {"benefit": result.benefit})
                return HttpResponseRedirect(
                    reverse("perks:console_claim", kwargs={"pk": result.claim.pk}) + "?checked=1"
                )
            if result.claim is not None:
                needed = counter_fact_names(result.claim.counter_conditions)
    show_facts = bool(needed) or any(form.data.get(field.html_name) for field in form.fact_fields())
    context = {"form": form, "result": result, "needed": needed, "show_facts": show_facts}
    return render(request, "perks/console/verify.html", context, status=status)


@merchant_required
def console_claim(request: HttpRequest, pk: int) -> HttpResponse:
    """One claim as the counter sees it: benefit, dates, state, and what may be recorded next."""
    claim = _own_claim(request, pk)
    context = {
        "claim": claim,
        "marks": marks_for(claim, today=timezone.localdate()),
        "is_trial": claim.promotion.benefit_type == "trial",
        "grace_days": perk_services.OVERDUE_GRACE_DAYS,
        # Straight from the counter: say "valid" in large type (the code was honoured just now).
        "just_checked": request.GET.get("checked") == "1"
        and claim.status in (Claim.Status.IN_USE, Claim.Status.USED),
    }
    return render(request, "perks/console/claim.html", context)


@merchant_required
@require_POST
def console_claim_mark(request: HttpRequest, pk: int) -> HttpResponse:
    """Record a trial returned, bought or overdue; a refused mark says why."""
    claim = _own_claim(request, pk)
    form = ClaimMarkForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Mark a claim as returned, converted or overdue."))
        return redirect("perks:console_claim", pk=pk)
    try:
        claim = perk_services.claim_mark(
            merchant=request.merchant, claim=claim, status=form.cleaned_data["status"]
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Recorded: %(status)s.") % {"status": claim.get_status_display().lower()})
    return redirect("perks:console_claim", pk=pk)


SECRET_SESSION_KEY = "console_webhook_secret"  # noqa: S105 - a session key name


@merchant_required
def console_webhooks(request: HttpRequest) -> HttpResponse:
    """The merchant's webhook endpoints, and the form that adds one."""
    form = WebhookEndpointForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            endpoint = webhooks.webhook_endpoint_create(
                merchant=request.merchant,
                url=form.cleaned_data["url"],
                description=form.cleaned_data["description"],
                actor=request.user,
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            # Shown once, on the next page, then gone from the session; encrypted meanwhile, as in
            # its own table (sessions are rows in the database too).
            request.session[SECRET_SESSION_KEY] = {
                "endpoint": endpoint.pk,
                "secret": encrypt(endpoint.secret),
            }
            return redirect("perks:console_webhook", pk=endpoint.pk)
    context = {
        "form": form,
        "endpoints": webhooks.webhook_endpoints_for_merchant(merchant_id=request.merchant.pk),
        "events": webhooks.WebhookEvent.choices,
    }
    return render(request, "perks/console/webhooks.html", context)


@merchant_required
def console_webhook(request: HttpRequest, pk: int) -> HttpResponse:
    """One endpoint and its delivery log, newest first."""
    endpoint = webhooks.webhook_endpoint_for_merchant(merchant_id=request.merchant.pk, pk=pk)
    if endpoint is None:
        raise Http404
    shown = request.session.pop(SECRET_SESSION_KEY, None)
    context = {
        "endpoint": endpoint,
        "secret": decrypt(shown["secret"]) if shown and shown.get("endpoint") == endpoint.pk else None,
        "deliveries": _page(request, webhooks.webhook_deliveries_for_endpoint(endpoint=endpoint)),
    }
    response = render(request, "perks/console/webhook.html", context)
    if context["secret"]:
        response["Cache-Control"] = "no-store"
    return response


@merchant_required
@require_POST
def console_webhook_disable(request: HttpRequest, pk: int) -> HttpResponse:
    endpoint = webhooks.webhook_endpoint_for_merchant(merchant_id=request.merchant.pk, pk=pk)
    if endpoint is None:
        raise Http404
    webhooks.webhook_endpoint_disable(endpoint=endpoint, actor=request.user)
    messages.success(request, _("Endpoint disabled: nothing more is sent to it."))
    return redirect("perks:console_webhook", pk=pk)
