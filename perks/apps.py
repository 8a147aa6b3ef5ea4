from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PerksConfig(AppConfig):
    name = "perks"
    verbose_name = _("Perks")
