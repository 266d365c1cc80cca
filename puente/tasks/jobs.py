"""Background jobs (django.tasks, run by `manage.py db_worker`)."""

from django.conf import settings
from django.core.mail import send_mail
from django.tasks import task
from django.utils import timezone, translation
from django.utils.translation import gettext as _


@task()
def email_notification(notification_id: str, organization_id: str) -> None:
    """Tell the user something urgent is waiting in Puente. No patient name, no details: no PHI in email."""
    from .models import Notification

    note = (
        Notification.objects.select_related("user")
        .filter(organization_id=organization_id, pk=notification_id, emailed_at__isnull=True)
        .first()
    )
    if note is None:
        return
    with translation.override(note.user.language or "en"):
        send_mail(
            subject=_("Puente: an urgent item needs your attention"),
            message=_("Something urgent is waiting for you in Puente. Sign in to see it.")
            + "\n\n"
            + settings.PUENTE_BASE_URL.rstrip("/")
            + "/",
            from_email=None,
            recipient_list=[note.user.email],
        )
    Notification.objects.filter(organization_id=organization_id, pk=note.pk).update(emailed_at=timezone.now())


@task()
def clock_sweep(reschedule: bool = True) -> dict:
    """Queue the next run `PUENTE_CLOCK_SWEEP_MINUTES` later, then run the clock, reminder and escalation sweep.

    The job keeps itself alive on the database queue (see puente/core/periodic.py).
    """
    from .clock_sweep import sweep

    # Queue the next run first: a sweep that fails must not end the chain.
    if reschedule:
        schedule_next_sweep()
    result = sweep()
    return {"created": result.created, "reminded": result.reminded, "escalated": result.escalated}


def schedule_next_sweep(now=None) -> bool:
    """Queue the next sweep unless one is already waiting. Returns whether it queued one."""
    from puente.core.periodic import schedule_once

    return schedule_once(clock_sweep, getattr(settings, "PUENTE_CLOCK_SWEEP_MINUTES", 5), now)
