"""Writes to the directory. ``import_hsds_file`` writes one file in one transaction, idempotent by HSDS id."""

import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.db import models as django_models
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from puente.audit.models import AuditAction
from puente.audit.services import acting_user, record_event
from puente.core.tenancy_guard import unscoped

from . import models
from .hsds1 import map_hsds1
from .hsds_parser import Rejection, parse, parse_data
from .ohana import map_ohana
from .tabular import read_csv, read_hsds_package
from .text import SQLITE_FTS_TABLE, document, facet_words

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
    # Children deleted because their re-imported parent no longer lists them, by HSDS type.
    removed: Counter = field(default_factory=Counter)


def _known(object_type, ids):
    """Which of ``ids`` (as the file spells them) are already in the directory."""
    wanted = {}
    for i in ids:
        if (pk := _uuid(i)) is not None:
            wanted.setdefault(pk, []).append(i)
    found = _existing_ids(MODELS[object_type], wanted)
    return {i for pk in found for i in wanted[pk]}


def _model_values(object_type, values):
    out = {}
    for name, value in values.items():
        if name == "id":
            continue
        if object_type == "service" and name == "last_modified" and isinstance(value, str):
            # The parser lets an empty date-time through (HSDS tables leave optional cells blank): no date.
            value = datetime.fromisoformat(value) if value.strip() else None
            if value is not None and value.tzinfo is None:
                value = value.replace(tzinfo=UTC)
        out[RENAMED.get((object_type, name), name)] = value
    return out


# A file is parsed whole in memory, so one larger than this is refused before it is read (nothing written).
# Setting PUENTE_DIRECTORY_IMPORT_MAX_MB; a bigger directory is imported as several files or a CSV package.
DEFAULT_IMPORT_MAX_MB = 25


def import_max_bytes() -> int:
    return int(float(getattr(settings, "PUENTE_DIRECTORY_IMPORT_MAX_MB", DEFAULT_IMPORT_MAX_MB)) * 1024 * 1024)


def _too_big(name: str, size: int, limit: int | None = None) -> ImportResult | None:
    """An ImportResult refusing the file (or package) when it is over the limit, else None."""
    limit = limit or import_max_bytes()
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
    marked inactive (never deleted); it does nothing when the file itself cannot be read. ``progress(done, total,
    phase="write")`` is called before writing and after each batch (see ``_write``).
    """
    path = Path(path)
    if refused := _too_big(path.name, path.stat().st_size):
        return refused
    parsed = parse(path.read_bytes(), path.name, object_type=object_type, known=_known)
    return _write(parsed, ImportResult(file=path.name), full=full, progress=progress)


def import_hsds_package(path, *, full=False, progress=None, max_bytes=None):
    """Import an HSDS 3.0 tabular package (a folder of CSVs, or its ``datapackage.json``); see ``tabular.py``.
    One transaction for the whole package, like a JSON file. A table that cannot be read is reported; with
    ``full`` nothing is deactivated then (a missing table must not empty the directory). ``max_bytes`` overrides
    the upload limit (``import_max_bytes``) for an operator's command."""
    path = Path(path)
    name = path.name if path.is_dir() else path.parent.name
    if refused := _too_big(name, _csv_bytes(path if path.is_dir() else path.parent), max_bytes):
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
    if unreadable:
        parsed.listed = {}  # the mapper fills in every table, so a lost source table would read as "no children"
    return _write(parsed, ImportResult(file=folder.name), full=full and not unreadable, progress=progress)


def import_ohana_package(path, *, source=None, full=False, progress=None):
    """Import an Ohana API CSV export (a folder of CSVs); mapped to HSDS 3.0 by ``ohana.py``. ``source`` keys
    the stable ids (default: the folder name)."""
    return _import_mapped(path, map_ohana, source, full, progress)


