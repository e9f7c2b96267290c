from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FrameworksConfig(AppConfig):
    name = "socle.frameworks"
    verbose_name = _("Frameworks")
    default_auto_field = "django.db.models.BigAutoField"
