from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImprovementConfig(AppConfig):
    name = "socle.improvement"
    verbose_name = _("Continuous improvement")
