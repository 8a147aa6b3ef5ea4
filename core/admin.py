import re

from django.contrib import admin
from django.contrib.admin.models import LogEntry
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models.constants import LOOKUP_SEP
from django.http import HttpRequest

from .models import AuditEntry, OutboxMessage

# Fields whose value the admin must never reveal: password hashes, key and token hashes, bearer
# tokens, signing secrets. Matched by name so that a field added or renamed later
# (token_hash, secret_encrypted) is covered without anyone remembering this list.
SECRET_FIELD_NAME = re.compile(r"password|secret|token|hash")


def lookup_touches_secret(model: type[models.Model], lookup: str) -> bool:
    """Whether a changelist lookup (e.g. "person__password__startswith") reads a secret field."""
    for part in lookup.split(LOOKUP_SEP):
        try:
            field = model._meta.get_field(part)
        except FieldDoesNotExist:
            return False  # the rest are transforms and lookups ("startswith", "exact")
        if not field.is_relation:
            return bool(SECRET_FIELD_NAME.search(field.name))
        if not isinstance(field.related_model, type):
            return False  # a generic relation names no model to follow; Django's own check decides
        model = field.related_model
    return False


class SecretLookupGuard(admin.ModelAdmin):
    """Refuses changelist lookups on secret fields (?key_hash__startswith=ab would reveal a hash
    character by character); every ModelAdmin of the portal carries it. A refused lookup is
    Django's DisallowedModelAdminLookup, a 400."""

    def lookup_allowed(self, lookup: str, value: str, request: HttpRequest | None = None) -> bool:
        # Django 5.2's signature, request optional; the changelist always passes it.
        if lookup_touches_secret(self.model, lookup):
            return False
        return super().lookup_allowed(lookup, value, request)


class PortalModelAdmin(SecretLookupGuard):
    """The base of every admin class here (admin.ModelAdmin with the secret-lookup guard)."""


class ReadOnlyAdmin(PortalModelAdmin):
    """Records that are made by the system and only looked at by people."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "actor_label", "action", "target_type", "target_label"]
    list_filter = ["action", "target_type"]
    search_fields = ["actor_label", "target_label", "target_id", "action"]
    date_hierarchy = "created_at"


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ReadOnlyAdmin):
    list_display = ["id", "task_name", "args", "attempts", "sent_at", "created_at", "last_error"]
    list_filter = ["task_name", ("sent_at", admin.EmptyFieldListFilter)]


@admin.register(LogEntry)
class LogEntryAdmin(ReadOnlyAdmin):
    """Every add, change and delete made through this admin, and by whom.

    Django writes these for the admin's own forms; the admin's actions (approve a merchant,
    activate a model, answer a dispute) call services that write AuditEntry with the admin as
    actor. Shown here rather than copied into AuditEntry, so no ModelAdmin can forget to log.
    """

    list_display = ["action_time", "user", "action_flag", "content_type", "object_repr", "change_message"]
    list_filter = ["action_flag", "content_type"]
    search_fields = ["object_repr", "object_id", "user__username", "change_message"]
    list_select_related = ["user", "content_type"]
    date_hierarchy = "action_time"


def _guard_registered_admins(site: admin.AdminSite) -> None:
    # The admin classes of the libraries installed before this app (auth's groups, axes' access
    # logs with their session hashes, celery beat's tasks) get the same guard; the portal's own
    # apps, installed after this one, subclass PortalModelAdmin.
    for model, model_admin in list(site._registry.items()):
        if isinstance(model_admin, SecretLookupGuard):
            continue
        guarded = type(f"Guarded{type(model_admin).__name__}", (SecretLookupGuard, type(model_admin)), {})
        site.unregister(model)
        site.register(model, guarded)


_guard_registered_admins(admin.site)
