"""Cross-app pieces of the JSON API: the error shape of shared/api.md."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


class DomainError(exceptions.APIException):
    """An API refusal with a stable code, plus any extra fields the contract names."""

    def __init__(self, detail: str, *, code: str, status_code: int, **extra: object) -> None:
        super().__init__(detail=detail, code=code)
        self.status_code = status_code
        self.extra = extra


def exception_handler(exc: Exception, context: dict) -> Response | None:
    if isinstance(exc, RecursionError) and "JSON" in str(exc):
        # The JSON parser gives up on deeply nested input this way; it is bad input, not a crash.
        exc = exceptions.ParseError("JSON parse error - nested too deeply.")
    # DRF converts these only inside its own handler, so the code below would not see them.
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(*exc.args)
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(*exc.args)
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        if not isinstance(response.data, dict):
            response.data = {"non_field_errors": response.data}
        return response
    if isinstance(exc, exceptions.APIException):
        codes = exc.get_codes()
        code = codes if isinstance(codes, str) else "error"
        response.data = {"detail": str(exc.detail), "code": code, **getattr(exc, "extra", {})}
    if response.status_code == status.HTTP_429_TOO_MANY_REQUESTS and "Retry-After" not in response:
        response["Retry-After"] = "60"
    return response
