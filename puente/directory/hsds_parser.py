"""Parse and validate an HSDS 3.0 JSON file into flat records. Pure: no ORM, no database.

The unit of acceptance is a top-level object (the file's object, each item of a ``Page``'s ``contents`` or of a
list, each row of a tabular table) with everything nested in it. If any object of a unit is invalid, the whole unit
is rejected, so nothing is left half-imported. Every problem becomes a ``Rejection`` row (file, position, field,
reason). Checks follow the shipped JSON schemas: required fields, JSON types, enums and the ``uuid`` and
``date-time`` formats (``uri`` and ``email`` are not checked), plus duplicate ids and references to unknown ids.
"""

import csv
import json
import uuid
from dataclasses import astuple, dataclass, field, fields
from datetime import datetime
from pathlib import PurePath

from django.utils.translation import gettext as _

from .hsds_spec import REF_FIELDS, SPEC, TABLES, child_lists, refs

LINKS = {"attribute": ("link_id", "link_type"), "metadata": ("resource_id", "resource_type")}


@dataclass(frozen=True)
class Rejection:
    """One reason an object (or the whole file) was not imported."""

    file: str
    position: str
    object_type: str
    object_id: str
    field: str
    reason: str


@dataclass
class Record:
    """One HSDS object to write: explicit fields from the file plus fields implied by its nesting."""

    type: str
    id: str
    values: dict
    position: str
    units: set = field(default_factory=set)
    root: bool = False
    # The child types whose whole list this object states: the JSON arrays it carries (an absent key says
    # nothing), or in a tabular package the child tables present. The import replaces exactly those children.
    lists: set = field(default_factory=set)


@dataclass
class ParseResult:
    records: list
    rejections: list
    units_total: int = 0
    units_rejected: int = 0
    file_error: bool = False
    skipped: list = field(default_factory=list)
    seen_ids: dict = field(default_factory=dict)
    # (parent type, child type) -> ids of the accepted parents that state their whole list of such children.
    listed: dict = field(default_factory=dict)


def write_rejections_csv(rejections, stream):
    """Write the rejection rows as CSV (header first) to a text stream."""
    writer = csv.writer(stream)
    writer.writerow([f.name for f in fields(Rejection)])
    for row in rejections:
        writer.writerow(astuple(row))


def type_from_name(name):
    """Guess the HSDS type of a file from its name: ``service_full.json`` -> ``service``."""
    stem = PurePath(name).stem
    for object_type in sorted(SPEC, key=len, reverse=True):
        if stem == object_type or stem.startswith(object_type + "_"):
            return object_type
    return None


def encoding_problem(raw: bytes, exc: UnicodeDecodeError) -> str:
    """Why bytes are not UTF-8, in words a person exporting from a spreadsheet can act on. HSDS files are UTF-8;
    guessing another encoding would import wrong letters silently (ñ as Ã±), so the file is refused instead."""
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return _(
            "The file is not valid UTF-8: it is saved as UTF-16 (“Unicode text”). Save it as UTF-8 and import it again."
        )
    return _(
        "The file is not valid UTF-8 (bad byte at offset %(offset)d); it may be saved as Latin-1 or Windows-1252. "
        "Save it as UTF-8 and import it again."
    ) % {"offset": exc.start}


def decode(raw, name):
    """Bytes -> parsed JSON, or (None, rejection)."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return None, Rejection(name, "", "", "", "", encoding_problem(raw, exc))
    try:
        return json.loads(text), None
    except RecursionError:
        # Nesting deeper than Python's stack (e.g. "[" repeated 100,000 times): refused as a whole, like bad JSON.
        return None, Rejection(name, "", "", "", "", _("The file is nested too deeply to be HSDS data."))
    except json.JSONDecodeError as exc:
        reason = _("The file is not valid JSON: %(msg)s (line %(line)d, column %(col)d).") % {
            "msg": exc.msg,
            "line": exc.lineno,
            "col": exc.colno,
        }
        return None, Rejection(name, "", "", "", "", reason)


def check_object(object_type, obj):
    """Problems with one object's own fields, as (field, reason) pairs."""
    if not isinstance(obj, dict):
        return [("", _("Expected an object."))]
    required, spec = SPEC[object_type]
    problems = []
    for name in required:
        if obj.get(name) in (None, ""):
            problems.append((name, _("Required field is missing.")))
    for name, (json_type, rule) in spec.items():
        value = obj.get(name)
        if value is None:
            continue
        if json_type == "string" and isinstance(value, int | float) and not isinstance(value, bool):
            if rule == "uuid":
                # An id or reference is never a number (5 would pass as text "5", then fail the database's uuid).
                problems.append((name, _("%(value)r is not a UUID.") % {"value": value}))
            continue  # a number where other text is expected is kept as text (the tabular example does this)
        if json_type == "string" and not isinstance(value, str):
            problems.append((name, _("Expected text, got %(value)r.") % {"value": value}))
        elif json_type == "number" and (isinstance(value, bool) or not isinstance(value, int | float)):
            problems.append((name, _("Expected a number, got %(value)r.") % {"value": value}))
        elif isinstance(rule, tuple) and value not in rule:
            problems.append(
                (name, _("%(value)r is not one of: %(allowed)s.") % {"value": value, "allowed": ", ".join(rule)})
            )
        elif rule == "uuid" and value != "" and not _is_uuid(value):
            problems.append((name, _("%(value)r is not a UUID.") % {"value": value}))
        elif rule == "date-time" and value != "" and not _is_datetime(value):
            problems.append((name, _("%(value)r is not a date and time.") % {"value": value}))
    for key in child_lists(object_type):
        if key in obj and obj[key] is not None and not isinstance(obj[key], list):
            problems.append((key, _("Expected a list.")))
    return problems


