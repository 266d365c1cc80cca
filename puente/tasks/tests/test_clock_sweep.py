"""The sweep: clock tasks from real events (once), reminders before a deadline, escalation after it (once).

Times are frozen by passing `now` to the sweep; nothing sleeps.
"""

from datetime import date, datetime, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

from django.core import mail
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from puente.audit.models import AuditEvent
from puente.core.testing import PersonaTestCase, make_episode, make_patient, make_sw_referral
from puente.tasks import clock_sweep
from puente.tasks.jobs import schedule_next_sweep
from puente.tasks.models import Notification, Task

DEN = ZoneInfo("America/Denver")


def den(*args) -> datetime:
    return datetime(*args, tzinfo=DEN)


def clock_tasks(**filters):
    return Task.objects.filter(source__startswith="clock:", **filters)


class ClockTasks(PersonaTestCase):
    def setUp(self):
        # The persona's inpatient episode started "a day ago" in real time; keep it out of the frozen clock.
        self.episode.start = den(2025, 1, 1, 8, 0)
        self.episode.save(update_fields=["start"])

    def test_it_creates_each_clock_task_once_with_its_due_time(self):
        now = den(2026, 3, 9, 12, 0)
        referral = make_sw_referral(self.patient, team=self.team, assigned_to=self.alice, status="assigned")
        referral.received_at = den(2026, 3, 7, 10, 0)
        referral.save(update_fields=["received_at"])
        admitted = make_patient(self.org, "Ana", "Admitida")
        admission = make_episode(admitted, team=self.team, worker=self.bob, start=den(2026, 3, 6, 22, 0))
        hospice_pt = make_patient(self.org, "Hilda", "Hospicio")
        election = make_episode(
            hospice_pt, team=self.other_team, worker=self.charlie, setting="hospice", start=den(2026, 2, 20, 9, 0)
        )
        hh_pt = make_patient(self.org, "Homero", "Casa")
        hh_episode = make_episode(hh_pt, team=self.team, setting="home_health", start=den(2026, 3, 1, 9, 0))
        hh_referral = make_sw_referral(hh_pt, team=self.team, episode=hh_episode)
        hh_referral.received_at = den(2026, 3, 8, 1, 30)
        hh_referral.save(update_fields=["received_at"])

        result = clock_sweep.run_clocks(now)

        expected = {
            ("hospital_sw_assessment", str(referral.pk)): (den(2026, 3, 8, 11, 0), self.alice),  # 24 real hours
            ("important_message", str(admission.pk)): (den(2026, 3, 8, 23, 59), self.bob),
            ("hospice_psychosocial_assessment", str(election.pk)): (den(2026, 2, 25, 23, 59), self.charlie),
            ("hospice_idg_review", f"{election.pk}:1"): (den(2026, 3, 7, 23, 59), self.charlie),
            ("hospice_idg_review", f"{election.pk}:2"): (den(2026, 3, 22, 23, 59), self.charlie),
            # Nobody assigned yet: the team supervisor owns the deadline.
            ("home_health_sw_evaluation", str(hh_referral.pk)): (den(2026, 3, 13, 23, 59), self.sam),
        }
        found = {(t.source.removeprefix("clock:"), t.source_id): (t.due_at, t.assignee) for t in clock_tasks()}
        self.assertEqual(found, expected)
        self.assertEqual(result.created, len(expected))
        self.assertEqual(
            AuditEvent.objects.filter(action="create", object_type="tasks.task", actor_label="system:clocks").count(),
            len(expected),
        )
        again = clock_sweep.run_clocks(now)
        self.assertEqual((again.created, clock_tasks().count()), (0, len(expected)))

    def test_it_hands_an_open_clock_task_to_the_worker_assigned_later(self):
        now = den(2026, 6, 1, 12, 0)
        referral = make_sw_referral(self.patient, team=self.team)
        referral.received_at = den(2026, 6, 1, 9, 0)
        referral.save(update_fields=["received_at"])
        clock_sweep.run_clocks(now)
        self.assertEqual(clock_tasks().get().assignee, self.sam)
        referral.assigned_to = self.bob
        referral.save(update_fields=["assigned_to"])
        self.assertEqual(clock_sweep.run_clocks(now).reassigned, 1)
        self.assertEqual(clock_tasks().get().assignee, self.bob)

    def test_it_cancels_the_open_clock_tasks_of_a_cancelled_referral_or_episode(self):
        now = den(2026, 6, 1, 12, 0)
        referral = make_sw_referral(self.patient, team=self.team, assigned_to=self.alice)
        referral.received_at = den(2026, 6, 1, 8, 0)
        referral.save(update_fields=["received_at"])
        hospice = make_episode(
            make_patient(self.org, "Ele", "Gida"), team=self.team, worker=self.bob, setting="hospice", start=now
        )
        kept = make_sw_referral(make_patient(self.org, "Quedo", "Abierto"), team=self.team)
        kept.received_at = den(2026, 6, 1, 9, 0)
        kept.save(update_fields=["received_at"])
        self.assertEqual(clock_sweep.run_clocks(now).created, 4)
        referral.status = "cancelled"
        referral.save(update_fields=["status"])
        hospice.status = "cancelled"
        hospice.save(update_fields=["status"])
        result = clock_sweep.run_clocks(now)
        self.assertEqual((result.created, result.cancelled), (0, 3))
        self.assertEqual(
            sorted(clock_tasks(status="cancelled").values_list("source", flat=True)),
            ["clock:hospice_idg_review", "clock:hospice_psychosocial_assessment", "clock:hospital_sw_assessment"],
        )
        self.assertEqual(clock_tasks(status="open").get().source_id, str(kept.pk))
        self.assertEqual(clock_sweep.run_clocks(now).cancelled, 0)

    def test_it_schedules_bereavement_after_a_hospice_death(self):
        hospice_pt = make_patient(self.org, "Rosa", "Difunta", deceased_date=date(2026, 1, 31))
        make_episode(
            hospice_pt,
            team=self.other_team,
            worker=self.charlie,
            setting="hospice",
            start=den(2025, 12, 1, 9, 0),
            status="finished",
            end=den(2026, 1, 31, 6, 0),
        )
        make_episode(  # an earlier hospice stay of the same patient: still one bereavement plan
            hospice_pt, team=self.other_team, setting="hospice", start=den(2025, 6, 1, 9, 0), status="finished"
        )
        clock_sweep.run_clocks(den(2026, 2, 1, 8, 0))
        self.assertEqual(set(clock_tasks(patient=hospice_pt).values_list("assignee", flat=True)), {self.charlie.pk})
        dues = sorted((t.source.removeprefix("clock:"), t.due_at) for t in clock_tasks(patient=hospice_pt))
        self.assertEqual(
            dues,
            [
                ("bereavement_contact", den(2026, 2, 5, 23, 59)),
                ("bereavement_follow_up", den(2026, 2, 28, 23, 59)),
                ("bereavement_follow_up", den(2026, 4, 30, 23, 59)),
                ("bereavement_follow_up", den(2026, 7, 31, 23, 59)),
                ("bereavement_follow_up", den(2026, 10, 31, 23, 59)),
                ("bereavement_follow_up", den(2027, 2, 28, 23, 59)),
            ],
        )

    def test_it_ignores_closed_referrals_cancelled_episodes_and_old_events(self):
        now = den(2026, 6, 1, 12, 0)
        closed = make_sw_referral(self.patient, team=self.team, status="closed")
        closed.received_at = den(2026, 6, 1, 8, 0)
        closed.save(update_fields=["received_at"])
        old = make_sw_referral(self.patient, team=self.team)
        old.received_at = den(2026, 4, 1, 8, 0)  # past the 30-day look-back
        old.save(update_fields=["received_at"])
        make_episode(make_patient(self.org, "Cy", "Cancelado"), setting="hospice", start=now, status="cancelled")
        self.assertEqual(clock_sweep.run_clocks(now).created, 0)

    def test_it_asks_for_the_important_message_only_for_medicare_or_unknown_coverage(self):
        now = den(2026, 6, 1, 12, 0)
        for insurance, expected in [
            ("medicare", 1),
            ("medicare_advantage", 1),
            ("dual", 1),
            ("unknown", 1),
            ("medicaid", 0),
            ("private", 0),
            ("va_ihs", 0),
            ("uninsured", 0),
        ]:
            with self.subTest(insurance=insurance):
                p = make_patient(self.org, "Ines", insurance.title(), insurance=insurance)
                make_episode(p, team=self.team, worker=self.alice, start=den(2026, 6, 1, 8, 0))
                clock_sweep.run_clocks(now)
                self.assertEqual(clock_tasks(patient=p, source="clock:important_message").count(), expected)

    @override_settings(PUENTE_CLOCK_RULES={"hospital_sw_assessment": {"amount": 12, "unit": "hours"}})
    def test_it_reads_the_rule_table_from_settings(self):
        referral = make_sw_referral(self.patient, team=self.team, assigned_to=self.alice)
        referral.received_at = den(2026, 6, 1, 8, 0)
        referral.save(update_fields=["received_at"])
        clock_sweep.run_clocks(den(2026, 6, 1, 9, 0))
        self.assertEqual(clock_tasks().get().due_at, den(2026, 6, 1, 20, 0))


