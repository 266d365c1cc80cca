from django.apps import AppConfig


class ScreeningConfig(AppConfig):
    name = "puente.screening"
    label = "screening"

    def ready(self) -> None:
        from puente.core.panels import register

        from .panels import open_alerts_panel

        register(open_alerts_panel, shares_patients=True)
