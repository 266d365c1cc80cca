"""Export to HSDS 3.0 JSON: valid against the shipped schemas, the same ids as what was imported."""

import json

from django.test import TestCase

from puente.directory import models
from puente.directory.export import export_service, export_services
from puente.directory.services import import_hsds_file

from .helpers import EXAMPLES, TempDirMixin, all_ids, needs_hsds, schema_problems


@needs_hsds
class Export(TempDirMixin, TestCase):
    @classmethod
    def setUpTestData(cls):
        import_hsds_file(EXAMPLES / "service_full.json")
        cls.original = json.loads((EXAMPLES / "service_full.json").read_text())
        cls.service = models.Service.objects.get(id=cls.original["id"])

    def test_the_exported_service_is_valid_against_the_shipped_schemas(self):
        exported = export_service(self.service)
        self.assertEqual(schema_problems(exported, "service.json"), [])
        json.dumps(exported)  # serializable as is

    def test_the_round_trip_keeps_every_id_and_the_nested_shape(self):
        exported = export_service(self.service)
        self.assertEqual(exported["id"], self.original["id"])
        self.assertEqual(all_ids(exported), all_ids(self.original))
        self.assertEqual(exported["organization"]["id"], self.original["organization"]["id"])
        sal = exported["service_at_locations"][0]
        self.assertEqual(sal["location"]["id"], self.original["service_at_locations"][0]["location"]["id"])
        self.assertEqual(
            exported["attributes"][0]["taxonomy_term"]["taxonomy_detail"]["id"],
            self.original["attributes"][0]["taxonomy_term"]["taxonomy_detail"]["id"],
        )
        self.assertEqual(exported["minimum_age"], 12)
        for key in ("name", "status", "description", "eligibility_description", "alert"):
            self.assertEqual(exported[key], self.original[key], key)

    def test_the_list_is_a_page_of_valid_services(self):
        page = export_services()
        self.assertEqual(
            {k: page[k] for k in ("total_items", "total_pages", "page_number", "size", "first_page", "empty")},
            {"total_items": 1, "total_pages": 1, "page_number": 1, "size": 1, "first_page": True, "empty": False},
        )
        self.assertIs(page["last_page"], True)
        for item in page["contents"]:
            self.assertEqual(schema_problems(item, "service.json"), [])

    def test_an_exported_service_imports_back_unchanged(self):
        exported = export_service(self.service)
        result = import_hsds_file(self.write("service.json", exported))
        self.assertEqual(result.rejections, [])
        self.assertEqual(sum(result.created.values()), 0)
        self.assertEqual(export_service(models.Service.objects.get(id=self.service.id)), exported)
