"""Directory import pages (administrators only): upload a file, follow its import in the background worker, read
and download the rejected rows. The directory holds no patient data, so these pages write no audit read events;
the upload, the import's result and the report download are audited."""

import csv
from dataclasses import fields
from pathlib import PurePosixPath

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from puente.accounts.models import Role
from puente.audit.models import AuditAction
from puente.audit.services import record_event
from puente.audit.views import csv_safe

from .forms import ImportForm
from .hsds_parser import Rejection
from .imports import queue_directory_import
from .models import DirectoryImport

RECENT = 20
# The status page shows this many rejected rows; the CSV report has them all.
REJECTIONS_SHOWN = 200


def _require_importer(user):
    # Imports rewrite the whole network's directory: administrators only (not partner curators).
    if user.role != Role.ADMIN:
        raise PermissionDenied


@login_required
def import_list(request: HttpRequest) -> HttpResponse:
    _require_importer(request.user)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        job = queue_directory_import(
            request,
            file_name=PurePosixPath(d["file"].name).name,
            data=d["data"],
            data_format=d["data_format"],
            full=d["full"],
            object_type=d["object_type"],
        )
        messages.success(request, _("The file is uploaded and its import is queued."))
        return redirect("directory:import", pk=job.pk)
    recent = list(DirectoryImport.objects.listing().select_related("uploaded_by")[:RECENT])
    status = 400 if form.errors else 200
    return render(request, "directory/imports.html", {"form": form, "imports": recent}, status=status)


@login_required
def import_detail(request: HttpRequest, pk) -> HttpResponse:
    _require_importer(request.user)
    job = get_object_or_404(DirectoryImport.objects.defer("data").select_related("uploaded_by"), pk=pk)
    created, updated = job.summary.get("created", {}), job.summary.get("updated", {})
    context = {
        "job": job,
        "counts": [(t, created.get(t, 0), updated.get(t, 0)) for t in sorted(set(created) | set(updated))],
        "rejections": job.rejections[:REJECTIONS_SHOWN],
        "rejection_count": len(job.rejections),
        "shown": REJECTIONS_SHOWN,
    }
    # htmx polls the status fragment while the import is queued or running (see imports_status.html).
    template = "directory/imports_status.html" if request.htmx else "directory/imports_detail.html"
    return render(request, template, context)


@login_required
def import_rejections_csv(request: HttpRequest, pk) -> HttpResponse:
    _require_importer(request.user)
    job = get_object_or_404(DirectoryImport.objects.defer("data"), pk=pk)
    names = [f.name for f in fields(Rejection)]
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    stem = PurePosixPath(job.file_name).stem or "import"
    response["Content-Disposition"] = f'attachment; filename="{_ascii(stem)}-rejections.csv"'
    writer = csv.writer(response)
    writer.writerow(names)
    for row in job.rejections:
        # The cells repeat the uploaded file's text: made formula-safe for spreadsheets.
        writer.writerow([csv_safe(row.get(name, "")) for name in names])
    record_event(request, AuditAction.EXPORT, obj=job, detail={"report": "rejections", "rows": len(job.rejections)})
    return response


def _ascii(text: str) -> str:
    return "".join(c if c.isascii() and (c.isalnum() or c in "-_.") else "_" for c in text)[:100] or "import"
