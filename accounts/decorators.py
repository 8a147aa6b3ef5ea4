from collections.abc import Callable
from functools import wraps
from typing import cast

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect

from core.requests import AuthenticatedHttpRequest

from . import selectors
from .models import Merchant


class MerchantHttpRequest(AuthenticatedHttpRequest):
    """A request behind merchant_required: signed in, with the merchant its user works for."""

    merchant: Merchant


def merchant_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Only staff of an approved merchant get in; the merchant is put on request.merchant."""

    @wraps(view)
    @login_required
    def wrapper(request: AuthenticatedHttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        merchant = selectors.merchant_of(user=request.user)
        if merchant is None:
            if selectors.role_of(user=request.user) == "pending_merchant":
                return redirect("accounts:merchant_pending")
            raise PermissionDenied
        # The same request, from here on carrying its merchant.
        merchant_request = cast(MerchantHttpRequest, request)
        merchant_request.merchant = merchant
        return view(merchant_request, *args, **kwargs)

    return wrapper


def consumer_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Only consumers get in; merchants and staff go to their own home page."""

    @wraps(view)
    @login_required
    def wrapper(request: AuthenticatedHttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        if selectors.role_of(user=request.user) != "consumer":
            return redirect("accounts:after_login")
        return view(request, *args, **kwargs)

    return wrapper
