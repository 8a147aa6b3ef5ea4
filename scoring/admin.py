import datetime
from collections.abc import Callable

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext

from accounts.models import RealNameIdentity
from core.admin import PortalModelAdmin, ReadOnlyAdmin
from core.requests import signed_in_user

from . import charts, selectors, services
from .models import (
    Balance,
    Bill,
    BlacklistEntry,
    Contact,
    CreditLine,
    Dispute,
    Identity,
    IngestedEvent,
    ModelMonitoring,
    Partner,
    Purchase,
    RecomputeChunk,
    RecomputeRun,
    ScoreSnapshot,
    ScoringModel,
)
from .selectors import validate_parameters

PERSON_SEARCH = ["person__username", "person__email"]


@admin.register(Partner)
class PartnerAdmin(PortalModelAdmin):
    list_display = ["name", "slug", "key_prefix", "is_active", "verifies_identity", "created_at"]
    list_filter = ["is_active", "verifies_identity"]
    search_fields = ["name", "slug"]
    readonly_fields = ["key_prefix", "key_hash", "is_active"]
    prepopulated_fields = {"slug": ["name"]}
    actions = ["issue_key", "revoke_key"]

    @admin.action(description="Issue a new API key (shown once)")
    def issue_key(self, request: HttpRequest, queryset: QuerySet[Partner]) -> HttpResponse:
        actor = signed_in_user(request)
        issued = [(partner, services.partner_key_issue(partner=partner, actor=actor)) for partner in queryset]
        # Shown on this page only: a message would carry the keys in the messages cookie, readable
        # in the browser's storage and sent back with every request until shown. No cache may
        # keep the page either.
        response = TemplateResponse(
            request,
            "admin/scoring/partner/keys_issued.html",
            {**self.admin_site.each_context(request), "opts": self.model._meta, "issued": issued},
        )
        add_never_cache_headers(response)
        return response

    @admin.action(description="Revoke the API key")
    def revoke_key(self, request: HttpRequest, queryset: QuerySet[Partner]) -> None:
        for partner in queryset:
            services.partner_key_revoke(partner=partner, actor=signed_in_user(request))
        self.message_user(request, f"Revoked {len(queryset)} key(s).", messages.SUCCESS)


@admin.register(IngestedEvent)
class IngestedEventAdmin(ReadOnlyAdmin):
    list_display = ["external_id", "partner", "kind", "person", "received_at"]
    list_filter = ["kind", "partner"]
    search_fields = [*PERSON_SEARCH, "external_id"]
    list_select_related = ["partner", "person"]


@admin.register(Bill)
class BillAdmin(PortalModelAdmin):
    list_display = ["person", "kind", "issuer", "amount", "due_on", "paid_on"]
    list_filter = ["kind"]
    search_fields = [*PERSON_SEARCH, "issuer", "reference"]
    list_select_related = ["person"]
    raw_id_fields = ["person"]
    date_hierarchy = "due_on"


@admin.register(Balance)
class BalanceAdmin(PortalModelAdmin):
    list_display = ["person", "as_of", "amount"]
    search_fields = PERSON_SEARCH
    list_select_related = ["person"]
    raw_id_fields = ["person"]


@admin.register(CreditLine)
class CreditLineAdmin(PortalModelAdmin):
    list_display = ["person", "provider", "as_of", "limit", "used"]
    list_filter = ["provider"]
    search_fields = PERSON_SEARCH
    list_select_related = ["person"]
    raw_id_fields = ["person"]


@admin.register(Purchase)
class PurchaseAdmin(PortalModelAdmin):
    list_display = ["person", "occurred_on", "amount", "category"]
    search_fields = PERSON_SEARCH
    list_select_related = ["person"]
    raw_id_fields = ["person"]


@admin.register(Identity)
class IdentityAdmin(PortalModelAdmin):
    list_display = [
        "person",
        "real_name_verified",
        "education",
        "address_since",
        "phone_verified",
        "email_verified",
    ]
    list_filter = ["real_name_verified", "education", "phone_verified", "email_verified"]
    search_fields = PERSON_SEARCH
    list_select_related = ["person"]
    raw_id_fields = ["person"]


