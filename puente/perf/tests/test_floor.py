"""The floor view: one indexed query for anyone signed in in demo/test mode; in production only a superuser."""

from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from puente.core.testing import PersonaTestCase


class Floor(PersonaTestCase):
    def url(self, patient=None):
        return reverse("perf:floor") + f"?id={(patient or self.patient).pk}"

    def test_it_answers_with_one_query_beyond_the_session_and_user(self):
        self.client.force_login(self.alice)
        self.client.get(self.url())
        with CaptureQueriesContext(connection) as queries:
            response = self.client.get(self.url())
        self.assertEqual(response.content, b"1")
        floor_queries = [q["sql"] for q in queries if "patients_patient" in q["sql"]]
        self.assertEqual(len(floor_queries), 1)
        self.assertIn("organization_id", floor_queries[0])

    def test_it_finds_nothing_across_organizations_or_for_a_bad_id(self):
        self.client.force_login(self.olga)
        self.assertEqual(self.client.get(self.url()).content, b"0")
        self.assertEqual(self.client.get(reverse("perf:floor") + "?id=nope").content, b"0")

    def test_it_asks_who_you_are_first(self):
        response = self.client.get(self.url())
        self.assertEqual(response.status_code, 302)
        self.assertIn(reverse("accounts:login"), response["Location"])

    @override_settings(PUENTE_MODE="production")
    def test_in_production_only_a_superuser_reaches_it(self):
        for user in (self.alice, self.sam, self.ada):
            with self.subTest(user=user.email):
                self.client.force_login(user)
                self.assertEqual(self.client.get(self.url()).status_code, 404)
        self.ada.is_superuser = True
        self.ada.save(update_fields=["is_superuser"])
        self.client.force_login(self.ada)
        self.assertEqual(self.client.get(self.url()).status_code, 200)
