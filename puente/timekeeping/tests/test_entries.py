"""Writing time: entries by hand, the timer, overlaps, bad input, closed months, audit and history."""

from datetime import date, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from puente.audit.models import AuditEvent
from puente.core.testing import PersonaTestCase, make_episode, make_patient
from puente.timekeeping import services
from puente.timekeeping.models import ClosedMonth, TimeEntry

from .util import add_entry, local


class TimeEntryTests(PersonaTestCase):
    def test_it_records_minutes_and_the_local_date(self):
        # 23:30 in Denver on 31 October is 1 November in UTC: the billing month is October.
        entry = add_entry(self.alice, self.patient, local(2026, 10, 31, 23, 30), 20)
        self.assertEqual((entry.minutes, entry.service_date), (20, date(2026, 10, 31)))
        self.assertEqual(entry.started_at.astimezone(timezone.UTC).date(), date(2026, 11, 1))
        self.assertEqual(entry.organization_id, self.org.pk)
        self.assertEqual(entry.setting, "inpatient")

    def test_it_audits_creation_and_edits_and_keeps_history(self):
        entry = add_entry(self.alice, self.patient, local(2026, 10, 5), 30)
        services.update_time_entry(
            None,
            entry,
            activity="phone",
            started_at=entry.started_at,
            ended_at=entry.started_at + timedelta(minutes=45),
            user=self.alice,
        )
        events = list(AuditEvent.objects.filter(object_id=str(entry.pk)).order_by("at"))
        self.assertEqual([e.action for e in events], ["create", "update"])
        self.assertEqual(events[1].detail["fields"], ["activity", "ended_at", "minutes"])
        self.assertEqual(events[1].patient_id, self.patient.pk)
        self.assertEqual([h.minutes for h in entry.history.order_by("history_date")], [30, 45])

    def test_it_refuses_an_end_before_the_start(self):
        start = local(2026, 10, 5)
        with self.assertRaises(services.TimeError) as ctx:
            services.create_time_entry(
                None, patient=self.patient, activity="phone", started_at=start, ended_at=start, user=self.alice
            )
        self.assertIn("end_time", ctx.exception.errors)
        self.assertFalse(TimeEntry.objects.exists())

    def test_it_refuses_the_future(self):
        start = timezone.now() + timedelta(hours=1)
        with self.assertRaisesMessage(services.TimeError, "future"):
            add_entry(self.alice, self.patient, start, 10)

    def test_it_refuses_an_entry_over_twelve_hours(self):
        with self.assertRaises(services.TimeError):
            add_entry(self.alice, self.patient, local(2026, 10, 5, 6), 12 * 60 + 1)
        self.assertEqual(add_entry(self.alice, self.patient, local(2026, 10, 6, 6), 12 * 60).minutes, 720)

    def test_it_refuses_overlapping_entries_of_one_worker(self):
        add_entry(self.alice, self.patient, local(2026, 10, 5, 9), 60)
        for start, minutes in [
            (local(2026, 10, 5, 9, 30), 10),
            (local(2026, 10, 5, 8, 30), 31),
            (local(2026, 10, 5, 8), 180),
        ]:
            with self.assertRaisesMessage(services.TimeError, "overlaps your entry"):
                add_entry(self.alice, self.patient, start, minutes)
        # Back to back is fine, and another worker's time may coincide.
        add_entry(self.alice, self.patient, local(2026, 10, 5, 10), 15)
        add_entry(self.alice, self.patient, local(2026, 10, 5, 8, 30), 30)
        add_entry(self.bob, self.patient, local(2026, 10, 5, 9), 60)
        self.assertEqual(TimeEntry.objects.count(), 4)

    def test_it_refuses_an_edit_that_overlaps_another_entry(self):
        add_entry(self.alice, self.patient, local(2026, 10, 5, 9), 60)
        second = add_entry(self.alice, self.patient, local(2026, 10, 5, 11), 30)
        with self.assertRaisesMessage(services.TimeError, "overlaps"):
            services.update_time_entry(
                None,
                second,
                activity="phone",
                started_at=local(2026, 10, 5, 9, 45),
                ended_at=local(2026, 10, 5, 11, 30),
                user=self.alice,
            )

    def test_only_the_worker_changes_or_removes_an_entry(self):
        entry = add_entry(self.alice, self.patient, local(2026, 10, 5), 30)
        with self.assertRaises(services.TimeError):
            services.update_time_entry(
                None, entry, activity="phone", started_at=entry.started_at, ended_at=entry.ended_at, user=self.bob
            )
        with self.assertRaises(services.TimeError):
            services.delete_time_entry(None, entry, user=self.bob)
        services.delete_time_entry(None, entry, user=self.alice)
        self.assertFalse(TimeEntry.objects.exists())
        self.assertEqual(entry.history.count(), 2)  # created, deleted

    def test_time_without_a_patient_cannot_be_billed(self):
        with self.assertRaises(services.TimeError) as ctx:
            add_entry(self.alice, None, local(2026, 10, 5), 30, activity="travel", billing_code="chi")
        self.assertIn("billing", ctx.exception.errors)
        self.assertIsNone(add_entry(self.alice, None, local(2026, 10, 5), 30, activity="travel").patient)


