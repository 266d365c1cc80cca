"""The Gravity referral Task lifecycle, every ordered pair of statuses for both sides; and the stall clocks."""

from datetime import UTC, date, datetime, timedelta

from django.test import SimpleTestCase
from django.utils import translation

from puente.referrals import clocks
from puente.referrals import lifecycle as lc

R, T = lc.REQUESTER, lc.TARGET
# The expected table, written out from standards.md §6.2 (not derived from lifecycle.TRANSITIONS).
LEGAL = {
    (lc.DRAFT, lc.REQUESTED): {R},
    (lc.REQUESTED, lc.ACCEPTED): {T},
    (lc.REQUESTED, lc.REJECTED): {T},
    (lc.REQUESTED, lc.CANCELLED): {R, T},
    (lc.ACCEPTED, lc.IN_PROGRESS): {T},
    (lc.ACCEPTED, lc.ON_HOLD): {T},
    (lc.ACCEPTED, lc.COMPLETED): {T},
    (lc.ACCEPTED, lc.FAILED): {T},
    (lc.ACCEPTED, lc.CANCELLED): {R, T},
    (lc.IN_PROGRESS, lc.ON_HOLD): {T},
    (lc.ON_HOLD, lc.IN_PROGRESS): {T},
    (lc.IN_PROGRESS, lc.COMPLETED): {T},
    (lc.IN_PROGRESS, lc.FAILED): {T},
    (lc.IN_PROGRESS, lc.CANCELLED): {R, T},
    (lc.ON_HOLD, lc.COMPLETED): {T},
    (lc.ON_HOLD, lc.FAILED): {T},
    (lc.ON_HOLD, lc.CANCELLED): {R, T},
}
for _s in lc.STATUSES:
    if _s != lc.ENTERED_IN_ERROR:
        LEGAL[(_s, lc.ENTERED_IN_ERROR)] = {R}


class Lifecycle(SimpleTestCase):
    def test_it_has_exactly_the_gravity_statuses(self):
        self.assertEqual(len(lc.STATUSES), 10)
        self.assertNotIn("ready", lc.STATUSES)
        self.assertNotIn("received", lc.STATUSES)
        self.assertEqual(lc.TERMINAL, {lc.REJECTED, lc.CANCELLED, lc.COMPLETED, lc.FAILED, lc.ENTERED_IN_ERROR})

    def test_every_pair_for_both_sides(self):
        for current in lc.STATUSES:
            for new in lc.STATUSES:
                for side in (R, T):
                    allowed = side in LEGAL.get((current, new), set())
                    with self.subTest(current=current, new=new, side=side):
                        self.assertIs(lc.is_allowed(current, new, side), allowed)
                        if allowed:
                            lc.check(current, new, side)
                        else:
                            with self.assertRaises(lc.IllegalTransition) as cm:
                                lc.check(current, new, side)
                            self.assertTrue(cm.exception.message)

    def test_the_messages_say_what_is_wrong(self):
        with self.assertRaisesMessage(lc.IllegalTransition, "A referral that is Draft cannot become Accepted."):
            lc.check(lc.DRAFT, lc.ACCEPTED, T)
        with self.assertRaisesMessage(lc.IllegalTransition, "already Completed; it cannot become In progress"):
            lc.check(lc.COMPLETED, lc.IN_PROGRESS, T)
        with self.assertRaisesMessage(
            lc.IllegalTransition, "Only the partner organization can make this referral Accepted."
        ):
            lc.check(lc.REQUESTED, lc.ACCEPTED, R)
        with self.assertRaisesMessage(lc.IllegalTransition, "Only the referring organization"):
            lc.check(lc.DRAFT, lc.REQUESTED, T)
        with self.assertRaisesMessage(lc.IllegalTransition, "“ready” is not a referral status."):
            lc.check(lc.REQUESTED, "ready", T)

    def test_the_message_is_translated(self):
        # Fails until the central translation pass adds the Spanish strings.
        with translation.override("es"), self.assertRaises(lc.IllegalTransition) as cm:
            lc.check(lc.DRAFT, lc.ACCEPTED, T)
        self.assertNotIn("cannot become", cm.exception.message)

    def test_next_statuses(self):
        self.assertEqual(lc.next_statuses(lc.REQUESTED, T), [lc.ACCEPTED, lc.REJECTED, lc.CANCELLED])
        self.assertEqual(lc.next_statuses(lc.REQUESTED, R), [lc.CANCELLED, lc.ENTERED_IN_ERROR])
        self.assertEqual(lc.next_statuses(lc.COMPLETED, T), [])


NOW = datetime(2026, 6, 17, 12, 0, tzinfo=UTC)  # a Wednesday


class StallClocks(SimpleTestCase):
    def test_business_days(self):
        rows = [
            (date(2026, 6, 15), date(2026, 6, 15), 0),  # same day
            (date(2026, 6, 15), date(2026, 6, 16), 1),  # Mon → Tue
            (date(2026, 6, 12), date(2026, 6, 15), 1),  # Fri → Mon
            (date(2026, 6, 13), date(2026, 6, 14), 0),  # Sat → Sun
            (date(2026, 6, 12), date(2026, 6, 19), 5),  # a week
            (date(2026, 6, 12), date(2026, 6, 26), 10),
            (date(2026, 6, 16), date(2026, 6, 15), 0),  # backwards
        ]
        for start, end, expected in rows:
            with self.subTest(start=start, end=end):
                self.assertEqual(clocks.business_days_between(start, end), expected)

    def test_stall_reasons_at_the_boundaries(self):
        def reason(status, requested_days_ago=0, update_days_ago=None):
            requested = NOW - timedelta(days=requested_days_ago)
            return clocks.stall_reason(
                status,
                requested_at=requested,
                last_partner_update_at=None if update_days_ago is None else NOW - timedelta(days=update_days_ago),
                now=NOW,
                today=NOW.date(),
                accept_days=3,
                update_days=14,
            )

        rows = [
            (lc.REQUESTED, 1, None, ""),  # Tue → Wed: 1 business day
            (lc.REQUESTED, 2, None, ""),  # Mon → Wed: 2 business days
            (lc.REQUESTED, 3, None, clocks.NOT_ACCEPTED),  # Sun → Wed: 3 business days
            (lc.REQUESTED, 5, None, clocks.NOT_ACCEPTED),  # Fri → Wed: 3 business days
            (lc.REQUESTED, 4, None, clocks.NOT_ACCEPTED),  # Sat → Wed: Mon, Tue, Wed
            (lc.ACCEPTED, 20, 13, ""),
            (lc.ACCEPTED, 20, 14, clocks.NO_UPDATE),
            (lc.ON_HOLD, 20, 15, clocks.NO_UPDATE),
            (lc.IN_PROGRESS, 15, None, clocks.NO_UPDATE),  # no partner update yet: counted from sending
            (lc.COMPLETED, 40, 30, ""),
            (lc.DRAFT, 40, None, ""),
        ]
        for status, requested, updated, expected in rows:
            with self.subTest(status=status, requested=requested, updated=updated):
                self.assertEqual(reason(status, requested, updated), expected)
