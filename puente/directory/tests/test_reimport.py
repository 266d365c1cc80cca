"""Re-import updates in place, by HSDS id; a full re-import marks missing services inactive, never deletes."""

import json

from django.test import TestCase

from puente.directory import models
from puente.directory.services import import_hsds_file

from .helpers import EXAMPLES, TempDirMixin, needs_hsds, service

MODELS = (models.Service, models.Organization, models.Location, models.Phone, models.Schedule, models.Attribute)


@needs_hsds
class Reimport(TempDirMixin, TestCase):
    def counts(self):
        return {m.__name__: m.objects.count() for m in MODELS}

    def test_it_is_idempotent_and_updates_in_place(self):
        first = import_hsds_file(EXAMPLES / "service_full.json")
        before = self.counts()
        again = import_hsds_file(EXAMPLES / "service_full.json")
        self.assertEqual(self.counts(), before)
        self.assertEqual(sum(again.created.values()), 0)
        self.assertEqual(sum(again.updated.values()), sum(first.created.values()))

        data = json.loads((EXAMPLES / "service_full.json").read_text())
        data["name"] = "Community Counselling (renamed)"
        data["cost_options"][0]["amount"] = 60
        self.assertEqual(import_hsds_file(self.write("service_full.json", data)).rejections, [])
        self.assertEqual(self.counts(), before)
        self.assertEqual(models.Service.objects.get(id=data["id"]).name, "Community Counselling (renamed)")
        self.assertEqual(models.CostOption.objects.get(id=data["cost_options"][0]["id"]).amount, 60)

    def test_an_edit_that_contradicts_another_copy_of_the_same_object_is_refused(self):
        import_hsds_file(EXAMPLES / "service_full.json")
        data = json.loads((EXAMPLES / "service_full.json").read_text())
        # The example repeats this phone (same id) elsewhere in the document; two versions cannot both be true.
        data["phones"][0]["number"] = "+1 505 555 0100"
        result = import_hsds_file(self.write("service_full.json", data))
        self.assertIn("Duplicate id with a different value", result.rejections[0].reason)
        self.assertNotEqual(models.Phone.objects.get(id=data["phones"][0]["id"]).number, "+1 505 555 0100")

    def test_a_full_reimport_marks_missing_services_inactive(self):
        kept, dropped = service(name="Kept"), service(name="Dropped")
        import_hsds_file(self.write("service_list.json", {"contents": [kept, dropped]}))
        result = import_hsds_file(self.write("service_list.json", {"contents": [kept]}), full=True)
        self.assertEqual(result.deactivated, 1)
        self.assertIs(models.Service.objects.get(id=kept["id"]).active, True)
        self.assertIs(models.Service.objects.get(id=dropped["id"]).active, False)
        # Back in the data, it is active again.
        import_hsds_file(self.write("service_list.json", {"contents": [kept, dropped]}), full=True)
        self.assertIs(models.Service.objects.get(id=dropped["id"]).active, True)

    def test_a_full_import_of_an_unreadable_file_deactivates_nothing(self):
        existing = service()
        import_hsds_file(self.write("service_list.json", [existing]))
        result = import_hsds_file(self.write("service_list.json", b"{not json"), full=True)
        self.assertEqual(result.deactivated, 0)
        self.assertIs(models.Service.objects.get(id=existing["id"]).active, True)

    def test_a_full_import_keeps_a_present_but_rejected_service_active(self):
        existing = service()
        import_hsds_file(self.write("service_list.json", [existing]))
        broken = {**existing, "status": "open"}
        result = import_hsds_file(self.write("service_list.json", [broken]), full=True)
        self.assertEqual(result.deactivated, 0)
        self.assertEqual(len(result.rejections), 1)
        self.assertIs(models.Service.objects.get(id=existing["id"]).active, True)
