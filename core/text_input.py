"""Text no database column can hold: the one check every piece of request text passes through.

A NUL character is refused by PostgreSQL (and truncates text in C libraries); a lone surrogate
(U+D800-U+DFFF without its pair, which JSON's ``\\ud800`` escape produces) cannot be encoded as
UTF-8, so SQLite stores it as written and every later read that encodes it fails. Both are
refused where text enters: the API's JSON parser (core.parsers) walks the whole document, and
``core.middleware.TextInputMiddleware`` checks every query-string and form field, before any
view, form or service sees the request. Nothing is written, and the answer is a 400 naming the
field and the reason.
"""

import re
from typing import Any

from django.utils.translation import gettext as _

_NUL = "\x00"
_SURROGATE = re.compile("[\ud800-\udfff]")


def text_problem(value: str) -> str | None:
    """Why this text cannot be accepted, or None."""
    if _NUL in value:
        return _("Null characters are not allowed.")
    if _SURROGATE.search(value):
        return _("This text holds an invalid character (a lone surrogate): send valid Unicode.")
    return None


def bad_text(data: Any, *, path: str = "") -> tuple[str, str] | None:
    """The first (field, reason) in a decoded JSON document whose text cannot be accepted, or
    None. A field is named as the API names it: ``title``, ``tiers[0].benefit``; a bad key is
    named by the object holding it (or ``non_field_errors`` at the top)."""
    # Iterative: a document as deep as the JSON parser allows must not exhaust the stack here.
    stack: list[tuple[str, Any]] = [(path, data)]
    while stack:
        where, value = stack.pop()
        if isinstance(value, str):
            problem = text_problem(value)
            if problem:
                return where or "non_field_errors", problem
        elif isinstance(value, dict):
            items = list(value.items())
            for key, item in reversed(items):
                problem = text_problem(key) if isinstance(key, str) else None
                if problem:
                    return where or "non_field_errors", problem
                stack.append((f"{where}.{key}" if where else str(key), item))
        elif isinstance(value, list):
            for index in reversed(range(len(value))):
                stack.append((f"{where}[{index}]", value[index]))
    return None
