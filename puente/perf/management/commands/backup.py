"""`manage.py backup PATH`: a consistent copy of the whole database (see `puente/perf/backup.py`)."""

from django.core.management.base import BaseCommand, CommandError

from puente.perf.backup import BackupError, backup_database


class Command(BaseCommand):
    help = "Back up the database to PATH (SQLite: the online backup API; PostgreSQL: pg_dump -Fc)."

    def add_arguments(self, parser):
        parser.add_argument("path", help="file to write (replaced only once the new backup is complete)")
        parser.add_argument("--database", default="default", help="database alias (default: default)")

    def handle(self, *args, **opts):
        try:
            path = backup_database(opts["path"], opts["database"])
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Backed up the {opts['database']} database to {path} ({path.stat().st_size:,} bytes).")
