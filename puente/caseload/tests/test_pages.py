"""The worker's caseload panel and the supervisor's team page: who may see them, what they show, query counts."""

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from puente.accounts.models import Role
from puente.audit.models import AuditEvent
from puente.caseload.models import CaseloadTarget, WorkerProfile
from puente.core.testing import (
    PersonaTestCase,
    make_episode,
    make_patient,
    make_sw_referral,
    make_team,
    make_user,
)
from puente.episodes.models import Episode, SocialWorkReferral
from puente.screening.models import CrisisAlert, HealthConcern, ScreeningResponse
from puente.tasks.models import Task


def screening(patient, instrument="lace", band="high", **extra):
    return ScreeningResponse.objects.create(
        organization_id=patient.organization_id,
        patient=patient,
        instrument_id=instrument,
        instrument_version="1",
        effective_at=timezone.now() - timedelta(days=1),
        band=band,
        **extra,
    )


def acute_patient(org, team, worker, n):
    """A patient with something in every acuity part."""
    p = make_patient(org, "Paciente", f"Número{n}")
    make_episode(p, team=team, worker=worker, setting="hospice")
    response = screening(p)
    CrisisAlert.objects.create(organization_id=org.pk, patient=p, response=response, kind="suicide_risk")
    HealthConcern.objects.create(organization_id=org.pk, patient=p, category="food-insecurity", status="active")
    Task.objects.create(
        organization_id=org.pk, patient=p, assignee=worker, title="x", due_at=timezone.now() - timedelta(hours=1)
    )
    make_sw_referral(p, team=team, hours_ago=30, assigned_to=worker, status="assigned")
    return p


class CaseloadPanel(PersonaTestCase):
    def test_it_shows_each_acuity_part_on_the_workers_dashboard(self):
        acute_patient(self.org, self.team, self.alice, 1)
        self.client.force_login(self.alice)
        page = self.client.get(reverse("episodes:dashboard"), HTTP_ACCEPT_LANGUAGE="en")
        self.assertContains(page, "My caseload")
        self.assertContains(page, "Número1")
        for reason in (
            "1 open crisis alert",
            "1 active social need",
            "High readmission risk",
            "Setting: Hospice",
            "2 overdue items",  # one task, one referral past 24 hours
            "No contact recorded yet",
        ):
            self.assertContains(page, reason)
        # 10 + 2 + 6 + 4 + 6 + 5
        self.assertContains(page, "<strong>33</strong>", html=True)
        self.assertContains(page, "High acuity")

    def test_it_is_not_shown_to_roles_without_a_caseload(self):
        for persona in (self.carol, self.ian):
            with self.subTest(persona=persona.full_name):
                self.client.force_login(persona)
                self.assertNotContains(self.client.get(reverse("episodes:dashboard")), "My caseload")

    def test_it_lists_only_the_workers_own_patients(self):
        other = make_patient(self.org, "Beto", "Ajeno")
        make_episode(other, team=self.team, worker=self.bob)
        self.client.force_login(self.alice)
        page = self.client.get(reverse("episodes:dashboard"))
        self.assertContains(page, self.patient.display_name)
        caseload = page.content.decode().split('id="caseload-title"')[1].split("</section>")[0]
        self.assertNotIn("Ajeno", caseload)

    def test_it_costs_the_same_queries_with_1_or_40_patients(self):
        self.client.force_login(self.alice)
        self.client.get(reverse("episodes:dashboard"))  # warm caches (content types, session)
        with CaptureQueriesContext(connection) as one:
            self.client.get(reverse("episodes:dashboard"))
        for n in range(40):
            acute_patient(self.org, self.team, self.alice, n)
        with CaptureQueriesContext(connection) as many:
            page = self.client.get(reverse("episodes:dashboard"))
        self.assertContains(page, "Número39")
        self.assertEqual(len(one), len(many))


