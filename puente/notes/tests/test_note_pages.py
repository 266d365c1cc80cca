"""Note pages: who reads and writes them (persona matrix, sensitive notes included), one audit read per page, a list
with a fixed query count, and the pages in Spanish."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from puente.audit.models import AuditEvent
from puente.core.testing import PersonaTestCase
from puente.notes.models import ProgressNote
from puente.notes.tests.util import form_data, signed, start

WRITERS = ["alice", "bob", "sam"]
NO_PATIENT = ["charlie", "ada", "pat", "olga"]
NOT_SENSITIVE_READERS = ["carol", "ian", "pat", "charlie", "olga"]


class NotePages(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.draft = start(cls.patient, cls.alice)
        cls.signed = signed(cls.patient, cls.alice)
        cls.sensitive = signed(cls.patient, cls.alice, sensitive_reason="ipv")

    def get_status(self, persona: str, url: str) -> int:
        self.client.force_login(getattr(self, persona))
        return self.client.get(url).status_code

    def test_persona_matrix_for_reading(self):
        pages = {
            "list": (reverse("notes:list", args=[self.patient.pk]), {"carol": 200, "ian": 403}),
            "start": (reverse("notes:start", args=[self.patient.pk]), {"carol": 403, "ian": 403}),
            "edit": (reverse("notes:edit", args=[self.draft.pk]), {"carol": 404, "ian": 404}),
            "draft detail": (reverse("notes:detail", args=[self.draft.pk]), {"carol": 404, "ian": 404}),
            "signed detail": (reverse("notes:detail", args=[self.signed.pk]), {"carol": 200, "ian": 404}),
        }
        for name, (url, others) in pages.items():
            expected = {p: 200 for p in WRITERS} | {p: 404 for p in NO_PATIENT} | others
            for persona, status in expected.items():
                with self.subTest(page=name, persona=persona):
                    self.assertEqual(self.get_status(persona, url), status)
        self.client.logout()
        self.assertEqual(self.client.get(pages["list"][0]).status_code, 302)

    def test_it_shows_sensitive_notes_to_the_social_work_team_only(self):
        url = reverse("notes:detail", args=[self.sensitive.pk])
        for persona in WRITERS:
            with self.subTest(persona=persona):
                self.assertEqual(self.get_status(persona, url), 200)
        for persona in NOT_SENSITIVE_READERS:
            with self.subTest(persona=persona):
                self.assertEqual(self.get_status(persona, url), 404)
        self.client.force_login(self.alice)
        page = self.client.get(reverse("notes:list", args=[self.patient.pk]))
        self.assertEqual(len(page.context["notes"]), 3)
        self.assertContains(page, "Sensitive")
        self.client.force_login(self.carol)
        page = self.client.get(reverse("notes:list", args=[self.patient.pk]))
        self.assertEqual([n.pk for n in page.context["notes"]], [self.signed.pk])
        self.assertNotContains(page, "Sensitive")

    def test_the_queryset_filters_by_role(self):
        expected = {"alice": 3, "sam": 3, "carol": 1, "ian": 0, "charlie": 0, "pat": 0, "olga": 0, "ada": 0}
        for persona, count in expected.items():
            with self.subTest(persona=persona):
                self.assertEqual(ProgressNote.objects.visible_to(getattr(self, persona)).count(), count)

    def test_it_denies_writes_to_readers_and_strangers(self):
        posts = {
            reverse("notes:start", args=[self.patient.pk]): {"format": "dap", "contact_at": "2026-01-05T10:00"},
            reverse("notes:edit", args=[self.draft.pk]): form_data(self.draft, plan="x"),
            reverse("notes:autosave", args=[self.draft.pk]): form_data(self.draft, plan="x"),
            reverse("notes:sign", args=[self.draft.pk]): form_data(self.draft, plan="x"),
            reverse("notes:addendum_add", args=[self.signed.pk]): {"text": "x"},
        }
        for persona in ["carol", "ian", *NO_PATIENT]:
            self.client.force_login(getattr(self, persona))
            for url, data in posts.items():
                with self.subTest(persona=persona, url=url):
                    self.assertIn(self.client.post(url, data).status_code, (403, 404))
        self.draft.refresh_from_db()
        self.assertEqual((self.draft.version, self.draft.sections["plan"]), (1, ""))
        self.assertEqual(ProgressNote.objects.count(), 3)
        self.assertFalse(self.signed.addenda.exists())

    def test_the_header_links_to_notes_except_for_the_care_team(self):
        link = reverse("notes:list", args=[self.patient.pk])
        self.client.force_login(self.alice)
        self.assertContains(self.client.get(reverse("patients:detail", args=[self.patient.pk])), link)
        self.client.force_login(self.carol)
        self.assertNotContains(self.client.get(reverse("patients:detail", args=[self.patient.pk])), link)

    def test_each_page_writes_one_read_event_and_marks_sensitive_reads(self):
        self.client.force_login(self.alice)
        pages = {
            reverse("notes:list", args=[self.patient.pk]): True,
            reverse("notes:start", args=[self.patient.pk]): False,
            reverse("notes:edit", args=[self.draft.pk]): False,
            reverse("notes:detail", args=[self.signed.pk]): False,
            reverse("notes:detail", args=[self.sensitive.pk]): True,
        }
        for url, sensitive in pages.items():
            before = AuditEvent.objects.count()
            self.client.get(url)
            with self.subTest(url=url):
                events = list(AuditEvent.objects.order_by("-id")[: AuditEvent.objects.count() - before])
                self.assertEqual(len(events), 1)
                self.assertEqual((events[0].action, events[0].patient_id), ("read", self.patient.pk))
                self.assertIs(events[0].detail.get("sensitive", False), sensitive)

    def test_the_list_keeps_its_query_count(self):
        self.client.force_login(self.alice)
        url = reverse("notes:list", args=[self.patient.pk])
        self.client.get(url)
        with CaptureQueriesContext(connection) as before:
            self.client.get(url)
        for _n in range(4):
            signed(self.patient, self.bob, "soap")
            start(self.patient, self.alice, "birp", sensitive_reason="part2")
        with CaptureQueriesContext(connection) as after:
            response = self.client.get(url)
        self.assertEqual(len(response.context["notes"]), 11)
        self.assertEqual(len(after), len(before))

    def test_start_creates_a_draft_in_the_chosen_format(self):
        self.client.force_login(self.bob)
        response = self.client.post(
            reverse("notes:start", args=[self.patient.pk]),
            {"format": "birp", "contact_at": "2026-01-05T10:00", "sensitive_reason": "mandated_report"},
        )
        note = ProgressNote.objects.filter(author=self.bob).get()
        self.assertRedirects(response, reverse("notes:edit", args=[note.pk]))
        # JSONB does not keep key order; the page shows sections in the format's order (checked below).
        self.assertEqual(set(note.sections), {"behavior", "intervention", "response", "plan"})
        self.assertEqual((note.sensitive, note.sensitive_reason, note.episode), (True, "mandated_report", self.episode))
        page = self.client.get(reverse("notes:edit", args=[note.pk]))
        for title in ["Behavior", "Intervention", "Response", "Plan"]:
            self.assertContains(page, title)

    def test_the_pages_work_in_spanish(self):
        self.client.force_login(self.alice)
        self.client.cookies["django_language"] = "es"
        for url in [
            reverse("notes:list", args=[self.patient.pk]),
            reverse("notes:start", args=[self.patient.pk]),
            reverse("notes:edit", args=[self.draft.pk]),
            reverse("notes:detail", args=[self.signed.pk]),
            reverse("notes:phrases"),
        ]:
            with self.subTest(url=url):
                page = self.client.get(url)
                self.assertEqual(page.status_code, 200)
                self.assertContains(page, '<html lang="es">')
