"""Duplicate detection: the name matcher (pure) and the check at registration."""

from datetime import date

import pytest
from django.urls import reverse

from puente.core.testing import PersonaTestCase, make_patient
from puente.patients.matching import NameParts, compare_names, normalize
from puente.patients.models import Patient, PatientIdentifier, PossibleDuplicate

# (new given, new family, existing given, existing family, should match, reason expected)
CASES = [
    ("Jose", "Garcia", "José", "García", True, None),  # accents
    ("JOSÉ", "GARCÍA", "josé", "garcía", True, None),  # case
    ("Pepe", "García", "José", "García", True, "nickname"),  # Spanish nickname
    ("Bill", "Smith", "William", "Smith", True, "nickname"),  # English nickname
    ("Lupe", "Archuleta", "Guadalupe", "Archuleta", True, "nickname"),
    ("García", "José", "José", "García", True, "names_swapped"),  # given and family swapped
    ("Begay", "Shandiin", "Shandiin", "Begay", True, "names_swapped"),
    ("María", "García", "María", "García-López", True, "shared_surname"),  # hyphenated surname
    ("María", "García López", "María", "Garcia-Lopez", True, None),  # space vs hyphen
    ("María", "Lopez", "María", "García López", True, "shared_surname"),  # second surname only
    ("Jonathon", "Yazzie", "Jonathan", "Yazzie", True, None),  # typo
    ("María", "García", "Rosa", "García", False, None),  # different person, same surname
    ("Robert", "Smith", "Robert", "Jones", False, None),
    ("Kee", "Begay", "Leonard", "Tsosie", False, None),
]


@pytest.mark.parametrize(("ng", "nf", "eg", "ef", "should_match", "reason"), CASES)
def test_compare_names(ng, nf, eg, ef, should_match, reason):
    result = compare_names(NameParts(ng, nf), NameParts(eg, ef))
    assert result.is_match is should_match, result
    if reason:
        assert reason in result.reasons


def test_normalize_strips_accents_and_punctuation():
    assert normalize("  Ñúñez-D'Angelo ") == "nunez d angelo"


class DuplicateCheckAtRegistration(PersonaTestCase):
    def form(self, **overrides):
        data = {
            "legal_given_name": "Pepe",
            "legal_family_name": "Garcia",
            "birth_date": "1950-05-17",
            "sex_at_birth": "male",
            "preferred_language": "es",
            "state": "NM",
            "insurance": "medicare",
        }
        data.update(overrides)
        return data

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.jose = make_patient(cls.org, "José", "García", birth_date=date(1950, 5, 17), sex_at_birth="male")
        PatientIdentifier.objects.create(organization=cls.org, patient=cls.jose, facility="SRMC", value="MRN-77")

    def test_it_shows_candidates_and_keeps_what_was_typed(self):
        self.client.force_login(self.ian)
        response = self.client.post(reverse("patients:create"), self.form(phone="505-555-0101"))
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "This person may already have a record")
        self.assertContains(response, "José García")
        self.assertContains(response, "nickname")
        self.assertContains(response, 'value="505-555-0101"')
        self.assertFalse(Patient.objects.filter(legal_given_name="Pepe").exists())

    def test_it_matches_on_mrn_even_with_another_birth_date(self):
        self.client.force_login(self.ian)
        response = self.client.post(
            reverse("patients:create"),
            self.form(legal_given_name="Joe", birth_date="1951-01-01", mrn="MRN-77", mrn_facility="SRMC"),
        )
        self.assertContains(response, "same MRN")

    def test_it_ignores_other_organizations(self):
        make_patient(self.other_org, "Rosa", "Vigil", birth_date=date(1960, 1, 2))
        self.client.force_login(self.ian)
        response = self.client.post(
            reverse("patients:create"),
            self.form(legal_given_name="Rosa", legal_family_name="Vigil", birth_date="1960-01-02"),
        )
        self.assertEqual(response.status_code, 302)

    def test_continuing_creates_a_new_record_and_links_the_possible_duplicate(self):
        self.client.force_login(self.ian)
        response = self.client.post(
            reverse("patients:create"), self.form(confirm_new="on", possible_duplicate=str(self.jose.pk))
        )
        self.assertEqual(response.status_code, 302)
        new = Patient.objects.get(legal_given_name="Pepe")
        self.assertTrue(PossibleDuplicate.objects.filter(patient=new, other=self.jose).exists())
        self.jose.refresh_from_db()
        self.assertEqual(self.jose.legal_given_name, "José")  # nothing merged

    def test_a_candidate_outside_the_users_caseload_offers_break_the_glass_not_a_link(self):
        self.client.force_login(self.charlie)
        response = self.client.post(reverse("patients:create"), self.form())
        self.assertContains(response, reverse("patients:break_glass", args=[self.jose.pk]))
        self.assertNotContains(response, f'href="{reverse("patients:detail", args=[self.jose.pk])}"')


class DuplicateReviewFindings(DuplicateCheckAtRegistration):
    def test_mrns_match_whatever_the_case_and_name_reasons_need_alike_names(self):
        self.client.force_login(self.ian)
        response = self.client.post(
            reverse("patients:create"),
            self.form(
                legal_given_name="Zed",
                legal_family_name="Nobody",
                birth_date="1990-01-01",
                mrn="mrn-77",
                mrn_facility="srmc",
            ),
        )
        self.assertContains(response, "same MRN")
        self.assertNotContains(response, "first and last name swapped")

    def test_submitting_again_without_ticking_the_box_explains_what_to_do(self):
        self.client.force_login(self.ian)
        response = self.client.post(reverse("patients:create"), self.form(duplicates_shown="1"))
        self.assertContains(response, "tick this box")
        self.assertFalse(Patient.objects.filter(legal_given_name="Pepe").exists())

    def test_a_phone_must_look_like_one(self):
        self.client.force_login(self.ian)
        response = self.client.post(reverse("patients:create"), self.form(phone="abc", birth_date="1999-09-09"))
        self.assertContains(response, "Enter a phone number")
        response = self.client.post(
            reverse("patients:create"), self.form(phone="(505) 555-0123 ext. 12", birth_date="1999-09-09")
        )
        self.assertEqual(response.status_code, 302)
