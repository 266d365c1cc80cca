"""Consent pages: record (with the rules of the form), revoke, who may do it, one audit event per write."""

from django.urls import reverse
from django.utils import timezone

from puente.audit.models import AuditEvent
from puente.consent.models import Consent
from puente.core.testing import PersonaTestCase
from puente.referrals.tests.util import make_consent


def form(**extra):
    data = {
        "recipient_kind": "named",
        "recipient_organization": "",
        "recipient_class": "",
        "purpose": "Help with food",
        "data_classes": ["demographics", "contact"],
        "method": "signed_on_screen",
        "signature": "María García",
        "effective_on": "2026-01-01",
        "expires_on": "2099-12-31",
    }
    data.update(extra)
    return data


class ConsentPages(PersonaTestCase):
    def test_it_records_a_named_consent(self):
        self.client.force_login(self.alice)
        response = self.client.post(
            reverse("consent:new", args=[self.patient.pk]), form(recipient_organization=self.partner_org.pk)
        )
        self.assertRedirects(response, reverse("consent:list", args=[self.patient.pk]))
        consent = Consent.objects.get(organization_id=self.org.pk, patient=self.patient)
        self.assertEqual(
            (consent.recipient_organization, consent.data_classes, consent.created_by),
            (self.partner_org, ["demographics", "contact"], self.alice),
        )
        self.assertTrue(AuditEvent.objects.filter(object_type="consent.consent", action="create").exists())
        page = self.client.get(reverse("consent:list", args=[self.patient.pk]))
        self.assertContains(page, "Roadrunner Food Bank")
        self.assertContains(page, "Active")

    def test_it_records_a_class_consent(self):
        self.client.force_login(self.alice)
        self.client.post(
            reverse("consent:new", args=[self.patient.pk]),
            form(
                recipient_kind="class", recipient_class="social_services_providers", method="verbal", witness_name="Bob"
            ),
        )
        consent = Consent.objects.get(organization_id=self.org.pk, patient=self.patient)
        self.assertEqual(
            (consent.recipient_organization, consent.recipient_class, consent.signature),
            (None, "social_services_providers", ""),
        )

    def test_bad_input_is_refused_and_kept(self):
        rows = [
            ({}, "recipient_organization", "Choose the partner organization."),
            ({"recipient_kind": "class"}, "recipient_class", "Choose the class of recipients."),
            ({"signature": ""}, "signature", "Sign in the box, or type the signer"),
            ({"method": "verbal"}, "witness_name", "Verbal consent needs a witness."),
            ({"method": "uploaded"}, "signed_form", "Choose the file of the signed form (PDF, JPEG or PNG)."),
            ({"expires_on": "2025-12-31"}, "expires_on", "The expiry date cannot be before the effective date."),
            (
                {"effective_on": "2020-01-01", "expires_on": "2020-06-01"},
                "expires_on",
                "The expiry date cannot be in the past.",
            ),
            ({"data_classes": []}, "data_classes", "Choose at least one kind of information."),
            ({"data_classes": ["notes"]}, "data_classes", "Select a valid choice."),
            (
                {"data_classes": ["substance_use"]},
                "part2",
                "Substance use information can only be shared under a Part 2 consent.",
            ),
            ({"signed_by_name": "Rosa García"}, "signer_relationship", "Say how the signer is related to the patient."),
        ]
        self.client.force_login(self.alice)
        for extra, field, message in rows:
            with self.subTest(field=field, message=message):
                page = self.client.post(
                    reverse("consent:new", args=[self.patient.pk]), form(purpose="Kept purpose", **extra)
                )
                self.assertEqual(page.status_code, 200)
                self.assertIn(message, " ".join(page.context["form"].errors.get(field, [])))
                self.assertContains(page, "Kept purpose")
        self.assertFalse(Consent.objects.filter(organization_id=self.org.pk).exists())

    def test_a_part2_consent_must_name_the_recipient(self):
        self.client.force_login(self.alice)
        page = self.client.post(
            reverse("consent:new", args=[self.patient.pk]),
            form(
                recipient_kind="class",
                recipient_class="social_services_providers",
                data_classes=["substance_use"],
                part2="on",
            ),
        )
        self.assertIn("must name the organization", " ".join(page.context["form"].errors["recipient_kind"]))

    def test_revoke(self):
        consent = make_consent(self.patient, self.alice, self.partner_org)
        url = reverse("consent:revoke", args=[consent.pk])
        for persona, status in {"carol": 403, "ian": 403, "pat": 404, "olga": 404, "charlie": 404, "ada": 404}.items():
            self.client.force_login(getattr(self, persona))
            with self.subTest(persona=persona):
                self.assertEqual(self.client.post(url, {"by_name": "x"}).status_code, status)
        consent.refresh_from_db()
        self.assertIsNone(consent.revoked_at)
        self.client.force_login(self.bob)
        self.assertEqual(self.client.get(url).status_code, 200)
        page = self.client.post(url, {"by_name": ""})
        self.assertContains(page, "This field is required.")
        response = self.client.post(url, {"by_name": "María García", "note": "By phone"})
        self.assertRedirects(response, reverse("consent:list", args=[self.patient.pk]))
        consent.refresh_from_db()
        self.assertEqual(
            (consent.revoked_by, consent.revoked_by_name, consent.state()), (self.bob, "María García", "revoked")
        )
        page = self.client.get(reverse("consent:list", args=[self.patient.pk]))
        self.assertContains(page, "Revoked")


class DatesInSpanish(PersonaTestCase):
    """The date pickers get ISO values in every language (a localized "22/11/2026" empties a native date box)."""

    def test_the_consent_form_prefills_iso_dates_in_spanish(self):
        self.client.force_login(self.alice)
        self.client.cookies["django_language"] = "es"
        page = self.client.get(reverse("consent:new", args=[self.patient.pk])).content.decode()
        today = timezone.localdate().isoformat()
        self.assertIn(f'value="{today}"', page)
        self.assertNotIn(timezone.localdate().strftime("%d/%m/%Y"), page)
