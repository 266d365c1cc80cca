"""`manage.py loadtest`: gunicorn (2 workers x threads) + the background worker + locust headless, on loopback,
against the `generate_scale` data set of `--seed` (build it first: `manage.py bench` or `generate_scale`).

Bounded: `--users` simulated staff (default 100) for `--duration` (default 2m); every process it starts is
stopped by its own pid at the end, whatever happens. Prints requests/s, p50/p95/p99 and errors; writes
`var/loadtest.json` and locust's CSVs beside it. Not part of `make test`.
"""

import csv
import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from puente.accounts.models import Organization, Role, User
from puente.demo.management.commands.seed_demo import DEMO_PASSWORD
from puente.patients.models import Patient

HERE = Path(__file__).resolve().parents[2]


def _numbers(row: dict) -> dict:
    return {
        "requests": int(row["Request Count"]),
        "failures": int(row["Failure Count"]),
        "requests_per_s": round(float(row["Requests/s"]), 1),
        "p50_ms": float(row["50%"]),
        "p95_ms": float(row["95%"]),
        "p99_ms": float(row["99%"]),
    }


def aggregated(stats_csv: Path) -> dict:
    """Locust's *_stats.csv as numbers: the 'Aggregated' row, and each request name's row under "pages"."""
    with stats_csv.open(newline="") as f:
        rows = list(csv.DictReader(f))
    total = next((r for r in rows if r["Name"] == "Aggregated"), None)
    if total is None:
        raise CommandError(f"No Aggregated row in {stats_csv}")
    return _numbers(total) | {"pages": {r["Name"]: _numbers(r) for r in rows if r["Name"] != "Aggregated"}}


def parse_think(text: str) -> list[float]:
    """ "MIN-MAX" seconds (0 <= MIN <= MAX <= 600) -> [MIN, MAX]; CommandError otherwise."""
    try:
        low, high = (float(part) for part in text.split("-"))
    except ValueError:
        raise CommandError("--think must be MIN-MAX seconds, e.g. 1-4.") from None
    if not 0 <= low <= high <= 600:
        raise CommandError("--think must be MIN-MAX seconds with 0 <= MIN <= MAX <= 600.")
    return [low, high]


class Command(BaseCommand):
    help = "Load test: gunicorn + db_worker + locust (headless, loopback), simulated staff doing the daily mix."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=1, help="generate_scale data set to use (default 1)")
        parser.add_argument("--users", type=int, default=100)
        parser.add_argument("--spawn-rate", type=float, default=5, help="users started per second")
        parser.add_argument("--duration", default="2m", help="locust --run-time (default 2m)")
        parser.add_argument("--workers", type=int, default=2)
        parser.add_argument("--threads", type=int, default=4)
        parser.add_argument(
            "--keep-alive",
            type=int,
            default=75,
            help="seconds gunicorn keeps an idle connection (default 75, as a proxy in front would; gunicorn's own "
            "2 s races a client that reuses the connection as the server closes it: 'connection reset by peer')",
        )
        parser.add_argument(
            "--think", default="1-4", help="seconds between one person's pages, MIN-MAX (default 1-4: a stress pace)"
        )
        parser.add_argument("--port", type=int, default=8765)
        parser.add_argument("--out", default=str(Path(settings.BASE_DIR) / "var" / "loadtest"))

    def handle(self, *args, **opts):
        if settings.PUENTE_MODE == "production":
            raise CommandError("The load test signs in as generated staff: not with PUENTE_MODE=production.")
        if not 1 <= opts["users"] <= 1000:
            raise CommandError("--users must be between 1 and 1000.")
        think = parse_think(opts["think"])
        out = Path(opts["out"])
        out.parent.mkdir(parents=True, exist_ok=True)
        plan_path = out.with_suffix(".plan.json")
        plan_path.write_text(json.dumps(self._plan(opts["seed"], opts["users"]) | {"think": think}))
        env = {**os.environ, "PUENTE_LOADTEST_PLAN": str(plan_path), "DEBUG": "false", "LOG_LEVEL": "WARNING"}
        bin_dir = Path(sys.executable).parent
        base = f"http://127.0.0.1:{opts['port']}"
        started: list[subprocess.Popen] = []
        try:
            started.append(
                subprocess.Popen(  # noqa: S603
                    [str(bin_dir / "gunicorn"), "config.wsgi", "--workers", str(opts["workers"]), "--threads",
                     str(opts["threads"]), "--keep-alive", str(opts["keep_alive"]),
                     "--bind", f"127.0.0.1:{opts['port']}", "--log-level", "warning"],
                    cwd=settings.BASE_DIR, env=env,
                )
            )  # fmt: skip
            started.append(subprocess.Popen([sys.executable, "manage.py", "db_worker"], cwd=settings.BASE_DIR, env=env))  # noqa: S603
            self._wait_healthy(base)
            self.stdout.write(f"Load test: {opts['users']} staff for {opts['duration']} against {base}...")
            locust = [str(bin_dir / "locust"), "-f", str(HERE / "locustfile.py"), "--headless", "--only-summary",
                      "-u", str(opts["users"]), "-r", str(opts["spawn_rate"]), "-t", opts["duration"],
                      "--host", base, "--csv", str(out), "--stop-timeout", "10"]  # fmt: skip
            # A hard bound on top of locust's own: its run time plus ramp-up and stop with room to spare.
            subprocess.run(locust, cwd=settings.BASE_DIR, env=env, timeout=1800, check=False)  # noqa: S603
        finally:
            for process in reversed(started):
                process.send_signal(signal.SIGTERM)
            for process in started:
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    process.kill()
        summary = aggregated(Path(f"{out}_stats.csv"))
        summary |= {"users": opts["users"], "duration": opts["duration"], "workers": opts["workers"], "think": think}
        summary |= {"threads": opts["threads"], "database": settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[1]}
        out.with_suffix(".json").write_text(json.dumps(summary, indent=2))
        self.stdout.write(
            f"{summary['requests']} requests, {summary['requests_per_s']} req/s, p50 {summary['p50_ms']:.0f} ms, "
            f"p95 {summary['p95_ms']:.0f} ms, p99 {summary['p99_ms']:.0f} ms, {summary['failures']} errors."
        )
        for name, page in sorted(summary["pages"].items()):
            self.stdout.write(
                f"  {name:<20} {page['requests']:>6} req  p50 {page['p50_ms']:>6.0f}  p95 {page['p95_ms']:>6.0f}  "
                f"p99 {page['p99_ms']:>6.0f} ms  {page['failures']} errors"
            )

    def _plan(self, seed: int, users: int) -> dict:
        org = Organization.objects.filter(slug=f"scale-s{seed}-1").first()
        if org is None:
            raise CommandError(f"No data set for seed {seed}: run `manage.py bench` or `generate_scale` first.")
        staff = []
        for user in User.objects.filter(organization=org, role=Role.SOCIAL_WORKER).order_by("email")[:users]:
            patients = Patient.objects.visible_to(user).order_by("pk").values_list("pk", flat=True)[:20]
            if patients:
                staff.append({"email": user.email, "patients": [str(p) for p in patients]})
        if not staff:
            raise CommandError("No social worker in the data set sees a patient.")
        return {"password": DEMO_PASSWORD, "staff": staff}

    def _wait_healthy(self, base: str) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{base}/healthz", timeout=2) as response:  # noqa: S310 - loopback
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.5)
        raise CommandError("gunicorn did not answer /healthz within 60 s.")
