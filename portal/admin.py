"""The admin's User page, as portal needs it: deleting a consumer there erases them exactly as
their own deletion does (portal.services.account_erase), so no trail or log keeps their name.
The delete page refuses a person whose records the admin may not delete (snapshots, audit
entries); the "erase" action is the way staff delete such a person on request."""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest

from accounts.admin import PortalUserAdmin
from accounts.models import MerchantStaff, User
from core.requests import signed_in_user

from . import services


class ErasingUserAdmin(PortalUserAdmin):
    actions = ["erase_consumers"]

    @admin.action(description="Erase the selected people and their data (as their own deletion)")
    def erase_consumers(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        erased = 0
        for user in queryset:
            try:
                services.account_erase(user=user, actor=signed_in_user(request))
            except ValidationError as exc:
                messages.error(request, f"{user.get_username()}: {' '.join(exc.messages)}")
            else:
                erased += 1
        if erased:
            messages.success(request, f"Erased {erased} account(s).")

    def delete_model(self, request: HttpRequest, obj: User) -> None:
        if obj.is_staff or obj.is_superuser or MerchantStaff.objects.filter(user=obj).exists():
            super().delete_model(request, obj)
            return
        try:
            services.account_erase(user=obj, actor=signed_in_user(request))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        for user in queryset:
            self.delete_model(request, user)


admin.site.unregister(User)
admin.site.register(User, ErasingUserAdmin)
