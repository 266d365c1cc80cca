from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "puente.core"
    label = "core"
