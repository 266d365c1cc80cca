"""Export of the whole directory as an HSDS 3.0 tabular package (CSV + datapackage.json) and as one JSON file:
every row valid against the shipped schemas and datapackage, headers as shipped, only active services unless asked,
and the package imports back into an empty directory as the same services."""

import csv
import io
import json
import zipfile
from datetime import date, datetime, time
from pathlib import Path

from django.core.management import call_command
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from puente.audit.models import AuditAction, AuditEvent
from puente.core.testing import PersonaTestCase
from puente.directory import models
from puente.directory.export import export_service
from puente.directory.export_tabular import (
    RESOURCES,
    descriptor,
    export_hsds_json,
    export_hsds_package,
    iter_services_json,
)
from puente.directory.hsds_spec import SPEC
from puente.directory.services import MODELS, import_hsds_file, import_hsds_package

from .helpers import (
    EXAMPLES,
    HSDS_DIR,
    NOT_EXAMPLES,
    TempDirMixin,
    make_listing,
    make_term,
    needs_hsds,
    schema_problems,
)

SHIPPED = HSDS_DIR / "datapackage.json"
PARSE = {
    "number": float,
    "date": date.fromisoformat,
    "datetime": datetime.fromisoformat,
    "time": time.fromisoformat,
    "string": str,
}


def shipped_resources():
    package = json.loads(SHIPPED.read_text())
    return {r["name"]: r for r in package["resources"] if r["name"] in SPEC}


def read_package(folder: Path):
    """{object type: [row dicts]} of an exported folder, by the descriptor's resources."""
    package = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    tables = {}
    for resource in package["resources"]:
        with open(folder / resource["path"], encoding="utf-8", newline="") as stream:
            tables[resource["name"]] = list(csv.DictReader(stream))
    return tables


def row_object(object_type, row, fields):
    """A CSV row as the HSDS JSON object, typed per the datapackage (numbers as numbers, empty cells left out)."""
    out = {}
    for field in fields:
        value = row[field["name"]]
        if value == "":
            continue
        out[field["name"]] = PARSE[field["type"]](value) if field["type"] == "number" else value
    return out


def empty_directory():
    for model in MODELS.values():
        model.objects.all().delete()


def all_exported():
    return {str(s.id): export_service(s) for s in models.Service.objects.all()}


@needs_hsds
class ShippedExamplesRoundTrip(TempDirMixin, TestCase):
    @classmethod
    def setUpTestData(cls):
        for path in sorted(EXAMPLES.glob("*.json")):
            if path.name not in NOT_EXAMPLES:
                import_hsds_file(path)
        # The upstream CSV example points at a taxonomy it does not contain: those rows are rejected, as on import.
        result = import_hsds_package(HSDS_DIR / "examples-csv")
        assert all("unknown" in r.reason for r in result.rejections), result.rejections

    def export(self, **options):
        folder = self.tmp / "package"
        export_hsds_package(folder, **options)
        return folder

    def test_every_row_is_valid_against_the_shipped_schema_of_its_object(self):
        tables = read_package(self.export())
        shipped = shipped_resources()
        self.assertGreater(len(tables["service"]), 0)
        for object_type, rows in tables.items():
            for i, row in enumerate(rows):
                obj = row_object(object_type, row, shipped[object_type]["schema"]["fields"])
                self.assertEqual(schema_problems(obj, f"{object_type}.json"), [], f"{object_type}[{i}]")

    def test_every_row_meets_the_shipped_datapackage_constraints_and_its_foreign_keys_resolve(self):
        tables = read_package(self.export())
        ids = {t: {row["id"] for row in rows} for t, rows in tables.items()}
        for object_type, resource in shipped_resources().items():
            schema = resource["schema"]
            for i, row in enumerate(tables[object_type]):
                where = f"{object_type}[{i}]"
                for field in schema["fields"]:
                    value = row[field["name"]]
                    if field.get("constraints", {}).get("required") and field["name"] in SPEC[object_type][0]:
                        self.assertNotEqual(value, "", f"{where}.{field['name']} required")
                    if value:
                        PARSE[field["type"]](value)  # raises when the type does not parse
                for fk in schema.get("foreignKeys", []):
                    value = row[fk["fields"]]
                    if value:
                        self.assertIn(value, ids[fk["reference"]["resource"]], f"{where}.{fk['fields']}")
            self.assertEqual(len(ids[object_type]), len(tables[object_type]), f"{object_type}: unique ids")

    def test_the_package_imports_back_into_an_empty_directory_as_the_same_services(self):
        before = all_exported()
        self.assertGreater(len(before), 0)
        folder = self.export()
        empty_directory()
        self.assertFalse(models.Service.objects.exists())
        result = import_hsds_package(folder / "datapackage.json")
        self.assertEqual(result.rejections, [])
        after = all_exported()
        self.assertEqual(after.keys(), before.keys())
        for service_id, exported in before.items():
            self.assertEqual(after[service_id], exported, service_id)
            for key in ("name", "phones", "schedules", "languages", "attributes"):
                self.assertEqual(after[service_id].get(key), exported.get(key))

    def test_the_json_file_holds_every_service_as_export_service_and_imports_back(self):
        stream = io.StringIO()
        total = export_hsds_json(stream)
        page = json.loads(stream.getvalue())
        self.assertEqual((page["total_items"], page["size"], page["total_pages"]), (total, total, 1))
        services = models.Service.objects.filter(active=True).order_by("organization_id", "name", "id")
        expected = [export_service(s) for s in services]
        self.assertEqual(page["contents"], expected)
        for item in page["contents"]:
            self.assertEqual(schema_problems(item, "service.json"), [])
        before = all_exported()
        path = self.write("service_list.json", stream.getvalue().encode())
        empty_directory()
        result = import_hsds_file(path)
        self.assertEqual(result.rejections, [])
        self.assertEqual(all_exported(), before)


