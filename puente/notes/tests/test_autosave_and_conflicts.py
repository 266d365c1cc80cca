"""Autosave of drafts, and a second saver who keeps their text when someone saved in between."""

from django.urls import reverse

from puente.audit.models import AuditEvent
from puente.core.testing import PersonaTestCase
from puente.notes.forms import field_name
from puente.notes.tests.util import form_data, start


class AutosaveAndConflicts(PersonaTestCase):
    def setUp(self):
        self.note = start(self.patient, self.alice)
        self.autosave = reverse("notes:autosave", args=[self.note.pk])
        self.edit = reverse("notes:edit", args=[self.note.pk])

    def test_it_autosaves_a_draft_and_sends_the_new_version(self):
        self.client.force_login(self.alice)
        response = self.client.post(self.autosave, form_data(self.note, editor="a1", data="Home visit."))
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Saved at")
        self.assertContains(response, 'name="version" value="2"')
        self.note.refresh_from_db()
        self.assertEqual((self.note.sections["data"], self.note.version), ("Home visit.", 2))
        event = AuditEvent.objects.filter(action="update", object_type="notes.progressnote").latest("id")
        self.assertEqual(event.detail["sections"], ["data"])
        self.assertIs(event.detail["autosave"], True)
        self.assertEqual(self.note.history.count(), 1)  # autosaves stay out of the record history

    def test_its_own_earlier_autosave_is_not_a_conflict(self):
        self.client.force_login(self.alice)
        self.client.post(self.autosave, form_data(self.note, editor="a1", data="One"))
        response = self.client.post(self.autosave, form_data(self.note, version=1, editor="a1", data="One two"))
        self.assertEqual(response.status_code, 200)
        self.note.refresh_from_db()
        self.assertEqual((self.note.sections["data"], self.note.version), ("One two", 3))

    def test_a_second_saver_sees_the_conflict_and_keeps_their_text(self):
        self.client.force_login(self.bob)
        self.client.post(self.autosave, form_data(self.note, editor="b1", plan="Bob's plan"))
        self.client.force_login(self.alice)
        response = self.client.post(self.autosave, form_data(self.note, version=1, editor="a1", plan="Alice's plan"))
        self.assertEqual(response.status_code, 409)
        self.assertContains(response, "Not saved: Bob Teammate saved this note", status_code=409)
        response = self.client.post(self.edit, form_data(self.note, version=1, editor="a1", plan="Alice's plan"))
        self.assertEqual(response.status_code, 409)
        self.assertEqual(response.context["form"][field_name("plan")].value(), "Alice's plan")
        self.assertContains(response, "Bob&#x27;s plan", status_code=409)
        self.assertContains(response, "Merge the two", status_code=409)
        self.note.refresh_from_db()
        self.assertEqual((self.note.sections["plan"], self.note.version), ("Bob's plan", 2))
        # The form now carries the current version: saving the merged text goes through.
        merged = response.context["form"].data.copy()
        merged[field_name("plan")] = "Merged plan"
        self.assertRedirects(self.client.post(self.edit, merged), self.edit)
        self.note.refresh_from_db()
        self.assertEqual(self.note.sections["plan"], "Merged plan")

    def test_marking_a_draft_sensitive_is_saved(self):
        self.client.force_login(self.alice)
        data = form_data(self.note, editor="a1")
        data["sensitive_reason"] = "part2"
        self.assertEqual(self.client.post(self.autosave, data).status_code, 200)
        self.note.refresh_from_db()
        self.assertEqual((self.note.sensitive, self.note.sensitive_reason), (True, "part2"))
