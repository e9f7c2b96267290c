from django.apps import AppConfig


class LearningConfig(AppConfig):
    name = "socle.learning"
    label = "learning"
    verbose_name = "Learning paths"
