from django.apps import AppConfig


class ImpactConfig(AppConfig):
    name = "socle.impact"
    label = "impact"
    verbose_name = "Impact pages"
