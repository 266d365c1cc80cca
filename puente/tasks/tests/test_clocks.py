"""The clock rule table (pure): every rule's deadline, the DST weekends in America/Denver and month ends."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.test import SimpleTestCase

from puente.tasks import clocks

DEN = ZoneInfo("America/Denver")
UTC = ZoneInfo("UTC")


def den(*args) -> datetime:
    return datetime(*args, tzinfo=DEN)


class DueTimes(SimpleTestCase):
    # (case, start, amount, unit, expected due)
    CASES = [
        # Hours are elapsed time. 2026-03-08 is spring-forward (02:00 MST → 03:00 MDT): 24 h after Saturday
        # 10:00 is Sunday 11:00 local.
        ("hours, ordinary day", den(2026, 6, 1, 10, 0), 24, clocks.HOURS, den(2026, 6, 2, 10, 0)),
        ("hours across spring-forward", den(2026, 3, 7, 10, 0), 24, clocks.HOURS, den(2026, 3, 8, 11, 0)),
        ("hours, start just before the gap", den(2026, 3, 8, 1, 30), 1, clocks.HOURS, den(2026, 3, 8, 3, 30)),
        # 2026-11-01 is fall-back (02:00 MDT → 01:00 MST): 24 h after Saturday 10:00 is Sunday 09:00 local.
        ("hours across fall-back", den(2026, 10, 31, 10, 0), 24, clocks.HOURS, den(2026, 11, 1, 9, 0)),
        # Calendar days end at the end of the local day, whatever the length of the days in between.
        ("days, ordinary", den(2026, 6, 1, 10, 0), 5, clocks.CALENDAR_DAYS, den(2026, 6, 6, 23, 59)),
        ("days across spring-forward", den(2026, 3, 6, 22, 0), 5, clocks.CALENDAR_DAYS, den(2026, 3, 11, 23, 59)),
        ("days across fall-back", den(2026, 10, 30, 0, 5), 2, clocks.CALENDAR_DAYS, den(2026, 11, 1, 23, 59)),
        # An event at 23:30 local on 1 June is 05:30 UTC on 2 June: the local date counts.
        ("days, late evening local", den(2026, 6, 1, 23, 30), 2, clocks.CALENDAR_DAYS, den(2026, 6, 3, 23, 59)),
        ("days from a date", date(2026, 6, 1), 5, clocks.CALENDAR_DAYS, den(2026, 6, 6, 23, 59)),
        ("days across the year end", den(2026, 12, 30, 9, 0), 5, clocks.CALENDAR_DAYS, den(2027, 1, 4, 23, 59)),
        ("months, month end clamps", date(2026, 1, 31), 1, clocks.MONTHS, den(2026, 2, 28, 23, 59)),
        ("months, leap year", date(2027, 1, 31), 13, clocks.MONTHS, den(2028, 2, 29, 23, 59)),
        ("months, 13 later", date(2026, 3, 15), 13, clocks.MONTHS, den(2027, 4, 15, 23, 59)),
        ("months, 30th into February", date(2026, 11, 30), 3, clocks.MONTHS, den(2027, 2, 28, 23, 59)),
    ]

    def test_it_computes_every_due_time_in_denver(self):
        for case, start, amount, unit, expected in self.CASES:
            with self.subTest(case):
                due = clocks.due_after(start, amount, unit)
                self.assertEqual(due, expected)
                self.assertEqual(due.astimezone(DEN).utcoffset(), expected.utcoffset())

    def test_it_counts_real_hours_across_the_dst_changes(self):
        spring = clocks.due_after(den(2026, 3, 7, 10, 0), 24, clocks.HOURS)
        self.assertEqual(spring.astimezone(DEN).hour, 11)
        self.assertEqual(spring.astimezone(UTC) - den(2026, 3, 7, 10, 0).astimezone(UTC), timedelta(hours=24))
        fall = clocks.due_after(den(2026, 10, 31, 10, 0), 24, clocks.HOURS)
        self.assertEqual(fall.astimezone(DEN).hour, 9)

    def test_it_ends_calendar_days_at_local_midnight_in_both_offsets(self):
        # The same 23:59 local wall time is 05:59 UTC in summer and 06:59 UTC in winter.
        summer = clocks.due_after(den(2026, 3, 6, 12, 0), 5, clocks.CALENDAR_DAYS).astimezone(UTC)
        winter = clocks.due_after(den(2026, 3, 1, 12, 0), 5, clocks.CALENDAR_DAYS).astimezone(UTC)
        self.assertEqual((summer.hour, summer.minute), (5, 59))
        self.assertEqual((winter.hour, winter.minute), (6, 59))

    def test_it_refuses_an_unknown_unit(self):
        with self.assertRaises(ValueError):
            clocks.due_after(den(2026, 6, 1), 1, "fortnights")


class RuleTable(SimpleTestCase):
    rules = clocks.DEFAULT_RULES

    # (rule, trigger, start, expected due times)
    CASES = [
        ("hospital_sw_assessment", clocks.SW_REFERRAL_HOSPITAL, den(2026, 3, 7, 10, 0), [den(2026, 3, 8, 11, 0)]),
        ("important_message", clocks.INPATIENT_ADMISSION, den(2026, 10, 30, 20, 0), [den(2026, 11, 1, 23, 59)]),
        ("home_health_sw_evaluation", clocks.SW_REFERRAL_HOME_HEALTH, den(2026, 6, 1, 9), [den(2026, 6, 6, 23, 59)]),
        (
            "hospice_psychosocial_assessment",
            clocks.HOSPICE_ELECTION,
            den(2026, 3, 6, 15, 0),
            [den(2026, 3, 11, 23, 59)],
        ),
        ("bereavement_contact", clocks.HOSPICE_DEATH, date(2026, 1, 28), [den(2026, 2, 2, 23, 59)]),
        (
            "bereavement_follow_up",
            clocks.HOSPICE_DEATH,
            date(2026, 1, 31),
            [
                den(2026, 2, 28, 23, 59),
                den(2026, 4, 30, 23, 59),
                den(2026, 7, 31, 23, 59),
                den(2026, 10, 31, 23, 59),
                den(2027, 2, 28, 23, 59),
            ],
        ),
    ]

    def test_it_gives_each_rule_its_deadlines(self):
        far_future = den(2030, 1, 1)
        for key, trigger, start, expected in self.CASES:
            with self.subTest(key):
                rule = self.rules[key]
                self.assertEqual(rule.trigger, trigger)
                self.assertIn(rule, clocks.rules_for(trigger, self.rules))
                dues = clocks.dues_for(rule, start, far_future)
                self.assertEqual([d.due_at for d in dues], expected)
                self.assertEqual(len({d.key for d in dues}), len(dues))

    def test_it_opens_the_next_idg_review_only_when_its_period_begins(self):
        rule = self.rules["hospice_idg_review"]
        election = den(2026, 3, 1, 10, 0)
        # (now, expected number of review tasks) — a period begins at the end of the previous one.
        for now, count in [
            (election - timedelta(minutes=1), 0),
            (election, 1),
            (den(2026, 3, 16, 23, 58), 1),
            (den(2026, 3, 16, 23, 59), 2),
            (den(2026, 3, 31, 23, 59), 3),
        ]:
            with self.subTest(now=now):
                self.assertEqual(len(clocks.dues_for(rule, election, now)), count)
        dues = clocks.dues_for(rule, election, den(2026, 4, 1))
        self.assertEqual(
            [d.due_at for d in dues], [den(2026, 3, 16, 23, 59), den(2026, 3, 31, 23, 59), den(2026, 4, 15, 23, 59)]
        )
        self.assertEqual(
            [d.key for d in dues], ["hospice_idg_review:1", "hospice_idg_review:2", "hospice_idg_review:3"]
        )

    def test_it_stops_idg_reviews_after_the_episode_ends(self):
        rule = self.rules["hospice_idg_review"]
        election = den(2026, 3, 1, 10, 0)
        dues = clocks.dues_for(rule, election, den(2026, 6, 1), until=den(2026, 3, 20))
        self.assertEqual(len(dues), 2)

    def test_it_applies_overrides_and_refuses_unknown_rules(self):
        rules = clocks.load_rules({"hospital_sw_assessment": {"amount": 12}, "important_message": {"enabled": False}})
        self.assertEqual(rules["hospital_sw_assessment"].amount, 12)
        self.assertEqual(clocks.DEFAULT_RULES["hospital_sw_assessment"].amount, 24)
        self.assertEqual(clocks.rules_for(clocks.INPATIENT_ADMISSION, rules), [])
        with self.assertRaises(ValueError):
            clocks.load_rules({"no_such_rule": {"amount": 1}})

    def test_it_classifies_due_states_at_each_boundary(self):
        now = den(2026, 6, 1, 12, 0)
        soon = timedelta(hours=4)
        for due, expected in [
            (now - timedelta(seconds=1), "overdue"),
            (now, "overdue"),
            (now + timedelta(seconds=1), "due_soon"),
            (now + soon, "due_soon"),
            (now + soon + timedelta(seconds=1), "upcoming"),
        ]:
            with self.subTest(due=due):
                self.assertEqual(clocks.state(due, now, soon), expected)
