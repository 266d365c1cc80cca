"""The worker's dashboard lists the community referrals whose loop is not closed, with why, and only theirs."""

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from puente.core.testing import PersonaTestCase
from puente.referrals.panels import LIMIT
from puente.referrals.tests.util import make_listing, make_referral

HEADING = "Community referrals needing action"


class NeedingAction(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.listing = make_listing(cls.partner_org)

    def dashboard(self, persona="alice"):
        self.client.force_login(getattr(self, persona))
        return self.client.get(reverse("episodes:dashboard"))

    def referral(self, status, **extra):
        return make_referral(self.patient, self.alice, self.listing, status, **extra)

    def test_it_shows_each_reason_a_referral_needs_the_worker(self):
        long_ago = timezone.now() - timedelta(days=30)
        cases = [
            ("requested", {"requested_at": long_ago, "status_changed_at": long_ago}, True),  # stalled
            ("completed", {}, True),  # no outcome for the patient yet
            ("rejected", {"status_reason": "Out of area"}, True),
            ("failed", {}, True),
            ("completed", {"outcome": "met"}, False),  # the loop is closed
            ("accepted", {"accepted_at": timezone.now(), "last_partner_update_at": timezone.now()}, False),
            ("draft", {}, False),
            ("cancelled", {}, False),
        ]
        for status, extra, listed in cases:
            with self.subTest(status=status, extra=extra):
                referral = self.referral(status, **extra)
                page = self.dashboard().content.decode()
                self.assertEqual(reverse("referrals:detail", args=[referral.pk]) in page, listed)
                referral.events.all().delete()
                referral.delete()

    def test_a_referral_needing_action_shows_behind_many_that_do_not(self):
        # More open, not stalled referrals than the panel shows, all older in their status than the one that needs
        # the worker: the panel still finds it (the rule is applied by the query, not to its first rows).
        now = timezone.now()
        for n in range(3 * LIMIT + 1):
            self.referral("accepted", last_partner_update_at=now, status_changed_at=now - timedelta(days=90 - n % 60))
        done = self.referral("completed", status_changed_at=now)
        self.assertContains(self.dashboard(), reverse("referrals:detail", args=[done.pk]))

    def test_a_stalled_referral_says_why_in_words(self):
        long_ago = timezone.now() - timedelta(days=30)
        self.referral("requested", requested_at=long_ago, status_changed_at=long_ago)
        page = self.dashboard()
        self.assertContains(page, "Stalled: not accepted yet")
        self.assertNotContains(page, "not_accepted")

    def test_a_patient_who_says_no_puts_it_back_on_the_list(self):
        referral = self.referral("completed", outcome="met", checkback_answer="no")
        self.assertNotContains(self.dashboard(), reverse("referrals:detail", args=[referral.pk]))
        referral.outcome = ""
        referral.save(update_fields=["outcome"])
        page = self.dashboard()
        self.assertContains(page, "The patient said the need is not met.")

    def test_only_the_referring_worker_sees_it_and_other_roles_get_no_panel(self):
        self.referral("completed")
        self.assertContains(self.dashboard("alice"), HEADING)
        for persona in ("bob", "charlie", "carol", "ian", "olga"):
            with self.subTest(persona=persona):
                self.assertNotContains(self.dashboard(persona), HEADING)

    def test_the_panel_costs_the_same_queries_for_one_or_many(self):
        self.referral("completed")
        self.client.force_login(self.alice)
        url = reverse("episodes:dashboard")
        self.client.get(url)  # the session's first request does more
        with CaptureQueriesContext(connection) as one:
            self.client.get(url)
        for _ in range(8):
            self.referral("failed")
        with CaptureQueriesContext(connection) as many:
            page = self.client.get(url)
        self.assertEqual(page.content.decode().count("The partner could not help"), 8)
        self.assertEqual(len(one), len(many))
