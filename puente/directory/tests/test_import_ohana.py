"""The Ohana API CSV sample (real San Mateo County records, shipped) maps to HSDS 3.0 and imports cleanly,
idempotently, and is then searchable (language, distance, taxonomy text)."""

import io
import shutil
import unittest
from pathlib import Path

from django.core.management import call_command
from django.test import TestCase

from puente.core.testing import external_data
from puente.directory import models
from puente.directory.ohana import map_ohana
from puente.directory.search import SearchCriteria, search_services
from puente.directory.services import import_ohana_package

from .helpers import TempDirMixin

OHANA = external_data("ohana-api-smc-sample-csv")


class OhanaMapping(TestCase):
    def test_it_maps_rows_to_hsds_with_stable_ids_per_source(self):
        tables = {
            "locations.csv": [
                {
                    "id": "1",
                    "organization_id": "1",
                    "name": "Site",
                    "virtual": "false",
                    "accessibility": "ramp, wheelchair",
                    "languages": "Spanish, Tagalog",
                }
            ],
            "services.csv": [
                {
                    "id": "7",
                    "location_id": "1",
                    "name": "Meals",
                    "status": "active",
                    "taxonomy_ids": "101, 101-01",
                    "eligibility": "Age 60+",
                    "audience": "Seniors",
                    "service_areas": "San Mateo County",
                }
            ],
            "regular_schedules.csv": [
                {"id": "1", "service_id": "7", "weekday": "Monday", "opens_at": "08:00", "closes_at": "17:00"}
            ],
            "taxonomy.csv": [
                {"taxonomy_id": "101", "name": "Food", "parent_id": ""},
                {"taxonomy_id": "101-01", "name": "Meals", "parent_id": "101"},
            ],
        }
        data, _notes = map_ohana(tables, "smc")
        again, _ = map_ohana(tables, "smc")
        other, _ = map_ohana(tables, "elsewhere")
        service = data["services.csv"][0]
        self.assertEqual(service["id"], again["services.csv"][0]["id"])
        self.assertNotEqual(service["id"], other["services.csv"][0]["id"])
        self.assertEqual(service["organization_id"], data["locations.csv"][0]["organization_id"])
        self.assertEqual(service["eligibility_description"], "Age 60+\nSeniors")
        self.assertEqual([a["description"] for a in data["accessibility.csv"]], ["Ramp", "Wheelchair accessible"])
        self.assertEqual(
            [(lang["name"], lang["code"]) for lang in data["languages.csv"]], [("Spanish", "es"), ("Tagalog", "tl")]
        )
        self.assertEqual(data["schedules.csv"][0]["byday"], "MO")
        terms = {t["code"]: t for t in data["taxonomy_terms.csv"]}
        self.assertEqual(terms["101-01"]["parent_id"], terms["101"]["id"])
        self.assertNotIn("parent_id", terms["101"])
        self.assertEqual(len(data["attributes.csv"]), 2)


@unittest.skipUnless(OHANA.is_dir(), "The shipped Ohana sample is absent.")
class OhanaSample(TempDirMixin, TestCase):
    def test_the_sample_imports_without_rejections_and_idempotently(self):
        first = import_ohana_package(OHANA)
        self.assertEqual(first.rejections, [])
        self.assertEqual(
            (first.created["organization"], first.created["service"], first.created["taxonomy_term"]), (8, 23, 290)
        )
        self.assertIn("holiday_schedules.csv is not imported (no HSDS 3.0 equivalent).", first.skipped)
        again = import_ohana_package(OHANA)
        self.assertEqual((sum(again.created.values()), again.updated["service"]), (0, 23))
        self.assertEqual(models.Service.objects.count(), 23)

    def test_the_imported_sample_is_searchable(self):
        import_ohana_package(OHANA)
        spanish = search_services(SearchCriteria(language="es", zip_code="94063", radius_miles=10))
        self.assertGreater(spanish.total, 0)
        distances = [r.distance_miles for r in spanish.results if r.distance_miles is not None]
        self.assertEqual(distances, sorted(distances))
        self.assertGreater(search_services(SearchCriteria(text="counseling")).total, 0)
        self.assertGreater(search_services(SearchCriteria(accessible=True)).total, 0)

    def test_the_command_reads_the_ohana_format(self):
        folder = Path(shutil.copytree(OHANA, self.tmp / "smc"))
        out = io.StringIO()
        call_command("import_hsds", str(folder), "--format", "ohana", stdout=out, verbosity=0)
        self.assertIn("smc: 677 objects created, 0 updated, 0 of 677 top-level objects rejected", out.getvalue())
        self.assertIn("0 problems reported", out.getvalue())
