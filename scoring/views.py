"""The consumer's score pages: the dashboard, opting in and out, disputing data."""

import datetime
from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.decorators import consumer_required
from accounts.models import CONSENT_VERSION, ConsumerProfile
from accounts.selectors import consumer_profile
from core.bands import Band
from core.forms import form_errors_add
from core.throttles import OptInThrottle, address_limit_wait, throttled_page

from . import charts, engine, selectors, services
from .dimensions import DIMENSION_NAMES, DIMENSION_SUMMARIES
from .forms import DisputeForm, OptInForm, WhatIfForm
from .models import Bill, Education, ScoreSnapshot

HISTORY_DAYS = 365


def _is_opted_in(profile: ConsumerProfile | None) -> bool:
    return profile is not None and profile.is_opted_in


@consumer_required
def dashboard(request: HttpRequest) -> HttpResponse:
    profile = consumer_profile(user=request.user)
    if not _is_opted_in(profile):
        return _opt_in_page(request, profile=profile, form=OptInForm())
    return _dashboard_page(request)


def _dashboard_page(request: HttpRequest, *, dispute_form: DisputeForm | None = None) -> HttpResponse:
    person = request.user
    snapshot = selectors.score_current(person=person)
    if snapshot is None:
        return render(request, "scoring/score_pending.html")

    today = services.today()
    features = selectors.features_for_person(person=person, as_of=today)
    what_if = WhatIfForm(request.GET if "what_if" in request.GET else None, features=features)
    history = selectors.score_history(person=person, since=today - datetime.timedelta(days=HISTORY_DAYS))
    listings = selectors.blacklist_entries_active(person=person)
    reasons = _reasons(snapshot)
    bar_chart = charts.bar_chart([(key, getattr(snapshot, key)) for key in engine.DIMENSIONS])
    is_listed = bool(snapshot.reasons) and snapshot.reasons[0]["code"] == engine.BLACKLIST_ACTIVE
    context = {
        "snapshot": snapshot,
        "today": today,
        "gauge": charts.gauge(snapshot.score),
        "bands": _bands(snapshot.score),
        "next_band": charts.next_band(snapshot.score),
        "change": _change(history, snapshot),
        "model_changed_from": selectors.score_model_change(snapshot=snapshot),
        "dimensions": _dimensions(snapshot, bar_chart),
        "bar_chart": bar_chart,
        "lowering": [reason for reason in reasons if reason["direction"] == engine.LOWERS],
        "raising": [reason for reason in reasons if reason["direction"] == engine.RAISES],
        "is_listed": is_listed,
        "listing_reason": reasons[0] if is_listed else None,
        "listings": listings,
        "history": _history(history, today=today),
        "features": features,
        "education": Education(features.education).label,
        "bills": _bill_rows(selectors.bills_recent(person=person), today=today),
        "rent_payments": _bill_rows(selectors.rent_payments_recent(person=person), today=today),
        "credit_line": selectors.credit_line_latest(person=person),
        "what_if": what_if,
        "simulation": _simulation(person=person, form=what_if, features=features),
        "disputes": selectors.disputes_of(person=person),
        "dispute_form": dispute_form or DisputeForm(listings=listings),
    }
    return render(request, "scoring/dashboard.html", context)


