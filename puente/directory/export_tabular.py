"""Export the whole directory: an HSDS 3.0 tabular package (``datapackage.json`` + one CSV per table) and one JSON
file of fully nested services (a ``Page`` with every item). Reads only; what ``tabular.py`` and the JSON importer
read back.

Which rows: the exported services (active ones unless asked) and what they reach: their organizations (with the
organizations' own children, as the nested JSON carries them), programs, service-at-locations and locations, the
children of all of these, the attributes and metadata on any of them, and the taxonomy terms and taxonomies those
attributes use. A CSV row is written only when every reference it holds resolves inside the package (a phone of an
organization that also names an excluded service is left out), so the package imports into an empty directory.

Memory and queries: the CSV tables are each one streamed query (``.iterator``) whose filter is a subquery over the
exported services, so the cost in queries is fixed whatever the directory's size and nothing is held in memory. The
JSON is built a chunk of services at a time from a fixed number of queries per chunk (one per table and nesting
level), so no service costs a query of its own.
"""

import csv
import io
import json
import uuid
import zipfile
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from django.db import connection
from django.db.models import Q
from django.db.models.expressions import RawSQL

from . import models
from .export import NESTED_REFS
from .export import _value as _json_value
from .hsds_parser import LINKS
from .hsds_spec import REF_FIELDS, SPEC, child_lists, refs
from .services import MODELS, RENAMED

# The tables in the order of the shipped HSDS 3.0 datapackage.json (openreferral/specification@279fd2e). Its
# ``meta_table_description`` table is left out: Puente does not keep it (the importer skips it too).
RESOURCES = (
    ("organization", "organizations.csv"),
    ("program", "programs.csv"),
    ("service", "services.csv"),
    ("attribute", "attributes.csv"),
    ("service_at_location", "service_at_location.csv"),
    ("location", "locations.csv"),
    ("phone", "phones.csv"),
    ("contact", "contacts.csv"),
    ("address", "addresses.csv"),
    ("schedule", "schedules.csv"),
    ("funding", "funding.csv"),
    ("service_area", "service_areas.csv"),
    ("required_document", "required_documents.csv"),
    ("language", "languages.csv"),
    ("accessibility", "accessibility.csv"),
    ("taxonomy_term", "taxonomy_terms.csv"),
    ("metadata", "metadata.csv"),
    ("cost_option", "cost_options.csv"),
    ("organization_identifier", "organization_identifiers.csv"),
    ("taxonomy", "taxonomies.csv"),
)

# Frictionless field types where the datapackage is more precise than the JSON schema's "string". The columns
# themselves are ``hsds_spec.SPEC``'s fields, which are in the datapackage's order (tests compare them).
FIELD_TYPES = {
    ("service", "assured_date"): "date",
    ("service", "last_modified"): "datetime",
    ("schedule", "valid_from"): "date",
    ("schedule", "valid_to"): "date",
    ("schedule", "dtstart"): "date",
    ("schedule", "until"): "date",
    ("schedule", "opens_at"): "time",
    ("schedule", "closes_at"): "time",
    ("metadata", "last_action_date"): "date",
    ("cost_option", "valid_from"): "date",
    ("cost_option", "valid_to"): "date",
}

CSV_CHUNK = 2000
JSON_CHUNK = 100


def columns(object_type):
    """The CSV header of a table: the HSDS field names, in the datapackage's order."""
    return list(SPEC[object_type][1])


def _attnames(object_type):
    return [RENAMED.get((object_type, name), name) for name in SPEC[object_type][1]]


def descriptor():
    """The ``datapackage.json`` of an exported package (Frictionless tabular data package, HSDS 3.0 fields)."""
    resources = []
    for object_type, path in RESOURCES:
        required, spec = SPEC[object_type]
        fields = []
        for name, (json_type, rule) in spec.items():
            field = {"name": name, "type": FIELD_TYPES.get((object_type, name), json_type)}
            if rule in ("uuid", "email", "uri"):
                field["format"] = rule
            elif isinstance(rule, tuple):
                field["constraints"] = {"enum": list(rule)}
            if name in required:
                field.setdefault("constraints", {})["required"] = True
            fields.append(field)
        foreign_keys = [
            {"fields": name, "reference": {"resource": REF_FIELDS[name], "fields": "id"}}
            for name in spec
            if name in REF_FIELDS
        ]
        resources.append(
            {
                "name": object_type,
                "path": path,
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "profile": "tabular-data-resource",
                "schema": {"fields": fields, "primaryKey": "id", "foreignKeys": foreign_keys},
            }
        )
    return {
        "name": "human_services_data",
        "title": "Human Services Data Specification",
        "profile": "tabular-data-package",
        "version": "3.0.0",
        "resources": resources,
    }


