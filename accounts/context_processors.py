from django.http import HttpRequest

from . import selectors


def roles(request: HttpRequest) -> dict:
    """What the navigation needs to know about who is looking."""
    return {"role": selectors.role_of(user=request.user)}