class TeamPageAccess(PersonaTestCase):
    def test_it_lets_only_supervisors_in(self):
        self.client.force_login(self.sam)
        self.assertEqual(self.client.get(reverse("caseload:team")).status_code, 200)
        for persona in (self.alice, self.bob, self.charlie, self.carol, self.pat, self.ian, self.ada, self.olga):
            with self.subTest(persona=persona.full_name):
                self.client.force_login(persona)
                self.assertEqual(self.client.get(reverse("caseload:team")).status_code, 403)
        self.client.logout()
        self.assertEqual(self.client.get(reverse("caseload:team")).status_code, 302)

    def test_it_shows_a_supervisor_only_their_own_teams(self):
        make_sw_referral(self.patient, team=self.team)
        hidden = make_patient(self.org, "Oculto", "Hospicio")
        make_sw_referral(hidden, team=self.other_team)
        elsewhere_sup = make_user(self.other_org, Role.SUPERVISOR, name="Otto Othersup")
        make_team(self.other_org, "Otto's team", supervisor=elsewhere_sup, members=[self.olga])
        self.client.force_login(self.sam)
        page = self.client.get(reverse("caseload:team"))
        self.assertContains(page, "Hospital Social Work")
        self.assertContains(page, self.patient.display_name)
        self.assertNotContains(page, "Hospicio")
        self.assertNotContains(page, "Charlie")
        self.client.force_login(elsewhere_sup)
        page = self.client.get(reverse("caseload:team"))
        self.assertEqual(page.status_code, 200)
        self.assertNotContains(page, self.patient.display_name)
        self.assertNotContains(page, "Alice")
        self.assertContains(page, "Olga")

    def test_it_writes_one_audit_read_with_the_patients_shown(self):
        make_sw_referral(self.patient, team=self.team)
        for n in range(2):
            acute_patient(self.org, self.team, self.alice, n)  # on a caseload: counted, never named on the page
        self.client.force_login(self.sam)
        before = set(AuditEvent.objects.values_list("id", flat=True))
        self.client.get(reverse("caseload:team"))
        events = list(AuditEvent.objects.exclude(id__in=before))
        self.assertEqual([e.object_type for e in events], ["caseload.team"])
        self.assertEqual(events[0].detail["patients"], [str(self.patient.pk)])
        assigned = Episode.objects.filter(status="active", assigned_worker=self.alice).values("patient_id").distinct()
        self.assertGreaterEqual(assigned.count(), 2)
        self.assertEqual(events[0].detail["caseload_patients_counted"], assigned.count())


class TeamPage(PersonaTestCase):
    def test_it_shows_weighted_load_against_the_target_and_the_census(self):
        for n in range(3):
            acute_patient(self.org, self.team, self.alice, n)  # 3 high-acuity hospice patients → weight 6
        CaseloadTarget.objects.create(organization=self.org, team=self.team, low=None, high=5)
        self.client.force_login(self.sam)
        page = self.client.get(reverse("caseload:team"), HTTP_ACCEPT_LANGUAGE="en")
        workers = page.context["data"].workers
        alice = next(w for w in workers if w.worker == self.alice)
        # The persona's own inpatient episode (low acuity, 1.0) plus three high (2.0 each).
        self.assertEqual((alice.patients, alice.weighted_load, alice.standing), (4, 7.0, "over"))
        bob = next(w for w in workers if w.worker == self.bob)
        self.assertEqual((bob.patients, bob.standing), (0, "within"))
        self.assertContains(page, "Over target")
        census = page.context["data"].teams[0]
        self.assertEqual((census.active, census.target.high), (4, 5))

    def test_it_defaults_the_target_from_the_teams_setting(self):
        self.client.force_login(self.sam)
        page = self.client.get(reverse("caseload:team"), HTTP_ACCEPT_LANGUAGE="en")
        self.assertContains(page, "up to 20")

    def test_it_suggests_a_worker_with_reasons_and_assigns_in_one_click(self):
        self.bob.languages_spoken = "English, Spanish"
        self.bob.save(update_fields=["languages_spoken"])
        WorkerProfile.objects.create(organization=self.org, user=self.bob, counties="Bernalillo")
        newcomer = make_patient(
            self.org, "Lucía", "Montoya", preferred_language="es", interpreter_needed=True, postal_code="87102"
        )
        referral = make_sw_referral(newcomer, team=self.team, hours_ago=5)
        self.client.force_login(self.sam)
        page = self.client.get(reverse("caseload:team"), HTTP_ACCEPT_LANGUAGE="en")
        suggestion = page.context["data"].suggestions[0]
        self.assertEqual(suggestion.best.candidate.worker_id, self.bob.pk)
        self.assertEqual(suggestion.county, "Bernalillo")  # from the ZIP
        self.assertContains(page, "Speaks Spanish")
        self.assertContains(page, "Covers Bernalillo County")
        self.assertContains(page, "Does not speak Spanish: an interpreter is needed")
        response = self.client.post(reverse("caseload:assign", args=[referral.pk]), {"worker": self.bob.pk})
        self.assertRedirects(response, reverse("caseload:team"))
        referral.refresh_from_db()
        self.assertEqual((referral.assigned_to, referral.status), (self.bob, SocialWorkReferral.Status.ASSIGNED))
        self.assertTrue(AuditEvent.objects.filter(object_id=str(referral.pk), action="update", actor=self.sam).exists())

    def test_it_refuses_to_assign_outside_the_team_or_by_others(self):
        referral = make_sw_referral(self.patient, team=self.team)
        url = reverse("caseload:assign", args=[referral.pk])
        self.client.force_login(self.sam)
        self.assertEqual(self.client.post(url, {"worker": self.charlie.pk}).status_code, 404)
        self.assertEqual(self.client.post(url, {"worker": self.olga.pk}).status_code, 404)
        for persona in (self.alice, self.ian, self.carol, self.pat):
            with self.subTest(persona=persona.full_name):
                self.client.force_login(persona)
                self.assertEqual(self.client.post(url, {"worker": self.bob.pk}).status_code, 403)
        other_sup = make_user(self.org, Role.SUPERVISOR, name="Sue Othersup")
        self.other_team.supervisor = other_sup
        self.other_team.save(update_fields=["supervisor"])
        self.client.force_login(other_sup)
        self.assertEqual(self.client.post(url, {"worker": self.bob.pk}).status_code, 404)
        referral.refresh_from_db()
        self.assertIsNone(referral.assigned_to)

    def test_it_costs_the_same_queries_with_1_or_many_referrals_and_patients(self):
        make_sw_referral(self.patient, team=self.team)
        self.client.force_login(self.sam)
        self.client.get(reverse("caseload:team"))
        with CaptureQueriesContext(connection) as one:
            self.client.get(reverse("caseload:team"))
        for n in range(15):
            p = acute_patient(self.org, self.team, self.bob if n % 2 else self.alice, n)
            make_sw_referral(p, team=self.team, hours_ago=n)
        extra = make_user(self.org, name="Xavi Extra")
        make_team(self.org, "Second team", supervisor=self.sam, members=[extra])
        with CaptureQueriesContext(connection) as many:
            page = self.client.get(reverse("caseload:team"))
        self.assertEqual(len(page.context["data"].suggestions), 16)
        self.assertEqual(len(one), len(many))


