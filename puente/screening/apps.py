from django.apps import AppConfig


class ScreeningConfig(AppConfig):
    name = "puente.screening"
    label = "screening"
