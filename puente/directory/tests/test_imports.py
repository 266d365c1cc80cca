"""The directory import page (issue 4): an administrator uploads HSDS 3.0 JSON, an HSDS 3.0 CSV package, an HSDS
1.x package or an Ohana export; the background worker imports it (at once in tests: ImmediateBackend) and the
status page shows progress, counts and every rejected row, also as a downloadable CSV. Uploads are checked
(size, format, zip contents) before anything is stored; only administrators may import."""

import csv
import io
import json
import tempfile
import zipfile
from pathlib import Path
from unittest import mock

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import SimpleTestCase, TestCase, TransactionTestCase, override_settings
from django.urls import reverse

from puente.accounts.models import Role
from puente.audit.models import AuditEvent
from puente.core.testing import PersonaTestCase, external_data, make_org, make_user
from puente.directory import models
from puente.directory.imports import (
    PackageError,
    ProgressWriter,
    detect_format,
    extract_package,
    run_import,
    safe_file_name,
)
from puente.directory.models import DirectoryImport, ImportFormat
from puente.directory.services import import_hsds_file

from .helpers import EXAMPLES, HSDS_DIR, TempDirMixin, make_listing, needs_hsds, new_id
from .test_import_hsds1 import TABLES as HSDS1_TABLES

OHANA = external_data("ohana-api-smc-sample-csv")
needs_ohana = __import__("unittest").skipUnless(OHANA.is_dir(), f"The Ohana sample is absent ({OHANA}).")


def zip_folder(folder: Path, *, under="") -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.iterdir()):
            if path.is_file():
                archive.write(path, f"{under}{path.name}")
    return out.getvalue()


def zip_tables(tables: dict[str, list[dict]], extra: dict[str, bytes] | None = None) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, rows in tables.items():
            text = io.StringIO()
            writer = csv.DictWriter(text, fieldnames=list(dict.fromkeys(k for row in rows for k in row)))
            writer.writeheader()
            writer.writerows(rows)
            archive.writestr(name, text.getvalue())
        for name, raw in (extra or {}).items():
            archive.writestr(name, raw)
    return out.getvalue()


def bad_hsds_package() -> tuple[bytes, str]:
    """An HSDS 3.0 CSV package with one good service and one whose minimum_age is not a number."""
    org, good, bad = new_id(), new_id(), new_id()
    tables = {
        "organizations.csv": [{"id": org, "name": "Valle Helpline", "description": "Synthetic"}],
        "services.csv": [
            {"id": good, "organization_id": org, "name": "Pantry", "status": "active", "minimum_age": "18"},
            {"id": bad, "organization_id": org, "name": "Shelter", "status": "active", "minimum_age": "eighteen"},
        ],
    }
    return zip_tables(tables), bad


class ImportPageMixin:
    def upload(self, name, data, user=None, **fields):
        self.client.force_login(user or self.admin)
        payload = {"file": SimpleUploadedFile(name, data), "data_format": "", "object_type": "", **fields}
        with self.captureOnCommitCallbacks(execute=True):
            return self.client.post(reverse("directory:imports"), payload)

    def upload_and_follow(self, name, data, **fields):
        response = self.upload(name, data, **fields)
        self.assertEqual(response.status_code, 302, response.content[:3000])
        job = DirectoryImport.objects.get(pk=response.url.rstrip("/").rsplit("/", 1)[-1])
        return job, self.client.get(response.url)


