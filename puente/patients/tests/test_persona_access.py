"""Persona matrix: every patient-scoped page answers each persona exactly as it should."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from puente.audit.models import AuditEvent
from puente.core.testing import PersonaTestCase, make_episode, make_patient, make_sw_referral


class PatientPagesPersonaMatrix(PersonaTestCase):
    # persona -> expected status for (read pages, write pages)
    EXPECTED = {
        "alice": (200, 200),  # assigned worker on the patient's team
        "bob": (200, 200),  # teammate
        "sam": (200, 200),  # the team's supervisor
        "ian": (200, 200),  # intake: whole organization
        "carol": (200, 403),  # care team on the patient's unit: reduced, read-only
        "charlie": (404, 404),  # other team of the same organization
        "ada": (404, 404),  # administrator: only through break-the-glass
        "pat": (404, 404),  # partner organization
        "olga": (404, 404),  # other care organization
    }

    def read_urls(self):
        pk = self.patient.pk
        return [
            reverse("patients:detail", args=[pk]),
            reverse("episodes:referral_create", args=[pk]),
        ]

    def write_urls(self):
        pk = self.patient.pk
        return [
            reverse("patients:edit", args=[pk]),
            reverse("patients:identifier_add", args=[pk]),
            reverse("patients:related_add", args=[pk]),
            reverse("episodes:episode_create", args=[pk]),
            reverse("episodes:episode_edit", args=[pk, self.episode.pk]),
        ]

    def test_it_answers_each_persona_as_expected(self):
        for persona, (read_status, write_status) in self.EXPECTED.items():
            user = getattr(self, persona)
            self.client.force_login(user)
            for url in self.read_urls():
                with self.subTest(persona=persona, url=url):
                    self.assertEqual(self.client.get(url).status_code, read_status)
            for url in self.write_urls():
                with self.subTest(persona=persona, url=url):
                    self.assertEqual(self.client.get(url).status_code, write_status)

    def test_it_redirects_anonymous_users_to_login(self):
        for url in self.read_urls() + self.write_urls():
            with self.subTest(url=url):
                response = self.client.get(url)
                self.assertEqual(response.status_code, 302)
                self.assertTrue(response["Location"].startswith(reverse("accounts:login")))

    def test_it_writes_exactly_one_read_event_per_page_view(self):
        self.client.force_login(self.alice)
        for url in self.read_urls() + self.write_urls():
            with self.subTest(url=url):
                before = AuditEvent.objects.count()
                self.client.get(url)
                events = list(AuditEvent.objects.order_by("-id")[: AuditEvent.objects.count() - before])
                self.assertEqual(len(events), 1)
                self.assertEqual(events[0].action, "read")
                self.assertEqual(events[0].patient_id, self.patient.pk)
                self.assertEqual(events[0].actor, self.alice)

    def test_it_denies_the_other_team(self):
        self.client.force_login(self.charlie)
        self.assertEqual(self.client.get(reverse("patients:detail", args=[self.patient.pk])).status_code, 404)

    def test_it_requires_rw_access(self):
        self.client.force_login(self.carol)
        response = self.client.post(reverse("patients:edit", args=[self.patient.pk]), {"legal_given_name": "X"})
        self.assertEqual(response.status_code, 403)
        self.patient.refresh_from_db()
        self.assertEqual(self.patient.legal_given_name, "María")

    def test_care_team_sees_a_reduced_record(self):
        self.patient.address_line1 = "1200 Safe House Rd"
        self.patient.save()
        self.client.force_login(self.carol)
        self.assertNotContains(self.client.get(reverse("patients:detail", args=[self.patient.pk])), "Safe House")
        self.client.force_login(self.alice)
        self.assertContains(self.client.get(reverse("patients:detail", args=[self.patient.pk])), "Safe House")

    def test_care_team_loses_access_when_the_episode_ends(self):
        self.episode.status = "finished"
        self.episode.save()
        self.client.force_login(self.carol)
        self.assertEqual(self.client.get(reverse("patients:detail", args=[self.patient.pk])).status_code, 404)

    def test_a_worker_sees_a_patient_referred_to_their_team_without_an_episode(self):
        newcomer = make_patient(self.org, "Rosa", "Vigil")
        make_sw_referral(newcomer, team=self.other_team)
        self.client.force_login(self.charlie)
        self.assertEqual(self.client.get(reverse("patients:detail", args=[newcomer.pk])).status_code, 200)
        self.client.force_login(self.alice)
        self.assertEqual(self.client.get(reverse("patients:detail", args=[newcomer.pk])).status_code, 404)

    def test_a_worker_sees_their_own_assignment_on_another_team(self):
        other = make_patient(self.org, "Kee", "Begay")
        make_episode(other, team=self.other_team, worker=self.bob)
        self.client.force_login(self.bob)
        self.assertEqual(self.client.get(reverse("patients:detail", args=[other.pk])).status_code, 200)


class PatientListScoping(PersonaTestCase):
    def test_each_organization_sees_only_its_own_patients(self):
        make_patient(self.other_org, "Shandiin", "Yazzie")
        self.client.force_login(self.ian)
        page = self.client.get(reverse("patients:list"))
        self.assertContains(page, "García")
        self.assertNotContains(page, "Yazzie")
        self.client.force_login(self.olga)  # olga's team has no episodes: sees nobody
        page = self.client.get(reverse("patients:list"))
        self.assertNotContains(page, "García")

    def test_partners_get_no_patient_list(self):
        self.client.force_login(self.pat)
        self.assertEqual(self.client.get(reverse("patients:list")).status_code, 403)

    def test_the_list_runs_a_constant_number_of_queries(self):
        self.client.force_login(self.ian)
        self.client.get(reverse("patients:list"))  # warm caches (content types, session)
        with CaptureQueriesContext(connection) as ctx:
            self.client.get(reverse("patients:list"))
        for i in range(30):
            p = make_patient(self.org, f"Extra{i}", "Lucero")
            make_episode(p, team=self.team, worker=self.alice)
        with self.assertNumQueries(len(ctx.captured_queries)):
            self.client.get(reverse("patients:list"))


class ListPagesAudit(PersonaTestCase):
    def test_a_list_page_writes_one_event_naming_the_patients_shown(self):
        from puente.audit.models import AuditEvent

        self.client.force_login(self.alice)
        for url in [reverse("patients:list"), reverse("episodes:queue"), reverse("episodes:dashboard")]:
            with self.subTest(url=url):
                before = AuditEvent.objects.count()
                self.client.get(url)
                self.assertEqual(AuditEvent.objects.count(), before + 1)
        event = AuditEvent.objects.filter(object_type="patients.patient_list").latest("id")
        self.assertIn(str(self.patient.pk), event.detail["patients"])


class CreatorKeepsAccess(PersonaTestCase):
    def test_a_worker_who_registers_a_patient_lands_on_the_new_record(self):
        self.client.force_login(self.charlie)
        response = self.client.post(
            reverse("patients:create"),
            {
                "legal_given_name": "Nizhoni",
                "legal_family_name": "Benally",
                "birth_date": "1980-08-08",
                "sex_at_birth": "female",
                "preferred_language": "nv",
                "state": "NM",
                "insurance": "medicaid",
            },
            follow=True,
        )
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Nizhoni Benally")
        self.client.force_login(self.alice)  # another team still does not see it
        from puente.patients.models import Patient

        new = Patient.objects.get(legal_given_name="Nizhoni")
        self.assertEqual(self.client.get(reverse("patients:detail", args=[new.pk])).status_code, 404)
