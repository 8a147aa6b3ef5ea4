"""Shares: a person's revocable, expiring link to their band or score."""

import datetime
import logging
import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import ConsumerProfile, User
from core.keys import key_hash

from ..exceptions import (
    NotOptedIn,
)
from ..models import Share
from .fields import errors_add, is_int

logger = logging.getLogger(__name__)

SHARE_MIN_DAYS = 1
SHARE_MAX_DAYS = 365


@transaction.atomic
def share_create(*, person: User, show: str, expires_in_days: int) -> Share:
    """A revocable link showing the person's band (or score) to whoever holds it, for 1-365 days
    (its token on ``share.token``, here only: the database keeps its hash)."""
    errors: dict[str, list[str]] = {}
    if show not in Share.Show.values:
        errors_add(errors, "show", _("Choose band or score."))
    if not is_int(expires_in_days) or not SHARE_MIN_DAYS <= expires_in_days <= SHARE_MAX_DAYS:
        errors_add(errors, "expires_in_days", _("A share lasts from 1 to 365 days."))
    if errors:
        raise ValidationError(errors)
    profile = ConsumerProfile.objects.filter(user=person).first()
    if profile is None or not profile.is_opted_in or profile.score is None:
        raise NotOptedIn()
    token = secrets.token_urlsafe(32)
    share = Share.objects.create(
        person=person,
        show=show,
        token_hash=key_hash(token),
        expires_at=timezone.now() + datetime.timedelta(days=expires_in_days),
    )
    # Only the hash is stored: the token travels on the returned object, for the owner to see once.
    share.token = token
    logger.info("share created share=%s person=%s show=%s", share.pk, person.pk, show)
    return share


@transaction.atomic
def share_revoke(*, share: Share, person: User) -> Share:
    """Stop a share of one's own from showing anything; revoking twice changes nothing."""
    locked = Share.objects.select_for_update().filter(pk=share.pk, person=person).first()
    if locked is None:
        raise ValidationError(_("This is not your share."))
    if locked.revoked_at is None:
        locked.revoked_at = timezone.now()
        locked.save(update_fields=["revoked_at", "updated_at"])
        logger.info("share revoked share=%s", locked.pk)
    return locked
