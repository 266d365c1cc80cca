"""Every shipped HSDS 3.0 JSON example imports; the field rules match the shipped schemas."""

import json

from django.test import TestCase

from puente.directory import models
from puente.directory.hsds_spec import SCHEMA_ARRAYS, SPEC
from puente.directory.services import import_hsds_file

from .helpers import EXAMPLES, NOT_EXAMPLES, SCHEMAS, needs_hsds


@needs_hsds
class ShippedExamples(TestCase):
    def test_every_json_example_imports_without_rejections_except_the_tabular_dangling_rows(self):
        files = sorted(p for p in EXAMPLES.glob("*.json") if p.name not in NOT_EXAMPLES)
        self.assertGreaterEqual(len(files), 13)
        for path in files:
            with self.subTest(path.name):
                result = import_hsds_file(path)
                if path.name == "tabular.json":
                    continue
                self.assertEqual(result.rejections, [])
                self.assertEqual(result.units_rejected, 0)
        self.assertTrue(models.Service.objects.filter(id="ac148810-d857-441c-9679-408f346de14b").exists())
        self.assertTrue(models.Organization.objects.filter(id="d9d5e0f5-d3ce-4f73-9a2f-4dd0ecc6c610").exists())
        for model in (models.Phone, models.Schedule, models.Language, models.Address, models.Attribute):
            self.assertTrue(model.objects.exists(), model.__name__)

    def test_service_full_writes_every_nested_object(self):
        import_hsds_file(EXAMPLES / "service_full.json")
        service = models.Service.objects.get(id="ac148810-d857-441c-9679-408f346de14b")
        self.assertEqual(service.name, "Community Counselling")
        self.assertEqual(service.minimum_age, 12)
        self.assertEqual(str(service.organization_id), "d9d5e0f5-d3ce-4f73-9a2f-4dd0ecc6c610")
        self.assertEqual(service.service_at_locations.count(), 1)
        self.assertTrue(service.active)
        for related in ("phones", "schedules", "service_areas", "languages", "funding", "cost_options"):
            self.assertEqual(getattr(service, related).count(), 1, related)
        self.assertEqual(service.required_documents.count(), 1)
        self.assertEqual(models.Attribute.objects.get(link_id=service.id).taxonomy_term.name, "name")
        self.assertEqual(models.Metadata.objects.filter(resource_id=service.id).count(), 1)

    def test_the_tabular_example_imports_its_consistent_rows_and_reports_its_dangling_references(self):
        result = import_hsds_file(EXAMPLES / "tabular.json")
        self.assertEqual(result.skipped, ["meta_table_descriptions.csv"])
        self.assertGreater(sum(result.created.values()), 0)
        self.assertTrue(models.Service.objects.exists())
        # The upstream example points at an organization and a taxonomy it does not contain.
        reasons = {(r.object_type, r.field) for r in result.rejections}
        self.assertIn(("location", "organization_id"), reasons)
        self.assertIn(("taxonomy_term", "taxonomy_id"), reasons)
        self.assertTrue(all(r.file == "tabular.json" and r.position for r in result.rejections))

    def test_the_field_rules_match_the_shipped_schemas(self):
        for object_type, (required, fields) in SPEC.items():
            with self.subTest(object_type):
                schema = json.loads((SCHEMAS / f"{object_type}.json").read_text())
                self.assertEqual(set(required), set(schema["required"]))
                for name, (json_type, rule) in fields.items():
                    prop = schema["properties"][name]
                    self.assertEqual(prop["type"], json_type)
                    self.assertEqual(rule, tuple(prop["enum"]) if "enum" in prop else prop.get("format"))
                arrays = tuple(k for k, v in schema["properties"].items() if v.get("type") == "array")
                self.assertEqual(SCHEMA_ARRAYS[object_type], arrays)
