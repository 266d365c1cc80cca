"""Worker pages: who reaches them (persona matrix), the preview equals the partner's page, sending checks consent
and logs disclosures, revocation stops sharing, cancel and outcome, constant query counts, one audit read each."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from puente.audit.models import AuditEvent
from puente.consent.models import Disclosure
from puente.consent.services import revoke_consent
from puente.core.testing import PersonaTestCase, make_patient
from puente.referrals import services
from puente.referrals.models import Referral, ReferralEvent
from puente.referrals.partner_view import for_referral
from puente.referrals.tests.util import make_concern, make_consent, make_listing, make_referral
from puente.tasks.models import Notification

WRITERS = ["alice", "bob", "sam"]
NO_PATIENT = ["charlie", "ada", "pat", "olga"]


class ReferralPages(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.listing = make_listing(cls.partner_org)
        cls.concern = make_concern(cls.patient)
        cls.referral = make_referral(cls.patient, cls.alice, cls.listing, "requested", concerns=[cls.concern])

    def status_of(self, persona, url, method="get", data=None):
        self.client.force_login(getattr(self, persona))
        return getattr(self.client, method)(url, data or {}).status_code

    def test_persona_matrix_for_reading(self):
        pages = [
            reverse("referrals:patient_list", args=[self.patient.pk]),
            reverse("referrals:detail", args=[self.referral.pk]),
            reverse("referrals:new", args=[self.patient.pk]),
            reverse("consent:list", args=[self.patient.pk]),
            reverse("consent:new", args=[self.patient.pk]),
        ]
        expected = {p: 200 for p in WRITERS} | {p: 404 for p in NO_PATIENT} | {"carol": 403, "ian": 403}
        for url in pages:
            # A referral itself is not disclosed to roles that cannot read referrals: 404, like a note's page.
            others = {"carol": 404, "ian": 404} if "/referrals/" in url and "patients" not in url else {}
            for persona, status in (expected | others).items():
                with self.subTest(url=url, persona=persona):
                    self.assertEqual(self.status_of(persona, url), status)
        self.assertEqual(self.status_of("alice", reverse("referrals:mine")), 200)
        for persona in ["carol", "ian", "pat", "ada"]:
            with self.subTest(page="mine", persona=persona):
                self.assertEqual(self.status_of(persona, reverse("referrals:mine")), 403)

    def test_it_denies_writes_to_readers_and_strangers(self):
        posts = {
            reverse("referrals:new", args=[self.patient.pk]): {
                "service_at_location": self.listing.pk,
                "priority": "routine",
                "action": "draft",
            },
            reverse("referrals:status", args=[self.referral.pk]): {"status": "cancelled", "reason": "x"},
            reverse("referrals:outcome", args=[self.referral.pk]): {"outcome": "met"},
            reverse("referrals:send", args=[self.referral.pk]): {},
        }
        for persona in ["carol", "ian", *NO_PATIENT]:
            for url, data in posts.items():
                with self.subTest(persona=persona, url=url):
                    self.assertIn(self.status_of(persona, url, "post", data), (403, 404))
        self.assertEqual(Referral.objects.filter(organization_id=self.org.pk).count(), 1)
        self.referral.refresh_from_db()
        self.assertEqual((self.referral.status, self.referral.outcome), ("requested", ""))

    def test_the_preview_is_what_the_partner_will_see(self):
        make_consent(self.patient, self.alice, self.partner_org)
        self.client.force_login(self.alice)
        data = {
            "service_at_location": self.listing.pk,
            "concerns": [self.concern.pk],
            "priority": "urgent",
            "message_to_partner": "Please call her in the morning.",
            "patient_told": "They will call within a week.",
            "action": "preview",
        }
        page = self.client.post(reverse("referrals:new", args=[self.patient.pk]), data)
        self.assertEqual(page.status_code, 200)
        preview = page.context["preview"]
        self.assertContains(page, "What the partner will see")
        self.assertContains(page, "Please call her in the morning.")
        self.assertContains(page, "Food insecurity")
        self.assertContains(page, "Progress notes are never shared with partners.")
        self.assertFalse(Referral.objects.filter(organization_id=self.org.pk).exclude(pk=self.referral.pk).exists())
        # Sending, then the partner's page: the same fields.
        data["action"] = "send"
        response = self.client.post(reverse("referrals:new", args=[self.patient.pk]), data)
        referral = Referral.objects.get(organization_id=self.org.pk, priority="urgent")
        self.assertRedirects(response, reverse("referrals:detail", args=[referral.pk]))
        partner = for_referral(referral, services.referral_concerns(referral))
        for attr in (
            "name",
            "birth_date",
            "phone",
            "email",
            "address",
            "concerns",
            "screenings",
            "shared",
            "withheld",
            "message",
        ):
            with self.subTest(attr=attr):
                self.assertEqual(getattr(partner, attr), getattr(preview, attr))
        self.assertEqual(referral.status, "requested")
        self.assertEqual(
            set(
                Disclosure.objects.filter(organization_id=self.org.pk, source_id=str(referral.pk)).values_list(
                    "data_class", flat=True
                )
            ),
            {"demographics", "contact", "concerns"},
        )
        self.assertTrue(AuditEvent.objects.filter(object_type="consent.disclosure", action="export").exists())
        self.assertTrue(Notification.objects.filter(user=self.pat, kind="referral").exists())
        note = Notification.objects.get(user=self.pat, kind="referral")
        self.assertNotIn("García", note.text)

    def test_it_refuses_to_send_without_consent_and_keeps_the_input(self):
        self.client.force_login(self.alice)
        data = {
            "service_at_location": self.listing.pk,
            "priority": "routine",
            "message_to_partner": "Needs a food box this week.",
            "action": "send",
        }
        page = self.client.post(reverse("referrals:new", args=[self.patient.pk]), data)
        self.assertEqual(page.status_code, 200)
        self.assertContains(page, "No consent allows sharing with Roadrunner Food Bank")
        self.assertContains(page, "Needs a food box this week.")
        self.assertEqual(Referral.objects.filter(organization_id=self.org.pk).count(), 1)

    def test_bad_input_is_refused_with_a_message(self):
        self.client.force_login(self.alice)
        page = self.client.post(
            reverse("referrals:new", args=[self.patient.pk]),
            {"priority": "routine", "message_to_partner": "kept text", "action": "preview"},
        )
        self.assertContains(page, "This field is required.")
        self.assertContains(page, "kept text")
        other = make_patient(self.org, "José", "Baca")
        foreign = make_concern(other)
        page = self.client.post(
            reverse("referrals:new", args=[self.patient.pk]),
            {
                "service_at_location": self.listing.pk,
                "concerns": [foreign.pk],
                "priority": "routine",
                "action": "preview",
            },
        )
        self.assertContains(page, "is not one of the available choices")

    def test_a_listing_without_a_partner_account_is_not_offered(self):
        lonely = make_listing(None, "Legal aid clinic")
        self.client.force_login(self.alice)
        page = self.client.get(reverse("referrals:new", args=[self.patient.pk]))
        self.assertContains(page, "Emergency food boxes")
        self.assertNotContains(page, "Legal aid clinic")
        self.assertNotIn(lonely, list(page.context["form"].fields["service_at_location"].queryset))

    def test_revocation_stops_sharing_and_keeps_the_disclosures(self):
        consent = make_consent(self.patient, self.alice, self.partner_org)
        referral = services.make_referral(
            None, self.patient, send=True, service_at_location=self.listing, user=self.alice
        )
        before = Disclosure.objects.filter(organization_id=self.org.pk, source_id=str(referral.pk)).count()
        self.assertEqual(before, 3)
        revoke_consent(None, consent, by_name="María García", user=self.alice)
        view = for_referral(referral, [])
        self.assertEqual(view.shared, [])
        self.assertEqual(view.name, "")
        self.assertEqual(
            Disclosure.objects.filter(organization_id=self.org.pk, source_id=str(referral.pk)).count(), before
        )
        self.client.force_login(self.pat)
        page = self.client.get(reverse("referrals:partner_detail", args=[referral.pk]))
        self.assertNotContains(page, "García")
        self.assertContains(page, "The consent was revoked.")

    def test_cancel_needs_a_reason_and_writes_an_event(self):
        self.client.force_login(self.alice)
        url = reverse("referrals:status", args=[self.referral.pk])
        page = self.client.post(url, {"status": "cancelled", "reason": ""})
        self.assertContains(page, "Please give a reason.", status_code=400)
        response = self.client.post(url, {"status": "cancelled", "reason": "Patient moved away"})
        self.assertRedirects(response, reverse("referrals:detail", args=[self.referral.pk]))
        event = ReferralEvent.objects.filter(organization_id=self.org.pk, referral=self.referral).last()
        self.assertEqual(
            (event.from_status, event.to_status, event.reason, event.actor),
            ("requested", "cancelled", "Patient moved away", self.alice),
        )
        page = self.client.post(url, {"status": "accepted", "reason": ""})
        self.assertContains(page, "already Cancelled", status_code=400)

    def test_the_worker_cannot_take_the_partners_steps(self):
        self.client.force_login(self.alice)
        page = self.client.post(
            reverse("referrals:status", args=[self.referral.pk]), {"status": "accepted", "reason": "x"}
        )
        self.assertContains(page, "Only the partner organization", status_code=400)

    def test_outcome_not_met_needs_a_reason_and_is_separate_from_completion(self):
        self.client.force_login(self.alice)
        url = reverse("referrals:outcome", args=[self.referral.pk])
        page = self.client.post(url, {"outcome": "not_met", "reason": "", "note": "kept note"})
        self.assertContains(page, "Say why the need was not met.", status_code=400)
        self.assertContains(page, "kept note", status_code=400)
        self.client.post(url, {"outcome": "not_met", "reason": "waitlisted", "note": ""})
        self.referral.refresh_from_db()
        self.assertEqual(
            (self.referral.outcome, self.referral.outcome_reason, self.referral.status),
            ("not_met", "waitlisted", "requested"),
        )
        page = self.client.get(reverse("referrals:detail", args=[self.referral.pk]))
        self.assertContains(page, "Need not met")
        self.assertContains(page, "Waitlisted")

    def test_one_audit_read_per_page(self):
        self.client.force_login(self.alice)
        for url in [
            reverse("referrals:patient_list", args=[self.patient.pk]),
            reverse("referrals:detail", args=[self.referral.pk]),
            reverse("consent:list", args=[self.patient.pk]),
        ]:
            with self.subTest(url=url):
                before = AuditEvent.objects.filter(action="read", patient_id=self.patient.pk).count()
                self.client.get(url)
                self.assertEqual(
                    AuditEvent.objects.filter(action="read", patient_id=self.patient.pk).count(), before + 1
                )

    def test_lists_have_a_constant_query_count(self):
        self.client.force_login(self.alice)
        urls = [reverse("referrals:patient_list", args=[self.patient.pk]), reverse("referrals:mine")]
        counts = {}
        for n in (1, 6):
            while Referral.objects.filter(organization_id=self.org.pk).count() < n:
                p = make_patient(self.org, "Ana", f"Test{Referral.objects.count()}")
                from puente.core.testing import make_episode

                make_episode(p, team=self.team, worker=self.alice)
                make_referral(self.patient, self.alice, make_listing(self.partner_org), "requested")
                make_referral(p, self.alice, make_listing(self.partner_org), "accepted")
            for url in urls:
                self.client.get(url)  # warm up (session, first-use lookups)
                with CaptureQueriesContext(connection) as ctx:
                    self.assertEqual(self.client.get(url).status_code, 200)
                counts[(url, n)] = len(ctx.captured_queries)
        for url in urls:
            with self.subTest(url=url):
                self.assertEqual(counts[(url, 1)], counts[(url, 6)])

    def test_stalled_referrals_are_marked(self):
        from datetime import timedelta

        from django.utils import timezone

        Referral.objects.filter(pk=self.referral.pk).update(requested_at=timezone.now() - timedelta(days=10))
        self.client.force_login(self.alice)
        page = self.client.get(reverse("referrals:mine"))
        self.assertContains(page, "Stalled: not accepted yet")
        page = self.client.get(reverse("referrals:patient_list", args=[self.patient.pk]))
        self.assertContains(page, "Stalled")


class PagesInSpanish(PersonaTestCase):
    def test_every_page_renders_in_spanish(self):
        listing = make_listing(self.partner_org)
        make_consent(self.patient, self.alice, self.partner_org)
        referral = services.make_referral(None, self.patient, send=True, service_at_location=listing, user=self.alice)
        self.client.cookies["django_language"] = "es"
        pages = {
            "alice": [
                reverse("referrals:patient_list", args=[self.patient.pk]),
                reverse("referrals:detail", args=[referral.pk]),
                reverse("referrals:new", args=[self.patient.pk]),
                reverse("referrals:resources", args=[self.patient.pk]),
                reverse("referrals:mine"),
                reverse("consent:list", args=[self.patient.pk]),
                reverse("consent:new", args=[self.patient.pk]),
            ],
            "pat": [reverse("referrals:partner_list"), reverse("referrals:partner_detail", args=[referral.pk])],
        }
        for persona, urls in pages.items():
            self.client.force_login(getattr(self, persona))
            self.client.cookies["django_language"] = "es"
            for url in urls:
                with self.subTest(url=url):
                    page = self.client.get(url)
                    self.assertEqual(page.status_code, 200)
                    self.assertContains(page, 'lang="es"')