class RemindersAndEscalation(PersonaTestCase):
    def make_task(self, due_at, **extra):
        extra.setdefault("source", "clock:hospital_sw_assessment")
        extra.setdefault("source_id", str(self.patient.pk))
        extra.setdefault("title", "Social-work assessment (within 24 hours of referral)")
        return Task.objects.create(
            organization=self.org, patient=self.patient, assignee=self.alice, due_at=due_at, **extra
        )

    def test_it_reminds_the_assignee_once_before_the_deadline_without_phi_in_email(self):
        now = den(2026, 6, 1, 12, 0)
        task = self.make_task(now + timedelta(hours=3))
        self.make_task(now + timedelta(hours=5), source_id="later")  # outside the 4-hour window
        with self.captureOnCommitCallbacks(execute=True):
            result = clock_sweep.send_reminders(now)
        self.assertEqual(result.reminded, 1)
        note = Notification.objects.get(user=self.alice, kind="task_due_soon")
        self.assertIn("Social-work assessment", note.text)
        self.assertNotIn(self.patient.legal_family_name, note.text)
        self.assertEqual(len(mail.outbox), 1)
        self.assertNotIn(self.patient.legal_family_name, mail.outbox[0].body + mail.outbox[0].subject)
        self.assertNotIn("assessment", mail.outbox[0].body)
        task.refresh_from_db()
        self.assertEqual(task.reminded_at, now)
        self.assertEqual(clock_sweep.send_reminders(now + timedelta(minutes=30)).reminded, 0)
        self.assertEqual(Notification.objects.filter(kind="task_due_soon").count(), 1)

    def test_it_never_puts_a_hand_written_title_in_a_notification(self):
        now = den(2026, 6, 1, 12, 0)
        self.make_task(now + timedelta(hours=1), source="", source_id="", title="Call María García's daughter")
        clock_sweep.send_reminders(now)
        note = Notification.objects.get(user=self.alice)
        self.assertNotIn("García", note.text)

    def test_it_escalates_an_overdue_task_to_the_team_supervisor_once(self):
        now = den(2026, 6, 1, 12, 0)
        task = self.make_task(now - timedelta(minutes=1))
        on_time = self.make_task(now + timedelta(days=2), source_id="fine")
        result = clock_sweep.send_reminders(now)
        self.assertEqual(result.escalated, 1)
        note = Notification.objects.get(kind="task_overdue")
        self.assertEqual(note.user, self.sam)
        self.assertIn("Alice Worker", note.text)
        self.assertEqual(note.url, reverse("caseload:team"))
        self.assertFalse(Notification.objects.filter(user=self.alice, kind="task_overdue").exists())
        task.refresh_from_db()
        on_time.refresh_from_db()
        self.assertEqual((task.escalated_at, on_time.escalated_at), (now, None))
        self.assertEqual(clock_sweep.send_reminders(now + timedelta(hours=6)).escalated, 0)
        self.assertEqual(Notification.objects.filter(kind="task_overdue").count(), 1)

    def test_it_does_not_escalate_done_tasks(self):
        now = den(2026, 6, 1, 12, 0)
        self.make_task(now - timedelta(hours=1), status=Task.Status.DONE)
        self.assertEqual(clock_sweep.send_reminders(now).escalated, 0)

    def test_the_command_runs_the_whole_sweep_and_is_idempotent(self):
        referral = make_sw_referral(self.patient, team=self.team, assigned_to=self.alice, hours_ago=30)
        out = StringIO()
        call_command("run_clocks", stdout=out)
        # The referral's 24-hour assessment (already late) and the persona's admission's Important Message.
        self.assertIn("clock tasks created: 2", out.getvalue())
        self.assertIn("escalations: 1", out.getvalue())
        task = clock_tasks().get(source_id=str(referral.pk))
        self.assertLess(task.due_at, timezone.now())
        out = StringIO()
        call_command("run_clocks", "--schedule", stdout=out)
        self.assertIn("clock tasks created: 0", out.getvalue())
        self.assertIn("escalations: 0", out.getvalue())

    def test_the_immediate_backend_queues_no_deferred_sweep(self):
        # Tests run jobs at once (ImmediateBackend cannot defer); db_worker's backend can.
        self.assertFalse(schedule_next_sweep())


