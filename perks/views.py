from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.decorators import merchant_required


@merchant_required
def console(request: HttpRequest) -> HttpResponse:
    return render(request, "perks/console.html", {"merchant": request.merchant})
