"""Record history: every change to the demographics can be shown, with who made it."""

from django.urls import reverse

from puente.core.testing import PersonaTestCase
from puente.patients import services


class History(PersonaTestCase):
    def test_it_shows_each_change_with_old_and_new_values_and_who(self):
        patient = services.create_patient(
            None,
            {
                "legal_given_name": "Inés",
                "legal_family_name": "Maestas",
                "birth_date": "1944-04-04",
                "sex_at_birth": "female",
                "postal_code": "87031",
            },
            user=self.ian,
        )
        services.update_patient(None, patient, {"phone": "505-555-0199", "preferred_language": "es"}, user=self.ian)
        from puente.core.testing import make_episode

        make_episode(patient, team=self.team)
        self.client.force_login(self.alice)
        page = self.client.get(reverse("patients:history", args=[patient.pk]))
        self.assertContains(page, "Record created")
        self.assertContains(page, "505-555-0199")
        self.assertContains(page, "<ins>Spanish</ins>")  # the label, not the stored code
        self.assertContains(page, "Ian Intake")
        self.assertEqual(len(page.context["rows"]), 2)

    def test_the_care_team_and_outsiders_cannot_open_it(self):
        url = reverse("patients:history", args=[self.patient.pk])
        for persona, status in [("carol", 403), ("charlie", 404), ("pat", 404), ("olga", 404)]:
            self.client.force_login(getattr(self, persona))
            with self.subTest(persona=persona):
                self.assertEqual(self.client.get(url).status_code, status)
