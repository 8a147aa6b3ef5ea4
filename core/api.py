"""Cross-app pieces of the JSON API: the error shape of shared/api.md, bounded fields, and the
schema's documentation of the errors every operation may answer."""

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from .parsers import RequestTooLarge


class DomainError(exceptions.APIException):
    """An API refusal with a stable code, plus any extra fields the contract names."""

    def __init__(self, detail: str, *, code: str, status_code: int, **extra: object) -> None:
        super().__init__(detail=detail, code=code)
        self.status_code = status_code
        self.extra = extra


class BoundedDateTimeField(serializers.DateTimeField):
    """DRF's DateTimeField for dates people plan with: from 2000 to 2099. Outside, and at the
    calendar's very edges (0001-01-01 east of UTC overflows in DRF itself), a 400, never a 500."""

    EARLIEST = datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)
    LATEST = datetime.datetime(2100, 1, 1, tzinfo=datetime.UTC)
    default_error_messages = {"range": _("Enter a date and time from 2000 to 2099.")}

    def to_internal_value(self, value: Any) -> datetime.datetime:
        try:
            parsed = super().to_internal_value(value)
        except OverflowError:
            self.fail("overflow")
        try:
            in_range = self.EARLIEST <= parsed < self.LATEST
        except (OverflowError, TypeError):
            in_range = False
        if not in_range:
            self.fail("range")
        return parsed


def exception_handler(exc: Exception, context: dict) -> Response | None:
    if isinstance(exc, RequestDataTooBig):
        # Django's own limit (a form, or request.body): a 413 in the API's shape, not a 400 page.
        exc = RequestTooLarge()
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


# The schema's errors ---------------------------------------------------------------------

ERROR_SCHEMAS = {
    "Error": {
        "type": "object",
        "description": "A refusal with a stable code; some carry more fields (``unmet``).",
        "properties": {"detail": {"type": "string"}, "code": {"type": "string"}},
        "required": ["detail", "code"],
    },
    "ValidationErrors": {
        "type": "object",
        "description": "Bad input: each bad field (``non_field_errors`` for the whole) with its messages.",
        "additionalProperties": {"type": "array", "items": {"type": "string"}},
    },
}
WRITES = {"post", "put", "patch", "delete"}


def _error(description: str, *schemas: str) -> dict[str, Any]:
    refs: list[dict[str, Any]] = [{"$ref": f"#/components/schemas/{name}"} for name in schemas]
    schema = refs[0] if len(refs) == 1 else {"anyOf": refs}
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def document_errors(result: dict, generator: object, request: object, public: bool) -> dict:
    """drf-spectacular postprocessing hook: document on every operation the errors the API may
    answer (in shared/api.md's shapes) unless the view declared its own for that status."""
    result.setdefault("components", {}).setdefault("schemas", {}).update(ERROR_SCHEMAS)
    for methods in result.get("paths", {}).values():
        for method, operation in methods.items():
            if method not in WRITES | {"get", "head", "options"}:
                continue
            parameters = operation.get("parameters", [])
            secured = any(requirement for requirement in operation.get("security", []))
            user_secured = any(
                requirement and "partnerApiKey" not in requirement
                for requirement in operation.get("security", [])
            )
            errors: dict[str, dict[str, Any]] = {}
            if method in WRITES or any(parameter["in"] != "path" for parameter in parameters):
                errors["400"] = _error(
                    "Bad input, or a request the service refuses", "ValidationErrors", "Error"
                )
            if secured:
                errors["401"] = _error("Missing or invalid credentials", "Error")
            if user_secured:
                errors["403"] = _error("Not allowed", "Error")
            paged = any(
                parameter["in"] == "query" and parameter["name"] == "page" for parameter in parameters
            )
            if paged or any(parameter["in"] == "path" for parameter in parameters):
                errors["404"] = _error("Not found (another owner's object is not found too)", "Error")
            if method in WRITES:
                errors["413"] = _error("Request body too large", "Error")
            if "requestBody" in operation:
                errors["415"] = _error("Unsupported media type", "Error")
            errors["429"] = _error("Too many requests (see Retry-After)", "Error")
            errors["503"] = _error("Temporarily unavailable (see Retry-After)", "Error")
            responses = operation.setdefault("responses", {})
            for code, response in errors.items():
                responses.setdefault(code, response)
    return result
