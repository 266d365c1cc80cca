"""The patient check-back: due after PUENTE_CHECKBACK_DAYS, sent once (command idempotent), no PHI in the message,
the patient's language, single use, expiry, the answer lands on the referral and the worker is told; no phone or
email → a task to call."""

import re
from datetime import timedelta
from io import StringIO

from django.core.management import call_command
from django.test import TestCase, override_settings
from django.urls import reverse
from django.utils import timezone

from puente.core import messaging
from puente.core.testing import PersonaTestCase
from puente.referrals import services
from puente.referrals.models import CheckBackLink, Referral
from puente.referrals.tests.util import make_listing, make_referral
from puente.tasks.models import Notification, Task


class CheckBack(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.patient.phone = "505-555-0142"
        cls.patient.phone_may_text = True
        cls.patient.save()
        cls.listing = make_listing(cls.partner_org, "Emergency food boxes")
        cls.referral = make_referral(
            cls.patient, cls.alice, cls.listing, "accepted", accepted_at=timezone.now() - timedelta(days=8)
        )

    def setUp(self):
        messaging.outbox.clear()

    def run_command(self) -> str:
        out = StringIO()
        with self.captureOnCommitCallbacks(execute=True):
            call_command("send_referral_checkbacks", stdout=out)
        return out.getvalue()

    def token(self) -> str:
        body = messaging.outbox[-1].body
        return re.search(r"/r/([^/\s]+)/", body).group(1)

    def test_it_sends_once_with_no_phi(self):
        self.assertIn("sms: 1", self.run_command())
        self.assertEqual(len(messaging.outbox), 1)
        message = messaging.outbox[0]
        self.assertEqual(message.to, "505-555-0142")
        for phi in ("María", "García", "food", "Food", "Roadrunner"):
            with self.subTest(phi=phi):
                self.assertNotIn(phi, message.body)
        self.assertIn("nothing due", self.run_command())
        self.assertEqual(len(messaging.outbox), 1)

    def test_it_waits_for_the_configured_days(self):
        Referral.objects.filter(pk=self.referral.pk).update(accepted_at=timezone.now() - timedelta(days=6))
        self.assertIn("nothing due", self.run_command())
        with override_settings(PUENTE_CHECKBACK_DAYS=5):
            self.assertIn("sms: 1", self.run_command())

    def test_it_is_in_the_patients_language(self):
        self.patient.preferred_language = "es"
        self.patient.save()
        self.run_command()
        page = self.client.get(reverse("referrals:checkback", args=[self.token()]))
        self.assertEqual(page.context["lang"], "es")
        self.assertContains(page, 'lang="es"')
        # Spanish wording arrives with the central translation pass; until then this fails.
        self.assertNotIn("Your care team", messaging.outbox[0].body)

    def test_the_answer_lands_on_the_referral_and_the_link_is_single_use(self):
        self.run_command()
        url = reverse("referrals:checkback", args=[self.token()])
        page = self.client.get(url)
        self.assertContains(page, "Did you get help from Emergency food boxes?")
        self.assertNotContains(page, "García")
        page = self.client.post(url, {"answer": "", "reason": ""})
        self.assertContains(page, "Please choose an answer.")
        page = self.client.post(url, {"answer": "no", "reason": "waitlisted"})
        self.assertContains(page, "Thank you")
        self.referral.refresh_from_db()
        self.assertEqual(
            (self.referral.checkback_answer, self.referral.checkback_reason, self.referral.outcome),
            ("no", "waitlisted", "not_met"),
        )
        self.assertTrue(self.referral.outcome_from_patient)
        self.assertTrue(Notification.objects.filter(user=self.alice, kind="referral").exists())
        self.assertEqual(self.client.get(url).status_code, 410)
        self.assertEqual(self.client.post(url, {"answer": "yes"}).status_code, 410)
        self.client.force_login(self.alice)
        page = self.client.get(reverse("referrals:detail", args=[self.referral.pk]))
        self.assertContains(page, "Need not met")
        self.assertContains(page, "as the patient answered")

    def test_the_workers_outcome_is_not_overwritten(self):
        services.record_outcome(None, self.referral, outcome="met", user=self.alice)
        self.run_command()
        self.client.post(reverse("referrals:checkback", args=[self.token()]), {"answer": "partly"})
        self.referral.refresh_from_db()
        self.assertEqual((self.referral.outcome, self.referral.checkback_answer), ("met", "partly"))

    def test_an_expired_or_unknown_link_is_refused(self):
        self.run_command()
        token = self.token()
        CheckBackLink.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
        self.assertEqual(self.client.get(reverse("referrals:checkback", args=[token])).status_code, 410)
        self.assertEqual(self.client.get(reverse("referrals:checkback", args=["not-a-token"])).status_code, 404)

    def test_without_phone_or_email_the_worker_gets_a_task(self):
        self.patient.phone_may_text = False
        self.patient.save()
        self.assertIn("task: 1", self.run_command())
        self.assertEqual(messaging.outbox, [])
        task = Task.objects.get(source="referral_checkback", source_id=str(self.referral.pk))
        self.assertEqual((task.assignee, task.patient), (self.alice, self.patient))


class StallTasks(PersonaTestCase):
    def test_a_stalled_referral_gets_one_follow_up_task(self):
        listing = make_listing(self.partner_org)
        stalled = make_referral(
            self.patient, self.alice, listing, "requested", requested_at=timezone.now() - timedelta(days=10)
        )
        make_referral(self.patient, self.alice, listing, "requested")  # just sent: not stalled
        out = StringIO()
        call_command("send_referral_checkbacks", stdout=out)
        self.assertIn("stalled follow-up tasks: 1", out.getvalue())
        task = Task.objects.get(source="referral_stalled")
        self.assertEqual(
            (task.source_id, task.assignee, task.patient), (f"{stalled.pk}:requested", self.alice, self.patient)
        )
        self.assertEqual(services.create_stall_tasks(), 0)
        # Accepted but silent for weeks: a new task for the new status.
        Referral.objects.filter(pk=stalled.pk).update(
            status="accepted",
            accepted_at=timezone.now() - timedelta(days=20),
            last_partner_update_at=timezone.now() - timedelta(days=20),
        )
        self.assertEqual(services.create_stall_tasks(), 1)


class HourlySchedule(TestCase):
    """`make run` schedules the check-backs on the database queue; the chain never doubles."""

    @override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}})
    def test_the_database_queue_holds_exactly_one_waiting_run(self):
        from django_tasks_db.models import DBTaskResult

        from puente.referrals.jobs import schedule_next_checkbacks

        now = timezone.now()
        self.assertTrue(schedule_next_checkbacks(now))
        self.assertFalse(schedule_next_checkbacks(now))
        waiting = DBTaskResult.objects.get(task_path="puente.referrals.jobs.send_referral_checkbacks")
        self.assertEqual(waiting.run_after, now + timedelta(minutes=60))
        self.assertEqual(waiting.args_kwargs["kwargs"], {"reschedule": True})
