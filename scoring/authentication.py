from django.contrib.auth.models import AnonymousUser
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from core import keys

from .models import Partner

KEYWORD = "Api-Key"


class PartnerKeyAuthentication(authentication.BaseAuthentication):
    """`Authorization: Api-Key <prefix>.<secret>`; request.auth is the Partner, the user stays anonymous."""

    def authenticate(self, request: Request) -> tuple[AnonymousUser, Partner] | None:
        header = authentication.get_authorization_header(request).decode("latin-1")
        keyword, _, key = header.partition(" ")
        if keyword != KEYWORD:
            return None
        key = key.strip()
        prefix = keys.key_prefix(key)
        if prefix is None:
            raise exceptions.AuthenticationFailed("Malformed API key.")
        partner = Partner.objects.filter(key_prefix=prefix, is_active=True).first()
        if partner is None or not keys.key_matches(key, partner.key_hash):
            raise exceptions.AuthenticationFailed("Invalid or revoked API key.")
        return (AnonymousUser(), partner)

    def authenticate_header(self, request: Request) -> str:
        return KEYWORD


class PartnerKeyScheme(OpenApiAuthenticationExtension):
    target_class = PartnerKeyAuthentication
    name = "partnerApiKey"

    def get_security_definition(self, auto_schema: object) -> dict:
        return {"type": "apiKey", "in": "header", "name": "Authorization", "description": "Api-Key <key>"}
