"""Copy-forward: a new draft may start from the same patient's most recent signed note of the same format that the
worker can read; never another patient's note, never a sensitive note, never a draft. Fresh sections (today's
contact) are not copied; the new note records its source and the audit row names it."""

from datetime import timedelta

from django.urls import reverse

from puente.audit.models import AuditEvent
from puente.core.testing import PersonaTestCase, make_episode, make_patient
from puente.notes import services
from puente.notes.formats import FORMATS
from puente.notes.models import ProgressNote
from puente.notes.tests.util import hours_ago, start

DAP_TEXT = {"data": "Met at bedside; tearful.", "assessment": "Caregiver strain, high.", "plan": "Respite referral."}


def signed_with(patient, user, fmt="dap", texts=None, **kwargs) -> ProgressNote:
    note = start(patient, user, fmt, **kwargs)
    texts = texts or {k: f"{k} text {note.pk}" for k in note.note_format.keys}
    return services.sign_note(None, note, version=note.version, sections=texts, user=user)


class FreshSections(PersonaTestCase):
    def test_it_marks_the_sections_about_todays_contact_as_fresh(self):
        # Table: format → sections carried forward (the rest describe today's contact and start empty).
        expected = {
            "dap": ["assessment", "plan"],
            "soap": ["assessment", "plan"],
            "birp": ["intervention", "plan"],
            "narrative": [],
        }
        self.assertEqual({k: f.carried_keys for k, f in FORMATS.items()}, expected)


