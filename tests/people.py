"""Test people's fixed facts: a resident ID number of its own for each test login."""

import datetime
import zlib

from accounts.resident_ids import resident_id_make


def resident_id_for(username: str) -> str:
    """A checksum-valid resident ID number of its own for each test login (the same every run)."""
    digest = zlib.crc32(username.encode())
    birth = datetime.date(1960, 1, 1) + datetime.timedelta(days=digest % 14000)
    return resident_id_make(birth=birth, sequence=digest // 14000)
