"""The worker's open-referral list: stalled first (decided in SQL, the same rule as ``stall_reason``), a page at a
time, without counting the list."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from puente.core.testing import PersonaTestCase
from puente.referrals import clocks
from puente.referrals.models import Referral
from puente.referrals.tests.util import make_listing, make_referral
from puente.referrals.views import LIST_PAGE_SIZE

DENVER = ZoneInfo("America/Denver")
OPEN = ("requested", "accepted", "in-progress", "on-hold")


class StalledInSql(PersonaTestCase):
    """``Referral.objects.stalled_first`` flags exactly the referrals ``Referral.stall_reason`` calls stalled, at
    every boundary of the rule: local midnight of the last stalled request day (weekends skipped), and exactly
    ``update_days`` without a partner update."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.listing = make_listing(cls.partner_org)

    def make(self, status, requested_at, updated_at=None):
        return make_referral(
            self.patient, self.alice, self.listing, status, requested_at=requested_at, last_partner_update_at=updated_at
        )

    def test_the_sql_flag_agrees_with_stall_reason_on_every_boundary(self):
        # Monday to Sunday noon of one week, Denver time: each day puts the weekend somewhere else in the window.
        for day in range(23, 30):
            now = datetime(2026, 11, day, 12, 0, tzinfo=DENVER)
            Referral.objects.all().delete()
            last_day = clocks.latest_stalled_request_day(now.date(), 3)
            midnight = datetime.combine(last_day + timedelta(days=1), datetime.min.time(), tzinfo=DENVER)
            moments = [midnight, midnight - timedelta(microseconds=1), midnight + timedelta(hours=1)]
            moments += [now - timedelta(hours=h) for h in range(0, 24 * 20, 7)]
            for status in OPEN:
                for moment in moments:
                    self.make(status, moment)
                for age in (timedelta(days=14), timedelta(days=14) - timedelta(seconds=1), timedelta(days=15)):
                    self.make(status, now - timedelta(days=30), updated_at=now - age)
            self.make("requested", None)
            expected = {r.pk for r in Referral.objects.all() if r.stall_reason(now)}
            flagged = {r.pk for r in Referral.objects.all().stalled_first(now) if r.stalled}
            with self.subTest(now=now.strftime("%A")):
                self.assertTrue(expected)  # the table has stalled rows, and rows that are not
                self.assertLess(len(expected), Referral.objects.count())
                self.assertEqual(flagged, expected)

    def test_with_no_day_to_wait_every_sent_request_is_stalled_in_both_rules(self):
        now = datetime(2026, 11, 25, 12, 0, tzinfo=DENVER)
        for moment in (now - timedelta(days=2), now, now + timedelta(days=1), None):
            self.make("requested", moment)
        with self.settings(PUENTE_REFERRAL_ACCEPT_DAYS=0):
            expected = {r.pk for r in Referral.objects.all() if r.stall_reason(now)}
            flagged = {r.pk for r in Referral.objects.all().stalled_first(now) if r.stalled}
        self.assertEqual(len(expected), 3)  # all but the one never sent
        self.assertEqual(flagged, expected)

    def test_the_last_stalled_request_day_skips_the_weekend(self):
        cases = [  # (today, accept business days, last day a request counts as stalled)
            (datetime(2026, 11, 25).date(), 3, datetime(2026, 11, 22).date()),  # Wednesday -> Sunday (Mon-Wed)
            (datetime(2026, 11, 23).date(), 3, datetime(2026, 11, 18).date()),  # Monday -> Wednesday before
            (datetime(2026, 11, 23).date(), 1, datetime(2026, 11, 22).date()),  # Monday -> Sunday (Monday counts)
            (datetime(2026, 11, 29).date(), 1, datetime(2026, 11, 26).date()),  # Sunday -> Thursday
            (datetime(2026, 11, 25).date(), 0, datetime(2026, 11, 25).date()),  # no wait at all: today
        ]
        for today, days, last in cases:
            with self.subTest(today=today, days=days):
                self.assertEqual(clocks.latest_stalled_request_day(today, days), last)
                self.assertGreaterEqual(clocks.business_days_between(last, today), days)
                if days:  # the next day would count fewer business days (with 0, every day up to today counts)
                    self.assertLess(clocks.business_days_between(last + timedelta(days=1), today), days)


class WorkerListPages(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        listing = make_listing(cls.partner_org)
        now = timezone.now()
        # A page of fresh referrals that have waited longest in their status (status changed long ago, but sent
        # today, so not stalled), then one stalled referral whose status changed most recently: it leads page 1.
        for n in range(LIST_PAGE_SIZE):
            make_referral(cls.patient, cls.alice, listing, "requested", status_changed_at=now - timedelta(days=60 - n))
        cls.stalled = make_referral(cls.patient, cls.alice, listing, "requested", requested_at=now - timedelta(days=10))
        cls.closed = make_referral(cls.patient, cls.alice, listing, "completed", requested_at=now - timedelta(days=90))

    def rows(self, **query):
        self.client.force_login(self.alice)
        response = self.client.get(reverse("referrals:mine"), query)
        self.assertEqual(response.status_code, 200)
        return response, [row["r"].pk for row in response.context["rows"]]

    def test_a_stalled_referral_leads_the_first_page_and_the_next_page_is_offered(self):
        response, rows = self.rows()
        self.assertEqual(len(rows), LIST_PAGE_SIZE)
        self.assertEqual(rows[0], self.stalled.pk)
        self.assertContains(response, "Stalled: not accepted yet", count=1)
        self.assertContains(response, "?page=2")
        self.assertNotIn(self.closed.pk, rows)

    def test_page_two_holds_the_rest_and_no_referral_is_shown_twice_or_skipped(self):
        _, first = self.rows()
        response, second = self.rows(page="2")
        self.assertEqual(len(second), 1)
        self.assertContains(response, "?page=1")
        self.assertNotContains(response, "?page=3")
        open_pks = set(Referral.objects.exclude(pk=self.closed.pk).values_list("pk", flat=True))
        self.assertEqual(set(first) | set(second), open_pks)
        self.assertFalse(set(first) & set(second))
        _, past_the_end = self.rows(page="7")
        self.assertEqual(past_the_end, [])

    def test_the_query_count_is_the_same_on_every_page_and_nothing_is_counted(self):
        self.rows()
        counts = []
        for page in ("1", "2"):
            with CaptureQueriesContext(connection) as ctx:
                self.rows(page=page)
            counts.append(len(ctx.captured_queries))
            self.assertFalse(
                [q for q in ctx.captured_queries if "COUNT(" in q["sql"].upper() and "referrals_referral" in q["sql"]]
            )
        self.assertEqual(counts[0], counts[1])
