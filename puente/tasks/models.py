"""Tasks (work with a due time and an owner) and in-app notifications.

This is the minimum the crisis alert needs (a task due now, a notification); the caseload issue adds clock
rules, reminders and escalation on top of the same tables.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from puente.accounts.models import TenantModel


class TaskQuerySet(models.QuerySet["Task"]):
    def for_user(self, user) -> "TaskQuerySet":
        if not getattr(user, "is_authenticated", False) or not user.organization_id:
            return self.none()
        return self.filter(organization_id=user.organization_id, assignee=user)

    def open(self) -> "TaskQuerySet":
        return self.filter(status=Task.Status.OPEN)

    def overdue(self, now=None) -> "TaskQuerySet":
        return self.open().filter(due_at__lte=now or timezone.now())

    def due_between(self, start, end) -> "TaskQuerySet":
        return self.open().filter(due_at__gt=start, due_at__lte=end)


class Task(TenantModel):
    """A piece of work with an owner and a due time, optionally about a patient."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    class Priority(models.TextChoices):
        STAT = "stat", _("Now")
        URGENT = "urgent", _("Urgent")
        ROUTINE = "routine", _("Routine")

    title = models.CharField(_("title"), max_length=200)
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, null=True, blank=True, related_name="tasks"
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="tasks"
    )
    due_at = models.DateTimeField(_("due"))
    priority = models.CharField(_("priority"), max_length=10, choices=Priority.choices, default=Priority.ROUTINE)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    source = models.CharField(max_length=40, blank=True, help_text="What created it, e.g. crisis_alert.")
    source_id = models.CharField(max_length=64, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    completion_note = models.TextField(_("completion note"), blank=True)
    # Set once by the reminder sweep (clock_sweep.send_reminders), so a reminder or escalation is never repeated.
    reminded_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)

    objects = TaskQuerySet.as_manager()

    class Meta:
        ordering = ["due_at"]
        indexes = [
            models.Index(fields=["organization", "assignee", "status", "due_at"], name="task_org_assignee"),
            models.Index(fields=["organization", "status", "due_at"], name="task_org_status_due"),
        ]
        constraints = [
            # A clock creates its task once per trigger object, even if two sweeps run at the same time.
            models.UniqueConstraint(
                fields=["organization", "source", "source_id"],
                condition=models.Q(source__startswith="clock:"),
                name="task_clock_once",
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_overdue(self) -> bool:
        return self.status == self.Status.OPEN and self.due_at <= timezone.now()

    @property
    def is_clock(self) -> bool:
        return self.source.startswith("clock:")


class NotificationQuerySet(models.QuerySet["Notification"]):
    def for_user(self, user) -> "NotificationQuerySet":
        if not getattr(user, "is_authenticated", False) or not user.organization_id:
            return self.none()
        return self.filter(organization_id=user.organization_id, user=user)

    def unread(self) -> "NotificationQuerySet":
        return self.filter(read_at__isnull=True)


class Notification(TenantModel):
    """An in-app message to one user. Email copies carry no PHI: only that something needs attention."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=40)
    text = models.CharField(max_length=300)
    url = models.CharField(max_length=300, blank=True)
    urgent = models.BooleanField(default=False)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["organization", "user", "read_at"], name="notification_org_user")]

    def __str__(self) -> str:
        return self.text
