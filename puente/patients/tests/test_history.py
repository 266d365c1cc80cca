"""Record history: every change to the demographics can be shown, with who made it."""

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from puente.core.testing import PersonaTestCase, make_episode, make_patient, make_sw_referral
from puente.patients import services
from puente.patients.history import build_history


class History(PersonaTestCase):
    def test_it_shows_each_change_with_old_and_new_values_and_who(self):
        patient = services.create_patient(
            None,
            {
                "legal_given_name": "Inés",
                "legal_family_name": "Maestas",
                "birth_date": "1944-04-04",
                "sex_at_birth": "female",
                "postal_code": "87031",
            },
            user=self.ian,
        )
        services.update_patient(None, patient, {"phone": "505-555-0199", "preferred_language": "es"}, user=self.ian)
        make_episode(patient, team=self.team)
        self.client.force_login(self.alice)
        page = self.client.get(reverse("patients:history", args=[patient.pk]))
        self.assertContains(page, "<strong>Created</strong>")
        self.assertContains(page, "505-555-0199")
        self.assertContains(page, "<ins>Spanish</ins>")  # the label, not the stored code
        self.assertContains(page, "Ian Intake")
        demographics = [r for r in page.context["rows"] if r.kind == "Demographics"]
        self.assertEqual([r.action for r in demographics], ["Changed", "Created"])
        self.assertEqual(len(page.context["rows"]), 3)  # and the episode's creation

    def test_the_care_team_and_outsiders_cannot_open_it(self):
        url = reverse("patients:history", args=[self.patient.pk])
        for persona, status in [("carol", 403), ("charlie", 404), ("pat", 404), ("olga", 404)]:
            self.client.force_login(getattr(self, persona))
            with self.subTest(persona=persona):
                self.assertEqual(self.client.get(url).status_code, status)