def exported_services(queryset=None, include_inactive=False):
    """The services an export covers: ``queryset`` (default every service), active ones only unless asked."""
    queryset = models.Service.objects.all() if queryset is None else queryset
    return queryset if include_inactive else queryset.filter(active=True)


class _Scratch:
    """Temporary tables of ids on the export's own connection, one per package table.

    Each table's rows are defined from the tables before it (a phone belongs to an exported service, organization,
    location, contact or service-at-location). Written as nested subqueries the definitions of attributes and
    metadata would nest a dozen levels deep, more than SQLite's parser takes, and repeat the same work; kept in
    temporary tables each is computed once and every query stays two levels deep.
    """

    def __init__(self):
        self.tag = uuid.uuid4().hex[:12]
        self.names = []

    def keep(self, object_type, queryset):
        """Store ``queryset``'s ids; return a subquery reading them back."""
        name = f"hsds_export_{object_type}_{self.tag}"
        sql, params = queryset.order_by().values("id").query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(f"CREATE TEMPORARY TABLE {name} AS {sql}", params)
        self.names.append(name)
        return RawSQL(f"SELECT id FROM {name}", [])  # noqa: S608, S611 (a generated table name)

    def drop(self):
        with connection.cursor() as cursor:
            for name in self.names:
                cursor.execute(f"DROP TABLE IF EXISTS {name}")


def _within(field, ids):
    """``field`` is empty or points inside ``ids`` (a subquery)."""
    return Q(**{f"{field}__isnull": True}) | Q(**{f"{field}__in": ids})


def _linked(model, links):
    """Rows of ``model`` with at least one of the ``links`` (field -> subquery of ids) set and every one of them
    empty or inside its subquery: reached from the package and referring to nothing outside it."""
    condition = ~Q(**{f"{field}__isnull": True for field in links})
    for field, ids in links.items():
        condition &= _within(field, ids)
    return model.objects.filter(condition)


@contextmanager
def package_querysets(services):
    """HSDS type -> queryset of the rows a package of ``services`` holds (see the module docstring), valid inside
    the ``with`` block. A fixed number of queries, whatever the number of services."""
    m = models
    scratch = _Scratch()
    try:
        ids = {}

        def keep(object_type, queryset):
            ids[object_type] = scratch.keep(object_type, queryset)
            return ids[object_type]

        s = keep("service", services)
        sal = keep("service_at_location", m.ServiceAtLocation.objects.filter(service_id__in=s))
        chosen = m.Service.objects.filter(id__in=s)
        # The organizations of the services, plus those of their programs and sites, so each of those resolves.
        o = keep(
            "organization",
            m.Organization.objects.filter(
                Q(id__in=chosen.values("organization_id"))
                | Q(id__in=m.Program.objects.filter(id__in=chosen.values("program_id")).values("organization_id"))
                | Q(id__in=m.Location.objects.filter(service_at_locations__id__in=sal).values("organization_id"))
            ),
        )
        keep("program", m.Program.objects.filter(Q(id__in=chosen.values("program_id")) | Q(organization_id__in=o)))
        loc = keep(
            "location",
            m.Location.objects.filter(Q(service_at_locations__id__in=sal) | Q(organization_id__in=o)).distinct(),
        )
        keep("organization_identifier", m.OrganizationIdentifier.objects.filter(organization_id__in=o))
        c = keep(
            "contact",
            _linked(
                m.Contact, {"organization_id": o, "service_id": s, "service_at_location_id": sal, "location_id": loc}
            ),
        )
        links = {"location_id": loc, "service_id": s, "organization_id": o, "contact_id": c}
        ph = keep("phone", _linked(m.Phone, {**links, "service_at_location_id": sal}))
        keep("schedule", _linked(m.Schedule, {"service_id": s, "location_id": loc, "service_at_location_id": sal}))
        keep("language", _linked(m.Language, {"service_id": s, "location_id": loc, "phone_id": ph}))
        for object_type in ("service_area", "cost_option", "required_document"):
            keep(object_type, MODELS[object_type].objects.filter(service_id__in=s))
        keep("funding", _linked(m.Funding, {"organization_id": o, "service_id": s}))
        keep("address", m.Address.objects.filter(location_id__in=loc))
        keep("accessibility", m.Accessibility.objects.filter(location_id__in=loc))
        linked_to_any = Q()
        for subquery in list(ids.values()):
            linked_to_any |= Q(link_id__in=subquery)
        a = keep("attribute", m.Attribute.objects.filter(linked_to_any))
        attributes = m.Attribute.objects.filter(id__in=a)
        # Attributes name no taxonomy term outside the package: their terms are in it by construction.
        tt = keep("taxonomy_term", m.TaxonomyTerm.objects.filter(id__in=attributes.values("taxonomy_term_id")))
        terms = m.TaxonomyTerm.objects.filter(id__in=tt)
        keep("taxonomy", m.Taxonomy.objects.filter(id__in=terms.values("taxonomy_detail_id")))
        described = Q()
        for subquery in list(ids.values()):
            described |= Q(resource_id__in=subquery)
        keep("metadata", m.Metadata.objects.filter(described))
        yield {object_type: MODELS[object_type].objects.filter(id__in=sub) for object_type, sub in ids.items()}
    finally:
        scratch.drop()