class CopyForwardRule(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.older = signed_with(cls.patient, cls.alice, contact_at=hours_ago(72))
        cls.latest = signed_with(cls.patient, cls.alice, texts=DAP_TEXT, contact_at=hours_ago(30))
        cls.other_patient = make_patient(cls.org, "Rosa", "Otero")
        make_episode(cls.other_patient, team=cls.team, worker=cls.alice)
        cls.others_note = signed_with(cls.other_patient, cls.alice, contact_at=hours_ago(2))

    def test_it_offers_the_latest_signed_note_of_the_same_format(self):
        self.assertEqual(services.copy_forward_source(self.alice, self.patient, "dap"), self.latest)
        self.assertIsNone(services.copy_forward_source(self.alice, self.patient, "soap"))

    def test_it_never_offers_a_draft_or_a_sensitive_note(self):
        start(self.patient, self.alice, contact_at=hours_ago(1))
        signed_with(self.patient, self.alice, sensitive_reason="ipv", contact_at=hours_ago(1))
        self.assertEqual(services.copy_forward_source(self.alice, self.patient, "dap"), self.latest)

    def test_it_offers_nothing_for_a_format_without_carried_sections(self):
        signed_with(self.patient, self.alice, "narrative", contact_at=hours_ago(1))
        self.assertIsNone(services.copy_forward_source(self.alice, self.patient, "narrative"))

    def test_it_offers_only_what_the_worker_can_read(self):
        expected = {"alice": self.latest, "bob": self.latest, "sam": self.latest, "charlie": None, "olga": None}
        expected |= {"carol": self.latest}  # the rule answers for readers; starting a note still needs write access
        for persona, source in expected.items():
            with self.subTest(persona=persona):
                got = services.copy_forward_source(getattr(self, persona), self.patient, "dap")
                self.assertEqual(got, source)

    def test_it_copies_the_carried_sections_only_and_records_the_source(self):
        note = services.start_note(None, self.patient, "dap", copy_from=self.latest, user=self.bob)
        self.assertEqual(note.sections, {"data": "", "assessment": DAP_TEXT["assessment"], "plan": DAP_TEXT["plan"]})
        self.assertEqual((note.copied_from, note.status, note.author), (self.latest, "draft", self.bob))
        event = AuditEvent.objects.filter(action="create", object_id=str(note.pk)).get()
        self.assertEqual(event.detail["copied_from"], str(self.latest.pk))
        self.assertEqual(event.detail["copied_sections"], ["assessment", "plan"])
        self.assertNotIn(DAP_TEXT["assessment"], str(event.detail))

    def test_it_refuses_any_other_source(self):
        sensitive = signed_with(self.patient, self.alice, sensitive_reason="part2", contact_at=hours_ago(50))
        draft = start(self.patient, self.alice, contact_at=hours_ago(40))
        soap = signed_with(self.patient, self.alice, "soap", contact_at=hours_ago(40))
        refused = {
            "another patient's note": (self.others_note, "dap"),
            "a sensitive note": (sensitive, "dap"),
            "a draft": (draft, "dap"),
            "an older note": (self.older, "dap"),
            "a note of another format": (soap, "dap"),
            "the right note for another format": (self.latest, "soap"),
        }
        before = ProgressNote.objects.count()
        for name, (source, fmt) in refused.items():
            with self.subTest(name):
                with self.assertRaises(services.InvalidNote) as caught:
                    services.start_note(None, self.patient, fmt, copy_from=source, user=self.alice)
                self.assertIn("copy_from", caught.exception.errors)
        self.assertEqual(ProgressNote.objects.count(), before)

    def test_it_refuses_the_note_of_another_organization(self):
        olga_patient = make_patient(self.other_org, "Ana", "Baca")
        note = ProgressNote.objects.create(
            organization=self.other_org,
            patient=olga_patient,
            author=self.olga,
            format="dap",
            contact_at=hours_ago(5),
            status="signed",
            signed_at=hours_ago(4),
            sections={"assessment": "Other agency's text"},
        )
        with self.assertRaises(services.InvalidNote):
            services.start_note(None, self.patient, "dap", copy_from=note, user=self.alice)


class CopyForwardPages(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.latest = signed_with(cls.patient, cls.alice, texts=DAP_TEXT, contact_at=hours_ago(30))
        cls.sensitive = signed_with(cls.patient, cls.alice, sensitive_reason="ipv", contact_at=hours_ago(3))
        cls.other_patient = make_patient(cls.org, "Rosa", "Otero")
        make_episode(cls.other_patient, team=cls.team, worker=cls.alice)
        cls.others_note = signed_with(cls.other_patient, cls.alice, contact_at=hours_ago(2))
        cls.url = reverse("notes:start", args=[cls.patient.pk])

    def post(self, persona, **data):
        self.client.force_login(getattr(self, persona))
        return self.client.post(self.url, {"format": "dap", "contact_at": "2026-01-05T10:00", **data})

    def test_writers_can_copy_forward(self):
        for persona in ["alice", "bob", "sam"]:
            with self.subTest(persona=persona):
                response = self.post(persona, copy_from=str(self.latest.pk))
                note = ProgressNote.objects.filter(author=getattr(self, persona)).latest("created_at")
                self.assertRedirects(response, reverse("notes:edit", args=[note.pk]))
                self.assertEqual(note.copied_from, self.latest)

    def test_readers_and_strangers_cannot(self):
        expected = {"carol": 403, "ian": 403, "ada": 404, "charlie": 404, "pat": 404, "olga": 404}
        for persona, status in expected.items():
            with self.subTest(persona=persona):
                self.assertEqual(self.post(persona, copy_from=str(self.latest.pk)).status_code, status)
        self.assertFalse(ProgressNote.objects.exclude(copied_from=None).exists())

    def test_the_start_page_offers_the_source_but_no_sensitive_note(self):
        self.client.force_login(self.alice)
        page = self.client.get(self.url)
        self.assertEqual([n.pk for n in page.context["form"].fields["copy_from"].queryset], [self.latest.pk])
        self.assertContains(page, f'value="{self.latest.pk}"')
        self.assertNotContains(page, str(self.sensitive.pk))
        self.assertNotContains(page, str(self.others_note.pk))

    def test_it_refuses_another_patients_note_id_and_keeps_the_input(self):
        for name, note in {"other patient": self.others_note, "sensitive": self.sensitive}.items():
            with self.subTest(name):
                response = self.post("alice", copy_from=str(note.pk), sensitive_reason="ipv")
                self.assertEqual(response.status_code, 200)
                self.assertContains(response, "This note cannot be carried forward.")
                self.assertContains(response, 'value="2026-01-05T10:00"')
                self.assertEqual(response.context["form"]["sensitive_reason"].value(), "ipv")
        self.assertFalse(ProgressNote.objects.filter(author=self.alice, status="draft").exists())

    def test_it_refuses_a_source_of_another_format_with_a_clear_error(self):
        response = self.post("alice", format="soap", copy_from=str(self.latest.pk))
        self.assertContains(response, "The note to start from is in another format.")
        self.assertFalse(ProgressNote.objects.filter(status="draft").exists())

    def test_the_editor_marks_the_carried_text(self):
        self.post("alice", copy_from=str(self.latest.pk))
        note = ProgressNote.objects.get(status="draft")
        page = self.client.get(reverse("notes:edit", args=[note.pk]))
        self.assertContains(page, "Started from the note of")
        self.assertContains(page, "review every section.")
        self.assertContains(page, DAP_TEXT["plan"])
        self.assertNotContains(page, DAP_TEXT["data"])
        self.assertContains(page, "contact; not carried over.", count=1)
        self.assertContains(page, "Carried over from the earlier note: review it.", count=2)
        self.assertContains(page, 'aria-describedby="hint-plan"')
        detail = services.sign_note(None, note, version=note.version, sections={"data": "Seen today."}, user=self.alice)
        page = self.client.get(reverse("notes:detail", args=[detail.pk]))
        self.assertContains(page, "(carried forward)")

    def test_a_plain_start_shows_no_banner(self):
        self.post("alice")
        note = ProgressNote.objects.get(status="draft")
        self.assertIsNone(note.copied_from)
        self.assertNotContains(self.client.get(reverse("notes:edit", args=[note.pk])), "Started from the note of")

    def test_a_late_signed_note_is_still_the_latest_by_contact_time(self):
        later_contact = signed_with(self.patient, self.bob, contact_at=hours_ago(10))
        ProgressNote.objects.filter(pk=self.latest.pk).update(signed_at=self.latest.signed_at + timedelta(days=1))
        self.assertEqual(services.copy_forward_source(self.alice, self.patient, "dap"), later_contact)
