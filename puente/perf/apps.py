from django.apps import AppConfig


class PerfConfig(AppConfig):
    name = "puente.perf"
    label = "perf"
