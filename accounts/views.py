from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from core.forms import form_errors_add
from core.requests import AuthenticatedHttpRequest
from core.throttles import PasswordResetThrottle, SignUpThrottle, address_limit_wait, throttled_page

from . import selectors, services
from .forms import MerchantApplicationForm, SignUpForm


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "home.html")


def sign_up(request: HttpRequest) -> HttpResponse:
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and (wait := address_limit_wait(request, SignUpThrottle)):
        return throttled_page(request, "accounts/sign_up.html", {"form": form}, wait=wait, form=form)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.consumer_register(**form.cleaned_data)
        except ValidationError as exc:
            form_errors_add(form, exc)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("Welcome! Opt in to get your credit score."))
            return redirect("accounts:after_login")
    return render(request, "accounts/sign_up.html", {"form": form})


def merchant_apply(request: HttpRequest) -> HttpResponse:
    form = MerchantApplicationForm(request.POST or None)
    # A merchant application creates a login too: the same allowance as signing up.
    if request.method == "POST" and (wait := address_limit_wait(request, SignUpThrottle)):
        return throttled_page(request, "accounts/merchant_apply.html", {"form": form}, wait=wait, form=form)
    if request.method == "POST" and form.is_valid():
        try:
            merchant = services.merchant_apply(**form.cleaned_data)
        except ValidationError as exc:
            form_errors_add(form, exc)
        else:
            user = merchant.staff.get().user
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            return redirect("accounts:merchant_pending")
    return render(request, "accounts/merchant_apply.html", {"form": form})


class PasswordResetView(auth_views.PasswordResetView):
    """Django's reset request, with a per-address allowance across email addresses."""

    def post(self, request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        wait = address_limit_wait(request, PasswordResetThrottle)
        if wait:
            form = self.get_form()
            return throttled_page(
                request, self.get_template_names(), self.get_context_data(form=form), wait=wait, form=form
            )
        return super().post(request, *args, **kwargs)


@login_required
def merchant_pending(request: AuthenticatedHttpRequest) -> HttpResponse:
    if selectors.merchant_of(user=request.user) is not None:
        return redirect("accounts:after_login")
    return render(request, "accounts/merchant_pending.html")


@login_required
def after_login(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Send each kind of login to the page it came for."""
    role = selectors.role_of(user=request.user)
    destinations = {
        "merchant": "perks:console",
        "pending_merchant": "accounts:merchant_pending",
        "staff": "admin:index",
        "consumer": "scoring:dashboard",
    }
    return redirect(destinations[role])
