"""Background jobs (django.tasks, run by `manage.py db_worker`)."""

from django.conf import settings
from django.tasks import task


@task()
def send_referral_checkbacks(reschedule: bool = False) -> dict[str, int]:
    """Ask the patients whose referrals were accepted PUENTE_CHECKBACK_DAYS ago whether they got the help, and
    give workers a follow-up task per stalled referral. With `reschedule`, queue the next run first (hourly)."""
    from .services import create_stall_tasks, send_due_checkbacks

    if reschedule:
        schedule_next_checkbacks()
    counts = send_due_checkbacks()
    counts["stall_tasks"] = create_stall_tasks()
    return counts


def schedule_next_checkbacks(now=None) -> bool:
    from puente.core.periodic import schedule_once

    minutes = getattr(settings, "PUENTE_CHECKBACK_SWEEP_MINUTES", 60)
    return schedule_once(send_referral_checkbacks, minutes, now, reschedule=True)
