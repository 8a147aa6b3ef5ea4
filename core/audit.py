"""The append-only audit trail: every service that changes something people rely on calls this."""

from django.contrib.auth.models import AnonymousUser
from django.db import models

from .models import AuditEntry


def audit_record(
    *,
    actor: models.Model | AnonymousUser | None,
    action: str,
    target: models.Model,
    changes: dict | None = None,
) -> AuditEntry:
    """Write one audit entry, e.g. audit_record(actor=user, action="promotion.activate", target=promotion)."""
    user = actor if getattr(actor, "is_authenticated", False) else None
    return AuditEntry.objects.create(
        actor=user,
        actor_label=user.get_username() if user is not None else "system",
        action=action,
        target_type=target._meta.label_lower,
        target_id=str(target.pk),
        target_label=str(target)[:200],
        changes=_json_safe(changes or {}),
    )


def _json_safe(value: object) -> object:
    if isinstance(value, dict):
        return {str(key): _json_safe(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(item) for item in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)