def cell(value):
    """A CSV cell: empty for no value, ISO 8601 for datetimes, whole numbers without ``.0``."""
    if value is None:
        return ""
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def write_table(stream, object_type, queryset):
    """One table as RFC 4180 CSV (header first, CRLF line ends, quoted only where needed) to a text stream.
    Returns the number of rows."""
    writer = csv.writer(stream, lineterminator="\r\n")
    writer.writerow(columns(object_type))
    count = 0
    rows = queryset.order_by("id").values_list(*_attnames(object_type))
    for row in rows.iterator(chunk_size=CSV_CHUNK):
        writer.writerow([cell(v) for v in row])
        count += 1
    return count


def export_hsds_package(target, queryset=None, *, include_inactive=False):
    """Write an HSDS 3.0 tabular package of ``queryset``'s services (default: the whole directory, active ones
    only unless ``include_inactive``). ``target`` is a folder (created if needed) or a binary stream, which
    receives a zip. Returns ``{file name: row count}``."""
    with package_querysets(exported_services(queryset, include_inactive)) as sets:
        return _write_package(target, sets)


def _write_package(target, sets):
    counts = {}
    meta = json.dumps(descriptor(), indent=2, ensure_ascii=False)
    if isinstance(target, str | Path):
        folder = Path(target)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "datapackage.json").write_text(meta, encoding="utf-8")
        for object_type, path in RESOURCES:
            with open(folder / path, "w", encoding="utf-8", newline="") as stream:
                counts[path] = write_table(stream, object_type, sets[object_type])
        return counts
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("datapackage.json", meta)
        for object_type, path in RESOURCES:
            with archive.open(path, "w") as raw, io.TextIOWrapper(raw, encoding="utf-8", newline="") as stream:
                counts[path] = write_table(stream, object_type, sets[object_type])
    return counts


# JSON: the nested services of ``export.export_service``, loaded a chunk at a time.


def _link_field(parent_type, child_type):
    link = LINKS.get(child_type)
    return link[0] if link else f"{parent_type}_id"