@consumer_required
def opt_in(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return redirect("scoring:dashboard")
    profile = consumer_profile(user=request.user)
    if _is_opted_in(profile):
        return redirect("scoring:dashboard")
    form = OptInForm(request.POST)
    if wait := address_limit_wait(request, OptInThrottle):
        context = {"form": form, "profile": profile, "consent_version": CONSENT_VERSION}
        return throttled_page(request, "scoring/opt_in.html", context, wait=wait, form=form)
    if not form.is_valid():
        return _opt_in_page(request, profile=profile, form=form)
    services.consumer_opt_in(person=request.user)
    messages.success(request, _("You are opted in. Here is your credit score."))
    return redirect("scoring:dashboard")


@consumer_required
def opt_out(request: HttpRequest) -> HttpResponse:
    if not _is_opted_in(consumer_profile(user=request.user)):
        return redirect("scoring:dashboard")
    if request.method == "POST":
        services.consumer_opt_out(person=request.user)
        messages.success(
            request, _("You have opted out. We no longer score you and merchants no longer see you.")
        )
        return redirect("scoring:dashboard")
    return render(request, "scoring/opt_out.html")


@consumer_required
@require_POST
def dispute_create(request: HttpRequest) -> HttpResponse:
    if not _is_opted_in(consumer_profile(user=request.user)):
        return redirect("scoring:dashboard")
    form = DisputeForm(request.POST, listings=selectors.blacklist_entries_active(person=request.user))
    if form.is_valid():
        try:
            dispute = services.dispute_create(person=request.user, **form.dispute())
        except ValidationError as error:
            form_errors_add(form, error)
        else:
            messages.success(
                request,
                _("We have received your dispute and will answer by %(day)s.")
                % {"day": date_format(dispute.due_by, "DATE_FORMAT")},
            )
            return redirect(reverse("scoring:dashboard") + "#disputes")
    return _dashboard_page(request, dispute_form=form)


def _opt_in_page(request: HttpRequest, *, profile: ConsumerProfile | None, form: OptInForm) -> HttpResponse:
    context = {"form": form, "profile": profile, "consent_version": CONSENT_VERSION}
    return render(request, "scoring/opt_in.html", context)


# --- Shaping the page's data ---------------------------------------------------------------


def _percent(weight: str) -> str:
    """A model weight such as "0.35" as the percentage people read: "35"."""
    value = (Decimal(weight) * 100).normalize()
    return f"{value:f}"


def _dimensions(snapshot: ScoreSnapshot, bar_chart: charts.BarChart) -> list[dict[str, object]]:
    weights = snapshot.model.parameters.get("weights", {})
    rows = []
    for key, bar in zip(engine.DIMENSIONS, bar_chart.bars, strict=True):
        name, summary = DIMENSION_NAMES[key], DIMENSION_SUMMARIES[key]
        score = getattr(snapshot, key)
        rows.append(
            {
                "key": key,
                "name": name,
                "summary": summary,
                "weight": _percent(weights[key]) if key in weights else "",
                "score": score,
                "state": bar.state,
                "bar": bar,
            }
        )
    return rows


def _reasons(snapshot: ScoreSnapshot) -> list[dict[str, object]]:
    return [
        {
            "code": reason["code"],
            "direction": reason["direction"],
            "points": reason["points"],
            "text": engine.reason_text(reason["code"], reason["direction"], reason.get("params", {})),
            "advice": engine.reason_advice(reason["code"], reason["direction"]),
            "params": reason.get("params", {}),
        }
        for reason in snapshot.reasons
    ]


def _bands(score: int) -> list[dict[str, object]]:
    current = Band.for_score(score)
    return [
        {"band": band, "label": band.label, "lower": lower, "upper": upper, "is_current": band == current}
        for band, lower, upper in charts.band_ranges()
    ]


def _change(history: list[ScoreSnapshot], snapshot: ScoreSnapshot) -> dict[str, object] | None:
    """How far the score moved since the snapshot before the current one."""
    earlier = [item for item in history if item.as_of < snapshot.as_of]
    if not earlier:
        return None
    previous = earlier[-1]
    points = snapshot.score - previous.score
    return {"points": points, "distance": abs(points), "since": previous.as_of}


def _history(history: list[ScoreSnapshot], *, today: datetime.date) -> dict[str, object]:
    chart = charts.history_chart(
        [(item.as_of, item.score) for item in history],
        start=today - datetime.timedelta(days=HISTORY_DAYS),
        end=today,
    )
    rows = []
    previous = None
    for item in history:
        rows.append(
            {
                "as_of": item.as_of,
                "score": item.score,
                "band": item.band,
                "band_label": item.get_band_display(),
                "change": None if previous is None else item.score - previous,
            }
        )
        previous = item.score
    rows.reverse()
    return {"chart": chart, "rows": rows, "first": history[0] if history else None}


def _bill_rows(bills: list[Bill], *, today: datetime.date) -> list[dict[str, object]]:
    rows = []
    for bill in bills:
        if bill.paid_on is None:
            status = "overdue" if bill.due_on < today else "due"
            days = (today - bill.due_on).days if status == "overdue" else 0
        elif bill.is_late:
            status, days = "late", (bill.paid_on - bill.due_on).days
        else:
            status, days = "on_time", 0
        rows.append({"bill": bill, "status": status, "days": days})
    return rows


def _simulation(*, person: object, form: WhatIfForm, features: engine.Features) -> dict[str, object] | None:
    if not form.is_bound or not form.is_valid():
        return None
    levers = form.levers()
    current = selectors.score_simulate(person=person, levers=engine.Levers(), features=features)
    simulated = selectors.score_simulate(person=person, levers=levers, features=features)
    return {
        "changes": levers.any,
        "current": current,
        "simulated": simulated,
        "delta": simulated.score - current.score,
        "distance": abs(simulated.score - current.score),
    }