class BillingCodeCheckTests(PersonaTestCase):
    def test_g0136_only_for_dates_before_2026(self):
        ok = add_entry(self.alice, self.patient, local(2025, 12, 31, 23, 0), 15, activity="phone", billing_code="g0136")
        self.assertEqual(ok.billing, "g0136")
        with self.assertRaises(services.TimeError) as ctx:
            add_entry(self.alice, self.patient, local(2026, 1, 1, 0, 0), 15, activity="phone", billing_code="g0136")
        self.assertIn("before 1 January 2026", ctx.exception.errors["billing"][0])

    def test_g0155_needs_home_health_or_hospice(self):
        with self.assertRaisesMessage(services.TimeError, "home health or hospice"):
            add_entry(self.alice, self.patient, local(2026, 10, 5), 20, billing_code="g0155")
        hospice_patient = make_patient(self.org, "Rosa", "Baca")
        make_episode(hospice_patient, team=self.team, worker=self.alice, setting="hospice")
        entry = add_entry(self.alice, hospice_patient, local(2026, 10, 5), 20, activity="phone", billing_code="g0155")
        self.assertEqual((entry.setting, entry.billing), ("hospice", "g0155"))
        with self.assertRaisesMessage(services.TimeError, "counts visits"):
            add_entry(
                self.alice, hospice_patient, local(2026, 10, 6), 20, activity="documentation", billing_code="g0155"
            )