def load_tree(service_ids):
    """Every row the nested JSON of these services shows, as ``{type: {UUID: {attname: value}}}``.

    Breadth first over the nesting ``export.export_object`` follows (nested references, then child lists), one
    query per type and level: the number of queries depends on the depth of the HSDS nesting, not on the number
    of services.
    """
    store = {t: {} for t in MODELS}
    wanted = {"service": {"id": set(service_ids)}}  # type -> {field: ids}
    while wanted:
        fresh = {}
        for object_type, lookups in wanted.items():
            condition = Q()
            for field, ids in lookups.items():
                condition |= Q(**{f"{field}__in": list(ids)})
            attnames = ["id", *(a for a in _attnames(object_type) if a != "id")]
            for row in MODELS[object_type].objects.filter(condition).order_by().values(*attnames):
                if row["id"] not in store[object_type]:
                    store[object_type][row["id"]] = row
                    fresh.setdefault(object_type, []).append(row)
        wanted = {}
        for object_type, rows in fresh.items():
            ids = {row["id"] for row in rows}
            for key in NESTED_REFS.get(object_type, ()):
                ref_type, ref_field = refs(object_type)[key]
                attname = RENAMED.get((object_type, ref_field), ref_field)
                targets = {row[attname] for row in rows if row[attname] and row[attname] not in store[ref_type]}
                if targets:
                    wanted.setdefault(ref_type, {}).setdefault("id", set()).update(targets)
            for child_type in child_lists(object_type, importing=False).values():
                field = _link_field(object_type, child_type)
                wanted.setdefault(child_type, {}).setdefault(field, set()).update(ids)
    return store


class _Tree:
    """Rows loaded by ``load_tree`` with their children indexed by parent, to nest them without queries."""

    def __init__(self, store):
        self.store = store
        self.children = {}
        for object_type, rows in store.items():
            for field in {f for f in _attnames(object_type) if f.endswith("_id") or f in ("link_id", "resource_id")}:
                for row in rows.values():
                    if row.get(field):
                        self.children.setdefault((object_type, field, row[field]), []).append(row)
        for rows in self.children.values():
            rows.sort(key=lambda r: r["id"])  # UUIDs order as their text does: export_object's order_by("id")
        # An organization's tree is nested in each of its services: built once per chunk, shared (never changed).
        self.done = {}

    def export(self, object_type, row):
        """``export.export_object`` from the loaded rows (the same output)."""
        key = (object_type, row["id"])
        if key not in self.done:
            self.done[key] = self._export(object_type, row)
        return self.done[key]

    def _export(self, object_type, row):
        out = {}
        for name in SPEC[object_type][1]:
            value = row[RENAMED.get((object_type, name), name)]
            if value is None or value == "":
                continue
            out[name] = _json_value(value)
        for key in NESTED_REFS.get(object_type, ()):
            ref_type, ref_field = refs(object_type)[key]
            target = self.store[ref_type].get(row[RENAMED.get((object_type, ref_field), ref_field)])
            if target is not None:
                out[key] = self.export(ref_type, target)
        for key, child_type in child_lists(object_type, importing=False).items():
            field = _link_field(object_type, child_type)
            kids = self.children.get((child_type, field, row["id"]), [])
            out[key] = [self.export(child_type, kid) for kid in kids]
        return out


def iter_services_json(queryset=None, *, include_inactive=False, chunk_size=JSON_CHUNK):
    """The exported services as nested HSDS 3.0 dicts (``export_service``'s shape), one chunk of ``chunk_size``
    services in memory at a time. Ordered by organization, then name: each service nests its organization's whole
    tree, so a chunk that shares organizations loads and builds each once."""
    services = exported_services(queryset, include_inactive).order_by("organization_id", "name", "id")
    chunk = []
    for service_id in services.values_list("id", flat=True).iterator(chunk_size=chunk_size):
        chunk.append(service_id)
        if len(chunk) == chunk_size:
            yield from _nested(chunk)
            chunk = []
    if chunk:
        yield from _nested(chunk)


def _nested(service_ids):
    tree = _Tree(load_tree(service_ids))
    for service_id in service_ids:
        yield tree.export("service", tree.store["service"][service_id])


def export_hsds_json(stream, queryset=None, *, include_inactive=False):
    """Write the exported services to a text stream as one HSDS 3.0 ``Page`` holding every item (the shape of
    ``GET /services``, which the importer reads back as services). Returns the number of services."""
    total = exported_services(queryset, include_inactive).count()
    head = {
        "total_items": total,
        "total_pages": 1,
        "page_number": 1,
        "size": total,
        "first_page": True,
        "last_page": True,
        "empty": total == 0,
    }
    stream.write(json.dumps(head, ensure_ascii=False)[:-1] + ', "contents": [')
    for i, item in enumerate(iter_services_json(queryset, include_inactive=include_inactive)):
        stream.write(("," if i else "") + "\n" + json.dumps(item, ensure_ascii=False))
    stream.write("\n]}\n")
    return total
