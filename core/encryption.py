"""Secrets we must be able to read back, encrypted at rest: Fernet (AES-128-CBC and HMAC-SHA256,
from the ``cryptography`` package), and the model field that applies it.

A secret that only has to be recognised is stored as a hash instead (core/keys.py). A webhook
secret signs every delivery, so the portal needs it in clear at send time: the database holds
it encrypted, and a copy of the database without the key reveals nothing.

The key is derived (HKDF-SHA256) from FIELD_ENCRYPTION_KEY, or from SECRET_KEY when that is
unset. Set DJANGO_FIELD_ENCRYPTION_KEY in production: rotating SECRET_KEY (sessions, reset
links) then leaves the stored secrets readable. Losing the key loses the secrets: a value that
no longer decrypts reads as "" and its endpoint's deliveries fail until a new one is issued.
"""

import base64
import functools
import logging
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.db import models

logger = logging.getLogger(__name__)


@functools.cache
def _fernet(material: str) -> Fernet:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"credit-life field encryption").derive(
        material.encode("utf-8")
    )
    return Fernet(base64.urlsafe_b64encode(key))


def _current() -> Fernet:
    return _fernet(settings.FIELD_ENCRYPTION_KEY or settings.SECRET_KEY)


def encrypt(text: str) -> str:
    """The Fernet token of a text (different each time: equal secrets do not look equal)."""
    return _current().encrypt(text.encode("utf-8")).decode("ascii")


def decrypt(token: str) -> str:
    """The text of a Fernet token; InvalidToken if it was made with another key or altered."""
    return _current().decrypt(token.encode("ascii")).decode("utf-8")


class EncryptedTextField(models.TextField):
    """Text kept encrypted in its column and clear on the model. No lookup can match it (each
    encryption differs), so nothing can be searched or filtered by the secret either."""

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt(value)

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        if value is None or value == "":
            return value
        try:
            return decrypt(value)
        except (InvalidToken, ValueError, UnicodeError):
            logger.error("encrypted field unreadable field=%s", self.name)
            return ""
