from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from . import selectors, services
from .forms import MerchantApplicationForm, SignUpForm


def _apply_errors(form, exc: ValidationError) -> None:
    for field, field_errors in exc.message_dict.items():
        for message in field_errors:
            form.add_error(field if field in form.fields else None, message)


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "home.html")


def sign_up(request: HttpRequest) -> HttpResponse:
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.consumer_register(**form.cleaned_data)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("Welcome! Opt in to get your credit score."))
            return redirect("accounts:after_login")
    return render(request, "accounts/sign_up.html", {"form": form})


def merchant_apply(request: HttpRequest) -> HttpResponse:
    form = MerchantApplicationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            merchant = services.merchant_apply(**form.cleaned_data)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            user = merchant.staff.get().user
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            return redirect("accounts:merchant_pending")
    return render(request, "accounts/merchant_apply.html", {"form": form})


@login_required
def merchant_pending(request: HttpRequest) -> HttpResponse:
    if selectors.merchant_of(user=request.user) is not None:
        return redirect("accounts:after_login")
    return render(request, "accounts/merchant_pending.html")


@login_required
def after_login(request: HttpRequest) -> HttpResponse:
    """Send each kind of login to the page it came for."""
    role = selectors.role_of(user=request.user)
    destinations = {
        "merchant": "perks:console",
        "pending_merchant": "accounts:merchant_pending",
        "staff": "admin:index",
        "consumer": "scoring:dashboard",
    }
    return redirect(destinations[role])
