from django.apps import AppConfig


class ConsentConfig(AppConfig):
    name = "puente.consent"
    label = "consent"
