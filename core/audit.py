"""The append-only audit trail: every service that changes something people rely on calls this."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import AnonymousUser
from django.contrib.contenttypes.models import ContentType
from django.db import models

from .models import AuditEntry

if TYPE_CHECKING:
    # The AUTH_USER_MODEL, named without importing the accounts app (see core.requests).
    from django.contrib.auth.models import _User


def audit_record(
    *,
    actor: _User | AnonymousUser | None,
    action: str,
    target: models.Model,
    changes: dict | None = None,
) -> AuditEntry:
    """Write one audit entry, e.g. audit_record(actor=user, action="promotion.activate", target=promotion)."""
    user = None if isinstance(actor, AnonymousUser) else actor
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


# What an erased person's entries say instead of their username or their objects' labels.
ERASED_LABEL = "erased account"


def audit_pseudonymise(*, user: _User, targets: Sequence[models.Model]) -> None:
    """Strip a deleted person from the trails (ours and the admin's): entries stay (what was done,
    when), but no longer say who they were or what they wrote. Their own actions and entries
    about their login lose the username; entries about their objects (disputes with free text,
    listings naming a court case) also lose their changes."""
    about_user = models.Q(target_type=user._meta.label_lower, target_id=str(user.pk))
    about_objects = models.Q(pk__in=[])
    for target in targets:
        about_objects |= models.Q(target_type=target._meta.label_lower, target_id=str(target.pk))
    AuditEntry.objects.filter(about_objects).update(target_label="", changes={"erased": True})
    AuditEntry.objects.filter(about_user).update(target_label="")
    AuditEntry.objects.filter(actor=user).update(actor_label=ERASED_LABEL)
    admin_about = models.Q(content_type=ContentType.objects.get_for_model(user), object_id=str(user.pk))
    for target in targets:
        admin_about |= models.Q(
            content_type=ContentType.objects.get_for_model(target), object_id=str(target.pk)
        )
    LogEntry.objects.filter(admin_about).update(object_repr=ERASED_LABEL, change_message="")