@admin.register(Contact)
class ContactAdmin(PortalModelAdmin):
    list_display = ["person", "contact", "status", "confirmed_on", "interactions_90d"]
    list_filter = ["status"]
    search_fields = PERSON_SEARCH
    list_select_related = ["person", "contact"]
    raw_id_fields = ["person", "contact"]


@admin.register(BlacklistEntry)
class BlacklistEntryAdmin(PortalModelAdmin):
    list_display = ["person", "court", "case_number", "listed_on", "ban_until", "lifted_on", "lift_reason"]
    list_filter = ["lift_reason", "court"]
    search_fields = [*PERSON_SEARCH, "court", "case_number"]
    list_select_related = ["person"]
    raw_id_fields = ["person"]
    date_hierarchy = "listed_on"


@admin.register(ScoringModel)
class ScoringModelAdmin(PortalModelAdmin):
    list_display = ["version", "status", "created_by", "approved_by", "activated_at", "created_at"]
    list_filter = ["status"]
    search_fields = ["version"]
    readonly_fields = [
        "status",
        "is_active",
        "activated_at",
        "created_by",
        "approved_by",
        "approved_at",
        "retired_at",
        "validation_report",
    ]
    exclude = ["report", "baseline"]
    actions = ["validate", "approve", "shadow", "activate", "retire"]

    def get_readonly_fields(self, request: HttpRequest, obj: ScoringModel | None = None) -> list[str]:
        # A version is immutable once saved: snapshots must stay reproducible.
        return [*self.readonly_fields, "version", "parameters"] if obj else self.readonly_fields

    def save_model(self, request: HttpRequest, obj: ScoringModel, form: object, change: bool) -> None:
        validate_parameters(obj.parameters)
        if not change:
            # An uploaded model starts as a draft by its uploader, who may not approve it.
            obj.created_by = signed_in_user(request)
            obj.status = ScoringModel.Status.DRAFT
        super().save_model(request, obj, form, change)

    def promotions_by_threshold(self) -> dict[int, list[str]]:
        """Live promotions per score threshold, for the shadow report; perks fills it in."""
        return {}

    @admin.display(description="Validation report")
    def validation_report(self, obj: ScoringModel) -> str:
        if obj.pk is None:
            return "—"
        return render_to_string(
            "admin/scoring/scoringmodel/report.html", report_context(obj, self.promotions_by_threshold())
        )

    def _transition(
        self,
        request: HttpRequest,
        queryset: QuerySet[ScoringModel],
        move: Callable[..., ScoringModel],
        done: str,
    ) -> None:
        for model in queryset:
            try:
                move(model=model, actor=request.user)
            except ValidationError as error:
                self.message_user(request, f"{model.version}: {' '.join(error.messages)}", messages.ERROR)
            else:
                self.message_user(request, f"{model.version}: {done}", messages.SUCCESS)

    @admin.action(description="Validate (the report is attached)")
    def validate(self, request: HttpRequest, queryset: QuerySet[ScoringModel]) -> None:
        self._transition(request, queryset, services.scoring_model_validate, "validated.")

    @admin.action(description="Approve (not your own model)")
    def approve(self, request: HttpRequest, queryset: QuerySet[ScoringModel]) -> None:
        self._transition(request, queryset, services.scoring_model_approve, "approved.")

    @admin.action(description="Put in shadow (scored nightly, never shown)")
    def shadow(self, request: HttpRequest, queryset: QuerySet[ScoringModel]) -> None:
        self._transition(
            request, queryset, services.scoring_model_shadow, "in shadow from the next nightly run."
        )

    @admin.action(description="Activate the selected model")
    def activate(self, request: HttpRequest, queryset: QuerySet[ScoringModel]) -> None:
        if queryset.count() != 1:
            self.message_user(request, "Select exactly one model to activate.", messages.ERROR)
            return
        self._transition(request, queryset, services.scoring_model_activate, "now makes every new score.")

    @admin.action(description="Retire")
    def retire(self, request: HttpRequest, queryset: QuerySet[ScoringModel]) -> None:
        self._transition(request, queryset, services.scoring_model_retire, "retired.")


