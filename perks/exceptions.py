"""The refusals of the perks services, one class per reason, each with a stable code.

Interfaces map them to what the person sees: the API to the statuses and codes of
shared/api.md (see ``perks/apis.py``), the HTML pages to messages.
"""

from django.utils.translation import gettext_lazy as _


class PerksError(Exception):
    """A claim or share refused for a reason the person can act on."""

    code = "error"
    message = _("This cannot be done.")

    def __init__(self, message: str | None = None) -> None:
        super().__init__(str(message or self.message))
        self.message = message or self.message


class NotActive(PerksError):
    code = "not_active"
    message = _("This promotion is not running at the moment.")


class NotEligible(PerksError):
    code = "not_eligible"
    message = _("You do not meet this promotion's conditions yet.")

    def __init__(self, unmet: list[str]) -> None:
        super().__init__()
        self.unmet = unmet


class SoldOut(PerksError):
    code = "sold_out"
    message = _("None left: this promotion is sold out.")


class LimitReached(PerksError):
    code = "limit_reached"
    message = _("You have already claimed this promotion as often as it allows.")


class IdempotencyMismatch(PerksError):
    code = "idempotency_mismatch"
    message = _("This Idempotency-Key was already used for a different request.")


class NotOptedIn(PerksError):
    code = "not_opted_in"
    message = _("Opt in to scoring first.")
