from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "socle.api"
    verbose_name = "API"
