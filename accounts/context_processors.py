from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from core.notifications import selectors as notification_selectors

from . import selectors


def roles(request: HttpRequest) -> dict:
    """What the navigation needs to know about who is looking (the unread count only if shown)."""
    role = selectors.role_of(user=request.user)
    context: dict[str, object] = {"role": role}
    if role == "consumer":
        user = request.user
        context["unread_notifications"] = SimpleLazyObject(
            lambda: notification_selectors.notifications_unread_count(person=user)  # type: ignore[arg-type]
        )
    return context
