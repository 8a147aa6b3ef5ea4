import datetime
from collections.abc import Callable

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from core.admin import PortalModelAdmin
from core.requests import signed_in_user
from scoring.admin import ScoringModelAdmin
from scoring.models import ScoringModel

from . import services, webhooks
from .models import Claim, CounterCheck, Promotion, Share, WebhookDelivery, WebhookEndpoint


@admin.register(Promotion)
class PromotionAdmin(PortalModelAdmin):
    list_display = ["title", "merchant", "category", "min_score", "stock", "status", "starts_at", "ends_at"]
    list_filter = ["status", "category", "benefit_type", "merchant"]
    search_fields = ["title", "title_zh", "merchant__name"]
    list_select_related = ["merchant"]
    date_hierarchy = "starts_at"
    actions = ["pause", "end"]

    # Merchants write promotions through the services (validation, stock, transitions); the
    # platform reads them here and can pause or end one that breaks the rules.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def get_readonly_fields(self, request: HttpRequest, obj: Promotion | None = None) -> list[str]:
        return [field.name for field in Promotion._meta.fields]

    def _transition(
        self, request: HttpRequest, queryset: QuerySet[Promotion], action: Callable[..., Promotion]
    ) -> None:
        actor = signed_in_user(request)
        for promotion in queryset:
            try:
                action(promotion=promotion, actor=actor)
            except ValidationError as exc:
                self.message_user(request, f"{promotion}: {' '.join(exc.messages)}", messages.WARNING)

    @admin.action(description=_("Pause the selected promotions"))
    def pause(self, request: HttpRequest, queryset: QuerySet[Promotion]) -> None:
        self._transition(request, queryset, services.promotion_pause)

    @admin.action(description=_("End the selected promotions"))
    def end(self, request: HttpRequest, queryset: QuerySet[Promotion]) -> None:
        self._transition(request, queryset, services.promotion_end)

    @admin.display(description=_("remaining / quantity"))
    def stock(self, promotion: Promotion) -> str | Promise:
        if promotion.quantity is None:
            return _("unlimited")
        return f"{promotion.remaining} / {promotion.quantity}"


COUNTER_CHECK_FIELDS = ("merchant", "checked_at", "outcome")


class CounterCheckInline(admin.TabularInline):
    model = CounterCheck
    extra = 0
    can_delete = False
    fields = COUNTER_CHECK_FIELDS
    readonly_fields = COUNTER_CHECK_FIELDS

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Claim)
class ClaimAdmin(PortalModelAdmin):
    list_display = ["code", "promotion", "person", "status", "claimed_at", "pickup_deadline", "due_back"]
    list_filter = ["status", "promotion__merchant"]
    search_fields = ["code", "person__username", "person__email", "promotion__title"]
    list_select_related = ["promotion__merchant", "person"]
    date_hierarchy = "claimed_at"
    inlines = [CounterCheckInline]
    # A claim's record is evidence for both sides: the admin reads it, the services write it.
    readonly_fields = [
        "promotion",
        "person",
        "code",
        "status",
        "benefit",
        "claimed_at",
        "pickup_deadline",
        "verified_at",
        "due_back",
        "closed_at",
        "idempotency_key",
        "request_fingerprint",
        "counter_conditions",
        "created_at",
        "updated_at",
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(Share)
class ShareAdmin(PortalModelAdmin):
    list_display = ["person", "show", "created_at", "expires_at", "revoked_at"]
    list_filter = ["show"]
    search_fields = ["person__username"]
    list_select_related = ["person"]
    # Only the token's hash is stored; even that stays out of sight (and out of lookups).
    exclude = ["token_hash"]
    readonly_fields = ["person", "show", "expires_at", "revoked_at", "created_at", "updated_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(CounterCheck)
class CounterCheckAdmin(PortalModelAdmin):
    list_display = ["claim", "merchant", "checked_at", "outcome"]
    list_filter = ["outcome", "merchant"]
    search_fields = ["claim__code", "merchant__name"]
    list_select_related = ["claim", "merchant"]
    readonly_fields = ["claim", "merchant", "checked_at", "outcome", "created_at", "updated_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet[CounterCheck]:
        return super().get_queryset(request).select_related("claim", "merchant")


class FailingFilter(admin.SimpleListFilter):
    """Endpoints whose deliveries failed for good lately (the admin's landing page links here)."""

    title = _("failing")
    parameter_name = "failing"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [("week", str(_("A delivery failed this week")))]

    def queryset(
        self, request: HttpRequest, queryset: QuerySet[WebhookEndpoint]
    ) -> QuerySet[WebhookEndpoint]:
        if self.value() != "week":
            return queryset
        since = timezone.localdate() - datetime.timedelta(days=webhooks.FAILING_WINDOW_DAYS)
        return queryset.filter(pk__in=webhooks.webhook_endpoints_failing(since=since).values("pk"))


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(PortalModelAdmin):
    list_display = ["url", "merchant", "is_active", "created_at", "disabled_at"]
    list_filter = [FailingFilter, "is_active", "merchant"]
    search_fields = ["url", "merchant__name"]
    list_select_related = ["merchant"]
    # The signing secret is the merchant's alone: shown once to them, never here.
    exclude = ["secret"]
    readonly_fields = [
        "merchant",
        "url",
        "description",
        "is_active",
        "disabled_at",
        "created_at",
        "updated_at",
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(PortalModelAdmin):
    list_display = ["event", "endpoint", "status", "attempts", "response_code", "created_at", "delivered_at"]
    list_filter = ["status", "event"]
    search_fields = ["endpoint__url", "endpoint__merchant__name"]
    list_select_related = ["endpoint"]
    date_hierarchy = "created_at"
    readonly_fields = [
        "endpoint",
        "event",
        "event_id",
        "payload",
        "status",
        "attempts",
        "response_code",
        "last_error",
        "next_attempt_at",
        "delivered_at",
        "created_at",
        "updated_at",
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


# A scoring model's shadow report names the live promotions each threshold would move. Promotions
# live here, above scoring, so the scoring model's admin is registered again from this floor with
# that one addition (INSTALLED_APPS lists perks after scoring, so scoring's admin exists by now).
class ScoringModelWithPromotionsAdmin(ScoringModelAdmin):
    def promotions_by_threshold(self) -> dict[int, list[str]]:
        by_threshold: dict[int, list[str]] = {}
        for title, min_score in (
            Promotion.objects.live().order_by("min_score", "title").values_list("title", "min_score")
        ):
            by_threshold.setdefault(min_score, []).append(title)
        return by_threshold


admin.site.unregister(ScoringModel)
admin.site.register(ScoringModel, ScoringModelWithPromotionsAdmin)
