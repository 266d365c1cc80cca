"""The batched import: counts, idempotent re-import, progress, per-row rejections, and a re-imported parent's
children replaced by what the file now lists (services themselves only ever marked inactive)."""

import csv
import json
from unittest import mock

from django.test import TestCase

from puente.directory import models
from puente.directory.services import import_hsds_file, import_hsds_package
from puente.directory.synthetic_hsds import write_package

from .helpers import TempDirMixin, make_term, new_id, service

TABLE_MODELS = {
    "organizations.csv": models.Organization,
    "locations.csv": models.Location,
    "addresses.csv": models.Address,
    "services.csv": models.Service,
    "service_at_location.csv": models.ServiceAtLocation,
    "phones.csv": models.Phone,
    "schedules.csv": models.Schedule,
    "languages.csv": models.Language,
    "attributes.csv": models.Attribute,
    "taxonomy_terms.csv": models.TaxonomyTerm,
    "taxonomies.csv": models.Taxonomy,
}


def rows_of(path):
    with path.open(encoding="utf-8", newline="") as stream:
        return list(csv.DictReader(stream))


def write_rows(path, rows):
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.DictWriter(stream, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


class SyntheticPackage(TempDirMixin, TestCase):
    def setUp(self):
        super().setUp()
        self.package = self.tmp / "package"
        self.table_counts = write_package(self.package, 50, seed=3)

    def counts(self):
        return {name: model.objects.count() for name, model in TABLE_MODELS.items()}

    def test_it_imports_with_no_rejections_and_every_row_counted(self):
        result = import_hsds_package(self.package)
        self.assertEqual(result.rejections, [])
        self.assertEqual(self.counts(), self.table_counts)
        self.assertEqual(sum(result.created.values()), sum(self.table_counts.values()))
        self.assertEqual(result.created["service"], 50)
        self.assertEqual(models.Service.objects.filter(active=True).exclude(search_document="").count(), 50)

    def test_a_second_import_updates_everything_and_creates_nothing(self):
        first = import_hsds_package(self.package)
        before = self.counts()
        again = import_hsds_package(self.package)
        self.assertEqual(again.rejections, [])
        self.assertEqual(sum(again.created.values()), 0)
        self.assertEqual(again.updated, first.created)
        self.assertEqual(sum(again.removed.values()), 0)
        self.assertEqual(self.counts(), before)

    def test_the_generator_is_deterministic(self):
        other = self.tmp / "again"
        write_package(other, 50, seed=3)
        for name in TABLE_MODELS:
            self.assertEqual((other / name).read_bytes(), (self.package / name).read_bytes(), name)

    def test_progress_is_cumulative_from_zero_to_the_total(self):
        calls = []
        with mock.patch("puente.directory.services.IMPORT_BATCH", 7):
            import_hsds_package(
                self.package,
                progress=lambda done, total, phase="write": phase == "write" and calls.append((done, total)),
            )
        total = sum(self.table_counts.values())
        self.assertEqual(calls[0], (0, total))
        self.assertEqual(calls[-1], (total, total))
        self.assertEqual({t for _d, t in calls}, {total})
        done = [d for d, _t in calls]
        self.assertEqual(done, sorted(done))
        self.assertGreater(len(calls), total // 7)  # after every batch, not once at the end

    def test_a_bad_row_is_reported_by_position_and_the_rest_imports(self):
        services = rows_of(self.package / "services.csv")
        services[3]["status"] = "open"
        write_rows(self.package / "services.csv", services)
        result = import_hsds_package(self.package)
        rejected = [(r.file, r.position, r.field) for r in result.rejections]
        self.assertIn(("package", "services.csv[3]", "status"), rejected)
        self.assertFalse(models.Service.objects.filter(id=services[3]["id"]).exists())
        self.assertEqual(models.Service.objects.count(), 49)

    def test_a_row_dropped_from_a_child_table_is_removed_on_reimport(self):
        import_hsds_package(self.package)
        phones = rows_of(self.package / "phones.csv")
        gone = phones.pop(0)
        write_rows(self.package / "phones.csv", phones)
        result = import_hsds_package(self.package)
        self.assertEqual(result.removed["phone"], 1)
        self.assertFalse(models.Phone.objects.filter(id=gone["id"]).exists())
        self.assertEqual(models.Phone.objects.count(), 49)

    def test_a_child_table_left_out_of_the_package_changes_nothing(self):
        import_hsds_package(self.package)
        languages = models.Language.objects.count()
        (self.package / "languages.csv").unlink()
        (self.package / "datapackage.json").unlink()  # else the descriptor names the missing table (a note)
        result = import_hsds_package(self.package)
        self.assertEqual(result.rejections, [])
        self.assertEqual(models.Language.objects.count(), languages)

    def test_a_rejected_child_row_keeps_the_row_it_meant_to_update(self):
        import_hsds_package(self.package)
        schedules = rows_of(self.package / "schedules.csv")
        schedules[0]["freq"] = "DAILY"  # not an HSDS value: this row is rejected
        write_rows(self.package / "schedules.csv", schedules)
        result = import_hsds_package(self.package)
        self.assertEqual([r.field for r in result.rejections], ["freq"])
        self.assertEqual(result.removed["schedule"], 0)
        self.assertEqual(models.Schedule.objects.get(id=schedules[0]["id"]).freq, "WEEKLY")

    def test_a_full_import_marks_missing_services_inactive_and_leaves_their_rows(self):
        import_hsds_package(self.package)
        services = rows_of(self.package / "services.csv")
        dropped = services.pop()
        write_rows(self.package / "services.csv", services)
        for table in ("phones.csv", "schedules.csv", "languages.csv", "service_at_location.csv", "attributes.csv"):
            write_rows(
                self.package / table, [r for r in rows_of(self.package / table) if dropped["id"] not in r.values()]
            )
        result = import_hsds_package(self.package, full=True)
        self.assertEqual(result.deactivated, 1)
        self.assertEqual(sum(result.removed.values()), 0)  # not in the file: its own rows are not restated
        gone = models.Service.objects.get(id=dropped["id"])
        self.assertIs(gone.active, False)
        self.assertTrue(models.Phone.objects.filter(service=gone).exists())


class ChildReplacementJSON(TempDirMixin, TestCase):
    def setUp(self):
        super().setUp()
        self.location = {
            "id": new_id(),
            "location_type": "physical",
            "name": "Main site",
            "addresses": [
                {
                    "id": new_id(),
                    "address_1": "1 Old Road",
                    "city": "Belen",
                    "state_province": "NM",
                    "postal_code": "87002",
                    "country": "US",
                    "address_type": "physical",
                }
            ],
        }
        self.term = make_term("Food pantry", "food-insecurity")
        self.data = service(
            phones=[{"id": new_id(), "number": "505-555-0101"}, {"id": new_id(), "number": "505-555-0102"}],
            languages=[{"id": new_id(), "code": "es", "name": "Spanish"}],
            schedules=[{"id": new_id(), "freq": "WEEKLY", "byday": "MO", "opens_at": "09:00", "closes_at": "12:00"}],
            service_at_locations=[{"id": new_id(), "location": self.location}],
            attributes=[{"id": new_id(), "taxonomy_term_id": str(self.term.id)}],
        )
        self.assertEqual(import_hsds_file(self.write("service.json", self.data)).rejections, [])

    def reimport(self, **changes):
        result = import_hsds_file(self.write("service.json", {**self.data, **changes}))
        self.assertEqual(result.rejections, [])
        return result

    def test_children_the_file_no_longer_lists_are_removed_with_or_without_full(self):
        kept = self.data["phones"][0]
        result = self.reimport(phones=[kept], schedules=[], service_at_locations=[], attributes=[])
        svc = models.Service.objects.get(id=self.data["id"])
        self.assertEqual(
            list(models.Phone.objects.filter(service=svc).values_list("number", flat=True)), [kept["number"]]
        )
        self.assertFalse(models.Schedule.objects.filter(service=svc).exists())
        self.assertFalse(models.ServiceAtLocation.objects.filter(service=svc).exists())
        self.assertEqual(result.removed, {"phone": 1, "schedule": 1, "service_at_location": 1, "attribute": 1})
        # The location is a record of its own (other services may be there): it stays, with its address.
        self.assertTrue(models.Location.objects.filter(id=self.location["id"]).exists())
        self.assertEqual(models.Address.objects.filter(location_id=self.location["id"]).count(), 1)
        # Search follows: the dropped taxonomy term no longer files the service under its need.
        self.assertFalse(models.Service.objects.addressing("food-insecurity").filter(id=svc.id).exists())

    def test_a_list_the_file_leaves_out_says_nothing(self):
        data = {key: value for key, value in self.data.items() if key != "languages"}
        result = import_hsds_file(self.write("service.json", data))
        self.assertEqual(sum(result.removed.values()), 0)
        self.assertEqual(models.Language.objects.filter(service_id=self.data["id"]).count(), 1)

    def test_a_nested_parent_with_its_own_list_has_it_replaced(self):
        new_address = {**self.location["addresses"][0], "id": new_id(), "address_1": "2 New Road"}
        location = {**self.location, "addresses": [new_address]}
        sal = {**self.data["service_at_locations"][0], "location": location}
        self.reimport(service_at_locations=[sal])
        addresses = models.Address.objects.filter(location_id=self.location["id"])
        self.assertEqual(list(addresses.values_list("address_1", flat=True)), ["2 New Road"])

    def test_a_child_moved_to_another_service_in_the_same_file_is_kept(self):
        phone = self.data["phones"][1]
        other = service(name="Other", phones=[phone])
        moved = {**self.data, "phones": [self.data["phones"][0]]}
        result = import_hsds_file(self.write("service_list.json", {"contents": [moved, other]}))
        self.assertEqual(result.rejections, [])
        self.assertEqual(result.removed["phone"], 0)
        self.assertEqual(str(models.Phone.objects.get(id=phone["id"]).service_id), other["id"])

    def test_an_uppercase_id_is_the_same_record(self):
        upper = {**self.data, "id": self.data["id"].upper()}
        result = import_hsds_file(self.write("service.json", json.loads(json.dumps(upper))))
        self.assertEqual(result.created["service"], 0)
        self.assertEqual(result.updated["service"], 1)
        self.assertEqual(models.Service.objects.count(), 1)
