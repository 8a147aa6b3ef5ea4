"""The consumer's score pages: the dashboard, opting in and out, disputing data."""

import dataclasses
import datetime
from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import selectors as account_selectors
from accounts.decorators import consumer_required
from accounts.exceptions import IdentityTaken
from accounts.forms import NotificationSettingsForm
from accounts.models import CONSENT_VERSION, ConsumerProfile, RealNameIdentity, User
from accounts.selectors import consumer_profile
from core.bands import Band
from core.cache import derived_get_or_compute
from core.forms import form_errors_add
from core.notifications import selectors as notification_selectors
from core.requests import AuthenticatedHttpRequest
from core.throttles import (
    IdentitySubmitThrottle,
    OptInThrottle,
    address_limit_wait,
    throttled_page,
    too_many_attempts_message,
)

from . import charts, engine, selectors, services
from .dimensions import DIMENSION_NAMES, DIMENSION_SUMMARIES
from .forms import (
    OTHER_DATA,
    ContactDecisionForm,
    DeclarationForm,
    DisputeForm,
    IdentityForm,
    OptInForm,
    SourceSwitchForm,
    WhatIfForm,
    dispute_key,
)
from .models import (
    Bill,
    BlacklistEntry,
    Contact,
    CreditLine,
    DataSource,
    Declaration,
    Dispute,
    Education,
    ScoreSnapshot,
    SourceConsent,
)

HISTORY_DAYS = 365
DAY_SECONDS = 24 * 3600


# Where on the profile page a person acts on a reason: the advice and simulator levers link there.
PROFILE_SECTIONS: dict[str, str] = {
    "real_name_verified": "identity",
    "phone_verified": "identity",
    "email_verified": "identity",
    "education": "declared",
    "address_years": "declared",
    "confirmed_contacts": "contacts",
    "interactions_90d": "contacts",
}


def profile_link(section: str) -> str:
    return f"{reverse('profile:show')}#{section}"


def _is_opted_in(profile: ConsumerProfile | None) -> bool:
    return profile is not None and profile.is_opted_in


@consumer_required
def dashboard(request: AuthenticatedHttpRequest) -> HttpResponse:
    profile = consumer_profile(user=request.user)
    if not _is_opted_in(profile):
        return _opt_in_page(request, profile=profile, form=OptInForm())
    return _dashboard_page(request)


def _dashboard_page(
    request: AuthenticatedHttpRequest, *, dispute_form: DisputeForm | None = None, status: int = 200
) -> HttpResponse:
    person = request.user
    version = selectors.score_current_version(person=person)
    if version is None:
        return render(request, "scoring/score_pending.html")

    today = services.today()
    since = today - datetime.timedelta(days=HISTORY_DAYS)
    # The score's cards derive from the current snapshot and the year's snapshots only: cached
    # under what they derive from (a new or rewritten snapshot is a new key), the day (the
    # history's axis ends today) and the language.
    cards = derived_get_or_compute(
        (
            "dashboard-cards",
            person.pk,
            *version,
            *selectors.score_history_version(person=person, since=since),
            today.isoformat(),
            translation.get_language(),
        ),
        lambda: _score_cards(person=person, snapshot_id=version[0], since=since, today=today),
        # A day's key is of no use the next day; the HTML (24 kB, mostly SVG) compresses to 5.
        timeout=DAY_SECONDS,
        compressed=True,
    )
    # The person's own data (features, bills, credit line, listings, disputes, switches) is cached
    # under the version of every row it is read from: any event, switch or dispute is a new key.
    data = derived_get_or_compute(
        ("dashboard-data", person.pk, selectors.person_data_version(person=person), today.isoformat()),
        lambda: _person_data(person=person, today=today),
        timeout=DAY_SECONDS,
    )
    features = data.features
    what_if = WhatIfForm(request.GET if "what_if" in request.GET else None, features=features)
    listings = data.listings
    context = {
        **cards,
        "today": today,
        "listings": listings,
        "features": features,
        "education": Education(features.education).label,
        "bills": data.bills,
        "rent_payments": data.rent_payments,
        "credit_line": data.credit_line,
        "what_if": what_if,
        "simulation": _simulation(person=person, form=what_if, features=features),
        **_disputes_context(disputes=data.disputes, dispute_form=dispute_form, listings=listings),
        "sources_off": _sources_off(switches=data.switches, written_at=version[1]),
        "profile_url": reverse("profile:show"),
    }
    context["open_dimension"] = _dimension_of_failed_dispute(context, dispute_form)
    return render(request, "scoring/dashboard.html", context, status=status)


