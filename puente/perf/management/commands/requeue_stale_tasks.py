"""`manage.py requeue_stale_tasks --older-than MINUTES`: retry the jobs a killed worker left running."""

from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError

from puente.perf.recovery import requeue_stale_tasks


class Command(BaseCommand):
    help = "Set background jobs that have been 'running' too long (their worker died) back to ready."

    def add_arguments(self, parser):
        parser.add_argument(
            "--older-than",
            type=float,
            default=30,
            help="minutes a job must have been running to count as orphaned; longer than any job (default 30)",
        )

    def handle(self, *args, **opts):
        if opts["older_than"] < 0:
            raise CommandError("--older-than must be >= 0 minutes.")
        ids = requeue_stale_tasks(timedelta(minutes=opts["older_than"]))
        self.stdout.write(f"Requeued {len(ids)} orphaned job(s)." + (f" {', '.join(ids)}" if ids else ""))