@needs_hsds
class UploadEachFormat(ImportPageMixin, TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.admin = make_user(make_org(), Role.ADMIN, name="Ada Admin")

    def test_the_finished_count_is_the_records_written_not_the_documents_reindexed(self):
        service = make_listing("Pantry A")
        for name in ("Pantry B", "Pantry C"):
            make_listing(name, organization=service.organization)
        renamed = {"id": str(service.organization_id), "name": "Renamed food bank", "description": "d"}
        data = json.dumps(renamed).encode()
        job, _page = self.upload_and_follow("organization.json", data, object_type="organization")
        job.refresh_from_db()
        finished = (job.status, job.progress_done, job.progress_total, job.progress_phase)
        self.assertEqual(finished, ("done", 1, 1, "write"))
        self.assertEqual(job.updated_total, 1)

    def test_it_imports_an_hsds_json_file_in_the_background_and_shows_the_counts(self):
        job, page = self.upload_and_follow("service_full.json", (EXAMPLES / "service_full.json").read_bytes())
        job.refresh_from_db()
        self.assertEqual((job.status, job.data_format, job.error), ("done", ImportFormat.HSDS_JSON, ""))
        self.assertTrue(models.Service.objects.exists())
        self.assertEqual(job.summary["created"]["service"], 1)
        # Progress ends full: every record written is counted.
        self.assertGreater(job.progress_total, 0)
        self.assertEqual(job.progress_done, job.progress_total)
        self.assertEqual(job.progress_total, job.created_total + job.updated_total)
        self.assertContains(page, "Status: Done")
        self.assertContains(page, f"{job.created_total} records created")
        self.assertNotContains(page, 'hx-trigger="every 2s"')  # finished: the page stops polling
        self.assertIsNotNone(job.started_at)
        self.assertIsNotNone(job.finished_at)
        self.assertEqual(bytes(job.data), b"")  # the upload is dropped once imported
        # Audited as the uploader: the upload, then the import's result.
        events = AuditEvent.objects.filter(object_id=str(job.pk)).order_by("id")
        self.assertEqual([e.action for e in events], ["create", "update"])
        self.assertEqual({e.actor_id for e in events}, {self.admin.pk})
        self.assertEqual(events[1].detail["created"], job.created_total)

    def test_it_imports_a_zipped_hsds_csv_package_found_inside_a_folder(self):
        data = zip_folder(HSDS_DIR / "examples-csv", under="examples-csv/")
        job, page = self.upload_and_follow("examples-csv.zip", data)
        job.refresh_from_db()
        self.assertEqual((job.status, job.data_format), ("done", ImportFormat.HSDS_CSV))
        self.assertGreater(job.created_total, 0)
        self.assertTrue(models.Service.objects.filter(name="Community Counselling").exists())
        self.assertContains(page, "service_at_location")  # the counts by type

    def test_it_imports_an_hsds_1x_package_and_lists_its_rejected_row(self):
        job, page = self.upload_and_follow("valle-211.zip", zip_tables(HSDS1_TABLES))
        job.refresh_from_db()
        self.assertEqual((job.status, job.data_format), ("done", ImportFormat.HSDS1_CSV))
        self.assertTrue(models.Service.objects.filter(name="Emergency Food Boxes").exists())
        self.assertFalse(models.Service.objects.filter(name="Bad Status").exists())
        self.assertContains(page, "rejected row")
        self.assertTrue(any(r["field"] == "status" for r in job.rejections))

    @needs_ohana
    def test_it_imports_the_ohana_sample_and_a_second_upload_updates_in_place(self):
        data = zip_folder(OHANA)
        job, _page = self.upload_and_follow("ohana-smc.zip", data)
        job.refresh_from_db()
        self.assertEqual((job.status, job.data_format), ("done", ImportFormat.OHANA_CSV))
        services = models.Service.objects.count()
        self.assertGreater(services, 0)
        again, _page = self.upload_and_follow("ohana-smc.zip", data)
        again.refresh_from_db()
        self.assertEqual(again.created_total, 0)  # ids are keyed by the file name: the same records
        self.assertEqual(models.Service.objects.count(), services)

    def test_the_chosen_format_overrides_the_recognised_one(self):
        response = self.upload("valle-211.zip", zip_tables(HSDS1_TABLES), data_format=ImportFormat.HSDS_JSON)
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "This is a zip file: choose one of the CSV package formats.", status_code=400)
        self.assertFalse(DirectoryImport.objects.exists())


