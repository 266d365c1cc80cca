"""Submitting a screening: answers stored one per Observation, concerns suggested, crisis alerts raised."""

from django.core import mail
from django.test import RequestFactory

from puente.audit.models import AuditEvent
from puente.core.testing import PersonaTestCase
from puente.screening import services
from puente.screening.models import CrisisAlert, HealthConcern, ScreeningAnswer, ScreeningResponse
from puente.screening.scoring.mood import PHQ9_ITEMS
from puente.tasks.models import Notification, Task

NOT_AT_ALL, SEVERAL = "LA6568-5", "LA6569-3"


def phq9(item9=NOT_AT_ALL, rest=NOT_AT_ALL):
    answers = {c: rest for c in PHQ9_ITEMS}
    answers["44260-8"] = item9
    return answers


class Submit(PersonaTestCase):
    def request(self, user):
        request = RequestFactory().post("/")
        request.user = user
        return request

    def submit(self, instrument, answers, user=None, **kw):
        user = user or self.alice
        return services.submit_screening(self.request(user), self.patient, instrument, answers, **kw)

    def test_it_stores_each_answer_with_its_codes_and_points(self):
        sub = self.submit("phq9", phq9(rest=SEVERAL))
        self.assertTrue(sub.created)
        self.assertEqual((sub.response.total, sub.response.band), (8, "mild"))
        answers = ScreeningAnswer.objects.filter(response=sub.response)
        self.assertEqual(answers.count(), 9)
        first = answers.get(item_code="44250-9")
        self.assertEqual((first.answer_code, first.value_integer), (SEVERAL, 1))
        self.assertEqual(sub.response.performer, self.alice)
        self.assertTrue(AuditEvent.objects.filter(action="create", object_id=str(sub.response.pk)).exists())

    def test_the_same_idempotency_key_twice_creates_one_response(self):
        first = self.submit("phq9", phq9(), idempotency_key="tablet-42")
        second = self.submit("phq9", phq9(), idempotency_key="tablet-42")
        self.assertFalse(second.created)
        self.assertEqual(first.response.pk, second.response.pk)
        self.assertEqual(ScreeningResponse.objects.count(), 1)

    def test_bad_answers_are_refused_and_nothing_is_saved(self):
        cases = [
            ({"99999-9": NOT_AT_ALL}, "__all__"),
            ({"44250-9": "LA33-6"}, "44250-9"),
            ({"44250-9": "<script>"}, "44250-9"),
        ]
        for answers, field in cases:
            with self.subTest(answers=answers), self.assertRaises(services.InvalidAnswers) as ctx:
                self.submit("phq9", answers)
            self.assertIn(field, ctx.exception.errors)
        with self.assertRaises(services.InvalidAnswers):
            self.submit("ahc_hrsn_core", {"96778-6": ["LA9-3", "LA28580-1"]})  # "None" with a problem
        with self.assertRaises(services.InvalidAnswers):
            self.submit("cssrs_screener", {"93247-5": "LA32-8", "93249-1": "LA33-6"})  # skipped item answered
        with self.assertRaises(services.InvalidAnswers):
            self.submit("lace", {"local:lace-length-of-stay-days": "many"})
        self.assertEqual(ScreeningResponse.objects.count(), 0)

    def test_an_incomplete_screen_is_stored_without_a_total_and_says_what_is_missing(self):
        sub = self.submit("phq9", {"44250-9": SEVERAL})
        self.assertIsNone(sub.response.total)
        self.assertEqual(len(sub.response.missing_items), 8)

    def test_positive_domains_become_suggested_concerns_with_z_codes(self):
        sub = self.submit("ahc_hrsn_core", {"71802-3": "LA31994-9", "88122-7": "LA6729-3", "93030-5": "LA33-6"})
        found = {(c.category, c.icd10_code) for c in sub.concerns}
        self.assertEqual(
            found,
            {
                ("housing-instability", "Z59.811"),
                ("food-insecurity", "Z59.41"),
                ("transportation-insecurity", "Z59.82"),
            },
        )
        again = self.submit("hvs", {"88122-7": "LA28397-0"})
        self.assertEqual(again.concerns, [])  # food insecurity is already suggested
        self.assertEqual(HealthConcern.objects.filter(category="food-insecurity").count(), 1)


