"""MRNs and related persons can be corrected and removed: same permissions as adding, audited, kept in the history."""

from django.urls import reverse

from puente.audit.models import AuditEvent
from puente.core.testing import PersonaTestCase, make_episode, make_patient
from puente.patients import services
from puente.patients.history import build_history
from puente.patients.models import PatientIdentifier, RelatedPerson


class EditAndRemove(PersonaTestCase):
    # persona -> status of the edit and remove pages (the same as adding an MRN or a related person)
    EXPECTED = {
        "alice": 200,
        "bob": 200,
        "sam": 200,
        "ian": 200,
        "carol": 403,  # care team: read-only
        "charlie": 404,  # other team
        "ada": 404,
        "pat": 404,
        "olga": 404,
    }

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.ident = PatientIdentifier.objects.create(
            organization=cls.org, patient=cls.patient, facility="Sandia General", value="SG-1001"
        )
        cls.person = RelatedPerson.objects.create(
            organization=cls.org,
            patient=cls.patient,
            relationship="caregiver",
            name="Lupe García",
            phone="505-555-0100",
        )
        # Another patient alice may also open: its rows must not be reachable through this patient's URLs.
        cls.other = make_patient(cls.org, "Rosa", "Vigil")
        make_episode(cls.other, team=cls.team)
        cls.other_ident = PatientIdentifier.objects.create(
            organization=cls.org, patient=cls.other, facility="Sandia General", value="SG-2002"
        )
        cls.other_person = RelatedPerson.objects.create(
            organization=cls.org, patient=cls.other, relationship="proxy", name="Tomás Vigil"
        )

    def urls(self, patient=None, ident=None, person=None):
        pk = (patient or self.patient).pk
        i, p = (ident or self.ident).pk, (person or self.person).pk
        return [
            reverse("patients:identifier_edit", args=[pk, i]),
            reverse("patients:identifier_remove", args=[pk, i]),
            reverse("patients:related_edit", args=[pk, p]),
            reverse("patients:related_remove", args=[pk, p]),
        ]

    def test_it_answers_each_persona_as_adding_does(self):
        for persona, status in self.EXPECTED.items():
            self.client.force_login(getattr(self, persona))
            for url in self.urls():
                with self.subTest(persona=persona, url=url):
                    self.assertEqual(self.client.get(url).status_code, status)

    def test_it_denies_other_team(self):
        self.client.force_login(self.charlie)
        for url in self.urls():
            with self.subTest(url=url):
                self.assertEqual(self.client.post(url, {"facility": "X", "value": "Y", "name": "Z"}).status_code, 404)
        self.assertTrue(PatientIdentifier.objects.filter(pk=self.ident.pk, value="SG-1001").exists())
        self.assertTrue(RelatedPerson.objects.filter(pk=self.person.pk).exists())

    def test_it_requires_rw_access(self):
        self.client.force_login(self.carol)
        for url in self.urls():
            with self.subTest(url=url):
                self.assertEqual(self.client.post(url, {"facility": "X", "value": "Y", "name": "Z"}).status_code, 403)
        self.assertTrue(PatientIdentifier.objects.filter(pk=self.ident.pk, value="SG-1001").exists())
        self.assertTrue(RelatedPerson.objects.filter(pk=self.person.pk).exists())

    def test_another_patients_rows_are_not_found_through_this_patients_urls(self):
        self.client.force_login(self.alice)
        for url in self.urls(ident=self.other_ident, person=self.other_person):
            with self.subTest(url=url):
                self.assertEqual(self.client.get(url).status_code, 404)
                self.assertEqual(self.client.post(url, {"facility": "X", "value": "Y", "name": "Z"}).status_code, 404)
        self.assertTrue(PatientIdentifier.objects.filter(pk=self.other_ident.pk, value="SG-2002").exists())
        self.assertTrue(RelatedPerson.objects.filter(pk=self.other_person.pk).exists())

    def test_each_page_writes_one_read_event(self):
        self.client.force_login(self.alice)
        for url in self.urls():
            with self.subTest(url=url):
                before = AuditEvent.objects.count()
                self.client.get(url)
                self.assertEqual(AuditEvent.objects.count(), before + 1)
                event = AuditEvent.objects.latest("id")
                self.assertEqual((event.action, event.patient_id), ("read", self.patient.pk))

    def test_a_worker_corrects_an_mrn_and_the_history_keeps_the_typo(self):
        self.client.force_login(self.alice)
        url = reverse("patients:identifier_edit", args=[self.patient.pk, self.ident.pk])
        self.assertContains(self.client.get(url), 'value="SG-1001"')
        response = self.client.post(url, {"facility": "Sandia General", "value": "SG-1010"})
        self.assertRedirects(response, self.patient.get_absolute_url())
        self.ident.refresh_from_db()
        self.assertEqual(self.ident.value, "SG-1010")
        event = AuditEvent.objects.filter(action="update", object_id=str(self.ident.pk)).get()
        self.assertEqual(
            (event.actor, event.patient_id, event.detail), (self.alice, self.patient.pk, {"fields": ["value"]})
        )
        rows, _ = build_history(self.patient)
        self.assertEqual(rows[0].changes, [("MRN", "SG-1001", "SG-1010")])
        self.assertEqual(rows[0].user, self.alice)

    def test_an_mrn_already_on_a_record_is_refused(self):
        self.client.force_login(self.alice)
        url = reverse("patients:identifier_edit", args=[self.patient.pk, self.ident.pk])
        response = self.client.post(url, {"facility": "Sandia General", "value": "SG-2002"})
        self.assertContains(response, "This MRN is already on a record from that facility.")
        self.ident.refresh_from_db()
        self.assertEqual(self.ident.value, "SG-1001")
        # Saving it unchanged is not a conflict with itself.
        response = self.client.post(url, {"facility": "Sandia General", "value": "SG-1001"})
        self.assertEqual(response.status_code, 302)
        self.assertFalse(AuditEvent.objects.filter(action="update", object_id=str(self.ident.pk)).exists())

    def test_removing_asks_first_then_removes_on_post_and_keeps_the_history(self):
        self.client.force_login(self.alice)
        url = reverse("patients:identifier_remove", args=[self.patient.pk, self.ident.pk])
        page = self.client.get(url)
        self.assertContains(page, "Remove this MRN from the record?")
        self.assertContains(page, "Sandia General: SG-1001")
        self.assertContains(page, '<form method="post" class="card confirm">')
        self.assertTrue(PatientIdentifier.objects.filter(pk=self.ident.pk).exists(), "a GET removes nothing")

        response = self.client.post(url)
        self.assertRedirects(response, self.patient.get_absolute_url())
        self.assertFalse(PatientIdentifier.objects.filter(pk=self.ident.pk).exists())
        self.assertNotContains(self.client.get(self.patient.get_absolute_url()), "SG-1001")
        event = AuditEvent.objects.filter(action="delete").get()
        self.assertEqual(
            (event.object_type, event.object_id, event.actor),
            ("patients.patientidentifier", str(self.ident.pk), self.alice),
        )
        history = self.client.get(reverse("patients:history", args=[self.patient.pk]))
        self.assertContains(history, "MRN: Sandia General: SG-1001")
        self.assertEqual((history.context["rows"][0].action, history.context["rows"][0].user), ("Deleted", self.alice))

    def test_a_worker_edits_and_removes_a_related_person(self):
        self.client.force_login(self.bob)
        edit = reverse("patients:related_edit", args=[self.patient.pk, self.person.pk])
        self.assertContains(self.client.get(edit), "Lupe García")
        response = self.client.post(
            edit,
            {
                "relationship": "proxy",
                "name": "Guadalupe García",
                "phone": "505-555-0100",
                "may_receive_information": "on",
            },
        )
        self.assertRedirects(response, self.patient.get_absolute_url())
        self.person.refresh_from_db()
        self.assertEqual(
            (self.person.relationship, self.person.name, self.person.may_receive_information),
            ("proxy", "Guadalupe García", True),
        )
        event = AuditEvent.objects.filter(action="update", object_id=str(self.person.pk)).get()
        self.assertEqual(event.detail, {"fields": ["may_receive_information", "name", "relationship"]})

        bad = self.client.post(edit, {"relationship": "proxy", "name": "Guadalupe", "phone": "call me"})
        self.assertContains(bad, "Enter a phone number")

        self.client.post(reverse("patients:related_remove", args=[self.patient.pk, self.person.pk]))
        self.assertFalse(RelatedPerson.objects.filter(pk=self.person.pk).exists())
        self.assertTrue(
            AuditEvent.objects.filter(action="delete", object_id=str(self.person.pk), actor=self.bob).exists()
        )
        rows, _ = build_history(self.patient)
        self.assertEqual(
            [(r.kind, r.action) for r in rows[:2]], [("Related person", "Deleted"), ("Related person", "Changed")]
        )
        self.assertIn(
            ("relationship", "Caregiver", "Health-care proxy / MPOA"), [(str(a), b, c) for a, b, c in rows[1].changes]
        )

    def test_the_detail_page_links_to_edit_and_remove_for_writers_only(self):
        links = self.urls()
        self.client.force_login(self.ian)
        page = self.client.get(self.patient.get_absolute_url())
        for url in links:
            self.assertContains(page, f'href="{url}"')
        self.client.force_login(self.carol)
        page = self.client.get(self.patient.get_absolute_url())
        for url in links:
            self.assertNotContains(page, f'href="{url}"')

    def test_the_services_need_no_request(self):
        services.update_identifier(None, self.ident, "Sandia General", "SG-3003", user=self.sam)
        services.update_related_person(None, self.person, {"phone": "505-555-0199"}, user=self.sam)
        services.remove_identifier(None, self.ident, user=self.sam)
        services.remove_related_person(None, self.person, user=self.sam)
        self.assertEqual(
            sorted(AuditEvent.objects.filter(actor=self.sam).values_list("action", flat=True)),
            ["delete", "delete", "update", "update"],
        )
        rows, _ = build_history(self.patient)
        self.assertEqual({r.user for r in rows[:4]}, {self.sam})