@needs_hsds
class Descriptor(TempDirMixin, TestCase):
    def test_the_headers_are_the_shipped_datapackage_fields_per_resource(self):
        make_listing("Pantry", site=(35.08, -106.65), languages=["es"], schedules=[("MO", "09:00", "17:00")])
        export_hsds_package(self.tmp)
        shipped = shipped_resources()
        self.assertEqual({t for t, _path in RESOURCES}, set(shipped))
        for object_type, path in RESOURCES:
            with self.subTest(object_type):
                self.assertEqual(path, shipped[object_type]["path"])
                header = (self.tmp / path).read_bytes().decode("utf-8").split("\r\n")[0]
                self.assertEqual(header.split(","), [f["name"] for f in shipped[object_type]["schema"]["fields"]])

    def test_the_descriptor_has_the_shipped_field_types_and_foreign_keys(self):
        shipped = shipped_resources()
        for resource in descriptor()["resources"]:
            with self.subTest(resource["name"]):
                theirs = shipped[resource["name"]]["schema"]
                types = [(f["name"], f["type"]) for f in resource["schema"]["fields"]]
                self.assertEqual(types, [(f["name"], f["type"]) for f in theirs["fields"]])
                self.assertEqual(
                    sorted(fk["fields"] for fk in resource["schema"]["foreignKeys"]),
                    sorted(fk["fields"] for fk in theirs.get("foreignKeys", [])),
                )


