"""The dashboard's "My referrals" and "Waiting in my teams' queue", read together: each list complete in queue order
(most urgent, then longest waiting), whatever the mix of the two."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from puente.core.testing import PersonaTestCase, make_patient, make_sw_referral
from puente.episodes.views import MINE_SHOWN, WAITING_SHOWN


class MineAndWaiting(PersonaTestCase):
    def lists(self):
        self.client.force_login(self.alice)
        response = self.client.get(reverse("episodes:dashboard"))
        self.assertEqual(response.status_code, 200)
        return response.context["mine"], response.context["waiting"]

    def referral(self, hours_ago, priority="routine", **extra):
        return make_sw_referral(self.patient, team=self.team, hours_ago=hours_ago, priority=priority, **extra)

    def own(self, hours_ago, priority="routine"):
        return self.referral(hours_ago, priority, assigned_to=self.alice, status="assigned")

    def test_each_list_holds_its_own_referrals_in_queue_order(self):
        old_mine, urgent_mine = self.own(30), self.own(2, "urgent")
        waiting_old, waiting_emergent = self.referral(40), self.referral(1, "emergent")
        self.referral(50, assigned_to=self.bob, status="assigned")  # a teammate's: in neither list
        self.referral(60, status="closed")
        mine, waiting = self.lists()
        self.assertEqual(mine, [urgent_mine, old_mine])
        self.assertEqual(waiting, [waiting_emergent, waiting_old])

    def test_more_than_a_dashboard_of_their_own_still_leaves_room_for_the_waiting(self):
        own = [self.own(100 + n) for n in range(MINE_SHOWN + 5)]
        waiting = [self.referral(n) for n in (3, 2, 1)]
        mine, shown_waiting = self.lists()
        self.assertEqual(mine, sorted(own, key=lambda r: r.received_at)[:MINE_SHOWN])  # the longest waiting
        self.assertEqual(shown_waiting, waiting)

    def test_the_waiting_list_shows_the_most_urgent_first_when_many_wait(self):
        self.own(5)
        waiting = [self.referral(n) for n in range(1, WAITING_SHOWN + 4)]
        urgent = self.referral(0.5, "urgent")
        _mine, shown = self.lists()
        self.assertEqual(shown, [urgent, *sorted(waiting, key=lambda r: r.received_at)[: WAITING_SHOWN - 1]])

    def test_one_query_reads_both_lists_unless_their_own_fill_it(self):
        self.own(5)
        self.referral(3)
        self.client.force_login(self.alice)
        self.client.get(reverse("episodes:dashboard"))
        with CaptureQueriesContext(connection) as few:
            self.client.get(reverse("episodes:dashboard"))
        for n in range(MINE_SHOWN + WAITING_SHOWN):
            self.own(100 + n)
            make_sw_referral(make_patient(self.org, f"P{n}", "Cola"), team=self.team, hours_ago=1 + n)
        with CaptureQueriesContext(connection) as many:
            response = self.client.get(reverse("episodes:dashboard"))
        self.assertEqual(len(response.context["waiting"]), WAITING_SHOWN)
        self.assertLessEqual(len(many), len(few) + 1)  # at most the second read of the waiting list