def _disputes_context(
    *, disputes: list[Dispute], dispute_form: DisputeForm | None, listings: list[BlacklistEntry]
) -> dict[str, object]:
    blank = DisputeForm(listings=listings)
    past_due = [dispute for dispute in disputes if dispute.is_past_due]
    failed_here = dispute_form is not None and dispute_form.subject_key == OTHER_DATA
    return {
        "disputes": disputes,
        "disputes_past_due": past_due,
        "disputes_open": failed_here or bool(past_due),
        "dispute_form": dispute_form or blank,
        "blank_dispute_form": blank,
    }


def _dimension_of_failed_dispute(context: dict[str, object], form: DisputeForm | None) -> str:
    """The dimension to open so that a failed "Dispute this" form shows where it was sent from."""
    if form is None or form.subject_key == OTHER_DATA:
        return ""
    for dimension, rows in (
        ("credit_history", context["bills"]),
        ("fulfilment_capacity", context["rent_payments"]),
    ):
        if any(row["key"] == form.subject_key for row in rows):  # type: ignore[attr-defined]
            return dimension
    return ""


def _score_cards(
    *, person: User, snapshot_id: int, since: datetime.date, today: datetime.date
) -> dict[str, object]:
    """The score, reasons, dimensions and history cards as HTML, with what the rest of the page
    needs of the same snapshot (the dimensions, whether the person is listed and why)."""
    snapshot = selectors.score_snapshot(snapshot_id=snapshot_id)
    history = selectors.score_history(person=person, since=since)
    reasons = _reasons(snapshot)
    bar_chart = charts.bar_chart([(key, getattr(snapshot, key)) for key in engine.DIMENSIONS])
    is_listed = bool(snapshot.reasons) and snapshot.reasons[0]["code"] == engine.BLACKLIST_ACTIVE
    dimensions = _dimensions(snapshot, bar_chart)
    context = {
        "snapshot": snapshot,
        "gauge": charts.gauge(snapshot.score),
        "bands": _bands(snapshot.score),
        "next_band": charts.next_band(snapshot.score),
        "change": _change(history, snapshot),
        "model_changed_from": selectors.score_model_change(snapshot=snapshot),
        "dimensions": dimensions,
        "bar_chart": bar_chart,
        "lowering": [reason for reason in reasons if reason["direction"] == engine.LOWERS],
        "raising": [reason for reason in reasons if reason["direction"] == engine.RAISES],
        "is_listed": is_listed,
        "history": _history(history, today=today),
        "profile_url": reverse("profile:show"),
    }
    return {
        "score_cards": render_to_string("scoring/includes/score_cards.html", context),
        "dimension_history_card": render_to_string(
            "scoring/includes/dimension_history.html",
            {"dims": _dimension_history(person=person, since=since, today=today)},
        ),
        "dimensions": dimensions,
        "is_listed": is_listed,
        "listing_reason": reasons[0] if is_listed else None,
    }


def _dimension_history(
    *, person: User, since: datetime.date, today: datetime.date
) -> dict[str, object] | None:
    """The chart of each dimension's sub-score over the year and a legend row per dimension."""
    series = selectors.sub_score_history(person=person, since=since)
    if not series:
        return None
    chart = charts.dimension_chart(series, keys=engine.DIMENSIONS, start=since, end=today)
    return {
        "chart": chart,
        "legend": [{"line": line, "name": DIMENSION_NAMES[line.key]} for line in chart.lines],
        "total_first": series[0][1]["score"],
        "total_latest": series[-1][1]["score"],
    }


@dataclasses.dataclass(frozen=True)
class PersonData:
    """What the dashboard shows of the person's own data, as of a day."""

    features: engine.Features
    listings: list[BlacklistEntry]
    bills: list[dict[str, object]]
    rent_payments: list[dict[str, object]]
    credit_line: CreditLine | None
    disputes: list[Dispute]
    switches: dict[str, SourceConsent]


def _person_data(*, person: User, today: datetime.date) -> PersonData:
    switches = selectors.source_switches(person=person)
    return PersonData(
        # The features leave out the sources switched off: the switches just read, not read again.
        features=selectors.features_for_person(person=person, as_of=today, switches=switches),
        listings=selectors.blacklist_entries_active(person=person, on=today),
        bills=_bill_rows(selectors.bills_recent(person=person, as_of=today), today=today),
        rent_payments=_bill_rows(selectors.rent_payments_recent(person=person, as_of=today), today=today),
        credit_line=selectors.credit_line_latest(person=person),
        disputes=selectors.disputes_of(person=person),
        switches=switches,
    )


