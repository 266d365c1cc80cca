"""HSDS 1.x tabular packages (as 2-1-1 systems export them) map to HSDS 3.0 per standards.md §7: addresses,
regular schedules, eligibility, services_taxonomy + taxonomy, accessibility_for_disabilities. Synthetic data."""

import csv
import io
import uuid

from django.core.management import call_command
from django.test import SimpleTestCase, TestCase

from puente.directory import models
from puente.directory.hsds1 import map_hsds1, weekday
from puente.directory.search import SearchCriteria, search_services
from puente.directory.services import import_hsds1_package

from .helpers import TempDirMixin

ORG_UUID = str(uuid.uuid4())
TABLES = {
    "organizations.csv": [
        {"id": ORG_UUID, "name": "Valle Helpline (synthetic)", "description": "", "url": "http://example.org"}
    ],
    "services.csv": [
        {
            "id": "s1",
            "organization_id": ORG_UUID,
            "name": "Emergency Food Boxes",
            "description": "Food boxes",
            "status": "active",
        },
        {"id": "s2", "organization_id": ORG_UUID, "name": "Bad Status", "description": "x", "status": "open"},
    ],
    "locations.csv": [
        {
            "id": "l1",
            "organization_id": ORG_UUID,
            "name": "Main office",
            "latitude": "35.0844",
            "longitude": "-106.6504",
        }
    ],
    "services_at_location.csv": [{"id": "sal1", "service_id": "s1", "location_id": "l1"}],
    "physical_addresses.csv": [
        {
            "id": "a1",
            "location_id": "l1",
            "address_1": "1 Synthetic Rd",
            "address_3": "Suite 2",
            "city": "Albuquerque",
            "state_province": "NM",
            "postal_code": "87102",
            "country": "US",
        }
    ],
    "postal_addresses.csv": [
        {
            "id": "a1",
            "location_id": "l1",
            "address_1": "PO Box 1",
            "city": "Albuquerque",
            "state_province": "NM",
            "postal_code": "87103",
            "country": "US",
        }
    ],
    "regular_schedules.csv": [
        {"id": "r1", "service_id": "s1", "weekday": "3", "opens_at": "09:00", "closes_at": "12:00"},
        {"id": "r2", "service_id": "s1", "weekday": "Friday", "opens_at": "09:00", "closes_at": "12:00"},
    ],
    "eligibility.csv": [
        {"id": "e1", "service_id": "s1", "eligibility": "Residents of Bernalillo County"},
        {"id": "e2", "service_id": "s1", "eligibility": "Income under 200% FPL"},
    ],
    "taxonomy.csv": [
        {"id": "BD-1800", "name": "Emergency Food", "parent_id": "BD", "vocabulary": "AIRS/211 LA"},
        {"id": "BD", "name": "Food", "parent_id": "", "vocabulary": "AIRS/211 LA"},
    ],
    "services_taxonomy.csv": [
        {"id": "st1", "service_id": "s1", "taxonomy_id": "BD-1800", "taxonomy_detail": "primary"}
    ],
    "accessibility_for_disabilities.csv": [
        {"id": "x1", "location_id": "l1", "accessibility": "Wheelchair accessible", "details": "Ramp at rear"}
    ],
    "languages.csv": [{"id": "g1", "service_id": "s1", "language": "Spanish"}],
    "service_area.csv": [{"id": "sa1", "service_id": "s1", "service_area": "Bernalillo County"}],
    "holiday_schedules.csv": [{"id": "h1", "service_id": "s1"}],
}


def write_tables(folder, tables):
    for name, rows in tables.items():
        fields = list(dict.fromkeys(k for row in rows for k in row))
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)
        (folder / name).write_text(out.getvalue(), encoding="utf-8")


class Hsds1Rules(SimpleTestCase):
    def test_it_reads_weekdays_as_names_abbreviations_or_numbers(self):
        for value, code in (
            ("Monday", "MO"),
            ("tue", "TU"),
            ("3", "WE"),
            ("7", "SU"),
            ("SA", "SA"),
            ("Funday", "Funday"),
        ):
            with self.subTest(value=value):
                self.assertEqual(weekday(value), code)

    def test_it_maps_the_1x_tables(self):
        data, notes = map_hsds1(TABLES, "valle")
        self.assertEqual(data["organizations.csv"][0]["id"], ORG_UUID)  # a UUID id is kept
        self.assertEqual(data["organizations.csv"][0]["description"], "Valle Helpline (synthetic)")
        self.assertEqual(
            sorted((a["address_type"], a["address_1"]) for a in data["addresses.csv"]),
            [("physical", "1 Synthetic Rd"), ("postal", "PO Box 1")],
        )
        self.assertEqual(data["addresses.csv"][0]["address_2"], "Suite 2")
        self.assertEqual([s["byday"] for s in data["schedules.csv"]], ["WE", "FR"])
        service = data["services.csv"][0]
        self.assertEqual(service["eligibility_description"], "Residents of Bernalillo County\nIncome under 200% FPL")
        self.assertEqual(
            data["taxonomies.csv"],
            [{"id": data["taxonomy_terms.csv"][0]["taxonomy_id"], "name": "AIRS/211 LA", "description": "AIRS/211 LA"}],
        )
        self.assertEqual(data["attributes.csv"][0]["taxonomy_term_id"], data["taxonomy_terms.csv"][0]["id"])
        self.assertEqual(data["accessibility.csv"][0]["details"], "Ramp at rear")
        self.assertIn("holiday_schedules.csv is not imported (no HSDS 3.0 equivalent).", notes)


class Hsds1Import(TempDirMixin, TestCase):
    def test_it_imports_good_rows_reports_bad_ones_and_reimports_in_place(self):
        write_tables(self.tmp, TABLES)
        result = import_hsds1_package(self.tmp)
        self.assertEqual([(r.position, r.field) for r in result.rejections], [("services.csv[1]", "status")])
        self.assertEqual(list(models.Service.objects.values_list("name", flat=True)), ["Emergency Food Boxes"])
        again = import_hsds1_package(self.tmp)
        self.assertEqual(sum(again.created.values()), 0)
        models.TaxonomyBridge.objects.create(
            taxonomy_term=models.TaxonomyTerm.objects.get(code="BD-1800"), sdoh_category="food-insecurity"
        )
        page = search_services(
            SearchCriteria(
                need="food-insecurity",
                zip_code="87102",
                radius_miles=5,
                language="es",
                accessible=True,
                open_on="WE",
                text="emergency food",
            )
        )
        self.assertEqual([r.service.name for r in page.results], ["Emergency Food Boxes"])

    def test_the_command_reads_the_1x_format(self):
        write_tables(self.tmp, TABLES)
        out = io.StringIO()
        call_command("import_hsds", str(self.tmp), "--format", "hsds1", "--source", "valle", stdout=out, verbosity=0)
        self.assertIn("1 of 16 top-level objects rejected", out.getvalue())
        self.assertIn("1 problem reported", out.getvalue())
