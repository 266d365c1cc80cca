"""Malformed input is reported row by row (file, position, field, reason); good objects import; nothing half-written."""

import io
from unittest import mock

from django.db import DatabaseError
from django.test import TestCase

from puente.directory import models, services
from puente.directory.hsds_parser import Rejection, write_rejections_csv
from puente.directory.services import MODELS, import_hsds_file

from .helpers import TempDirMixin, new_id, service


class Rejections(TempDirMixin, TestCase):
    def assertNothingWritten(self):
        for name, model in MODELS.items():
            self.assertEqual(model.objects.count(), 0, name)

    def only(self, result):
        self.assertEqual(len(result.rejections), 1, result.rejections)
        return result.rejections[0]

    def test_bad_json_is_one_clear_file_level_rejection(self):
        result = import_hsds_file(self.write("service_list.json", b'{"contents": [{"id": '))
        row = self.only(result)
        self.assertEqual(row.file, "service_list.json")
        self.assertIn("not valid JSON", row.reason)
        self.assertIn("line 1", row.reason)
        self.assertNothingWritten()

    def test_invalid_utf8_bytes_are_rejected_with_their_offset(self):
        result = import_hsds_file(self.write("service.json", b'{"id": "x", "name": "Caf\xe9"}'))
        row = self.only(result)
        self.assertIn("not valid UTF-8", row.reason)
        self.assertIn("offset 24", row.reason)
        self.assertNothingWritten()

    def test_wrong_types_reject_the_object_and_keep_the_good_ones(self):
        good, bad = service(), service(minimum_age="twelve")
        result = import_hsds_file(self.write("service_list.json", {"contents": [good, bad]}))
        row = self.only(result)
        self.assertEqual((row.position, row.object_id, row.field), ("contents[1]", bad["id"], "minimum_age"))
        self.assertIn("Expected a number", row.reason)
        self.assertEqual(list(models.Service.objects.values_list("name", flat=True)), ["Food pantry"])
        self.assertEqual((result.units_total, result.units_rejected), (2, 1))

    def test_an_enum_value_outside_the_list_is_rejected(self):
        row = self.only(import_hsds_file(self.write("service.json", service(status="open"))))
        self.assertEqual(row.field, "status")
        self.assertIn("temporarily closed", row.reason)
        self.assertNothingWritten()

    def test_a_bad_id_is_rejected(self):
        row = self.only(import_hsds_file(self.write("service.json", service(id="42"))))
        self.assertEqual(row.field, "id")
        self.assertIn("not a UUID", row.reason)

    def test_missing_required_fields_are_each_reported(self):
        result = import_hsds_file(self.write("service.json", {"id": new_id()}))
        self.assertEqual({r.field for r in result.rejections}, {"name", "status"})
        self.assertTrue(all(r.reason == "Required field is missing." for r in result.rejections))
        self.assertNothingWritten()

    def test_a_bad_child_rejects_the_parent_and_all_its_children(self):
        good_phone = {"id": new_id(), "number": "505-555-0100"}
        bad_phone = {"id": new_id(), "extension": 12}
        item = service(phones=[good_phone, bad_phone], schedules=[{"id": new_id(), "freq": "WEEKLY"}])
        row = self.only(import_hsds_file(self.write("service.json", item)))
        self.assertEqual((row.position, row.object_type, row.field), ("$.phones[1]", "phone", "number"))
        self.assertNothingWritten()

    def test_duplicate_ids_reject_the_second_object(self):
        first = service(name="First")
        second = {**first, "name": "Second"}
        row = self.only(import_hsds_file(self.write("service_list.json", [first, second])))
        self.assertEqual((row.position, row.field), ("[1]", "id"))
        self.assertIn("Duplicate id", row.reason)
        self.assertEqual(models.Service.objects.get().name, "First")

    def test_a_nested_copy_that_disagrees_is_a_duplicate(self):
        location = {"id": new_id(), "location_type": "physical", "name": "Main"}
        item = service(
            service_at_locations=[
                {"id": new_id(), "location": location},
                {"id": new_id(), "location": {**location, "name": "Other"}},
            ]
        )
        row = self.only(import_hsds_file(self.write("service.json", item)))
        self.assertEqual((row.object_type, row.field), ("location", "name"))
        self.assertNothingWritten()

    def test_unknown_referenced_ids_are_rejected_unless_already_in_the_directory(self):
        org_id = new_id()
        item = service(organization_id=org_id)
        row = self.only(import_hsds_file(self.write("service.json", item)))
        self.assertEqual(row.field, "organization_id")
        self.assertIn(org_id, row.reason)
        self.assertNothingWritten()

        models.Organization.objects.create(id=org_id, name="Org", description="An org")
        self.assertEqual(import_hsds_file(self.write("service.json", item)).rejections, [])
        self.assertEqual(str(models.Service.objects.get().organization_id), org_id)

    def test_a_rejection_cascades_to_objects_that_refer_to_it(self):
        location_id = new_id()
        data = {
            "locations.csv": [{"id": location_id, "location_type": "spaceship"}],
            "addresses.csv": [
                {
                    "id": new_id(),
                    "location_id": location_id,
                    "address_1": "1 Main St",
                    "city": "Belen",
                    "state_province": "NM",
                    "postal_code": "87002",
                    "country": "US",
                    "address_type": "physical",
                }
            ],
        }
        result = import_hsds_file(self.write("tabular.json", data))
        self.assertEqual(
            [(r.position, r.field) for r in result.rejections],
            [
                ("locations.csv[0]", "location_type"),
                ("addresses.csv[0]", "location_id"),
            ],
        )
        self.assertNothingWritten()

    def test_a_file_without_a_known_type_is_rejected(self):
        row = self.only(import_hsds_file(self.write("export.json", service())))
        self.assertIn("Cannot tell the object type", row.reason)

    def test_a_database_failure_mid_file_rolls_the_whole_file_back(self):
        items = [service(phones=[{"id": new_id(), "number": "505-555-0100"}]), service(name="Second")]
        real = services._upsert
        calls = []

        def fail_on_the_second_service(model, names, rows):
            if model is models.Service:
                calls.append([row[0] for row in rows])
                if len(calls) == 2:
                    raise DatabaseError("disk full")
            return real(model, names, rows)

        patch = mock.patch.object(services, "_upsert", side_effect=fail_on_the_second_service)
        # One row per batch, so the first service has been written when the second batch fails.
        with patch, mock.patch.object(services, "IMPORT_BATCH", 1), self.assertRaises(DatabaseError):
            import_hsds_file(self.write("service_list.json", items))
        self.assertEqual(len(calls), 2)
        self.assertNothingWritten()

    def test_the_report_is_writable_as_csv(self):
        stream = io.StringIO()
        write_rejections_csv([Rejection("a.json", "contents[1]", "service", "x", "name", "Required, really.")], stream)
        self.assertEqual(
            stream.getvalue().splitlines(),
            [
                "file,position,object_type,object_id,field,reason",
                'a.json,contents[1],service,x,name,"Required, really."',
            ],
        )
