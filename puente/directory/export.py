"""Export the directory as HSDS 3.0 JSON: a fully nested service (the ``GET /services/{id}`` shape) and a ``Page``.

Reads only. Optional empty values are left out (the schemas type them as strings or numbers, not null).
"""

import math
import uuid
from datetime import datetime

from . import models
from .hsds_parser import LINKS
from .hsds_spec import SPEC, child_lists, refs
from .services import MODELS, RENAMED

# Nested objects exported inside each type (the OpenAPI examples' shape); the rest are ids only.
NESTED_REFS = {
    "service": ("organization", "program"),
    "service_at_location": ("location",),
    "attribute": ("taxonomy_term",),
    "taxonomy_term": ("taxonomy_detail",),
}


def _value(value):
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def export_object(obj, object_type=None):
    """One HSDS object with its children and nested references, as a dict."""
    object_type = object_type or obj.hsds_type
    out = {}
    for name in SPEC[object_type][1]:
        value = getattr(obj, RENAMED.get((object_type, name), name))
        if value is None or value == "":
            continue
        out[name] = _value(value)
    for key in NESTED_REFS.get(object_type, ()):
        ref_type, ref_field = refs(object_type)[key]
        ref_id = out.get(ref_field)
        target = MODELS[ref_type].objects.filter(id=ref_id).first() if ref_id else None
        if target is not None:
            out[key] = export_object(target, ref_type)
    for key, child_type in child_lists(object_type, importing=False).items():
        link = LINKS.get(child_type)
        lookup = {link[0]: obj.id} if link else {f"{object_type}_id": obj.id}
        children = MODELS[child_type].objects.filter(**lookup).order_by("id")
        out[key] = [export_object(child, child_type) for child in children]
    return out


def export_service(service):
    """A service as HSDS 3.0 JSON, fully nested."""
    return export_object(service, "service")


def export_services(queryset=None, page=1, per_page=50):
    """A ``Page`` of services (HSDS 3.0 ``GET /services``), each fully nested."""
    queryset = models.Service.objects.order_by("name", "id") if queryset is None else queryset
    total = queryset.count()
    pages = max(1, math.ceil(total / per_page))
    contents = [export_service(s) for s in queryset[(page - 1) * per_page : page * per_page]]
    return {
        "total_items": total,
        "total_pages": pages,
        "page_number": page,
        "size": len(contents),
        "first_page": page == 1,
        "last_page": page >= pages,
        "empty": not contents,
        "contents": contents,
    }


def export_flat(obj, object_type=None):
    """One HSDS object's one-to-one fields only (the ``*_list`` shapes of the HSDS API)."""
    object_type = object_type or obj.hsds_type
    out = {}
    for name in SPEC[object_type][1]:
        value = getattr(obj, RENAMED.get((object_type, name), name))
        if value is None or value == "":
            continue
        out[name] = _value(value)
    return out


def export_service_list_item(service):
    """A service as in ``GET /services``: one-to-one fields plus its organization and program (flat).
    Callers select_related organization and program so a page costs no extra query per service."""
    out = export_flat(service, "service")
    if service.organization is not None:
        out["organization"] = export_flat(service.organization, "organization")
    if service.program is not None:
        out["program"] = export_flat(service.program, "program")
    return out
