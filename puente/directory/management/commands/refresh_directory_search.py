from django.core.management.base import BaseCommand

from puente.directory.services import refresh_search_documents


class Command(BaseCommand):
    help = "Rebuild every service's search document (after migration 0002 on a directory imported before it)."

    def handle(self, *args, **options):
        refresh_search_documents()
        self.stdout.write("Search documents rebuilt.")