def _coerce(json_type, value):
    if json_type == "string" and isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return value


def _is_uuid(value):
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def _is_datetime(value):
    try:
        datetime.fromisoformat(value)
    except ValueError:
        return False
    return True


class _Parser:
    def __init__(self, name):
        self.name = name
        self.records = {}
        self.errors = []  # (unit, Rejection)
        self.skipped = []
        self.seen = {}

    def reject(self, unit, position, object_type, object_id, field_name, reason):
        obj_id = object_id if isinstance(object_id, str) else ""
        self.errors.append((unit, Rejection(self.name, position, object_type, obj_id, field_name, reason)))

    def walk(self, obj, object_type, position, unit, implied, root=False):
        problems = check_object(object_type, obj)
        oid = obj.get("id") if isinstance(obj, dict) else None
        for field_name, reason in problems:
            self.reject(unit, position, object_type, oid, field_name, reason)
        if not isinstance(obj, dict):
            return None
        if isinstance(oid, str):
            self.seen.setdefault(object_type, set()).add(oid)
        spec = SPEC[object_type][1]
        values = {k: _coerce(spec[k][0], v) for k, v in obj.items() if k in spec and v is not None}
        for key, value in implied.items():
            if key.endswith("_id") and key in values and values[key] != value:
                reason = _("Disagrees with the enclosing object (%(value)s).") % {"value": value}
                self.reject(unit, position, object_type, oid, key, reason)
            values.setdefault(key, value)
        for key, (ref_type, ref_field) in refs(object_type).items():
            nested = obj.get(key)
            if nested is None:
                continue
            ref_id = self.walk(nested, ref_type, f"{position}.{key}", unit, {})
            if ref_id is not None and values.setdefault(ref_field, ref_id) != ref_id:
                reason = _("Disagrees with the nested %(key)s (%(value)s).") % {"key": key, "value": ref_id}
                self.reject(unit, position, object_type, oid, ref_field, reason)
        # Children of an invalid object are still checked, so every problem is reported at once.
        oid_for_children = oid if isinstance(oid, str) else None
        for key, child_type in child_lists(object_type).items():
            children = obj.get(key)
            if not isinstance(children, list):
                continue
            for i, child in enumerate(children):
                link = LINKS.get(child_type)
                if link:
                    child_implied = {link[0]: oid_for_children, link[1]: object_type}
                else:
                    child_implied = {f"{object_type}_id": oid_for_children}
                child_implied = {k: v for k, v in child_implied.items() if v is not None}
                self.walk(child, child_type, f"{position}.{key}[{i}]", unit, child_implied)
        if problems:
            return oid if isinstance(oid, str) else None
        lists = {child for key, child in child_lists(object_type).items() if isinstance(obj.get(key), list)}
        self.add(Record(object_type, oid, values, position, {unit}, root, lists), unit)
        return oid

    def add(self, record, unit):
        key = (record.type, record.id)
        known = self.records.get(key)
        if known is None:
            self.records[key] = record
            return
        if record.root and known.root:
            reason = _("Duplicate id: the same %(type)s is already at %(position)s.") % {
                "type": record.type,
                "position": known.position,
            }
            self.reject(unit, record.position, record.type, record.id, "id", reason)
            return
        for name, value in record.values.items():
            if name in known.values and known.values[name] != value and not name.endswith("_type"):
                reason = _("Duplicate id with a different value (see %(position)s).") % {"position": known.position}
                self.reject(unit, record.position, record.type, record.id, name, reason)
                return
        for name, value in record.values.items():
            known.values.setdefault(name, value)
        known.units |= record.units
        known.lists |= record.lists
        known.root = known.root or record.root


