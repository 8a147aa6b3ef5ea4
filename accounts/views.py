from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.forms import form_errors_add
from core.notifications import selectors as notification_selectors
from core.notifications import services as notification_services
from core.requests import AuthenticatedHttpRequest
from core.throttles import PasswordResetThrottle, SignUpThrottle, address_limit_wait, throttled_page

from . import selectors, services
from .decorators import consumer_required
from .forms import MerchantApplicationForm, NotificationSettingsForm, SignUpForm


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


INBOX_PAGE_SIZE = 30


@consumer_required
def notifications(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The inbox: the person's notifications, newest first, unread ones marked."""
    page = Paginator(
        notification_selectors.notifications_for_person(person=request.user), INBOX_PAGE_SIZE
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "accounts/notifications.html",
        {"page": page, "items": notification_selectors.notifications_shown(list(page.object_list))},
    )


@consumer_required
@require_POST
def notification_read(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Mark one read, then follow its link when asked to (a person opening it from the inbox)."""
    notification = notification_services.notification_mark_read(person=request.user, notification_id=pk)
    if notification is None:
        raise Http404
    link = notification_selectors.notifications_shown([notification])[0].text.link
    if request.POST.get("open") and link and url_has_allowed_host_and_scheme(link, allowed_hosts=None):
        return redirect(link)
    return redirect("accounts:notifications")


@consumer_required
@require_POST
def notifications_read_all(request: AuthenticatedHttpRequest) -> HttpResponse:
    marked = notification_services.notifications_mark_all_read(person=request.user)
    if marked:
        messages.success(request, _("All notifications marked read."))
    return redirect("accounts:notifications")


@consumer_required
@require_POST
def notification_settings(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Save what the person is told and how, from their profile page."""
    form = NotificationSettingsForm(request.POST)
    if form.is_valid():
        try:
            notification_services.notification_settings_update(
                person=request.user,
                muted_kinds=form.muted_kinds(),
                delivery=form.cleaned_data["delivery"],
                language=form.cleaned_data["language"],
            )
        except ValidationError as exc:
            form_errors_add(form, exc)
    if form.errors:
        for message in form.errors.as_data().values():
            for error in message:
                messages.error(request, " ".join(error.messages))
        return redirect(f"{reverse('profile:show')}#notifications")
    messages.success(request, _("Your notification choices are saved."))
    return redirect(f"{reverse('profile:show')}#notifications")
