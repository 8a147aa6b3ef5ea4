"""The portal's middleware: no cache keeps a person's pages, the refusal of text no database can
hold, and a 503 when the database is down.

``PrivateResponseMiddleware`` marks every response to a signed-in request ``private, no-store``.

When the database cannot be reached: a friendly 503 page, or the API's JSON 503; never a traceback.

``DatabaseUnavailableMiddleware`` catches the error where views raise it (the usual place:
the first query of a request is the session, the token or the view's own). ``server_error``
is the project's handler500: an error raised in another middleware (saving the session, say)
never reaches a process_exception, so it is recognised there. Neither touches the database:
the 503 page is rendered without a request context, so no context processor can query.
"""

import logging
import sys
from collections.abc import Callable

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.http.multipartparser import MultiPartParserError
from django.template.loader import render_to_string
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views import defaults

from core.text_input import text_problem

logger = logging.getLogger(__name__)

DATABASE_UNREACHABLE = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 30


class PrivateResponseMiddleware:
    """``Cache-Control: private, no-store`` on every response to a request that may be signed in.

    Scores, claims, shares and exports are one person's; a shared cache (a proxy, a CDN) or the
    browser's disk must not keep them for the next user of the machine. A request can only be
    signed in through the session cookie or an Authorization header (API token, partner key),
    so those mark it, without loading the session or the user (this also runs when the
    database is down). Anonymous pages stay cacheable; the public share pages mark themselves.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if settings.SESSION_COOKIE_NAME in request.COOKIES or "HTTP_AUTHORIZATION" in request.META:
            patch_cache_control(response, private=True, no_store=True)
        return response


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def service_unavailable(request: HttpRequest) -> HttpResponse:
    """The 503 for a request that needed the database while it is down."""
    if _is_api(request):
        response: HttpResponse = JsonResponse(
            {
                "detail": _("The service is temporarily unavailable. Please try again in a minute."),
                "code": "service_unavailable",
            },
            status=503,
        )
    else:
        response = HttpResponse(render_to_string("503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, DATABASE_UNREACHABLE):
            return None
        logger.error("database unavailable path=%s error=%r", request.path, exception)
        return service_unavailable(request)


def server_error(request: HttpRequest, template_name: str = "500.html") -> HttpResponse:
    """handler500: a 503 when the database is the cause, JSON for the API, else the 500 page."""
    exception = sys.exc_info()[1]
    if isinstance(exception, DATABASE_UNREACHABLE):
        logger.error("database unavailable path=%s error=%r", request.path, exception)
        return service_unavailable(request)
    if _is_api(request):
        return JsonResponse(
            {"detail": _("Something went wrong on our side. Please try again."), "code": "server_error"},
            status=500,
        )
    return defaults.server_error(request, template_name=template_name)


def _bad_field(data: QueryDict) -> tuple[str, str] | None:
    for key, values in data.lists():
        problem = text_problem(key)
        if problem:
            return "non_field_errors", problem
        for value in values:
            problem = text_problem(value) if isinstance(value, str) else None
            if problem:
                return key, problem
    return None


FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


class TextInputMiddleware:
    """Refuse a NUL or a lone surrogate in any query-string or form field (core.text_input):
    a 400 naming the field, before a view, a form or a service sees the request. JSON bodies
    are checked by the API's parser, which reads them."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        found = _bad_field(request.GET)
        if found is None and request.method == "POST" and request.content_type in FORM_TYPES:
            # Only form bodies: anything else stays unread here, for its own parser (the API's
            # JSON parser checks its text, and answers 413 for a body too large).
            try:
                # The raw body first, kept: a view that reads request.body (the claim API's
                # idempotency fingerprint) still can once the form has been parsed from it.
                request.body  # noqa: B018 - read for its side effect
                found = _bad_field(request.POST)
            except MultiPartParserError:
                # A multipart body without a boundary, or cut short: unreadable, whoever reads it.
                return unreadable_body_response(request)
        if found is None:
            return self.get_response(request)
        field, problem = found
        logger.info("text input refused path=%s field=%s", request.path, field[:100])
        return bad_text_response(request, field=field[:100], problem=problem)


def bad_text_response(request: HttpRequest, *, field: str, problem: str) -> HttpResponse:
    """The 400 for text no database can hold: the API's {"field": ["message"]}, or a page."""
    if _is_api(request):
        return JsonResponse({field: [problem]}, status=400)
    # Without a request context, as the 503 page: this runs before authentication.
    html = render_to_string("bad_input.html", {"field": field, "problem": problem})
    return HttpResponse(html, status=400)


def unreadable_body_response(request: HttpRequest) -> HttpResponse:
    """The 400 for a form body that cannot be parsed at all."""
    message = _("The form data could not be read: send it again as a complete form.")
    if _is_api(request):
        return JsonResponse({"detail": message, "code": "parse_error"}, status=400)
    return HttpResponse(render_to_string("bad_input.html", {"field": "", "problem": message}), status=400)