class TimerTests(PersonaTestCase):
    def test_it_starts_and_stops_a_timer(self):
        start = timezone.now() - timedelta(minutes=40)
        entry = services.start_timer(None, self.patient, "home_visit", user=self.alice, now=start)
        self.assertTrue(entry.is_running)
        # A reload finds it again: the timer is a row, not browser state.
        self.assertEqual(services.running_timer(self.alice), entry)
        stopped = services.stop_timer(None, user=self.alice, now=start + timedelta(minutes=22, seconds=40))
        self.assertEqual((stopped.minutes, stopped.is_running), (23, False))
        self.assertIsNone(services.running_timer(self.alice))
        actions = list(AuditEvent.objects.filter(object_id=str(entry.pk)).values_list("action", flat=True))
        self.assertEqual(sorted(actions), ["create", "update"])

    def test_a_timer_stopped_at_once_counts_one_minute(self):
        now = timezone.now()
        services.start_timer(None, self.patient, "phone", user=self.alice, now=now)
        self.assertEqual(services.stop_timer(None, user=self.alice, now=now + timedelta(seconds=5)).minutes, 1)

    def test_one_running_timer_per_worker(self):
        services.start_timer(None, self.patient, "phone", user=self.alice)
        with self.assertRaisesMessage(services.TimeError, "already running"):
            services.start_timer(None, self.patient, "phone", user=self.alice)
        services.start_timer(None, self.patient, "phone", user=self.bob)  # another worker may
        # The database refuses it too, should two requests slip past the check.
        with self.assertRaises(IntegrityError), transaction.atomic():
            TimeEntry.objects.create(
                organization=self.org,
                patient=self.patient,
                worker=self.alice,
                activity="phone",
                started_at=timezone.now(),
                service_date=timezone.localdate(),
            )

    def test_an_entry_by_hand_cannot_overlap_the_running_timer(self):
        now = timezone.now()
        services.start_timer(None, self.patient, "phone", user=self.alice, now=now - timedelta(minutes=30))
        with self.assertRaisesMessage(services.TimeError, "running timer"):
            add_entry(self.alice, self.patient, now - timedelta(minutes=20), 10)
        add_entry(self.alice, self.patient, now - timedelta(minutes=90), 60)

    def test_a_timer_cannot_start_inside_an_entry(self):
        now = timezone.now()
        add_entry(self.alice, self.patient, now - timedelta(minutes=30), 33)  # ends 3 min from now (clock slack)
        with self.assertRaisesMessage(services.TimeError, "overlaps"):
            services.start_timer(None, self.patient, "phone", user=self.alice, now=now)

    def test_discard_removes_the_running_timer(self):
        services.start_timer(None, self.patient, "phone", user=self.alice)
        services.discard_timer(None, user=self.alice)
        self.assertFalse(TimeEntry.objects.exists())
        with self.assertRaisesMessage(services.TimeError, "No timer"):
            services.stop_timer(None, user=self.alice)


class ClosedMonthTests(PersonaTestCase):
    def test_a_closed_month_locks_its_entries(self):
        entry = add_entry(self.alice, self.patient, local(2026, 9, 30, 22), 30)
        services.close_month(None, date(2026, 9, 1), user=self.sam)
        self.assertTrue(ClosedMonth.objects.filter(organization=self.org, month=date(2026, 9, 1)).exists())
        with self.assertRaisesMessage(services.TimeError, "2026-09 is closed"):
            add_entry(self.alice, self.patient, local(2026, 9, 12), 30)
        with self.assertRaisesMessage(services.TimeError, "closed"):
            services.delete_time_entry(None, entry, user=self.alice)
        # Neither can an entry be moved out of, or into, the closed month.
        with self.assertRaisesMessage(services.TimeError, "closed"):
            services.update_time_entry(
                None,
                entry,
                activity="phone",
                started_at=local(2026, 10, 1, 9),
                ended_at=local(2026, 10, 1, 10),
                user=self.alice,
            )
        october = add_entry(self.alice, self.patient, local(2026, 10, 1, 9), 30)
        with self.assertRaisesMessage(services.TimeError, "closed"):
            services.update_time_entry(
                None,
                october,
                activity="phone",
                started_at=local(2026, 9, 29, 9),
                ended_at=local(2026, 9, 29, 10),
                user=self.alice,
            )
        # October is open; the other organization is not affected.
        self.assertFalse(services.month_is_closed(self.other_org.pk, date(2026, 9, 1)))

    def test_a_month_closes_once_and_not_before_it_starts(self):
        services.close_month(None, date(2026, 9, 1), user=self.sam)
        with self.assertRaisesMessage(services.TimeError, "already closed"):
            services.close_month(None, date(2026, 9, 1), user=self.ada)
        this_month = timezone.localdate().replace(day=1)
        next_month = (this_month + timedelta(days=32)).replace(day=1)
        for month in (this_month, next_month):
            with self.assertRaisesMessage(services.TimeError, "once it has ended"):
                services.close_month(None, month, user=self.sam)
