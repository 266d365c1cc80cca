"""Assessment pages: who may read and write them, one audit read per page, and a list with a fixed query count.

Access: the social-work team reads (social workers and supervisors who see the patient); writing needs a care
relationship too (break-the-glass is read-only: 403). The care team, intake and administrators get 403 on every
assessment page; people who cannot see the patient get 404.
"""

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from puente.assessments.models import Assessment
from puente.assessments.tests.util import form_data, start
from puente.audit.models import AuditEvent
from puente.core.testing import PersonaTestCase, make_episode, make_patient
from puente.patients.models import BreakGlassAccess

NO_PATIENT = ["charlie", "ada", "pat", "olga"]
NOT_SOCIAL_WORK = ["carol", "ian"]
WRITERS = ["alice", "bob", "sam"]


class AssessmentPages(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.draft = start(cls.patient, cls.alice)
        cls.signed = start(cls.patient, cls.alice)
        cls.signed.status = Assessment.Status.SIGNED
        cls.signed.signed_by = cls.alice
        cls.signed.signed_at = timezone.now()
        cls.signed.save()

    def urls(self):
        return {
            "list": reverse("assessments:list", args=[self.patient.pk]),
            "start": reverse("assessments:start", args=[self.patient.pk]),
            "edit": reverse("assessments:edit", args=[self.draft.pk]),
            "detail": reverse("assessments:detail", args=[self.signed.pk]),
            "draft detail": reverse("assessments:detail", args=[self.draft.pk]),
        }

    def test_persona_matrix_for_reading(self):
        expected = {p: 200 for p in WRITERS} | {p: 403 for p in NOT_SOCIAL_WORK} | {p: 404 for p in NO_PATIENT}
        for persona, status in expected.items():
            self.client.force_login(getattr(self, persona))
            for name, url in self.urls().items():
                with self.subTest(persona=persona, page=name):
                    self.assertEqual(self.client.get(url).status_code, status)
        self.client.logout()
        for name, url in self.urls().items():
            with self.subTest(persona="anonymous", page=name):
                self.assertEqual(self.client.get(url).status_code, 302)

    def test_it_denies_writes_to_other_teams_and_the_care_team(self):
        posts = {
            reverse("assessments:start", args=[self.patient.pk]): {"setting": "hospital", "mode": "in_person"},
            reverse("assessments:edit", args=[self.draft.pk]): form_data(self.draft, plan="x"),
            reverse("assessments:autosave", args=[self.draft.pk]): form_data(self.draft, plan="x"),
            reverse("assessments:sign", args=[self.draft.pk]): form_data(self.draft, plan="x"),
            reverse("assessments:addendum_add", args=[self.signed.pk]): {"text": "x"},
        }
        expected = {p: 403 for p in NOT_SOCIAL_WORK} | {p: 404 for p in NO_PATIENT}
        for persona, status in expected.items():
            self.client.force_login(getattr(self, persona))
            for url, data in posts.items():
                with self.subTest(persona=persona, url=url):
                    self.assertEqual(self.client.post(url, data).status_code, status)
        self.draft.refresh_from_db()
        self.assertEqual((self.draft.version, self.draft.sections["plan"]), (1, ""))
        self.assertEqual(Assessment.objects.count(), 2)
        self.assertFalse(self.signed.addenda.exists())

    def test_it_requires_rw_access_break_the_glass_reads_only(self):
        BreakGlassAccess.objects.create(
            organization=self.org,
            user=self.charlie,
            patient=self.patient,
            reason="Called by the ED at night",
            expires_at=timezone.now() + timedelta(minutes=30),
        )
        self.client.force_login(self.charlie)
        urls = self.urls()
        self.assertEqual(self.client.get(urls["list"]).status_code, 200)
        self.assertEqual(self.client.get(urls["detail"]).status_code, 200)
        self.assertEqual(self.client.get(urls["draft detail"]).status_code, 200)
        self.assertNotContains(self.client.get(urls["list"]), "Start an assessment")
        self.assertEqual(self.client.get(urls["start"]).status_code, 403)
        self.assertEqual(self.client.get(urls["edit"]).status_code, 403)
        self.assertEqual(self.client.post(urls["edit"], form_data(self.draft, plan="x")).status_code, 403)
        response = self.client.post(reverse("assessments:addendum_add", args=[self.signed.pk]), {"text": "x"})
        self.assertEqual(response.status_code, 403)
        self.assertNotContains(self.client.get(urls["detail"]), "Add the addendum")

    def test_the_header_links_to_assessments_except_for_the_care_team(self):
        link = reverse("assessments:list", args=[self.patient.pk])
        self.client.force_login(self.alice)
        self.assertContains(self.client.get(reverse("patients:detail", args=[self.patient.pk])), link)
        self.client.force_login(self.carol)
        self.assertNotContains(self.client.get(reverse("patients:detail", args=[self.patient.pk])), link)

    def test_each_page_writes_one_read_event(self):
        self.client.force_login(self.alice)
        for name, url in self.urls().items():
            before = AuditEvent.objects.count()
            self.client.get(url)
            with self.subTest(page=name):
                events = list(AuditEvent.objects.order_by("-id")[: AuditEvent.objects.count() - before])
                self.assertEqual(len(events), 1)
                self.assertEqual((events[0].action, events[0].patient_id), ("read", self.patient.pk))

    def test_the_list_keeps_its_query_count(self):
        self.client.force_login(self.alice)
        url = reverse("assessments:list", args=[self.patient.pk])
        self.client.get(url)  # warm up: the first request also loads the session
        with CaptureQueriesContext(connection) as before:
            self.client.get(url)
        for _n in range(5):
            start(self.patient, self.bob)
        with CaptureQueriesContext(connection) as after:
            response = self.client.get(url)
        self.assertEqual(len(response.context["assessments"]), 7)
        self.assertEqual(len(after), len(before))

    def test_the_start_page_chooses_the_active_episodes_setting(self):
        hospice_patient = make_patient(self.org, "Rosa", "Baca")
        make_episode(hospice_patient, team=self.team, setting="hospice")
        self.client.force_login(self.alice)
        page = self.client.get(reverse("assessments:start", args=[hospice_patient.pk]))
        self.assertEqual(page.context["form"]["setting"].value(), "hospice")
        self.assertContains(page, 'value="hospice" required id="id_setting_2" checked')
        page = self.client.get(reverse("assessments:start", args=[self.patient.pk]))
        self.assertEqual(page.context["form"]["setting"].value(), "hospital")
        self.assertContains(page, "Drafts already started")

    def test_start_creates_a_draft_on_the_chosen_template(self):
        self.client.force_login(self.bob)
        response = self.client.post(
            reverse("assessments:start", args=[self.patient.pk]), {"setting": "home_health", "mode": "video"}
        )
        a = Assessment.objects.order_by("-created_at").first()
        self.assertRedirects(response, reverse("assessments:edit", args=[a.pk]))
        self.assertEqual(
            (a.setting, a.mode, a.author, a.status, a.version), ("home_health", "video", self.bob, "draft", 1)
        )
        self.assertIn("impediment", a.sections)
        event = AuditEvent.objects.filter(action="create", object_type="assessments.assessment").latest("id")
        self.assertEqual(event.patient_id, self.patient.pk)
        self.assertEqual(event.detail["setting"], "home_health")

    def test_a_bad_setting_is_refused(self):
        self.client.force_login(self.alice)
        response = self.client.post(
            reverse("assessments:start", args=[self.patient.pk]), {"setting": "nursing_home", "mode": "in_person"}
        )
        self.assertEqual(response.status_code, 200)
        self.assertIn("setting", response.context["form"].errors)
        self.assertEqual(Assessment.objects.count(), 2)

    def test_the_pages_work_in_spanish(self):
        self.client.force_login(self.alice)
        self.client.cookies["django_language"] = "es"
        response = self.client.post(
            reverse("assessments:start", args=[self.patient.pk]), {"setting": "hospice", "mode": "phone"}
        )
        a = Assessment.objects.order_by("-created_at").first()
        self.assertRedirects(response, reverse("assessments:edit", args=[a.pk]), fetch_redirect_response=False)
        for url in [*self.urls().values(), reverse("assessments:edit", args=[a.pk])]:
            with self.subTest(url=url):
                page = self.client.get(url)
                self.assertEqual(page.status_code, 200)
                self.assertContains(page, '<html lang="es">')

    def test_the_queryset_shows_assessments_to_the_social_work_team_only(self):
        for persona, count in [("alice", 2), ("sam", 2), ("carol", 0), ("ian", 0), ("charlie", 0), ("olga", 0)]:
            with self.subTest(persona=persona):
                self.assertEqual(Assessment.objects.visible_to(getattr(self, persona)).count(), count)
