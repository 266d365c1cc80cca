from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "puente.accounts"
    label = "accounts"

    def ready(self) -> None:
        from .tenancy import scope_tenant_relations

        scope_tenant_relations()
