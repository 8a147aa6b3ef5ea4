"""HTML pages of perks: what consumers see (perks, claims, shares) and the merchant console."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.decorators import merchant_required

# --- Consumer pages --------------------------------------------------------------------------


# --- Merchant console ------------------------------------------------------------------------


@merchant_required
def console(request: HttpRequest) -> HttpResponse:
    return render(request, "perks/console.html", {"merchant": request.merchant})
