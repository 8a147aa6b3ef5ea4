from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """The ground every app stands on: the audit trail, the task outbox, keys, the API's shapes."""

    name = "core"
    verbose_name = _("Platform records")
