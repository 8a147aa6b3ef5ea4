"""Whether an answer shows a piece of a person's data (a score, a name) for anyone to read."""

import re

# A random token (a CSRF or password-reset token, a claim code, a UUID, a base64 nonce) mixes
# letters and digits and may hold any digits or letters in a row, so it proves nothing either
# way; a shown number ("713", "713/950") or word ("ann", "/people/ann/") does not mix them.
_TOKEN = re.compile(r"[A-Za-z0-9_+/-]{6,}")
_LETTER = re.compile(r"[A-Za-z]")
_DIGIT = re.compile(r"[0-9]")


def shows(text: str | bytes, value: object) -> bool:
    """Whether ``value`` stands as a word of its own in ``text``, random tokens left out."""
    if isinstance(text, bytes):
        text = text.decode("utf-8", errors="replace")
    readable = _TOKEN.sub(
        lambda token: " " if _LETTER.search(token[0]) and _DIGIT.search(token[0]) else token[0], text
    )
    return re.search(rf"(?<!\w){re.escape(str(value))}(?!\w)", readable) is not None


# What changes from one request to the next without telling anything about a person: CSRF
# tokens and CSP nonces (fresh per response) and delivery ids (fresh per event).
_PER_RESPONSE = [
    (re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]*(")'), r"\1<csrf>\2"),
    (re.compile(r'(nonce=")[^"]*(")'), r"\1<nonce>\2"),
    (re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"), "<uuid>"),
]


def masked(text: str | bytes, reveals: dict[str, str]) -> str:
    """``text`` with what a person reveals by showing a claim (its code, its id in a URL: the
    keys of ``reveals``, replaced by their values) and per-response tokens masked, so that two
    people's merchant-facing outputs can be compared for anything else that tells them apart."""
    if isinstance(text, bytes):
        text = text.decode("utf-8", errors="replace")
    for literal, mask in sorted(reveals.items(), key=lambda item: -len(item[0])):
        text = text.replace(literal, mask)
    for pattern, mask in _PER_RESPONSE:
        text = pattern.sub(mask, text)
    return text
