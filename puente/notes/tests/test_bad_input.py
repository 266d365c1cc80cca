"""Bad input: overlong text is refused with a clear message and nothing saved; text is shown escaped."""

from django.urls import reverse

from puente.core.testing import PersonaTestCase
from puente.notes import services
from puente.notes.formats import MAX_SECTION_CHARS
from puente.notes.models import Phrase, ProgressNote
from puente.notes.tests.util import form_data, signed, start


class BadInput(PersonaTestCase):
    def setUp(self):
        self.note = start(self.patient, self.alice)
        self.client.force_login(self.alice)

    def test_an_overlong_section_is_refused_and_nothing_is_saved(self):
        long = "x" * (MAX_SECTION_CHARS + 1)
        for name in ["notes:edit", "notes:sign"]:
            with self.subTest(view=name):
                response = self.client.post(reverse(name, args=[self.note.pk]), form_data(self.note, data=long))
                self.assertContains(response, "Ensure this value has at most")
                self.assertContains(response, "Please correct the errors below.")
        response = self.client.post(reverse("notes:autosave", args=[self.note.pk]), form_data(self.note, data=long))
        self.assertContains(response, "Not saved:", status_code=422)
        self.note.refresh_from_db()
        self.assertEqual((self.note.version, self.note.sections["data"], self.note.status), (1, "", "draft"))
        with self.assertRaises(services.InvalidNote):
            services.save_note_draft(None, self.note, {"data": long}, version=1, user=self.alice)
        with self.assertRaises(services.InvalidNote):
            services.save_note_draft(None, self.note, {"nope": "x"}, version=1, user=self.alice)

    def test_the_refusal_is_translated(self):
        self.client.cookies["django_language"] = "es"
        long = "x" * (MAX_SECTION_CHARS + 1)
        response = self.client.post(reverse("notes:edit", args=[self.note.pk]), form_data(self.note, data=long))
        self.assertContains(response, '<html lang="es">')
        self.assertNotContains(response, "Ensure this value has at most")

    def test_a_bad_format_or_reason_or_future_contact_is_refused(self):
        url = reverse("notes:start", args=[self.patient.pk])
        for data in [
            {"format": "freeform", "contact_at": "2026-01-05T10:00"},
            {"format": "dap", "contact_at": "2026-01-05T10:00", "sensitive_reason": "gossip"},
            {"format": "dap", "contact_at": "2999-01-05T10:00"},
            {"format": "dap", "contact_at": "yesterday"},
        ]:
            with self.subTest(data=data):
                self.assertEqual(self.client.post(url, data).status_code, 200)
        self.assertEqual(ProgressNote.objects.count(), 1)

    def test_html_is_shown_escaped(self):
        script = "<script>alert(1)</script>"
        note = signed(self.patient, self.alice)
        services.add_note_addendum(None, note, script, user=self.alice)
        self.client.post(reverse("notes:autosave", args=[self.note.pk]), form_data(self.note, data=script))
        for url in [note.get_absolute_url(), reverse("notes:edit", args=[self.note.pk])]:
            with self.subTest(url=url):
                response = self.client.get(url)
                self.assertNotContains(response, script)
                self.assertContains(response, "&lt;script&gt;alert(1)&lt;/script&gt;")

    def test_an_overlong_addendum_is_refused(self):
        note = signed(self.patient, self.alice)
        response = self.client.post(reverse("notes:addendum_add", args=[note.pk]), {"text": "y" * 10_001})
        self.assertContains(response, "Ensure this value has at most")
        self.assertFalse(note.addenda.exists())


class Phrases(PersonaTestCase):
    def test_a_worker_adds_a_phrase_and_sees_it_in_the_editor(self):
        self.client.force_login(self.alice)
        url = reverse("notes:phrases")
        self.assertRedirects(self.client.post(url, {"shortcut": ".hv", "text": "Home visit completed."}), url)
        self.assertContains(self.client.get(url), "Home visit completed.")
        response = self.client.post(url, {"shortcut": ".hv", "text": "Again"})
        self.assertContains(response, "You already have a phrase with this shortcut.")
        note = start(self.patient, self.alice)
        page = self.client.get(reverse("notes:edit", args=[note.pk]))
        self.assertContains(page, "Insert at the cursor")
        self.assertContains(page, 'value="Home visit completed."')
        self.client.force_login(self.bob)  # phrases are personal
        self.assertNotContains(self.client.get(url), "Home visit completed.")
        self.assertNotContains(self.client.get(reverse("notes:edit", args=[note.pk])), "Insert at the cursor")

    def test_phrases_are_for_social_workers(self):
        for persona in ["carol", "ian", "pat", "ada"]:
            self.client.force_login(getattr(self, persona))
            with self.subTest(persona=persona):
                self.assertEqual(self.client.get(reverse("notes:phrases")).status_code, 403)
        self.assertFalse(Phrase.objects.exists())
