"""The partner's referral list pages one page at a time, open referrals first, without counting the inbox."""

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from puente.accounts.models import Organization, Role
from puente.core.testing import PersonaTestCase, make_org, make_patient, make_user
from puente.referrals.partner import PAGE_SIZE
from puente.referrals.tests.util import make_consent, make_listing, make_referral


class PartnerListPages(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        listing = make_listing(cls.partner_org)
        now = timezone.now()
        # PAGE_SIZE open referrals, newest first by name (Zz000 is the newest), and one completed referral sent after
        # all of them: open ones come first, so the completed one is the only row of page 2.
        for n in range(PAGE_SIZE):
            patient = make_patient(cls.org, "Ana", f"Zz{n:03d}")
            make_consent(patient, cls.alice, cls.partner_org, classes=["demographics"])
            make_referral(patient, cls.alice, listing, "requested", requested_at=now - timedelta(minutes=n + 1))
        done = make_patient(cls.org, "Ana", "Done")
        make_consent(done, cls.alice, cls.partner_org, classes=["demographics"])
        make_referral(done, cls.alice, listing, "completed", requested_at=now)

    def test_page_one_holds_the_open_referrals_and_offers_the_next_page(self):
        self.client.force_login(self.pat)
        first = self.client.get(reverse("referrals:partner_list"))
        self.assertEqual(len(first.context["rows"]), PAGE_SIZE)
        self.assertContains(first, "Ana Zz000")
        self.assertContains(first, f"Ana Zz{PAGE_SIZE - 1:03d}")
        self.assertNotContains(first, "Ana Done")
        self.assertContains(first, "Page 1")
        self.assertContains(first, "?page=2")
        self.assertNotContains(first, "Previous")

    def test_page_two_shows_the_next_rows(self):
        self.client.force_login(self.pat)
        second = self.client.get(reverse("referrals:partner_list"), {"page": "2"})
        self.assertEqual([row["name"] for row in second.context["rows"]], ["Ana Done"])
        self.assertNotContains(second, "Ana Zz000")
        self.assertContains(second, "Previous")
        self.assertContains(second, "?page=1")
        self.assertNotContains(second, "?page=3")

    def test_a_bad_page_number_shows_the_first_page(self):
        self.client.force_login(self.pat)
        for value in ("abc", "-4", "0"):
            with self.subTest(page=value):
                self.assertContains(self.client.get(reverse("referrals:partner_list"), {"page": value}), "Ana Zz000")

    def test_the_query_count_is_the_same_on_every_page_and_nothing_is_counted(self):
        self.client.force_login(self.pat)
        self.client.get(reverse("referrals:partner_list"))
        with CaptureQueriesContext(connection) as first:
            self.client.get(reverse("referrals:partner_list"))
        with CaptureQueriesContext(connection) as second:
            self.client.get(reverse("referrals:partner_list"), {"page": "2"})
        self.assertEqual(len(first.captured_queries), len(second.captured_queries))
        counts = [q["sql"] for q in first.captured_queries if "COUNT(" in q["sql"].upper() and "referral" in q["sql"]]
        self.assertEqual(counts, [])

    def test_another_partner_sees_none_of_these_referrals(self):
        other = make_user(make_org("Casa Esperanza", Organization.Kind.PARTNER), Role.PARTNER, name="Paula Other")
        self.client.force_login(other)
        page = self.client.get(reverse("referrals:partner_list"))
        self.assertEqual(page.context["rows"], [])
        self.assertNotContains(page, "?page=2")
