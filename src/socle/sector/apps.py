from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SectorConfig(AppConfig):
    name = "socle.sector"
    verbose_name = _("Sector figures")