class TargetAndTerritoryForms(PersonaTestCase):
    def test_it_saves_a_target_and_keeps_bad_input_with_a_clear_error(self):
        url = reverse("caseload:target", args=[self.team.pk])
        self.client.force_login(self.sam)
        page = self.client.post(url, {"low": "30", "high": "20"}, HTTP_ACCEPT_LANGUAGE="en")
        self.assertEqual(page.status_code, 200)
        self.assertContains(page, "The upper bound must not be below the lower bound.")
        self.assertContains(page, 'value="30"')
        self.assertContains(page, 'value="20"')
        page = self.client.post(url, {"low": "", "high": "veinte"}, HTTP_ACCEPT_LANGUAGE="en")
        self.assertContains(page, "Enter a whole number of patients.")
        self.assertContains(page, 'value="veinte"')
        self.assertFalse(CaseloadTarget.objects.exists())
        self.assertRedirects(self.client.post(url, {"low": "20", "high": "30"}), reverse("caseload:team"))
        target = CaseloadTarget.objects.get(organization_id=self.org.pk, team=self.team)
        self.assertEqual((target.low, target.high), (20, 30))
        self.assertTrue(AuditEvent.objects.filter(object_id=str(target.pk), action="create").exists())

    def test_it_lets_only_the_teams_supervisor_change_target_and_territory(self):
        target_url = reverse("caseload:target", args=[self.team.pk])
        territory_url = reverse("caseload:territory", args=[self.team.pk, self.alice.pk])
        for persona in (self.alice, self.carol, self.ian, self.pat, self.ada):
            with self.subTest(persona=persona.full_name):
                self.client.force_login(persona)
                self.assertEqual(self.client.get(target_url).status_code, 403)
                self.assertEqual(self.client.get(territory_url).status_code, 403)
        self.client.force_login(self.sam)
        self.assertEqual(self.client.get(reverse("caseload:target", args=[self.other_team.pk])).status_code, 404)
        self.assertEqual(
            self.client.get(reverse("caseload:territory", args=[self.team.pk, self.charlie.pk])).status_code, 404
        )
        self.assertRedirects(
            self.client.post(territory_url, {"counties": "Bernalillo, Sandoval"}), reverse("caseload:team")
        )
        profile = WorkerProfile.objects.get(organization_id=self.org.pk, user=self.alice)
        self.assertEqual(profile.counties, "Bernalillo, Sandoval")
        page = self.client.post(territory_url, {"counties": "<b>Valencia</b>"}, HTTP_ACCEPT_LANGUAGE="en")
        self.assertEqual(page.status_code, 200)
        self.assertContains(page, "&lt;b&gt;Valencia&lt;/b&gt;")
