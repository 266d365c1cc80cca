"""Screening pages: administer an instrument, see the result, act on concerns and crisis alerts."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from puente.audit.models import AuditEvent
from puente.core.testing import PersonaTestCase
from puente.screening.models import CrisisAlert, HealthConcern, SafetyPlan, ScreeningResponse
from puente.screening.scoring.mood import PHQ9_ITEMS

SEVERAL, NOT_AT_ALL = "LA6569-3", "LA6568-5"


def phq9_post(item9=NOT_AT_ALL, key="k1", **extra):
    data = {f"q:{c}": NOT_AT_ALL for c in PHQ9_ITEMS}
    data["q:44260-8"] = item9
    data.update({"mode": "in_person", "idempotency_key": key, "lang": "en"}, **extra)
    return data


class ScreeningPages(PersonaTestCase):
    def new_url(self, instrument="phq9"):
        return reverse("screening:new", args=[self.patient.pk, instrument])

    def test_persona_matrix(self):
        index = reverse("screening:index", args=[self.patient.pk])
        for persona, status in [
            ("alice", 200),
            ("bob", 200),
            ("sam", 200),
            ("ian", 200),
            ("carol", 200),
            ("charlie", 404),
            ("ada", 404),
            ("pat", 404),
            ("olga", 404),
        ]:
            self.client.force_login(getattr(self, persona))
            with self.subTest(persona=persona):
                self.assertEqual(self.client.get(index).status_code, status)
                self.assertEqual(self.client.get(self.new_url()).status_code, status)
        self.client.logout()
        self.assertEqual(self.client.get(index).status_code, 302)

    def test_a_worker_administers_a_phq9_and_sees_the_scored_result(self):
        self.client.force_login(self.alice)
        data = phq9_post()
        data.update({f"q:{c}": SEVERAL for c in PHQ9_ITEMS[:5]})
        response = self.client.post(self.new_url(), data, follow=True)
        self.assertContains(response, "Mild")
        self.assertContains(response, "44250-9")
        r = ScreeningResponse.objects.get()
        self.assertEqual((r.total, r.band, r.performer), (5, "mild", self.alice))

    def test_item9_raises_a_banner_on_the_patient_and_on_the_right_dashboards(self):
        self.client.force_login(self.bob)
        self.client.post(self.new_url(), phq9_post(item9=SEVERAL))
        alert = CrisisAlert.objects.get()
        self.assertContains(self.client.get(reverse("patients:detail", args=[self.patient.pk])), "Crisis alert")
        for persona, sees in [("alice", True), ("sam", True), ("charlie", False)]:
            self.client.force_login(getattr(self, persona))
            with self.subTest(persona=persona):
                page = self.client.get(reverse("episodes:dashboard"))
                self.assertEqual("Crisis alerts: act now" in page.content.decode(), sees)
        self.client.force_login(self.alice)
        # cannot be cleared without a documented action
        response = self.client.post(reverse("screening:alert_resolve", args=[alert.pk]), {"action": "", "note": ""})
        self.assertEqual(response.status_code, 200)
        alert.refresh_from_db()
        self.assertEqual(alert.status, "open")
        self.client.post(
            reverse("screening:alert_resolve", args=[alert.pk]),
            {"action": "crisis_line", "note": "Called 988 together; follow-up tomorrow."},
        )
        alert.refresh_from_db()
        self.assertEqual((alert.status, alert.resolved_by), ("resolved", self.alice))
        self.assertNotContains(self.client.get(reverse("episodes:dashboard")), "Crisis alerts: act now")

    def test_a_completed_safety_plan_leads_to_documenting_the_alert(self):
        self.client.force_login(self.alice)
        self.client.post(self.new_url(), phq9_post(item9=SEVERAL))
        alert = CrisisAlert.objects.get()
        url = reverse("screening:safety_plan_new", args=[self.patient.pk]) + f"?alert={alert.pk}"
        response = self.client.post(
            url,
            {
                "warning_signs": "Not sleeping",
                "people_to_ask": "Sister Ana",
                "professionals": "988",
                "complete": "on",
                "alert": str(alert.pk),
            },
        )
        self.assertRedirects(
            response,
            reverse("screening:alert_resolve", args=[alert.pk]) + "?action=safety_plan",
            fetch_redirect_response=False,
        )
        self.assertIsNotNone(SafetyPlan.objects.get().completed_at)

    def test_a_double_submitted_form_creates_one_response(self):
        self.client.force_login(self.alice)
        self.client.post(self.new_url(), phq9_post(key="same"))
        self.client.post(self.new_url(), phq9_post(key="same"))
        self.assertEqual(ScreeningResponse.objects.count(), 1)

    def test_an_answer_on_a_skipped_item_is_refused_and_the_answers_are_kept(self):
        self.client.force_login(self.alice)
        data = {
            "q:93246-7": "LA33-6",
            "q:93247-5": "LA32-8",
            "q:93249-1": "LA33-6",
            "q:93267-3": "LA32-8",
            "mode": "in_person",
            "idempotency_key": "c1",
        }
        response = self.client.post(self.new_url("cssrs_screener"), data)
        self.assertContains(response, "does not apply given the earlier answers")
        self.assertContains(response, 'value="LA33-6"')
        self.assertEqual(ScreeningResponse.objects.count(), 0)

    def test_suggested_concerns_are_accepted_with_an_edited_code_or_dismissed(self):
        self.client.force_login(self.alice)
        data = {"q:71802-3": "LA31994-9", "q:88122-7": "LA6729-3", "mode": "phone", "idempotency_key": "a1"}
        self.client.post(self.new_url("ahc_hrsn_core"), data)
        housing = HealthConcern.objects.get(category="housing-instability")
        food = HealthConcern.objects.get(category="food-insecurity")
        self.client.post(
            reverse("screening:concern_decide", args=[housing.pk]), {"decision": "accept", "icd10_code": "z59.812"}
        )
        self.client.post(reverse("screening:concern_decide", args=[food.pk]), {"decision": "dismiss"})
        housing.refresh_from_db()
        food.refresh_from_db()
        self.assertEqual((housing.status, housing.icd10_code), ("active", "Z59.812"))
        self.assertEqual(food.status, "dismissed")
        page = self.client.get(reverse("patients:detail", args=[self.patient.pk]))
        self.assertContains(page, "Housing instability")  # the header badge
        self.client.force_login(self.carol)
        self.assertEqual(
            self.client.post(
                reverse("screening:concern_decide", args=[housing.pk]), {"decision": "dismiss"}
            ).status_code,
            403,
        )

    def test_the_form_is_offered_in_spanish_with_its_translation_status(self):
        self.client.force_login(self.alice)
        page = self.client.get(self.new_url("phq9") + "?lang=es")
        self.assertContains(page, "Poco interés o placer en hacer cosas")
        self.assertContains(page, "needs review")

    def test_the_index_shows_a_trend_and_keeps_its_query_count(self):
        self.client.force_login(self.alice)
        for n in range(2):
            self.client.post(self.new_url(), phq9_post(key=f"t{n}"))
        url = reverse("screening:index", args=[self.patient.pk])
        self.assertContains(self.client.get(url), "<svg")
        with CaptureQueriesContext(connection) as before:
            self.client.get(url)
        for n in range(2, 8):
            self.client.post(self.new_url(), phq9_post(key=f"t{n}"))
        with CaptureQueriesContext(connection) as after:
            self.client.get(url)
        self.assertEqual(len(after), len(before))

    def test_each_page_writes_one_read_event(self):
        self.client.force_login(self.alice)
        self.client.post(self.new_url(), phq9_post())
        r = ScreeningResponse.objects.get()
        for url in [reverse("screening:index", args=[self.patient.pk]), reverse("screening:detail", args=[r.pk])]:
            before = AuditEvent.objects.count()
            self.client.get(url)
            with self.subTest(url=url):
                self.assertEqual(AuditEvent.objects.count(), before + 1)


class CareTeamView(PersonaTestCase):
    def test_the_care_team_sees_results_but_not_item_answers(self):
        self.client.force_login(self.alice)
        self.client.post(reverse("screening:new", args=[self.patient.pk, "phq9"]), phq9_post(item9=SEVERAL))
        response = ScreeningResponse.objects.get()
        self.client.force_login(self.carol)
        page = self.client.get(reverse("screening:detail", args=[response.pk]))
        self.assertContains(page, "Crisis alert")
        self.assertNotContains(page, "44260-8")
        self.assertContains(page, "social-work team only")


class ReviewFindings(PersonaTestCase):
    def test_intake_sees_results_but_not_item_answers_and_cannot_close_alerts(self):
        self.client.force_login(self.alice)
        self.client.post(reverse("screening:new", args=[self.patient.pk, "phq9"]), phq9_post(item9=SEVERAL))
        response = ScreeningResponse.objects.get()
        alert = CrisisAlert.objects.get()
        for persona in ["ian", "carol"]:
            self.client.force_login(getattr(self, persona))
            with self.subTest(persona=persona):
                self.assertNotContains(self.client.get(reverse("screening:detail", args=[response.pk])), "44260-8")
                self.assertEqual(self.client.get(reverse("screening:alert_resolve", args=[alert.pk])).status_code, 403)
                self.assertNotContains(self.client.get(reverse("episodes:dashboard")), "Crisis alerts: act now")

    def test_a_resolved_alert_is_not_resolved_again(self):
        self.client.force_login(self.alice)
        self.client.post(reverse("screening:new", args=[self.patient.pk, "phq9"]), phq9_post(item9=SEVERAL))
        alert = CrisisAlert.objects.get()
        url = reverse("screening:alert_resolve", args=[alert.pk])
        self.client.post(url, {"action": "crisis_line", "note": "Called 988 together."})
        self.client.post(url, {"action": "emergency", "note": "second"})
        alert.refresh_from_db()
        self.assertEqual((alert.action, alert.action_note), ("crisis_line", "Called 988 together."))

    def test_the_ahc_result_shows_its_safety_total(self):
        self.client.force_login(self.alice)
        data = {f"q:{c}": "LA6482-9" for c in ["95618-5", "95617-7", "95616-9", "95615-1"]}
        data.update({"mode": "in_person", "idempotency_key": "s1"})
        page = self.client.post(reverse("screening:new", args=[self.patient.pk, "ahc_hrsn_core"]), data, follow=True)
        self.assertContains(page, "Safety total 20")
