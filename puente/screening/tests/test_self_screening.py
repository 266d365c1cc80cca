"""Self-screening by link: single use, expiry, rate limit, no PHI beyond the first name, crisis resources."""

from datetime import timedelta

from django.core.cache import cache
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from puente.core.testing import PersonaTestCase
from puente.screening import public, services
from puente.screening.models import CrisisAlert, ScreeningResponse, SelfScreeningLink
from puente.screening.scoring.mood import PHQ9_ITEMS
from puente.tasks.models import Notification


class SelfScreening(PersonaTestCase):
    def setUp(self):
        cache.clear()
        request = RequestFactory().post("/")
        request.user = self.alice
        self.link, self.token = services.create_self_screening_link(
            request, self.patient, ["phq9", "hvs"], language="es"
        )
        self.url = reverse("screening:self", args=[self.token])

    def answers(self, item9="LA6568-5"):
        data = {f"phq9-q:{c}": "LA6568-5" for c in PHQ9_ITEMS}
        data["phq9-q:44260-8"] = item9
        data["hvs-q:88122-7"] = "LA28397-0"
        data["action"] = "finish"
        return data

    def test_the_page_shows_the_first_name_only_in_the_patients_language(self):
        self.patient.address_line1 = "12 Calle Secreta"
        self.patient.save()
        page = self.client.get(self.url)
        self.assertContains(page, "Hola, María")
        self.assertContains(page, 'lang="es"')
        for phi in ["García", "1950", "Calle Secreta", "MRN"]:
            self.assertNotContains(page, phi)

    def test_answers_land_in_the_chart_as_self_reported_and_the_worker_is_told(self):
        page = self.client.post(self.url, self.answers())
        self.assertContains(page, "Gracias")
        responses = ScreeningResponse.objects.filter(patient=self.patient)
        self.assertEqual({r.instrument_id for r in responses}, {"phq9", "hvs"})
        self.assertTrue(all(r.mode == "self" and r.performer is None and r.language == "es" for r in responses))
        self.assertTrue(Notification.objects.filter(user=self.alice, kind="self_screening").exists())

    def test_the_link_works_once(self):
        self.client.post(self.url, self.answers())
        again = self.client.get(self.url)
        self.assertEqual(again.status_code, 410)
        self.assertContains(again, "ya se respondieron", status_code=410)

    def test_an_expired_link_gets_a_clear_page(self):
        SelfScreeningLink.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
        page = self.client.get(self.url)
        self.assertEqual(page.status_code, 410)
        self.assertContains(page, "vencido", status_code=410)

    def test_risk_answers_show_crisis_resources_at_once_and_alert_the_team(self):
        page = self.client.post(self.url, self.answers(item9="LA6569-3"))
        self.assertContains(page, "988")
        self.assertContains(page, "1-855-662-7474")
        self.assertEqual(CrisisAlert.objects.filter(patient=self.patient).count(), 1)

    def test_progress_is_saved_as_the_patient_goes(self):
        self.client.post(self.url, {"phq9-q:44250-9": "LA6570-1", "action": "save"})
        self.link.refresh_from_db()
        self.assertEqual(self.link.draft_answers["phq9"], {"44250-9": "LA6570-1"})
        page = self.client.get(self.url).content.decode()
        self.assertRegex(page, r'value="LA6570-1" id="[^"]+" checked')
        self.assertEqual(ScreeningResponse.objects.count(), 0)

    def test_a_bad_answer_saves_nothing(self):
        data = self.answers()
        data["phq9-q:44250-9"] = "LA33-6"
        page = self.client.post(self.url, data)
        self.assertEqual(page.status_code, 200)
        self.assertEqual(ScreeningResponse.objects.count(), 0)
        self.link.refresh_from_db()
        self.assertIsNone(self.link.completed_at)

    def test_guessing_tokens_is_rate_limited(self):
        for n in range(public.MAX_MISSES_PER_IP):
            self.assertEqual(self.client.get(reverse("screening:self", args=[f"guess{n}"])).status_code, 404)
        self.assertEqual(self.client.get(self.url).status_code, 429)

    def test_only_a_hash_of_the_token_is_stored(self):
        self.assertNotIn(self.token, str(SelfScreeningLink.objects.values().get()))

    def test_staff_create_a_link_with_a_qr_code(self):
        self.client.force_login(self.alice)
        page = self.client.post(
            reverse("screening:self_link_new", args=[self.patient.pk]),
            {"instruments": ["phq2"], "language": "en", "hours": "72"},
        )
        self.assertContains(page, "<svg")
        self.assertContains(page, "/s/")
        self.client.force_login(self.charlie)
        self.assertEqual(self.client.get(reverse("screening:self_link_new", args=[self.patient.pk])).status_code, 404)

    def test_staff_only_instruments_cannot_be_sent(self):
        request = RequestFactory().post("/")
        request.user = self.alice
        with self.assertRaises(ValueError):
            services.create_self_screening_link(request, self.patient, ["cssrs_screener"])


class SendingTheLink(PersonaTestCase):
    def test_the_link_is_texted_only_with_consent_and_the_message_has_no_phi(self):
        from puente.core import messaging

        messaging.outbox.clear()
        self.client.force_login(self.alice)
        url = reverse("screening:self_link_new", args=[self.patient.pk])
        page = self.client.get(url)
        self.assertNotContains(page, "By text message")  # no phone consent yet
        self.patient.phone, self.patient.phone_may_text = "505-555-0100", True
        self.patient.save()
        with self.captureOnCommitCallbacks(execute=True):
            page = self.client.post(url, {"instruments": ["phq2"], "language": "es", "hours": "72", "send_by": "sms"})
        self.assertContains(page, "The link was sent")
        self.assertEqual(len(messaging.outbox), 1)
        message = messaging.outbox[0]
        self.assertEqual((message.channel, message.to), ("sms", "505-555-0100"))
        self.assertIn("/s/", message.body)
        for phi in ["María", "García", "PHQ"]:
            self.assertNotIn(phi, message.body)


class SafetyAnswers(PersonaTestCase):
    def test_abuse_answers_show_the_domestic_violence_hotline(self):
        request = RequestFactory().post("/")
        request.user = self.alice
        _link, token = services.create_self_screening_link(request, self.patient, ["ahc_hrsn_core"])
        data = {f"ahc_hrsn_core-q:{c}": "LA6482-9" for c in ["95618-5", "95617-7", "95616-9", "95615-1"]}
        data["action"] = "finish"
        page = self.client.post(reverse("screening:self", args=[token]), data)
        self.assertContains(page, "1-800-799-7233")
        self.assertContains(page, "close this page now")