class Selection(TempDirMixin, TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.term = make_term("Food pantry")
        cls.active = make_listing("Open Pantry", site=(35.08, -106.65), terms=[cls.term])
        cls.closed = make_listing("Closed Shelter", active=False, phone="505-555-0199")
        cls.orphan = models.Organization.objects.create(name="No services", description="Unused")
        models.Taxonomy.objects.create(name="Unused taxonomy", description="No term uses it")

    def services_in(self, **options):
        folder = self.tmp / "out"
        export_hsds_package(folder, **options)
        return read_package(folder)

    def test_it_exports_only_active_services_and_what_they_reach(self):
        tables = self.services_in()
        self.assertEqual([r["name"] for r in tables["service"]], ["Open Pantry"])
        self.assertEqual([r["number"] for r in tables["phone"]], ["505-555-0100"])
        self.assertEqual([r["name"] for r in tables["organization"]], ["Open Pantry Inc."])
        self.assertEqual([r["name"] for r in tables["taxonomy_term"]], ["Food pantry"])
        self.assertEqual(tables["taxonomy"], [])
        self.assertEqual(len(tables["location"]), 1)
        self.assertEqual(len(tables["address"]), 1)

    def test_it_includes_inactive_services_when_asked(self):
        tables = self.services_in(include_inactive=True)
        self.assertEqual(sorted(r["name"] for r in tables["service"]), ["Closed Shelter", "Open Pantry"])
        self.assertEqual(sorted(r["number"] for r in tables["phone"]), ["505-555-0100", "505-555-0199"])
        self.assertNotIn("No services", [r["name"] for r in tables["organization"]])

    def test_the_json_export_follows_the_same_rule(self):
        self.assertEqual([s["name"] for s in iter_services_json()], ["Open Pantry"])
        names = [s["name"] for s in iter_services_json(include_inactive=True)]
        self.assertEqual(sorted(names), ["Closed Shelter", "Open Pantry"])

    def test_a_row_that_names_an_excluded_service_is_left_out(self):
        # An organization phone that also belongs to the inactive service would not import without it.
        models.Phone.objects.create(organization=self.active.organization, service=self.closed, number="505-555-0150")
        tables = self.services_in()
        self.assertEqual([r["number"] for r in tables["phone"]], ["505-555-0100"])


class Text(TempDirMixin, TestCase):
    def test_spanish_accents_commas_newlines_and_quotes_round_trip(self):
        name = 'Despensa "La Esperanza", Año Nuevo'
        description = 'Comida gratis, sin cita.\nSegunda línea: "niños" y señoras; 1,5 km — ¿preguntas?'
        service = make_listing(name, description=description, languages=[("es", "Español")], phone="")
        models.Phone.objects.create(service=service, number="505-555-0100", description="Línea, en español\r\nsí")
        before = all_exported()
        raw = io.BytesIO()
        export_hsds_package(raw)
        with zipfile.ZipFile(raw) as archive:
            archive.extractall(self.tmp)
            services_csv = archive.read("services.csv")
        self.assertIn("Año".encode(), services_csv)  # UTF-8, no escaping
        self.assertIn(b'"Despensa ""La Esperanza"", A', services_csv)  # RFC 4180 quoting
        empty_directory()
        result = import_hsds_package(self.tmp)
        self.assertEqual(result.rejections, [])
        self.assertEqual(all_exported(), before)
        self.assertEqual(models.Service.objects.get().description, description)


class QueryCount(TestCase):
    def queries(self, export):
        with CaptureQueriesContext(connection) as captured:
            export()
        return len(captured)

    def make(self, n, term):
        for i in range(n):
            make_listing(
                f"Service {i}",
                site=(35.08, -106.65),
                languages=["es", "en"],
                schedules=[("MO,TU", "09:00", "17:00")],
                areas=["Bernalillo"],
                cost="Free",
                terms=[term],
            )

    def test_the_number_of_queries_does_not_grow_with_the_number_of_services(self):
        term = make_term("Food", "food-insecurity")
        self.make(3, term)
        small = (
            self.queries(lambda: export_hsds_package(io.BytesIO())),
            self.queries(lambda: export_hsds_json(io.StringIO())),
        )
        self.make(27, term)
        large = (
            self.queries(lambda: export_hsds_package(io.BytesIO())),
            self.queries(lambda: export_hsds_json(io.StringIO())),
        )
        self.assertEqual(small, large)
        self.assertEqual(len(list(iter_services_json())), 30)


class Command(TempDirMixin, TestCase):
    def test_it_writes_a_folder_a_zip_or_a_json_file(self):
        make_listing("Pantry")
        make_listing("Closed", active=False)
        out = io.StringIO()
        call_command("export_hsds", "--format", "csv", "--output", str(self.tmp / "pkg"), stdout=out)
        self.assertIn("1 service exported", out.getvalue())
        self.assertTrue((self.tmp / "pkg" / "datapackage.json").is_file())
        call_command("export_hsds", "--format", "csv", "--output", str(self.tmp / "pkg.zip"), stdout=out)
        self.assertIn("services.csv", zipfile.ZipFile(self.tmp / "pkg.zip").namelist())
        call_command(
            "export_hsds", "--format", "json", "--output", str(self.tmp / "all.json"), "--include-inactive", stdout=out
        )
        self.assertEqual(json.loads((self.tmp / "all.json").read_text())["total_items"], 2)


class Downloads(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        make_listing("Westside Food Pantry", languages=["es"])

    def get(self, user, name):
        if user is not None:
            self.client.force_login(user)
        return self.client.get(reverse(f"directory:{name}"))

    def test_it_denies_workers_partners_and_everyone_but_administrators(self):
        for name in ("export_zip", "export_json"):
            for user in (self.alice, self.sam, self.ian, self.carol, self.pat):
                with self.subTest(name=name, user=user.full_name):
                    self.assertEqual(self.get(user, name).status_code, 403)
            self.client.logout()
            response = self.get(None, name)
            self.assertRedirects(response, f"{reverse('accounts:login')}?next={reverse(f'directory:{name}')}")
        self.assertFalse(AuditEvent.objects.filter(action=AuditAction.EXPORT).exists())

    def test_an_administrator_downloads_the_zipped_package_and_it_is_audited(self):
        response = self.get(self.ada, "export_zip")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "application/zip")
        self.assertIn('attachment; filename="hsds-directory.zip"', response["Content-Disposition"])
        with zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))) as archive:
            self.assertIn("datapackage.json", archive.namelist())
            self.assertIn(b"Westside Food Pantry", archive.read("services.csv"))
        event = AuditEvent.objects.get(action=AuditAction.EXPORT)
        self.assertEqual((event.actor, event.object_type), (self.ada, "directory.export"))
        self.assertEqual(event.detail, {"format": "csv", "services": 1})

    def test_an_administrator_downloads_the_json_file_and_it_is_audited(self):
        response = self.get(self.ada, "export_json")
        self.assertEqual(response.status_code, 200)
        page = json.loads(b"".join(response.streaming_content))
        self.assertEqual([s["name"] for s in page["contents"]], ["Westside Food Pantry"])
        self.assertEqual(AuditEvent.objects.get(action=AuditAction.EXPORT).detail, {"format": "json", "services": 1})

    def test_the_curation_page_links_the_downloads_for_administrators_only(self):
        self.assertContains(self.get(self.ada, "curation"), reverse("directory:export_zip"))
        self.assertNotContains(self.get(self.pat, "curation"), reverse("directory:export_zip"))
