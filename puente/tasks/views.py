"""The user's notifications and closing a task."""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from puente.core.forms import refuse_idempotency_key
from puente.core.http import safe_next
from puente.core.idempotency import IdempotencyConflict
from puente.patients.permissions import get_rw_patient_for_user
from puente.patients.views import render_patient_page

from . import services
from .forms import CompleteTaskForm, NewTaskForm
from .models import Notification, Task

LIMIT = 100


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    # Notification texts carry no patient identity, so this page needs no audit row.
    notes = list(Notification.objects.for_user(request.user).order_by("-created_at")[:LIMIT])
    return render(request, "tasks/notifications.html", {"notifications": notes})


@require_POST
@login_required
def notifications_read(request: HttpRequest) -> HttpResponse:
    services.mark_notifications_read(request.user)
    return redirect(safe_next(request, "/notifications/"))


@require_POST
@login_required
def task_done(request: HttpRequest, pk) -> HttpResponse:
    """Only the task's assignee closes it (Task.objects.for_user filters organization and assignee)."""
    try:
        task = Task.objects.for_user(request.user).get(pk=pk)
    except Task.DoesNotExist:
        raise Http404 from None
    form = CompleteTaskForm(request.POST)
    if form.is_valid():
        services.complete_task(request, task, form.cleaned_data["note"])
        messages.success(request, _("Task marked done."))
    else:
        errors = " ".join(str(e) for errs in form.errors.values() for e in errs)
        messages.error(request, _("The task was not closed: %(errors)s") % {"errors": errors})
    return redirect(safe_next(request, "/dashboard/"))


@login_required
def task_new(request: HttpRequest, patient_pk) -> HttpResponse:
    """A task set by hand for a patient, by someone who may write the record; defaults to the writer, due tomorrow."""
    patient = get_rw_patient_for_user(request.user, patient_pk)
    initial = {"assignee": request.user.pk, "due_at": timezone.localtime() + timedelta(days=1)}
    form = NewTaskForm(request.POST or None, initial=initial, organization_id=patient.organization_id)
    if request.method == "POST" and form.is_valid():
        try:
            services.create_task(request, organization_id=patient.organization_id, patient=patient, **form.cleaned_data)
        except IdempotencyConflict as exc:
            refuse_idempotency_key(form, exc.message)
        else:
            messages.success(request, _("Task added."))
            return redirect("patients:detail", pk=patient.pk)
    return render_patient_page(request, "tasks/new.html", patient, {"form": form}, view="task_new")
