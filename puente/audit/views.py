"""The audit viewer (supervisors and administrators) and its CSV export."""

import csv
import json
from datetime import datetime, time, timedelta

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone

from puente.core.paging import page_of

from .forms import AuditFilterForm
from .models import AuditAction, AuditEvent
from .services import record_event

PAGE_SIZE = 50


def _filtered(request: HttpRequest) -> tuple[AuditFilterForm, object]:
    if not request.user.can_view_audit:
        raise PermissionDenied
    form = AuditFilterForm(request.GET or None, organization_id=request.user.organization_id)
    qs = AuditEvent.objects.visible_to(request.user).select_related("actor")
    if form.is_bound and not form.is_valid():
        # A filter that cannot be applied shows nothing rather than silently showing everything.
        return form, qs.none()
    if form.is_valid():
        d = form.cleaned_data
        if d["user"]:
            qs = qs.filter(actor=d["user"])
        if d["patient"]:
            qs = qs.filter(patient_id=d["patient"])
        if d["action"]:
            qs = qs.filter(action=d["action"])
        tz = timezone.get_current_timezone()
        if d["start"]:
            qs = qs.filter(at__gte=datetime.combine(d["start"], time.min, tzinfo=tz))
        if d["end"]:
            qs = qs.filter(at__lt=datetime.combine(d["end"] + timedelta(days=1), time.min, tzinfo=tz))
    return form, qs


@login_required
def event_list(request: HttpRequest) -> HttpResponse:
    form, qs = _filtered(request)
    # Read before this visit is logged (page_of reads at once), so the new event does not push a row out of sight.
    page = page_of(qs, PAGE_SIZE, request.GET.get("page"))
    record_event(request, AuditAction.READ, object_type="audit.event_list", detail={"filters": request.GET.dict()})
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "audit/list.html", {"form": form, "page": page, "query": query.urlencode()})


def csv_safe(value) -> str:
    """Spreadsheets run a cell that starts with = + - @ as a formula; user agents and emails are typed by
    whoever logs in, so such cells get a leading apostrophe."""
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


class _Echo:
    def write(self, value: str) -> str:
        return value


@login_required
def event_export(request: HttpRequest) -> HttpResponse:
    form, qs = _filtered(request)
    record_event(request, AuditAction.EXPORT, object_type="audit.event_list", detail={"filters": request.GET.dict()})
    writer = csv.writer(_Echo())
    header = ["at", "actor", "action", "object_type", "object_id", "patient_id", "ip", "user_agent", "path", "detail"]

    def rows():
        yield writer.writerow(header)
        for e in qs.iterator(chunk_size=2000):
            values = (
                e.at.isoformat(),
                e.actor_label,
                e.action,
                e.object_type,
                e.object_id,
                e.patient_id or "",
                e.ip or "",
                e.user_agent,
                e.path,
                json.dumps(e.detail, ensure_ascii=False, sort_keys=True),
            )
            yield writer.writerow([csv_safe(v) for v in values])

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="puente-audit.csv"'
    return response
