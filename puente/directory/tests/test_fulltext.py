"""Full text on each database's own engine: SQLite answers through its FTS5 table (migration 0005), kept in
step by ``refresh_search_documents``; PostgreSQL through the GIN-indexed tsvector. Same answers on both."""

from unittest import skipUnless

from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext

from puente.directory.models import Service
from puente.directory.search import SearchCriteria, search_services
from puente.directory.services import refresh_search_documents
from puente.directory.text import SQLITE_FTS_TABLE, fts5_query, query_terms

from .helpers import make_listing


def names(text):
    return [r.service.name for r in search_services(SearchCriteria(text=text)).results]


def fts_rows(service):
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT document FROM {SQLITE_FTS_TABLE} WHERE service_id = %s",  # noqa: S608
            [service.id.hex],
        )
        return [row[0] for row in cursor.fetchall()]


class FullText(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.pantry = make_listing("Westside Food Pantry", description="Weekly groceries.")
        cls.despensa = make_listing("Despensa Comunitaria", description="Alimentación para niños y familias.")

    def test_it_builds_an_fts5_query_with_every_term_and_any_stem(self):
        self.assertEqual(
            fts5_query(query_terms("alimentación niños")), '("aliment" OR "alimentacion") AND ("nin" OR "nino")'
        )
        self.assertEqual(fts5_query([frozenset({"and"})]), '("and")')

    @skipUnless(connection.vendor == "sqlite", "SQLite's engine")
    def test_it_matches_through_the_fts5_table_on_sqlite(self):
        with CaptureQueriesContext(connection) as ctx:
            self.assertEqual(names("ninos alimentacion"), ["Despensa Comunitaria"])
        self.assertTrue(any(f"{SQLITE_FTS_TABLE} MATCH" in q["sql"] for q in ctx.captured_queries))
        self.assertFalse(any("LIKE" in q["sql"] for q in ctx.captured_queries))

    @skipUnless(connection.vendor == "postgresql", "PostgreSQL's engine")
    def test_it_matches_through_the_tsvector_on_postgresql(self):
        with CaptureQueriesContext(connection) as ctx:
            self.assertEqual(names("ninos alimentacion"), ["Despensa Comunitaria"])
        self.assertTrue(any("to_tsquery" in q["sql"] for q in ctx.captured_queries))

    @skipUnless(connection.vendor == "sqlite", "SQLite's engine")
    def test_it_keeps_the_fts5_table_in_step_when_documents_are_refreshed(self):
        self.assertEqual(len(fts_rows(self.pantry)), 1)
        Service.objects.filter(pk=self.pantry.pk).update(name="Eastside Diaper Bank", description="Diapers.")
        self.assertEqual(names("diaper"), [])  # not refreshed yet: the index follows the refresh, not the row
        refresh_search_documents([self.pantry.pk])
        self.assertEqual(names("diaper"), ["Eastside Diaper Bank"])
        self.assertEqual(names("groceries"), [])
        self.assertEqual(len(fts_rows(self.pantry)), 1)
        refresh_search_documents()  # a full rebuild leaves one row per service
        self.assertEqual([len(fts_rows(s)) for s in (self.pantry, self.despensa)], [1, 1])
