"""Whether an answer shows a piece of a person's data (a score, a name) for anyone to read."""

import re


def shows(text: str | bytes, value: object) -> bool:
    """Whether ``value`` stands on its own in ``text``.

    Glued to letters, digits, "+", "/" or "-" it is part of a random token (a CSRF or
    password-reset token, a claim code, a UUID, a base64 nonce), which may hold any
    characters, so it is not shown there.
    """
    if isinstance(text, bytes):
        text = text.decode("utf-8", errors="replace")
    return re.search(rf"(?<![\w+/-]){re.escape(str(value))}(?![\w+/-])", text) is not None
