"""Directory imports uploaded on the web page: recognise the format, unpack a zip safely, queue the import and
run it in the background worker (``jobs.run_directory_import``) with its progress stored on the row.

The import itself is ``services.import_*``: one transaction per file or package, so a crash leaves nothing
half-written; this module only feeds it files and records what it did.
"""

import io
import logging
import re
import tempfile
import time
import zipfile
import zlib
from dataclasses import asdict
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from puente.audit.models import AuditAction
from puente.audit.services import acting_user, record_event

from . import services
from .hsds1 import SERVICE_AT_LOCATION
from .hsds_spec import TABLES
from .models import DirectoryImport, ImportFormat, ImportPhase

logger = logging.getLogger(__name__)

ZIP_MAGIC = b"PK\x03\x04"
ZIP_FORMATS = (ImportFormat.HSDS_CSV, ImportFormat.HSDS1_CSV, ImportFormat.OHANA_CSV)
# Only what the importers read leaves the zip, under its own base name: no folders, no "..", no hidden files.
SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\- ]{0,150}$")
MAX_MEMBERS = 200
# Tables only HSDS 1.x packages have (3.0 renamed or dropped them); Ohana is recognised before these.
HSDS1_TABLES = {
    "physical_addresses.csv",
    "postal_addresses.csv",
    "services_taxonomy.csv",
    "accessibility_for_disabilities.csv",
    "eligibility.csv",
    "regular_schedules.csv",
    "service_area.csv",
    "payment_accepted.csv",
    "holiday_schedules.csv",
    "meta_table_description.csv",
} | (set(SERVICE_AT_LOCATION) - set(TABLES))


class PackageError(ValueError):
    """The zip cannot be imported; the message (translated) says why."""


def wanted(member_name: str) -> str:
    """The base name to extract a zip member as, or "" to leave it in the zip."""
    name = PurePosixPath(member_name.replace("\\", "/")).name
    if "__MACOSX" in member_name or not SAFE_NAME.match(name):
        return ""
    return name if name.lower().endswith(".csv") or name == "datapackage.json" else ""


def _members(archive: zipfile.ZipFile) -> dict[str, zipfile.ZipInfo]:
    found: dict[str, zipfile.ZipInfo] = {}
    infos = [i for i in archive.infolist() if not i.is_dir()]
    if len(infos) > MAX_MEMBERS:
        raise PackageError(
            _("The zip holds more than %(count)d files; zip only the CSV tables.") % {"count": MAX_MEMBERS}
        )
    for info in infos:
        name = wanted(info.filename)
        if not name:
            continue
        if name in found:
            raise PackageError(_("The zip holds two files named %(name)s; zip one package at a time.") % {"name": name})
        found[name] = info
    if not any(n.lower().endswith(".csv") for n in found):
        raise PackageError(_("The zip holds no CSV files."))
    return found


def check_package(data: bytes, limit: int) -> dict[str, zipfile.ZipInfo]:
    """The zip's importable members by name, or PackageError (not a zip, no CSV, too large once unpacked)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = _members(archive)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError):
        raise PackageError(_("The file is not a readable zip file.")) from None
    declared = sum(info.file_size for info in members.values())
    if declared > limit:
        raise PackageError(_too_big_message(declared, limit))
    return members


def _too_big_message(size, limit):
    return _(
        "The file is too large to import once unzipped: %(size).1f MB, the limit is %(limit).1f MB. Split it into "
        "smaller files."
    ) % {"size": size / 1024 / 1024, "limit": limit / 1024 / 1024}


def extract_package(data: bytes, folder: Path, limit: int) -> list[str]:
    """Unpack the zip's CSV tables (and datapackage.json) flat into ``folder``; return their names.

    The sizes in a zip's directory can lie (a zip bomb), so the bytes actually written are counted too."""
    members = check_package(data, limit)
    written = 0
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for name, info in members.items():
                with archive.open(info) as source, (folder / name).open("wb") as target:
                    while chunk := source.read(64 * 1024):
                        written += len(chunk)
                        if written > limit:
                            raise PackageError(_too_big_message(written, limit))
                        target.write(chunk)
    except (zipfile.BadZipFile, RuntimeError, NotImplementedError, zlib.error, EOFError):
        # RuntimeError: an encrypted member; NotImplementedError: a compression method Python lacks.
        raise PackageError(_("The zip could not be unpacked (damaged, encrypted or an unusual compression).")) from None
    return sorted(members)


