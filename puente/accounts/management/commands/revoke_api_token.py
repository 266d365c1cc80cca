"""Revoke an API token by the prefix shown when it was made: `manage.py revoke_api_token pnt_AbCdEfGh`."""

from django.core.management.base import BaseCommand, CommandError

from puente.accounts.models import ApiToken
from puente.accounts.services import revoke_api_token
from puente.core.tenancy_guard import unscoped


class Command(BaseCommand):
    help = "Revoke an API token by its prefix (the first 12 characters of the key)."

    def add_arguments(self, parser):
        parser.add_argument("prefix", help="the token's prefix, e.g. pnt_AbCdEfGh")

    def handle(self, *args, **opts):
        prefix = opts["prefix"].strip()
        with unscoped("the operator names a token by its prefix; the token is how the organization is found"):
            tokens = list(ApiToken.objects.filter(prefix=prefix).select_related("user"))
        if not tokens:
            raise CommandError(f"No token with the prefix {prefix}.")
        active = [t for t in tokens if t.revoked_at is None]
        if not active:
            raise CommandError(f"The token {prefix} is already revoked.")
        if len(active) > 1:
            # Prefixes are 8 random characters, so a clash is very unlikely; refuse rather than guess.
            owners = ", ".join(f"{t.name!r} of {t.user.email}" for t in active)
            raise CommandError(f"Several active tokens share the prefix {prefix} ({owners}); revoke them in the admin.")
        token = revoke_api_token(active[0])
        self.stdout.write(f"Revoked token {token.name!r} ({token.prefix}) of {token.user.email}.")
