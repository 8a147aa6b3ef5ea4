"""Request limits: the API's throttles and the sign-in lockout.

Each throttle counts one kind of caller and ignores the others, so all of them can be the
API's defaults: anonymous callers by address, signed-in logins by user, partners by their API
key (a partner's request.user is anonymous, so an address would lump partners together behind
one proxy and split one partner over many hosts). Merchant verification has its own throttle in
perks.apis. Rates are read from settings when a request is checked, not when this module is
imported, so deployments (environment variables) and tests (settings overrides) can change them.

The sign-in lockout is django-axes with a backend that also runs where no request exists, a
client address that agrees with DRF's, and a lockout answer in the portal's own shapes.
"""

import math
from typing import TYPE_CHECKING

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

if TYPE_CHECKING:
    # Types only: rest_framework.views imports this module (its default throttle classes).
    from rest_framework.request import Request
    from rest_framework.views import APIView


class SettingsRateThrottle(SimpleRateThrottle):
    """A throttle whose rate is REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"][scope], read per request."""

    def get_rate(self) -> str | None:
        # SimpleRateThrottle.THROTTLE_RATES is bound at import; api_settings follows overrides.
        try:
            return api_settings.DEFAULT_THROTTLE_RATES[self.scope]
        except KeyError as exc:
            raise ImproperlyConfigured(f"No throttle rate set for scope {self.scope!r}.") from exc


class SettingsUserRateThrottle(SettingsRateThrottle):
    """Per signed-in login, at the rate its scope has in settings (e.g. merchant verification)."""

    def get_cache_key(self, request: "Request", view: "APIView") -> str | None:
        if not request.user or not request.user.is_authenticated:
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.user.pk}


class AnonymousThrottle(SettingsRateThrottle):
    """Callers with neither a login nor a partner key, counted per client address."""

    scope = "anon"

    def get_cache_key(self, request: "Request", view: "APIView") -> str | None:
        # request.auth is set for any other credential, such as a partner's API key.
        if request.user.is_authenticated or request.auth is not None:
            return None
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class UserThrottle(SettingsRateThrottle):
    """Signed-in logins (consumers, and merchant and platform staff alike), counted per user."""

    scope = "user"

    def get_cache_key(self, request: "Request", view: "APIView") -> str | None:
        if not request.user.is_authenticated:
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.user.pk}


# --- Sign-in lockout (django-axes) -----------------------------------------------------------


class LoginLockoutBackend(AxesStandaloneBackend):
    """django-axes' check, for every sign-in that comes with a request.

    The sign-in page, the admin and the token API all pass the request. Code that calls
    ``authenticate()`` without one (management commands, scripts) has no client to lock out;
    axes would raise there, so this backend steps aside and the next backend decides.
    """

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: object,
    ) -> None:
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def client_ip(request: HttpRequest) -> str:
    """The client's address, trusting X-Forwarded-For exactly as far as DRF's NUM_PROXIES does."""
    proxies = api_settings.NUM_PROXIES
    remote_addr = request.META.get("REMOTE_ADDR", "")
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR")
    if proxies and forwarded:
        addresses = [address.strip() for address in forwarded.split(",")]
        return addresses[-min(proxies, len(addresses))]
    return remote_addr


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: dict | None = None
) -> HttpResponse:
    """A locked-out sign-in: 429 with Retry-After, as JSON for the API, else the sign-in page."""
    from django.contrib.auth.forms import AuthenticationForm

    minutes = math.ceil(settings.AXES_COOLOFF_TIME.total_seconds() / 60)
    message = _(
        "Too many failed sign-in attempts. For your account's safety, try again in %(minutes)d minutes."
    ) % {"minutes": minutes}
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse({"detail": message, "code": "locked_out"}, status=429)
    else:
        username = (credentials or {}).get("username") or request.POST.get("username", "")
        form = AuthenticationForm(request, initial={"username": username})
        form.cleaned_data = {}  # an unbound form has none, and add_error expects it
        form.add_error(None, message)
        response = render(request, "accounts/login.html", {"form": form}, status=429)
    response["Retry-After"] = str(int(settings.AXES_COOLOFF_TIME.total_seconds()))
    return response
