"""Secret keys shown once and stored only as a hash: partners' API keys and people's API tokens.

A key reads ``<prefix>.<secret>``. The prefix is kept as it is, to find the key's row by an
index; the whole key is kept only as its SHA-256, compared in constant time.
"""

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

SECRET_BYTES = 32  # 43 URL-safe characters
# Hex prefix, a dot, a URL-safe secret: anything else is refused before it reaches the database.
WELL_FORMED = re.compile(r"(?P<prefix>[0-9a-f]{1,32})\.[A-Za-z0-9_-]{1,128}")


@dataclass(frozen=True)
class NewKey:
    key: str  # for the holder, shown once, never stored
    prefix: str
    hash: str


def key_generate(*, prefix_bytes: int) -> NewKey:
    """A fresh random key with the prefix and hash to store for it."""
    prefix = secrets.token_hex(prefix_bytes)
    key = f"{prefix}.{secrets.token_urlsafe(SECRET_BYTES)}"
    return NewKey(key=key, prefix=prefix, hash=key_hash(key))


def key_hash(key: str) -> str:
    # Keys are long random strings, so a fast hash is as safe as a slow one here.
    return hashlib.sha256(key.encode()).hexdigest()


def key_prefix(key: str) -> str | None:
    """The prefix to look a key up by, or None when the key cannot be one of ours."""
    match = WELL_FORMED.fullmatch(key)
    return match["prefix"] if match else None


def key_matches(key: str, stored_hash: str) -> bool:
    return hmac.compare_digest(key_hash(key), stored_hash)
