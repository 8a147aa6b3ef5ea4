from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest

from . import services
from .models import ConsumerProfile, Merchant, MerchantStaff, User


class ConsumerProfileInline(admin.StackedInline):
    model = ConsumerProfile
    can_delete = False
    readonly_fields = ["score", "score_as_of", "opted_in_at", "opted_out_at", "consent_version"]


@admin.register(User)
class PortalUserAdmin(UserAdmin):
    list_display = ["username", "email", "is_staff", "is_active", "date_joined"]
    inlines = [ConsumerProfileInline]


@admin.register(ConsumerProfile)
class ConsumerProfileAdmin(admin.ModelAdmin):
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
class MerchantAdmin(admin.ModelAdmin):
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
            services.merchant_approve(merchant=merchant, actor=request.user)
        self.message_user(request, f"Approved {len(queryset)} merchant(s).", messages.SUCCESS)

    @admin.action(description="Reject the selected merchants")
    def reject(self, request: HttpRequest, queryset: QuerySet[Merchant]) -> None:
        for merchant in queryset:
            services.merchant_reject(merchant=merchant, actor=request.user)
        self.message_user(request, f"Rejected {len(queryset)} merchant(s).", messages.WARNING)


@admin.register(MerchantStaff)
class MerchantStaffAdmin(admin.ModelAdmin):
    list_display = ["user", "merchant", "role", "created_at"]
    list_filter = ["role", "merchant"]
    search_fields = ["user__username", "merchant__name"]
    list_select_related = ["user", "merchant"]
    raw_id_fields = ["user"]
