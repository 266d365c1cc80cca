"""Benchmark the directory import at scale: a synthetic HSDS 3.0 CSV package, imported into this database.

    manage.py bench_directory_import var/hsds-100k --generate 100000   # write the package, then import it twice
    manage.py bench_directory_import var/hsds-100k --runs 1            # import an existing package once

The first run creates every row, the second is the idempotent re-import (every row updated, none created). Each
run prints its time (parse, write, search documents), records per second and the process's peak memory. Run it
against a throwaway database (DATABASE_URL), never production: the rows are real directory rows.
"""

import resource
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from puente.directory.services import import_hsds_package
from puente.directory.synthetic_hsds import write_package


def peak_mb() -> float:
    """The process's peak resident memory so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class Command(BaseCommand):
    help = "Benchmark the HSDS import at scale with a synthetic CSV package (throwaway databases only)."

    def add_arguments(self, parser):
        parser.add_argument("folder", help="The package folder (written by --generate, else read).")
        parser.add_argument("--generate", type=int, default=0, help="First write a package of this many services.")
        parser.add_argument("--seed", type=int, default=7)
        parser.add_argument("--runs", type=int, default=2, help="Imports in a row (the second one updates).")
        parser.add_argument("--full", action="store_true", help="Import with --full (deactivate missing services).")
        parser.add_argument(
            "--max-mb", type=float, default=1024, help="Size limit for the package (uploads keep their own limit)."
        )

    def handle(self, *args, folder, generate, seed, runs, full, max_mb, **options):
        folder = Path(folder)
        if generate:
            started = time.perf_counter()
            counts = write_package(folder, generate, seed=seed)
            size = sum(f.stat().st_size for f in folder.glob("*.csv")) / 1024 / 1024
            self.stdout.write(
                f"Wrote {sum(counts.values())} rows ({generate} services, {size:.1f} MB of CSV) to {folder} "
                f"in {time.perf_counter() - started:.1f} s: " + ", ".join(f"{name} {n}" for name, n in counts.items())
            )
        if not (folder / "datapackage.json").is_file():
            raise CommandError(f"No datapackage.json in {folder}.")
        for run in range(1, runs + 1):
            self.import_once(folder, run, full, int(max_mb * 1024 * 1024))

    def import_once(self, folder, run, full, max_bytes):
        marks = {}

        def progress(done, total, phase="write"):
            now = time.perf_counter()
            marks.setdefault("parsed", now)  # the first call (done = 0) comes after reading and parsing
            if phase != "write":
                marks.setdefault("written", now)  # the search-document phase starts when every write is done

        started, cpu = time.perf_counter(), time.process_time()
        result = import_hsds_package(folder, full=full, progress=progress, max_bytes=max_bytes)
        ended, cpu = time.perf_counter(), time.process_time() - cpu
        if result.rejections:
            self.stdout.write(f"  {len(result.rejections)} rejections, first: {result.rejections[0]}")
        records = sum(result.created.values()) + sum(result.updated.values())
        parsed, written = marks.get("parsed", ended), marks.get("written", ended)
        self.stdout.write(
            f"run {run}: {records} records ({sum(result.created.values())} created, "
            f"{sum(result.updated.values())} updated, {result.deactivated} deactivated, "
            f"{sum(result.removed.values())} children removed) in {ended - started:.1f} s "
            f"= {records / (ended - started):.0f} records/s; read+parse {parsed - started:.1f} s, "
            f"write {written - parsed:.1f} s, search documents {ended - written:.1f} s; "
            f"this process's CPU {cpu:.1f} s (the database server's not included); peak memory {peak_mb():.0f} MB"
        )