class CrisisEscalation(Submit):
    def test_phq9_item9_raises_an_alert_a_task_due_now_and_notifications(self):
        sub = self.submit("phq9", phq9(item9=SEVERAL), user=self.bob)
        self.assertEqual([a.kind for a in sub.alerts], ["suicide_risk"])
        alert = sub.alerts[0]
        self.assertEqual(alert.assigned_worker, self.alice)  # the episode's worker, not the submitter
        task = Task.objects.get(source="crisis_alert", source_id=str(alert.pk))
        self.assertEqual((task.assignee, task.priority), (self.alice, "stat"))
        self.assertTrue(task.is_overdue or task.due_at)
        notified = set(Notification.objects.filter(kind="crisis_alert").values_list("user__email", flat=True))
        self.assertEqual(notified, {self.alice.email, self.sam.email, self.bob.email})

    def test_the_alert_email_carries_no_phi(self):
        with self.captureOnCommitCallbacks(execute=True):
            self.submit("phq9", phq9(item9=SEVERAL))
        self.assertTrue(mail.outbox)
        for message in mail.outbox:
            text = message.subject + message.body
            for phi in [self.patient.legal_given_name, self.patient.legal_family_name, "PHQ", "suicid"]:
                self.assertNotIn(phi.lower(), text.lower())

    def test_cssrs_moderate_and_high_alert_low_does_not(self):
        low = self.submit("cssrs_screener", {"93246-7": "LA33-6", "93247-5": "LA32-8", "93267-3": "LA32-8"})
        self.assertEqual(low.alerts, [])
        moderate = self.submit(
            "cssrs_screener", {"93246-7": "LA33-6", "93247-5": "LA32-8", "93267-3": "LA33-6", "93269-9": "LA32-8"}
        )
        self.assertEqual([a.kind for a in moderate.alerts], ["suicide_risk"])

    def test_ahc_safety_total_over_10_alerts(self):
        frequently = "LA6482-9"
        sub = self.submit(
            "ahc_hrsn_core", {c: frequently for c in ["95618-5", "95617-7", "95616-9"]} | {"95615-1": "LA6270-8"}
        )
        self.assertEqual([a.kind for a in sub.alerts], ["safety"])

    def test_an_alert_clears_only_with_a_documented_action(self):
        alert = self.submit("phq9", phq9(item9=SEVERAL)).alerts[0]
        for action, note in [("", "talked"), ("safety_plan", "  "), ("whatever", "talked")]:
            with self.subTest(action=action), self.assertRaises(ValueError):
                services.resolve_crisis_alert(self.request(self.alice), alert, action, note)
        services.resolve_crisis_alert(self.request(self.alice), alert, "safety_plan", "Plan written together.")
        alert.refresh_from_db()
        self.assertEqual((alert.status, alert.resolved_by), ("resolved", self.alice))
        self.assertFalse(Task.objects.open().filter(source_id=str(alert.pk)).exists())
        self.assertEqual(CrisisAlert.objects.open().count(), 0)


class SubmitEdgeCases(Submit):
    def test_a_key_reused_for_another_patient_is_refused_not_replayed(self):
        from puente.core.testing import make_episode, make_patient

        self.submit("phq9", phq9(), idempotency_key="k")
        other = make_patient(self.org, "Rosa", "Vigil")
        make_episode(other, team=self.team, worker=self.alice)
        request = self.request(self.alice)
        with self.assertRaises(services.InvalidAnswers):
            services.submit_screening(request, other, "phq9", phq9(), idempotency_key="k")

    def test_odd_types_are_refused_not_coerced(self):
        cases = [
            ("ahc_hrsn_core", {"96778-6": 5}),
            ("ahc_hrsn_core", {"96778-6": [["LA9-3"]]}),
            ("lace", {"local:lace-length-of-stay-days": True}),
            ("lace", {"local:lace-length-of-stay-days": 2.9}),
        ]
        for instrument, answers in cases:
            with self.subTest(answers=answers), self.assertRaises(services.InvalidAnswers):
                self.submit(instrument, answers)
        self.assertEqual(ScreeningResponse.objects.count(), 0)
