"""The refusals of the accounts services that the API answers with a status and code of its own."""

from django.utils.translation import gettext_lazy as _


class IdentityTaken(Exception):
    """The resident ID number is already verified for another profile (shared/api.md: 409)."""

    code = "identity_taken"
    status_code = 409
    message = _(
        "This ID number is already verified for another profile. One real person has one profile: "
        "sign in to that one, or contact us if you think someone else used your number."
    )

    def __str__(self) -> str:
        return str(self.message)
