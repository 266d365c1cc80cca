"""Bad input: a clear error in the user's language, the typed values kept, nothing half-saved."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from puente.core.testing import PersonaTestCase
from puente.patients.models import Patient

VALID = {
    "legal_given_name": "Marisol",
    "legal_family_name": "Trujillo",
    "birth_date": "1961-02-03",
    "sex_at_birth": "female",
    "preferred_language": "es",
    "state": "NM",
    "postal_code": "87105",
    "insurance": "medicaid",
}
TOMORROW = (timezone.localdate() + timedelta(days=1)).isoformat()

# (field overrides, field with the error, English message fragment, Spanish message fragment)
BAD = [
    ({"birth_date": "1961-02-30"}, "birth_date", "Enter a real date", "Escriba una fecha real"),
    ({"birth_date": TOMORROW}, "birth_date", "cannot be in the future", "no puede ser futura"),
    ({"birth_date": "1850-01-01"}, "birth_date", "older than 125", "mayor de 125"),
    ({"postal_code": "99999"}, "postal_code", "is not a US ZIP code", "no es un código postal de EE. UU."),
    ({"postal_code": "SW1A 1AA"}, "postal_code", "is not a US ZIP code", "no es un código postal de EE. UU."),
    ({"legal_family_name": "x" * 101}, "legal_family_name", "at most 100 characters", "menos de 100 caracteres"),
    (
        {"legal_given_name": "<script>alert(1)</script>"},
        "legal_given_name",
        "HTML is not allowed",
        "no se permite HTML",
    ),
    ({"phone": "<b>505</b>"}, "phone", "HTML is not allowed", "no se permite HTML"),
]


class BadPatientInput(PersonaTestCase):
    def post(self, overrides, language="en"):
        self.client.force_login(self.ian)
        self.client.cookies["django_language"] = language
        data = {**VALID, **overrides}
        return self.client.post(reverse("patients:create"), data), data

    def test_each_bad_value_gets_a_clear_error_and_keeps_the_form(self):
        for overrides, field, english, _spanish in BAD:
            with self.subTest(field=field, value=str(overrides)[:40]):
                response, data = self.post(overrides)
                self.assertEqual(response.status_code, 200)
                errors = response.context["form"].errors
                self.assertIn(field, errors)
                self.assertIn(english, " ".join(errors[field]))
                self.assertContains(response, 'value="Trujillo"' if field != "legal_family_name" else "Marisol")
                self.assertContains(response, 'aria-invalid="true"')
                self.assertFalse(Patient.objects.filter(legal_given_name=data["legal_given_name"]).exists())

    def test_errors_are_in_spanish_for_a_spanish_user(self):
        for overrides, field, _english, spanish in BAD:
            with self.subTest(field=field, value=str(overrides)[:40]):
                response, _ = self.post(overrides, language="es")
                self.assertIn(spanish, " ".join(response.context["form"].errors[field]))

    def test_html_in_free_text_is_escaped_not_executed(self):
        self.client.force_login(self.alice)
        url = reverse("episodes:referral_create", args=[self.patient.pk])
        response = self.client.post(
            url,
            {
                "source": "care_team",
                "reasons": ["financial"],
                "priority": "routine",
                "received_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
                "reason_detail": "<script>alert('x')</script> needs rent help",
            },
        )
        self.assertEqual(response.status_code, 302)
        page = self.client.get(reverse("patients:detail", args=[self.patient.pk]))
        self.assertNotContains(page, "<script>alert('x')</script>")

    def test_a_death_date_before_birth_is_refused(self):
        self.client.force_login(self.alice)
        response = self.client.post(
            reverse("patients:edit", args=[self.patient.pk]),
            {**VALID, "birth_date": "1950-05-17", "deceased_date": "1940-01-01"},
        )
        self.assertContains(response, "cannot be before the date of birth")
        self.patient.refresh_from_db()
        self.assertIsNone(self.patient.deceased_date)
        self.assertEqual(self.patient.legal_given_name, "María")

    def test_a_valid_zip_fills_county_and_coordinates(self):
        response, _ = self.post({})
        self.assertEqual(response.status_code, 302)
        p = Patient.objects.get(legal_given_name="Marisol")
        self.assertEqual(p.county, "Bernalillo")
        self.assertAlmostEqual(float(p.latitude), 35.0, delta=0.3)
