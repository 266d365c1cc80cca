"""Curation: stale flag, mark verified, capacity, reports of wrong information and the curators' queue.
Who may (administrators; partner staff of the curating organization) and who may not; every write audited."""

from datetime import timedelta

from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from puente.accounts.models import Organization as CareOrganization
from puente.accounts.models import Role
from puente.audit.models import AuditEvent
from puente.core.testing import PersonaTestCase, make_org, make_user
from puente.directory.models import ListingReport, Service

from .helpers import make_listing


class StaleFlag(PersonaTestCase):
    def test_it_is_stale_after_the_configured_days_at_the_boundary(self):
        now = timezone.now()
        cases = [(None, True), (179, False), (180 - 1 / 24, False), (181, True)]
        for days, expected in cases:
            with self.subTest(days=days):
                verified = None if days is None else now - timedelta(days=days)
                s = make_listing(f"S{days}", verified=verified)
                self.assertIs(s.is_stale, expected)
                self.assertIs(Service.objects.stale().filter(pk=s.pk).exists(), expected)

    @override_settings(PUENTE_DIRECTORY_STALE_DAYS=30)
    def test_it_reads_the_window_from_settings(self):
        s = make_listing("Pantry", verified=timezone.now() - timedelta(days=31))
        self.assertTrue(s.is_stale)
        s.last_verified_at = timezone.now() - timedelta(days=29)
        self.assertFalse(s.is_stale)


