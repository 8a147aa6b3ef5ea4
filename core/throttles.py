"""Request limits: the API's throttles and the sign-in lockout.

Each throttle counts one kind of caller and ignores the others, so all of them can be the
API's defaults: anonymous callers by address, signed-in logins by user, partners by their API
key (a partner's request.user is anonymous, so an address would lump partners together behind
one proxy and split one partner over many hosts). Merchant verification has its own throttle in
perks.apis. Rates are read from settings when a request is checked, not when this module is
imported, so deployments (environment variables) and tests (settings overrides) can change them.

Per-address limits count one action (signing in, signing up, a password reset, opting in, a
claim by a new account) per client address whatever the username: the lockout below counts per
(username, address) pair, so one address trying a password on many usernames (spraying), or
scripting many fresh accounts, is caught only here. The HTML pages and the API share each count.

The sign-in lockout is django-axes with a backend that also runs where no request exists, a
client address that is the throttles' own, and a lockout answer in the portal's own shapes.
"""

import datetime
import logging
import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, cast

from axes.backends import AxesStandaloneBackend
from axes.exceptions import AxesBackendPermissionDenied
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.forms import BaseForm
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

if TYPE_CHECKING:
    # Types only: rest_framework.views imports this module (its default throttle classes).
    from rest_framework.request import Request
    from rest_framework.views import APIView


logger = logging.getLogger(__name__)


def client_ip(request: HttpRequest) -> str:
    """The client's address: the one owner of it for throttles, the lockout, sign-up limits and logs.

    X-Forwarded-For is trusted exactly as far as settings.TRUSTED_PROXY_COUNT says: each of our
    proxies appends the address it saw, so with N proxies the N-th entry from the right is the
    client as our outermost proxy saw it, and everything left of it is whatever the client sent.
    With 0 (the default) the header is the client's own words and only REMOTE_ADDR counts.
    """
    remote_addr = request.META.get("REMOTE_ADDR", "")
    proxies = settings.TRUSTED_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies <= 0 or not forwarded:
        return remote_addr
    addresses = [address.strip() for address in forwarded.split(",")]
    # Fewer entries than proxies: the request skipped a proxy; the leftmost is the furthest we know.
    return addresses[-min(proxies, len(addresses))] or remote_addr


class SettingsRateThrottle(SimpleRateThrottle):
    """A throttle whose rate is REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"][scope], read per request.

    HTML views count against the same throttles as the API, with their Django request and no
    view: SimpleRateThrottle hands both only to get_cache_key, and this module's get_cache_key
    methods read no more of a request than a Django request has (its META and its user).
    """

    def allow_request(self, request: HttpRequest, view: "APIView | None") -> bool:
        # DRF's stubs type the base for DRF's own callers (a DRF Request and its view); the HTML
        # views are the callers this override widens it for, as the class docstring says.
        return super().allow_request(request, view)  # type: ignore[arg-type]

    def get_ident(self, request: HttpRequest) -> str:
        # DRF's own reading takes X-Forwarded-For as sent when NUM_PROXIES is unset.
        return client_ip(request)

    def get_rate(self) -> str | None:
        # SimpleRateThrottle.THROTTLE_RATES is bound at import; api_settings follows overrides.
        # DRF's rates are "number/period" strings (or None); its stubs type them as numbers.
        rates: Mapping[str, str | None] = api_settings.DEFAULT_THROTTLE_RATES  # type: ignore[assignment]
        try:
            return rates[self.scope or ""]
        except KeyError as exc:
            raise ImproperlyConfigured(f"No throttle rate set for scope {self.scope!r}.") from exc


class SettingsUserRateThrottle(SettingsRateThrottle):
    """Per signed-in login, at the rate its scope has in settings (e.g. merchant verification)."""

    def get_cache_key(self, request: HttpRequest, view: "APIView | None") -> str | None:
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


# --- Per-address limits on one action, across usernames ---------------------------------------


class AddressThrottle(SettingsRateThrottle):
    """One action counted per client address, signed in or not; subclasses name it (the scope)."""

    def get_cache_key(self, request: HttpRequest, view: "APIView | None") -> str | None:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class SignInThrottle(AddressThrottle):
    scope = "sign_in"


class SignUpThrottle(AddressThrottle):
    scope = "sign_up"


class PasswordResetThrottle(AddressThrottle):
    scope = "password_reset"


class OptInThrottle(AddressThrottle):
    scope = "opt_in"


class IdentitySubmitThrottle(AddressThrottle):
    """Real-name submissions: a refusal says a number already has a profile, so guessing is slowed."""

    scope = "identity_submit"


