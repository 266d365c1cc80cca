from django.apps import AppConfig


class CareplansConfig(AppConfig):
    name = "puente.careplans"
    label = "careplans"
