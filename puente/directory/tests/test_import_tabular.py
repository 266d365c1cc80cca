"""HSDS 3.0 tabular packages (CSV + datapackage.json): the official example, idempotent re-import, and each kind
of bad table or row reported with file, row and field while good rows are imported."""

import csv
import io
import json
import shutil

from django.test import TestCase

from puente.directory import models
from puente.directory.services import import_hsds_package

from .helpers import HSDS_DIR, TempDirMixin, needs_hsds, new_id

SERVICE_FIELDS = ["id", "organization_id", "name", "status", "description", "minimum_age"]


def csv_bytes(fields, rows):
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=fields)
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


class PackageMixin(TempDirMixin):
    def package(self, services, organizations=None, descriptor=True):
        org_id = new_id()
        orgs = organizations if organizations is not None else [{"id": org_id, "name": "Org", "description": "D"}]
        self.write("organizations.csv", csv_bytes(["id", "name", "description"], orgs))
        rows = [{"organization_id": org_id, "status": "active", **row} for row in services]
        self.write("services.csv", csv_bytes(SERVICE_FIELDS, rows))
        if descriptor:
            resources = [
                {"name": "organization", "path": "organizations.csv"},
                {"name": "service", "path": "services.csv"},
            ]
            self.write("datapackage.json", {"name": "test", "resources": resources})
        return self.tmp


class TabularPackage(PackageMixin, TestCase):
    def test_it_imports_good_rows_and_reports_bad_ones_by_file_row_and_field(self):
        good, bad_age, missing = new_id(), new_id(), new_id()
        folder = self.package(
            [
                {"id": good, "name": "Pantry", "minimum_age": "18"},
                {"id": bad_age, "name": "Shelter", "minimum_age": "eighteen"},
                {"id": missing, "name": ""},
            ]
        )
        result = import_hsds_package(folder / "datapackage.json")
        self.assertEqual(models.Service.objects.get().minimum_age, 18)
        self.assertEqual(
            sorted((r.position, r.field) for r in result.rejections),
            [("services.csv[1]", "minimum_age"), ("services.csv[2]", "name")],
        )
        self.assertEqual((result.units_total, result.units_rejected), (4, 2))

    def test_it_reimports_in_place_and_full_marks_missing_services_inactive(self):
        a, b = new_id(), new_id()
        folder = self.package([{"id": a, "name": "A"}, {"id": b, "name": "B"}])
        import_hsds_package(folder)
        self.package([{"id": a, "name": "A renamed"}])
        result = import_hsds_package(folder, full=True)
        self.assertEqual(result.deactivated, 1)
        self.assertEqual(
            sorted(models.Service.objects.values_list("name", "active")), [("A renamed", True), ("B", False)]
        )

    def test_a_table_with_a_bad_encoding_is_reported_and_its_dependents_rejected(self):
        folder = self.package([{"id": new_id(), "name": "Pantry"}])
        (folder / "organizations.csv").write_bytes(b"id,name,description\n\xff\xfe,Bad,D\n")
        result = import_hsds_package(folder, full=True)
        self.assertEqual(result.rejections[0].file, "organizations.csv")
        self.assertIn("not valid UTF-8", result.rejections[0].reason)
        self.assertIn("Refers to an unknown organization", result.rejections[1].reason)
        self.assertFalse(models.Service.objects.exists())
        self.assertEqual(result.deactivated, 0)

    def test_it_falls_back_to_standard_table_names_and_notes_missing_tables(self):
        folder = self.package([{"id": new_id(), "name": "Pantry"}], descriptor=False)
        import_hsds_package(folder)
        self.assertEqual(models.Service.objects.count(), 1)
        self.write("datapackage.json", {"resources": [{"path": "services.csv"}, {"path": "phones.csv"}]})
        result = import_hsds_package(folder)
        self.assertIn("phones.csv is listed but missing.", result.skipped)

    def test_search_finds_imported_services(self):
        from puente.directory.search import SearchCriteria, search_services

        self.package([{"id": new_id(), "name": "Despensa", "description": "Alimentos para familias"}])
        import_hsds_package(self.tmp)
        self.assertEqual(
            [r.service.name for r in search_services(SearchCriteria(text="alimentación")).results], ["Despensa"]
        )


@needs_hsds
class OfficialCsvExample(TempDirMixin, TestCase):
    def test_the_official_package_imports_the_rows_its_json_twin_imports(self):
        folder = self.tmp / "pkg"
        shutil.copytree(HSDS_DIR / "examples-csv", folder)
        # The shipped examples-csv/datapackage.json is a pointer to the root descriptor; use the real one.
        (folder / "datapackage.json").write_text((HSDS_DIR / "datapackage.json").read_text(encoding="utf-8"))
        first = import_hsds_package(folder)
        self.assertEqual(sum(first.created.values()), 10)
        self.assertTrue(all(r.reason.startswith("Refers to an unknown") for r in first.rejections))
        self.assertIn(
            "ac148810-d857-441c-9679-408f346de14b",
            {str(i) for i in models.Service.objects.values_list("id", flat=True)},
        )
        again = import_hsds_package(folder)
        self.assertEqual((sum(again.created.values()), sum(again.updated.values())), (0, 10))
        self.assertTrue(json.loads((HSDS_DIR / "datapackage.json").read_text())["resources"])


