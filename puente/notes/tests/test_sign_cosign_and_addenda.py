"""Signing locks a note (author only), late entries, co-signature for LMSW and students, addenda."""

from django.urls import reverse

from puente.accounts.models import Role
from puente.core.testing import PersonaTestCase, make_team, make_user
from puente.notes import services
from puente.notes.models import ProgressNote, needs_cosign
from puente.notes.tests.util import form_data, hours_ago, signed, start


class SignAndLock(PersonaTestCase):
    def test_the_author_signs_and_the_note_is_locked(self):
        note = start(self.patient, self.alice)
        self.client.force_login(self.alice)
        response = self.client.post(reverse("notes:sign", args=[note.pk]), form_data(note, data="Seen at home."))
        self.assertRedirects(response, reverse("notes:detail", args=[note.pk]))
        note.refresh_from_db()
        self.assertEqual((note.status, note.signed_by, note.late_entry), ("signed", self.alice, False))
        self.assertEqual(note.sections["data"], "Seen at home.")
        # Locked: edits and autosaves are refused, nothing changes.
        response = self.client.post(reverse("notes:edit", args=[note.pk]), form_data(note, data="Changed"))
        self.assertEqual(response.status_code, 409)
        response = self.client.post(reverse("notes:autosave", args=[note.pk]), form_data(note, data="Changed"))
        self.assertEqual(response.status_code, 409)
        note.refresh_from_db()
        self.assertEqual(note.sections["data"], "Seen at home.")
        self.assertRedirects(self.client.get(reverse("notes:edit", args=[note.pk])), note.get_absolute_url())

    def test_only_the_author_signs(self):
        note = start(self.patient, self.alice)
        for persona in ["bob", "sam"]:
            self.client.force_login(getattr(self, persona))
            response = self.client.post(reverse("notes:sign", args=[note.pk]), form_data(note, data="x"))
            self.assertEqual(response.status_code, 403)
        note.refresh_from_db()
        self.assertTrue(note.is_draft)

    def test_an_empty_note_is_not_signed(self):
        note = start(self.patient, self.alice)
        self.client.force_login(self.alice)
        response = self.client.post(reverse("notes:sign", args=[note.pk]), form_data(note))
        self.assertContains(response, "Write the note before signing.")
        note.refresh_from_db()
        self.assertTrue(note.is_draft)

    def test_signing_more_than_24_hours_after_the_contact_is_a_late_entry(self):
        for hours, late in [(23.5, False), (24.5, True)]:
            with self.subTest(hours=hours):
                note = signed(self.patient, self.alice, contact_at=hours_ago(hours))
                self.assertIs(note.late_entry, late)
        self.client.force_login(self.alice)
        page = self.client.get(reverse("notes:list", args=[self.patient.pk]))
        self.assertContains(page, "Late entry", count=1)


class CoSign(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.lena = make_user(cls.org, name="Lena Newgrad", credentials="lmsw")
        cls.team.memberships.create(organization=cls.org, user=cls.lena)
        cls.other_sup = make_user(cls.org, Role.SUPERVISOR, name="Otto Othersup")
        make_team(cls.org, "Clinic", supervisor=cls.other_sup)

    def test_credentials_that_need_a_cosign(self):
        for credentials, expected in [("LMSW", True), ("MSW student", True), ("LCSW", False), ("", False)]:
            with self.subTest(credentials=credentials):
                self.assertIs(needs_cosign(make_user(None, credentials=credentials)), expected)

    def test_an_lmsw_note_waits_for_the_supervisor(self):
        note = signed(self.patient, self.lena)
        self.assertTrue(note.needs_cosign)
        self.client.force_login(self.alice)
        self.assertContains(self.client.get(reverse("notes:list", args=[self.patient.pk])), "Needs co-sign")
        url = reverse("notes:cosign", args=[note.pk])
        expected = {"alice": 403, "bob": 403, "lena": 403, "carol": 403, "charlie": 404, "other_sup": 404}
        for persona, status in expected.items():
            self.client.force_login(getattr(self, persona))
            with self.subTest(persona=persona):
                self.assertEqual(self.client.post(url).status_code, status)
        note.refresh_from_db()
        self.assertEqual(note.status, "signed")
        self.client.force_login(self.sam)
        self.assertContains(self.client.get(note.get_absolute_url()), "Co-sign this note")
        self.assertRedirects(self.client.post(url), note.get_absolute_url())
        note.refresh_from_db()
        self.assertEqual((note.status, note.cosigned_by, note.needs_cosign), ("cosigned", self.sam, False))
        self.assertEqual(self.client.post(url).status_code, 409)

    def test_a_note_by_a_licensed_worker_needs_no_cosign(self):
        note = signed(self.patient, self.alice)
        self.assertFalse(note.requires_cosign)
        self.client.force_login(self.sam)
        self.assertEqual(self.client.post(reverse("notes:cosign", args=[note.pk])).status_code, 409)

    def test_a_draft_is_not_cosigned(self):
        note = start(self.patient, self.lena)
        with self.assertRaises(services.NotSigned):
            services.cosign_note(None, note, user=self.sam)


class Addenda(PersonaTestCase):
    def test_a_teammate_adds_an_addendum_to_a_signed_note(self):
        note = signed(self.patient, self.alice)
        self.client.force_login(self.bob)
        url = reverse("notes:addendum_add", args=[note.pk])
        self.assertRedirects(self.client.post(url, {"text": "Daughter called back."}), note.get_absolute_url())
        self.assertEqual(list(note.addenda.values_list("text", "author")), [("Daughter called back.", self.bob.pk)])
        self.assertContains(self.client.get(note.get_absolute_url()), "Daughter called back.")

    def test_a_draft_takes_no_addendum(self):
        note = start(self.patient, self.alice)
        self.client.force_login(self.alice)
        response = self.client.post(reverse("notes:addendum_add", args=[note.pk]), {"text": "x"})
        self.assertEqual(response.status_code, 409)
        self.assertFalse(note.addenda.exists())

    def test_break_the_glass_reads_only_and_never_sensitive_notes(self):
        from datetime import timedelta

        from django.utils import timezone

        from puente.patients.models import BreakGlassAccess

        note = signed(self.patient, self.alice)
        hidden = signed(self.patient, self.alice, sensitive_reason="ipv")
        BreakGlassAccess.objects.create(
            organization=self.org,
            user=self.charlie,
            patient=self.patient,
            reason="Called by the ED at night",
            expires_at=timezone.now() + timedelta(minutes=30),
        )
        self.client.force_login(self.charlie)
        self.assertEqual(self.client.get(note.get_absolute_url()).status_code, 200)
        self.assertEqual(self.client.get(hidden.get_absolute_url()).status_code, 404)
        self.assertEqual(
            self.client.post(reverse("notes:addendum_add", args=[note.pk]), {"text": "x"}).status_code, 403
        )
        self.assertEqual(ProgressNote.objects.visible_to(self.charlie).count(), 1)
