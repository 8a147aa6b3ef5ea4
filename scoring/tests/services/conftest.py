"""Fixtures shared by the tests of scoring's services."""

import pytest

from scoring.models import Partner


@pytest.fixture
def partner() -> Partner:
    return Partner.objects.create(name="China UnionPay", slug="unionpay")
