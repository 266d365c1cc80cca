"""Run by a timer (e.g. hourly): ask patients whether they got the help, and give the referring worker a follow-up
task for each stalled referral. Idempotent: each referral is asked once, and gets one task per stalled status."""

from django.core.management.base import BaseCommand

from puente.referrals.services import create_stall_tasks, send_due_checkbacks


class Command(BaseCommand):
    help = "Send the patient check-back for referrals accepted PUENTE_CHECKBACK_DAYS ago (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--enqueue", action="store_true", help="hand the work to the background worker instead")
        parser.add_argument(
            "--schedule",
            action="store_true",
            help="also queue the hourly self-rescheduling job for db_worker (no-op if one is already waiting)",
        )

    def handle(self, *args, **opts):
        if opts["enqueue"]:
            from puente.referrals.jobs import send_referral_checkbacks

            send_referral_checkbacks.enqueue()
            self.stdout.write("queued")
            return
        counts = send_due_checkbacks()
        self.stdout.write(", ".join(f"{k}: {v}" for k, v in sorted(counts.items())) or "nothing due")
        self.stdout.write(f"stalled follow-up tasks: {create_stall_tasks()}")
        if opts["schedule"]:
            from puente.referrals.jobs import schedule_next_checkbacks

            queued = schedule_next_checkbacks()
            self.stdout.write("next run queued" if queued else "a run is already queued (or no deferring backend)")
