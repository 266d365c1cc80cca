"""Drafts: autosave while typing, the full form also saves, and two people editing never overwrite each other."""

from django.urls import reverse

from puente.assessments.models import Assessment
from puente.assessments.tests.util import form_data, start
from puente.audit.models import AuditEvent
from puente.core.testing import PersonaTestCase


class Autosave(PersonaTestCase):
    def setUp(self):
        self.assessment = start(self.patient, self.alice)
        self.autosave = reverse("assessments:autosave", args=[self.assessment.pk])
        self.edit = reverse("assessments:edit", args=[self.assessment.pk])
        self.client.force_login(self.alice)

    def test_it_saves_the_sections_and_answers_with_the_time_and_new_version(self):
        response = self.client.post(
            self.autosave,
            form_data(self.assessment, coping_strengths="Prays daily; close to her sister."),
            HTTP_HX_REQUEST="true",
        )
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Saved at ")
        self.assertContains(response, 'name="version" value="2" id="id_version" hx-swap-oob="true"')
        self.assertNotContains(response, "<html")
        a = Assessment.objects.get()
        self.assertEqual((a.version, a.updated_by), (2, self.alice))
        self.assertEqual(a.sections["coping_strengths"], "Prays daily; close to her sister.")
        self.assertIn("Ana", form_data(a, coping_strengths="Ana")["s_coping_strengths"])
        event = AuditEvent.objects.filter(action="update").latest("id")
        self.assertEqual(event.detail, {"version": 2, "sections": ["coping_strengths"], "autosave": True})
        self.assertNotIn("Prays", str(event.detail))  # the log names sections, never their text

    def test_autosaves_do_not_fill_the_record_history_but_explicit_saves_do(self):
        for n in range(3):
            a = Assessment.objects.get()
            self.client.post(self.autosave, form_data(a, plan=f"plan {n}"))
        self.assertEqual(Assessment.objects.get().version, 4)
        self.assertEqual(self.assessment.history.count(), 1)  # the creation
        a = Assessment.objects.get()
        self.client.post(self.edit, form_data(a, plan="final plan"))
        self.assertEqual(self.assessment.history.count(), 2)
        self.assertEqual(self.assessment.history.first().sections["plan"], "final plan")

    def test_nothing_changed_means_no_new_version_and_no_audit_row(self):
        before = AuditEvent.objects.count()
        response = self.client.post(self.autosave, form_data(self.assessment))
        self.assertContains(response, "Saved at ")
        self.assertEqual(Assessment.objects.get().version, 1)
        self.assertEqual(AuditEvent.objects.count(), before)

    def test_the_full_form_saves_too_so_a_lost_connection_loses_nothing(self):
        response = self.client.post(self.edit, form_data(self.assessment, housing="Trailer, no heat since October."))
        self.assertRedirects(response, self.edit, fetch_redirect_response=False)
        a = Assessment.objects.get()
        self.assertEqual((a.sections["housing"], a.version), ("Trailer, no heat since October.", 2))
        page = self.client.get(self.edit)
        self.assertContains(page, "Draft saved.")
        self.assertContains(page, "Trailer, no heat since October.")
        self.assertContains(page, 'name="version" value="2"')

    def test_a_stale_autosave_is_refused_and_changes_nothing(self):
        self.client.force_login(self.bob)
        self.client.post(self.autosave, form_data(self.assessment, plan="Bob's plan"))
        self.client.force_login(self.alice)
        response = self.client.post(self.autosave, form_data(self.assessment, version=1, plan="Alice's plan"))
        self.assertEqual(response.status_code, 409)
        self.assertContains(response, "Not saved: Bob Teammate saved this assessment", status_code=409)
        self.assertNotContains(response, "hx-swap-oob", status_code=409)
        a = Assessment.objects.get()
        self.assertEqual((a.sections["plan"], a.version), ("Bob's plan", 2))

    def test_a_stale_full_save_is_refused_and_keeps_the_second_savers_text_to_merge(self):
        self.client.force_login(self.bob)
        self.client.post(self.edit, form_data(self.assessment, plan="Bob: home with home health."))
        self.client.force_login(self.alice)
        mine = form_data(self.assessment, version=1, plan="Alice: SNF placement.", housing="Lives alone.")
        response = self.client.post(self.edit, mine)
        self.assertEqual(response.status_code, 409)
        content = response.content.decode()
        self.assertIn("Not saved: Bob Teammate saved this assessment at", content)
        self.assertIn("Alice: SNF placement.</textarea>", content)  # the second saver's text is kept, editable
        self.assertIn("Lives alone.</textarea>", content)
        self.assertIn("Bob: home with home health.", content)  # and the saved text is shown beside it
        self.assertIn("Saved text from Bob Teammate", content)
        self.assertEqual(content.count("Saved text from Bob Teammate"), 2)  # plan and housing differ, nothing else
        self.assertIn('name="version" value="2"', content)  # the form now carries the current version
        a = Assessment.objects.get()
        self.assertEqual((a.sections["plan"], a.sections["housing"], a.version), ("Bob: home with home health.", "", 2))

        merged = form_data(a, plan="SNF placement; home health as a fallback.", housing="Lives alone.")
        self.assertRedirects(self.client.post(self.edit, merged), self.edit)
        a.refresh_from_db()
        self.assertEqual((a.sections["plan"], a.version), ("SNF placement; home health as a fallback.", 3))

    def test_the_same_forms_own_autosave_in_flight_is_not_a_conflict(self):
        self.client.post(self.autosave, form_data(self.assessment, editor="tab1", plan="draft p"))
        # The Save button was pressed while that autosave was in flight: the form still says version 1.
        response = self.client.post(self.edit, form_data(self.assessment, version=1, editor="tab1", plan="draft plan"))
        self.assertRedirects(response, self.edit)
        self.assertEqual(Assessment.objects.get().sections["plan"], "draft plan")
        # Another open form (another tab or person) with version 1 is a conflict.
        response = self.client.post(self.edit, form_data(self.assessment, version=1, editor="tab2", plan="other"))
        self.assertEqual(response.status_code, 409)

    def test_the_same_text_twice_is_not_a_conflict(self):
        data = form_data(self.assessment, plan="same")
        self.client.post(self.autosave, data)
        self.assertRedirects(self.client.post(self.edit, data), self.edit)
        self.assertEqual(Assessment.objects.get().version, 2)

    def test_line_breaks_from_the_browser_are_stored_as_typed_lines(self):
        self.client.post(self.edit, form_data(self.assessment, plan="Call daughter.\r\nBook transport."))
        self.assertEqual(Assessment.objects.get().sections["plan"], "Call daughter.\nBook transport.")