def import_hsds1_package(path, *, source=None, full=False, progress=None):
    """Import an HSDS 1.x tabular package (a folder of CSVs); mapped to HSDS 3.0 by ``hsds1.py``. Non-UUID ids
    get stable uuid5 ids keyed by ``source`` (default: the folder name)."""
    return _import_mapped(path, map_hsds1, source, full, progress)


# Parents before children, so the order reads naturally (the foreign keys are deferred to the commit anyway).
WRITE_ORDER = (
    "taxonomy",
    "taxonomy_term",
    "organization",
    "organization_identifier",
    "program",
    "service",
    "location",
    "service_at_location",
    "contact",
    "phone",
    "address",
    "schedule",
    "language",
    "service_area",
    "cost_option",
    "required_document",
    "accessibility",
    "funding",
    "attribute",
    "metadata",
)
# Rows written per INSERT … ON CONFLICT statement (and per progress call); ids per IN (…) list.
IMPORT_BATCH = 1000
ID_CHUNK = 2000
# Children that are part of their parent's record: when the file states a parent's list of them, rows it no longer
# lists are deleted. Not replaced: services, locations and programs (records of their own, shared through
# service_at_location; a service is only ever marked inactive) and metadata (HSDS's change log: history is kept).
REPLACED = frozenset(
    {
        "organization_identifier",
        "service_at_location",
        "address",
        "phone",
        "schedule",
        "language",
        "service_area",
        "cost_option",
        "required_document",
        "accessibility",
        "contact",
        "funding",
        "attribute",
    }
)


def _chunks(items, size):
    items = list(items)
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _uuid(value):
    """An HSDS id in canonical form (lower case, hyphenated) or ``None`` when it is not a UUID. Ids are compared
    as these strings: a 36-character id already in that shape (nearly all) skips the ``uuid.UUID`` parse."""
    if isinstance(value, str) and len(value) == 36 and value[8] == value[13] == value[18] == value[23] == "-":
        return value.lower()
    try:
        return str(uuid.UUID(str(value)))
    except ValueError:
        return None


def _existing_ids(model, ids) -> set:
    return _select_ids(model, "id", ids)


def _select_ids(model, column, values, select="id") -> set:
    """The canonical ``select`` ids (default: the primary key) of ``model``'s rows whose UUID ``column`` is one of
    ``values`` (canonical strings), in statements of ``ID_CHUNK`` values. Raw SQL because at 100,000 ids the ORM's
    per-value UUID conversions both ways cost more than the queries."""
    native = connection.features.has_native_uuid_field
    quote = connection.ops.quote_name
    found = set()
    select_from = f"SELECT {quote(select)} FROM {quote(model._meta.db_table)} WHERE {quote(column)}"  # noqa: S608
    with connection.cursor() as cursor:
        for chunk in _chunks(values, ID_CHUNK):
            if connection.vendor == "postgresql":  # one array parameter (see _upsert for why)
                cursor.execute(f"{select_from} = ANY(%s::uuid[])", [chunk])
            else:
                params = chunk if native else [v.replace("-", "") for v in chunk]
                cursor.execute(f"{select_from} IN ({', '.join(['%s'] * len(params))})", params)
            found.update(_from_db(pk) for (pk,) in cursor.fetchall() if pk is not None)
    return found


def _from_db(value) -> str:
    """A UUID as the database returns it (PostgreSQL: ``uuid.UUID``; SQLite: 32 hex digits) -> canonical."""
    if isinstance(value, str) and len(value) == 32:
        return f"{value[:8]}-{value[8:12]}-{value[12:16]}-{value[16:20]}-{value[20:]}"
    return str(value)


