from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QualitativeConfig(AppConfig):
    name = "socle.qualitative"
    verbose_name = _("Open answers")
