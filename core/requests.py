"""Request types for views whose decorators guarantee more than Django's HttpRequest says.

django-stubs types ``request.user`` as the user model or AnonymousUser. Behind ``login_required``
(and the portal's consumer and merchant decorators built on it) the user is always signed in; a
view states that by taking an ``AuthenticatedHttpRequest`` (django-stubs' documented pattern: a
type only, the request is Django's own). Where the signature is not ours to choose (an admin
action, a DRF view behind IsAuthenticated), ``signed_in_user`` narrows the user instead.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest

if TYPE_CHECKING:
    # django-stubs' alias for the AUTH_USER_MODEL (its plugin resolves it to accounts.User),
    # so that core names the user without importing the accounts app above it.
    from django.contrib.auth.models import _User


class AuthenticatedHttpRequest(HttpRequest):
    """A request whose user is signed in (a view behind ``login_required``)."""

    user: _User


def signed_in_user(request: HttpRequest) -> _User:
    """The user of a request that authentication has already let through (the admin's staff, an
    API view behind IsAuthenticated): reaching here anonymous is a bug in the view's guard."""
    user = request.user
    assert not isinstance(user, AnonymousUser), "signed_in_user() behind a guard that let anyone in"
    return user
