"""A database that stops answering gives a clear, translated 503, not a stack trace."""

from unittest import mock

from django.db import OperationalError
from django.test import Client
from django.urls import reverse

from puente.core.testing import PersonaTestCase


class DatabaseDown(PersonaTestCase):
    def test_a_database_error_in_a_page_answers_503_with_a_plain_message(self):
        client = Client(raise_request_exception=False)
        client.force_login(self.alice)
        with mock.patch("puente.patients.views.Patient.objects.visible_to", side_effect=OperationalError("down")):
            response = client.get(reverse("patients:list"))
        self.assertEqual(response.status_code, 503)
        self.assertEqual(response["Retry-After"], "30")
        self.assertIn(b"temporarily unavailable", response.content)
        self.assertNotIn(b"Traceback", response.content)
        # and the next request works again without a restart
        self.assertEqual(client.get(reverse("patients:list")).status_code, 200)

    def test_other_errors_stay_500(self):
        client = Client(raise_request_exception=False)
        client.force_login(self.alice)
        with mock.patch("puente.patients.views.Patient.objects.visible_to", side_effect=RuntimeError("bug")):
            response = client.get(reverse("patients:list"))
        self.assertEqual(response.status_code, 500)

    def test_healthz_reports_503_when_the_database_does_not_answer(self):
        with mock.patch("puente.core.views.connection.cursor", side_effect=OperationalError("down")):
            response = self.client.get("/healthz")
        self.assertEqual(response.status_code, 503)