def _csv_header(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> set[str]:
    with archive.open(info) as source:
        first = source.read(4096).decode("utf-8-sig", errors="replace").splitlines()
    return {c.strip().strip('"') for c in first[0].split(",")} if first else set()


def detect_format(data: bytes) -> str:
    """The ``ImportFormat`` the bytes look like, or "" when they look like none (the user then chooses)."""
    if data.startswith(ZIP_MAGIC):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                members = _members(archive)
                services_header = _csv_header(archive, members["services.csv"]) if "services.csv" in members else set()
        except (zipfile.BadZipFile, PackageError, RuntimeError, NotImplementedError, zlib.error, EOFError):
            return ""
        names = set(members)
        # Ohana services hang off a location and carry taxonomy_ids; HSDS services belong to an organization.
        if "mail_addresses.csv" in names or {"location_id", "taxonomy_ids"} <= services_header:
            return ImportFormat.OHANA_CSV
        if names & HSDS1_TABLES:
            return ImportFormat.HSDS1_CSV
        if names & (set(TABLES) | {"datapackage.json"}):
            return ImportFormat.HSDS_CSV
        return ""
    head = data[:64].lstrip(b"\xef\xbb\xbf \t\r\n")
    return ImportFormat.HSDS_JSON if head[:1] in (b"{", b"[") else ""


def safe_file_name(name: str) -> str:
    """The uploaded file's base name with anything unusual replaced (it names a temporary file and the
    rejection report; the JSON importer reads the object type from it, e.g. service_list.json)."""
    base = PurePosixPath(name.replace("\\", "/")).name
    cleaned = re.sub(r"[^A-Za-z0-9_.\-]+", "_", base).lstrip("._")[:150]
    return cleaned or "upload"


@transaction.atomic
def queue_directory_import(request, *, file_name, data, data_format, full=False, object_type="", user=None):
    """Store the upload and queue its import in the background worker; return the ``DirectoryImport``."""
    actor = acting_user(request, user)
    job = DirectoryImport.objects.create(
        uploaded_by=actor,
        file_name=file_name[:255],
        data_format=data_format,
        object_type=object_type,
        full=full,
        data=data,
        size=len(data),
    )
    record_event(
        request,
        AuditAction.CREATE,
        obj=job,
        user=actor,
        organization_id=actor.organization_id,
        detail={"file": job.file_name, "format": data_format, "full": full, "size": job.size},
    )
    from .jobs import run_directory_import

    # After commit: the worker (another process) must find the row.
    transaction.on_commit(lambda: run_directory_import.enqueue(str(job.pk)))
    return job


class ProgressWriter:
    """The ``progress(done, total, phase)`` callback the importers call: stores the counts on the import row at
    most every ``interval`` seconds (and at each change of phase), so a large import is not slowed by a write per
    batch.

    The importer calls it inside its own transaction. On PostgreSQL the counts are written through a second
    connection in autocommit, so the status page sees them while the import runs; SQLite allows one writer at a
    time, so there they are written in the import's transaction and appear when it commits."""

    def __init__(self, import_id, *, interval=0.5, clock=time.monotonic):
        self.import_id, self.interval, self.clock = import_id, interval, clock
        self.done = self.total = self.written = self.to_write = 0
        self.phase = ImportPhase.WRITE
        self.last = None
        self.side = None

    def __call__(self, done, total=0, phase=ImportPhase.WRITE):
        changed = phase != self.phase
        self.done, self.total, self.phase = done, total, phase
        if phase == ImportPhase.WRITE:  # what the finished page reports as "records written"
            self.written, self.to_write = done, total
        now = self.clock()
        if not changed and self.last is not None and now - self.last < self.interval:
            return
        self.last = now
        self.write()

    def write(self):
        if connection.in_atomic_block and connection.vendor == "postgresql":
            self._write_aside()
        else:
            DirectoryImport.objects.filter(pk=self.import_id).update(
                progress_done=self.done, progress_total=self.total, progress_phase=self.phase
            )

    def _write_aside(self):
        if self.side is None:
            self.side = connections.create_connection(DEFAULT_DB_ALIAS)
        table = self.side.ops.quote_name(DirectoryImport._meta.db_table)
        with self.side.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET progress_done = %s, progress_total = %s, progress_phase = %s WHERE id = %s",  # noqa: S608
                [self.done, self.total, str(self.phase), self.import_id],
            )

    def close(self):
        if self.side is not None:
            self.side.close()
            self.side = None


