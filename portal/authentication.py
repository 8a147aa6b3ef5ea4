"""The API's token authentication (its own module: DRF imports it while loading its views)."""

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions


class TokenAuthentication(authentication.TokenAuthentication):
    """``Authorization: Token <key>``, reading with the token what nearly every API request asks
    next (the consumer profile, the merchant membership and its merchant): one query, not three."""

    def authenticate_credentials(self, key: str) -> tuple[Any, Any]:
        tokens = self.get_model().objects.select_related("user__consumer", "user__merchant_staff__merchant")
        token = tokens.filter(key=key).first()
        if token is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        return token.user, token
