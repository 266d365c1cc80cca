"""Background jobs (django.tasks, run by `manage.py db_worker`)."""

from django.conf import settings
from django.core.mail import send_mail
from django.tasks import task
from django.utils import timezone, translation
from django.utils.translation import gettext as _


@task()
def email_notification(notification_id: str) -> None:
    """Tell the user something urgent is waiting in Puente. No patient name, no details: no PHI in email."""
    from .models import Notification

    note = Notification.objects.select_related("user").filter(pk=notification_id, emailed_at__isnull=True).first()
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
    Notification.objects.filter(pk=note.pk).update(emailed_at=timezone.now())
