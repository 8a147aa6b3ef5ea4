"""The API's request parser (a module of its own: DRF imports it from its settings while its
views module loads, so it must not import rest_framework.views itself)."""

from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, status
from rest_framework.parsers import JSONParser

from core.text_input import bad_text


class RequestTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "request_too_large"

    def __init__(self) -> None:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        super().__init__(
            _("The request body is too large: at most %(limit)d bytes.") % {"limit": limit},
            code=self.default_code,
        )


class BoundedJSONParser(JSONParser):
    """JSON of at most DATA_UPLOAD_MAX_MEMORY_SIZE bytes (DRF reads the body as a stream, past
    Django's own check), and nesting too deep for the parser is a 400: never a 500. Text no
    database can hold (core.text_input) is a 400 naming its field."""

    def parse(
        self, stream: Any, media_type: str | None = None, parser_context: Mapping[str, Any] | None = None
    ) -> Any:
        request = (parser_context or {}).get("request")
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if request is not None and limit is not None:
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
            if length > limit:
                raise RequestTooLarge()
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError as exc:
            raise exceptions.ParseError(_("JSON parse error - nested too deeply.")) from exc
        # NUL and lone surrogates, anywhere in the document, before any serializer or service
        # sees it: a 400 naming the field, and nothing written.
        found = bad_text(data)
        if found is not None:
            field, problem = found
            raise exceptions.ValidationError({field: [problem]})
        return data
