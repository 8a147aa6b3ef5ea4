"""The merchant console: promotions, claims, the counter and webhooks, for a merchant's staff."""

import csv
import math
from typing import TypeVar

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.decorators import MerchantHttpRequest, merchant_required
from core.encryption import decrypt, encrypt

from .. import presentation, webhooks
from .. import selectors as perk_selectors
from .. import services as perk_services
from ..models import Claim, Promotion
from . import apis, charts, selectors
from .forms import (
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

_M = TypeVar("_M", bound=Model)

CONSOLE_PAGE_SIZE = 50
# Charts drawn for a phone's width (390 px less the page's margins): one user unit is about a
# pixel, so the 14-unit labels show at 12 px or more.
PHONE_CHART_WIDTH = 340
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


def _own_promotion(request: MerchantHttpRequest, pk: int) -> Promotion:
    promotion = perk_selectors.promotion_for_merchant(merchant_id=request.merchant.pk, pk=pk)
    if promotion is None:
        raise Http404
    return promotion


def _own_claim(request: MerchantHttpRequest, pk: int) -> Claim:
    claim = perk_selectors.claim_for_merchant(merchant_id=request.merchant.pk, pk=pk)
    if claim is None:
        raise Http404
    return claim


def _page(request: HttpRequest, items: QuerySet[_M]) -> Page[_M]:
    return Paginator(items, CONSOLE_PAGE_SIZE).get_page(request.GET.get("page"))


@merchant_required
def console(request: MerchantHttpRequest) -> HttpResponse:
    """The merchant's promotions at a glance, and the box that checks a code at the counter."""
    promotions = _page(request, selectors.console_promotions(merchant_id=request.merchant.pk))
    context = {
        "merchant": request.merchant,
        "promotions": promotions,
        "verify_form": VerifyForm(),
    }
    return render(request, "perks/console/home.html", context)


@merchant_required
def console_promotion_create(request: MerchantHttpRequest) -> HttpResponse:
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
def console_promotion_edit(request: MerchantHttpRequest, pk: int) -> HttpResponse:
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
def console_promotion(request: MerchantHttpRequest, pk: int) -> HttpResponse:
    """A promotion: the consumer's view of it, who it reaches today, its status buttons, its forecast."""
    overview = selectors.promotion_overview(merchant_id=request.merchant.pk, pk=pk)
    if overview is None:
        raise Http404
    promotion = overview.promotion
    buckets = [(bucket.low, bucket.high, bucket.count) for bucket in overview.audience.histogram]
    context = {
        "overview": overview,
        "promotion": promotion,
        "actions": actions_for(promotion.status),
        "preview": selectors.perk_preview(promotion=promotion, language=get_language()),
        "histogram": charts.audience_histogram(buckets, threshold=promotion.min_score),
        # A phone draws the narrow one, so its labels stay at least 12 px on screen.
        "histogram_narrow": charts.audience_histogram(
            buckets, threshold=promotion.min_score, width=PHONE_CHART_WIDTH, max_labels=5
        ),
        "min_count": perk_selectors.AUDIENCE_MIN_COUNT,
    }
    return render(request, "perks/console/promotion.html", context)


@merchant_required
@require_POST
def console_promotion_status(request: MerchantHttpRequest, pk: int) -> HttpResponse:
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
def console_claims(request: MerchantHttpRequest, pk: int) -> HttpResponse:
    """A promotion's claims with filters, claims per day and, for trials, the conversion rate."""
    promotion = _own_promotion(request, pk)
    form = ClaimFilterForm(request.GET or None)
    claims = _page(request, selectors.claims_filtered(promotion=promotion, **form.filters()))
    query = request.GET.copy()
    query.pop("page", None)
    per_day = selectors.claims_per_day(promotion=promotion)
    context = {
        "promotion": promotion,
        "form": form,
        "claims": claims,
        "query": query.urlencode(),
        "chart": charts.daily_chart(per_day, width=520),
        "chart_narrow": charts.daily_chart(per_day, width=PHONE_CHART_WIDTH, right=24, max_labels=4),
        "conversion": (
            selectors.trial_conversion(promotion=promotion) if promotion.benefit_type == "trial" else None
        ),
    }
    return render(request, "perks/console/claims.html", context)


def _csv_cell(value: object) -> str:
    text = "" if value is None else (value.isoformat() if hasattr(value, "isoformat") else str(value))
    # A cell a spreadsheet would run as a formula is written as text.
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@merchant_required
def console_claims_csv(request: MerchantHttpRequest, pk: int) -> HttpResponse:
    """The filtered claims as CSV: the columns of the merchant API, no person, no score."""
    promotion = _own_promotion(request, pk)
    form = ClaimFilterForm(request.GET or None)
    claims = selectors.claims_filtered(promotion=promotion, **form.filters())
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="claims-{promotion.pk}.csv"'
    response.write("\ufeff")  # so spreadsheets read the Chinese text as UTF-8
    writer = csv.writer(response)
    writer.writerow(CSV_COLUMNS)
    for claim in claims.iterator(chunk_size=1000):
        shown = presentation.merchant_claim(claim)
        # The status in the words the console's table uses (in the merchant's language).
        shown["status"] = presentation.claim_status(claim).label
        writer.writerow([_csv_cell(shown[column]) for column in CSV_COLUMNS])
    return response


def _counter_throttled(request: HttpRequest, form: VerifyForm) -> bool:
    """Apply the API's counter throttle, and the same count: codes stay unguessable from either
    side. A throttled form carries the error that says how long to wait."""
    throttle = apis.VerifyThrottle()
    if throttle.allow_request(request, None):
        return False
    form.is_valid()
    form.add_error(
        None,
        _("Too many codes checked in a minute. Wait %(seconds)s seconds and try again.")
        % {"seconds": math.ceil(throttle.wait() or 1)},
    )
    return True


def _counter_page(
    request: HttpRequest, form: VerifyForm, result: perk_services.CounterResult | None, status: int = 200
) -> HttpResponse:
    needed = counter_fact_names(result.claim.counter_conditions) if result and result.claim else []
    show_facts = bool(needed) or any(form.data.get(field.html_name) for field in form.fact_fields())
    context = {
        "form": form,
        "result": result,
        "needed": needed,
        "show_facts": show_facts,
        "undo_minutes": perk_services.HAND_OVER_UNDO_WINDOW.seconds // 60,
    }
    return render(request, "perks/console/verify.html", context, status=status)


@merchant_required
def console_verify(request: MerchantHttpRequest) -> HttpResponse:
    """The counter, step one: check a code (typed or scanned) and, when the perk asks, the facts
    seen by eye. Nothing is used yet: a valid code shows what to hand over and a button that
    confirms it. Never a person, never a score."""
    form = VerifyForm(request.POST if request.method == "POST" else None)
    if request.method != "POST":
        return _counter_page(request, form, None)
    if _counter_throttled(request, form):
        return _counter_page(request, form, None, status=429)
    result = None
    if form.is_valid():
        try:
            result = perk_services.claim_check(
                merchant=request.merchant, code=form.cleaned_data["code"], counter_facts=form.counter_facts()
            )
        except ValidationError as exc:
            form.add_error(None, exc.messages)
    return _counter_page(request, form, result)


@merchant_required
@require_POST
def console_hand_over(request: MerchantHttpRequest) -> HttpResponse:
    """The counter, step two: the checked code is handed over, and leads to its claim's page
    (where it can be undone for a few minutes). A code no longer valid stays here and says why."""
    form = VerifyForm(request.POST)
    if _counter_throttled(request, form):
        return _counter_page(request, form, None, status=429)
    if not form.is_valid():
        return _counter_page(request, form, None)
    try:
        result = perk_services.claim_hand_over(
            merchant=request.merchant,
            code=form.cleaned_data["code"],
            counter_facts=form.counter_facts(),
            actor=request.user,
        )
    except ValidationError as exc:
        form.add_error(None, exc.messages)
        return _counter_page(request, form, None)
    if not result.valid or result.claim is None:  # a valid code always has its claim
        return _counter_page(request, form, result)
    messages.success(request, _("Handed over: %(benefit)s.") % {"benefit": result.benefit})
    return HttpResponseRedirect(reverse("perks:console_claim", kwargs={"pk": result.claim.pk}) + "?handed=1")


@merchant_required
@require_POST
def console_hand_over_undo(request: MerchantHttpRequest, pk: int) -> HttpResponse:
    """Take back a hand-over made a few minutes ago: the claim is active again."""
    claim = _own_claim(request, pk)
    try:
        perk_services.claim_hand_over_undo(merchant=request.merchant, claim=claim, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Hand-over undone: the code is valid again and nothing was used."))
    return redirect("perks:console_claim", pk=pk)


@merchant_required
def console_claim(request: MerchantHttpRequest, pk: int) -> HttpResponse:
    """One claim as the counter sees it: benefit, dates, state, and what may be recorded next."""
    claim = _own_claim(request, pk)
    context = {
        "claim": claim,
        "marks": marks_for(claim, today=timezone.localdate()),
        "is_trial": claim.promotion.benefit_type == "trial",
        "grace_days": perk_services.OVERDUE_GRACE_DAYS,
        # Straight from the counter: say "handed over" in large type, with the undo beside it.
        "just_handed": request.GET.get("handed") == "1"
        and claim.status in (Claim.Status.IN_USE, Claim.Status.USED),
        "undo_until": perk_services.hand_over_undo_until(claim),
    }
    return render(request, "perks/console/claim.html", context)


@merchant_required
@require_POST
def console_claim_mark(request: MerchantHttpRequest, pk: int) -> HttpResponse:
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
def console_webhooks(request: MerchantHttpRequest) -> HttpResponse:
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
def console_webhook(request: MerchantHttpRequest, pk: int) -> HttpResponse:
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
def console_webhook_disable(request: MerchantHttpRequest, pk: int) -> HttpResponse:
    endpoint = webhooks.webhook_endpoint_for_merchant(merchant_id=request.merchant.pk, pk=pk)
    if endpoint is None:
        raise Http404
    webhooks.webhook_endpoint_disable(endpoint=endpoint, actor=request.user)
    messages.success(request, _("Endpoint disabled: nothing more is sent to it."))
    return redirect("perks:console_webhook", pk=pk)
