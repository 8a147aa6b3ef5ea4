"""Partners' API keys: issued once, stored hashed, revoked."""

import logging

from django.db import transaction

from accounts.models import User
from core import keys
from core.audit import audit_record

from ..models import (
    Partner,
)

logger = logging.getLogger(__name__)


PARTNER_KEY_PREFIX_BYTES = 4  # 8 hex characters, as every partner key has had


@transaction.atomic
def partner_key_issue(*, partner: Partner, actor: User | None = None) -> str:
    """Give a partner a new API key (the old one stops working); the key is shown only now."""
    new = keys.key_generate(prefix_bytes=PARTNER_KEY_PREFIX_BYTES)
    partner.key_prefix = new.prefix
    partner.key_hash = new.hash
    partner.is_active = True
    partner.save(update_fields=["key_prefix", "key_hash", "is_active", "updated_at"])
    audit_record(actor=actor, action="partner.key_issue", target=partner, changes={"key_prefix": new.prefix})
    return new.key


@transaction.atomic
def partner_key_revoke(*, partner: Partner, actor: User | None = None) -> Partner:
    partner.is_active = False
    partner.save(update_fields=["is_active", "updated_at"])
    audit_record(
        actor=actor, action="partner.key_revoke", target=partner, changes={"key_prefix": partner.key_prefix}
    )
    return partner


# The nightly recompute ------------------------------------------------------------------
