"""The API's token authentication (its own module: DRF imports it while loading its views)."""

import datetime
import functools
from typing import Any

from django.db import connection
from django.db.models import DateTimeField, Model
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from accounts import services
from accounts.models import ApiToken, ConsumerProfile, Merchant, MerchantStaff, User
from core import keys


class TokenAuthentication(authentication.TokenAuthentication):
    """``Authorization: Token <key>``, checked against the hashed ApiToken rows and reading with
    the token what nearly every API request asks next (the consumer profile, the merchant
    membership and its merchant): one query, not three.

    A subclass of DRF's, so the keyword, the header parsing, the ``WWW-Authenticate: Token`` of
    a 401 and drf-spectacular's security scheme stay DRF's own.
    """

    model = ApiToken

    def authenticate_credentials(self, key: str) -> tuple[User, ApiToken]:
        prefix = keys.key_prefix(key)
        token = None if prefix is None else api_token_with_login(prefix=prefix)
        # The same answer for an unknown prefix and a wrong secret: a prefix proves nothing.
        if token is None or not keys.key_matches(key, token.key_hash):
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        if token.is_revoked:
            raise exceptions.AuthenticationFailed(_("This token has been revoked: sign in for a new one."))
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        services.api_token_record_use(token=token)
        return token.user, token


# --- The token's row and its login's, in one statement ---------------------------------------
# Every API request starts here, and building this four-table query with the ORM cost more CPU
# than anything else a score request does (0.7 ms of its ~2.3 in process, the statement itself
# 0.06): the SQL is written once, from the models' own field lists, and the rows become model
# instances through Model.from_db, as the ORM's own loading does. Every read is fresh from the
# database, so a revoked token, a deactivated login or an opt-out counts on the very next request.

_LOADED: tuple[type[Model], ...] = (ApiToken, User, ConsumerProfile, MerchantStaff, Merchant)


@functools.cache
def _statement(vendor: str) -> str:
    quote = connection.ops.quote_name
    aliases = dict(zip(_LOADED, ("t", "u", "c", "s", "m"), strict=True))
    columns = ", ".join(
        f"{aliases[model]}.{quote(field.column)}"
        for model in _LOADED
        for field in model._meta.concrete_fields
    )
    table = {model: quote(model._meta.db_table) for model in _LOADED}
    return (
        f"SELECT {columns} FROM {table[ApiToken]} t "  # noqa: S608 - names are the models', the prefix a parameter
        f"JOIN {table[User]} u ON u.id = t.user_id "
        f"LEFT JOIN {table[ConsumerProfile]} c ON c.user_id = u.id "
        f"LEFT JOIN {table[MerchantStaff]} s ON s.user_id = u.id "
        f"LEFT JOIN {table[Merchant]} m ON m.id = s.merchant_id "
        f"WHERE t.key_prefix = %s"
    )


def _instance(model: type[Model], values: list[Any]) -> Model | None:
    """A model instance from its columns' values, or None for a LEFT JOIN that found no row."""
    fields = model._meta.concrete_fields
    if values[[field.attname for field in fields].index(model._meta.pk.attname)] is None:
        return None
    converted = [
        # SQLite hands back naive UTC datetimes, which the ORM would make aware; PostgreSQL's are.
        value.replace(tzinfo=datetime.UTC)
        if isinstance(field, DateTimeField) and isinstance(value, datetime.datetime) and value.tzinfo is None
        else value
        for field, value in zip(fields, values, strict=True)
    ]
    return model.from_db(connection.alias, [field.attname for field in fields], converted)


def api_token_with_login(*, prefix: str) -> ApiToken | None:
    """The token with this prefix, its user, and the user's consumer profile and merchant
    membership (with its merchant) already attached: one indexed lookup on the unique prefix."""
    with connection.cursor() as cursor:
        cursor.execute(_statement(connection.vendor), [prefix])
        row = cursor.fetchone()
    if row is None:
        return None
    parts: list[Model | None] = []
    start = 0
    for model in _LOADED:
        width = len(model._meta.concrete_fields)
        parts.append(_instance(model, list(row[start : start + width])))
        start += width
    token, user, profile, membership, merchant = parts
    assert isinstance(token, ApiToken) and isinstance(user, User)
    token.user = user
    # Attached like select_related would: an absent profile or membership reads as absent
    # (getattr(user, "consumer", None) is None) without another query.
    _attach(user, "consumer", profile)
    if membership is not None:
        assert isinstance(membership, MerchantStaff) and isinstance(merchant, Merchant)
        membership.merchant = merchant
    _attach(user, "merchant_staff", membership)
    return token


def _attach(user: User, name: str, related: Model | None) -> None:
    # The reverse one-to-one's cache, as select_related fills it (assigning None would not
    # remember the absence, and the next read would query for it).
    descriptor = getattr(User, name)
    descriptor.related.set_cached_value(user, related)
    if related is not None:
        setattr(related, "user", user)  # noqa: B010 - the reverse side of either one-to-one