def _sources_off(*, switches: dict[str, SourceConsent], written_at: str | None) -> list[dict[str, object]]:
    """The sources the person switched off, and whether the score shown already leaves them out."""
    labels = dict(DataSource.choices)
    return [
        {
            "label": labels[switch.source],
            "changed_at": switch.changed_at,
            # A snapshot written before the switch still counts the source; the next one will not.
            "from_next": written_at is None
            or datetime.datetime.fromisoformat(written_at) < switch.changed_at,
        }
        for switch in switches.values()
        if not switch.is_enabled
    ]


@consumer_required
def opt_in(request: AuthenticatedHttpRequest) -> HttpResponse:
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
    if back := _safe_next(request, request.POST.get("next")):
        messages.success(request, _("You are opted in. Here is the perk you were looking at."))
        return redirect(back)
    messages.success(request, _("You are opted in. Here is your credit score."))
    return redirect("scoring:dashboard")


@consumer_required
def opt_out(request: AuthenticatedHttpRequest) -> HttpResponse:
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
def dispute_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    person = request.user
    if not _is_opted_in(consumer_profile(user=person)):
        return redirect("scoring:dashboard")
    form = DisputeForm(
        request.POST,
        listings=selectors.blacklist_entries_active(person=person),
        bills=selectors.bills_disputable(person=person, as_of=services.today()),
    )
    if form.is_valid():
        try:
            dispute = services.dispute_create(person=person, **form.dispute())
        except ValidationError as error:
            form_errors_add(form, error)
        else:
            messages.success(
                request,
                _("We have received your dispute and will answer by %(day)s.")
                % {"day": date_format(dispute.due_by, "DATE_FORMAT")},
            )
            return redirect(reverse("scoring:dashboard") + "#disputes")
    return _dashboard_page(request, dispute_form=form, status=400)


def _opt_in_page(request: HttpRequest, *, profile: ConsumerProfile | None, form: OptInForm) -> HttpResponse:
    context = {
        "form": form,
        "profile": profile,
        "consent_version": CONSENT_VERSION,
        "next": _safe_next(request, request.POST.get("next") or request.GET.get("next")),
    }
    return render(request, "scoring/opt_in.html", context)


