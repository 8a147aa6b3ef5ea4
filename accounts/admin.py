from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest

from core.admin import PortalModelAdmin, SecretLookupGuard
from core.requests import signed_in_user

from . import services
from .forms import AdminPasswordChangeForm
from .models import ApiToken, ConsumerProfile, Merchant, MerchantStaff, User


class ConsumerProfileInline(admin.StackedInline):
    model = ConsumerProfile
    can_delete = False
    readonly_fields = ["score", "score_as_of", "opted_in_at", "opted_out_at", "consent_version"]


@admin.register(User)
class PortalUserAdmin(SecretLookupGuard, UserAdmin):
    list_display = ["username", "email", "is_staff", "is_active", "date_joined"]
    inlines = [ConsumerProfileInline]
    change_password_form = AdminPasswordChangeForm


@admin.register(ConsumerProfile)
class ConsumerProfileAdmin(PortalModelAdmin):
    list_display = ["user", "is_opted_in", "score", "score_as_of", "region", "membership_tier", "opted_in_at"]
    list_filter = ["is_opted_in", "region", "membership_tier"]
    search_fields = ["user__username", "user__email"]
    list_select_related = ["user"]
    readonly_fields = [
        "score",
        "score_as_of",
        "opted_in_at",
        "opted_out_at",
        "consent_version",
        "is_opted_in",
    ]
    raw_id_fields = ["user"]


class MerchantStaffInline(admin.TabularInline):
    model = MerchantStaff
    raw_id_fields = ["user"]
    extra = 0


@admin.register(Merchant)
class MerchantAdmin(PortalModelAdmin):
    list_display = ["name", "status", "contact_email", "approved_at", "created_at"]
    list_filter = ["status"]
    search_fields = ["name", "slug", "contact_email"]
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = ["status", "approved_at"]
    inlines = [MerchantStaffInline]
    actions = ["approve", "reject"]

    @admin.action(description="Approve the selected merchants")
    def approve(self, request: HttpRequest, queryset: QuerySet[Merchant]) -> None:
        for merchant in queryset:
            services.merchant_approve(merchant=merchant, actor=signed_in_user(request))
        self.message_user(request, f"Approved {len(queryset)} merchant(s).", messages.SUCCESS)

    @admin.action(description="Reject the selected merchants")
    def reject(self, request: HttpRequest, queryset: QuerySet[Merchant]) -> None:
        for merchant in queryset:
            services.merchant_reject(merchant=merchant, actor=signed_in_user(request))
        self.message_user(request, f"Rejected {len(queryset)} merchant(s).", messages.WARNING)


@admin.register(MerchantStaff)
class MerchantStaffAdmin(PortalModelAdmin):
    list_display = ["user", "merchant", "role", "created_at"]
    list_filter = ["role", "merchant"]
    search_fields = ["user__username", "merchant__name"]
    list_select_related = ["user", "merchant"]
    raw_id_fields = ["user"]


@admin.register(ApiToken)
class ApiTokenAdmin(PortalModelAdmin):
    """People's API tokens, to see which are in use and to revoke them; never to make one (a key
    chosen here would be known to someone other than its holder)."""

    list_display = ["key_prefix", "user", "created_at", "last_used_at", "revoked_at"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["key_prefix", "user__username", "user__email"]
    list_select_related = ["user"]
    readonly_fields = ["user", "key_prefix", "key_hash", "created_at", "last_used_at", "revoked_at"]
    date_hierarchy = "created_at"
    actions = ["revoke"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: ApiToken | None = None) -> bool:
        # The list's revoke action needs the change permission; a token's own page stays read-only.
        return obj is None and super().has_change_permission(request)

    def has_delete_permission(self, request: HttpRequest, obj: ApiToken | None = None) -> bool:
        # A revoked token stays, for the record; deleting it would also erase when it was last used.
        return False

    @admin.action(description="Revoke the selected tokens", permissions=["change"])
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        tokens = list(queryset.filter(revoked_at__isnull=True))
        for token in tokens:
            services.api_token_revoke(token=token, actor=signed_in_user(request))
        self.message_user(request, f"Revoked {len(tokens)} token(s).", messages.SUCCESS)
