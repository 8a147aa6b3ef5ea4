"""The newest unread notifications, for the dashboard's notices (the inbox has them all)."""

from django import template

from core.notifications import selectors as notification_selectors

register = template.Library()

NOTICES_SHOWN = 3


@register.simple_tag(takes_context=True)
def unread_notices(context: template.Context) -> list[notification_selectors.ShownNotification]:
    """``{% unread_notices as notices %}``: up to three unread notifications, newest first, in one query."""
    request = context.get("request")
    if request is None or not request.user.is_authenticated:
        return []
    unread = notification_selectors.notifications_for_person(person=request.user).filter(read_at__isnull=True)
    return notification_selectors.notifications_shown(list(unread[:NOTICES_SHOWN]))
