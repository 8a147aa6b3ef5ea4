from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    """Cross-app records: the audit trail and the task outbox."""

    name = "portal"
    verbose_name = _("Platform")

    def ready(self) -> None:
        # Registers the portal's system checks (the deploy check of the email backend).
        from . import checks  # noqa: F401
