"""Writes to the directory. ``import_hsds_file`` writes one file in one transaction, idempotent by HSDS id."""

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from puente.audit.models import AuditAction
from puente.audit.services import acting_user, record_event

from . import models
from .hsds1 import map_hsds1
from .hsds_parser import Rejection, parse, parse_data
from .ohana import map_ohana
from .tabular import read_csv, read_hsds_package
from .text import SQLITE_FTS_TABLE, document

MODELS = {
    model.hsds_type: model
    for model in (
        models.Organization,
        models.OrganizationIdentifier,
        models.Program,
        models.Service,
        models.Location,
        models.ServiceAtLocation,
        models.Address,
        models.Phone,
        models.Schedule,
        models.Language,
        models.ServiceArea,
        models.CostOption,
        models.RequiredDocument,
        models.Accessibility,
        models.Contact,
        models.Funding,
        models.Taxonomy,
        models.TaxonomyTerm,
        models.Attribute,
        models.Metadata,
    )
}

# HSDS field -> model attribute, where they differ.
RENAMED = {("taxonomy_term", "taxonomy_id"): "taxonomy_detail_id"}


@dataclass
class ImportResult:
    """What one file's import did."""

    file: str
    created: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)
    rejections: list = field(default_factory=list)
    units_total: int = 0
    units_rejected: int = 0
    deactivated: int = 0
    skipped: list = field(default_factory=list)


def _known(object_type, ids):
    return {str(pk) for pk in MODELS[object_type].objects.filter(id__in=list(ids)).values_list("id", flat=True)}


def _model_values(object_type, values):
    out = {}
    for name, value in values.items():
        if name == "id":
            continue
        if object_type == "service" and name == "last_modified" and isinstance(value, str):
            value = datetime.fromisoformat(value)
            if value.tzinfo is None:
                value = value.replace(tzinfo=UTC)
        out[RENAMED.get((object_type, name), name)] = value
    return out


# A file is parsed whole in memory, so one larger than this is refused before it is read (nothing written).
# Setting PUENTE_DIRECTORY_IMPORT_MAX_MB; a bigger directory is imported as several files or a CSV package.
DEFAULT_IMPORT_MAX_MB = 25


def import_max_bytes() -> int:
    return int(float(getattr(settings, "PUENTE_DIRECTORY_IMPORT_MAX_MB", DEFAULT_IMPORT_MAX_MB)) * 1024 * 1024)


def _too_big(name: str, size: int) -> ImportResult | None:
    """An ImportResult refusing the file (or package) when it is over the limit, else None."""
    limit = import_max_bytes()
    if size <= limit:
        return None
    reason = _(
        "The file is too large to import: %(size).1f MB, the limit is %(limit).1f MB. Split it into smaller "
        "files; nothing was imported."
    ) % {"size": size / 1024 / 1024, "limit": limit / 1024 / 1024}
    return ImportResult(file=name, rejections=[Rejection(name, "", "", "", "", reason)])


def import_hsds_file(path, *, full=False, object_type=None, progress=None):
    """Import one HSDS 3.0 JSON file; return an ``ImportResult``.

    Valid units are written, invalid ones reported (``result.rejections``). ``full``: services not in the file are
    marked inactive (never deleted); it does nothing when the file itself cannot be read. ``progress(n)`` is called
    after each written record.
    """
    path = Path(path)
    if refused := _too_big(path.name, path.stat().st_size):
        return refused
    parsed = parse(path.read_bytes(), path.name, object_type=object_type, known=_known)
    return _write(parsed, ImportResult(file=path.name), full=full, progress=progress)


def import_hsds_package(path, *, full=False, progress=None):
    """Import an HSDS 3.0 tabular package (a folder of CSVs, or its ``datapackage.json``); see ``tabular.py``.
    One transaction for the whole package, like a JSON file. A table that cannot be read is reported; with
    ``full`` nothing is deactivated then (a missing table must not empty the directory)."""
    path = Path(path)
    name = path.name if path.is_dir() else path.parent.name
    if refused := _too_big(name, _csv_bytes(path if path.is_dir() else path.parent)):
        return refused
    data, unreadable, notes = read_hsds_package(path)
    parsed = parse_data(data, name, known=_known)
    parsed.rejections = unreadable + parsed.rejections
    parsed.skipped = notes + parsed.skipped
    return _write(parsed, ImportResult(file=name), full=full and not unreadable, progress=progress)


