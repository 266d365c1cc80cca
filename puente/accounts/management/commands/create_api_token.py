"""Issue an API token for a user: `manage.py create_api_token --user EMAIL --name NAME --scopes a,b`."""

from django.core.management.base import BaseCommand, CommandError

from puente.accounts.models import ApiToken, User
from puente.accounts.services import create_api_token


class Command(BaseCommand):
    help = "Create an API token for a user and print its key once (only a hash is stored)."

    def add_arguments(self, parser):
        parser.add_argument("--user", required=True, help="email of the user the token acts as")
        parser.add_argument("--name", required=True, help="what the token is for, e.g. 'Epic ADT feed'")
        parser.add_argument("--scopes", required=True, help=f"comma-separated, from: {', '.join(ApiToken.SCOPES)}")

    def handle(self, *args, **opts):
        try:
            user = User.objects.get(email__iexact=opts["user"].strip())
        except User.DoesNotExist:
            raise CommandError(f"No user with the email {opts['user']}.")
        if not user.is_active:
            raise CommandError(f"{user.email} is deactivated; a token for them would be refused.")
        name = opts["name"].strip()
        if not name:
            raise CommandError("Give the token a name.")
        scopes = sorted({s.strip() for s in opts["scopes"].split(",") if s.strip()})
        if not scopes:
            raise CommandError(f"Give at least one scope, from: {', '.join(ApiToken.SCOPES)}.")
        try:
            token, key = create_api_token(user, name, scopes)
        except ValueError as exc:
            raise CommandError(str(exc))
        self.stdout.write(f"Created token {token.name!r} ({token.prefix}) for {user.email}: {', '.join(token.scopes)}")
        self.stdout.write("Key (shown only now; store it in the integration's secret store):")
        self.stdout.write(key)
