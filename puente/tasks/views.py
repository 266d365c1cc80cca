"""The user's notifications."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from puente.core.http import safe_next

from . import services
from .models import Notification

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
