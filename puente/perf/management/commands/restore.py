"""`manage.py restore PATH`: replace the database with a backup made by `manage.py backup`."""

from django.core.management.base import BaseCommand, CommandError

from puente.perf.backup import BackupError, restore_database


class Command(BaseCommand):
    help = "Replace the database's contents with the backup at PATH (made by `manage.py backup`)."

    def add_arguments(self, parser):
        parser.add_argument("path", help="backup file")
        parser.add_argument("--database", default="default", help="database alias (default: default)")
        parser.add_argument("--noinput", "--no-input", action="store_false", dest="interactive")

    def handle(self, *args, **opts):
        if opts["interactive"]:
            answer = input(
                f"Every row in the {opts['database']} database will be replaced by {opts['path']}. Type 'yes': "
            )
            if answer.strip().lower() != "yes":
                raise CommandError("Restore cancelled; nothing changed.")
        try:
            restore_database(opts["path"], opts["database"])
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Restored the {opts['database']} database from {opts['path']}.")