class RejectionReport(ImportPageMixin, TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.admin = make_user(make_org(), Role.ADMIN, name="Ada Admin")

    def test_the_status_page_and_the_csv_list_the_rejected_row_and_good_rows_are_imported(self):
        data, bad_id = bad_hsds_package()
        job, page = self.upload_and_follow("valle.zip", data)
        job.refresh_from_db()
        self.assertEqual(job.status, "done")
        self.assertTrue(models.Service.objects.filter(name="Pantry").exists())
        self.assertFalse(models.Service.objects.filter(pk=bad_id).exists())
        self.assertContains(page, "1 rejected row")
        self.assertContains(page, "minimum_age")
        response = self.client.get(reverse("directory:import_rejections", args=[job.pk]))
        self.assertEqual(response["Content-Type"], "text/csv; charset=utf-8")
        self.assertIn('filename="valle-rejections.csv"', response["Content-Disposition"])
        rows = list(csv.DictReader(io.StringIO(response.content.decode())))
        self.assertEqual(len(rows), 1)
        self.assertEqual((rows[0]["file"], rows[0]["object_id"], rows[0]["field"]), ("valle", bad_id, "minimum_age"))
        self.assertEqual(rows[0]["position"], "services.csv[1]")  # the table and its data row
        self.assertTrue(rows[0]["reason"])
        self.assertTrue(AuditEvent.objects.filter(object_id=str(job.pk), action="export").exists())

    def test_the_page_shows_200_rejected_rows_and_the_csv_has_them_all(self):
        job = DirectoryImport.objects.create(
            file_name="big.json",
            data=b"{}",
            data_format=ImportFormat.HSDS_JSON,
            status="done",
            summary={"created": {}, "updated": {}, "units_total": 250, "units_rejected": 250},
            rejections=[
                {
                    "file": "big.json",
                    "position": f"[{i}]",
                    "object_type": "service",
                    "object_id": "",
                    "field": "name",
                    "reason": f"Reason {i}",
                }
                for i in range(250)
            ],
        )
        self.client.force_login(self.admin)
        page = self.client.get(reverse("directory:import", args=[job.pk]))
        self.assertContains(page, "250 rejected rows")
        self.assertContains(page, "Reason 199")
        self.assertNotContains(page, "Reason 200<")
        self.assertContains(page, "Showing the first 200; the CSV report has them all.")
        response = self.client.get(reverse("directory:import_rejections", args=[job.pk]))
        self.assertEqual(len(response.content.decode().strip().splitlines()), 251)

    def test_csv_cells_cannot_run_as_formulas(self):
        job = DirectoryImport.objects.create(
            file_name="x.json",
            data=b"{}",
            data_format=ImportFormat.HSDS_JSON,
            status="done",
            rejections=[
                {
                    "file": "x.json",
                    "position": "[0]",
                    "object_type": "service",
                    "object_id": "=HYPERLINK(1)",
                    "field": "id",
                    "reason": "Not a UUID.",
                }
            ],
        )
        self.client.force_login(self.admin)
        body = self.client.get(reverse("directory:import_rejections", args=[job.pk])).content.decode()
        self.assertIn("'=HYPERLINK(1)", body)

    def test_a_file_that_cannot_be_read_fails_with_its_reason(self):
        job, page = self.upload_and_follow("service_list.json", b"{not json", data_format=ImportFormat.HSDS_JSON)
        job.refresh_from_db()
        self.assertEqual(job.status, "failed")
        self.assertIn("not valid JSON", job.error)
        self.assertContains(page, "The import failed; nothing was imported.")
        self.assertContains(page, "not valid JSON")

    def test_a_crash_is_stored_as_the_error(self):
        data, _bad = bad_hsds_package()
        with mock.patch("puente.directory.services.import_hsds_package", side_effect=RuntimeError("disk on fire")):
            job, page = self.upload_and_follow("valle.zip", data)
        job.refresh_from_db()
        self.assertEqual(job.status, "failed")
        self.assertIn("RuntimeError", job.error)
        self.assertContains(page, "The import failed; nothing was imported.")


class UploadChecks(ImportPageMixin, TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.admin = make_user(make_org(), Role.ADMIN, name="Ada Admin")

    @override_settings(PUENTE_DIRECTORY_IMPORT_MAX_MB=0.001)  # about 1 KB
    def test_a_too_big_file_is_refused_and_the_other_fields_are_kept(self):
        response = self.upload(
            "service_list.json", b"[" + b" " * 4000 + b"]", data_format=ImportFormat.HSDS_JSON, full="on"
        )
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "The file is too large", status_code=400)
        form = response.context["form"]
        self.assertEqual(form["data_format"].value(), ImportFormat.HSDS_JSON)
        self.assertTrue(form["full"].value())
        self.assertContains(response, 'value="hsds_json" selected', status_code=400)
        self.assertFalse(DirectoryImport.objects.exists())

    @override_settings(PUENTE_DIRECTORY_IMPORT_MAX_MB=0.01)  # about 10 KB
    def test_a_zip_that_unpacks_too_big_is_refused(self):
        data = zip_tables({}, {"services.csv": b"id,name\n" + b"x" * 50_000})
        self.assertLess(len(data), 10_000)
        response = self.upload("bomb.zip", data, data_format=ImportFormat.HSDS_CSV)
        self.assertContains(response, "too large to import once unzipped", status_code=400)

    def test_an_unrecognised_file_asks_for_the_format(self):
        response = self.upload("notes.txt", b"hello")
        self.assertContains(response, "This file&#x27;s format could not be recognized", status_code=400)

    def test_a_zip_without_csv_is_refused(self):
        response = self.upload("photos.zip", zip_tables({}, {"photo.jpg": b"\xff\xd8"}), data_format="hsds_csv")
        self.assertContains(response, "The zip holds no CSV files.", status_code=400)

    def test_a_missing_file_is_refused(self):
        self.client.force_login(self.admin)
        response = self.client.post(reverse("directory:imports"), {"data_format": "", "full": "on"})
        self.assertContains(response, "Choose the file to import.", status_code=400)

    def test_the_list_shows_recent_imports(self):
        DirectoryImport.objects.create(
            file_name="old.json", data=b"{}", data_format="hsds_json", uploaded_by=self.admin
        )
        self.client.force_login(self.admin)
        response = self.client.get(reverse("directory:imports"))
        self.assertContains(response, "old.json")
        self.assertContains(response, "Queued")


class Polling(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.admin = make_user(make_org(), Role.ADMIN, name="Ada Admin")

    def test_the_status_fragment_polls_only_while_the_import_is_queued_or_running(self):
        job = DirectoryImport.objects.create(
            file_name="a.json",
            data=b"{}",
            data_format="hsds_json",
            status="running",
            progress_done=40,
            progress_total=100,
        )
        self.client.force_login(self.admin)
        url = reverse("directory:import", args=[job.pk])
        fragment = self.client.get(url, headers={"HX-Request": "true"})
        self.assertContains(fragment, 'hx-trigger="every 2s"')
        self.assertContains(fragment, '<progress id="import-progress" max="100" value="40">')
        self.assertContains(fragment, '<label for="import-progress">Records written</label>')
        self.assertNotContains(fragment, "<html")
        DirectoryImport.objects.filter(pk=job.pk).update(progress_phase="index", progress_done=3, progress_total=9)
        fragment = self.client.get(url, headers={"HX-Request": "true"})
        self.assertContains(fragment, '<label for="import-progress">Updating the search index</label>')
        self.assertContains(fragment, '<progress id="import-progress" max="9" value="3">')
        DirectoryImport.objects.filter(pk=job.pk).update(status="done", progress_done=100)
        fragment = self.client.get(url, headers={"HX-Request": "true"})
        self.assertNotContains(fragment, "hx-trigger")
        self.assertContains(fragment, "Status: Done")


class Progress(TestCase):
    def test_it_writes_the_counts_at_most_every_half_second(self):
        job = DirectoryImport.objects.create(file_name="a.json", data=b"{}", data_format="hsds_json")
        now = [0.0]
        writer = ProgressWriter(job.pk, clock=lambda: now[0])
        writes = []
        with mock.patch.object(
            ProgressWriter, "write", autospec=True, side_effect=lambda self: writes.append((self.done, self.total))
        ):
            for t, done in ((0.0, 0), (0.1, 1000), (0.3, 2000), (0.6, 3000), (0.7, 4000), (1.2, 5000)):
                now[0] = t
                writer(done, 5000)
        self.assertEqual(writes, [(0, 5000), (3000, 5000), (5000, 5000)])

    def test_a_change_of_phase_is_written_at_once(self):
        job = DirectoryImport.objects.create(file_name="a.json", data=b"{}", data_format="hsds_json")
        writer = ProgressWriter(job.pk, clock=lambda: 0.0)
        writes = []
        record = lambda self: writes.append((self.done, self.total, self.phase))  # noqa: E731
        with mock.patch.object(ProgressWriter, "write", autospec=True, side_effect=record):
            writer(0, 10)
            writer(10, 10)  # same phase within the half second: not written
            writer(0, 4, "index")
        self.assertEqual(writes, [(0, 10, "write"), (0, 4, "index")])

    def test_the_importer_counts_the_search_index_as_its_last_phase(self):
        calls = []
        services = [{"id": new_id(), "name": f"Pantry {i}", "status": "active"} for i in range(3)]
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "service_list.json"
            path.write_text(json.dumps(services))
            import_hsds_file(path, progress=lambda done, total, phase="write": calls.append((done, total, phase)))
        self.assertEqual(calls[0], (0, 3, "write"))
        self.assertEqual(calls[-1], (3, 3, "index"))
        self.assertIn((0, 3, "index"), calls)
        phases = [phase for _done, _total, phase in calls]
        self.assertEqual(phases, sorted(phases, key=["write", "index"].index))  # writing first, then indexing

    def test_a_finished_import_is_not_run_twice(self):
        job = DirectoryImport.objects.create(file_name="a.json", data=b"{}", data_format="hsds_json", status="done")
        self.assertEqual(run_import(job.pk), "")


class ProgressSeenDuringTheImport(TransactionTestCase):
    def test_the_counts_written_inside_the_import_transaction_reach_the_row(self):
        job = DirectoryImport.objects.create(file_name="a.json", data=b"{}", data_format="hsds_json")
        writer = ProgressWriter(job.pk)
        # As the importer calls it: inside its transaction (on PostgreSQL the counts go through a second
        # connection, committed at once, so another request sees them before the import ends).
        with transaction.atomic():
            writer(0, 3000)
            writer.done = 1200
            writer.write()
            self.assertEqual(
                DirectoryImport.objects.filter(pk=job.pk).values_list("progress_done", "progress_total").get(),
                (1200, 3000),
            )
            writer(0, 700, "index")
        writer.close()
        job.refresh_from_db()
        self.assertEqual((job.progress_done, job.progress_total, job.progress_phase), (0, 700, "index"))


class ZipSafety(TempDirMixin, SimpleTestCase):
    def test_it_extracts_only_tables_flat_and_never_outside_the_folder(self):
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as archive:
            archive.writestr("../../evil.csv", "id\n1\n")
            archive.writestr("pkg/services.csv", "id,name\n")
            archive.writestr("pkg/datapackage.json", "{}")
            archive.writestr("pkg/run.sh", "rm -rf /")
            archive.writestr("__MACOSX/pkg/._services.csv", "junk")
            archive.writestr(".hidden.csv", "x")
        target = self.tmp / "pkg"
        target.mkdir()
        names = extract_package(out.getvalue(), target, 1_000_000)
        self.assertEqual(names, ["datapackage.json", "evil.csv", "services.csv"])
        self.assertEqual(sorted(p.name for p in target.iterdir()), names)
        self.assertEqual([p.name for p in self.tmp.iterdir()], ["pkg"])

    def test_it_refuses_two_tables_of_the_same_name(self):
        data = zip_tables({}, {"a/services.csv": b"id\n", "b/services.csv": b"id\n"})
        with self.assertRaisesMessage(PackageError, "two files named services.csv"):
            extract_package(data, self.tmp, 1_000_000)

    def test_it_counts_the_bytes_it_unpacks_not_what_the_zip_claims(self):
        data = bytearray(zip_tables({}, {"services.csv": b"id\n" + b"1\n" * 5000}))
        # Make the central directory claim a tiny size (a lying zip); extraction must still stop at the limit.
        with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
            info = archive.infolist()[0]
        with (
            mock.patch("puente.directory.imports.check_package", return_value={"services.csv": info}),
            self.assertRaisesMessage(PackageError, "too large"),
        ):
            extract_package(bytes(data), self.tmp, 1000)

    def test_it_refuses_what_is_not_a_zip(self):
        with self.assertRaisesMessage(PackageError, "not a readable zip"):
            extract_package(b"PK\x03\x04 broken", self.tmp, 1000)


class FormatRecognition(SimpleTestCase):
    def test_it_recognises_each_format_from_the_content(self):
        self.assertEqual(detect_format(b'\xef\xbb\xbf  {"id": "x"}'), ImportFormat.HSDS_JSON)
        self.assertEqual(detect_format(b"[]"), ImportFormat.HSDS_JSON)
        self.assertEqual(detect_format(zip_tables({"services.csv": [{"id": "1", "organization_id": "2"}]})), "hsds_csv")
        self.assertEqual(detect_format(zip_tables(HSDS1_TABLES)), ImportFormat.HSDS1_CSV)
        ohana = zip_tables({"services.csv": [{"id": "1", "location_id": "1", "taxonomy_ids": ""}]})
        self.assertEqual(detect_format(ohana), ImportFormat.OHANA_CSV)
        self.assertEqual(detect_format(b"name,phone\n"), "")
        self.assertEqual(detect_format(zip_tables({}, {"readme.txt": b"hi"})), "")

    def test_it_makes_upload_names_safe(self):
        self.assertEqual(safe_file_name("C:\\Users\\me\\service list.json"), "service_list.json")
        self.assertEqual(safe_file_name("../../.."), "upload")
        self.assertEqual(safe_file_name("../etc/passwd"), "passwd")


class ImportPersonas(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.job = DirectoryImport.objects.create(
            file_name="secret-directory.json", data=b"{}", data_format="hsds_json", uploaded_by=cls.ada
        )
        cls.urls = [
            reverse("directory:imports"),
            reverse("directory:import", args=[cls.job.pk]),
            reverse("directory:import_rejections", args=[cls.job.pk]),
        ]

    def test_administrators_may_import(self):
        self.client.force_login(self.ada)
        for url in self.urls:
            with self.subTest(url=url):
                self.assertEqual(self.client.get(url).status_code, 200)
        curation = self.client.get(reverse("directory:curation"))
        self.assertContains(curation, reverse("directory:imports"))

    def test_workers_partners_and_other_organizations_users_are_refused(self):
        for user in (self.alice, self.sam, self.ian, self.carol, self.pat, self.olga):
            self.client.force_login(user)
            for url in self.urls:
                with self.subTest(user=user.email, url=url):
                    response = self.client.get(url)
                    self.assertEqual(response.status_code, 403)
                    self.assertNotContains(response, "secret-directory", status_code=403)
            with self.subTest(user=user.email, method="post"):
                data = {"file": SimpleUploadedFile("x.json", b"{}"), "data_format": "hsds_json"}
                self.assertEqual(self.client.post(self.urls[0], data).status_code, 403)
        self.client.force_login(self.pat)
        self.assertNotContains(self.client.get(reverse("directory:curation")), reverse("directory:imports"))
        self.assertEqual(DirectoryImport.objects.count(), 1)

    def test_anonymous_users_are_sent_to_sign_in(self):
        for url in self.urls:
            with self.subTest(url=url):
                response = self.client.get(url)
                self.assertEqual(response.status_code, 302)
                self.assertIn(reverse("accounts:login"), response.url)