def units_of(data, object_type, name):
    """The top-level units of a parsed file: (object, type, position) triples, plus skipped-table notes."""
    skipped = []
    if isinstance(data, dict) and any(str(k).endswith(".csv") for k in data):
        units = []
        for table, rows in data.items():
            table_type = TABLES.get(table)
            if table_type is None or not isinstance(rows, list):
                skipped.append(table)
                continue
            units += [(row, table_type, f"{table}[{i}]") for i, row in enumerate(rows)]
        return units, skipped
    if isinstance(data, dict) and "contents" in data and "id" not in data:
        items, prefix = data["contents"], "contents"
    elif isinstance(data, dict) and "id" not in data and "version" in data:
        return [], ["api root"]
    elif isinstance(data, list):
        items, prefix = data, ""
    else:
        return [(data, object_type, "$")], skipped
    if not isinstance(items, list):
        return [(items, object_type, prefix)], skipped
    return [(item, object_type, f"{prefix}[{i}]") for i, item in enumerate(items)], skipped


def parse(raw, name, object_type=None, known=None):
    """Parse ``raw`` bytes of the file ``name`` into a ``ParseResult``.

    ``known(type, ids)`` returns which of ``ids`` already exist (in the database); references to other ids are
    rejected with their unit. Without it only ids in the same file count.
    """
    data, error = decode(raw, name)
    if error:
        return ParseResult([], [error], file_error=True)
    return parse_data(data, name, object_type=object_type, known=known)


def parse_data(data, name, object_type=None, known=None):
    """``parse`` for already-decoded JSON data (the tabular readers build the ``{"services.csv": [...]}`` shape)."""
    object_type = object_type or type_from_name(name)
    units, skipped = units_of(data, object_type, name)
    parser = _Parser(name)
    parser.skipped = skipped
    for unit, (obj, unit_type, position) in enumerate(units):
        if unit_type is None:
            reason = _("Cannot tell the object type: name the file after it (e.g. service_list.json) or give --type.")
            parser.reject(unit, position, "", "", "", reason)
            continue
        parser.walk(obj, unit_type, position, unit, {}, root=True)
    rejected = {unit for unit, _row in parser.errors}
    records = [r for r in parser.records.values() if r.units - rejected]
    # Reject units whose objects refer to ids neither in the file nor known, until nothing changes.
    while True:
        present = {(r.type, r.id) for r in records}
        wanted = {}
        for r in records:
            for ref_field, ref_id in _references(r):
                if (ref_field[1], ref_id) not in present:
                    wanted.setdefault(ref_field[1], set()).add(ref_id)
        found = {t: set(known(t, ids)) if known else set() for t, ids in wanted.items()}
        newly = set()
        for r in records:
            for (ref_name, ref_type), ref_id in _references(r):
                if (ref_type, ref_id) not in present and ref_id not in found.get(ref_type, ()):
                    for unit in r.units - rejected:
                        reason = _("Refers to an unknown %(type)s %(id)s.") % {"type": ref_type, "id": ref_id}
                        parser.reject(unit, r.position, r.type, r.id, ref_name, reason)
                        newly.add(unit)
        if not newly:
            break
        rejected |= newly
        records = [r for r in records if r.units - rejected]
    rejections = [row for _unit, row in parser.errors]
    return ParseResult(
        records=records,
        rejections=rejections,
        units_total=len(units),
        units_rejected=len(rejected),
        skipped=skipped,
        seen_ids=parser.seen,
        listed=_listed(records, data),
    )


def _listed(records, data):
    """``ParseResult.listed``. In a tabular package a row carries no arrays: a child table that is present
    states the children of every parent row in the package (a table that is absent or unreadable says nothing)."""
    tables = set()
    if isinstance(data, dict) and any(str(k).endswith(".csv") for k in data):
        tables = {TABLES[name] for name, rows in data.items() if name in TABLES and isinstance(rows, list)}
    listed = {}
    for r in records:
        kinds = r.lists | {child for child in child_lists(r.type).values() if child in tables}
        for child in kinds:
            listed.setdefault((r.type, child), set()).add(r.id)
    return listed


def _references(record):
    for name, value in record.values.items():
        target = REF_FIELDS.get(name)
        if target and value:
            yield (name, target), value
