"""The admin site: Django's, with a landing page that says what needs platform staff's attention.

Its own module (not portal/admin.py): the admin app imports it to build the default site, before
any app's admin module registers on that site."""

from django.contrib import admin
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from . import selectors


class PortalAdminSite(admin.AdminSite):
    """The default admin site (installed by ``PortalAdminConfig``), titled for the platform."""

    site_header = _("Credit Life administration")
    site_title = _("Credit Life admin")
    index_title = _("Platform administration")

    def index(self, request: HttpRequest, extra_context: dict | None = None) -> TemplateResponse:
        context = {**(extra_context or {}), "attention": selectors.attention_counts()}
        return super().index(request, context)
