"""The social-work referral queue: order, hours waiting, the 24-hour standard, take and assign."""

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from puente.audit.models import AuditEvent
from puente.core.testing import PersonaTestCase, make_patient, make_sw_referral, make_user
from puente.episodes.models import SocialWorkReferral


class Queue(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.routine_old = make_sw_referral(make_patient(cls.org, "Ana", "Old"), team=cls.team, hours_ago=30)
        cls.routine_new = make_sw_referral(make_patient(cls.org, "Ben", "New"), team=cls.team, hours_ago=1)
        cls.urgent = make_sw_referral(
            make_patient(cls.org, "Cruz", "Urgent"), team=cls.team, hours_ago=3, priority="urgent"
        )
        cls.emergent = make_sw_referral(
            make_patient(cls.org, "Dora", "Emergent"), team=cls.team, hours_ago=0.5, priority="emergent"
        )
        cls.elsewhere = make_sw_referral(make_patient(cls.org, "Eli", "Hospice"), team=cls.other_team)

    def test_it_sorts_by_priority_then_time_waiting(self):
        self.client.force_login(self.alice)
        referrals = self.client.get(reverse("episodes:queue")).context["referrals"]
        self.assertEqual(referrals, [self.emergent, self.urgent, self.routine_old, self.routine_new])

    def test_it_shows_hours_waiting_and_the_24_hour_standard(self):
        self.client.force_login(self.alice)
        page = self.client.get(reverse("episodes:queue"))
        self.assertContains(page, "30.0")
        self.assertContains(page, "Overdue", count=1)
        self.assertTrue(self.routine_old.is_overdue)
        self.assertFalse(self.routine_new.is_overdue)

    def test_due_and_overdue_follow_the_first_contact(self):
        r = make_sw_referral(self.patient, team=self.team, hours_ago=26)
        r.first_contact_at = r.received_at + timedelta(hours=20)
        self.assertFalse(r.is_overdue)
        self.assertAlmostEqual(r.hours_waiting(), 20, places=3)
        r.first_contact_at = r.received_at + timedelta(hours=25)
        self.assertTrue(r.is_overdue)

    def test_the_queue_is_scoped_to_the_users_teams(self):
        self.client.force_login(self.charlie)
        self.assertEqual(self.client.get(reverse("episodes:queue")).context["referrals"], [self.elsewhere])
        self.client.force_login(self.olga)
        self.assertEqual(self.client.get(reverse("episodes:queue")).context["referrals"], [])
        for persona in ["pat", "ada"]:
            self.client.force_login(getattr(self, persona))
            self.assertEqual(self.client.get(reverse("episodes:queue")).status_code, 403)

    def test_a_worker_takes_a_referral_and_records_first_contact(self):
        self.client.force_login(self.alice)
        self.client.post(reverse("episodes:take", args=[self.routine_new.pk]))
        self.routine_new.refresh_from_db()
        self.assertEqual((self.routine_new.assigned_to, self.routine_new.status), (self.alice, "assigned"))
        self.client.post(reverse("episodes:contact", args=[self.routine_new.pk]))
        self.routine_new.refresh_from_db()
        self.assertIsNotNone(self.routine_new.first_contact_at)
        self.assertEqual(self.routine_new.status, "contacted")
        self.assertEqual(AuditEvent.objects.filter(object_id=str(self.routine_new.pk), action="update").count(), 2)

    def test_two_workers_taking_the_same_referral_one_wins(self):
        self.client.force_login(self.alice)
        self.client.post(reverse("episodes:take", args=[self.urgent.pk]))
        self.client.force_login(self.bob)
        response = self.client.post(reverse("episodes:take", args=[self.urgent.pk]), follow=True)
        self.assertContains(response, "has already taken this referral")
        self.urgent.refresh_from_db()
        self.assertEqual(self.urgent.assigned_to, self.alice)

    def test_supervisors_and_intake_assign_workers_do_not(self):
        # carol (care team) does not even see this patient: 404, not 403
        for persona, status in [("alice", 403), ("carol", 404), ("sam", 302), ("ian", 302)]:
            self.client.force_login(getattr(self, persona))
            with self.subTest(persona=persona):
                response = self.client.post(
                    reverse("episodes:assign", args=[self.routine_old.pk]), {"worker": self.bob.pk}
                )
                self.assertEqual(response.status_code, status)
        self.routine_old.refresh_from_db()
        self.assertEqual(self.routine_old.assigned_to, self.bob)

    def test_it_will_not_assign_a_worker_of_another_organization(self):
        self.client.force_login(self.sam)
        self.client.post(reverse("episodes:assign", args=[self.routine_old.pk]), {"worker": self.olga.pk})
        self.routine_old.refresh_from_db()
        self.assertIsNone(self.routine_old.assigned_to)

    def test_the_care_team_can_refer_a_patient_to_social_work(self):
        self.client.force_login(self.carol)
        response = self.client.post(
            reverse("episodes:referral_create", args=[self.patient.pk]),
            {
                "source": "care_team",
                "reasons": ["caregiver_strain", "financial"],
                "priority": "urgent",
                "referred_by": "Carol RN",
                "received_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
                "team": self.team.pk,
            },
        )
        self.assertEqual(response.status_code, 302)
        referral = SocialWorkReferral.objects.get(patient=self.patient)
        self.assertEqual(referral.reasons, ["caregiver_strain", "financial"])
        self.assertEqual(referral.created_by, self.carol)

    def test_the_queue_and_dashboard_run_a_constant_number_of_queries(self):
        for name in ["queue", "dashboard"]:
            self.client.force_login(self.alice)
            url = reverse(f"episodes:{name}")
            self.client.get(url)
            with CaptureQueriesContext(connection) as before:
                self.client.get(url)
            for i in range(20):
                make_sw_referral(
                    make_patient(self.org, f"More{i}", "Patient"),
                    team=self.team,
                    assigned_to=self.alice if i % 2 else None,
                )
            with self.subTest(page=name), CaptureQueriesContext(connection) as after:
                self.client.get(url)
            self.assertEqual(len(after), len(before), name)

    def test_a_worker_not_yet_in_an_organization_sees_an_empty_dashboard(self):
        # Their visible patients are none at all: the dashboard's shared subquery must select nothing, not fail.
        newcomer = make_user(None, name="Nadia Newcomer")
        self.client.force_login(newcomer)
        response = self.client.get(reverse("episodes:dashboard"))
        self.assertEqual(response.status_code, 200)
        self.assertNotContains(response, "Ana Old")


class CloseAndSafety(PersonaTestCase):
    def test_after_first_contact_the_worker_closes_the_referral_and_it_leaves_the_queue(self):
        referral = make_sw_referral(self.patient, team=self.team, assigned_to=self.alice)
        self.client.force_login(self.alice)
        self.client.post(reverse("episodes:contact", args=[referral.pk]))
        page = self.client.get(reverse("episodes:queue"))
        self.assertContains(page, "Close: assessment done")
        self.client.post(reverse("episodes:close", args=[referral.pk]), {"next": "/queue/"})
        referral.refresh_from_db()
        self.assertEqual(referral.status, "closed")
        self.assertNotIn(referral, self.client.get(reverse("episodes:queue")).context["referrals"])

    def test_next_never_leaves_the_site(self):
        referral = make_sw_referral(self.patient, team=self.team)
        self.client.force_login(self.alice)
        for name in ["take", "contact"]:
            response = self.client.post(
                reverse(f"episodes:{name}", args=[referral.pk]), {"next": "https://evil.example/phish"}
            )
            with self.subTest(view=name):
                self.assertEqual(response["Location"], reverse("episodes:queue"))

    def test_a_new_episode_form_starts_now_and_refuses_an_active_episode_in_the_future(self):
        self.client.force_login(self.alice)
        url = reverse("episodes:episode_create", args=[self.patient.pk])
        form = self.client.get(url).context["form"]
        self.assertIsNotNone(form.initial["start"])
        response = self.client.post(url, {"setting": "inpatient", "status": "active", "start": "2035-11-21T10:00"})
        self.assertContains(response, "Only a planned episode can start in the future.")


def _local(dt) -> str:
    """What a datetime-local input sends."""
    return timezone.localtime(dt).strftime("%Y-%m-%dT%H:%M")


class FirstContact(PersonaTestCase):
    """The worker says when and how the first contact happened; impossible times are refused."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.referral = make_sw_referral(cls.patient, team=cls.team, hours_ago=10, assigned_to=cls.alice)

    def setUp(self):
        self.client.force_login(self.alice)
        self.url = reverse("episodes:contact", args=[self.referral.pk])

    def test_the_row_offers_a_time_defaulting_to_now_and_a_method(self):
        before = _local(timezone.now())
        page = self.client.get(reverse("episodes:queue"))
        after = _local(timezone.now())
        self.assertContains(page, f'<input type="datetime-local" name="at" id="contact-at-{self.referral.pk}"')
        content = page.content.decode()
        self.assertTrue(f'value="{before}"' in content or f'value="{after}"' in content, "defaults to now")
        for label in ["In person", "Phone", "Video", "With family"]:
            self.assertContains(page, f">{label}</option>")
        self.assertContains(page, f'<label for="contact-method-{self.referral.pk}">How')

    def test_it_records_the_time_and_method_given(self):
        at = timezone.now() - timedelta(hours=4)
        response = self.client.post(self.url, {"at": _local(at), "method": "video", "next": "/dashboard/"})
        self.assertRedirects(response, "/dashboard/", fetch_redirect_response=False)
        self.referral.refresh_from_db()
        self.assertEqual(self.referral.first_contact_at, at.replace(second=0, microsecond=0))
        self.assertEqual(self.referral.first_contact_method, "video")
        self.assertEqual(self.referral.status, "contacted")
        self.assertAlmostEqual(self.referral.hours_waiting(), 6, delta=0.02)  # waited until the contact, not now
        event = AuditEvent.objects.filter(object_id=str(self.referral.pk), action="update").get()
        self.assertEqual(event.detail["method"], "video")
        detail = self.client.get(reverse("patients:detail", args=[self.patient.pk]))
        self.assertContains(detail, "· Video")

    def test_without_a_time_it_is_now_and_the_method_is_optional(self):
        self.client.post(self.url, {"at": "", "method": ""})
        self.referral.refresh_from_db()
        self.assertLess(abs((timezone.now() - self.referral.first_contact_at).total_seconds()), 60)
        self.assertEqual(self.referral.first_contact_method, "")

    def test_the_minute_the_referral_arrived_is_accepted(self):
        referral = make_sw_referral(self.patient, team=self.team, hours_ago=0.5, assigned_to=self.alice)
        self.client.post(reverse("episodes:contact", args=[referral.pk]), {"at": _local(referral.received_at)})
        referral.refresh_from_db()
        self.assertEqual(referral.first_contact_at, referral.received_at)

    def test_it_refuses_a_time_before_the_referral_was_received(self):
        before = self.referral.received_at - timedelta(hours=2)
        response = self.client.post(self.url, {"at": _local(before), "method": "phone"}, follow=True)
        self.assertContains(response, "First contact not recorded for María García")
        self.assertContains(response, "The first contact cannot be before the referral was received (")
        self.referral.refresh_from_db()
        self.assertIsNone(self.referral.first_contact_at)
        self.assertEqual(self.referral.status, "new")

    def test_it_refuses_a_time_in_the_future_and_nonsense(self):
        for value, message in [
            (_local(timezone.now() + timedelta(hours=3)), "The first contact cannot be in the future."),
            ("yesterday-ish", "Enter a real date and time"),
        ]:
            with self.subTest(value=value):
                response = self.client.post(self.url, {"at": value}, follow=True)
                self.assertContains(response, message)
        response = self.client.post(self.url, {"method": "carrier pigeon"}, follow=True)
        self.assertContains(response, "Select a valid choice")
        self.referral.refresh_from_db()
        self.assertIsNone(self.referral.first_contact_at)

    def test_the_service_refuses_impossible_times_too(self):
        from django.core.exceptions import ValidationError

        from puente.episodes import services

        with self.assertRaises(ValidationError):
            services.record_first_contact(
                None, self.referral, self.referral.received_at - timedelta(minutes=1), user=self.alice
            )
        with self.assertRaises(ValidationError):
            services.record_first_contact(None, self.referral, timezone.now() + timedelta(hours=1), user=self.alice)
        self.referral.refresh_from_db()
        self.assertIsNone(self.referral.first_contact_at)


class QueuePaging(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.referrals = [
            make_sw_referral(make_patient(cls.org, f"Paged{i:02d}", "Patient"), team=cls.team, hours_ago=40 - i)
            for i in range(30)
        ]
        make_sw_referral(make_patient(cls.org, "Eli", "Hospice"), team=cls.other_team)

    def test_it_shows_25_per_page_in_queue_order(self):
        self.client.force_login(self.sam)
        first = self.client.get(reverse("episodes:queue"))
        second = self.client.get(reverse("episodes:queue"), {"page": 2})
        self.assertEqual(len(first.context["referrals"]), 25)
        self.assertEqual(first.context["referrals"] + second.context["referrals"], self.referrals)
        self.assertContains(first, "Page 1 of 2")
        self.assertContains(first, 'href="?page=2"')
        self.assertContains(second, 'href="?page=1"')
        # An impossible page number shows the last page rather than an error.
        self.assertEqual(self.client.get(reverse("episodes:queue"), {"page": "99"}).context["page"].number, 2)

    def test_page_links_keep_the_filters(self):
        self.client.force_login(self.sam)
        page = self.client.get(reverse("episodes:queue"), {"team": self.team.pk})
        self.assertContains(page, f'href="?team={self.team.pk}&amp;page=2"')
        second = self.client.get(reverse("episodes:queue"), {"team": self.team.pk, "page": 2})
        self.assertEqual(len(second.context["referrals"]), 5)
        self.assertContains(second, f'href="?team={self.team.pk}&amp;page=1"')
        # The row forms come back to the same page.
        self.assertContains(second, f'name="next" value="/queue/?team={self.team.pk}&amp;page=2"')

    def test_the_audit_event_names_only_the_patients_on_the_page(self):
        self.client.force_login(self.sam)
        self.client.get(reverse("episodes:queue"), {"page": 2})
        event = AuditEvent.objects.filter(object_type="episodes.sw_referral_queue").latest("id")
        self.assertEqual(event.detail["page"], 2)
        self.assertEqual(sorted(event.detail["patients"]), sorted(str(r.patient_id) for r in self.referrals[25:]))

    def test_a_full_page_runs_as_many_queries_as_a_short_one(self):
        self.client.force_login(self.alice)
        url = reverse("episodes:queue")
        self.client.get(url, {"page": 2})
        with CaptureQueriesContext(connection) as short:
            self.assertEqual(len(self.client.get(url, {"page": 2}).context["referrals"]), 5)
        with CaptureQueriesContext(connection) as full:
            self.assertEqual(len(self.client.get(url, {"page": 1}).context["referrals"]), 25)
        self.assertEqual(len(full), len(short))

    def test_assigning_from_page_two_returns_to_page_two(self):
        self.client.force_login(self.sam)
        target = self.referrals[-1]
        response = self.client.post(
            reverse("episodes:assign", args=[target.pk]), {"worker": self.bob.pk, "next": "/queue/?page=2"}
        )
        self.assertEqual(response["Location"], "/queue/?page=2")
        response = self.client.post(
            reverse("episodes:assign", args=[target.pk]), {"worker": self.bob.pk, "next": "https://evil.example/"}
        )
        self.assertEqual(response["Location"], reverse("episodes:queue"))
