"""The five dimensions as people read them, in engine.DIMENSIONS order: the one place for their
names (dashboard, console, conditions) and plain-words summaries (dashboard)."""

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .engine import DIMENSIONS

DIMENSION_NAMES: dict[str, Promise] = {
    "credit_history": _("Credit history"),
    "fulfilment_capacity": _("Fulfilment capacity"),
    "behaviour": _("Behaviour and preferences"),
    "identity": _("Identity and characteristics"),
    "connections": _("Connections"),
}
DIMENSION_SUMMARIES: dict[str, Promise] = {
    "credit_history": _("Bills, credit lines, utilities and fines paid on time."),
    "fulfilment_capacity": _("Your ability to pay: balances, rentals kept up, your credit line."),
    "behaviour": _("How actively you use your account: purchases and active days."),
    "identity": _("Verified name and contact details, a stable address."),
    "connections": _("Your confirmed contacts. Nobody loses points because of their friends."),
}
DIMENSION_CHOICES: list[tuple[str, Promise]] = [(key, DIMENSION_NAMES[key]) for key in DIMENSIONS]
