"""The patient list pages one page at a time without counting every visible patient."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from puente.core.testing import PersonaTestCase, make_episode, make_patient
from puente.patients.views import PAGE_SIZE


class PatientListPages(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        # PAGE_SIZE + 1 patients alice may open: the persona set's one plus PAGE_SIZE on her team, in name order.
        for n in range(PAGE_SIZE):
            make_episode(make_patient(cls.org, "Ana", f"Zz{n:03d}"), team=cls.team)

    def test_page_one_offers_the_next_page_and_page_two_holds_the_rest(self):
        self.client.force_login(self.alice)
        first = self.client.get(reverse("patients:list"))
        self.assertContains(first, "Page 1")
        self.assertContains(first, "page=2")
        self.assertNotContains(first, "Previous")
        self.assertNotContains(first, "Zz024")  # the last by name is on page 2
        second = self.client.get(reverse("patients:list"), {"page": "2"})
        self.assertContains(second, "Zz024")
        self.assertContains(second, "Previous")
        self.assertNotContains(second, "page=3")

    def test_a_bad_page_number_shows_the_first_page(self):
        self.client.force_login(self.alice)
        for value in ("abc", "-4", "0"):
            self.assertContains(self.client.get(reverse("patients:list"), {"page": value}), "García")

    def test_the_list_does_not_count_every_visible_patient(self):
        self.client.force_login(self.alice)
        with CaptureQueriesContext(connection) as queries:
            self.client.get(reverse("patients:list"))
        sql = [q["sql"] for q in queries.captured_queries]
        counts = [q for q in sql if "COUNT(" in q.upper() and "patients_patient" in q]
        self.assertEqual(counts, [])

    def test_another_team_does_not_see_these_patients_on_any_page(self):
        self.client.force_login(self.charlie)
        page = self.client.get(reverse("patients:list"))
        self.assertNotContains(page, "Zz000")
        self.assertNotContains(page, "page=2")