class Curation(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.other_partner = make_org("Other Partner", CareOrganization.Kind.PARTNER)
        cls.pete = make_user(cls.other_partner, Role.PARTNER, name="Pete Otherpartner")
        cls.listing = make_listing("Westside Food Pantry", curated_by=cls.partner_org, capacity="accepting")
        cls.other_listing = make_listing("Elsewhere Shelter", curated_by=cls.other_partner)

    def post(self, user, name, data=None, listing=None):
        self.client.force_login(user)
        return self.client.post(reverse(f"directory:{name}", args=[(listing or self.listing).pk]), data or {})

    def test_it_lets_curators_mark_verified_and_audits_it(self):
        for user in (self.pat, self.ada):
            with self.subTest(user=user.full_name):
                before = AuditEvent.objects.count()
                response = self.post(user, "verify")
                self.assertRedirects(response, reverse("directory:service", args=[self.listing.pk]))
                self.listing.refresh_from_db()
                self.assertEqual(self.listing.last_verified_by, user)
                self.assertFalse(self.listing.is_stale)
                event = AuditEvent.objects.order_by("-id").first()
                self.assertEqual(AuditEvent.objects.count(), before + 1)
                self.assertEqual(
                    (event.actor, event.object_id, event.detail["change"]), (user, str(self.listing.pk), "verified")
                )

    def test_it_refuses_verify_and_capacity_to_everyone_else(self):
        for user in (self.alice, self.sam, self.ian, self.carol, self.olga, self.pete):
            for name, data in (("verify", {}), ("capacity", {"capacity_status": "waitlist"})):
                with self.subTest(user=user.full_name, action=name):
                    self.assertEqual(self.post(user, name, data).status_code, 403)
        self.listing.refresh_from_db()
        self.assertEqual((self.listing.last_verified_at, self.listing.capacity_status), (None, "accepting"))
        self.assertEqual(self.post(self.pat, "verify", listing=self.other_listing).status_code, 403)

    def test_it_sets_capacity_with_who_and_when(self):
        response = self.post(self.pat, "capacity", {"capacity_status": "waitlist"})
        self.assertEqual(response.status_code, 302)
        self.listing.refresh_from_db()
        self.assertEqual((self.listing.capacity_status, self.listing.capacity_updated_by), ("waitlist", self.pat))
        self.assertLess(timezone.now() - self.listing.capacity_updated_at, timedelta(minutes=1))
        event = AuditEvent.objects.order_by("-id").first()
        self.assertEqual((event.detail["from"], event.detail["to"]), ("accepting", "waitlist"))

    def test_it_refuses_a_bad_capacity_with_a_clear_error(self):
        response = self.post(self.pat, "capacity", {"capacity_status": "full"})
        self.assertContains(response, "Choose the capacity status.", status_code=400)
        self.listing.refresh_from_db()
        self.assertEqual(self.listing.capacity_status, "accepting")

    def test_it_shows_curation_tools_to_curators_only(self):
        url = reverse("directory:service", args=[self.listing.pk])
        for user, expected in ((self.pat, True), (self.ada, True), (self.alice, False), (self.pete, False)):
            with self.subTest(user=user.full_name):
                self.client.force_login(user)
                response = self.client.get(url)
                self.assertIs("Mark verified today" in response.content.decode(), expected)
                self.assertContains(response, "Report wrong information")

    def test_it_takes_a_report_from_any_staff_user_and_queues_it_for_the_curators(self):
        for user in (self.alice, self.carol, self.ian, self.olga):
            with self.subTest(user=user.full_name):
                response = self.post(user, "report", {"reason": "phone", "details": f"Number changed ({user.pk})."})
                self.assertRedirects(response, reverse("directory:service", args=[self.listing.pk]))
        self.assertEqual(ListingReport.objects.filter(service=self.listing).count(), 4)
        report = ListingReport.objects.filter(reported_by=self.olga).get()
        self.assertEqual(report.reporter_organization_id, self.other_org.pk)
        event = AuditEvent.objects.order_by("-id").first()
        self.assertEqual((event.action, event.object_id), ("create", str(report.pk)))
        queue = reverse("directory:curation")
        for user, sees in ((self.pat, True), (self.ada, True), (self.pete, False)):
            with self.subTest(queue=user.full_name):
                self.client.force_login(user)
                self.assertIs(f"Number changed ({self.olga.pk})." in self.client.get(queue).content.decode(), sees)
        for user in (self.alice, self.sam, self.carol, self.ian):
            with self.subTest(denied=user.full_name):
                self.client.force_login(user)
                self.assertEqual(self.client.get(queue).status_code, 403)

    def test_it_keeps_a_refused_report_as_typed(self):
        response = self.post(self.alice, "report", {"reason": "", "details": "Closed on Fridays now."})
        self.assertContains(response, "Choose what is wrong.")
        self.assertContains(response, "Closed on Fridays now.")
        response = self.post(self.alice, "report", {"reason": "hours", "details": ""})
        self.assertContains(response, "Describe what is wrong so the curators can fix it.")
        self.assertFalse(ListingReport.objects.exists())

    def test_it_resolves_a_report_by_curators_only(self):
        report = ListingReport.objects.create(
            service=self.listing, reason="hours", details="Closed Mondays", reported_by=self.alice
        )
        url = reverse("directory:resolve", args=[report.pk])
        for user in (self.alice, self.pete, self.sam):
            with self.subTest(user=user.full_name):
                self.client.force_login(user)
                self.assertEqual(self.client.post(url, {"resolution": "Fixed"}).status_code, 403)
        self.client.force_login(self.pat)
        response = self.client.post(url, {"resolution": ""})
        self.assertContains(response, "Say what was done about this report.", status_code=400)
        long_text = "x" * 1001
        response = self.client.post(url, {"resolution": long_text})
        self.assertContains(response, long_text, status_code=400)
        response = self.client.post(url, {"resolution": "Called them; hours updated."})
        self.assertRedirects(response, reverse("directory:curation"))
        report.refresh_from_db()
        self.assertEqual(
            (report.status, report.resolved_by, report.resolution),
            ("resolved", self.pat, "Called them; hours updated."),
        )
        self.assertEqual(AuditEvent.objects.order_by("-id").first().detail["change"], "resolved")
        self.assertNotContains(self.client.get(reverse("directory:curation")), "Closed Mondays")

    def test_it_lists_stale_listings_in_the_queue_with_constant_queries(self):
        self.client.force_login(self.ada)
        url = reverse("directory:curation")
        self.client.get(url)
        with CaptureQueriesContext(connection) as one:
            response = self.client.get(url)
        self.assertContains(response, "Westside Food Pantry")
        for i in range(5):
            s = make_listing(f"Pantry {i}", curated_by=self.partner_org)
            ListingReport.objects.create(
                service=s, reason="other", details="?", reported_by=self.alice, reporter_organization=self.org
            )
        with CaptureQueriesContext(connection) as many:
            response = self.client.get(url)
        self.assertContains(response, "Pantry 4")
        self.assertContains(response, "5 open reports")
        self.assertEqual(len(many.captured_queries), len(one.captured_queries))
        self.post(self.ada, "verify")
        self.client.force_login(self.ada)
        self.assertNotContains(self.client.get(url), "Westside Food Pantry")