def _write(parsed, result, *, full, progress):
    """Write the parsed records in one transaction: per type, parents first, in batches of one
    ``INSERT … ON CONFLICT (id) DO UPDATE`` each (see ``_upsert``), instead of two or three queries per record.
    ``progress(done, total)`` gets the records written so far and the number to write: once with 0 before
    writing, then after every batch, ending at ``total``; then ``progress(done, total, ImportPhase.INDEX)`` counts
    the services whose search documents are rebuilt, from 0 to their number."""
    result.rejections = parsed.rejections
    result.units_total, result.units_rejected = parsed.units_total, parsed.units_rejected
    result.skipped = parsed.skipped
    if parsed.file_error:
        return result
    by_type = {}
    for record in parsed.records:
        # Keyed by the canonical id, so the same id spelled in upper case is one row, not two in one statement.
        by_type.setdefault(record.type, {})[_uuid(record.id)] = record
    total = sum(len(records) for records in by_type.values())
    done = 0
    with transaction.atomic():
        if progress:
            progress(0, total)
        owners_before = _previous_owners(by_type)
        for object_type in WRITE_ORDER:
            records = by_type.get(object_type)
            if not records:
                continue
            model = MODELS[object_type]
            existing = _existing_ids(model, records)
            for names, rows in _grouped_rows(object_type, records).items():
                for batch in _chunks(rows, IMPORT_BATCH):
                    _upsert(model, names, batch)
                    done += len(batch)
                    if progress:
                        progress(done, total)
            for pk in records:
                (result.updated if pk in existing else result.created)[object_type] += 1
        _replace_children(parsed, result)
        if full:
            result.deactivated = _deactivate_missing(parsed.seen_ids.get("service", ()))
        touched = _touched_services(by_type) | owners_before
        indexed = None
        if progress:
            # The search documents are the last phase of a large import: counted, so the page does not sit at 100 %.
            def indexed(done, total):
                progress(done, total, models.ImportPhase.INDEX)

        refresh_search_documents(touched, progress=indexed)
    return result


def _grouped_rows(object_type, records) -> dict:
    """The records' model values grouped by the fields they carry: {field names: [(id, values…), …]}.

    Only the fields the file gives are written, as ``update_or_create(defaults=…)`` did: a record repeated in short
    form (an organization nested in a service) does not blank the fields it leaves out, and Puente's own fields
    (verification, capacity, the Spanish description, the search document) are never touched; ``active`` is set
    on every imported service (back in the data: active again). A new row gets the model defaults for the rest.
    """
    groups = {}
    for pk, record in records.items():
        values = _model_values(object_type, record.values)
        if object_type == "service":
            values["active"] = True
        names = tuple(sorted(values))
        groups.setdefault(names, []).append((pk, *(values[name] for name in names)))
    return groups


