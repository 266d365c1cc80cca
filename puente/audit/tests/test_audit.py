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

    def test_the_page_shows_the_events_as_they_were_before_this_visit(self):
        self.client.force_login(self.sam)
        before = AuditEvent.objects.visible_to(self.sam).count()
        page = self.client.get(reverse("audit:list"))
        shown = list(page.context["page"])
        self.assertEqual(len(shown), before, "the visit's own event does not push the oldest row off the page")
        self.assertNotIn("audit.event_list", [e.object_type for e in shown])

    def test_a_bad_date_range_is_explained(self):
        self.client.force_login(self.sam)
        page = self.client.get(reverse("audit:list"), {"start": "2026-02-10", "end": "2026-02-01"})
        self.assertContains(page, "on or after the start date")


class Labels(PersonaTestCase):
    """The viewer shows what was looked at in words, not codes; the CSV keeps the codes."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        record_event(None, "read", obj=cls.patient, patient_id=cls.patient.pk, user=cls.alice, detail={"view": "edit"})
        record_event(None, "read", object_type="episodes.sw_referral_queue", user=cls.alice)
        record_event(None, "read", object_type="patients.patient_list", user=cls.alice)
        record_event(None, "read", object_type="someapp.something_new", user=cls.alice)
        record_event(
            None, "read", obj=cls.patient, patient_id=cls.patient.pk, user=cls.bob, detail={"view": "brand_new_page"}
        )

    def test_the_mapping_names_known_codes_and_leaves_unknown_ones(self):
        from puente.audit.labels import object_type_label, view_label

        self.assertEqual(object_type_label("patients.patient"), "Patient record")
        self.assertEqual(object_type_label("patients.patient_list"), "Patient list")
        self.assertEqual(object_type_label("episodes.sw_referral_queue"), "Referral queue")
        self.assertEqual(object_type_label("episodes.dashboard"), "Dashboard")
        self.assertEqual(object_type_label("audit.event_list"), "Audit log")
        self.assertEqual(object_type_label("patients.duplicate_check"), "Duplicate check")
        self.assertEqual(object_type_label("patients.access_log"), "Access log")
        self.assertEqual(object_type_label("someapp.something_new"), "someapp.something_new")
        self.assertEqual(view_label("edit"), "Edit demographics")
        self.assertEqual(view_label("history"), "Record history")
        self.assertEqual(view_label("brand_new_page"), "brand_new_page")

    def test_the_labels_are_translated(self):
        from django.utils import translation

        from puente.audit.labels import OBJECT_TYPE_LABELS, VIEW_LABELS

        for label in [*OBJECT_TYPE_LABELS.values(), *VIEW_LABELS.values()]:
            self.assertEqual(type(label).__name__, "__proxy__", "gettext_lazy, so each request gets its language")
        with translation.override("es"):
            self.assertEqual(str(VIEW_LABELS["edit"]), translation.gettext("Edit demographics"))

    def test_the_viewer_shows_labels(self):
        self.client.force_login(self.sam)
        page = self.client.get(reverse("audit:list"))
        self.assertContains(page, "Patient record (Edit demographics)")
        self.assertContains(page, ">Referral queue<")
        self.assertContains(page, ">Patient list<")
        self.assertContains(page, ">someapp.something_new<")
        self.assertContains(page, "Patient record (brand_new_page)")
        self.assertNotContains(page, ">episodes.sw_referral_queue<")

    def test_the_access_log_shows_labels(self):
        self.client.force_login(self.sam)
        page = self.client.get(reverse("patients:access_log", args=[self.patient.pk]))
        self.assertContains(page, "Patient record (Edit demographics)")
        self.assertNotContains(page, "patients.patient")

    def test_the_ip_column_and_the_date_filters_have_distinct_labels(self):
        self.client.force_login(self.sam)
        page = self.client.get(reverse("audit:list"))
        self.assertContains(page, '<th scope="col">IP address</th>', html=False)
        self.assertContains(page, 'data-label="IP address"')
        self.assertContains(page, '<label for="id_start">Start date:</label>', html=True)
        self.assertContains(page, '<label for="id_end">End date:</label>', html=True)
        self.assertNotContains(page, ">From<")
        access = self.client.get(reverse("patients:access_log", args=[self.patient.pk]))
        self.assertContains(access, '<th scope="col">IP address</th>', html=False)

    def test_the_csv_keeps_the_codes(self):
        self.client.force_login(self.sam)
        response = self.client.get(reverse("audit:export"))
        body = b"".join(response.streaming_content).decode()
        self.assertIn("episodes.sw_referral_queue", body)
