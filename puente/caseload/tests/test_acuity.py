"""The acuity score (pure): every part at each boundary, the tiers, the weights in one place."""

from django.test import SimpleTestCase
from django.utils import translation

from puente.caseload import acuity
from puente.caseload.acuity import AcuityInput


def part(result: acuity.Acuity, key: str) -> acuity.Part:
    return next(p for p in result.parts if p.key == key)


class Parts(SimpleTestCase):
    # (part, input, expected points, expected reason)
    CASES = [
        ("crisis", AcuityInput(open_crisis_alerts=0), 0, "No open crisis alert"),
        ("crisis", AcuityInput(open_crisis_alerts=1), 10, "1 open crisis alert"),
        ("crisis", AcuityInput(open_crisis_alerts=2), 20, "2 open crisis alerts"),
        ("crisis", AcuityInput(open_crisis_alerts=3), 20, "3 open crisis alerts"),  # capped
        ("domains", AcuityInput(positive_domains=0), 0, "No active social need"),
        ("domains", AcuityInput(positive_domains=1), 2, "1 active social need"),
        ("domains", AcuityInput(positive_domains=5), 10, "5 active social needs"),
        ("domains", AcuityInput(positive_domains=6), 10, "6 active social needs"),  # capped
        ("readmission", AcuityInput(), 0, "No readmission risk score"),
        ("readmission", AcuityInput(readmission_band="low"), 0, "Low readmission risk"),
        ("readmission", AcuityInput(readmission_band="moderate"), 3, "Moderate readmission risk"),
        ("readmission", AcuityInput(readmission_band="intermediate"), 3, "Intermediate readmission risk"),
        ("readmission", AcuityInput(readmission_band="high"), 6, "High readmission risk"),
        ("setting", AcuityInput(), 0, "No active episode"),
        ("setting", AcuityInput(setting="hospice", setting_label="Hospice"), 4, "Setting: Hospice"),
        ("setting", AcuityInput(setting="inpatient", setting_label="Inpatient"), 3, "Setting: Inpatient"),
        ("setting", AcuityInput(setting="emergency", setting_label="ED"), 3, "Setting: ED"),
        ("setting", AcuityInput(setting="home_health", setting_label="Home health"), 2, "Setting: Home health"),
        ("setting", AcuityInput(setting="outpatient", setting_label="Clinic"), 1, "Setting: Clinic"),
        ("overdue", AcuityInput(overdue_items=0), 0, "Nothing overdue"),
        ("overdue", AcuityInput(overdue_items=1), 3, "1 overdue item"),
        ("overdue", AcuityInput(overdue_items=3), 9, "3 overdue items"),
        ("overdue", AcuityInput(overdue_items=4), 9, "4 overdue items"),  # capped
        ("contact", AcuityInput(days_since_contact=None), 5, "No contact recorded yet"),
        ("contact", AcuityInput(days_since_contact=0), 0, "Last contact 0 days ago"),
        ("contact", AcuityInput(days_since_contact=1), 0, "Last contact 1 day ago"),
        ("contact", AcuityInput(days_since_contact=6), 0, "Last contact 6 days ago"),
        ("contact", AcuityInput(days_since_contact=7), 2, "Last contact 7 days ago"),
        ("contact", AcuityInput(days_since_contact=13), 2, "Last contact 13 days ago"),
        ("contact", AcuityInput(days_since_contact=14), 4, "Last contact 14 days ago"),
    ]

    def test_it_scores_each_part_with_a_reason(self):
        with translation.override("en"):
            for key, given, points, reason in self.CASES:
                with self.subTest(key=key, given=given):
                    p = part(acuity.score(given), key)
                    self.assertEqual((p.points, p.reason), (points, reason))

    def test_it_sums_the_parts_and_shows_all_six(self):
        given = AcuityInput(
            open_crisis_alerts=1,
            positive_domains=2,
            readmission_band="high",
            setting="hospice",
            overdue_items=1,
            days_since_contact=8,
        )
        result = acuity.score(given)
        self.assertEqual(
            [p.key for p in result.parts], ["crisis", "domains", "readmission", "setting", "overdue", "contact"]
        )
        self.assertEqual(result.total, 10 + 4 + 6 + 4 + 3 + 2)
        self.assertEqual(result.total, sum(p.points for p in result.parts))
        self.assertEqual([p.key for p in result.scored_parts], [p.key for p in result.parts])


class Tiers(SimpleTestCase):
    def test_it_puts_each_total_in_its_tier(self):
        # contact=0 points at 0 days; overdue adds 3 each (max 9); domains 2 each (max 10); crisis 10.
        for given, total, tier, weight in [
            (AcuityInput(days_since_contact=0), 0, "low", 1.0),
            (AcuityInput(days_since_contact=0, overdue_items=3), 9, "low", 1.0),
            (AcuityInput(days_since_contact=0, positive_domains=5), 10, "moderate", 1.5),
            (AcuityInput(days_since_contact=0, positive_domains=5, overdue_items=3), 19, "moderate", 1.5),
            (AcuityInput(days_since_contact=0, open_crisis_alerts=2), 20, "high", 2.0),
        ]:
            with self.subTest(total=total):
                result = acuity.score(given)
                self.assertEqual((result.total, result.tier, result.weight), (total, tier, weight))

    def test_it_reads_weights_from_one_place_and_refuses_unknown_ones(self):
        heavy = acuity.load_weights({"crisis_per_alert": 25, "crisis_max": 25})
        self.assertEqual(acuity.score(AcuityInput(open_crisis_alerts=1, days_since_contact=0), heavy).total, 25)
        self.assertEqual(acuity.DEFAULT_WEIGHTS["crisis_per_alert"], 10)
        with self.assertRaises(ValueError):
            acuity.load_weights({"charm": 3})