def _csv_bytes(folder: Path) -> int:
    """A package's size: its CSV files together (they are all held in memory at once)."""
    return sum(file.stat().st_size for file in folder.glob("*.csv"))


def _import_mapped(path, mapper, source, full, progress):
    folder = Path(path)
    folder = folder if folder.is_dir() else folder.parent
    if refused := _too_big(folder.name, _csv_bytes(folder)):
        return refused
    tables, unreadable = {}, []
    for file in sorted(folder.glob("*.csv")):
        rows, problem = read_csv(file.read_bytes(), file.name)
        if problem:
            unreadable.append(problem)
        else:
            tables[file.name] = rows
    data, notes = mapper(tables, source or folder.name)
    parsed = parse_data(data, folder.name, known=_known)
    parsed.rejections = unreadable + parsed.rejections
    parsed.skipped = notes + parsed.skipped
    return _write(parsed, ImportResult(file=folder.name), full=full and not unreadable, progress=progress)


def import_ohana_package(path, *, source=None, full=False, progress=None):
    """Import an Ohana API CSV export (a folder of CSVs); mapped to HSDS 3.0 by ``ohana.py``. ``source`` keys
    the stable ids (default: the folder name)."""
    return _import_mapped(path, map_ohana, source, full, progress)


def import_hsds1_package(path, *, source=None, full=False, progress=None):
    """Import an HSDS 1.x tabular package (a folder of CSVs); mapped to HSDS 3.0 by ``hsds1.py``. Non-UUID ids
    get stable uuid5 ids keyed by ``source`` (default: the folder name)."""
    return _import_mapped(path, map_hsds1, source, full, progress)


def _write(parsed, result, *, full, progress):
    result.rejections = parsed.rejections
    result.units_total, result.units_rejected = parsed.units_total, parsed.units_rejected
    result.skipped = parsed.skipped
    if parsed.file_error:
        return result
    with transaction.atomic():
        for record in parsed.records:
            values = _model_values(record.type, record.values)
            if record.type == "service":
                values["active"] = True
            _obj, created = MODELS[record.type].objects.update_or_create(id=record.id, defaults=values)
            (result.created if created else result.updated)[record.type] += 1
            if progress:
                progress(1)
        if full:
            keep = parsed.seen_ids.get("service", set())
            stale = models.Service.objects.filter(active=True).exclude(id__in=list(keep))
            result.deactivated = stale.update(active=False)
        touched = {r.id for r in parsed.records if r.type == "service"}
        touched |= {str(r.values.get("link_id")) for r in parsed.records if r.type == "attribute"}
        renamed_terms = [r.id for r in parsed.records if r.type == "taxonomy_term"]
        if renamed_terms:
            linked = models.Attribute.objects.filter(taxonomy_term_id__in=renamed_terms).values_list(
                "link_id", flat=True
            )
            touched |= {str(i) for i in linked}
        refresh_search_documents(touched)
    return result


SEARCH_BATCH = 2000


