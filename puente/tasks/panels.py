"""The dashboard panel of the user's open tasks (registered in apps.py)."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from puente.core.panels import Panel

from .models import Task

LIMIT = 30


def my_tasks_panel(user) -> Panel | None:
    if not getattr(user, "is_clinical_staff", False):
        return None
    tasks = list(Task.objects.for_user(user).open().select_related("patient").order_by("due_at")[:LIMIT])
    if not tasks:
        return None
    now = timezone.now()
    soon = now + timedelta(hours=getattr(settings, "PUENTE_TASK_REMINDER_HOURS", 4))
    return Panel(
        "tasks/_dashboard_tasks.html",
        {
            "tasks": tasks,
            "now": now,
            "soon": soon,
            "overdue_count": sum(1 for t in tasks if t.due_at <= now),
        },
        {str(t.patient_id) for t in tasks if t.patient_id},
        order=10,
    )
