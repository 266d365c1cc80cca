"""`manage.py bench` (`make bench`): server-side p50/p95 time and query count of the pages a social worker
opens all day, next to the floor (a minimal authenticated view with one indexed query), on a `generate_scale`
data set built or reused here. Prints a table and writes JSON (default `var/bench.json`).

Measured in-process through Django's test client: the full middleware stack, the view, the templates and the
database, without a network or a WSGI server (the load test measures those). Query counts are taken on a
separate request (capturing queries slows the cursor) on two data sets, a small and a large one: a page whose
count grows with the data runs a query per row somewhere.
"""

import json
import platform
import time
from pathlib import Path

import django
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from puente.accounts.models import Organization
from puente.perf.context import build_context, dataset_patients
from puente.perf.pages import FLOOR, PAGES, Page
from puente.perf.stats import count_growth, percentile, ratio


class Command(BaseCommand):
    help = "Benchmark the daily pages next to the framework floor; print a table and write JSON."

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=float, default=0.05, help="large data set (1 = 100,000 patients)")
        parser.add_argument("--small-scale", type=float, default=0.002, help="small data set, for query growth")
        parser.add_argument("--seed", type=int, default=1, help="large data set's seed (reused if present)")
        parser.add_argument("--small-seed", type=int, default=1001, help="small data set's seed")
        parser.add_argument("--iterations", type=int, default=40, help="timed requests per page")
        parser.add_argument("--warmup", type=int, default=3, help="untimed requests per page first")
        parser.add_argument("--json", default=str(Path(settings.BASE_DIR) / "var" / "bench.json"))
        parser.add_argument("--only", nargs="*", help="page names to measure (default: all)")
        parser.add_argument("--allow-production", action="store_true", help="run with PUENTE_MODE=production")

    def handle(self, *args, **opts):
        if settings.PUENTE_MODE == "production" and not opts["allow_production"]:
            raise CommandError("Refusing to add benchmark data with PUENTE_MODE=production (see --allow-production).")
        if opts["iterations"] < 1 or opts["warmup"] < 0:
            raise CommandError("--iterations must be >= 1 and --warmup >= 0.")
        started = time.perf_counter()
        generation = {
            "small": self._ensure(opts["small_seed"], opts["small_scale"]),
            "large": self._ensure(opts["seed"], opts["scale"]),
        }
        self._ensure_directory()
        # Fresh planner statistics for the tables and indexes as they are now: a reused data set may predate a
        # migration, and a new index without statistics is planned badly (SQLite: a partner list 36 -> 44 ms).
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        small, large = build_context(opts["small_seed"]), build_context(opts["seed"])
        pages = [p for p in PAGES if not opts["only"] or p.name in opts["only"]]

        floor = self._measure(FLOOR, large, small, opts)
        if floor.get("error"):
            raise CommandError(f"The floor view failed: {floor['error']}")
        results = [self._measure(page, large, small, opts) for page in pages]
        for row in results:
            if row.get("p95_ms") is not None:
                row["ratio_p95_to_floor"] = ratio(row["p95_ms"], floor["p95_ms"])
                row["ratio_p50_to_floor"] = ratio(row["p50_ms"], floor["p50_ms"])

        report = {
            "when": timezone.now().isoformat(),
            "database": connection.vendor,
            "python": platform.python_version(),
            "django": django.get_version(),
            "mode": settings.PUENTE_MODE,
            "iterations": opts["iterations"],
            "data_sets": {
                "small": {"seed": small.seed, "patients": small.patients, "caseload": small.caseload},
                "large": {"seed": large.seed, "patients": large.patients, "caseload": large.caseload},
            },
            "generation_seconds": generation,
            "floor": floor,
            "pages": results,
            "total_seconds": round(time.perf_counter() - started, 1),
        }
        path = Path(opts["json"])
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(report, indent=2, default=str))
        self._table(report)
        self.stdout.write(f"Wrote {path}.")

    # Data.

    def _ensure(self, seed: int, scale: float) -> float | None:
        """Generate the data set for `seed` unless it exists; return the generation time (None: reused)."""
        if Organization.objects.filter(slug=f"scale-s{seed}-1").exists():
            self.stdout.write(f"Reusing data set seed {seed} ({dataset_patients(seed):,} patients).")
            return None
        self.stdout.write(f"Generating data set seed {seed} at scale {scale}...")
        began = time.perf_counter()
        call_command("generate_scale", scale=scale, seed=seed, verbosity=0)
        took = round(time.perf_counter() - began, 1)
        self.stdout.write(f"  {dataset_patients(seed):,} patients with their activity in {took}s.")
        return took

    def _ensure_directory(self) -> None:
        from puente.directory.demo import load_demo_directory
        from puente.directory.models import Service

        if not Service.objects.exists():  # the search needs something to find; generated services: see docs
            load_demo_directory()

    # Measuring.

    def _request(self, page: Page, ctx, client: Client):
        url = page.url(ctx)
        if page.post:
            return client.post(url, page.post(ctx))
        return client.get(url, page.query(ctx) if page.query else None)

    def _client(self, page: Page, ctx) -> Client:
        client = Client(raise_request_exception=False, HTTP_HOST=(settings.ALLOWED_HOSTS or ["localhost"])[0])
        client.force_login(getattr(ctx, page.persona))
        return client

    def _count(self, page: Page, ctx) -> tuple[int | None, str | None]:
        client = self._client(page, ctx)
        self._request(page, ctx, client)  # first request of a session: the same for every page, not counted
        with CaptureQueriesContext(connection) as queries:
            response = self._request(page, ctx, client)
        if response.status_code not in page.ok_statuses:
            return None, f"HTTP {response.status_code}"
        return len(queries), None

    def _measure(self, page: Page, large, small, opts) -> dict:
        row: dict = {"name": page.name, "persona": page.persona, "url_name": page.url_name}
        row["target_p95_ms"] = page.target_ms
        skip = page.skip_reason(large)
        if skip:
            row["skipped"] = skip
            return row
        row["url"] = page.url(large)
        row["queries_large"], error = self._count(page, large)
        if error is None and page.skip_reason(small) is None:
            row["queries_small"], error = self._count(page, small)
        if error:
            row["error"] = error
            return row
        row["query_growth"] = count_growth(row.get("queries_small"), row["queries_large"])
        client = self._client(page, large)
        for _ in range(opts["warmup"]):
            self._request(page, large, client)
        samples = []
        for _ in range(opts["iterations"]):
            began = time.perf_counter()
            response = self._request(page, large, client)
            samples.append((time.perf_counter() - began) * 1000)
            if response.status_code not in page.ok_statuses:
                row["error"] = f"HTTP {response.status_code}"
                return row
        row["p50_ms"] = round(percentile(samples, 50), 2)
        row["p95_ms"] = round(percentile(samples, 95), 2)
        row["max_ms"] = round(max(samples), 2)
        if page.target_ms is not None:
            row["meets_target"] = row["p95_ms"] <= page.target_ms
        return row

    def _table(self, report: dict) -> None:
        floor, large, small = report["floor"], report["data_sets"]["large"], report["data_sets"]["small"]
        self.stdout.write("")
        self.stdout.write(
            f"{report['database']}, {large['patients']:,} patients (caseload {large['caseload']}); query counts "
            f"also on {small['patients']:,} patients; {report['iterations']} timed requests per page."
        )
        head = f"{'page':<26}{'p50 ms':>9}{'p95 ms':>9}{'x floor':>9}{'queries':>9}{'small':>7}  {'target':<8}note"
        self.stdout.write(head)
        self.stdout.write("-" * len(head))
        self.stdout.write(
            f"{'floor (1 indexed query)':<26}{floor['p50_ms']:>9.1f}{floor['p95_ms']:>9.1f}{'1.0':>9}"
            f"{floor['queries_large']:>9}{floor.get('queries_small', ''):>7}"
        )
        for row in report["pages"]:
            if row.get("skipped") or row.get("error"):
                self.stdout.write(f"{row['name']:<26}{'':>52}  skipped: {row.get('skipped') or row.get('error')}")
                continue
            target = f"<{row['target_p95_ms']:.0f}" if row.get("target_p95_ms") else ""
            notes = []
            if row.get("meets_target") is False:
                notes.append("OVER TARGET")
            if row["query_growth"] not in ("constant", "n/a"):
                notes.append(f"QUERIES {row['query_growth'].upper()}")
            self.stdout.write(
                f"{row['name']:<26}{row['p50_ms']:>9.1f}{row['p95_ms']:>9.1f}{row['ratio_p95_to_floor']:>9}"
                f"{row['queries_large']:>9}{row.get('queries_small', ''):>7}  {target:<8}{', '.join(notes)}"
            )
        self.stdout.write("")