def _safe_next(request: HttpRequest, target: str | None) -> str:
    """Where to return after opting in (the perk the person came from): a path on this site only,
    never another host (no open redirect)."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return ""
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=False):
        return ""
    return target


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
            "points_without_listing": reason.get("points_without_listing"),
            "text": engine.reason_text(reason["code"], reason["direction"], reason.get("params", {})),
            "advice": engine.reason_advice(reason["code"], reason["direction"]),
            "link": profile_link(PROFILE_SECTIONS[reason["code"]])
            if reason["code"] in PROFILE_SECTIONS
            else "",
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
        rows.append(
            {
                "bill": bill,
                "status": status,
                "days": days,
                "key": dispute_key(bill),
                "disputable": status in ("late", "overdue"),
            }
        )
    return rows


def _simulation(*, person: User, form: WhatIfForm, features: engine.Features) -> dict[str, object] | None:
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


# --- The profile: identity, declared facts, contacts and data sources ---------------------------


@consumer_required
def profile(request: AuthenticatedHttpRequest) -> HttpResponse:
    return _profile_page(request)


def _profile_page(
    request: AuthenticatedHttpRequest,
    *,
    identity_form: IdentityForm | None = None,
    declaration_form: DeclarationForm | None = None,
    status: int = 200,
) -> HttpResponse:
    person = request.user
    profile_row = consumer_profile(user=person)
    opted_in = _is_opted_in(profile_row)
    identity = account_selectors.identity_of(user=person)
    declaration = selectors.declaration_of(person=person)
    snapshot = selectors.score_current(person=person) if opted_in else None
    switches = selectors.source_switches(person=person)
    contacts = selectors.contacts_of(person=person)
    can_submit = identity is None or identity.status != RealNameIdentity.Status.VERIFIED
    if declaration_form is None:
        declaration_form = DeclarationForm(
            initial={
                "education": declaration.education,
                "address": declaration.address,
                "address_since": declaration.address_since,
            }
            if declaration
            else None
        )
    context = {
        "opted_in": opted_in,
        "identity": identity,
        "identity_status": identity.status if identity else RealNameIdentity.Status.UNVERIFIED,
        "identity_form": (identity_form or IdentityForm()) if can_submit else None,
        "facts": selectors.identity_facts_of(person=person),
        "declaration": declaration,
        "declaration_form": declaration_form,
        "declared_worth": _declared_worth(person=person, declaration=declaration) if opted_in else None,
        "contacts": contacts,
        "contacts_confirmed": sum(1 for contact in contacts if contact.status == Contact.Status.CONFIRMED),
        "sources": [
            {
                "key": key,
                "label": label,
                "enabled": key not in switches or switches[key].is_enabled,
                "changed_at": switches[key].changed_at if key in switches else None,
                "from_next": key in switches
                and (snapshot is None or snapshot.updated_at < switches[key].changed_at),
            }
            for key, label in DataSource.choices
        ],
        "model_version": selectors.scoring_model_active().version,
        "notification_form": NotificationSettingsForm.for_settings(
            notification_selectors.notification_settings_of(person=person)
        ),
        "notification_kinds_required": notification_selectors.notification_kinds_required(),
    }
    return render(request, "scoring/profile.html", context, status=status)


def _declared_worth(*, person: User, declaration: Declaration | None) -> dict[str, int] | None:
    """What the declared education and address would add today if a partner verified them."""
    if declaration is None:
        return None
    features = selectors.features_for_person(person=person, as_of=services.today())
    changes: dict[str, object] = {}
    if declaration.education and declaration.education != features.education:
        changes["education"] = declaration.education
    if declaration.address_since is not None:
        years = selectors.months_between(declaration.address_since, services.today()) // 12
        if features.address_years is None or years > features.address_years:
            changes["address_years"] = years
    if not changes:
        return None
    # Declared facts are no lever of the simulator (nothing a person does makes them count): what
    # each would add is the engine's one-factor answer for the active model.
    scorecard = selectors.scorecard_of(model=selectors.scoring_model_active())
    current = engine.compute(features, scorecard).score
    return {
        key: engine.simulate(features, scorecard, **{key: value}).score - current
        for key, value in changes.items()
    }


@consumer_required
@require_POST
def profile_identity(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = IdentityForm(request.POST)
    if wait := address_limit_wait(request, IdentitySubmitThrottle):
        form.is_valid()
        form.add_error(None, too_many_attempts_message(wait))
        response = _profile_page(request, identity_form=form, status=429)
        response["Retry-After"] = str(wait)
        return response
    if not form.is_valid():
        return _profile_page(request, identity_form=form, status=400)
    try:
        identity = services.real_name_submit(user=request.user, **form.cleaned_data)
    except IdentityTaken as refusal:
        form.add_error("id_number", str(refusal.message))
        return _profile_page(request, identity_form=form, status=refusal.status_code)
    except ValidationError as error:
        form_errors_add(form, error)
        return _profile_page(request, identity_form=form, status=400)
    if identity.is_verified:
        messages.success(request, _("Your real name is verified. You can claim perks now."))
    else:
        messages.success(
            request, _("Thank you. An identity partner is checking your details; this page shows the answer.")
        )
    return redirect(profile_link("identity"))


@consumer_required
@require_POST
def profile_declaration(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = DeclarationForm(request.POST)
    if form.is_valid():
        try:
            services.declaration_save(person=request.user, **form.cleaned_data)
        except ValidationError as error:
            form_errors_add(form, error)
        else:
            messages.success(request, _("Saved. It is shown as self-declared."))
            return redirect(profile_link("declared"))
    return _profile_page(request, declaration_form=form, status=400)


@consumer_required
@require_POST
def profile_contact(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    contact = get_object_or_404(Contact, pk=pk, person=request.user)
    form = ContactDecisionForm(request.POST)
    if not form.is_valid():
        return redirect(profile_link("contacts"))
    confirm = form.cleaned_data["decision"] == "confirm"
    services.contact_decide(person=request.user, contact=contact, confirm=confirm)
    if confirm:
        messages.success(request, _("Contact confirmed. It counts toward your score from now on."))
    else:
        messages.success(request, _("Marked as not your contact. It does not count."))
    return redirect(profile_link("contacts"))


@consumer_required
@require_POST
def profile_source(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = SourceSwitchForm(request.POST)
    if not form.is_valid():
        return redirect(profile_link("sources"))
    services.source_consent_set(person=request.user, **form.cleaned_data)
    if form.cleaned_data["enabled"]:
        messages.success(request, _("Switched on. This data counts again from the next recompute."))
    else:
        messages.success(
            request,
            _("Switched off. This data stops counting from the next recompute (tonight at the latest)."),
        )
    return redirect(profile_link("sources"))
