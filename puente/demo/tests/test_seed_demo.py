"""seed_demo: the synthetic Albuquerque-area demo is complete, idempotent and keeps the organizations apart."""

from io import StringIO

from django.core.management import call_command
from django.test import TestCase
from django.urls import reverse

from puente.accounts.models import Organization, Role, Team, TeamMembership, Unit, User
from puente.audit.models import AuditEvent
from puente.episodes.models import Episode, Setting, SocialWorkReferral
from puente.patients.models import Patient, PatientIdentifier

COUNTED = (Organization, User, Team, TeamMembership, Unit, Patient, PatientIdentifier, Episode, SocialWorkReferral)


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


class SeedDemo(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.output = seed()  # about 260 patients through the services: run once for the whole class
        cls.hospital = Organization.objects.get(slug="sandia-regional")
        cls.agency = Organization.objects.get(slug="rio-grande-hhh")

    def test_it_creates_at_least_250_patients_in_two_care_organizations(self):
        self.assertGreaterEqual(Patient.objects.count(), 250)
        care_orgs = [o for o in Organization.objects.all() if o.is_care_organization]
        self.assertEqual({o.slug for o in care_orgs}, {"sandia-regional", "rio-grande-hhh"})
        for org in care_orgs:
            with self.subTest(org=org.slug):
                self.assertGreater(Patient.objects.filter(organization=org).count(), 50)
        self.assertTrue(Organization.objects.filter(kind=Organization.Kind.PARTNER).exists())

    def test_it_creates_staff_in_every_role(self):
        self.assertGreaterEqual(User.objects.count(), 10)
        self.assertEqual(set(User.objects.values_list("role", flat=True)), set(Role.values))
        for org in (self.hospital, self.agency):
            with self.subTest(org=org.slug):
                roles = set(User.objects.filter(organization=org).values_list("role", flat=True))
                self.assertLessEqual({Role.SOCIAL_WORKER, Role.SUPERVISOR, Role.CARE_TEAM, Role.INTAKE}, roles)

    def test_it_has_a_third_preferring_spanish_and_some_oral_only(self):
        total = Patient.objects.count()
        spanish = Patient.objects.filter(preferred_language="es").count()
        self.assertTrue(0.25 <= spanish / total <= 0.42, f"{spanish} of {total} prefer Spanish")
        oral = Patient.objects.filter(oral_interpretation_only=True)
        self.assertTrue(oral.exists())
        self.assertFalse(oral.filter(interpreter_needed=False).exists())

    def test_it_creates_episodes_in_every_setting(self):
        self.assertEqual(set(Episode.objects.values_list("setting", flat=True)), set(Setting.values))

    def test_it_leaves_referrals_waiting_in_the_queue(self):
        for org in (self.hospital, self.agency):
            with self.subTest(org=org.slug):
                self.assertTrue(SocialWorkReferral.objects.filter(organization=org).waiting().exists())

    def test_it_fills_derived_fields_through_the_services(self):
        self.assertFalse(Patient.objects.filter(search_name="").exists())
        self.assertFalse(Patient.objects.filter(county="").exists())
        self.assertEqual(PatientIdentifier.objects.count(), Patient.objects.count())

    def test_it_creates_nothing_when_run_again(self):
        before = {model.__name__: model.objects.count() for model in COUNTED}
        events = AuditEvent.objects.count()
        seed()
        self.assertEqual({model.__name__: model.objects.count() for model in COUNTED}, before)
        self.assertEqual(AuditEvent.objects.count(), events)

    def test_it_prints_the_demo_logins(self):
        self.assertIn("sofia@hospital.demo", self.output)
        self.assertIn("puente-demo-2026", self.output)

    def test_it_keeps_each_organizations_patients_from_the_other(self):
        hospital_ids = set(Patient.objects.filter(organization=self.hospital).values_list("pk", flat=True))
        agency_ids = set(Patient.objects.filter(organization=self.agency).values_list("pk", flat=True))
        for email, own, other in [
            ("sofia@hospital.demo", hospital_ids, agency_ids),
            ("lupe@hospital.demo", hospital_ids, agency_ids),
            ("renee@hospital.demo", hospital_ids, agency_ids),
            ("diego@agency.demo", agency_ids, hospital_ids),
            ("marta@agency.demo", agency_ids, hospital_ids),
            ("karen@agency.demo", agency_ids, hospital_ids),
        ]:
            with self.subTest(email=email):
                visible = set(Patient.objects.visible_to(User.objects.get(email=email)).values_list("pk", flat=True))
                self.assertTrue(visible, "sees some of their own organization's patients")
                self.assertLessEqual(visible, own)
                self.assertFalse(visible & other)

    def test_it_answers_404_to_a_hospital_worker_on_an_agency_record_and_back(self):
        for email, org in [("sofia@hospital.demo", self.agency), ("diego@agency.demo", self.hospital)]:
            with self.subTest(email=email):
                self.client.force_login(User.objects.get(email=email))
                patient = Patient.objects.filter(organization=org).first()
                self.assertEqual(self.client.get(reverse("patients:detail", args=[patient.pk])).status_code, 404)
