"""The patient's printed care plan: plain words, their goals, no codes, no address, no notes; their language;
audited as an export; writers only."""

import io
import re
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from puente.audit.models import AuditEvent
from puente.careplans import services
from puente.careplans.models import GoalProgress
from puente.careplans.tests import util
from puente.core.testing import PersonaTestCase

CODE = re.compile(r"\b[A-Z]\d{2}\.\d")  # an ICD-10-CM code such as Z59.41


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return " ".join(page.extract_text() for page in reader.pages)


class CarePlanPdf(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        p = cls.patient
        p.address_line1 = "1200 Hidden Safehouse Road"
        p.city = "Placitas"
        p.address_confidential = True
        p.save()
        cls.food = util.concern(p, cls.alice, note="Skips meals at the end of the month")
        cls.goal = util.goal(p, cls.alice, cls.food, text="Tener comida cada semana")
        util.intervention(cls.goal, cls.alice, assignee=cls.bob, due_date=timezone.localdate() + timedelta(days=7))
        util.intervention(cls.goal, cls.alice, description="Cancelled bus voucher idea").__class__.objects.filter(
            description="Cancelled bus voucher idea"
        ).update(status="cancelled")
        GoalProgress.objects.create(
            organization=cls.org,
            patient=p,
            goal=cls.goal,
            noted_on=timezone.localdate(),
            text="Private progress remark",
            author=cls.alice,
        )
        ipv = util.concern(p, cls.alice, category="intimate-partner-violence", icd10="Z63.0")
        util.goal(p, cls.alice, ipv, text="Safety planning with the advocate")
        util.review(p, cls.alice, summary="Confidential review summary")

    def get_pdf(self, user=None):
        self.client.force_login(user or self.alice)
        return self.client.get(reverse("careplans:pdf", args=[self.patient.pk]))

    def test_it_prints_the_plan_in_plain_words(self):
        response = self.get_pdf()
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "application/pdf")
        self.assertEqual(response["Cache-Control"], "no-store")
        text = pdf_text(response.content)
        for wanted in (
            "My care plan",
            "Having enough food",
            "Tener comida cada semana",
            "Help apply for SNAP",
            "Bob Teammate will help",
            "Alice Worker",
        ):
            self.assertIn(wanted, text)

    def test_it_leaves_out_codes_addresses_notes_and_safety_concerns(self):
        text = pdf_text(self.get_pdf().content)
        self.assertIsNone(CODE.search(text), text)
        for absent in (
            "Z59",
            "food-insecurity",
            "Food insecurity",
            "Hidden Safehouse",
            "Placitas",
            "Skips meals",
            "Private progress remark",
            "Confidential review summary",
            "Safety planning with the advocate",
            "Feeling safe",
            "Cancelled bus voucher",
        ):
            with self.subTest(absent=absent):
                self.assertNotIn(absent, text)

    def test_it_is_in_the_patients_language(self):
        self.patient.preferred_language = "es"
        self.patient.save()
        text = pdf_text(self.get_pdf().content)
        # Django's own Spanish month names and date format: the page was rendered in Spanish.
        months = [
            "enero",
            "febrero",
            "marzo",
            "abril",
            "mayo",
            "junio",
            "julio",
            "agosto",
            "septiembre",
            "octubre",
            "noviembre",
            "diciembre",
        ]
        today = timezone.localdate()
        self.assertIn(f"{today.day} de {months[today.month - 1]} de {today.year}", text)
        self.assertEqual(AuditEvent.objects.filter(action="export").get().detail["language"], "es")

    def test_it_falls_back_to_english_for_a_language_without_a_catalog(self):
        self.patient.preferred_language = "nv"
        self.patient.save()
        self.assertIn("My care plan", pdf_text(self.get_pdf().content))
        self.assertEqual(AuditEvent.objects.filter(action="export").get().detail["language"], "en")

    def test_it_is_audited_as_one_export_and_nothing_else(self):
        before = AuditEvent.objects.count()
        self.get_pdf()
        events = list(AuditEvent.objects.order_by("-id")[: AuditEvent.objects.count() - before])
        self.assertEqual(len(events), 1)
        self.assertEqual(
            (events[0].action, events[0].patient_id, events[0].detail["view"]),
            ("export", self.patient.pk, "care_plan_pdf"),
        )

    def test_only_the_social_work_team_prints_it(self):
        expected = {
            "alice": 200,
            "bob": 200,
            "sam": 200,
            "carol": 403,
            "ian": 403,
            "charlie": 404,
            "pat": 404,
            "olga": 404,
            "ada": 404,
        }
        for persona, status in expected.items():
            with self.subTest(persona=persona):
                self.assertEqual(self.get_pdf(getattr(self, persona)).status_code, status)

    def test_the_service_can_be_called_without_a_request(self):
        data = services.export_care_plan_pdf(None, self.patient, user=self.sam)
        self.assertTrue(data.startswith(b"%PDF"))
