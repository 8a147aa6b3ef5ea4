"""The API's token authentication (its own module: DRF imports it while loading its views)."""

import contextlib

from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from accounts import services
from accounts.models import ApiToken, User
from core import keys


class TokenAuthentication(authentication.TokenAuthentication):
    """``Authorization: Token <key>``, checked against the hashed ApiToken rows and reading with
    the token what nearly every API request asks next (the consumer profile, the merchant
    membership and its merchant): one query, not three.

    A subclass of DRF's, so the keyword, the header parsing, the ``WWW-Authenticate: Token`` of
    a 401 and drf-spectacular's security scheme stay DRF's own.
    """

    model = ApiToken

    def authenticate_credentials(self, key: str) -> tuple[User, ApiToken]:
        prefix = keys.key_prefix(key)
        token = None
        if prefix is not None:
            tokens = ApiToken.objects.select_related("user__consumer", "user__merchant_staff__merchant")
            # get(), not first(): a unique lookup needs no ORDER BY, and every API request pays
            # for compiling one.
            with contextlib.suppress(ApiToken.DoesNotExist):
                token = tokens.get(key_prefix=prefix)
        # The same answer for an unknown prefix and a wrong secret: a prefix proves nothing.
        if token is None or not keys.key_matches(key, token.key_hash):
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        if token.is_revoked:
            raise exceptions.AuthenticationFailed(_("This token has been revoked: sign in for a new one."))
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        services.api_token_record_use(token=token)
        return token.user, token
