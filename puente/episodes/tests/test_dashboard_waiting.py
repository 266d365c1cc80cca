"""The dashboard's "Waiting in my teams' queue": a worker's and a supervisor's own teams' unassigned referrals, never
a referral they may not see; intake and the care team keep every unassigned referral they can see."""

from django.urls import reverse

from puente.core.testing import PersonaTestCase, make_episode, make_patient, make_sw_referral
from puente.patients.models import Patient


class TeamsWaiting(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.mine = make_sw_referral(cls.patient, team=cls.team, hours_ago=5)
        # The same patient (Alice's) referred to the hospice team: in the hospice team's queue, not Alice's.
        cls.hospice = make_sw_referral(cls.patient, team=cls.other_team, hours_ago=6)
        cls.taken = make_sw_referral(cls.patient, team=cls.team, hours_ago=7, assigned_to=cls.bob, status="assigned")
        stranger = make_patient(cls.org, "Otro", "Equipo")
        make_episode(stranger, team=cls.other_team, worker=cls.charlie)
        cls.hospice_only = make_sw_referral(stranger, team=cls.other_team, hours_ago=8)
        cls.no_team = make_sw_referral(make_patient(cls.org, "Sin", "Equipo"), hours_ago=9)

    def waiting(self, persona):
        self.client.force_login(persona)
        response = self.client.get(reverse("episodes:dashboard"))
        self.assertEqual(response.status_code, 200)
        return response.context["waiting"]

    def test_a_worker_and_a_supervisor_see_their_own_teams_unassigned_referrals(self):
        for persona in (self.alice, self.bob, self.sam):
            with self.subTest(persona=persona.full_name):
                self.assertEqual(self.waiting(persona), [self.mine])
        self.assertEqual(self.waiting(self.charlie), [self.hospice_only, self.hospice])  # longest waiting first

    def test_the_heading_and_the_rows_agree_on_the_page(self):
        self.client.force_login(self.alice)
        page = self.client.get(reverse("episodes:dashboard")).content.decode()
        waiting = page.split('id="wait-title"')[1].split("</section>")[0]
        self.assertIn(reverse("episodes:take", args=[self.mine.pk]), waiting)
        self.assertNotIn(reverse("episodes:take", args=[self.hospice.pk]), waiting)

    def test_intake_and_the_care_team_keep_every_unassigned_referral_they_can_see(self):
        everything = {self.mine, self.hospice, self.hospice_only, self.no_team}
        self.assertEqual(set(self.waiting(self.ian)), everything)
        self.assertEqual(set(self.waiting(self.carol)), {self.mine, self.hospice})  # her unit's patient

    def test_no_one_is_shown_a_referral_whose_patient_they_may_not_see(self):
        for persona in (self.alice, self.bob, self.charlie, self.sam, self.ian, self.carol):
            with self.subTest(persona=persona.full_name):
                visible = set(Patient.objects.visible_to(persona).values_list("pk", flat=True))
                shown = {r.patient_id for r in self.waiting(persona)}
                self.assertTrue(shown, "every persona here has something waiting")
                self.assertLessEqual(shown, visible)
