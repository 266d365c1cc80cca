"""Registering a patient: the same form sent twice registers one patient (and does not offer the record it just
made as a possible duplicate of itself)."""

import itertools

from django.urls import reverse

from puente.core.testing import CreateFormIdempotencyChecks, PersonaTestCase
from puente.patients.models import Patient

_names = itertools.count(1)
_GIVEN = ["Lupe", "Rafael", "Inés", "Tomás", "Celia", "Joaquín", "Marisol", "Benito", "Graciela", "Ramón"]


class RegisterPatientOnce(CreateFormIdempotencyChecks, PersonaTestCase):
    writer = "ian"
    other_writer = "alice"

    def create_url(self):
        return reverse("patients:create")

    def valid_data(self):
        # A new person each time: two different registrations must not meet the duplicate check.
        n = next(_names)
        return {
            "legal_given_name": _GIVEN[n % len(_GIVEN)],
            "legal_family_name": f"Archuleta{'x' * n}",
            "birth_date": f"19{40 + n % 50}-0{1 + n % 9}-1{n % 9}",
            "sex_at_birth": "female",
            "preferred_language": "es",
            "state": "NM",
            "insurance": "medicare",
        }

    def invalid_data(self):
        return {**self.valid_data(), "birth_date": "2999-01-01"}

    def created(self):
        return Patient.objects.filter(organization_id=self.org.pk).exclude(pk=self.patient.pk)

    def expected_location(self, record):
        return record.get_absolute_url()

    def test_a_double_submit_does_not_show_the_new_record_as_a_duplicate(self):
        key = self._open(self.writer)
        data = self.valid_data()
        self._send(self.writer, data, key)
        again = self._send(self.writer, data, key)
        self.assertEqual(again.status_code, 302)
        self.assertNotContains(self.client.get(again["Location"]), "This person may already have a record")
