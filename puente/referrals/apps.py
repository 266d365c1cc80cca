from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "puente.referrals"
    label = "referrals"

    def ready(self) -> None:
        from puente.core.panels import register

        from .panels import referrals_needing_action_panel

        register(referrals_needing_action_panel, shares_patients=True)
