"""The audit log: append-only at every layer, the viewer, its filters and CSV export."""

from datetime import timedelta

from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from puente.audit.models import AppendOnlyError, AuditEvent
from puente.audit.services import record_event
from puente.core.testing import PersonaTestCase, make_patient


class AppendOnly(PersonaTestCase):
    def setUp(self):
        self.event = record_event(None, "read", obj=self.patient, patient_id=self.patient.pk, user=self.alice)

    def test_the_model_refuses_changes(self):
        self.event.action = "update"
        with self.assertRaises(AppendOnlyError):
            self.event.save()
        with self.assertRaises(AppendOnlyError):
            self.event.delete()

    def test_the_queryset_refuses_bulk_changes(self):
        with self.assertRaises(AppendOnlyError):
            AuditEvent.objects.filter(pk=self.event.pk).update(action="update")
        with self.assertRaises(AppendOnlyError):
            AuditEvent.objects.all().delete()

    def test_the_database_refuses_raw_sql(self):
        for sql in [
            "UPDATE audit_auditevent SET action = 'update' WHERE id = %s",
            "DELETE FROM audit_auditevent WHERE id = %s",
        ]:
            with (
                self.subTest(sql=sql),
                self.assertRaises(DatabaseError),
                transaction.atomic(),
                connection.cursor() as cursor,
            ):
                cursor.execute(sql, [self.event.pk])
        self.assertEqual(AuditEvent.objects.get(pk=self.event.pk).action, "read")

    def test_the_admin_offers_no_way_to_change_or_delete(self):
        from django.contrib import admin

        model_admin = admin.site._registry[AuditEvent]
        request = type("R", (), {"user": self.ada})()
        self.assertFalse(model_admin.has_add_permission(request))
        self.assertFalse(model_admin.has_change_permission(request, self.event))
        self.assertFalse(model_admin.has_delete_permission(request, self.event))


class Viewer(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.other = make_patient(cls.org, "Rosa", "Vigil")
        record_event(None, "read", obj=cls.patient, patient_id=cls.patient.pk, user=cls.alice)
        record_event(None, "update", obj=cls.patient, patient_id=cls.patient.pk, user=cls.bob)
        record_event(None, "read", obj=cls.other, patient_id=cls.other.pk, user=cls.bob)
        record_event(
            None, "read", obj=cls.patient, patient_id=cls.patient.pk, user=cls.olga, organization_id=cls.other_org.pk
        )

    def test_only_supervisors_and_administrators_open_it(self):
        for persona, status in [("sam", 200), ("ada", 200), ("alice", 403), ("carol", 403), ("ian", 403), ("pat", 403)]:
            self.client.force_login(getattr(self, persona))
            with self.subTest(persona=persona):
                self.assertEqual(self.client.get(reverse("audit:list")).status_code, status)
                self.assertEqual(self.client.get(reverse("audit:export")).status_code, status)

    def test_filters_by_user_patient_action_and_date(self):
        self.client.force_login(self.sam)
        page = self.client.get(reverse("audit:list"), {"user": self.bob.pk, "action": "read"})
        events = list(page.context["page"])
        self.assertTrue(events)
        self.assertTrue(all(e.actor == self.bob and e.action == "read" for e in events))
        page = self.client.get(reverse("audit:list"), {"patient": str(self.other.pk)})
        self.assertEqual({e.patient_id for e in page.context["page"]}, {self.other.pk})
        tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
        page = self.client.get(reverse("audit:list"), {"start": tomorrow})
        self.assertEqual(len(page.context["page"]), 0)

    def test_it_never_shows_another_organizations_events(self):
        self.client.force_login(self.sam)
        page = self.client.get(reverse("audit:list"))
        self.assertNotIn(self.olga, [e.actor for e in page.context["page"]])

    def test_csv_export_has_the_filtered_rows_and_is_itself_audited(self):
        self.client.force_login(self.sam)
        response = self.client.get(reverse("audit:export"), {"patient": str(self.other.pk)})
        body = b"".join(response.streaming_content).decode()
        lines = body.strip().splitlines()
        self.assertTrue(lines[0].startswith("at,actor,action"))
        self.assertEqual(len(lines), 2)
        self.assertIn(str(self.other.pk), lines[1])
        self.assertTrue(AuditEvent.objects.filter(actor=self.sam, action="export").exists())

    def test_the_patient_access_log_shows_who_looked(self):
        self.client.force_login(self.sam)
        page = self.client.get(reverse("patients:access_log", args=[self.patient.pk]))
        self.assertContains(page, self.alice.email)
        self.assertContains(page, self.bob.email)
        self.assertNotContains(page, self.olga.email)

    def test_a_bad_date_range_is_explained(self):
        self.client.force_login(self.sam)
        page = self.client.get(reverse("audit:list"), {"start": "2026-02-10", "end": "2026-02-01"})
        self.assertContains(page, "on or after the start date")
