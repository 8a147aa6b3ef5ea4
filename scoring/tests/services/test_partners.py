"""scoring/services/partners.py: a partner's API key is shown once and stored as a prefix and a hash."""

import re

import pytest

from core.keys import key_hash
from scoring import services

pytestmark = pytest.mark.django_db


# --- partner keys -----------------------------------------------------------------------------


def test_issuing_a_key_keeps_only_its_prefix_and_hash(partner):
    # when
    key = services.partner_key_issue(partner=partner)

    # then
    partner.refresh_from_db()
    prefix, _, secret = key.partition(".")
    assert re.fullmatch(r"[0-9a-f]{8}", prefix)
    assert len(secret) >= 40
    assert (partner.key_prefix, partner.key_hash, partner.is_active) == (prefix, key_hash(key), True)
    assert key not in partner.key_hash


def test_issuing_again_replaces_the_key_and_revoking_deactivates_it(partner):
    # given
    first = services.partner_key_issue(partner=partner)

    # when
    second = services.partner_key_issue(partner=partner)
    services.partner_key_revoke(partner=partner)

    # then
    partner.refresh_from_db()
    assert first != second
    assert (partner.key_hash, partner.is_active) == (key_hash(second), False)


def test_issuing_a_key_to_a_revoked_partner_reactivates_it(partner):
    # given
    services.partner_key_revoke(partner=partner)

    # when
    services.partner_key_issue(partner=partner)

    # then
    partner.refresh_from_db()
    assert partner.is_active is True
