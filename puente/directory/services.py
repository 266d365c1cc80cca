"""Writes to the directory. ``import_hsds_file`` writes one file in one transaction, idempotent by HSDS id."""

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from django.db import transaction

from . import models
from .hsds_parser import parse

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


def import_hsds_file(path, *, full=False, object_type=None, progress=None):
    """Import one HSDS 3.0 JSON file; return an ``ImportResult``.

    Valid units are written, invalid ones reported (``result.rejections``). ``full``: services not in the file are
    marked inactive (never deleted); it does nothing when the file itself cannot be read. ``progress(n)`` is called
    after each written record.
    """
    path = Path(path)
    result = ImportResult(file=path.name)
    parsed = parse(path.read_bytes(), path.name, object_type=object_type, known=_known)
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
    return result
