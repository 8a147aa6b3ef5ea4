"""Views that span the apps: the health check load balancers (and the load benchmark's floor)
use, the not-found answer, which stays JSON under /api/ as the API's contract wants, and a
person's control over their data (export, deletion)."""

from django.contrib import messages
from django.contrib.auth import logout
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from accounts.decorators import consumer_required
from accounts.selectors import consumer_profile
from core.forms import form_errors_add
from core.requests import AuthenticatedHttpRequest

from . import selectors, services
from .forms import AccountDeleteForm


@never_cache
@require_safe
def healthz(request: HttpRequest) -> HttpResponse:
    """The process is up and serving Django: no database, no session, no template."""
    return HttpResponse("ok", content_type="text/plain")


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """handler404: a URL no route matches (``/api/v1/perks/abc/claim/``) is JSON under /api/."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": _("Not found."), "code": "not_found"}, status=404)
    return defaults.page_not_found(request, exception)


# --- Your data: opt out, export, delete ---------------------------------------------------------


@consumer_required
def data_control(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The person's controls over their data: sharing, opting out, exporting, deleting."""
    profile = consumer_profile(user=request.user)
    return render(request, "portal/data/index.html", {"profile": profile})


@consumer_required
@require_POST
@never_cache
def data_export(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Everything we hold about the person, as a JSON file download."""
    data = selectors.person_data_export(person=request.user)
    response = JsonResponse(data, json_dumps_params={"indent": 2, "ensure_ascii": False})
    filename = f"credit-life-{request.user.get_username()}-{timezone.localdate().isoformat()}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@consumer_required
def account_delete(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Delete the account for good, after the person re-enters their password."""
    form = AccountDeleteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.account_delete(user=request.user, password=form.cleaned_data["password"])
        except ValidationError as exc:
            form_errors_add(form, exc)
        else:
            logout(request)
            messages.success(request, _("Your account and your data are deleted. Goodbye."))
            return redirect("home")
    status = 400 if form.errors else 200
    return render(request, "portal/data/delete.html", {"form": form}, status=status)


def favicon(request: HttpRequest) -> HttpResponsePermanentRedirect:
    """The site's icon for a browser that asks for /favicon.ico (a page naming none, a JSON answer).

    The static URL is looked up per request: in production it carries the collected file's hash.
    """
    return HttpResponsePermanentRedirect(static("img/favicon.svg"))