def _run_importer(job: DirectoryImport, folder: Path, progress):
    if job.data_format == ImportFormat.HSDS_JSON:
        path = folder / safe_file_name(job.file_name)
        path.write_bytes(bytes(job.data))
        return services.import_hsds_file(path, full=job.full, object_type=job.object_type or None, progress=progress)
    # The package folder is named after the upload: Ohana and HSDS 1.x ids are keyed by it (a re-upload of the
    # same file updates in place) and the rejection report names it.
    stem = Path(safe_file_name(job.file_name)).stem or "package"
    package = folder / stem
    package.mkdir()
    extract_package(bytes(job.data), package, services.import_max_bytes())
    if job.data_format == ImportFormat.HSDS_CSV:
        return services.import_hsds_package(package, full=job.full, progress=progress)
    importer = (
        services.import_ohana_package if job.data_format == ImportFormat.OHANA_CSV else services.import_hsds1_package
    )
    return importer(package, source=stem, full=job.full, progress=progress)


def summarize(result) -> dict:
    return {
        "created": dict(result.created),
        "updated": dict(result.updated),
        "deactivated": result.deactivated,
        "units_total": result.units_total,
        "units_rejected": result.units_rejected,
        "notes": [str(n) for n in result.skipped],
    }


def run_import(import_id) -> str:
    """Run one queued import; return its final status ("" when there was nothing to run)."""
    # A row left "running" by a worker that died is run again when requeue_stale_tasks re-queues the job: its
    # transaction rolled back, so nothing of it was written.
    started = timezone.now()
    claimed = DirectoryImport.objects.filter(
        pk=import_id, status__in=[DirectoryImport.Status.QUEUED, DirectoryImport.Status.RUNNING]
    ).update(status=DirectoryImport.Status.RUNNING, started_at=started, updated_at=started)
    if not claimed:
        return ""
    job = DirectoryImport.objects.select_related("uploaded_by").get(pk=import_id)
    user = job.uploaded_by
    with translation.override(getattr(user, "language", "") or settings.LANGUAGE_CODE):
        progress = ProgressWriter(job.pk)
        result, error = None, ""
        try:
            with tempfile.TemporaryDirectory(prefix="puente-import-") as tmp:
                result = _run_importer(job, Path(tmp), progress)
        except PackageError as exc:
            error = str(exc)
        except Exception as exc:
            logger.exception("Directory import %s failed", import_id)
            error = _("The import stopped on an unexpected error (%(error)s); nothing was imported.") % {
                "error": type(exc).__name__
            }
        finally:
            progress.close()
        return _finish(job, user, result, error, progress)


def _finish(job, user, result, error, progress) -> str:
    # The bytes are dropped once the import has run (a finished import is never run again): an upload can be tens
    # of megabytes, and the administrator still has the file.
    values = {"finished_at": timezone.now(), "error": error, "data": b""}
    if result is not None:
        written = sum(result.created.values()) + sum(result.updated.values())
        values["summary"] = summarize(result)
        values["rejections"] = [asdict(r) for r in result.rejections]
        values["progress_done"] = max(progress.written, written)
        values["progress_total"] = max(progress.to_write, written)
        values["progress_phase"] = ImportPhase.WRITE
        if not written and not result.units_total and result.rejections:
            # The file itself was refused (too large, not JSON, not UTF-8): nothing to count, say why.
            values["error"] = " ".join(str(r.reason) for r in result.rejections[:3])
    values["status"] = DirectoryImport.Status.FAILED if values["error"] else DirectoryImport.Status.DONE
    with transaction.atomic():
        DirectoryImport.objects.filter(pk=job.pk).update(**values)
        detail = {"change": "import_finished", "status": values["status"]}
        if result is not None:
            detail |= {
                "created": sum(result.created.values()),
                "updated": sum(result.updated.values()),
                "deactivated": result.deactivated,
                "rejected": len(result.rejections),
            }
        record_event(
            None,
            AuditAction.UPDATE,
            obj=job,
            user=user,
            organization_id=getattr(user, "organization_id", None),
            actor_label="" if user else "background worker",
            detail=detail,
        )
    return values["status"]
