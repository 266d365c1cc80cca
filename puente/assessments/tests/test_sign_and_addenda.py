"""Sign and lock (the author or a supervisor), no edits after signing (409), and addenda after signing."""

from django.urls import reverse

from puente.assessments import services
from puente.assessments.models import Assessment, AssessmentAddendum
from puente.assessments.tests.util import form_data, start
from puente.audit.models import AuditEvent
from puente.core.testing import PersonaTestCase

DONE = {"formulation": "Isolated widow, new diagnosis, strong faith.", "plan": "Home health referral; call in 48 h."}


class SignAndLock(PersonaTestCase):
    def setUp(self):
        self.assessment = start(self.patient, self.alice)
        self.sign = reverse("assessments:sign", args=[self.assessment.pk])
        self.edit = reverse("assessments:edit", args=[self.assessment.pk])
        self.detail = reverse("assessments:detail", args=[self.assessment.pk])

    def signed(self) -> Assessment:
        self.client.force_login(self.alice)
        self.client.post(self.sign, form_data(self.assessment, **DONE))
        return Assessment.objects.get()

    def test_the_author_signs_with_the_text_sent_and_it_is_locked(self):
        self.client.force_login(self.alice)
        response = self.client.post(self.sign, form_data(self.assessment, **DONE))
        self.assertRedirects(response, self.detail, fetch_redirect_response=False)
        a = Assessment.objects.get()
        self.assertEqual((a.status, a.signed_by, a.sections["plan"]), ("signed", self.alice, DONE["plan"]))
        self.assertIsNotNone(a.signed_at)
        self.assertEqual(a.history.first().status, "signed")
        event = AuditEvent.objects.filter(action="update", object_type="assessments.assessment").latest("id")
        self.assertEqual(event.detail["signed"], True)
        page = self.client.get(self.detail)
        self.assertContains(page, "Assessment signed and locked.")
        self.assertContains(page, DONE["formulation"])
        self.assertNotContains(page, "Continue the draft")

    def test_a_supervisor_may_sign_a_teammates_draft(self):
        self.client.force_login(self.sam)
        self.client.post(self.sign, form_data(self.assessment, **DONE))
        self.assertEqual(Assessment.objects.get().signed_by, self.sam)

    def test_a_teammate_edits_but_may_not_sign(self):
        self.client.force_login(self.bob)
        self.assertNotContains(self.client.get(self.edit), "Sign and lock")
        self.assertEqual(self.client.post(self.sign, form_data(self.assessment, **DONE)).status_code, 403)
        a = Assessment.objects.get()
        self.assertEqual((a.status, a.version, a.sections["plan"]), ("draft", 1, ""))
        self.assertRedirects(self.client.post(self.edit, form_data(self.assessment, **DONE)), self.edit)

    def test_signing_needs_the_formulation_and_plan_but_keeps_what_was_typed(self):
        self.client.force_login(self.alice)
        response = self.client.post(self.sign, form_data(self.assessment, housing="Shelter bed until Friday."))
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Write this section before signing.", count=4)  # summary and inline
        self.assertContains(response, "Your text is saved, but the assessment is not signed yet")
        self.assertNotContains(response, "Nothing has been saved")
        self.assertContains(response, 'name="version" value="2"')
        a = Assessment.objects.get()
        self.assertEqual((a.status, a.sections["housing"], a.version), ("draft", "Shelter bed until Friday.", 2))

    def test_a_signed_assessment_can_no_longer_be_edited(self):
        a = self.signed()
        self.client.force_login(self.bob)
        self.assertRedirects(self.client.get(self.edit), self.detail)
        response = self.client.post(self.edit, form_data(a, version=1, plan="Bob's late change"))
        self.assertEqual(response.status_code, 409)
        self.assertContains(response, "Not saved: Alice Worker signed this assessment", status_code=409)
        self.assertContains(response, "Bob&#x27;s late change</textarea>", status_code=409)  # kept, to copy
        self.assertNotContains(response, "hx-post", status_code=409)
        autosave = self.client.post(reverse("assessments:autosave", args=[a.pk]), form_data(a, plan="again"))
        self.assertEqual(autosave.status_code, 409)
        self.assertContains(autosave, "can no longer be changed", status_code=409)
        self.client.force_login(self.alice)
        self.assertEqual(self.client.post(self.sign, form_data(a, **DONE)).status_code, 409)
        a.refresh_from_db()
        self.assertEqual(a.sections["plan"], DONE["plan"])
        with self.assertRaises(services.AssessmentLocked):
            services.save_assessment_draft(None, a, {"plan": "x"}, version=a.version, user=self.alice)

    def test_addenda_are_added_after_signing_with_author_and_time(self):
        self.client.force_login(self.alice)
        url = reverse("assessments:addendum_add", args=[self.assessment.pk])
        response = self.client.post(url, {"text": "Too early"})
        self.assertEqual(response.status_code, 409)
        self.assertContains(response, "Addenda are added after signing.", status_code=409)
        self.signed()
        self.client.force_login(self.bob)
        response = self.client.post(url, {"text": "Daughter called: she will move in next week."})
        self.assertRedirects(response, self.detail, fetch_redirect_response=False)
        addendum = AssessmentAddendum.objects.get()
        self.assertEqual((addendum.author, addendum.organization), (self.bob, self.org))
        page = self.client.get(self.detail)
        self.assertContains(page, "Addendum added.")
        self.assertContains(page, "Daughter called: she will move in next week.")
        self.assertContains(page, "Bob Teammate")
        event = AuditEvent.objects.filter(action="create", object_type="assessments.assessmentaddendum").get()
        self.assertEqual(event.patient_id, self.patient.pk)
        self.assertEqual(Assessment.objects.get().sections["plan"], DONE["plan"])  # the signed text is unchanged

    def test_an_empty_addendum_is_refused(self):
        self.signed()
        response = self.client.post(reverse("assessments:addendum_add", args=[self.assessment.pk]), {"text": "  "})
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "This field is required.")
        self.assertFalse(AssessmentAddendum.objects.exists())
