"""The database unavailable for every query (not one view's query, as core's test mocks): each page answers a
translated 503, and the app recovers without a restart once the database is back.

Complements `puente/core/tests/test_database_down.py`. The Spanish assertion relies on the committed catalog.
"""

from unittest import mock

from django.db import OperationalError, connection
from django.test import Client
from django.urls import reverse

from puente.core.testing import PersonaTestCase


class DatabaseOutage(PersonaTestCase):
    def _client(self, language=None):
        client = Client(raise_request_exception=False)
        client.force_login(self.alice)
        if language:
            client.cookies["django_language"] = language
        return client

    def test_it_answers_503_on_every_page_while_no_query_can_run_and_then_recovers(self):
        client = self._client()
        pages = [
            reverse("episodes:dashboard"),
            reverse("patients:list"),
            reverse("patients:detail", args=[self.patient.pk]),
        ]
        down = OperationalError("server closed the connection unexpectedly")
        with mock.patch.object(connection, "cursor", side_effect=down):
            for url in pages:
                with self.subTest(url=url):
                    response = client.get(url)
                    self.assertEqual(response.status_code, 503)
                    self.assertIn(b"temporarily unavailable", response.content)
                    self.assertNotIn(b"server closed the connection", response.content)  # no internals shown
        for url in pages:
            with self.subTest(url=url, phase="after"):
                self.assertEqual(client.get(url).status_code, 200)

    def test_it_says_so_in_spanish(self):
        client = self._client("es")
        with mock.patch.object(connection, "cursor", side_effect=OperationalError("down")):
            response = client.get(reverse("patients:list"))
        self.assertEqual(response.status_code, 503)
        self.assertIn("Puente no está disponible por el momento", response.content.decode())
