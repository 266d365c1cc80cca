"""Shared test helpers: the shipped HSDS 3.0 data (skipped clearly when absent) and a schema checker."""

import json
import shutil
import tempfile
import unittest
import uuid
from functools import cache
from pathlib import Path

from puente.core.testing import external_data

HSDS_DIR = external_data("openreferral-hsds-3.0")
EXAMPLES = HSDS_DIR / "examples-json"
SCHEMAS = HSDS_DIR / "schema"
# Not HSDS data: the map of OpenAPI paths to example files.
NOT_EXAMPLES = {"openapi-examples-map.json"}

needs_hsds = unittest.skipUnless(
    EXAMPLES.is_dir() and SCHEMAS.is_dir(),
    f"The shipped HSDS 3.0 data is absent ({HSDS_DIR.resolve()}): example and schema tests skipped.",
)


class TempDirMixin:
    def setUp(self):
        super().setUp()
        self.tmp = Path(tempfile.mkdtemp())
        self.addCleanup(shutil.rmtree, self.tmp, True)

    def write(self, name, content):
        path = self.tmp / name
        path.write_bytes(content if isinstance(content, bytes) else json.dumps(content).encode())
        return path

    def copy_example(self, name):
        return Path(shutil.copy(EXAMPLES / name, self.tmp / name))


def new_id():
    return str(uuid.uuid4())


def service(**extra):
    return {"id": new_id(), "name": "Food pantry", "status": "active", **extra}


@cache
def load_schema(name):
    return json.loads((SCHEMAS / name).read_text())


def schema_problems(obj, schema_name, path="$"):
    """Check ``obj`` against a shipped HSDS 3.0 schema: required fields, JSON types, enums, nested $refs."""
    schema = load_schema(schema_name)
    if not isinstance(obj, dict):
        return [f"{path}: not an object"]
    problems = [f"{path}.{name}: required" for name in schema.get("required", []) if name not in obj]
    kinds = {"string": str, "number": (int, float), "integer": int, "boolean": bool, "array": list, "object": dict}
    for key, value in obj.items():
        prop = schema["properties"].get(key)
        if prop is None:
            problems.append(f"{path}.{key}: not in {schema_name}")
            continue
        if "$ref" in prop:
            problems += schema_problems(value, prop["$ref"], f"{path}.{key}")
            continue
        expected = prop.get("type")
        if expected and not isinstance(value, kinds[expected]) or isinstance(value, bool) and expected != "boolean":
            problems.append(f"{path}.{key}: expected {expected}, got {value!r}")
        elif "enum" in prop and value not in prop["enum"]:
            problems.append(f"{path}.{key}: {value!r} not in enum")
        elif expected == "array" and "$ref" in prop.get("items", {}):
            for i, item in enumerate(value):
                problems += schema_problems(item, prop["items"]["$ref"], f"{path}.{key}[{i}]")
    return problems


def all_ids(obj):
    """Every ``id`` value anywhere in a JSON document."""
    if isinstance(obj, dict):
        found = {obj["id"]} if isinstance(obj.get("id"), str) else set()
        for value in obj.values():
            found |= all_ids(value)
        return found
    if isinstance(obj, list):
        return set().union(*(all_ids(v) for v in obj)) if obj else set()
    return set()


def make_term(name, *sdoh_categories, description=""):
    """A taxonomy term bridged to the given Gravity SDOH categories."""
    from puente.directory.models import TaxonomyBridge, TaxonomyTerm

    term = TaxonomyTerm.objects.create(name=name, description=description or name)
    for code in sdoh_categories:
        TaxonomyBridge.objects.create(taxonomy_term=term, sdoh_category=code)
    return term


def make_listing(
    name,
    *,
    description="",
    organization=None,
    site=None,
    languages=(),
    schedules=(),
    min_age=None,
    max_age=None,
    cost="",
    accessible=False,
    capacity="",
    areas=(),
    terms=(),
    verified=None,
    status="active",
    active=True,
    phone="505-555-0100",
    curated_by=None,
):
    """A directory service with its children. ``site`` = (latitude, longitude) makes one located site;
    ``languages`` = ISO codes or (code, name); ``schedules`` = (byday, opens_at, closes_at); ``cost`` = an HSDS
    cost option text ("Free" gets amount 0); ``areas`` = service area names; ``terms`` = taxonomy terms."""
    from puente.directory import models as m
    from puente.directory.services import refresh_search_documents

    org = organization or m.Organization.objects.create(
        name=f"{name} Inc.", description="Synthetic test organization", curated_by=curated_by
    )
    service = m.Service.objects.create(
        organization=org,
        name=name,
        description=description,
        status=status,
        active=active,
        minimum_age=min_age,
        maximum_age=max_age,
        capacity_status=capacity,
        last_verified_at=verified,
    )
    if phone:
        m.Phone.objects.create(service=service, number=phone)
    if site:
        loc = m.Location.objects.create(
            organization=org, location_type="physical", name=f"{name} site", latitude=site[0], longitude=site[1]
        )
        m.Address.objects.create(
            location=loc,
            address_1="100 Synthetic Way",
            city="Albuquerque",
            state_province="NM",
            postal_code="87102",
            country="US",
            address_type="physical",
        )
        m.ServiceAtLocation.objects.create(service=service, location=loc)
        if accessible:
            m.Accessibility.objects.create(location=loc, description="Wheelchair accessible entrance")
    for lang in languages:
        code, lname = lang if isinstance(lang, tuple) else (lang, "")
        m.Language.objects.create(service=service, code=code, name=lname)
    for byday, opens, closes in schedules:
        m.Schedule.objects.create(service=service, freq="WEEKLY", byday=byday, opens_at=opens, closes_at=closes)
    if cost:
        m.CostOption.objects.create(service=service, option=cost, amount=0 if cost.lower() == "free" else None)
    for area in areas:
        m.ServiceArea.objects.create(service=service, name=area)
    for term in terms:
        m.Attribute.objects.create(link_id=service.id, link_type="service", taxonomy_term=term)
    refresh_search_documents([service.id])
    service.refresh_from_db()
    return service
