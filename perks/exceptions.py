"""The refusals of the perks services, one class per reason, each with a stable code.

Each also names the HTTP status shared/api.md gives it: the one map from refusal to status, which
the API and the HTML pages both answer with (the pages with a message as well).
"""

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class PerksError(Exception):
    """A claim or share refused for a reason the person can act on."""

    code = "error"
    status_code = 400
    message: str | Promise = _("This cannot be done.")

    def __init__(self, message: str | Promise | None = None) -> None:
        super().__init__(str(message or self.message))
        self.message = message or self.message


class NotActive(PerksError):
    code = "not_active"
    status_code = 409
    message = _("This promotion is not running at the moment.")


class NotEligible(PerksError):
    code = "not_eligible"
    status_code = 403
    message = _("You do not meet this promotion's conditions yet.")

    def __init__(self, unmet: list[str]) -> None:
        super().__init__()
        self.unmet = unmet


class SoldOut(PerksError):
    code = "sold_out"
    status_code = 409
    message = _("None left: this promotion is sold out.")


class LimitReached(PerksError):
    code = "limit_reached"
    status_code = 409
    message = _("You have already claimed this promotion as often as it allows.")


class IdempotencyMismatch(PerksError):
    code = "idempotency_mismatch"
    status_code = 422
    message = _("This Idempotency-Key was already used for a different request.")


class NotOptedIn(PerksError):
    code = "not_opted_in"
    status_code = 403
    message = _("Opt in to scoring first.")


class IdentityRequired(PerksError):
    code = "identity_required"
    status_code = 403
    message = _("Verify your real name before you claim: one real person, one profile.")
