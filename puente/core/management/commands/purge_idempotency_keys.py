"""Delete idempotency keys older than idempotency.KEEP_DAYS (the clock sweep does this too; safe to run any time)."""

from django.core.management.base import BaseCommand

from puente.core.idempotency import KEEP_DAYS, purge_expired_keys


class Command(BaseCommand):
    help = f"Delete the create forms' idempotency keys older than {KEEP_DAYS} days."

    def handle(self, *args, **options):
        deleted = purge_expired_keys()
        self.stdout.write(f"idempotency keys deleted: {deleted}")