def report_context(model: ScoringModel, promotions: dict[int, list[str]]) -> dict:
    """What the report template shows: the stored report's figures, its charts' geometry, the
    shadow report and the nightly watch."""
    report = model.report or {}
    charts_data = report.get("charts", {})
    oracle = report.get("oracle") or {}
    samples = []
    for name in ("dev", "holdout", "oot"):
        figures = (report.get("samples") or {}).get(name)
        if not figures:
            continue
        data = charts_data.get(name, {})
        buckets = data.get("score_buckets") or []
        sample_charts = [
            {
                "title": gettext("Bad rate by band"),
                "chart": charts.column_chart(
                    [(row["band"], row["bad_rate"]) for row in figures["bands"]], percent=True
                ),
            }
        ]
        if buckets:
            sample_charts.insert(
                0,
                {
                    "title": gettext("Score distribution (50-point buckets)"),
                    "chart": charts.column_chart(
                        [(str(350 + 50 * i), count) for i, count in enumerate(buckets)]
                    ),
                },
            )
        samples.append(
            {
                "name": name,
                "figures": figures,
                "oracle": figures.get("oracle_auc", oracle.get(name)),
                "roc": charts.roc_chart(data["roc"]) if data.get("roc") else None,
                "charts": sample_charts,
            }
        )
    constraint = report.get("constraint")
    constraint_rows = None
    if constraint:
        constraint_rows = {
            "weights": [
                {
                    "dimension": dimension,
                    "published": published,
                    "achieved": constraint["achieved_weights"].get(dimension),
                    "free": constraint["free_weights"].get(dimension),
                }
                for dimension, published in constraint["published_weights"].items()
            ],
            "auc": list(constraint["auc"].items()),
        }
    shadow = selectors.shadow_report(model=model)
    if shadow is not None:
        for row in shadow["thresholds"]:
            row["promotions"] = promotions.get(row["min_score"], [])
    return {
        "model": model,
        "report": report,
        "samples": samples,
        "constraint": constraint_rows,
        "shadow": shadow,
        "shadow_runs": services.shadow_runs_done(model=model),
        "shadow_runs_required": services.SHADOW_RUNS_REQUIRED,
        "monitoring": selectors.model_monitoring_history(model=model),
    }


@admin.register(ModelMonitoring)
class ModelMonitoringAdmin(ReadOnlyAdmin):
    """The nightly watch, one row per night: PSI of the scores, CSI per characteristic, flags."""

    list_display = ["night", "model", "people", "psi", "psi_flag", "flag"]
    list_filter = ["flag", "model"]
    list_select_related = ["run", "model"]

    @admin.display(description="Night", ordering="run__as_of")
    def night(self, obj: ModelMonitoring) -> object:
        return obj.run.as_of


@admin.register(ScoreSnapshot)
class ScoreSnapshotAdmin(ReadOnlyAdmin):
    list_display = ["person", "as_of", "score", "band", "model"]
    list_filter = ["band", "model", "as_of"]
    search_fields = PERSON_SEARCH
    list_select_related = ["person", "model"]
    date_hierarchy = "as_of"


class RecomputeChunkInline(admin.TabularInline):
    model = RecomputeChunk
    extra = 0
    can_delete = False
    readonly_fields = [
        "first_person_id",
        "last_person_id",
        "status",
        "people",
        "attempts",
        "error",
        "dispatched_at",
        "finished_at",
    ]

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(RecomputeRun)
class RecomputeRunAdmin(ReadOnlyAdmin):
    list_display = [
        "as_of",
        "status",
        "progress",
        "people_failed",
        "is_late",
        "model",
        "started_at",
        "finished_at",
    ]
    list_filter = ["status", "is_late"]
    inlines = [RecomputeChunkInline]

    @admin.display(description="progress")
    def progress(self, run: RecomputeRun) -> str:
        if not run.people_total:
            return "-"
        return f"{run.people_done}/{run.people_total} ({100 * run.people_done // run.people_total}%)"