def _upsert(model, names, rows):
    """``INSERT … ON CONFLICT (id) DO UPDATE SET`` the given columns (and ``updated_at``): on SQLite as multi-row
    ``VALUES`` of at most ``UPSERT_PARAMS`` parameters, on PostgreSQL as ``SELECT * FROM unnest(…)`` of one array
    parameter per column, ``UPSERT_ROWS`` rows a statement (why: below).

    Why not ``bulk_create(update_conflicts=True)``: measured, Django's per-value preparation and SQL compilation
    cost more than the database work (about 4 ms of CPU per 15 rows, so over three minutes for the 800,000 rows of
    a 100,000-service directory); here each column's conversion is chosen once and the SQL is built once per
    statement shape. The conversions are the fields' own (``get_db_prep_save``) except for the two hot cases:
    UUID columns (the parser has checked them), plain text (passed as it is) and numbers (made floats)."""
    opts = model._meta
    fields = [opts.get_field(name) for name in names]
    convert = [_converter(field) for field in fields]
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    # A new row needs every column: the model's defaults (Python-side in Django, not in the schema) for the rest.
    given = {field.column for field in fields} | {opts.pk.column, "created_at", "updated_at"}
    rest = [f for f in opts.concrete_fields if f.column not in given]
    defaults = tuple(f.get_db_prep_save(f.get_default(), connection) for f in rest)
    as_uuid = _converter(opts.pk)
    prepared = [
        (as_uuid(row[0]), *(c(v) if c else v for c, v in zip(convert, row[1:], strict=True)), now, now, *defaults)
        for row in rows
    ]
    quote = connection.ops.quote_name
    columns = [opts.pk.column, *(field.column for field in fields), "created_at", "updated_at"]
    updates = ", ".join(f"{quote(c)} = excluded.{quote(c)}" for c in columns[1:] if c != "created_at")
    columns += [f.column for f in rest]  # inserted, never updated
    head = f"INSERT INTO {quote(opts.db_table)} ({', '.join(map(quote, columns))}) "  # noqa: S608 (model names)
    tail = f" ON CONFLICT ({quote(opts.pk.column)}) DO UPDATE SET {updates}"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # One array parameter per column, unnested into rows: psycopg renders client-side parameters by
            # scanning the statement for placeholders, which for 30,000 "%s" took longer than the database's
            # work (profiled: 72 ms per statement, a third of a 100,000-service import). A fixed handful here.
            by_column = {f.column: f for f in opts.concrete_fields}
            arrays = ", ".join(f"%s::{by_column[c].db_type(connection)}[]" for c in columns)
            sql = f"{head}SELECT * FROM unnest({arrays}){tail}"  # noqa: S608 (model names and types)
            for chunk in _chunks(prepared, UPSERT_ROWS):
                cursor.execute(sql, [list(column) for column in zip(*chunk, strict=True)])
            return
        row_sql = "(" + ", ".join(["%s"] * len(columns)) + ")"
        per_statement = max(1, UPSERT_PARAMS // len(columns))
        for chunk in _chunks(prepared, per_statement):
            cursor.execute(f"{head}VALUES {', '.join([row_sql] * len(chunk))}{tail}", [v for row in chunk for v in row])


# Parameters per upsert statement on SQLite (under its 32,766); rows per statement on PostgreSQL (one array each).
UPSERT_PARAMS = 30000
UPSERT_ROWS = 5000


def _converter(field):
    """A fast value -> database value function for one column, or None to pass values through."""
    target = field.target_field if field.is_relation else field
    if isinstance(target, django_models.UUIDField):
        if connection.features.has_native_uuid_field:
            return _uuid  # PostgreSQL casts the canonical text to uuid
        return lambda value: _uuid(value).replace("-", "")  # SQLite: Django stores the 32 hex digits
    if isinstance(target, django_models.TextField | django_models.CharField):
        return None
    if isinstance(target, django_models.FloatField):
        # JSON gives 3 and 3.5 alike; PostgreSQL's array parameters (_upsert) need one Python type per column.
        return lambda value: None if value is None else float(value)
    return lambda value: field.get_db_prep_save(value, connection)


def _replace_children(parsed, result):
    """Delete the children a re-imported parent no longer lists (see ``REPLACED``), for every parent that states
    its list in the file (``ParseResult.listed``), with or without ``full``: updating a parent in place means its
    phones, hours, languages… become what the file says. A child whose id appears anywhere in the file is kept,
    even in a rejected unit (a typo in one row must not delete the row it was meant to update)."""
    for (parent_type, child_type), parent_ids in sorted(parsed.listed.items()):
        if child_type not in REPLACED:
            continue
        model = MODELS[child_type]
        link = "link_id" if child_type == "attribute" else f"{parent_type}_id"
        keep = {_uuid(i) for i in parsed.seen_ids.get(child_type, ())}
        column = model._meta.get_field(link).column
        stale = sorted(_select_ids(model, column, sorted(_uuid(i) for i in parent_ids)) - keep)
        if stale:
            result.removed[child_type] += _delete_children(model, stale, result)


def _delete_children(model, ids, result) -> int:
    """Delete directory rows by id (their own children cascade), keeping any a record outside the directory
    points at (a patient's referral names a service at location: that row is history and is kept, noted)."""
    # The directory is shared by every organization: whether any organization's row refers to it is the question,
    # so these lookups cannot name one organization (the tenancy guard's explicit exemption).
    with unscoped("a directory import checks and removes shared directory rows"):
        held = set()
        for rel in model._meta.related_objects:
            if rel.related_model._meta.app_label == model._meta.app_label:
                continue
            for chunk in _chunks(ids, ID_CHUNK):
                rows = rel.related_model._base_manager.filter(**{f"{rel.field.name}__in": chunk})
                held.update(str(pk) for pk in rows.values_list(rel.field.attname, flat=True))
        if held:
            result.skipped.append(
                ngettext(
                    "%(count)d %(type)s row no longer in the file was kept: a referral points at it.",
                    "%(count)d %(type)s rows no longer in the file were kept: referrals point at them.",
                    len(held),
                )
                % {"count": len(held), "type": model.hsds_type}
            )
        deleted = 0
        for chunk in _chunks([pk for pk in ids if pk not in held], ID_CHUNK):
            _count, per_model = model.objects.filter(id__in=chunk).delete()
            deleted += per_model.get(model._meta.label, 0)
    return deleted


def _deactivate_missing(present_ids) -> int:
    """Mark active services not in the file inactive (never deleted); the set difference is taken in Python so
    no statement carries 100,000 ids."""
    keep = {_uuid(i) for i in present_ids}
    active = models.Service.objects.filter(active=True).values_list("id", flat=True)
    missing = [pk for pk in active if str(pk) not in keep]
    return sum(models.Service.objects.filter(id__in=chunk).update(active=False) for chunk in _chunks(missing, ID_CHUNK))


def _previous_owners(by_type) -> set:
    """Before writing: the services whose facet words (languages, taxonomy terms) the file may take away — the
    current owners of the languages, service-at-locations and attributes it re-points or drops, and the services
    offered at the locations it lists (a replaced service-at-location list can drop one)."""
    owners = set()
    languages = list(by_type.get("language", {}))
    owners |= _select_ids(models.Language, "id", languages, select="service_id")
    located = _select_ids(models.Language, "id", languages, select="location_id") | set(by_type.get("location", {}))
    owners |= _select_ids(models.ServiceAtLocation, "location_id", sorted(located), select="service_id")
    owners |= _select_ids(
        models.ServiceAtLocation, "id", list(by_type.get("service_at_location", {})), select="service_id"
    )
    owners |= _select_ids(models.Attribute, "id", list(by_type.get("attribute", {})), select="link_id")
    return owners


def _touched_services(by_type) -> set:
    """Services whose search document may have changed: those in the file, those an attribute in the file
    links to, and those whose organization or taxonomy terms the file changes."""
    touched = set(by_type.get("service", {}))
    touched |= {_uuid(r.values.get("link_id")) for r in by_type.get("attribute", {}).values()}
    for chunk in _chunks(by_type.get("taxonomy_term", {}), ID_CHUNK):
        linked = models.Attribute.objects.filter(taxonomy_term_id__in=chunk).values_list("link_id", flat=True)
        touched.update(str(pk) for pk in linked)
    # A renamed organization changes its services' documents (they hold its name).
    touched |= _select_ids(models.Service, "organization_id", list(by_type.get("organization", {})))
    # Languages are facet words of the document: a service's own, and those of the locations it is offered at.
    touched |= {_uuid(r.values.get("service_id")) for r in by_type.get("language", {}).values()}
    touched |= {_uuid(r.values.get("service_id")) for r in by_type.get("service_at_location", {}).values()}
    located = {_uuid(r.values.get("location_id")) for r in by_type.get("language", {}).values()}
    located |= set(by_type.get("location", {}))
    located.discard(None)
    touched |= _select_ids(models.ServiceAtLocation, "location_id", list(located), select="service_id")
    touched.discard(None)
    return touched


SEARCH_BATCH = 2000


def refresh_search_documents(service_ids=None, *, progress=None):
    """Rebuild ``Service.search_document`` (see ``text.py``: stems and facet words) for the given services, or all
    when None, and keep SQLite's FTS5 table (migration 0005) in step: the document is written only here, so the
    full-text index is refreshed here too rather than by signals or triggers.

    A derived index, not a curation change, so not audited. Batched: a fixed number of queries per batch (the
    given ids are taken ``SEARCH_BATCH`` at a time, so no statement carries a 100,000-id list). With given ids,
    ``progress(done, total)`` (if any) is called before the first batch and after each.
    """
    fts = connection.vendor == "sqlite"
    # Plain rows, not model instances: at 100,000 services building instances cost more than the queries.
    qs = models.Service.objects.order_by("id").values_list("id", *DOCUMENT_FIELDS)
    if service_ids is not None:
        ids = sorted({pk for pk in (_uuid(i) for i in service_ids if i and i != "None") if pk})
        if progress:
            progress(0, len(ids))
        for number, chunk in enumerate(_chunks(ids, SEARCH_BATCH), start=1):
            _refresh_batch(list(qs.filter(id__in=chunk)), fts, replace=True)
            if progress:
                progress(min(len(ids), number * SEARCH_BATCH), len(ids))
        return
    if fts:
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {SQLITE_FTS_TABLE}")  # noqa: S608 (a constant table name)
    last = None
    while True:
        batch = list((qs.filter(id__gt=last) if last else qs)[:SEARCH_BATCH])
        if not batch:
            return
        _refresh_batch(batch, fts, replace=False)
        last = batch[-1][0]


# The texts a search document is built from, in ``document``'s order (then the taxonomy terms' words).
DOCUMENT_FIELDS = (
    "name",
    "alternate_name",
    "description",
    "description_es",
    "eligibility_description",
    "organization__name",
    "organization__alternate_name",
)


def _refresh_batch(batch, fts, replace):
    """``batch``: (id, *DOCUMENT_FIELDS) rows."""
    if not batch:
        return
    ids = [row[0] for row in batch]
    terms: dict = {}
    term_ids: dict = {}
    rows = models.Attribute.objects.filter(link_id__in=ids, taxonomy_term__isnull=False).values_list(
        "link_id", "taxonomy_term_id", "taxonomy_term__name", "taxonomy_term__description"
    )
    for link_id, term_id, name, description in rows:
        terms.setdefault(link_id, []).extend([name, description])
        term_ids.setdefault(link_id, []).append(str(term_id))
    spoken: dict = {}
    own = models.Language.objects.filter(service_id__in=ids).values_list("service_id", "code", "name")
    at_sites = models.Language.objects.filter(location__service_at_locations__service_id__in=ids).values_list(
        "location__service_at_locations__service_id", "code", "name"
    )
    for rows in (own, at_sites):
        for service_id, code, name in rows:
            spoken.setdefault(service_id, []).extend([code, name])
    sites: dict = {}
    located = models.ServiceAtLocation.objects.filter(
        service_id__in=ids, location__latitude__isnull=False, location__longitude__isnull=False
    )
    for service_id, lat, lon in located.values_list("service_id", "location__latitude", "location__longitude"):
        sites.setdefault(service_id, []).append((lat, lon))
    documents = [
        document(
            *texts,
            *terms.get(pk, []),
            facets=facet_words(spoken.get(pk, ()), term_ids.get(pk, ()), sites.get(pk, ())),
        )
        for pk, *texts in batch
    ]
    as_uuid = _converter(models.Service._meta.pk)
    uuids = [as_uuid(str(pk)) for pk in ids]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # One statement for the batch: two array parameters unnested into (id, document) rows.
            cursor.execute(
                'UPDATE "directory_service" SET "search_document" = new.document '
                "FROM unnest(%s::uuid[], %s::text[]) AS new (id, document) "
                'WHERE "directory_service"."id" = new.id',
                [uuids, documents],
            )
        else:
            # One UPDATE per row, sent together: cheaper than bulk_update's CASE over the batch (measured).
            rows = list(zip(documents, uuids, strict=True))
            cursor.executemany('UPDATE "directory_service" SET "search_document" = %s WHERE "id" = %s', rows)
    if fts:
        _refresh_sqlite_fts(ids, replace=replace)


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
