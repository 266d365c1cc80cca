"""Consent evidence: a drawn signature or an uploaded signed form is stored with the consent, checked by its
bytes, refused with a clear message (what was typed kept), and served only to those who read consents."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from puente.audit.models import AuditEvent
from puente.consent import documents, services
from puente.consent.models import Consent, ConsentDocument
from puente.consent.tests.util import data_url, jpeg, pdf, png
from puente.core.testing import PersonaTestCase
from puente.referrals.tests.util import make_consent

MB = 1024 * 1024


def form(**extra):
    data = {
        "recipient_kind": "named",
        "purpose": "Kept purpose",
        "data_classes": ["demographics", "contact"],
        "method": "signed_on_screen",
        "signature": "",
        "witness_name": "Kept witness",
        "signed_by_name": "Rosa García",
        "signer_relationship": "Daughter",
        "effective_on": "2026-01-01",
        "expires_on": "2099-12-31",
    }
    data.update(extra)
    return data


class RecordWithDocuments(PersonaTestCase):
    def setUp(self):
        self.client.force_login(self.alice)
        self.url = reverse("consent:new", args=[self.patient.pk])

    def post(self, **extra):
        return self.client.post(self.url, form(recipient_organization=self.partner_org.pk, **extra))

    def test_it_stores_a_drawn_signature(self):
        image = png(30, 10)
        response = self.post(signature_image=data_url(image))
        self.assertRedirects(response, reverse("consent:list", args=[self.patient.pk]))
        consent = Consent.objects.get(organization_id=self.org.pk, patient=self.patient)
        doc = ConsentDocument.objects.get(organization_id=self.org.pk, consent=consent)
        self.assertEqual(
            (doc.kind, doc.content_type, doc.size, doc.sha256, bytes(doc.data), doc.created_by),
            ("signature", "image/png", len(image), documents.sha256(image), image, self.alice),
        )
        event = AuditEvent.objects.get(object_type="consent.consentdocument", action="create")
        self.assertEqual((event.patient_id, event.detail["sha256"]), (self.patient.pk, doc.sha256))
        page = self.client.get(reverse("consent:list", args=[self.patient.pk]))
        self.assertContains(page, f'src="{reverse("consent:document", args=[doc.pk])}"')

    def test_it_accepts_the_typed_name_as_the_accessible_alternative(self):
        self.post(signature="María García")
        consent = Consent.objects.get(organization_id=self.org.pk, patient=self.patient)
        self.assertEqual(consent.signature, "María García")
        self.assertFalse(ConsentDocument.objects.filter(organization_id=self.org.pk).exists())

    def test_it_stores_an_uploaded_form_whatever_the_browser_claims(self):
        for name, content, real_type in [("form.pdf", pdf(), "application/pdf"), ("scan.jpg", jpeg(), "image/jpeg")]:
            with self.subTest(name=name):
                upload = SimpleUploadedFile(name, content, content_type="text/html")  # the browser's claim is ignored
                response = self.post(method="uploaded", signed_form=upload, document_reference="SCAN-1")
                self.assertEqual(response.status_code, 302)
                doc = ConsentDocument.objects.filter(organization_id=self.org.pk).latest("created_at")
                self.assertEqual((doc.kind, doc.content_type, bytes(doc.data)), ("form", real_type, content))
                self.assertEqual(doc.consent.document_reference, "SCAN-1")

    def test_a_drawn_signature_is_ignored_for_another_method(self):
        self.post(method="verbal", signature_image=data_url(png()))
        self.assertFalse(ConsentDocument.objects.filter(organization_id=self.org.pk).exists())

    @override_settings(PUENTE_CONSENT_UPLOAD_MAX_MB=1)
    def test_the_upload_limit_is_a_setting_checked_at_the_boundary(self):
        for size, status in [(MB, 302), (MB + 1, 200)]:
            with self.subTest(size=size):
                upload = SimpleUploadedFile("form.pdf", pdf(size), content_type="application/pdf")
                response = self.post(method="uploaded", signed_form=upload)
                self.assertEqual(response.status_code, status)
        self.assertContains(response, "The file is larger than 1 MB.")
        self.assertEqual(ConsentDocument.objects.filter(organization_id=self.org.pk).count(), 1)

    def test_bad_files_are_refused_and_everything_typed_is_kept(self):
        too_big = png(pad_to=documents.SIGNATURE_MAX_BYTES + 1)
        rows = [
            ({"signature_image": data_url(pdf())}, "signature_image", "The signature could not be read."),
            ({"signature_image": data_url(too_big)}, "signature_image", "The signature is too large (over 300 KB)."),
            ({"signature_image": "data:image/png;base64,@@"}, "signature_image", "The signature could not be read."),
            ({"method": "uploaded"}, "signed_form", "Choose the file of the signed form"),
            (
                {"method": "uploaded", "signed_form": SimpleUploadedFile("f.pdf", b"", content_type="application/pdf")},
                "signed_form",
                "The file is empty.",
            ),
            (
                {"method": "uploaded", "signed_form": SimpleUploadedFile("f.pdf", b"<html>", "application/pdf")},
                "signed_form",
                "The file must be a PDF, JPEG or PNG of the signed form.",
            ),
        ]
        for extra, field, message in rows:
            with self.subTest(field=field, message=message):
                page = self.post(**extra)
                self.assertEqual(page.status_code, 200)
                self.assertIn(message, " ".join(page.context["form"].errors.get(field, [])))
                for kept in ["Kept purpose", "Kept witness", "Rosa García", "Daughter", "2099-12-31"]:
                    self.assertContains(page, kept)
                # A refused signature is not sent back into the page.
                self.assertNotContains(page, 'name="signature_image" id="id_signature_image" value="data:')
        self.assertFalse(Consent.objects.filter(organization_id=self.org.pk).exists())
        self.assertFalse(ConsentDocument.objects.filter(organization_id=self.org.pk).exists())

    def test_a_good_signature_is_kept_when_another_field_is_wrong(self):
        url = data_url(png())
        page = self.post(signature_image=url, purpose="")
        self.assertEqual(page.status_code, 200)
        self.assertContains(page, f'value="{url}"')

    def test_the_service_refuses_bytes_that_do_not_match_their_type(self):
        consent = make_consent(self.patient, self.alice, self.partner_org)
        with self.assertRaises(ValueError):
            services.store_consent_document(
                None, consent, kind="signature", content_type="image/png", data=pdf(), user=self.alice
            )
        with self.assertRaises(ValueError):
            services.store_consent_document(
                None, consent, kind="signature", content_type="application/pdf", data=pdf(), user=self.alice
            )


class DocumentView(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.consent = make_consent(cls.patient, cls.alice, cls.partner_org)
        cls.signature = services.store_consent_document(
            None, cls.consent, kind="signature", content_type="image/png", data=png(), user=cls.alice
        )
        cls.form = services.store_consent_document(
            None, cls.consent, kind="form", content_type="application/pdf", data=pdf(), user=cls.alice
        )

    def test_persona_matrix(self):
        expected = {
            "alice": 200,
            "bob": 200,
            "sam": 200,
            "carol": 403,
            "ian": 403,  # read the patient, not the consents (as the consent list)
            "charlie": 404,
            "ada": 404,
            "olga": 404,
            "pat": 404,  # no access to the patient; partners never
        }
        for doc in [self.signature, self.form]:
            url = reverse("consent:document", args=[doc.pk])
            for persona, status in expected.items():
                with self.subTest(kind=doc.kind, persona=persona):
                    self.client.force_login(getattr(self, persona))
                    self.assertEqual(self.client.get(url).status_code, status)
        self.client.force_login(self.alice)
        self.assertEqual(self.client.get(reverse("consent:document", args=[self.org.pk])).status_code, 404)

    def test_it_serves_the_bytes_safely_with_one_audit_read(self):
        self.client.force_login(self.bob)
        rows = [
            (self.signature, "image/png", 'inline; filename="signature.png"', png()),
            (self.form, "application/pdf", 'attachment; filename="consent-form.pdf"', pdf()),
        ]
        for doc, content_type, disposition, content in rows:
            with self.subTest(kind=doc.kind):
                before = AuditEvent.objects.filter(action="read", object_type="consent.consentdocument").count()
                response = self.client.get(reverse("consent:document", args=[doc.pk]))
                self.assertEqual(response.content, content)
                self.assertEqual(response["Content-Type"], content_type)
                self.assertEqual(response["Content-Disposition"], disposition)
                self.assertEqual(response["X-Content-Type-Options"], "nosniff")
                self.assertIn("no-store", response["Cache-Control"])
                self.assertIn("private", response["Cache-Control"])
                events = AuditEvent.objects.filter(action="read", object_type="consent.consentdocument")
                self.assertEqual(events.count(), before + 1)
                event = events.latest("at")
                self.assertEqual(
                    (event.actor, event.patient_id, event.object_id), (self.bob, self.patient.pk, str(doc.pk))
                )

    def test_the_list_links_the_documents_in_constant_queries(self):
        self.client.force_login(self.alice)
        url = reverse("consent:list", args=[self.patient.pk])
        self.client.get(url)  # the first request of a session does its own one-time work
        with CaptureQueriesContext(connection) as one:
            page = self.client.get(url)
        self.assertContains(page, reverse("consent:document", args=[self.signature.pk]))
        self.assertContains(page, reverse("consent:document", args=[self.form.pk]))
        self.assertContains(page, "Download the signed form (PDF,")
        for _ in range(3):
            consent = make_consent(self.patient, self.alice, self.partner_org)
            for kind, data in [("signature", png()), ("form", pdf())]:
                ctype = "image/png" if kind == "signature" else "application/pdf"
                services.store_consent_document(
                    None, consent, kind=kind, content_type=ctype, data=data, user=self.alice
                )
        with CaptureQueriesContext(connection) as many:
            page = self.client.get(url)
        self.assertEqual(page.content.decode().count("/consents/documents/"), 4 * 3)  # img + link, link
        self.assertEqual(len(one), len(many))
        self.assertFalse(
            any('"data"' in q["sql"] and "consent_consentdocument" in q["sql"] for q in many.captured_queries)
        )