# --- Disputes (the consumer dashboard's section) --------------------------------------------


class DeadlineFilter(admin.SimpleListFilter):
    """Open disputes by their 20-day deadline (the admin's landing page links here)."""

    title = "deadline"
    parameter_name = "deadline"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [("overdue", "Overdue"), ("due_soon", f"Due within {services.DISPUTE_DUE_SOON_DAYS} days")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Dispute]) -> QuerySet[Dispute]:
        today = services.today()
        open_disputes = queryset.filter(status=Dispute.Status.OPEN)
        if self.value() == "overdue":
            return open_disputes.filter(due_by__lt=today)
        if self.value() == "due_soon":
            return open_disputes.filter(
                due_by__gte=today, due_by__lte=today + datetime.timedelta(days=services.DISPUTE_DUE_SOON_DAYS)
            )
        return queryset


@admin.register(Dispute)
class DisputeAdmin(PortalModelAdmin):
    """Staff answer disputes here: Accept, or write the reason in Response and Reject. Nothing is deleted."""

    list_display = ["person", "subject", "status", "due_by", "overdue", "created_at", "resolved_at"]
    list_filter = [DeadlineFilter, "status"]
    search_fields = [*PERSON_SEARCH, "signal", "blacklist_entry__case_number"]
    list_select_related = ["person", "blacklist_entry", "bill"]
    ordering = ["status", "due_by"]
    fields = [
        "person",
        "blacklist_entry",
        "bill_record",
        "signal",
        "reason",
        "status",
        "due_by",
        "resolved_at",
        "response",
    ]
    readonly_fields = [
        "person",
        "blacklist_entry",
        "bill_record",
        "signal",
        "reason",
        "status",
        "due_by",
        "resolved_at",
    ]
    actions = ["accept", "reject"]
    change_form_template = "admin/scoring/dispute/change_form.html"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # people open disputes from their dashboard

    def has_delete_permission(self, request: HttpRequest, obj: Dispute | None = None) -> bool:
        return False  # a dispute is answered, never deleted: the person keeps the answer

    def get_readonly_fields(self, request: HttpRequest, obj: Dispute | None = None) -> list[str]:
        closed = obj is not None and obj.status != Dispute.Status.OPEN
        return [*self.readonly_fields, "response"] if closed else list(self.readonly_fields)

    @admin.display(description="Disputed")
    def subject(self, dispute: Dispute) -> str:
        if dispute.blacklist_entry:
            return str(dispute.blacklist_entry)
        return self.bill_record(dispute) if dispute.bill else dispute.signal

    @admin.display(description="Bill")
    def bill_record(self, dispute: Dispute) -> str:
        """The disputed bill as reported: accepting the dispute makes it count as paid on time."""
        bill = dispute.bill
        if bill is None:
            return "—"
        paid = f"paid {bill.paid_on}" if bill.paid_on else "unpaid"
        source = f", reported by {bill.partner}" if bill.partner_id else ""
        what = f"{bill.get_kind_display()} {bill.issuer} {bill.reference}".strip()
        return f"{what}, {bill.amount} due {bill.due_on}, {paid}{source}"

    @admin.display(description="Overdue", boolean=True)
    def overdue(self, dispute: Dispute) -> bool:
        return dispute.status == Dispute.Status.OPEN and dispute.due_by < services.today()

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict | None = None,
    ) -> HttpResponse:
        """The page's Accept and Reject buttons answer through the dispute services."""
        if (
            request.method == "POST"
            and object_id
            and ("_accept" in request.POST or "_reject" in request.POST)
        ):
            return self._answer_one(request, object_id)
        return super().changeform_view(request, object_id, form_url, extra_context)

    def _answer_one(self, request: HttpRequest, object_id: str) -> HttpResponse:
        dispute = self.get_object(request, object_id)
        if dispute is None or not self.has_change_permission(request, dispute):
            raise Http404
        response = request.POST.get("response", "")
        try:
            if "_accept" in request.POST:
                services.dispute_accept(dispute=dispute, response=response, actor=signed_in_user(request))
            else:
                services.dispute_reject(dispute=dispute, response=response, actor=signed_in_user(request))
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)
            return HttpResponseRedirect(request.path)
        verb = "accepted" if "_accept" in request.POST else "rejected"
        self.message_user(request, f"Dispute by {dispute.person} {verb}.", messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:scoring_dispute_changelist"))

    @admin.action(description="Accept: lift a disputed listing as overturned and recompute the score")
    def accept(self, request: HttpRequest, queryset: QuerySet[Dispute]) -> None:
        actor = signed_in_user(request)
        self._answer(request, queryset, lambda dispute: services.dispute_accept(dispute=dispute, actor=actor))

    @admin.action(description="Reject, with the reason written in Response")
    def reject(self, request: HttpRequest, queryset: QuerySet[Dispute]) -> None:
        actor = signed_in_user(request)

        def reject_one(dispute: Dispute) -> Dispute:
            return services.dispute_reject(dispute=dispute, response=dispute.response, actor=actor)

        self._answer(request, queryset, reject_one)

    def _answer(
        self, request: HttpRequest, queryset: QuerySet[Dispute], answer: Callable[[Dispute], Dispute]
    ) -> None:
        done = 0
        for dispute in queryset.select_related("blacklist_entry", "person"):
            try:
                answer(dispute)
            except ValidationError as error:
                problem = " ".join(error.messages)
                self.message_user(request, f"Dispute {dispute.pk}: {problem}", messages.ERROR)
            else:
                done += 1
        if done:
            self.message_user(request, f"Answered {done} dispute(s).", messages.SUCCESS)


# --- Real-name identity (registered here: a decision feeds the score) ----------------------------


@admin.register(RealNameIdentity)
class RealNameIdentityAdmin(ReadOnlyAdmin):
    """Staff decide real-name requests here when no identity partner does; never the number itself."""

    list_display = ["user", "legal_name", "last4", "status", "decided_by", "submitted_at", "decided_at"]
    list_filter = ["status"]
    search_fields = ["user__username", "user__email", "legal_name", "id_last4"]
    list_select_related = ["user"]
    # The hash is left out on purpose: it identifies the person across logins and nothing more.
    fields = ["user", "legal_name", "last4", "status", "decided_by", "decision_note", "submitted_at"]
    actions = ["verify", "reject"]

    @admin.display(description="ID number")
    def last4(self, identity: RealNameIdentity) -> str:
        return f"…{identity.id_last4}"

    @admin.action(description="Verify: the name and number match the person")
    def verify(self, request: HttpRequest, queryset: QuerySet[RealNameIdentity]) -> None:
        self._decide(request, queryset, verified=True)

    @admin.action(description="Reject (or withdraw a verification)")
    def reject(self, request: HttpRequest, queryset: QuerySet[RealNameIdentity]) -> None:
        self._decide(request, queryset, verified=False)

    def _decide(self, request: HttpRequest, queryset: QuerySet[RealNameIdentity], *, verified: bool) -> None:
        done = 0
        for identity in queryset.select_related("user"):
            try:
                decided = services.real_name_decide(
                    identity=identity,
                    verified=verified,
                    decided_by=f"staff:{signed_in_user(request).get_username()}",
                    actor=signed_in_user(request),
                )
            except ValidationError as error:
                self.message_user(request, f"{identity}: {' '.join(error.messages)}", messages.ERROR)
                continue
            if verified and not decided.is_verified:
                self.message_user(request, f"{decided}: {decided.decision_note}", messages.WARNING)
            else:
                done += 1
        if done:
            self.message_user(request, f"Decided {done} request(s).", messages.SUCCESS)
