"""Files too big or in the wrong encoding are refused whole, with a clear reason and nothing written. The big
files are generated in a temporary folder (never committed)."""

import csv
import io
import json
from pathlib import Path
from unittest import mock

from django.core.management import call_command
from django.test import TestCase, override_settings

from puente.directory.services import MODELS, import_hsds_file, import_hsds_package, import_max_bytes

from .helpers import TempDirMixin, service

MB = 1024 * 1024


def service_file_of(size: int) -> bytes:
    """A valid HSDS service file of exactly ``size`` bytes (the description pads it)."""
    head, tail = (
        b'{"id": "%s", "name": "Big pantry", "status": "active", "description": "' % service()["id"].encode(),
        b'"}',
    )
    return head + b"x" * (size - len(head) - len(tail)) + tail


class SizeLimit(TempDirMixin, TestCase):
    def assertNothingWritten(self):
        for name, model in MODELS.items():
            self.assertEqual(model.objects.count(), 0, name)

    def test_a_50_mb_file_is_refused_before_it_is_read(self):
        path = self.write("service.json", service_file_of(50 * MB))
        with mock.patch.object(Path, "read_bytes", side_effect=AssertionError("read")) as read:
            result = import_hsds_file(path)
        read.assert_not_called()
        self.assertEqual(len(result.rejections), 1)
        row = result.rejections[0]
        self.assertEqual((row.file, row.position), ("service.json", ""))
        self.assertIn("too large to import: 50.0 MB, the limit is 25.0 MB", row.reason)
        self.assertIn("nothing was imported", row.reason)
        self.assertNothingWritten()

    def test_the_limit_is_a_setting_checked_at_the_boundary(self):
        with override_settings(PUENTE_DIRECTORY_IMPORT_MAX_MB=0.01):
            limit = import_max_bytes()
            for size, imported in ((limit, True), (limit + 1, False)):
                with self.subTest(size=size):
                    result = import_hsds_file(self.write(f"service_{size}.json", service_file_of(size)))
                    self.assertEqual(result.created["service"], int(imported))
                    self.assertEqual(bool(result.rejections), not imported)

    @override_settings(PUENTE_DIRECTORY_IMPORT_MAX_MB=0.01)
    def test_a_csv_package_is_measured_as_a_whole(self):
        folder = self.tmp / "package"
        folder.mkdir()
        for name in ("organizations.csv", "services.csv"):
            (folder / name).write_bytes(b"id,name\n" + b"x" * 6000)  # each under the limit, together over it
        result = import_hsds_package(folder)
        self.assertIn("too large to import", result.rejections[0].reason)
        self.assertNothingWritten()

    def test_the_command_reports_the_refusal(self):
        path = self.write("service.json", service_file_of(50 * MB))
        call_command("import_hsds", str(path), stdout=io.StringIO(), stderr=io.StringIO(), verbosity=0)
        with (self.tmp / "service.rejections.csv").open(encoding="utf-8") as stream:
            rows = list(csv.DictReader(stream))
        self.assertEqual(len(rows), 1)
        self.assertIn("too large to import", rows[0]["reason"])
        self.assertNothingWritten()


class BadEncoding(TempDirMixin, TestCase):
    def test_a_latin1_file_is_refused_with_what_to_do(self):
        data = json.dumps(service(name="Alimentación"), ensure_ascii=False)
        result = import_hsds_file(self.write("service.json", data.encode("latin-1")))
        reason = result.rejections[0].reason
        self.assertIn("not valid UTF-8 (bad byte at offset", reason)
        self.assertIn("Save it as UTF-8", reason)
        self.assertEqual(MODELS["service"].objects.count(), 0)

    def test_a_utf16_file_is_named_as_such(self):
        data = json.dumps(service(name="Niños"), ensure_ascii=False)
        for raw in (data.encode("utf-16"), b"\xfe\xff" + data.encode("utf-16-be")):
            with self.subTest(bom=raw[:2]):
                result = import_hsds_file(self.write("service.json", raw))
                self.assertIn("saved as UTF-16", result.rejections[0].reason)
        self.assertEqual(MODELS["service"].objects.count(), 0)

    def test_a_csv_table_in_utf16_is_reported(self):
        folder = self.tmp / "package"
        folder.mkdir()
        (folder / "services.csv").write_bytes("id,name,status\n".encode("utf-16"))
        result = import_hsds_package(folder)
        self.assertEqual(result.rejections[0].file, "services.csv")
        self.assertIn("saved as UTF-16", result.rejections[0].reason)
