from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from core.throttles import PasswordResetThrottle, SignUpThrottle, address_limit_wait, throttled_page

from . import selectors, services
from .decorators import consumer_required
from .forms import AccountDeleteForm, MerchantApplicationForm, SignUpForm


def _apply_errors(form, exc: ValidationError) -> None:
    for field, field_errors in exc.message_dict.items():
        for message in field_errors:
            form.add_error(field if field in form.fields else None, message)


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
            _apply_errors(form, exc)
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
            _apply_errors(form, exc)
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
                request, self.template_name, self.get_context_data(form=form), wait=wait, form=form
            )
        return super().post(request, *args, **kwargs)


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


# --- Your data: opt out, export, delete ---------------------------------------------------------


@consumer_required
def data_control(request: HttpRequest) -> HttpResponse:
    """The person's controls over their data: sharing, opting out, exporting, deleting."""
    profile = selectors.consumer_profile(user=request.user)
    return render(request, "accounts/data/index.html", {"profile": profile})


@consumer_required
@require_POST
@never_cache
def data_export(request: HttpRequest) -> HttpResponse:
    """Everything we hold about the person, as a JSON file download."""
    data = selectors.person_data_export(person=request.user)
    response = JsonResponse(data, json_dumps_params={"indent": 2, "ensure_ascii": False})
    filename = f"credit-life-{request.user.get_username()}-{timezone.localdate().isoformat()}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@consumer_required
def account_delete(request: HttpRequest) -> HttpResponse:
    """Delete the account for good, after the person re-enters their password."""
    form = AccountDeleteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.account_delete(user=request.user, password=form.cleaned_data["password"])
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            logout(request)
            messages.success(request, _("Your account and your data are deleted. Goodbye."))
            return redirect("home")
    status = 400 if form.errors else 200
    return render(request, "accounts/data/delete.html", {"form": form}, status=status)
