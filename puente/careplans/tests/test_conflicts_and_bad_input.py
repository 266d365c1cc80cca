"""Two people editing the same item: the second save is refused (409), their text stays on the page, nothing is
lost. Bad input: a clear, translated message, and what the user typed is kept. Illegal status changes refused."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone, translation

from puente.careplans import services
from puente.careplans.models import Goal, GoalProgress, Intervention, PlanReview
from puente.careplans.tests import util
from puente.core.testing import PersonaTestCase, make_patient
from puente.screening.models import HealthConcern


class Conflicts(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.concern = util.concern(cls.patient, cls.alice)
        cls.goal = util.goal(cls.patient, cls.alice, cls.concern, text="Food every week")
        cls.item = util.intervention(cls.goal, cls.alice)

    def test_a_stale_goal_save_is_refused_and_the_second_text_kept(self):
        url = reverse("careplans:goal_edit", args=[self.goal.pk])
        # Bob saves first, from a form opened at version 1.
        self.client.force_login(self.bob)
        bob = self.client.post(url, {"version": "1", "text": "Food every week, for my kids too", "status": "active"})
        self.assertEqual(bob.status_code, 302)
        # Alice, whose form was also opened at version 1, saves second.
        self.client.force_login(self.alice)
        alice = self.client.post(url, {"version": "1", "text": "Alice's careful rewording", "status": "active"})
        self.assertEqual(alice.status_code, 409)
        self.assertContains(alice, "Alice&#x27;s careful rewording", status_code=409)
        self.assertContains(alice, "Food every week, for my kids too", status_code=409)  # what is saved now
        self.assertContains(alice, "someone else saved this", status_code=409)
        self.assertEqual(alice.context["form"]["version"].value(), "2")
        goal = Goal.objects.get(pk=self.goal.pk)
        self.assertEqual((goal.text, goal.version), ("Food every week, for my kids too", 2))
        # After comparing, her save (now carrying version 2) goes through.
        again = self.client.post(url, {"version": "2", "text": "Alice's careful rewording", "status": "active"})
        self.assertEqual(again.status_code, 302)
        self.assertEqual(Goal.objects.get(pk=self.goal.pk).text, "Alice's careful rewording")

    def test_a_stale_save_through_htmx_answers_409_with_the_form(self):
        url = reverse("careplans:intervention_edit", args=[self.item.pk])
        services.update_intervention(
            None,
            self.item,
            version=1,
            kind="education",
            description="Bob's change",
            status="in_progress",
            assignee=None,
            due_date=None,
            user=self.bob,
        )
        self.client.force_login(self.alice)
        data = {"version": "1", "kind": "benefit_application", "description": "Alice's change", "status": "planned"}
        response = self.client.post(url, data, headers={"HX-Request": "true"})
        self.assertEqual(response.status_code, 409)
        self.assertTemplateUsed(response, "careplans/_form.html")
        self.assertContains(response, "Alice&#x27;s change", status_code=409)
        self.assertContains(response, "Bob&#x27;s change", status_code=409)
        self.assertEqual(Intervention.objects.get(pk=self.item.pk).description, "Bob's change")

    def test_a_stale_concern_save_is_refused(self):
        services.update_concern(
            None,
            self.concern,
            version=1,
            status="inactive",
            priority="",
            onset=None,
            icd10_code="Z59.41",
            note="",
            user=self.bob,
        )
        with self.assertRaises(services.StaleVersion) as ctx:
            services.update_concern(
                None,
                self.concern,
                version=1,
                status="resolved",
                priority="high",
                onset=None,
                icd10_code="Z59.41",
                note="",
                user=self.alice,
            )
        self.assertEqual(ctx.exception.current.status, "inactive")
        self.assertEqual(HealthConcern.objects.get(pk=self.concern.pk).status, "inactive")

    def test_a_double_submit_of_the_same_values_is_no_conflict_and_no_second_write(self):
        kwargs = {"text": "Food every week!", "target_date": None, "status": "active", "user": self.alice}
        services.update_goal(None, self.goal, version=1, **kwargs)
        again = services.update_goal(None, self.goal, version=1, **kwargs)
        self.assertEqual(again.version, 2)

    def test_an_illegal_status_change_is_refused_with_a_clear_message(self):
        services.update_goal(
            None, self.goal, version=1, text=self.goal.text, target_date=None, status="achieved", user=self.alice
        )
        with self.assertRaises(services.InvalidPlan) as ctx:
            services.update_goal(
                None, self.goal, version=2, text=self.goal.text, target_date=None, status="active", user=self.alice
            )
        self.assertIn("“Achieved”", str(ctx.exception))
        self.assertIn("final", str(ctx.exception))
        self.assertEqual(Goal.objects.get(pk=self.goal.pk).status, "achieved")

    def test_the_edit_form_offers_only_the_legal_next_statuses(self):
        self.client.force_login(self.alice)
        page = self.client.get(reverse("careplans:goal_edit", args=[self.goal.pk]))
        self.assertEqual(
            [v for v, _label in page.context["form"].fields["status"].choices],
            ["active", "achieved", "not_achieved", "cancelled"],
        )
        # A forged status outside the list is a form error, and the text typed stays.
        response = self.client.post(
            reverse("careplans:goal_edit", args=[self.goal.pk]),
            {"version": "1", "text": "Keep my words", "status": "proposed"},
        )
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Keep my words")
        self.assertTrue(response.context["form"].errors["status"])
        self.assertEqual(Goal.objects.get(pk=self.goal.pk).version, 1)


class BadInput(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.concern = util.concern(cls.patient, cls.alice)
        cls.goal = util.goal(cls.patient, cls.alice, cls.concern)

    def post(self, name, args, data, language="en"):
        self.client.force_login(self.alice)
        self.client.cookies["django_language"] = language
        return self.client.post(reverse(f"careplans:{name}", args=args), data, headers={"Accept-Language": language})

    def test_it_explains_bad_input_and_keeps_what_was_typed(self):
        future = (timezone.localdate() + timedelta(days=3)).isoformat()
        cases = [
            (
                "concern_add",
                [self.patient.pk],
                {"category": "stress", "icd10_code": "not a code", "note": "Keep A"},
                "icd10_code",
                "Enter an ICD-10-CM code such as Z59.41.",
                "Keep A",
            ),
            ("concern_add", [self.patient.pk], {"category": "nonsense", "note": "Keep B"}, "category", None, "Keep B"),
            (
                "goal_add",
                [self.patient.pk],
                {"concern": "", "text": "Keep C", "status": "active"},
                "concern",
                None,
                "Keep C",
            ),
            (
                "progress_add",
                [self.goal.pk],
                {"noted_on": future, "text": "Keep D"},
                "noted_on",
                "The date cannot be in the future.",
                "Keep D",
            ),
            (
                "intervention_add",
                [self.goal.pk],
                {"kind": "education", "description": "x" * 2001},
                "description",
                None,
                "x" * 50,
            ),
            (
                "review_add",
                [self.patient.pk],
                {
                    "reviewed_on": timezone.localdate().isoformat(),
                    "summary": "Keep E",
                    "next_review_due": timezone.localdate().isoformat(),
                },
                "next_review_due",
                "The next review is due after this review.",
                "Keep E",
            ),
        ]
        for name, args, data, field, message, kept in cases:
            with self.subTest(page=name, field=field):
                before = (
                    HealthConcern.objects.count(),
                    Goal.objects.count(),
                    GoalProgress.objects.count(),
                    Intervention.objects.count(),
                    PlanReview.objects.count(),
                )
                response = self.post(name, args, data)
                self.assertEqual(response.status_code, 200)
                errors = response.context["form"].errors
                self.assertIn(field, errors)
                if message:
                    self.assertIn(message, errors[field])
                self.assertContains(response, kept)
                self.assertContains(response, "Nothing has been saved yet")
                after = (
                    HealthConcern.objects.count(),
                    Goal.objects.count(),
                    GoalProgress.objects.count(),
                    Intervention.objects.count(),
                    PlanReview.objects.count(),
                )
                self.assertEqual(after, before)

    def test_it_refuses_a_concern_of_another_patient_for_a_goal(self):
        other = make_patient(self.org, "Rosa", "Baca")
        theirs = util.concern(other, self.alice)
        with self.assertRaises(services.InvalidPlan) as ctx:
            services.create_goal(None, self.patient, concern_id=theirs.pk, text="x", user=self.alice)
        self.assertIn("concern", ctx.exception.errors)

    def test_it_refuses_an_assignee_from_another_organization(self):
        response = self.post(
            "intervention_add",
            [self.goal.pk],
            {"kind": "education", "description": "Teach", "assignee": str(self.olga.pk)},
        )
        self.assertEqual(response.status_code, 200)
        self.assertIn("Choose someone from the list.", response.context["form"].errors["assignee"])
        with self.assertRaises(services.InvalidPlan):
            services.create_intervention(
                None, self.goal, kind="education", description="x", assignee=self.olga, user=self.alice
            )

    def test_it_refuses_interventions_on_a_closed_goal(self):
        services.update_goal(
            None, self.goal, version=1, text=self.goal.text, target_date=None, status="cancelled", user=self.alice
        )
        self.goal.refresh_from_db()
        response = self.post("intervention_add", [self.goal.pk], {"kind": "education", "description": "Keep F"})
        self.assertContains(response, "This goal is closed")
        self.assertContains(response, "Keep F")

    def test_it_answers_in_spanish(self):
        # Django's own catalog carries this message; the app's own strings follow the central translation pass.
        response = self.post("goal_add", [self.patient.pk], {"concern": str(self.concern.pk), "text": ""}, "es")
        with translation.override("es"):
            self.assertIn("Este campo es obligatorio.", response.context["form"].errors["text"])
        self.assertContains(response, 'lang="es"')
