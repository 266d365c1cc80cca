from django.apps import AppConfig


class CaseloadConfig(AppConfig):
    name = "puente.caseload"
    label = "caseload"

    def ready(self) -> None:
        from puente.core.panels import register

        from .panels import my_caseload_panel

        register(my_caseload_panel)