class TermRename(PackageMixin, TestCase):
    def test_renaming_a_taxonomy_term_refreshes_the_search_text_of_its_services(self):
        term, sid = new_id(), new_id()
        self.package([{"id": sid, "name": "Pantry"}])
        self.write(
            "taxonomy_terms.csv",
            csv_bytes(["id", "name", "description"], [{"id": term, "name": "Groceries", "description": "d"}]),
        )
        attribute = {"id": new_id(), "link_id": sid, "link_type": "service", "taxonomy_term_id": term}
        self.write("attributes.csv", csv_bytes(list(attribute), [attribute]))
        (self.tmp / "datapackage.json").unlink()
        import_hsds_package(self.tmp)
        from puente.directory.search import SearchCriteria, search_services

        self.assertEqual(search_services(SearchCriteria(text="groceries")).total, 1)
        only_term = self.tmp / "terms"
        only_term.mkdir()
        (only_term / "taxonomy_terms.csv").write_bytes(
            csv_bytes(["id", "name", "description"], [{"id": term, "name": "Comestibles", "description": "d"}])
        )
        import_hsds_package(only_term)
        self.assertEqual(search_services(SearchCriteria(text="groceries")).total, 0)
        self.assertEqual(search_services(SearchCriteria(text="comestibles")).total, 1)


class LanguageOnly(PackageMixin, TestCase):
    def test_a_file_of_languages_alone_refreshes_the_services_they_belong_to(self):
        sid, location, site = new_id(), new_id(), new_id()
        self.package([{"id": sid, "name": "Pantry"}])
        self.write(
            "locations.csv",
            csv_bytes(["id", "name", "location_type"], [{"id": location, "name": "Site", "location_type": "physical"}]),
        )
        self.write(
            "service_at_locations.csv",
            csv_bytes(["id", "service_id", "location_id"], [{"id": site, "service_id": sid, "location_id": location}]),
        )
        (self.tmp / "datapackage.json").unlink()
        import_hsds_package(self.tmp)
        from puente.directory.search import SearchCriteria, search_services

        self.assertEqual(search_services(SearchCriteria(language="es")).total, 0)
        for code, name, at_site in (("es", "Spanish", True), ("vi", "Vietnamese", False)):
            folder = self.tmp / code
            folder.mkdir()
            row = {"id": new_id(), "location_id": location if at_site else "", "service_id": "" if at_site else sid}
            row |= {"code": code, "name": name}
            (folder / "languages.csv").write_bytes(csv_bytes(list(row), [row]))
            self.assertEqual(import_hsds_package(folder).rejections, [])
            self.assertEqual(search_services(SearchCriteria(language=name)).total, 1)
            self.assertEqual(search_services(SearchCriteria(language=code, zip_code="87102")).total, 1)


class RepointedRows(PackageMixin, TestCase):
    def test_a_language_or_attribute_moved_to_another_service_leaves_the_first(self):
        from puente.directory.search import SearchCriteria, search_services

        first, second, term, language, attribute = new_id(), new_id(), new_id(), new_id(), new_id()
        self.package([{"id": first, "name": "First"}, {"id": second, "name": "Second"}])
        self.write(
            "taxonomy_terms.csv",
            csv_bytes(["id", "name", "description"], [{"id": term, "name": "T", "description": "d"}]),
        )
        (self.tmp / "datapackage.json").unlink()
        import_hsds_package(self.tmp)
        models.TaxonomyBridge.objects.create(taxonomy_term_id=term, sdoh_category="food-insecurity")

        def found(**criteria):
            return sorted(r.service.name for r in search_services(SearchCriteria(**criteria)).results)

        for owner in (first, second):
            folder = self.tmp / f"to-{owner}"
            folder.mkdir()
            row = {"id": language, "service_id": owner, "code": "es", "name": "Spanish"}
            (folder / "languages.csv").write_bytes(csv_bytes(list(row), [row]))
            link = {"id": attribute, "link_id": owner, "link_type": "service", "taxonomy_term_id": term}
            (folder / "attributes.csv").write_bytes(csv_bytes(list(link), [link]))
            self.assertEqual(import_hsds_package(folder).rejections, [])
            expected = ["First"] if owner == first else ["Second"]
            self.assertEqual(found(language="es"), expected)
            self.assertEqual(found(need="food-insecurity"), expected)


class BlankDates(TempDirMixin, TestCase):
    def test_a_blank_last_modified_is_no_date_not_a_failed_import(self):
        from puente.directory.services import import_hsds_file

        sid = new_id()
        record = {"id": sid, "name": "Pantry", "status": "active", "last_modified": ""}
        result = import_hsds_file(self.write("service_list.json", [record]))
        self.assertEqual(result.rejections, [])
        self.assertIsNone(models.Service.objects.get(id=sid).last_modified)