def refresh_search_documents(service_ids=None):
    """Rebuild ``Service.search_document`` (see ``text.py``) for the given services, or all when None, and keep
    SQLite's FTS5 table (migration 0005) in step: the document is written only here, so the full-text index is
    refreshed here too rather than by signals or triggers.

    A derived index, not a curation change, so not audited. Batched: a fixed number of queries per batch.
    """
    fts = connection.vendor == "sqlite"
    qs = models.Service.objects.order_by("id").select_related("organization")
    if service_ids is not None:
        qs = qs.filter(id__in=[i for i in service_ids if i and i != "None"])
    elif fts:
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {SQLITE_FTS_TABLE}")  # noqa: S608 (a constant table name)
    last = None
    while True:
        batch = list((qs.filter(id__gt=last) if last else qs)[:SEARCH_BATCH])
        if not batch:
            return
        terms: dict = {}
        rows = models.Attribute.objects.filter(link_id__in=[s.id for s in batch], taxonomy_term__isnull=False)
        for link_id, name, description in rows.values_list(
            "link_id", "taxonomy_term__name", "taxonomy_term__description"
        ):
            terms.setdefault(link_id, []).extend([name, description])
        for service in batch:
            org = service.organization
            service.search_document = document(
                service.name,
                service.alternate_name,
                service.description,
                service.description_es,
                service.eligibility_description,
                org.name if org else "",
                org.alternate_name if org else "",
                *terms.get(service.id, []),
            )
        models.Service.objects.bulk_update(batch, ["search_document"])
        if fts:
            _refresh_sqlite_fts([s.id for s in batch], replace=service_ids is not None)
        last = batch[-1].id


def _refresh_sqlite_fts(ids, replace: bool):
    """Copy the batch's documents into the FTS5 table; ``replace`` first drops their old rows. The ids are
    rendered by the ORM so they are stored exactly as ``directory_service.id`` holds them."""
    chosen = models.Service.objects.filter(id__in=ids).order_by()
    with connection.cursor() as cursor:
        if replace:
            sql, params = chosen.values("id").query.sql_with_params()
            cursor.execute(f"DELETE FROM {SQLITE_FTS_TABLE} WHERE service_id IN ({sql})", params)  # noqa: S608
        sql, params = chosen.values_list("id", "search_document").query.sql_with_params()
        cursor.execute(f"INSERT INTO {SQLITE_FTS_TABLE} (service_id, document) {sql}", params)  # noqa: S608


# Curation: every write is atomic and audited (who, when, which listing, what changed).


class CurationDenied(PermissionError):
    """The user may not curate this listing (views answer 403)."""


def _check_curator(user, service):
    if not models.Service.objects.curated_by(user).filter(pk=service.pk).exists():
        raise CurationDenied(service.pk)


def _audit(request, action, obj, actor, detail):
    record_event(
        request,
        action,
        obj=obj,
        user=actor,
        organization_id=actor.organization_id,
        detail=detail,
    )


@transaction.atomic
def verify_service(request, service, *, user=None):
    """Stamp the listing verified now by the curator."""
    actor = acting_user(request, user)
    _check_curator(actor, service)
    previous = service.last_verified_at
    service.last_verified_at = timezone.now()
    service.last_verified_by = actor
    service.save(update_fields=["last_verified_at", "last_verified_by", "updated_at"])
    _audit(
        request,
        AuditAction.UPDATE,
        service,
        actor,
        {
            "change": "verified",
            "previous_verified_at": previous.isoformat() if previous else None,
        },
    )
    return service


@transaction.atomic
def set_service_capacity(request, service, capacity_status, *, user=None):
    """Set accepting / waitlist / not accepting, with when and who. Setting the same status again re-stamps
    the time (the curator confirmed it)."""
    if capacity_status not in models.CapacityStatus.values:
        raise ValueError(capacity_status)
    actor = acting_user(request, user)
    _check_curator(actor, service)
    previous = service.capacity_status
    service.capacity_status = capacity_status
    service.capacity_updated_at = timezone.now()
    service.capacity_updated_by = actor
    service.save(update_fields=["capacity_status", "capacity_updated_at", "capacity_updated_by", "updated_at"])
    _audit(
        request,
        AuditAction.UPDATE,
        service,
        actor,
        {
            "change": "capacity",
            "from": previous,
            "to": capacity_status,
        },
    )
    return service


# The listing fields a curator edits in Puente (ListingForm); the rest comes from imports.
LISTING_FIELDS = ("name", "description", "description_es", "eligibility_description", "fees_description")


def listing_values(service) -> dict:
    """The editable values of a listing as the form shows them (also the "before" of an edit)."""
    phone = models.Phone.objects.filter(service=service).order_by("id").first()
    note = _hours_note(service)
    return {
        **{name: getattr(service, name) for name in LISTING_FIELDS},
        "phone": phone.number if phone else "",
        "hours_note": note.description if note else "",
        "languages": list(
            models.Language.objects.filter(service=service).order_by("name", "id").values_list("code", flat=True)
        ),
    }


