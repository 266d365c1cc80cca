"""Time pages: who may see whose time, the roll-up, the timer over htmx, bad input, constant query counts, the
CSV export (audited, formula-safe) and month closing."""

import csv
import io
from datetime import date

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from puente.audit.models import AuditEvent
from puente.core.testing import PersonaTestCase, make_episode, make_patient
from puente.timekeeping import services
from puente.timekeeping.models import BillingProgram, ClosedMonth, TimeEntry

from .util import add_entry, local

OCT = "?month=2026-10"


class PatientTimePageTests(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.url = reverse("timekeeping:patient", args=[cls.patient.pk])
        cls.entry = add_entry(cls.alice, cls.patient, local(2026, 10, 5), 35, note="Met with daughter")

    def test_it_shows_the_month_to_the_care_relationship(self):
        for user in (self.alice, self.bob, self.sam):
            self.client.force_login(user)
            response = self.client.get(self.url + OCT)
            self.assertEqual(response.status_code, 200, user)
            self.assertContains(response, "Met with daughter")
            self.assertContains(response, "35 minutes")

    def test_it_denies_who_has_no_access_to_the_patient(self):
        for user in (self.charlie, self.pat, self.ada, self.olga):
            self.client.force_login(user)
            self.assertEqual(self.client.get(self.url + OCT).status_code, 404, user)

    def test_it_denies_roles_that_keep_no_time(self):
        for user in (self.carol, self.ian):
            self.client.force_login(user)
            self.assertEqual(self.client.get(self.url + OCT).status_code, 403, user)
            self.assertEqual(
                self.client.post(reverse("timekeeping:timer_start", args=[self.patient.pk])).status_code, 403
            )

    def test_it_writes_one_audit_read(self):
        self.client.force_login(self.alice)
        before = AuditEvent.objects.count()
        self.client.get(self.url + OCT)
        events = list(AuditEvent.objects.order_by("-at")[: AuditEvent.objects.count() - before])
        self.assertEqual(
            [(e.action, e.patient_id, e.detail) for e in events], [("read", self.patient.pk, {"view": "time"})]
        )

    def test_its_query_count_does_not_grow_with_entries(self):
        self.client.force_login(self.alice)
        self.client.get(self.url + OCT)  # warm-up: the first request of a session loads more
        with CaptureQueriesContext(connection) as one:
            self.client.get(self.url + OCT)
        for day in range(6, 16):
            add_entry(self.bob, self.patient, local(2026, 10, day), 20, billing_code="chi")
        with CaptureQueriesContext(connection) as many:
            response = self.client.get(self.url + OCT)
        self.assertContains(response, "Bob Teammate")
        self.assertEqual(len(one), len(many))

    def test_it_adds_time_by_hand(self):
        self.client.force_login(self.alice)
        data = {"activity": "phone", "date": "2026-10-07", "start_time": "14:00", "minutes": "25", "note": "Called"}
        response = self.client.post(self.url, data)
        entry = TimeEntry.objects.get(note="Called")
        self.assertRedirects(response, self.url + OCT)
        self.assertEqual((entry.minutes, entry.worker, entry.patient), (25, self.alice, self.patient))

    def test_an_entry_links_to_a_note_of_the_patient_only(self):
        from puente.notes import services as notes

        note = notes.start_note(None, self.patient, "dap", user=self.alice)
        other = make_patient(self.org, "Ana", "Luna")
        make_episode(other, team=self.team, worker=self.alice)
        foreign = notes.start_note(None, other, "dap", user=self.alice)
        self.client.force_login(self.alice)
        data = {"activity": "phone", "date": "2026-10-08", "start_time": "14:00", "minutes": "25"}
        response = self.client.post(self.url, {**data, "progress_note": str(foreign.pk)})
        self.assertContains(response, "Select a valid choice", status_code=422)
        self.client.post(self.url, {**data, "progress_note": str(note.pk)})
        entry = TimeEntry.objects.get(service_date=date(2026, 10, 8))
        self.assertEqual(entry.progress_note, note)
        self.assertContains(self.client.get(self.url + OCT), reverse("notes:detail", args=[note.pk]))
        with self.assertRaisesMessage(services.TimeError, "Choose a note of this patient"):
            add_entry(self.alice, other, local(2026, 10, 9), 10)  # fine without a note
            services.create_time_entry(
                None, patient=other, activity="phone", started_at=local(2026, 10, 9, 12),
                ended_at=local(2026, 10, 9, 13), progress_note=note, user=self.alice,
            )  # fmt: skip

    def test_bad_input_is_refused_and_kept(self):
        self.client.force_login(self.alice)
        cases = [
            ({"start_time": "14:00", "end_time": "13:00"}, "The end must be after the start"),
            ({"start_time": "14:00"}, "Give the end time or the minutes."),
            ({"start_time": "14:00", "end_time": "15:00", "minutes": "60"}, "not both"),
            ({"start_time": "09:10", "minutes": "5"}, "overlaps your entry"),
            ({"date": "2099-01-01", "start_time": "09:00", "minutes": "5"}, "cannot be entered for the future"),
            ({"start_time": "16:00", "minutes": "10", "billing": "g0136"}, "before 1 January 2026"),
        ]
        for extra, message in cases:
            data = {"activity": "phone", "date": "2026-10-05", "note": "Kept text 1234", **extra}
            response = self.client.post(self.url, data)
            self.assertEqual(response.status_code, 422, extra)
            self.assertContains(response, message, status_code=422)
            self.assertContains(response, "Kept text 1234", status_code=422)
        self.assertEqual(TimeEntry.objects.count(), 1)

    def test_the_roll_up_names_the_codes_and_why_a_month_is_not_billable(self):
        hospice = make_patient(self.org, "Rosa", "Baca")
        make_episode(hospice, team=self.team, worker=self.alice, setting="hospice")
        add_entry(self.alice, hospice, local(2026, 10, 2), 23, billing_code="g0155")
        add_entry(self.alice, hospice, local(2026, 10, 3, 10), 45, activity="care_coordination", billing_code="chi")
        self.client.force_login(self.alice)
        url = reverse("timekeeping:patient", args=[hospice.pk]) + OCT
        response = self.client.get(url)
        self.assertContains(response, "23 min → 2 units")
        self.assertContains(response, "no consent documented by the end of the month")
        self.assertContains(response, "fewer than 60 minutes in the month")
        services.save_billing_program(
            None, hospice, "chi", user=self.alice, consent_on=date(2026, 10, 1), consent_method="verbal",
            initiating_visit_on=date(2026, 9, 20), initiating_visit_ref="E/M 9/20",
        )  # fmt: skip
        add_entry(self.alice, hospice, local(2026, 10, 4, 10), 45, activity="care_coordination", billing_code="chi")
        response = self.client.get(url)
        self.assertContains(response, "G0019 × 1")
        self.assertContains(response, "G0022 × 1")

    def test_the_enrolment_form_saves_and_audits(self):
        self.client.force_login(self.alice)
        url = reverse("timekeeping:program_save", args=[self.patient.pk, "pin"])
        data = {
            "pin-consent_on": "2026-10-01",
            "pin-consent_method": "written",
            "pin-initiating_visit_on": "2026-09-30",
        }
        self.assertRedirects(self.client.post(url, data), self.url)
        program = BillingProgram.objects.get(patient=self.patient, family="pin")
        self.assertEqual((program.consent_method, program.organization_id), ("written", self.org.pk))
        self.assertTrue(AuditEvent.objects.filter(object_id=str(program.pk), action="create").exists())
        # Consent without its method is refused, and nothing changes.
        response = self.client.post(url, {"pin-consent_on": "2026-10-02", "pin-consent_obtained_by": "Kept Name"})
        self.assertContains(response, "written or verbal", status_code=422)
        self.assertContains(response, 'value="Kept Name"', status_code=422)
        program.refresh_from_db()
        self.assertEqual(program.consent_on, date(2026, 10, 1))
        self.client.force_login(self.carol)
        self.assertEqual(self.client.post(url, data).status_code, 403)


class TimerPageTests(PersonaTestCase):
    def test_the_timer_starts_over_htmx_and_survives_a_reload(self):
        self.client.force_login(self.alice)
        start = reverse("timekeeping:timer_start", args=[self.patient.pk])
        response = self.client.post(start, {"activity": "phone"}, headers={"HX-Request": "true"})
        self.assertContains(response, "Stop the timer")
        self.assertNotContains(response, "<html")
        page = self.client.get(reverse("timekeeping:patient", args=[self.patient.pk]))
        self.assertContains(page, "Stop the timer")
        again = self.client.post(start, {"activity": "phone"}, headers={"HX-Request": "true"})
        self.assertContains(again, "Your timer is already running")  # and shows it; never a second one
        self.assertContains(again, "Stop the timer")
        self.assertEqual(TimeEntry.objects.filter(worker=self.alice).count(), 1)
        stop = self.client.post(
            reverse("timekeeping:timer_stop", args=[self.patient.pk]), headers={"HX-Request": "true"}
        )
        self.assertEqual(stop["HX-Redirect"], reverse("timekeeping:patient", args=[self.patient.pk]))
        self.assertEqual(TimeEntry.objects.get(worker=self.alice).minutes, 1)

    def test_a_timer_on_another_patient_is_shown_as_such(self):
        other = make_patient(self.org, "Ana", "Luna")
        make_episode(other, team=self.team, worker=self.alice)
        services.start_timer(None, other, "phone", user=self.alice)
        self.client.force_login(self.alice)
        response = self.client.get(reverse("timekeeping:patient", args=[self.patient.pk]))
        self.assertContains(response, "Your timer is running for another patient")

    def test_break_the_glass_is_read_only(self):
        from datetime import timedelta

        from django.utils import timezone

        from puente.patients.models import BreakGlassAccess

        BreakGlassAccess.objects.create(
            organization=self.org, user=self.charlie, patient=self.patient, reason="covering",
            expires_at=timezone.now() + timedelta(minutes=30),
        )  # fmt: skip
        self.client.force_login(self.charlie)
        self.assertEqual(self.client.get(reverse("timekeeping:patient", args=[self.patient.pk])).status_code, 200)
        self.assertEqual(
            self.client.post(
                reverse("timekeeping:timer_start", args=[self.patient.pk]), {"activity": "phone"}
            ).status_code,
            403,
        )


class EntryEditTests(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.entry = add_entry(cls.alice, cls.patient, local(2026, 10, 5), 35)
        cls.url = reverse("timekeeping:entry_edit", args=[cls.entry.pk])

    def test_only_the_worker_edits(self):
        self.client.force_login(self.alice)
        self.assertEqual(self.client.get(self.url).status_code, 200)
        self.client.force_login(self.bob)  # sees it (same patient) but did not enter it
        self.assertEqual(self.client.get(self.url).status_code, 403)
        for user in (self.charlie, self.carol, self.olga):
            self.client.force_login(user)
            self.assertEqual(self.client.get(self.url).status_code, 404, user)

    def test_it_saves_and_keeps_input_on_error(self):
        self.client.force_login(self.alice)
        data = {"activity": "video", "date": "2026-10-05", "start_time": "09:00", "end_time": "09:50", "note": "x"}
        self.client.post(self.url, data)
        self.entry.refresh_from_db()
        self.assertEqual((self.entry.minutes, self.entry.activity), (50, "video"))
        response = self.client.post(self.url, {**data, "end_time": "08:00", "note": "Keep me"})
        self.assertContains(response, "Keep me", status_code=422)

    def test_a_closed_month_cannot_be_edited(self):
        ClosedMonth.objects.create(organization=self.org, month=date(2026, 10, 1), closed_by=self.sam)
        self.client.force_login(self.alice)
        data = {"activity": "video", "date": "2026-10-05", "start_time": "09:00", "end_time": "09:50"}
        self.assertContains(self.client.post(self.url, data), "is closed for billing", status_code=422)
        self.client.post(reverse("timekeeping:entry_delete", args=[self.entry.pk]))
        self.assertTrue(TimeEntry.objects.filter(pk=self.entry.pk).exists())


class MyTimeTests(PersonaTestCase):
    url = reverse("timekeeping:mine")

    def test_a_worker_sees_only_their_own_month(self):
        add_entry(self.alice, self.patient, local(2026, 10, 5), 35, note="alice's")
        add_entry(self.bob, self.patient, local(2026, 10, 5), 20, note="bob's")
        self.client.force_login(self.alice)
        response = self.client.get(self.url + OCT)
        self.assertContains(response, "alice&#x27;s")
        self.assertNotContains(response, "bob&#x27;s")
        self.assertContains(response, "Total: 35 minutes")

    def test_it_is_for_timekeepers_only(self):
        for user in (self.carol, self.ian, self.pat, self.ada):
            self.client.force_login(user)
            self.assertEqual(self.client.get(self.url).status_code, 403, user)

    def test_time_without_a_patient(self):
        self.client.force_login(self.alice)
        data = {"activity": "travel", "date": "2026-10-05", "start_time": "08:00", "end_time": "08:40"}
        self.assertRedirects(self.client.post(self.url, data), self.url + OCT)
        self.assertIsNone(TimeEntry.objects.get(activity="travel").patient)

    def test_a_malformed_month_is_said(self):
        self.client.force_login(self.alice)
        self.assertContains(self.client.get(self.url + "?month=2026-13"), "is not a month")

    def test_its_query_count_does_not_grow_with_entries(self):
        self.client.force_login(self.alice)
        add_entry(self.alice, self.patient, local(2026, 10, 1), 10)
        self.client.get(self.url + OCT)
        with CaptureQueriesContext(connection) as one:
            self.client.get(self.url + OCT)
        for day in range(2, 12):
            add_entry(self.alice, self.patient if day % 2 else None, local(2026, 10, day), 10, activity="travel")
        with CaptureQueriesContext(connection) as many:
            self.client.get(self.url + OCT)
        self.assertEqual(len(one), len(many))


class TeamTimeTests(PersonaTestCase):
    url = reverse("timekeeping:team")
    export = reverse("timekeeping:export")

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.hospice = make_patient(cls.org, '=HYPERLINK("x")', "-Baca")
        make_episode(cls.hospice, team=cls.team, worker=cls.alice, setting="hospice")
        add_entry(cls.alice, cls.hospice, local(2026, 10, 2), 23, billing_code="g0155")
        add_entry(cls.alice, cls.patient, local(2026, 10, 3), 60, activity="care_coordination", billing_code="chi")
        other = make_patient(cls.org, "Otro", "Equipo")
        make_episode(other, team=cls.other_team, worker=cls.charlie)
        add_entry(cls.charlie, other, local(2026, 10, 2), 40, note="charlie's")

    def test_a_supervisor_sees_their_teams_and_an_admin_the_organization(self):
        self.client.force_login(self.sam)
        response = self.client.get(self.url + OCT)
        self.assertContains(response, "Alice Worker")
        self.assertNotContains(response, "Charlie Otherteam")
        self.client.force_login(self.ada)
        self.assertContains(self.client.get(self.url + OCT), "Charlie Otherteam")

    def test_it_denies_everyone_else(self):
        for user in (self.alice, self.bob, self.carol, self.ian, self.pat, self.olga):
            self.client.force_login(user)
            self.assertEqual(self.client.get(self.url).status_code, 403, user)
            self.assertEqual(self.client.get(self.export).status_code, 403, user)
            self.assertEqual(self.client.post(reverse("timekeeping:close"), {"month": "2026-10"}).status_code, 403)

    def test_the_other_organization_sees_nothing_of_ours(self):
        from puente.core.testing import make_user

        olga_boss = make_user(self.other_org, "supervisor", name="Olga Boss")
        self.client.force_login(olga_boss)
        response = self.client.get(self.url + OCT)
        self.assertNotContains(response, "Alice Worker")

    def test_its_query_count_does_not_grow_with_entries(self):
        self.client.force_login(self.sam)
        self.client.get(self.url + OCT)
        with CaptureQueriesContext(connection) as few:
            self.client.get(self.url + OCT)
        for day in range(5, 15):
            p = make_patient(self.org, f"P{day}", "Load")
            make_episode(p, team=self.team, worker=self.bob)
            add_entry(self.bob, p, local(2026, 10, day), 30, billing_code="chi")
        with CaptureQueriesContext(connection) as many:
            self.client.get(self.url + OCT)
        self.assertEqual(len(few), len(many))

    def test_the_export_is_audited_and_formula_safe(self):
        self.client.force_login(self.sam)
        response = self.client.get(self.export + OCT)
        self.assertEqual(response["Content-Type"], "text/csv; charset=utf-8")
        rows = list(csv.reader(io.StringIO(response.content.decode())))
        self.assertEqual(rows[0][:6], ["month", "patient_id", "patient_name", "birth_date", "code", "units"])
        g0155 = next(r for r in rows if r[4] == "G0155")
        self.assertEqual((g0155[2], g0155[5], g0155[6]), ('\'-Baca, =HYPERLINK("x")', "2", "23"))
        chi = next(r for r in rows if r[4] == "CHI")
        self.assertEqual((chi[9], chi[10]), ("no", "no_consent; no_initiating_visit"))
        event = AuditEvent.objects.get(action="export", object_type="timekeeping.month")
        self.assertEqual(event.detail["month"], "2026-10")
        self.assertCountEqual(event.detail["patients"], [str(self.hospice.pk), str(self.patient.pk)])
        self.assertNotIn("charlie", response.content.decode().lower())

    def test_closing_a_month(self):
        self.client.force_login(self.sam)
        self.assertNotContains(self.client.get(self.url), "for billing</button>")  # this month has not ended
        self.assertContains(self.client.get(self.url + OCT), "for billing</button>")
        response = self.client.post(reverse("timekeeping:close"), {"month": "2026-10"})
        self.assertRedirects(response, self.url + OCT)
        self.assertTrue(ClosedMonth.objects.filter(organization=self.org, month=date(2026, 10, 1)).exists())
        self.assertContains(self.client.get(self.url + OCT), "Closed for billing")
        self.assertTrue(AuditEvent.objects.filter(object_type="timekeeping.closedmonth", action="create").exists())
