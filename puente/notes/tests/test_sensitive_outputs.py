"""Sensitive notes never leave through an output meant for someone outside the social-work team.

Read-only checks of other apps' outputs (README "Sensitive notes and exports"): the patient's care-plan PDF and the
partner's referral view hold no progress-note text at all, sensitive or not; audit rows about notes hold no text.
"""

from unittest import mock

from django.urls import reverse

from puente.audit.models import AuditEvent
from puente.careplans import pdf
from puente.consent import rules
from puente.core.testing import PersonaTestCase
from puente.notes import services
from puente.notes.tests.util import hours_ago, start
from puente.referrals import services as referral_services
from puente.referrals.partner_view import for_referral
from puente.referrals.tests.util import make_concern, make_consent, make_listing

SENSITIVE_TEXT = "Partner threatened her last night (synthetic)"
PLAIN_TEXT = "Discussed food boxes (synthetic)"


class SensitiveNotesStayInside(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        for text, reason in [(SENSITIVE_TEXT, "ipv"), (PLAIN_TEXT, "")]:
            note = start(cls.patient, cls.alice, sensitive_reason=reason, contact_at=hours_ago(2))
            services.sign_note(None, note, version=note.version, sections={"assessment": text}, user=cls.alice)
        cls.concern = make_concern(cls.patient)

    def test_the_care_plan_pdf_holds_no_note_text(self):
        captured = {}

        class FakeHTML:
            def __init__(self, string):
                captured["html"] = string

            def write_pdf(self):
                return b"%PDF-fake"

        with mock.patch("weasyprint.HTML", FakeHTML):
            data, _language = pdf.care_plan_pdf(self.patient, printed_by=self.alice)
        self.assertEqual(data, b"%PDF-fake")
        html = captured["html"]
        self.assertIn("García", html)  # the capture is the patient's copy
        self.assertNotIn(SENSITIVE_TEXT, html)
        self.assertNotIn(PLAIN_TEXT, html)

    def test_the_partner_view_holds_no_note_text_even_with_a_full_consent(self):
        listing = make_listing(self.partner_org)
        make_consent(self.patient, self.alice, self.partner_org, classes=list(rules.SHAREABLE), part2=True)
        referral = referral_services.make_referral(
            None,
            self.patient,
            send=True,
            service_at_location=listing,
            concerns=[self.concern],
            message="Needs a food box.",
            user=self.alice,
        )
        view = for_referral(referral, [self.concern])
        self.assertIn(rules.NOTES, [code for code in view.decisions if not view.decisions[code].allowed])
        self.assertNotIn(rules.NOTES, view.shared)
        self.assertNotIn(SENSITIVE_TEXT, repr(view))
        self.client.force_login(self.pat)
        page = self.client.get(reverse("referrals:partner_detail", args=[referral.pk]))
        self.assertEqual(page.status_code, 200)
        self.assertContains(page, "María García")  # the page shows what the consent allows
        self.assertNotContains(page, SENSITIVE_TEXT)
        self.assertNotContains(page, PLAIN_TEXT)

    def test_audit_rows_about_notes_hold_no_text(self):
        details = " ".join(str(e.detail) for e in AuditEvent.objects.filter(object_type__icontains="note"))
        self.assertTrue(details)
        self.assertNotIn(SENSITIVE_TEXT, details)
        self.assertNotIn(PLAIN_TEXT, details)
