from django.contrib import admin
from django.contrib.admin.models import LogEntry
from django.http import HttpRequest

from .models import AuditEntry, OutboxMessage


class ReadOnlyAdmin(admin.ModelAdmin):
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
