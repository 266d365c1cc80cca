"""Migrations 0007 and 0009 give the listings already in a directory their facet words (languages, taxonomy
terms) and place words (their sites' grid cells), so an upgraded deployment's need, language and distance filters
find them before any listing is edited or re-imported."""

from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import TransactionTestCase

from puente.directory.search import SearchCriteria, search_services

BEFORE = [("directory", "0006_directory_import")]
AFTER = [("directory", "0007_search_document_facet_words")]


class FacetWordMigration(TransactionTestCase):
    def test_existing_listings_are_found_by_need_and_language_after_the_upgrade(self):
        executor = MigrationExecutor(connection)
        executor.migrate(BEFORE)
        old = executor.loader.project_state(BEFORE).apps
        term = old.get_model("directory", "TaxonomyTerm").objects.create(name="Food pantries", description="d")
        old.get_model("directory", "TaxonomyBridge").objects.create(taxonomy_term=term, sdoh_category="food-insecurity")
        service = old.get_model("directory", "Service").objects.create(
            name="Pantry", status="active", search_document=" pantri pantry "
        )
        location = old.get_model("directory", "Location").objects.create(location_type="physical", name="Site")
        old.get_model("directory", "ServiceAtLocation").objects.create(service=service, location=location)
        old.get_model("directory", "Language").objects.create(location=location, code="es", name="Spanish")
        old.get_model("directory", "Attribute").objects.create(
            link_id=service.id, link_type="service", taxonomy_term=term
        )
        if connection.vendor == "sqlite":  # as the document was before: in the FTS5 table too (migration 0005)
            with connection.cursor() as cursor:
                cursor.execute(
                    "INSERT INTO directory_service_fts (service_id, document) SELECT id, search_document "
                    "FROM directory_service"
                )
        self.assertEqual(search_services(SearchCriteria(language="es")).total, 0)

        executor = MigrationExecutor(connection)
        executor.migrate(AFTER)
        for criteria in (
            SearchCriteria(language="es"),
            SearchCriteria(language="Spanish", need="food-insecurity", text="pantry"),
        ):
            with self.subTest(criteria=criteria):
                self.assertEqual([r.service.name for r in search_services(criteria).results], ["Pantry"])
        self.assertEqual(search_services(SearchCriteria(language="vi")).total, 0)


class PlaceWordMigration(TransactionTestCase):
    def test_existing_listings_are_found_near_a_zip_after_the_upgrade(self):
        before, after = (
            [("directory", "0008_directoryimport_progress_phase")],
            [("directory", "0009_search_document_place_words")],
        )
        executor = MigrationExecutor(connection)
        executor.migrate(before)
        old = executor.loader.project_state(before).apps
        service = old.get_model("directory", "Service").objects.create(
            name="Pantry", status="active", search_document=" pantri pantry "
        )
        site = {"location_type": "physical", "name": "Site", "latitude": 35.0818, "longitude": -106.6482}
        location = old.get_model("directory", "Location").objects.create(**site)
        old.get_model("directory", "ServiceAtLocation").objects.create(service=service, location=location)
        if connection.vendor == "sqlite":  # as the document was before: in the FTS5 table too (migration 0005)
            with connection.cursor() as cursor:
                cursor.execute(
                    "INSERT INTO directory_service_fts (service_id, document) SELECT id, search_document "
                    "FROM directory_service"
                )
        near = SearchCriteria(zip_code="87102", radius_miles=15, text="pantry")
        self.assertEqual(search_services(near).total, 0)

        MigrationExecutor(connection).migrate(after)
        self.assertEqual([r.service.name for r in search_services(near).results], ["Pantry"])
        self.assertEqual(search_services(SearchCriteria(zip_code="87501", radius_miles=15)).total, 0)  # Santa Fe
