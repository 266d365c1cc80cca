from django.apps import AppConfig


class TimekeepingConfig(AppConfig):
    name = "puente.timekeeping"
    label = "timekeeping"
