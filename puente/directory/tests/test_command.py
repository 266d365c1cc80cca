"""``manage.py import_hsds PATH [--full] [--report PATH]``: counts on stdout, the rejection report as CSV."""

import csv
import io

from django.core.management import CommandError, call_command
from django.test import TestCase

from puente.directory import models

from .helpers import EXAMPLES, HSDS_DIR, TempDirMixin, needs_hsds, service


class ImportCommand(TempDirMixin, TestCase):
    def run_command(self, *args):
        out = io.StringIO()
        call_command("import_hsds", *[str(a) for a in args], stdout=out, stderr=io.StringIO(), verbosity=0)
        return out.getvalue()

    def test_it_prints_counts_and_writes_the_report_next_to_the_input(self):
        path = self.write("service_list.json", {"contents": [service(), service(status="open")]})
        out = self.run_command(path)
        self.assertIn("service_list.json: 1 object created, 0 updated, 1 of 2 top-level objects rejected", out)
        with (self.tmp / "service_list.rejections.csv").open(encoding="utf-8") as stream:
            rows = list(csv.DictReader(stream))
        self.assertEqual([(r["position"], r["field"]) for r in rows], [("contents[1]", "status")])

    def test_report_and_full_options(self):
        models.Service.objects.create(name="Gone", status="active")
        report = self.tmp / "out.csv"
        out = self.run_command(self.write("service.json", service()), "--full", "--report", report)
        self.assertIn("1 service marked inactive", out)
        self.assertEqual(
            report.read_text(encoding="utf-8").splitlines(), ["file,position,object_type,object_id,field,reason"]
        )
        self.assertIs(models.Service.objects.get(name="Gone").active, False)

    def test_the_type_option_names_an_unnamed_file(self):
        self.run_command(self.write("export.json", service(name="Typed")), "--type", "service")
        self.assertTrue(models.Service.objects.filter(name="Typed").exists())

    def test_a_missing_path_is_an_error(self):
        with self.assertRaises(CommandError):
            self.run_command(self.tmp / "nope.json")

    @needs_hsds
    def test_it_imports_a_folder_of_examples(self):
        for name in ("service_full.json", "taxonomy.json"):
            self.copy_example(name)
        out = self.run_command(self.tmp)
        self.assertIn("service_full.json: 20 objects created", out)
        self.assertTrue((self.tmp / "rejections.csv").exists())
        self.assertTrue(EXAMPLES.is_dir())

    @needs_hsds
    def test_it_imports_the_official_csv_package_like_its_json_twin(self):
        folder = HSDS_DIR / "examples-csv"
        report = self.tmp / "report.csv"
        out = self.run_command(folder, "--report", report)
        self.assertIn("examples-csv: 10 objects created, 0 updated, 10 of 20 top-level objects rejected", out)
        self.assertIn("Note: datapackage.json is not a readable descriptor", out)
        # The same rows as tabular.json, the JSON rendering of the same package: re-importing it changes nothing new.
        out = self.run_command(EXAMPLES / "tabular.json", "--report", report)
        self.assertIn("tabular.json: 0 objects created, 10 updated", out)


class BenchImportCommand(TempDirMixin, TestCase):
    def test_it_writes_a_package_imports_it_twice_and_reports_each_phase(self):
        out = io.StringIO()
        call_command("bench_directory_import", str(self.tmp / "pkg"), "--generate", "12", "--runs", "2", stdout=out)
        lines = [line for line in out.getvalue().splitlines() if line.startswith("run ")]
        self.assertEqual(len(lines), 2)
        self.assertRegex(lines[0], r"run 1: (\d+) records \(\1 created, 0 updated")
        self.assertRegex(lines[1], r"run 2: (\d+) records \(0 created, \1 updated")
        self.assertIn("search documents", lines[1])
        self.assertEqual(models.Service.objects.count(), 12)
