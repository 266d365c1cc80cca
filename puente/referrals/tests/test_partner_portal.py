"""The partner portal: a partner sees only its organization's referrals and only what the consent allows; never a
patient page, a note or another organization's referral (IDOR over every URL); the partner's side of the
lifecycle; two partners accepting at once → exactly one wins."""

import threading
import unittest

from django.db import connection
from django.test import TransactionTestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from puente.accounts.models import Organization, Role
from puente.audit.models import AuditEvent
from puente.core.testing import PersonaTestCase, make_episode, make_org, make_patient, make_team, make_user
from puente.notes.models import ProgressNote
from puente.referrals import lifecycle, services
from puente.referrals.models import Referral, ReferralEvent
from puente.referrals.tests.util import make_concern, make_consent, make_listing, make_referral
from puente.tasks.models import Notification


class PartnerPortal(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.patient.phone = "505-555-0199"
        cls.patient.address_line1 = "12 Calle Secreta"
        cls.patient.save()
        cls.listing = make_listing(cls.partner_org)
        cls.concern = make_concern(cls.patient)
        cls.consent = make_consent(cls.patient, cls.alice, cls.partner_org, classes=["demographics"])
        cls.referral = services.make_referral(
            None,
            cls.patient,
            send=True,
            service_at_location=cls.listing,
            concerns=[cls.concern],
            message="Needs a food box.",
            user=cls.alice,
        )
        cls.draft = make_referral(cls.patient, cls.alice, cls.listing, "draft")
        cls.other_partner = make_org("Casa Esperanza", Organization.Kind.PARTNER)
        cls.paula = make_user(cls.other_partner, Role.PARTNER, name="Paula Otherpartner")
        cls.other_referral = make_referral(cls.patient, cls.alice, make_listing(cls.other_partner), "requested")
        cls.note = ProgressNote.objects.create(
            organization=cls.org,
            patient=cls.patient,
            author=cls.alice,
            format="dap",
            contact_at=cls.referral.created_at,
            sections={"data": "Confidential note text"},
        )

    def test_it_shows_only_what_the_consent_allows(self):
        self.client.force_login(self.pat)
        page = self.client.get(reverse("referrals:partner_detail", args=[self.referral.pk]))
        self.assertEqual(page.status_code, 200)
        html = page.content.decode()
        self.assertIn("María García", html)
        self.assertIn("Needs a food box.", html)
        # Contact details, concerns and notes are outside this consent.
        for hidden in ("505-555-0199", "12 Calle Secreta", "Food insecurity", "Confidential note text"):
            with self.subTest(hidden=hidden):
                self.assertNotIn(hidden, html)
        self.assertIn("The consent does not cover this information.", html)

    def test_a_confidential_address_is_never_shared(self):
        self.consent.data_classes = ["demographics", "contact", "concerns"]
        self.consent.save()
        self.patient.address_confidential = True
        self.patient.save()
        self.client.force_login(self.pat)
        page = self.client.get(reverse("referrals:partner_detail", args=[self.referral.pk]))
        self.assertContains(page, "505-555-0199")
        self.assertContains(page, "Food insecurity")
        self.assertNotContains(page, "12 Calle Secreta")
        self.assertContains(page, "Withheld (confidential address)")

    def test_partner_reads_are_audited_in_the_care_organizations_log(self):
        self.client.force_login(self.pat)
        self.client.get(reverse("referrals:partner_detail", args=[self.referral.pk]))
        event = AuditEvent.objects.filter(actor=self.pat, object_id=str(self.referral.pk), action="read").get()
        self.assertEqual((event.organization_id, event.patient_id), (self.org.pk, self.patient.pk))
        self.assertEqual(event.detail["shown"], ["demographics"])

    def test_isolation_over_every_url(self):
        """Partners reach only their own organization's sent referrals; every other URL is 403/404 or a redirect."""
        mine = reverse("referrals:partner_detail", args=[self.referral.pk])
        denied_get = [
            reverse("referrals:partner_detail", args=[self.other_referral.pk]),
            reverse("referrals:partner_detail", args=[self.draft.pk]),
            reverse("referrals:detail", args=[self.referral.pk]),
            reverse("referrals:patient_list", args=[self.patient.pk]),
            reverse("referrals:new", args=[self.patient.pk]),
            reverse("referrals:mine"),
            reverse("consent:list", args=[self.patient.pk]),
            reverse("consent:new", args=[self.patient.pk]),
            reverse("consent:revoke", args=[self.consent.pk]),
            reverse("patients:detail", args=[self.patient.pk]),
            reverse("patients:list"),
            reverse("notes:list", args=[self.patient.pk]),
            reverse("notes:detail", args=[self.note.pk]),
        ]
        denied_post = [
            reverse("referrals:partner_status", args=[self.other_referral.pk]),
            reverse("referrals:status", args=[self.referral.pk]),
            reverse("referrals:outcome", args=[self.referral.pk]),
            reverse("referrals:send", args=[self.draft.pk]),
        ]
        self.client.force_login(self.pat)
        self.assertEqual(self.client.get(mine).status_code, 200)
        for url in denied_get:
            with self.subTest(url=url):
                response = self.client.get(url)
                self.assertIn(response.status_code, (403, 404))
                self.assertNotIn("García", response.content.decode())
        for url in denied_post:
            with self.subTest(url=url):
                self.assertIn(
                    self.client.post(url, {"status": "accepted", "reason": "x", "outcome": "met"}).status_code,
                    (403, 404),
                )
        self.other_referral.refresh_from_db()
        self.assertEqual(self.other_referral.status, "requested")
        # The other partner cannot reach this one either; a worker cannot use the partner pages.
        self.client.force_login(self.paula)
        self.assertEqual(self.client.get(mine).status_code, 404)
        for persona in ("alice", "olga", "ada"):
            self.client.force_login(getattr(self, persona))
            with self.subTest(persona=persona):
                self.assertEqual(self.client.get(mine).status_code, 403)
                self.assertEqual(self.client.get(reverse("referrals:partner_list")).status_code, 403)

    def test_the_list_shows_only_this_organizations_referrals_with_a_constant_query_count(self):
        self.client.force_login(self.pat)
        self.client.get(reverse("referrals:partner_list"))
        with CaptureQueriesContext(connection) as one:
            page = self.client.get(reverse("referrals:partner_list"))
        self.assertEqual([row["r"].pk for row in page.context["rows"]], [self.referral.pk])
        self.assertContains(page, "María García")
        for i in range(5):
            p = make_patient(self.org, "Ana", f"Lista{i}")
            make_episode(p, team=self.team, worker=self.alice)
            make_referral(p, self.alice, self.listing, "requested")
        with CaptureQueriesContext(connection) as six:
            page = self.client.get(reverse("referrals:partner_list"))
        self.assertEqual(len(page.context["rows"]), 6)
        self.assertContains(page, "Name not shared", count=5)
        self.assertEqual(len(one.captured_queries), len(six.captured_queries))

    def test_the_partner_walks_the_lifecycle_and_the_worker_is_told(self):
        self.client.force_login(self.pat)
        url = reverse("referrals:partner_status", args=[self.referral.pk])
        for new in ("accepted", "in-progress", "on-hold", "in-progress", "completed"):
            reason = "Waiting for documents" if new == "on-hold" else ""
            response = self.client.post(url, {"status": new, "reason": reason})
            self.assertRedirects(response, reverse("referrals:partner_detail", args=[self.referral.pk]))
        self.referral.refresh_from_db()
        self.assertEqual(
            (self.referral.status, self.referral.handled_by, self.referral.outcome), ("completed", self.pat, "")
        )
        events = list(
            ReferralEvent.objects.filter(organization_id=self.org.pk, referral=self.referral).values_list(
                "to_status", flat=True
            )
        )
        self.assertEqual(
            events, ["draft", "requested", "accepted", "in-progress", "on-hold", "in-progress", "completed"]
        )
        self.assertEqual(Notification.objects.filter(user=self.alice, kind="referral").count(), 5)
        page = self.client.post(url, {"status": "failed", "reason": "x"})
        self.assertContains(page, "already Completed", status_code=409)

    def test_reject_needs_a_reason(self):
        self.client.force_login(self.pat)
        url = reverse("referrals:partner_status", args=[self.referral.pk])
        page = self.client.post(url, {"status": "rejected", "reason": " "})
        self.assertContains(page, "Please give a reason.", status_code=409)
        self.client.post(url, {"status": "rejected", "reason": "Outside our service area"})
        self.referral.refresh_from_db()
        self.assertEqual((self.referral.status, self.referral.status_reason), ("rejected", "Outside our service area"))

    def test_a_second_accept_is_refused(self):
        pat2 = make_user(self.partner_org, Role.PARTNER, name="Pablo Partner")
        services.change_status(None, self.referral, "accepted", side=lifecycle.TARGET, user=self.pat)
        stale = Referral.objects.get(pk=self.referral.pk)
        stale.status = "requested"  # what the second partner's page still shows
        with self.assertRaisesMessage(lifecycle.IllegalTransition, "already Accepted"):
            services.change_status(None, stale, "accepted", side=lifecycle.TARGET, user=pat2)
        self.assertEqual(ReferralEvent.objects.filter(organization_id=self.org.pk, to_status="accepted").count(), 1)


@unittest.skipUnless(connection.vendor == "postgresql", "row locks need PostgreSQL (SQLite serializes writers)")
class ConcurrentAccept(TransactionTestCase):
    def test_two_partners_accepting_at_once_exactly_one_wins(self):
        org = make_org()
        partner = make_org("Roadrunner Food Bank", Organization.Kind.PARTNER)
        alice = make_user(org, name="Alice Worker")
        team = make_team(org, members=[alice])
        patient = make_patient(org)
        make_episode(patient, team=team, worker=alice)
        listing = make_listing(partner)
        make_consent(patient, alice, partner)
        referral = services.make_referral(None, patient, send=True, service_at_location=listing, user=alice)
        partners = [make_user(partner, Role.PARTNER, name=f"Partner {i}") for i in range(2)]
        barrier = threading.Barrier(2)
        results: list[str] = []

        def accept(user):
            try:
                barrier.wait()
                services.change_status(None, referral, "accepted", side=lifecycle.TARGET, user=user)
                results.append("ok")
            except lifecycle.IllegalTransition:
                results.append("refused")
            finally:
                connection.close()

        threads = [threading.Thread(target=accept, args=(u,)) for u in partners]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(sorted(results), ["ok", "refused"])
        self.assertEqual(ReferralEvent.objects.filter(referral=referral, to_status="accepted").count(), 1)
