"""Shared test helpers: the shipped HSDS 3.0 data (skipped clearly when absent) and a schema checker."""

import json
import shutil
import tempfile
import unittest
import uuid
from functools import cache
from pathlib import Path

from django.conf import settings

HSDS_DIR = Path(settings.BASE_DIR) / ".." / "shared" / "data" / "external" / "openreferral-hsds-3.0"
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
