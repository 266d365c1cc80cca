"""Writes for tasks and notifications. Email goes through the background worker and carries no PHI."""

from django.db import transaction
from django.utils import timezone

from puente.audit.models import AuditAction
from puente.audit.services import record_event
from puente.core.idempotency import create_once

from .models import Notification, Task


@transaction.atomic
def create_task(
    request,
    *,
    organization_id,
    title,
    due_at,
    patient=None,
    assignee=None,
    priority="routine",
    source="",
    source_id="",
    user=None,
    idempotency_key: str = "",
) -> Task:
    """A task. A task set by hand carries the form's idempotency key: the form sent twice makes one task
    (core/idempotency.py); the clocks' tasks have their own unique key (source, source_id)."""

    def make() -> Task:
        task = Task.objects.create(
            organization_id=organization_id,
            title=title[:200],
            patient=patient,
            assignee=assignee,
            due_at=due_at,
            priority=priority,
            source=source,
            source_id=source_id,
        )
        record_event(request, AuditAction.CREATE, obj=task, patient_id=patient.pk if patient else None, user=user)
        return task

    if not idempotency_key:
        return make()
    actor = user or request.user
    task, _replayed = create_once(
        organization_id, actor, idempotency_key, Task, make, scope=patient.pk if patient else ""
    )
    return task


@transaction.atomic
def complete_task(request, task: Task, note: str = "") -> Task:
    """The assignee marks a task done (a clock task stays in the record with its due and done times)."""
    task = Task.objects.select_for_update().get(organization_id=task.organization_id, pk=task.pk)
    if task.status != Task.Status.OPEN:
        return task
    task.status = Task.Status.DONE
    task.completed_at = timezone.now()
    task.completed_by = request.user
    task.completion_note = note
    task.save(update_fields=["status", "completed_at", "completed_by", "completion_note", "updated_at"])
    record_event(
        request,
        AuditAction.UPDATE,
        obj=task,
        patient_id=task.patient_id,
        detail={"status": "done", "late": task.completed_at > task.due_at},
    )
    return task


@transaction.atomic
def complete_tasks_for(request, organization_id, source: str, source_id: str, note: str = "") -> int:
    """Close the open tasks a source created (e.g. when its crisis alert is resolved)."""
    tasks = list(Task.objects.open().filter(organization_id=organization_id, source=source, source_id=source_id))
    for task in tasks:
        task.status = Task.Status.DONE
        task.completed_at = timezone.now()
        task.completed_by = request.user
        task.completion_note = note
        task.save(update_fields=["status", "completed_at", "completed_by", "completion_note", "updated_at"])
        record_event(request, AuditAction.UPDATE, obj=task, patient_id=task.patient_id, detail={"status": "done"})
    return len(tasks)


def notify(user, kind: str, text: str, *, url: str = "", urgent: bool = False, organization_id=None) -> Notification:
    """An in-app notification, and for urgent ones an email (queued for the worker after the commit)."""
    from .jobs import email_notification

    note = Notification.objects.create(
        organization_id=organization_id or user.organization_id,
        user=user,
        kind=kind,
        text=text[:300],
        url=url,
        urgent=urgent,
    )
    if urgent and user.email:
        transaction.on_commit(lambda: email_notification.enqueue(str(note.pk), str(note.organization_id)))
    return note


@transaction.atomic
def mark_notifications_read(user) -> int:
    return Notification.objects.for_user(user).unread().update(read_at=timezone.now())