class HistoryOfTheWholeRecord(PersonaTestCase):
    """MRNs, related persons, episodes and referrals are in the history too, merged newest first."""

    def _work_on_the_record(self, patient, *, rounds: int = 1):
        """Changes of every kind, made through the pages (so the history knows who made them)."""
        pk = patient.pk
        self.client.force_login(self.alice)
        self.client.post(reverse("patients:identifier_add", args=[pk]), {"facility": "Sandia General", "value": "SG1"})
        ident = patient.identifiers.get()
        self.client.post(reverse("patients:related_add", args=[pk]), {"relationship": "caregiver", "name": "Lupe"})
        person = patient.related_persons.get()
        episode = patient.episodes.get()
        referral = make_sw_referral(patient, team=self.team, hours_ago=5, assigned_to=self.alice)
        for i in range(rounds):
            self.client.post(
                reverse("patients:identifier_edit", args=[pk, ident.pk]),
                {"facility": "Sandia General", "value": f"SG{i + 2}"},
            )
            self.client.post(
                reverse("patients:related_edit", args=[pk, person.pk]),
                {"relationship": ["proxy", "caregiver"][i % 2], "name": "Lupe", "phone": f"505-555-01{i:02d}"},
            )
            self.client.post(
                reverse("episodes:episode_edit", args=[pk, episode.pk]),
                {
                    "setting": "inpatient",
                    "status": "active",
                    "start": timezone.localtime(episode.start).strftime("%Y-%m-%dT%H:%M"),
                    "team": [self.other_team.pk, self.team.pk][i % 2],
                    "assigned_worker": self.alice.pk,
                },
            )
        return ident, person, episode, referral

    def test_it_shows_every_kind_of_record_with_labels_and_who(self):
        ident, person, episode, referral = self._work_on_the_record(self.patient)
        self.client.post(
            reverse("episodes:contact", args=[referral.pk]),
            {
                "at": timezone.localtime(timezone.now() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
                "method": "phone",
            },
        )
        self.client.post(reverse("patients:related_remove", args=[self.patient.pk, person.pk]))

        page = self.client.get(reverse("patients:history", args=[self.patient.pk]))
        rows = page.context["rows"]
        self.assertEqual(
            {r.kind for r in rows},
            {"Demographics", "MRN", "Related person", "Episode of care", "Referral to social work"},
        )
        stamps = [r.at for r in rows]
        self.assertEqual(stamps, sorted(stamps, reverse=True), "newest first")
        self.assertEqual((rows[0].kind, rows[0].action, rows[0].user), ("Related person", "Deleted", self.alice))
        self.assertIn("Lupe", rows[0].label)
        changes = {(r.kind, str(label), old, new) for r in rows for label, old, new in r.changes}
        self.assertIn(("MRN", "MRN", "SG1", "SG2"), changes)
        self.assertIn(("Related person", "relationship", "Caregiver", "Health-care proxy / MPOA"), changes)
        self.assertIn(("Episode of care", "team", "Hospital Social Work", "Hospice"), changes)  # names, not ids
        self.assertIn(("Referral to social work", "first contact method", None, "Phone"), changes)
        made_on_the_pages = [r for r in rows if r.kind in ("MRN", "Related person") or r.action == "Changed"]
        self.assertEqual({r.user for r in made_on_the_pages}, {self.alice})
        self.assertContains(page, "Sandia General: SG1")
        self.assertContains(page, "<ins>Health-care proxy / MPOA</ins>", html=False)
        self.assertContains(page, 'data-label="Who"')

    def test_reason_codes_are_shown_by_their_labels(self):
        referral = make_sw_referral(self.patient, team=self.team)
        from puente.episodes import services as episode_services

        episode_services.update_episode(None, self.episode, {"payer": "Medicare"}, user=self.alice)
        referral.reasons = ["dementia", "financial"]
        referral.save()
        rows, _ = build_history(self.patient)
        changes = {(str(label), old, new) for r in rows for label, old, new in r.changes}
        self.assertIn(
            ("reasons", "Lives alone or older than 85", "Dementia or cognitive impairment, Money problems"), changes
        )

    def test_it_shows_nothing_of_another_patient(self):
        other = make_patient(self.org, "Rosa", "Vigil")
        make_episode(other, team=self.team)
        make_sw_referral(other, team=self.team)
        rows, _ = build_history(self.patient)
        self.assertEqual([r.kind for r in rows], ["Episode of care", "Demographics"])

    def test_the_query_count_does_not_grow_with_the_history(self):
        self._work_on_the_record(self.patient, rounds=1)
        url = reverse("patients:history", args=[self.patient.pk])
        self.client.get(url)
        with CaptureQueriesContext(connection) as before:
            rows_before = len(self.client.get(url).context["rows"])
        other = make_patient(self.org, "Otra", "Persona")
        make_episode(other, team=self.team)
        self._work_on_the_record(other, rounds=0)  # another patient's rows in the same tables
        patient = self.patient
        ident = patient.identifiers.get()
        for i in range(15):
            self.client.post(
                reverse("patients:identifier_edit", args=[patient.pk, ident.pk]),
                {"facility": "Sandia General", "value": f"SGX{i}"},
            )
            services.update_patient(None, patient, {"phone": f"505-555-02{i:02d}"}, user=self.bob)
        self.client.post(
            reverse("episodes:episode_edit", args=[patient.pk, self.episode.pk]),
            {
                "setting": "inpatient",
                "status": "active",
                "start": timezone.localtime(self.episode.start).strftime("%Y-%m-%dT%H:%M"),
                "team": self.other_team.pk,
                "assigned_worker": self.alice.pk,
            },
        )
        with CaptureQueriesContext(connection) as after:
            rows_after = len(self.client.get(url).context["rows"])
        self.assertGreaterEqual(rows_after, rows_before + 30)
        self.assertEqual(len(after), len(before), "\n".join(q["sql"] for q in after.captured_queries))

    def test_it_caps_the_rows_and_still_compares_the_oldest_shown_with_its_predecessor(self):
        for i in range(5):
            services.update_patient(None, self.patient, {"phone": f"505-555-03{i:02d}"}, user=self.bob)
        rows, truncated = build_history(self.patient, limit=3)
        self.assertTrue(truncated)
        self.assertEqual(len(rows), 3)
        # The third row's previous version is outside the window; its change is still shown.
        self.assertEqual(
            [(str(lbl), old, new) for lbl, old, new in rows[2].changes], [("phone", "505-555-0301", "505-555-0302")]
        )
        _, truncated = build_history(self.patient, limit=50)
        self.assertFalse(truncated)

    def test_the_page_says_when_rows_were_left_out(self):
        from unittest import mock

        self.client.force_login(self.alice)
        url = reverse("patients:history", args=[self.patient.pk])
        self.assertNotContains(self.client.get(url), "Only the latest")
        with mock.patch("puente.patients.views.build_history", lambda p: build_history(p, limit=1)):
            self.assertContains(self.client.get(url), "Only the latest")
