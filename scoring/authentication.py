import hashlib
import hmac

from django.contrib.auth.models import AnonymousUser
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from .models import Partner

KEYWORD = "Api-Key"


def key_hash(key: str) -> str:
    # Keys are long random strings, so a fast hash is as safe as a slow one here.
    return hashlib.sha256(key.encode()).hexdigest()


class PartnerKeyAuthentication(authentication.BaseAuthentication):
    """`Authorization: Api-Key <prefix>.<secret>`; request.auth is the Partner, the user stays anonymous."""

    def authenticate(self, request: Request) -> tuple[AnonymousUser, Partner] | None:
        header = authentication.get_authorization_header(request).decode("latin-1")
        keyword, _, key = header.partition(" ")
        if keyword != KEYWORD:
            return None
        prefix, _, secret = key.strip().partition(".")
        if not prefix or not secret:
            raise exceptions.AuthenticationFailed("Malformed API key.")
        partner = Partner.objects.filter(key_prefix=prefix, is_active=True).first()
        if partner is None or not hmac.compare_digest(partner.key_hash, key_hash(key.strip())):
            raise exceptions.AuthenticationFailed("Invalid or revoked API key.")
        return (AnonymousUser(), partner)

    def authenticate_header(self, request: Request) -> str:
        return KEYWORD


class PartnerKeyScheme(OpenApiAuthenticationExtension):
    target_class = PartnerKeyAuthentication
    name = "partnerApiKey"

    def get_security_definition(self, auto_schema: object) -> dict:
        return {"type": "apiKey", "in": "header", "name": "Authorization", "description": "Api-Key <key>"}
