"""`manage.py bench` at a tiny scale: every registered page measured or skipped with a reason, the floor beside
them, query counts compared at two sizes, JSON written. Fast: a smoke test, not a benchmark."""

import json
import tempfile
from io import StringIO
from pathlib import Path

from django.core.management import CommandError, call_command
from django.test import TestCase, override_settings

from puente.perf.pages import PAGES
from puente.perf.stats import count_growth, percentile, ratio


class BenchSmoke(TestCase):
    def test_it_measures_every_page_next_to_the_floor_and_writes_json(self):
        out = StringIO()
        with tempfile.TemporaryDirectory() as tmp:
            target = Path(tmp) / "bench.json"
            call_command(
                "bench",
                scale=0.0006,
                small_scale=0.0003,
                iterations=3,
                warmup=1,
                json=str(target),
                stdout=out,
            )
            report = json.loads(target.read_text())
        text = out.getvalue()
        self.assertIn("floor (1 indexed query)", text)
        self.assertEqual(report["floor"]["queries_large"], report["floor"]["queries_small"])
        self.assertGreater(report["floor"]["p95_ms"], 0)
        self.assertEqual([row["name"] for row in report["pages"]], [p.name for p in PAGES])
        self.assertGreater(report["data_sets"]["large"]["patients"], report["data_sets"]["small"]["patients"])
        measured = {row["name"]: row for row in report["pages"] if "p95_ms" in row}
        measured_pages = ("worker dashboard", "patient page", "screening submit", "audit viewer, filtered")
        # The data set has partner staff with referrals and a generated directory: both pages are measured.
        for name in (*measured_pages, "partner referral list", "directory search"):
            with self.subTest(page=name):
                row = measured[name]
                self.assertGreater(row["p95_ms"], 0)
                self.assertIsNotNone(row["ratio_p95_to_floor"])
                self.assertIn(row["query_growth"], ("constant", "grows", "shrinks"))
                self.assertIn(name, text)
        for row in report["pages"]:
            with self.subTest(row=row["name"]):
                self.assertTrue("p95_ms" in row or row.get("skipped") or row.get("error"), row)

    @override_settings(PUENTE_MODE="production")
    def test_it_refuses_production_data_unless_told(self):
        with self.assertRaisesMessage(CommandError, "PUENTE_MODE=production"):
            call_command("bench", scale=0.0001, stdout=StringIO())


class Stats(TestCase):
    def test_it_takes_nearest_rank_percentiles(self):
        samples = [float(n) for n in range(1, 101)]  # 1..100
        for p, expected in [(50, 50.0), (95, 95.0), (99, 99.0), (100, 100.0), (1, 1.0), (0, 1.0)]:
            with self.subTest(p=p):
                self.assertEqual(percentile(samples, p), expected)
        self.assertEqual(percentile([3.0], 95), 3.0)
        self.assertEqual(percentile([5.0, 1.0], 50), 1.0)  # order of measurement does not matter
        with self.assertRaises(ValueError):
            percentile([], 50)

    def test_it_compares_query_counts_and_ratios(self):
        for small, large, expected in [(5, 5, "constant"), (5, 6, "grows"), (6, 5, "shrinks"), (None, 5, "n/a")]:
            with self.subTest(small=small, large=large):
                self.assertEqual(count_growth(small, large), expected)
        self.assertEqual(ratio(10.0, 4.0), 2.5)
        self.assertIsNone(ratio(10.0, 0))