class NewAccountClaimThrottle(AddressThrottle):
    """Claims by accounts younger than settings.NEW_ACCOUNT_DAYS, per address; older ones pass.

    Fresh accounts scripted from one place drain deposit-free perks; people with an established
    account are not held back by a busy shared address.
    """

    scope = "new_account_claim"

    def get_cache_key(self, request: HttpRequest, view: "APIView | None") -> str | None:
        user = request.user
        if not user.is_authenticated:
            return None
        if user.date_joined <= timezone.now() - datetime.timedelta(days=settings.NEW_ACCOUNT_DAYS):
            return None
        return super().get_cache_key(request, view)


def address_limit_wait(request: HttpRequest, throttle_class: type[AddressThrottle]) -> int | None:
    """Count this request against its address's allowance: None if within it, else seconds to wait.

    For HTML views; the API names the same classes in throttle_classes, so both share the count.
    """
    throttle = throttle_class()
    if throttle.allow_request(request, None):
        return None
    wait = max(math.ceil(throttle.wait() or 1), 1)
    logger.warning(
        "address limit reached scope=%s client=%s retry_after=%d", throttle.scope, client_ip(request), wait
    )
    return wait


def too_many_attempts_message(wait: int) -> str:
    return _("Too many attempts from your network. Try again in %(minutes)d minutes.") % {
        "minutes": math.ceil(wait / 60)
    }


def throttled_page(
    request: HttpRequest,
    template: str | Sequence[str],
    context: dict,
    *,
    wait: int,
    form: BaseForm | None = None,
) -> HttpResponse:
    """The page again with the limit's message (as a form error when there is a form), 429, Retry-After."""
    message = too_many_attempts_message(wait)
    if form is not None:
        form.is_valid()  # add_error needs cleaned_data
        form.add_error(None, message)
    response = render(request, template, {**context, "throttled_message": message}, status=429)
    response["Retry-After"] = str(wait)
    return response


# --- Sign-in lockout (django-axes) -----------------------------------------------------------


class _RefusedSignIn(HttpRequest):
    """What LoginLockoutBackend leaves on a sign-in request it refuses (a type only)."""

    address_limit_wait: int
    axes_locked_out: bool


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
        super().authenticate(request, username=username, password=password, **kwargs)
        # Past the per-(username, address) lockout: now the address's allowance across usernames.
        wait = address_limit_wait(request, SignInThrottle)
        if wait is not None:
            refused = cast(_RefusedSignIn, request)
            refused.address_limit_wait = wait  # read by lockout_response
            # axes' own flag: its middleware answers with lockout_response, and no failure is recorded.
            refused.axes_locked_out = True
            raise AxesBackendPermissionDenied("Too many sign-in attempts from this address.")
        return None


def client_str(
    username: str | None, ip_address: str, user_agent: str, path_info: str, request: object
) -> str:
    """How django-axes names a sign-in in the log: a keyed pseudonym of the username, never the
    name, so that logs kept after an account is deleted do not name its owner (the same name
    still gives the same pseudonym, which is all an operator needs to follow an attack)."""
    pseudonym = salted_hmac("core.throttles.client_str", (username or "").lower()).hexdigest()[:12]
    return f"user={pseudonym} ip={ip_address} path={path_info}"


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: dict | None = None
) -> HttpResponse:
    """A locked-out sign-in: 429 with Retry-After, as JSON for the API, else the sign-in page.

    Locked out either for the (username, address) pair (axes) or for the address's sign-ins
    across usernames (SignInThrottle, which leaves its wait on the request).
    """
    from django.contrib.auth.forms import AuthenticationForm

    address_wait = getattr(request, "address_limit_wait", None)
    if address_wait is not None:
        retry_after, code = address_wait, "throttled"
        message = _("Too many sign-in attempts from your network. Try again in %(minutes)d minutes.") % {
            "minutes": math.ceil(address_wait / 60)
        }
    else:
        retry_after, code = int(settings.AXES_COOLOFF_TIME.total_seconds()), "locked_out"
        minutes = math.ceil(settings.AXES_COOLOFF_TIME.total_seconds() / 60)
        message = _(
            "Too many failed sign-in attempts. For your account's safety, try again in %(minutes)d minutes."
        ) % {"minutes": minutes}
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse({"detail": message, "code": code}, status=429)
    else:
        username = (credentials or {}).get("username") or request.POST.get("username", "")
        form = AuthenticationForm(request, initial={"username": username})
        form.cleaned_data = {}  # an unbound form has none, and add_error expects it
        form.add_error(None, message)
        response = render(request, "accounts/login.html", {"form": form}, status=429)
    response["Retry-After"] = str(retry_after)
    return response
