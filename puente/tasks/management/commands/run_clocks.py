"""Create missing clock tasks, send reminders and escalate overdue tasks (idempotent; safe to run any time)."""

from django.core.management.base import BaseCommand

from puente.tasks.clock_sweep import sweep
from puente.tasks.jobs import schedule_next_sweep


class Command(BaseCommand):
    help = "Run the clock/reminder/escalation sweep once (cron), or --schedule it on the background worker."

    def add_arguments(self, parser):
        parser.add_argument(
            "--schedule",
            action="store_true",
            help="Also queue the self-rescheduling sweep job for db_worker (no-op if one is already waiting).",
        )

    def handle(self, *args, schedule: bool = False, **options):
        result = sweep()
        self.stdout.write(
            f"clock tasks created: {result.created}, reassigned: {result.reassigned}, "
            f"cancelled: {result.cancelled}, "
            f"reminders: {result.reminded}, escalations: {result.escalated}"
        )
        if schedule:
            queued = schedule_next_sweep()
            self.stdout.write("next sweep queued" if queued else "a sweep is already queued (or no deferring backend)")
