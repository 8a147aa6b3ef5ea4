"""PRC resident ID numbers (GB 11643-1999): their validation and the keyed hash that is all we keep.

An 18-character number reads: 6 digits of region, 8 of birth date (YYYYMMDD), 3 of sequence and a
check character, the ISO 7064 MOD 11-2 checksum of the first 17 (0-9, or X for 10).

The number itself is never stored, logged or returned: only ``resident_id_hash`` (an HMAC-SHA256
under IDENTITY_HASH_KEY, so a copy of the database cannot be matched against a list of numbers
without the key) and the last four characters, which people recognise their number by.
"""

import datetime
import hashlib
import hmac
import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

LENGTH = 18
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARACTERS = "10X98765432"  # indexed by the weighted sum mod 11
EARLIEST_BIRTH = datetime.date(1900, 1, 1)
SHAPE = re.compile(r"[1-9]\d{16}[\dX]")

FORMAT_ERROR = _("Enter the 18-character resident ID number: 17 digits, then a digit or X.")
BIRTH_DATE_ERROR = _("Characters 7 to 14 of this number are not a possible birth date.")
CHECKSUM_ERROR = _("This number's last character does not match the others: check it for a typo.")


def resident_id_check_character(first17: str) -> str:
    """The ISO 7064 MOD 11-2 check character of the first 17 digits."""
    total = sum(int(digit) * weight for digit, weight in zip(first17, WEIGHTS, strict=True))
    return CHECK_CHARACTERS[total % 11]


def resident_id_normalise(value: object) -> str:
    """The number as people type it, without spaces and with a capital X."""
    return "".join(str(value).split()).upper() if isinstance(value, str) else ""


def resident_id_validate(value: object) -> str:
    """The normalised number, or a ValidationError saying what is wrong (never echoing it)."""
    number = resident_id_normalise(value)
    if len(number) != LENGTH or not SHAPE.fullmatch(number):
        raise ValidationError(FORMAT_ERROR, code="format")
    try:
        birth = datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise ValidationError(BIRTH_DATE_ERROR, code="birth_date") from None
    if not EARLIEST_BIRTH <= birth <= timezone.localdate():
        raise ValidationError(BIRTH_DATE_ERROR, code="birth_date")
    if resident_id_check_character(number[:17]) != number[17]:
        raise ValidationError(CHECKSUM_ERROR, code="checksum")
    return number


def _hash_key() -> bytes:
    # IDENTITY_HASH_KEY is required with debug off (portal/settings.py); in debug it falls back
    # to a key derived from SECRET_KEY, labelled so it never equals another derived key.
    key = settings.IDENTITY_HASH_KEY or f"identity-hash:{settings.SECRET_KEY}"
    return key.encode("utf-8")


def resident_id_hash(number: str) -> str:
    """The keyed hash a (valid, normalised) number is stored and compared as."""
    return hmac.new(_hash_key(), number.encode("ascii"), hashlib.sha256).hexdigest()


def resident_id_make(*, region: str = "310104", birth: datetime.date, sequence: int) -> str:
    """A checksum-valid number (demo data and tests): region, birth date, a 3-digit sequence."""
    first17 = f"{region}{birth:%Y%m%d}{sequence % 1000:03d}"
    return first17 + resident_id_check_character(first17)
