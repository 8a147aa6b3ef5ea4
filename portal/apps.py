from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    """The top floor: settings, URLs and the features that span apps (privacy, demo seeding).

    It owns no models today; its migrations created the audit and outbox tables, which now
    belong to ``core`` (migration 0004 hands them over without touching the tables).
    """

    name = "portal"
    verbose_name = _("Platform")

    def ready(self) -> None:
        # Registers the portal's system checks (the deploy check of the email backend).
        from . import checks  # noqa: F401
        from .celery import app as celery_app

        # Every app's tasks registered in every process, web ones included: services queue tasks
        # by name through the outbox (core.outbox), without importing the modules that define them.
        celery_app.autodiscover_tasks(force=True)


class PortalAdminConfig(admin_apps.AdminConfig):
    """Django's admin, with the portal's site (its landing page lists what needs attention)."""

    default = False  # installed by name in INSTALLED_APPS; PortalConfig stays the app's own
    default_site = "portal.admin_site.PortalAdminSite"