def _hours_note(service):
    # The note is a service-level HSDS schedule with a description and no weekly rule (hours.py ignores those).
    return models.Schedule.objects.filter(service=service, byday="", opens_at="", freq="").order_by("id").first()


@transaction.atomic
def edit_listing(request, service, values: dict, *, user=None) -> list[str]:
    """Apply a curator's edit of the main fields (``listing_values`` keys); return the names of the fields that
    changed (empty: nothing written, nothing audited). The audit event names the fields, not their text."""
    actor = acting_user(request, user)
    _check_curator(actor, service)
    before = listing_values(service)
    changed = [name for name, value in values.items() if name in before and _differs(name, before[name], value)]
    if not changed:
        return []
    direct = [name for name in LISTING_FIELDS if name in changed]
    for name in direct:
        setattr(service, name, values[name])
    if direct:
        service.save(update_fields=[*direct, "updated_at"])
    if "phone" in changed:
        _set_phone(service, values["phone"])
    if "hours_note" in changed:
        _set_hours_note(service, values["hours_note"])
    if "languages" in changed:
        _set_languages(service, values["languages"])
    refresh_search_documents([service.id])
    _audit(request, AuditAction.UPDATE, service, actor, {"change": "edited", "fields": changed})
    return changed


def _differs(name, old, new) -> bool:
    if name == "languages":  # a set: "es, en" is no change from "en, es"
        return {c.lower() for c in old} != set(new)
    return old != new


def _set_phone(service, number):
    phone = models.Phone.objects.filter(service=service).order_by("id").first()
    if phone is None and number:
        models.Phone.objects.create(service=service, number=number)
    elif phone is not None and number:
        phone.number = number
        phone.save(update_fields=["number", "updated_at"])
    elif phone is not None:
        phone.delete()  # cleared: the listing shows no phone rather than a wrong one


def _set_hours_note(service, text):
    note = _hours_note(service)
    if note is None and text:
        models.Schedule.objects.create(service=service, description=text)
    elif note is not None and text:
        note.description = text
        note.save(update_fields=["description", "updated_at"])
    elif note is not None:
        note.delete()


def _set_languages(service, codes):
    from .forms import LANGUAGE_CHOICES  # noqa: PLC0415 (forms import search; services stays importable alone)

    with translation.override("en"):  # English names as HSDS data holds them (search matches code or name)
        names = {code: str(label) for code, label in LANGUAGE_CHOICES if code}
    existing = {lang.code.lower(): lang for lang in models.Language.objects.filter(service=service)}
    for code, lang in existing.items():
        if code not in codes:
            lang.delete()
    for code in codes:
        if code not in existing:
            models.Language.objects.create(service=service, code=code, name=names.get(code, code))


@transaction.atomic
def report_listing_problem(request, service, *, reason, details, user=None):
    """Any signed-in staff user reports wrong information; the listing's curators see it in their queue."""
    actor = acting_user(request, user)
    report = models.ListingReport.objects.create(
        service=service,
        reason=reason,
        details=details,
        reported_by=actor,
        reporter_organization_id=actor.organization_id,
    )
    _audit(request, AuditAction.CREATE, report, actor, {"service": str(service.pk), "reason": reason})
    return report


@transaction.atomic
def resolve_listing_report(request, report, *, resolution, user=None):
    """Close a report with what the curator did about it."""
    actor = acting_user(request, user)
    _check_curator(actor, report.service)
    if report.status == models.ListingReport.Status.RESOLVED:
        return report
    report.status = models.ListingReport.Status.RESOLVED
    report.resolution = resolution
    report.resolved_at = timezone.now()
    report.resolved_by = actor
    report.save(update_fields=["status", "resolution", "resolved_at", "resolved_by", "updated_at"])
    _audit(request, AuditAction.UPDATE, report, actor, {"service": str(report.service_id), "change": "resolved"})
    return report
