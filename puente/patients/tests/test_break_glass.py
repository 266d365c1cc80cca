"""Break the glass: time-limited, reasoned, audited, shown to the supervisor."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from puente.audit.models import AuditEvent
from puente.core.testing import PersonaTestCase
from puente.patients.models import BreakGlassAccess

REASON = "Patient in the ED asking for her social worker, who is off today."


class BreakGlass(PersonaTestCase):
    def url(self):
        return reverse("patients:break_glass", args=[self.patient.pk])

    def test_it_requires_a_real_reason(self):
        self.client.force_login(self.charlie)
        response = self.client.post(self.url(), {"reason": "need it"})
        self.assertEqual(response.status_code, 200)
        self.assertFalse(BreakGlassAccess.objects.exists())
        detail = reverse("patients:detail", args=[self.patient.pk])
        self.assertEqual(self.client.get(detail).status_code, 404)

    def test_it_grants_time_limited_access_that_is_audited(self):
        self.client.force_login(self.charlie)
        response = self.client.post(self.url(), {"reason": REASON})
        self.assertRedirects(response, reverse("patients:detail", args=[self.patient.pk]))
        page = self.client.get(reverse("patients:detail", args=[self.patient.pk]))
        self.assertContains(page, "Emergency access until")
        event = AuditEvent.objects.get(action="break_glass")
        self.assertEqual(
            (event.actor, event.patient_id, event.detail["reason"]), (self.charlie, self.patient.pk, REASON)
        )

    def test_access_ends_when_the_grant_expires(self):
        self.client.force_login(self.charlie)
        self.client.post(self.url(), {"reason": REASON})
        BreakGlassAccess.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
        self.assertEqual(self.client.get(reverse("patients:detail", args=[self.patient.pk])).status_code, 404)

    def test_the_supervisor_sees_it_and_can_mark_it_reviewed(self):
        self.client.force_login(self.charlie)
        self.client.post(self.url(), {"reason": REASON})
        self.client.force_login(self.sam)
        dashboard = self.client.get(reverse("episodes:dashboard"))
        self.assertContains(dashboard, REASON)
        grant = BreakGlassAccess.objects.get()
        self.client.post(reverse("patients:break_glass_review", args=[grant.pk]))
        grant.refresh_from_db()
        self.assertEqual(grant.reviewed_by, self.sam)
        self.assertNotContains(self.client.get(reverse("episodes:dashboard")), REASON)

    def test_partners_and_other_organizations_cannot_break_the_glass(self):
        for persona in ["pat", "olga"]:
            self.client.force_login(getattr(self, persona))
            with self.subTest(persona=persona):
                self.assertEqual(self.client.get(self.url()).status_code, 404)
                self.assertEqual(self.client.post(self.url(), {"reason": REASON}).status_code, 404)
        self.assertFalse(BreakGlassAccess.objects.exists())

    def test_a_user_with_access_is_sent_straight_to_the_record(self):
        self.client.force_login(self.alice)
        self.assertRedirects(self.client.get(self.url()), reverse("patients:detail", args=[self.patient.pk]))

    def test_only_supervisors_review(self):
        self.client.force_login(self.charlie)
        self.client.post(self.url(), {"reason": REASON})
        grant = BreakGlassAccess.objects.get()
        self.client.force_login(self.alice)
        self.assertEqual(self.client.post(reverse("patients:break_glass_review", args=[grant.pk])).status_code, 403)


class BreakGlassIsReadOnlyAndFindable(PersonaTestCase):
    def test_an_emergency_access_opens_the_record_read_only(self):
        self.client.force_login(self.charlie)
        self.client.post(reverse("patients:break_glass", args=[self.patient.pk]), {"reason": REASON})
        self.assertEqual(self.client.get(reverse("patients:detail", args=[self.patient.pk])).status_code, 200)
        self.assertEqual(self.client.get(reverse("patients:edit", args=[self.patient.pk])).status_code, 403)

    def test_search_offers_emergency_access_to_records_outside_the_team_by_name_and_dob_only(self):
        self.client.force_login(self.charlie)
        page = self.client.get(reverse("patients:list"), {"q": "garcia"})
        self.assertContains(page, "Records outside your care team")
        self.assertContains(page, reverse("patients:break_glass", args=[self.patient.pk]))
        self.assertNotContains(page, f'href="{reverse("patients:detail", args=[self.patient.pk])}"')
        self.assertNotContains(self.client.get(reverse("patients:list")), "Records outside your care team")

    def test_an_administrator_sees_the_access_log_without_the_patients_identity(self):
        self.client.force_login(self.ada)
        page = self.client.get(reverse("patients:access_log", args=[self.patient.pk]))
        self.assertEqual(page.status_code, 200)
        self.assertNotContains(page, "García")
        self.assertContains(page, "identity is not shown")
        self.client.force_login(self.sam)
        self.assertContains(self.client.get(reverse("patients:access_log", args=[self.patient.pk])), "García")
