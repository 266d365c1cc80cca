"""Downloads of the whole directory for administrators: the HSDS 3.0 tabular package (zip) and the JSON file.

The export is written to a temporary file first and then streamed (``FileResponse``), so a large directory is
never held in memory and a failure mid-way answers an error rather than a truncated download. Each download is
audited as an export.
"""

import io
import tempfile

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpRequest
from django.views.decorators.http import require_GET

from puente.accounts.models import Role
from puente.audit.models import AuditAction
from puente.audit.services import record_event

from .export_tabular import export_hsds_json, export_hsds_package


def _require_admin(request):
    # The full directory, inactive listings' reach included, is an administrator's tool (workers search it).
    if request.user.role != Role.ADMIN:
        raise PermissionDenied


def _audit(request, export_format, services):
    record_event(
        request,
        AuditAction.EXPORT,
        object_type="directory.export",
        detail={"format": export_format, "services": services},
    )


def _scratch_file():
    return tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it once sent; deleted on close)


@require_GET
@login_required
def export_package(request: HttpRequest) -> FileResponse:
    _require_admin(request)
    file = _scratch_file()
    try:
        counts = export_hsds_package(file)
    except BaseException:
        file.close()
        raise
    _audit(request, "csv", counts["services.csv"])
    file.seek(0)
    return FileResponse(file, as_attachment=True, filename="hsds-directory.zip", content_type="application/zip")


@require_GET
@login_required
def export_json(request: HttpRequest) -> FileResponse:
    _require_admin(request)
    file = _scratch_file()
    try:
        stream = io.TextIOWrapper(file, encoding="utf-8")
        total = export_hsds_json(stream)
        stream.flush()
        stream.detach()  # keeps ``file`` open for the response
    except BaseException:
        file.close()
        raise
    _audit(request, "json", total)
    file.seek(0)
    # Named service_list.json so the importer knows the items are services without being told.
    return FileResponse(file, as_attachment=True, filename="service_list.json", content_type="application/json")
