"""The patient's referral sheet: where, when open, phone, what to bring, what happens next, who; no codes, no
patient address, no safety-at-home need; the patient's language; writers only; audited as an export."""

import io

from django.test import SimpleTestCase
from django.urls import reverse
from django.utils import translation
from pypdf import PdfReader

from puente.audit.models import AuditAction, AuditEvent
from puente.core.testing import PersonaTestCase, make_episode, make_patient
from puente.directory import hours
from puente.directory import models as d
from puente.patients.models import BreakGlassAccess
from puente.referrals.sheet_pdf import days_in_words, hours_in_words
from puente.referrals.tests.util import make_concern, make_listing, make_referral


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


class HoursInWords(SimpleTestCase):
    def test_it_reads_days_as_ranges_and_lists(self):
        cases = [
            (("MO",), "Monday"),
            (("MO", "TU"), "Monday, Tuesday"),
            (("MO", "TU", "WE"), "Monday to Wednesday"),
            (("MO", "TU", "WE", "TH", "FR"), "Monday to Friday"),
            (("MO", "WE", "FR"), "Monday, Wednesday, Friday"),
            (("MO", "TU", "WE", "SA"), "Monday to Wednesday, Saturday"),
            (("FR", "SA", "SU"), "Friday to Sunday"),
        ]
        with translation.override("en"):
            for days, words in cases:
                with self.subTest(days=days):
                    self.assertEqual(days_in_words(days), words)

    def test_it_gives_one_line_per_opening(self):
        with translation.override("en"):
            lines = hours_in_words([hours.Opening(("MO", "TU", "WE", "TH", "FR"), "09:00:00", "17:00:00")])
        self.assertEqual(lines, ["Monday to Friday: 9 a.m. to 5 p.m."])


class ReferralSheet(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.patient.address_line1 = "12 Calle Secreta"
        cls.patient.postal_code = "87199"
        cls.patient.save()
        cls.listing = make_listing(cls.partner_org, name="Emergency food boxes")
        service, location = cls.listing.service, cls.listing.location
        d.Address.objects.create(
            location=location,
            address_1="5840 Office Blvd NE",
            city="Albuquerque",
            state_province="NM",
            postal_code="87109",
            country="US",
            address_type="physical",
        )
        d.Phone.objects.create(service=service, number="505-555-0142")
        d.Schedule.objects.create(
            service=service, freq="WEEKLY", byday="MO,TU,WE,TH,FR", opens_at="09:00", closes_at="17:00"
        )
        d.RequiredDocument.objects.create(service=service, document="Photo ID")
        d.RequiredDocument.objects.create(service=service, document="Proof of address")
        food = make_concern(cls.patient, "food-insecurity", icd10_code="Z59.41")
        ipv = make_concern(cls.patient, "intimate-partner-violence", icd10_code="Z69.11")
        cls.referral = make_referral(
            cls.patient,
            cls.alice,
            cls.listing,
            "requested",
            concerns=[food, ipv],
            patient_told="They will call you within a week.",
            message_to_partner="Partner-only note about the case.",
        )
        cls.url = reverse("referrals:sheet", args=[cls.referral.pk])

    def test_it_holds_where_when_phone_what_to_bring_and_next_steps(self):
        self.client.force_login(self.alice)
        response = self.client.get(self.url)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "application/pdf")
        text = pdf_text(response.content)
        for expected in (
            "Emergency food boxes",
            "5840 Office Blvd NE",
            "Albuquerque, NM 87109",
            "Monday to Friday: 9 a.m. to 5 p.m.",
            "505-555-0142",
            "Photo ID",
            "Proof of address",
            "They will call you within a week.",
            "Alice Worker",
            self.org.name,
            "Having enough food",
        ):
            with self.subTest(expected=expected):
                self.assertIn(expected, text)

    def test_it_holds_no_codes_no_patient_address_and_no_safety_need(self):
        self.client.force_login(self.alice)
        text = pdf_text(self.client.get(self.url).content)
        for hidden in (
            "12 Calle Secreta",
            "87199",
            "Z59",
            "Z69",
            "food-insecurity",
            "Feeling safe",
            "intimate",
            "requested",
            "Partner-only note",
        ):
            with self.subTest(hidden=hidden):
                self.assertNotIn(hidden, text)

    def test_it_is_audited_as_an_export(self):
        self.client.force_login(self.alice)
        self.client.get(self.url)
        event = AuditEvent.objects.filter(action=AuditAction.EXPORT).latest("id")
        self.assertEqual(event.patient_id, self.patient.pk)
        self.assertEqual(event.detail["view"], "referral_sheet_pdf")

    def test_who_may_print_it(self):
        for persona, code in (
            ("alice", 200),
            ("bob", 200),
            ("sam", 200),
            ("charlie", 404),
            ("carol", 404),
            ("ian", 404),
            ("pat", 404),
            ("olga", 404),
        ):
            with self.subTest(persona=persona):
                self.client.force_login(getattr(self, persona))
                self.assertEqual(self.client.get(self.url).status_code, code)

    def test_a_break_glass_reader_may_not_print_it(self):
        from datetime import timedelta

        from django.utils import timezone

        BreakGlassAccess.objects.create(
            organization=self.org,
            user=self.charlie,
            patient=self.patient,
            reason="Covering the weekend",
            expires_at=timezone.now() + timedelta(hours=1),
        )
        self.client.force_login(self.charlie)
        self.assertEqual(self.client.get(self.url).status_code, 403)

    def test_the_detail_page_links_to_it(self):
        self.client.force_login(self.alice)
        page = self.client.get(reverse("referrals:detail", args=[self.referral.pk]))
        self.assertContains(page, self.url)

    def test_it_is_in_the_patients_language(self):
        """Fails until the central translation pass adds the Spanish strings."""
        spanish = make_patient(self.org, "Rosa", "Martínez", preferred_language="es")
        make_episode(spanish, team=self.team, worker=self.alice)
        referral = make_referral(spanish, self.alice, self.listing, "requested", patient_told="Le llamarán.")
        self.client.force_login(self.alice)
        text = pdf_text(self.client.get(reverse("referrals:sheet", args=[referral.pk])).content)
        self.assertIn("Le llamarán.", text)
        self.assertIn("lunes a viernes", text)
        self.assertIn("Qué llevar", text)
