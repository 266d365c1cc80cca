"""The load test's report reads locust's CSV: totals and each page's row (the run itself is not in make test)."""

import tempfile
from pathlib import Path

from django.core.management import CommandError
from django.test import SimpleTestCase

from puente.perf.management.commands.loadtest import aggregated, parse_think

HEADER = "Type,Name,Request Count,Failure Count,Median Response Time,Requests/s,50%,95%,99%\n"


class LoadtestReport(SimpleTestCase):
    def write(self, body: str) -> Path:
        directory = tempfile.mkdtemp()
        path = Path(directory) / "x_stats.csv"
        path.write_text(HEADER + body)
        return path

    def test_it_reads_the_totals_and_each_page(self):
        path = self.write("GET,dashboard,10,1,50,2.5,50,90,120\n,Aggregated,30,1,60,7.25,60,200,400\n")
        summary = aggregated(path)
        self.assertEqual(
            (summary["requests"], summary["failures"], summary["requests_per_s"]),
            (30, 1, 7.2),
        )
        self.assertEqual((summary["p50_ms"], summary["p95_ms"], summary["p99_ms"]), (60.0, 200.0, 400.0))
        self.assertEqual(summary["pages"]["dashboard"]["p95_ms"], 90.0)

    def test_it_says_when_locust_wrote_no_totals(self):
        with self.assertRaisesMessage(CommandError, "No Aggregated row"):
            aggregated(self.write("GET,dashboard,10,0,50,2.5,50,90,120\n"))


class ThinkTime(SimpleTestCase):
    def test_it_reads_a_range_of_seconds_and_refuses_anything_else(self):
        self.assertEqual(parse_think("1-4"), [1.0, 4.0])
        self.assertEqual(parse_think("10-30"), [10.0, 30.0])
        for bad in ("4-1", "abc", "5", "-1-4", "1-601", ""):
            with self.subTest(bad=bad), self.assertRaises(CommandError):
                parse_think(bad)