class CompletingTasks(PersonaTestCase):
    def test_it_lets_only_the_assignee_mark_a_task_done(self):
        task = Task.objects.create(
            organization=self.org, patient=self.patient, assignee=self.alice, title="t", due_at=timezone.now()
        )
        url = reverse("tasks:done", args=[task.pk])
        for persona in (self.bob, self.sam, self.carol, self.olga, self.pat):
            with self.subTest(persona=persona.full_name):
                self.client.force_login(persona)
                self.assertEqual(self.client.post(url, {"note": "x"}).status_code, 404)
        self.client.force_login(self.alice)
        self.assertEqual(self.client.get(url).status_code, 405)
        self.assertRedirects(
            self.client.post(url, {"note": "Assessment charted"}), "/dashboard/", fetch_redirect_response=False
        )
        task.refresh_from_db()
        self.assertEqual(
            (task.status, task.completion_note, task.completed_by), ("done", "Assessment charted", self.alice)
        )
        self.assertTrue(AuditEvent.objects.filter(object_id=str(task.pk), action="update", actor=self.alice).exists())

    def test_the_dashboard_says_overdue_and_due_soon_in_words(self):
        now = timezone.now()
        Task.objects.create(
            organization=self.org,
            assignee=self.alice,
            title="Late clock",
            due_at=now - timedelta(hours=1),
            source="clock:important_message",
            source_id="a",
        )
        Task.objects.create(organization=self.org, assignee=self.alice, title="Soon", due_at=now + timedelta(hours=1))
        self.client.force_login(self.alice)
        page = self.client.get(reverse("episodes:dashboard"), HTTP_ACCEPT_LANGUAGE="en")
        self.assertContains(page, "Overdue since")
        self.assertContains(page, "Due soon:")
        self.assertContains(page, "1 task is overdue.")


class Scheduling(PersonaTestCase):
    def test_the_job_runs_the_sweep(self):
        from puente.tasks.jobs import clock_sweep as job

        make_sw_referral(self.patient, team=self.team, assigned_to=self.alice, hours_ago=2)
        result = job.enqueue()
        self.assertEqual(result.return_value["created"], 2)  # the assessment and the Important Message

    @override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}})
    def test_the_database_queue_holds_exactly_one_waiting_sweep(self):
        from django_tasks_db.models import DBTaskResult

        now = timezone.now()
        self.assertTrue(schedule_next_sweep(now))
        self.assertFalse(schedule_next_sweep(now))
        waiting = DBTaskResult.objects.get(task_path="puente.tasks.jobs.clock_sweep")
        self.assertEqual(waiting.status, "READY")
        self.assertEqual(waiting.run_after, now + timedelta(minutes=5))
